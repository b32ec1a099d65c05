"""Round statistics from a window of telemetry, vectorised over records.

One function serves both the live view (a slice of recent records and a rolling window)
and the end-of-round summary. Records count when ``start_ns <= t_ns <= end_ns``; records
before ``start_ns`` are still read so that holds and waits that began earlier are known,
and are clipped to start at ``start_ns``. Records after ``end_ns`` are ignored, as are
records of agents the layout does not list; the engine's records only matter for capacity.

For a rolling window, pass a slice that reaches back far enough: a hold that spans the
whole slice leaves no record in it (its release, if inside, is enough), and without the
last CAPACITY record before the slice a semaphore starts at its layout capacity.

Waits: an ACQUIRED record's value is the ns waited, clipped to ``t - start_ns``. An
agent's longest wait also counts TIMED_OUT waits, ABANDONED waits on locks and
semaphores (not an Event's) and waits still open at ``end_ns``
(:func:`sims.stats.intervals.open_waits`).
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import numpy as np

from sims.kinds import ResourceKind
from sims.rounds.layout import ResourceInfo, RoundLayout
from sims.rounds.statistics import (
    NS_PER_MS,
    NS_PER_S,
    AgentStats,
    Percentiles,
    ResourceSeries,
    ResourceStats,
    RoundStats,
    grouped_summary_ns,
)
from sims.stats.intervals import (
    Columns,
    Holds,
    Keyed,
    check_window,
    holds_and_signals,
    open_waits,
    up_to,
    whole_history,
)
from sims.stats.tallied import Tallied
from sims.stats.timeline import ByResource, step_series
from sims.telemetry import Op

RESOURCE_KINDS = (ResourceKind.LOCK, ResourceKind.SEMAPHORE)


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
    Agents absent from it count 0 operations (and so are starved, unless ``AgentInfo.counted``
    is False: a helper that does no counted work) but are still listed.
    """
    check_window(start_ns, end_ns)
    scope = _Scope.of(events, layout, start_ns, end_ns)
    agents = _agent_stats(scope, operation_ops)
    return _round_stats(scope, agents, _resource_stats(scope))


@attrs.frozen(eq=False)
class _Scope:
    """What every part of the computation reads: the window, the records and the holds."""

    layout: RoundLayout
    start_ns: int
    end_ns: int
    n_agents: int  # agents 0 .. n_agents-1 are listed
    n_resources: int
    whole: bool  # the records are the round's whole history (see sims.stats.intervals)
    cols: Columns  # every record up to end_ns (listed agents and the engine)
    window: Columns  # the records from start_ns on
    keyed: Keyed
    held: Holds
    signalled: np.ndarray  # resources used as signals: they have no holds (sims.stats.intervals)
    acquired: Columns  # agents' ACQUIRED records up to end_ns, earlier ones included
    waits: Columns  # those in the window; value = the wait clipped to the window
    tallied: Tallied  # uncontended holds summed up in the window (detail off)

    @classmethod
    def of(cls, events: np.ndarray, layout: RoundLayout, start_ns: int, end_ns: int) -> _Scope:
        n_agents = 1 + max((a.index for a in layout.agents), default=-1)
        n_resources = 1 + max((r.index for r in layout.resources), default=-1)
        cols = _listed(Columns.of(up_to(events, end_ns)), n_agents)
        window = cols.select(slice(int(np.searchsorted(cols.t, start_ns, side="left")), None))
        keyed = Keyed.of(cols)
        acquired = cols.select((cols.op == Op.ACQUIRED) & (cols.agent >= 0) & (cols.resource >= 0))
        waits = acquired.select(slice(int(np.searchsorted(acquired.t, start_ns, side="left")), None))
        waits = attrs.evolve(waits, value=np.minimum(waits.value, waits.t - start_ns))
        whole = whole_history(cols)
        held, signalled = holds_and_signals(keyed, start_ns, end_ns, whole=whole)
        return cls(
            layout,
            start_ns,
            end_ns,
            n_agents,
            n_resources,
            whole,
            cols,
            window,
            keyed,
            held,
            signalled,
            acquired,
            waits,
            Tallied.of(window, n_agents, n_resources),
        )

    @property
    def seconds(self) -> float:
        return (self.end_ns - self.start_ns) / NS_PER_S


def _listed(cols: Columns, n_agents: int) -> Columns:
    """Drop records of agents the layout does not list (a rare, costly case: checked first)."""
    if cols.t.size == 0 or (int(cols.agent.min()) >= -1 and int(cols.agent.max()) < n_agents):
        return cols
    return cols.select((cols.agent >= -1) & (cols.agent < n_agents))


