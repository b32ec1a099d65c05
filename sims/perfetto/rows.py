"""Trace events as JSON text, many rows at a time, without a Python loop over rows.

Most of a trace is a few kinds of event repeated millions of times with a small vocabulary:
``{"ph":"X","cat":"state","name":"eating","pid":P,"tid":T,"ts":TS,"dur":D}``. Everything
before ``TS`` is the same for every event of one (kind, name, track): it is made once per such
key (a *prefix*) and looked up by a code per row; only the times (and a flow's id) are
formatted per row, by :mod:`sims.data.textrows` (the bytes Python's f-strings gave). A job
formats ``CHUNK`` rows; it may run in a worker process, so it carries its own columns.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence

import attrs
import numpy as np

from sims.data.textrows import Field, coded_field, int_field, join_rows, micros_field

CHUNK = 1 << 16  # rows formatted at a time (one job)
DENSE_KEYS = 1 << 22  # keys spanning fewer values than this are numbered by a table, not a sort
Job = Callable[[], bytes]
HALF = 4  # bytes in a half-word: rows are made of them


def unique_rows(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(np.stack(columns, axis=1), axis=0, return_inverse=True)`` for integer columns,
    by one lexsort (numpy's sorts rows as structured values, several times slower)."""
    stacked = np.stack([np.asarray(c, np.int64) for c in columns], axis=1)
    if stacked.shape[0] == 0:
        return stacked, np.zeros(0, np.intp)
    order = np.lexsort(stacked.T[::-1])
    ordered = stacked[order]
    new = np.ones(order.size, bool)
    new[1:] = np.any(ordered[1:] != ordered[:-1], axis=1)
    inverse = np.empty(order.size, np.intp)
    inverse[order] = np.cumsum(new) - 1
    return ordered[new], inverse


