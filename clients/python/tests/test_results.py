"""The front as a DataFrame, the seed network, structures and retraining, checked against the raw API."""

from __future__ import annotations

import json
import math
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

import morphsweep
from morphsweep.frames import WIDTH_PREFIX
from morphsweep.sweep import CostKind

from .conftest import WAIT_TIMEOUT_S


@pytest.fixture(scope="session")
def raw(server_url: str, token: str) -> httpx.Client:
    """Plain HTTP, to compare the client's answers with the JSON the server sends."""
    return httpx.Client(base_url=server_url, headers={"authorization": f"Bearer {token}"}, timeout=30)


@pytest.mark.parametrize("cost", ["flops", "model-size"])
def test_front_frame_equals_the_api_json(finished_sweep: morphsweep.Sweep, raw: httpx.Client, cost: CostKind) -> None:
    front_json = raw.get(f"/api/sweeps/{finished_sweep.id}/front", params={"cost": cost}).json()
    frame = finished_sweep.front(cost=cost)
    points = [(point, True) for point in front_json["pareto"]] + [(point, False) for point in front_json["dominated"]]
    assert len(frame) == len(points) == 4
    assert list(frame.cost) == sorted(frame.cost), "rows by ascending cost"
    assert frame.attrs == {"sweep_id": finished_sweep.id, "cost": cost, "seed_network": front_json["seedNetwork"]}
    by_run = frame.set_index("run_id")
    for point, pareto in points:
        row = by_run.loc[point["runId"]]
        run_json = raw.get(f"/api/runs/{point['runId']}").json()
        expected = {
            "pareto": pareto,
            "strength": point["strength"],
            "threshold": point["threshold"],
            "seed": point["seed"],
            "cost": point["cost"],
            "accuracy": point["accuracy"],
            "flops": run_json["costs"]["flops"],
            "model_size": run_json["costs"]["modelSize"],
            "latency_ns": run_json["costs"]["latencyNs"],
            "test_accuracy": run_json["testAccuracy"],
            **{WIDTH_PREFIX + layer["name"]: layer["alive"] for layer in run_json["layers"]},
        }
        actual = {column: row[column].item() if hasattr(row[column], "item") else row[column] for column in expected}
        assert actual == expected
        assert len(frame.columns) == 1 + len(expected), "no column beyond the API's fields"
    axis_column = {"flops": "flops", "model-size": "model_size"}[cost]
    assert list(frame.cost) == list(frame[axis_column])
    assert frame.pareto.sum() == len(front_json["pareto"])


def test_front_without_run_details_is_the_front_json_alone(finished_sweep: morphsweep.Sweep) -> None:
    frame = finished_sweep.front(run_details=False)
    assert list(frame.columns) == ["run_id", "pareto", "strength", "threshold", "seed", "cost", "accuracy"]
    assert frame.attrs["cost"] == "flops", "the sweep's own axis by default"
    front = finished_sweep.front_points()
    assert set(frame.run_id) == {point.run_id for point in front.pareto + front.dominated}


def test_seed_network(finished_sweep: morphsweep.Sweep, raw: httpx.Client) -> None:
    sweep_json = raw.get(f"/api/sweeps/{finished_sweep.id}").json()
    best_run_json = raw.get(f"/api/runs/{sweep_json['best']['runId']}").json()
    seed = finished_sweep.seed
    assert (seed.flops, seed.model_size, seed.latency_ns) == (
        sweep_json["seedCost"]["flops"],
        sweep_json["seedCost"]["modelSize"],
        sweep_json["seedCost"]["latencyNs"],
    )
    assert seed.accuracy == sweep_json["seedAccuracy"]
    assert seed.widths == {layer["name"]: layer["seed"] for layer in best_run_json["layers"]}
    assert seed.cost("flops") == seed.flops and seed.flops is not None and seed.flops > 0


def test_run_structure_curve_and_layers(client: morphsweep.Client, finished_sweep: morphsweep.Sweep, raw: httpx.Client) -> None:
    run_id = finished_sweep.front(run_details=False).run_id[0]
    run = client.run(run_id)
    assert run.structure(format="morphnet") == raw.get(f"/api/runs/{run_id}/structure", params={"format": "morphnet"}).json()
    assert run.structure() == raw.get(f"/api/runs/{run_id}/structure").json()
    run_json = raw.get(f"/api/runs/{run_id}").json()
    layers = run.layers()
    assert layers.to_dict(orient="records") == run_json["layers"]
    curve = run.curve()
    assert list(curve.step) == [point["step"] for point in run_json["curve"]]
    assert list(curve.task_loss) == [point["taskLoss"] for point in run_json["curve"]]


