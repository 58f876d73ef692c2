"""Live progress of a sweep (per run), of a retrain and of an evidence run (per arm), in a notebook
or a terminal.

`progress=True` picks the display for where the code runs: a table updated in place in a Jupyter
cell (plain IPython display, no widgets needed), tqdm bars in a terminal when tqdm is installed
(`pip install morphsweep[frames]`), else one printed line per change. `progress=False` shows nothing;
a callable receives every event instead.
"""

from __future__ import annotations

import html
import importlib
import sys
import time
from collections.abc import Callable
from typing import Any, Protocol, TextIO

from ._events import SweepEvent
from .models import Arm1, Costs, Evidence, ProgressEvent, RunEvent

TERMINAL_RUN_STATUSES = frozenset({"completed", "failed", "cancelled"})
#: Redraw a notebook table at most this often (a status change always redraws).
NOTEBOOK_REDRAW_INTERVAL_S = 0.3

ProgressOption = bool | Callable[[SweepEvent], None]
EvidenceProgressOption = bool | Callable[[Evidence], None]


class Display(Protocol):
    def update(self, event: SweepEvent) -> None: ...
    def close(self) -> None: ...


def in_notebook() -> bool:
    """True inside a Jupyter kernel (not a terminal IPython, where text output is better)."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _tqdm_class() -> Any | None:
    try:
        return importlib.import_module("tqdm").tqdm
    except ImportError:
        return None


def _format_number(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}g}"


def _format_costs(costs: Costs) -> str:
    parts = [f"{name} {_format_number(value)}" for name, value in (("flops", costs.flops), ("size", costs.model_size), ("latency ns", costs.latency_ns)) if value is not None]
    return ", ".join(parts)


class SweepBoard:
    """What is known of a sweep from its events: every run's latest state and the counts."""

    def __init__(self, sweep_id: str) -> None:
        self.sweep_id = sweep_id
        self.runs: dict[str, RunEvent] = {}
        self.progress: ProgressEvent | None = None

    def apply(self, event: SweepEvent) -> RunEvent | None:
        """Records the event; returns the run's previous state when a run event changed its status."""
        if isinstance(event, ProgressEvent):
            self.progress = event
            return None
        previous = self.runs.get(event.run_id)
        self.runs[event.run_id] = event
        return previous

    def ordered_runs(self) -> list[RunEvent]:
        return sorted(self.runs.values(), key=lambda run: (run.strength, run.threshold, run.run_id))

    def runs_done(self) -> float:
        """Finished runs plus the finished fraction of each running one."""
        return sum(
            1.0 if run.status in TERMINAL_RUN_STATUSES else (run.step / run.total_steps if run.total_steps else 0.0)
            for run in self.runs.values()
        )

    def total_runs(self) -> int:
        return self.progress.runs.total if self.progress else len(self.runs)

    def headline(self) -> str:
        if self.progress is None:
            return f"sweep {self.sweep_id}: connecting"
        counts = self.progress.runs
        parts = [f"{counts.completed} completed", f"{counts.running} running", f"{counts.pending} pending"]
        parts += [f"{count} {name}" for name, count in (("failed", counts.failed), ("cancelled", counts.cancelled)) if count]
        return f"sweep {self.sweep_id}: {self.progress.status}, {', '.join(parts)} of {counts.total} runs"

    def run_line(self, run: RunEvent) -> str:
        accuracy = "" if run.val_accuracy is None else f", val accuracy {run.val_accuracy:.3f}"
        costs = _format_costs(run.costs)
        return (
            f"run {run.run_id} (strength {run.strength:.3g}, threshold {run.threshold:g}): {run.status}, "
            f"step {run.step}/{run.total_steps}{accuracy}{', ' + costs if costs else ''}"
        )

    def text(self) -> str:
        return "\n".join([self.headline(), *(f"  {self.run_line(run)}" for run in self.ordered_runs())])

    def html(self) -> str:
        rows = []
        for run in self.ordered_runs():
            bar = f'<progress value="{run.step}" max="{max(run.total_steps, 1)}"></progress>'
            cells = [
                html.escape(run.run_id),
                f"{run.strength:.3g}",
                f"{run.threshold:g}",
                html.escape(run.status),
                f"{bar} {run.step}/{run.total_steps}",
                _format_number(run.costs.flops),
                _format_number(run.costs.model_size),
                _format_number(run.val_accuracy),
            ]
            rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
        header = "".join(f"<th>{name}</th>" for name in ("run", "strength", "threshold", "status", "step", "FLOPs", "size", "val accuracy"))
        return (
            f"<div><b>{html.escape(self.headline())}</b>"
            f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        )


