"""An instrumented mutual-exclusion lock over ``threading.Lock`` or ``multiprocessing.Lock``."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from sims.kinds import Backend
from sims.primitives._base import Acquirable, timeout_ns
from sims.primitives._tally import _NOW, HELD, HOLDS, LONGEST, RECORDED, TAKEN, flush_tally
from sims.runtime import CUT
from sims.telemetry import Op

if TYPE_CHECKING:
    from sims.runtime import Runtime


class Lock(Acquirable):
    """A Lock whose every acquire and release is recorded by the calling agent.

    The uncontended path records one ACQUIRED (wait 0) and one RELEASED: nothing else,
    so instrumentation stays cheap where nobody waits. With detail off it records nothing:
    the agent's Tally counts the hold (``sims.primitives._tally``).
    """

    kind = "lock"

    def __init__(self, name: str, index: int, runtime: Runtime, ctx: Any = None) -> None:
        super().__init__(name, index, runtime, Backend.THREAD if ctx is None else Backend.PROCESS)
        self._raw = threading.Lock() if ctx is None else ctx.Lock()
        # 1 once an agent released it without holding it (a Lock used as a signal): from then on a
        # counted hold may have been ended by another agent, so each is recorded at its release.
        self._signal: Any = [0] if ctx is None else ctx.RawArray("b", 1)
        self._codes()

    @property
    def capacity(self) -> int:
        return 1

    @property
    def raw(self) -> Any:
        """The uninstrumented lock inside (e.g. for ``multiprocessing.Value(..., lock=lock.raw)``)."""
        return self._raw

    # The detail-off fast path is written out in place: calls are most of its cost.
    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        try:
            writer = self._tls.writer
            tally = writer.tally  # the agent's Tally with detail off, else None
        except AttributeError:  # no writer (not an agent), or the schedule explorer's
            writer, tally = self._writer(), None
        raw = self._raw
        if tally is not None and raw.acquire(False):
            try:
                kept = tally.kept[self.index]
            except IndexError:  # the first lock of this index or above this agent takes
                kept = tally.keep(self.index)
            if kept[TAKEN]:  # another agent released our last hold: that one stays recorded
                tally.announce(self.index)
            kept[TAKEN] = _NOW()
            return True
        emit = writer.emit
        if self._rt.explored:  # _point() without its call, on every meal's path
            self._point(Op.REQUEST)
        if raw.acquire(False):
            emit(self._c_acq, 0)  # the uncontended fast path with detail on: one record
            got = True
        else:
            got = self._acquire_contended(emit, timeout_ns(blocking, timeout))
        if got and tally is not None:
            tally.recorded(self.index)
        return got

    __enter__ = acquire  # ``with lock:`` is acquire() with its defaults, as Acquirable's

    def release(self) -> None:
        self.__exit__()  # the same steps: ``with`` calls __exit__ directly, one call less

    def __exit__(self, kind: object = None, exc: object = None, tb: object = None) -> None:
        try:
            writer = self._tls.writer
            tally = writer.tally
        except AttributeError:
            writer, tally = self._writer(), None
        if tally is not None:
            try:
                kept = tally.kept[self.index]
            except IndexError:  # a lock this agent never took
                kept = None
            if kept is not None and kept[TAKEN]:
                # Stamped before the lock is free: the next holder's hold begins after ours ends.
                held = _NOW() - kept[TAKEN]
                if not tally.control[CUT] and not self._signal[0]:
                    kept[TAKEN] = 0
                    kept[HOLDS] += 1
                    kept[HELD] += held
                    if held > kept[LONGEST]:  # noqa: PLR1730 (a call to max() costs more here)
                        kept[LONGEST] = held
                    self._raw.release()
                    return
                tally.announce(self.index)  # the round is ending, or a signal: recorded, as with detail on
            if kept is None or not kept[RECORDED]:
                self._signal[0] = 1  # released by an agent that does not hold it
            else:
                kept[RECORDED] = 0
        if exc is not None and getattr(exc, "given_back", None) is self:
            return  # a Condition's wait gave it back, and the round ended before it was taken again
        # Record first: our RELEASED must precede the next holder's ACQUIRED in time.
        emit = writer.emit
        if self._rt.explored:
            self._point(Op.RELEASED)
        emit(self._c_rel, 0)
        self._raw.release()

    def for_agent(self) -> Lock:
        """This lock as one agent will use it: the same lock and records, faster without detail.

        An :class:`AgentLock` finds its agent's counters once, at its first use, not at every
        acquire and release. Give each agent its own (as dining gives each philosopher its forks).
        """
        twin = AgentLock.__new__(AgentLock)
        twin.__setstate__(self.__getstate__())
        return twin

    def _writer(self) -> Any:
        """The calling agent's writer when it keeps no Tally (an explorer's seat); NotAnAgent if none."""
        writer = getattr(self._tls, "writer", None)
        if writer is None:
            raise self._rt.not_an_agent()
        return writer

    def _is_owned(self) -> bool:
        """Held by anyone: a plain lock has no owner (CPython's Condition makes the same guess)."""
        if self._raw.acquire(False):
            self._raw.release()
            return False
        return True

    def _release_save(self) -> int:
        """Give it back for a Condition's wait; the level to restore (always 1)."""
        flush_tally(self._tls)  # a held lock counted but not recorded is announced first
        tally = getattr(getattr(self._tls, "writer", None), "tally", None)
        if tally is not None:
            tally.released(self.index)
        self._emitter()(self._c_rel, 0)
        self._raw.release()
        return 1

    def _acquire_restore(self, level: int) -> None:
        """Take it again after a Condition's wait (an ordinary, recorded acquire)."""
        self.acquire()

    def __repr__(self) -> str:
        return f"<Lock {self.name!r} #{self.index} ({self.flavour})>"


class AgentLock(Lock):
    """A Lock used by one agent only (``Lock.for_agent``): its counted holds skip the look-ups.

    Lock's detail-off fast path finds the calling agent's counters at every acquire and
    release (a thread-local look-up and an index each: a fifth of a counted hold). This twin
    of a Lock belongs to one agent, so it finds them once, at its first use, and keeps them;
    the steps are Lock's, written out again. Where there are none to find (detail on, the
    schedule explorer, a thread that is not an agent) it becomes a plain Lock at that use.
    Used by two agents, it would count one's holds as the other's: each agent gets its own.
    """

    _kept: list[int] | None  # this agent's counters for the lock, once found
    _tally: Any
    _control: Any

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        kept = self._kept
        if kept is not None and self._raw.acquire(False):
            if kept[TAKEN]:  # another agent released our last hold: that one stays recorded
                self._tally.announce(self.index)
            kept[TAKEN] = _NOW()
            return True
        if kept is None and self._bind():
            return self.acquire(blocking, timeout)
        return Lock.acquire(self, blocking, timeout)  # contended, or a plain Lock now

    __enter__ = acquire

    def __exit__(self, kind: object = None, exc: object = None, tb: object = None) -> None:
        kept = self._kept
        if kept is not None and kept[TAKEN]:
            held = _NOW() - kept[TAKEN]  # before the lock is free, as Lock's
            if not self._control[CUT] and not self._signal[0]:
                kept[TAKEN] = 0
                kept[HOLDS] += 1
                kept[HELD] += held
                if held > kept[LONGEST]:  # noqa: PLR1730 (a call to max() costs more here)
                    kept[LONGEST] = held
                self._raw.release()
                return
        Lock.__exit__(self, kind, exc, tb)

    def _bind(self) -> bool:
        """Find the calling agent's counters (True), or become a plain Lock for good (False)."""
        tally = getattr(getattr(self._tls, "writer", None), "tally", None)
        if tally is None:
            self.__class__ = Lock  # type: ignore[assignment]
            return False
        self._tally, self._control = tally, tally.control
        self._kept = tally.keep(self.index)
        return True

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        for found in ("_kept", "_tally", "_control"):  # found again where it is used
            del state[found]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        # One attribute at a time: an instance dict filled by ``__dict__.update`` made a counted
        # hold about 0.3 us slower (Python 3.11 reads its attributes unspecialised).
        for name, value in state.items():
            setattr(self, name, value)
        self._tls = self._rt.agents_here
        self._kept = self._tally = self._control = None
