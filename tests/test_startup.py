"""The lunch rush: a process start costs many thread starts (a ratio measured in the round),
and what the crew paid is priced with the round's own medians, so no grade reads a clock."""

from __future__ import annotations

import pytest
from helpers import run_round

pytestmark = pytest.mark.timeout(120)

SMALL = {"jobs": 6, "job_ms": 20.0, "workers": 2, "probes": 3}


def rush(crew: str) -> dict[str, float]:
    result = run_round("startup", backend="process", seconds=60, params={**SMALL, "crew": crew})
    assert result.end_reason == "agents finished"
    return result.scenario_stats


def test_threads_serve_every_job_and_pay_one_thread_start_each() -> None:
    stats = rush("thread")
    assert stats["jobs_served"] == 6 and stats["processes_per_job"] == 0
    assert stats["start_cost_vs_threads"] == 1.0
    assert stats["start_ratio"] > 5  # spawning an interpreter against asking for a thread


def test_a_process_pool_pays_its_workers_starts_once_for_all_jobs() -> None:
    stats = rush("pool")
    assert stats["jobs_served"] == 6 and stats["processes_per_job"] == pytest.approx(2 / 6)
    assert stats["start_cost_vs_threads"] == pytest.approx(stats["start_ratio"] * 2 / 6)


def test_the_debrief_tells_the_measured_start_costs_in_the_players_language() -> None:
    from sims.scenarios import scenario_named

    stats = {"thread_start_us": 80.0, "process_start_us": 240_000.0, "start_ratio": 3000.0}
    startup = scenario_named("startup")
    assert startup.debrief_lines(stats, "en") == [
        "Measured in this round: a thread started in 80 µs, a process in 240 ms; "
        "one process start cost as much as 3,000 thread starts."
    ]
    assert "3,000 个线程" in startup.debrief_lines(stats, "zh")[0]
    assert startup.debrief_lines({}, "en") == []  # a round that ended before measuring says nothing
