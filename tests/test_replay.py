"""Replaying a finished round: the picture after any record equals folding the records up to it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sims.live import LiveModel
from sims.live.replay import RecordReplay
from sims.rounds.result import RoundResult
from sims.scenarios.registry import scenario_named
from tests.helpers import run_round

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def deadlocked() -> RoundResult:
    """A naive dining round at zero pacing: it ends in a real deadlock, every record kept."""
    return run_round("dining", strategy="naive", params={"think_ms": 0, "eat_ms": 0, "agents": 3}, seconds=3.0)


def folded(result: RoundResult, count: int) -> LiveModel:
    ops = scenario_named(result.config.scenario).operation_ops(result.layout)
    model = LiveModel(result.layout, ops)
    model.feed(result.events[:count])
    return model


@pytest.mark.parametrize("every", [3, 256])
def test_the_picture_after_any_record_is_the_records_folded_up_to_it(deadlocked: RoundResult, every: int) -> None:
    ops = scenario_named(deadlocked.config.scenario).operation_ops(deadlocked.layout)
    replay = RecordReplay(deadlocked.layout, deadlocked.events, ops, every=every)

    @settings(max_examples=15, deadline=None)
    @given(fraction=st.floats(0, 1))
    def check(fraction: float) -> None:
        count = round(fraction * len(replay))
        assert replay.snapshot_after(count) == folded(deadlocked, count).snapshot()

    check()


def test_scrubbing_back_and_forth_gives_the_same_pictures(deadlocked: RoundResult) -> None:
    replay = RecordReplay(deadlocked.layout, deadlocked.events, every=16)
    order = [len(replay), 0, len(replay) // 2, 3, len(replay) - 1, len(replay) // 2]
    first = {count: replay.snapshot_after(count) for count in order}
    assert all(replay.snapshot_after(count) == first[count] for count in reversed(order))


def test_the_last_picture_shows_the_deadlock_the_round_ended_in(deadlocked: RoundResult) -> None:
    assert deadlocked.end_reason == "deadlock"
    replay = RecordReplay(deadlocked.layout, deadlocked.events)
    assert 0 < replay.played < len(replay)  # the teardown's records come after the end
    last = replay.snapshot_after(replay.played)
    assert {a.index: a.waiting_on for a in last.agents if a.waiting_on >= 0} == dict(
        zip(deadlocked.deadlock.agents, deadlocked.deadlock.resources, strict=True)
    )
    assert all(a.waiting_on < 0 for a in replay.snapshot_after(len(replay)).agents)  # torn down: nobody waits


def test_a_record_outside_the_round_is_refused(deadlocked: RoundResult) -> None:
    replay = RecordReplay(deadlocked.layout, deadlocked.events)
    with pytest.raises(IndexError, match="record -1 of a round of"):
        replay.snapshot_after(-1)
    with pytest.raises(ValueError, match="at least 1"):
        RecordReplay(deadlocked.layout, deadlocked.events, every=0)
