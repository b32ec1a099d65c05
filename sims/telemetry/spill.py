"""A round's records on disk, one column per file, so that no round has to fit in memory.

Each field of the record (``t_ns``, ``agent``, ``resource``, ``op``, ``value``) is one ``.npy``
file in the spill's folder, appended to as the round runs. Every file's header is rewritten
after each append, so at any moment (a full disk, a killed engine) every file is a valid
``.npy`` of the records written so far: ``np.load(path, mmap_mode="r")`` reads a column of any
length without loading it. ``records.json`` is written when the spill is made and again when it is closed.

The writer (:class:`RecordSpill`) and the two ways a finished round's records are held
(:class:`SpilledRecords` on disk, :class:`MemoryRecords` in memory) share one interface:
``len()``, ``chunks()`` (time-ordered arrays of bounded size, for exporters) and ``load()``.

The columns stay in time order: a record earlier than one written before it (it reached the
engine late) goes to a second set of columns in ``late/``. Late records are few (see
:mod:`sims.engine.ordering`); a reader sorts them (24 bytes each in memory) and merges them
into the ordered columns a chunk at a time, so a long round is never loaded to be sorted.
A spill from before ``late/`` whose manifest says ``time_ordered: false`` is sorted whole.
The engine also names in the manifest the resources its statistics found used as signals
(``signals``), which the intervals table needs before its first row.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import weakref
from collections.abc import Iterator, Sequence
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
LATE = "late"  # the folder of the late records' columns
SIGNALS = "signals"  # the manifest's resources used as signals (sims.stats.intervals), when known
TEMP_PREFIX = "diner-round-"


class SpillFull(OSError):
    """The disk took no more records; the message names the folder and what was kept."""


def _header(dtype: np.dtype, count: int) -> bytes:
    """A version 1.0 ``.npy`` header for ``count`` values, padded to HEADER_BYTES."""
    text = repr({"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False, "shape": (count,)})
    body = text.encode("latin1")
    pad = HEADER_BYTES - 10 - len(body) - 1
    return b"\x93NUMPY\x01\x00" + (HEADER_BYTES - 10).to_bytes(2, "little") + body + b" " * pad + b"\n"


class _Columns:
    """One ``.npy`` file per field in ``folder``, appended to; each header says how many are committed."""

    def __init__(self, folder: Path) -> None:
        self.count = 0
        self.files: dict[str, BinaryIO] = {}
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for name in FIELDS:
                handle = open(folder / f"{name}.npy", "wb")  # noqa: SIM115 - closed in close()
                self.files[name] = handle
                handle.write(_header(EVENT_DTYPE[name], 0))
        except BaseException:
            self.close()
            raise

    def flush(self) -> None:
        for handle in self.files.values():
            handle.flush()

    def commit(self, count: int) -> None:
        for name, handle in self.files.items():
            handle.flush()
            handle.seek(0)
            handle.write(_header(EVENT_DTYPE[name], count))
            handle.seek(0, os.SEEK_END)
        self.count = count

    def roll_back(self) -> None:
        """Cut every column back to the committed records (best effort: the disk is full)."""
        for name, handle in self.files.items():
            try:
                handle.truncate(HEADER_BYTES + self.count * EVENT_DTYPE[name].itemsize)
                handle.seek(0, os.SEEK_END)
            except OSError:
                pass

    def close(self) -> None:
        for handle in self.files.values():
            try:
                handle.close()
            except OSError:
                pass
        self.files = {}


class RecordSpill:
    """Appends records to column files in ``folder`` (late ones to ``folder/late``); ``close()``
    writes the manifest."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._main = _Columns(self.folder)
        self._late: _Columns | None = None  # made at the first late record
        self._last_t = np.iinfo(np.int64).min
        self._closed = False
        self._write_manifest()  # now too: a reader of a killed round's spill knows its columns are in time order

    @property
    def count(self) -> int:
        return self._main.count + self.unordered

    @property
    def unordered(self) -> int:
        """Records appended earlier in time than one appended before them (kept in ``late/``)."""
        return 0 if self._late is None else self._late.count

    @property
    def nbytes(self) -> int:
        """Bytes on disk: the columns (headers included)."""
        sets = 1 if self._late is None else 2
        return sets * len(FIELDS) * HEADER_BYTES + self.count * EVENT_DTYPE.itemsize

    def append(self, events: np.ndarray) -> None:
        """Write ``events`` (EVENT_DTYPE) after the others. SpillFull if the disk refuses:
        then nothing of ``events`` is kept and every column still holds the earlier records."""
        if not len(events):
            return
        t = events["t_ns"]
        latest = np.maximum.accumulate(t)
        late = t < np.maximum(self._last_t, np.concatenate(([self._last_t], latest[:-1])))
        try:
            if late.any():
                self._late = self._late or _Columns(self.folder / LATE)
                self._write_to(self._late, events[late])
                self._write_to(self._main, events[~late])
                # Both sets on disk before either header counts them: a small append reaches the
                # disk only at its flush, and the late set's may pass where the main set's fails.
                self._main.flush()
                self._late.commit(self._late.count + int(np.count_nonzero(late)))
            else:
                self._write_to(self._main, events)
            self._main.commit(self._main.count + len(events) - int(np.count_nonzero(late)))
        except OSError as error:
            for columns in (self._main, self._late):
                if columns is not None:
                    columns.roll_back()
            kept = f"{self.count:,} records ({self.nbytes / 1e6:.1f} MB) kept"
            raise SpillFull(error.errno, f"{self.folder}: {error.strerror or error}; {kept}") from error
        self._last_t = max(self._last_t, int(latest[-1]))

    def _write_to(self, columns: _Columns, events: np.ndarray) -> None:
        for name, handle in columns.files.items():
            self._write(handle, np.ascontiguousarray(events[name]).data)

    def _write(self, handle: BinaryIO, data: memoryview) -> None:
        handle.write(data)

    def close(self, signals: Sequence[int] | None = None) -> None:
        """Close the columns and write the manifest (if the disk lets us; the columns are enough).
        ``signals``: the resources used as signals in the whole round, if the writer knows them
        (the engine's statistics do); readers that need them first need no pass of their own."""
        if self._closed:
            return
        self._closed = True
        for columns in (self._main, self._late):
            if columns is not None:
                columns.close()
        self._write_manifest({} if signals is None else {SIGNALS: [int(r) for r in signals]})

    def _write_manifest(self, more: dict[str, Any] | None = None) -> None:
        manifest = {"records": self.count, "fields": list(FIELDS), "time_ordered": True, LATE: self.unordered}
        manifest |= more or {}
        try:
            (self.folder / MANIFEST).write_text(json.dumps(manifest) + "\n")
        except OSError:
            pass

    def records(self, *, temporary: bool, signals: Sequence[int] | None = None) -> SpilledRecords:
        """What was written, to read back (``temporary``: the folder goes with the reader)."""
        self.close(signals)
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


