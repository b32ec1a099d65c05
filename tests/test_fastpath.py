"""Detail off: uncontended Lock holds are counted, not recorded, and the statistics stay those of detail on.

A scripted schedule (agents taking and releasing locks, eating, failing to take a held lock)
runs twice on real Locks in one thread, on a clock the script sets: once recording every
hold (detail on), once with each agent's Tally. The two record streams must give the same
round statistics, in memory and streamed, except what docs/data.md says detail off does not
keep (the percentiles p50/p95/p99 of summed-up holds).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sims.agents import Me
from sims.engine.round import to_events
from sims.primitives import Lock, _tally
from sims.primitives import lock as lock_module
from sims.primitives._tally import Tally, flush_tally
from sims.rounds.layout import AgentInfo, RoundLayout
from sims.rounds.world import World
from sims.runtime import CUT, DETAIL, Runtime
from sims.scenarios.dining import Philosopher
from sims.stats import compute_round_stats
from sims.stats.stream import StreamingStats
from sims.telemetry import ENGINE_AGENT, Op, RingReader, RingWriter, State, op_code
from tests.helpers import of_op, run_round
from tests.test_stats_reference import SECONDARY, assert_same

CAPACITY = 1 << 12
_EATING = op_code(Op.STATE)


class Clock:
    """The script's clock: every record and every hold of a step is stamped with the step's time."""

    def __init__(self) -> None:
        self.now = 1_000

    def __call__(self) -> int:
        return self.now


class ClockedWriter(RingWriter):
    """A ring writer that reads the script's clock (``emit_at`` passes its own instant)."""

    clock: Clock

    def emit(self, code: int, value: int, _now: Any = None, _pack: Any = None) -> None:  # type: ignore[override]
        super().emit(code, value, _now or self.clock)


class Table:
    """A runtime, locks and one writer per agent, driven step by step from this thread. With
    ``own``, each agent uses its own ``Lock.for_agent`` twin of every lock (as dining's philosophers)."""

    def __init__(self, agents: int, locks: int, counted: bool, clock: Clock, own: bool = False) -> None:
        self.rt = Runtime(None, shared=False)
        world = World("thread", None, self.rt)
        self.locks: list[Lock] = [world.lock(f"fork {i}") for i in range(locks)]
        self.seats = [[lock.for_agent() if own else lock for lock in self.locks] for _ in range(agents)]
        self.rt.allocate(agents + 1, CAPACITY)
        self.reader = RingReader(self.rt.buffer, agents + 1, CAPACITY)
        self.writers = [self._writer(ring, ring, clock) for ring in range(agents)]
        self.engine = self._writer(agents, ENGINE_AGENT, clock)
        for writer in self.writers:
            writer.tally = Tally(writer.emit_at, self.rt.control) if counted else None
        infos = tuple(AgentInfo(i, f"agent {i}", "agent", world.backend) for i in range(agents))
        self.layout = RoundLayout("fastpath", "none", world.backend, 0, infos, tuple(world.resources))
        self.holder: list[int | None] = [None] * locks
        self.events: list[np.ndarray] = []

    def _writer(self, ring: int, agent: int, clock: Clock) -> ClockedWriter:
        writer = ClockedWriter(self.rt.buffer, ring, CAPACITY, agent)
        writer.clock = clock
        return writer

    def act(self, agent: int) -> None:
        self.rt.agents_here.writer = self.writers[agent]

    def drain(self) -> None:
        self.events.append(to_events(self.reader.drain()))

    def close(self) -> None:
        self.rt.agents_here.writer = None
        self.rt.close()


def play(
    script: list[tuple[int, int, int, int]], agents: int, locks: int, counted: bool, own: bool = False
) -> tuple[Any, ...]:
    """Run ``script`` (dt, agent, action, lock): the records, the layout, the round's start and end."""
    clock = Clock()
    table = Table(agents, locks, counted, clock, own)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lock_module, "_NOW", clock)  # the holds' clock, read on the fast path
        patch.setattr(_tally, "_NOW", clock)
        return _played(table, clock, script, agents)


