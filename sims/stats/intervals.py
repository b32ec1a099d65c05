"""From records to intervals: hold intervals (ACQUIRED→RELEASED) and waits still open.

Everything here is vectorised: the records of every (agent, resource) key are brought
together by one stable sort on a small integer key, which keeps time order inside each
key, and pairing is then arithmetic on ranks.

Pairing is FIFO within a key: each release ends the key's oldest open acquisition, and
an acquisition never released by ``end_ns`` is held until ``end_ns``. The engine's own
records (agent ``ENGINE_AGENT``) are ignored. A release with nothing acquired before it
in the records ("orphan") means one of two things:

- the records are a round's whole history (they hold the engine's ROUND_START): nothing
  was held before, so the release returned a permit the agent never took, as a producer
  signals a semaphore. Pairing by agent means nothing on a resource used that way (the
  producer would "hold" every permit it took until the end), so such a resource has no
  hold intervals at all; its use shows in the permits-in-use series (``timeline``).
- the records are a later slice, as for a rolling window: the release ends a hold that
  began before the slice, the oldest of the key's, so orphans are the key's first
  releases; such holds are taken to start at the window's start.
"""

from __future__ import annotations

import attrs
import numpy as np

from sims.telemetry import Op

HOLD_DTYPE = np.dtype([("agent", "<i4"), ("resource", "<i2"), ("start_ns", "<i8"), ("end_ns", "<i8")], align=True)


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
        return cls(*(take(events[name]) for name in ("t_ns", "agent", "resource", "op", "value")))

    def select(self, which: np.ndarray | slice) -> Columns:
        """Some records: a slice (no copy), a boolean mask or indices."""
        if isinstance(which, np.ndarray) and which.dtype == bool:
            which = np.flatnonzero(which)
        return Columns(self.t[which], self.agent[which], self.resource[which], self.op[which], self.value[which])


@attrs.frozen(eq=False)
class Holds:
    """Hold intervals as columns, clipped to the window."""

    agent: np.ndarray
    resource: np.ndarray
    start_ns: np.ndarray
    end_ns: np.ndarray

    def durations_ns(self) -> np.ndarray:
        durations: np.ndarray = self.end_ns - self.start_ns
        return durations

    def select(self, which: np.ndarray) -> Holds:
        return Holds(self.agent[which], self.resource[which], self.start_ns[which], self.end_ns[which])

    def to_array(self) -> np.ndarray:
        """As a ``HOLD_DTYPE`` structured array (agent, resource, start_ns, end_ns)."""
        out = np.empty(self.agent.size, dtype=HOLD_DTYPE)
        for name in HOLD_DTYPE.names or ():
            out[name] = getattr(self, name)
        return out


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
    """Agents' REQUEST..ABANDONED records grouped by (resource, agent), time order kept inside a group.

    Groups come in resource order, so all records of one resource are contiguous too.
    """

    t: np.ndarray
    op: np.ndarray
    group: np.ndarray  # group number of each record, 0, 0, 1, 1, 1, 2 ...
    firsts: np.ndarray  # index of each group's first record
    agent: np.ndarray  # of each group
    resource: np.ndarray  # of each group

    @classmethod
    def of(cls, cols: Columns) -> Keyed:
        # REQUEST, ACQUIRED, RELEASED, TIMED_OUT, ABANDONED are the codes 1..5 (unsigned: 0 wraps)
        op = cols.op
        wanted = (op - np.uint16(Op.REQUEST)) <= np.uint16(Op.ABANDONED - Op.REQUEST)
        mine = np.flatnonzero(wanted & (cols.agent >= 0) & (cols.resource >= 0))
        if mine.size < op.size:  # (records chosen before, as a stream's, are all wanted)
            cols = cols.select(mine)
        agent, resource = cols.agent, cols.resource
        order, _, change = key_groups(pair_key(resource, agent, int(agent.max(initial=0)) + 1))
        firsts = np.flatnonzero(change)
        return cls(
            cols.t[order],
            cols.op[order],
            np.cumsum(change) - 1,
            firsts,
            agent[order[firsts]],
            resource[order[firsts]],
        )

    def running_min(self, values: np.ndarray) -> np.ndarray:
        """The running minimum of ``values``, restarted at every group.

        Shifting group g down by g * span (span > twice any |value|) makes every earlier
        group's values larger than any of g's, so one ``minimum.accumulate`` serves all.
        """
        span = 2 * int(np.abs(values).max(initial=0)) + 2
        shift = self.group.astype(np.int64) * span
        return np.minimum.accumulate(values - shift) + shift

    def within_group(self, running: np.ndarray) -> np.ndarray:
        """A running total over all records, restarted at every group."""
        before = np.concatenate(([0], running[:-1]))[self.firsts]
        restarted: np.ndarray = running - before[self.group]
        return restarted


