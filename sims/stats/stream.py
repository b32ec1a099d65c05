"""Round statistics summed up while the records stream past, so no round has to fit in memory.

:func:`~sims.stats.compute.compute_round_stats` reads a round's records all at once.
:class:`StreamingStats` takes the same records in time-ordered chunks (as the engine releases
them, see :mod:`sims.engine.ordering`) and gives the very same :class:`RoundStats`. Between
chunks it keeps counters, each resource's level (permits in use, capacity) and last acquirer,
each (agent, resource) key's open acquisitions and requests, which are put back in front of
the key's next records (:mod:`sims.stats.carried`), and the waits and holds as
:class:`~sims.stats.distribution.Distribution` values (on disk when given a folder), so that
percentiles stay exact.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from sims.rounds.layout import RoundLayout
from sims.rounds.statistics import Percentiles, ResourceStats, RoundStats
from sims.stats.carried import CarriedPairs
from sims.stats.compute import RESOURCE_KINDS, _listed, _lock_or_semaphore, _operations, agent_rows, round_stats
from sims.stats.distribution import Distribution
from sims.stats.intervals import Columns
from sims.stats.tallied import Tallied
from sims.telemetry import Op

RESOURCE_SLOTS = 1 << 15  # resource indices are int16


class _Levels:
    """Each resource's permits in use and capacity as steps, summed up one chunk at a time
    (the same numbers as :func:`sims.stats.timeline.step_series` over the whole history)."""

    def __init__(self, layout: RoundLayout, n_resources: int, start_ns: int) -> None:
        self.start_ns = start_ns
        self.use = np.zeros(n_resources, np.int64)
        self.capacity = np.ones(n_resources, np.int64)
        for info in layout.resources:
            self.capacity[info.index] = info.capacity
        self.since = np.full(n_resources, start_ns, np.int64)  # where the current step began
        self.held_ns = np.zeros(n_resources, np.int64)
        self.offered_ns = np.zeros(n_resources, np.int64)
        self.over_ns = np.zeros(n_resources, np.int64)
        self.max_use = np.full(n_resources, np.iinfo(np.int64).min, np.int64)
        self.min_capacity = np.full(n_resources, np.iinfo(np.int64).max, np.int64)
        self.max_capacity = np.full(n_resources, np.iinfo(np.int64).min, np.int64)

    def feed(self, cols: Columns) -> None:
        n = self.use.size
        op, resource = cols.op, cols.resource
        inside = (resource >= 0) & (resource < n)
        moves = ((op == Op.ACQUIRED) | (op == Op.RELEASED)) & (cols.agent >= 0)
        points = cols.select(inside & (moves | (op == Op.CAPACITY)))
        if not points.t.size:
            return
        points = points.select(np.argsort(points.resource.astype(np.uint16), kind="stable"))  # time order kept
        r = points.resource.astype(np.int64)
        first = _firsts(r)
        d_use = (points.op == Op.ACQUIRED).astype(np.int64) - (points.op == Op.RELEASED)
        d_cap = self._capacity_changes(points, r)
        use = self.use[r] + _within_groups(np.cumsum(d_use), first)
        capacity = self.capacity[r] + _within_groups(np.cumsum(d_cap), first)
        instant = np.flatnonzero(np.append((r[1:] != r[:-1]) | (points.t[1:] != points.t[:-1]), True))
        self._steps(r[instant], np.maximum(points.t[instant], self.start_ns), use[instant], capacity[instant])

    def _capacity_changes(self, points: Columns, r: np.ndarray) -> np.ndarray:
        """Each CAPACITY record's change from the resource's capacity before it."""
        d_cap = np.zeros(r.size, np.int64)
        at = np.flatnonzero(points.op == Op.CAPACITY)
        cap_r, value = r[at], points.value[at]
        before = np.where(_firsts(cap_r), self.capacity[cap_r], np.concatenate(([0], value[:-1])))
        d_cap[at] = value - before
        return d_cap

    def _steps(self, r: np.ndarray, t: np.ndarray, use: np.ndarray, capacity: np.ndarray) -> None:
        """Close the step each instant ends (records before the start only move the level)."""
        t = np.maximum(t, self.since[r])  # a record that came late counts from when it came
        first = _firsts(r)
        since = np.where(first, self.since[r], _shifted(t))
        was_use = np.where(first, self.use[r], _shifted(use))
        was_capacity = np.where(first, self.capacity[r], _shifted(capacity))
        self._close(r, t - since, was_use, was_capacity)
        last = _lasts(r)
        self.since[r[last]], self.use[r[last]], self.capacity[r[last]] = t[last], use[last], capacity[last]

    def _close(self, r: np.ndarray, duration: np.ndarray, use: np.ndarray, capacity: np.ndarray) -> None:
        np.add.at(self.held_ns, r, np.maximum(use, 0) * duration)
        np.add.at(self.offered_ns, r, capacity * duration)
        np.add.at(self.over_ns, r, np.where(use > capacity, duration, 0))
        shown = duration > 0  # a step of no length is an instant the series does not show
        self._extremes(r[shown], use[shown], capacity[shown])

    def _extremes(self, r: np.ndarray, use: np.ndarray, capacity: np.ndarray) -> None:
        np.maximum.at(self.max_use, r, use)
        np.minimum.at(self.min_capacity, r, capacity)
        np.maximum.at(self.max_capacity, r, capacity)

    def finish(self, end_ns: int) -> None:
        """Close every resource's last step at ``end_ns`` (it shows even when it has no length)."""
        r = np.arange(self.use.size)
        self._close(r, end_ns - self.since, self.use, self.capacity)
        self._extremes(r, self.use, self.capacity)