def _played(table: Table, clock: Clock, script: list[tuple[int, int, int, int]], agents: int) -> tuple[Any, ...]:
    try:
        start = clock.now
        table.engine.emit(op_code(Op.ROUND_START), agents)
        for dt, agent, action, which in script:
            clock.now += dt
            _step(table, agent, action, which)
            table.drain()
        clock.now += 1
        table.rt.control[CUT] = float(clock.now)  # as the engine ends a round
        end = clock.now + 1
        table.engine.emit_at(op_code(Op.ROUND_END), 0, end)
        for agent in range(agents):  # each agent stops: it lets go of what it holds, then flushes
            clock.now += 3
            table.act(agent)
            for lock, holder in zip(table.seats[agent], table.holder, strict=True):
                if holder == agent:
                    lock.release()
            flush_tally(table.rt.agents_here)
        table.drain()
        return np.concatenate(table.events), table.layout, start, end
    finally:
        table.close()


def _step(table: Table, agent: int, action: int, which: int) -> None:
    """0: take the lock if free (a failed try is a contended event); 1: release one the agent
    holds; 2: eat; 3: release a lock another agent holds (a Lock used as a signal)."""
    table.act(agent)
    lock, holder = table.seats[agent][which], table.holder[which]
    if action == 0:
        if lock.acquire(blocking=False):
            table.holder[which] = agent
    elif action == 1 and holder == agent:
        lock.release()
        table.holder[which] = None
    elif action == 2:
        table.writers[agent].emit(_EATING, State.EATING)
    elif action == 3 and holder is not None and holder != agent:
        lock.release()
        table.holder[which] = None


def scripts() -> st.SearchStrategy[tuple[int, int, list[tuple[int, int, int, int]]]]:
    def script(agents: int, locks: int) -> st.SearchStrategy[Any]:
        step = st.tuples(
            st.integers(1, 5_000),
            st.integers(0, agents - 1),
            st.sampled_from((0, 0, 1, 1, 2, 3)),
            st.integers(0, locks - 1),
        )
        return st.tuples(st.just(agents), st.just(locks), st.lists(step, max_size=60))

    return st.tuples(st.integers(1, 3), st.integers(1, 3)).flatmap(lambda ab: script(*ab))


def _statistics(events: np.ndarray, layout: RoundLayout, start: int, end: int) -> tuple[dict[str, Any], ...]:
    ops = {a.index: (int(Op.STATE), int(State.EATING)) for a in layout.agents}
    at_once = compute_round_stats(events, layout, start, end, ops).to_dict()
    stream = StreamingStats(layout, ops, start)
    stream.end_ns = end
    for chunk in np.array_split(events[np.argsort(events["t_ns"], kind="stable")], 3):
        stream.feed(chunk)
    return at_once, stream.finish(end).to_dict()


def _known(counted: dict[str, Any], recorded: dict[str, Any]) -> dict[str, Any]:
    """Detail off's statistics with the hold percentiles it does not know (NaN) taken from detail on;
    any other NaN stays, and fails the comparison."""
    for off, on in zip(counted["agents"], recorded["agents"], strict=True):
        for q in ("p50", "p95", "p99"):
            if math.isnan(off["hold_ms"][q]):
                off["hold_ms"][q] = on["hold_ms"][q]
    return counted


@SECONDARY
@given(scripts(), st.booleans())
def test_statistics_of_counted_holds_equal_those_of_recorded_holds(
    case: tuple[int, int, list[tuple[int, int, int, int]]], own: bool
) -> None:
    agents, locks, script = case
    recorded = play(script, agents, locks, counted=False, own=own)
    counted = play(script, agents, locks, counted=True, own=own)
    for off, on in zip(_statistics(*counted), _statistics(*recorded), strict=True):
        assert_same(_known(off, on), on)
    summaries = of_op(counted[0], Op.HOLDS)  # each with its HELD and LONGEST_HOLD
    holds = int(summaries["value"].sum())
    assert len(counted[0]) == len(recorded[0]) - 2 * holds + 3 * len(summaries)


def test_a_held_lock_is_announced_before_its_holder_waits() -> None:
    """The engine sees what a waiting agent holds, as with detail on (deadlock verdicts need it)."""
    played = play([(10, 0, 0, 0), (10, 1, 0, 1), (10, 0, 0, 1)], agents=2, locks=2, counted=True)
    events = played[0]
    announced = of_op(events, Op.ACQUIRED, agent=0, resource=0)
    timed_out = of_op(events, Op.TIMED_OUT, agent=0, resource=1)
    assert len(announced) == 1 and len(timed_out) == 1
    assert int(announced["t_ns"][0]) == 1_010  # stamped when it was taken, not when announced
    assert np.flatnonzero(events["op"] == Op.ACQUIRED)[0] < np.flatnonzero(events["op"] == Op.TIMED_OUT)[0]


