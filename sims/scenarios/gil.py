"""The lecture's efficiency test (效率测试) and the GIL (全局解释器锁).

One agent, the lab, runs the same ``jobs`` CPU-bound jobs (the lecture's counting loop) and
IO-bound jobs (write lines to a file and read them back) three ways: one after another
("line"), in ``jobs`` threads, in ``jobs`` spawned processes. It records every job's own
running time (Op.WORK), its start-up (Op.STARTUP) and each phase's wall time
(Op.PHASE_END), resource = the phase. The work is calibrated on this machine so that the
line phases take ``cpu_s`` and ``io_s`` seconds. The lecture measured, on its machine:
line CPU 9.01 s, IO 4.55 s; threads CPU 9.39 s, IO 4.61 s; processes CPU 5.47 s, IO 2.95 s.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from sims.agents import AgentBody, Me
from sims.kinds import ResourceKind
from sims.rounds.layout import RoundLayout
from sims.rounds.world import World
from sims.runtime import SLICE_S, RoundStopped
from sims.scenarios.base import ParamSpec, Scenario
from sims.scenarios.labwork import Done, Job, do, do_and_send, per_second
from sims.scenarios.measure import select
from sims.telemetry import Op, State

MODES = ("line", "thread", "process")
START_METHODS = ("forkserver", "spawn")
KINDS = ("cpu", "io", "wait")
LECTURE_KINDS = ("cpu", "io")  # the lecture measured these two; "wait" is the high-latency IO it lacked
LECTURE_S = {
    "line_cpu": 9.014907121658325,
    "line_io": 4.548823118209839,
    "thread_cpu": 9.38966417312622,
    "thread_io": 4.6143529415130615,
    "process_cpu": 5.466824531555176,
    "process_io": 2.9468178749084473,
}


MIN_CPU_SHARE = 0.7
"""Below this share of a core for the line CPU phase, the machine is too busy to show the lecture's table."""


