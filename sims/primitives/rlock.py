"""An instrumented re-entrant lock: an owner, a recursion count, and a plain lock underneath.

The owner is the calling thread's native id, unique across the machine's processes, kept
with the count in shared integers so that any process sees who holds it. Only the owner
ever writes them, and only while it holds the lock underneath.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from sims.primitives._base import Acquirable, timeout_ns
from sims.telemetry import Op

if TYPE_CHECKING:
    from sims.runtime import Runtime

_OWNER, _COUNT, _AGENT = 0, 1, 2  # native thread id of the owner, recursion level, owner's agent index


class RLock(Acquirable):
    """An RLock: its owner may acquire it again; it is free once released as often.

    Records: ACQUIRED / RELEASED when it is taken and given back for good (with REQUEST,
    TIMED_OUT and ABANDONED as a Lock's), RECURSION when the owner goes a level in or out.
    """

    kind = "rlock"

    def __init__(self, name: str, index: int, runtime: Runtime, ctx: Any = None) -> None:
        super().__init__(name, index, runtime, "thread" if ctx is None else "process")
        self._raw = threading.Lock() if ctx is None else ctx.Lock()
        self._ints: Any = [0, 0, -1] if ctx is None else ctx.RawArray("q", [0, 0, -1])
        self._codes()
        self._c_level = self._code(Op.RECURSION)

    @property
    def capacity(self) -> int:
        return 1

    @property
    def recursion(self) -> int:
        """How many times its owner holds it (0: free)."""
        return int(self._ints[_COUNT])

    def _is_owned(self, me: int | None = None) -> bool:
        ints = self._ints
        owned: bool = ints[_COUNT] > 0 and ints[_OWNER] == (threading.get_native_id() if me is None else me)
        return owned

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        self._point(Op.REQUEST)
        return self._acquire(timeout_ns(blocking, timeout))

    def __enter__(self) -> bool:
        self._point(Op.REQUEST)
        return self._acquire(-1)

    def _acquire(self, limit: int) -> bool:
        emit, me, ints = self._emitter(), threading.get_native_id(), self._ints
        if self._is_owned(me):
            ints[_COUNT] += 1
            emit(self._c_level, ints[_COUNT])
            return True
        if self._raw.acquire(False):
            emit(self._c_acq, 0)
        elif not self._acquire_contended(emit, limit):
            return False
        ints[_OWNER], ints[_AGENT], ints[_COUNT] = me, self._caller(), 1
        return True

    def release(self) -> None:
        self._point(Op.RELEASED)
        if not self._is_owned():
            raise RuntimeError("cannot release un-acquired lock")
        ints = self._ints
        if ints[_COUNT] > 1:
            ints[_COUNT] -= 1
            self._emitter()(self._c_level, ints[_COUNT])
            return
        self._release_save()

    def _release_save(self) -> int:
        """Give it back whatever the level (a Condition's wait); the level to restore."""
        level = int(self._ints[_COUNT])
        self._ints[_OWNER], self._ints[_COUNT], self._ints[_AGENT] = 0, 0, -1
        self._emitter()(self._c_rel, 0)  # recorded first, as a Lock's release
        self._raw.release()
        return level

    def _acquire_restore(self, level: int) -> None:
        """Take it again at ``level`` (after a Condition's wait): a scheduling point of its own."""
        self._point(Op.REQUEST)
        self._acquire(-1)
        if level > 1:
            self._ints[_COUNT] = level
            self._emitter()(self._c_level, level)

    def __repr__(self) -> str:
        level = self.recursion
        state = f"held by agent {self._ints[_AGENT]}, level {level}" if level else "free"
        return f"<RLock {self.name!r} #{self.index} {state} ({self.flavour})>"
