"""Exact percentiles of grouped values that do not stay in memory.

A round has millions of waits and holds: their percentiles must be exact (numpy's "linear"
method, as :func:`~sims.rounds.statistics.grouped_summary_ns` gives them), but keeping the
values grows with the round. :class:`Distribution` keeps, per group, the count, sum and a
histogram of the values in buckets 1/128 of an octave wide, and writes the values themselves
to a file (or, without a folder, to memory). At the end, each wanted rank is looked up in the
histogram to find its bucket, and one pass over the stored values collects only the values
of those buckets: exact, in memory that grows with the histogram and with the widest wanted
bucket, not with the round. Zeros (waits on the fast path, most of them) are only counted.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

import numpy as np

from sims.rounds.statistics import QUANTILES, summary_with_zeros

STEPS = 128  # buckets per octave: the values read back at the end are those of a wanted bucket (16: 2.6 M at 60 s)
BUCKETS = 64 * STEPS  # every positive int64
READ_VALUES = 1 << 20  # values read back at a time
LOOKUP_KEYS = 1 << 24  # up to this many keys, a wanted key is found by indexing a table of flags


def buckets(values: np.ndarray) -> np.ndarray:
    """Each positive value's bucket, non-decreasing in the value."""
    mantissa, exponent = np.frexp(values.astype(np.float64))  # value = mantissa * 2**exponent, mantissa in [0.5, 1)
    return (exponent.astype(np.int64) - 1) * STEPS + ((mantissa - 0.5) * 2 * STEPS).astype(np.int64)


