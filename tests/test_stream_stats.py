"""Statistics summed up chunk by chunk equal the statistics of all the records at once."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sims.stats import compute_round_stats
from sims.stats.stream import StreamingStats
from tests.test_stats_reference import PROPERTY, Case, assert_same, rounds


@st.composite
def streamed(draw: st.DrawFn) -> tuple[Case, list[int]]:
    """A round's whole history (time-ordered, as the engine releases it) and where it is cut into chunks."""
    case = draw(rounds())
    events = case.events[np.argsort(case.events["t_ns"], kind="stable")]
    cuts = sorted(draw(st.lists(st.integers(0, len(events)), max_size=6)))
    return case._replace(events=events), cuts


@PROPERTY
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
