"""Writing a round to disk: summary.json, agents.csv, events.csv, each atomically.

Each file is written to a temporary name in the target folder, flushed to disk, then
renamed over the final name, so a reader never sees half a file. summary.json goes last:
when it is there, the other two are complete.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from sims.rounds.result import RoundResult
from sims.rounds.summary import summary
from sims.telemetry import EVENT_DTYPE

EXPORT_FILES = ("events.csv", "agents.csv", "summary.json")
CSV_CHUNK = 1 << 18  # records formatted at a time (about 12 MB of text)


class ExportError(Exception):
    """The export folder cannot be written; the message names it and why."""


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
    """A path short enough for a one-line message."""
    text = str(path)
    return text if len(text) <= 80 else f"{text[:60]}...({len(text)} characters)"


def _check_names(out_dir: Path, existing: Path) -> None:
    """Each folder still to be made must have a name the file system takes."""
    longest = os.pathconf(existing, "PC_NAME_MAX")
    for part in out_dir.parts[len(existing.parts) :]:
        if len(os.fsencode(part)) > longest:
            raise ExportError(f"{_shown(out_dir)}: a name in it is longer than {longest} bytes")


def _temp_copy(path: Path, data: bytes | Iterable[bytes]) -> str:
    """``data`` in a temporary file next to ``path``, flushed to disk; the caller renames or removes it."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            for part in [data] if isinstance(data, bytes) else data:
                handle.write(part)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def write_atomic(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write ``data`` (or its parts, one after the other) to ``path`` so that ``path`` is either
    the old file or the whole new one."""
    tmp = _temp_copy(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def events_csv(events: np.ndarray, header: bool = True) -> bytes:
    """Every telemetry record as ``t_ns,agent,resource,op,value``."""
    table = np.column_stack([events[f].astype(np.int64) for f in ("t_ns", "agent", "resource", "op", "value")])
    buffer = io.StringIO()
    if header:
        buffer.write("t_ns,agent,resource,op,value\n")
    np.savetxt(buffer, table, fmt="%d", delimiter=",")
    return buffer.getvalue().encode()


def _events_csv_parts(result: RoundResult) -> Iterator[bytes]:
    """events.csv a chunk of records at a time (a round's records may not fit in memory)."""
    yield events_csv(np.empty(0, dtype=EVENT_DTYPE))
    for chunk in result.event_chunks(CSV_CHUNK):
        yield events_csv(chunk, header=False)


def agents_csv(result: RoundResult) -> bytes:
    """One row per agent: identity and its statistics."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "index",
            "name",
            "role",
            "backend",
            "pid",
            "native_id",
            "daemon",
            "exit_code",
            "started_s",
            "stopped_s",
            "operations",
            "throughput_per_s",
            "acquisitions",
            "timeouts",
            "wait_mean_ms",
            "wait_p50_ms",
            "wait_p95_ms",
            "wait_p99_ms",
            "wait_max_ms",
            "hold_mean_ms",
            "hold_max_ms",
            "longest_wait_ms",
        ]
    )
    for identity, info, stats in zip(result.identities, result.layout.agents, result.stats.agents, strict=True):
        writer.writerow(
            [
                identity.index,
                identity.name,
                info.role,
                identity.backend,
                identity.pid,
                identity.native_id,
                identity.daemon,
                identity.exit_code,
                _rel(identity.started_ns, result),
                _rel(identity.stopped_ns, result),
                stats.operations,
                f"{stats.throughput_per_s:.3f}",
                stats.acquisitions,
                stats.timeouts,
                *(
                    f"{v:.4f}"
                    for v in (
                        stats.wait_ms.mean,
                        stats.wait_ms.p50,
                        stats.wait_ms.p95,
                        stats.wait_ms.p99,
                        stats.wait_ms.max,
                        stats.hold_ms.mean,
                        stats.hold_ms.max,
                        stats.longest_wait_ms,
                    )
                ),
            ]
        )
    return buffer.getvalue().encode()


def _rel(t_ns: int | None, result: RoundResult) -> str:
    return "" if t_ns is None else f"{(t_ns - result.started_ns) / 1e9:.6f}"


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def write_round(result: RoundResult, out_dir: Path) -> list[Path]:
    """Write the three export files into ``out_dir`` (created if needed); returns their paths.

    All or nothing: every file is first written in full under a temporary name, and only
    then renamed into place (a rename needs no space). If any write fails (a full disk,
    say), the temporary files and any folder made here are removed again.
    """
    out_dir = Path(out_dir)
    contents: dict[str, bytes | Iterable[bytes]] = {
        "events.csv": _events_csv_parts(result),
        "agents.csv": agents_csv(result),
        "summary.json": json.dumps(summary(result), indent=2, default=_json_default).encode(),
    }
    made = _missing_folders(out_dir)
    temps: dict[str, str] = {}
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name in EXPORT_FILES:
            temps[name] = _temp_copy(out_dir / name, contents[name])
        for name in EXPORT_FILES:  # summary.json last: when it is there, the others are complete
            os.replace(temps.pop(name), out_dir / name)
    except OSError as error:
        for tmp in temps.values():
            Path(tmp).unlink(missing_ok=True)
        for folder in made:  # deepest first; only folders this call created (and left empty)
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise ExportError(f"{_shown(out_dir)}: {error.strerror or error}") from error
    return [out_dir / name for name in EXPORT_FILES]


def _missing_folders(out_dir: Path) -> list[Path]:
    """The folders of ``out_dir`` that do not exist yet, deepest first."""
    missing = []
    with contextlib.suppress(OSError):
        for folder in (out_dir, *out_dir.parents):
            if folder.exists():
                break
            missing.append(folder)
    return missing
