"""What the charts draw: hold intervals for a Gantt chart, permits in use and capacity as steps.

The step series is also what the round statistics measure utilisation and over-capacity
on, so the picture and the numbers cannot disagree.

Permits in use are counted per resource, not per agent: +1 at every ACQUIRED, -1 at every
RELEASED, whoever wrote it. That is the only count that is right for a semaphore used as a
signal (a producer acquires "empty" and a consumer releases it; "full" is released before
anyone acquires it), where pairing by agent would leave every producer holding forever.

Where the count starts: at 0 when the records are a round's whole history (they hold the
engine's ROUND_START). A later slice, as for a rolling window, does not say how many
permits were in use when it began, so the count starts at the fewest earlier holds that
keep it from going negative (a lock released at the start of a slice was held before it),
but never so many that it would exceed the capacity at some instant (a semaphore released
before it is acquired was signalled, not held). Over-capacity is therefore only found in
a whole history; in a slice the unknown past is taken to be a correct engine's.
"""

from __future__ import annotations

import attrs
import numpy as np

from sims.rounds.layout import ResourceInfo
from sims.rounds.statistics import ResourceSeries
from sims.stats.intervals import Columns, Keyed, check_window, hold_intervals, up_to, whole_history
from sims.telemetry import Op


def hold_timeline(events: np.ndarray, start_ns: int, end_ns: int) -> np.ndarray:
    """Hold intervals (agent, resource, start_ns, end_ns) clipped to the window, by start time."""
    found = hold_intervals(events, start_ns, end_ns)
    return found[np.argsort(found["start_ns"], kind="stable")]


def resource_timeline(events: np.ndarray, resource: ResourceInfo, start_ns: int, end_ns: int) -> ResourceSeries:
    """How many permits of ``resource`` were in use and how many it had, over the window."""
    check_window(start_ns, end_ns)
    cols = Columns.of(up_to(events, end_ns))
    mine = cols.select(cols.resource == resource.index)
    n, i = resource.index + 1, resource.index
    moves, caps = ByResource.moves(Keyed.of(mine), n).of_resource(i), ByResource.capacities(mine, n).of_resource(i)
    return step_series(resource, moves, caps, (start_ns, end_ns), whole=whole_history(cols))


@attrs.frozen(eq=False)
class ByResource:
    """(t, value) of records grouped by resource, to hand out one resource's at a time."""

    t: np.ndarray
    value: np.ndarray
    bounds: np.ndarray  # resource r's records are [bounds[r]:bounds[r + 1]]

    @classmethod
    def capacities(cls, cols: Columns, n_resources: int) -> ByResource:
        """CAPACITY records by anyone (the engine resizes), time order kept inside each resource."""
        caps = cols.select(np.flatnonzero(cols.op == Op.CAPACITY))
        caps = caps.select(np.flatnonzero((caps.resource >= 0) & (caps.resource < n_resources)))
        caps = caps.select(np.argsort(caps.resource.astype(np.uint16), kind="stable"))
        return cls(caps.t, caps.value, _bounds(caps.resource, n_resources))

    @classmethod
    def moves(cls, keyed: Keyed, n_resources: int) -> ByResource:
        """Permits taken (+1) and returned (-1) by agents, as ``keyed`` groups them (not in time order).

        Keyed's other records (requests, time-outs) stay in as 0, which changes nothing.
        """
        change = (keyed.op == Op.ACQUIRED).astype(np.int64) - (keyed.op == Op.RELEASED)
        return cls(keyed.t, change, _bounds(keyed.resource[keyed.group], n_resources))

    def of_resource(self, resource: int) -> tuple[np.ndarray, np.ndarray]:
        """(t, value) of one resource's records."""
        mine = slice(self.bounds[resource], self.bounds[resource + 1])
        return self.t[mine], self.value[mine]


def _bounds(resource: np.ndarray, n_resources: int) -> np.ndarray:
    """Where each resource's records start in records sorted by resource (and where the last ends)."""
    return np.searchsorted(resource, np.arange(n_resources + 1), side="left")


def step_series(
    resource: ResourceInfo,
    moves: tuple[np.ndarray, np.ndarray],
    capacities: tuple[np.ndarray, np.ndarray],
    window: tuple[int, int],
    *,
    whole: bool,
) -> ResourceSeries:
    """Merge +1 per ACQUIRED, -1 per RELEASED and every capacity change into steps over ``window``.

    ``moves`` are (t, +1 or -1) of the permits taken and returned on the resource, in any
    order (0s are skipped), and ``capacities`` (t, value) of its CAPACITY records in time
    order, all up to the window's end; before the first CAPACITY the capacity is the
    layout's. ``whole``: the records are the round's whole history.
    """
    start_ns, end_ns = window
    move_t, move = moves
    counted = move != 0
    move_t, move = move_t[counted], move[counted]
    cap_t, cap_v = capacities
    n_moves, n_caps = move_t.size, cap_t.size
    t = np.concatenate(([start_ns], move_t, cap_t)).astype(np.int64)
    d_use = np.concatenate(([0], move, np.zeros(n_caps, np.int64)))
    cap_change = np.diff(cap_v, prepend=np.int64(resource.capacity))
    d_capacity = np.concatenate((np.zeros(1 + n_moves, np.int64), cap_change))
    order = np.argsort(t, kind="stable")
    t = t[order]
    last_at_instant = np.append(t[1:] != t[:-1], True)
    t = t[last_at_instant]
    in_use = np.cumsum(d_use[order])[last_at_instant]
    capacity = resource.capacity + np.cumsum(d_capacity[order])[last_at_instant]
    if not whole:
        in_use += _in_use_before_slice(in_use, capacity, resource.capacity)
    shown = int(np.searchsorted(t, start_ns, side="left"))  # the instant start_ns itself
    return ResourceSeries(resource.index, start_ns, end_ns, t[shown:], in_use[shown:], capacity[shown:])


def _in_use_before_slice(in_use: np.ndarray, capacity: np.ndarray, first_capacity: int) -> int:
    """Permits in use when a slice began: enough to stay >= 0, too few to exceed capacity."""
    enough = max(0, -int(in_use.min()))
    room = min(first_capacity, int((capacity - in_use).min()))
    return min(enough, room)
