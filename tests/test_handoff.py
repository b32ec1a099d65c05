"""Records handed over in shared memory: what goes in comes out, and nothing stays behind."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sims.engine.handoff import RecordsHandoff, RecordsLost, discard, forget, leave, take
from sims.runtime import segment_name
from sims.telemetry import EVENT_DTYPE

pytestmark = pytest.mark.timeout(60)


def records(count: int) -> np.ndarray:
    events = np.zeros(count, dtype=EVENT_DTYPE)
    events["t_ns"] = np.arange(count) * 7 + 2**40
    events["agent"] = np.arange(count) % 64
    events["resource"] = np.arange(count) % 5 - 1
    events["op"] = np.arange(count) % 31
    events["value"] = -np.arange(count)
    return events


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=5000))
def test_what_is_left_is_what_is_taken_and_the_segment_is_gone(count: int) -> None:
    events = records(count)
    segment, handoff = leave(events, segment_name())
    assert handoff.count == count and (segment is None) == (count == 0)
    taken = take(handoff)
    assert taken.dtype == EVENT_DTYPE and np.array_equal(taken, events)
    if segment is not None:
        assert not (Path("/dev/shm") / handoff.segment).exists(), "taking unlinks the segment"
        discard(segment)  # the host's own unlink afterwards is harmless


def test_records_that_are_gone_are_reported_by_their_segment() -> None:
    segment, handoff = leave(records(10), segment_name())
    assert segment is not None
    discard(segment)  # the host gave up waiting
    with pytest.raises(RecordsLost, match=handoff.segment):
        take(handoff)
    assert take(RecordsHandoff()).size == 0


def test_forgetting_unlinks_a_segment_left_behind_and_minds_none() -> None:
    name = segment_name()
    segment, _ = leave(records(3), name)
    assert segment is not None and (Path("/dev/shm") / name).exists()
    segment.close()  # the host died holding it: nobody will discard it
    forget(name)
    assert not (Path("/dev/shm") / name).exists()
    forget(name)  # nothing there any more: nothing happens
