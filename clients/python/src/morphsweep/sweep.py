"""The handle of one sweep: watch it, read its front, cancel it."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal
from urllib.parse import quote

from . import models
from ._events import ReconnectPolicy, SweepEvent, sweep_events
from ._transport import Transport
from .evidence import Evidence
from .frames import front_frame
from .progress import ProgressOption, sweep_display
from .run import Run

if TYPE_CHECKING:
    import pandas

CostKind = Literal["flops", "model-size", "latency"]
SweepStatus = Literal["queued", "running", "completed", "failed", "cancelled"]
#: Run details are read this many at a time for a front's DataFrame.
RUN_DETAIL_CONCURRENCY = 8


@dataclass(frozen=True)
class SeedNetwork:
    """The full-width seed network every run of the sweep starts from."""

    flops: float | None
    model_size: float | None
    latency_ns: float | None
    #: Validation accuracy of the seed network trained as the runs are, when the sweep measured it.
    accuracy: float | None
    #: Output channels per regularized layer (known once a run completed).
    widths: dict[str, int] = field(default_factory=dict)

    def cost(self, kind: CostKind) -> float | None:
        return {"flops": self.flops, "model-size": self.model_size, "latency": self.latency_ns}[kind]


class Sweep:
    """A sweep on the server. Cheap to make: every method asks the server afresh."""

    def __init__(
        self,
        transport: Transport,
        sweep_id: str,
        *,
        created: bool | None = None,
        summary: models.SweepSummary | None = None,
        reconnect: ReconnectPolicy = ReconnectPolicy(),
    ) -> None:
        self._transport = transport
        self._reconnect = reconnect
        self.id = sweep_id
        #: From create_sweep: False when an earlier request with the same idempotency key made it.
        self.created = created
        #: From client.sweeps(): the sweep as that page listed it (not refreshed).
        self.summary = summary

    def __repr__(self) -> str:
        return f"Sweep({self.id!r})"

    def _path(self, suffix: str = "") -> str:
        return f"/api/sweeps/{quote(self.id, safe='')}{suffix}"

    def get(self) -> models.SweepDetail:
        """Config (defaults filled in), status, run counts, best point, seed cost, live progress."""
        return models.SweepDetail.model_validate_json(self._transport.request("GET", self._path()).content)

    @property
    def status(self) -> SweepStatus:
        return self.get().status

    def events(self, *, timeout: float | None = None) -> Iterator[SweepEvent]:
        """The server's live events until the sweep ends: a RunEvent whenever a run changes, a
        ProgressEvent whenever the counts do (the last one has the final status). Reconnects when
        the stream drops; after a reconnect every run is sent again."""
        return sweep_events(self._transport, self.id, self._reconnect, timeout_s=timeout)

    def wait(self, *, progress: ProgressOption = True, timeout: float | None = None) -> models.SweepDetail:
        """Follows the sweep's events until it completes, fails or is cancelled; returns its final state.

        `progress=True` shows every run's progress live (a table in Jupyter, bars in a terminal);
        False shows nothing; a callable receives each event. A failed sweep is returned, not raised:
        its `error` says why. Interrupting wait() (or its `timeout`, TimeoutError) leaves the sweep
        running on the server; cancel() stops it.
        """
        display = sweep_display(progress, self.id)
        try:
            for event in self.events(timeout=timeout):
                display.update(event)
        finally:
            display.close()
        return self.get()

    def cancel(self) -> models.CancelSweepResponse:
        """Stops the sweep: running runs are cancelled, finished results stay. 409 `sweep_finished`
        when it already ended."""
        response = self._transport.request("POST", self._path("/cancel"))
        return models.CancelSweepResponse.model_validate_json(response.content)

    def front_points(self, cost: CostKind | None = None) -> models.Front:
        """The Pareto front as the API sends it: points on one cost axis (the sweep's own by
        default), dominated points, the seed network and finished retrains."""
        params = {} if cost is None else {"cost": cost}
        return models.Front.model_validate_json(self._transport.request("GET", self._path("/front"), params=params).content)

    def front(self, cost: CostKind | None = None, *, run_details: bool = True) -> pandas.DataFrame:
        """The completed runs as a DataFrame by ascending cost: `pareto` flag, strength, threshold,
        seed, `cost` on the axis, validation `accuracy`; with `run_details` (one request per run)
        also flops, model_size, latency_ns, test_accuracy and a `width.<layer>` column per layer."""
        front = self.front_points(cost)
        if not run_details:
            return front_frame(front, None)
        run_ids = [point.run_id for point in (*front.pareto, *front.dominated)]
        with ThreadPoolExecutor(max_workers=RUN_DETAIL_CONCURRENCY) as pool:
            details = dict(zip(run_ids, pool.map(lambda run_id: self.run(run_id).get(), run_ids)))
        return front_frame(front, details)

    @property
    def target_search(self) -> models.TargetSearch | None:
        """A target-cost sweep's search (`"strengths": {"target": ...}`): every round of probes
        (strength, state, cost, validation accuracy, steps trained) and, once it ended, the
        `outcome`: `hit` (the run within tolerance), `jump` (the cost jumps over the target between
        two strengths a hair apart: both structures and a width multiplier that brings the cheaper
        one to the target) or `exhausted`. None for grid sweeps."""
        return self.get().target_search

    def evidence(self) -> list[Evidence]:
        """Every evidence run of any run of this sweep, oldest first (Run.evidence starts one)."""
        listing = models.EvidenceList.model_validate_json(self._transport.request("GET", self._path("/evidence")).content)
        return [Evidence(self._transport, evidence.id, state=evidence) for evidence in listing.evidence]

    @property
    def seed(self) -> SeedNetwork:
        """The full-width seed network: its costs on every axis, accuracy and layer widths."""
        detail = self.get()
        costs = detail.seed_cost
        widths: dict[str, int] = {}
        if detail.best is not None:
            widths = {layer.name: layer.seed for layer in self.run(detail.best.run_id).get().layers or []}
        return SeedNetwork(
            flops=None if costs is None else costs.flops,
            model_size=None if costs is None else costs.model_size,
            latency_ns=None if costs is None else costs.latency_ns,
            accuracy=detail.seed_accuracy,
            widths=widths,
        )

    def run(self, run_id: str) -> Run:
        return Run(self._transport, run_id)
