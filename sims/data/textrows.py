"""Text rows from numpy columns without a Python loop over rows (CSV, trace JSON).

``np.savetxt`` formats each row in Python (3-5 us a row). Here every field of a chunk becomes
fixed-width bytes in which NUL stands for "no byte here" (padding, hidden leading zeros); a row
is its parts' bytes side by side, literal bytes between the fields, the NULs left out.

A field is held row by row as 4-byte units: ``field[i, k]`` is bytes ``4k .. 4k+3`` of the
field in row i. The parts are copied side by side into one matrix of rows (a few units per row
and part), and one pass over its bytes leaves the NULs out: what a row costs is mostly the bytes
of that matrix, so fields are kept narrow (4-byte units, not 8; a dictionary's entries packed
to the left). Digits are looked up four at a time as one unit ("0000" to "9999", leading
zeros hidden by the table), three decimals as one unit (".123"). Texts written this way cannot
contain NUL (as before: it was the padding of fixed-width names).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

UNIT = 4  # bytes per unit
GROUP = 10_000  # a unit holds four digits

Field = np.ndarray  # rows x units, uint32: the bytes of each row's field, NUL where there is none
Part = Field | bytes  # a field, or the same literal bytes in every row


def join_rows(parts: Sequence[Part], n: int) -> bytes:
    """``n`` rows, each its parts' bytes in order."""
    if n == 0:
        return b""
    text = side_by_side(parts, n).view(np.uint8)
    joined: bytes = text[text != 0].tobytes()
    return joined


def side_by_side(parts: Sequence[Part], n: int) -> Field:
    """One field of ``n`` rows: the parts' units next to each other (NULs still in)."""
    fields = [_literal(part) if isinstance(part, bytes) else part for part in parts]
    width = sum(field.shape[1] for field in fields)
    out = np.empty((n, width), np.uint32)
    at = 0
    for field in fields:  # each field's units as one item of its width: a copy per row, not per unit
        item = np.dtype((np.void, UNIT * field.shape[1]))
        into = np.ndarray((n,), item, out, UNIT * at, (UNIT * width,))
        into[...] = np.ascontiguousarray(field).view(item)[:, 0]
        at += field.shape[1]
    return out


