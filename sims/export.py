"""Writing a round to disk: its decoded tables (Parquet or CSV), optionally a trace, then summary.json.

Each file is written to a temporary name in the target folder, flushed to disk, then
renamed over the final name, so a reader never sees half a file. summary.json goes last:
when it is there, the others are complete. docs/data.md describes every file.

Rounds written with :func:`dataset_folder` side by side form a hive-partitioned folder
(``scenario=…/strategy=…/backend=…/seed=…``) that pandas, polars and DuckDB read in one call.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import itertools
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from sims.data.beside import beside, until_stopped
from sims.data.columns import Table
from sims.data.csvtext import csv_header, csv_text
from sims.data.intervals import interval_tables
from sims.data.parallel import workers_for, write_in_order
from sims.data.parquet import has_pyarrow, write_parquet
from sims.data.summary import SUMMARY_KEY, summary_json, summary_v1
from sims.data.tables import agents_table, event_columns, event_slices, event_tables, resources_table
from sims.rounds.result import RoundResult

TABLES: dict[str, Callable[[RoundResult], Iterable[Table]]] = {
    "events": event_tables,
    "agents": lambda result: [agents_table(result)],
    "resources": lambda result: [resources_table(result)],
    "intervals": interval_tables,
}
SUMMARY_FILE = "summary.json"
# Written by a helper thread while the others are written: its workers format while this process
# makes the intervals table (docs/benchmarks.md, "CSV files side by side").
BESIDE = frozenset({"events.csv"})
TRACE_FILE = "trace.json.gz"
NO_PYARROW = "parquet needs pyarrow: pip install 'deadlock-diner[analysis]' (or write csv)"
PARTITION_KEYS = ("scenario", "strategy", "backend", "seed")


class Format(enum.Enum):
    PARQUET = "parquet"
    CSV = "csv"
    TRACE = "trace"


class ExportError(Exception):
    """The export folder cannot be written; the message names it and why."""


def default_formats() -> tuple[Format, ...]:
    """Parquet with pyarrow (the ``analysis`` extra), else CSV."""
    return (Format.PARQUET,) if has_pyarrow() else (Format.CSV,)


def all_formats() -> tuple[Format, ...]:
    """Every format this installation can write."""
    tables = (Format.PARQUET, Format.CSV) if has_pyarrow() else (Format.CSV,)
    return (*tables, Format.TRACE)


def parse_formats(text: str) -> tuple[Format, ...]:
    """``auto``, ``all`` or a comma-separated list (``parquet,trace``); ValueError names the culprit."""
    if text == "auto":
        return default_formats()
    if text == "all":
        return all_formats()
    found = []
    for word in (w.strip() for w in text.split(",")):
        try:
            found.append(Format(word))
        except ValueError:
            known = ", ".join(f.value for f in Format)
            raise ValueError(f"unknown format {word!r} (known: {known}, auto, all)") from None
    if Format.PARQUET in found and not has_pyarrow():
        raise ValueError(NO_PYARROW)
    return tuple(dict.fromkeys(found))


def dataset_folder(root: Path, result: RoundResult, *extra: tuple[str, object]) -> Path:
    """``root/scenario=…/strategy=…/backend=…/seed=…`` (then ``key=value`` for each of ``extra``)."""
    layout = result.layout
    return partition_folder(root, (layout.scenario, layout.strategy, result.config.backend, result.config.seed), extra)


def partition_folder(root: Path, values: Sequence[object], extra: Sequence[tuple[str, object]] = ()) -> Path:
    """``root`` / ``key=value`` for the partition keys' ``values``, then for each of ``extra``."""
    parts = [f"{k}={v}" for k, v in (*zip(PARTITION_KEYS, values, strict=True), *extra)]
    return Path(root).joinpath(*parts)


def output_folder(text: str) -> Path:
    """A folder named on a command line; an empty name is refused (it would mean "here")."""
    if not text.strip():
        raise ExportError("the folder name is empty (write '.' for the current folder)")
    if "\0" in text:
        raise ExportError(f"{text!r}: a folder name cannot contain a NUL character")
    return Path(text)


