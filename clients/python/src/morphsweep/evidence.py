"""The handle of one evidence run: the learned structure against uniformly thinner networks."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Literal
from urllib.parse import quote

from . import models
from ._transport import Transport
from .frames import evidence_arms_frame, evidence_comparisons_frame
from .progress import EvidenceProgressOption, evidence_display

if TYPE_CHECKING:
    import pandas

#: A cost on the sweep's axis, or "seed" for the seed network's own.
ExpandTo = float | Literal["seed"]
TERMINAL_EVIDENCE_STATUSES = frozenset({"completed", "failed", "cancelled"})


def _progress_key(evidence: models.Evidence) -> tuple[object, ...]:
    return (evidence.status, tuple((arm.status, arm.step) for arm in evidence.arms))


class Evidence:
    """Retrains of a run's structure and of the uniform baseline at the same cost, several seeds
    each (start one with Run.evidence). `wait()` follows the arms; `frame()` and `comparisons()`
    read the summary the server computes once every arm finished."""

    def __init__(self, transport: Transport, evidence_id: str, *, state: models.Evidence | None = None) -> None:
        self._transport = transport
        self.id = evidence_id
        # A finished evidence run never changes again: its state is kept instead of asked for anew.
        self._final = state if state is not None and state.status in TERMINAL_EVIDENCE_STATUSES else None

    def __repr__(self) -> str:
        return f"Evidence({self.id!r})"

    def get(self) -> models.Evidence:
        """Status, every arm's retrain (arm, seed, status, step, costs, accuracies) and, once every
        arm finished, the summary."""
        if self._final is not None:
            return self._final
        response = self._transport.request("GET", f"/api/evidence/{quote(self.id, safe='')}")
        evidence = models.Evidence.model_validate_json(response.content)
        if evidence.status in TERMINAL_EVIDENCE_STATUSES:
            self._final = evidence
        return evidence

    def wait(
        self,
        *,
        progress: EvidenceProgressOption = True,
        timeout: float | None = None,
        poll_interval: float = 0.5,
        max_poll_interval: float = 5.0,
    ) -> models.Evidence:
        """Polls until the evidence run completed, failed or was cancelled, and returns its final state.

        Polls every `poll_interval` seconds while arms move, backing off up to `max_poll_interval`
        while none does. `progress=True` shows every arm's retrain live (a table in Jupyter, a bar in
        a terminal) and the verdicts at the end; False shows nothing; a callable receives each polled
        state. A failed run is returned, not raised: its `error` says why. TimeoutError after
        `timeout` seconds (the evidence run goes on).
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        display = evidence_display(progress)
        interval = poll_interval
        previous: tuple[object, ...] | None = None
        try:
            while True:
                evidence = self.get()
                display.update(evidence)
                if evidence.status in TERMINAL_EVIDENCE_STATUSES:
                    return evidence
                key = _progress_key(evidence)
                interval = poll_interval if key != previous else min(interval * 1.5, max_poll_interval)
                previous = key
                if deadline is not None and time.monotonic() + interval > deadline:
                    raise TimeoutError(f"evidence {self.id} did not finish within {timeout} s (it goes on running)")
                time.sleep(interval)
        finally:
            display.close()

    @property
    def summary(self) -> models.EvidenceSummary | None:
        """Per arm the cost, width multiplier and accuracy mean and sd; per comparison the
        difference of mean test accuracy with its 95 % Welch t interval and the winner. None until
        every arm finished."""
        return self.get().summary

    def _finished_summary(self) -> tuple[models.Evidence, models.EvidenceSummary]:
        evidence = self.get()
        if evidence.summary is None:
            finished = sum(arm.status in TERMINAL_EVIDENCE_STATUSES for arm in evidence.arms)
            raise RuntimeError(
                f"evidence {self.id} is {evidence.status} ({finished} of {len(evidence.arms)} arm retrains finished) "
                f"and has no summary{': ' + evidence.error if evidence.error else ''}; wait() for it first"
            )
        return evidence, evidence.summary

    def frame(self) -> pandas.DataFrame:
        """One row per arm: arm, count, cost, width_multiplier, test_accuracy_mean/_sd,
        val_accuracy_mean/_sd (sd is the sample sd over seeds). `attrs` holds evidence_id, run_id,
        sweep_id, cost (the axis), seeds and expand_to. RuntimeError before the summary exists."""
        return evidence_arms_frame(*self._finished_summary())

    def comparisons(self) -> pandas.DataFrame:
        """One row per comparison (structure vs uniform; structure-expanded vs uniform-expanded when
        expanded): difference of mean test accuracy, low and high of its Welch t interval, level,
        degrees_of_freedom and winner. RuntimeError before the summary exists."""
        return evidence_comparisons_frame(*self._finished_summary())