class NotebookSweepDisplay:
    """One output area, redrawn in place: a headline and a row per run with its step bar."""

    def __init__(self, board: SweepBoard) -> None:
        self._board = board
        self._ipython_display = importlib.import_module("IPython.display")
        self._handle: Any = self._ipython_display.display(self._bundle(), raw=True, display_id=True)
        self._drawn_at = time.monotonic()

    def _bundle(self) -> dict[str, str]:
        return {"text/plain": self._board.text(), "text/html": self._board.html()}

    def update(self, event: SweepEvent) -> None:
        previous = self._board.apply(event)
        status_changed = isinstance(event, ProgressEvent) or previous is None or previous.status != event.status
        if status_changed or time.monotonic() - self._drawn_at >= NOTEBOOK_REDRAW_INTERVAL_S:
            self._redraw()

    def _redraw(self) -> None:
        self._handle.update(self._bundle(), raw=True)
        self._drawn_at = time.monotonic()

    def close(self) -> None:
        self._redraw()


class TerminalSweepDisplay:
    """A tqdm bar in runs (fractional while runs train) with the running runs' steps beside it, and
    a printed line per finished run."""

    def __init__(self, board: SweepBoard, tqdm: Any, stream: TextIO) -> None:
        self._board = board
        self._tqdm = tqdm
        self._stream = stream
        #: Made at the first count of runs, so that it never shows a total of 0.
        self._bar: Any = None

    def update(self, event: SweepEvent) -> None:
        previous = self._board.apply(event)
        if isinstance(event, RunEvent) and event.status in TERMINAL_RUN_STATUSES and (previous is None or previous.status != event.status):
            self._tqdm.write(self._board.run_line(event), file=self._stream)
        if self._bar is None:
            if self._board.progress is None:
                return
            bar_format = "{l_bar}{bar}| {n:.1f}/{total} runs [{elapsed}] {postfix}"
            self._bar = self._tqdm(total=self._board.total_runs(), unit="run", desc=f"sweep {self._board.sweep_id}", file=self._stream, bar_format=bar_format)
        self._bar.total = self._board.total_runs()
        self._bar.n = round(self._board.runs_done(), 2)
        running = [run for run in self._board.ordered_runs() if run.status == "running"]
        # Runs are named by their grid point here: ids are long, and the printed lines carry them.
        running_steps = (f"strength {run.strength:.2g} threshold {run.threshold:g}: {run.step}/{run.total_steps}" for run in running[:3])
        self._bar.set_postfix_str(", ".join(running_steps), refresh=False)
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        print(self._board.headline(), file=self._stream)


class LineSweepDisplay:
    """One line per change of a run's status and of the counts: for logs and terminals without tqdm."""

    def __init__(self, board: SweepBoard, stream: TextIO) -> None:
        self._board = board
        self._stream = stream
        self._last_headline = ""

    def update(self, event: SweepEvent) -> None:
        previous = self._board.apply(event)
        if isinstance(event, RunEvent):
            if previous is None or previous.status != event.status:
                print(self._board.run_line(event), file=self._stream, flush=True)
            return
        headline = self._board.headline()
        if headline != self._last_headline:
            self._last_headline = headline
            print(headline, file=self._stream, flush=True)

    def close(self) -> None:
        pass


class CallbackDisplay:
    def __init__(self, callback: Callable[[SweepEvent], None]) -> None:
        self._callback = callback

    def update(self, event: SweepEvent) -> None:
        self._callback(event)

    def close(self) -> None:
        pass


class NoDisplay:
    def update(self, event: SweepEvent) -> None:
        pass

    def close(self) -> None:
        pass


def sweep_display(progress: ProgressOption, sweep_id: str, stream: TextIO | None = None) -> Display:
    if progress is False:
        return NoDisplay()
    if progress is not True:
        return CallbackDisplay(progress)
    board = SweepBoard(sweep_id)
    if in_notebook():
        return NotebookSweepDisplay(board)
    tqdm = _tqdm_class()
    out = stream or sys.stderr
    return TerminalSweepDisplay(board, tqdm, out) if tqdm is not None else LineSweepDisplay(board, out)


class StepDisplay(Protocol):
    def update(self, status: str, step: int, total_steps: int, detail: str) -> None: ...
    def close(self) -> None: ...


