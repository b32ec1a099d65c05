"""Closing time: daemon children die with their parent, a daemon process may not have children,
a non-daemon child keeps its parent open, and a report written before join() misses work.
Counted on real processes (jobs done, children refused, heartbeats that stopped), never timed."""

from __future__ import annotations

import pytest
from helpers import run_round

pytestmark = pytest.mark.timeout(120)


def closing(**params: bool) -> dict[str, object]:
    return run_round("closing", backend="process", seconds=12, params=params).scenario_stats


def test_a_radio_that_is_no_daemon_keeps_the_owner_open_and_an_early_report_misses_the_work() -> None:
    stats = closing()  # runs its full 12 s: the owner's process cannot end
    assert stats["closed"] is False  # the radio's heartbeat outlived the watcher's watch
    assert stats["jobs_done"] == stats["jobs_total"] == 4  # the owner's exit waited for its washers...
    assert stats["report_short"] == 4  # ...but its report, written before they were done, says 0


def test_daemon_washers_may_not_hire_rinsers_and_join_makes_the_report_right() -> None:
    stats = closing(radio_daemon=True, washer_daemon=True, join=True)
    assert stats["closed"] is True
    assert stats["children_refused"] == 2 and stats["jobs_done"] == 2 and stats["jobs_lost"] == 2
    assert stats["report_short"] == 0
