"""The words of the code levels' screens (briefing, Check, verdict, counterexample), en and zh."""

from __future__ import annotations

import functools
import re
import types
from collections.abc import Mapping
from typing import Any

from game.background import JobFailed
from game.i18n_round import ROUND
from game.zh import tidy
from sims.explore import ENGLISH, BadCode, Fact, Finding, OldNameUsed, Why, say

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
            "code.fail": "{verdict}{where}.",
            "code.line": " at line {line}",
            "code.stars": "Stars: {stars} of 3",
            "code.rule.yes": "✓ {rule} ({found})",
            "code.rule.no": "✗ {rule} ({found})",
            "code.worker": "The check itself raised {error}",
            "code.worker.ended": "The check's worker process ended without an answer (exit code {code})",
            "code.open_replay": "Space: step through the schedule that broke it",
            "code.missing": "No file yet (R makes it from the template)",
            "steps.title": "The schedule that broke it: step {at} of {total}",
            "steps.help": "←/→ one step (Shift: 10), Home/End the ends, Esc back, L: 中文",
            "steps.loading": "Replaying the schedule… ",
            "steps.move": "{agent} ran line {line}: {op}",
            "steps.start": "Before the first step: each agent stands at its first operation.",
            "steps.verdict": "{verdict} {detail}",
            "steps.agent.running": "just moved; now at line {line}",
            "steps.agent.ready": "ready at line {line}",
            "steps.agent.blocked": "blocked on {resource} at line {line}",
            "steps.agent.done": "done",
            "steps.agent.failed": "raised an exception at line {line}",
            "steps.agent.not started": "not started",
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
            "code.fail": "{verdict}{where}。",
            "code.line": "（第 {line} 行）",
            "code.stars": "星级：{stars} / 3",
            "code.rule.yes": "✓ {rule}（{found}）",
            "code.rule.no": "✗ {rule}（{found}）",
            "code.worker": "检查本身抛出了异常 {error}",
            "code.worker.ended": "负责检查的工作进程没给出结果就结束了（退出码 {code}）",
            "code.open_replay": "空格：逐步查看弄坏它的那个调度",
            "code.missing": "还没有文件（按 R 从模板生成）",
            "steps.title": "弄坏它的调度：第 {at} 步，共 {total} 步",
            "steps.help": "←/→ 走一步（Shift：10 步），Home/End 到两端，Esc 返回，L: English",
            "steps.loading": "正在重放调度…… ",
            "steps.move": "{agent} 执行了第 {line} 行：{op}",
            "steps.start": "第一步之前：每个角色都停在自己的第一个操作上。",
            "steps.verdict": "{verdict}{detail}",
            "steps.agent.running": "刚走了一步，现在停在第 {line} 行",
            "steps.agent.ready": "就绪，停在第 {line} 行",
            "steps.agent.blocked": "在第 {line} 行阻塞，等 {resource}",
            "steps.agent.done": "已结束",
            "steps.agent.failed": "在第 {line} 行抛出了异常",
            "steps.agent.not started": "还没开始",
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
            "deadlock": "死锁：几个角色都在等对方手里的锁。",
            "stall": "停滞：剩下的人都在等一个没人能发出的信号。",
            "mutual exclusion violated": "违反互斥：两个角色同时进了同一个临界区。",
            "over capacity": "超出容量：往满的出菜口上放了东西。",
            "item lost": "物品丢失：东西还没被取走就被覆盖了。",
            "item duplicated": "物品重复：同一件东西被取了两次（或从空位上取）。",
            "goal not met": "未达成目标：违反了练习的规则。",
            "starvation": "饥饿：有的角色一直做不完，别的角色却一直在走。",
            "exception": "异常：你的代码抛出了异常。",
            "never yields": "永不让出：你的代码一直运行，没有到达任何操作。",
            "raw sleep": "原始睡眠：用了 time.sleep，而不是同步原语或 me.pace。",
            "exited": "进程被结束：你的代码结束了整个进程。",
        },
    }
)


