"""What every primitive and agent of one round shares, across threads and processes.

A :class:`Runtime` carries the name of the telemetry buffer, the control block (stop,
pause, time scale, step gating) and, per thread, the writer of the agent that is calling.
It pickles to its names only, so a spawned agent process attaches to the same memory.

In a thread round it also owns the ``DrainSignal`` that links the engine's reader to the
agents' writers: an agent thread past three quarters of its ring waits on it, a few ms at
most, for the engine's next drain, so the engine's thread gets the GIL (see
``sims.telemetry.ring``). Process rounds have none: their writers stay lock-free until a ring
is full; then the writer sleeps on its ring's semaphore (``room_bells``), which the engine's
reader releases once it has taken records of that ring. Either way a full ring makes its agent
wait for the engine (:class:`~sims.telemetry.ring.Backpressure`) instead of losing records.
"""

from __future__ import annotations

import contextlib
import enum
import mmap
import secrets
import threading
import time
from collections.abc import Callable, Mapping, MutableSequence, Sequence
from multiprocessing import shared_memory
from multiprocessing.sharedctypes import RawArray
from typing import TYPE_CHECKING, Any, cast

from sims.lifeline import Lifeline
from sims.shmtag import shm_tag
from sims.telemetry import ENGINE_AGENT, RingWriter, ring_bytes
from sims.telemetry.ring import ROOM_SLICE_S, Backpressure, DrainSignal, yield_cpu

if TYPE_CHECKING:
    from sims.telemetry.reader import RingReader

# Slots of the control block (a shared array of doubles, written only by the engine).
STOP = 0
PAUSED = 1
SCALE = 2
GATED = 3
DETAIL = 4  # 1: record states and steps; 0: only what resources and items need
CUT = 5  # when the round began to end (monotonic ns; 0: not yet): holds are recorded one by one again
ATTENTION = 6  # 1 while STOP, PAUSED, GATED or any agent's own PAUSED is set: agents read only this per meal
_CONTROL_SLOTS = 8
# Then each agent's own slots (``AgentSlot`` names them; all start at 0, 'as the round').
AGENT_SLOTS = 4


class AgentSlot(enum.IntEnum):
    """One agent's own slots in the control block, set by per-agent live commands.

    Every slot starts at 0, which means "as the rest of the round". A new per-agent command
    is a member here (at most ``AGENT_SLOTS``), a command that sets it, and ``Me`` reading it.
    """

    PAUSED = 0  # 1: this agent holds still ("pause 3"); 0: it runs ("resume 3")
    SLOW = 1  # its pacing is multiplied by this ("slow 3 4"); 0 counts as 1


SLICE_S = 0.05  # blocking calls wake this often to notice the end of the round


def segment_name() -> str:
    """``diner_<tag>_<random>``: the tag (``DINER_SHM_TAG``, inherited by children) lets a
    test runner tell its own segments from those of other programs on the machine."""
    return f"diner_{shm_tag()}_{secrets.token_hex(4)}"


def read_view(block: MutableSequence[float]) -> Sequence[float]:
    """The same doubles through a ``memoryview``: an agent reads its control block a few times a
    meal, and a memoryview's item costs less than a ctypes array's (83 against 107 ns, timed alone)."""
    view: Sequence[float] = memoryview(cast(Any, block)).cast("B").cast("d")
    return view


def _release_gil(moved: object) -> None:
    time.sleep(0)  # the engine's own writer in a thread round: it is the reader, so it never waits


class Doorbell:
    """A one-way signal that a killed waiter cannot wedge: once rung, every wait returns True.

    ``multiprocessing.Event.set()`` waits for each sleeper to acknowledge its wake-up, so a
    sleeper killed with SIGKILL makes ``set()`` hang for ever. Here a wait takes a latch and
    hands it straight back, so each woken waiter passes the wake-up on to the next, and the
    ringer never waits. Processes share a ``Semaphore(0)``. Threads share a raw
    ``threading.Lock`` held from the start: agent threads sleep here (paces longer than a nap,
    pauses, the start), and a raw lock's timed acquire is one C call with the GIL released, where
    ``threading.Semaphore`` is a Python-level Condition (one lock every waker takes, a new
    waiter lock per wait, a search of the waiters on each time-out).
    """

    def __init__(self, ctx: Any) -> None:
        if ctx is None:
            self._latch: Any = threading.Lock()
            self._latch.acquire()  # shut until rung
        else:
            self._latch = ctx.Semaphore(0)
        self._rung = False

    def ring(self) -> None:
        """Open it for good. Rung by one thread (the engine's); ringing again does nothing."""
        if not self._rung:
            self._rung = True
            self._latch.release()

    def wait(self, timeout: float) -> bool:
        """True as soon as the bell has been rung; False after ``timeout`` seconds."""
        if self._latch.acquire(True, timeout):
            self._latch.release()  # pass it on
            return True
        return False

    def taker(self) -> Callable[[bool, float], bool]:
        """``wait`` in two halves for a hot loop (a paced agent sleeps here twice a meal): the
        latch's own timed acquire, one C call, ``take(True, seconds)``; whoever it returns True
        to has taken the wake-up and must ``pass_on()`` before anything else."""
        take: Callable[[bool, float], bool] = self._latch.acquire
        return take

    def pass_on(self) -> None:
        self._latch.release()


