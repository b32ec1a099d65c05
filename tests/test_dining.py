"""Dining philosophers on both backends: naive deadlocks for real and is reported with the
whole cycle; ordered, waiter and trylock never deadlock and everyone eats. Safety is
checked from the events alone with an independent sweep (see helpers.holders_over_capacity).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from helpers import holders_over_capacity, max_holders_between, meals, of_op, run_round, run_until

from sims.rounds.commands import Resize, Timed
from sims.rounds.config import RoundConfig
from sims.rounds.result import RoundResult
from sims.scenarios import scenario_named
from sims.telemetry import Op, State

pytestmark = pytest.mark.timeout(120)

BACKENDS = ("thread", "process")
SAFE = ("ordered", "waiter", "trylock")
MEALS_EACH = 500
STRESS = {"think_ms": 0.0, "eat_ms": 0.0}
BRISK = {"think_ms": 0.5, "eat_ms": 0.5}  # still contended, slow enough to keep every record


def fork_indices(result: RoundResult) -> list[int]:
    return [r.index for r in result.layout.resources if r.name.startswith("fork ")]


def assert_forks_never_shared(result: RoundResult) -> None:
    for fork in fork_indices(result):
        assert holders_over_capacity(result.events, fork, 1) == [], result.layout.resources[fork].name


def state_before(events: np.ndarray, cut_ns: int) -> tuple[dict[int, set[int]], dict[int, int]]:
    """From the events alone: what each agent holds and waits for at ``cut_ns``."""
    held: dict[int, set[int]] = {}
    waiting: dict[int, int] = {}
    early = events[(events["t_ns"] <= cut_ns) & (events["agent"] >= 0)]
    for agent, resource, op in early[["agent", "resource", "op"]].tolist():
        if op == Op.ACQUIRED:
            held.setdefault(agent, set()).add(resource)
            waiting.pop(agent, None)
        elif op == Op.RELEASED:
            held.setdefault(agent, set()).discard(resource)
        elif op == Op.REQUEST:
            waiting[agent] = resource
        elif op in (Op.TIMED_OUT, Op.ABANDONED):
            waiting.pop(agent, None)
    return held, waiting


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("n", [5, 3])
def test_naive_deadlocks_and_reports_the_whole_cycle(backend: str, n: int) -> None:
    result = run_round("dining", backend=backend, strategy="naive", seconds=20, params={**STRESS, "agents": n})
    assert result.end_reason == "deadlock"
    cycle = result.deadlock
    assert cycle is not None
    forks = fork_indices(result)
    assert sorted(cycle.agents) == list(range(n))
    assert sorted(cycle.resources) == sorted(forks)
    # found while the round ran: it ended on the cycle, not on its 20 s (how soon is the machine's load)
    assert result.started_ns <= cycle.formed_ns <= cycle.detected_ns <= result.ended_ns
    held, waiting = state_before(result.events, cycle.detected_ns)
    for i, agent in enumerate(cycle.agents):
        wanted = cycle.resources[i]
        nxt = cycle.agents[(i + 1) % n]
        assert waiting.get(agent) == wanted, f"agent {agent} should wait for {wanted}"
        assert wanted in held.get(nxt, set()), f"agent {nxt} should hold {wanted}"
        right = result.layout.resource_named(f"fork {(agent + 1) % n}").index
        assert wanted == right  # a naive philosopher waits for its right fork
    assert_forks_never_shared(result)
    assert result.orphaned == ()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("strategy", SAFE)
def test_safe_strategies_never_deadlock_and_everyone_eats(backend: str, strategy: str) -> None:
    result = run_round("dining", backend=backend, strategy=strategy, seconds=1.5, params=BRISK)
    assert result.end_reason == "duration"
    assert result.deadlock is None
    eaten = meals(result)
    assert (eaten > 0).all(), f"someone never ate: {eaten.tolist()}"
    assert result.dropped == 0  # the sweeps below need every record
    assert_forks_never_shared(result)
    if strategy == "waiter":
        seats = result.layout.resource_named("seats")
        assert seats.capacity == 4
        assert holders_over_capacity(result.events, seats.index, seats.capacity) == []


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("strategy", SAFE)
def test_safe_strategies_survive_zero_think_and_eat(backend: str, strategy: str) -> None:
    """Flat out, the telemetry may overflow (counted); the round still never deadlocks."""
    result = run_round("dining", backend=backend, strategy=strategy, seconds=1.5, params=STRESS, detail=False)
    assert result.end_reason == "duration"
    assert result.deadlock is None
    eaten = meals(result)
    assert (eaten > 0).all(), f"someone never ate: {eaten.tolist()}"


@pytest.mark.slow
@pytest.mark.timeout(600)  # a safety net: the round is bounded by meals, not by seconds
@pytest.mark.parametrize("strategy", SAFE)
def test_safe_strategies_hold_for_hundreds_of_meals_each(strategy: str) -> None:
    """Seven philosophers until each has eaten MEALS_EACH times (it took a fixed 20 s each)."""
    params = {"think_ms": 1.0, "eat_ms": 1.0, "agents": 7}
    config = RoundConfig("dining", strategy=strategy, seconds=3600, params=params)
    result = run_until(config, lambda rnd: rnd.model is not None and rnd.model.operations.min() >= MEALS_EACH, 500)
    assert result.deadlock is None
    assert (meals(result) >= MEALS_EACH).all()
    assert_forks_never_shared(result)
    assert result.dropped == 0


def test_trylock_times_out_and_backs_off_under_contention() -> None:
    result = run_round("dining", strategy="trylock", seconds=1.0, params={**STRESS, "patience_ms": 0.5})
    timed_out = of_op(result.events, Op.TIMED_OUT)
    assert len(timed_out) > 0  # it does give up on a second fork...
    assert (timed_out["value"] >= 500_000).all()  # ...after waiting its patience
    assert result.deadlock is None


@pytest.mark.parametrize("backend", BACKENDS)
def test_live_grow_and_shrink_never_seat_more_than_the_capacity(backend: str) -> None:
    schedule = (
        Timed(0.4, Resize("seats", 1)),
        Timed(0.9, Resize("seats", 4)),
        Timed(1.4, Resize("seats", 2)),
        Timed(1.8, Resize("seats", 3)),
    )
    result = run_round(
        "dining",
        backend=backend,
        strategy="waiter",
        seconds=2.3,
        schedule=schedule,
        params={"think_ms": 1.0, "eat_ms": 3.0},
    )
    seats = result.layout.resource_named("seats").index
    assert holders_over_capacity(result.events, seats, 4) == []
    caps = of_op(result.events, Op.CAPACITY, resource=seats)
    values = caps["value"].tolist()
    for wanted in (1, 4, 2, 3):
        assert wanted in values, f"capacity {wanted} never recorded: {values}"
    # the grow really let more in: find the stretch at capacity 4 after the shrink to 1
    one = caps["t_ns"][caps["value"] == 1][0]
    four = caps["t_ns"][(caps["value"] == 4) & (caps["t_ns"] > one)][0]
    after_four = caps["t_ns"][caps["t_ns"] > four]
    assert max_holders_between(result.events, seats, int(one), int(four) - 1) <= 1
    assert max_holders_between(result.events, seats, int(four), int(after_four[0])) >= 2
    pending = of_op(result.events, Op.PENDING, resource=seats)["value"]
    assert (pending >= 0).all()
    assert_forks_never_shared(result)
    assert result.stats.over_capacity_ns == 0  # the statistics agree with the sweep
    assert (meals(result) > 0).all()


@pytest.mark.parametrize("backend", BACKENDS)
def test_meal_counts_agree_with_the_statistics(backend: str) -> None:
    result = run_round("dining", backend=backend, strategy="ordered", seconds=1.0)
    inside = result.events[(result.events["t_ns"] >= result.started_ns) & (result.events["t_ns"] <= result.ended_ns)]
    eaten = of_op(inside, Op.STATE)
    eaten = np.bincount(eaten["agent"][eaten["value"] == State.EATING], minlength=len(result.layout.agents))
    counted = {a.index: a.operations for a in result.stats.agents}
    assert counted == dict(enumerate(eaten.tolist()))
    assert result.stats.operations_total == int(eaten.sum()) > 0


class _OnlyInChunks:
    """A finished round's records that can be read a few at a time, never loaded whole."""

    def __init__(self, events: np.ndarray) -> None:
        self.events = events
        self.chunks_read = 0

    def chunks(self, size: int = 0) -> Iterator[np.ndarray]:
        for at in range(0, len(self.events), 7):
            self.chunks_read += 1
            yield self.events[at : at + 7]

    def load(self) -> np.ndarray:
        raise AssertionError("the whole round was loaded into memory")


@pytest.mark.parametrize("strategy", ["trylock", "ordered"])
def test_the_tables_own_numbers_are_counted_without_loading_the_round(strategy: str) -> None:
    """A long round's summary must not need all its records at once (they stream to disk)."""
    params = {"agents": 3, "think_ms": 0.0, "eat_ms": 1.0, "patience_ms": 0.0, "reach_ms": 1.0}
    result = run_round("dining", strategy=strategy, seconds=0.5, params=params)
    records = _OnlyInChunks(result.events)
    got = scenario_named("dining").finish_records(None, result.layout, records)  # type: ignore[arg-type]
    assert got == result.scenario_stats
    assert (records.chunks_read > 1) == (strategy == "trylock")  # the others have no numbers of their own
    if strategy == "trylock":
        assert got["putbacks"] > 0
