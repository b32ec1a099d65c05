"""What the charts draw: hold intervals for a Gantt chart, holders and capacity as steps.

The step series is also what the round statistics measure utilisation and over-capacity
on, so the picture and the numbers cannot disagree.
"""

from __future__ import annotations

import numpy as np

from sims.rounds.layout import ResourceInfo
from sims.stats.intervals import Columns, Holds, Keyed, check_window, hold_intervals, holds, up_to
from sims.stats.values import ResourceSeries
from sims.telemetry import Op


def hold_timeline(events: np.ndarray, start_ns: int, end_ns: int) -> np.ndarray:
    """Hold intervals (agent, resource, start_ns, end_ns) clipped to the window, by start time."""
    found = hold_intervals(events, start_ns, end_ns)
    return found[np.argsort(found["start_ns"], kind="stable")]


def resource_timeline(events: np.ndarray, resource: ResourceInfo, start_ns: int, end_ns: int) -> ResourceSeries:
    """How many agents held ``resource`` and how many permits it had, over the window."""
    check_window(start_ns, end_ns)
    cols = Columns.of(up_to(events, end_ns))
    held = holds(Keyed.of(cols), start_ns, end_ns)
    mine = held.select(np.flatnonzero(held.resource == resource.index))
    cap_t, cap_v = capacity_records(cols, resource.index)
    return step_series(resource.index, mine, (cap_t, cap_v), resource.capacity, start_ns=start_ns, end_ns=end_ns)


def capacity_records(cols: Columns, resource: int) -> tuple[np.ndarray, np.ndarray]:
    """Times and values of the CAPACITY records of one resource, by anyone (engine included)."""
    mine = (cols.op == Op.CAPACITY) & (cols.resource == resource)
    return cols.t[mine], cols.value[mine]


def capacity_at_start(cap_t: np.ndarray, cap_v: np.ndarray, initial: int, start_ns: int) -> tuple[int, int]:
    """The capacity in force just before ``start_ns`` and the index of the first record at or after it."""
    first = int(np.searchsorted(cap_t, start_ns, side="left"))
    return (int(cap_v[first - 1]) if first else initial), first


def step_series(
    resource: int,
    held: Holds,
    capacities: tuple[np.ndarray, np.ndarray],
    initial_capacity: int,
    *,
    start_ns: int,
    end_ns: int,
) -> ResourceSeries:
    """Merge +1 at each hold's start, -1 at its end and every capacity change into steps.

    ``held`` are the resource's clipped holds; ``capacities`` the times and
    values of its CAPACITY records up to ``end_ns`` in time order, of which the last before
    ``start_ns`` (else ``initial_capacity``) gives the capacity at the start.
    """
    cap_t, cap_v = capacities
    starts, ends = held.start_ns, held.end_ns
    capacity, first = capacity_at_start(cap_t, cap_v, initial_capacity, start_ns)
    change_t = cap_t[first:]
    change = np.diff(cap_v[first:], prepend=np.int64(capacity))
    t = np.concatenate(([start_ns], starts, ends, change_t)).astype(np.int64)
    n_holds, n_changes = starts.size, change_t.size
    d_holders = np.concatenate(
        ([0], np.ones(n_holds, np.int64), np.full(n_holds, -1, np.int64), np.zeros(n_changes, np.int64))
    )
    d_capacity = np.concatenate((np.zeros(1 + 2 * n_holds, np.int64), change))
    order = np.argsort(t, kind="stable")
    t = t[order]
    last_at_instant = np.append(t[1:] != t[:-1], True)
    holders = np.cumsum(d_holders[order])[last_at_instant]
    capacities = capacity + np.cumsum(d_capacity[order])[last_at_instant]
    return ResourceSeries(resource, start_ns, end_ns, t[last_at_instant], holders, capacities)