class NotebookStepDisplay:
    def __init__(self, label: str) -> None:
        self._label = label
        self._handle: Any = importlib.import_module("IPython.display").display(self._bundle("pending", 0, 0, ""), raw=True, display_id=True)

    def _bundle(self, status: str, step: int, total_steps: int, detail: str) -> dict[str, str]:
        line = f"{self._label}: {status}, step {step}/{total_steps}{'; ' + detail if detail else ''}"
        bar = f'<progress value="{step}" max="{max(total_steps, 1)}"></progress>'
        return {"text/plain": line, "text/html": f"<div>{bar} {html.escape(line)}</div>"}

    def update(self, status: str, step: int, total_steps: int, detail: str) -> None:
        self._handle.update(self._bundle(status, step, total_steps, detail), raw=True)

    def close(self) -> None:
        pass


class TerminalStepDisplay:
    def __init__(self, label: str, tqdm: Any, stream: TextIO) -> None:
        self._bar: Any = tqdm(total=0, unit="step", desc=label, file=stream)

    def update(self, status: str, step: int, total_steps: int, detail: str) -> None:
        self._bar.total = total_steps
        self._bar.n = step
        self._bar.set_postfix_str(f"{status}{'; ' + detail if detail else ''}", refresh=False)
        self._bar.refresh()

    def close(self) -> None:
        self._bar.close()


class LineStepDisplay:
    def __init__(self, label: str, stream: TextIO) -> None:
        self._label = label
        self._stream = stream
        self._last_status = ""

    def update(self, status: str, step: int, total_steps: int, detail: str) -> None:
        if status != self._last_status:
            self._last_status = status
            print(f"{self._label}: {status}, step {step}/{total_steps}{'; ' + detail if detail else ''}", file=self._stream, flush=True)

    def close(self) -> None:
        pass


class NoStepDisplay:
    def update(self, status: str, step: int, total_steps: int, detail: str) -> None:
        pass

    def close(self) -> None:
        pass


def step_display(progress: bool, label: str, stream: TextIO | None = None) -> StepDisplay:
    if not progress:
        return NoStepDisplay()
    if in_notebook():
        return NotebookStepDisplay(label)
    tqdm = _tqdm_class()
    out = stream or sys.stderr
    return TerminalStepDisplay(label, tqdm, out) if tqdm is not None else LineStepDisplay(label, out)



def evidence_headline(evidence: Evidence) -> str:
    if not evidence.arms:
        return f"evidence {evidence.id}: {evidence.status}, arms not started yet" + (f"; {evidence.error}" if evidence.error else "")
    finished = sum(arm.status in TERMINAL_RUN_STATUSES for arm in evidence.arms)
    failed = sum(arm.status == "failed" for arm in evidence.arms)
    counts = f"{finished} of {len(evidence.arms)} arm retrains finished" + (f", {failed} failed" if failed else "")
    return f"evidence {evidence.id}: {evidence.status}, {counts}" + (f"; {evidence.error}" if evidence.error else "")


def evidence_arm_line(arm: Arm1) -> str:
    width = "" if arm.width_multiplier is None else f" (width x{arm.width_multiplier:.3g})"
    accuracy = "" if arm.test_accuracy is None else f", test accuracy {arm.test_accuracy:.3f}"
    costs = _format_costs(arm.costs)
    return f"{arm.arm} seed {arm.seed}{width}: {arm.error or arm.status}, step {arm.step}/{arm.total_steps}{accuracy}{', ' + costs if costs else ''}"


def evidence_verdicts(evidence: Evidence) -> list[str]:
    """One line per comparison once the summary is in: the difference, its interval, the winner."""
    if evidence.summary is None:
        return []
    return [
        f"{c.structure_arm} - {c.baseline_arm} test accuracy: {c.interval.difference:+.3f} "
        f"[{c.interval.low:+.3f}, {c.interval.high:+.3f}] ({c.interval.level:.0%} interval): {c.winner}"
        for c in evidence.summary.comparisons
    ]


def _evidence_html(evidence: Evidence) -> str:
    rows = []
    for arm in evidence.arms:
        bar = f'<progress value="{arm.step}" max="{max(arm.total_steps, 1)}"></progress>'
        cells = [
            html.escape(arm.arm),
            str(arm.seed),
            _format_number(arm.width_multiplier),
            html.escape(arm.error or arm.status),
            f"{bar} {arm.step}/{arm.total_steps}",
            _format_number(arm.costs.flops),
            _format_number(arm.val_accuracy),
            _format_number(arm.test_accuracy),
        ]
        rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    header = "".join(f"<th>{name}</th>" for name in ("arm", "seed", "width x", "status", "step", "FLOPs", "val accuracy", "test accuracy"))
    verdicts = "".join(f"<div>{html.escape(line)}</div>" for line in evidence_verdicts(evidence))
    return (
        f"<div><b>{html.escape(evidence_headline(evidence))}</b>"
        f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>{verdicts}</div>"
    )


