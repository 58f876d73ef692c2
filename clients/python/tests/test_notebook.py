"""docs/notebooks/quickstart.ipynb, executed by nbclient in a real kernel against the real server.

The tiny sweep config replaces the notebook's parameters in a cell injected after the one tagged
`parameters` (as papermill does); everything else runs as committed. Cells are found by their tags.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

import morphsweep

REPOSITORY_ROOT = Path(__file__).resolve().parents[3]
NOTEBOOK = REPOSITORY_ROOT / "docs" / "notebooks" / "quickstart.ipynb"
KERNEL_NAME = "morphsweep-test"
CELL_TIMEOUT_S = 180


def _tagged(notebook: Any) -> dict[str, Any]:
    return {tag: cell for cell in notebook.cells for tag in cell.get("metadata", {}).get("tags", [])}


def _text(cell: Any, output_type: str, mime: str = "text/plain") -> str:
    """The concatenated `mime` data (or stream text) of the cell's outputs of one type."""
    texts = []
    for output in cell.outputs:
        if output.output_type != output_type:
            continue
        texts.append(output.text if output_type == "stream" else output.data.get(mime, ""))
    return "".join(texts)


def test_the_committed_notebook_has_no_outputs() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code_cells and all(cell.outputs == [] and cell.execution_count is None for cell in code_cells), (
        "strip the outputs before committing (Jupyter: Edit > Clear Outputs of All Cells)"
    )


def test_the_notebook_s_own_parameters_make_a_valid_config() -> None:
    """The committed parameters (not the injected ones) fit the config schema of the served models."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    cells = _tagged(notebook)
    namespace: dict[str, Any] = {}
    exec(cells["parameters"].source, namespace)
    launch = cells["launch"].source
    config_literal = launch[launch.index("{") : launch.rindex("}") + 1]
    config = eval(config_literal, namespace)
    parsed = morphsweep.models.SweepConfig.model_validate(config)
    assert parsed.dataset == "fashion-mnist" and parsed.regularizer.algorithm == "logistic-sigmoid"


def test_the_quickstart_notebook_sweeps_plots_picks_and_retrains(
    tiny_config: dict[str, Any], client: morphsweep.Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    position = next(index for index, cell in enumerate(notebook.cells) if "parameters" in cell.metadata.get("tags", []))
    parameters = {
        "DATASET": tiny_config["dataset"],
        "VALIDATION_FRACTION": tiny_config["validationFraction"],
        "NETWORK": tiny_config["network"],
        "REGULARIZER": tiny_config["regularizer"],
        "STRENGTHS": tiny_config["strengths"],
        "THRESHOLDS": tiny_config["thresholds"],
        "TRAINING": tiny_config["training"],
        "EVIDENCE_SEEDS": 2,
    }
    injected = nbformat.v4.new_code_cell("\n".join(f"{name} = {value!r}" for name, value in parameters.items()))
    injected.metadata["tags"] = ["injected-parameters"]
    notebook.cells.insert(position + 1, injected)

    # A kernel spec of this venv's Python, so no other installed "python3" kernel is picked up.
    kernel_dir = tmp_path / "jupyter" / "kernels" / KERNEL_NAME
    kernel_dir.mkdir(parents=True)
    kernel_spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"], "display_name": KERNEL_NAME, "language": "python"}
    (kernel_dir / "kernel.json").write_text(json.dumps(kernel_spec))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    # matplotlib builds its font cache once per config folder: keep one across runs.
    monkeypatch.setenv("MPLCONFIGDIR", str(REPOSITORY_ROOT / ".morphsweep" / "matplotlib"))
    NotebookClient(notebook, kernel_name=KERNEL_NAME, timeout=CELL_TIMEOUT_S, resources={"metadata": {"path": str(tmp_path)}}).execute()
    cells = _tagged(notebook)

    assert "Health(ok=True, auth_required=True)" in _text(cells["connect"], "execute_result")
    launched = re.fullmatch(r"Sweep\('([^']+)'\)", _text(cells["launch"], "execute_result"))
    assert launched, cells["launch"].outputs
    sweep = client.sweep(launched.group(1))
    detail = sweep.get()
    assert (detail.name, detail.tags, detail.config["dataset"]) == ("quickstart", ["quickstart"], tiny_config["dataset"])
    runs = detail.runs.total

    # The live table, as its last redraw left it, and the status printed after it.
    table = _text(cells["watch"], "display_data")
    assert f"sweep {sweep.id}: completed, {runs} completed, 0 running, 0 pending of {runs} runs" in table
    assert table.count("): completed, step 8/8") == runs
    assert "<progress" in _text(cells["watch"], "display_data", "text/html")
    assert _text(cells["watch"], "stream").startswith(f"completed total={runs} pending=0 running=0 completed={runs}")

    front = sweep.front_points(cost="flops")
    front_html = _text(cells["front"], "execute_result", "text/html")
    assert all(name in front_html for name in ("run_id", "pareto", "flops", "accuracy", "width.conv1"))
    assert all(point.run_id in front_html for point in front.pareto + front.dominated)
    assert front_html.split("<tbody>")[1].count("<tr>") == len(front.pareto) + len(front.dominated)
    assert _text(cells["plot"], "display_data", "image/png"), "the front is plotted"

    # The chosen run: the most accurate Pareto point under the budget, else the cheapest.
    seed_flops = detail.seed_cost.flops if detail.seed_cost else None
    assert seed_flops
    budget = 0.5 * seed_flops
    under = [point for point in front.pareto if point.cost <= budget]
    expected = max(under, key=lambda point: point.accuracy) if under else front.pareto[0]
    assert _text(cells["choose"], "stream").startswith(f"run {expected.run_id}: strength ")
    assert "conv1" in _text(cells["choose"], "execute_result", "text/html")
    structure = client.run(expected.run_id).structure(format="morphnet")
    assert ast.literal_eval(_text(cells["structure"], "execute_result")) == structure

    retrained = _text(cells["retrain"], "stream")
    assert retrained.startswith("completed: "), retrained
    (retrain,) = client.run(expected.run_id).get().retrains
    assert retrain.status == "completed" and retrain.target_cost == budget
    assert retrain.costs.flops is not None and retrain.costs.flops <= budget
    assert f"{retrain.costs.flops:.4g} FLOPs" in retrained

    # The evidence cell: its live table ended on the verdict, then the arms and the comparison as tables.
    (evidence,) = sweep.evidence()
    final = evidence.get()
    assert (final.run_id, final.seeds, final.status) == (expected.run_id, 2, "completed")
    live = _text(cells["evidence"], "display_data")
    assert f"evidence {evidence.id}: completed, 4 of 4 arm retrains finished" in live
    displayed_html = _text(cells["evidence"], "display_data", "text/html")
    assert "structure - uniform test accuracy: " in live and "<progress" in displayed_html
    assert all(name in displayed_html for name in ("test_accuracy_mean", "width_multiplier")), "the arms' frame is shown"
    comparison_html = _text(cells["evidence"], "execute_result", "text/html")
    assert final.summary is not None
    (comparison,) = final.summary.comparisons
    assert all(name in comparison_html for name in ("difference", "low", "high", "winner", comparison.winner))
