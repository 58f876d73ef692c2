"""pandas DataFrames of fronts, curves, layer widths and evidence (pandas comes with `morphsweep[frames]`)."""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .models import CurvePoint, Evidence, EvidenceSummary, Front, LayerWidth, RunDetail

if TYPE_CHECKING:
    import pandas

#: Per-layer alive widths are columns named WIDTH_PREFIX + layer name: front.filter(like="width.").
WIDTH_PREFIX = "width."
FRONT_COLUMNS = ["run_id", "pareto", "strength", "threshold", "seed", "cost", "accuracy"]
DETAIL_COLUMNS = ["flops", "model_size", "latency_ns", "test_accuracy"]


def _require_pandas() -> None:
    if importlib.util.find_spec("pandas") is None:
        raise ImportError("DataFrames need pandas: pip install 'morphsweep[frames]' (or pip install pandas)")


def front_frame(front: Front, runs: Mapping[str, RunDetail] | None) -> pandas.DataFrame:
    """One row per completed run, Pareto points and dominated ones, by ascending cost.

    `cost` is on the front's axis and `accuracy` is validation accuracy, as the API ranks them; with
    `runs` (each point's run detail) also every cost axis, test accuracy and one `width.<layer>`
    column per regularized layer (alive output channels). `frame.attrs` holds `sweep_id`, `cost`
    (the axis) and `seed_network` ({cost, accuracy} of the full-width network, or None).
    """
    rows: list[dict[str, Any]] = []
    width_columns: dict[str, None] = {}
    for pareto, points in ((True, front.pareto), (False, front.dominated)):
        for point in points:
            row: dict[str, Any] = {
                "run_id": point.run_id,
                "pareto": pareto,
                "strength": point.strength,
                "threshold": point.threshold,
                "seed": point.seed,
                "cost": point.cost,
                "accuracy": point.accuracy,
            }
            if runs is not None:
                run = runs[point.run_id]
                row.update(
                    flops=run.costs.flops,
                    model_size=run.costs.model_size,
                    latency_ns=run.costs.latency_ns,
                    test_accuracy=run.test_accuracy,
                )
                for layer in run.layers or []:
                    width_columns[WIDTH_PREFIX + layer.name] = None
                    row[WIDTH_PREFIX + layer.name] = layer.alive
            rows.append(row)
    columns = FRONT_COLUMNS + (DETAIL_COLUMNS + list(width_columns) if runs is not None else [])
    _require_pandas()
    import pandas as pd

    # Stated dtypes, so that an empty front still filters (an object-dtype `pareto` would select columns).
    numeric = [*FRONT_COLUMNS[2:], *(DETAIL_COLUMNS if runs is not None else [])]
    dtypes: dict[str, str] = {**{column: "float64" for column in numeric}, "pareto": "bool", "seed": "int64"}
    frame = pd.DataFrame(rows, columns=columns).astype(dtypes)
    frame = frame.sort_values(["cost", "accuracy"], ascending=[True, False], kind="stable").reset_index(drop=True)
    frame.attrs.update(
        sweep_id=front.sweep_id,
        cost=front.cost,
        seed_network=None if front.seed_network is None else front.seed_network.model_dump(),
    )
    return frame


def curve_frame(curve: list[CurvePoint]) -> pandas.DataFrame:
    """Training curve by step: task_loss, reg_loss, cost, val_accuracy (None between evaluations)."""
    columns = ["step", "task_loss", "reg_loss", "cost", "val_accuracy"]
    _require_pandas()
    import pandas as pd

    return pd.DataFrame([point.model_dump() for point in curve], columns=columns)


def layers_frame(layers: list[LayerWidth]) -> pandas.DataFrame:
    """Per regularized layer: kind, alive output channels, the seed network's width, fixed by the task."""
    columns = ["name", "kind", "alive", "seed", "fixed"]
    _require_pandas()
    import pandas as pd

    return pd.DataFrame([layer.model_dump() for layer in layers], columns=columns)


EVIDENCE_ARM_COLUMNS = [
    "arm",
    "count",
    "cost",
    "width_multiplier",
    "test_accuracy_mean",
    "test_accuracy_sd",
    "val_accuracy_mean",
    "val_accuracy_sd",
]
COMPARISON_COLUMNS = ["structure_arm", "baseline_arm", "difference", "low", "high", "level", "degrees_of_freedom", "winner"]


def _evidence_attrs(evidence: Evidence) -> dict[str, Any]:
    return {
        "evidence_id": evidence.id,
        "run_id": evidence.run_id,
        "sweep_id": evidence.sweep_id,
        "cost": evidence.cost_axis,
        "seeds": evidence.seeds,
        "expand_to": evidence.expand_to,
    }


def evidence_arms_frame(evidence: Evidence, summary: EvidenceSummary) -> pandas.DataFrame:
    """Per arm (structure, uniform, and the expanded pair when asked for): retrains that finished,
    the network's `cost` on the sweep's axis, its width multiplier (of the structure, or of the seed
    network for the uniform arms), and mean and sample sd of test and validation accuracy over seeds."""
    rows = [
        {
            "arm": arm.arm,
            "count": arm.count,
            "cost": arm.cost,
            "width_multiplier": arm.width_multiplier,
            "test_accuracy_mean": arm.test_accuracy.mean,
            "test_accuracy_sd": arm.test_accuracy.sd,
            "val_accuracy_mean": arm.val_accuracy.mean,
            "val_accuracy_sd": arm.val_accuracy.sd,
        }
        for arm in summary.arms
    ]
    _require_pandas()
    import pandas as pd

    frame = pd.DataFrame(rows, columns=EVIDENCE_ARM_COLUMNS).astype({column: "float64" for column in EVIDENCE_ARM_COLUMNS[2:]} | {"count": "int64"})
    frame.attrs.update(_evidence_attrs(evidence))
    return frame


def evidence_comparisons_frame(evidence: Evidence, summary: EvidenceSummary) -> pandas.DataFrame:
    """Per comparison: mean test accuracy of the structure arm minus the baseline's (`difference`),
    its Welch t interval (`low`, `high` at `level`, `degrees_of_freedom`) and the `winner`:
    `structure` or `uniform` only when the whole interval is on one side of zero, else `undecided`."""
    rows = [
        {
            "structure_arm": comparison.structure_arm,
            "baseline_arm": comparison.baseline_arm,
            "difference": comparison.interval.difference,
            "low": comparison.interval.low,
            "high": comparison.interval.high,
            "level": comparison.interval.level,
            "degrees_of_freedom": comparison.interval.degrees_of_freedom,
            "winner": comparison.winner,
        }
        for comparison in summary.comparisons
    ]
    _require_pandas()
    import pandas as pd

    frame = pd.DataFrame(rows, columns=COMPARISON_COLUMNS).astype({column: "float64" for column in COMPARISON_COLUMNS[2:7]})
    frame.attrs.update(_evidence_attrs(evidence))
    return frame
