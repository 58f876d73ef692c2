"""Fixtures for tests against a real MorphSweep server.

test/integration/python-client.test.ts starts the built app with a training worker, PostgreSQL and
Temporal, and passes (all required: these tests never skip):
  MORPHSWEEP_URL, MORPHSWEEP_TOKEN     that server and a token of it
  MORPHSWEEP_TEST_OFFLINE_URL          the same app on the same database with tokens off
                                       (MORPHSWEEP_AUTH=off) and Temporal unreachable
  MORPHSWEEP_TEST_SWEEP_CONFIG         a sweep config that trains in seconds (JSON)
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import morphsweep

from .fault_proxy import FaultProxy

#: Retries in tests wait milliseconds, not seconds.
FAST_RETRY = morphsweep.RetryPolicy(attempts=3, base_delay_s=0.01, max_delay_s=0.05, max_retry_after_s=2.0)
FAST_RECONNECT = morphsweep.ReconnectPolicy(initial_delay_s=0.05, max_delay_s=0.2, give_up_after_s=5.0)
#: Overrides of the tiny config: a sweep of one run, and training long enough to catch a run mid-way.
ONE_RUN: dict[str, Any] = {"thresholds": [0.01], "strengths": {"values": [1e-7]}}
LONG_TRAINING: dict[str, Any] = {"steps": 5000, "batchSize": 16, "learningRate": 0.05, "evalEvery": 50, "checkpointEvery": 50}
#: A tiny sweep finishes in seconds; this bounds a hang, not a measurement.
WAIT_TIMEOUT_S = 120.0


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise pytest.UsageError(f"{name} is not set: run these tests through `npm test` (test/integration/python-client.test.ts)")
    return value


@pytest.fixture(scope="session")
def server_url() -> str:
    return _required("MORPHSWEEP_URL")


@pytest.fixture(scope="session")
def token() -> str:
    return _required("MORPHSWEEP_TOKEN")


@pytest.fixture(scope="session")
def offline_url() -> str:
    return _required("MORPHSWEEP_TEST_OFFLINE_URL")


@pytest.fixture(scope="session")
def tiny_config() -> dict[str, Any]:
    config: dict[str, Any] = json.loads(_required("MORPHSWEEP_TEST_SWEEP_CONFIG"))
    return config


@pytest.fixture(scope="session")
def make_config(tiny_config: dict[str, Any]) -> Callable[..., dict[str, Any]]:
    """The tiny config with a unique name (and any overrides), so each test finds its own sweeps."""

    def make(**overrides: Any) -> dict[str, Any]:
        return {**tiny_config, "name": f"pytest {uuid.uuid4().hex[:8]}", **overrides}

    return make


@pytest.fixture(scope="session")
def client(server_url: str, token: str) -> Iterator[morphsweep.Client]:
    with morphsweep.Client(server_url, token, retry=FAST_RETRY, reconnect=FAST_RECONNECT) as session_client:
        yield session_client


@pytest.fixture(scope="session")
def finished(client: morphsweep.Client, make_config: Callable[..., dict[str, Any]]) -> tuple[morphsweep.Sweep, list[morphsweep.SweepEvent]]:
    """One tiny sweep waited for from its start, with every event wait() saw."""
    sweep = client.create_sweep(make_config(tags=["python-client", "finished"]))
    events: list[morphsweep.SweepEvent] = []
    detail = sweep.wait(progress=events.append, timeout=WAIT_TIMEOUT_S)
    assert detail.status == "completed", detail.error
    return sweep, events


@pytest.fixture(scope="session")
def finished_sweep(finished: tuple[morphsweep.Sweep, list[morphsweep.SweepEvent]]) -> morphsweep.Sweep:
    """A completed sweep of 4 runs, shared by the tests that only read."""
    return finished[0]


@pytest.fixture(scope="session")
def finished_sweep_events(finished: tuple[morphsweep.Sweep, list[morphsweep.SweepEvent]]) -> list[morphsweep.SweepEvent]:
    return finished[1]


@pytest.fixture()
def proxy(server_url: str) -> Iterator[FaultProxy]:
    fault_proxy = FaultProxy(server_url)
    yield fault_proxy
    fault_proxy.close()


@pytest.fixture()
def proxied_client(proxy: FaultProxy, token: str) -> Iterator[morphsweep.Client]:
    """A client whose every connection goes through `proxy` (set `proxy.plan` before calling it)."""
    with morphsweep.Client(proxy.url, token, retry=FAST_RETRY, reconnect=FAST_RECONNECT) as proxied:
        yield proxied
