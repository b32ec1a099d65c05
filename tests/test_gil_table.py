"""The GIL lab's table: six cells (and the waiting column) beside the lecture's, and a verdict that
says plainly when the machine could not give the lab the CPU the lecture's table needs."""

from __future__ import annotations

import pytest
from helpers import run_round

from sims.scenarios.gil_table import cells, compact, lines, verdict, verdict_key

pytestmark = pytest.mark.timeout(120)

LECTURE_LIKE = {
    "reproducible": 1,
    "gil_enabled": 1,
    "cores": 4,
    "line_cpu_cpu_share": 0.98,
    "line_cpu_s": 9.0,
    "thread_cpu_s": 9.4,
    "process_cpu_s": 5.5,
    "thread_cpu_ratio": 1.04,
    "process_cpu_ratio": 0.61,
    "thread_wait_ratio": 0.11,
    "lecture_line_cpu_s": 9.01,
    "lecture_thread_cpu_ratio": 1.04,
    "thread_cpu_last_start_ms": 0.5,
    "process_cpu_last_start_ms": 60.0,
}


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({}, "gil"),
        ({"reproducible": 0, "line_cpu_cpu_share": 0.25}, "busy"),
        ({"gil_enabled": 0, "thread_cpu_ratio": 0.3}, "free"),
        ({"process_cpu_ratio": 1.2}, "unclear"),
    ],
)
def test_the_verdict_names_what_the_numbers_show(changes: dict[str, float], key: str) -> None:
    assert verdict_key({**LECTURE_LIKE, **changes}) == key


def test_a_busy_machine_is_told_in_both_languages() -> None:
    busy = {**LECTURE_LIKE, "reproducible": 0, "line_cpu_cpu_share": 0.25, "load_1min": 7.5}
    assert "cannot reproduce" in verdict(busy) and "25%" in verdict(busy)
    assert "复现不了" in verdict(busy, "zh") and "25%" in verdict(busy, "zh")


def test_the_table_has_every_cell_and_the_lectures_where_it_measured() -> None:
    table = cells(LECTURE_LIKE)
    assert len(table) == 9
    assert table["thread", "cpu"].ratio == 1.04 and table["thread", "cpu"].lecture_ratio == 1.04
    assert table["thread", "wait"].lecture_ratio is None  # the lecture had no waiting jobs
    text = lines(LECTURE_LIKE)
    assert len(text) == 7 and text[-1] == verdict(LECTURE_LIKE)
    assert "threads 0.50 ms · processes 60.0 ms (×120)" in text[4]


def test_threads_win_on_waiting_jobs_even_with_the_gil() -> None:
    params = {"jobs": 4, "cpu_s": 0.1, "io_s": 0.1, "wait_s": 0.4}
    stats = run_round("gil", seconds=60, params=params).scenario_stats
    assert 0 < stats["thread_wait_ratio"] < 0.75  # four sleeps side by side, not one after another
    assert stats["line_cpu_cpu_share"] > 0 and stats["reproducible"] in (0, 1)


def test_the_compact_table_is_in_the_players_language() -> None:
    zh = compact(LECTURE_LIKE, "zh")
    assert zh[0].startswith("多线程：") or zh[0].startswith("多线程:")
    assert "多进程 60.0 ms" in zh[2] and "有 GIL" in zh[3] and zh[-1] == verdict(LECTURE_LIKE, "zh")
    assert compact(LECTURE_LIKE)[0].startswith("threads: CPU ×1.04 (lecture ×1.04)")


def test_the_debrief_shows_the_labs_table_and_other_scenarios_nothing_extra() -> None:
    from sims.scenarios import scenario_named

    assert scenario_named("gil").debrief_lines(LECTURE_LIKE, "zh") == compact(LECTURE_LIKE, "zh")
    assert scenario_named("race").debrief_lines(LECTURE_LIKE, "en") == []
