"""Instrumented Lock, RLock, Semaphore and Event: their methods, the records each call emits,
and the live-resizable semaphore (no permit lost or invented), on both flavours.
(Condition and Barrier: tests/test_condition_barrier.py.)"""

from __future__ import annotations

import multiprocessing
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from helpers import (
    MS,
    AgentThread,
    Bench,
    bench,
    finish,
    hold_until,
    holders_over_capacity,
    of_op,
    start_agent,
    wait_until,
)
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from sims.primitives.semaphore import MAX_PERMITS
from sims.runtime import NotAnAgent, RoundStopped
from sims.telemetry import Op

pytestmark = pytest.mark.timeout(60)

BACKENDS = ("thread", "process")
ENGINE = 3  # the agent index the tests' main thread writes as when it plays the engine


LOCK_LIKE: dict[str, Callable[[Bench], Any]] = {
    "lock": lambda b: b.lock(),
    "rlock": lambda b: b.rlock(),
    "semaphore(1)": lambda b: b.semaphore(1),
}
REENTRANT = {"rlock"}  # its holder may take it again (and must give it back as often)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(params=list(LOCK_LIKE))
def kind(request: pytest.FixtureRequest) -> str:
    return request.param


@contextmanager
def lock_like(backend: str, kind: str) -> Iterator[tuple[Bench, Any]]:
    """A bench with one lock-like primitive, the calling thread bound as agent 0.

    Made inside each test (not a fixture) so that nothing keeps the primitive alive after
    the test: multiprocessing removes a semaphore's name only when the object is freed.
    """
    with bench(backend) as b:
        primitive = LOCK_LIKE[kind](b)
        b.open()
        b.as_agent(0)
        yield b, primitive


@contextmanager
def held_by_another(b: Bench, lockish: Any, agent: int = 2) -> Iterator[None]:
    """``agent`` holds ``lockish`` (from a thread of its own) for the duration."""
    done = threading.Event()

    def hold() -> None:
        lockish.acquire()
        done.wait(10)
        lockish.release()

    holder = start_agent(b, agent, hold)
    b.wait_for(Op.ACQUIRED, agent)
    try:
        yield
    finally:
        done.set()
        finish(holder)


# -- the contract every lock-like primitive keeps -------------------------------------------
def test_fast_path_records_only_acquired_with_zero_wait(backend: str, kind: str) -> None:
    with lock_like(backend, kind) as (b, lockish):
        assert lockish.acquire() is True
        lockish.release()
        assert b.ops(0) == [("ACQUIRED", 0), ("RELEASED", 0)]


def test_context_manager_acquires_and_releases(backend: str, kind: str) -> None:
    with lock_like(backend, kind) as (b, lockish):
        again = kind in REENTRANT
        with lockish as got:
            assert got is True
            assert lockish.acquire(blocking=False) is again  # held: only an RLock lets its holder in again
            if again:
                lockish.release()
        assert lockish.acquire(blocking=False) is True  # given back on exit
        lockish.release()
        inside = [("RECURSION", 2), ("RECURSION", 1)] if again else [("TIMED_OUT", 0)]
        assert b.ops(0) == [("ACQUIRED", 0), *inside, ("RELEASED", 0), ("ACQUIRED", 0), ("RELEASED", 0)]


def test_non_blocking_acquire_of_a_held_primitive_fails_at_once(backend: str, kind: str) -> None:
    with lock_like(backend, kind) as (b, lockish), held_by_another(b, lockish):
        assert lockish.acquire(False) is False
        assert lockish.acquire(True, 0) is False  # a zero timeout is a non-blocking try
        # no REQUEST: neither try ever waited (counted, not timed: a busy machine may pause us)
        assert [op for op, _ in b.ops(0)] == ["TIMED_OUT", "TIMED_OUT"]


def test_timed_acquire_waits_its_timeout_and_records_request_and_timed_out(backend: str, kind: str) -> None:
    with lock_like(backend, kind) as (b, lockish), held_by_another(b, lockish):
        started = time.monotonic()
        assert lockish.acquire(timeout=0.12) is False
        assert time.monotonic() - started >= 0.12
        records = b.ops(0)
        assert [op for op, _ in records] == ["REQUEST", "TIMED_OUT"]
        assert records[0][1] == 120 * MS  # the request carries its timeout
        assert records[1][1] >= 120 * MS  # and the time-out how long it waited


