"""Chinese mode shows Chinese: every knob, option and strategy a level offers has its words, every
goal reads in Chinese, and the only English left in the Chinese texts is code and identifiers."""

from __future__ import annotations

import re

import pytest

from game.i18n import ROUND, WINDOW, thing, tr
from game.i18n_code import VERDICTS, WHY_ZH
from game.i18n_code import WORDS as CODE_WORDS
from game.i18n_round import HELP_ZH
from game.i18n_words import WORDS_ZH, knob_label, option_label, strategy_text
from sims.levels import LevelSpec, load_levels
from sims.levels.goals import goal_text
from sims.levels.texts import ZH
from sims.scenarios.registry import scenario_named

IDENTIFIERS = frozenset(
    # code, signals, keys and names that stay as the lecture and Python spell them
    [
        "Array",
        "Barrier",
        "BrokenBarrierError",
        "Condition",
        "Thread",
        "ThreadPool",
        "RLock",
        "notify",
        "CPU",
        "Ctrl",
        "Shift",
        "Tab",
        "Chandy",
        "Misra",
        "English",
        "Enter",
        "Esc",
        "Event",
        "F1",
        "False",
        "GIL",
        "IO",
        "Jain",
        "Lock",
        "N-1",
        "PID",
        "Pipe",
        "Pool",
        "Process",
        "Python",
        "Queue",
        "SIGALRM",
        "SIG_DFL",
        "SIG_IGN",
        "handler",
        "SIGCONT",
        "SIGKILL",
        "SIGSTOP",
        "SIGUSR1",
        "Semaphore",
        "Value",
        "apply_async",
        "backoff",
        "capacity",
        "class",
        "notify_all",
        "consumers",
        "diner",
        "door",
        "eat_ms",
        "empty",
        "fair",
        "fixed",
        "forkserver",
        "full",
        "id",
        "jobs",
        "join",
        "kill",
        "lock",
        "macOS",
        "map",
        "meals_total",
        "ms",
        "multiprocessing",
        "mutex",
        "orders",
        "out",
        "p50",
        "p99",
        "pid",
        "poll_ms",
        "random",
        "reader",
        "resize",
        "room",
        "run",
        "seats",
        "selfish",
        "sleep",
        "spawn",
        "start_method",
        "tables",
        "think_ms",
        "thread_cpu_ratio",
        "window",
        "with",
        "workers",
        "writer",
    ]
)


def english_words(text: str) -> set[str]:
    """Latin words outside {placeholders} and code-looking tokens (calls, attributes, paths)."""
    text = re.sub(r"\{[^}]*\}", "", text)
    text = re.sub(r"\S*[()=.:/\[\]]\S*", "", text)
    return set(re.findall(r"[A-Za-z][A-Za-z_0-9-]*[A-Za-z0-9]", text))


def chinese_texts() -> dict[str, str]:
    texts: dict[str, str] = {}
    for level in load_levels():
        texts |= {f"{level.id}.{n}": t.zh for n, t in (("title", level.title), ("briefing", level.briefing))}
        texts |= {f"{level.id}.debrief": level.debrief.zh}
        texts |= {f"{level.id}.hints[{i}]": h.zh for i, h in enumerate(level.hints)}
    for table in (ZH, WINDOW["zh"], ROUND["zh"], WORDS_ZH):
        texts |= dict(table)
    texts |= {f"help.{k}": f"{keys} {action}" for k, (keys, action) in HELP_ZH.items()}
    texts |= {f"code.{k}": said for k, said in (*CODE_WORDS["zh"].items(), *VERDICTS["zh"].items())}
    texts |= {f"why.{why.value}": said for why, said in WHY_ZH.items()}
    return texts


def test_no_english_prose_in_chinese_mode() -> None:
    found = {key: sorted(english_words(text) - IDENTIFIERS) for key, text in chinese_texts().items()}
    assert {key: words for key, words in found.items() if words} == {}


@pytest.mark.parametrize("level", load_levels(), ids=lambda lv: lv.id)
def test_every_menu_word_and_goal_of_a_level_is_chinese(level: LevelSpec) -> None:
    scenario = scenario_named(level.scenario)
    for name in level.choices.knobs():
        assert knob_label(name, "zh") != name, f"knob {name} has no Chinese label"
    for name, values in level.choices.options.items():
        assert all(f"option.{name}.{v}" in WORDS_ZH for v in values)
    for strategy in level.choices.strategies or (scenario.default_strategy,):
        english = scenario.strategies[strategy]
        assert strategy_text(level.scenario, strategy, english, "zh") != english
    for tier in level.star_tiers():
        for goal in tier:
            assert goal.stat not in goal_text(goal, "zh"), f"{goal} is shown in English"


def test_names_of_things_and_options_in_both_languages() -> None:
    zh = lambda key, **fields: tr(key, "zh", **fields)  # noqa: E731
    en = lambda key, **fields: tr(key, "en", **fields)  # noqa: E731
    assert thing(zh, "fork 3") == "叉子 3" and thing(en, "fork 3") == "fork 3"
    assert thing(zh, "counter lock") == "计数器锁" and thing(zh, "pipe 0-1") == "管道 0-1"
    assert thing(zh, "no such thing 2") == "no such thing 2"
    assert (
        option_label("backoff", "fixed", "zh") == "固定（fixed）" and option_label("backoff", "fixed", "en") == "fixed"
    )
    assert goal_text(load_levels()[8].goals[0], "zh") == "本轮以死锁告终：是"


def is_code(text: str, code: set[str]) -> bool:
    """A line of the agents' source as the code panel draws it (maybe cut short with an ellipsis)."""
    line = text.strip()
    if line.startswith("class ") or line in code:
        return True
    return line.endswith("…") and any(c.startswith(line[:-1].rstrip()) for c in code)


def test_a_lock_with_waiters_is_never_drawn_free() -> None:
    from game.views.primitive import _headline
    from sims.rounds.views import ResourceStatistics

    zh = lambda key, **fields: tr(key, "zh", **fields)  # noqa: E731
    passing = ResourceStatistics(0, "fork 0", "lock", holders=(), waiters=(2,), capacity=1)
    assert _headline(passing, None, zh)[0] == "正在交给等待者"
    idle = ResourceStatistics(0, "fork 0", "lock", holders=(), waiters=(), capacity=1)
    assert _headline(idle, None, zh)[0] == "空闲"
