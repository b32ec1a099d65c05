"""Frozen results of the round statistics: plain Python numbers, ready for JSON and the UI.

Times are in milliseconds (floats) unless a field name says ``_ns`` or ``_s``. An empty
distribution is reported as count 0 and zeros rather than NaN, because JSON has no NaN
and a window in which nobody waited is normal, not an error.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

from sims.pickling import pickled_by_constructor

NS_PER_MS = 1_000_000
NS_PER_S = 1_000_000_000
QUANTILES = (50.0, 95.0, 99.0)


@pickled_by_constructor
@attrs.frozen
class Percentiles:
    """A distribution in ms: count, mean, p50, p95, p99 and max (numpy's linear percentiles)."""

    count: int
    mean: float
    p50: float
    p95: float
    p99: float
    max: float

    @classmethod
    def empty(cls) -> Percentiles:
        return cls(0, 0.0, 0.0, 0.0, 0.0, 0.0)

    @classmethod
    def from_ns(cls, values_ns: np.ndarray) -> Percentiles:
        """One distribution from durations in ns."""
        values = np.asarray(values_ns, dtype=np.int64)
        return cls.grouped_from_ns(np.zeros(values.size, np.int64), values, 1)[0]

    @classmethod
    def grouped_from_ns(cls, groups: np.ndarray, values_ns: np.ndarray, n_groups: int) -> list[Percentiles]:
        """One distribution per group ``0 .. n_groups-1`` (durations in ns), from a single sort."""
        return [cls.from_summary_row(row) for row in grouped_summary_ns(groups, values_ns, n_groups)]

    @classmethod
    def from_summary_row(cls, row: np.ndarray) -> Percentiles:
        """From a row of :func:`grouped_summary_ns` (count, mean, p50, p95, p99, max in ns)."""
        count, *rest = row.tolist()
        return cls(int(count), *(v / NS_PER_MS for v in rest))


def grouped_summary_ns(
    groups: np.ndarray, values_ns: np.ndarray, n_groups: int, more_zeros: np.ndarray | None = None
) -> np.ndarray:
    """Rows of count, mean, p50, p95, p99 and max in ns for groups ``0 .. n_groups-1``.

    Groups are non-negative ints below ``n_groups``. Sorting ``group << shift | value``
    once leaves every group's values sorted and contiguous, so each percentile is two
    lookups and an interpolation (numpy's default "linear" method). Zeros (waits on the
    fast path, often most of them) are counted rather than sorted. Empty groups are 0.
    ``more_zeros[g]``: zeros of group g that are not among the values (counted waits).
    """
    groups = np.asarray(groups, dtype=np.int64)
    values = np.asarray(values_ns, dtype=np.int64)
    # Zeros are counted, not sorted, when they are the smallest values (they come first in a group).
    smallest = values.size == 0 or values.min() >= 0
    zero = values == 0 if smallest else np.zeros(values.size, dtype=bool)
    zeros = np.bincount(groups[zero], minlength=n_groups)[:n_groups]
    if more_zeros is not None and smallest:
        zeros = zeros + np.asarray(more_zeros, dtype=np.int64)[:n_groups]
    elif more_zeros is not None:  # negative values: the zeros are sorted with them
        extra = np.repeat(np.arange(n_groups), np.asarray(more_zeros, dtype=np.int64)[:n_groups])
        return grouped_summary_ns(np.concatenate((groups, extra)), np.concatenate((values, 0 * extra)), n_groups)
    nonzero = np.flatnonzero(~zero)
    return summary_with_zeros(groups[nonzero], values[nonzero], zeros, n_groups)


def summary_with_zeros(groups: np.ndarray, values_ns: np.ndarray, zeros: np.ndarray, n_groups: int) -> np.ndarray:
    """As :func:`grouped_summary_ns`, for ``values_ns`` plus ``zeros[g]`` zeros in each group g
    (no value may be negative: the zeros are taken to be each group's smallest values)."""
    groups = np.asarray(groups, dtype=np.int64)
    values = np.asarray(values_ns, dtype=np.int64)
    rest = np.bincount(groups, minlength=n_groups)[:n_groups]
    counts = rest + zeros
    ordered = _sorted_within_groups(groups, values, n_groups).astype(np.float64)
    sorted_groups = _SortedGroups(np.append(ordered, 0.0), np.cumsum(rest) - rest, counts, zeros)
    table = np.zeros((n_groups, 6))
    table[:, 0] = counts
    sums = np.bincount(groups, weights=values, minlength=n_groups)[:n_groups]
    np.divide(sums, counts, out=table[:, 1], where=counts > 0)
    for column, q in enumerate((*QUANTILES, 100.0), start=2):
        table[:, column] = sorted_groups.percentile(q)
    return table


def _sorted_within_groups(groups: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """The values ordered by (group, value): one plain sort of a packed key when they fit in it.

    (numpy's ``argsort`` is many times slower than ``sort`` on waits, which repeat a lot.)
    """
    shift = 63 - max(1, (n_groups - 1).bit_length())
    if values.size and (values.min() < 0 or values.max() >= 1 << shift):
        return values[np.lexsort((values, groups))]
    return np.sort((groups << shift) | values) & ((1 << shift) - 1)


@attrs.frozen(eq=False)
class _SortedGroups:
    """Each group's values in order: ``zeros[g]`` zeros, then its slice of ``nonzero``."""

    nonzero: np.ndarray  # sorted within groups, plus one padding element
    firsts: np.ndarray  # where each group's non-zero values start
    counts: np.ndarray
    zeros: np.ndarray

    def at(self, rank: np.ndarray) -> np.ndarray:
        """The value of 0-based ``rank`` within each group."""
        index = np.clip(self.firsts + rank - self.zeros, 0, self.nonzero.size - 1)
        return np.where(rank < self.zeros, 0.0, self.nonzero[index])

    def percentile(self, q: float) -> np.ndarray:
        """numpy's default ("linear") percentile of every group at once; 0.0 for empty groups."""
        last = np.maximum(self.counts - 1, 0)
        position = q / 100.0 * last
        below = np.floor(position).astype(np.int64)
        low, high = self.at(below), self.at(np.minimum(below + 1, last))
        return np.where(self.counts > 0, low + (high - low) * (position - below), 0.0)


@pickled_by_constructor
@attrs.frozen
class AgentStats:
    """What one agent achieved and endured in the window."""

    index: int
    name: str
    operations: int
    throughput_per_s: float
    acquisitions: int
    timeouts: int
    wait_ms: Percentiles  # ACQUIRED waits, fast-path zeros included
    hold_ms: Percentiles
    longest_wait_ms: float  # completed waits and waits still open at the window's end
    counted: bool = True  # a worker: with 0 operations it is starved (a helper that only watches is not)

    @property
    def starved(self) -> bool:
        """It wanted to make progress (a worker) and made none in the window."""
        return self.counted and self.operations == 0


@pickled_by_constructor
@attrs.frozen
class ResourceStats:
    """How a lock or semaphore was used; ``over_capacity_ns`` must be 0 for a correct engine."""

    index: int
    name: str
    kind: str
    acquisitions: int
    utilisation: float  # time-weighted holders / time-weighted capacity
    max_holders: int  # most permits in use at once
    capacity_min: int
    capacity_max: int
    over_capacity_ns: int
    handoffs: int  # acquisitions after a wait by an agent other than the previous acquirer
    wait_ms: Percentiles


def _lists(_instance: object, _field: object, value: Any) -> Any:
    """``attrs.asdict`` keeps tuples; JSON and its readers expect lists."""
    return list(value) if isinstance(value, tuple) else value


@attrs.frozen
class RoundStats:
    """A round (or a rolling window of one): fairness, throughput, waits and resource use.

    ``jain`` is Jain's fairness index over every worker's (``AgentStats.counted``) operation count,
    ``(Σx)² / (n·Σx²)``: 1.0 when all did equally, 1/n when one did everything, and
    defined here as 0.0 when nobody did anything (the index is 0/0 there, and "no
    operations" should never read as "perfectly fair").
    """

    start_ns: int
    end_ns: int
    duration_s: float
    operations_total: int
    throughput_per_s: float
    jain: float
    longest_wait_ms: float
    starved: tuple[str, ...]  # workers (``AgentStats.counted``) with 0 operations
    wait_ms: Percentiles  # over every agent's acquisitions
    agents: tuple[AgentStats, ...]
    resources: tuple[ResourceStats, ...]

    @property
    def has_workers(self) -> bool:
        """Whether any agent is a worker: without one, ``jain`` says nothing about fairness."""
        return any(a.counted for a in self.agents)

    @property
    def timeouts_total(self) -> int:
        return sum(a.timeouts for a in self.agents)

    @property
    def handoffs_total(self) -> int:
        return sum(r.handoffs for r in self.resources)

    @property
    def utilisation_mean(self) -> float:
        """Mean utilisation over the locks and semaphores; 0.0 when there are none."""
        if not self.resources:
            return 0.0
        return sum(r.utilisation for r in self.resources) / len(self.resources)

    @property
    def over_capacity_ns(self) -> int:
        return sum(r.over_capacity_ns for r in self.resources)

    def to_dict(self) -> dict[str, Any]:
        """Nested JSON-ready dicts (tuples become lists), as written to summary.json."""
        return attrs.asdict(self, value_serializer=_lists)

    def flat(self) -> dict[str, float | int]:
        """Round-level numbers under stable names, for tables and sweeps."""
        return {
            "duration_s": self.duration_s,
            "operations_total": self.operations_total,
            "throughput_per_s": self.throughput_per_s,
            "jain": self.jain,
            "longest_wait_ms": self.longest_wait_ms,
            "starved_count": len(self.starved),
            "p50_wait_ms": self.wait_ms.p50,
            "p95_wait_ms": self.wait_ms.p95,
            "p99_wait_ms": self.wait_ms.p99,
            "max_wait_ms": self.wait_ms.max,
            "mean_wait_ms": self.wait_ms.mean,
            "timeouts_total": self.timeouts_total,
            "handoffs_total": self.handoffs_total,
            "utilisation_mean": self.utilisation_mean,
            "over_capacity_ns": self.over_capacity_ns,
        }


@attrs.frozen(eq=False)
class ResourceSeries:
    """Permits in use and capacity of one resource as right-continuous steps over ``[start_ns, end_ns]``.

    ``holders[i]`` and ``capacity[i]`` hold from ``t_ns[i]`` until ``t_ns[i + 1]`` (the last
    until ``end_ns``); each is the level after every change at that instant, so a release
    and an acquisition in the same nanosecond never read as two holders. ``holders`` is
    ACQUIRED minus RELEASED (see :mod:`sims.stats.timeline`): below 0 when a semaphore was
    released more often than acquired (a signal), which puts no permit in use.
    """

    resource: int
    start_ns: int
    end_ns: int
    t_ns: np.ndarray
    holders: np.ndarray
    capacity: np.ndarray

    def durations_ns(self) -> np.ndarray:
        return np.diff(self.t_ns, append=np.int64(self.end_ns))

    def held_ns(self) -> int:
        """∫ permits in use dt (holder-nanoseconds)."""
        return int(np.dot(np.maximum(self.holders, 0), self.durations_ns()))

    def capacity_ns(self) -> int:
        """∫ capacity dt: permit-nanoseconds on offer."""
        return int(np.dot(self.capacity, self.durations_ns()))

    def over_capacity_ns(self) -> int:
        """Time during which more permits were in use than the resource had."""
        return int(self.durations_ns()[self.holders > self.capacity].sum())

    def max_holders(self) -> int:
        return max(0, int(self.holders.max()))


@attrs.frozen(eq=False)
class KitchenStats:
    """Where the items of one container went; ``lost`` and ``duplicated`` must be 0.

    ``lost``: ids put but neither taken nor still in the container. ``duplicated``: takes
    beyond the first of an id that was put, plus every take of an id never put.
    ``occupancy`` is puts minus takes so far, one step per distinct timestamp.
    """

    container: int
    produced: int
    consumed: int
    on_pass: int
    lost: int
    duplicated: int
    max_occupancy: int
    occupancy_t_ns: np.ndarray
    occupancy: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the step series become lists of ints."""
        fields = attrs.asdict(self, recurse=False)
        fields["occupancy_t_ns"] = self.occupancy_t_ns.tolist()
        fields["occupancy"] = self.occupancy.tolist()
        return fields
