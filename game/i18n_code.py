"""The words of the code levels' screens (briefing, Check, verdict, counterexample), en and zh."""

from __future__ import annotations

import re
import types
from collections.abc import Mapping

WORDS: Mapping[str, Mapping[str, str]] = types.MappingProxyType(
    {
        "en": {
            "code.list": "Write the code",
            "code.title_button": "Write the code yourself (K)",
            "code.list.hint": "↑/↓ choose, Enter open, Esc back, L: 中文",
            "code.file": "Your file: {path}",
            "code.parsons": "Order the lines of class {role} (A opens the board)",
            "code.reload": "Reload (R)",
            "code.arrange": "Arrange (A)",
            "code.check": "Check (Enter)",
            "code.steps": "Replay (Space)",
            "code.checking": "Checking on the real engine… {seconds:.0f} s",
            "code.pass": "Pass: no schedule tried broke your code.",
            "code.fail": "{verdict}{where}",
            "code.line": " at line {line}",
            "code.stars": "Stars: {stars} of 3",
            "code.rule.yes": "✓ {rule} ({found})",
            "code.rule.no": "✗ {rule} ({found})",
            "code.worker": "The check did not answer: {error}",
            "code.open_replay": "Space: step through the schedule that broke it",
            "code.missing": "No file yet (R makes it from the template)",
            "steps.title": "The schedule that broke it: step {at} of {total}",
            "steps.help": "←/→ one step (Shift: 10), Home/End the ends, Esc back, L: 中文",
            "steps.loading": "Replaying the schedule… ",
            "steps.move": "{agent}: line {line}, {op}",
            "steps.holds": "holds: {holds}",
            "steps.none": "nobody holds anything",
            "steps.start": "Before the first step: every agent at the start of run.",
            "rule.no_busy_wait": "no busy waiting",
            "rule.max_operations": "at most {limit} operations",
            "rule.no_notify_all": "no notify_all",
        },
        "zh": {
            "code.list": "亲手写代码",
            "code.title_button": "亲手写同步代码（K）",
            "code.list.hint": "↑/↓ 选择，Enter 打开，Esc 返回，L: English",
            "code.file": "你的文件：{path}",
            "code.parsons": "排好 class {role} 的代码行（按 A 打开排序板）",
            "code.reload": "重新载入（R）",
            "code.arrange": "排序（A）",
            "code.check": "检查（Enter）",
            "code.steps": "重放（空格）",
            "code.checking": "正在真实引擎上检查…… {seconds:.0f} 秒",
            "code.pass": "通过：试过的调度都没能弄坏你的代码。",
            "code.fail": "{verdict}{where}",
            "code.line": "，第 {line} 行",
            "code.stars": "星级：{stars} / 3",
            "code.rule.yes": "✓ {rule}（{found}）",
            "code.rule.no": "✗ {rule}（{found}）",
            "code.worker": "检查没有给出结果：{error}",
            "code.open_replay": "空格：逐步查看弄坏它的那个调度",
            "code.missing": "还没有文件（按 R 从模板生成）",
            "steps.title": "弄坏它的调度：第 {at} 步，共 {total} 步",
            "steps.help": "←/→ 走一步（Shift：10 步），Home/End 到两端，Esc 返回，L: English",
            "steps.loading": "正在重放调度…… ",
            "steps.move": "{agent}：第 {line} 行，{op}",
            "steps.holds": "持有：{holds}",
            "steps.none": "谁也没有持有任何东西",
            "steps.start": "第一步之前：每个智能体都在 run 的开头。",
            "rule.no_busy_wait": "不忙等",
            "rule.max_operations": "最多 {limit} 个操作",
            "rule.no_notify_all": "不用 notify_all",
        },
    }
)

VERDICTS: Mapping[str, Mapping[str, str]] = types.MappingProxyType(
    {
        "en": {
            "deadlock": "Deadlock: agents wait on locks held by each other.",
            "stall": "Stall: everyone left waits for a signal nobody can send.",
            "mutual exclusion violated": "Mutual exclusion violated: two agents inside the same critical section.",
            "over capacity": "Over capacity: an item was put on a full pass.",
            "item lost": "Item lost: an item was overwritten before anyone took it.",
            "item duplicated": "Item duplicated: an item was taken twice (or from an empty slot).",
            "goal not met": "Goal not met: the exercise's rule was broken.",
            "starvation": "Starvation: some agents never finish while others keep moving.",
            "exception": "Exception: your code raised.",
            "never yields": "Never yields: your code ran on without reaching any operation.",
            "raw sleep": "Raw sleep: time.sleep instead of a primitive or me.pace.",
            "exited": "Exited: your code ended the whole process.",
        },
        "zh": {
            "deadlock": "死锁：智能体在等彼此持有的锁。",
            "stall": "停滞：剩下的人都在等一个没人能发出的信号。",
            "mutual exclusion violated": "违反互斥：两个智能体同时在同一个临界区里。",
            "over capacity": "超出容量：往满的出菜口上放了东西。",
            "item lost": "物品丢失：东西还没被取走就被覆盖了。",
            "item duplicated": "物品重复：同一件东西被取了两次（或从空位上取）。",
            "goal not met": "未达成目标：违反了练习的规则。",
            "starvation": "饥饿：有的智能体一直做不完，别人却在动。",
            "exception": "异常：你的代码抛出了异常。",
            "never yields": "永不让出：你的代码一直运行，没有到达任何操作。",
            "raw sleep": "原始睡眠：用了 time.sleep，而不是同步原语或 me.pace。",
            "exited": "进程被结束：你的代码结束了整个进程。",
        },
    }
)


def words(language: str, key: str, **fields: object) -> str:
    table = WORDS.get(language, WORDS["en"])
    return table[key].format(**fields)


def verdict_text(language: str, verdict: str) -> str:
    return VERDICTS.get(language, VERDICTS["en"]).get(verdict, verdict)


_FOUND_ZH = (
    (re.compile(r"^no polling$"), "没有轮询"),
    (re.compile(r"^polls at line (\d+)$"), r"第 \1 行在轮询"),
    (re.compile(r"^(\d+) operations$"), r"\1 个操作"),
    (re.compile(r"^no notify_all$"), "没有 notify_all"),
    (re.compile(r"^notify_all at line (\d+)$"), r"第 \1 行用了 notify_all"),
)


def found_text(language: str, found: str) -> str:
    """What a star rule found in the code (``sims.levels.codestars``), in the player's language."""
    if language != "zh":
        return found
    for pattern, said in _FOUND_ZH:
        if pattern.match(found):
            return pattern.sub(said, found)
    return found
