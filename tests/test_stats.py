"""Round statistics on small hand-built record sequences whose answers are worked out by hand."""

from __future__ import annotations

import json

import attrs
import numpy as np
import pytest

from sims.rounds.layout import AgentInfo, ResourceInfo, RoundLayout
from sims.stats import (
    HOLD_DTYPE,
    Percentiles,
    compute_round_stats,
    hold_timeline,
    jain_index,
    kitchen_stats,
    resource_timeline,
)
from sims.stats.stream import StreamingStats
from sims.telemetry import ENGINE_AGENT, EVENT_DTYPE, Op, State

pytestmark = pytest.mark.timeout(60)

ACQ, REL, REQ, OUT, ABANDON, CAP = Op.ACQUIRED, Op.RELEASED, Op.REQUEST, Op.TIMED_OUT, Op.ABANDONED, Op.CAPACITY
EATING = (int(Op.STATE), int(State.EATING))


def ms(ns: int) -> float:
    return ns / 1_000_000


def records(*rows: tuple[int, int, int, int, int]) -> np.ndarray:
    """Records from (t_ns, agent, resource, op, value) rows, in the order given."""
    return np.array([(t, a, r, int(op), v) for t, a, r, op, v in rows], dtype=EVENT_DTYPE)


def layout(agents: int = 2, *resources: tuple[str, int]) -> RoundLayout:
    """Agents a0, a1 ...; resources as (kind, capacity), named r0, r1 ... (default: one lock)."""
    resources = resources or (("lock", 1),)
    return RoundLayout(
        "test",
        "plain",
        "thread",
        0,
        tuple(AgentInfo(i, f"a{i}", "eater", "thread") for i in range(agents)),
        tuple(ResourceInfo(i, f"r{i}", kind, cap) for i, (kind, cap) in enumerate(resources)),
    )


def stats(events: np.ndarray, plan: RoundLayout, start: int, end: int, ops: dict | None = None):
    every = {a.index: EATING for a in plan.agents} if ops is None else ops
    return compute_round_stats(events, plan, start, end, every)


HANDOFF = records(
    (0, 0, 0, ACQ, 0),
    (10, 1, 0, REQ, -1),
    (100, 0, 0, REL, 0),
    (100, 1, 0, ACQ, 90),
    (120, 1, -1, Op.STATE, State.EATING),
    (150, 1, 0, REL, 0),
)


def test_a_waited_acquisition_by_another_agent_is_a_handoff() -> None:
    s = stats(HANDOFF, layout(), 0, 200)
    lock = s.resources[0]
    assert (lock.acquisitions, lock.handoffs, lock.max_holders, lock.over_capacity_ns) == (2, 1, 1, 0)
    assert lock.utilisation == pytest.approx(150 / 200)
    a0, a1 = s.agents
    assert a0.hold_ms.max == pytest.approx(ms(100)) and a1.hold_ms.max == pytest.approx(ms(50))
    assert a1.wait_ms == Percentiles(1, ms(90), ms(90), ms(90), ms(90), ms(90))
    assert a0.wait_ms.count == 1 and a0.wait_ms.max == 0.0
    assert a1.longest_wait_ms == pytest.approx(ms(90)) == s.longest_wait_ms
    assert s.starved == ("a0",) and s.jain == pytest.approx(0.5)
    assert s.operations_total == 1 and s.throughput_per_s == pytest.approx(1 / 200e-9)


