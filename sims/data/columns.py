"""Tables as typed numpy columns: what the CSV and Parquet writers take, chunk by chunk.

A column is integers, floats or booleans (each with an optional null mask), or names: integer
codes into a tuple of names, -1 for null (Parquet's dictionary encoding, pandas' categorical).
Writers take an iterable of :class:`Table` chunks with the same columns, so a round's records
can be fed as they come instead of all at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs
import numpy as np


@attrs.frozen(eq=False)
class _Values:
    """A column of numbers; ``null`` (optional) marks rows without a value."""

    values: np.ndarray
    null: np.ndarray | None = None


class Ints(_Values):
    """64-bit integers."""


class Floats(_Values):
    """64-bit floats."""


class Bools(_Values):
    """Booleans."""


@attrs.frozen(eq=False)
class Names:
    """Codes into ``names``; -1 is null."""

    codes: np.ndarray
    names: tuple[str, ...]

    @classmethod
    def of(cls, texts: Sequence[str | None]) -> Names:
        """One name per row (small tables): each distinct text once in the dictionary."""
        names = tuple(dict.fromkeys(t for t in texts if t is not None))
        index = {name: i for i, name in enumerate(names)}
        codes = np.array([-1 if t is None else index[t] for t in texts], dtype=np.int32)
        return cls(codes, names)

    def texts(self) -> list[str | None]:
        return [None if c < 0 else self.names[c] for c in self.codes.tolist()]


Column = Ints | Floats | Bools | Names


def nullable_ints(values: Sequence[int | None]) -> Ints:
    """Python ints or None (small tables)."""
    null = np.array([v is None for v in values], dtype=bool)
    data = np.array([0 if v is None else v for v in values], dtype=np.int64)
    return Ints(data, null if null.any() else None)


def nullable_floats(values: Sequence[float | None]) -> Floats:
    null = np.array([v is None for v in values], dtype=bool)
    data = np.array([0.0 if v is None else v for v in values], dtype=np.float64)
    return Floats(data, null if null.any() else None)


@attrs.frozen(eq=False)
class Table:
    """Named columns of equal length (a whole table, or one chunk of it)."""

    columns: Mapping[str, Column]

    @property
    def rows(self) -> int:
        first = next(iter(self.columns.values()), None)
        if first is None:
            return 0
        return int(first.codes.size if isinstance(first, Names) else first.values.size)

    def rows_between(self, start: int, stop: int) -> Table:
        """Rows ``start`` to ``stop`` (views of the columns, no copy)."""
        return Table({name: _rows(column, start, stop) for name, column in self.columns.items()})

    def __attrs_post_init__(self) -> None:
        sizes = {name: _size(column) for name, column in self.columns.items()}
        if len(set(sizes.values())) > 1:
            raise ValueError(f"columns differ in length: {sizes}")


def _rows(column: Column, start: int, stop: int) -> Column:
    if isinstance(column, Names):
        return Names(column.codes[start:stop], column.names)
    null = None if column.null is None else column.null[start:stop]
    return type(column)(column.values[start:stop], null)


def _size(column: Column) -> int:
    return int(column.codes.size if isinstance(column, Names) else column.values.size)
