from __future__ import annotations

from typing import Any


class MorphSweepError(Exception):
    """Every failure of a MorphSweep API call, with the server's error envelope.

    `status` is the HTTP status, or None when no answer came (the server could not be reached even
    after retries). `code` is the envelope's stable machine-readable code (`validation_failed`,
    `sweep_not_found`, ...; `http_error` for an answer without an envelope, e.g. from a proxy;
    `connection_failed` or `event_stream_lost` when no answer came). `details` is the envelope's
    details as sent: for `validation_failed`, `{"problems": [{"path", "message", "value"}, ...]}`
    listing every problem; for `invalid_model` (an uploaded model.json MorphSweep cannot sweep),
    `{"problems": [{"layer", "className", "message"}, ...]}`.
    """

    def __init__(self, status: int | None, code: str, message: str, details: Any = None) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        super().__init__(self._describe())

    @property
    def problems(self) -> list[dict[str, Any]]:
        """Every problem of a `validation_failed` or `invalid_model` answer (empty for other errors)."""
        if isinstance(self.details, dict):
            problems = self.details.get("problems")
            if isinstance(problems, list):
                return [problem for problem in problems if isinstance(problem, dict)]
        return []

    def _describe(self) -> str:
        where = f"HTTP {self.status} {self.code}" if self.status is not None else self.code
        lines = [f"{self.message} ({where})"]
        # Some messages list their problems already (invalid_model's does): those are not repeated.
        lines += [f"  {_where(problem)}: {problem.get('message')}" for problem in self.problems if str(problem.get("message")) not in self.message]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"MorphSweepError(status={self.status!r}, code={self.code!r}, message={self.message!r})"


def _where(problem: dict[str, Any]) -> str:
    """A field path, or a model's layer with its class; `(body)` or `(model)` for the whole."""
    if "path" in problem:
        return str(problem["path"] or "(body)")
    layer, class_name = problem.get("layer"), problem.get("className")
    if layer is None:
        return "(model)" if class_name is None else f"({class_name})"
    return str(layer) if class_name is None else f"{layer} ({class_name})"