def test_a_helper_that_does_no_counted_work_is_not_starved_in_any_statistics() -> None:
    """a0 (a worker) counts nothing and a1 (a helper that only watches) is no worker: only a0 is
    starved, and fairness is among workers only (the helper's operation still counts in the total),
    in the statistics of all records at once, summed up chunk by chunk, and the agents table."""
    plan = layout(2)
    plan = attrs.evolve(plan, agents=(plan.agents[0], attrs.evolve(plan.agents[1], counted=False)))
    events = records((0, ENGINE_AGENT, -1, Op.ROUND_START, 0), (10, 0, 0, REQ, -1), (20, 1, -1, Op.STATE, EATING[1]))
    whole = stats(events, plan, 0, 100)
    stream = StreamingStats(plan, {a.index: EATING for a in plan.agents}, 0)
    stream.feed(events)
    streamed = stream.finish(100)
    for got in (whole, streamed):
        assert got.starved == ("a0",) and [a.counted for a in got.agents] == [True, False]
        assert [a.starved for a in got.agents] == [True, False] and got.flat()["starved_count"] == 1
        assert got.jain == 0.0 and got.operations_total == 1  # over the workers [0], not [0, 1] (0.5)
        assert got.has_workers and not attrs.evolve(got, agents=got.agents[1:]).has_workers
    assert whole.to_dict()["agents"][1]["counted"] is False


def test_no_handoff_without_a_wait_or_to_the_same_agent() -> None:
    events = records(
        (0, 0, 0, ACQ, 0),
        (10, 0, 0, REL, 0),
        (20, 1, 0, ACQ, 0),
        (30, 1, 0, REL, 0),  # another agent, but no wait
        (35, 1, 0, REQ, -1),
        (40, 1, 0, ACQ, 5),
        (50, 1, 0, REL, 0),  # waited, but the same agent
        (45, 0, 0, REQ, -1),
        (60, 0, 0, ACQ, 15),
        (70, 0, 0, REL, 0),  # the one hand-off
    )
    assert stats(events, layout(), 0, 100).resources[0].handoffs == 1


def test_the_previous_acquirer_may_come_from_before_the_window() -> None:
    events = records((0, 0, 0, ACQ, 0), (50, 0, 0, REL, 0), (40, 1, 0, REQ, -1), (100, 1, 0, ACQ, 60))
    lock = stats(events, layout(), 80, 200).resources[0]
    assert (lock.acquisitions, lock.handoffs) == (1, 1)


SHRINK_GROW = records(
    (0, ENGINE_AGENT, -1, Op.ROUND_START, 3),  # the whole history: nothing was held before
    (0, 0, 0, ACQ, 0),
    (10, 1, 0, ACQ, 0),
    (50, ENGINE_AGENT, 0, CAP, 1),  # shrunk below the two holders: over capacity until 80
    (80, 0, 0, REL, 0),
    (100, ENGINE_AGENT, 0, CAP, 3),
    (120, 2, 0, ACQ, 0),
    (130, 0, 0, ACQ, 0),
    (150, ENGINE_AGENT, 0, CAP, 2),  # three holders, two permits until 170
    (170, 1, 0, REL, 0),
    (190, 2, 0, REL, 0),
    (200, 0, 0, REL, 0),
)


def test_over_capacity_across_a_semaphore_shrink_and_grow() -> None:
    sem = stats(SHRINK_GROW, layout(3, ("semaphore", 2)), 0, 200).resources[0]
    assert sem.over_capacity_ns == 30 + 20
    assert (sem.max_holders, sem.capacity_min, sem.capacity_max) == (3, 1, 3)
    # holder-ns 10*1 + 70*2 + 40*1 + 10*2 + 40*3 + 20*2 + 10*1; permit-ns 50*2 + 50*1 + 50*3 + 50*2
    assert sem.utilisation == pytest.approx(380 / 400)


def test_statistics_cross_a_pipe_unchanged() -> None:
    """The engine host pickles rolling statistics for the window (their values pickle as
    their constructors' arguments): they come back equal, every nested value included."""
    import pickle

    computed = stats(SHRINK_GROW, layout(3, ("semaphore", 2)), 0, 200)
    assert computed.agents and computed.resources and computed.wait_ms.count
    assert pickle.loads(pickle.dumps(computed)) == computed


