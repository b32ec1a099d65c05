"""The vectorised statistics against a plain-Python reference of the same definitions.

The reference below is written for clarity, not speed: lists, dicts and loops over
records, one definition at a time. Hypothesis drives simulated rounds (agents taking and
releasing locks and semaphores, signalling semaphores they never took, waiting, timing
out, the engine resizing semaphores) and every number of both must agree. A "careless"
round ignores capacity, so over-capacity time is compared too, and the records are
sometimes cut (a slice without ROUND_START, as for a rolling window) or shuffled.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from typing import Any, NamedTuple

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sims.rounds.layout import AgentInfo, ResourceInfo, RoundLayout
from sims.stats import compute_round_stats, hold_timeline, kitchen_stats, resource_timeline
from sims.telemetry import ENGINE_AGENT, EVENT_DTYPE, Op, State

pytestmark = pytest.mark.timeout(60)

QUANTILES = (50.0, 95.0, 99.0)
WAIT_ENDS = (Op.ACQUIRED, Op.TIMED_OUT, Op.ABANDONED)


class Rec(NamedTuple):
    t: int
    agent: int
    resource: int
    op: int
    value: int


# -- the reference ---------------------------------------------------------------------------------
def ref_percentiles(values: list[int]) -> dict[str, Any]:
    if not values:
        return {"count": 0, "mean": 0.0, "p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0}
    xs = sorted(values)
    out: dict[str, Any] = {"count": len(xs), "mean": sum(xs) / len(xs) / 1e6}
    for q in (*QUANTILES, 100.0):
        position = q / 100 * (len(xs) - 1)
        below = math.floor(position)
        above = min(below + 1, len(xs) - 1)
        value = xs[below] + (xs[above] - xs[below]) * (position - below)
        out["max" if q == 100.0 else f"p{int(q)}"] = value / 1e6
    return out


def ref_whole(recs: list[Rec]) -> bool:
    """The records are a round's whole history when the engine's ROUND_START is among them."""
    return any(r.op == Op.ROUND_START and r.agent < 0 for r in recs)


def ref_holds(recs: list[Rec], start: int, end: int) -> list[tuple[int, int, int, int]]:
    """FIFO per (agent, resource). A release with nothing acquired before it is, in a whole history,
    a signal, and a resource ever signalled has no holds; in a slice, it ends the oldest hold from
    before the slice."""
    whole = ref_whole(recs)
    by_key: dict[tuple[int, int], list[Rec]] = defaultdict(list)
    for r in recs:
        if r.agent >= 0 and r.resource >= 0 and r.op in (Op.ACQUIRED, Op.RELEASED):
            by_key[r.agent, r.resource].append(r)
    found = []
    signalled: set[int] = set()
    for (agent, resource), mine in by_key.items():
        balance = lowest = 0
        for r in mine:
            balance += 1 if r.op == Op.ACQUIRED else -1
            lowest = min(lowest, balance)
        held: deque[int | None] = deque([] if whole else [None] * -lowest)
        for r in mine:
            if r.op == Op.ACQUIRED:
                held.append(r.t)
            elif held:
                began = held.popleft()
                found.append((agent, resource, start if began is None else began, r.t))
        found.extend((agent, resource, began, end) for began in held)
        if whole and lowest < 0:
            signalled.add(resource)
    return [(a, res, max(s, start), e) for a, res, s, e in found if e >= start and res not in signalled]


def ref_open_waits(recs: list[Rec], start: int, end: int) -> list[tuple[int, int]]:
    """(agent, ns) of requests that no ACQUIRED/TIMED_OUT/ABANDONED of the same agent and resource follows."""
    pending: dict[tuple[int, int], list[int]] = defaultdict(list)
    for r in recs:
        if r.agent < 0 or r.resource < 0:
            continue
        if r.op == Op.REQUEST:
            pending[r.agent, r.resource].append(r.t)
        elif r.op in WAIT_ENDS:
            pending[r.agent, r.resource].clear()
    return [(agent, end - max(t, start)) for (agent, _), ts in pending.items() for t in ts]


def ref_levels(recs: list[Rec], info: ResourceInfo, start: int):
    """(time, permits in use, capacity) at every instant from ``start`` on, after all its changes.

    Permits in use: ACQUIRED minus RELEASED on the resource by any agent, from 0 in a whole
    history; in a slice, from the fewest earlier holds that keep it >= 0, unless that would
    exceed the capacity somewhere (then as many as fit).
    """
    moves = [r for r in recs if r.resource == info.index and r.agent >= 0 and r.op in (Op.ACQUIRED, Op.RELEASED)]
    caps = [r for r in recs if r.resource == info.index and r.op == Op.CAPACITY]
    levels = []
    for t in sorted({start} | {r.t for r in moves + caps}):
        in_use = sum(1 if r.op == Op.ACQUIRED else -1 for r in moves if r.t <= t)
        capacity = info.capacity
        for c in caps:
            if c.t <= t:
                capacity = c.value
        levels.append((t, in_use, capacity))
    earlier = 0
    if not ref_whole(recs):
        enough = max(0, *(-use for _, use, _ in levels))
        room = min(info.capacity, *(cap - use for _, use, cap in levels))
        earlier = min(enough, room)
    return [(t, use + earlier, cap) for t, use, cap in levels if t >= start]


def ref_resource(info: ResourceInfo, recs: list[Rec], window: list[Rec], start: int, end: int) -> dict:
    levels = ref_levels(recs, info, start)
    held = offered = over = 0
    for (t, in_use, capacity), nxt in zip(levels, [*(lv[0] for lv in levels[1:]), end], strict=True):
        held += max(in_use, 0) * (nxt - t)
        offered += capacity * (nxt - t)
        over += (nxt - t) if in_use > capacity else 0
    acquired = [r for r in window if r.op == Op.ACQUIRED and r.agent >= 0 and r.resource == info.index]
    handoffs, previous = 0, None
    for r in recs:
        if r.op == Op.ACQUIRED and r.agent >= 0 and r.resource == info.index:
            if r.t >= start and previous is not None and r.agent != previous and r.value > 0:
                handoffs += 1
            previous = r.agent
    return {
        "index": info.index,
        "name": info.name,
        "kind": info.kind,
        "acquisitions": len(acquired),
        "utilisation": held / offered if offered > 0 else 0.0,
        "max_holders": max(0, *(lv[1] for lv in levels)),
        "capacity_min": min(lv[2] for lv in levels),
        "capacity_max": max(lv[2] for lv in levels),
        "over_capacity_ns": over,
        "handoffs": handoffs,
        "wait_ms": ref_percentiles([min(r.value, r.t - start) for r in acquired]),
    }


def ref_agent(info: AgentInfo, window: list[Rec], holds, open_waits, layout: RoundLayout, ops, seconds, start):
    lockish = {r.index for r in layout.resources if r.kind in ("lock", "semaphore")}
    mine = [r for r in window if r.agent == info.index]
    want = ops.get(info.index)
    operations = sum(1 for r in mine if want and r.op == want[0] and want[1] in (-1, r.value))
    waits = [min(r.value, r.t - start) for r in mine if r.op == Op.ACQUIRED and r.resource >= 0]
    ended = [
        min(r.value, r.t - start)
        for r in mine
        if r.op == Op.TIMED_OUT or (r.op == Op.ABANDONED and r.resource in lockish)
    ]
    still = [ns for agent, ns in open_waits if agent == info.index]
    return {
        "index": info.index,
        "name": info.name,
        "operations": operations,
        "throughput_per_s": operations / seconds if seconds > 0 else 0.0,
        "acquisitions": len(waits),
        "timeouts": sum(1 for r in mine if r.op == Op.TIMED_OUT),
        "wait_ms": ref_percentiles(waits),
        "hold_ms": ref_percentiles([e - s for a, _, s, e in holds if a == info.index]),
        "longest_wait_ms": max([0, *waits, *ended, *still]) / 1e6,
        "counted": info.counted,
    }


def ref_round(recs: list[Rec], layout: RoundLayout, start: int, end: int, ops: dict) -> dict:
    n_agents = len(layout.agents)
    recs = [r for r in sorted(recs, key=lambda r: r.t) if r.t <= end and -1 <= r.agent < n_agents]
    window = [r for r in recs if r.t >= start]
    holds = ref_holds(recs, start, end)
    seconds = (end - start) / 1e9
    open_waits = ref_open_waits(recs, start, end)
    agents = [ref_agent(a, window, holds, open_waits, layout, ops, seconds, start) for a in layout.agents]
    resources = [
        ref_resource(info, recs, window, start, end) for info in layout.resources if info.kind in ("lock", "semaphore")
    ]
    total = sum(a["operations"] for a in agents)
    counts = [a["operations"] for a in agents if a["counted"]]
    workers = sum(counts)
    waits = [min(r.value, r.t - start) for r in window if r.op == Op.ACQUIRED and r.agent >= 0 and r.resource >= 0]
    return {
        "start_ns": start,
        "end_ns": end,
        "duration_s": seconds,
        "operations_total": total,
        "throughput_per_s": total / seconds if seconds > 0 else 0.0,
        "jain": workers**2 / (len(counts) * sum(c * c for c in counts)) if workers else 0.0,
        "longest_wait_ms": max((a["longest_wait_ms"] for a in agents), default=0.0),
        "starved": [a["name"] for a in agents if a["counted"] and a["operations"] == 0],
        "wait_ms": ref_percentiles(waits),
        "agents": agents,
        "resources": resources,
    }


def ref_kitchen(recs: list[Rec], container: int, final: list[int]) -> dict:
    recs = sorted(recs, key=lambda r: r.t)
    puts = [r for r in recs if r.op == Op.ITEM_PUT and r.resource == container]
    takes = [r for r in recs if r.op == Op.ITEM_TAKEN and r.resource == container]
    put_ids, taken_ids = {r.value for r in puts}, [r.value for r in takes]
    duplicated = sum(1 for i, item in enumerate(taken_ids) if item not in put_ids or item in taken_ids[:i])
    level: dict[int, int] = {}
    running = 0
    for r in sorted(puts + takes, key=lambda r: r.t):
        running += 1 if r.op == Op.ITEM_PUT else -1
        level[r.t] = running
    return {
        "produced": len(puts),
        "consumed": len(takes),
        "on_pass": len(final),
        "lost": len(put_ids - set(taken_ids) - set(final)),
        "duplicated": duplicated,
        "max_occupancy": max([0, *level.values()]),
        "occupancy_t_ns": list(level),
        "occupancy": list(level.values()),
    }


# -- simulated rounds ------------------------------------------------------------------------------
class Sim:
    """Agents on locks and semaphores with a shrinking/growing engine; records what they do."""

    def __init__(self, layout: RoundLayout, careless: bool) -> None:
        self.layout, self.careless, self.t = layout, careless, 0
        self.recs: list[Rec] = []
        lockish = layout.of_kind("lock", "semaphore")
        self.resources = [r.index for r in lockish]
        self.capacity = {r.index: r.capacity for r in lockish}
        self.pending = dict.fromkeys(self.capacity, 0)
        self.in_use = dict.fromkeys(self.capacity, 0)  # ACQUIRED minus RELEASED
        self.held: dict[int, list[int]] = defaultdict(list)
        self.waiting: dict[int, tuple[int, int]] = {}
        self.emit(ENGINE_AGENT, -1, Op.ROUND_START, len(layout.agents))

    def emit(self, agent: int, resource: int, op: int, value: int) -> None:
        self.recs.append(Rec(self.t, agent, resource, int(op), int(value)))

    def room(self, resource: int) -> bool:
        return self.careless or self.in_use[resource] < self.capacity[resource]

    def take(self, agent: int, resource: int, waited: int) -> None:
        self.emit(agent, resource, Op.ACQUIRED, waited)
        self.in_use[resource] += 1
        self.held[agent].append(resource)

    def acquire(self, agent: int, pick: int) -> None:
        if agent in self.waiting or not self.resources:
            return
        resource = self.resources[pick % len(self.resources)]
        if self.room(resource):
            self.take(agent, resource, 0)
        else:
            self.emit(agent, resource, Op.REQUEST, -1 if pick % 2 else 1000)
            self.waiting[agent] = (resource, self.t)

    def finish_wait(self, agent: int, pick: int) -> None:
        if agent not in self.waiting:
            return
        resource, since = self.waiting.pop(agent)
        if self.room(resource):
            self.take(agent, resource, self.t - since)
        else:
            self.emit(agent, resource, Op.ABANDONED if pick == 3 else Op.TIMED_OUT, self.t - since)

    def release(self, agent: int, pick: int) -> None:
        if self.held[agent]:
            self.give_back(agent, self.held[agent].pop(pick % len(self.held[agent])))

    def signal(self, agent: int, pick: int) -> None:
        """Release a semaphore this agent never acquired, as a producer signals "full"."""
        semaphores = [r.index for r in self.layout.of_kind("semaphore")]
        if semaphores:
            self.give_back(agent, semaphores[pick % len(semaphores)])

    def give_back(self, agent: int, resource: int) -> None:
        self.in_use[resource] -= 1
        self.emit(agent, resource, Op.RELEASED, 0)
        if self.pending[resource] > 0:  # the returned permit pays off a shrink
            self.pending[resource] -= 1
            self.capacity[resource] -= 1
            self.emit(agent, resource, Op.CAPACITY, self.capacity[resource])

    def resize(self, pick: int, target: int) -> None:
        semaphores = [r.index for r in self.layout.of_kind("semaphore")]
        if not semaphores:
            return
        resource = semaphores[pick % len(semaphores)]
        change = target - (self.capacity[resource] - self.pending[resource])
        if change > 0:
            cancelled = min(change, self.pending[resource])
            self.pending[resource] -= cancelled
            self.capacity[resource] += change - cancelled
        elif change < 0:
            free = max(0, self.capacity[resource] - self.in_use[resource])
            taken = min(-change, free)
            self.capacity[resource] -= taken
            self.pending[resource] += -change - taken
        self.emit(ENGINE_AGENT, resource, Op.CAPACITY, self.capacity[resource])
        self.emit(ENGINE_AGENT, resource, Op.PENDING, self.pending[resource])

    def noise(self, agent: int, pick: int) -> None:
        """Records that must not disturb anything: an Event's wait, the engine, an unlisted agent, states."""
        event = self.layout.of_kind("event")[0].index
        if pick == 0:
            self.emit(agent, event, Op.WAIT, -1)
            self.emit(agent, event, Op.ABANDONED, 10)
        elif pick == 1:
            self.emit(ENGINE_AGENT, self.resources[0] if self.resources else 0, Op.ACQUIRED, 5)
        elif pick == 2:
            self.emit(len(self.layout.agents), self.resources[0] if self.resources else 0, Op.ACQUIRED, 7)
        self.emit(agent, -1, Op.STATE, (State.THINKING, State.HUNGRY, State.EATING, State.EATING)[pick])

    def step(self, action: int, agent: int, dt: int, pick: int) -> None:
        self.t += dt
        if action <= 3 and agent in self.waiting:
            self.finish_wait(agent, pick)
        elif action <= 3:
            self.acquire(agent, pick)
        elif action <= 5:
            self.release(agent, pick)
        elif action == 6:
            self.signal(agent, pick)
        elif action == 7:
            self.resize(pick, dt % 4)
        else:
            self.noise(agent, pick)


