"""The results and the debrief say what happened: a deadlock made of messages is named as a
cycle of pipes, a round stuck behind a killed holder is called stuck, and the debrief says so."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import poll_until, run_round

from sims.engine.round import Round
from sims.rounds import RoundConfig
from sims.rounds.commands import SignalAgent
from sims.rounds.result import RoundResult
from sims.rounds.stuck import stuck_behind_the_dead
from sims.rounds.summary import flat_numbers, verdict
from sims.text_report import render_result

pytestmark = pytest.mark.timeout(150)


def selfish(backend: str) -> RoundResult:
    return run_round("messages", strategy="selfish", backend=backend, seconds=150, params={"agents": 4})


@pytest.mark.parametrize("backend", ["thread", "process"])
def test_selfish_messages_end_in_a_deadlock_named_as_a_cycle_of_pipes(backend: str) -> None:
    result = selfish(backend)
    assert result.end_reason == "deadlock" and flat_numbers(result)["deadlock"] is True
    cycle = verdict(result)["cycle"]
    # each philosopher k waits for the fork on pipe k-(k+1), which its right neighbour keeps
    first = int(cycle["agents"][0].split()[-1])
    ring = [(first + i) % 4 for i in range(4)]
    assert cycle["agents"] == [f"philosopher {k}" for k in ring]
    assert cycle["waiting_for"] == [f"pipe {k}-{(k + 1) % 4}" for k in ring]
    assert result.scenario_stats["meals_total"] == 0
    report = render_result(result)
    assert "DEADLOCK formed" in report and "philosopher 0 waits for pipe 0-1" in report


def test_the_debrief_of_a_selfish_messages_round_says_deadlock_and_names_the_cycle(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    from game.app import App
    from game.campaign import Picks
    from game.scenes.debrief import DebriefScene

    result = selfish("thread")
    app = App(save_path=tmp_path / "progress.json")
    try:
        level = app.campaign.level("messages")
        expected = (("en", "DEADLOCK", "P0 waits for pipe 0-1, which P1 holds"), ("zh", "死锁", "管道 0-1"))
        for language, said, hop in expected:
            if app.campaign.language != language:
                app.campaign.switch_language()
            app.scenes.push(DebriefScene(app, level, Picks.defaults(level), 0, result))
            app.step(0.02, [])
            shown = app.text.texts()
            assert any(t.startswith(said) for t in shown), language
            assert any(hop in t for t in shown), language
            app.scenes.pop()
    finally:
        app.close()


@pytest.fixture(scope="module")
def killed_holder() -> Iterator[RoundResult]:
    """A signals round whose stove holder was SIGKILLed while the other cook queued for it."""
    config = RoundConfig("signals", backend="process", seconds=150, params={"agents": 2, "think_ms": 0})
    with Round(config) as rnd:
        rnd.start()
        assert rnd.model is not None and rnd.layout is not None
        stove = rnd.layout.resource_named("stove").index
        def queued() -> tuple[int, ...]:  # (the holder,) once someone queues behind it
            return rnd.model.holders_of(stove) if rnd.model.waiters_of(stove) else ()

        (holder,) = poll_until(rnd, queued, 30)
        rnd.command(SignalAgent(holder, "kill"))
        poll_until(rnd, lambda: rnd.orphaned, 30)
        result = rnd.stop("requested")
    assert result is not None
    yield result


def test_a_round_stuck_behind_a_killed_holder_is_called_stuck_in_the_cli_and_the_window(
    killed_holder: RoundResult,
) -> None:
    from game import palette
    from game.i18n import tr
    from game.verdict import round_verdict, stuck_chain

    result = killed_holder
    assert result.deadlock is None and result.orphaned == ("stove",)
    report = render_result(result)
    assert "no deadlock cycle, but stuck" in report and "orphaned (held by a dead agent): stove" in report
    assert "\nno deadlock\n" not in report
    (waits,) = stuck_behind_the_dead(result)  # the other cook queued for the stove and never got it
    names = [a.name for a in result.layout.agents]
    assert result.layout.resources[waits.resource].name == "stove" and waits.agent != waits.holder
    assert f"stuck for ever: {names[waits.agent]} waits for stove, held by {names[waits.holder]} (killed)" in report
    expected = (("en", "Stuck: a killed process still holds stove"), ("zh", "卡死了：被杀死的进程仍占着灶台"))
    for language, stuck in expected:
        said, colour = round_verdict(lambda key, **f: tr(key, language, **f), result)  # noqa: B023
        assert said.startswith(stuck) and colour == palette.BAD
    hop = stuck_chain(lambda key, **f: tr(key, "zh", **f), result)
    assert hop == f"C{waits.agent} 在等灶台，而占着它的 C{waits.holder} 已被杀死"


def test_a_lock_passing_to_a_waiter_is_drawn_in_the_pending_colour_not_free() -> None:
    from game import palette
    from game.views.primitive import lock_colour
    from sims.primitives.statistics import ResourceStatistics

    def fork(holders: tuple[int, ...], waiters: tuple[int, ...]) -> Any:
        return ResourceStatistics(0, "fork 0", "lock", holders=holders, waiters=waiters, capacity=1)

    assert lock_colour(fork((), (2,))) == palette.TOKEN_PENDING != palette.FORK_FREE
    assert lock_colour(fork((), ())) == palette.FORK_FREE
    assert lock_colour(fork((1,), (2,))) == palette.FORK_HELD


def test_a_waiter_that_died_too_is_gone_not_stuck(killed_holder: RoundResult) -> None:
    import attrs
    import numpy as np

    from sims.telemetry import ENGINE_AGENT, EVENT_DTYPE, Op
    from sims.telemetry.spill import MemoryRecords

    (waits,) = stuck_behind_the_dead(killed_holder)
    exit_record = np.zeros(1, dtype=EVENT_DTYPE)
    for field, value in (("t_ns", killed_holder.ended_ns - 1), ("agent", ENGINE_AGENT), ("op", Op.AGENT_EXIT)):
        exit_record[field] = value
    exit_record["resource"], exit_record["value"] = waits.agent, -9  # killed while it waited
    events = np.sort(np.concatenate((killed_holder.events, exit_record)), order="t_ns", kind="stable")
    assert stuck_behind_the_dead(attrs.evolve(killed_holder, records=MemoryRecords(events))) == ()
