"""Exact percentiles of grouped values that do not stay in memory.

A round has millions of waits and holds: their percentiles must be exact (numpy's "linear"
method, as :func:`~sims.rounds.statistics.grouped_summary_ns` gives them), but keeping the
values grows with the round. :class:`Distribution` keeps, per group, the count, sum and a
histogram of the values in buckets 1/16 of an octave wide, and writes the values themselves
to a file (or, without a folder, to memory). At the end, each wanted rank is looked up in the
histogram to find its bucket, and one pass over the stored values collects only the values
of those buckets: exact, in memory that grows with the histogram and with the widest wanted
bucket, not with the round. Zeros (waits on the fast path, most of them) are only counted.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np

from sims.rounds.statistics import QUANTILES, summary_with_zeros

STEPS = 16  # buckets per octave
BUCKETS = 64 * STEPS  # every positive int64
READ_VALUES = 1 << 20  # values read back at a time


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
        into = np.arange(self._zeros.size) if regroup is None else regroup[: self._zeros.size]
        inside = into >= 0
        zeros = np.bincount(into[inside], weights=self._zeros[inside], minlength=n_groups)[:n_groups].astype(np.int64)
        if self._negative:
            return self._sorted_table(n_groups, into, zeros)
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
        ranks.collect(self._stored(), into)
        for column in range(2, 6):
            table[:, column] = ranks.value(column)
        return table

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

    def collect(self, stored: Iterator[tuple[np.ndarray, np.ndarray]], into: np.ndarray) -> None:
        """One pass over the values: keep those in a wanted bucket, sorted by (bucket, value)."""
        wanted = np.unique(np.concatenate([w[k] for w in self.wanted.values() for k in (3, 5)]))
        wanted = wanted[wanted >= 0]
        is_wanted = np.zeros(int(wanted.max(initial=-1)) + 2, bool)  # the last slot: every key not wanted
        is_wanted[wanted] = True
        keys, found = [], []
        for stored_keys, values in stored:
            mapped = into[stored_keys // BUCKETS]
            key = np.where(mapped >= 0, mapped * BUCKETS + stored_keys % BUCKETS, -1)
            hit = is_wanted[np.where((key >= 0) & (key < is_wanted.size), key, -1)]
            keys.append(key[hit])
            found.append(values[hit])
        key = np.concatenate(keys) if keys else np.empty(0, np.int64)
        value = np.concatenate(found) if found else np.empty(0, np.int64)
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
