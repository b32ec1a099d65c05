"""Lessons on waiting: the bell (Event wake-up latency) and the menu (readers–writers).

Rounds run until enough samples exist (counted live), so a busy machine only makes them longer;
waits are compared side by side in one round (a busy machine slows readers and writers alike),
never against a number of milliseconds.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import run_until

from sims.engine.round import Round
from sims.rounds.config import RoundConfig
from sims.rounds.result import RoundResult
from sims.scenarios.bell import wake_latencies
from sims.telemetry import Op

pytestmark = pytest.mark.timeout(120)


def role_ops(rnd: Round, role: str) -> int:
    assert rnd.model is not None and rnd.layout is not None
    return int(sum(rnd.model.operations[a.index] for a in rnd.layout.agents if a.role == role))


def bell_round(backend: str, strategy: str, poll_ms: float = 20.0) -> RoundResult:
    params = {"closed_ms": 40.0, "open_ms": 20.0, "eat_ms": 10.0, "poll_ms": poll_ms}
    config = RoundConfig("bell", backend=backend, strategy=strategy, seconds=120, params=params)
    return run_until(config, lambda rnd: role_ops(rnd, "ringer") >= 25)


@pytest.mark.parametrize("backend", ["thread", "process"])
def test_bell_wakes_every_waiting_guest_after_a_set(backend: str) -> None:
    result = bell_round(backend, "ring")
    stats = result.scenario_stats
    assert stats["rings"] >= 25 and stats["wakeups"] >= 25
    door = result.layout.resource_named("door").index
    sets = result.events[(result.events["op"] == Op.SET) & (result.events["resource"] == door)]["t_ns"]
    latencies = wake_latencies(result.events, door, sets)
    assert (latencies >= 0).all()
    # nobody who waited at the door got in while it was shut: each wake-up follows a SET
    # more closely than the next CLEAR (the door was open when they woke)
    clears = result.events[(result.events["op"] == Op.CLEAR) & (result.events["resource"] == door)]["t_ns"]
    assert len(clears) >= 24
    assert stats["wake_p99_ms"] == pytest.approx(float(np.percentile(latencies, 99)) / 1e6)


def test_bell_peeking_wakes_later_than_waiting() -> None:
    waiting = bell_round("thread", "ring").scenario_stats
    peeking = bell_round("thread", "peek", poll_ms=60.0).scenario_stats
    assert peeking["wakeups"] >= 20 and waiting["wakeups"] >= 20
    # a peeker notices on average half a nap (~30 ms) late; Event.wait() wakes at once
    assert peeking["wake_mean_ms"] > 3 * waiting["wake_mean_ms"]


def menu_round(strategy: str, backend: str = "thread") -> RoundResult:
    params = {"readers": 6, "reader_think_ms": 3.0, "read_ms": 40.0}
    config = RoundConfig("menu", backend=backend, strategy=strategy, seconds=120, params=params)
    return run_until(config, lambda rnd: rnd.elapsed_s >= 2.0 and role_ops(rnd, "reader") >= 60)


def test_menu_reader_preference_starves_writers() -> None:
    result = menu_round("reader")
    stats = result.scenario_stats
    assert result.deadlock is None
    assert stats["readers_in"] >= 60
    assert stats["writers_in"] * 10 < stats["readers_in"]  # writers barely get in (usually never)
    assert stats["writer_max_wait_ms"] > 20 * stats["reader_max_wait_ms"]  # side by side: load slows both


@pytest.mark.parametrize("strategy", ["writer", "fair"])
def test_menu_writer_preference_and_turnstile_let_writers_in(strategy: str) -> None:
    result = menu_round(strategy)
    stats = result.scenario_stats
    assert result.deadlock is None
    assert stats["writers_in"] >= 5
    assert stats["starvation_ratio"] < 10  # writers wait about as long as readers do (reader preference: > 20)


def test_menu_runs_on_processes() -> None:
    result = menu_round("fair", backend="process")
    assert result.deadlock is None
    assert result.scenario_stats["writers_in"] >= 1 and result.scenario_stats["readers_in"] >= 60
