"""Where an instrumented meal's time goes: ns per call of every step a philosopher takes.

Usage: ``python tools/_bench_breakdown.py [--pairs N] [--repeats R]``

One thread, no contention: the calls a ``dining`` philosopher makes per meal (``me.running``,
``me.state``, ``me.pace(0)``, ``me.step``, our Lock's acquire/release), each timed alone in a
loop, then the whole meal, instrumented and raw. Thread flavour (ring in process memory).
Used to back the hot-path suggestions in ``docs/benchmarks.md``; not part of the table.
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable
from typing import Any

from sims import DETAIL, Backend, Runtime
from sims.agents import AgentBody, Me
from sims.primitives import Lock, Tally
from sims.rounds import World
from sims.scenarios import scenario_named
from sims.telemetry import Op, RingReader, State, op_code

CAPACITY = 1 << 17
LABELS = {"take first fork": 0, "take second fork": 1}


def _loop_ns(call: Callable[[], object], n: int) -> int:
    start = time.thread_time_ns()
    for _ in range(n):
        call()
    return time.thread_time_ns() - start


def _meal(me: Me, first: Lock, second: Lock) -> Callable[[], None]:
    """One iteration of ``Philosopher.run`` at zero think/eat, call for call (as it was before
    the loop stopped calling empty pauses and looking up enum members: see ``_philosopher_ns``)."""

    def meal() -> None:
        me.running()
        me.state(State.THINKING)
        me.pace(0)
        me.state(State.HUNGRY)
        me.step("take first fork")
        with first:
            me.step("take second fork")
            with second:
                me.state(State.EATING)
                me.pace(0)

    return meal


def _philosopher(rt: Runtime) -> AgentBody:
    """The first philosopher of ``dining ordered`` at zero think/eat, built by the scenario itself
    (with the forks it gives him), on ``rt``."""
    dining = scenario_named("dining")
    world = World(Backend.THREAD, None, rt)
    dining.build(world, "ordered", dining.resolve({"agents": 2, "think_ms": 0.0, "eat_ms": 0.0}), 0)
    return world.agents[0][1]


def _philosopher_ns(me: Me, body: AgentBody, n: int) -> int:
    """Thread CPU of ``n`` meals of the scenario's own ``Philosopher.run``, less that of the
    countdown that ends it: ``me.running`` says False after ``n`` meals."""
    running = me.running

    def countdown() -> Callable[[], bool]:
        left = [n]

        def check() -> bool:
            left[0] -= 1
            return left[0] >= 0 and running()

        return check

    me.running = countdown()  # type: ignore[method-assign]
    try:
        start = time.thread_time_ns()
        body.run(me)
        meals = time.thread_time_ns() - start
    finally:
        del me.running
    check = countdown()
    start = time.thread_time_ns()
    while check():
        pass
    return meals - (time.thread_time_ns() - start)


def _floor_meal(writer: Any, first: threading.Lock, second: threading.Lock, control: list[float]) -> Callable[[], None]:
    """The least a 5-record meal can cost in Python: raw locks and emit calls, nothing else."""
    emit = writer.emit
    acq1, acq2, rel1, rel2 = (
        op_code(op, r) for op, r in ((Op.ACQUIRED, 0), (Op.ACQUIRED, 1), (Op.RELEASED, 0), (Op.RELEASED, 1))
    )
    state, eating = op_code(Op.STATE), int(State.EATING)

    def meal() -> None:
        if control[0] == 0.0 and first.acquire(False):
            emit(acq1, 0)
            if second.acquire(False):
                emit(acq2, 0)
                emit(state, eating)
                emit(rel2, 0)
                second.release()
            emit(rel1, 0)
            first.release()

    return meal


def _raw_meal(first: threading.Lock, second: threading.Lock, stop: list[float]) -> Callable[[], None]:
    def meal() -> None:
        if stop[0] == 0.0:
            with first, second:
                pass

    return meal


def measure(n: int, repeats: int) -> list[tuple[str, float]]:
    rt = Runtime(None, shared=False)
    rt.allocate(1, CAPACITY)
    writer = rt.bind(0, 0)
    reader = rt.reader()
    me = Me(0, "bench", "thread", rt, writer, threading.Semaphore(0), 1, LABELS)
    first, second = Lock("fork 0", 0, rt), Lock("fork 1", 1, rt)
    code = op_code(Op.ACQUIRED, 0)
    raw_first, raw_second = threading.Lock(), threading.Lock()

    def pair() -> None:
        first.acquire()
        first.release()

    def with_pair() -> None:
        with first:
            pass

    calls: list[tuple[str, Callable[[], object]]] = [
        ("empty call (loop + lambda)", lambda: None),
        ("time.monotonic_ns()", time.monotonic_ns),
        ("writer.emit(code, 0)", lambda: writer.emit(code, 0)),
        ("runtime.writer() lookup", rt.writer),
        ("me.running()", me.running),
        ("me.state(EATING)", lambda: me.state(State.EATING)),
        ("me.pace(0)", lambda: me.pace(0)),
        ("me.step(label), detail on", lambda: me.step("take first fork")),
        ("Lock acquire+release (2 records)", pair),
        ("with Lock (2 records)", with_pair),
        ("raw threading.Lock acquire+release", lambda: (raw_first.acquire(), raw_first.release())),
        ("meal, detail on (9 records)", _meal(me, first, second)),
        ("meal, raw locks", _raw_meal(raw_first, raw_second, [0.0])),
    ]
    found = []
    for name, call in calls:
        best = min(_timed(call, n, reader) for _ in range(repeats))
        found.append((name, best / n))
    rt.control[DETAIL] = 0.0  # a lean round: steps unrecorded, only the counted state (EATING) kept
    lean = Me(0, "bench", "thread", rt, writer, threading.Semaphore(0), 1, LABELS, frozenset({int(State.EATING)}))
    for name, call in (
        ("lean me.step(label)", lambda: lean.step("take first fork")),
        ("lean me.state(THINKING) (not kept)", lambda: lean.state(State.THINKING)),
        ("meal, lean (5 records)", _meal(lean, first, second)),
        ("meal floor: 5 emits + raw locks inline", _floor_meal(writer, raw_first, raw_second, [0.0])),
    ):
        found.append((name, min(_timed(call, n, reader) for _ in range(repeats)) / n))
    writer.tally = Tally(writer.emit_at, rt.control)  # what an agent of a lean round keeps
    for name, call in (
        ("lean with Lock, counted (0 records)", with_pair),
        ("meal, lean, holds counted (1 record)", _meal(lean, first, second)),
    ):
        found.append((name, min(_timed(call, n, reader) for _ in range(repeats)) / n))
    if hasattr(Lock, "for_agent"):  # a checkout before it has no twins (this tool runs against older ones)
        own = Lock("fork 2", 2, rt).for_agent()

        def own_pair() -> None:
            with own:
                pass

        best = min(_timed(own_pair, n, reader) for _ in range(repeats))
        found.append(("lean with Lock.for_agent(), counted", best / n))
    body = _philosopher(rt)
    best = min(_real_meal(lean, body, n, reader) for _ in range(repeats))
    found.append(("Philosopher.run, lean, one meal (1 record)", best / n))
    rt.unbind()
    rt.close()
    return found


def _real_meal(me: Me, body: AgentBody, n: int, reader: RingReader) -> int:
    elapsed = _philosopher_ns(me, body, n)
    reader.drain()
    return elapsed


def _timed(call: Callable[[], object], n: int, reader: RingReader) -> int:
    elapsed = _loop_ns(call, n)
    reader.drain()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--calls", type=int, default=10_000, help="calls per timed loop (<= 13,000: fits the ring)")
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    for name, ns in measure(args.calls, args.repeats):
        print(f"{name:40s} {ns:8.0f} ns")


if __name__ == "__main__":
    main()
