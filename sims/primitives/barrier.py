"""An instrumented Barrier: ``parties`` agents meet, then all go on; reusable; breakable.

Built like the Condition (``sims.primitives._parking``): arrivals that have to wait park on
semaphores of their own, and the last arrival wakes exactly the waiters of its round, so a
fast agent that comes back for the next round can never take a wake-up meant for a slow one.
The waker decides each waiter's outcome (through, or broken), as CPython's states do.
"""

from __future__ import annotations

import time
from threading import BrokenBarrierError
from typing import TYPE_CHECKING, Any

from sims.primitives._base import NS, Instrumented
from sims.primitives._parking import Outcome, WaitQueue
from sims.primitives._tally import flush_tally
from sims.runtime import RoundStopped
from sims.telemetry import Op

if TYPE_CHECKING:
    from sims.runtime import Runtime

_COUNT, _BROKEN = 0, 1  # arrivals waiting now; 1 once broken (until reset)


class Barrier(Instrumented):
    """CPython's ``threading.Barrier`` (without ``action``): ``wait`` returns the arrival index."""

    kind = "barrier"

    def __init__(
        self, name: str, index: int, runtime: Runtime, parties: int, ctx: Any = None, timeout: float | None = None
    ) -> None:
        if parties < 1:
            raise ValueError(f"barrier {name!r}: parties must be >= 1, got {parties}")
        super().__init__(name, index, runtime, "thread" if ctx is None else "process")
        self._parties = parties
        self._timeout = timeout
        # a use's waiters may still be on their way out when the next use's arrive
        self._queue = WaitQueue(max(2 * (parties - 1), 1), ctx)
        self._ints: Any = [0, 0] if ctx is None else ctx.RawArray("q", 2)
        self._c_wait = self._code(Op.WAIT)
        self._c_woken = self._code(Op.WOKEN)
        self._c_out = self._code(Op.WAIT_TIMED_OUT)
        self._c_tripped = self._code(Op.TRIPPED)
        self._c_broken = self._code(Op.BROKEN)
        self._c_break = self._code(Op.BREAK)
        self._c_reset = self._code(Op.RESET)
        self._c_abandon = self._code(Op.ABANDONED)

    @property
    def capacity(self) -> int:
        return self._parties

    @property
    def parties(self) -> int:
        return self._parties

    @property
    def n_waiting(self) -> int:
        """Arrivals waiting for the rest of the party."""
        return int(self._ints[_COUNT])

    @property
    def broken(self) -> bool:
        return bool(self._ints[_BROKEN])

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the whole party; this arrival's index (0 .. parties - 1).

        Raises ``threading.BrokenBarrierError`` if the barrier is or becomes broken or
        reset, and on time-out (which breaks it for everyone, as CPython's does).
        """
        self._point(Op.WAIT)
        timeout = self._timeout if timeout is None else timeout
        limit = -1 if timeout is None else max(0, int(timeout * NS))
        emit, queue = self._emitter(), self._queue
        with self._bookkeeping(queue.meta):
            if self._ints[_BROKEN]:
                emit(self._c_broken, 0)
                raise BrokenBarrierError
            index = int(self._ints[_COUNT])
            if index + 1 == self._parties:
                emit(self._c_tripped, self._parties)  # before the wake-ups it causes
                queue.wake(self._parties)
                self._ints[_COUNT] = 0
                return index
            self._ints[_COUNT] = index + 1
            slot = queue.park(self._caller(), f"barrier {self.name!r}")
            flush_tally(self._tls)  # detail off: what this agent holds, before it waits
            started = time.monotonic_ns()
            emit(self._c_wait, limit)
        try:
            woke = self._wait_sliced(lambda s: queue.sleep(slot, s), limit, started)
        except RoundStopped:
            emit(self._c_abandon, time.monotonic_ns() - started)
            raise
        with self._bookkeeping(queue.meta):
            outcome = queue.leave(slot, woke)
            waited = time.monotonic_ns() - started
            if outcome is Outcome.WOKEN:
                emit(self._c_woken, waited)
                return index
            if outcome is Outcome.PARKED:  # timed out before the party was complete
                emit(self._c_out, waited)
                self._break(emit)
            else:
                emit(self._c_broken, waited)
        raise BrokenBarrierError

    def abort(self) -> None:
        """Break the barrier: waiters now and later get BrokenBarrierError (until ``reset``)."""
        self._point(Op.BREAK)
        emit = self._emitter()
        with self._bookkeeping(self._queue.meta):
            self._break(emit)

    def reset(self) -> None:
        """Back to empty and unbroken; agents waiting now get BrokenBarrierError."""
        self._point(Op.RESET)
        emit = self._emitter()
        with self._bookkeeping(self._queue.meta):
            emit(self._c_reset, 0)
            self._queue.wake(self._parties, Outcome.BROKEN)
            self._ints[_COUNT] = 0
            self._ints[_BROKEN] = 0

    def _break(self, emit: Any) -> None:
        self._ints[_BROKEN] = 1
        emit(self._c_break, 0)
        self._queue.wake(self._parties, Outcome.BROKEN)
        self._ints[_COUNT] = 0

    def __repr__(self) -> str:
        if self.broken:
            return f"<Barrier {self.name!r} broken>"
        return f"<Barrier {self.name!r} {self.n_waiting}/{self._parties} waiting>"
