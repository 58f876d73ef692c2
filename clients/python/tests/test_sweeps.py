"""Creating, watching, listing and cancelling sweeps against the real server and worker."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import morphsweep
from morphsweep.models import ProgressEvent, RunEvent

from .conftest import FAST_RECONNECT, FAST_RETRY, LONG_TRAINING, ONE_RUN, WAIT_TIMEOUT_S
from .fault_proxy import FaultProxy


def test_create_sweep_retried_with_its_key_returns_the_same_sweep(client: morphsweep.Client, make_config: Callable[..., dict[str, Any]]) -> None:
    config = make_config(**ONE_RUN)
    key = str(uuid.uuid4())
    first = client.create_sweep(config, idempotency_key=key)
    again = client.create_sweep(config, idempotency_key=key)
    assert first.created is True
    assert again.created is False
    assert again.id == first.id
    assert [sweep.id for sweep in client.sweeps(tag=config["tags"][0]) if sweep.summary and sweep.summary.name == config["name"]] == [first.id]


def test_a_lost_answer_to_create_sweep_is_retried_without_a_second_sweep(
    client: morphsweep.Client, proxy: FaultProxy, proxied_client: morphsweep.Client, make_config: Callable[..., dict[str, Any]]
) -> None:
    # The server starts the sweep, then the connection drops before its answer arrives.
    proxy.plan = ["swallow"]
    config = make_config(**ONE_RUN)
    sweep = proxied_client.create_sweep(config)
    assert [action for action, _ in proxy.log] == ["swallow", "forward"]
    assert all(line.startswith("POST /api/sweeps ") for _, line in proxy.log)
    assert sweep.created is False, "the retry carried the same generated key, so it found the first sweep"
    named = [s.id for s in client.sweeps(tag=config["tags"][0]) if s.summary and s.summary.name == config["name"]]
    assert named == [sweep.id]


def test_wait_follows_the_event_stream_to_the_end(finished_sweep: morphsweep.Sweep, finished_sweep_events: list[morphsweep.SweepEvent]) -> None:
    detail = finished_sweep.get()
    runs: dict[str, RunEvent] = {}
    for event in finished_sweep_events:
        if isinstance(event, RunEvent):
            runs[event.run_id] = event
    final = finished_sweep_events[-1]
    assert isinstance(final, ProgressEvent)
    assert final.status == "completed"
    assert final.runs.total == final.runs.completed == detail.runs.total == len(runs) == 4
    assert {run.status for run in runs.values()} == {"completed"}
    assert all(run.step == run.total_steps > 0 and run.costs.flops for run in runs.values())


def test_wait_shows_progress_in_a_terminal(client: morphsweep.Client, finished_sweep: morphsweep.Sweep, capsys: pytest.CaptureFixture[str]) -> None:
    # A finished sweep's stream restates every run, then ends: the display draws the final state.
    detail = client.sweep(finished_sweep.id).wait(timeout=WAIT_TIMEOUT_S)
    assert detail.status == "completed"
    err = capsys.readouterr().err
    assert f"sweep {finished_sweep.id}: completed, 4 completed, 0 running, 0 pending of 4 runs" in err
    assert err.count("): completed, step 8/8") == 4, err


def test_wait_prints_lines_where_tqdm_is_missing(
    client: morphsweep.Client, finished_sweep: morphsweep.Sweep, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(morphsweep.progress, "_tqdm_class", lambda: None)
    client.sweep(finished_sweep.id).wait(timeout=WAIT_TIMEOUT_S)
    lines = capsys.readouterr().err.splitlines()
    assert lines[-1] == f"sweep {finished_sweep.id}: completed, 4 completed, 0 running, 0 pending of 4 runs"
    assert sum(line.startswith("run ") and "): completed, step 8/8, val accuracy " in line for line in lines) == 4


def test_wait_reconnects_when_the_stream_drops(
    client: morphsweep.Client, proxy: FaultProxy, proxied_client: morphsweep.Client, make_config: Callable[..., dict[str, Any]]
) -> None:
    sweep = client.create_sweep(make_config(**ONE_RUN))
    # The first two streams are cut within their first events; the third is left alone.
    proxy.plan = ["cut:200", "cut:200"]
    events: list[morphsweep.SweepEvent] = []
    detail = proxied_client.sweep(sweep.id).wait(progress=events.append, timeout=WAIT_TIMEOUT_S)
    assert detail.status == "completed"
    streams = [action for action, line in proxy.log if line.startswith(f"GET /api/sweeps/{sweep.id}/events ")]
    assert streams[:3] == ["cut:200", "cut:200", "forward"]
    assert isinstance(events[-1], ProgressEvent) and events[-1].status == "completed"
    assert [event.status for event in events if isinstance(event, RunEvent)][-1] == "completed"


def test_cancel_stops_a_running_sweep(client: morphsweep.Client, make_config: Callable[..., dict[str, Any]]) -> None:
    sweep = client.create_sweep(make_config(training=LONG_TRAINING, **ONE_RUN))
    for event in sweep.events(timeout=WAIT_TIMEOUT_S):
        if isinstance(event, RunEvent) and event.status == "running":
            break
    answer = sweep.cancel()
    assert answer.sweep_id == sweep.id
    detail = sweep.wait(progress=False, timeout=WAIT_TIMEOUT_S)
    assert detail.status == "cancelled"
    assert detail.runs.cancelled == 1
    empty = sweep.front()
    assert len(empty) == 0 and len(empty[empty.pareto]) == 0 and "flops" in empty.columns, "an empty front still filters"
    with pytest.raises(morphsweep.MorphSweepError) as raised:
        sweep.cancel()
    assert (raised.value.status, raised.value.code) == (409, "sweep_finished")


def test_sweeps_pages_lazily_and_filters(server_url: str, token: str, client: morphsweep.Client, make_config: Callable[..., dict[str, Any]]) -> None:
    tag = f"page-{uuid.uuid4().hex[:8]}"
    created = [client.create_sweep(make_config(tags=[tag], **ONE_RUN)) for _ in range(3)]
    for sweep in created:
        sweep.wait(progress=False, timeout=WAIT_TIMEOUT_S)
    requests: list[httpx.Request] = []
    counting = httpx.Client(event_hooks={"request": [requests.append]})
    with morphsweep.Client(server_url, token, retry=FAST_RETRY, reconnect=FAST_RECONNECT, http_client=counting) as listing:
        pages = listing.sweeps(tag=tag, page_size=2)
        assert requests == [], "nothing is fetched before the first item is asked for"
        first_two = [next(pages), next(pages)]
        assert len(requests) == 1
        rest = list(pages)
        assert len(requests) == 2
        assert [sweep.id for sweep in first_two + rest] == [sweep.id for sweep in reversed(created)]
        assert all(sweep.summary is not None and sweep.summary.tags == [tag] for sweep in first_two + rest)
        assert len(list(listing.sweeps(tag=tag, status=["failed", "completed"]))) == 3
        assert list(listing.sweeps(tag=tag, status="running")) == []
    counting.close()


def test_target_search_of_a_target_cost_sweep(
    client: morphsweep.Client, server_url: str, token: str, finished_sweep: morphsweep.Sweep, make_config: Callable[..., dict[str, Any]]
) -> None:
    # GroupLasso prunes gradually with the strength; two rounds of probes bound the time, hit or not.
    target = {"fractionOfSeed": 0.5, "tolerance": 0.1, "maxRounds": 2}
    sweep = client.create_sweep(make_config(regularizer={"algorithm": "group-lasso", "cost": "flops"}, thresholds=[0.1], strengths={"target": target}))
    assert sweep.wait(progress=False, timeout=WAIT_TIMEOUT_S).status == "completed"
    search = sweep.target_search
    assert search is not None
    raw = httpx.get(f"{server_url}/api/sweeps/{sweep.id}", headers={"authorization": f"Bearer {token}"}).json()["targetSearch"]
    assert search.model_dump(mode="json", by_alias=True, exclude_unset=True) == raw
    seed_flops = sweep.seed.flops
    assert seed_flops is not None and search.target_cost == 0.5 * seed_flops and search.tolerance == 0.1
    assert [round.round for round in search.rounds] == [1, 2][: len(search.rounds)] and search.rounds
    front = sweep.front(run_details=False)
    probes = [probe for round in search.rounds for probe in round.probes]
    assert all(client.run(probe.run_id).get().sweep_id == sweep.id for probe in probes), "every probe is a run of the sweep"
    assert {probe.run_id for probe in probes if probe.state == "completed"} == set(front.run_id)
    assert search.outcome is not None and search.outcome.kind in ("hit", "jump", "exhausted") and search.outcome.message
    assert finished_sweep.target_search is None, "a grid sweep has none"
