"""Campaign screen strings in English and Simplified Chinese, as data.

Level stories live in the level files; these are the words around them (level select,
stars, hints, debrief, locked levels, language switch). Both tables must have the same keys
and the same ``{placeholders}``; a test checks it, so a missing translation fails CI rather
than showing a raw key to a player.
"""

from __future__ import annotations

import string
import types
from collections.abc import Mapping

from sims.levels.schema import LANGUAGES

LANGUAGE_NAMES: Mapping[str, str] = types.MappingProxyType({"en": "English", "zh": "简体中文"})
"""Each language named in itself, for the switch."""

EN: Mapping[str, str] = types.MappingProxyType(
    {
        "campaign.title": "Deadlock Diner",
        "level_select.title": "Choose a level",
        "level_select.level": "Level {number}: {title}",
        "level_select.total_stars": "{stars} of {max_stars} stars",
        "level_select.scheduler_badge": "You are the scheduler",
        "level_select.backends": "Runs on: {backends}",
        "stars.count": "{stars}/3 stars",
        "stars.none": "No stars yet",
        "stars.one": "1 star: the level's goals are met",
        "stars.two": "2 stars: also {goals}",
        "stars.three": "3 stars: also {goals}",
        "locked.title": "Locked",
        "locked.reason": "Earn at least one star in “{previous}” to open this level.",
        "briefing.title": "Briefing",
        "briefing.goals": "Goals",
        "briefing.choose": "Your choices",
        "briefing.strategy": "Strategy",
        "briefing.start": "Open the diner",
        "hints.title": "Hints",
        "hints.show_next": "Show hint {number} of {total}",
        "hints.none_left": "No more hints. You can do this.",
        "scheduler.title": "You are the scheduler",
        "scheduler.waiting": "{agent} is waiting at “{step}”",
        "scheduler.release": "Release {agent}",
        "scheduler.blocked": "{agent} is blocked: someone else holds {resource}",
        "round.running": "Round running: {seconds} s left",
        "round.stop": "Stop the round",
        "debrief.title": "Debrief",
        "debrief.passed": "Level passed!",
        "debrief.failed": "Not yet. Look at the goals that failed and try another choice.",
        "debrief.earned": "You earned {stars}/3 stars",
        "debrief.new_best": "New best!",
        "debrief.forfeit_os": "No stars: you pressed A, so the operating system scheduled this round. "
        "Schedule it yourself.",
        "debrief.pace": "Goals measured in the round's own time (it ran at {factor}× speed).",
        "debrief.goal_passed": "✓ {goal} (got {actual})",
        "debrief.goal_failed": "✗ {goal} (got {actual})",
        "debrief.goal_missing": "✗ {goal} (this round did not report it)",
        "debrief.retry": "Try again",
        "debrief.next": "Next level",
        "debrief.back": "Back to levels",
        "language.switch": "Language",
        "language.current": "Language: {name}",
        "progress.corrupt": "Your saved progress could not be read. It was kept as {backup}, and you start fresh.",
        "progress.saved": "Progress saved",
    }
)

ZH: Mapping[str, str] = types.MappingProxyType(
    {
        "campaign.title": "死锁餐馆",
        "level_select.title": "选择关卡",
        "level_select.level": "第 {number} 关：{title}",
        "level_select.total_stars": "已获得 {stars} / {max_stars} 颗星",
        "level_select.scheduler_badge": "由你来调度",
        "level_select.backends": "运行方式：{backends}",
        "stars.count": "{stars}/3 颗星",
        "stars.none": "还没有星",
        "stars.one": "1 颗星：达成本关目标",
        "stars.two": "2 颗星：还要做到 {goals}",
        "stars.three": "3 颗星：还要做到 {goals}",
        "locked.title": "未解锁",
        "locked.reason": "在“{previous}”中至少拿到一颗星，才能打开本关。",
        "briefing.title": "任务简报",
        "briefing.goals": "目标",
        "briefing.choose": "你的选择",
        "briefing.strategy": "策略",
        "briefing.start": "餐馆开张",
        "hints.title": "提示",
        "hints.show_next": "查看提示（第 {number} 条，共 {total} 条）",
        "hints.none_left": "没有更多提示了，相信你自己。",
        "scheduler.title": "由你来调度",
        "scheduler.waiting": "{agent} 停在“{step}”等待放行",
        "scheduler.release": "放行 {agent}",
        "scheduler.blocked": "{agent} 被阻塞了：{resource} 在别人手里",
        "round.running": "本轮进行中：还剩 {seconds} 秒",
        "round.stop": "结束本轮",
        "debrief.title": "复盘",
        "debrief.passed": "过关！",
        "debrief.failed": "还没过关。看看哪些目标没达成，换个选择再试。",
        "debrief.earned": "你获得了 {stars}/3 颗星",
        "debrief.new_best": "新纪录！",
        "debrief.forfeit_os": "本轮不计星：你按了 A，由操作系统来调度。请亲手调度。",
        "debrief.pace": "目标按本轮自身的时钟计量（本轮以 {factor} 倍速运行）。",
        "debrief.goal_passed": "✓ {goal}（实际 {actual}）",
        "debrief.goal_failed": "✗ {goal}（实际 {actual}）",
        "debrief.goal_missing": "✗ {goal}（本轮没有这项统计）",
        "debrief.retry": "再试一次",
        "debrief.next": "下一关",
        "debrief.back": "返回关卡列表",
        "language.switch": "语言",
        "language.current": "当前语言：{name}",
        "progress.corrupt": "存档无法读取，已另存为 {backup}，本次从头开始。",
        "progress.saved": "进度已保存",
    }
)

TABLES: Mapping[str, Mapping[str, str]] = types.MappingProxyType({"en": EN, "zh": ZH})


def placeholders(template: str) -> frozenset[str]:
    """The ``{names}`` a template needs, so translations can be compared."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def ui(key: str, language: str = "en", **fields: object) -> str:
    """The string ``key`` in ``language`` (English if the language is unknown), filled in."""
    table = TABLES.get(language, EN)
    return table[key].format(**fields)


def next_language(language: str) -> str:
    """The language the switch moves to: the next one in ``LANGUAGES``, wrapping around."""
    index = LANGUAGES.index(language) if language in LANGUAGES else -1
    return LANGUAGES[(index + 1) % len(LANGUAGES)]
