"""Rounds end cleanly whatever happened to their agents."""

from __future__ import annotations

import pytest

from sims.engine.round import Round
from sims.rounds.commands import parse_timed
from sims.rounds.config import RoundConfig

pytestmark = pytest.mark.timeout(90)


def test_an_agent_killed_while_pacing_does_not_hang_the_end_of_the_round() -> None:
    """SIGKILL lands while the agent sleeps on the round's stop bell (think 300 ms).

    With a multiprocessing.Event there, set() would wait for ever for the dead sleeper.
    """
    config = RoundConfig(
        "dining",
        backend="process",
        strategy="ordered",
        seconds=1.5,
        params={"think_ms": 300.0, "eat_ms": 1.0},
        schedule=(parse_timed("0.5:kill 0"), parse_timed("0.6:pause"), parse_timed("0.9:resume")),
    )
    with Round(config) as rnd:
        result = rnd.run()
    assert result.end_reason == "duration"
    assert result.identities[0].exit_code == -9
    assert all(i.exit_code == 0 for i in result.identities[1:])


def test_a_semaphore_waited_on_by_everyone_while_a_cook_works_is_not_a_deadlock() -> None:
    """Waiters block on 'full' while the only cook is slow: anyone can release it."""
    config = RoundConfig(
        "kitchen",
        strategy="semaphores",
        seconds=1.0,
        params={"producers": 1, "consumers": 3, "cook_ms": 150.0, "serve_ms": 0.0},
    )
    with Round(config) as rnd:
        result = rnd.run()
    assert result.deadlock is None
    assert result.end_reason == "duration"
    assert result.scenario_stats["consumed"] >= 3
