"""From records to intervals: hold intervals (ACQUIRED→RELEASED) and waits still open.

Everything here is vectorised: the records of every (agent, resource) key are brought
together by one stable sort on a small integer key, which keeps time order inside each
key, and pairing is then arithmetic on ranks.

Pairing is FIFO within a key: the k-th acquisition is ended by the k-th release. A
release with no acquisition before it in the data ("orphan") ends a hold that began
before the data did, as happens with a rolling window's slice; orphans end the oldest
holds, so they are a key's first releases, and such holds are taken to start at the
window's start. An acquisition never released by ``end_ns`` is held until ``end_ns``.
The engine's own records (agent ``ENGINE_AGENT``) are ignored.
"""

from __future__ import annotations

import attrs
import numpy as np

from sims.telemetry import Op

HOLD_DTYPE = np.dtype([("agent", "<i4"), ("resource", "<i2"), ("start_ns", "<i8"), ("end_ns", "<i8")])
_RESOURCE_OPS = (Op.REQUEST, Op.ACQUIRED, Op.RELEASED, Op.TIMED_OUT, Op.ABANDONED)


@attrs.frozen(eq=False)
class Columns:
    """The record fields as contiguous arrays (a structured array's fields are strided)."""

    t: np.ndarray
    agent: np.ndarray
    resource: np.ndarray
    op: np.ndarray
    value: np.ndarray

    @classmethod
    def of(cls, events: np.ndarray) -> Columns:
        take = np.ascontiguousarray
        return cls(
            take(events["t_ns"]),
            take(events["agent"]),
            take(events["resource"]),
            take(events["op"]),
            take(events["value"]),
        )

    def select(self, which: np.ndarray | slice) -> Columns:
        return Columns(self.t[which], self.agent[which], self.resource[which], self.op[which], self.value[which])


def time_ordered(events: np.ndarray) -> np.ndarray:
    """The records in time order: as given when already sorted, else stably sorted by ``t_ns``."""
    t = events["t_ns"]
    if t.size > 1 and np.any(np.diff(t) < 0):
        return events[np.argsort(t, kind="stable")]
    return events


def up_to(events: np.ndarray, end_ns: int) -> np.ndarray:
    """The time-ordered records with ``t_ns <= end_ns`` (later ones cannot matter)."""
    ordered = time_ordered(events)
    return ordered[: int(np.searchsorted(ordered["t_ns"], end_ns, side="right"))]


def check_window(start_ns: int, end_ns: int) -> None:
    if end_ns < start_ns:
        raise ValueError(f"window end_ns must be >= start_ns, got start_ns={start_ns}, end_ns={end_ns}")


@attrs.frozen(eq=False)
class Keyed:
    """Agents' resource records grouped by (agent, resource), time order kept inside a group."""

    cols: Columns
    group: np.ndarray  # group number of each record, non-decreasing
    firsts: np.ndarray  # index of each group's first record

    @classmethod
    def of(cls, cols: Columns) -> Keyed:
        mine = (cols.agent >= 0) & (cols.resource >= 0) & np.isin(cols.op, _RESOURCE_OPS)
        picked = cols.select(mine)
        span = int(picked.resource.max(initial=0)) + 1
        key = picked.agent.astype(np.int64) * span + picked.resource
        top = int(key.max(initial=0))
        key = key.astype(np.uint16 if top < 1 << 16 else np.uint32 if top < 1 << 32 else np.int64)
        order = np.argsort(key, kind="stable")
        return cls.from_sorted(picked.select(order), key[order])

    @classmethod
    def from_sorted(cls, cols: Columns, key: np.ndarray) -> Keyed:
        change = np.empty(key.size, dtype=bool)
        change[:1] = True
        np.not_equal(key[1:], key[:-1], out=change[1:])
        return cls(cols, np.cumsum(change) - 1, np.flatnonzero(change))

    def subset(self, which: np.ndarray) -> Keyed:
        """Some of the records, still grouped (group numbers are renumbered densely)."""
        return Keyed.from_sorted(self.cols.select(which), self.group[which])


