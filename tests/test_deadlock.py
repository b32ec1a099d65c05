"""Deadlock detection: Holt's reduction and cycle search on hand-made wait-for graphs, and the
live model's verdict from hand-made telemetry (a cycle must hold across two checks)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import events

from sims.live import LiveModel
from sims.live.deadlock import WaitGraph, blocked_for_good, find_cycle
from sims.rounds.layout import AgentInfo, ResourceInfo, RoundLayout
from sims.telemetry import Op

pytestmark = pytest.mark.timeout(30)


def graph(waits: list[int], holds: list[list[int]], free: list[int], alive: list[bool] | None = None) -> WaitGraph:
    return WaitGraph(waits, holds, free, alive if alive is not None else [True] * len(waits))


def rotations(agents: tuple[int, ...]) -> set[tuple[int, ...]]:
    return {agents[i:] + agents[:i] for i in range(len(agents))}


def test_two_agents_each_holding_what_the_other_wants_are_a_cycle() -> None:
    g = graph([1, 0], [[0], [1]], [0, 0])
    assert sorted(blocked_for_good(g)) == [0, 1]
    found = find_cycle(g, blocked_for_good(g))
    assert found is not None
    agents, resources = found
    assert agents in rotations((0, 1))
    assert [g.waits_for[a] for a in agents] == list(resources)


def test_a_chain_that_ends_in_a_free_agent_is_not_blocked() -> None:
    g = graph([1, 2, -1], [[0], [1], [2]], [0, 0, 0])
    assert blocked_for_good(g) == []
    assert find_cycle(g, []) is None


def test_a_free_permit_lets_a_waiter_through_so_no_cycle_forms() -> None:
    # resource 0 is a semaphore of 2 with one permit free; resource 1 a lock
    g = graph([1, 0], [[0], [1]], [1, 0])
    assert blocked_for_good(g) == []


def test_waiting_behind_a_dead_holder_is_stuck_not_deadlocked() -> None:
    g = graph([-1, 0], [[0], []], [0], alive=[False, True])
    assert blocked_for_good(g) == [1]
    assert find_cycle(g, [1]) is None


def test_a_bystander_waiting_on_a_cycle_is_blocked_but_not_in_the_cycle() -> None:
    g = graph([1, 2, 0, 0], [[0], [1], [2], []], [0, 0, 0])
    assert sorted(blocked_for_good(g)) == [0, 1, 2, 3]
    found = find_cycle(g, blocked_for_good(g))
    assert found is not None
    assert found[0] in rotations((0, 1, 2))


def test_a_three_cycle_on_a_semaphore_with_no_free_permit() -> None:
    # agents 0 and 1 each hold a permit of semaphore 2 (capacity 2) and wait for locks 0 / 1;
    # agent 2 holds both locks and waits for a permit
    g = graph([0, 1, 2], [[2], [2], [0, 1]], [0, 0, 0])
    assert sorted(blocked_for_good(g)) == [0, 1, 2]
    assert find_cycle(g, [0, 1, 2]) is not None


# -- the live model from telemetry -----------------------------------------------------------
def layout(agents: int, locks: int) -> RoundLayout:
    return RoundLayout(
        "test", "none", "thread", 0,
        tuple(AgentInfo(i, f"a{i}", "agent", "thread") for i in range(agents)),
        tuple(ResourceInfo(r, f"lock {r}", "lock", 1) for r in range(locks)),
    )  # fmt: skip


def crossed(wait_value: int = -1) -> np.ndarray:
    return events(
        (1, 0, -1, Op.AGENT_START, 0),
        (1, 1, -1, Op.AGENT_START, 0),
        (10, 0, 0, Op.ACQUIRED, 0),
        (11, 1, 1, Op.ACQUIRED, 0),
        (20, 0, 1, Op.REQUEST, wait_value),
        (25, 1, 0, Op.REQUEST, wait_value),
    )


def test_the_model_reports_a_cycle_once_it_has_held_across_two_checks() -> None:
    model = LiveModel(layout(2, 2))
    model.feed(crossed())
    assert model.check_deadlock() is None  # a first sighting might be rings read at different moments
    found = model.check_deadlock()
    assert found is not None
    assert found.agents in rotations((0, 1))
    assert dict(zip(found.agents, found.resources, strict=True)) == {0: 1, 1: 0}
    assert found.formed_ns == 25  # when the last wait began
    assert model.check_deadlock() is found


def test_a_record_from_a_cycle_agent_between_checks_resets_the_sighting() -> None:
    model = LiveModel(layout(2, 2))
    model.feed(crossed())
    assert model.check_deadlock() is None
    model.feed(events((30, 0, -1, Op.STATE, 2)))  # agent 0 is still doing something
    assert model.check_deadlock() is None
    assert model.check_deadlock() is not None


def test_timed_waits_are_never_a_deadlock() -> None:
    model = LiveModel(layout(2, 2))
    model.feed(crossed(wait_value=5_000_000))
    assert model.check_deadlock() is None
    assert model.check_deadlock() is None


def test_a_wait_that_ended_breaks_the_cycle() -> None:
    model = LiveModel(layout(2, 2))
    model.feed(crossed())
    model.feed(events((30, 1, 0, Op.ABANDONED, 5)))
    assert model.check_deadlock() is None
    assert model.check_deadlock() is None
