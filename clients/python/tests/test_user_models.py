"""Uploading the user's own TF.js Layers model.json, sweeping it, and the problems of one that cannot be swept."""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

import morphsweep

from .conftest import ONE_RUN, WAIT_TIMEOUT_S


def _layer(class_name: str, **config: Any) -> dict[str, Any]:
    return {"class_name": class_name, "config": config}


#: Written by hand as TF.js model.toJSON() writes a Sequential model (defaults left out): conv ->
#: batch norm -> ReLU -> global average pooling -> softmax dense, on the tiny dataset's 8x8x1 images.
TOPOLOGY: dict[str, Any] = {
    "class_name": "Sequential",
    "config": {
        "name": "hand_written",
        "layers": [
            _layer("Conv2D", name="conv", filters=6, kernel_size=[3, 3], padding="same", use_bias=False, batch_input_shape=[None, 8, 8, 1]),
            _layer("BatchNormalization", name="bn"),
            _layer("ReLU", name="relu"),
            _layer("GlobalAveragePooling2D", name="pool"),
            _layer("Dense", name="classes", units=3, activation="softmax"),
        ],
    },
    "keras_version": "tfjs-layers 4.22.0",
    "backend": "tensor_flow.js",
}
#: In the order TF.js saves them; two shard files, to check they are concatenated in manifest order.
WEIGHT_SPECS = [
    ("conv/kernel", [3, 3, 1, 6]),
    ("bn/gamma", [6]),
    ("bn/beta", [6]),
    ("classes/kernel", [6, 3]),
    ("classes/bias", [3]),
    ("bn/moving_mean", [6]),
    ("bn/moving_variance", [6]),
]
PARAMS = sum(math.prod(shape) for _, shape in WEIGHT_SPECS)


def _weights() -> bytes:
    rng = np.random.default_rng(0)
    arrays = [rng.normal(0.0, 0.3, size=shape).astype(np.float32) for _, shape in WEIGHT_SPECS]
    arrays[-1] = np.abs(arrays[-1]) + np.float32(1.0)  # a variance is positive
    return b"".join(array.tobytes() for array in arrays)


def _model_json(shards: list[str]) -> dict[str, Any]:
    specs = [{"name": name, "shape": shape, "dtype": "float32"} for name, shape in WEIGHT_SPECS]
    return {"format": "layers-model", "generatedBy": "pytest", "convertedBy": None, "modelTopology": TOPOLOGY, "weightsManifest": [{"paths": shards, "weights": specs}]}


@pytest.fixture()
def model_dir(tmp_path: Path) -> Path:
    """model.json and its weights split over two shard files, as tensorflowjs_converter writes them."""
    weights = _weights()
    middle = len(weights) // 2
    (tmp_path / "group1-shard1of2.bin").write_bytes(weights[:middle])
    (tmp_path / "group1-shard2of2.bin").write_bytes(weights[middle:])
    (tmp_path / "model.json").write_text(json.dumps(_model_json(["group1-shard1of2.bin", "group1-shard2of2.bin"])))
    return tmp_path


def test_upload_a_model_json_with_its_weight_files(client: morphsweep.Client, model_dir: Path) -> None:
    uploaded = client.upload_model(model_dir / "model.json")
    assert uploaded.model_id.startswith("sha256:")
    summary = uploaded.summary
    assert (summary.name, summary.layers, summary.params, summary.output_width, summary.output_softmax, summary.has_weights) == (
        "hand_written",
        5,
        PARAMS,
        3,
        True,
        True,
    )
    assert summary.input_shape == [8, 8, 1]
    assert summary.prunable_layers == ["conv"], "the output dense's width is the number of classes"
    assert uploaded.warnings == []

    # The same model as a dict with its weights in one piece: the same content, so the same id.
    again = client.upload_model(_model_json(["weights.bin"]), weights=_weights())
    assert (again.model_id, again.created) == (uploaded.model_id, False), "the shards were sent in manifest order"
    stored = client.model(uploaded.model_id)
    assert stored.summary == summary and stored.size_bytes is not None and stored.size_bytes > 4 * PARAMS

    topology_only = client.upload_model(model_dir / "model.json", weights=False)
    assert topology_only.model_id != uploaded.model_id and topology_only.summary.has_weights is False


def test_an_uploaded_model_is_swept_by_its_id(client: morphsweep.Client, make_config: Callable[..., dict[str, Any]], model_dir: Path) -> None:
    model_id = client.upload_model(model_dir / "model.json").model_id
    sweep = client.create_sweep(make_config(network={"model": model_id, "initialWeights": "stored"}, **ONE_RUN))
    detail = sweep.wait(progress=False, timeout=WAIT_TIMEOUT_S)
    assert detail.status == "completed", detail.error
    front = sweep.front()
    assert len(front) == 1
    assert list(front.filter(like="width.").columns) == ["width.conv", "width.classes"]
    assert front["width.classes"][0] == 3 and 1 <= front["width.conv"][0] <= 6


def test_a_missing_weight_file_is_named_before_anything_is_sent(client: morphsweep.Client, model_dir: Path, server_url: str, token: str) -> None:
    (model_dir / "group1-shard2of2.bin").unlink()
    requests: list[httpx.Request] = []
    counting = httpx.Client(event_hooks={"request": [requests.append]})
    with morphsweep.Client(server_url, token, http_client=counting) as watched:
        with pytest.raises(FileNotFoundError, match="group1-shard2of2.bin.*weights=False"):
            watched.upload_model(model_dir / "model.json")
    counting.close()
    assert requests == []


def test_a_model_that_cannot_be_swept_raises_every_problem(client: morphsweep.Client) -> None:
    topology = copy.deepcopy(TOPOLOGY)
    layers = topology["config"]["layers"]
    layers.insert(3, _layer("Lambda", name="python_code"))
    layers.insert(3, _layer("MyAttention", name="custom"))
    with pytest.raises(morphsweep.MorphSweepError) as raised:
        client.upload_model({"format": "layers-model", "modelTopology": topology})
    error = raised.value
    assert (error.status, error.code) == (422, "invalid_model")
    assert [(problem["layer"], problem["className"]) for problem in error.problems] == [("custom", "MyAttention"), ("python_code", "Lambda")]
    assert all("Conv2D" in problem["message"] for problem in error.problems), "each names the supported classes"
    assert str(error).count("Lambda layer holds Python code") == 1, "the problems are not repeated under the message"

    with pytest.raises(morphsweep.MorphSweepError) as raised:
        client.upload_model({"format": "layers-model", "modelTopology": TOPOLOGY}, weights=b"\0" * 12)
    assert (raised.value.status, raised.value.code) == (422, "invalid_model")
    assert raised.value.problems and "weight" in str(raised.value).lower()