OPERATION_CHOICES = [None, (int(Op.STATE), int(State.EATING)), (int(Op.STATE), -1), (int(Op.ACQUIRED), -1)]


class Case(NamedTuple):
    events: np.ndarray
    recs: list[Rec]
    plan: RoundLayout
    start: int
    end: int
    ops: dict[int, tuple[int, int]]


@st.composite
def rounds(draw: st.DrawFn, pristine: bool = False) -> Case:
    n_agents = draw(st.integers(1, 4))
    n_locks = draw(st.integers(0, 2))
    kinds = [("lock", 1)] * n_locks
    kinds += [("semaphore", draw(st.integers(0, 3))) for _ in range(draw(st.integers(1 if n_locks == 0 else 0, 2)))]
    kinds.append(("event", 1))
    plan = RoundLayout(
        "ref",
        "any",
        "thread",
        0,
        tuple(AgentInfo(i, f"a{i}", "agent", "thread", counted=draw(st.booleans())) for i in range(n_agents)),
        tuple(ResourceInfo(i, f"r{i}", kind, cap) for i, (kind, cap) in enumerate(kinds)),
    )
    careless, cut, shuffled = (False, False, False) if pristine else tuple(draw(st.booleans()) for _ in range(3))
    sim = Sim(plan, careless)
    rng = draw(st.randoms(use_true_random=False))  # long rounds: hypothesis' own lists stay short
    for _ in range(draw(st.integers(0, 300))):
        dt = 0 if rng.random() < 0.2 else rng.randint(1, 40)
        sim.step(rng.randint(0, 8), rng.randrange(n_agents), dt, rng.randint(0, 3))
    recs = sim.recs[draw(st.integers(0, len(sim.recs))) :] if cut else sim.recs
    if shuffled:
        recs = draw(st.permutations(recs))
    if draw(st.booleans()):
        start, end = 0, sim.t
    else:
        start = draw(st.integers(-5, sim.t + 5))
        end = start + draw(st.integers(0, sim.t + 10))
    ops = {a: choice for a in range(n_agents) if (choice := draw(st.sampled_from(OPERATION_CHOICES)))}
    return Case(to_array(recs), recs, plan, start, end, ops)


