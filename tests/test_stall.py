"""Stalls (lost wake-ups): every live agent waits for a wake-up nobody left can give. Found on
hand-made graphs, by the live model from hand-made telemetry, and in real rounds; a correct
condition or barrier round is never called stuck, and a cycle stays a deadlock."""

from __future__ import annotations

import pytest
from helpers import events, run_round, with_testbed

from sims.live import LiveModel, Stuck
from sims.live.deadlock import WaitGraph, blocked_for_good, find_stall
from sims.rounds.layout import AgentInfo, ResourceInfo, RoundLayout
from sims.rounds.summary import flat_numbers, verdict
from sims.telemetry import Op

pytestmark = pytest.mark.timeout(60)

LOCK, COND, GATE, OTHER = 0, 1, 2, 3  # resources of the hand-made round


def layout(agents: int) -> RoundLayout:
    return RoundLayout(
        "test", "none", "thread", 0,
        tuple(AgentInfo(i, f"a{i}", "agent", "thread") for i in range(agents)),
        (
            ResourceInfo(LOCK, "mutex", "rlock", 1),
            ResourceInfo(COND, "ready", "condition", 0, lock=LOCK),
            ResourceInfo(GATE, "gate", "barrier", 3),
            ResourceInfo(OTHER, "other", "lock", 1),
        ),
    )  # fmt: skip


def started(agents: int) -> list[tuple[int, int, int, int, int]]:
    return [(1, a, -1, Op.AGENT_START, 0) for a in range(agents)]


def verdict_of(model: LiveModel) -> object:
    """What the model reports after two checks (the first is only a sighting)."""
    model.check_deadlock()
    return model.check_deadlock()


# -- on hand-made graphs ----------------------------------------------------------------------
def test_everyone_waiting_for_a_wake_up_is_a_stall_and_one_agent_moving_is_not() -> None:
    wakeups = [False, True]  # resource 0 a lock, 1 a condition
    stalled = WaitGraph([1, 1], [[], []], [1, 0], [True, True], wakeups)
    assert find_stall(stalled, blocked_for_good(stalled)) == ((0, 1), (1, 1))
    moving = WaitGraph([1, -1], [[], []], [1, 0], [True, True], wakeups)
    assert blocked_for_good(moving) == []
    assert find_stall(moving, []) is None


def test_a_lock_wait_behind_a_condition_waiter_is_part_of_the_stall() -> None:
    g = WaitGraph([0, 1], [[], [0]], [0, 0], [True, True], [False, True])
    assert find_stall(g, blocked_for_good(g)) == ((0, 1), (0, 1))


def test_waiting_only_behind_a_dead_holder_is_stuck_not_a_stall() -> None:
    g = WaitGraph([-1, 0], [[0], []], [0], [False, True], [False])
    assert find_stall(g, blocked_for_good(g)) is None


# -- the live model from telemetry -------------------------------------------------------------
def test_two_condition_waiters_and_nobody_else_are_a_stall() -> None:
    model = LiveModel(layout(2))
    model.feed(events(*started(2), (10, 0, COND, Op.WAIT, -1), (11, 1, COND, Op.WAIT, -1)))
    assert model.check_deadlock() is None  # a first sighting only
    found = model.check_deadlock()
    assert found is not None and found.kind is Stuck.STALL and found.is_stall
    assert (found.agents, found.resources, found.formed_ns) == ((0, 1), (COND, COND), 11)


def test_a_lock_waiter_behind_a_barrier_waiter_stalls_with_it() -> None:
    model = LiveModel(layout(3))
    model.feed(
        events(
            *started(3),
            (10, 0, COND, Op.WAIT, -1),
            (11, 2, LOCK, Op.ACQUIRED, 0),
            (12, 2, GATE, Op.WAIT, -1),
            (13, 1, LOCK, Op.REQUEST, -1),
        )
    )
    found = verdict_of(model)
    assert found is not None and found.kind is Stuck.STALL  # type: ignore[attr-defined]
    assert found.agents == (0, 1, 2) and found.resources == (COND, LOCK, GATE)  # type: ignore[attr-defined]


def test_a_condition_waiter_is_not_stuck_while_another_agent_can_move_or_has_yet_to_start() -> None:
    model = LiveModel(layout(2))
    model.feed(events(*started(2), (10, 0, COND, Op.WAIT, -1)))
    assert verdict_of(model) is None  # agent 1 may still notify
    late = LiveModel(layout(2))
    late.feed(events((1, 0, -1, Op.AGENT_START, 0), (10, 0, COND, Op.WAIT, -1)))
    assert verdict_of(late) is None  # agent 1 has not started yet


