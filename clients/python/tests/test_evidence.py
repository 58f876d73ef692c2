"""Evidence runs (the learned structure against the uniformly thinner seed network) through the client."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import morphsweep
from morphsweep.models import Evidence as EvidenceState

from .conftest import WAIT_TIMEOUT_S

#: Threshold 0.9 prunes the tiny reference CNN in its 8 steps (conv1 8 -> 5 channels), the seed
#: network stays wider: the uniform baseline then has a width multiplier below 1.
PRUNING: dict[str, Any] = {"thresholds": [0.9], "strengths": {"values": [1e-5]}}


@pytest.fixture(scope="module")
def pruned(client: morphsweep.Client, make_config: Callable[..., dict[str, Any]]) -> tuple[morphsweep.Sweep, morphsweep.Run]:
    sweep = client.create_sweep(make_config(**PRUNING))
    assert sweep.wait(progress=False, timeout=WAIT_TIMEOUT_S).status == "completed"
    run = client.run(sweep.front(run_details=False).run_id[0])
    seed_flops = sweep.seed.flops
    run_flops = run.get().costs.flops
    assert seed_flops is not None and run_flops is not None and seed_flops / 20 < run_flops < seed_flops, "the structure is pruned, not gone"
    return sweep, run


@pytest.fixture(scope="module")
def evidence(pruned: tuple[morphsweep.Sweep, morphsweep.Run]) -> tuple[morphsweep.Evidence, list[EvidenceState]]:
    """Two seeds per arm, also expanded to the seed network's cost, waited for with every polled state."""
    started = pruned[1].evidence(seeds=2, expand_to="seed")
    # Eight retrains take a second or more; the first look comes before any of them finished.
    assert started.summary is None
    with pytest.raises(RuntimeError, match="wait\\(\\) for it first"):
        started.frame()
    states: list[EvidenceState] = []
    final = started.wait(progress=states.append, timeout=WAIT_TIMEOUT_S)
    assert final.status == "completed", final.error
    assert states[-1] == final and len(states) >= 2
    return started, states


@pytest.fixture(scope="module")
def raw(server_url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=server_url, headers={"authorization": f"Bearer {token}"}, timeout=30)


def test_evidence_retrains_every_arm_with_every_seed(evidence: tuple[morphsweep.Evidence, list[EvidenceState]], pruned: tuple[morphsweep.Sweep, morphsweep.Run]) -> None:
    handle, states = evidence
    final = handle.get()
    assert (final.run_id, final.sweep_id, final.seeds, final.cost_axis) == (pruned[1].id, pruned[0].id, 2, "flops")
    assert final.expand_to == pruned[0].seed.flops, '"seed" resolves to the seed network\'s cost'
    arms = sorted((arm.arm, arm.seed, arm.status) for arm in final.arms)
    assert arms == [(name, seed, "completed") for name in ("structure", "structure-expanded", "uniform", "uniform-expanded") for seed in (1, 2)]
    assert all(arm.test_accuracy is not None and arm.step == arm.total_steps == 8 for arm in final.arms)
    assert [state.status for state in states[:-1]] and all(state.status in ("pending", "running") for state in states[:-1])


def test_evidence_frame_is_the_summary_and_agrees_with_the_arms(evidence: tuple[morphsweep.Evidence, list[EvidenceState]], raw: httpx.Client) -> None:
    handle, _ = evidence
    summary_json = raw.get(f"/api/evidence/{handle.id}").json()["summary"]
    frame = handle.frame()
    assert list(frame.columns) == [
        "arm", "count", "cost", "width_multiplier", "test_accuracy_mean", "test_accuracy_sd", "val_accuracy_mean", "val_accuracy_sd",
    ]  # fmt: skip
    assert frame.to_dict(orient="records") == [
        {
            "arm": arm["arm"],
            "count": arm["count"],
            "cost": arm["cost"],
            "width_multiplier": arm["widthMultiplier"],
            "test_accuracy_mean": arm["testAccuracy"]["mean"],
            "test_accuracy_sd": arm["testAccuracy"]["sd"],
            "val_accuracy_mean": arm["valAccuracy"]["mean"],
            "val_accuracy_sd": arm["valAccuracy"]["sd"],
        }
        for arm in summary_json["arms"]
    ]
    assert frame.attrs == {
        "evidence_id": handle.id,
        "run_id": handle.get().run_id,
        "sweep_id": handle.get().sweep_id,
        "cost": "flops",
        "seeds": 2,
        "expand_to": handle.get().expand_to,
    }
    by_arm: dict[str, dict[str, Any]] = {str(row["arm"]): {str(key): value for key, value in row.items()} for row in frame.to_dict(orient="records")}
    for name, row in by_arm.items():
        accuracies = [arm.test_accuracy for arm in handle.get().arms if arm.arm == name and arm.test_accuracy is not None]
        assert row["test_accuracy_mean"] == pytest.approx(statistics.mean(accuracies))
        assert row["test_accuracy_sd"] == pytest.approx(statistics.stdev(accuracies))
    # The cost rule: the uniform network is the seed made thinner, never costlier than the structure.
    assert by_arm["uniform"]["cost"] <= by_arm["structure"]["cost"]
    assert by_arm["uniform"]["width_multiplier"] < 1 and by_arm["structure"]["width_multiplier"] == 1
    assert by_arm["structure-expanded"]["cost"] > by_arm["structure"]["cost"]