def test_contended_acquire_records_request_then_acquired_with_the_wait(backend: str, kind: str) -> None:
    with lock_like(backend, kind) as (b, lockish):
        lockish.acquire()
        done = threading.Event()

        def take_and_hold() -> bool:
            got = lockish.acquire()
            done.wait(10)
            lockish.release()  # by the thread that took it (an RLock's owner is a thread)
            return bool(got)

        waiter = start_agent(b, 1, take_and_hold)
        request = b.wait_for(Op.REQUEST, 1)
        assert request["value"].tolist() == [-1]  # waits forever
        stats = lockish.statistics()
        assert (stats.holders, stats.waiters, stats.capacity) == ((0,), (1,), 1)
        lockish.release()
        acquired = b.wait_for(Op.ACQUIRED, 1)
        released = of_op(b.events, Op.RELEASED, 0)
        assert acquired["value"][0] > 0
        assert released["t_ns"][0] <= acquired["t_ns"][0]  # the hand-over is ordered in time
        stats = lockish.statistics()
        assert (stats.holders, stats.waiters) == ((1,), ())
        done.set()
        assert finish(waiter) is True


def test_blocking_call_ends_with_the_round_and_records_abandoned(backend: str, kind: str) -> None:
    with lock_like(backend, kind) as (b, lockish):
        lockish.acquire()
        waiter = start_agent(b, 1, lockish.acquire)
        b.wait_for(Op.REQUEST, 1)
        b.stop()
        waiter.join(2)
        assert not waiter.is_alive()
        assert isinstance(waiter.error, RoundStopped)
        abandoned = b.wait_for(Op.ABANDONED, 1)
        assert abandoned["value"][0] > 0
        assert len(of_op(b.events, Op.ACQUIRED, 1)) == 0  # a stopped waiter never proceeds


def test_a_thread_that_is_not_an_agent_may_not_use_a_primitive(backend: str, kind: str) -> None:
    with lock_like(backend, kind) as (_, lockish):
        outcome: list[type[BaseException]] = []

        def stranger() -> None:
            try:
                lockish.acquire()
            except BaseException as exc:
                outcome.append(type(exc))

        t = threading.Thread(target=stranger)
        t.start()
        t.join()
        assert outcome == [NotAnAgent]


def test_releasing_an_unheld_lock_raises(backend: str) -> None:
    with bench(backend) as b:
        lock = b.lock()
        b.open()
        b.as_agent(0)
        with pytest.raises((RuntimeError, ValueError)):
            lock.release()


# -- RLock -----------------------------------------------------------------------------------
def test_rlock_counts_its_levels_and_only_its_owner_may_release_it(backend: str) -> None:
    with bench(backend) as b:
        rlock = b.rlock("r")
        b.open()
        b.as_agent(0)
        with rlock, rlock:
            assert rlock.recursion == 2
            assert repr(rlock) == f"<RLock 'r' #0 held by agent 0, level 2 ({backend})>"
            b.drain()
            stats = rlock.statistics()
            assert (stats.holders, stats.recursion) == ((0,), 2)
            stranger = start_agent(b, 1, rlock.release)
            finish_error = stranger.join(5) or stranger.error
            assert isinstance(finish_error, RuntimeError)
            assert str(finish_error) == "cannot release un-acquired lock"  # CPython's sentence
            assert rlock.acquire(False) is True  # its owner gets in at once
            rlock.release()
        assert (rlock.recursion, repr(rlock)) == (0, f"<RLock 'r' #0 free ({backend})>")
        b.drain()
        assert rlock.statistics().recursion == 0
        with pytest.raises(RuntimeError, match=r"^cannot release un-acquired lock$"):
            rlock.release()
        assert [op for op, _ in b.ops(0)] == ["ACQUIRED"] + ["RECURSION"] * 4 + ["RELEASED"]


# -- Event -----------------------------------------------------------------------------------
def test_event_set_clear_is_set_and_the_records(backend: str) -> None:
    with bench(backend) as b:
        event = b.event()
        b.open()
        b.as_agent(0)
        assert event.is_set() is False
        assert event.wait(0.05) is False
        event.set()
        assert event.is_set() is True
        assert event.wait() is True  # already set: no WAIT record, a zero WOKEN
        event.clear()
        assert event.is_set() is False
        records = b.ops(0)
        assert [op for op, _ in records] == ["WAIT", "WAIT_TIMED_OUT", "SET", "WOKEN", "CLEAR"]
        assert records[0][1] == 50 * MS
        assert records[1][1] >= 50 * MS
        assert records[3][1] == 0
        assert event.statistics().is_set is False


