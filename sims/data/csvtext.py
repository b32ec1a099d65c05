"""CSV from numpy columns, by the vectorised row writer of :mod:`sims.data.textrows`.

Null is an empty field; booleans are ``true``/``false``; floats are Python's shortest repr;
names are quoted (RFC 4180) in their dictionary when they need it, once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

import numpy as np

from sims.data.columns import Bools, Column, Floats, Ints, Names, Table
from sims.data.namecombos import combined_fields
from sims.data.textrows import Field, Part, int_field, join_rows, texts_field, without

CHUNK_ROWS = 1 << 16  # rows formatted at once: fastest measured (scratch stays in cache), ~15 MB


def quoted(text: str) -> str:
    """``text`` as one CSV field (RFC 4180 quoting when it needs it)."""
    if any(c in text for c in ',"\n\r') or text != text.strip():
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_chunks(tables: Iterable[Table]) -> Iterator[bytes]:
    """The header, then the rows of every table (all with the same columns), as bytes."""
    header: tuple[str, ...] | None = None
    for table in tables:
        names = tuple(table.columns)
        if header is None:
            header = names
            yield csv_header(names)
        elif names != header:
            raise ValueError(f"a chunk's columns {names} differ from the first chunk's {header}")
        yield from csv_rows(table)


def csv_header(names: Iterable[str]) -> bytes:
    return (",".join(quoted(n) for n in names) + "\n").encode()


def csv_rows(table: Table) -> Iterator[bytes]:
    """The table's rows (no header), ``CHUNK_ROWS`` at a time."""
    columns = list(table.columns.values())
    afters = [b","] * (len(columns) - 1) + [b"\n"]
    spelled = [[quoted(n).encode() for n in c.names] if isinstance(c, Names) else [] for c in columns]
    for start in range(0, table.rows, CHUNK_ROWS):
        rows = slice(start, start + CHUNK_ROWS)
        yield join_rows(_parts(columns, spelled, afters, rows), min(CHUNK_ROWS, table.rows - start))


def _parts(
    columns: Sequence[Column], spelled: Sequence[Sequence[bytes]], afters: Sequence[bytes], rows: slice
) -> list[Part]:
    """The row's parts: a field per number column, one field per run of adjacent name columns
    (their separators and the one before them inside it), literal separators between."""
    parts: list[Part] = []
    literal = b""  # the separator after the last field, not yet placed
    k = 0
    while k < len(columns):
        column = columns[k]
        if isinstance(column, Names):
            end = k
            while end < len(columns) and isinstance(columns[end], Names):
                end += 1
            names = [c for c in columns[k:end] if isinstance(c, Names)]
            parts += combined_fields([c.codes[rows] for c in names], spelled[k:end], afters[k:end], literal)
            literal, k = b"", end
        else:
            assert isinstance(column, Ints | Floats | Bools)
            parts += [literal, _field(column, rows)] if literal else [_field(column, rows)]
            literal, k = afters[k], k + 1
    return [*parts, literal] if literal else parts


def csv_text(table: Table | Callable[[], Table]) -> bytes:
    """The rows of ``table`` (or of the table it makes when called): a worker process's job."""
    return b"".join(csv_rows(table if isinstance(table, Table) else table()))


def csv_bytes(tables: Iterable[Table]) -> bytes:
    return b"".join(csv_chunks(tables))


def _field(column: Ints | Floats | Bools, rows: slice) -> Field:
    values, null = column.values[rows], None if column.null is None else column.null[rows]
    if isinstance(column, Ints):
        field = int_field(values)
    elif isinstance(column, Bools):
        field = texts_field(np.array([b"false", b"true"])[values.astype(np.intp)])
    else:
        assert isinstance(column, Floats)
        field = texts_field(np.array([repr(v).encode() for v in values.tolist()], dtype=bytes))
    return field if null is None else without(field, null)
