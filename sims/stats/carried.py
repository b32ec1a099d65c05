"""Hold pairing over time-ordered chunks of a round's records, so no round has to fit in memory.

The pairing of :mod:`sims.stats.intervals` needs each (agent, resource) key's records in time
order. :class:`CarriedPairs` keeps between chunks only what is still open: each key's
acquisitions not yet released and requests not yet answered, put back in front of the key's
next records as records of their own, so the pairing runs unchanged on every chunk.

Whether a resource is used as a signal (a release with nothing acquired before it, anywhere
in the round) is known only at the end of the history. :class:`Balances` finds it in a cheap
first pass (only agent, resource and op), for a consumer that must leave those resources out
before it writes anything (the intervals table).
"""

from __future__ import annotations

import numpy as np

from sims.stats.intervals import Columns, Holds, Keyed, key_groups, open_waits, pair_key, paired_holds
from sims.telemetry import Op

OPEN = np.iinfo(np.int64).max  # the end of a hold or wait still open after the records so far


class CarriedPairs:
    """Each key's open acquisitions and requests, carried from one chunk to the next."""

    def __init__(self, start_ns: int, acquired: Columns | None = None) -> None:
        """``acquired``: acquisitions open before the first chunk (in front of each key's records)."""
        self.start_ns = start_ns
        self.acquired = acquired if acquired is not None else opened(*(np.empty(0, np.int64),) * 3, Op.ACQUIRED)
        self.requests = opened(*(np.empty(0, np.int64),) * 3, Op.REQUEST)

    def pair(self, records: Columns) -> tuple[Holds, np.ndarray]:
        """The holds that end among ``records`` (the next in time order; agents' REQUEST..ABANDONED,
        others are ignored) and the resources found used as signals there; the rest stay open."""
        keyed = Keyed.of(joined(joined(self.acquired, self.requests), records))
        found, signalled = paired_holds(keyed, self.start_ns, OPEN, whole=True)
        still = found.end_ns == OPEN
        held = found.select(np.flatnonzero(still))
        self.acquired = opened(held.start_ns, held.agent, held.resource, Op.ACQUIRED)
        agent, resource, waited = open_waits(keyed, self.start_ns, OPEN)
        self.requests = opened(OPEN - waited, agent, resource, Op.REQUEST)
        return found.select(np.flatnonzero(~still)), signalled

    def open_holds(self, end_ns: int) -> Holds:
        """The holds still open, as ending at ``end_ns``."""
        held = self.acquired
        return Holds(held.agent, held.resource, held.t, np.full(held.t.size, end_ns, np.int64))


class Balances:
    """Each (resource, agent) key's acquisitions minus releases and the lowest that ever was,
    over time-ordered chunks: a key that went below 0 released what it had not acquired."""

    def __init__(self, n_agents: int, n_resources: int) -> None:
        shape = (max(n_resources, 1), max(n_agents, 1))
        self.balance = np.zeros(shape, np.int64)
        self.lowest = np.zeros(shape, np.int64)
        self.whole = False  # the engine's ROUND_START was seen: the chunks are a whole history

    def feed(self, agent: np.ndarray, resource: np.ndarray, op: np.ndarray) -> None:
        """The next records' fields (time order)."""
        self.whole = self.whole or bool(np.any(op[agent < 0] == Op.ROUND_START))
        moves = ((op == Op.ACQUIRED) | (op == Op.RELEASED)) & (agent >= 0) & (resource >= 0)
        mine = np.flatnonzero(moves)
        if not mine.size:
            return
        agent, resource, op = agent[mine], resource[mine], op[mine]
        self._grow(int(resource.max()) + 1, int(agent.max()) + 1)
        order, key, change = key_groups(pair_key(resource, agent, self.balance.shape[1]))
        firsts = np.flatnonzero(change)
        keys = key[firsts].astype(np.int64)
        running = np.cumsum(np.where(op[order] == Op.ACQUIRED, 1, -1))
        before = np.concatenate(([0], running[:-1]))[firsts]
        flat_balance, flat_lowest = self.balance.reshape(-1), self.lowest.reshape(-1)
        level = running + np.repeat(flat_balance[keys] - before, np.diff(np.append(firsts, key.size)))
        flat_lowest[keys] = np.minimum(flat_lowest[keys], np.minimum.reduceat(level, firsts))
        flat_balance[keys] = level[np.append(firsts[1:], level.size) - 1]

    def _grow(self, n_resources: int, n_agents: int) -> None:
        rows, columns = self.balance.shape
        if n_resources > rows or n_agents > columns:
            pad = ((0, max(0, n_resources - rows)), (0, max(0, n_agents - columns)))
            self.balance, self.lowest = np.pad(self.balance, pad), np.pad(self.lowest, pad)

    def signalled(self) -> np.ndarray:
        """Resources used as signals (in a whole history: some key went below 0), as int16."""
        if not self.whole:
            return np.empty(0, np.int16)
        return np.flatnonzero((self.lowest < 0).any(axis=1)).astype(np.int16)

    def from_before(self, start_ns: int) -> Columns:
        """Not a whole history: the acquisitions open before it, one for each release a key made
        below 0 (its first releases, in first-in first-out order), as records at ``start_ns``."""
        if self.whole:
            return opened(*(np.empty(0, np.int64),) * 3, Op.ACQUIRED)
        resource, agent = np.nonzero(self.lowest < 0)
        count = -self.lowest[resource, agent]
        t = np.full(int(count.sum()), start_ns, np.int64)
        return opened(t, np.repeat(agent, count), np.repeat(resource, count), Op.ACQUIRED)


def opened(t: np.ndarray, agent: np.ndarray, resource: np.ndarray, op: Op) -> Columns:
    """Open acquisitions or requests as records, to go in front of the next chunk's."""
    return Columns(
        t.astype(np.int64),
        agent.astype(np.int32),
        resource.astype(np.int16),
        np.full(t.size, op, np.uint16),
        np.zeros(t.size, np.int64),
    )


def joined(a: Columns, b: Columns) -> Columns:
    """``a``'s records, then ``b``'s."""
    pairs = zip((a.t, a.agent, a.resource, a.op, a.value), (b.t, b.agent, b.resource, b.op, b.value), strict=True)
    return Columns(*(np.concatenate(pair) for pair in pairs))