def test_retrain_by_width_multiplier_and_to_a_target_cost(client: morphsweep.Client, finished_sweep: morphsweep.Sweep) -> None:
    point = finished_sweep.front().iloc[0]
    run = client.run(point.run_id)
    wider = run.retrain(width_multiplier=1.5)
    target_flops = 0.6 * point.flops
    budget = run.retrain(target_cost=target_flops)
    wider_result = wider.wait(progress=False, timeout=WAIT_TIMEOUT_S)
    budget_result = budget.wait(progress=False, timeout=WAIT_TIMEOUT_S)
    assert wider_result.status == "completed", wider_result.error
    assert budget_result.status == "completed", budget_result.error
    assert wider_result.width_multiplier == 1.5
    assert wider_result.costs.flops is not None and wider_result.costs.flops > point.flops
    assert budget_result.costs.flops is not None and budget_result.costs.flops <= target_flops
    assert budget_result.target_cost == target_flops
    assert budget_result.val_accuracy is not None and budget_result.test_accuracy is not None
    assert client.retrain(wider.id).get() == wider_result
    assert {retrain.id for retrain in run.get().retrains} >= {wider.id, budget.id}


def test_retrain_retried_with_its_key_returns_the_same_retrain(client: morphsweep.Client, finished_sweep: morphsweep.Sweep) -> None:
    run = client.run(finished_sweep.front(run_details=False).run_id[0])
    key = str(uuid.uuid4())
    first = run.retrain(width_multiplier=1.25, idempotency_key=key)
    again = run.retrain(width_multiplier=1.25, idempotency_key=key)
    assert (first.created, again.created) == (True, False)
    assert again.id == first.id
    assert [retrain.id for retrain in run.get().retrains].count(first.id) == 1
    with pytest.raises(morphsweep.MorphSweepError) as raised:
        run.retrain(width_multiplier=1.5, idempotency_key=key)
    assert (raised.value.status, raised.value.code, raised.value.details) == (409, "idempotency_key_reused", {"retrainId": first.id})
    assert first.wait(progress=False, timeout=WAIT_TIMEOUT_S).status == "completed"


def test_download_model_writes_a_layers_model_of_the_retrained_structure(client: morphsweep.Client, finished_sweep: morphsweep.Sweep, tmp_path: Path) -> None:
    run = client.run(finished_sweep.front(run_details=False).run_id[0])
    retrain = run.retrain()
    with pytest.raises(morphsweep.MorphSweepError) as raised:
        retrain.download_model(tmp_path / "early")
    assert (raised.value.status, raised.value.code) == (409, "model_not_ready")
    assert not (tmp_path / "early").exists(), "nothing is written before both files arrived"
    assert retrain.wait(progress=False, timeout=WAIT_TIMEOUT_S).status == "completed"

    path = retrain.download_model(tmp_path / "model")
    assert path == tmp_path / "model" / "model.json"
    assert sorted(file.name for file in path.parent.iterdir()) == ["model.json", "weights.bin"]
    model_json = json.loads(path.read_text())
    assert model_json["format"] == "layers-model"
    [group] = model_json["weightsManifest"]
    assert group["paths"] == ["weights.bin"], "tf.loadLayersModel finds the weights beside model.json"
    assert {spec["dtype"] for spec in group["weights"]} == {"float32"}
    weights = (path.parent / "weights.bin").read_bytes()
    assert len(weights) == 4 * sum(math.prod(spec["shape"]) for spec in group["weights"])
    # The network is the learned structure: each regularized layer's kernel has its alive width.
    kernels = {spec["name"].removesuffix("/kernel"): spec["shape"] for spec in group["weights"] if spec["name"].endswith("/kernel")}
    for layer in run.get().layers or []:
        assert kernels[layer.name][-1] == layer.alive, layer.name
    topology_names = {layer["config"]["name"] for layer in model_json["modelTopology"]["config"]["layers"]}
    assert set(kernels) <= topology_names

    with pytest.raises(FileExistsError):
        retrain.download_model(tmp_path / "model")
    assert retrain.download_model(tmp_path / "model", overwrite=True) == path
    assert (path.parent / "weights.bin").read_bytes() == weights
