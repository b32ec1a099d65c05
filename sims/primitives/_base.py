"""What the instrumented primitives share: identity, telemetry codes, sliced waiting."""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sims.primitives._tally import flush_tally
from sims.runtime import SLICE_S, STOP, RoundStopped
from sims.telemetry import Op, op_code

if TYPE_CHECKING:
    from sims.primitives.statistics import ResourceStatistics
    from sims.runtime import Runtime

NS = 1_000_000_000


def timeout_ns(blocking: bool, timeout: float) -> int:
    """The REQUEST record's value: -1 for "forever", else the timeout in ns."""
    if not blocking:
        return 0
    if timeout is None or timeout < 0:
        return -1
    return int(timeout * NS)


class Instrumented:
    """Base of every instrumented primitive: a name, an index and a runtime to report to."""

    kind = "resource"

    def __init__(self, name: str, index: int, runtime: Runtime, flavour: str) -> None:
        self.name = name
        self.index = index
        self.flavour = flavour
        self._rt = runtime
        self._tls = runtime.agents_here  # per thread: the calling agent's writer
        self._model: Any = None  # the engine's live model; set only where the round runs

    def _emitter(self) -> Any:
        """The calling agent's ``emit`` (NotAnAgent for any other thread)."""
        try:
            return self._tls.writer.emit
        except AttributeError:
            raise self._rt.not_an_agent() from None

    def _code(self, op: Op) -> int:
        return op_code(op, self.index)

    def _caller(self) -> int:
        """The calling agent's index (NotAnAgent for any other thread)."""
        try:
            return int(self._tls.writer.agent)
        except AttributeError:
            raise self._rt.not_an_agent() from None

    def bind_model(self, model: Any) -> None:
        """Let ``statistics()`` answer from the engine's telemetry model (engine side only)."""
        self._model = model

    def statistics(self) -> ResourceStatistics:
        """A frozen snapshot (holders, waiters in arrival order, capacity) from telemetry."""
        if self._model is None:
            raise RuntimeError(
                f"{self.name}: statistics() is answered by the round's engine, which reads the "
                "telemetry of every agent; agents see only their own calls"
            )
        statistics: ResourceStatistics = self._model.resource_statistics(self.index)
        return statistics

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_model"] = None
        del state["_tls"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._tls = self._rt.agents_here

    @contextlib.contextmanager
    def _bookkeeping(self, meta: Any) -> Iterator[None]:
        """Hold ``meta``, a raw lock anyone holds for a few instructions only. Taken in slices,
        so that an agent killed while holding it cannot keep the others from seeing the round end."""
        if not meta.acquire(False):
            self._wait_sliced(lambda s: meta.acquire(True, s), -1, time.monotonic_ns(), meta.release)
        try:
            yield
        finally:
            meta.release()

    def _point(self, op: Op) -> None:
        """A scheduling point just before ``op`` (the schedule explorer decides who moves next)."""
        if self._rt.explored:  # one attribute read on the engine's hot path
            explorer = getattr(self._tls, "explorer", None)
            if explorer is not None:
                explorer.point(op, self.index)

    def _wait_sliced(self, attempt: Any, limit_ns: int, started: int, undo: Any = None) -> bool:
        """Call ``attempt(seconds)`` in short slices until it succeeds, times out or the round ends.

        A slice that returns False changes nothing the player can see: the agent is still
        waiting, exactly as it would be inside one long blocking call. Something obtained
        after the round ended is handed back (``undo``) so the round's picture stays frozen.
        Under the schedule explorer the agent never blocks for real: it tries, and if that
        fails it parks as "blocked on this resource" until another agent uses it.
        """
        explorer = getattr(self._tls, "explorer", None) if self._rt.explored else None
        if explorer is not None:
            return bool(explorer.blocked_wait(attempt, self.index, limit_ns >= 0))
        rt = self._rt
        while True:
            if limit_ns < 0:
                slice_s = SLICE_S
            else:
                left = limit_ns - (time.monotonic_ns() - started)
                if left <= 0:
                    return False
                slice_s = min(SLICE_S, left / NS)
            if attempt(slice_s):
                # ``rt.stopping`` without its call unless there is something to look at: the first
                # thing a woken waiter runs, with cold caches, after every contended acquire.
                if (rt.control[STOP] != 0.0 or rt.lifeline is not None) and rt.stopping and undo is not None:
                    undo()  # the round is over: a waiter that was still waiting never proceeds
                    raise RoundStopped(self.name)
                return True
            if rt.stopping:
                raise RoundStopped(self.name)


class Acquirable(Instrumented):
    """What Lock and Semaphore share: acquire with its records, and the context manager.

    ``self._raw`` is the real ``threading``/``multiprocessing`` object underneath.
    """

    _raw: Any

    def _codes(self) -> None:
        self._c_req = self._code(Op.REQUEST)
        self._c_acq = self._code(Op.ACQUIRED)
        self._c_rel = self._code(Op.RELEASED)
        self._c_out = self._code(Op.TIMED_OUT)
        self._c_abandon = self._code(Op.ABANDONED)

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        emit = self._emitter()
        self._point(Op.REQUEST)
        if self._raw.acquire(False):
            emit(self._c_acq, 0)  # the uncontended fast path: one record
            return True
        return self._acquire_contended(emit, timeout_ns(blocking, timeout))

    def __enter__(self) -> bool:
        emit = self._emitter()
        self._point(Op.REQUEST)
        if self._raw.acquire(False):
            emit(self._c_acq, 0)
            return True
        return self._acquire_contended(emit, -1)

    def __exit__(self, kind: object = None, exc: object = None, tb: object = None) -> None:
        if exc is not None and getattr(exc, "given_back", None) is self:
            return  # a Condition's wait gave it back, and the round ended before it was taken again
        self.release()

    def release(self) -> None:
        raise NotImplementedError

    def _acquire_contended(self, emit: Any, limit: int) -> bool:
        flush_tally(self._tls)  # detail off: what this agent holds, before it may wait
        started = time.monotonic_ns()
        if limit == 0:
            emit(self._c_out, 0)
            return False
        emit(self._c_req, limit)
        raw = self._raw
        try:  # a partial, not a lambda: no Python frame per slice
            got = self._wait_sliced(functools.partial(raw.acquire, True), limit, started, raw.release)
        except RoundStopped:
            emit(self._c_abandon, time.monotonic_ns() - started)
            raise
        emit(self._c_acq if got else self._c_out, time.monotonic_ns() - started)
        return got