def keys_of(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`unique_rows`, by a lookup table when the rows span few values (the common case:
    agents times states, agents times resources), which costs no sort."""
    cols = [np.asarray(c, np.int64) for c in columns]
    if not cols[0].size:
        return unique_rows(*cols)
    low = [int(c.min()) for c in cols]
    spans = [int(c.max()) - lo + 1 for c, lo in zip(cols, low, strict=True)]
    if int(np.prod(spans, dtype=np.float64)) >= DENSE_KEYS:
        return unique_rows(*cols)
    key = np.zeros(cols[0].size, np.int64)
    for c, lo, span in zip(cols, low, spans, strict=True):
        key = key * span + (c - lo)
    present = np.flatnonzero(np.bincount(key, minlength=1))
    table = np.zeros(int(key.max()) + 1, np.intp)
    table[present] = np.arange(present.size)
    rows = np.empty((present.size, len(cols)), np.int64)
    rest = present
    for i in range(len(cols) - 1, -1, -1):
        rest, rows[:, i] = np.divmod(rest, spans[i])
        rows[:, i] += low[i]
    return rows, table[key]


@attrs.frozen(eq=False)
class Coded:
    """Entry ``codes[i]`` of ``table`` in row i (the entries of one width: :func:`padded`)."""

    codes: np.ndarray
    table: list[bytes]

    def field(self) -> Field:
        return coded_field(self.codes, self.table)

    def width(self) -> int:
        """Half-words per entry."""
        return len(self.table[0]) // HALF

    def matrix(self) -> np.ndarray:
        """The table as half-words, an entry a row."""
        return np.frombuffer(b"".join(self.table), np.uint32).reshape(len(self.table), self.width())

    def rows(self, which: slice) -> Coded:
        return Coded(self.codes[which], self.table)


@attrs.frozen(eq=False)
class Micros:
    """Nanoseconds as microseconds, as Python prints ``round(ns / 1000, 3)``."""

    ns: np.ndarray

    def field(self) -> Field:
        return micros_field(self.ns)

    def halves(self) -> np.ndarray:
        whole, fraction = np.divmod(self.ns, 1000)
        return _decimal_halves(whole, _tables()[1][fraction])

    def rows(self, which: slice) -> Micros:
        return Micros(self.ns[which])


@attrs.frozen(eq=False)
class Ints:
    """Integers in decimal."""

    values: np.ndarray

    def field(self) -> Field:
        return int_field(self.values)

    def halves(self) -> np.ndarray:
        return _decimal_halves(self.values, None)

    def rows(self, which: slice) -> Ints:
        return Ints(self.values[which])


Column = Coded | Micros | Ints


def rows_text(parts: Sequence[bytes | Column], n: int) -> bytes:
    """``n`` rows, each its parts side by side and ``}``, joined by ",\n".

    Each part takes the same number of bytes in every row: where a number is shorter than the
    column's widest (and where a prefix is shorter than the longest), the bytes left are
    spaces, which JSON allows between tokens and every reader skips. Rows are then made in
    place, four bytes at a time, in one array: no byte-by-byte squeezing out of padding and no
    transposition (which together cost about two thirds of a row's time). A column with a
    negative number is squeezed instead (a sign cannot be followed by spaces).
    """
    if any(isinstance(p, Micros | Ints) and _negative(p) for p in parts):
        fields = [p if isinstance(p, bytes) else p.field() for p in parts]
        return join_rows([*fields, b"},\n"], n)[:-2]
    coded = next((p for p in parts if isinstance(p, Coded)), Coded(np.zeros(n, np.intp), [b""]))
    numbers = [p.halves() if isinstance(p, Micros | Ints) else None for p in parts]
    # every row starts as its code's template (its prefix and the literals in place), then the numbers go in
    template, at, slots = [], 0, []
    for part, halves in zip([*parts, b"} ,\n"], [*numbers, None], strict=True):
        width = halves.shape[1] if halves is not None else coded.width() if isinstance(part, Coded) else 0
        if isinstance(part, bytes):
            template.append(np.broadcast_to(_literal(part), (len(coded.table), _literal(part).size)))
            width = template[-1].shape[1]
        elif isinstance(part, Coded):
            template.append(coded.matrix())
        else:
            template.append(np.zeros((len(coded.table), width), np.uint32))
            slots.append((at, halves))
        at += width
    out = np.concatenate(template, axis=1)[coded.codes]
    for start, halves in slots:
        assert halves is not None
        out[:, start : start + halves.shape[1]] = halves
    rows: bytes = out.tobytes()
    return rows[:-2]


def _negative(column: Micros | Ints) -> bool:
    values = column.ns if isinstance(column, Micros) else column.values
    return bool(values.size and values.min() < 0)


def _literal(text: bytes) -> np.ndarray:
    """The same text in every row, padded with spaces to whole half-words."""
    return np.frombuffer(text.ljust(-(-len(text) // HALF) * HALF), np.uint32)


def padded(texts: Sequence[bytes]) -> list[bytes]:
    """Texts padded with spaces to one width, a whole number of half-words (a prefix table)."""
    width = -(-max((len(t) for t in texts), default=0) // HALF) * HALF
    return [t.ljust(width) for t in texts]


def _decimal_halves(whole: np.ndarray, fraction: np.ndarray | None) -> np.ndarray:
    """Non-negative integers right-aligned in groups of four digits, leading zeros as spaces, and
    ``fraction`` (a half-word per row) after them."""
    digits, _ = _tables()
    groups = max(1, -(-len(str(int(whole.max(initial=0)))) // 4))
    out = np.empty((whole.size, groups + (fraction is not None)), np.uint32)
    rest = whole
    for g in range(groups - 1, -1, -1):  # the last group first
        rest, four = np.divmod(rest, 10_000)
        if g:  # zeros before this group: spaces (all of them, or all but the ones digit)
            four += np.where(whole < 10_000 ** (groups - g), ONES_GROUP if g == groups - 1 else BLANK_GROUP, 0)
        else:
            four += ONES_GROUP if groups == 1 else BLANK_GROUP
        out[:, g] = digits[four]
    if fraction is not None:
        out[:, groups] = fraction
    return out


ZEROS_GROUP, BLANK_GROUP, ONES_GROUP = 0, 10_000, 20_000  # where each kind of group starts in the digit table


@functools.cache
def _tables() -> tuple[np.ndarray, np.ndarray]:
    """Four digits as a half-word: zero-padded ("0012"), after leading zeros ("  12", "    " for
    0) and in the ones' group ("   0" for 0); and ".ddd" as Python prints the three decimals
    ("12.5", "12.0"), padded with spaces."""
    zeros = "".join(f"{i:04d}" for i in range(10_000))
    blank = "    " + "".join(f"{i:4d}" for i in range(1, 10_000))
    ones = "".join(f"{i:4d}" for i in range(10_000))
    digits = np.frombuffer((zeros + blank + ones).encode(), np.uint32)
    shown = (f".{i:03d}".rstrip("0") for i in range(1000))
    decimals = "".join((text if len(text) > 1 else ".0").ljust(4) for text in shown)
    return digits, np.frombuffer(decimals.encode(), np.uint32)


def row_jobs(parts: Sequence[bytes | Column], n: int) -> Iterator[Job]:
    """:func:`rows_text` of ``CHUNK`` rows at a time, as jobs."""
    for at in range(0, n, CHUNK):
        rows = slice(at, at + CHUNK)
        mine = [p if isinstance(p, bytes) else p.rows(rows) for p in parts]
        yield functools.partial(rows_text, mine, min(n - at, CHUNK))
