"""Instrumented Condition and Barrier on both flavours: CPython's semantics and sentences,
the records each call writes (the lock given back and taken again), reuse and breaking."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

import pytest
from helpers import MS, Bench, bench, finish, meet_twice, of_op, start_agent, wait_notified, wait_until

from sims.primitives import BrokenBarrierError
from sims.runtime import RoundStopped
from sims.telemetry import Op

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(params=("thread", "process"))
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(params=("rlock", "lock"))
def lock_kind(request: pytest.FixtureRequest) -> str:
    return request.param


def condition_bench(b: Bench, lock_kind: str) -> Any:
    lock = b.rlock("mutex") if lock_kind == "rlock" else b.lock("mutex")
    cond = b.condition(lock, "ready")
    b.open()
    b.as_agent(0)
    return cond


# -- Condition -------------------------------------------------------------------------------
def test_wait_and_notify_without_the_lock_raise_cpythons_errors(backend: str, lock_kind: str) -> None:
    with bench(backend) as b:
        cond = condition_bench(b, lock_kind)
        with pytest.raises(RuntimeError, match=r"^cannot wait on un-acquired lock$"):
            cond.wait(0.01)
        with pytest.raises(RuntimeError, match=r"^cannot notify on un-acquired lock$"):
            cond.notify()
        with pytest.raises(RuntimeError, match=r"^cannot notify on un-acquired lock$"):
            cond.notify_all()
        with cond, pytest.raises(ValueError, match="needs n >= 0, got -1"):
            cond.notify(-1)
        assert [op for op, _ in b.ops(0)] == ["ACQUIRED", "RELEASED"]  # only the with around notify(-1)


def test_wait_gives_the_lock_back_and_notify_wakes_the_waiter_with_it_taken_again(backend: str, lock_kind: str) -> None:
    with bench(backend) as b:
        cond = condition_bench(b, lock_kind)
        lock = cond.lock

        def waiter() -> bool:
            with cond:
                return cond.wait()

        t = start_agent(b, 1, waiter)
        wait = b.wait_for(Op.WAIT, 1)
        assert wait["value"].tolist() == [-1]
        with cond:  # the waiter gave the lock back: we get it at once
            b.drain()
            assert cond.waiting == 1
            assert repr(cond) == f"<Condition 'ready' ({backend}) 1 waiting>"
            stats = cond.statistics()
            assert (stats.kind, stats.waiters, stats.holders, stats.lock) == ("condition", (1,), (0,), lock.index)
            cond.notify()
            assert cond.waiting == 0
        assert finish(t) is True
        b.drain()
        mine = [(Op(op).name, int(r)) for op, r in zip(b.events["op"], b.events["resource"], strict=True)]
        waiter_ops = [name for (name, _), agent in zip(mine, b.events["agent"].tolist(), strict=True) if agent == 1]
        # on the condition: WAIT ... WOKEN; on the lock: taken, given back while waiting, taken again
        if waiter_ops[4:5] == ["REQUEST"]:  # woken while we still held the lock: it waited to take it back
            del waiter_ops[4]
        assert waiter_ops == ["ACQUIRED", "WAIT", "RELEASED", "WOKEN", "ACQUIRED", "RELEASED"]
        notify = of_op(b.events, Op.NOTIFY, 0)
        woken = of_op(b.events, Op.WOKEN, 1)
        assert notify["value"].tolist() == [1]  # it names the waiter it woke
        assert notify["t_ns"][0] <= woken["t_ns"][0]
        assert woken["value"][0] > 0
        assert of_op(b.events, Op.WAIT, 1)["resource"][0] == cond.index
        assert of_op(b.events, Op.RELEASED, 1)["resource"][0] == lock.index


def test_notify_wakes_the_first_n_waiters_in_arrival_order(backend: str) -> None:
    with bench(backend) as b:
        cond = condition_bench(b, "rlock")
        order: list[int] = []

        def waiter(agent: int) -> Callable[[], None]:
            def run() -> None:
                with cond:
                    cond.wait()
                    order.append(agent)

            return run

        threads = []
        for agent in (1, 2, 3):
            threads.append(start_agent(b, agent, waiter(agent)))
            b.wait_for(Op.WAIT, agent)
        with cond:
            cond.notify(2)
        for t in threads[:2]:
            finish(t)
        assert sorted(order) == [1, 2] and cond.waiting == 1
        b.drain()
        assert cond.statistics().waiters == (3,)
        with cond:
            cond.notify_all()
            cond.notify()  # nobody left: recorded as a notify that woke nobody
        finish(threads[2])
        assert sorted(order) == [1, 2, 3]
        b.drain()
        assert of_op(b.events, Op.NOTIFY, 0)["value"].tolist() == [1, 2, 3, -1]


@pytest.mark.parametrize("around", ["condition", "lock"])
def test_a_wait_cut_short_by_the_round_leaves_the_with_block_without_releasing_twice(
    backend: str, lock_kind: str, around: str
) -> None:
    with bench(backend) as b:
        cond = condition_bench(b, lock_kind)

        def waiter() -> None:
            with cond if around == "condition" else cond.lock, cond.lock if lock_kind == "rlock" else nullcontext():
                cond.wait()

        t = start_agent(b, 1, waiter)
        b.wait_for(Op.WAIT, 1)
        b.stop()
        t.join(5)
        assert isinstance(t.error, RoundStopped)  # not "released too many times"
        assert [op for op, _ in b.ops(1)][-2:] == ["RELEASED", "ABANDONED"]
        assert cond.lock.acquire(False) is True  # the lock is free, and nobody released it twice


def test_a_bookkeeping_lock_left_held_by_a_killed_agent_does_not_hide_the_rounds_end(backend: str) -> None:
    with bench(backend) as b:
        cond = condition_bench(b, "rlock")
        barrier = b.barrier(2, "gate")
        cond._queue.meta.acquire()  # as if its holder had been killed in the middle of its bookkeeping
        barrier._queue.meta.acquire()

        def waiter() -> None:
            with cond:
                cond.wait()

        threads = [start_agent(b, 1, waiter), start_agent(b, 2, barrier.wait)]
        b.wait_for(Op.ACQUIRED, 1)  # agent 1 has the condition's lock and is stuck before its wait
        b.stop()
        for t in threads:
            t.join(5)
            assert not t.is_alive() and isinstance(t.error, RoundStopped)
        cond._queue.meta.release()
        barrier._queue.meta.release()


def test_wait_times_out_and_wait_for_checks_its_predicate(backend: str) -> None:
    with bench(backend) as b:
        cond = condition_bench(b, "rlock")
        with cond, cond:  # an RLock held twice is given back whole, and taken back twice
            assert cond.wait(0.05) is False
            assert cond.lock.recursion == 2
            assert cond.wait_for(lambda: False, 0.05) is False
            assert cond.wait(0) is False and cond.wait(-1) is False  # no wait at all
        ops = b.ops(0)
        assert ops[:5] == [("ACQUIRED", 0), ("RECURSION", 2), ("WAIT", 50 * MS), ("RELEASED", 0), ops[4]]
        assert ops[4][0] == "WAIT_TIMED_OUT" and ops[4][1] >= 50 * MS
        assert ops[5:7] == [("ACQUIRED", 0), ("RECURSION", 2)]
        ready = [False]

        def setter() -> None:
            with cond:
                ready[0] = True
                cond.notify_all()

        with cond:
            t = start_agent(b, 1, setter)  # it needs the lock, which wait_for gives back while it waits
            assert cond.wait_for(lambda: ready[0], 10) is True
        finish(t)
        b.drain()
        assert of_op(b.events, Op.NOTIFY, 1)["value"].tolist() == [0]


def test_a_condition_waiter_in_a_child_process_is_woken_by_a_notify() -> None:
    with bench("process") as b:
        cond, go = b.condition(None, "ready"), b.event("go")
        b.open()
        child = multiprocessing.get_context("spawn").Process(target=wait_notified, args=(b.rt, 2, cond, go))
        child.start()
        try:
            b.wait_for(Op.WAIT, 2, timeout=20)
            b.as_agent(0)
            with cond:
                assert cond.waiting == 1
                cond.notify()
            assert go.wait(10) is True
            ops = [op for op, _ in b.ops(2)]
            if ops[4:5] == ["REQUEST"]:  # woken while the notifier still held the lock: it waited to take it back
                del ops[4]
            assert ops == [
                "ACQUIRED",
                "WAIT",
                "RELEASED",
                "WOKEN",
                "ACQUIRED",
                "RELEASED",
                "SET",
            ]
        finally:
            child.join(10)
        assert child.exitcode == 0


# -- Barrier ---------------------------------------------------------------------------------
def test_a_barrier_lets_its_party_through_twice_with_each_arrival_index_once(backend: str) -> None:
    with bench(backend) as b:
        barrier = b.barrier(3, "gate")
        b.open()
        b.as_agent(0)
        assert (barrier.parties, barrier.n_waiting, barrier.broken) == (3, 0, False)
        first, second = [start_agent(b, agent, lambda: (barrier.wait(), barrier.wait())) for agent in (1, 2)]
        wait_until(lambda: barrier.n_waiting == 2)
        assert repr(barrier) == "<Barrier 'gate' 2/3 waiting>"
        b.drain()
        stats = barrier.statistics()
        assert (stats.kind, stats.parties, stats.n_waiting, stats.broken) == ("barrier", 3, 2, False)
        mine = [barrier.wait(), barrier.wait()]
        results = [mine, list(finish(first)), list(finish(second))]
        assert sorted(r[0] for r in results) == [0, 1, 2]  # every use hands out each index once
        assert sorted(r[1] for r in results) == [0, 1, 2]
        b.drain()
        assert len(of_op(b.events, Op.TRIPPED)) == 2  # one last arrival per use
        assert len(of_op(b.events, Op.WOKEN)) == 4
        assert barrier.n_waiting == 0 and not barrier.statistics().waiters


def test_abort_breaks_the_barrier_for_waiters_and_later_arrivals_until_reset(backend: str) -> None:
    with bench(backend) as b:
        barrier = b.barrier(2, "gate")
        b.open()
        b.as_agent(0)
        t = start_agent(b, 1, barrier.wait)
        wait_until(lambda: barrier.n_waiting == 1)
        barrier.abort()
        with pytest.raises(BrokenBarrierError):
            finish(t)
        assert barrier.broken and repr(barrier) == "<Barrier 'gate' broken>"
        with pytest.raises(BrokenBarrierError):
            barrier.wait()
        b.drain()
        assert barrier.statistics().broken is True
        barrier.reset()
        assert not barrier.broken
        b.drain()
        assert barrier.statistics().broken is False
        assert [op for op, _ in b.ops(1)] == ["WAIT", "BROKEN"]
        assert [op for op, _ in b.ops(0)] == ["BREAK", "BROKEN", "RESET"]
        t = start_agent(b, 1, barrier.wait)
        assert barrier.wait() in (0, 1)  # usable again
        finish(t)


def test_reset_breaks_the_waiters_of_the_moment_and_a_timeout_breaks_the_barrier(backend: str) -> None:
    with bench(backend) as b:
        barrier = b.barrier(3, "gate")
        b.open()
        b.as_agent(0)
        t = start_agent(b, 1, barrier.wait)
        wait_until(lambda: barrier.n_waiting == 1)
        barrier.reset()
        with pytest.raises(BrokenBarrierError):
            finish(t)
        assert not barrier.broken and barrier.n_waiting == 0
        with pytest.raises(BrokenBarrierError):
            barrier.wait(0.05)  # nobody else comes: the time-out breaks it for everyone
        assert barrier.broken
        ops = b.ops(0)
        assert [op for op, _ in ops] == ["RESET", "WAIT", "WAIT_TIMED_OUT", "BREAK"]
        assert ops[1][1] == 50 * MS


def test_a_barrier_of_one_never_waits_and_bad_parties_are_refused(backend: str) -> None:
    with bench(backend) as b:
        with pytest.raises(ValueError, match="parties must be >= 1, got 0"):
            b.barrier(0, "none")
        barrier = b.barrier(1, "alone")
        b.open()
        b.as_agent(0)
        assert [barrier.wait(), barrier.wait()] == [0, 0]
        assert b.ops(0) == [("TRIPPED", 1), ("TRIPPED", 1)]


def test_a_barrier_met_twice_by_child_processes() -> None:
    with bench("process") as b:
        barrier = b.barrier(3, "gate")
        b.open()
        ctx = multiprocessing.get_context("spawn")
        children = [ctx.Process(target=meet_twice, args=(b.rt, agent, barrier)) for agent in (1, 2)]
        for child in children:
            child.start()
        try:
            b.as_agent(0)
            assert sorted([barrier.wait(20), barrier.wait(20)]) in ([0, 0], [0, 1], [0, 2], [1, 1], [1, 2], [2, 2])
        finally:
            for child in children:
                child.join(20)
        assert [child.exitcode for child in children] == [0, 0]
        b.drain()
        assert len(of_op(b.events, Op.TRIPPED)) == 2
        assert not barrier.broken


def test_a_thread_that_is_not_an_agent_may_not_wait(backend: str) -> None:
    with bench(backend) as b:
        barrier = b.barrier(2, "gate")
        b.open()
        outcome: list[type[BaseException]] = []

        def stranger() -> None:
            try:
                barrier.wait(1)
            except BaseException as exc:
                outcome.append(type(exc))

        t = threading.Thread(target=stranger)
        t.start()
        t.join()
        assert outcome[0].__name__ == "NotAnAgent" and barrier.n_waiting == 0
