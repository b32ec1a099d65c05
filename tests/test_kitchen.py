"""The kitchen on both variants and both backends: every item produced is served exactly
once or is still on the pass, recomputed here from the events and checked against the
scenario's own numbers."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import of_op, run_round

from sims.rounds.result import RoundResult
from sims.scenarios.kitchen import ITEM_SHIFT
from sims.scenarios.measure import window
from sims.telemetry import Op

pytestmark = pytest.mark.timeout(90)

BACKENDS = ("thread", "process")
VARIANTS = ("semaphores", "queue", "condition")


def items(result: RoundResult) -> tuple[np.ndarray, np.ndarray]:
    """ITEM_PUT and ITEM_TAKEN records on the pass, up to the round's end (what the summary counts)."""
    container = result.layout.resource_named("pass").index
    events = result.events[result.events["t_ns"] <= result.ended_ns]
    return of_op(events, Op.ITEM_PUT, resource=container), of_op(events, Op.ITEM_TAKEN, resource=container)


def assert_items_conserved(result: RoundResult) -> None:
    puts, takes = items(result)
    put_ids, taken_ids = puts["value"], takes["value"]
    assert len(np.unique(put_ids)) == len(put_ids), "an item id was produced twice"
    assert len(np.unique(taken_ids)) == len(taken_ids), "an item was served twice"
    assert np.isin(taken_ids, put_ids).all(), "an item was served that nobody produced"
    left = np.setdiff1d(put_ids, taken_ids)
    stats = result.scenario_stats
    assert stats["produced"] == len(put_ids)
    assert stats["consumed"] == len(taken_ids)
    assert stats["on_pass"] == len(left)  # what the pass really held at the end ...
    assert stats["lost"] == 0  # ... is exactly the items never served
    assert stats["duplicated"] == 0
    assert len(left) <= result.layout.resource_named("pass").capacity


def assert_each_cook_numbers_its_dishes(result: RoundResult) -> None:
    puts, _ = items(result)
    for cook in np.unique(puts["value"] >> ITEM_SHIFT):
        mine = puts[(puts["value"] >> ITEM_SHIFT) == cook]
        dishes = (mine["value"] & ((1 << ITEM_SHIFT) - 1)).tolist()
        assert dishes == list(range(1, len(dishes) + 1)), f"cook {cook - 1} skipped or repeated a dish"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("variant", VARIANTS)
def test_every_item_is_served_once_or_still_on_the_pass(backend: str, variant: str) -> None:
    result = run_round(
        "kitchen",
        backend=backend,
        strategy=variant,
        seconds=1.2,
        params={"producers": 3, "consumers": 2, "capacity": 3, "cook_ms": 1.0, "serve_ms": 2.0},
    )
    assert result.end_reason == "duration"
    assert result.dropped == 0
    assert len(items(result)[1]) > 20  # the kitchen really ran
    assert_items_conserved(result)
    assert_each_cook_numbers_its_dishes(result)
    assert [a.exit_code for a in result.identities] == [None if backend == "thread" else 0] * 5  # none terminated


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("strategy", ["semaphores", "condition", "queue"])
def test_the_kitchen_never_records_an_overfilled_pass(backend: str, strategy: str) -> None:
    """Both records are written under the mutex, or inside the queue as a dish gets or gives
    back its slot (sims.primitives.queues), so the level they give is exact."""
    result = run_round(
        "kitchen",
        backend=backend,
        strategy=strategy,
        seconds=1.0,
        params={"producers": 4, "consumers": 1, "capacity": 2, "cook_ms": 0.0, "serve_ms": 1.0},
    )
    puts, takes = items(result)
    t = np.concatenate((puts["t_ns"], takes["t_ns"]))
    step = np.concatenate((np.ones(len(puts), np.int64), -np.ones(len(takes), np.int64)))
    level = np.cumsum(step[np.argsort(t, kind="stable")])
    assert level.min() >= 0
    assert level.max() == 2  # full, never more
    taken_at = dict(zip(takes["value"].tolist(), takes["t_ns"].tolist(), strict=True))
    put_at = dict(zip(puts["value"].tolist(), puts["t_ns"].tolist(), strict=True))
    assert all(put_at[item] < t_take for item, t_take in taken_at.items())
    assert_items_conserved(result)
    assert result.stats.operations_total == len(puts) + len(takes)  # one cut-off for every count...
    assert window(result.events) == (result.started_ns, result.ended_ns)  # ...which the exported records carry


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("variant", VARIANTS)
def test_slow_waiters_leave_a_full_pass_and_nothing_is_lost(backend: str, variant: str) -> None:
    result = run_round(
        "kitchen",
        backend=backend,
        strategy=variant,
        seconds=0.8,
        params={"producers": 2, "consumers": 1, "capacity": 4, "cook_ms": 0.0, "serve_ms": 300.0},
    )
    assert result.scenario_stats["on_pass"] == 4
    assert_items_conserved(result)
    assert_each_cook_numbers_its_dishes(result)


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_condition_for_both_sides_loses_a_wake_up_and_the_round_stalls(backend: str) -> None:
    """notify() wakes one waiter of either side: a cook woken for a cook (or a waiter for a
    waiter) goes back to sleep, and soon everyone sleeps with nobody left to notify."""
    result = run_round(
        "kitchen",
        backend=backend,
        strategy="condition",
        seconds=20,
        params={"producers": 2, "consumers": 2, "capacity": 1, "cook_ms": 0.0, "serve_ms": 0.0, "shared": True},
    )
    assert result.end_reason == "stall"
    stall = result.deadlock
    assert stall is not None and stall.is_stall
    assert stall.agents == (0, 1, 2, 3)
    assert {result.layout.resources[r].name for r in stall.resources} == {"pass changed"}
    assert_items_conserved(result)


def test_a_monitor_that_checks_with_if_instead_of_while_loses_and_duplicates_dishes() -> None:
    """A waiter woken for a dish that a barging waiter already took serves an empty slot, and a
    cook woken for a slot another cook filled puts a dish on a full pass: free running with no
    think time shows it within a round or two when the OS schedules freely (the explorer's job is
    to find it every time: tests/test_grade.py). Bounded by rounds, not by time: a machine busy
    elsewhere may schedule the cooks too politely for a round."""
    params = {"producers": 2, "consumers": 3, "capacity": 1, "cook_ms": 0.0, "serve_ms": 0.0, "recheck": False}
    for seed in range(8):
        result = run_round("kitchen", backend="thread", strategy="condition", seconds=1.0, seed=seed, params=params)
        assert result.deadlock is None
        if result.scenario_stats["lost"] + result.scenario_stats["duplicated"] > 0:
            return
    pytest.fail("eight free rounds of a monitor checking with 'if' never lost or duplicated a dish")
