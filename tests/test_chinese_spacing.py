"""No Chinese sentence the window makes puts a space between two Chinese characters.

Templates keep a space beside a placeholder for Latin names and numbers (``哲学家 0 在等 fork 1``);
filled with a Chinese name (``而 服务员 1``, ``理发师 在等``) that space must go.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from typing import Any

import pytest

from game.i18n import ROUND, WINDOW, tr
from game.i18n_code import WORDS, evidence_lines, finding_text, words
from game.zh import CJK, tidy
from sims.explore.verdict import ENGLISH, ENGLISH_FACTS, Evidence, Fact, Finding, Verdict, Why
from sims.levels import TABLES

GAP = re.compile(f"[{CJK}] +[{CJK}]")
# Agent names that come out Chinese at both ends (barber -> 理发师) or with a number after them.
NAMES = ("barber", "waiter 1")
FILLINGS = ("理发师", "服务员 1", "灶台")


def _fields(template: str) -> list[tuple[str, str]]:
    return [(name, spec or "") for _, name, spec, _ in string.Formatter().parse(template) if name]


NAMED = {"agent", "agents", "holder", "who", "others", "names", "name", "resource", "lock", "short", "step"}


def _filled(template: str, filling: str) -> dict[str, object]:
    """Each placeholder that names an agent or a resource: ``filling``; the others: a number."""
    return {name: filling if name in NAMED and not spec else 1 for name, spec in _fields(template)}


@pytest.mark.parametrize("why", list(Why), ids=lambda w: w.value)
@pytest.mark.parametrize("name", NAMES)
def test_no_verdict_puts_a_space_between_chinese_characters(why: Why, name: str) -> None:
    params: dict[str, object] = {field: name for field, _ in _fields(ENGLISH[why])}
    params |= {"agents": (name, name), "others": (name,), "resources": ("fork 1", "fork 0"), "steps": 3}
    params.pop("cycle", None)
    said = finding_text("zh", Finding(Verdict.DEADLOCK, why, params).to_json())  # type: ignore[arg-type]
    assert not GAP.search(said), said


@pytest.mark.parametrize("fact", list(Fact), ids=lambda f: f.value)
@pytest.mark.parametrize("name", NAMES)
def test_no_evidence_line_puts_a_space_between_chinese_characters(fact: Fact, name: str) -> None:
    params = {field: name for field, _ in _fields(ENGLISH_FACTS[fact])} | {"kind": "lock", "held": ("fork 0",)}
    finding = Finding(Verdict.STALL, Why.STALL, facts=(Evidence(fact, params),))
    (said,) = evidence_lines("zh", finding.to_json())
    assert not GAP.search(said), said


def _chinese(tables: Mapping[str, Mapping[str, str]]) -> list[tuple[str, str]]:
    return sorted(tables["zh"].items())


@pytest.mark.parametrize("filling", FILLINGS)
def test_no_window_sentence_puts_a_space_between_chinese_characters(filling: str) -> None:
    """Every Chinese template of the window (rounds, results, the verdict's headline, the live
    panel, the campaign), filled with a Chinese name."""
    bad = []
    for tables in (TABLES, WINDOW, ROUND):
        for key, template in _chinese(tables):
            said = tr(key, "zh", **_filled(template, filling))
            if GAP.search(said):
                bad.append(f"{key}: {said}")
    for key, template in _chinese(WORDS):
        said = words("zh", key, **_filled(template, filling))
        if GAP.search(said):
            bad.append(f"{key}: {said}")
    assert not bad, "\n".join(bad)


def test_tidy_keeps_the_spaces_beside_latin_and_numbers() -> None:
    assert tidy("而 服务员 1 还在里面") == "而服务员 1 还在里面"
    assert tidy("理发师 在等 'chair'（锁）") == "理发师在等 'chair'（锁）"
    assert tidy("哲学家 0 在等 fork 1") == "哲学家 0 在等 fork 1"


def test_the_round_s_headline_lists_chinese_names_with_the_chinese_comma() -> None:
    from types import SimpleNamespace

    from game.verdict import round_verdict

    stats = SimpleNamespace(starved=("waiter 0", "waiter 1"))
    result: Any = SimpleNamespace(deadlock=None, orphaned=(), stats=stats)
    said, _ = round_verdict(lambda key, **f: tr(key, "zh", **f), result)
    assert said == "没有死锁，但出现了饥饿：服务员 0、服务员 1"
    said, _ = round_verdict(lambda key, **f: tr(key, "en", **f), result)
    assert said == "No deadlock, but starvation: waiter 0, waiter 1"
