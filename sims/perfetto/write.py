"""The trace file: the document around the events, gzipped as it is made.

The round's records are read a chunk at a time, never all at once: the builder makes the events
from them, once the resources used as signals (they have no holds) are known, from the engine's
spill or a cheap first pass over three of the columns.
The events' rows are formatted and compressed in worker processes for a long round
(:mod:`sims.data.gzipped`), so memory stays bounded whatever the round's length.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import numpy as np

from sims.data.gzipped import Chunk, write_gzipped
from sims.data.parallel import workers_for
from sims.perfetto.build import Piece, TraceBuilder
from sims.rounds.result import RoundResult
from sims.stats.carried import Balances
from sims.stats.intervals import Columns
from sims.telemetry.spill import CHUNK_RECORDS

FIELDS = ("t_ns", "agent", "resource", "op", "value")  # as Columns holds them


def trace_pieces(result: RoundResult, chunk_records: int = CHUNK_RECORDS) -> Iterator[Piece]:
    """Every trace event of the round, a piece (texts, or jobs that make them) at a time."""
    signals, before = result.records.signals, None  # the engine's spill knows them: no first pass
    if signals is None:
        balances = Balances(len(result.layout.agents), len(result.layout.resources))
        for cols in _chunks(result, chunk_records, ("t_ns", "agent", "resource", "op")):
            balances.feed(cols["agent"], cols["resource"], cols["op"])
        signals, before = balances.signalled(), balances.from_before(result.started_ns)
    builder = TraceBuilder(result, signals, before)
    yield from builder.start()
    for cols in _chunks(result, chunk_records, FIELDS):
        yield from builder.feed(Columns(*(cols[name] for name in FIELDS)))
    yield from builder.finish()


def _chunks(result: RoundResult, size: int, fields: tuple[str, ...]) -> Iterator[dict[str, np.ndarray]]:
    """The round's records up to its end, in time order, ``size`` at a time, as columns."""
    end_ns = max(result.ended_ns, result.started_ns)
    for columns in result.records.column_chunks(size, fields):
        t = columns["t_ns"]
        stop = int(np.searchsorted(t, end_ns, side="right"))
        if stop:
            yield {name: column[:stop] for name, column in columns.items()}
        if stop < t.size:
            return


def trace_lines(result: RoundResult, chunk_records: int = CHUNK_RECORDS) -> list[str]:
    """Every trace event of the round, one JSON object per line (for a small round: all in memory)."""
    pieces = (p if isinstance(p, bytes) else p() for p in trace_pieces(result, chunk_records))
    text = b",\n".join(p for p in pieces if p).decode()
    return text.split(",\n") if text else []


def _document(result: RoundResult) -> Iterator[Chunk]:
    meta = {
        "scenario": result.layout.scenario,
        "strategy": result.layout.strategy,
        "seed": result.layout.seed,
        "backend": result.layout.backend,
        "end_reason": result.end_reason,
    }
    yield b'{"displayTimeUnit":"ns","metadata":' + json.dumps(meta).encode() + b',"traceEvents":[\n'
    separator = b""
    for piece in trace_pieces(result):
        if piece:
            yield separator
            yield piece
            separator = b",\n"
    yield b"\n]}\n"


def write_trace(result: RoundResult, path: Path | IO[bytes]) -> Path | IO[bytes]:
    """Write the trace gzipped to ``path``, a file name or an open binary file (the caller makes it
    atomic, as for every export file)."""
    workers = workers_for(result.record_count)
    if isinstance(path, Path):
        with path.open("wb") as handle:
            write_gzipped(handle, _document(result), workers=workers)
    else:
        write_gzipped(path, _document(result), workers=workers)
    return path
