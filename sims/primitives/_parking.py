"""Where Condition and Barrier waiters park: a FIFO of waiters, each on a semaphore of its own.

CPython's ``threading.Condition`` gives every waiter a fresh lock and wakes a waiter by
releasing it, so a wake-up can only reach the waiters that were there when it was given.
Processes cannot make fresh semaphores on the fly (a semaphore reaches a child only when the
child is started), so the semaphores are a fixed pool of ``slots`` and the queue, the owner
of each slot and its outcome are shared integers. A woken waiter keeps its slot until it
has left (its wake-up is still in the slot's semaphore), so a pool must also cover waiters
woken and not yet gone; a thread round's pool simply grows. Every method expects the caller
to hold ``meta``, a raw lock held only for bookkeeping, never while anybody sleeps.
"""

from __future__ import annotations

import enum
import threading
from typing import Any


class Outcome(enum.IntEnum):
    """What a slot holds: nobody, a parked waiter, or how its waiter was woken."""

    FREE = 0
    PARKED = 1
    WOKEN = 2  # notified, or let through by a barrier
    BROKEN = 3  # a barrier broke (or was reset) while it waited


class WaitQueue:
    """Parked waiters in arrival order. Shared layout: ``[length, queue..., agents..., outcomes...]``."""

    def __init__(self, slots: int, ctx: Any = None) -> None:
        make = threading if ctx is None else ctx
        self.meta = make.Lock()
        self.slots = slots
        self.grows = ctx is None
        self._sems = [make.Semaphore(0) for _ in range(slots)]
        self._ints: Any = [0] * (1 + 3 * slots) if ctx is None else ctx.RawArray("q", 1 + 3 * slots)

    def _grow(self) -> None:
        """Twice the slots (thread rounds only: a list of ints and fresh semaphores)."""
        old, n = self._ints, self.slots
        self._ints = [old[0], *old[1 : 1 + n], *[0] * n, *old[1 + n : 1 + 2 * n], *[0] * n, *old[1 + 2 * n :]]
        self._ints += [0] * n
        self._sems += [threading.Semaphore(0) for _ in range(n)]
        self.slots = 2 * n

    def __len__(self) -> int:
        return int(self._ints[0])

    def _queue(self, i: int) -> int:
        return int(self._ints[1 + i])

    def _agent_at(self, slot: int) -> int:
        return int(self._ints[1 + self.slots + slot])

    def outcome(self, slot: int) -> Outcome:
        return Outcome(self._ints[1 + 2 * self.slots + slot])

    def _set_outcome(self, slot: int, outcome: Outcome) -> None:
        self._ints[1 + 2 * self.slots + slot] = outcome

    def agents(self) -> list[int]:
        """The agents parked, first come first."""
        return [self._agent_at(self._queue(i)) for i in range(len(self))]

    def park(self, agent: int, what: str) -> int:
        """Queue ``agent`` at the back; its slot. ``what`` names the primitive in the error."""
        slot = next((s for s in range(self.slots) if self.outcome(s) is Outcome.FREE), -1)
        if slot < 0 and self.grows:
            slot = self.slots
            self._grow()
        if slot < 0:
            raise RuntimeError(
                f"{what}: more than {self.slots} agents waiting at once, or woken and not yet gone "
                "(its max_waiters); give it more when you make it"
            )
        self._set_outcome(slot, Outcome.PARKED)
        self._ints[1 + self.slots + slot] = agent
        self._ints[1 + len(self)] = slot
        self._ints[0] += 1
        return slot

    def sleep(self, slot: int, seconds: float) -> bool:
        """Wait up to ``seconds`` for this slot's wake-up (the one call made without ``meta``)."""
        return bool(self._sems[slot].acquire(True, seconds))

    def wake(self, n: int, outcome: Outcome = Outcome.WOKEN) -> list[int]:
        """Wake the first ``n`` parked waiters with ``outcome``; the agents woken."""
        count = min(n, len(self))
        woken = [self._queue(i) for i in range(count)]
        for i in range(len(self) - count):
            self._ints[1 + i] = self._ints[1 + count + i]
        self._ints[0] -= count
        for slot in woken:
            self._set_outcome(slot, outcome)
            self._sems[slot].release()
        return [self._agent_at(slot) for slot in woken]

    def leave(self, slot: int, woke: bool) -> Outcome:
        """Free the slot of a waiter that stopped sleeping; how it was woken (PARKED: it was not).

        A waiter that timed out may have been woken just after: it takes that wake-up, so the
        slot's semaphore is back at zero for the next waiter.
        """
        outcome = self.outcome(slot)
        if outcome is Outcome.PARKED:
            position = next(i for i in range(len(self)) if self._queue(i) == slot)
            for i in range(position, len(self) - 1):
                self._ints[1 + i] = self._ints[2 + i]
            self._ints[0] -= 1
        elif not woke:
            self._sems[slot].acquire(False)  # released under meta, before we took meta: there
        self._set_outcome(slot, Outcome.FREE)
        return outcome
