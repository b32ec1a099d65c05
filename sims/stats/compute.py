"""Round statistics from a window of telemetry, vectorised over events.

One function serves both the live view (a slice of recent records and a rolling window)
and the end-of-round summary. Records count when ``start_ns <= t_ns <= end_ns``; records
before ``start_ns`` are still read so that holds and waits that began earlier are known,
and are clipped to start at ``start_ns``. Records after ``end_ns`` are ignored.

Waits: an ACQUIRED record's value is the ns waited, clipped to ``t - start_ns``. The
longest wait of an agent also counts TIMED_OUT and ABANDONED waits and waits still open
at ``end_ns`` (see :func:`sims.stats.intervals.open_waits`), on locks and semaphores only
(an Event's ABANDONED is not a wait for a resource).
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import numpy as np

from sims.rounds.layout import RoundLayout
from sims.stats.intervals import Columns, Keyed, check_window, holds, open_waits, up_to
from sims.stats.timeline import step_series
from sims.stats.values import NS_PER_MS, NS_PER_S, AgentStats, Percentiles, ResourceStats, RoundStats
from sims.telemetry import Op

RESOURCE_KINDS = ("lock", "semaphore")
_WAIT_ENDS = (Op.ACQUIRED, Op.TIMED_OUT, Op.ABANDONED)


def compute_round_stats(
    events: np.ndarray,
    layout: RoundLayout,
    start_ns: int,
    end_ns: int,
    operation_ops: Mapping[int, tuple[int, int]],
) -> RoundStats:
    """Statistics of ``[start_ns, end_ns]``.

    ``operation_ops`` maps an agent index to the (op, value) record that counts as one of
    its operations (value -1: any value), e.g. ``(Op.STATE, State.EATING)`` for a meal.
    Agents absent from it count 0 operations (and so are starved) but are still listed.
    """
    check_window(start_ns, end_ns)
    scope = _Scope.of(events, layout, start_ns, end_ns)
    agents = _agent_stats(scope, operation_ops)
    resources = _resource_stats(scope)
    return _round_stats(scope, agents, resources)


@attrs.frozen(eq=False)
class _Scope:
    """What every part of the computation reads: the window, the records and the holds."""

    layout: RoundLayout
    start_ns: int
    end_ns: int
    cols: Columns  # every record up to end_ns
    window: Columns  # the records from start_ns on
    keyed: Keyed
    held: np.ndarray  # HOLD_DTYPE
    waits: Columns  # ACQUIRED records in the window, value = wait clipped to it
    n_agents: int  # agent indices 0 .. n_agents-1 are listed (others are ignored)

    @classmethod
    def of(cls, events: np.ndarray, layout: RoundLayout, start_ns: int, end_ns: int) -> _Scope:
        cols = Columns.of(up_to(events, end_ns))
        window = cols.select(slice(int(np.searchsorted(cols.t, start_ns, side="left")), None))
        keyed = Keyed.of(cols)
        n_agents = 1 + max((a.index for a in layout.agents), default=-1)
        return cls(
            layout,
            start_ns,
            end_ns,
            cols,
            window,
            keyed,
            holds(keyed, start_ns, end_ns),
            _acquired_waits(window, n_agents, start_ns),
            n_agents,
        )

    @property
    def seconds(self) -> float:
        return (self.end_ns - self.start_ns) / NS_PER_S


def _acquired_waits(window: Columns, n_agents: int, start_ns: int) -> Columns:
    """The window's ACQUIRED records by listed agents, ``value`` = wait clipped to the window."""
    found = window.select(
        (window.op == Op.ACQUIRED) & (window.agent >= 0) & (window.agent < n_agents) & (window.resource >= 0)
    )
    return Columns(found.t, found.agent, found.resource, found.op, np.minimum(found.value, found.t - start_ns))


def _per_agent(cols: Columns, op: int, n_agents: int) -> np.ndarray:
    """How many records of ``op`` each listed agent wrote."""
    agent = cols.agent[cols.op == op]
    return np.bincount(agent[(agent >= 0) & (agent < n_agents)], minlength=n_agents)


def _operations(window: Columns, operation_ops: Mapping[int, tuple[int, int]], n_agents: int) -> np.ndarray:
    """Operations per agent: records matching that agent's (op, value), looked up per record."""
    want_op = np.full(n_agents, -1, np.int64)  # -1 matches no op (ops are unsigned)
    want_value = np.full(n_agents, -1, np.int64)
    for agent, (op, value) in operation_ops.items():
        if 0 <= agent < n_agents:
            want_op[agent], want_value[agent] = op, value
    candidate = np.isin(window.op, np.unique(want_op[want_op >= 0]))
    agent = window.agent[candidate]
    listed = (agent >= 0) & (agent < n_agents)
    agent, op, value = agent[listed], window.op[candidate][listed], window.value[candidate][listed]
    match = (op == want_op[agent]) & ((want_value[agent] == -1) | (value == want_value[agent]))
    return np.bincount(agent[match], minlength=n_agents)


def _waitable(layout: RoundLayout, resource: np.ndarray) -> np.ndarray:
    """Which records are on a lock or semaphore of the layout."""
    table = np.zeros(1 + max((r.index for r in layout.resources), default=0), dtype=bool)
    table[[r.index for r in layout.of_kind(*RESOURCE_KINDS)]] = True
    inside = (resource >= 0) & (resource < table.size)
    return inside & table[np.where(inside, resource, 0)]