def test_the_series_behind_the_numbers() -> None:
    series = resource_timeline(SHRINK_GROW, ResourceInfo(0, "r0", "semaphore", 2), 0, 200)
    assert series.t_ns.tolist() == [0, 10, 50, 80, 100, 120, 130, 150, 170, 190, 200]
    assert series.holders.tolist() == [1, 2, 2, 1, 1, 2, 3, 3, 2, 1, 0]
    assert series.capacity.tolist() == [2, 2, 1, 1, 3, 3, 3, 2, 2, 2, 2]
    assert (series.held_ns(), series.capacity_ns(), series.over_capacity_ns()) == (380, 400, 50)


def test_capacity_records_before_the_window_set_its_starting_capacity() -> None:
    events = records((50, ENGINE_AGENT, 0, CAP, 4), (150, 0, 0, ACQ, 0))
    sem = stats(events, layout(1, ("semaphore", 2)), 100, 200).resources[0]
    assert (sem.capacity_min, sem.capacity_max) == (4, 4)
    assert sem.utilisation == pytest.approx(50 / 400)


def test_a_release_and_an_acquisition_in_the_same_nanosecond_are_not_two_holders() -> None:
    events = records((0, 0, 0, ACQ, 0), (100, 1, 0, ACQ, 0), (100, 0, 0, REL, 0), (150, 1, 0, REL, 0))
    lock = stats(events, layout(), 0, 200).resources[0]
    assert (lock.max_holders, lock.over_capacity_ns) == (1, 0)


KITCHEN_SIGNALS = records(
    (0, ENGINE_AGENT, -1, Op.ROUND_START, 2),
    (0, ENGINE_AGENT, 0, CAP, 2),  # "empty": free slots on the pass
    (0, ENGINE_AGENT, 1, CAP, 0),  # "full": cooked items, released by cooks before anyone acquires
    (10, 0, 0, ACQ, 0),  # the cook takes a slot ...
    (20, 0, 1, REL, 0),  # ... and signals an item
    (30, 1, 1, ACQ, 0),  # the waiter takes the item ...
    (40, 1, 0, REL, 0),  # ... and gives the slot back
    (50, 0, 0, ACQ, 0),
    (60, 0, 1, REL, 0),  # a second item stays on the pass
)


def test_semaphores_used_as_signals_count_permits_not_agents() -> None:
    empty, full = stats(KITCHEN_SIGNALS, layout(2, ("semaphore", 2), ("semaphore", 0)), 0, 100).resources
    assert (empty.max_holders, empty.over_capacity_ns) == (1, 0)
    assert empty.utilisation == pytest.approx((30 + 50) / (2 * 100))  # slots in use 10..40 and 50..100
    assert (full.max_holders, full.over_capacity_ns, full.utilisation) == (0, 0, 0.0)
    series = resource_timeline(KITCHEN_SIGNALS, ResourceInfo(1, "full", "semaphore", 0), 0, 100)
    assert series.holders.tolist() == [0, -1, 0, -1]  # released more than acquired: permits on offer


def test_a_signalled_resource_has_no_holds_but_a_slices_first_release_ends_one() -> None:
    whole = hold_timeline(KITCHEN_SIGNALS, 0, 100)
    assert whole.size == 0  # both semaphores were released by agents holding nothing: signals
    recent = KITCHEN_SIGNALS[KITCHEN_SIGNALS["t_ns"] >= 35]  # the waiter's release at 40 looks held since 35
    assert (1, 0, 35, 40) in [tuple(h) for h in hold_timeline(recent, 35, 100).tolist()]


def test_a_slice_starts_with_the_permits_its_releases_imply() -> None:
    plan = layout(2, ("semaphore", 2), ("semaphore", 0))
    recent = KITCHEN_SIGNALS[KITCHEN_SIGNALS["t_ns"] >= 35]  # the slot taken at 10 is returned at 40
    empty, _ = stats(recent, plan, 35, 100).resources
    assert empty.utilisation == pytest.approx((5 + 50) / (2 * 65))
    later = KITCHEN_SIGNALS[KITCHEN_SIGNALS["t_ns"] >= 25]  # "full" acquired before any release: signalled earlier
    _, full = stats(later, plan, 25, 100).resources
    assert (full.over_capacity_ns, full.max_holders) == (0, 0)


