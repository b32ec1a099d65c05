"""The round's words in both languages: complete tables, and Chinese on screen when chosen.

The tables are checked as data (every key in both languages with the same placeholders,
every name the engine gives has an entry, every help row a translation); the screens are
checked by running real rounds headless and reading the words the text cache drew.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from test_chinese_words import IDENTIFIERS, english_words, is_code

from game.controls import BINDINGS
from game.i18n import ROUND, WINDOW, binding_text, count, term, tr
from game.i18n_round import HELP_ZH
from sims.levels.texts import placeholders
from sims.rounds.config import RoundConfig
from sims.scenarios.registry import scenario_named

pytestmark = pytest.mark.timeout(120)

WAIT_S = 40.0
END_REASONS = ("duration", "deadlock", "requested", "interrupted", "agents finished", "disk full")
KINDS = ("lock", "semaphore", "event", "container", "counter", "phase", "child", "channel")


def zh(key: str, **fields: object) -> str:
    return tr(key, "zh", **fields)


# -- the tables -----------------------------------------------------------------------------
@pytest.mark.parametrize("tables", [WINDOW, ROUND], ids=["window", "round"])
def test_every_key_has_both_languages_with_the_same_placeholders(tables: Any) -> None:
    en, chinese = tables["en"], tables["zh"]
    assert set(en) == set(chinese)
    assert all(placeholders(en[k]) == placeholders(chinese[k]) for k in en), [
        k for k in en if placeholders(en[k]) != placeholders(chinese[k])
    ]
    assert all(chinese[k].strip() for k in chinese)


def test_round_keys_are_not_shadowed_by_other_tables() -> None:
    from sims.levels.texts import TABLES

    assert not set(ROUND["en"]) & (set(WINDOW["en"]) | set(TABLES["en"]))


def test_every_name_the_engine_gives_has_a_chinese_word() -> None:
    from game import palette
    from game.i18n import scenario_word
    from sims.agents.body import AgentBody
    from sims.scenarios.registry import scenarios

    made = scenarios()  # imports every scenario module, so every agent class is defined
    # The engine's own agents (tests define bodies of their own, e.g. a "crasher": not the game's).
    roles = {"agent"} | {cls.role for cls in _subclasses(AgentBody) if cls.__module__.startswith("sims.")}
    names = [("state", w) for w in palette.STATE_WORDS.values()]
    names += [("role", r) for r in roles] + [("roles", r) for r in roles]
    names += [("op", s.operation) for s in made.values()] + [("op", s.operation + ".one") for s in made.values()]
    names += [("reason", r) for r in END_REASONS] + [("backend", b) for b in ("thread", "process")]
    names += [("kind", k) for k in KINDS] + [("kind_short", k) for k in KINDS]
    keys = [f"{group}.{name}" for group, name in names]
    missing = [key for key in keys if key not in ROUND["en"] and scenario_word(key, "zh") is None]
    assert not missing


def _subclasses(cls: type) -> set[type]:
    direct = set(cls.__subclasses__())
    return direct.union(*(_subclasses(c) for c in direct)) if direct else set()


def test_every_help_row_has_a_chinese_translation() -> None:
    keys = [b.keys for b in BINDINGS]
    assert len(set(keys)) == len(keys) and set(HELP_ZH) == set(keys)
    for b in BINDINGS:
        row = binding_text(b, "zh")
        assert row != (b.keys, b.action, b.where) and all(row)
        assert binding_text(b, "en") == (b.keys, b.action, b.where)


def test_names_and_counts_in_both_languages() -> None:
    from game.scenes.arena import status_text
    from game.session import Phase, RoundStatus
    from sims import EndReason

    def english(key: str, **fields: object) -> str:
        return tr(key, "en", **fields)

    assert (count(english, 1, "meals"), count(english, 3, "meals"), count(zh, 3, "meals")) == (
        "1 meal",
        "3 meals",
        "3 顿饭",
    )
    deadlocked = RoundStatus(Phase.ENDED, EndReason.DEADLOCK)
    assert status_text(deadlocked, zh) == "已结束（死锁）"
    assert status_text(deadlocked, english) == "ended (deadlock)"
    assert status_text(RoundStatus(Phase.RUNNING), zh) == "运行中"
    assert status_text(RoundStatus(Phase.ENDING), zh) == "收尾中：正在停止角色并统计本轮结果"
    assert term(zh, "state", "a state nobody named yet") == "a state nobody named yet"


# -- the screens ----------------------------------------------------------------------------
@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    monkeypatch.setenv("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    from game.app import App

    window = App((1280, 720), exports=tmp_path / "exports", save_path=tmp_path / "progress.json")
    window.campaign.switch_language()
    assert window.language == "zh"
    try:
        yield window
    finally:
        window.close()


def frames(app: Any, until: Callable[[], bool] | None = None, count: int = 2) -> None:
    """Real frames of the loop until ``until()`` holds (or ``count`` frames)."""
    deadline = time.monotonic() + WAIT_S
    done = 0
    while (until is None and done < count) or (until is not None and not until()):
        assert time.monotonic() < deadline, f"waited {WAIT_S:g} s on {app.scenes.names()}"
        app.step(app.clock.tick(app.fps) / 1000.0, app.pygame.event.get())
        done += 1


def arena(app: Any, config: RoundConfig) -> Any:
    from game.scenes.arena import ArenaScene

    scene = app.scenes.push(ArenaScene(app, config))
    frames(app, lambda: scene.view is not None and scene.session.snapshot() is not None)
    frames(app)
    return scene


def test_a_round_its_pause_and_its_results_are_drawn_in_chinese(app: Any) -> None:
    from game.scenes.pause import PauseScene

    config = RoundConfig(
        "dining", backend="thread", strategy="waiter", seconds=30, seed=4, params={"agents": 5, "think_ms": 20.0}
    )
    scene = arena(app, config)
    session = scene.session
    frames(app, lambda: session.live_stats is not None)
    frames(app)
    drawn = app.text.texts()
    assert "dining · waiter · 线程 · 5 个角色" in drawn
    assert "信号量 Semaphore " in drawn  # the seats, up close in the side panel
    assert any(t.startswith("遥测：") for t in drawn) and any(t.startswith("公平性（Jain 指数）") for t in drawn)
    assert "dining · waiter · thread · 5 agents" not in drawn
    assert scene.button(scene.pause).text == "暂停（P）" and scene.button(scene._switch_backend).text == "改用进程（B）"
    assert scene.speed_label.text == zh("arena.speed", factor=1.0, pace=zh("arena.as_set"))

    session.send("resize nothing 2")  # a command the round refuses: the notice says so in Chinese
    frames(app, lambda: bool(session.notices))
    frames(app)
    assert any(t.startswith("未执行“resize nothing 2”：") for t in app.text.texts())

    app.scenes.push(PauseScene(app, session))
    frames(app, lambda: session.snapshot().paused)
    frames(app)
    assert {zh("pause.title"), zh("pause.confirmed"), zh("pause.resume")} <= app.text.texts()
    app.scenes.pop()

    scene._end()
    frames(app, lambda: session.result is not None)
    scene.results()
    results = app.scenes.top
    assert results.name == "results"
    frames(app)
    drawn = app.text.texts()
    assert {zh("results.gantt"), zh("results.waits"), zh("results.per_agent", op="顿饭")} <= drawn
    assert any("结束原因：手动结束" in t for t in drawn)
    assert "who held what, over the round" not in drawn
    assert results.buttons["export"].text == "导出文件（X）"


def test_the_deadlock_banner_is_chinese_and_the_switch_shows_on_the_next_frame(app: Any) -> None:
    from game.capture import DEADLOCK  # the round the capture shows deadlocking

    scene = arena(app, DEADLOCK)
    frames(app, lambda: scene.session.ended)
    assert scene.session.deadlock is not None, scene.session.status
    frames(app)
    drawn = app.text.texts()
    assert any(t.startswith("死锁！形成于 t = ") for t in drawn)
    assert any(t.startswith("P") and "在等叉子" in t and "手里" in t for t in drawn)  # the cycle, hop by hop
    assert any(t.endswith("已结束（死锁）") for t in drawn)
    assert not any(t.startswith("DEADLOCK formed") for t in drawn)

    app.campaign.switch_language()
    frames(app)
    drawn = app.text.texts()
    assert any(t.startswith("DEADLOCK formed at t = ") for t in drawn)
    assert any(t.endswith("ended (deadlock)") for t in drawn)


def test_the_help_overlay_lists_every_binding_in_chinese(app: Any) -> None:
    from game.scenes.help import HelpScene
    from game.scenes.title import TitleScene

    app.scenes.push(TitleScene(app))
    app.scenes.push(HelpScene(app))
    frames(app)
    drawn = app.text.texts()
    assert zh("help.title") in drawn
    assert all(app.text.fit(HELP_ZH[b.keys][1], 15, 1100 - 500) in drawn for b in BINDINGS)
    assert not any(b.action in drawn for b in BINDINGS)


def test_every_briefing_draws_only_chinese_words_code_and_identifiers(app: Any) -> None:
    """What the screen really drew (the text cache), not what the tables hold."""
    from game.scenes.briefing import BriefingScene
    from game.views.source import agent_sources

    allowed, code = set(IDENTIFIERS), set()
    for level in app.campaign.levels:
        scenario = scenario_named(level.scenario)
        allowed |= {level.scenario, *scenario.strategies}
        scene = BriefingScene(app, level, hints=len(level.hints))
        app.scenes.replace(scene)
        for _ in range(2):
            app.step(0.0, app.pygame.event.get())
        settings = level.settings(scene.picks.choice())
        blocks = agent_sources(settings.scenario, settings.strategy, settings.params)
        code |= {line.strip() for block in blocks for line in block.lines}
        english = {text: sorted(english_words(text) - allowed) for text in app.text.texts() if not is_code(text, code)}
        assert {t: w for t, w in english.items() if w} == {}, level.id


def test_a_scene_uncovered_after_the_language_changed_above_it_speaks_the_new_one(app: Any) -> None:
    """Seen under Xvfb: L pressed in the stepper left the code level's buttons in the old language."""
    from game.scenes.help import HelpScene
    from game.scenes.title import TitleScene

    title = app.scenes.push(TitleScene(app))
    frames(app)
    assert title.campaign.text == tr("title.campaign", "zh")
    app.scenes.push(HelpScene(app))
    frames(app)
    app.campaign.switch_language()
    app.scenes.pop()
    frames(app)
    assert app.scenes.top is title and title.campaign.visible
    assert title.campaign.text == tr("title.campaign", "en") != tr("title.campaign", "zh")
