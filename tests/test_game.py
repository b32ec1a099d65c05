"""A whole session driven by synthetic input: title → sandbox → a waiter round → results → export.

The window runs headless (``SDL_VIDEODRIVER=dummy``); input is posted to pygame's event
queue (mouse moved with ``set_pos``) and the real loop runs at its real frame rate.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    monkeypatch.setenv("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    from game.app import App

    window = App((1280, 720), exports=tmp_path / "exports")
    try:
        yield window
    finally:
        window.close()


def frames(app: Any, until: Callable[[], bool] | None = None, count: int = 1, timeout: float = 60.0) -> None:
    """Run real frames until ``until()`` holds (or ``count`` frames when no condition)."""
    end = time.monotonic() + timeout
    done = 0
    while (until is None and done < count) or (until is not None and not until()):
        assert time.monotonic() < end, "the window did not get there in time"
        app.step(app.clock.tick(app.fps) / 1000.0, app.pygame.event.get())
        done += 1


def key(app: Any, name: int) -> None:
    pg = app.pygame
    pg.event.post(pg.event.Event(pg.KEYDOWN, key=name, mod=0, unicode="", scancode=0))
    pg.event.post(pg.event.Event(pg.KEYUP, key=name, mod=0, unicode="", scancode=0))
    frames(app, count=2)


def mouse(app: Any, kind: int, pos: tuple[int, int]) -> None:
    pg = app.pygame
    pg.mouse.set_pos(pos)
    fields: dict[str, Any] = {"pos": pos}
    if kind == pg.MOUSEMOTION:
        fields |= {"rel": (0, 0), "buttons": (1, 0, 0)}
    else:
        fields |= {"button": 1}
    pg.event.post(pg.event.Event(kind, **fields))
    frames(app, count=2)


def click(app: Any, rect: Any) -> None:
    pg = app.pygame
    mouse(app, pg.MOUSEMOTION, rect.center)
    mouse(app, pg.MOUSEBUTTONDOWN, rect.center)
    mouse(app, pg.MOUSEBUTTONUP, rect.center)


def pick(app: Any, dropdown: Any, option: str) -> None:
    """Open a drop-down with the mouse and click one of its options."""
    click(app, dropdown.rect)
    listing = dropdown.current_state.options_selection_list
    button = next(item["button_element"] for item in listing.item_list if item["text"] == option)
    click(app, button.rect)
    frames(app, lambda: dropdown.selected_option[0] == option, timeout=5)
    frames(app, count=2)  # the change event reaches the scene on the next frame


def open_waiter_round(app: Any) -> Any:
    """Title → (Enter) sandbox → pick the waiter strategy with the mouse → (Enter) arena."""
    from game.scenes.title import TitleScene

    pg = app.pygame
    app.scenes.push(TitleScene(app))
    frames(app, count=2)
    key(app, pg.K_RETURN)
    sandbox = app.scenes.top
    assert sandbox.name == "sandbox"
    pick(app, sandbox.fields["strategy"], "waiter")
    assert sandbox.strategy == "waiter"
    key(app, pg.K_RETURN)
    arena = app.scenes.top
    assert arena.name == "arena" and arena.config.strategy == "waiter"
    session = arena.session
    frames(app, lambda: session.snapshot() is not None and arena.capacity_slider and session.elapsed_s > 0.5)
    return arena


def drag_capacity_slider(app: Any, arena: Any) -> tuple[int, int]:
    """Drag the capacity slider's handle to a quarter of its track: (t_ns before, t_ns after)."""
    pg = app.pygame
    slider = arena.capacity_slider
    handle = slider.sliding_button.rect
    before = time.monotonic_ns()
    mouse(app, pg.MOUSEMOTION, handle.center)
    mouse(app, pg.MOUSEBUTTONDOWN, handle.center)
    target = (slider.rect.x + slider.rect.w // 4, handle.centery)
    mouse(app, pg.MOUSEMOTION, target)
    frames(app, count=3)
    mouse(app, pg.MOUSEBUTTONUP, target)
    after = time.monotonic_ns()
    return before, after


def target_capacity(session: Any, resource: int) -> int:
    """What the host's picture says the semaphore's capacity is heading for."""
    seats = session.snapshot().resources[resource]
    return int(seats.capacity - seats.pending)


def capacity_changes(events_csv: Path, resource: str, origin_ns: int) -> list[tuple[int, int]]:
    """(monotonic t_ns, capacity) of every capacity record of ``resource`` in an exported events.csv."""
    with events_csv.open(newline="") as f:
        rows = [r for r in csv.DictReader(f) if (r["op"], r["resource"]) == ("capacity", resource)]
    return [(origin_ns + int(r["t_ns"]), int(r["value"])) for r in rows]


def test_a_whole_session_from_title_to_export(app: Any) -> None:
    pg = app.pygame
    arena = open_waiter_round(app)
    session = arena.session
    seats = session.layout.resource_named("seats").index
    assert session.snapshot().resources[seats].capacity == 4

    before, _ = drag_capacity_slider(app, arena)
    frames(app, lambda: target_capacity(session, seats) < 4)  # dragging to the left shrinks the semaphore
    seen = time.monotonic_ns()  # the host applies the command at its next tick: by now it has
    frames(app, count=2)
    wanted = target_capacity(session, seats)
    assert arena.capacity_slider.get_current_value() == wanted, "the slider shows what the host did"

    key(app, pg.K_p)
    assert app.scenes.top.name == "pause"
    frames(app, lambda: session.snapshot().paused)
    key(app, pg.K_p)
    assert app.scenes.top.name == "arena"
    frames(app, lambda: not session.snapshot().paused)

    key(app, pg.K_e)
    frames(app, lambda: session.result is not None)
    key(app, pg.K_RETURN)
    results = app.scenes.top
    assert results.name == "results" and results.result.layout.strategy == "waiter"
    click(app, results.buttons["export"].rect)
    assert results.exported, results.export_error
    folder = results.exported[0].parent
    assert app.exports in folder.parents and {p.name for p in folder.iterdir()} >= {"events.csv", "summary.json"}

    origin = json.loads((folder / "summary.json").read_text())["time_base"]["monotonic_origin_ns"]
    changes = capacity_changes(folder / "events.csv", "seats", origin)
    assert changes[0][1] == 4
    first_shrink = next(t for t, v in changes if v < 4)
    assert before <= first_shrink <= seen, "the export shows the change between the drag and its picture"
    assert any(v == wanted for _, v in changes)


def test_a_refused_resize_leaves_the_slider_on_the_real_capacity(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The arena keeps no copy of the capacity: the host refuses a resize, the slider stays true."""
    from sims.rounds import Resize

    pg = app.pygame
    arena = open_waiter_round(app)
    session = arena.session
    seats = session.layout.resource_named("seats").index
    frames(app, lambda: arena.capacity_slider.get_current_value() == 4)
    send = session.send

    def refused(command: object) -> None:  # the host refuses a resize of a semaphore the round lacks
        send(attrs.evolve(command, resource="no such semaphore") if isinstance(command, Resize) else command)

    monkeypatch.setattr(session, "send", refused)
    key(app, pg.K_PLUS)
    frames(app, lambda: bool(session.notices))
    frames(app, count=2)
    assert target_capacity(session, seats) == 4
    assert arena.capacity_slider.get_current_value() == 4
    assert "seats capacity: 4" in arena.capacity_label.text
    monkeypatch.setattr(session, "send", send)
    key(app, pg.K_PLUS)  # granted: the slider follows the host
    frames(app, lambda: target_capacity(session, seats) == 5)
    frames(app, lambda: arena.capacity_slider.get_current_value() == 5)


def test_help_lists_every_binding_and_closes(app: Any) -> None:
    from game.controls import BINDINGS
    from game.scenes.title import TitleScene

    pg = app.pygame
    app.scenes.push(TitleScene(app))
    key(app, pg.K_F1)
    assert app.scenes.names() == ["title", "help"]
    drawn = app.text.texts()
    assert all(app.text.fit(b.keys, 15, 330) in drawn for b in BINDINGS)
    assert all(app.text.fit(b.action, 15, 1100 - 500) in drawn for b in BINDINGS)
    key(app, pg.K_ESCAPE)
    assert app.scenes.names() == ["title"]


def test_the_frozen_picture_of_a_deadlock_is_what_the_live_panel_shows(app: Any) -> None:
    """The panel caches its slow blocks; the picture a deadlock freezes is still drawn exactly,
    even when it froze moments after the round began (same cache bucket as the first frame)."""
    from game.scenes.arena import ArenaScene
    from sims.rounds.config import RoundConfig

    config = RoundConfig(
        "dining", backend="thread", strategy="naive", seconds=30, params={"agents": 5, "think_ms": 0.0, "eat_ms": 0.0}
    )
    arena = app.scenes.push(ArenaScene(app, config))
    session = arena.session
    frames(app, until=lambda: session.frozen and session.picture is not None)
    frames(app, count=3)
    picture = session.picture
    assert picture.snapshot.deadlock is not None
    total = int(picture.waits.sum()) + picture.waits_zero
    assert total > 0  # every philosopher took its left fork: acquisitions the histogram counts
    expected = f"waits to acquire, last 2 s: {picture.waits_zero:,} of {total:,} did not wait"
    assert expected in app.text.texts()


def test_a_round_that_ends_freezes_on_its_final_picture_then_gets_every_record(app: Any) -> None:
    """The host's last picture says it is final: the window stops drawing the round as live
    ("ending") and receives the remaining records faster; the result then holds all of them."""
    from game.scenes.arena import ArenaScene
    from sims.rounds.config import RoundConfig

    config = RoundConfig(
        "dining", backend="thread", strategy="ordered", seconds=1.0, params={"agents": 4, "think_ms": 0.0, "eat_ms": 0}
    )
    arena = app.scenes.push(ArenaScene(app, config))
    session = arena.session
    frames(app, until=lambda: session.picture is not None and session.picture.final)
    assert session.frozen and str(session.status) in ("ending", "ended (duration)")
    final = session.picture
    frames(app, until=lambda: session.result is not None)
    assert session.picture is final  # nothing drawn after the final picture
    assert session.records == len(session.result.events) >= final.snapshot.records


def test_the_round_clock_never_runs_backwards_when_the_round_ends(app: Any) -> None:
    from game.scenes.arena import ArenaScene
    from sims.rounds.config import RoundConfig

    arena = app.scenes.push(ArenaScene(app, RoundConfig("race", seconds=0.6, params={"agents": 2})))
    shown: list[float] = []

    def sample() -> bool:
        session = arena.session
        if session is not None and session.snapshot() is not None:
            shown.append(session.elapsed_s)
        return session is not None and session.ended

    frames(app, sample)
    frames(app, lambda: bool(shown.append(arena.session.elapsed_s)) or len(shown) > 3)  # after the end too
    assert len(shown) > 3 and shown == sorted(shown)


def test_the_counters_drawn_at_the_end_are_the_summary_numbers(app: Any) -> None:
    """Once the result is in, each agent's count, the panel's statistics and the clock are the
    result's: the same definition and cut-off as the summary (the last live picture is taken
    before the agents stop, so a busy round's final picture counted less than its summary)."""
    from game.i18n import count
    from game.scenes.arena import ArenaScene
    from sims.rounds.config import RoundConfig

    config = RoundConfig("dining", backend="thread", strategy="ordered", seconds=0.5, params={"think_ms": 0.0})
    arena = app.scenes.push(ArenaScene(app, config))
    frames(app, lambda: arena.session is not None and arena.session.ended)
    frames(app, count=2)
    session = arena.session
    result = session.result
    assert result is not None and session.live_stats is not None
    drawn = [a.operations for a in session.snapshot().agents]
    assert drawn == [a.operations for a in result.stats.agents] and sum(drawn) == result.stats.operations_total
    assert session.live_stats.stats == result.stats
    assert session.elapsed_s == pytest.approx(result.duration_s)
    shown = app.text.texts()
    assert all(count(arena.tr, n, "meals") in shown for n in drawn)