def check_writable(out_dir: Path) -> None:
    """Fail early (before a round runs) if ``out_dir`` could not be created or written."""
    try:
        probe = out_dir
        while not probe.exists():
            if probe.is_symlink():  # exists() is False for a link to nothing or a loop of links
                raise ExportError(f"{_shown(out_dir)}: {_shown(probe)} is a link to nothing (missing or a loop)")
            if probe.parent == probe:
                break
            probe = probe.parent
        if probe.exists() and not probe.is_dir():
            raise ExportError(f"{_shown(out_dir)}: {_shown(probe)} is a file, not a folder")
        _check_names(out_dir, probe)
        with tempfile.TemporaryFile(dir=probe):
            pass  # a file could be created there (and is already gone again)
    except OSError as error:
        raise ExportError(f"{_shown(out_dir)}: cannot write there: {error.strerror or error}") from None


def _shown(path: Path) -> str:
    """A path short enough for a one-line message; its end (the name at fault) is kept."""
    text = str(path)
    return text if len(text) <= 80 else f"{text[:25]}...{text[-50:]} ({len(text)} characters)"


def _check_names(out_dir: Path, existing: Path) -> None:
    """Each folder still to be made must have a name the file system takes."""
    longest = os.pathconf(existing, "PC_NAME_MAX")
    for part in out_dir.parts[len(existing.parts) :]:
        if len(os.fsencode(part)) > longest:
            raise ExportError(f"{_shown(out_dir)}: a name in it is longer than {longest} bytes")


@contextlib.contextmanager
def staged_file(path: Path) -> Iterator[tuple[IO[bytes], str]]:
    """A handle on a temporary file next to ``path`` and its name, flushed to disk when the block
    ends; the caller renames it into place (or removes it). Removed at once if the block fails."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            yield handle, tmp
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[IO[bytes]]:
    """A handle whose bytes become ``path`` only when the block ends without error."""
    with staged_file(path) as (handle, tmp):
        yield handle
    try:
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that ``path`` is either the old file or the whole new one."""
    with atomic_file(path) as handle:
        handle.write(data)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_round(
    result: RoundResult,
    out_dir: Path,
    formats: Sequence[Format] | None = None,
    *,
    rounds_in_parallel: int = 1,
) -> list[Path]:
    """Write the round's files into ``out_dir`` (created if needed), summary.json last; returns their paths."""
    formats = default_formats() if formats is None else tuple(formats)
    if Format.PARQUET in formats and not has_pyarrow():
        raise ExportError(NO_PYARROW)
    out_dir = Path(out_dir)
    writers = _writers(formats)
    document = summary_v1(result, rounds_in_parallel=rounds_in_parallel) | {"files": list(writers)}
    made = _missing_folders(out_dir)
    staged: dict[str, str] = {}
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        _write_files(writers, out_dir, result, document, staged)
        with staged_file(out_dir / SUMMARY_FILE) as (handle, tmp):
            handle.write(summary_json(document))
        staged[SUMMARY_FILE] = tmp
        for name in staged:  # summary.json last: when it is there, the others are complete
            os.replace(staged[name], out_dir / name)
    except BaseException as error:
        # All or nothing: a full disk (say) or a Ctrl-C leaves no half-written file and no folder made here.
        for tmp in staged.values():
            Path(tmp).unlink(missing_ok=True)
        for folder in made:  # deepest first; only folders this call created (and left empty)
            with contextlib.suppress(OSError):
                folder.rmdir()
        if isinstance(error, OSError):
            raise ExportError(f"{_shown(out_dir)}: {error.strerror or error}") from error
        raise
    return [*(out_dir / name for name in writers), out_dir / SUMMARY_FILE]


def _write_files(
    writers: dict[str, Writer], out_dir: Path, result: RoundResult, document: dict[str, Any], staged: dict[str, str]
) -> None:
    """Each file staged (``staged``: name -> temporary file); those in :data:`BESIDE` each in a
    helper thread, while this one writes the others (see :mod:`sims.data.beside`)."""
    with contextlib.ExitStack() as helpers:
        started = []
        for name, write in writers.items():
            if name in BESIDE:
                stage = functools.partial(_stage, out_dir / name, write, result, document, staged)  # (stop)
                started.append(helpers.enter_context(beside(stage, f"writing {name}")))
            else:
                _stage(out_dir / name, write, result, document, staged)
            for helper in started:  # a helper's error (a full disk) ends the export before the next file
                helper.check()