def test_comparisons_hold_the_difference_its_interval_and_the_winner(evidence: tuple[morphsweep.Evidence, list[EvidenceState]]) -> None:
    handle, _ = evidence
    comparisons = handle.comparisons()
    assert list(comparisons.columns) == ["structure_arm", "baseline_arm", "difference", "low", "high", "level", "degrees_of_freedom", "winner"]
    assert list(zip(comparisons.structure_arm, comparisons.baseline_arm)) == [("structure", "uniform"), ("structure-expanded", "uniform-expanded")]
    means = {str(row["arm"]): float(row["test_accuracy_mean"]) for row in handle.frame().to_dict(orient="records")}
    for row in comparisons.to_dict(orient="records"):
        low, difference, high = float(row["low"]), float(row["difference"]), float(row["high"])
        assert difference == pytest.approx(means[str(row["structure_arm"])] - means[str(row["baseline_arm"])])
        assert low <= difference <= high and row["level"] == 0.95
        assert row["winner"] == ("structure" if low > 0 else "uniform" if high < 0 else "undecided")
    assert handle.summary is not None and [c.winner for c in handle.summary.comparisons] == list(comparisons.winner)


def test_sweep_lists_its_evidence_and_a_handle_reads_it_by_id(
    client: morphsweep.Client, evidence: tuple[morphsweep.Evidence, list[EvidenceState]], pruned: tuple[morphsweep.Sweep, morphsweep.Run]
) -> None:
    handle, _ = evidence
    listed = pruned[0].evidence()
    assert [item.id for item in listed] == [handle.id]
    assert listed[0].get() == handle.get() == client.evidence(handle.id).get()
    assert client.sweep(pruned[0].id).target_search is None, "a grid sweep has no target search"


def test_evidence_wait_shows_the_arms_and_the_verdicts(
    client: morphsweep.Client, evidence: tuple[morphsweep.Evidence, list[EvidenceState]], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    evidence_id = evidence[0].id
    client.evidence(evidence_id).wait(timeout=WAIT_TIMEOUT_S)
    err = capsys.readouterr().err
    assert f"evidence {evidence_id}: completed, 8 of 8 arm retrains finished" in err
    assert err.count(": completed, step 8/8, test accuracy ") == 8, err
    assert "structure - uniform test accuracy: " in err and "(95% interval): " in err

    monkeypatch.setattr(morphsweep.progress, "_tqdm_class", lambda: None)
    client.evidence(evidence_id).wait(timeout=WAIT_TIMEOUT_S)
    lines = capsys.readouterr().err.splitlines()
    assert sum(line.startswith(("structure seed ", "uniform seed ", "structure-expanded seed ", "uniform-expanded seed ")) for line in lines) == 8
    assert lines[-2].startswith("structure - uniform test accuracy: ") and lines[-1].startswith("structure-expanded - uniform-expanded test accuracy: ")

    client.evidence(evidence_id).wait(progress=False, timeout=WAIT_TIMEOUT_S)
    assert capsys.readouterr().err == ""


def test_evidence_options_the_server_refuses(client: morphsweep.Client, pruned: tuple[morphsweep.Sweep, morphsweep.Run]) -> None:
    run = pruned[1]
    before = [item.id for item in pruned[0].evidence()]
    structure_flops = run.get().costs.flops
    assert structure_flops is not None
    with pytest.raises(morphsweep.MorphSweepError) as raised:
        run.evidence(seeds=2, expand_to=structure_flops)
    assert (raised.value.status, raised.value.code) == (409, "retrain_rejected")
    assert "expanding means widening" in raised.value.message
    with pytest.raises(morphsweep.MorphSweepError) as raised:
        run.evidence(seeds=1)
    assert (raised.value.status, raised.value.code) == (422, "validation_failed")
    assert [problem["path"] for problem in raised.value.problems] == ["seeds"]
    assert [item.id for item in pruned[0].evidence()] == before, "nothing was started"
