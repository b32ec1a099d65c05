"""Every verdict and every reason the grader gives reads in both languages, with the same
parameters filled in; the Chinese says 角色 (never 智能体) and names agents in Chinese."""

from __future__ import annotations

import re
import string

import pytest

from game.i18n_code import ENGLISH_DETAIL, VERDICTS, WHY_ZH, WORDS, agent_name, finding_text, move_text
from sims.explore.verdict import ENGLISH, Finding, Verdict, Why

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