WHY_ZH: Mapping[Why, str] = types.MappingProxyType(
    {
        Why.PASSED: "试过的调度都没能弄坏你的代码",
        Why.FINISHED: "全部做完了",
        Why.CYCLE: "{cycle}",
        Why.HELD_BY_WAITER: (
            "{who} 在等 {resource}，它在 {holder} 手里；{holder} 自己又在等 {other}，所以永远不会放手"
        ),
        Why.STALL: "{waits}，而剩下的角色里没人会来唤醒（唤醒丢了？）",
        Why.INSIDE_TOGETHER: "{who} 进了临界区 '{section}'，而 {others} 还在里面",
        Why.INSIDE_APART: "{who} 进了临界区 '{section}'，而 {holder} 还在临界区 '{other}' 里",
        Why.TOO_EARLY: "{who} 第 {k} 次到达 '{later}' 时，{others} 还没第 {k} 次到达 '{earlier}'",
        Why.OVERTAKEN: "饥饿：{others} 在等的时候，{who} 两次进入了 '{section}'（{role} 可能被永远插队）",
        Why.WRONG_GROUP: "'{step}' 这一组由 {agents} 组成：每组必须恰好是 {makeup}",
        Why.PUT_ON_FULL: "往已经满了的 '{resource}' 上放了东西：第 {slot} 格原来的东西丢了",
        Why.PUTS_RACED: "两次放入抢了 '{resource}' 的同一格（第 {slot} 格）：先放的东西被盖掉、丢了",
        Why.TAKEN_FROM_EMPTY: "从 '{resource}' 的空格（第 {slot} 格）里取了东西",
        Why.TAKEN_TWICE: "'{resource}' 上的第 {item} 号东西被取了两次",
        Why.NEVER_TAKEN: "放到 '{resource}' 上的第 {items} 号东西一直没人取",
        Why.STARVED: "最后 {steps} 步里 {agents} 一步也没能走，别的角色却一直在走",
        Why.LIVELOCK: "活锁：走了 {steps} 步之后，{agents} 还在不停地动，却始终做不完自己的轮次",
        Why.RAISED: "{who} 抛出了异常 {error}",
        Why.LOAD_RAISED: "载入文件时抛出了异常 {error}",
        Why.RAW_SLEEP: "{who} 卡在一次直接的睡眠里（{source}）：请改用 me.pace(ms) 或同步原语",
        Why.RAW_SLEEP_AFTER: "{who} 在第 {after} 行之后卡在一次直接的睡眠里",
        Why.ENDLESS: "{who} 跑了 {seconds} 秒，一个操作也没碰到（死循环？）",
        Why.ENDLESS_AFTER: "{who} 在第 {after} 行之后跑了 {seconds} 秒，一个操作也没碰到（死循环？）",
        Why.AGENT_EXITED: "{who} 的进程在第 {after} 行之后结束了（{how}）",
        Why.UNFINISHED: "{agents} 没有做完",
        Why.WORKER_SILENT: "负责检查的工作进程没能按时回答",
        Why.PROCESS_ENDED: "代码结束了整个进程（{how}），而不是正常返回",
        Why.OLD_NAME: "{old} 是旧名字（Python 3.10 起已弃用）：请写成 {new}",
    }
)
CYCLE_ZH = ("{agent}（在等 {resource}）", " → ")

FACTS_ZH: Mapping[Fact, str] = types.MappingProxyType(
    {
        Fact.WAITS_HOLDING: "{who} 在等 '{resource}'（{kind}），手里拿着 {held}",
        Fact.WAITS_EMPTY_HANDED: "{who} 在等 '{resource}'（{kind}），手里什么也没拿",
        Fact.STILL_RUNNING: "还在运行第 {line} 行：{source}",
    }
)

ROLES_ZH: Mapping[str, str] = types.MappingProxyType(
    {
        "philosopher": "哲学家",
        "producer": "生产者",
        "consumer": "消费者",
        "worker": "工人",
        "diner": "食客",
        "waiter": "服务员",
        "reader": "读者",
        "writer": "写者",
        "savage": "野人",
        "cook": "厨师",
        "barber": "理发师",
        "customer": "顾客",
        "oxygen": "氧",
        "hydrogen": "氢",
    }
)

_CALLS = {"acquire": "acquire()", "release": "release()", "wait": "wait()", "notify": "notify()", "set": "set()"}
_CALLS |= {"clear": "clear()", "break": "abort()", "reset": "reset()"}
_MOVES_ZH = {
    "read": "读 '{resource}'",
    "write": "写 '{resource}'",
    "count the items on": "数 '{resource}' 上的东西",
    "find a slot on": "在 '{resource}' 上找空格",
    "put on": "把东西放到 '{resource}' 上",
    "find an item on": "在 '{resource}' 上找东西",
    "take from": "从 '{resource}' 取东西",
    "retry (blocked)": "再试一次 '{resource}'（上次被阻塞）",
    "pace": "干活（me.pace）",
}
_LABELLED_ZH = (
    (re.compile(r"^step '(.*)'$"), r"经过 me.step('\1')"),
    (re.compile(r"^enter critical '(.*)'$"), r"进入临界区 '\1'"),
    (re.compile(r"^leave critical '(.*)'$"), r"离开临界区 '\1'"),
)


