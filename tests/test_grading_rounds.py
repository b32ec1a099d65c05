"""Rounds whose numbers the grading rules rest on: a broken kitchen really loses and duplicates,
a fixed back-off really livelocks, polling really costs CPU, and the summary knows when the
time scale changed and when the operating system scheduled a gated round."""

from __future__ import annotations

import attrs
import pytest
from helpers import of_op, run_round

from sims.rounds.commands import Auto, Scale, Step, Timed
from sims.rounds.summary import flat_numbers
from sims.telemetry import ENGINE_AGENT, Op

pytestmark = pytest.mark.timeout(120)


def test_a_kitchen_without_its_mutex_loses_and_duplicates_dishes() -> None:
    params = {"producers": 2, "consumers": 6, "capacity": 6, "cook_ms": 5.0, "serve_ms": 5.0}
    stats = run_round("kitchen", strategy="no-mutex", seconds=1.5, params=params).scenario_stats
    assert stats["lost"] > 0 and stats["duplicated"] > 0


def test_a_fixed_back_off_livelocks_where_a_random_one_does_not() -> None:
    params = {"agents": 5, "think_ms": 0.0, "eat_ms": 10.0, "patience_ms": 0.0, "reach_ms": 10.0, "backoff_ms": 60.0}
    putbacks = {"fixed": 0.0, "random": 0.0}
    meals = {"fixed": 0, "random": 0}
    for _ in range(2):  # interleaved, so a burst of load on the machine falls on both kinds alike
        for backoff in putbacks:
            run = run_round("dining", strategy="trylock", seconds=1.5, params={**params, "backoff": backoff})
            putbacks[backoff] += run.scenario_stats["putbacks_per_meal"]
            meals[backoff] += flat_numbers(run)["operations_total"]
    # Counts, not times: the fixed back-off puts forks back more often for every meal it gets (about
    # twice as often on a quiet machine; load jitters the lock-step, 1.2 to 1.5 times under load).
    assert putbacks["fixed"] > 1.15 * putbacks["random"], putbacks
    assert meals["fixed"] < meals["random"], meals


def test_peeking_often_costs_more_cpu_per_entry_than_blocking() -> None:
    ring = run_round("bell", strategy="ring", seconds=1.5).scenario_stats
    peek = run_round("bell", strategy="peek", seconds=1.5, params={"poll_ms": 0.5}).scenario_stats
    assert peek["cpu_us_per_entry"] > 2 * ring["cpu_us_per_entry"] > 0


def test_the_round_time_follows_the_scale_and_auto_is_recorded() -> None:
    schedule = (Timed(0.0, Scale(0.5)), Timed(0.2, Step(0)), Timed(0.3, Auto()))
    result = run_round("race", seconds=1.0, gated=True, params={"agents": 2}, schedule=schedule)
    flat = flat_numbers(result)
    assert flat["os_scheduled"] is True
    # wall time before the scale took effect counts once, after it twice (when it took effect is the load's)
    scaled = of_op(result.events, Op.SCALE, ENGINE_AGENT)
    assert scaled["value"].tolist() == [500]
    after_s = (result.ended_ns - int(scaled["t_ns"][0])) / 1e9
    assert 0 < after_s <= flat["duration_s"]
    assert flat["round_time_s"] == pytest.approx(flat["duration_s"] + after_s, rel=1e-6)
    plain = flat_numbers(run_round("race", seconds=0.5, gated=True, params={"agents": 2}))
    assert plain["os_scheduled"] is False and plain["round_time_s"] == plain["duration_s"]


def test_the_end_of_a_gated_round_takes_no_step_the_player_did_not_give() -> None:
    # Ring once and let one guest in; the round's end releases every gate, and nobody may use it
    # (level 5's walk-ins varied run to run: guests let through at the end walked in, or not).
    schedule = (Timed(0.1, Step(0)), Timed(0.3, Step(1)))
    stats = run_round("bell", seconds=0.6, gated=True, params={"agents": 3}, schedule=schedule).scenario_stats
    assert (stats["rings"], stats["clears"], stats["walk_ins"], stats["wakeups"]) == (1, 0, 1, 0)


def test_a_round_stuck_on_a_killed_holder_is_not_called_fine() -> None:
    from sims.text_report import _verdict_lines

    result = run_round("race", seconds=0.3, params={"agents": 2})
    assert "no deadlock" in _verdict_lines(result).splitlines()[1]
    stuck = attrs.evolve(result, orphaned=("stove",))
    assert "stuck" in _verdict_lines(stuck).splitlines()[1]


@pytest.mark.parametrize("backend", ["thread", "process"])
def test_checking_qsize_before_putting_loses_dishes_and_blocking_puts_do_not(backend: str) -> None:
    params = {"producers": 3, "consumers": 3, "capacity": 2, "cook_ms": 2.0, "serve_ms": 10.0}
    checked = run_round("kitchen", backend=backend, strategy="qsize", seconds=1.5, params=params).scenario_stats
    blocking = run_round("kitchen", backend=backend, strategy="queue", seconds=1.5, params=params).scenario_stats
    assert checked["lost"] > 0 and blocking["lost"] == 0


def test_sigusr1_default_action_kills_ignore_drops_and_a_handler_serves() -> None:
    def waiter(mode: str) -> dict[str, int | bool]:
        params = {"sigusr1": mode, "think_ms": 10.0, "cook_ms": 10.0}
        stats = run_round("signals", backend="process", seconds=2.5, params=params).scenario_stats
        return {k: stats[k] for k in ("sigusr1_received", "timer_rang", "waiter_killed", "orders_sent")}

    handler, ignore, default = waiter("handler"), waiter("ignore"), waiter("default")
    assert handler["sigusr1_received"] > 0 and handler["waiter_killed"] is False
    assert ignore["sigusr1_received"] == 0 and ignore["orders_sent"] > 0 and ignore["timer_rang"] >= 1
    assert ignore["waiter_killed"] is False
    assert default["waiter_killed"] is True and default["sigusr1_received"] == 0
