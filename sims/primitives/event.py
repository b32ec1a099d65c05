"""An instrumented Event over ``threading.Event`` or ``multiprocessing.Event``."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from sims.kinds import Backend
from sims.primitives._base import Instrumented, timeout_ns
from sims.primitives._tally import flush_tally
from sims.runtime import RoundStopped
from sims.telemetry import Op

if TYPE_CHECKING:
    from sims.runtime import Runtime


class Event(Instrumented):
    """An Event: ``wait`` blocks until ``set``; ``clear`` closes it again."""

    kind = "event"

    def __init__(self, name: str, index: int, runtime: Runtime, ctx: Any = None) -> None:
        super().__init__(name, index, runtime, Backend.THREAD if ctx is None else Backend.PROCESS)
        self._event = threading.Event() if ctx is None else ctx.Event()
        self._c_wait = self._code(Op.WAIT)
        self._c_woken = self._code(Op.WOKEN)
        self._c_out = self._code(Op.WAIT_TIMED_OUT)
        self._c_set = self._code(Op.SET)
        self._c_clear = self._code(Op.CLEAR)
        self._c_abandon = self._code(Op.ABANDONED)

    @property
    def capacity(self) -> int:
        return 0

    def is_set(self) -> bool:
        return self._event.is_set()

    def set(self) -> None:
        # Record first, so every WOKEN that this set causes comes after it in time.
        emit = self._emitter()
        self._point(Op.SET)
        emit(self._c_set, 0)
        self._event.set()

    def clear(self) -> None:
        emit = self._emitter()
        self._point(Op.CLEAR)
        self._event.clear()
        emit(self._c_clear, 0)

    def wait(self, timeout: float | None = None) -> bool:
        emit = self._emitter()
        self._point(Op.WAIT)
        if self._event.is_set():
            emit(self._c_woken, 0)
            return True
        limit = timeout_ns(True, -1 if timeout is None else timeout)
        flush_tally(self._tls)  # detail off: what this agent holds, before it waits
        started = time.monotonic_ns()
        emit(self._c_wait, limit)
        try:
            woke = self._wait_sliced(self._event.wait, limit, started)
        except RoundStopped:
            emit(self._c_abandon, time.monotonic_ns() - started)
            raise
        emit(self._c_woken if woke else self._c_out, time.monotonic_ns() - started)
        return woke

    def __repr__(self) -> str:
        return f"<Event {self.name!r} #{self.index} {'set' if self.is_set() else 'clear'} ({self.flavour})>"
