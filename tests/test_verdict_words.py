"""Every verdict and every reason the grader gives reads in both languages, with the same
parameters filled in; the Chinese says 角色 (never 智能体) and names agents in Chinese."""

from __future__ import annotations

import re
import string

import pytest

from game.background import JobFailed
from game.i18n_code import (
    ENGLISH_DETAIL,
    FACTS_ZH,
    VERDICTS,
    WHY_ZH,
    WORDS,
    agent_name,
    evidence_lines,
    failed_text,
    finding_text,
    move_text,
)
from sims.explore.verdict import ENGLISH, ENGLISH_FACTS, Evidence, Fact, Finding, Verdict, Why

SAMPLE = {
    "who": "philosopher 0",
    "holder": "philosopher 1",
    "agents": ("philosopher 0", "philosopher 1"),
    "others": ("reader 2",),
    "resources": ("fork 1", "fork 0"),
}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("why", list(Why), ids=lambda w: w.value)
def test_every_reason_has_both_languages_with_the_same_fields(why: Why) -> None:
    fields = _fields(ENGLISH_DETAIL[why])
    assert fields == _fields(WHY_ZH[why])
    assert _fields(ENGLISH[why]) - {"cycle"} <= fields  # the grader's sentence says nothing the screen does not
    params = {name: SAMPLE.get(name, "x") for name in fields - {"cycle", "waits"}}
    if fields & {"cycle", "waits"}:
        params |= {"agents": SAMPLE["agents"], "resources": SAMPLE["resources"]}
    data = Finding(Verdict.DEADLOCK, why, params).to_json()
    english, chinese = finding_text("en", data), finding_text("zh", data)
    assert english and chinese and english != chinese
    assert "philosopher" not in chinese and "reader" not in chinese  # agents named in Chinese
    assert "智能体" not in chinese


@pytest.mark.parametrize("fact", list(Fact), ids=lambda f: f.value)
def test_every_evidence_line_has_both_languages_with_the_same_fields(fact: Fact) -> None:
    assert _fields(ENGLISH_FACTS[fact]) == _fields(FACTS_ZH[fact])
    params = {name: SAMPLE.get(name, "x") for name in _fields(ENGLISH_FACTS[fact])} | {"kind": "semaphore"}
    data = Finding(Verdict.STALL, Why.STALL, facts=(Evidence(fact, params),)).to_json()
    (english,), (chinese,) = evidence_lines("en", data), evidence_lines("zh", data)
    assert english == data["evidence"][0] and chinese != english
    assert "philosopher" not in chinese and "semaphore" not in chinese  # agents and kinds named in Chinese
    if "who" in params:
        assert english.startswith("philosopher 0 waits on 'x' (semaphore)")
        assert chinese.startswith("哲学家 0 在等 'x'（信号量）"), chinese


def test_evidence_survives_json_and_reads_in_chinese() -> None:
    held = Evidence.of(Fact.WAITS_HOLDING, who="savage 2", resource="pot", kind="lock", held=("ticket x2", "mutex"))
    empty = Evidence.of(Fact.WAITS_EMPTY_HANDED, who="barber", resource="customers", kind="semaphore")
    finding = Finding.of(Verdict.STALL, Why.STALL, 0, facts=(held, empty), agents=("x",), resources=("y",))
    again = Finding.from_json(finding.to_json())
    assert again == finding
    assert again.evidence == (
        "savage 2 waits on 'pot' (lock), holds ticket x2, mutex",
        "barber waits on 'customers' (semaphore), holds nothing",
    )
    assert evidence_lines("zh", finding.to_json()) == [
        "野人 2 在等 'pot'（锁），手里拿着 ticket x2、mutex",
        "理发师在等 'customers'（信号量），手里什么也没拿",
    ]
    many = Finding.of(Verdict.STALL, Why.STALL, 0, facts=(empty,) * 7, agents=("x",), resources=("y",))
    assert evidence_lines("en", many.to_json(), most=5) == [empty.text] * 4 + ["…"]


def test_a_check_that_failed_is_told_in_the_player_s_language() -> None:
    ended = JobFailed(ended=True, exit_code=-9)
    assert failed_text("zh", ended) == "负责检查的工作进程没给出结果就结束了（退出码 -9）"
    assert failed_text("en", ended) == "The check's worker process ended without an answer (exit code -9)"
    raised = JobFailed("Traceback (most recent call last):\n  ...\nMemoryError: out of memory\n")
    assert failed_text("zh", raised) == "检查本身抛出了异常 MemoryError: out of memory"  # Python's own words kept


def test_every_verdict_has_both_languages() -> None:
    for verdict in Verdict:
        if verdict is not Verdict.PASS:
            assert verdict.value in VERDICTS["en"] and verdict.value in VERDICTS["zh"]
    assert not any("智能体" in said for said in (*VERDICTS["zh"].values(), *WORDS["zh"].values()))


def test_a_finding_survives_json_and_its_english_is_the_grader_s() -> None:
    finding = Finding.of(Verdict.DEADLOCK, Why.CYCLE, 0, agents=SAMPLE["agents"], resources=SAMPLE["resources"])
    again = Finding.from_json(finding.to_json())
    assert again == finding
    assert finding.message == (
        "deadlock: philosopher 0 (waits on fork 1) -> philosopher 1 (waits on fork 0) -> philosopher 0"
    )
    assert finding_text("zh", finding.to_json()) == "哲学家 0（在等 fork 1） → 哲学家 1（在等 fork 0） → 哲学家 0"


def test_moves_and_names_in_chinese() -> None:
    assert agent_name("zh", "cook A") == "厨师 A" and agent_name("en", "cook A") == "cook A"
    assert move_text("zh", "acquire", "fork 1") == "对 'fork 1' 调用 acquire()"
    assert move_text("zh", "step 'eat'", "") == "经过 me.step('eat')"
    assert move_text("en", "acquire", "fork 1") == "acquire 'fork 1'"
    for op in ("read", "put on", "take from", "enter critical 'x'", "pace", "retry (blocked)"):
        assert not re.search(r"[A-Za-z]{3,}", move_text("zh", op, "").replace("me.pace", "").replace("'x'", ""))
