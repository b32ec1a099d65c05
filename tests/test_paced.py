"""What a paced agent sleeps on and reads at every pause point: the stop bell (a latch every
wait passes on), the control block's ``ATTENTION`` word, and ``Me.pace``'s short naps."""

from __future__ import annotations

import multiprocessing
import threading
import types
from collections.abc import Iterator
from typing import Any

import pytest

from sims.agents.me import NAP_S, Me
from sims.rounds.commands import PauseAgent, ResumeAgent, SlowAgent
from sims.runtime import ATTENTION, GATED, PAUSED, SCALE, STOP, Doorbell, RoundStopped, Runtime

pytestmark = pytest.mark.timeout(120)

WAITERS = 3
LONG_S = 60.0  # a wait the test must see cut short: far longer than its join's safety net
JOIN_S = 30.0


def wait_and_report(bell: Doorbell, ready: Any, woken: Any) -> None:
    """A waiter (thread or child process): says it is about to wait, then counts a True wait."""
    ready.release()
    if bell.wait(LONG_S):
        woken.release()


def _sync(ctx: Any) -> Any:
    return threading if ctx is None else ctx


@pytest.mark.parametrize("backend", ["thread", "process"])
def test_a_rung_bell_wakes_every_waiter_and_stays_open(backend: str) -> None:
    ctx = multiprocessing.get_context("spawn") if backend == "process" else None
    bell = Doorbell(ctx)
    ready, woken = _sync(ctx).Semaphore(0), _sync(ctx).Semaphore(0)
    make: Any = threading.Thread if ctx is None else ctx.Process
    waiters = [make(target=wait_and_report, args=(bell, ready, woken)) for _ in range(WAITERS)]
    for w in waiters:
        w.start()
    try:
        for _ in waiters:
            assert ready.acquire(True, JOIN_S)
        bell.ring()
        bell.ring()  # a second ring changes nothing (a raw lock released twice would raise)
        assert all(woken.acquire(True, JOIN_S) for _ in waiters)  # each of them, not just one
        assert bell.wait(LONG_S) and bell.wait(LONG_S)  # still open: every later wait is True at once
    finally:
        bell.ring()
        for w in waiters:
            w.join(JOIN_S)
    assert not any(w.is_alive() for w in waiters)


@pytest.mark.parametrize("backend", ["thread", "process"])
def test_a_wait_on_a_bell_never_rung_times_out(backend: str) -> None:
    bell = Doorbell(multiprocessing.get_context("spawn") if backend == "process" else None)
    assert [bell.wait(0.01) for _ in range(3)] == [False] * 3  # each wait gives up, none is passed on


def test_the_taker_is_the_wait_in_two_halves() -> None:
    bell = Doorbell(None)
    take = bell.taker()
    assert not take(True, 0.01)
    bell.ring()
    assert take(True, LONG_S)  # the wake-up is ours now...
    bell.pass_on()  # ...and handed on, so the next wait sees it
    assert bell.wait(LONG_S)


@pytest.fixture
def runtime() -> Iterator[Runtime]:
    rt = Runtime(None, shared=False)
    rt.allocate(2, 1 << 12)
    yield rt
    rt.close()


def test_attention_is_raised_while_anything_would_hold_or_end_an_agent(runtime: Runtime) -> None:
    seen = []

    def look() -> None:
        seen.append(runtime.control[ATTENTION])

    look()
    runtime.set_control(PAUSED, 1.0)
    look()
    runtime.set_agent(1, PauseAgent(1).slots())
    runtime.set_control(PAUSED, 0.0)
    look()  # agent 1 is still held on its own
    runtime.set_agent(1, ResumeAgent(1).slots())
    look()
    runtime.set_agent(0, SlowAgent(0, 3.0).slots())
    runtime.set_control(SCALE, 2.0)
    look()  # slow-downs are read at every pace anyway: no attention needed
    runtime.set_control(GATED, 1.0)
    look()
    runtime.set_control(GATED, 0.0)
    look()
    runtime.set_control(STOP, 1.0)
    look()
    assert seen == [0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0]


def _me(rt: Runtime, index: int = 0) -> Me:
    writer = types.SimpleNamespace(emit=lambda code, value: None)
    return Me(index, f"agent {index}", "thread", rt, writer, None, seed=7, step_labels={})  # type: ignore[arg-type]


def test_a_short_pace_is_a_nap_that_notices_the_end_after_it(runtime: Runtime) -> None:
    me = _me(runtime)
    me.pace(NAP_S * 1000 / 2)  # within a nap, the round going on: returns
    runtime.set_control(STOP, 1.0)  # the bell is not rung: only the look after the nap can see it
    with pytest.raises(RoundStopped):
        me.pace(NAP_S * 1000 / 2)


def test_a_long_pace_is_cut_short_by_the_stop_bell(runtime: Runtime) -> None:
    me = _me(runtime)
    outcome: list[str] = []

    def agent() -> None:
        try:
            me.pace(LONG_S * 1000, jitter=False)
            outcome.append("slept")
        except RoundStopped:
            outcome.append("stopped")

    thread = threading.Thread(target=agent)
    thread.start()
    runtime.set_control(STOP, 1.0)
    runtime.stop_bell.ring()
    thread.join(JOIN_S)
    assert not thread.is_alive() and outcome == ["stopped"]


def test_a_round_pause_holds_a_running_agent_until_resumed(runtime: Runtime) -> None:
    me = _me(runtime)
    assert me.running()
    runtime.set_control(PAUSED, 1.0)
    looks = []
    real_wait = runtime.stop_bell.wait

    def wait(seconds: float) -> bool:  # each slice of the pause; the third one is resumed
        looks.append(seconds)
        if len(looks) == 3:
            runtime.set_control(PAUSED, 0.0)
        return real_wait(0.001)

    runtime.stop_bell.wait = wait  # type: ignore[method-assign]
    assert me.running()
    assert len(looks) == 3
    runtime.set_control(STOP, 1.0)
    assert not me.running()