def packed(field: Field) -> Field:
    """``field`` with each row's bytes moved to its start, as narrow as its longest row
    (for dictionaries: a few entries, then gathered into many rows)."""
    text = field.view(np.uint8).reshape(field.shape[0], -1)
    shown = text != 0
    width = -(-int(shown.sum(axis=1).max(initial=0)) // UNIT) * UNIT
    out = np.zeros((field.shape[0], max(width, UNIT)), np.uint8)
    rows = np.broadcast_to(np.arange(field.shape[0])[:, None], shown.shape)
    out[rows[shown], (np.cumsum(shown, axis=1) - 1)[shown]] = text[shown]
    return out.view(np.uint32)


def int_field(values: np.ndarray) -> Field:
    """Integers in decimal, a minus sign where negative."""
    return _decimal(values, fraction=False)


def micros_field(ns: np.ndarray) -> Field:
    """Integer nanoseconds as microseconds the way Python prints ``round(ns / 1000, 3)``:
    ``1234500`` -> ``1234.5``, ``0`` -> ``0.0`` (trailing zeros dropped, one decimal kept).

    Exact while ``abs(ns) < 10**15`` (11 days): below that every such decimal is its own float.
    """
    return _decimal(ns, fraction=True)


def _decimal(values: np.ndarray, *, fraction: bool) -> Field:
    """``values`` in decimal; with ``fraction``, divided by 1000 with a point and the decimals
    Python prints. A row is units: ``\\0\\0\\0-`` (only if some value is negative, ``-`` only
    where it is), the whole part's digits four at a time (leading zeros hidden, one digit at
    least), then ``.ddd`` (trailing zeros hidden, one decimal at least)."""
    values = values.astype(np.int64, copy=False)
    negative = values < 0
    signed = int(negative.any())
    whole = np.abs(values).astype(np.uint64)  # abs(-2**63) wraps to 2**63: right as uint64
    decimals = None
    if fraction:
        decimals = whole % np.uint64(1000)
        whole //= np.uint64(1000)
    groups = -(-len(str(int(whole.max(initial=0)))) // 4)
    out = np.empty((values.size, signed + groups + fraction), np.uint32)
    if signed:
        out[:, 0] = np.where(negative, _as_unit(b"\0\0\0-"), 0)
    parts = []
    for _ in range(groups - 1):  # the last group first
        rest = whole // np.uint64(GROUP)
        parts.append((whole - rest * np.uint64(GROUP)).astype(np.intp))
        whole = rest
    parts.append(whole.astype(np.intp))
    shown = np.zeros(values.size, np.intp)  # GROUP where a group before this one shows: all four digits show
    digits, last = _digit_units()
    for k, group in enumerate(reversed(parts)):  # the first group first
        table = last if k == groups - 1 else digits  # the last group shows a 0 that nothing precedes
        out[:, signed + k] = table[group + shown]
        if k < groups - 1:
            shown |= np.where(group != 0, GROUP, 0)
    if decimals is not None:
        out[:, -1] = _fraction_units()[decimals.astype(np.intp)]
    return out


def _as_unit(text: bytes) -> np.uint32:
    unit: np.uint32 = np.frombuffer(text, np.uint32)[0]
    return unit


@functools.cache
def _digit_units() -> tuple[np.ndarray, np.ndarray]:
    """Units indexed by a group's value, plus GROUP when a group before it shows: ``"  12"``
    (leading zeros as NUL, 0 shows nothing) then ``"0012"``; and the same for the last group,
    whose 0 shows."""
    hidden = "".join(f"{i:4d}" if i else "" for i in range(GROUP)).replace(" ", "\0").rjust(4 * GROUP, "\0")
    full = "".join(f"{i:04d}" for i in range(GROUP))
    digits = np.frombuffer((hidden + full).encode(), np.uint32)
    last = digits.copy()
    last[0] = _as_unit(b"\0\0\x000")
    return digits, last


@functools.cache
def _fraction_units() -> np.ndarray:
    """``".000"`` to ``".999"`` as units, the decimals Python drops (trailing zeros beyond the
    first) as NUL."""
    texts = [f".{i:03d}".rstrip("0").ljust(2, "0").ljust(4, "\0") for i in range(1000)]
    return np.frombuffer("".join(texts).encode(), np.uint32)


def _units(texts: np.ndarray) -> Field:
    """A fixed-width bytes array (NUL-padded) as rows x units."""
    width = -(-max(texts.dtype.itemsize, 1) // UNIT) * UNIT
    return np.ascontiguousarray(texts.astype(f"S{width}")).view(np.uint32).reshape(texts.size, width // UNIT)


def _literal(text: bytes) -> Field:
    """The same bytes in every row: one row, broadcast by assignment."""
    return _units(np.array([text]))


def texts_field(texts: np.ndarray) -> Field:
    """A fixed-width bytes array as a field: the NUL padding is left out."""
    return _units(texts)


def coded_field(codes: np.ndarray, encoded: Sequence[bytes], suffix: bytes = b"") -> Field:
    """Entry ``codes[i]`` of ``encoded`` in row i, code -1 an empty one; ``suffix`` after each."""
    table = _units(np.array([*(text + suffix for text in encoded), suffix], dtype=bytes))
    return entries_field(codes, table)


def entries_field(codes: np.ndarray, entries: Field) -> Field:
    """Row ``codes[i]`` of ``entries`` in row i (code -1: the last entry)."""
    return np.take(entries, codes.astype(np.intp, copy=False), axis=0)


def without(field: Field, rows: np.ndarray) -> Field:
    """``field`` with nothing in ``rows`` (a bool mask: the nulls)."""
    field = field.copy()
    field[rows] = 0
    return field