class Distribution:
    """Values in groups 0, 1, 2 ...; ``folder``: where the values wait (removed by :meth:`close`)."""

    def __init__(self, folder: Path | None = None) -> None:
        self._keys = np.empty(0, np.int64)  # group * BUCKETS + bucket, sorted
        self._counts = np.empty(0, np.int64)
        self._zeros = np.zeros(0, np.int64)
        self._sums = np.zeros(0, np.int64)
        self._negative = False  # then zeros are not the smallest values: the slow path sorts all
        self._memory: list[tuple[np.ndarray, np.ndarray]] = []
        self._files: tuple[BinaryIO, BinaryIO] | None = None
        self._folder = folder
        self.stored = 0

    @property
    def groups(self) -> int:
        """1 + the largest group seen."""
        return self._zeros.size

    def add(self, groups: np.ndarray, values: np.ndarray) -> None:
        groups, values = groups.astype(np.int64), values.astype(np.int64)
        if not groups.size:
            return
        self._grow(int(groups.max()) + 1)
        zero = values == 0
        self._zeros += np.bincount(groups[zero], minlength=self._zeros.size)
        groups, values = groups[~zero], values[~zero]
        if not values.size:
            return
        self._sums += np.bincount(groups, weights=values, minlength=self._sums.size).astype(np.int64)
        self._negative |= bool(values.min() < 0)
        keys = groups * BUCKETS + buckets(np.maximum(values, 1))
        self._count(keys)
        self._store(keys, values)

    def add_zeros(self, groups: np.ndarray, counts: np.ndarray) -> None:
        """``counts[i]`` more zeros in group ``groups[i]`` (waits that were counted, not recorded)."""
        groups, counts = groups.astype(np.int64), counts.astype(np.int64)
        if not groups.size:
            return
        self._grow(int(groups.max()) + 1)
        self._zeros += np.bincount(groups, weights=counts, minlength=self._zeros.size).astype(np.int64)

    def _grow(self, n: int) -> None:
        if n > self._zeros.size:
            self._zeros = np.pad(self._zeros, (0, n - self._zeros.size))
            self._sums = np.pad(self._sums, (0, n - self._sums.size))

    def _count(self, keys: np.ndarray) -> None:
        new, counts = np.unique(keys, return_counts=True)
        every = np.concatenate((self._keys, new))
        self._keys, where = np.unique(every, return_inverse=True)
        self._counts = np.bincount(where, weights=np.concatenate((self._counts, counts))).astype(np.int64)

    def _store(self, keys: np.ndarray, values: np.ndarray) -> None:
        """Keep (group * BUCKETS + bucket, value) pairs: read back, they need no bucket worked out again."""
        self.stored += values.size
        if self._folder is not None and self._files is None:
            with contextlib.suppress(OSError):
                self._folder.mkdir(parents=True, exist_ok=True)
                self._files = (open(self._folder / "keys.i8", "wb+"), open(self._folder / "values.i8", "wb+"))  # noqa: SIM115
            self._folder = None  # one try: a folder that cannot be made leaves the values in memory
        if self._files is not None:
            try:
                self._files[0].write(keys.data)
                self._files[1].write(values.data)
                return
            except OSError:  # a full disk: what follows stays in memory (the round is ending)
                pass
        self._memory.append((keys, values))

    def _stored(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """The stored (key, value) pairs, a bounded chunk at a time."""
        if self._files is not None:
            groups_file, values_file = self._files
            groups_file.flush()
            values_file.flush()
            n = values_file.seek(0, 2) // 8
            for at in range(0, n, READ_VALUES):
                groups_file.seek(at * 8)
                values_file.seek(at * 8)
                count = min(READ_VALUES, n - at)
                yield np.fromfile(groups_file, np.int64, count), np.fromfile(values_file, np.int64, count)
            groups_file.seek(0, 2)
            values_file.seek(0, 2)
        yield from self._memory

    def close(self) -> None:
        """Remove the stored values (their files too)."""
        if self._files is not None:
            for handle in self._files:
                handle.close()
                with contextlib.suppress(OSError):
                    Path(handle.name).unlink()
            with contextlib.suppress(OSError):
                Path(self._files[0].name).parent.rmdir()
            self._files = None
        self._memory = []

    def table(self, n_groups: int, regroup: np.ndarray | None = None) -> np.ndarray:
        """Rows of count, mean, p50, p95, p99 and max in ns (:func:`grouped_summary_ns`) for groups
        ``0 .. n_groups-1``; ``regroup[g]``: the row group g counts in (-1: none)."""
        return self.tables([(n_groups, regroup)])[0]

    def tables(self, asked: Sequence[tuple[int, np.ndarray | None]]) -> list[np.ndarray]:
        """:meth:`table` for each ``(n_groups, regroup)`` asked, from one pass over the stored values."""
        intos = [(n, self._into(regroup)) for n, regroup in asked]
        if self._negative:
            return [self._sorted_table(n, into, self._zeros_in(n, into)) for n, into in intos]
        plans = [self._plan(n, into) for n, into in intos]
        wanted = [self._keys[ranks.wanted_among(self._keys, into)] for _, ranks, into in plans]
        keys, values = self._collect(np.unique(np.concatenate(wanted)))
        for table, ranks, into in plans:
            ranks.take(keys, values, into)
            for column in range(2, 6):
                table[:, column] = ranks.value(column)
        return [table for table, _, _ in plans]

    def _into(self, regroup: np.ndarray | None) -> np.ndarray:
        """Each group's row (-1: none)."""
        return np.arange(self._zeros.size) if regroup is None else regroup[: self._zeros.size]

    def _zeros_in(self, n_groups: int, into: np.ndarray) -> np.ndarray:
        inside = into >= 0
        return np.bincount(into[inside], weights=self._zeros[inside], minlength=n_groups)[:n_groups].astype(np.int64)

    def _plan(self, n_groups: int, into: np.ndarray) -> tuple[np.ndarray, _Ranks, np.ndarray]:
        """One table's counts and means, and the ranks its percentiles need (values still to read)."""
        inside = into >= 0
        zeros = self._zeros_in(n_groups, into)
        sums = np.bincount(into[inside], weights=self._sums[inside], minlength=n_groups)[:n_groups]
        key_group = into[self._keys // BUCKETS] if self._keys.size else self._keys
        kept = key_group >= 0
        keys = key_group[kept] * BUCKETS + self._keys[kept] % BUCKETS
        keys, where = np.unique(keys, return_inverse=True)
        counts = np.bincount(where, weights=self._counts[kept]).astype(np.int64) if keys.size else keys
        rest = np.bincount(keys // BUCKETS, weights=counts, minlength=n_groups)[:n_groups].astype(np.int64)
        total = rest + zeros
        table = np.zeros((n_groups, 6))
        table[:, 0] = total
        np.divide(sums, total, out=table[:, 1], where=total > 0)
        ranks = _Ranks(keys, counts, zeros, rest)
        for column, q in enumerate((*QUANTILES, 100.0), start=2):
            ranks.want(column, q, total)
        return table, ranks, into

    def _collect(self, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The stored (key, value) pairs whose key is one of ``wanted`` (sorted): one pass over them all."""
        if not wanted.size:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        top = int(self._keys[-1]) + 1
        lookup = np.zeros(top, bool) if top <= LOOKUP_KEYS else None
        if lookup is not None:
            lookup[wanted] = True
        keys, values = [], []
        for stored_keys, stored_values in self._stored():
            if lookup is not None:
                hit = lookup[stored_keys]
            else:
                at = np.minimum(np.searchsorted(wanted, stored_keys), wanted.size - 1)
                hit = wanted[at] == stored_keys
            keys.append(stored_keys[hit])
            values.append(stored_values[hit])
        return np.concatenate(keys or [wanted[:0]]), np.concatenate(values or [wanted[:0]])

    def _sorted_table(self, n_groups: int, into: np.ndarray, zeros: np.ndarray) -> np.ndarray:
        """With negative values: every value read back and sorted (they are rare)."""
        pairs = list(self._stored())
        groups = into[np.concatenate([k for k, _ in pairs]) // BUCKETS] if pairs else np.empty(0, np.int64)
        values = np.concatenate([v for _, v in pairs]) if pairs else np.empty(0, np.int64)
        kept = groups >= 0
        groups = np.concatenate((groups[kept], np.repeat(np.arange(n_groups), zeros)))
        values = np.concatenate((values[kept], np.zeros(int(zeros.sum()), np.int64)))
        return summary_with_zeros(groups, values, np.zeros(n_groups, np.int64), n_groups)


class _Ranks:
    """The ranks each percentile needs, found bucket by bucket, then read from the stored values."""

    def __init__(self, keys: np.ndarray, counts: np.ndarray, zeros: np.ndarray, rest: np.ndarray) -> None:
        self.keys, self.zeros = keys, zeros
        self.before = np.cumsum(counts) - counts  # values in earlier keys (all groups)
        self.group_first = np.searchsorted(keys // BUCKETS, np.arange(zeros.size), side="left")
        self.group_before = np.concatenate((self.before, [int(counts.sum())]))[self.group_first]
        self.rest = rest
        self.wanted: dict[int, tuple[np.ndarray, ...]] = {}
        self.found = np.empty(0, np.int64)
        self.found_keys = np.empty(0, np.int64)

    def want(self, column: int, q: float, total: np.ndarray) -> None:
        last = np.maximum(total - 1, 0)
        position = q / 100.0 * last
        below = np.floor(position).astype(np.int64)
        self.wanted[column] = (total, position, below, *self._locate(below), *self._locate(np.minimum(below + 1, last)))

    def _locate(self, rank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(key, offset in its bucket) of each group's value at ``rank``; key -1: a zero."""
        among = rank - self.zeros  # rank among the group's non-zero values
        nonzero = (among >= 0) & (among < self.rest)
        target = self.group_before + np.where(nonzero, among, 0)
        at = np.clip(np.searchsorted(self.before, target, side="right") - 1, 0, max(self.keys.size - 1, 0))
        key = np.where(nonzero & (self.keys.size > 0), self.keys[at] if self.keys.size else -1, -1)
        return key, np.where(key >= 0, target - (self.before[at] if self.keys.size else 0), 0)

    def wanted_among(self, stored_keys: np.ndarray, into: np.ndarray) -> np.ndarray:
        """Which of ``stored_keys`` (group * BUCKETS + bucket, before regrouping) hold a wanted rank."""
        wanted = np.unique(np.concatenate([w[k] for w in self.wanted.values() for k in (3, 5)]))
        return np.isin(_regrouped(stored_keys, into), wanted[wanted >= 0])

    def take(self, stored_keys: np.ndarray, values: np.ndarray, into: np.ndarray) -> None:
        """Keep, of the values read back, those in a wanted bucket, sorted by (bucket, value)."""
        hit = self.wanted_among(stored_keys, into)
        key, value = _regrouped(stored_keys[hit], into), values[hit]
        order = np.lexsort((value, key))
        self.found_keys, self.found = key[order], value[order]

    def _value(self, key: np.ndarray, offset: np.ndarray) -> np.ndarray:
        start = np.searchsorted(self.found_keys, key, side="left")
        index = np.clip(start + offset, 0, max(self.found.size - 1, 0))
        got = self.found[index].astype(np.float64) if self.found.size else np.zeros(key.size)
        return np.where(key >= 0, got, 0.0)

    def value(self, column: int) -> np.ndarray:
        total, position, below, low_key, low_offset, high_key, high_offset = self.wanted[column]
        low, high = self._value(low_key, low_offset), self._value(high_key, high_offset)
        return np.where(total > 0, low + (high - low) * (position - below), 0.0)


def _regrouped(stored_keys: np.ndarray, into: np.ndarray) -> np.ndarray:
    """Stored keys (group * BUCKETS + bucket) as keys of the groups they count in (-1: none)."""
    mapped = into[stored_keys // BUCKETS]
    return np.where(mapped >= 0, mapped * BUCKETS + stored_keys % BUCKETS, -1)
