"""Single-writer telemetry rings, one per agent (the writer side; see ``reader`` for the other).

Layout of a ring set (one buffer: shared memory for processes, process memory for threads)::

    ring r header (64 bytes): reader_pos u8 (written by the reader), dropped u8 (by the writer)
    ring r slots: capacity x 32-byte records (see :mod:`sims.telemetry.schema`)

The writer never blocks and never takes a lock: it owns its slots up to ``reader_pos +
capacity`` and only re-reads ``reader_pos`` when it reaches that limit. A record that does
not fit is dropped and counted in the header, so loss is visible in the round summary.
"""

from __future__ import annotations

import os
import struct
import time
from collections.abc import Callable

from sims.telemetry.schema import RECORD_SIZE, RECORD_STRUCT

HEADER_SIZE = 64
_U64 = struct.Struct("<Q")


def ring_bytes(capacity: int) -> int:
    """Bytes one ring takes, header included."""
    return HEADER_SIZE + capacity * RECORD_SIZE


class RingWriter:
    """Appends records to one ring. Owned by exactly one thread of one agent."""

    __slots__ = (
        "_agent",
        "_base",
        "_buf",
        "_capacity",
        "_dropped",
        "_header",
        "_limit",
        "_mask",
        "_next",
        "_pack",
        "_yield",
    )

    def __init__(
        self, buf: memoryview, ring: int, capacity: int, agent: int, give_way: Callable[[], object] = os.sched_yield
    ) -> None:
        self._buf = buf
        self._header = ring * ring_bytes(capacity)
        self._base = self._header + HEADER_SIZE
        self._capacity = capacity
        self._mask = capacity - 1
        self._agent = agent
        self._pack = RECORD_STRUCT.pack_into
        self._next = _U64.unpack_from(buf, self._header)[0]  # a fresh ring starts where the reader is
        self._yield = give_way
        self._limit = self._next + self._soft_span()
        self._dropped = _U64.unpack_from(buf, self._header + 8)[0]

    def _soft_span(self) -> int:
        return self._capacity - (self._capacity >> 2)

    def emit(self, code: int, value: int, _now: Callable[[], int] = time.monotonic_ns) -> None:
        """Append one record: ``code`` is ``op | resource << 16`` (see ``op_code``).

        The hot path of the whole engine: one comparison, one clock read, one pack.
        """
        i = self._next
        if i >= self._limit and not self._make_room():
            return
        self._next = seq = i + 1
        seq &= 0xFFFFFFFF  # MASK32, as a literal: no global lookup on the hot path
        self._pack(self._buf, self._base + ((i & self._mask) << 5), seq, code, _now(), value, self._agent, seq)

    def _make_room(self) -> bool:
        """Past three quarters full: give the reader a turn every 1/64 ring, write up to full.

        Giving way (a thread yields the GIL, a process yields its CPU) only lets the reader
        run; the writer never waits for it. A full ring drops the record and counts it,
        re-reading the reader's position at every record until there is room again.
        """
        reader = _U64.unpack_from(self._buf, self._header)[0]
        if self._next < reader + self._soft_span():
            self._limit = reader + self._soft_span()
            return True
        if self._next < reader + self._capacity:
            self._yield()
            reader = _U64.unpack_from(self._buf, self._header)[0]
            self._limit = min(self._next + (self._capacity >> 6) + 1, reader + self._capacity)
            return True
        self._limit = self._next
        self._dropped += 1
        _U64.pack_into(self._buf, self._header + 8, self._dropped)
        return False

    @property
    def written(self) -> int:
        """Records this writer has put in the ring (dropped ones not counted)."""
        return self._next