class Lab(AgentBody):
    role = "lab"
    steps = ("calibrate", "run a phase")

    def __init__(
        self, phases: dict[str, int], jobs: int, cpu_s: float, io_s: float, start_method: str, wait_s: float = 0.5
    ) -> None:
        self.phases, self.jobs, self.cpu_s, self.io_s, self.wait_s = phases, jobs, cpu_s, io_s, wait_s
        self.start_method = start_method

    def run(self, me: Me) -> None:
        me.state(State.WORKING)
        folder = tempfile.mkdtemp(prefix="diner-gil-")
        try:
            me.step("calibrate")
            amounts = self.calibrate(folder)
            warm_up(self.start_method)
            for mode in MODES:
                for kind in KINDS:
                    me.step("run a phase")
                    self.phase(me, mode, kind, amounts[kind], folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        me.state(State.DONE)

    def calibrate(self, folder: str) -> dict[str, int]:
        """Units per job so that the line phases take about cpu_s and io_s."""
        probe = str(Path(folder) / "probe")
        cpu = per_second("cpu", probe, 300_000) * self.cpu_s / self.jobs
        io = per_second("io", probe, 30_000) * self.io_s / self.jobs
        wait_us = self.wait_s * 1e6 / self.jobs  # a sleep needs no calibration
        return {"cpu": max(1, int(cpu)), "io": max(1, int(io)), "wait": max(1, int(wait_us))}

    def phase(self, me: Me, mode: str, kind: str, amount: int, folder: str) -> None:
        name = f"{mode} {kind}"
        began = time.monotonic_ns()  # every job counts as asked for when the phase began
        jobs: list[Job] = [(kind, amount, began, str(Path(folder) / f"{mode}-{i}")) for i in range(self.jobs)]
        if mode == "process":
            done = in_processes(me, jobs, self.start_method)
        else:
            done = (in_line if mode == "line" else in_threads)(me, jobs)
        wall = time.monotonic_ns() - began
        for asked, start, end, _, cpu in done:
            me.record(Op.STARTUP, self.phases[name], start - asked)
            me.record(Op.WORK, self.phases[name], end - start)
            me.record(Op.CPU_USED, self.phases[name], cpu)
        me.record(Op.PHASE_END, self.phases[name], wall)


def in_line(me: Me, jobs: list[Job]) -> list[Done]:
    done = []
    for job in jobs:
        if me.stopping:
            raise RoundStopped(me.name)
        done.append(do(job))
    return done


def in_threads(me: Me, jobs: list[Job]) -> list[Done]:
    done: list[Done] = []
    threads = [
        threading.Thread(target=_append_done, args=(done, job), name=f"gil job {i}") for i, job in enumerate(jobs)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()  # jobs are finite and short: they always end
    return done


def warm_up(start_method: str) -> None:
    """Start one do-nothing process first, so a fork server is up before the clock runs."""
    ctx: Any = multiprocessing.get_context(start_method)
    proc = ctx.Process(target=do, args=(("cpu", 1, 0, ""),), name="gil warm-up")
    proc.start()
    proc.join()
    proc.close()


def _append_done(done: list[Done], job: Job) -> None:
    done.append(do(job))  # list.append is atomic: the threads need no lock for it


def in_processes(me: Me, jobs: list[Job], start_method: str) -> list[Done]:
    ctx: Any = multiprocessing.get_context(start_method)
    results = ctx.Queue()
    procs = [ctx.Process(target=do_and_send, args=(job, results), name=f"gil job {i}") for i, job in enumerate(jobs)]
    done: list[Done] = []
    try:
        for p in procs:
            p.start()
        while len(done) < len(procs):
            try:
                done.append(results.get(timeout=SLICE_S))
            except queue.Empty:
                if me.stopping:
                    raise RoundStopped(me.name) from None
    finally:
        for p in procs:
            if p.pid is not None:
                p.join(5.0 if len(done) == len(procs) else 0.0)
                if p.exitcode is None:
                    p.terminate()
                    p.join()
        results.close()
        results.join_thread()
    return done


class Gil(Scenario):
    default_seconds = 60.0  # the lab ends when its last phase does (about 4x cpu_s + 4x io_s)
    name = "gil"
    order = 11
    summary = "the lecture's efficiency test: CPU and IO jobs in line, in threads, in processes; is there a GIL?"
    strategies = {
        "lecture": "jobs CPU jobs (count to N), jobs file jobs (write and read back a file) and jobs waiting jobs "
        "(sleep, like a slow server), each three ways: in line, in threads, in processes",
    }
    default_strategy = "lecture"
    operation = "jobs"
    params = (
        ParamSpec("jobs", int, 10, "jobs per phase (the lecture used 10)", 1, 64),
        ParamSpec(
            "cpu_s",
            float,
            3.0,
            "seconds the CPU jobs take in line (calibrated); the lab lasts ~4x cpu_s + "
            "4x io_s + process start-up (the round waits for it, up to --seconds)",
            0.05,
            600,
        ),
        ParamSpec("io_s", float, 1.0, "seconds the IO jobs take in line (calibrated)", 0.05, 600),
        ParamSpec("wait_s", float, 0.5, "seconds the waiting jobs (sleep: a slow server) take in line", 0.05, 600),
        ParamSpec(
            "start_method",
            str,
            "forkserver",
            "how job processes start: forkserver (forks from a warm "
            "server, near the lecture's fork) or spawn (a fresh interpreter each)",
            choices=START_METHODS,
        ),
    )

    def build(self, world: World, strategy: str, params: Mapping[str, Any], seed: int) -> None:
        phases = {f"{m} {k}": world.marker(f"{m} {k}", ResourceKind.PHASE, 0) for m in MODES for k in KINDS}
        p = params
        lab = Lab(
            phases, int(p["jobs"]), float(p["cpu_s"]), float(p["io_s"]), str(p["start_method"]), float(p["wait_s"])
        )
        world.agent("lab", lab)

    def operation_ops(self, layout: RoundLayout) -> dict[int, tuple[int, int]]:
        return {a.index: (int(Op.WORK), -1) for a in layout.agents}

    def debrief_lines(self, stats: Mapping[str, Any], language: str) -> list[str]:
        """The lecture's efficiency table and its verdict (one paragraph per row)."""
        from sims.scenarios.gil_table import compact

        return compact(stats, language)

    def finish(self, world: World, layout: RoundLayout, events: np.ndarray) -> dict[str, Any]:
        stats: dict[str, Any] = {}
        for m in MODES:
            for k in KINDS:
                index = layout.resource_named(f"{m} {k}").index
                walls = select(events, Op.PHASE_END, index)["value"]
                work = select(events, Op.WORK, index)["value"]
                start = select(events, Op.STARTUP, index)["value"]
                stats[f"{m}_{k}_s"] = float(walls[-1]) / 1e9 if len(walls) else 0.0
                stats[f"{m}_{k}_job_mean_ms"] = float(np.mean(work)) / 1e6 if len(work) else 0.0
                stats[f"{m}_{k}_first_start_ms"] = float(np.min(start)) / 1e6 if len(start) else 0.0
                stats[f"{m}_{k}_last_start_ms"] = float(np.max(start)) / 1e6 if len(start) else 0.0
                stats[f"{m}_{k}_work_span_s"] = span = work_span(events, index)
                cpu = float(select(events, Op.CPU_USED, index)["value"].sum()) / 1e9
                stats[f"{m}_{k}_cpu_used_s"] = cpu
                # CPU seconds per second of the jobs' span: at most 1 while one thread runs at a time
                stats[f"{m}_{k}_parallelism"] = cpu / span if span else 0.0
        cores = multiprocessing.cpu_count()
        for m in MODES:
            for k in KINDS:
                # the share of the cores the phase could use that it really got (1 = all of it)
                usable = 1 if m != "process" else min(self.jobs_of(layout, events), cores)
                wall = stats[f"{m}_{k}_s"]
                stats[f"{m}_{k}_cpu_share"] = stats[f"{m}_{k}_cpu_used_s"] / (wall * usable) if wall else 0.0
        for m in ("thread", "process"):
            for k in KINDS:
                stats[f"{m}_{k}_ratio"] = _ratio(stats[f"{m}_{k}_s"], stats[f"line_{k}_s"])
            for k in LECTURE_KINDS:
                stats[f"lecture_{m}_{k}_ratio"] = LECTURE_S[f"{m}_{k}"] / LECTURE_S[f"line_{k}"]
        stats |= {f"lecture_{key}_s": value for key, value in LECTURE_S.items()}
        gil = getattr(sys, "_is_gil_enabled", None)
        stats["gil_enabled"] = 1 if gil is None else int(bool(gil()))
        stats["gil_check_exists"] = int(gil is not None)
        stats["cores"] = cores
        stats["load_1min"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
        # The lecture's table needs a whole core for the line phase and two for the processes.
        stats["reproducible"] = int(cores >= 2 and stats["line_cpu_cpu_share"] >= MIN_CPU_SHARE)
        return stats

    @staticmethod
    def jobs_of(layout: RoundLayout, events: np.ndarray) -> int:
        """Jobs per phase, as the lab ran them (the WORK records of the line CPU phase)."""
        return max(1, len(select(events, Op.WORK, layout.resource_named("line cpu").index)))


def work_span(events: np.ndarray, phase: int) -> float:
    """Seconds from the first job's start to the last job's end (the phase's start-up left out).

    Every job of a phase is asked for at the phase's start, so STARTUP is when a job began
    and STARTUP + WORK when it ended, both counted from that same instant.
    """
    work = select(events, Op.WORK, phase)["value"]
    start = select(events, Op.STARTUP, phase)["value"]
    if not len(work):
        return 0.0
    return float(np.max(start + work) - np.min(start)) / 1e9


def _ratio(part: float, whole: float) -> float:
    return part / whole if part and whole else 0.0