Fields = tuple[str, ...]
Piece = tuple[dict[str, BinaryIO], int, dict[str, np.ndarray] | None]  # files, how many, late ones among them


def merged(main: dict[str, np.ndarray], late: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``late`` records (sorted by time) put among the time-ordered ``main`` ones, each after
    those at or before its time: the stable sort by time of the records as they were appended."""
    if not late["t_ns"].size:
        return main
    at = np.searchsorted(main["t_ns"], late["t_ns"], side="right")
    return {name: np.insert(column, at, late[name]) for name, column in main.items()}


def structured(columns: dict[str, np.ndarray]) -> np.ndarray:
    """Columns (every field) as one EVENT_DTYPE array."""
    out = np.empty(len(columns["t_ns"]), dtype=EVENT_DTYPE)
    for name in FIELDS:
        out[name] = columns[name]
    return out


def _with_time(fields: Fields) -> Fields:
    return fields if "t_ns" in fields else ("t_ns", *fields)


@attrs.frozen(eq=False)
class RecordSlice:
    """Records in time order, as another process can read them: ``start`` to ``stop`` of the
    spill's columns in ``folder`` with the late records ``late`` (their places in ``folder/late``,
    in time order) merged in; or, for an old spill whose columns are not in time order, the
    records at ``order`` there; or carried along (``events``, a round held in memory)."""

    start: int
    stop: int
    folder: Path | None = None
    order: np.ndarray | None = None
    events: np.ndarray | None = None
    late: np.ndarray | None = None

    def load(self) -> np.ndarray:
        """The records (EVENT_DTYPE), read from the columns' memory maps."""
        return self.events if self.events is not None else structured(self.columns())

    def columns(self) -> dict[str, np.ndarray]:
        """The records as one array per field: read as they are stored, not copied into records
        (an export that decodes them saves 10 ns a row)."""
        if self.events is not None:
            return {name: self.events[name] for name in FIELDS}
        assert self.folder is not None
        main = {name: _mapped(self.folder, name) for name in FIELDS}
        rows = slice(self.start, self.stop) if self.order is None else self.order
        columns = {name: np.asarray(column[rows]) for name, column in main.items()}
        if self.late is not None:
            columns = merged(columns, {name: _mapped(self.folder / LATE, name)[self.late] for name in FIELDS})
        return columns


