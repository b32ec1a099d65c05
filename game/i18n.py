"""The window's words in English and 简体中文.

Campaign strings live in :mod:`sims.levels.texts` (shared with the level tools); the few
that only the window needs (buttons, keys, the source panel) are here, in the same shape, and
the words of a round and its results in :mod:`game.i18n_round`. :func:`tr` looks in all three,
so a scene never cares where a string is kept. Views take a ``Tr`` (``key, **fields → str``):
the scene hands them ``app.campaign.tr``, which reads the language at every call, so a switch
shows on the next frame.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from game.i18n_round import HELP_ZH, ROUND
from game.zh import tidy
from sims.levels import TABLES, next_language
from sims.scenarios import scenarios

if TYPE_CHECKING:
    from game.controls import Binding

__all__ = ["ROUND", "WINDOW", "Tr", "binding_text", "count", "english", "next_language", "term", "thing", "tr", "who"]

Tr = Callable[..., str]

_EN: Mapping[str, str] = types.MappingProxyType(
    {
        "title.tagline": "Real threads and processes fight over real locks. Watch them. Fix them.",
        "title.line1": "Every philosopher, cook and waiter you will see is a real thread or process of your computer.",
        "title.line2": "What you see on screen is read from the telemetry they write: nothing is faked or replayed.",
        "title.campaign": "Campaign (C)",
        "title.sandbox": "Sandbox (Enter)",
        "title.help": "Help (F1)",
        "title.quit": "Quit (Q)",
        "lang.button": "中文 (L)",
        "levels.hint": "Click a level or use the arrow keys and Enter.  L: 中文",
        "levels.open": "Open (Enter)",
        "back": "Back (Esc)",
        "briefing.backend": "Backend",
        "briefing.on": "on",
        "briefing.off": "off",
        "briefing.hint": "Hint (I)",
        "briefing.source": "The agents' real code: {names}",
        "briefing.scheduler": "You schedule this round: the agents stop at every me.step(...) until you release them.",
        "briefing.stars": "★ {tier}",
        "source.none": "(no agent code to show)",
        "source.outside": "{agent}: line {line} (outside run)",
        "play.title": "Level {number}: {title}",
        "play.debrief": "Debrief (Enter)",
        "play.end": "End round (E)",
        "play.restart": "Restart (R)",
        "play.pause": "Pause (P)",
        "play.back": "Briefing (Esc)",
        "play.source": "Code / numbers (V)",
        "play.over": "Round over: press Enter for the debrief",
        "play.deadlock": "DEADLOCK at t = {t:.3f} s: nobody can ever move again",
        "play.stall": "STALLED at t = {t:.3f} s: everyone waits for a wake-up nobody can give",
        "sched.auto": "Auto: OS schedules (A)",
        "sched.gate": "Gate: you schedule (G)",
        "sched.step": "Step {short} ({number})",
        "sched.help": "Click an agent or press its number: it takes one step to its next me.step(...).",
        "sched.auto_on": "The operating system schedules now: this round earns no stars. G takes the controls back.",
        "sched.at_gate": "{agent}: waiting for you at '{step}'",
        "sched.moving": "{agent}: running to its next step",
        "sched.blocked": "{agent}: blocked on {resource} (a real wait)",
        "sched.done": "{agent}: finished",
        "debrief.measured": "What the round measured",
        "debrief.lesson": "What it means",
        "debrief.save_failed": "Could not save progress: {error}",
        "debrief.engine_failed": "The round failed: {error}",
        "parsons.pool": "Lines (not all of them belong)",
        "parsons.answer": "Your code",
        "parsons.help": "Drag lines into run (drop further right to indent), or: Tab switch column, Enter move across, "
        "Alt+↑/↓ reorder, ←/→ indent, Ctrl+Z undo, Ctrl+Enter check.",
        "parsons.undo": "Undo (Ctrl+Z)",
        "parsons.check": "Check (Ctrl+Enter)",
    }
)

_ZH: Mapping[str, str] = types.MappingProxyType(
    {
        "title.tagline": "真正的线程与进程，争夺真正的锁。看着它们，修好它们。",
        "title.line1": "你将看到的每位哲学家、厨师和服务员，都是你电脑上真实的线程或进程。",
        "title.line2": "屏幕上的一切都来自它们写下的遥测数据：没有伪造，也没有回放。",
        "title.campaign": "闯关模式（C）",
        "title.sandbox": "沙盒（Enter）",
        "title.help": "帮助（F1）",
        "title.quit": "退出（Q）",
        "lang.button": "English (L)",
        "levels.hint": "点击关卡，或用方向键和 Enter 选择。L：English",
        "levels.open": "打开（Enter）",
        "back": "返回（Esc）",
        "briefing.backend": "运行方式",
        "briefing.on": "开",
        "briefing.off": "关",
        "briefing.hint": "提示（I）",
        "briefing.source": "角色的真实代码：{names}",
        "briefing.scheduler": "本轮由你调度：角色每到一个 me.step(...) 就停下，等你放行。",
        "briefing.stars": "★ {tier}",
        "source.none": "（没有可显示的代码）",
        "source.outside": "{agent}：第 {line} 行（不在 run 里）",
        "play.title": "第 {number} 关：{title}",
        "play.debrief": "复盘（Enter）",
        "play.end": "结束本轮（E）",
        "play.restart": "重来（R）",
        "play.pause": "暂停（P）",
        "play.back": "简报（Esc）",
        "play.source": "代码 / 数据（V）",
        "play.over": "本轮结束：按 Enter 查看复盘",
        "play.deadlock": "死锁！t = {t:.3f} 秒：谁也动不了了",
        "play.stall": "停滞！t = {t:.3f} 秒：大家都在等一个没人能给的唤醒",
        "sched.auto": "自动：交给系统（A）",
        "sched.gate": "接管：由你调度（G）",
        "sched.step": "放行 {short}（{number}）",
        "sched.help": "点击角色或按它的编号：它会走到下一个 me.step(...)。",
        "sched.auto_on": "现在由操作系统调度：本轮不计星。按 G 收回控制权。",
        "sched.at_gate": "{agent}：停在“{step}”等你放行",
        "sched.moving": "{agent}：正走向下一步",
        "sched.blocked": "{agent}：阻塞在 {resource} 上（真实的等待）",
        "sched.done": "{agent}：已结束",
        "debrief.measured": "本轮测得",
        "debrief.lesson": "这说明了什么",
        "debrief.save_failed": "进度保存失败：{error}",
        "debrief.engine_failed": "本轮运行失败：{error}",
        "parsons.pool": "代码行（并非每一行都用得上）",
        "parsons.answer": "你的代码",
        "parsons.help": "把代码行拖进 run（放得越靠右，缩进越深）；或用键盘：Tab 切换列，Enter 移过去，"
        "Alt+↑/↓ 调整顺序，←/→ 调整缩进，Ctrl+Z 撤销，Ctrl+Enter 检查。",
        "parsons.undo": "撤销（Ctrl+Z）",
        "parsons.check": "检查（Ctrl+Enter）",
    }
)

WINDOW: Mapping[str, Mapping[str, str]] = types.MappingProxyType({"en": _EN, "zh": _ZH})


def tr(key: str, language: str = "en", **fields: object) -> str:
    """``key`` in ``language`` from the campaign texts or the window's own, filled in (in Chinese,
    without a space between two Chinese characters: :mod:`game.zh`)."""
    said = _template(key, language).format(**fields)
    return tidy(said) if language == "zh" else said


def _template(key: str, language: str) -> str:
    for tables in (TABLES, WINDOW, ROUND):
        table = tables.get(language, tables["en"])
        if key in table:
            return table[key]
    word = scenario_word(key, language)
    if word is not None:
        return word
    raise KeyError(f"no text {key!r} in the campaign or window strings")


def english(key: str, **fields: object) -> str:
    """A ``Tr`` for English: what a view draws until its scene hands it the player's language."""
    return tr(key, "en", **fields)


