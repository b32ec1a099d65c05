"""Text rows from numpy columns without a Python loop over rows (CSV, trace JSON).

``np.savetxt`` formats each row in Python (3-5 us a row). Here every field of a chunk
becomes a fixed-width byte matrix (digits looked up four at a time, names from their
pre-encoded dictionary) with a mask of the bytes that are really there; a row is the masked
bytes of its parts laid side by side, literal bytes between the fields.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_DIGITS4 = np.frombuffer("".join(f"{i:04d}" for i in range(10_000)).encode(), np.uint8).reshape(10_000, 4)
_POW10 = np.array([10**k for k in range(1, 20)], dtype=np.uint64)

Field = tuple[np.ndarray, np.ndarray]  # (rows x width uint8 bytes, same-shaped bool: byte is there)
Part = Field | bytes  # a field, or the same literal bytes in every row


def join_rows(parts: Sequence[Part], n: int) -> bytes:
    """``n`` rows, each its parts' bytes in order."""
    if n == 0:
        return b""
    data, keep = [], []
    for part in parts:
        if isinstance(part, bytes):
            literal = np.frombuffer(part, np.uint8)
            data.append(np.broadcast_to(literal, (n, literal.size)))
            keep.append(np.ones((n, literal.size), bool))
        else:
            data.append(part[0])
            keep.append(part[1])
    text: bytes = np.concatenate(data, axis=1)[np.concatenate(keep, axis=1)].tobytes()
    return text


def int_field(values: np.ndarray) -> Field:
    """Integers in decimal, a minus sign where negative."""
    return _decimal(values, 0)


def thousandths_field(values: np.ndarray) -> Field:
    """Integers divided by 1000 with three decimals (ns as us): ``-1234567`` -> ``-1234.567``."""
    return _decimal(values, 3)


def _decimal(values: np.ndarray, decimals: int) -> Field:
    """``values / 10**decimals`` written exactly, ``decimals`` digits after the point (0: no point)."""
    values = values.astype(np.int64, copy=False)
    magnitude = np.abs(values).astype(np.uint64)
    groups = max(1, -(-len(str(int(magnitude.max(initial=0)))) // 4), -(-(decimals + 1) // 4))
    width = 4 * groups
    digits = np.empty((values.size, width), np.uint8)
    rest = magnitude
    for g in range(groups):
        rest, last4 = np.divmod(rest, np.uint64(10_000))
        digits[:, width - 4 * (g + 1) : width - 4 * g] = _DIGITS4[last4.astype(np.intp)]
    shown = np.maximum(1 + np.searchsorted(_POW10, magnitude, side="right"), decimals + 1)
    point = 1 if decimals else 0
    out = np.empty((values.size, 1 + width + point), np.uint8)
    out[:, 0] = ord("-")
    out[:, 1 : 1 + width - decimals] = digits[:, : width - decimals]
    if decimals:
        out[:, 1 + width - decimals] = ord(".")
        out[:, 2 + width - decimals :] = digits[:, width - decimals :]
    keep = np.ones(out.shape, bool)
    keep[:, 1 : 1 + width] = np.arange(width) >= (width - shown)[:, None]
    keep[:, 1 + width - decimals : 1 + width - decimals + point] = True
    if decimals:
        keep[:, 2 + width - decimals :] = True
    keep[:, 0] = values < 0
    return out, keep


def texts_field(texts: np.ndarray) -> Field:
    """A fixed-width bytes array as a field: the NUL padding is left out."""
    width = max(1, texts.dtype.itemsize)
    matrix = np.ascontiguousarray(texts.astype(f"S{width}")).view(np.uint8).reshape(texts.size, width)
    return matrix, matrix != 0


def coded_field(codes: np.ndarray, encoded: Sequence[bytes]) -> Field:
    """Entry ``codes[i]`` of ``encoded`` in row i; code -1 is empty."""
    table = np.array([*encoded, b""], dtype=bytes)
    return texts_field(table[codes.astype(np.intp)])


def micros_field(ns: np.ndarray) -> Field:
    """Integer nanoseconds as microseconds the way Python prints ``round(ns / 1000, 3)``:
    ``1234500`` -> ``1234.5``, ``0`` -> ``0.0`` (trailing zeros dropped, one decimal kept).

    Exact while ``abs(ns) < 10**15`` (11 days): below that every such decimal is its own float.
    """
    out, keep = _decimal(ns, 3)
    last = out.shape[1] - 1
    keep[:, last] = out[:, last] != ord("0")
    keep[:, last - 1] = keep[:, last] | (out[:, last - 1] != ord("0"))
    return out, keep