def to_array(recs: list[Rec]) -> np.ndarray:
    return np.array([tuple(r) for r in recs], dtype=EVENT_DTYPE) if recs else np.empty(0, EVENT_DTYPE)


def assert_same(got: Any, want: Any, where: str = "stats") -> None:
    """Equal structure, equal ints and strings, floats within rounding."""
    if isinstance(want, dict):
        assert set(got) == set(want), where
        for key in want:
            assert_same(got[key], want[key], f"{where}.{key}")
    elif isinstance(want, list):
        assert len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_same(g, w, f"{where}[{i}]")
    elif isinstance(want, float):
        assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12), f"{where}: {got} != {want}"
    else:
        assert got == want and type(got) is type(want), f"{where}: {got!r} != {want!r}"


# Each example is a round of up to 300 steps checked against a slow reference: 100 (and 50) a run
# keep the suite's minutes; every run draws new ones.
PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SECONDARY = settings(PROPERTY, max_examples=50)


@PROPERTY
@given(rounds())
def test_round_stats_match_the_reference(case: Case) -> None:
    got = compute_round_stats(case.events, case.plan, case.start, case.end, case.ops)
    want = ref_round(case.recs, case.plan, case.start, case.end, case.ops)
    assert_same(got.to_dict(), want)
    flat = got.flat()
    assert flat["p95_wait_ms"] == got.wait_ms.p95 and flat["starved_count"] == len(want["starved"])
    assert flat["timeouts_total"] == sum(a["timeouts"] for a in want["agents"])
    assert flat["handoffs_total"] == sum(r["handoffs"] for r in want["resources"])
    assert flat["over_capacity_ns"] == sum(r["over_capacity_ns"] for r in want["resources"])