def _operations(window: Columns, operation_ops: Mapping[int, tuple[int, int]], n_agents: int) -> np.ndarray:
    """Operations per agent: records matching that agent's (op, value), looked up per record."""
    want_op = np.full(n_agents, -1, np.int64)  # -1 matches no op (ops are unsigned)
    want_value = np.full(n_agents, -1, np.int64)
    for index, (op, value) in operation_ops.items():
        if 0 <= index < n_agents:
            want_op[index], want_value[index] = op, value
    candidate = np.zeros(window.op.size, dtype=bool)
    for op in np.unique(want_op[want_op >= 0]).tolist():
        candidate |= window.op == op
    found = np.flatnonzero(candidate)
    found = found[window.agent[found] >= 0]
    agents, ops, values = window.agent[found], window.op[found], window.value[found]
    match = (ops == want_op[agents]) & ((want_value[agents] == -1) | (values == want_value[agents]))
    return np.bincount(agents[match], minlength=n_agents)


def _lock_or_semaphore(layout: RoundLayout, resource: np.ndarray) -> np.ndarray:
    """Which records are on a lock or semaphore of the layout."""
    table = np.zeros(1 + max((r.index for r in layout.resources), default=0), dtype=bool)
    table[[r.index for r in layout.of_kind(*RESOURCE_KINDS)]] = True
    inside = (resource >= 0) & (resource < table.size)
    return inside & table[np.where(inside, resource, 0)]


def _longest_waits(scope: _Scope, waited_ns: np.ndarray) -> np.ndarray:
    """Longest wait in ns per agent: ``waited_ns`` (longest ACQUIRED), timed-out, abandoned and open waits."""
    window = scope.window
    ended = window.select((window.op == Op.TIMED_OUT) | (window.op == Op.ABANDONED))
    ended = ended.select(
        (ended.agent >= 0) & ((ended.op == Op.TIMED_OUT) | _lock_or_semaphore(scope.layout, ended.resource))
    )
    agent, _resource, still = open_waits(scope.keyed, scope.start_ns, scope.end_ns)
    agent = np.concatenate((ended.agent, agent))
    waited = np.concatenate((np.minimum(ended.value, ended.t - scope.start_ns), still))
    longest = waited_ns.astype(np.int64)
    np.maximum.at(longest, agent, waited)
    return longest


def _agent_stats(scope: _Scope, operation_ops: Mapping[int, tuple[int, int]]) -> tuple[AgentStats, ...]:
    n, waits, held, window = scope.n_agents, scope.waits, scope.held, scope.window
    operations = _operations(window, operation_ops, n)
    tallied = scope.tallied.by_agent()
    acquisitions = np.bincount(waits.agent, minlength=n) + tallied
    timed_out = window.agent[window.op == Op.TIMED_OUT]
    timeouts = np.bincount(timed_out[timed_out >= 0], minlength=n)
    wait_table = grouped_summary_ns(waits.agent, waits.value, n, tallied)
    hold_table = scope.tallied.hold_table(grouped_summary_ns(held.agent, held.durations_ns(), n), scope.signalled)
    longest = _longest_waits(scope, wait_table[:, -1])
    counts = (operations, acquisitions, timeouts, longest)
    return agent_rows(scope.layout, scope.seconds, counts, wait_table, hold_table)


def agent_rows(
    layout: RoundLayout,
    seconds: float,
    counts: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    wait_table: np.ndarray,
    hold_table: np.ndarray,
) -> tuple[AgentStats, ...]:
    """Each agent's row from per-agent arrays: (operations, acquisitions, timeouts, longest wait ns)
    and the wait and hold tables of :func:`grouped_summary_ns`."""
    operations, acquisitions, timeouts, longest = counts
    return tuple(
        AgentStats(
            index=a.index,
            name=a.name,
            operations=int(operations[a.index]),
            throughput_per_s=_rate(int(operations[a.index]), seconds),
            acquisitions=int(acquisitions[a.index]),
            timeouts=int(timeouts[a.index]),
            wait_ms=Percentiles.from_summary_row(wait_table[a.index]),
            hold_ms=Percentiles.from_summary_row(hold_table[a.index]),
            longest_wait_ms=int(longest[a.index]) / NS_PER_MS,
            counted=a.counted,
        )
        for a in layout.agents
    )


