"""A round's records on disk, one column per file, so that no round has to fit in memory.

Each field of the record (``t_ns``, ``agent``, ``resource``, ``op``, ``value``) is one ``.npy``
file in the spill's folder, appended to as the round runs. Every file's header is rewritten
after each append, so at any moment (a full disk, a killed engine) every file is a valid
``.npy`` of the records written so far: ``np.load(path, mmap_mode="r")`` reads a column of any
length without loading it. ``records.json`` is written when the spill is closed.

The writer (:class:`RecordSpill`) and the two ways a finished round's records are held
(:class:`SpilledRecords` on disk, :class:`MemoryRecords` in memory) share one interface:
``len()``, ``chunks()`` (time-ordered arrays of bounded size, for exporters) and ``load()``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import attrs
import numpy as np

from sims.lifeline import process_alive
from sims.shmtag import shm_tag
from sims.telemetry.dtypes import EVENT_DTYPE

FIELDS: tuple[str, ...] = tuple(EVENT_DTYPE.names or ())
HEADER_BYTES = 128  # every column's .npy header, padded to this size so it can be rewritten in place
CHUNK_RECORDS = 1 << 20  # records per chunk handed to a reader (24 MiB)
MANIFEST = "records.json"
TEMP_PREFIX = "diner-round-"


class SpillFull(OSError):
    """The disk took no more records; the message names the folder and what was kept."""


def _header(dtype: np.dtype, count: int) -> bytes:
    """A version 1.0 ``.npy`` header for ``count`` values, padded to HEADER_BYTES."""
    text = repr({"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False, "shape": (count,)})
    body = text.encode("latin1")
    pad = HEADER_BYTES - 10 - len(body) - 1
    return b"\x93NUMPY\x01\x00" + (HEADER_BYTES - 10).to_bytes(2, "little") + body + b" " * pad + b"\n"


class RecordSpill:
    """Appends records to column files in ``folder``; ``close()`` writes the manifest."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0
        self.unordered = 0  # records appended earlier in time than one appended before them
        self._last_t = np.iinfo(np.int64).min
        self._files: dict[str, BinaryIO] = {}
        try:
            for name in FIELDS:
                handle = open(self.folder / f"{name}.npy", "wb")  # noqa: SIM115 - closed in close()
                self._files[name] = handle
                handle.write(_header(EVENT_DTYPE[name], 0))
        except BaseException:
            self.close()
            raise

    @property
    def nbytes(self) -> int:
        """Bytes on disk: the columns (headers included)."""
        return len(FIELDS) * HEADER_BYTES + self.count * EVENT_DTYPE.itemsize

    def append(self, events: np.ndarray) -> None:
        """Write ``events`` (EVENT_DTYPE) after the others. SpillFull if the disk refuses:
        then nothing of ``events`` is kept and every column still holds the earlier records."""
        if not len(events):
            return
        try:
            for name, handle in self._files.items():
                self._write(handle, np.ascontiguousarray(events[name]).data)
            self._commit(self.count + len(events))
        except OSError as error:
            self._roll_back()
            kept = f"{self.count:,} records ({self.nbytes / 1e6:.1f} MB) kept"
            raise SpillFull(error.errno, f"{self.folder}: {error.strerror or error}; {kept}") from error
        t = events["t_ns"]
        self.unordered += int(np.count_nonzero(t < self._last_t))
        self._last_t = max(self._last_t, int(t.max()))

    def _write(self, handle: BinaryIO, data: memoryview) -> None:
        handle.write(data)

    def _commit(self, count: int) -> None:
        for name, handle in self._files.items():
            handle.flush()
            handle.seek(0)
            handle.write(_header(EVENT_DTYPE[name], count))
            handle.seek(0, os.SEEK_END)
        self.count = count

    def _roll_back(self) -> None:
        """Cut every column back to the committed records (best effort: the disk is full)."""
        for name, handle in self._files.items():
            try:
                handle.truncate(HEADER_BYTES + self.count * EVENT_DTYPE[name].itemsize)
                handle.seek(0, os.SEEK_END)
            except OSError:
                pass

    def close(self) -> None:
        """Close the columns and write the manifest (if the disk lets us; the columns are enough)."""
        for handle in self._files.values():
            try:
                handle.close()
            except OSError:
                pass
        if not self._files:
            return
        self._files = {}
        manifest = {"records": self.count, "fields": list(FIELDS), "time_ordered": self.unordered == 0}
        try:
            (self.folder / MANIFEST).write_text(json.dumps(manifest) + "\n")
        except OSError:
            pass

    def records(self, *, temporary: bool) -> SpilledRecords:
        """What was written, to read back (``temporary``: the folder goes with the reader)."""
        self.close()
        return SpilledRecords(self.folder, temporary=temporary)


def temporary_folder() -> Path:
    """A new folder for a round that was given none (``TMPDIR`` decides where), named after the
    process that owns it; the folders of owners that are gone (SIGKILLed: nothing ran to remove
    them) are removed first."""
    remove_orphaned_folders(Path(tempfile.gettempdir()))
    return Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-{shm_tag()}-"))


def remove_orphaned_folders(where: Path) -> list[Path]:
    """Remove the round folders in ``where`` whose owning process no longer exists; returns them."""
    removed = []
    for folder in where.glob(f"{TEMP_PREFIX}*"):
        owner = folder.name[len(TEMP_PREFIX) :].split("-", 1)[0]
        if owner.isdigit() and not process_alive(int(owner)) and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