def test_event_wait_is_woken_by_set_from_another_agent(backend: str) -> None:
    with bench(backend) as b:
        event = b.event()
        b.open()
        b.as_agent(0)
        waiter = start_agent(b, 1, event.wait)
        wait = b.wait_for(Op.WAIT, 1)
        assert wait["value"].tolist() == [-1]
        event.set()
        assert finish(waiter) is True
        woken = b.wait_for(Op.WOKEN, 1)
        set_at = of_op(b.events, Op.SET, 0)["t_ns"][0]
        assert woken["value"][0] > 0
        assert set_at <= woken["t_ns"][0]
        assert event.statistics().is_set is True


def test_event_wait_ends_with_the_round(backend: str) -> None:
    with bench(backend) as b:
        event = b.event()
        b.open()
        waiter = start_agent(b, 1, event.wait)
        b.wait_for(Op.WAIT, 1)
        b.stop()
        waiter.join(2)
        assert isinstance(waiter.error, RoundStopped)
        assert len(b.wait_for(Op.ABANDONED, 1)) == 1


# -- Semaphore -------------------------------------------------------------------------------
def test_semaphore_counts_permits_and_statistics_show_holders(backend: str) -> None:
    with bench(backend) as b:
        sem = b.semaphore(2)
        b.open()
        for agent in (0, 1):
            b.as_agent(agent)
            assert sem.acquire() is True
        b.as_agent(2)
        assert sem.acquire(False) is False
        b.drain()
        stats = sem.statistics()
        assert (stats.holders, stats.capacity, stats.kind) == ((0, 1), 2, "semaphore")
        for agent in (0, 1):
            b.as_agent(agent)
            sem.release()
        b.drain()
        assert sem.statistics().holders == ()


def test_semaphore_rejects_a_negative_value_or_capacity(backend: str) -> None:
    with bench(backend) as b:
        with pytest.raises(ValueError, match="initial value must be >= 0"):
            b.semaphore(-1, "broken")
        sem = b.semaphore(1)
        b.open()
        b.as_agent(ENGINE)
        with pytest.raises(ValueError, match="capacity must be >= 0"):
            sem.resize(-2)
        with pytest.raises(ValueError, match=f"capacity must be at most {MAX_PERMITS}"):
            sem.resize(MAX_PERMITS + 1)  # a resize releases permits one by one: it must stay short
        assert sem.capacity == 1


def test_growing_releases_new_permits_at_once_to_a_waiter(backend: str) -> None:
    with bench(backend) as b:
        sem = b.semaphore(1)
        b.open()
        b.as_agent(0)
        sem.acquire()
        waiter = start_agent(b, 1, sem.acquire)
        b.wait_for(Op.REQUEST, 1)
        b.as_agent(ENGINE)
        assert sem.resize(2) == 0
        assert finish(waiter) is True
        acquired = b.wait_for(Op.ACQUIRED, 1)
        grown = of_op(b.events, Op.CAPACITY, ENGINE)
        assert grown["value"].tolist() == [2]
        assert grown["t_ns"][0] <= acquired["t_ns"][0]  # recorded before the new permit could be taken
        assert acquired["value"][0] > 0
        assert (sem.capacity, sem.pending) == (2, 0)


def test_shrinking_takes_free_permits_at_once_and_the_rest_as_holders_return_them(backend: str) -> None:
    with bench(backend) as b:
        sem = b.semaphore(3)
        b.open()
        for agent in (0, 1):
            b.as_agent(agent)
            sem.acquire()
        b.as_agent(ENGINE)
        assert sem.resize(1) == 1  # one free permit taken now, one still held: pending
        assert (sem.capacity, sem.pending, sem.target) == (2, 1, 1)
        assert b.ops(ENGINE) == [("CAPACITY", 2), ("PENDING", 1)]
        b.as_agent(2)
        assert sem.acquire(False) is False  # the free permit is gone
        b.as_agent(0)
        sem.release()  # kept for the shrink
        assert b.ops(0)[-3:] == [("RELEASED", 0), ("CAPACITY", 1), ("PENDING", 0)]
        assert (sem.capacity, sem.pending) == (1, 0)
        b.as_agent(2)
        assert sem.acquire(False) is False  # agent 1 holds the only permit
        b.as_agent(1)
        sem.release()  # an ordinary return now
        assert b.ops(1)[-1] == ("RELEASED", 0)
        b.as_agent(2)
        assert sem.acquire(False) is True
        assert sem.acquire(False) is False
        sem.release()
        b.drain()
        assert holders_over_capacity(b.events, sem.index, 3) == []