def test_a_slices_earlier_holds_never_exceed_the_capacity_before_it() -> None:
    # one permit: of two releases at least one was a signal, so the acquisition at 25 took a free permit
    events = records((10, 0, 0, REL, 0), (20, 0, 0, REL, 0), (25, 0, 0, ACQ, 0))
    assert stats(events, layout(1, ("semaphore", 1)), 30, 40).resources[0].utilisation == 0.0


def test_over_capacity_is_found_in_a_whole_history_only() -> None:
    plan = layout(3, ("semaphore", 2))
    assert stats(SHRINK_GROW, plan, 0, 200).resources[0].over_capacity_ns == 50
    slice_ = SHRINK_GROW[1:]  # without ROUND_START: the unknown past is taken to be a correct engine's
    assert stats(slice_, plan, 0, 200).resources[0].over_capacity_ns == 0


def test_a_wait_still_open_at_the_end_counts_until_the_end() -> None:
    events = records((0, 0, 0, ACQ, 0), (100, 1, 0, REQ, -1))
    s = stats(events, layout(), 0, 1000)
    assert s.agents[1].longest_wait_ms == pytest.approx(ms(900)) == s.longest_wait_ms
    assert s.agents[1].wait_ms.count == 0  # nothing acquired, so no ACQUIRED wait
    assert s.resources[0].utilisation == 1.0 and s.agents[0].hold_ms.max == pytest.approx(ms(1000))
    clipped = stats(events, layout(), 500, 1000)
    assert clipped.agents[1].longest_wait_ms == pytest.approx(ms(500))
    assert clipped.agents[0].hold_ms.max == pytest.approx(ms(500)) and clipped.agents[0].acquisitions == 0


def test_timed_out_waits_count_and_a_later_request_reopens() -> None:
    events = records((0, 0, 0, ACQ, 0), (100, 1, 0, REQ, 1000), (300, 1, 0, OUT, 200), (400, 1, 0, REQ, 1000))
    assert stats(events, layout(), 0, 1000).agents[1].longest_wait_ms == pytest.approx(ms(600))
    ended = stats(events, layout(), 0, 350).agents[1]
    assert (ended.longest_wait_ms, ended.timeouts) == (pytest.approx(ms(200)), 1)


def test_an_events_abandoned_wait_is_not_a_resource_wait() -> None:
    plan = layout(1, ("lock", 1), ("event", 1))
    on_event = records((0, 0, 1, Op.WAIT, -1), (500, 0, 1, ABANDON, 500))
    on_lock = records((0, 0, 0, REQ, -1), (500, 0, 0, ABANDON, 500))
    assert stats(on_event, plan, 0, 600).agents[0].longest_wait_ms == 0.0
    assert stats(on_lock, plan, 0, 600).agents[0].longest_wait_ms == pytest.approx(ms(500))


CLIPPED = records(
    (0, 0, 0, ACQ, 0), (50, 1, 0, REQ, -1), (500, 0, 0, REL, 0), (500, 1, 0, ACQ, 450), (900, 1, 0, REL, 0)
)


def test_holds_and_waits_that_began_before_the_window_are_clipped() -> None:
    s = stats(CLIPPED, layout(), 200, 1000)
    a0, a1 = s.agents
    assert (a0.acquisitions, a0.hold_ms.count, a0.hold_ms.max) == (0, 1, pytest.approx(ms(300)))
    assert a1.wait_ms.max == pytest.approx(ms(300)) and a1.hold_ms.max == pytest.approx(ms(400))
    lock = s.resources[0]
    assert lock.utilisation == pytest.approx(700 / 800) and lock.handoffs == 1
    assert lock.wait_ms == Percentiles(1, *[ms(300)] * 5)


def test_a_rolling_slice_without_the_old_acquisition_gives_the_same_holds() -> None:
    recent = CLIPPED[CLIPPED["t_ns"] >= 300]  # the release has lost its acquisition
    s = stats(recent, layout(), 200, 1000)
    assert s.agents[0].hold_ms.max == pytest.approx(ms(300))
    assert s.resources[0].utilisation == pytest.approx(700 / 800)
    assert s.resources[0].handoffs == 0  # nobody known to have acquired before


