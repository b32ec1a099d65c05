"""Single-writer telemetry rings, one per agent (the writer side; see ``reader`` for the other).

Layout of a ring set (one buffer: shared memory for processes, process memory for threads)::

    ring r header (64 bytes): reader_pos u8 (written by the reader), dropped u8 (by the writer),
                              waiting u8 (1: the writer waits for room; the reader clears it)
    ring r slots: capacity x 32-byte records (see :mod:`sims.telemetry.schema`)

The writer owns its slots up to ``reader_pos + capacity`` and only re-reads ``reader_pos``
when it reaches a limit.

Past three quarters full the writer gives way, so the reader gets a turn:

* process flavour (the default, :func:`yield_cpu`): ``os.sched_yield()`` every 1/64 ring.
  Lock-free until the ring is full.
* thread flavour (:class:`DrainSignal`, given by ``Runtime.bind``): every 1/4096 ring the
  writer waits on a real ``threading.Condition`` until the reader has handed slots of its ring
  back, at most ``GIVE_WAY_S``. Yielding the GIL instead would hand it to any of the other
  agents, rarely to the engine's thread; a writer that waits holds no GIL, so the reader runs.
  The reader notifies after every drain that moved a ring (``RingReader(...,
  handed_back=signal.notify)``, set up by ``Runtime.reader``).

Either way every give-way is bounded. A record that finds the ring full waits for the reader
(:class:`Backpressure`, given to every agent's writer by ``Runtime.bind``): the agent sleeps
on a real primitive, slice by slice, until the reader has taken records of its ring, so a
stalled engine slows its agents down instead of losing their records. A process writer raises
its ring's ``waiting`` word and sleeps on its ring's semaphore, which the reader releases after
a drain that moved that ring; a thread writer sleeps on the ``DrainSignal``. It gives up, and
the record is dropped and counted in the header (visible in the round summary), only once the
round is stopping and the reader has not moved for ``GRACE_S``, or for a writer given no
``Backpressure`` (the engine's own: it is the reader).
"""

from __future__ import annotations

import os
import struct
import threading
import time
from collections.abc import Callable
from typing import Any

from sims.telemetry.schema import MASK32, RECORD_SIZE, RECORD_STRUCT

HEADER_SIZE = 64
_U64 = struct.Struct("<Q")
GIVE_WAY_S = 0.005  # the longest a thread writer past its soft limit waits for the reader, per give-way
PROCESS_SLICES = 64  # past the soft limit a process gives way every 1/64 ring...
THREAD_SLICES = 4096  # ...a thread every 1/4096
ROOM_SLICE_S = 0.05  # a writer whose ring is full re-checks this often (a missed wake-up costs one slice)
GRACE_S = 1.0  # once the round stops, how long a full writer still waits for the reader's last drains
WAITING = 16  # offset of the waiting word in a ring's header


def yield_cpu(moved: Callable[[], bool]) -> None:
    """Process flavour of giving way: let another process (the engine) run; never wait."""
    os.sched_yield()


class DrainSignal:
    """Thread flavour: the reader notifies after each drain; a writer past its soft limit waits.

    The writer's wait is bounded (``GIVE_WAY_S``) and ends as soon as ``moved()`` is true,
    checked under the condition's lock, so a drain between the writer's look and its wait is
    never missed.
    """

    slices = THREAD_SLICES

    def __init__(self, wait_s: float = GIVE_WAY_S) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._wait_s = wait_s

    def notify(self) -> None:
        """The reader has handed slots back: wake every waiting writer."""
        with self._cond:
            self._cond.notify_all()

    def give_way(self, moved: Callable[[], bool]) -> None:
        """Wait until ``moved()`` (the reader took records of this ring), at most ``wait_s``."""
        with self._cond:
            self._cond.wait_for(moved, self._wait_s)


class Backpressure:
    """How a writer whose ring is full waits for the reader instead of dropping the record.

    ``sleep(ring, moved)`` sleeps one bounded slice on a real primitive the reader signals
    (``DrainSignal.give_way`` for threads, the ring's semaphore for processes);
    ``stopping()`` says the round is over (or the engine is gone): the writer then waits at
    most ``grace_s`` more, the time the engine takes to drain while it stops its agents.
    """

    def __init__(
        self,
        sleep: Callable[[int, Callable[[], bool]], object],
        stopping: Callable[[], bool],
        grace_s: float = GRACE_S,
    ) -> None:
        self._sleep = sleep
        self._stopping = stopping
        self._grace_s = grace_s

    def wait(self, ring: int, moved: Callable[[], bool], ask: Callable[[], object]) -> bool:
        """Sleep until ``moved()``; False if the round stopped and the reader did not move for
        ``grace_s``. ``ask`` raises the ring's waiting word before each sleep."""
        deadline = None
        while not moved():
            if self._stopping():
                now = time.monotonic()
                deadline = now + self._grace_s if deadline is None else deadline
                if now >= deadline:
                    return False
            ask()
            if not moved():  # the reader may have drained between our look and the flag
                self._sleep(ring, moved)
        return True


def ring_bytes(capacity: int) -> int:
    """Bytes one ring takes, header included."""
    return HEADER_SIZE + capacity * RECORD_SIZE