def test_growing_cancels_a_pending_shrink_before_adding_permits(backend: str) -> None:
    with bench(backend) as b:
        sem = b.semaphore(2)
        b.open()
        b.as_agent(0)
        sem.acquire()
        sem.acquire()
        b.as_agent(ENGINE)
        assert sem.resize(0) == 2
        assert sem.resize(1) == 1  # one pending cancelled; no new permit appears
        assert (sem.capacity, sem.pending) == (2, 1)
        b.as_agent(0)
        sem.release()  # swallowed by the remaining pending
        sem.release()  # stays in circulation: capacity 1
        assert (sem.capacity, sem.pending) == (1, 0)
        assert sem.acquire(False) is True
        assert sem.acquire(False) is False
        sem.release()
        b.as_agent(ENGINE)
        assert sem.resize(3) == 0
        b.as_agent(0)
        assert [sem.acquire(False) for _ in range(4)] == [True, True, True, False]
        b.drain()
        assert holders_over_capacity(b.events, sem.index, 2) == []


def test_a_shrink_during_a_release_takes_the_returned_permit() -> None:
    """A resize that runs while a holder is inside release() (after it saw no pending
    shrink, before its permit is back) must still end with the permit taken, not free.

    The interleaving is forced by running the resize from inside the semaphore's release.
    """
    with bench("thread") as b:
        sem = b.semaphore(1)
        b.open()
        b.as_agent(0)
        sem.acquire()
        inner = sem._raw

        class ShrinkOnRelease:
            def acquire(self, *args: Any) -> bool:
                return inner.acquire(*args)

            def release(self) -> None:
                sem._raw = inner  # once only
                sem.resize(0)  # the engine's shrink lands in the window
                inner.release()

        sem._raw = ShrinkOnRelease()
        sem.release()
        assert sem.acquire(False) is False, "a permit is free although capacity was shrunk to 0"
        assert (sem.capacity, sem.pending) == (0, 0)


def test_a_release_during_a_shrink_is_taken_by_the_shrink() -> None:
    """The other order: the shrink finds no free permit, then (before it records the
    permit as pending) a holder returns one. The returned permit must still be taken.

    Forced by returning the permit from another agent inside the shrink's own try.
    """
    with bench("thread") as b:
        sem = b.semaphore(1)
        b.open()
        b.as_agent(0)
        sem.acquire()
        b.drain()
        inner = sem._raw
        releaser = AgentThread(b, 1, sem.release)

        class ReleaseDuringShrink:
            def acquire(self, *args: Any) -> bool:
                sem._raw = inner  # once only
                got = inner.acquire(*args)  # the shrink finds nothing free...
                releaser.start()  # ...and the holder gives its permit back right now
                releaser.join(0.3)  # (a fixed engine makes it wait for the shrink: fine)
                return got

            def release(self) -> None:
                inner.release()

        sem._raw = ReleaseDuringShrink()
        b.as_agent(ENGINE)
        sem.resize(0)
        finish(releaser)
        assert (sem.capacity, sem.pending) == (0, 0)
        assert sem.acquire(False) is False, "a permit is free although capacity was shrunk to 0"


@pytest.mark.parametrize("backend", BACKENDS)
def test_resizing_under_load_never_loses_or_invents_a_permit(backend: str) -> None:
    rng = random.Random(7)
    with bench(backend, rings=5, capacity=1 << 15) as b:
        sem = b.semaphore(2)
        b.open()
        go_on = threading.Event()

        def worker() -> int:
            got = 0
            while not go_on.is_set():
                if sem.acquire(timeout=0.01):
                    got += 1
                    go_on.wait(0.0002)  # the work done while holding a permit
                    sem.release()
                go_on.wait(0.0002)
            return got

        workers = [start_agent(b, agent, worker) for agent in range(4)]
        b.as_agent(4)
        deadline = time.monotonic() + 0.8
        tick = threading.Event()
        while time.monotonic() < deadline:
            sem.resize(rng.randrange(0, 5))
            tick.wait(0.003)
            b.drain()
        sem.resize(3)
        go_on.set()
        assert sum(finish(w) for w in workers) > 0
        b.drain()
        assert b.reader is not None and b.reader.dropped() == 0
        assert holders_over_capacity(b.events, sem.index, 2) == []
        free = 0
        while sem.acquire(False):
            free += 1
        assert free == sem.capacity  # every permit in circulation is really there
        assert sem.capacity - sem.pending == 3


