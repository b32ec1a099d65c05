"""Scrubbing through a finished round in the window: keys, the timeline, words, both languages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sims.rounds.result import RoundResult
from tests.helpers import run_round
from tests.test_game import frames
from tests.test_parsons_scene import drag, press

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def deadlocked() -> RoundResult:
    return run_round("dining", strategy="naive", params={"think_ms": 0, "eat_ms": 0, "agents": 3}, seconds=3.0)


@pytest.fixture
def results(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, deadlocked: RoundResult) -> Iterator[Any]:
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    monkeypatch.setenv("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    monkeypatch.setenv("DINER_SAVE_FILE", str(tmp_path / "save.json"))
    from game.app import App
    from game.scenes.results import ResultsScene

    app = App((1280, 720), exports=tmp_path / "exports")
    app.scenes.push(ResultsScene(app, deadlocked))
    frames(app, count=2)
    try:
        yield app
    finally:
        app.close()


def test_the_results_open_a_replay_that_steps_both_ways_and_comes_back(results: Any) -> None:
    app, pg = results, results.pygame
    press(app, pg.K_t)
    replay = app.scenes.top
    assert replay.name == "replay"
    assert replay.position == replay.replay.played  # it opens where the round ended
    press(app, pg.K_HOME)
    assert replay.position == 0 and replay.caption() == app.campaign.tr("replay.start")
    for _ in range(3):
        press(app, pg.K_RIGHT)
    press(app, pg.K_RIGHT, pg.KMOD_SHIFT)
    assert replay.position == 13
    press(app, pg.K_LEFT)
    assert replay.position == 12
    assert replay.snapshot() == replay.replay.snapshot_after(12)
    press(app, pg.K_END)
    waiting = {a.index for a in replay.snapshot().agents if a.waiting_on >= 0}
    assert waiting == set(replay.result.deadlock.agents)
    press(app, pg.K_ESCAPE)
    assert app.scenes.top.name == "results"


def test_dragging_along_the_timeline_moves_through_the_round(results: Any) -> None:
    app = results
    press(app, app.pygame.K_t)
    replay = app.scenes.top
    bar = replay._areas()[2]
    drag(app, (bar.x + 2, bar.centery), (bar.centerx, bar.centery))
    assert abs(replay.position - len(replay.replay) // 2) <= len(replay.replay) // 100 + 1


def test_each_record_is_told_in_the_players_language(results: Any, tmp_path: Path) -> None:
    app = results
    press(app, app.pygame.K_t)
    replay = app.scenes.top
    acquired = next(i for i, op in enumerate(replay.replay.events["op"]) if op == 2)  # Op.ACQUIRED
    replay.go(acquired + 1)
    for language, word in (("en", "takes"), ("zh", "拿到")):
        if app.campaign.language != language:
            press(app, app.pygame.K_l)
        frames(app, count=2)
        app.pygame.image.save(app.screen, str(tmp_path / f"replay_{language}.png"))
        assert word in replay.caption()
        assert replay.caption() in app.text.texts() or any(word in t for t in app.text.texts())
