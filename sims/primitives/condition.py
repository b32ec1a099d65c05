"""An instrumented Condition over one of our Locks or RLocks, built as CPython builds its own.

Each waiter parks on a semaphore of its own (``sims.primitives._parking``) and is woken by
its release, so ``notify(n)`` wakes exactly the first ``n`` waiters that were there. The
lock is given back while waiting and taken again before ``wait`` returns; its own records
(RELEASED, then REQUEST / ACQUIRED) show both, between the condition's WAIT and WOKEN.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from sims.primitives._base import NS, Instrumented
from sims.primitives._parking import WaitQueue
from sims.primitives._tally import flush_tally
from sims.runtime import RoundStopped
from sims.telemetry import Op

if TYPE_CHECKING:
    from sims.primitives.lock import Lock
    from sims.primitives.rlock import RLock
    from sims.runtime import Runtime

T = TypeVar("T")
MAX_WAITERS = 16  # semaphores a condition keeps for its waiters (a process round's are fixed)


class Condition(Instrumented):
    """``wait`` / ``wait_for`` / ``notify`` / ``notify_all`` over ``lock``; ``with cond:`` takes the lock."""

    kind = "condition"

    def __init__(
        self,
        name: str,
        index: int,
        runtime: Runtime,
        lock: Lock | RLock,
        ctx: Any = None,
        max_waiters: int = MAX_WAITERS,
    ) -> None:
        super().__init__(name, index, runtime, "thread" if ctx is None else "process")
        if lock.flavour != self.flavour:
            raise ValueError(f"condition {name!r} is for {self.flavour}s but its lock {lock.name!r} is not")
        if max_waiters < 1:
            raise ValueError(f"condition {name!r}: max_waiters must be >= 1, got {max_waiters}")
        self.lock = lock
        self._queue = WaitQueue(max_waiters, ctx)
        self._c_wait = self._code(Op.WAIT)
        self._c_woken = self._code(Op.WOKEN)
        self._c_out = self._code(Op.WAIT_TIMED_OUT)
        self._c_notify = self._code(Op.NOTIFY)
        self._c_abandon = self._code(Op.ABANDONED)

    @property
    def capacity(self) -> int:
        return 0

    @property
    def waiting(self) -> int:
        """Waiters not yet notified."""
        return len(self._queue)

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        return self.lock.acquire(blocking, timeout)

    def release(self) -> None:
        self.lock.release()

    def __enter__(self) -> bool:
        return self.lock.__enter__()

    def __exit__(self, *exc: object) -> None:
        self.lock.__exit__(*exc)

    def wait(self, timeout: float | None = None) -> bool:
        """Give the lock back, sleep until notified (or ``timeout`` s), take the lock again.

        True if notified, False on time-out, as CPython's.
        """
        self._point(Op.WAIT)
        if not self.lock._is_owned():
            raise RuntimeError("cannot wait on un-acquired lock")
        emit, queue = self._emitter(), self._queue
        limit = -1 if timeout is None else max(0, int(timeout * NS))
        with self._bookkeeping(queue.meta):
            slot = queue.park(self._caller(), f"condition {self.name!r}")
        flush_tally(self._tls)  # detail off: what this agent holds, before it waits
        started = time.monotonic_ns()
        emit(self._c_wait, limit)
        level = self.lock._release_save()
        try:
            try:
                woke = self._wait_sliced(lambda s: queue.sleep(slot, s), limit, started)
            except RoundStopped:
                emit(self._c_abandon, time.monotonic_ns() - started)
                raise
            emit(self._c_woken if woke else self._c_out, time.monotonic_ns() - started)
            self.lock._acquire_restore(level)
        except RoundStopped as stopped:
            stopped.given_back = self.lock
            raise
        with self._bookkeeping(queue.meta):
            queue.leave(slot, woke)
        return woke

    def wait_for(self, predicate: Callable[[], T], timeout: float | None = None) -> T:
        """Wait until ``predicate()`` is true (checked with the lock held); its last value."""
        deadline = None if timeout is None else time.monotonic() + timeout
        result = predicate()
        while not result:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                break
            self.wait(left)
            result = predicate()
        return result

    def notify(self, n: int = 1) -> None:
        """Wake the first ``n`` waiters (they still have to take the lock again)."""
        self._point(Op.NOTIFY)
        if n < 0:
            raise ValueError(f"condition {self.name!r}: notify(n) needs n >= 0, got {n}")
        self._notify(n)

    def notify_all(self) -> None:
        self._point(Op.NOTIFY)
        self._notify(self._queue.slots)

    def _notify(self, n: int) -> None:
        if not self.lock._is_owned():
            raise RuntimeError("cannot notify on un-acquired lock")
        emit, queue = self._emitter(), self._queue
        with self._bookkeeping(queue.meta):
            for agent in queue.agents()[:n] or [-1]:
                emit(self._c_notify, agent)  # before the wake-up it causes
            queue.wake(n)

    def __repr__(self) -> str:
        return f"<Condition {self.name!r} ({self.flavour}) {self.waiting} waiting>"
