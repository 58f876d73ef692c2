"""Transient failures, injected by a proxy in front of the real server, retried only where safe."""

from __future__ import annotations

import json
import socket
import time

import httpx
import pytest

import morphsweep
from morphsweep._transport import RetryPolicy, parse_retry_after

from .conftest import FAST_RETRY, WAIT_TIMEOUT_S
from .fault_proxy import FaultProxy


def _answer(status: str, body: str, *headers: str) -> str:
    lines = [f"HTTP/1.1 {status}", *headers, f"Content-Length: {len(body.encode())}", "Connection: close"]
    return "respond:" + "\r\n".join(lines) + "\r\n\r\n" + body


UNAVAILABLE = _answer(
    "503 Service Unavailable",
    json.dumps({"error": {"code": "temporal_unavailable", "message": "Temporal is restarting"}}),
    "Content-Type: application/json",
    "Retry-After: 1",
)
BAD_GATEWAY = _answer("502 Bad Gateway", "<html><body>upstream went away</body></html>", "Content-Type: text/html")


def test_a_reset_connection_is_retried_for_a_get(proxy: FaultProxy, proxied_client: morphsweep.Client, finished_sweep: morphsweep.Sweep) -> None:
    proxy.plan = ["reset", "reset"]
    assert proxied_client.sweep(finished_sweep.id).get().status == "completed"
    assert [action for action, _ in proxy.log] == ["reset", "reset", "forward"]


def test_a_lost_answer_to_a_retrain_is_retried_without_a_second_retrain(
    proxy: FaultProxy, proxied_client: morphsweep.Client, client: morphsweep.Client, finished_sweep: morphsweep.Sweep
) -> None:
    # The server starts the retrain, then the connection drops before its answer arrives.
    run_id = finished_sweep.front(run_details=False).run_id[0]
    retrains_before = {retrain.id for retrain in client.run(run_id).get().retrains}
    proxy.plan = ["swallow", UNAVAILABLE]
    retrain = proxied_client.run(run_id).retrain(width_multiplier=1.25)
    assert [action.split("\r\n")[0] for action, _ in proxy.log] == ["swallow", "respond:HTTP/1.1 503 Service Unavailable", "forward"]
    assert all(line.startswith(f"POST /api/runs/{run_id}/retrain ") for _, line in proxy.log)
    assert retrain.created is False, "the retries carried the same generated key, so they found the first retrain"
    assert {r.id for r in client.run(run_id).get().retrains} - retrains_before == {retrain.id}
    assert retrain.wait(progress=False, timeout=WAIT_TIMEOUT_S).status == "completed"


def test_a_reset_connection_is_not_retried_for_an_evidence_run(
    proxy: FaultProxy, proxied_client: morphsweep.Client, client: morphsweep.Client, finished_sweep: morphsweep.Sweep
) -> None:
    # The server keeps no idempotency key for evidence runs: a repeat could start a second one.
    run_id = finished_sweep.front(run_details=False).run_id[0]
    evidence_before = len(finished_sweep.evidence())
    proxy.plan = ["reset"]
    with pytest.raises(morphsweep.MorphSweepError) as raised:
        proxied_client.run(run_id).evidence(seeds=2)
    assert (raised.value.status, raised.value.code) == (None, "connection_failed")
    assert "not retried" in raised.value.message
    assert [action for action, _ in proxy.log] == ["reset"], "one attempt only"
    assert len(client.sweep(finished_sweep.id).evidence()) == evidence_before


def test_503_is_not_retried_for_an_evidence_run(proxy: FaultProxy, proxied_client: morphsweep.Client, finished_sweep: morphsweep.Sweep) -> None:
    proxy.plan = [UNAVAILABLE, UNAVAILABLE]
    with pytest.raises(morphsweep.MorphSweepError) as raised:
        proxied_client.run(finished_sweep.front(run_details=False).run_id[0]).evidence(seeds=2)
    error = raised.value
    assert (error.status, error.code, error.message) == (503, "temporal_unavailable", "Temporal is restarting")
    assert len(proxy.log) == 1


def test_retries_end_with_the_last_answer(proxy: FaultProxy, proxied_client: morphsweep.Client, finished_sweep: morphsweep.Sweep) -> None:
    proxy.plan = [BAD_GATEWAY] * FAST_RETRY.attempts
    with pytest.raises(morphsweep.MorphSweepError) as raised:
        proxied_client.sweep(finished_sweep.id).get()
    error = raised.value
    assert (error.status, error.code) == (502, "http_error"), "an answer without an envelope still raises the one type"
    assert "upstream went away" in error.message
    assert len(proxy.log) == FAST_RETRY.attempts


def test_sweep_creation_is_retried_on_the_real_503(offline_url: str, tiny_config: dict[str, object]) -> None:
    # The offline server answers 503 once its Temporal connection times out (5 s): two attempts.
    retry = RetryPolicy(attempts=2, base_delay_s=0.01)
    requests: list[httpx.Request] = []
    counting = httpx.Client(event_hooks={"request": [requests.append]}, timeout=30)
    with morphsweep.Client(offline_url, retry=retry, http_client=counting) as client:
        with pytest.raises(morphsweep.MorphSweepError) as raised:
            client.create_sweep(tiny_config)
    counting.close()
    error = raised.value
    assert (error.status, error.code) == (503, "temporal_unavailable")
    assert "Cannot reach the Temporal server" in error.message
    assert len(requests) == retry.attempts
    assert len({request.headers["idempotency-key"] for request in requests}) == 1, "every attempt carries the same key"


def test_an_event_stream_that_cannot_be_reopened_gives_up(proxy: FaultProxy, token: str, finished_sweep: morphsweep.Sweep) -> None:
    proxy.plan = ["reset"] * 100
    patience = morphsweep.ReconnectPolicy(initial_delay_s=0.05, max_delay_s=0.1, give_up_after_s=0.5)
    with morphsweep.Client(proxy.url, token, retry=FAST_RETRY, reconnect=patience) as client:
        with pytest.raises(morphsweep.MorphSweepError) as raised:
            client.sweep(finished_sweep.id).wait(progress=False)
    assert (raised.value.status, raised.value.code) == (None, "event_stream_lost")
    assert "the sweep itself goes on" in raised.value.message
    assert len(proxy.log) >= 3, "it reconnected before giving up"


def test_a_server_that_is_not_there(tiny_config: dict[str, object]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with morphsweep.Client(f"http://127.0.0.1:{port}", "token", retry=FAST_RETRY) as client:
        with pytest.raises(morphsweep.MorphSweepError) as raised:
            client.health()
    assert (raised.value.status, raised.value.code) == (None, "connection_failed")
    assert f"127.0.0.1:{port}" in raised.value.message and "3 attempt(s)" in raised.value.message


def test_backoff_and_retry_after_parsing() -> None:
    policy = RetryPolicy(base_delay_s=0.5, max_delay_s=4.0, max_retry_after_s=30.0)
    assert [0.25 <= policy.delay_s(0, None) <= 0.5, 1.0 <= policy.delay_s(2, None) <= 2.0, 2.0 <= policy.delay_s(6, None) <= 4.0] == [True] * 3
    assert policy.delay_s(0, 3.0) == 3.0 and policy.delay_s(0, 3600.0) == 30.0 and policy.delay_s(0, -5.0) == 0.0
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None
    in_ten_s = parse_retry_after(time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 10)))
    assert in_ten_s is not None and 8.0 < in_ten_s <= 10.0
