"""Single-writer telemetry rings, one per agent (the writer side; see ``reader`` for the other).

Layout of a ring set (one buffer: shared memory for processes, process memory for threads)::

    ring r header (64 bytes): reader_pos u8 (written by the reader), dropped u8 (by the writer)
    ring r slots: capacity x 32-byte records (see :mod:`sims.telemetry.schema`)

The writer owns its slots up to ``reader_pos + capacity`` and only re-reads ``reader_pos``
when it reaches a limit. A record that does not fit is dropped and counted in the header, so
loss is visible in the round summary.

Past three quarters full the writer gives way, so the reader gets a turn:

* process flavour (the default, :func:`yield_cpu`): ``os.sched_yield()`` every 1/64 ring.
  Lock-free; the writer never waits for the reader.
* thread flavour (:class:`DrainSignal`, given by ``Runtime.bind``): every 1/4096 ring the
  writer waits on a real ``threading.Condition`` until the reader has handed slots of its ring
  back, at most ``GIVE_WAY_S``. Yielding the GIL instead would hand it to any of the other
  agents, rarely to the engine's thread; a writer that waits holds no GIL, so the reader runs.
  The reader notifies after every drain that moved a ring (``RingReader(...,
  handed_back=signal.notify)``, set up by ``Runtime.reader``).

Either way every give-way is bounded, and a record that finds the ring full is dropped and
counted (a stalled reader gives a thread writer 1024 give-ways, over 5 s, before that).
"""

from __future__ import annotations

import os
import struct
import threading
import time
from collections.abc import Callable

from sims.telemetry.schema import MASK32, RECORD_SIZE, RECORD_STRUCT

HEADER_SIZE = 64
_U64 = struct.Struct("<Q")
GIVE_WAY_S = 0.005  # the longest a thread writer past its soft limit waits for the reader, per give-way
PROCESS_SLICES = 64  # past the soft limit a process gives way every 1/64 ring...
THREAD_SLICES = 4096  # ...a thread every 1/4096: a stalled reader has >= 1024 x GIVE_WAY_S before a drop


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
        "_seq",
        "_step",
        "_yield",
    )

    def __init__(
        self,
        buf: memoryview,
        ring: int,
        capacity: int,
        agent: int,
        give_way: Callable[[Callable[[], bool]], object] = yield_cpu,
        slices: int = PROCESS_SLICES,
    ) -> None:
        self._buf = buf
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

    def _make_room(self) -> bool:
        """Past three quarters full: give the reader a turn every ``1/slices`` ring, write up to full.

        Also reached at the end of the slots and where the sequence number wraps, with room to
        spare. Giving way is bounded (see the module's docstring): a process yields its CPU, a
        thread waits at most ``GIVE_WAY_S`` for the reader's next drain of this ring. A full
        ring drops the record and counts it, re-reading the reader's position at every record
        until there is room again.
        """
        k = self._origin + self._seq  # the absolute index of the record to write
        reader = self._reader_pos()
        if reader + self._soft_span() <= k < reader + self._capacity:
            self._yield(lambda: self._reader_pos() != reader)
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