def _longest_waits(scope: _Scope) -> np.ndarray:
    """Longest wait in ns per agent: completed waits in the window and waits still open."""
    window, layout = scope.window, scope.layout
    ended = window.select(np.isin(window.op, _WAIT_ENDS) & _waitable(layout, window.resource))
    still = open_waits(scope.keyed, scope.start_ns, scope.end_ns)
    still = still.select(_waitable(layout, still.resource))
    agent = np.concatenate((ended.agent, still.agent))
    waited = np.concatenate((np.minimum(ended.value, ended.t - scope.start_ns), still.value))
    listed = (agent >= 0) & (agent < scope.n_agents)
    longest = np.zeros(scope.n_agents, np.int64)
    np.maximum.at(longest, agent[listed], waited[listed])
    return longest


def _agent_stats(scope: _Scope, operation_ops: Mapping[int, tuple[int, int]]) -> tuple[AgentStats, ...]:
    n, waits, held = scope.n_agents, scope.waits, scope.held
    operations = _operations(scope.window, operation_ops, n)
    acquisitions = np.bincount(waits.agent, minlength=n)
    timeouts = _per_agent(scope.window, Op.TIMED_OUT, n)
    wait_ms = Percentiles.grouped_from_ns(waits.agent, waits.value, n)
    held = held[held["agent"] < n]
    hold_ms = Percentiles.grouped_from_ns(held["agent"], held["end_ns"] - held["start_ns"], n)
    longest = _longest_waits(scope)
    return tuple(
        AgentStats(
            index=a.index,
            name=a.name,
            operations=int(operations[a.index]),
            throughput_per_s=_rate(int(operations[a.index]), scope.seconds),
            acquisitions=int(acquisitions[a.index]),
            timeouts=int(timeouts[a.index]),
            wait_ms=wait_ms[a.index],
            hold_ms=hold_ms[a.index],
            longest_wait_ms=int(longest[a.index]) / NS_PER_MS,
        )
        for a in scope.layout.agents
    )


def _handoffs(cols: Columns, n_resources: int, start_ns: int) -> np.ndarray:
    """Per resource: acquisitions in the window, after a wait, by another agent than the last acquirer."""
    acq = cols.select(
        (cols.op == Op.ACQUIRED) & (cols.agent >= 0) & (cols.resource >= 0) & (cols.resource < n_resources)
    )
    acq = acq.select(np.argsort(acq.resource.astype(np.uint16), kind="stable"))
    after = np.zeros(acq.t.size, dtype=bool)
    after[1:] = (acq.resource[1:] == acq.resource[:-1]) & (acq.agent[1:] != acq.agent[:-1])
    handoff = after & (acq.value > 0) & (acq.t >= start_ns)
    return np.bincount(acq.resource[handoff], minlength=n_resources)


def _by_resource(resource: np.ndarray, n_resources: int) -> tuple[np.ndarray, np.ndarray]:
    """A stable order grouping records by resource, and each resource's slice bounds in it."""
    order = np.argsort(resource.astype(np.uint16), kind="stable")
    bounds = np.searchsorted(resource[order], np.arange(n_resources + 1), side="left")
    return order, bounds


def _resource_stats(scope: _Scope) -> tuple[ResourceStats, ...]:
    n = 1 + max((r.index for r in scope.layout.resources), default=-1)
    waits = scope.waits.select(scope.waits.resource < n)
    acquisitions = np.bincount(waits.resource, minlength=n)
    wait_ms = Percentiles.grouped_from_ns(waits.resource, waits.value, n)
    handoffs = _handoffs(scope.cols, n, scope.start_ns)
    held = scope.held[scope.held["resource"] < n]
    hold_order, hold_bounds = _by_resource(held["resource"], n)
    cols = scope.cols
    caps = cols.select((cols.op == Op.CAPACITY) & (cols.resource >= 0) & (cols.resource < n))
    cap_order, cap_bounds = _by_resource(caps.resource, n)
    found = []
    for info in scope.layout.of_kind(*RESOURCE_KINDS):
        i = info.index
        mine = held[hold_order[hold_bounds[i] : hold_bounds[i + 1]]]
        cap = cap_order[cap_bounds[i] : cap_bounds[i + 1]]
        series = step_series(
            i, mine, (caps.t[cap], caps.value[cap]), info.capacity, start_ns=scope.start_ns, end_ns=scope.end_ns
        )
        offered = series.capacity_ns()
        found.append(
            ResourceStats(
                index=i,
                name=info.name,
                kind=info.kind,
                acquisitions=int(acquisitions[i]),
                utilisation=series.held_ns() / offered if offered > 0 else 0.0,
                max_holders=int(series.holders.max()),
                capacity_min=int(series.capacity.min()),
                capacity_max=int(series.capacity.max()),
                over_capacity_ns=series.over_capacity_ns(),
                handoffs=int(handoffs[i]),
                wait_ms=wait_ms[i],
            )
        )
    return tuple(found)


def jain_index(counts: np.ndarray) -> float:
    """Jain's fairness index ``(Σx)² / (n·Σx²)``; 0.0 when every count is 0 (or there are none)."""
    x = np.asarray(counts, dtype=np.float64)
    total = x.sum()
    return float(total * total / (x.size * np.dot(x, x))) if total > 0 else 0.0


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else 0.0


def _round_stats(scope: _Scope, agents: tuple[AgentStats, ...], resources: tuple[ResourceStats, ...]) -> RoundStats:
    total = sum(a.operations for a in agents)
    return RoundStats(
        start_ns=scope.start_ns,
        end_ns=scope.end_ns,
        duration_s=scope.seconds,
        operations_total=total,
        throughput_per_s=_rate(total, scope.seconds),
        jain=jain_index(np.array([a.operations for a in agents])),
        longest_wait_ms=max((a.longest_wait_ms for a in agents), default=0.0),
        starved=tuple(a.name for a in agents if a.operations == 0),
        wait_ms=Percentiles.from_ns(scope.waits.value),
        agents=agents,
        resources=resources,
    )