def test_the_last_waiter_left_once_the_others_have_ended_is_a_stall() -> None:
    model = LiveModel(layout(2))
    model.feed(events(*started(2), (5, 1, -1, Op.AGENT_STOP, 0), (10, 0, COND, Op.WAIT, -1)))
    found = verdict_of(model)
    assert found is not None and found.agents == (0,)  # type: ignore[attr-defined]


def test_timed_waits_and_waits_that_ended_are_not_a_stall() -> None:
    model = LiveModel(layout(2))
    model.feed(events(*started(2), (10, 0, COND, Op.WAIT, 5_000_000), (11, 1, GATE, Op.WAIT, -1)))
    assert verdict_of(model) is None
    model.feed(events((12, 0, COND, Op.WAIT, -1), (20, 1, GATE, Op.BROKEN, 9)))
    assert verdict_of(model) is None


def test_a_notified_waiter_that_wants_the_lock_back_waits_for_its_holder() -> None:
    """After WOKEN a condition waiter waits for the lock: a lock wait, in a cycle if its holder
    waits for something the waiter holds."""
    model = LiveModel(layout(2))
    model.feed(
        events(
            *started(2),
            (10, 0, OTHER, Op.ACQUIRED, 0),
            (11, 0, COND, Op.WAIT, -1),
            (12, 1, LOCK, Op.ACQUIRED, 0),
            (13, 0, COND, Op.WOKEN, 2),
            (14, 0, LOCK, Op.REQUEST, -1),
            (15, 1, OTHER, Op.REQUEST, -1),
        )
    )
    found = verdict_of(model)
    assert found is not None and found.kind is Stuck.CYCLE  # type: ignore[attr-defined]
    assert set(found.agents) == {0, 1}  # type: ignore[attr-defined]
    assert model.resource_statistics(COND).holders == (1,)  # a condition's holders are its lock's


def test_the_model_keeps_an_rlocks_level_and_a_barriers_broken_state() -> None:
    model = LiveModel(layout(2))
    model.feed(events(*started(2), (10, 0, LOCK, Op.ACQUIRED, 0), (11, 0, LOCK, Op.RECURSION, 3)))
    assert model.resource_statistics(LOCK).recursion == 3
    model.feed(events((12, 0, LOCK, Op.RECURSION, 1), (13, 1, GATE, Op.BREAK, 0)))
    assert (model.resource_statistics(LOCK).recursion, model.resource_statistics(GATE).broken) == (1, True)
    model.feed(events((14, 0, LOCK, Op.RELEASED, 0), (15, 0, GATE, Op.RESET, 0)))
    assert (model.resource_statistics(LOCK).recursion, model.resource_statistics(GATE).broken) == (0, False)


# -- real rounds -------------------------------------------------------------------------------
@pytest.mark.parametrize("backend", ["thread", "process"])
def test_a_lost_wake_up_ends_the_round_as_a_stall_naming_the_waiter(
    backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_testbed(monkeypatch)
    result = run_round("testbed", backend=backend, strategy="lost wake-up", seconds=30)
    assert result.end_reason == "stall"
    stall = result.deadlock
    assert stall is not None and stall.kind is Stuck.STALL
    names = [result.layout.agents[a].name for a in stall.agents]
    assert names == ["listener"] and [result.layout.resources[r].name for r in stall.resources] == ["ready"]
    report = verdict(result)
    assert report["deadlock"] is False and report["stall"]["agents"] == ["listener"]
    assert flat_numbers(result)["stall"] is True


def test_a_notify_rechecked_in_a_while_loop_finishes_with_no_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    with_testbed(monkeypatch)
    result = run_round("testbed", backend="thread", strategy="handshake", seconds=30)
    assert (result.end_reason, result.deadlock) == ("agents finished", None)
    assert len(result.events[result.events["op"] == Op.NOTIFY]) == 1


@pytest.mark.parametrize(("parties", "reason"), [(3, "agents finished"), (4, "stall")])
def test_a_barrier_met_twice_finishes_and_a_party_short_of_one_stalls(
    parties: int, reason: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_testbed(monkeypatch)
    result = run_round(
        "testbed", backend="thread", strategy="party", seconds=30, params={"agents": 3, "parties": parties}
    )
    assert result.end_reason == reason
    tripped = result.events[result.events["op"] == Op.TRIPPED]
    if reason == "stall":
        assert result.deadlock is not None and result.deadlock.agents == (0, 1, 2)
        assert len(tripped) == 0
    else:
        assert result.deadlock is None and len(tripped) == 2
