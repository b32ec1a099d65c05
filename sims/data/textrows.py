"""Text rows from numpy columns without a Python loop over rows (CSV, trace JSON).

``np.savetxt`` formats each row in Python (3-5 us a row). Here every field of a chunk becomes
fixed-width bytes in which NUL stands for "no byte here" (padding, hidden leading zeros); a row
is its parts' bytes side by side, literal bytes between the fields, the NULs left out.

A field is held column-wise as 8-byte words: ``field[k, i]`` is bytes ``8k .. 8k+7`` of the
field in row i. Putting the parts side by side is then a copy of contiguous columns and one
transpose of words, not a copy of a few bytes per row and part (which was most of a row's
cost). Digits are looked up four at a time as one 32-bit word ("0000" to "9999"), three
decimals as one word (".123"), and which of those bytes show as one word too. Texts written
this way cannot contain NUL (as before: it was the padding of fixed-width names).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

WORD = 8  # bytes per word

Field = np.ndarray  # words x rows, uint64: the bytes of each row's field, NUL where there is none
Part = Field | bytes  # a field, or the same literal bytes in every row


def join_rows(parts: Sequence[Part], n: int) -> bytes:
    """``n`` rows, each its parts' bytes in order."""
    if n == 0:
        return b""
    words = []
    for part in parts:
        if isinstance(part, bytes):
            literal = _words(np.array([part]))
            words.append(np.broadcast_to(literal, (literal.shape[0], n)))
        else:
            words.append(part)
    rows = np.ascontiguousarray(np.concatenate(words, axis=0).T).view(np.uint8)
    text: bytes = rows[rows != 0].tobytes()
    return text


def int_field(values: np.ndarray) -> Field:
    """Integers in decimal, a minus sign where negative."""
    return _decimal(values, None)


def micros_field(ns: np.ndarray) -> Field:
    """Integer nanoseconds as microseconds the way Python prints ``round(ns / 1000, 3)``:
    ``1234500`` -> ``1234.5``, ``0`` -> ``0.0`` (trailing zeros dropped, one decimal kept).

    Exact while ``abs(ns) < 10**15`` (11 days): below that every such decimal is its own float.
    """
    return _decimal(ns, _fraction_words()[1])


def _decimal(values: np.ndarray, fraction_shown: np.ndarray | None) -> Field:
    """``values`` in decimal; with ``fraction_shown`` (which bytes of ".123" show, by the three
    digits' value), divided by 1000 with a point and those decimals.

    A row is 32-bit words: ``\0\0\0-`` (only if some value is negative, ``-`` only where it
    is), the whole part's digits four at a time (leading zeros hidden, one digit at least), then
    ``.ddd``."""
    values = values.astype(np.int64, copy=False)
    negative = values < 0
    signed = int(negative.any())
    magnitude = np.abs(values).astype(np.uint64)
    if fraction_shown is None:
        whole, fraction = magnitude, None
    else:
        whole, fraction = np.divmod(magnitude, np.uint64(1000))
    digits = len(str(int(whole.max(initial=0))))
    groups = -(-digits // 4)
    half_words = signed + groups + (fraction is not None)
    out = np.zeros((-(-half_words // 2), values.size, 2), np.uint32)
    if signed:
        out[0, :, 0] = np.where(negative, _as_word(b"\0\0\0-"), 0)
    shown = np.ones(values.size, np.int64)  # digits of the whole part shown
    for k in range(1, digits):
        shown += whole >= 10**k
    rest = whole
    for g in range(groups, 0, -1):  # the last group first; half-word signed + g - 1
        rest, last4 = np.divmod(rest, np.uint64(10_000))
        shows = _right_shown()[np.clip(shown - 4 * (groups - g), 0, 4)]
        h = signed + g - 1
        np.bitwise_and(_digit_words()[last4.astype(np.intp)], shows, out=out[h // 2, :, h % 2])
    if fraction is not None and fraction_shown is not None:
        at, h = fraction.astype(np.intp), signed + groups
        np.bitwise_and(_fraction_words()[0][at], fraction_shown[at], out=out[h // 2, :, h % 2])
    field: Field = out.view(np.uint64)[..., 0]
    return field


def _as_word(text: bytes) -> np.uint32:
    word: np.uint32 = np.frombuffer(text, np.uint32)[0]
    return word


@functools.cache
def _digit_words() -> np.ndarray:
    """``"0000"`` to ``"9999"``, each as one uint32 (its bytes in text order)."""
    return np.frombuffer("".join(f"{i:04d}" for i in range(10_000)).encode(), np.uint32)


@functools.cache
def _right_shown() -> np.ndarray:
    """By count 0-4: a mask word whose last ``count`` bytes are 0xFF."""
    return np.frombuffer(b"".join(bytes(4 - k) + b"\xff" * k for k in range(5)), np.uint32)


@functools.cache
def _fraction_words() -> tuple[np.ndarray, np.ndarray]:
    """``".000"`` to ``".999"`` as uint32 words, and mask words of the bytes Python prints
    (trailing zeros dropped, one decimal always kept)."""
    text = np.frombuffer("".join(f".{i:03d}" for i in range(1000)).encode(), np.uint32)
    last, middle = np.arange(1000) % 10, np.arange(1000) // 10 % 10
    shown = np.full((1000, 4), 0xFF, np.uint8)
    shown[:, 3] *= last != 0
    shown[:, 2] *= (last != 0) | (middle != 0)
    return text, shown.view(np.uint32).reshape(1000)


def _words(texts: np.ndarray) -> Field:
    """A fixed-width bytes array (NUL-padded) as words x rows."""
    width = -(-max(texts.dtype.itemsize, 1) // WORD) * WORD
    matrix = np.ascontiguousarray(texts.astype(f"S{width}")).view(np.uint64).reshape(texts.size, width // WORD)
    return np.ascontiguousarray(matrix.T)


def texts_field(texts: np.ndarray) -> Field:
    """A fixed-width bytes array as a field: the NUL padding is left out."""
    return _words(texts)


def coded_field(codes: np.ndarray, encoded: Sequence[bytes], suffix: bytes = b"") -> Field:
    """Entry ``codes[i]`` of ``encoded`` in row i, code -1 an empty one; ``suffix`` after each."""
    table = np.array([*(text + suffix for text in encoded), suffix], dtype=bytes)
    return np.take(_words(table), codes.astype(np.intp), axis=1)


def without(field: Field, rows: np.ndarray) -> Field:
    """``field`` with nothing in ``rows`` (a bool mask: the nulls)."""
    field = field.copy()
    field[:, rows] = 0
    return field