def _read(files: dict[str, BinaryIO], n: int) -> dict[str, np.ndarray]:
    """The next ``n`` values of each column file."""
    return {name: np.fromfile(handle, EVENT_DTYPE[name], n) for name, handle in files.items()}


def _mapped(folder: Path, name: str) -> np.ndarray:
    mapped: np.ndarray = np.load(folder / f"{name}.npy", mmap_mode="r")
    return mapped


class Records(Protocol):
    """A finished round's records, wherever they are kept."""

    signals: np.ndarray | None  # the resources used as signals (sims.stats.intervals), when known

    def __len__(self) -> int: ...
    def chunks(self, size: int = CHUNK_RECORDS) -> Iterator[np.ndarray]: ...
    def column_chunks(self, size: int = CHUNK_RECORDS, fields: Fields = FIELDS) -> Iterator[dict[str, np.ndarray]]: ...
    def slices(self, size: int = CHUNK_RECORDS) -> Iterator[RecordSlice]: ...
    def load(self) -> np.ndarray: ...
    def discard(self) -> None: ...


class MemoryRecords:
    """Records held in memory (a short round, or the window's copy)."""

    signals: np.ndarray | None = None  # which resources are used as signals is not known without a pass

    def __init__(self, events: np.ndarray) -> None:
        self.events = events

    def __len__(self) -> int:
        return len(self.events)

    def chunks(self, size: int = CHUNK_RECORDS) -> Iterator[np.ndarray]:
        for at in range(0, len(self.events), size):
            yield self.events[at : at + size]

    def column_chunks(self, size: int = CHUNK_RECORDS, fields: Fields = FIELDS) -> Iterator[dict[str, np.ndarray]]:
        """The records in time order, ``size`` at a time, as contiguous columns of ``fields``."""
        for chunk in self.chunks(size):
            yield {name: np.ascontiguousarray(chunk[name]) for name in fields}

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
        self._main = len(_mapped(self.folder, "t_ns"))
        late = self.folder / LATE / "t_ns.npy"
        self.late = len(np.load(late, mmap_mode="r")) if late.exists() else 0  # records kept in late/
        manifest = self.folder / MANIFEST
        # the columns in time order (late ones aside); a spill killed before its manifest was
        # written may not be, unless it kept late records aside
        known = json.loads(manifest.read_text()) if manifest.exists() else {"time_ordered": late.exists()}
        self.time_ordered = bool(known["time_ordered"])
        found = known.get(SIGNALS)
        self.signals = None if found is None else np.array(found, np.int16)  # resources used as signals, if known
        self._remove = weakref.finalize(self, shutil.rmtree, self.folder, True) if temporary else None

    def __len__(self) -> int:
        return self._main + self.late

    def __reduce__(self) -> Any:
        raise TypeError("spilled records stay in their process: send MemoryRecords(records.load())")

    @property
    def nbytes(self) -> int:
        return sum(path.stat().st_size for path in self._files())

    def _files(self) -> list[Path]:
        folders = (self.folder, self.folder / LATE) if self.late else (self.folder,)
        return [folder / f"{name}.npy" for folder in folders for name in FIELDS]

    def columns(self) -> dict[str, np.ndarray]:
        """Every column, memory-mapped (nothing is read until used); late records not included."""
        return {name: _mapped(self.folder, name)[: self._main] for name in FIELDS}

    def chunks(self, size: int = CHUNK_RECORDS) -> Iterator[np.ndarray]:
        """The records in time order, ``size`` at a time (EVENT_DTYPE; memory stays bounded)."""
        if not self.time_ordered:
            for columns in self.column_chunks(size):
                yield structured(columns)
            return
        for files, n, late in self._pieces(size, FIELDS):
            if late is not None:  # merged a column at a time too
                t = np.fromfile(files["t_ns"], np.int64, n)
                at = np.searchsorted(t, late["t_ns"], side="right")
                chunk = np.empty(n + at.size, dtype=EVENT_DTYPE)
                for name, handle in files.items():
                    column = t if name == "t_ns" else np.fromfile(handle, EVENT_DTYPE[name], n)
                    chunk[name] = np.insert(column, at, late[name])
                yield chunk
                continue
            chunk = np.empty(n, dtype=EVENT_DTYPE)  # filled a column at a time: no second copy
            for name, handle in files.items():
                chunk[name] = np.fromfile(handle, EVENT_DTYPE[name], n)
            yield chunk

    def column_chunks(self, size: int = CHUNK_RECORDS, fields: Fields = FIELDS) -> Iterator[dict[str, np.ndarray]]:
        """The records in time order as columns of ``fields``: ``size`` of the spill's columns at a
        time, with the late records that fall among them."""
        if not self.time_ordered:  # an old spill: sorted whole
            order = np.argsort(_mapped(self.folder, "t_ns")[: self._main], kind="stable")
            columns = self.columns()
            for at in range(0, self._main, size):
                yield {name: columns[name][order[at : at + size]] for name in fields}
            return
        for files, n, late in self._pieces(size, _with_time(fields) if self.late else fields):
            columns = _read(files, n) if late is None else merged(_read(files, n), late)
            yield columns if "t_ns" in fields else {name: columns[name] for name in fields}

    def _pieces(self, size: int, fields: Fields) -> Iterator[Piece]:
        """For each ``size`` of the spill's columns: their files open at its first record, how many
        to read, and the late records (their ``fields``) that go among them, if any. Read, not
        memory-mapped: mapped pages would count in the reader's resident memory."""
        late = self._late_in_order(fields)[1]
        with contextlib.ExitStack() as stack:
            files: dict[str, BinaryIO] = {}
            for name in fields:
                files[name] = stack.enter_context(open(self.folder / f"{name}.npy", "rb"))
                files[name].seek(HEADER_BYTES)
            for at, (lo, hi) in zip(range(0, self._main, size), self._late_bounds(size, late), strict=True):
                among = {name: column[lo:hi] for name, column in late.items()} if hi > lo else None
                yield files, min(size, self._main - at), among

    def _late_in_order(self, fields: Fields) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Where each late record is in ``late/``, in time order, and their ``fields`` in that order."""
        if not self.late:
            return np.empty(0, np.int64), {name: np.empty(0, EVENT_DTYPE[name]) for name in fields}
        order = np.argsort(np.load(self.folder / LATE / "t_ns.npy")[: self.late], kind="stable")
        return order, {name: np.load(self.folder / LATE / f"{name}.npy")[: self.late][order] for name in fields}

    def _late_bounds(self, size: int, late: dict[str, np.ndarray]) -> Iterator[tuple[int, int]]:
        """For each ``size`` of the spill's columns, the late records (in time order) among them:
        those before the next chunk's first record."""
        late_t = late["t_ns"] if self.late else np.empty(0, np.int64)
        if not late_t.size:
            yield from ((0, 0) for _ in range(0, self._main, size))
            return
        lo = 0
        with open(self.folder / "t_ns.npy", "rb") as times:
            for at in range(0, self._main, size):
                stop = at + size
                if stop >= self._main:
                    yield lo, late_t.size
                    return
                # read, not memory-mapped: each page touched would stay in the reader's resident memory
                first = np.frombuffer(os.pread(times.fileno(), 8, HEADER_BYTES + 8 * stop), np.int64)[0]
                hi = int(np.searchsorted(late_t, first, side="left"))
                yield lo, hi
                lo = hi

    def slices(self, size: int = CHUNK_RECORDS) -> Iterator[RecordSlice]:
        """The records in time order as slices another process reads from the columns (an old
        spill not in time order is sorted here first: its order travels with each slice)."""
        if not self.time_ordered:
            order = np.argsort(self.columns()["t_ns"], kind="stable")
            for at in range(0, self._main, size):
                yield RecordSlice(at, min(at + size, self._main), self.folder, order[at : at + size])
            return
        order, late = self._late_in_order(("t_ns",))
        for at, (lo, hi) in zip(range(0, self._main, size), self._late_bounds(size, late), strict=True):
            yield RecordSlice(at, min(at + size, self._main), self.folder, late=order[lo:hi] if self.late else None)

    def load(self) -> np.ndarray:
        """Every record in memory, time-ordered (kept: asking again costs nothing)."""
        if self._loaded is None:
            self._loaded = np.concatenate([np.empty(0, EVENT_DTYPE), *self.chunks(max(len(self), 1))])
        return self._loaded

    def discard(self) -> None:
        """Forget the records; a temporary folder is removed now."""
        self._loaded = None
        if self._remove is not None:
            self._remove()
