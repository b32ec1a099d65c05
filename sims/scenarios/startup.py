"""The lunch rush (创建开销): what starting a thread costs against starting a process, measured.

One agent, the manager. First it measures: it starts ``probes`` threads and then ``probes``
spawned processes, one at a time, each running an empty job, and records every start-up
(asked → the job began; Op.STARTUP, resource = the phase). Then it serves the rush: ``jobs``
short waiting jobs (``job_ms`` asleep, like an order sent to a slow supplier) with the crew
the player picked: a new Process per job, a new Thread per job, a process ``Pool`` or a
``ThreadPool`` of ``workers``. Every job records its start-up and its work; the rush records
its wall time (Op.PHASE_END).

The grades are ratios, so the machine's speed does not set them: the start-up the crew paid,
in units of one thread start per job (each start priced at this round's own median), and
the rush's wall time against one job's time.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Callable, Mapping
from multiprocessing.pool import ThreadPool
from typing import Any

import numpy as np

from sims.agents import AgentBody, Me
from sims.kinds import ResourceKind
from sims.lifeline import end_with
from sims.rounds.layout import RoundLayout
from sims.rounds.world import World
from sims.runtime import RoundStopped
from sims.scenarios.base import ParamSpec, Scenario, Words
from sims.scenarios.labwork import Done, Job, do, do_and_send
from sims.scenarios.measure import select
from sims.scenarios.pool import JOIN_S, join_all, receive, used, wait_for
from sims.telemetry import Op, State

PHASES = ("thread starts", "process starts", "rush")
CREWS = ("process", "pool", "thread-pool", "thread")
_MEASURED = {
    "en": "Measured in this round: a thread started in {thread:.0f} µs, a process in {process:.0f} ms; "
    "one process start cost as much as {ratio:,.0f} thread starts.",
    "zh": "本轮实测：启动一个线程用了 {thread:.0f} 微秒，启动一个进程用了 {process:.0f} 毫秒；"
    "启动一个进程的开销抵得上启动 {ratio:,.0f} 个线程。",
}


def job(wait_ms: float) -> Job:
    """A waiting job, asked for now."""
    return "wait", int(wait_ms * 1000), time.monotonic_ns(), ""


class Manager(AgentBody):
    role = "manager"
    steps = ("time the starts", "serve the rush")

    def __init__(self, phases: dict[str, int], settings: Mapping[str, Any]) -> None:
        self.phases, self.crew = phases, str(settings["crew"])
        self.probes, self.jobs, self.workers = int(settings["probes"]), int(settings["jobs"]), int(settings["workers"])
        self.job_ms = float(settings["job_ms"])
        self.ctx = multiprocessing.get_context("spawn")  # a fresh interpreter each: the lecture's Process

    def run(self, me: Me) -> None:
        me.state(State.WORKING)
        me.step("time the starts")
        self.timed(me, PHASES[0], lambda: [self.one_thread(me) for _ in range(self.probes)])
        self.timed(me, PHASES[1], lambda: [self.one_process(me) for _ in range(self.probes)])
        me.step("serve the rush")
        serve: dict[str, Callable[[Me], list[Done]]] = {
            "process": self.process_each,
            "thread": self.thread_each,
            "pool": lambda m: self.pooled(m, lambda: self.ctx.Pool(self.workers, end_with, (os.getpid(),))),
            "thread-pool": lambda m: self.pooled(m, lambda: ThreadPool(self.workers)),
        }
        self.timed(me, PHASES[2], lambda: serve[self.crew](me))
        me.state(State.DONE)

    def timed(self, me: Me, phase: str, serve: Callable[[], list[Done]]) -> None:
        began = time.monotonic_ns()
        done = serve()
        wall = time.monotonic_ns() - began
        for asked, start, end, *_ in done:
            me.record(Op.STARTUP, self.phases[phase], start - asked)
            me.record(Op.WORK, self.phases[phase], end - start)
        me.record(Op.PHASE_END, self.phases[phase], wall)

    def one_thread(self, me: Me) -> Done:
        return self.thread_each(me, 1, 0.0)[0]

    def one_process(self, me: Me) -> Done:
        return self.process_each(me, 1, 0.0)[0]

    def thread_each(self, me: Me, count: int = 0, wait_ms: float | None = None) -> list[Done]:
        results: queue.SimpleQueue[Done] = queue.SimpleQueue()
        crew: list[threading.Thread] = []
        for ms in [self.job_ms if wait_ms is None else wait_ms] * (count or self.jobs):
            crew.append(threading.Thread(target=do_and_send, args=(job(ms), results)))
            crew[-1].start()  # asked just before start(): the start-up is measured
        for worker in crew:
            worker.join()
        return [results.get() for _ in crew]

    def process_each(self, me: Me, count: int = 0, wait_ms: float | None = None) -> list[Done]:
        results = self.ctx.Queue()
        jobs = [self.job_ms if wait_ms is None else wait_ms] * (count or self.jobs)
        crew: list[Any] = []
        served = False
        try:
            for ms in jobs:
                if me.stopping:  # 40 spawns after the round's end took 12 s (and a killed manager left a
                    raise RoundStopped(me.name)  # child reading its start-up data from a closed pipe)
                crew.append(self.ctx.Process(target=do_and_send, args=(job(ms), results)))
                crew[-1].start()  # asked just before start(), as for threads
            done = [receive(me, results) for _ in crew]
            served = True
            return done
        finally:
            join_all(crew, JOIN_S if served else 0.0)
            results.close()
            results.join_thread()

    def pooled(self, me: Me, make: Callable[[], Any]) -> list[Done]:
        # The pool's own start-up belongs to the rush: every job counts as asked when the pool was.
        jobs = [("wait", int(self.job_ms * 1000), time.monotonic_ns(), "")] * self.jobs
        with used(make()) as pool:
            done: list[Done] = wait_for(me, pool.map_async(do, jobs))
        return done


class Startup(Scenario):
    name = "startup"
    order = 10
    summary = "what starting a thread costs against a process (measured), and which crew serves short jobs"
    strategies = {
        "rush": "time single thread and process starts, then serve the rush with the chosen crew",
    }
    default_strategy = "rush"
    operation = "jobs"
    default_seconds = 30.0
    words = {
        "thing.thread starts": Words("thread starts", "线程启动"),
        "thing.process starts": Words("process starts", "进程启动"),
        "thing.rush": Words("rush", "高峰"),
    }
    params = (
        ParamSpec("crew", str, "process", "who serves the rush's jobs", choices=CREWS),
        ParamSpec("jobs", int, 40, "short jobs in the rush", 1, 1000),
        ParamSpec("job_ms", float, 50.0, "how long one job waits (ms, asleep: a slow supplier)", 0, 10_000),
        ParamSpec("workers", int, 4, "workers of a pool", 1, 64),
        ParamSpec("probes", int, 8, "threads and processes started one by one to time a start", 1, 100),
    )

    def build(self, world: World, strategy: str, params: Mapping[str, Any], seed: int) -> None:
        phases = {name: world.marker(name, ResourceKind.PHASE, 0) for name in PHASES}
        world.shared["params"] = dict(params)
        world.agent("manager", Manager(phases, params))

    def operation_ops(self, layout: RoundLayout) -> dict[int, tuple[int, int]]:
        return {a.index: (int(Op.WORK), -1) for a in layout.agents}

    def debrief_lines(self, stats: Mapping[str, Any], language: str) -> list[str]:
        if not stats.get("start_ratio"):
            return []
        return [
            _MEASURED["zh" if language == "zh" else "en"].format(
                thread=stats["thread_start_us"], process=stats["process_start_us"] / 1000, ratio=stats["start_ratio"]
            )
        ]

    def finish(self, world: World, layout: RoundLayout, events: np.ndarray) -> dict[str, Any]:
        p = world.shared["params"]
        starts = {name: select(events, Op.STARTUP, layout.resource_named(name).index)["value"] for name in PHASES}
        thread_ns = float(np.median(starts[PHASES[0]])) if len(starts[PHASES[0]]) else 0.0
        process_ns = float(np.median(starts[PHASES[1]])) if len(starts[PHASES[1]]) else 0.0
        walls = select(events, Op.PHASE_END, layout.resource_named("rush").index)["value"]
        served = len(starts["rush"])
        return {
            "thread_start_us": thread_ns / 1e3,
            "process_start_us": process_ns / 1e3,
            "start_ratio": process_ns / thread_ns if thread_ns else 0.0,
            "jobs_served": served,
            "processes_per_job": _processes(p) / p["jobs"],
            "start_cost_vs_threads": _start_cost(p, thread_ns, process_ns),
            "rush_vs_job": float(walls[-1]) / 1e6 / p["job_ms"] if len(walls) and p["job_ms"] else 0.0,
        }


def _processes(p: Mapping[str, Any]) -> int:
    """Processes the crew starts for the rush."""
    return int({"process": p["jobs"], "pool": p["workers"]}.get(p["crew"], 0))


def _threads(p: Mapping[str, Any]) -> int:
    return int({"thread": p["jobs"], "thread-pool": p["workers"]}.get(p["crew"], 0))


def _start_cost(p: Mapping[str, Any], thread_ns: float, process_ns: float) -> float:
    """The start-up the crew paid, in thread starts per job (each start at this round's median)."""
    if not thread_ns:
        return 0.0
    return (_processes(p) * process_ns + _threads(p) * thread_ns) / thread_ns / int(p["jobs"])
