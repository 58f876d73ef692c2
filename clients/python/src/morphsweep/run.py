"""Handles of one structure-learning run and of one retrain."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from . import models
from ._transport import Transport
from .frames import curve_frame, layers_frame
from .progress import step_display

if TYPE_CHECKING:
    import pandas

StructureFormat = Literal["morphsweep", "morphnet"]
TERMINAL_RETRAIN_STATUSES = frozenset({"completed", "failed", "cancelled"})


class Retrain:
    """A retrain of a learned structure from scratch; `wait()` follows it to the end."""

    def __init__(self, transport: Transport, retrain_id: str) -> None:
        self._transport = transport
        self.id = retrain_id

    def __repr__(self) -> str:
        return f"Retrain({self.id!r})"

    def get(self) -> models.Retrain:
        """Status, step, and once finished the costs and accuracies of the retrained network."""
        response = self._transport.request("GET", f"/api/retrains/{quote(self.id, safe='')}")
        return models.Retrain.model_validate_json(response.content)

    def wait(self, *, progress: bool = True, timeout: float | None = None, poll_interval: float = 1.0) -> models.Retrain:
        """Polls until the retrain completed, failed or was cancelled, and returns its final state.

        A failed retrain is returned, not raised: its `error` says why. TimeoutError after `timeout`
        seconds (the retrain goes on).
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        display = step_display(progress, f"retrain {self.id}")
        try:
            while True:
                retrain = self.get()
                accuracy = "" if retrain.val_accuracy is None else f"val accuracy {retrain.val_accuracy:.3f}"
                display.update(retrain.status, retrain.step, retrain.total_steps, retrain.error or accuracy)
                if retrain.status in TERMINAL_RETRAIN_STATUSES:
                    return retrain
                if deadline is not None and time.monotonic() + poll_interval > deadline:
                    raise TimeoutError(f"retrain {self.id} did not finish within {timeout} s (it goes on running)")
                time.sleep(poll_interval)
        finally:
            display.close()


class Run:
    """One structure-learning run of a sweep (one strength, threshold and seed)."""

    def __init__(self, transport: Transport, run_id: str) -> None:
        self._transport = transport
        self.id = run_id

    def __repr__(self) -> str:
        return f"Run({self.id!r})"

    def _path(self, suffix: str = "") -> str:
        return f"/api/runs/{quote(self.id, safe='')}{suffix}"

    def get(self) -> models.RunDetail:
        """The run with its curve, per-layer widths (once finished) and retrains."""
        return models.RunDetail.model_validate_json(self._transport.request("GET", self._path()).content)

    def structure(self, format: StructureFormat = "morphsweep") -> dict[str, Any]:
        """The learned structure: MorphSweep's rebuildable JSON, or `morphnet` for MorphNet's flat
        {layer: alive output channels} view. 409 `structure_not_ready` until the run completes."""
        response = self._transport.request("GET", self._path("/structure"), params={"format": format})
        structure: dict[str, Any] = response.json()
        return structure

    def retrain(self, *, width_multiplier: float | None = None, target_cost: float | None = None) -> Retrain:
        """Retrains the learned structure from scratch without the regularizer: as learned, every
        layer scaled by `width_multiplier`, or scaled to `target_cost` on the sweep's cost axis (at
        most one of the two)."""
        body: dict[str, float] = {}
        if width_multiplier is not None:
            body["widthMultiplier"] = width_multiplier
        if target_cost is not None:
            body["targetCost"] = target_cost
        response = self._transport.request("POST", self._path("/retrain"), json=body)
        return Retrain(self._transport, models.RetrainCreated.model_validate_json(response.content).retrain_id)

    def curve(self) -> pandas.DataFrame:
        return curve_frame(self.get().curve)

    def layers(self) -> pandas.DataFrame:
        """Alive output channels per regularized layer beside the seed width (empty until finished)."""
        return layers_frame(self.get().layers or [])