def _handoffs(acquired: Columns, n_resources: int, start_ns: int) -> np.ndarray:
    """Per resource: acquisitions in the window, after a wait, by another agent than the last acquirer."""
    acq = acquired.select(np.argsort(acquired.resource.astype(np.uint16), kind="stable"))
    after = np.zeros(acq.t.size, dtype=bool)
    after[1:] = (acq.resource[1:] == acq.resource[:-1]) & (acq.agent[1:] != acq.agent[:-1])
    handoff = after & (acq.value > 0) & (acq.t >= start_ns)
    return np.bincount(acq.resource[handoff], minlength=n_resources)


def _resource_stats(scope: _Scope) -> tuple[ResourceStats, ...]:
    n, cols = scope.n_resources, scope.cols
    waits = scope.waits.select(np.flatnonzero(scope.waits.resource < n))
    tallied = scope.tallied
    acquisitions = np.bincount(waits.resource, minlength=n) + tallied.by_resource()
    wait_table = grouped_summary_ns(waits.resource, waits.value, n, tallied.by_resource())
    handoffs = _handoffs(scope.acquired, n, scope.start_ns)
    moves, caps = ByResource.moves(scope.keyed, n), ByResource.capacities(cols, n)
    found = []
    for info in scope.layout.of_kind(*RESOURCE_KINDS):
        i = info.index
        window = (scope.start_ns, scope.end_ns)
        series = step_series(info, moves.of_resource(i), caps.of_resource(i), window, whole=scope.whole)
        counted = (int(tallied.by_resource()[i]), int(tallied.held_by_resource()[i]))
        found.append(_resource(info, series, int(acquisitions[i]), int(handoffs[i]), wait_table[i], counted))
    return tuple(found)


def _resource(
    info: ResourceInfo,
    series: ResourceSeries,
    acquisitions: int,
    handoffs: int,
    waits: np.ndarray,
    counted: tuple[int, int] = (0, 0),
) -> ResourceStats:
    """One resource's row; utilisation is permit-ns in use over permit-ns offered (a lock offers one).
    ``counted``: holds summed up instead of recorded (detail off) and their ns: in use, one holder."""
    offered = series.capacity_ns()
    holds, held_ns = counted
    return ResourceStats(
        index=info.index,
        name=info.name,
        kind=info.kind,
        acquisitions=acquisitions,
        utilisation=(series.held_ns() + held_ns) / offered if offered > 0 else 0.0,
        max_holders=max(series.max_holders(), 1 if holds else 0),
        capacity_min=int(series.capacity.min()),
        capacity_max=int(series.capacity.max()),
        over_capacity_ns=series.over_capacity_ns(),
        handoffs=handoffs,
        wait_ms=Percentiles.from_summary_row(waits),
    )


def jain_index(counts: np.ndarray) -> float:
    """Jain's fairness index ``(Σx)² / (n·Σx²)``; 0.0 when every count is 0 (or there are none)."""
    x = np.asarray(counts, dtype=np.float64)
    total = x.sum()
    return float(total * total / (x.size * np.dot(x, x))) if total > 0 else 0.0


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else 0.0


def _round_stats(scope: _Scope, agents: tuple[AgentStats, ...], resources: tuple[ResourceStats, ...]) -> RoundStats:
    every = np.zeros(scope.waits.t.size, np.int64)
    waits = grouped_summary_ns(every, scope.waits.value, 1, np.array([scope.tallied.holds.sum()]))[0]
    return round_stats((scope.start_ns, scope.end_ns), agents, resources, waits)


def round_stats(
    window: tuple[int, int], agents: tuple[AgentStats, ...], resources: tuple[ResourceStats, ...], waits: np.ndarray
) -> RoundStats:
    """The round's numbers from its agents' and resources' rows and the summary row of every wait."""
    start_ns, end_ns = window
    seconds = (end_ns - start_ns) / NS_PER_S
    total = sum(a.operations for a in agents)
    return RoundStats(
        start_ns=start_ns,
        end_ns=end_ns,
        duration_s=seconds,
        operations_total=total,
        throughput_per_s=_rate(total, seconds),
        jain=jain_index(np.array([a.operations for a in agents if a.counted])),  # fairness among workers
        longest_wait_ms=max((a.longest_wait_ms for a in agents), default=0.0),
        starved=tuple(a.name for a in agents if a.starved),
        wait_ms=Percentiles.from_summary_row(waits),
        agents=agents,
        resources=resources,
    )
