"""What a trace built a chunk at a time carries from one chunk to the next, besides open
holds and waits (:class:`sims.stats.pairing.OpenPairs`): each resource's lanes, its last
release (hand-off arrows) and its level (counters)."""

from __future__ import annotations

import bisect

import attrs
import numpy as np

from sims.kinds import ResourceKind
from sims.rounds.layout import RoundLayout
from sims.stats.intervals import Columns
from sims.telemetry import Op

RESOURCE_SLOTS = 1 << 15  # resource indices are int16


def firsts(groups: np.ndarray) -> np.ndarray:
    """Where each run of equal values starts."""
    return np.concatenate(([True], groups[1:] != groups[:-1])) if groups.size else np.zeros(0, bool)


def lasts(groups: np.ndarray) -> np.ndarray:
    """Where each run of equal values ends."""
    return np.append(groups[1:] != groups[:-1], True) if groups.size else np.zeros(0, bool)


def by_resource(resource: np.ndarray) -> np.ndarray:
    """The order that groups records by resource, time order kept inside each (a radix sort)."""
    return np.argsort(resource.astype(np.uint16), kind="stable")


class Lanes:
    """Each resource's lanes: holds that overlap go to different lanes. Holds come in the order
    they end, so a lane is free for a hold when the last hold put in it ended by the hold's
    start (every hold already placed ends no later than this one); of the free lanes the one
    whose last hold ended latest is taken."""

    def __init__(self) -> None:
        self.ends: dict[int, list[tuple[int, int]]] = {}  # resource -> (end, lane) of each lane, by end

    def place(self, resource: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """The lane of each hold (any order: placed by end, then as given)."""
        order = np.argsort(end, kind="stable")
        order = order[by_resource(resource[order])]
        r, s, e = resource[order], start[order], end[order]
        placed = np.zeros(r.size, np.int64)
        bounds = np.append(np.flatnonzero(firsts(r)), r.size)
        for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
            placed[lo:hi] = self._of_resource(int(r[lo]), s[lo:hi], e[lo:hi])
        out = np.empty_like(placed)
        out[order] = placed
        return out

    def _of_resource(self, resource: int, start: np.ndarray, end: np.ndarray) -> np.ndarray | list[int]:
        lanes = self.ends.setdefault(resource, [])
        if len(lanes) <= 1 and (not lanes or lanes[0][0] <= start[0]) and np.all(start[1:] >= end[:-1]):
            lanes[:] = [(int(end[-1]), 0)]  # the common case (a lock): one lane, no loop
            return np.zeros(start.size, np.int64)
        placed = []
        for s, e in zip(start.tolist(), end.tolist(), strict=True):
            k = bisect.bisect_right(lanes, (s, RESOURCE_SLOTS)) - 1  # the free lane that ended last
            lane = lanes.pop(k)[1] if k >= 0 else len(lanes)
            bisect.insort(lanes, (e, lane))
            placed.append(lane)
        return placed


class LastRelease:
    """Each resource's last release (by whom, when): the start of a hand-off arrow to come."""

    def __init__(self) -> None:
        self.agent = np.full(RESOURCE_SLOTS, -1, np.int64)
        self.t = np.zeros(RESOURCE_SLOTS, np.int64)

    def arrows(self, cols: Columns) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(from agent, from t, to agent, to t) of each acquisition after a wait whose resource
        another agent released last (its last release may be in an earlier chunk)."""
        op, agent, resource = cols.op, cols.agent, cols.resource
        known = (agent >= 0) & (resource >= 0)
        released = np.flatnonzero((op == Op.RELEASED) & known)
        released = released[by_resource(resource[released])]
        dst = np.flatnonzero((op == Op.ACQUIRED) & known & (cols.value > 0))
        by, to = resource[released].astype(np.int64), resource[dst].astype(np.int64)
        span = cols.t.size + 1  # releases by (resource, position): the last one before each acquisition
        at = np.searchsorted(by * span + released, to * span + dst) - 1
        here = (at >= 0) & (by[np.maximum(at, 0)] == to) if by.size else np.zeros(dst.size, bool)
        src = released[np.maximum(at, 0)] if by.size else dst
        src_agent = np.where(here, agent[src], self.agent[to])
        src_t = np.where(here, cols.t[src], self.t[to])
        arrow = (src_agent >= 0) & (src_agent != agent[dst])
        last = released[lasts(by)]
        self.agent[resource[last]], self.t[resource[last]] = agent[last], cols.t[last]
        return src_agent[arrow], src_t[arrow], agent[dst][arrow], cols.t[dst][arrow]


@attrs.frozen(eq=False)
class Steps:
    """Instants of resources' levels: at ``t``, ``use`` permits in use of ``capacity``."""

    resource: np.ndarray
    t: np.ndarray
    use: np.ndarray
    capacity: np.ndarray

    def select(self, which: np.ndarray) -> Steps:
        return Steps(self.resource[which], self.t[which], self.use[which], self.capacity[which])


def joined_steps(a: Steps, b: Steps) -> Steps:
    return Steps(
        np.concatenate((a.resource, b.resource)),
        np.concatenate((a.t, b.t)),
        np.concatenate((a.use, b.use)),
        np.concatenate((a.capacity, b.capacity)),
    )


class Levels:
    """Permits in use and capacity of every semaphore and container, as steps (the series of
    :func:`sims.stats.timeline.resource_timeline`): +1 at every agent's ACQUIRED, -1 at every
    RELEASED, a CAPACITY record sets the capacity; one step per instant, the last values at it,
    instants before the round's start shown at its start. Each resource's last instant so far
    is held back, as a later chunk may hold records of the same instant."""

    def __init__(self, layout: RoundLayout, origin: int) -> None:
        self.origin = origin
        counted = [info.index for info in layout.of_kind(ResourceKind.SEMAPHORE, ResourceKind.CONTAINER)]
        self.counted = np.zeros(RESOURCE_SLOTS, bool)
        self.counted[counted] = True
        capacity = np.zeros(RESOURCE_SLOTS, np.int64)
        for info in layout.resources:
            capacity[info.index] = info.capacity
        index = np.asarray(counted, np.int64)
        self.held = Steps(index, np.full(index.size, origin, np.int64), np.zeros(index.size, np.int64), capacity[index])
        self.where = np.full(RESOURCE_SLOTS, -1, np.int64)  # resource -> its row in self.held
        self.where[index] = np.arange(index.size)

    def feed(self, cols: Columns) -> Steps:
        """The steps these records end (each resource's last one stays held back)."""
        if not self.where.max() >= 0:
            return self.held.select(np.zeros(0, np.int64))
        op, resource = cols.op, cols.resource
        moves = ((op == Op.ACQUIRED) | (op == Op.RELEASED)) & (cols.agent >= 0)
        counted = (resource >= 0) & self.counted[np.clip(resource, 0, None)]
        mine = np.flatnonzero(counted & (moves | (op == Op.CAPACITY)))
        if not mine.size:
            return self.held.select(np.zeros(0, np.int64))
        points = cols.select(mine[by_resource(resource[mine])])
        r = points.resource.astype(np.int64)
        row = self.where[r]
        first = firsts(r)
        starts = np.flatnonzero(first)
        group = np.cumsum(first) - 1
        running = np.cumsum((points.op == Op.ACQUIRED).astype(np.int64) - (points.op == Op.RELEASED))
        use = self.held.use[row] + running - np.concatenate(([0], running[:-1]))[starts][group]
        set_at = np.maximum.accumulate(np.where(points.op == Op.CAPACITY, np.arange(r.size), -1))
        set_here = set_at >= starts[group]
        capacity = np.where(set_here, points.value[np.maximum(set_at, 0)], self.held.capacity[row])
        t = np.maximum(points.t, self.origin)
        instant = np.append((r[1:] != r[:-1]) | (t[1:] != t[:-1]), True)
        steps = Steps(r[instant], t[instant], use[instant], capacity[instant])
        return self._release(steps)

    def _release(self, steps: Steps) -> Steps:
        """The held-back steps these replace or end and every step but each resource's last."""
        row = self.where[steps.resource]
        first, last = firsts(steps.resource), lasts(steps.resource)
        ended = row[first][steps.t[first] != self.held.t[row[first]]]  # a later instant ends the held step
        out = joined_steps(self.held.select(ended), steps.select(np.flatnonzero(~last)))
        kept = steps.select(np.flatnonzero(last))
        at = self.where[kept.resource]
        self.held.t[at], self.held.use[at], self.held.capacity[at] = kept.t, kept.use, kept.capacity
        return out

    def finish(self) -> Steps:
        """Every resource's last step."""
        return self.held
