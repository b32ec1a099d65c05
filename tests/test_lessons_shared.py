"""Lessons on shared state: lost updates (race), a multiplex (seats), object lifetimes (lineup).

Rounds run until enough has happened (counted from live telemetry), not for a fixed time,
so a slow or busy machine makes them longer, never flaky.
"""

from __future__ import annotations

import pytest
from helpers import run_until

from sims.engine.round import Round
from sims.rounds.commands import Resize, Timed
from sims.rounds.config import RoundConfig
from sims.stats import compute_round_stats
from sims.telemetry import Op

pytestmark = pytest.mark.timeout(120)


def increments(rnd: Round) -> int:
    assert rnd.model is not None
    return int(rnd.model.operations.sum())


@pytest.mark.parametrize("backend", ["thread", "process"])
@pytest.mark.parametrize("strategy", ["value", "array"])
def test_race_without_a_lock_loses_updates(backend: str, strategy: str) -> None:
    config = RoundConfig("race", backend=backend, strategy=strategy, seconds=120, params={"lock": False})
    result = run_until(config, lambda rnd: increments(rnd) >= 3000)
    stats = result.scenario_stats
    assert stats["expected"] >= 3000
    assert stats["lost_updates"] == stats["expected"] - stats["actual"]
    assert stats["lost_updates"] > 0


@pytest.mark.parametrize("backend", ["thread", "process"])
@pytest.mark.parametrize("strategy", ["value", "array"])
def test_race_under_the_lock_loses_nothing(backend: str, strategy: str) -> None:
    config = RoundConfig("race", backend=backend, strategy=strategy, seconds=120, params={"lock": True})
    result = run_until(config, lambda rnd: increments(rnd) >= 1500)
    stats = result.scenario_stats
    assert stats["expected"] >= 1500
    assert stats["lost_updates"] == 0
    assert stats["actual"] == stats["expected"]
    lock = result.layout.resource_named("counter lock").index
    ev = result.events
    acquired = ev[(ev["op"] == Op.ACQUIRED) & (ev["resource"] == lock)]
    assert result.dropped == 0 and stats["increments_recorded"] == stats["expected"]
    assert len(acquired) == stats["expected"]  # every update went through our Lock


def seated(rnd: Round) -> int:
    assert rnd.model is not None and rnd.layout is not None
    return len(rnd.model.items[rnd.layout.resource_named("counter").index])


@pytest.mark.parametrize("backend", ["thread", "process"])
def test_seats_semaphore_never_over_capacity_and_resizes_live(backend: str) -> None:
    config = RoundConfig("seats", backend=backend, seconds=120, schedule=(Timed(0.3, Resize("seats", 5)),))
    result = run_until(config, lambda rnd: rnd.elapsed_s > 1.0 and increments(rnd) >= 60)
    stats = result.scenario_stats
    assert stats["over_capacity_ns"] == 0
    assert stats["seats_min"] == 3 and stats["seats_max"] == 5
    assert stats["capacity_changes"] == 1
    assert 0 < stats["max_concurrent"] <= 5


def test_seats_sign_without_semaphore_seats_too_many() -> None:
    config = RoundConfig("seats", strategy="sign", seconds=120)
    result = run_until(config, lambda rnd: seated(rnd) > 3)  # more than K seated at one instant
    stats = result.scenario_stats
    assert stats["max_concurrent"] > 3
    assert stats["over_capacity_ns"] > 0


def test_lineup_threads_daemon_helper_outlives_its_host() -> None:
    with Round(RoundConfig("lineup", seconds=60)) as rnd:
        result = rnd.run()
    stats = result.scenario_stats
    assert result.end_reason == "agents finished"
    assert stats["helpers_started"] == 4 and stats["helpers_joined"] == 2
    assert stats["daemon_outlived_until_round_end"] == 2  # a daemon thread belongs to the process
    assert stats["joined_outlived_host_ms_max"] < 0  # joined helpers ended before their hosts
    assert [i.daemon for i in result.identities] == [False, True, False]
    # After the last helper started, the hosts count no operation: helpers, not starved workers
    # (a rolling window of the live panel sees just this).
    late = int(result.events["t_ns"][result.events["op"] == Op.CHILD_STARTED].max()) + 1
    window = compute_round_stats(
        result.events, result.layout, late, result.ended_ns, rnd.scenario.operation_ops(result.layout)
    )
    assert [a.operations for a in window.agents if a.name.startswith("host")] == [0, 0]
    assert window.starved == () and not any(a.counted for a in window.agents)


def test_lineup_processes_daemon_child_ends_with_its_parent() -> None:
    result = Round(RoundConfig("lineup", backend="process", seconds=60)).run()
    stats = result.scenario_stats
    assert result.end_reason == "agents finished"
    assert stats["children_refused"] == 2  # host 1 is a daemon process: no children for it
    by_name = {h["name"]: h for h in stats["helpers"]}
    daemon_child = by_name["host 0 daemon helper"]
    # alive while its host ran, its heartbeat stopped while the watcher still watched: it ended
    # with its host (how many ms after the host's last record depends on the machine's load)
    assert daemon_child["alive_when_host_looked"] and not daemon_child["outlived_until_round_end"]
    assert by_name["host 0 helper"]["outlived_host_ms"] < 0  # joined before the host ended
    assert len({i.pid for i in result.identities}) == 3
