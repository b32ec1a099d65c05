"""The Parsons board played with the keyboard and the mouse, headless, through the real loop."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sims.levels.parsons import Arrangement
from tests.test_game import frames
from tests.test_parsons import PRODUCER

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def board(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[tuple[Any, Any, list[str]]]:
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    monkeypatch.setenv("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    monkeypatch.setenv("DINER_SAVE_FILE", str(tmp_path / "save.json"))
    from game.app import App
    from game.scenes.parsons import ParsonsScene

    app = App((1280, 720), exports=tmp_path / "exports")
    checked: list[str] = []

    def check(source: str) -> str:
        checked.append(source)
        return "checked"

    scene = ParsonsScene(app, Arrangement.empty(PRODUCER, seed=5), "Producer", check, lambda answer: None)
    app.scenes.push(scene)
    try:
        yield app, scene, checked
    finally:
        app.close()


def press(app: Any, name: int, mod: int = 0) -> None:
    pg = app.pygame
    pg.event.post(pg.event.Event(pg.KEYDOWN, key=name, mod=mod, unicode="", scancode=0))
    frames(app, count=2)


def test_the_keyboard_alone_builds_the_reference(board: tuple[Any, Any, list[str]]) -> None:
    app, scene, checked = board
    pg = app.pygame
    solved = PRODUCER.solved(seed=5)
    for wanted in solved.placed:  # find each reference piece in the pool, move it across, indent it
        while scene.answer.unused()[scene.focus.row] != wanted.piece:
            press(app, pg.K_DOWN)
        press(app, pg.K_RETURN)
        press(app, pg.K_TAB)
        row = len(scene.answer.placed) - 1
        while scene.focus.row < row:
            press(app, pg.K_DOWN)
        while scene.answer.placed[row].indent > wanted.indent:
            press(app, pg.K_LEFT)
        while scene.answer.placed[row].indent < wanted.indent:
            press(app, pg.K_RIGHT)
        press(app, pg.K_TAB)
        while scene.focus.row > 0:
            press(app, pg.K_UP)
    assert scene.answer.source() == solved.source()
    press(app, pg.K_RETURN, pg.KMOD_CTRL)
    assert checked == [solved.source()]
    assert scene.message == "checked"


def test_undo_takes_back_each_edit(board: tuple[Any, Any, list[str]]) -> None:
    app, scene, _ = board
    pg = app.pygame
    press(app, pg.K_RETURN)
    press(app, pg.K_RETURN)
    assert len(scene.answer.placed) == 2
    press(app, pg.K_z, pg.KMOD_CTRL)
    press(app, pg.K_z, pg.KMOD_CTRL)
    assert scene.answer.placed == ()


def drag(app: Any, start: tuple[int, int], end: tuple[int, int]) -> None:
    pg = app.pygame
    pg.event.post(pg.event.Event(pg.MOUSEBUTTONDOWN, pos=start, button=1))
    pg.event.post(pg.event.Event(pg.MOUSEMOTION, pos=end, rel=(0, 0), buttons=(1, 0, 0)))
    pg.event.post(pg.event.Event(pg.MOUSEBUTTONUP, pos=end, button=1))
    frames(app, count=2)


def test_the_mouse_drags_lines_in_indented_and_out(board: tuple[Any, Any, list[str]], tmp_path: Path) -> None:
    from game.views.parsons import Column

    app, scene, _ = board
    board_view = scene.board()
    first = scene.answer.unused()[0]
    drag(app, board_view.row_rect(Column.POOL, 0).center, board_view.row_rect(Column.ANSWER, 0).midleft)
    assert [p.piece for p in scene.answer.placed] == [first]
    second = scene.answer.unused()[0]
    target = board_view.row_rect(Column.ANSWER, 1, indent=1)
    drag(app, board_view.row_rect(Column.POOL, 0).center, (target.x + 4, target.centery))
    assert [(p.piece, p.indent) for p in scene.answer.placed] == [(first, 0), (second, 1)]
    drag(app, board_view.row_rect(Column.ANSWER, 1, 1).center, board_view.row_rect(Column.ANSWER, 0).midleft)
    assert [(p.piece, p.indent) for p in scene.answer.placed] == [(second, 0), (first, 0)]
    drag(app, board_view.row_rect(Column.ANSWER, 0).center, board_view.row_rect(Column.POOL, 2).center)
    assert [p.piece for p in scene.answer.placed] == [first]
    assert scene.answer.source().count("\n") == 2  # the header and the one line left


def test_the_board_is_drawn_in_both_languages(board: tuple[Any, Any, list[str]], tmp_path: Path) -> None:
    app, scene, _ = board
    scene.answer = PRODUCER.solved(seed=5)
    for language in ("en", "zh"):
        if app.campaign.language != language:
            press(app, app.pygame.K_l)
        frames(app, count=2)
        app.pygame.image.save(app.screen, str(tmp_path / f"parsons_{language}.png"))
        drawn = app.text.texts()
        assert app.campaign.tr("parsons.answer") in drawn
        assert next(iter(scene.buttons)).text == app.campaign.tr("back")  # the buttons follow the language
        assert "empty.acquire()" in drawn