def term(translate: Tr, group: str, name: str) -> str:
    """A name the engine gives (a state, role, backend, end reason...) in the player's language.

    ``group.name`` in the round's table; a name with no entry yet is shown as the engine spells it.
    """
    key = f"{group}.{name}"
    return translate(key) if _known(key) else name


def thing(translate: Tr, name: str, group: str = "thing") -> str:
    """A resource's engine name (``fork 3``, ``pipe 0-1``, ``counter lock``) in the player's language.

    The words before a trailing number (or number pair) are looked up as ``<group>.<words>``;
    the number stays. A name with no entry is shown as the engine spells it.
    """
    words, _, number = name.rpartition(" ")
    if not words or not number[:1].isdigit():
        words, number = name, ""
    word = term(translate, group, words)
    return f"{word} {number}".strip() if number else word


def who(translate: Tr, name: str) -> str:
    """An agent's engine name (``philosopher 3``, ``ringer``) in the player's language (``哲学家 3``)."""
    return thing(translate, name, "role")


def count(translate: Tr, number: int, operation: str) -> str:
    """``3 meals``, ``1 meal``, ``3 顿饭``: a number of the scenario's operations."""
    key = f"op.{operation}" + (".one" if number == 1 else "")
    unit = translate(key) if _known(key) else operation
    return f"{number} {unit}"


def scenario_word(key: str, language: str) -> str | None:
    """A word a scenario brings itself (``Scenario.words``), for names the tables here lack."""
    for scenario in scenarios().values():
        if key in scenario.words:
            words = scenario.words[key]
            return words.zh if language == "zh" else words.en
    return None


def _known(key: str) -> bool:
    return key in ROUND["en"] or scenario_word(key, "en") is not None


def binding_text(binding: Binding, language: str) -> tuple[str, str, str]:
    """A help row (keys, action, where) in ``language``; English as written in :mod:`game.controls`."""
    keys, action = (binding.keys, binding.action)
    if language == "zh" and binding.keys in HELP_ZH:
        keys, action = HELP_ZH[binding.keys]
    return keys, action, term(lambda key: tr(key, language), "where", binding.where)