def agent_name(language: str, name: str) -> str:
    """``philosopher 3`` → ``哲学家 3`` in Chinese (the number or letter stays); else as spelled."""
    role, _, tag = name.partition(" ")
    word = ROLES_ZH.get(role) if language == "zh" else None
    return f"{word} {tag}".strip() if word else name


def move_text(language: str, op: str, resource: str) -> str:
    """One move of a schedule (``acquire 'fork 1'``) in the player's language."""
    if language != "zh":
        return f"{op} {resource!r}" if resource else op
    if op in _CALLS:
        return f"对 '{resource}' 调用 {_CALLS[op]}" if resource else f"调用 {_CALLS[op]}"
    if op in _MOVES_ZH:
        return _MOVES_ZH[op].format(resource=resource)
    for pattern, said in _LABELLED_ZH:
        if pattern.match(op):
            return pattern.sub(said, op)
    return f"{op} '{resource}'" if resource else op


_SAID_BY_VERDICT = {Why.CYCLE: "deadlock: ", Why.HELD_BY_WAITER: "deadlock: ", Why.STALL: "stall: "}
_SAID_BY_VERDICT |= {Why.STARVED: "starvation: "}
ENGLISH_DETAIL: Mapping[Why, str] = types.MappingProxyType(
    {why: said.removeprefix(_SAID_BY_VERDICT.get(why, "")) for why, said in ENGLISH.items()}
    | {Why.STALL: "{waits}, and nobody left can wake them (a lost wake-up?)"}
)
"""The grader's English sentences without the verdict's name, which the screen shows above them."""


def finding_text(language: str, data: Mapping[str, Any]) -> str:
    """A finding (as ``Finding.to_json`` writes it) in the player's language, after its verdict's name."""
    finding = Finding.from_json(dict(data))
    if language != "zh":
        said = say(ENGLISH_DETAIL, finding.why, finding.params)
        return said[:1].upper() + said[1:]
    return tidy(say(WHY_ZH, finding.why, finding.params, functools.partial(agent_name, "zh"), "、", CYCLE_ZH))


def evidence_lines(language: str, data: Mapping[str, Any], most: int = 5) -> list[str]:
    """A finding's evidence (its ``facts``, as ``Finding.to_json`` writes them), a line per fact;
    at most ``most`` lines, the last of them "…" when there are more facts."""
    facts = Finding.from_json(dict(data)).facts
    if len(facts) > most:
        return [*evidence_lines(language, {**data, "facts": data["facts"][: most - 1]}, most), "…"]
    if language != "zh":
        return [fact.text for fact in facts]
    name = functools.partial(agent_name, "zh")
    return [
        tidy(say(FACTS_ZH, f.fact, {**f.params, "kind": _kind_zh(f.params.get("kind"))}, name, "、")) for f in facts
    ]


def _kind_zh(kind: object) -> str:
    """A primitive's kind (``lock``) in Chinese (``锁``); one without a word as the code spells it."""
    return ROUND["zh"].get(f"kind_short.{kind}", str(kind))


def problem_text(language: str, problem: BadCode) -> str:
    """What is wrong with the player's file before it runs, in the player's language (a deprecated
    name is worded; Python's own complaints, like a syntax error, are shown as Python gives them)."""
    if language == "zh" and isinstance(problem, OldNameUsed):
        return f"{problem.path}:{problem.line}: " + WHY_ZH[Why.OLD_NAME].format(old=problem.old, new=problem.new)
    return str(problem)


def failed_text(language: str, failed: JobFailed) -> str:
    """Why a check or a replay in the background gave no answer, in the player's language."""
    if failed.ended:
        return words(language, "code.worker.ended", code="?" if failed.exit_code is None else failed.exit_code)
    return words(language, "code.worker", error=failed.raised)


def words(language: str, key: str, **fields: object) -> str:
    table = WORDS.get(language, WORDS["en"])
    said = table[key].format(**fields)
    return tidy(said) if language == "zh" else said


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