def test_releases_without_acquisitions_end_the_oldest_holds_first() -> None:
    events = records((100, 0, 0, ACQ, 0), (250, 0, 0, REL, 0), (300, 0, 0, REL, 0))
    holds = hold_timeline(events, 0, 400)
    assert holds.dtype == HOLD_DTYPE
    assert [tuple(h) for h in holds.tolist()] == [(0, 0, 0, 250), (0, 0, 100, 300)]


def test_the_engine_and_unlisted_agents_hold_nothing() -> None:
    events = records((0, ENGINE_AGENT, 0, ACQ, 0), (10, 7, 0, ACQ, 0), (20, 0, 0, ACQ, 0), (40, 0, 0, REL, 0))
    s = stats(events, layout(), 0, 100)
    assert s.resources[0].acquisitions == 1 and s.resources[0].utilisation == pytest.approx(0.2)
    assert hold_timeline(events, 0, 100)["agent"].tolist() == [7, 0]  # the raw timeline keeps agent 7


def test_operations_match_the_agents_op_and_value_inside_the_window_only() -> None:
    events = records(
        (0, 0, -1, Op.STATE, State.EATING),  # at start: counts
        (5, 0, -1, Op.STATE, State.THINKING),
        (6, 1, 3, Op.ITEM_PUT, 17),
        (7, 1, 3, Op.ITEM_PUT, 18),
        (8, 2, 3, Op.ITEM_PUT, 19),  # agent 2 counts takes, not puts
        (10, 0, -1, Op.STATE, State.EATING),  # at end: counts
        (11, 0, -1, Op.STATE, State.EATING),  # after the end
    )
    ops = {0: EATING, 1: (int(Op.ITEM_PUT), -1), 2: (int(Op.ITEM_TAKEN), -1)}
    s = stats(events, layout(4), 0, 10, ops)
    assert [a.operations for a in s.agents] == [2, 2, 0, 0]
    assert s.starved == ("a2", "a3")  # a3 has no operation at all, yet is listed
    assert s.jain == pytest.approx(16 / (4 * 8))


@pytest.mark.parametrize(
    ("counts", "expected"),
    [([], 0.0), ([0, 0, 0], 0.0), ([5, 5, 5], 1.0), ([4, 0, 0, 0], 0.25), ([1, 3], 0.8), ([7], 1.0)],
)
def test_jain_index_edges(counts: list[int], expected: float) -> None:
    assert jain_index(np.array(counts)) == pytest.approx(expected)


def test_unsorted_records_give_the_same_answer_as_sorted() -> None:
    shuffled = SHRINK_GROW[np.random.default_rng(3).permutation(SHRINK_GROW.size)]
    plan = layout(3, ("semaphore", 2))
    assert stats(shuffled, plan, 0, 200) == stats(SHRINK_GROW, plan, 0, 200)


def test_empty_and_zero_length_windows_are_all_zeros() -> None:
    empty = stats(np.empty(0, EVENT_DTYPE), layout(2, ("lock", 1), ("semaphore", 3)), 0, 100)
    assert empty.flat()["operations_total"] == 0 and empty.jain == 0.0
    assert [r.utilisation for r in empty.resources] == [0.0, 0.0] and empty.resources[1].capacity_max == 3
    instant = stats(HANDOFF, layout(), 100, 100)
    assert instant.duration_s == 0.0 and instant.throughput_per_s == 0.0
    assert instant.resources[0].utilisation == 0.0 and instant.resources[0].max_holders == 1  # a1 holds at 100


def test_a_window_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="end_ns must be >= start_ns, got start_ns=5, end_ns=4"):
        stats(HANDOFF, layout(), 5, 4)