def _within_group(counts_up: np.ndarray, keyed: Keyed) -> np.ndarray:
    """Turn a running total into a running total that restarts at every group."""
    before = np.concatenate(([0], counts_up[:-1]))[keyed.firsts]
    return counts_up - before[keyed.group]


def holds(keyed: Keyed, start_ns: int, end_ns: int) -> np.ndarray:
    """Hold intervals (``HOLD_DTYPE``) clipped to the window; ``keyed`` must stop at ``end_ns``.

    Kept: every hold that overlaps ``[start_ns, end_ns]`` (ends at or after ``start_ns``).
    Orphan holds come first, then the rest by agent, resource and acquisition.
    """
    pairs = keyed.subset((keyed.cols.op == Op.ACQUIRED) | (keyed.cols.op == Op.RELEASED))
    cols = pairs.cols
    if cols.t.size == 0:
        return np.empty(0, dtype=HOLD_DTYPE)
    is_acq = cols.op == Op.ACQUIRED
    balance = _within_group(np.cumsum(np.where(is_acq, 1, -1)), pairs)
    orphans_per_group = np.maximum(0, -np.minimum.reduceat(balance, pairs.firsts))
    release_rank = _within_group(np.cumsum(~is_acq), pairs)  # 1-based on releases
    orphan = ~is_acq & (release_rank <= orphans_per_group[pairs.group])
    closing = ~is_acq & ~orphan
    acq_at = np.flatnonzero(is_acq)
    acq_before_group = np.cumsum(is_acq) - is_acq  # acquisitions before each record
    first_acq = acq_before_group[pairs.firsts]
    ended_by = first_acq[pairs.group[closing]] + release_rank[closing] - orphans_per_group[pairs.group[closing]] - 1
    acq_end = np.full(acq_at.size, end_ns, dtype=np.int64)
    acq_end[ended_by] = cols.t[closing]
    starts = np.concatenate((np.full(int(orphan.sum()), start_ns, dtype=np.int64), cols.t[acq_at]))
    ends = np.concatenate((cols.t[orphan], acq_end))
    chosen = np.concatenate((np.flatnonzero(orphan), acq_at))
    return _clipped(cols.select(chosen), starts, ends, start_ns)


def _clipped(who: Columns, starts: np.ndarray, ends: np.ndarray, start_ns: int) -> np.ndarray:
    """Holds that end at or after the window's start, starting no earlier than it."""
    keep = ends >= start_ns
    out = np.empty(int(keep.sum()), dtype=HOLD_DTYPE)
    out["agent"] = who.agent[keep]
    out["resource"] = who.resource[keep]
    out["start_ns"] = np.maximum(starts[keep], start_ns)
    out["end_ns"] = ends[keep]
    return out


def open_waits(keyed: Keyed, start_ns: int, end_ns: int) -> Columns:
    """Records of every REQUEST with no later ACQUIRED/TIMED_OUT/ABANDONED on its key.

    Such a wait lasts until ``end_ns``; one that began before ``start_ns`` is clipped to it.
    ``value`` of the result is that wait in ns.
    """
    cols = keyed.cols
    if cols.t.size == 0:
        return cols
    ending = np.isin(cols.op, (Op.ACQUIRED, Op.TIMED_OUT, Op.ABANDONED))
    position = np.arange(cols.t.size)
    last_end = np.maximum.reduceat(np.where(ending, position, -1), keyed.firsts)
    still_open = (cols.op == Op.REQUEST) & (position > last_end[keyed.group])
    found = cols.select(still_open)
    return attrs.evolve(found, value=end_ns - np.maximum(found.t, start_ns))


def hold_intervals(events: np.ndarray, start_ns: int, end_ns: int) -> np.ndarray:
    """Every agent's hold intervals overlapping ``[start_ns, end_ns]``, clipped to it (``HOLD_DTYPE``)."""
    check_window(start_ns, end_ns)
    return holds(Keyed.of(Columns.of(up_to(events, end_ns))), start_ns, end_ns)