class RoundStopped(Exception):
    """Raised inside an agent whose blocking call is cut short by the end of its round."""

    given_back: object = None  # the lock a Condition's wait had given back: ``with`` must not release it


class NotAnAgent(RuntimeError):
    """A primitive was used by a thread that is not one of the round's agents or its engine."""


class Runtime:
    """Shared wiring of one round. Created by the engine; agents receive it pickled."""

    explored = False  # True in a schedule explorer's run: primitives then ask it who moves next

    def __init__(self, ctx: Any, shared: bool) -> None:
        self.shared = shared
        self.rings = 0
        self.capacity = 0
        self._raw_array = RawArray if ctx is None else ctx.RawArray
        self._ctx = ctx
        self.room_bells: list[Any] = []  # process rounds: one semaphore per ring, released by the reader
        self.control: MutableSequence[float] = self._raw_array("d", _CONTROL_SLOTS)
        self.agent_control: MutableSequence[float] = []  # AGENT_SLOTS doubles per ring, made by allocate()
        self.control[SCALE] = 1.0
        self.control[DETAIL] = 1.0
        self.stop_bell = Doorbell(ctx)  # rung when the round ends: wakes every pacing agent
        self.go = Doorbell(ctx)  # rung once every agent has started: the round's clock starts
        self._shm: shared_memory.SharedMemory | None = None
        self._local_buf: mmap.mmap | None = None
        self.shm_name: str | None = None
        self._owner = True
        self.lifeline: Lifeline | None = None  # an agent process's tie to its parent (see stopping)
        self.agents_here = threading.local()
        # Thread rounds: writers past their soft limit wait (bounded) for the engine's next drain.
        self.drained = None if shared else DrainSignal()

    def allocate(self, rings: int, capacity: int) -> None:
        """Create the ring buffer once the number of agents is known."""
        if capacity <= 0 or capacity & (capacity - 1):
            raise ValueError(f"ring capacity must be a power of two, got {capacity}")
        self.rings, self.capacity = rings, capacity
        self.agent_control = self._raw_array("d", AGENT_SLOTS * rings)
        size = ring_bytes(capacity) * rings
        if self.shared:
            make = threading if self._ctx is None else self._ctx
            self.room_bells = [make.Semaphore(0) for _ in range(rings)]
            self._shm = shared_memory.SharedMemory(create=True, size=size, name=segment_name())
            self.shm_name = self._shm.name
        else:
            self._local_buf = mmap.mmap(-1, size)  # anonymous: pages are zeroed as first touched

    # -- pickling: names only ------------------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        if not self.shared:
            raise TypeError("a thread-backend Runtime lives in one process and cannot be pickled")
        return {
            "rings": self.rings,
            "capacity": self.capacity,
            "shm_name": self.shm_name,
            "control": self.control,
            "agent_control": self.agent_control,
            "stop_bell": self.stop_bell,
            "go": self.go,
            "room_bells": self.room_bells,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.shared = True
        self._shm = None
        self._local_buf = None
        self._owner = False
        self.lifeline = None
        self.agents_here = threading.local()
        self.drained = None

    # -- memory --------------------------------------------------------------------------
    @property
    def buffer(self) -> memoryview:
        """The ring buffer, attaching to the shared segment on first use in a child."""
        if self._local_buf is not None:
            return memoryview(self._local_buf)
        if self._shm is None:
            # Spawned agents share the engine's resource tracker, which already holds this
            # name: attaching registers it again (a no-op) and only the engine unlinks it.
            self._shm = shared_memory.SharedMemory(name=self.shm_name, create=False)
        return self._shm.buf  # type: ignore[return-value]  # None only once closed

    def close(self) -> None:
        """Detach; the engine's copy also unlinks the segment. Safe to call twice."""
        shm, self._shm = self._shm, None
        local, self._local_buf = self._local_buf, None
        if local is not None:
            with contextlib.suppress(BufferError):  # a reader's view may still be alive
                local.close()
        self.agents_here = threading.local()
        self.room_bells = []
        if shm is None:
            return
        try:
            shm.close()
        except BufferError:
            pass  # a view is still exported (a reader array); the unlink below still frees the name
        if self._owner:
            shm.unlink()

    # -- the calling agent ---------------------------------------------------------------
    def reader(self) -> RingReader:
        """The reader of every ring (the engine's side); in a thread round it wakes waiting writers."""
        from sims.telemetry.reader import RingReader

        if self.drained is None:
            return RingReader(self.buffer, self.rings, self.capacity, woken=self._ring_room_bell)
        return RingReader(self.buffer, self.rings, self.capacity, self.drained.notify)

    def _ring_room_bell(self, ring: int) -> None:
        self.room_bells[ring].release()

    def _sleep_on_bell(self, ring: int, moved: object) -> None:
        self.room_bells[ring].acquire(True, ROOM_SLICE_S)

    def _backpressure(self) -> Backpressure:
        """How this round's agents wait when their ring is full (see ``sims.telemetry.ring``)."""
        if self.drained is None:
            return Backpressure(self._sleep_on_bell, lambda: self.stopping)
        drained = self.drained
        return Backpressure(lambda ring, moved: drained.give_way(moved), lambda: self.stopping)

    def bind(self, ring: int, agent: int) -> RingWriter:
        """Make the current thread write as ``agent`` into ``ring``.

        Past three quarters of its ring a writer gives way to the reader (see
        ``sims.telemetry.ring``): a process yields its CPU; an agent thread waits, at most
        a few ms, for the engine's next drain; the engine's own writer only yields the GIL.
        An agent whose ring is full waits for the engine's next drain of it; the engine's own
        writer cannot (it is the reader) and drops a record that finds its ring full.
        """
        if agent == ENGINE_AGENT:
            give_way: Any = yield_cpu if self.drained is None else _release_gil
            writer = RingWriter(self.buffer, ring, self.capacity, agent, give_way)
        elif self.drained is None:
            writer = RingWriter(self.buffer, ring, self.capacity, agent, yield_cpu, room=self._backpressure())
        else:
            writer = RingWriter(
                self.buffer,
                ring,
                self.capacity,
                agent,
                self.drained.give_way,
                self.drained.slices,
                self._backpressure(),
            )
        self.agents_here.writer = writer
        return writer

    def unbind(self) -> None:
        self.agents_here.writer = None

    def writer(self) -> RingWriter:
        """The writer of the agent running on this thread."""
        writer: RingWriter | None = getattr(self.agents_here, "writer", None)
        if writer is None:
            raise self.not_an_agent()
        return writer

    @staticmethod
    def not_an_agent() -> NotAnAgent:
        return NotAnAgent(
            f"thread {threading.current_thread().name!r} is not an agent of this round; "
            "only agents and the engine may use the round's primitives"
        )

    # -- control block -------------------------------------------------------------------
    @property
    def stopping(self) -> bool:
        """True once the round has ended, or, in an agent process, once its parent has gone:
        asked at every pause point, so an orphaned agent ends within a slice (sims.lifeline)."""
        return self.control[STOP] != 0.0 or (self.lifeline is not None and self.lifeline.cut())

    @property
    def detailed(self) -> bool:
        return self.control[DETAIL] != 0.0

    def set_control(self, slot: int, value: float) -> None:
        """Write a slot of the control block (the engine's side), then ``ATTENTION``."""
        self.control[slot] = value
        self._attend()

    def set_agent(self, agent: int, slots: Mapping[int, float]) -> None:
        """Write one agent's own control slots (the engine's side; the agent reads them)."""
        for slot, value in slots.items():
            self.agent_control[agent * AGENT_SLOTS + slot] = value
        self._attend()

    def _attend(self) -> None:
        """``ATTENTION`` is 1 while anything would hold or end an agent: each agent reads that one
        word at its pause points, and the slots behind it only when it is set. Written after the
        slot it sums up, so an agent that sees it clear has nothing to miss but a change made
        after its look (as with any one slot)."""
        control, own = self.control, self.agent_control
        held = any(own[i] != 0.0 for i in range(AgentSlot.PAUSED, len(own), AGENT_SLOTS))
        control[ATTENTION] = 1.0 if held or control[STOP] or control[PAUSED] or control[GATED] else 0.0