def key_groups(key: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The order that brings equal keys together (keeping the order within each), the keys in
    that order, and where each group starts (True at its first)."""
    order = np.argsort(key, kind="stable")  # a radix sort for uint16 keys
    key = key[order]
    change = np.empty(key.size, dtype=bool)
    change[:1] = True
    np.not_equal(key[1:], key[:-1], out=change[1:])
    return order, key, change


def pair_key(major: np.ndarray, minor: np.ndarray, span: int) -> np.ndarray:
    """``major * span + minor`` in the narrowest unsigned type (uint16 sorts by radix)."""
    top = (int(major.max(initial=0)) + 1) * span
    for dtype in (np.uint16, np.uint32):
        if top <= np.iinfo(dtype).max:
            narrow: np.ndarray = major.astype(dtype) * dtype(span) + minor.astype(dtype)  # type: ignore[operator]
            return narrow
    wide: np.ndarray = major.astype(np.int64) * span + minor
    return wide


def whole_history(cols: Columns) -> bool:
    """Whether the records start with their round: they hold the engine's ROUND_START."""
    return bool(np.any(cols.op[cols.agent < 0] == Op.ROUND_START))


def holds(keyed: Keyed, start_ns: int, end_ns: int, *, whole: bool) -> Holds:
    """Hold intervals overlapping ``[start_ns, end_ns]`` (ending at or after ``start_ns``), clipped to it.

    ``keyed`` must hold no record after ``end_ns``; ``whole`` says whether it is a round's
    whole history (see the module's notes on orphans). Holds from before a slice come
    first, then the rest by resource, agent and acquisition.
    """
    return holds_and_signals(keyed, start_ns, end_ns, whole=whole)[0]


def holds_and_signals(keyed: Keyed, start_ns: int, end_ns: int, *, whole: bool) -> tuple[Holds, np.ndarray]:
    """:func:`holds`, and the resources used as signals (which have none)."""
    found, signalled = paired_holds(keyed, start_ns, end_ns, whole=whole)
    if signalled.size:
        found = found.select(np.flatnonzero(~np.isin(found.resource, signalled)))
    return found, signalled


def paired_holds(keyed: Keyed, start_ns: int, end_ns: int, *, whole: bool) -> tuple[Holds, np.ndarray]:
    """:func:`holds`, with the holds on resources used as signals still in, and those resources
    (in a whole history: a resource released more often than acquired by one agent)."""
    if keyed.t.size == 0:
        empty = np.empty(0, np.int64)
        return Holds(empty.astype(np.int32), empty.astype(np.int16), empty, empty), empty.astype(np.int16)
    is_acq, is_rel = keyed.op == Op.ACQUIRED, keyed.op == Op.RELEASED
    balance = keyed.within_group(np.cumsum(is_acq.astype(np.int64) - is_rel))
    orphan = _signals(keyed, balance, is_rel) if whole else _released_from_before(keyed, balance, is_rel)
    closing = is_rel & ~orphan
    closing_rank = keyed.within_group(np.cumsum(closing))  # 1, 2, 3 ... on a group's closing releases
    closing = np.flatnonzero(closing)
    acquired = np.flatnonzero(is_acq)
    acq_before_group = (np.cumsum(is_acq) - is_acq)[keyed.firsts]
    acq_end = np.full(acquired.size, end_ns, dtype=np.int64)
    acq_end[acq_before_group[keyed.group[closing]] + closing_rank[closing] - 1] = keyed.t[closing]
    earlier = np.empty(0, np.int64) if whole else np.flatnonzero(orphan)
    starts = np.concatenate((np.full(earlier.size, start_ns, dtype=np.int64), np.maximum(keyed.t[acquired], start_ns)))
    ends = np.concatenate((keyed.t[earlier], acq_end))
    group = np.concatenate((keyed.group[earlier], keyed.group[acquired]))
    found = Holds(keyed.agent[group], keyed.resource[group], starts, ends)
    kept = ends >= start_ns
    found = found if kept.all() else found.select(np.flatnonzero(kept))
    signalled = np.unique(keyed.resource[keyed.group[orphan]]) if whole else np.empty(0, np.int16)
    return found, signalled


def _released_from_before(keyed: Keyed, balance: np.ndarray, is_rel: np.ndarray) -> np.ndarray:
    """A slice's orphans: as many of a key's first releases as its balance goes below 0."""
    orphans = np.maximum(0, -np.minimum.reduceat(balance, keyed.firsts))  # per group
    release_rank = keyed.within_group(np.cumsum(is_rel))
    orphaned: np.ndarray = is_rel & (release_rank <= orphans[keyed.group])
    return orphaned


def _signals(keyed: Keyed, balance: np.ndarray, is_rel: np.ndarray) -> np.ndarray:
    """A whole history's orphans: releases that take a key's balance to a new low below 0."""
    lowest_before = np.minimum(0, np.concatenate(([0], keyed.running_min(balance)[:-1])))
    lowest_before[keyed.firsts] = 0
    return is_rel & (balance < lowest_before)


def open_waits(keyed: Keyed, start_ns: int, end_ns: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(agent, resource, ns waited) of every REQUEST with no later ACQUIRED/TIMED_OUT/ABANDONED on its key.

    Such a wait lasts until ``end_ns``; one that began before ``start_ns`` is clipped to it.
    """
    op = keyed.op
    if op.size == 0:
        return keyed.agent, keyed.resource, np.empty(0, np.int64)
    ending = (op == Op.ACQUIRED) | (op == Op.TIMED_OUT) | (op == Op.ABANDONED)
    position = np.arange(op.size)
    last_end = np.maximum.reduceat(np.where(ending, position, -1), keyed.firsts)
    still = np.flatnonzero((op == Op.REQUEST) & (position > last_end[keyed.group]))
    group = keyed.group[still]
    return keyed.agent[group], keyed.resource[group], end_ns - np.maximum(keyed.t[still], start_ns)


def hold_intervals(events: np.ndarray, start_ns: int, end_ns: int) -> np.ndarray:
    """Every agent's hold intervals overlapping ``[start_ns, end_ns]``, clipped to it (``HOLD_DTYPE``)."""
    check_window(start_ns, end_ns)
    cols = Columns.of(up_to(events, end_ns))
    return holds(Keyed.of(cols), start_ns, end_ns, whole=whole_history(cols)).to_array()