class ResizeMachine(RuleBasedStateMachine):
    """Acquire, release and resize in any order: the semaphore matches a simple model."""

    @initialize()
    def setup(self) -> None:
        self.bench = Bench("thread", rings=1)
        self.sem = self.bench.semaphore(2)
        self.bench.open()
        self.bench.as_agent(0)
        self.held = 0
        self.effective = 2
        self.pending = 0

    @rule()
    def acquire(self) -> None:
        got = self.sem.acquire(False)
        assert got == (self.held < self.effective)
        self.held += got

    @precondition(lambda self: self.held > 0)
    @rule()
    def release(self) -> None:
        self.sem.release()
        self.held -= 1
        if self.pending:
            self.pending -= 1
            self.effective -= 1

    @rule(capacity=st.integers(0, 5))
    def resize(self, capacity: int) -> None:
        change = capacity - (self.effective - self.pending)
        if change > 0:
            cancelled = min(change, self.pending)
            self.pending -= cancelled
            self.effective += change - cancelled
        elif change < 0:
            taken = min(-change, self.effective - self.held)
            self.effective -= taken
            self.pending += -change - taken
        assert self.sem.resize(capacity) == self.pending

    @invariant()
    def matches_the_model(self) -> None:
        if hasattr(self, "sem"):
            assert (self.sem.capacity, self.sem.pending) == (self.effective, self.pending)
            assert self.held <= self.effective

    def teardown(self) -> None:
        if not hasattr(self, "sem"):
            return
        try:
            for _ in range(self.held):
                self.sem.release()
            free = 0
            while self.sem.acquire(False):
                free += 1
            assert free == self.sem.capacity == self.sem.target  # nothing lost, nothing invented
            self.bench.drain()
            assert holders_over_capacity(self.bench.events, self.sem.index, 2) == []
        finally:
            self.bench.close()


ResizeMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
test_resize_state_machine = ResizeMachine.TestCase


# -- across processes ------------------------------------------------------------------------
def test_a_lock_held_by_a_child_process_blocks_and_then_hands_over() -> None:
    with bench("process") as b:
        lock, go = b.lock(), b.event("go")
        b.open()
        ctx = multiprocessing.get_context("spawn")
        child = ctx.Process(target=hold_until, args=(b.rt, 2, lock, go))
        child.start()
        try:
            b.wait_for(Op.ACQUIRED, 2, timeout=20)
            b.as_agent(0)
            assert lock.acquire(timeout=0.05) is False
            waiter = start_agent(b, 1, lock.acquire)
            b.wait_for(Op.REQUEST, 1)
            go.set()
            assert finish(waiter) is True
            acquired = b.wait_for(Op.ACQUIRED, 1)
            released = b.wait_for(Op.RELEASED, 2)
            assert acquired["value"][0] > 0
            assert released["t_ns"][0] <= acquired["t_ns"][0]
            assert [op for op, _ in b.ops(2)] == ["ACQUIRED", "WAIT", "WOKEN", "RELEASED"]
            b.as_agent(1)
            lock.release()
        finally:
            child.join(10)
        assert child.exitcode == 0


def test_a_child_process_returns_a_permit_to_a_pending_shrink() -> None:
    with bench("process") as b:
        sem, go = b.semaphore(1), b.event("go")
        b.open()
        child = multiprocessing.get_context("spawn").Process(target=hold_until, args=(b.rt, 2, sem, go))
        child.start()
        try:
            b.wait_for(Op.ACQUIRED, 2, timeout=20)
            b.as_agent(ENGINE)
            assert sem.resize(0) == 1
            go.set()
            child.join(10)
            assert child.exitcode == 0
            assert b.ops(2)[-3:] == [("RELEASED", 0), ("CAPACITY", 0), ("PENDING", 0)]  # the child kept it
            assert (sem.capacity, sem.pending) == (0, 0)  # seen through the shared counters
            b.as_agent(0)
            assert sem.acquire(False) is False
        finally:
            child.join(10)
        wait_until(lambda: not child.is_alive())
