"""Single-writer telemetry rings, one per agent, read in batches into numpy.

Layout of a ring set (one buffer: shared memory for processes, process memory for threads)::

    ring r header (64 bytes): reader_pos u8 (written by the reader), dropped u8 (by the writer)
    ring r slots: capacity x 32-byte records (see :mod:`sims.telemetry.schema`)

The writer never blocks and never takes a lock: it owns its slots up to ``reader_pos +
capacity`` and only re-reads ``reader_pos`` when it reaches that limit. A record that does
not fit is dropped and counted in the header, so loss is visible in the round summary.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Callable

import numpy as np

from sims.telemetry.schema import MASK32, RECORD_DTYPE, RECORD_SIZE, RECORD_STRUCT

HEADER_SIZE = 64
_U64 = struct.Struct("<Q")
_U32 = struct.Struct("<I")
_PROBE = 256  # records checked before the reader widens its look


def ring_bytes(capacity: int) -> int:
    """Bytes one ring takes, header included."""
    return HEADER_SIZE + capacity * RECORD_SIZE


class RingWriter:
    """Appends records to one ring. Owned by exactly one thread of one agent."""

    __slots__ = ("_agent", "_base", "_buf", "_capacity", "_dropped", "_header", "_limit", "_mask", "_next", "_pack")

    def __init__(self, buf: memoryview, ring: int, capacity: int, agent: int) -> None:
        self._buf = buf
        self._header = ring * ring_bytes(capacity)
        self._base = self._header + HEADER_SIZE
        self._capacity = capacity
        self._mask = capacity - 1
        self._agent = agent
        self._pack = RECORD_STRUCT.pack_into
        self._next = _U64.unpack_from(buf, self._header)[0]  # a fresh ring starts where the reader is
        self._limit = self._next + capacity
        self._dropped = _U64.unpack_from(buf, self._header + 8)[0]

    def emit(self, code: int, value: int, _now: Callable[[], int] = time.monotonic_ns) -> None:
        """Append one record: ``code`` is ``op | resource << 16`` (see ``op_code``).

        The hot path of the whole engine: one comparison, one clock read, one pack.
        """
        i = self._next
        if i >= self._limit and not self._make_room():
            return
        self._next = i + 1
        seq = (i + 1) & MASK32
        self._pack(self._buf, self._base + ((i & self._mask) << 5), seq, code, _now(), value, self._agent, seq)

    def _make_room(self) -> bool:
        self._limit = _U64.unpack_from(self._buf, self._header)[0] + self._capacity
        if self._next < self._limit:
            return True
        self._dropped += 1
        _U64.pack_into(self._buf, self._header + 8, self._dropped)
        return False

    @property
    def written(self) -> int:
        """Records this writer has put in the ring (dropped ones not counted)."""
        return self._next


class RingReader:
    """Drains every ring of a set; the only reader of that set."""

    def __init__(self, buf: memoryview, rings: int, capacity: int) -> None:
        if capacity & (capacity - 1):
            raise ValueError(f"ring capacity must be a power of two, got {capacity}")
        self._buf = buf
        self._rings = rings
        self._capacity = capacity
        self._stride = ring_bytes(capacity)
        self._pos = [0] * rings
        self._slots = [
            np.ndarray((capacity,), dtype=RECORD_DTYPE, buffer=buf, offset=r * self._stride + HEADER_SIZE)
            for r in range(rings)
        ]

    def dropped(self) -> int:
        """Records the writers could not store because their ring was full."""
        return sum(_U64.unpack_from(self._buf, r * self._stride + 8)[0] for r in range(self._rings))

    def drain(self) -> np.ndarray:
        """Everything new in every ring, as one RECORD_DTYPE array in ring order."""
        parts = [part for r in range(self._rings) if (part := self._drain_ring(r)) is not None]
        if not parts:
            return np.empty(0, dtype=RECORD_DTYPE)
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def _drain_ring(self, r: int) -> np.ndarray | None:
        pos = self._pos[r]
        head = r * self._stride + HEADER_SIZE + ((pos & (self._capacity - 1)) << 5)
        if _U32.unpack_from(self._buf, head)[0] != (pos + 1) & MASK32:
            return None  # nothing new: the common case, answered without numpy
        taken: list[np.ndarray] = []
        want = _PROBE
        while True:
            chunk = self._copy(r, pos, min(want, self._capacity - (pos - self._pos[r])))
            good = _valid_prefix(chunk, pos)
            if good:
                taken.append(chunk[:good])
                pos += good
            if good < len(chunk) or pos - self._pos[r] >= self._capacity:
                break
            want *= 4
        if not taken:
            return None  # the first new slot is still being written: nothing to take yet
        self._pos[r] = pos
        _U64.pack_into(self._buf, r * self._stride, pos)  # hand the slots back to the writer
        return taken[0] if len(taken) == 1 else np.concatenate(taken)

    def _copy(self, r: int, pos: int, count: int) -> np.ndarray:
        start = pos & (self._capacity - 1)
        slots = self._slots[r]
        if start + count <= self._capacity:
            return slots[start : start + count].copy()
        return np.concatenate((slots[start:], slots[: start + count - self._capacity]))


def _valid_prefix(chunk: np.ndarray, pos: int) -> int:
    """How many leading records are complete (both sequence words current) and in sequence."""
    expected = (np.arange(pos + 1, pos + 1 + len(chunk), dtype=np.uint64) & MASK32).astype(np.uint32)
    ok = (chunk["seq"] == expected) & (chunk["check"] == expected)
    return len(ok) if ok.all() else int(np.argmin(ok))
