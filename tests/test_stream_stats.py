"""Statistics summed up chunk by chunk equal the statistics of all the records at once."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sims.rounds.statistics import grouped_summary_ns
from sims.stats import compute_round_stats
from sims.stats.distribution import Distribution
from sims.stats.stream import StreamingStats
from tests.test_stats_reference import SECONDARY, Case, assert_same, rounds


@st.composite
def streamed(draw: st.DrawFn) -> tuple[Case, list[int]]:
    """A round's whole history (time-ordered, as the engine releases it) and where it is cut into chunks."""
    case = draw(rounds())
    events = case.events[np.argsort(case.events["t_ns"], kind="stable")]
    cuts = sorted(draw(st.lists(st.integers(0, len(events)), max_size=6)))
    return case._replace(events=events), cuts


@SECONDARY
@given(streamed())
def test_streamed_statistics_equal_those_of_every_record_at_once(given_case: tuple[Case, list[int]]) -> None:
    case, cuts = given_case
    if not np.any(case.events["op"][case.events["agent"] < 0] == 40):  # a slice: only whole rounds stream
        return
    want = compute_round_stats(case.events, case.plan, case.start, case.end, case.ops)
    stream = StreamingStats(case.plan, case.ops, case.start)
    stream.end_ns = case.end
    for chunk in np.split(case.events, cuts):
        stream.feed(chunk)
    assert_same(stream.finish(case.end).to_dict(), want.to_dict())


@SECONDARY
@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(-3, 1 << 40)), max_size=300),
    st.integers(0, 3),
    st.booleans(),
)
def test_a_distribution_read_back_from_disk_gives_numpys_exact_percentiles(
    pairs: list[tuple[int, int]], every: int, on_disk: bool
) -> None:
    """Zeros, repeats, one bucket crowded or many, negative values, groups merged or dropped."""
    groups = np.array([g for g, _ in pairs], np.int64)
    values = np.array([v if v % 4 else v % 50 for _, v in pairs], np.int64)  # plenty of repeats and zeros
    regroup = np.array([0, 1, 1, -1, 2, 0])
    with tempfile.TemporaryDirectory() as folder:
        kept = Distribution(Path(folder) / "values" if on_disk else None)
        for part in np.array_split(np.arange(len(pairs)), every + 1):
            kept.add(groups[part], values[part])
        got = kept.table(3, regroup)
        kept.close()
        assert not (Path(folder) / "values").exists()
    mapped = regroup[groups] if len(pairs) else groups
    want = grouped_summary_ns(mapped[mapped >= 0], values[mapped >= 0], 3)
    assert np.array_equal(got, want), (got, want)


class _CountedReads(Distribution):
    """A Distribution that counts the passes over its stored values."""

    passes = 0

    def _stored(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        self.passes += 1
        return super()._stored()


@SECONDARY
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(1, 1 << 40)), min_size=1, max_size=300), st.booleans())
def test_several_tables_of_one_distribution_come_from_one_pass(pairs: list[tuple[int, int]], on_disk: bool) -> None:
    """Per group and all together (as the waits by agent and of the whole round): exact, read once."""
    groups = np.array([g for g, _ in pairs], np.int64)
    values = np.array([v if v % 4 else v % 50 for _, v in pairs], np.int64)
    together = np.zeros(6, np.int64)
    with tempfile.TemporaryDirectory() as folder:
        kept = _CountedReads(Path(folder) / "values" if on_disk else None)
        kept.add(groups, values)
        by_group, whole = kept.tables([(6, None), (1, together)])
        kept.close()
    assert kept.passes <= 1
    assert np.array_equal(by_group, grouped_summary_ns(groups, values, 6))
    assert np.array_equal(whole, grouped_summary_ns(together[groups], values, 1))