def test_a_hold_released_once_the_round_ends_is_recorded() -> None:
    """A hold that ends after CUT may end after the round's end instant: it is recorded, so the
    statistics clip it there as with detail on; holds counted before CUT are summed up at CUT."""
    events = play([(10, 0, 0, 0), (10, 0, 1, 0), (10, 0, 0, 0)], agents=1, locks=1, counted=True)[0]
    mine = events[events["agent"] == 0]
    ops = [(Op(op).name, int(t), int(v)) for op, t, v in zip(mine["op"], mine["t_ns"], mine["value"], strict=True)]
    cut = 1_031
    assert ops == [
        ("ACQUIRED", 1_030, 0),  # taken before CUT, released after: announced at its release
        ("RELEASED", cut + 3, 0),
        ("HOLDS", cut, 1),  # the hold from 1_010 to 1_020, summed up and stamped at CUT
        ("HELD", cut, 10),
        ("LONGEST_HOLD", cut, 10),
    ]


@pytest.mark.parametrize("backend", ["thread", "process"])
def test_a_lean_dining_round_counts_two_acquisitions_per_meal(backend: str) -> None:
    """Real agents, detail off: every meal takes two forks, all but a meal in progress at the end eaten."""
    params = {"agents": 3, "think_ms": 0.0, "eat_ms": 0.0}
    result = run_round("dining", backend=backend, strategy="ordered", seconds=1.0, params=params, detail=False)
    summaries = of_op(result.events, Op.HOLDS)
    assert len(summaries), "no hold was counted"
    assert result.record_count < 4 * result.stats.operations_total  # detail on writes 5 records a meal
    for agent in result.stats.agents:
        assert agent.operations > 0
        assert 2 * agent.operations <= agent.acquisitions <= 2 * agent.operations + 2
        assert agent.wait_ms.count == agent.acquisitions


class CountedMeals(Me):
    """A philosopher's ``me`` whose round goes on for exactly ``meals`` meals."""

    def __init__(self, meals: int, *args: Any) -> None:
        super().__init__(*args)
        self.left = meals

    def running(self) -> bool:
        self.left -= 1
        return self.left >= 0


@pytest.mark.parametrize("own", [False, True])
def test_an_uncontended_lean_meal_of_the_dining_philosopher_writes_one_record(own: bool) -> None:
    """Detail off, no contention: each meal of the scenario's own loop is its EATING record; the two
    fork holds are counted (written once, when the agent stops), the states that do not count skipped.
    With its own twins of the forks (``own``, as dining builds them) too."""
    rt = Runtime(None, shared=False)
    rt.allocate(1, CAPACITY)
    try:
        writer = rt.bind(0, 0)
        reader = RingReader(rt.buffer, 1, CAPACITY)
        rt.control[DETAIL] = 0.0
        writer.tally = Tally(writer.emit_at, rt.control)
        forks = [Lock(f"fork {i}", i, rt) for i in range(2)]
        forks = [fork.for_agent() for fork in forks] if own else forks
        labels = {"take first fork": 0, "take second fork": 1}
        me = CountedMeals(50, 0, "philosopher 0", "thread", rt, writer, None, 1, labels, frozenset({State.EATING}))
        Philosopher(*forks, think_ms=0.0, eat_ms=0.0).run(me)
        eaten = to_events(reader.drain())
        flush_tally(rt.agents_here)
        summaries = to_events(reader.drain())
    finally:
        rt.unbind()
        rt.close()
    assert eaten["op"].tolist() == [Op.STATE] * 50 and set(eaten["value"].tolist()) == {State.EATING}
    assert sorted(of_op(summaries, Op.HOLDS)[["resource", "value"]].tolist()) == [(0, 50), (1, 50)]
    assert len(summaries) == 6  # HOLDS, HELD and LONGEST_HOLD per fork, nothing announced


def test_a_lock_for_an_agent_that_keeps_no_tally_becomes_a_plain_lock() -> None:
    """Detail on (no Tally): the twin turns into a Lock at its first use and records as one."""
    rt = Runtime(None, shared=False)
    rt.allocate(1, CAPACITY)
    try:
        rt.bind(0, 0)
        reader = RingReader(rt.buffer, 1, CAPACITY)
        fork = Lock("fork 0", 0, rt).for_agent()
        with fork:
            pass
        events = to_events(reader.drain())
    finally:
        rt.unbind()
        rt.close()
    assert type(fork) is Lock
    assert events["op"].tolist() == [Op.ACQUIRED, Op.RELEASED]
