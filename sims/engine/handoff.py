"""A round's records, handed from the engine host to the window in one block of shared memory.

A busy round writes over a million records a second. The window draws the host's pictures
and needs the records only for the results and the export, so they stay in the host until
the round has ended and then cross once: no pickling, no pipe, one copy on each side
(through the pipe they cost the window about a millisecond of every frame, and the results
of a busy round opened seconds late while the rest queued).

The window names the segment when it asks for the round (:func:`sims.runtime.segment_name`,
so test runs can attribute it); the host creates it when the round ends, and unlinks it once
the window says it has taken the records or is gone. The window unlinks it as soon as it has
copied it, and once more when it closes the host (:func:`forget`): a host killed between
making the segment and the window taking it cannot leave it behind.
"""

from __future__ import annotations

import contextlib
from multiprocessing import shared_memory

import attrs
import numpy as np

from sims.telemetry import EVENT_DTYPE


@attrs.frozen
class RecordsHandoff:
    """Where the host left ``count`` records (EVENT_DTYPE); ``segment`` is empty if none."""

    segment: str = ""
    count: int = 0


class RecordsLost(RuntimeError):
    """The records were not where the handoff said (the host gave up waiting, or died)."""


def leave(events: np.ndarray, name: str) -> tuple[shared_memory.SharedMemory | None, RecordsHandoff]:
    """Copy ``events`` into a new segment called ``name``; the caller must :func:`discard` it."""
    if not len(events):
        return None, RecordsHandoff()
    segment = shared_memory.SharedMemory(create=True, size=events.nbytes, name=name)
    try:
        np.ndarray(events.shape, EVENT_DTYPE, buffer=segment.buf)[:] = events
    except BaseException:
        discard(segment)
        raise
    return segment, RecordsHandoff(segment.name, len(events))


def take(handoff: RecordsHandoff) -> np.ndarray:
    """The records a handoff names, copied out; the segment is unlinked."""
    if not handoff.count:
        return np.empty(0, dtype=EVENT_DTYPE)
    try:
        segment = shared_memory.SharedMemory(name=handoff.segment, create=False)
    except FileNotFoundError:
        raise RecordsLost(f"the round's {handoff.count:,} records are gone from /dev/shm/{handoff.segment}") from None
    try:
        events = np.ndarray(handoff.count, EVENT_DTYPE, buffer=segment.buf).copy()
    finally:
        discard(segment)
    return events


def forget(name: str) -> None:
    """Unlink the segment called ``name`` if it is still there (its host died holding it)."""
    try:
        segment = shared_memory.SharedMemory(name=name, create=False)
    except FileNotFoundError:
        return
    discard(segment)


def discard(segment: shared_memory.SharedMemory) -> None:
    """Detach and unlink (either side may have unlinked it already)."""
    with contextlib.suppress(BufferError):
        segment.close()
    with contextlib.suppress(FileNotFoundError):
        segment.unlink()
