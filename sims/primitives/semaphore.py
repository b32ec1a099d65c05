"""An instrumented counting semaphore whose capacity can change while agents use it."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from sims.kinds import Backend
from sims.primitives._base import Acquirable
from sims.telemetry import Op

if TYPE_CHECKING:
    from sims.runtime import Runtime

_EFFECTIVE = 0  # permits in circulation: free + held (what "capacity" means at an instant)
META_TIMEOUT_S = 2.0  # a resize gives up (and says why) rather than hang the engine
_PENDING = 1  # permits a shrink still has to take back as holders return them
MAX_PERMITS = 10_000
"""The most permits a semaphore may hold. A resize releases new permits one at a time (a POSIX
semaphore has no "release n"), so this bounds how long a resize takes; it is far above what any
round's agents can use and far below what a semaphore or a telemetry record can represent."""


class Semaphore(Acquirable):
    """A Semaphore with live resize.

    Growing releases new permits at once. Shrinking takes free permits at once and the
    rest as holders return them (``pending``), so no permit is lost or invented and
    holders never exceed the recorded capacity. Every capacity change is recorded by the
    agent or engine that made it, before permits appear and after they disappear.
    """

    kind = "semaphore"

    def __init__(self, name: str, index: int, runtime: Runtime, value: int, ctx: Any = None) -> None:
        if value < 0:
            raise ValueError(f"semaphore {name!r}: initial value must be >= 0, got {value}")
        if value > MAX_PERMITS:
            raise ValueError(f"semaphore {name!r}: initial value must be at most {MAX_PERMITS}, got {value}")
        super().__init__(name, index, runtime, Backend.THREAD if ctx is None else Backend.PROCESS)
        if ctx is None:
            self._raw: Any = threading.Semaphore(value)
            self._meta: Any = threading.Lock()
            self._counts: Any = [value, 0]
        else:
            self._raw = ctx.Semaphore(value)
            self._meta = ctx.Lock()
            self._counts = ctx.RawArray("q", 2)
            self._counts[_EFFECTIVE] = value
        self._codes()
        self._c_cap = self._code(Op.CAPACITY)
        self._c_pending = self._code(Op.PENDING)

    @property
    def capacity(self) -> int:
        """Permits in circulation now (the target capacity plus what is still pending)."""
        return int(self._counts[_EFFECTIVE])

    @property
    def pending(self) -> int:
        return int(self._counts[_PENDING])

    @property
    def target(self) -> int:
        """The capacity the last resize asked for."""
        return self.capacity - self.pending

    def release(self) -> None:
        emit = self._emitter()
        self._point(Op.RELEASED)
        emit(self._c_rel, 0)
        if self._counts[_PENDING] > 0 and self._swallow(emit):
            return
        self._raw.release()
        if self._counts[_PENDING] > 0:  # a shrink came between our check and our release
            self._absorb_free(emit)

    def _swallow(self, emit: Any) -> bool:
        """Keep the returned permit for a pending shrink. True if it was kept."""
        with self._meta:
            if self._counts[_PENDING] <= 0:
                return False
            self._counts[_PENDING] -= 1
            self._counts[_EFFECTIVE] -= 1
            emit(self._c_cap, self._counts[_EFFECTIVE])
            emit(self._c_pending, self._counts[_PENDING])
            return True

    def _absorb_free(self, emit: Any) -> None:
        """Take free permits for a pending shrink (a waiter may have been quicker: fine)."""
        with self._meta:
            while self._counts[_PENDING] > 0 and self._raw.acquire(False):
                self._counts[_PENDING] -= 1
                self._counts[_EFFECTIVE] -= 1
                emit(self._c_cap, self._counts[_EFFECTIVE])
                emit(self._c_pending, self._counts[_PENDING])

    def resize(self, capacity: int) -> int:
        """Set the target capacity; returns how many permits are still pending.

        Called by the engine (or any agent); the caller's telemetry records the change.
        """
        if capacity < 0:
            raise ValueError(f"semaphore {self.name!r}: capacity must be >= 0, got {capacity}")
        if capacity > MAX_PERMITS:
            raise ValueError(f"semaphore {self.name!r}: capacity must be at most {MAX_PERMITS}, got {capacity}")
        emit = self._emitter()
        if not self._meta.acquire(True, META_TIMEOUT_S):
            raise RuntimeError(
                f"semaphore {self.name!r} cannot be resized: its bookkeeping lock is held by an agent "
                "that stopped or died in the middle of a release"
            )
        try:
            change = capacity - (self._counts[_EFFECTIVE] - self._counts[_PENDING])
            if change > 0:
                self._grow(emit, change)
            elif change < 0:
                self._shrink(emit, -change)
            return int(self._counts[_PENDING])
        finally:
            self._meta.release()

    def _grow(self, emit: Any, more: int) -> None:
        cancelled = min(more, self._counts[_PENDING])
        self._counts[_PENDING] -= cancelled
        fresh = more - cancelled
        self._counts[_EFFECTIVE] += fresh
        # Record the larger capacity before the new permits can be taken.
        emit(self._c_cap, self._counts[_EFFECTIVE])
        emit(self._c_pending, self._counts[_PENDING])
        for _ in range(fresh):
            self._raw.release()

    def _shrink(self, emit: Any, fewer: int) -> None:
        # Announce the debt first, then take what is free: a holder returning a permit
        # meanwhile either sees the debt (and pays it) or has already made its permit free.
        self._counts[_PENDING] += fewer
        while self._counts[_PENDING] > 0 and self._raw.acquire(False):
            self._counts[_PENDING] -= 1
            self._counts[_EFFECTIVE] -= 1
        emit(self._c_cap, self._counts[_EFFECTIVE])
        emit(self._c_pending, self._counts[_PENDING])

    def announce(self) -> None:
        """Record the current capacity (the engine does this once at round start)."""
        emit = self._emitter()
        emit(self._c_cap, self.capacity)
        emit(self._c_pending, self.pending)

    def __repr__(self) -> str:
        pending = f", {self.pending} pending" if self.pending else ""
        return f"<Semaphore {self.name!r} #{self.index} capacity {self.capacity}{pending} ({self.flavour})>"