def test_to_dict_is_json_and_flat_has_the_stable_names() -> None:
    s = stats(SHRINK_GROW, layout(3, ("semaphore", 2)), 0, 200)
    document = json.loads(json.dumps(s.to_dict()))
    assert document["resources"][0]["over_capacity_ns"] == 50
    assert document["agents"][2]["hold_ms"]["count"] == 1 and document["starved"] == ["a0", "a1", "a2"]
    assert list(s.flat()) == [
        "duration_s",
        "operations_total",
        "throughput_per_s",
        "jain",
        "longest_wait_ms",
        "starved_count",
        "p50_wait_ms",
        "p95_wait_ms",
        "p99_wait_ms",
        "max_wait_ms",
        "mean_wait_ms",
        "timeouts_total",
        "handoffs_total",
        "utilisation_mean",
        "over_capacity_ns",
    ]
    assert s.flat()["over_capacity_ns"] == 50 and s.flat()["starved_count"] == 3


@pytest.mark.parametrize("values", [[], [0, 0, 0], [5], [0, 3, 0, 9, 1000, 7, 7], [2**60, 1, 0], [-5, 0, 10]])
def test_percentiles_agree_with_numpy(values: list[int]) -> None:
    got = Percentiles.from_ns(np.array(values, dtype=np.int64))
    if not values:
        assert got == Percentiles.empty()
        return
    p50, p95, p99, top = np.percentile(np.array(values, dtype=np.float64), [50, 95, 99, 100]) / 1e6
    assert got.count == len(values) and got.mean == pytest.approx(np.mean(values) / 1e6)
    assert (got.p50, got.p95, got.p99, got.max) == pytest.approx((p50, p95, p99, top))


def test_grouped_percentiles_keep_groups_apart() -> None:
    a, b, c = Percentiles.grouped_from_ns(np.array([0, 1, 0, 1, 0]), np.array([0, 100, 0, 300, 6]), 3)
    assert (a.count, a.max, a.p50) == (3, pytest.approx(6e-6), 0.0)
    assert (b.count, b.mean, b.max) == (2, pytest.approx(200e-6), pytest.approx(300e-6))
    assert c == Percentiles.empty()


def test_kitchen_counts_lost_and_duplicated_items() -> None:
    events = records(
        (10, 0, 2, Op.ITEM_PUT, 1),
        (20, 0, 2, Op.ITEM_PUT, 2),
        (30, 0, 2, Op.ITEM_PUT, 3),
        (40, 0, 2, Op.ITEM_PUT, 4),
        (50, 1, 2, Op.ITEM_TAKEN, 1),
        (60, 1, 2, Op.ITEM_TAKEN, 1),  # served twice
        (70, 1, 2, Op.ITEM_TAKEN, 5),  # never cooked
        (80, 1, 9, Op.ITEM_TAKEN, 2),  # another container
    )
    k = kitchen_stats(events, 2, [3])
    assert (k.produced, k.consumed, k.on_pass, k.lost, k.duplicated, k.max_occupancy) == (4, 3, 1, 2, 2, 4)
    assert k.occupancy_t_ns.tolist() == [10, 20, 30, 40, 50, 60, 70]
    assert k.occupancy.tolist() == [1, 2, 3, 4, 3, 2, 1]
    assert json.loads(json.dumps(k.to_dict()))["occupancy"] == [1, 2, 3, 4, 3, 2, 1]


def test_a_correct_kitchen_conserves_items_and_steps_once_per_instant() -> None:
    events = records((10, 0, 0, Op.ITEM_PUT, 1), (10, 1, 0, Op.ITEM_TAKEN, 1), (20, 0, 0, Op.ITEM_PUT, 2))
    k = kitchen_stats(events, 0, [2])
    assert (k.lost, k.duplicated, k.max_occupancy) == (0, 0, 1)
    assert k.produced == k.consumed - k.duplicated + k.on_pass + k.lost
    assert k.occupancy_t_ns.tolist() == [10, 20] and k.occupancy.tolist() == [0, 1]
    nothing = kitchen_stats(np.empty(0, EVENT_DTYPE), 0, [])
    assert (nothing.produced, nothing.max_occupancy, nothing.occupancy.size) == (0, 0, 0)