@SECONDARY
@given(rounds(pristine=True))
def test_a_correct_engine_is_never_over_capacity(case: Case) -> None:
    got = compute_round_stats(case.events, case.plan, case.start, case.end, case.ops)
    assert all(r.over_capacity_ns == 0 and r.max_holders <= r.capacity_max for r in got.resources)


@SECONDARY
@given(rounds())
def test_timelines_match_the_reference(case: Case) -> None:
    start, end = case.start, case.end
    ordered = [r for r in sorted(case.recs, key=lambda r: r.t) if r.t <= end]  # every agent, unlisted too
    table = hold_timeline(case.events, start, end)
    want = sorted(ref_holds(ordered, start, end), key=lambda h: (h[2], h[0], h[1], h[3]))
    got = sorted((tuple(h) for h in table.tolist()), key=lambda h: (h[2], h[0], h[1], h[3]))
    assert got == want
    assert np.all(np.diff(table["start_ns"]) >= 0)
    for info in case.plan.of_kind("lock", "semaphore"):
        series = resource_timeline(case.events, info, start, end)
        levels = ref_levels(ordered, info, start)
        assert series.t_ns.tolist() == [lv[0] for lv in levels]
        assert series.holders.tolist() == [lv[1] for lv in levels]
        assert series.capacity.tolist() == [lv[2] for lv in levels]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 30), st.booleans(), st.integers(0, 6), st.integers(0, 1)), max_size=40),
    st.lists(st.integers(0, 6), max_size=4, unique=True),
)
def test_kitchen_matches_the_reference(moves: list[tuple[int, bool, int, int]], final: list[int]) -> None:
    recs = [Rec(t, 0, container, int(Op.ITEM_PUT if put else Op.ITEM_TAKEN), item) for t, put, item, container in moves]
    got = kitchen_stats(to_array(recs), 0, final).to_dict()
    want = ref_kitchen(recs, 0, final)
    assert got.pop("container") == 0
    assert_same(got, want)
