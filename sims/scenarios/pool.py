"""The process pool (进程池): the same orders served by a ``Pool`` and by one Process each.

One agent, the manager, owns everything: it creates ``multiprocessing.Pool(workers)``,
serves every order with ``apply_async`` and again with ``map``, then ``close()`` and
``join()``; then it serves the orders once more starting one ``Process`` per order (at most
``workers`` at a time). Pool workers are not agents, so the manager records for every order
the worker's own times: Op.STARTUP (asked → began) and Op.WORK (began → ended), resource =
the phase; and Op.PHASE_END with each phase's wall time. Every pool and process is closed
and joined on every path, also when the round ends early.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import time
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from sims.agents import AgentBody, Me
from sims.kinds import ResourceKind
from sims.lifeline import end_with
from sims.rounds.layout import RoundLayout
from sims.rounds.world import World
from sims.runtime import SLICE_S, RoundStopped
from sims.scenarios.base import ParamSpec, Scenario
from sims.scenarios.labwork import Done, Job, do, do_and_send, per_second
from sims.scenarios.measure import select, spread
from sims.telemetry import Op, State

PHASES = ("pool apply_async", "pool map", "process per order")
JOIN_S = 1.0  # how long a served order's process gets to exit before it is terminated


class Manager(AgentBody):
    role = "manager"
    steps = ("start the pool", "one process per order")

    def __init__(self, phases: dict[str, int], orders: int, workers: int, order_ms: float, start_method: str) -> None:
        self.phases, self.orders, self.workers, self.order_ms = phases, orders, workers, order_ms
        self.start_method = start_method

    def run(self, me: Me) -> None:
        ctx = multiprocessing.get_context(self.start_method)
        amount = max(1, int(per_second("cpu", "", 200_000) * self.order_ms / 1000.0))
        me.state(State.WORKING)
        me.step("start the pool")
        self.with_pool(me, ctx, amount)
        me.step("one process per order")
        self.timed(me, PHASES[2], lambda: self.process_each(me, ctx, self.jobs(amount)))
        me.state(State.DONE)

    def jobs(self, amount: int) -> list[Job]:
        return [("cpu", amount, time.monotonic_ns(), "") for _ in range(self.orders)]

    def timed(self, me: Me, phase: str, serve: Any) -> None:
        began = time.monotonic_ns()
        done: list[Done] = serve()
        wall = time.monotonic_ns() - began
        for asked, start, end, *_ in done:
            me.record(Op.STARTUP, self.phases[phase], start - asked)
            me.record(Op.WORK, self.phases[phase], end - start)
        me.record(Op.PHASE_END, self.phases[phase], wall)

    def with_pool(self, me: Me, ctx: Any, amount: int) -> None:
        began = time.monotonic_ns()
        with used(ctx.Pool(self.workers, initializer=end_with, initargs=(os.getpid(),))) as pool:
            self.timed(me, PHASES[0], lambda: self.apply_each(me, pool, began, amount))
            self.timed(me, PHASES[1], lambda: wait_for(me, pool.map_async(do, self.jobs(amount))))

    def apply_each(self, me: Me, pool: Any, began: int, amount: int) -> list[Done]:
        # The pool's start-up belongs to this phase: orders count as asked when the pool was.
        pending = [pool.apply_async(do, ((kind, n, began, path),)) for kind, n, _, path in self.jobs(amount)]
        return [wait_for(me, result) for result in pending]

    def process_each(self, me: Me, ctx: Any, jobs: list[Job]) -> list[Done]:
        results = ctx.Queue()
        done: list[Done] = []
        try:
            for first in range(0, len(jobs), self.workers):
                part = jobs[first : first + self.workers]
                batch = [ctx.Process(target=do_and_send, args=(asked_now(job), results)) for job in part]
                served = False
                try:
                    for proc in batch:
                        proc.start()
                    done.extend(receive(me, results) for _ in batch)
                    served = True
                finally:
                    # Also when the round ends mid-batch: a child still starting would otherwise
                    # outlive the queue it unpickles (FileNotFoundError in SemLock._rebuild).
                    join_all(batch, JOIN_S if served else 0.0)
        finally:
            results.close()
            results.join_thread()
        return done


@contextlib.contextmanager
def used(pool: Any) -> Iterator[Any]:
    """A pool closed and joined once its work is done; terminated (then joined) if it failed."""
    try:
        yield pool
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()


def asked_now(job: Job) -> Job:
    """The same job, asked for now (just before its process is started)."""
    kind, amount, _, path = job
    return kind, amount, time.monotonic_ns(), path


def wait_for(me: Me, result: Any) -> Any:
    """``AsyncResult.get`` in slices, so the end of the round is noticed."""
    while not result.ready():
        result.wait(SLICE_S)
        if me.stopping:
            raise RoundStopped(me.name)
    return result.get()


def receive(me: Me, results: Any) -> Done:
    while True:
        try:
            done: Done = results.get(timeout=SLICE_S)
            return done
        except queue.Empty:
            if me.stopping:
                raise RoundStopped(me.name) from None


def join_all(procs: list[Any], wait_s: float) -> None:
    """Join every started process of a batch, terminating those not done within ``wait_s``."""
    for proc in procs:
        if proc.pid is not None:
            proc.join(wait_s)
            if proc.exitcode is None:
                proc.terminate()
                proc.join()
        proc.close()


class Pool(Scenario):
    name = "pool"
    order = 10
    summary = "a multiprocessing.Pool (apply_async, map, close, join) against one Process per order"
    strategies = {
        "compare": "the same orders three ways: Pool.apply_async (pool start-up included), Pool.map "
        "(warm pool), one spawned Process per order",
    }
    default_strategy = "compare"
    operation = "orders"
    params = (
        ParamSpec("orders", int, 12, "orders served in each phase", 1, 10_000),
        ParamSpec("workers", int, 2, "pool workers (and processes alive at once in the last phase)", 1, 64),
        ParamSpec("order_ms", float, 10.0, "CPU work per order (ms, calibrated on this machine)", 0.01, 10_000),
        ParamSpec(
            "start_method",
            str,
            "spawn",
            "how the pool's and the orders' processes start: spawn (a fresh "
            "interpreter each) or forkserver (forked from a warm server)",
            choices=("spawn", "forkserver"),
        ),
    )

    def build(self, world: World, strategy: str, params: Mapping[str, Any], seed: int) -> None:
        phases = {name: world.marker(name, ResourceKind.PHASE, 0) for name in PHASES}
        p = params
        body = Manager(phases, int(p["orders"]), int(p["workers"]), float(p["order_ms"]), str(p["start_method"]))
        world.agent("manager", body)

    def operation_ops(self, layout: RoundLayout) -> dict[int, tuple[int, int]]:
        return {a.index: (int(Op.WORK), -1) for a in layout.agents}

    def finish(self, world: World, layout: RoundLayout, events: np.ndarray) -> dict[str, Any]:
        stats: dict[str, Any] = {}
        keys = {"pool apply_async": "pool", "pool map": "pool_map", "process per order": "process"}
        for phase, key in keys.items():
            index = layout.resource_named(phase).index
            walls = select(events, Op.PHASE_END, index)["value"]
            work = select(events, Op.WORK, index)["value"]
            stats[f"{key}_s"] = float(walls[-1]) / 1e9 if len(walls) else 0.0
            stats[f"{key}_orders"] = len(work)
            stats[f"{key}_per_s"] = len(work) / stats[f"{key}_s"] if stats[f"{key}_s"] else 0.0
            stats |= spread(f"{key}_startup", select(events, Op.STARTUP, index)["value"])
            stats[f"{key}_work_mean_ms"] = float(np.mean(work)) / 1e6 if len(work) else 0.0
        stats["pool_speedup"] = _ratio(stats["process_s"], stats["pool_s"])
        stats["map_speedup"] = _ratio(stats["process_s"], stats["pool_map_s"])
        return stats


def _ratio(slow: float, fast: float) -> float:
    """slow / fast, or 0.0 when either phase did not finish."""
    return slow / fast if slow and fast else 0.0