def _stage(
    path: Path,
    write: Writer,
    result: RoundResult,
    document: dict[str, Any],
    staged: dict[str, str],
    stop: threading.Event | None = None,
) -> None:
    """``path``'s bytes written to a temporary file next to it, named in ``staged`` when whole."""
    with staged_file(path) as (handle, tmp):
        write(handle, result, document, stop or threading.Event())
    staged[path.name] = tmp  # from a helper thread too: each thread its own key


def _missing_folders(out_dir: Path) -> list[Path]:
    """The folders of ``out_dir`` that do not exist yet, deepest first."""
    missing = []
    with contextlib.suppress(OSError):
        for folder in (out_dir, *out_dir.parents):
            if folder.exists():
                break
            missing.append(folder)
    return missing


# handle, round, summary document, stop (set: end early, the export failed); what it returns is not used
Writer = Callable[[IO[bytes], RoundResult, dict[str, Any], threading.Event], object]


def _writers(formats: Sequence[Format]) -> dict[str, Writer]:
    """File name -> what writes it, in the order they are written."""
    writers: dict[str, Writer] = {}
    for name, tables in TABLES.items():  # each format makes its table again, a chunk at a time
        if Format.PARQUET in formats:
            writers[f"{name}.parquet"] = _parquet(tables)
        if Format.CSV in formats:
            writers[f"{name}.csv"] = _csv_events if name == "events" else _csv(tables)
    if Format.TRACE in formats:
        from sims.perfetto import write_trace

        writers[TRACE_FILE] = lambda handle, result, *_: write_trace(result, handle)
    return writers


def _parquet(tables: Callable[[RoundResult], Iterable[Table]]) -> Writer:
    """Each chunk of the table made (and turned into Arrow: ``write_parquet``'s helper thread)
    while pyarrow writes the one before."""

    def write(handle: IO[bytes], result: RoundResult, document: dict[str, Any], _: threading.Event) -> None:
        write_parquet(handle, tables(result), {SUMMARY_KEY: summary_json(document, indent=None)})

    return write


EVENT_SLICE = 1 << 18  # rows of a CSV a worker formats at a time (about 17 MB of events.csv)


def _csv_events(handle: IO[bytes], result: RoundResult, _: dict[str, Any], stop: threading.Event) -> None:
    """events.csv, each slice of the records read, decoded and formatted by a worker (one per
    core, for a long round): the same bytes as one process writing them all."""
    jobs = (functools.partial(csv_text, piece) for piece in event_slices(result, EVENT_SLICE))
    _write_csv(handle, event_columns(result), until_stopped(jobs, stop), result.record_count)


def _csv(tables: Callable[[RoundResult], Iterable[Table]]) -> Writer:
    """A table made here a chunk at a time, its slices formatted by workers as they come (for a
    long round's intervals: a table with about as many rows as the round has records)."""

    def write(handle: IO[bytes], result: RoundResult, _: dict[str, Any], stop: threading.Event) -> None:
        made = iter(tables(result))
        first, second = next(made), next(made, None)
        rows = first.rows if second is None else result.record_count  # one table is all; else as many as records
        made = itertools.chain([first] if second is None else [first, second], made)
        jobs = (functools.partial(csv_text, piece) for piece in _pieces(made, tuple(first.columns)))
        _write_csv(handle, tuple(first.columns), until_stopped(jobs, stop), rows)

    return write


def _pieces(tables: Iterable[Table], columns: tuple[str, ...]) -> Iterator[Table]:
    """Each table's rows, EVENT_SLICE at a time; ValueError if a table's columns differ."""
    for table in tables:
        if tuple(table.columns) != columns:
            raise ValueError(f"the chunks of a table differ in their columns: {tuple(table.columns)}, {columns}")
        for at in range(0, table.rows, EVENT_SLICE):
            yield table.rows_between(at, at + EVENT_SLICE)


def _write_csv(handle: IO[bytes], columns: Sequence[str], jobs: Iterable[Callable[[], bytes]], rows: int) -> None:
    handle.write(csv_header(columns))
    write_in_order(handle, jobs, workers_for(rows))