class StreamingStats:
    """Round statistics of ``[start_ns, end]`` from time-ordered chunks of the round's records."""

    def __init__(
        self,
        layout: RoundLayout,
        operation_ops: Mapping[int, tuple[int, int]],
        start_ns: int,
        folder: Path | None = None,
    ) -> None:
        """``folder``: where the waits and holds wait for their percentiles (else in memory)."""
        self.layout = layout
        self.operation_ops = operation_ops
        self.start_ns = start_ns
        self.end_ns: int | None = None  # records after it are ignored, once known
        self.n_agents = n = 1 + max((a.index for a in layout.agents), default=-1)
        self.n_resources = 1 + max((r.index for r in layout.resources), default=-1)
        self.operations = np.zeros(n, np.int64)
        self.timeouts = np.zeros(n, np.int64)
        self.longest = np.zeros(n, np.int64)  # ns, timed-out and abandoned waits (the rest at the end)
        here = (lambda name: folder / name) if folder is not None else (lambda name: None)
        self.waits = Distribution(here("waits"))  # by agent
        self.resource_waits = Distribution(here("resource waits"))
        self.holds = Distribution(here("holds"))  # by resource * n_agents + agent
        self.handoffs = np.zeros(RESOURCE_SLOTS, np.int64)
        self.last_acquirer = np.full(RESOURCE_SLOTS, -1, np.int64)
        self.signalled: set[int] = set()
        self.levels = _Levels(layout, self.n_resources, start_ns)
        self.tallied = Tallied.empty(n, self.n_resources)  # holds summed up, not recorded (detail off)
        self.pairs = CarriedPairs(start_ns)  # each key's open acquisitions and requests

    @property
    def kept_values(self) -> int:
        """Waits and holds stored for their percentiles (the only part that grows with the round)."""
        return self.waits.stored + self.resource_waits.stored + self.holds.stored

    def feed(self, events: np.ndarray) -> None:
        """Sum up the next records (EVENT_DTYPE, time-ordered, none earlier than the last chunk's)."""
        cols = Columns.of(events)
        if self.end_ns is not None:
            cols = cols.select(slice(int(np.searchsorted(cols.t, self.end_ns, side="right"))))
        cols = _listed(cols, self.n_agents)
        if not cols.t.size:
            return
        window = cols.select(slice(int(np.searchsorted(cols.t, self.start_ns, side="left")), None))
        self._counts(window)
        self.tallied.add(window)
        acquired = cols.select((cols.op == Op.ACQUIRED) & (cols.agent >= 0) & (cols.resource >= 0))
        self._waits(acquired)
        self._handoffs(acquired)
        self._pairs(cols)
        self.levels.feed(cols)

    def _counts(self, window: Columns) -> None:
        n, start = self.n_agents, self.start_ns
        self.operations += _operations(window, self.operation_ops, n)[:n]
        timed_out = window.agent[window.op == Op.TIMED_OUT]
        self.timeouts += np.bincount(timed_out[timed_out >= 0], minlength=n)[:n]
        ended = window.select((window.op == Op.TIMED_OUT) | (window.op == Op.ABANDONED))
        ended = ended.select(
            (ended.agent >= 0) & ((ended.op == Op.TIMED_OUT) | _lock_or_semaphore(self.layout, ended.resource))
        )
        np.maximum.at(self.longest, ended.agent, np.minimum(ended.value, ended.t - start))

    def _waits(self, acquired: Columns) -> None:
        waits = acquired.select(slice(int(np.searchsorted(acquired.t, self.start_ns, side="left")), None))
        value = np.minimum(waits.value, waits.t - self.start_ns)
        self.waits.add(waits.agent, value)
        inside = waits.resource < self.n_resources
        self.resource_waits.add(waits.resource[inside], value[inside])

    def _handoffs(self, acquired: Columns) -> None:
        """Acquisitions after a wait by another agent than the resource's last acquirer."""
        acq = acquired.select(np.argsort(acquired.resource.astype(np.uint16), kind="stable"))
        r = acq.resource.astype(np.int64)
        first = _firsts(r)
        before = np.where(first, self.last_acquirer[r], _shifted(acq.agent.astype(np.int64)))
        handoff = (before >= 0) & (before != acq.agent) & (acq.value > 0) & (acq.t >= self.start_ns)
        self.handoffs += np.bincount(r[handoff], minlength=RESOURCE_SLOTS)
        last = _lasts(r)
        self.last_acquirer[r[last]] = acq.agent[last]

    def _pairs(self, cols: Columns) -> None:
        """Holds that ended and requests answered in this chunk; the rest stay open for the next."""
        op = cols.op
        mine = cols.select(
            ((op - np.uint16(Op.REQUEST)) <= np.uint16(Op.ABANDONED - Op.REQUEST))
            & (cols.agent >= 0)
            & (cols.resource >= 0)
        )
        done, signalled = self.pairs.pair(mine)
        self.signalled.update(signalled.tolist())
        self.holds.add(done.resource.astype(np.int64) * self.n_agents + done.agent, done.durations_ns())

    def finish(self, end_ns: int) -> RoundStats:
        """The statistics of ``[start_ns, end_ns]``: every record up to ``end_ns`` must have been fed.
        The stored waits and holds are gone afterwards."""
        try:
            return self._finish(end_ns)
        finally:
            self.close()

    def close(self) -> None:
        """Remove the stored waits and holds (their files too)."""
        for values in (self.waits, self.resource_waits, self.holds):
            values.close()

    def _finish(self, end_ns: int) -> RoundStats:
        start, n = self.start_ns, self.n_agents
        held = self.pairs.open_holds(end_ns)
        self.holds.add(held.resource.astype(np.int64) * n + held.agent, held.durations_ns())
        requests = self.pairs.requests
        np.maximum.at(self.longest, requests.agent, end_ns - requests.t)
        self.levels.finish(end_ns)
        self.waits.add_zeros(np.arange(n), self.tallied.by_agent())
        self.resource_waits.add_zeros(np.arange(self.n_resources), self.tallied.by_resource())
        # Per agent and all together, from one pass over the stored waits.
        wait_table, every_wait = self.waits.tables([(n, None), (1, np.zeros(max(n, 1), np.int64))])
        longest = np.maximum(self.longest, wait_table[:, -1].astype(np.int64))
        acquisitions = wait_table[:, 0].astype(np.int64)
        agents = agent_rows(
            self.layout,
            (end_ns - start) / 1e9,
            (self.operations, acquisitions, self.timeouts, longest),
            wait_table,
            self.tallied.hold_table(self.holds.table(n, self._hold_agents()), np.array(sorted(self.signalled))),
        )
        return round_stats((start, end_ns), agents, self._resources(), every_wait[0])

    def _hold_agents(self) -> np.ndarray:
        """For each hold group (resource * n_agents + agent): its agent, or -1 on a signalled resource."""
        n = max(self.n_agents, 1)
        groups = np.arange(self.holds.groups)
        agents = groups % n
        agents[np.isin(groups // n, np.array(sorted(self.signalled), np.int64))] = -1
        return agents

    def _resources(self) -> tuple[ResourceStats, ...]:
        n, levels = self.n_resources, self.levels
        table = self.resource_waits.table(n)
        counted, counted_ns = self.tallied.by_resource(), self.tallied.held_by_resource()
        found = []
        for info in self.layout.of_kind(*RESOURCE_KINDS):
            i = info.index
            offered = int(levels.offered_ns[i])
            held = int(levels.held_ns[i]) + int(counted_ns[i])
            found.append(
                ResourceStats(
                    index=i,
                    name=info.name,
                    kind=info.kind,
                    acquisitions=int(table[i, 0]),
                    utilisation=held / offered if offered > 0 else 0.0,
                    max_holders=max(0, int(levels.max_use[i]), 1 if counted[i] else 0),
                    capacity_min=int(levels.min_capacity[i]),
                    capacity_max=int(levels.max_capacity[i]),
                    over_capacity_ns=int(levels.over_ns[i]),
                    handoffs=int(self.handoffs[i]),
                    wait_ms=Percentiles.from_summary_row(table[i]),
                )
            )
        return tuple(found)


def _firsts(groups: np.ndarray) -> np.ndarray:
    """Where each run of equal values starts."""
    return np.concatenate(([True], groups[1:] != groups[:-1])) if groups.size else np.zeros(0, bool)


def _lasts(groups: np.ndarray) -> np.ndarray:
    """Where each run of equal values ends."""
    return np.append(groups[1:] != groups[:-1], True) if groups.size else np.zeros(0, bool)


def _shifted(values: np.ndarray) -> np.ndarray:
    """Each element's predecessor (the first gets 0)."""
    return np.concatenate((np.zeros(1, values.dtype), values[:-1])) if values.size else values


def _within_groups(running: np.ndarray, first: np.ndarray) -> np.ndarray:
    """A running total restarted where each group starts."""
    starts = np.flatnonzero(first)
    before = np.concatenate(([0], running[:-1]))[starts]
    restarted: np.ndarray = running - before[np.cumsum(first) - 1]
    return restarted
