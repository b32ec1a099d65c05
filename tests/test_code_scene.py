"""A code level in the window, headless: briefing -> Check (in the background) -> verdict -> stepping."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sims.explore.table import AgentState
from sims.levels.code import load_code_levels
from tests.test_game import frames
from tests.test_parsons_scene import press

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def window(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    monkeypatch.setenv("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    monkeypatch.setenv("DINER_SAVE_FILE", str(tmp_path / "save.json"))
    from game.app import App

    app = App((1280, 720), exports=tmp_path / "exports")
    try:
        yield app
    finally:
        app.close()


def test_check_a_wrong_answer_then_step_its_schedule_both_ways(window: Any, tmp_path: Path) -> None:
    from game.scenes.codelevel import CodeLevelScene

    app, pg = window, window.pygame
    level = next(lv for lv in load_code_levels() if lv.id == "c01_rendezvous")
    mine = tmp_path / "mine.py"
    app.scenes.push(CodeLevelScene(app, level, mine))
    frames(app, count=2)
    scene = app.scenes.top
    assert mine.read_text(encoding="utf-8") == scene.source  # made from the template
    shutil.copy(level.file("wait_first.py"), mine)
    press(app, pg.K_r)
    assert "self.other.acquire()" in scene.source
    press(app, pg.K_RETURN)
    assert scene.job is not None
    polled = []
    frames(app, until=lambda: polled.append(1) or scene.job is None)
    assert len(polled) > 1  # the window kept running frames while the grader worked
    assert scene.answer["verdict"] == "stall" and scene.answer["stars"] == 0
    press(app, pg.K_SPACE)
    steps = app.scenes.top
    assert steps.name == "codesteps"
    frames(app, until=lambda: steps.steps is not None or bool(steps.error))
    total = len(steps.steps["moves"])
    assert total > 0 and steps.at == total
    assert len(steps.tables) == total + 1  # the table before the first move, then after each
    press(app, pg.K_HOME)
    assert steps.at == 0 and all(line > 0 for line in steps.lines_at(0))  # each at its first operation
    seen = []
    for _ in range(3):
        press(app, pg.K_RIGHT)
        seen.append(steps.table_at(steps.at))
    first, second = steps.steps["moves"][:2]
    assert steps.at == 3 and steps.lines_at(1)[second["agent"]] == second["line"]  # stood where it then ran
    assert steps.table_at(2).agents[second["agent"]].state is AgentState.RUNNING
    for back in (2, 1):
        press(app, pg.K_LEFT)
        assert steps.at == back and steps.table_at(back) is seen[back - 1]  # the same picture, looked up
    assert steps.lines_at(0)[first["agent"]] == first["line"]
    press(app, pg.K_END)
    assert any(t.startswith("· cook A waits on '") for t in app.text.texts())  # the verdict's evidence
    press(app, pg.K_l)  # Chinese: the verdict, its evidence, the agents and their states in the player's language
    drawn = app.text.texts()
    assert any(t.startswith("停滞：") for t in drawn) and any(t.startswith("厨师 A") for t in drawn)
    assert any(t.startswith("· 厨师 A 在等 '") for t in drawn)
    assert any("阻塞" in t for t in drawn) and not any("智能体" in t for t in drawn)
    press(app, pg.K_l)
    press(app, pg.K_ESCAPE)
    assert app.scenes.top is scene
    press(app, pg.K_ESCAPE)


def test_the_reference_earns_three_stars_and_they_are_kept(window: Any) -> None:
    from game.scenes.codelevel import CodeLevelScene

    app, pg = window, window.pygame
    level = next(lv for lv in load_code_levels() if lv.id == "c02_mutex")
    app.scenes.push(CodeLevelScene(app, level, level.file(level.reference)))
    frames(app, count=2)
    scene = app.scenes.top
    press(app, pg.K_RETURN)
    frames(app, until=lambda: scene.job is None)
    assert scene.answer["passed"] and scene.answer["stars"] == 3
    assert app.campaign.stars_for_id(level.id) == 3
    assert scene.counterexample() is None


def test_a_parsons_level_grades_the_arrangement(window: Any) -> None:
    from game.scenes.codelevel import CodeLevelScene

    app, pg = window, window.pygame
    level = next(lv for lv in load_code_levels() if lv.id == "c05_buffer")
    app.scenes.push(CodeLevelScene(app, level))
    frames(app, count=2)
    scene = app.scenes.top
    press(app, pg.K_a)
    board = app.scenes.top
    assert board.name == "parsons"
    board.answer = level.puzzle().solved(level.parsons.seed)  # the board's own editing is tested elsewhere
    press(app, pg.K_RETURN, pg.KMOD_CTRL)
    assert app.scenes.top is scene and scene.job is not None
    frames(app, until=lambda: scene.job is None)
    assert scene.answer["passed"] and scene.answer["stars"] == 3
    assert "class Producer:" in scene.source and "class Consumer:" in scene.source


def test_a_syntax_error_is_a_verdict_with_its_line(window: Any, tmp_path: Path) -> None:
    from game.scenes.codelevel import CodeLevelScene

    app, pg = window, window.pygame
    level = next(lv for lv in load_code_levels() if lv.id == "c02_mutex")
    mine = tmp_path / "broken.py"
    mine.write_text("class Waiter:\n    def run(self, me)\n        pass\n", encoding="utf-8")
    app.scenes.push(CodeLevelScene(app, level, mine))
    frames(app, count=2)
    scene = app.scenes.top
    assert scene.problem.startswith(f"{mine}:2: not valid Python")  # shown as soon as the file is read
    press(app, pg.K_RETURN)
    frames(app, until=lambda: scene.job is None)
    assert scene.answer["verdict"] == "exception" and scene.answer["stars"] == 0
    assert ":2:" in scene.answer["message"]  # the line of the error, in the message
    assert scene.answer["why"] == "load raised"
    assert scene.counterexample() is None


def test_a_code_level_opens_once_the_level_it_follows_has_a_star(window: Any) -> None:
    from game.scenes.codelevel import CodeLevelScene
    from game.scenes.codelist import CodeListScene

    app = window
    campaign = app.campaign
    assert campaign.max_stars() == 3 * (len(campaign.levels) + len(campaign.code_levels))
    app.scenes.push(CodeListScene(app))
    frames(app, count=1)
    listing = app.scenes.top
    first = listing.levels[0]
    listing.open()
    assert app.scenes.top is listing
    assert campaign.text(campaign.level(first.after).title) in listing.message
    campaign.record_stars(first.after, 1)
    listing.open()
    assert isinstance(app.scenes.top, CodeLevelScene)
    assert campaign.total_stars() == 1


def test_a_code_level_after_no_campaign_level_stops_the_campaign_with_its_file(tmp_path: Path) -> None:
    from game.campaign import Campaign
    from sims.levels import LevelLoadError, Progress
    from sims.levels.code import shipped_code_dir

    shutil.copytree(shipped_code_dir() / "c02_mutex", tmp_path / "c02_mutex")
    text = (shipped_code_dir() / "c02_mutex.toml").read_text(encoding="utf-8")
    (tmp_path / "c02_mutex.toml").write_text(text.replace('after = "race-lock"', 'after = "nowhere"'), encoding="utf-8")
    campaign = Campaign(Progress(), tmp_path / "save.json", code_dir=tmp_path)
    with pytest.raises(LevelLoadError, match=r"c02_mutex.toml: after: must be a campaign level .*got 'nowhere'"):
        _ = campaign.code_levels
