"""The campaign in the window, driven by synthetic input: levels, locks, saves, scheduling, language."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.timeout(90)

WAIT_S = 30.0


@pytest.fixture
def save(tmp_path: Path) -> Path:
    return tmp_path / "save" / "progress.json"


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, save: Path) -> Iterator[Any]:
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    from game.app import App

    window = App(save_path=save)
    try:
        yield window
    finally:
        window.close()


def frames(app: Any, count: int = 1, until: Callable[[], bool] | None = None) -> None:
    """Real frames of the loop (events, update, draw) until ``until()`` holds or ``count`` ran."""
    deadline = time.monotonic() + WAIT_S
    done = 0
    while True:
        app.step(app.clock.tick(app.fps) / 1000.0, app.pygame.event.get())
        done += 1
        if (until is None and done >= count) or (until is not None and until()):
            return
        assert time.monotonic() < deadline, f"waited {WAIT_S:g} s on {app.scenes.names()}"


def press(app: Any, key: int) -> None:
    pg = app.pygame
    pg.event.post(pg.event.Event(pg.KEYDOWN, key=key, mod=0, unicode="", scancode=0))
    frames(app, 2)


def click(app: Any, pos: tuple[int, int]) -> None:
    pg = app.pygame
    for kind in (pg.MOUSEBUTTONDOWN, pg.MOUSEBUTTONUP):
        pg.event.post(pg.event.Event(kind, pos=pos, button=1, touch=False, window=None))
    frames(app, 2)


def open_level(app: Any, level_id: str) -> Any:
    """Title → campaign (C) → the level's card → its briefing."""
    from game.scenes.title import TitleScene

    app.scenes.push(TitleScene(app))
    frames(app, 2)
    press(app, app.pygame.K_c)
    scene = app.scenes.top
    assert scene.name == "levels"
    ids = [level.id for level in app.campaign.levels]
    click(app, scene.cards()[ids.index(level_id)].center)
    return app.scenes.top


def at_gate(scene: Any, agent: int) -> bool:
    return scene.tracker is not None and scene.tracker.at_gate(scene.session.snapshot(), agent)


def marked_lines(scene: Any) -> dict[int, int]:
    """Agent → the source line highlighted for it in the code panel."""
    marks = scene.code.source.lines_at(scene.session.snapshot())
    blocks = scene.code.source.blocks
    return {a: blocks[b].first + i for (b, i), agents in marks.items() for a in agents}


def start_scheduler_round(app: Any) -> Any:
    briefing = open_level(app, "race-schedule")
    assert briefing.name == "briefing"
    press(app, app.pygame.K_RETURN)
    scene = app.scenes.top
    assert scene.name == "level" and scene.config.gated
    frames(app, until=lambda: at_gate(scene, 0) and at_gate(scene, 1))
    return scene


def test_synthetic_input_plays_level_one_to_a_star_and_saves_it(app: Any, save: Path) -> None:
    app.exports = save.parent / "exports"
    scene = start_scheduler_round(app)
    pg = app.pygame
    for agent in (0, 1, 0, 1):  # both read the tally, then both write it back: one update lost
        press(app, pg.K_0 + agent)
        frames(app, until=lambda a=agent: at_gate(scene, a))
    press(app, pg.K_e)
    frames(app, until=lambda: scene.session.ended)
    press(app, pg.K_RETURN)
    debrief = app.scenes.top
    assert debrief.name == "debrief"
    assert debrief.outcome.stats["lost_updates"] >= 1
    assert debrief.stars >= 1
    saved = json.loads(save.read_text(encoding="utf-8"))
    assert saved["best_stars"]["race-schedule"] == debrief.stars
    frames(app, 2)
    assert any("lost_updates >= 1" in t for t in app.text.texts())  # the goal with its actual value is on screen

    press(app, pg.K_x)  # the debrief exports the round too
    written = debrief.exporter.written
    assert written and not debrief.exporter.error
    folder = written[-1].parent
    assert app.exports in folder.parents and folder.name == f"round={debrief.result.round_id}"
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["scenario"] == "race" and summary["files"] == [p.name for p in written[:-1]]
    frames(app, 2)
    assert any(t.endswith(f"seed=0/round={debrief.result.round_id}") for t in app.text.texts())  # shows where


def test_a_locked_level_cannot_be_opened(app: Any, save: Path) -> None:
    scene = open_level(app, "race-lock")
    assert scene.name == "levels"
    assert "Two cooks, one tally" in scene.message  # names the level that opens it
    press(app, app.pygame.K_RETURN)  # the keyboard cannot open it either
    assert app.scenes.top is scene
    assert not save.exists()


def test_a_corrupt_save_is_backed_up_reported_and_play_goes_on(app: Any, save: Path) -> None:
    save.parent.mkdir(parents=True)
    save.write_text("{ not json", encoding="utf-8")
    briefing = open_level(app, "race-schedule")
    assert briefing.name == "briefing"  # fresh progress: the first level is open
    backups = list(save.parent.glob("progress.json.corrupt-*"))
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8") == "{ not json"
    warning = app.campaign.warning_text()
    assert warning is not None and backups[0].name in warning
    press(app, app.pygame.K_ESCAPE)
    frames(app, 2)
    assert any(backups[0].name in t for t in app.text.texts())  # shown on the level select


def test_stepping_moves_the_highlighted_line_and_auto_lets_the_round_run(app: Any) -> None:
    scene = start_scheduler_round(app)
    frames(app, until=lambda: len(marked_lines(scene)) == 2)
    before = marked_lines(scene)
    assert before[0] == before[1]  # both wait at me.step("read")
    assert scene.step(0)
    assert not scene.step(0)  # not at a gate any more: a second release is refused
    frames(app, until=lambda: at_gate(scene, 0))
    after = marked_lines(scene)
    assert after[0] > before[0] and after[1] == before[1]  # only agent 0 moved, to me.step("write")
    seen = operations(scene)
    scene.schedule(auto=True)
    frames(app, until=lambda: operations(scene) > seen + 100)
    assert not scene.session.snapshot().gated
    press(app, app.pygame.K_g)  # gate again: every agent stops at its next step
    frames(app, until=lambda: at_gate(scene, 0) and at_gate(scene, 1))
    held = operations(scene), scene.tracker.gates_reached.tolist()
    frames(app, 10)
    assert (operations(scene), scene.tracker.gates_reached.tolist()) == held  # both really wait


def operations(scene: Any) -> int:
    return sum(agent.operations for agent in scene.session.snapshot().agents)


def test_the_language_switch_turns_the_title_chinese_and_is_saved(app: Any, save: Path) -> None:
    from game.scenes.title import TitleScene

    app.scenes.push(TitleScene(app))
    frames(app, 2)
    assert "Deadlock Diner" in app.text.texts()
    press(app, app.pygame.K_l)
    frames(app, 2)
    assert {"死锁餐馆", "真正的线程与进程，争夺真正的锁。看着它们，修好它们。"} <= app.text.texts()
    assert app.scenes.top.campaign.text == "闯关模式（C）"
    assert json.loads(save.read_text(encoding="utf-8"))["language"] == "zh"