@attrs.frozen(eq=False)
class RecordSlice:
    """Records ``start`` to ``stop`` in time order, as another process can read them: from the
    spill's columns in ``folder`` (``order``: where each of them is there, if the columns are
    not in time order), or carried along (``events``, a round held in memory)."""

    start: int
    stop: int
    folder: Path | None = None
    order: np.ndarray | None = None
    events: np.ndarray | None = None

    def load(self) -> np.ndarray:
        """The records (EVENT_DTYPE), read from the columns' memory maps."""
        if self.events is not None:
            return self.events
        assert self.folder is not None
        out = np.empty(self.stop - self.start, dtype=EVENT_DTYPE)
        for name in FIELDS:
            column = np.load(self.folder / f"{name}.npy", mmap_mode="r")
            out[name] = column[self.start : self.stop] if self.order is None else column[self.order]
        return out


class Records(Protocol):
    """A finished round's records, wherever they are kept."""

    def __len__(self) -> int: ...
    def chunks(self, size: int = CHUNK_RECORDS) -> Iterator[np.ndarray]: ...
    def slices(self, size: int = CHUNK_RECORDS) -> Iterator[RecordSlice]: ...
    def load(self) -> np.ndarray: ...
    def discard(self) -> None: ...


class MemoryRecords:
    """Records held in memory (a short round, or the window's copy)."""

    def __init__(self, events: np.ndarray) -> None:
        self.events = events

    def __len__(self) -> int:
        return len(self.events)

    def chunks(self, size: int = CHUNK_RECORDS) -> Iterator[np.ndarray]:
        for at in range(0, len(self.events), size):
            yield self.events[at : at + size]

    def slices(self, size: int = CHUNK_RECORDS) -> Iterator[RecordSlice]:
        for at in range(0, len(self.events), size):
            yield RecordSlice(at, min(at + size, len(self.events)), events=self.events[at : at + size])

    def load(self) -> np.ndarray:
        return self.events

    def discard(self) -> None:
        self.events = np.empty(0, dtype=EVENT_DTYPE)


class SpilledRecords:
    """A spill's records, read from their columns; a ``temporary`` folder is removed by
    :meth:`discard`, or when this object is collected, or at the interpreter's exit."""

    def __init__(self, folder: Path, *, temporary: bool = False) -> None:
        self.folder = Path(folder)
        self._loaded: np.ndarray | None = None
        self._count = len(np.load(self.folder / "t_ns.npy", mmap_mode="r"))
        manifest = self.folder / MANIFEST
        self.time_ordered = bool(json.loads(manifest.read_text())["time_ordered"]) if manifest.exists() else False
        self._remove = weakref.finalize(self, shutil.rmtree, self.folder, True) if temporary else None

    def __len__(self) -> int:
        return self._count

    def __reduce__(self) -> Any:
        raise TypeError("spilled records stay in their process: send MemoryRecords(records.load())")

    @property
    def nbytes(self) -> int:
        return sum((self.folder / f"{name}.npy").stat().st_size for name in FIELDS)

    def columns(self) -> dict[str, np.ndarray]:
        """Every column, memory-mapped (nothing is read until used)."""
        return {name: np.load(self.folder / f"{name}.npy", mmap_mode="r")[: self._count] for name in FIELDS}

    def chunks(self, size: int = CHUNK_RECORDS) -> Iterator[np.ndarray]:
        """The records in time order, ``size`` at a time (EVENT_DTYPE; memory stays bounded)."""
        if not self.time_ordered:
            yield from MemoryRecords(self.load()).chunks(size)
            return
        # Read, not memory-mapped: mapped pages would count in the reader's resident memory.
        with contextlib.ExitStack() as stack:
            files = {name: stack.enter_context(open(self.folder / f"{name}.npy", "rb")) for name in FIELDS}
            for handle in files.values():
                handle.seek(HEADER_BYTES)
            for at in range(0, self._count, size):
                chunk = np.empty(min(size, self._count - at), dtype=EVENT_DTYPE)
                for name, handle in files.items():
                    chunk[name] = np.fromfile(handle, EVENT_DTYPE[name], len(chunk))
                yield chunk

    def slices(self, size: int = CHUNK_RECORDS) -> Iterator[RecordSlice]:
        """The records in time order as slices another process reads from the columns (a spill
        not in time order is sorted here first: its order travels with each slice)."""
        order = None if self.time_ordered else np.argsort(self.columns()["t_ns"], kind="stable")
        for at in range(0, self._count, size):
            stop = min(at + size, self._count)
            yield RecordSlice(at, stop, self.folder, None if order is None else order[at:stop])

    def load(self) -> np.ndarray:
        """Every record in memory, time-ordered (kept: asking again costs nothing)."""
        if self._loaded is None:
            events = np.empty(self._count, dtype=EVENT_DTYPE)
            for name, column in self.columns().items():
                events[name] = column
            if not self.time_ordered:
                events = events[np.argsort(events["t_ns"], kind="stable")]
            self._loaded = events
        return self._loaded

    def discard(self) -> None:
        """Forget the records; a temporary folder is removed now."""
        self._loaded = None
        if self._remove is not None:
            self._remove()
