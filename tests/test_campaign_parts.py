"""The campaign's window parts without a window: rounds from picks, the agents' source, wrapping."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.campaign import Campaign, Picks
from game.i18n import WINDOW, tr
from game.views.source import agent_sources
from sims.levels import load_levels
from sims.levels.texts import placeholders

pytestmark = pytest.mark.timeout(60)

LEVELS = load_levels()


def test_window_strings_exist_in_both_languages_with_the_same_placeholders() -> None:
    assert WINDOW["en"].keys() == WINDOW["zh"].keys()
    for key, text in WINDOW["en"].items():
        assert placeholders(text) == placeholders(WINDOW["zh"][key]), key
    assert tr("briefing.start", "zh") == "餐馆开张"  # campaign texts are found through the same call


@pytest.mark.parametrize("level", LEVELS, ids=lambda level: level.id)
def test_every_level_shows_the_code_its_agents_run(level: object) -> None:
    picks = Picks.defaults(level)
    settings = level.settings(picks.choice())
    blocks = agent_sources(settings.scenario, settings.strategy, settings.params)
    assert blocks, "no agent code found"
    assert all(block.lines[0].startswith("def run(self") for block in blocks)
    if level.scheduler:  # every gate the player stops at is a line of the code shown
        steps = [i for block in blocks for i, line in enumerate(block.lines) if "me.step(" in line]
        assert steps, f"{level.id}: a scheduler level whose code has no me.step(...)"


def test_a_round_of_a_level_uses_its_fixed_params_the_picks_and_gating(tmp_path: Path) -> None:
    campaign = Campaign.load(tmp_path / "progress.json")
    schedule = campaign.level("dining-schedule")
    config = campaign.config(schedule, Picks.defaults(schedule))
    assert config.gated and config.backend == "thread" and config.params["agents"] == 2
    deadlock = campaign.level("dining-deadlock")
    picks = Picks("ordered", {"think_ms": 30}, "process")
    config = campaign.config(deadlock, picks)
    assert (config.strategy, config.backend, config.params["think_ms"], config.params["agents"]) == (
        "ordered",
        "process",
        30,
        5,
    )
    assert not config.gated and config.seconds == deadlock.seconds


def test_unlocking_follows_the_stars_and_a_worse_round_keeps_the_best(tmp_path: Path) -> None:
    campaign = Campaign.load(tmp_path / "progress.json")
    first, second = campaign.levels[:2]
    assert campaign.unlocked(first) and not campaign.unlocked(second)
    campaign._save(campaign.progress.record(first.id, 2))
    assert campaign.unlocked(second)
    campaign._save(campaign.progress.record(first.id, 1))
    assert Campaign.load(tmp_path / "progress.json").stars(first) == 2


def test_chinese_wraps_between_characters_and_english_at_spaces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    import pygame

    from game.text import TextCache
    from game.wrap import wrap

    pygame.font.init()
    text = TextCache()
    zh = wrap(text, "两个厨师往同一块记账板上记菜数：先读出数字，加一，再写回去。", 16, 200)
    assert len(zh) > 1 and all(text.font(16).size(line.rstrip("，。："))[0] <= 200 for line in zh)  # hanging marks
    assert not any(line.startswith(("，", "。", "：")) for line in zh)
    en = wrap(text, "Two cooks add their dishes to the same tally: read, add one, write back.", 16, 200)
    assert len(en) > 1 and "".join(en).replace(" ", "") == "Twocooksaddtheirdishestothesametally:read,addone,writeback."


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="abcXYZ 0123456789·.,:死锁哲学家叉子等待", max_size=60), st.integers(0, 320))
def test_fitted_text_is_the_longest_prefix_that_fits_with_its_ellipsis(words: str, width: int) -> None:
    import os

    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    import pygame

    from game.text import TextCache

    pygame.font.init()
    text = TextCache()
    font = text.font(13)
    fitted = text.fit(words, 13, width)
    if font.size(words)[0] <= width:
        assert fitted == words
        return
    kept = fitted.removesuffix("…")
    assert fitted.endswith("…") and words.startswith(kept)
    assert not kept or font.size(fitted)[0] <= width
    assert font.size(words[: len(kept) + 1] + "…")[0] > width  # one more character would not fit