class RingWriter:
    """Appends records to one ring. Owned by exactly one thread of one agent.

    The hot path keeps the next record's sequence number and slot offset ready, so a record
    costs no masking: ``_limit`` (in sequence numbers) stops it at the reader's limit, at the
    end of the slots and where the 32-bit sequence number wraps, and ``_make_room`` sets
    everything again from the record's absolute index ``_origin + _seq``.
    """

    _seq: int
    _off: int
    _limit: int
    _origin: int

    __slots__ = (
        "_agent",
        "_base",
        "_buf",
        "_capacity",
        "_dropped",
        "_header",
        "_limit",
        "_off",
        "_origin",
        "_ring",
        "_room",
        "_seq",
        "_step",
        "_stuck_at",
        "_yield",
        "tally",
    )

    def __init__(
        self,
        buf: memoryview,
        ring: int,
        capacity: int,
        agent: int,
        give_way: Callable[[Callable[[], bool]], object] = yield_cpu,
        slices: int = PROCESS_SLICES,
        room: Backpressure | None = None,
    ) -> None:
        self._buf = buf
        self._ring = ring
        self.tally: Any = None  # an agent's sims.primitives._tally.Tally, in rounds without detail
        self._room = room
        self._stuck_at = -1  # the reader's position when a full wait last gave up
        self._header = ring * ring_bytes(capacity)
        self._base = self._header + HEADER_SIZE
        self._capacity = capacity
        self._agent = agent
        self._yield = give_way
        self._step = max(1, capacity // slices)
        self._dropped = _U64.unpack_from(buf, self._header + 8)[0]
        start = self._reader_pos()  # a fresh ring starts where the reader is
        self._place(start, start + self._soft_span())

    def _soft_span(self) -> int:
        return self._capacity - (self._capacity >> 2)

    def emit(
        self,
        code: int,
        value: int,
        _now: Callable[[], int] = time.monotonic_ns,
        _pack: Callable[..., None] = RECORD_STRUCT.pack_into,
    ) -> None:
        """Append one record: ``code`` is ``op | resource << 16`` (see ``op_code``).

        The hot path of the whole engine: one comparison, two additions, one clock read, one
        pack (the clock and the pack are default arguments: local loads, not lookups).
        """
        seq = self._seq
        if seq >= self._limit:
            if not self._make_room():
                return
            seq = self._seq
        off = self._off
        self._seq = seq + 1
        self._off = off + RECORD_SIZE
        _pack(self._buf, off, seq, code, _now(), value, self._agent, seq)

    def emit_at(self, code: int, value: int, t_ns: int) -> None:
        """Append one record stamped ``t_ns`` rather than now: the engine's ROUND_END carries
        the very instant the round's statistics stop at (one cut-off for every count)."""
        self.emit(code, value, lambda: t_ns)

    def _make_room(self) -> bool:
        """Past three quarters full: give the reader a turn every ``1/slices`` ring, write up to full.

        Also reached at the end of the slots and where the sequence number wraps, with room to
        spare. Giving way is bounded (see the module's docstring): a process yields its CPU, a
        thread waits at most ``GIVE_WAY_S`` for the reader's next drain of this ring. A full
        ring waits for the reader (``Backpressure``); without one, or once that gives up, the
        record is dropped and counted, and the reader's position re-read at every record until
        there is room again.
        """
        k = self._origin + self._seq  # the absolute index of the record to write
        reader = self._reader_pos()
        if reader + self._soft_span() <= k < reader + self._capacity:
            self._yield(lambda: self._reader_pos() != reader)
            reader = self._reader_pos()
        if k >= reader + self._capacity and self._wait_for_reader(reader):
            reader = self._reader_pos()
        if k < reader + self._soft_span():
            self._place(k, reader + self._soft_span())
            return True
        if k < reader + self._capacity:
            self._place(k, min(k + self._step, reader + self._capacity))
            return True
        self._place(k, k)
        self._dropped += 1
        _U64.pack_into(self._buf, self._header + 8, self._dropped)
        return False

    def _wait_for_reader(self, reader: int) -> bool:
        """The ring is full: wait until the reader takes records of it (True), unless there is
        no ``Backpressure`` or it gave up (False; it is not asked again at the same position)."""
        if self._room is None or reader == self._stuck_at:
            return False
        if self._room.wait(self._ring, lambda: self._reader_pos() != reader, self._ask):
            return True
        self._stuck_at = reader
        return False

    def _ask(self) -> None:
        """Ask the reader to signal this ring's next drain (the process flavour's wake-up)."""
        _U64.pack_into(self._buf, self._header + WAITING, 1)

    def _place(self, k: int, limit: int) -> None:
        """Make record ``k`` the next, and come back to ``_make_room`` at record ``limit``,
        at the end of the slots or where the sequence number wraps, whichever comes first."""
        seq = (k + 1) & MASK32  # seq 0 follows 0xFFFFFFFF
        self._origin = origin = k - seq
        self._seq = seq
        self._off = self._base + (k & (self._capacity - 1)) * RECORD_SIZE
        end_of_slots = (k | (self._capacity - 1)) + 1
        self._limit = min(limit, end_of_slots, origin + (1 << 32)) - origin

    def _reader_pos(self) -> int:
        pos: int = _U64.unpack_from(self._buf, self._header)[0]
        return pos

    @property
    def agent(self) -> int:
        """The agent this writer writes as."""
        return self._agent

    @property
    def written(self) -> int:
        """Records this writer has put in the ring (dropped ones not counted)."""
        return self._origin + self._seq
