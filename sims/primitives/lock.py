"""An instrumented mutual-exclusion lock over ``threading.Lock`` or ``multiprocessing.Lock``."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from sims.primitives._base import Instrumented, timeout_ns
from sims.runtime import RoundStopped
from sims.telemetry import Op

if TYPE_CHECKING:
    from sims.runtime import Runtime


class Lock(Instrumented):
    """A Lock whose every acquire and release is recorded by the calling agent.

    The uncontended path records one ACQUIRED (wait 0) and one RELEASED: nothing else,
    so instrumentation stays cheap where nobody waits.
    """

    kind = "lock"

    def __init__(self, name: str, index: int, runtime: Runtime, ctx: Any = None) -> None:
        super().__init__(name, index, runtime, "thread" if ctx is None else "process")
        self._lock = threading.Lock() if ctx is None else ctx.Lock()
        self._c_req = self._code(Op.REQUEST)
        self._c_acq = self._code(Op.ACQUIRED)
        self._c_rel = self._code(Op.RELEASED)
        self._c_out = self._code(Op.TIMED_OUT)
        self._c_abandon = self._code(Op.ABANDONED)

    @property
    def capacity(self) -> int:
        return 1

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        writer = self._rt.writer()
        if self._lock.acquire(False):
            writer.emit(self._c_acq, 0)
            return True
        limit = timeout_ns(blocking, timeout)
        started = time.monotonic_ns()
        if limit == 0:
            writer.emit(self._c_out, 0)
            return False
        writer.emit(self._c_req, limit)
        try:
            got = self._wait_sliced(lambda s: self._lock.acquire(True, s), limit, started, self._lock.release)
        except RoundStopped:
            writer.emit(self._c_abandon, time.monotonic_ns() - started)
            raise
        waited = time.monotonic_ns() - started
        writer.emit(self._c_acq if got else self._c_out, waited)
        return got

    def release(self) -> None:
        # Record first: our RELEASED must precede the next holder's ACQUIRED in time.
        self._rt.writer().emit(self._c_rel, 0)
        self._lock.release()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"<Lock {self.name!r} #{self.index} ({self.flavour})>"