class EvidenceDisplay(Protocol):
    def update(self, evidence: Evidence) -> None: ...
    def close(self) -> None: ...


class NotebookEvidenceDisplay:
    """A table of every arm's retrain, redrawn in place at each poll, and the verdicts at the end."""

    def __init__(self) -> None:
        self._handle: Any = None

    def update(self, evidence: Evidence) -> None:
        text = "\n".join([evidence_headline(evidence), *(f"  {evidence_arm_line(arm)}" for arm in evidence.arms), *evidence_verdicts(evidence)])
        bundle = {"text/plain": text, "text/html": _evidence_html(evidence)}
        if self._handle is None:
            self._handle = importlib.import_module("IPython.display").display(bundle, raw=True, display_id=True)
        else:
            self._handle.update(bundle, raw=True)

    def close(self) -> None:
        pass


class TerminalEvidenceDisplay:
    """A tqdm bar in arm retrains (fractional while they train), a line per finished one, the verdicts."""

    def __init__(self, tqdm: Any, stream: TextIO) -> None:
        self._tqdm = tqdm
        self._stream = stream
        self._statuses: dict[str, str] = {}
        self._last: Evidence | None = None
        #: Made once the arms are known, so that it never shows a total of 0.
        self._bar: Any = None

    def update(self, evidence: Evidence) -> None:
        self._last = evidence
        for arm in evidence.arms:
            if arm.status in TERMINAL_RUN_STATUSES and self._statuses.get(arm.retrain_id) != arm.status:
                self._tqdm.write(evidence_arm_line(arm), file=self._stream)
            self._statuses[arm.retrain_id] = arm.status
        if self._bar is None:
            if not evidence.arms:
                return
            bar_format = "{l_bar}{bar}| {n:.1f}/{total} retrains [{elapsed}] {postfix}"
            self._bar = self._tqdm(total=len(evidence.arms), unit="retrain", desc=f"evidence {evidence.id}", file=self._stream, bar_format=bar_format)
        self._bar.total = len(evidence.arms)
        self._bar.n = round(_arms_done(evidence), 2)
        running = [f"{arm.arm} seed {arm.seed}: {arm.step}/{arm.total_steps}" for arm in evidence.arms if arm.status == "running"]
        self._bar.set_postfix_str(", ".join(running[:3]), refresh=False)
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        if self._last is not None:
            for line in [evidence_headline(self._last), *evidence_verdicts(self._last)]:
                print(line, file=self._stream)


class LineEvidenceDisplay:
    """One line per change of an arm's status and of the headline: for logs and terminals without tqdm."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._statuses: dict[str, str] = {}
        self._last_headline = ""
        self._last: Evidence | None = None

    def update(self, evidence: Evidence) -> None:
        self._last = evidence
        for arm in evidence.arms:
            if self._statuses.get(arm.retrain_id) != arm.status:
                self._statuses[arm.retrain_id] = arm.status
                print(evidence_arm_line(arm), file=self._stream, flush=True)
        headline = evidence_headline(evidence)
        if headline != self._last_headline:
            self._last_headline = headline
            print(headline, file=self._stream, flush=True)

    def close(self) -> None:
        if self._last is not None:
            for line in evidence_verdicts(self._last):
                print(line, file=self._stream, flush=True)


class CallbackEvidenceDisplay:
    def __init__(self, callback: Callable[[Evidence], None]) -> None:
        self._callback = callback

    def update(self, evidence: Evidence) -> None:
        self._callback(evidence)

    def close(self) -> None:
        pass


class NoEvidenceDisplay:
    def update(self, evidence: Evidence) -> None:
        pass

    def close(self) -> None:
        pass


def _arms_done(evidence: Evidence) -> float:
    return sum(
        1.0 if arm.status in TERMINAL_RUN_STATUSES else (arm.step / arm.total_steps if arm.total_steps else 0.0)
        for arm in evidence.arms
    )


def evidence_display(progress: EvidenceProgressOption, stream: TextIO | None = None) -> EvidenceDisplay:
    if progress is False:
        return NoEvidenceDisplay()
    if progress is not True:
        return CallbackEvidenceDisplay(progress)
    if in_notebook():
        return NotebookEvidenceDisplay()
    tqdm = _tqdm_class()
    out = stream or sys.stderr
    return TerminalEvidenceDisplay(tqdm, out) if tqdm is not None else LineEvidenceDisplay(out)
