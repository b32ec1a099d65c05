"""An instrumented mutual-exclusion lock over ``threading.Lock`` or ``multiprocessing.Lock``."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from sims.kinds import Backend
from sims.primitives._base import Acquirable
from sims.telemetry import Op

if TYPE_CHECKING:
    from sims.runtime import Runtime


class Lock(Acquirable):
    """A Lock whose every acquire and release is recorded by the calling agent.

    The uncontended path records one ACQUIRED (wait 0) and one RELEASED: nothing else,
    so instrumentation stays cheap where nobody waits.
    """

    kind = "lock"

    def __init__(self, name: str, index: int, runtime: Runtime, ctx: Any = None) -> None:
        super().__init__(name, index, runtime, Backend.THREAD if ctx is None else Backend.PROCESS)
        self._raw = threading.Lock() if ctx is None else ctx.Lock()
        self._codes()

    @property
    def capacity(self) -> int:
        return 1

    @property
    def raw(self) -> Any:
        """The uninstrumented lock inside (e.g. for ``multiprocessing.Value(..., lock=lock.raw)``)."""
        return self._raw

    def release(self) -> None:
        # Record first: our RELEASED must precede the next holder's ACQUIRED in time.
        emit = self._emitter()
        self._point(Op.RELEASED)
        emit(self._c_rel, 0)
        self._raw.release()

    def _is_owned(self) -> bool:
        """Held by anyone: a plain lock has no owner (CPython's Condition makes the same guess)."""
        if self._raw.acquire(False):
            self._raw.release()
            return False
        return True

    def _release_save(self) -> int:
        """Give it back for a Condition's wait; the level to restore (always 1)."""
        self._emitter()(self._c_rel, 0)
        self._raw.release()
        return 1

    def _acquire_restore(self, level: int) -> None:
        """Take it again after a Condition's wait (an ordinary, recorded acquire)."""
        self.acquire()

    def __repr__(self) -> str:
        return f"<Lock {self.name!r} #{self.index} ({self.flavour})>"
