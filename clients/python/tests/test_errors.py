"""Every error the API answers arrives as one MorphSweepError with its status, code, message and details.

The 503 of an unreachable Temporal is in test_retries.py, beside the retries it gets."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import morphsweep

from .conftest import FAST_RETRY, LONG_TRAINING, ONE_RUN


def _raised(call: Callable[[], object]) -> morphsweep.MorphSweepError:
    with pytest.raises(morphsweep.MorphSweepError) as raised:
        call()
    error = raised.value
    assert error.message and str(error).startswith(error.message)
    return error


def test_400_invalid_json_cursor_and_idempotency_key(client: morphsweep.Client, make_config: Callable[..., dict[str, Any]]) -> None:
    error = _raised(lambda: client.request("POST", "/api/sweeps", content=b"{not json", headers={"content-type": "application/json"}))
    assert (error.status, error.code) == (400, "invalid_json")
    error = _raised(lambda: client.request("GET", "/api/sweeps", params={"cursor": "not-a-cursor"}))
    assert (error.status, error.code) == (400, "invalid_cursor")
    error = _raised(lambda: client.create_sweep(make_config(**ONE_RUN), idempotency_key="has spaces"))
    assert (error.status, error.code) == (400, "invalid_idempotency_key")


def test_401_for_a_missing_or_unknown_token(server_url: str) -> None:
    for token in ("", "mst_not-a-real-token"):
        with morphsweep.Client(server_url, token, retry=FAST_RETRY) as client:
            error = _raised(lambda: list(client.sweeps()))
            assert (error.status, error.code) == (401, "unauthorized")


def test_403_for_a_foreign_host_when_tokens_are_off(offline_url: str) -> None:
    with morphsweep.Client(offline_url, retry=FAST_RETRY) as client:
        assert client.health().auth_required is False
        error = _raised(lambda: client.request("GET", "/api/sweeps", headers={"host": "rebound.example"}))
        assert (error.status, error.code) == (403, "forbidden_host")


def test_404_for_unknown_ids_and_paths(client: morphsweep.Client, tmp_path: Path) -> None:
    missing = f"missing-{uuid.uuid4().hex[:6]}"
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: client.sweep(missing).get(), "sweep_not_found"),
        (lambda: client.sweep(missing).front(), "sweep_not_found"),
        (lambda: client.sweep(missing).cancel(), "sweep_not_found"),
        (lambda: client.sweep(missing).wait(progress=False), "sweep_not_found"),
        (lambda: client.run(missing).get(), "run_not_found"),
        (lambda: client.run(missing).structure(), "run_not_found"),
        (lambda: client.run(missing).retrain(), "run_not_found"),
        (lambda: client.retrain(missing).get(), "retrain_not_found"),
        (lambda: client.retrain(missing).download_model(tmp_path), "retrain_not_found"),
        (lambda: client.run(missing).evidence(), "run_not_found"),
        (lambda: client.evidence(missing).get(), "evidence_not_found"),
        (lambda: client.sweep(missing).evidence(), "sweep_not_found"),
        (lambda: client.model(missing), "model_not_found"),
        (lambda: client.request("GET", "/api/no-such-endpoint"), "endpoint_not_found"),
    ]
    for call, code in cases:
        error = _raised(call)
        assert (error.status, error.code) == (404, code)
        assert missing in error.message or code == "endpoint_not_found"
    assert list(tmp_path.iterdir()) == [], "a failed download writes nothing"


def test_409_conflicts(client: morphsweep.Client, finished_sweep: morphsweep.Sweep, make_config: Callable[..., dict[str, Any]]) -> None:
    key = str(uuid.uuid4())
    first = client.create_sweep(make_config(**ONE_RUN), idempotency_key=key)
    error = _raised(lambda: client.create_sweep(make_config(**ONE_RUN), idempotency_key=key))
    assert (error.status, error.code, error.details) == (409, "idempotency_key_reused", {"sweepId": first.id})

    error = _raised(finished_sweep.cancel)
    assert (error.status, error.code) == (409, "sweep_finished")

    # A run that has not finished: no structure yet, nothing to retrain.
    training = client.create_sweep(make_config(training=LONG_TRAINING, **ONE_RUN))
    try:
        run_id = next(event.run_id for event in training.events(timeout=60) if isinstance(event, morphsweep.models.RunEvent))
        error = _raised(lambda: client.run(run_id).structure())
        assert (error.status, error.code) == (409, "structure_not_ready")
        error = _raised(lambda: client.run(run_id).retrain())
        assert (error.status, error.code) == (409, "run_not_completed")
    finally:
        training.cancel()


def test_413_415_and_422_for_bodies(client: morphsweep.Client, make_config: Callable[..., dict[str, Any]]) -> None:
    error = _raised(lambda: client.create_sweep({**make_config(), "padding": "x" * 70_000}))
    assert (error.status, error.code) == (413, "payload_too_large")
    assert error.details == {"limitBytes": 65536}

    body = json.dumps(make_config()).encode()
    error = _raised(lambda: client.request("POST", "/api/sweeps", content=body, headers={"content-type": "text/plain"}))
    assert (error.status, error.code) == (415, "unsupported_media_type")

    error = _raised(lambda: client.create_sweep(make_config(thresholds=[], training={"steps": -1})))
    assert (error.status, error.code) == (422, "validation_failed")
    assert {problem["path"] for problem in error.problems} >= {"thresholds", "training.steps"}, "every problem at once"
    assert "thresholds" in str(error) and "training.steps" in str(error), "the message lists the problems"


def test_422_for_retrain_options(client: morphsweep.Client, finished_sweep: morphsweep.Sweep) -> None:
    run = client.run(finished_sweep.front(run_details=False).run_id[0])
    error = _raised(lambda: run.retrain(width_multiplier=-1, target_cost=5))
    assert (error.status, error.code) == (422, "validation_failed")
    assert {problem["path"] for problem in error.problems} == {"widthMultiplier", "targetCost"}

