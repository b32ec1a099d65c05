"""Adjacent name columns written as one field: each combination of names is spelled out once.

An event row has six name columns (agent, op, resource, target_agent, state, step), most of them
empty in any one row. Written one by one, each is a lookup and a padded field of its own, and
the padding is most of the bytes the row writer has to pass over (:mod:`sims.data.textrows`).
A chunk holds only a few hundred of their combinations: each row's combination is numbered
(mixed-radix codes, renumbered densely after each column, no sort), every combination present
is spelled out with its separators and packed to the left, and one lookup per row writes them
all. Columns whose combinations would be too many are started as a new field.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sims.data.textrows import Field, Part, coded_field, entries_field, packed, side_by_side

MAX_COMBINATIONS = 1 << 12  # per field: beyond this, spelling them out costs more than it saves


def combined_fields(
    codes: Sequence[np.ndarray], encoded: Sequence[Sequence[bytes]], afters: Sequence[bytes], before: bytes = b""
) -> list[Field]:
    """Column k's name (``encoded[k][code]``, nothing for code -1) then ``afters[k]``, for every
    column in order, ``before`` first: as few fields as the combinations allow."""
    fields = []
    first = 0
    numbers, combos = _numbered(codes[0], len(encoded[0]))
    for k in range(1, len(codes)):
        more = _with_column(numbers, combos, codes[k], len(encoded[k]))
        if len(more[1]) > MAX_COMBINATIONS:
            fields.append(_spelled(numbers, combos, encoded[first:k], afters[first:k], before if first == 0 else b""))
            first = k
            numbers, combos = _numbered(codes[k], len(encoded[k]))
        else:
            numbers, combos = more
    fields.append(_spelled(numbers, combos, encoded[first:], afters[first:], before if first == 0 else b""))
    return fields


def _numbered(codes: np.ndarray, names: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's combination number, and each combination's codes (+1: 0 is null) as a row."""
    numbers, present = _dense(codes.astype(np.intp) + 1, names + 1)
    return numbers, present[:, None]


def _with_column(
    numbers: np.ndarray, combos: np.ndarray, codes: np.ndarray, names: int
) -> tuple[np.ndarray, np.ndarray]:
    """The combinations once one more column joins them."""
    radix = names + 1
    joint = numbers * radix + (codes.astype(np.intp) + 1)
    numbers, present = _dense(joint, len(combos) * radix)
    return numbers, np.column_stack((combos[present // radix], present % radix))


def _dense(values: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """``values`` (0 <= v < ``size``) renumbered 0, 1, ... in order of value, and the values present."""
    seen = np.zeros(size, bool)
    seen[values] = True
    present = np.flatnonzero(seen)
    number = np.zeros(size, np.intp)
    number[present] = np.arange(present.size)
    return number[values], present


def _spelled(
    numbers: np.ndarray, combos: np.ndarray, encoded: Sequence[Sequence[bytes]], afters: Sequence[bytes], before: bytes
) -> Field:
    """Each row's combination, spelled out from a table of the combinations present."""
    parts: list[Part] = [before] if before else []
    for k in range(combos.shape[1]):
        parts.append(coded_field(combos[:, k] - 1, encoded[k], afters[k]))
    return entries_field(numbers, packed(side_by_side(parts, len(combos))))
