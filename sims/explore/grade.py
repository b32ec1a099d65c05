"""``diner grade``: explore, then run free; one report, its counterexample saved.

Everything runs in one spawned worker process: code that ends the process (``os._exit``)
or never gives its thread back cannot take the grader with it, and killing the worker
leaves nothing behind. The worker answers with plain JSON through a pipe.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

import attrs

from sims.exercises import exercise_named
from sims.explore.code import OldNameUsed, PlayerCode, error_line, load, sentence
from sims.explore.confine import confine
from sims.explore.counterexample import Counterexample, sha256_of
from sims.explore.run import Run
from sims.explore.search import Phase, Settings, explore
from sims.explore.verdict import Finding, Verdict, Why
from sims.lifeline import bind_to_parent, started_here_for_good

EXPLORE_SHARE = 0.8  # of the budget; free runs get the rest
FREE_RUNS = 3  # seeds run free after the explorer found nothing
FREE_ROUNDS = 20  # rounds per agent in a free run (more chances for the OS to interleave)
MARGIN_S = 20.0  # the worker's start-up and tear-down, beyond the budget
WORKER_FAILED = 70  # the worker's exit status when the grading itself raised (EX_SOFTWARE)
LOAD_S = 8.0  # the player's file's top level (imports and definitions), before the budget starts


@attrs.frozen
class GradeRequest:
    exercise: str
    path: str
    agents: int | None = None
    seed: int = 0
    budget_s: float = 10.0
    free: bool = True
    backend: str = "thread"


@attrs.frozen
class GradeReport:
    """The answer: verdict, where it was found, how much was tried, and the schedule."""

    request: GradeRequest
    finding: Finding
    phase: str
    runs: int
    steps: int
    seconds: float
    schedule: tuple[int, ...] = ()
    free_runs: int = 0

    @property
    def passed(self) -> bool:
        return not self.finding.verdict.failed

    def to_json(self) -> dict[str, Any]:
        return {
            "exercise": self.request.exercise,
            "file": self.request.path,
            "seed": self.request.seed,
            "passed": self.passed,
            **self.finding.to_json(),
            "phase": self.phase,
            "runs": self.runs,
            "steps": self.steps,
            "free_runs": self.free_runs,
            "seconds": round(self.seconds, 3),
            "schedule": list(self.schedule),
            "backend": self.request.backend,
        }

    @classmethod
    def from_json(cls, request: GradeRequest, data: dict[str, Any]) -> GradeReport:
        return cls(
            request,
            Finding.from_json(data),
            data["phase"],
            data["runs"],
            data["steps"],
            data["seconds"],
            tuple(data["schedule"]),
            data["free_runs"],
        )

    def counterexample(self) -> Counterexample | None:
        """The schedule to save (explored failures only: a free run's schedule is the OS's)."""
        if not self.passed and self.phase in (Phase.SYSTEMATIC.value, Phase.RANDOM.value):
            ex = exercise_named(self.request.exercise)
            return Counterexample(
                exercise=ex.name,
                agents=ex.default_agents if self.request.agents is None else self.request.agents,
                seed=self.request.seed,
                code=self.request.path,
                code_sha256=sha256_of(Path(self.request.path)),
                phase=self.phase,
                verdict=self.finding.verdict.value,
                message=self.finding.message,
                schedule=list(self.schedule),
                evidence=list(self.finding.evidence),
                line=self.finding.line,
                backend=self.request.backend,
            )
        return None


def grade_here(request: GradeRequest) -> GradeReport:
    """Grade in this process (the worker's job; tests of well-behaved code may call it)."""
    started = time.monotonic()
    ex = exercise_named(request.exercise)
    try:
        code = load_within(Path(request.path), ex.roles, LOAD_S)
    except OldNameUsed as error:
        finding = Finding.of(Verdict.EXCEPTION, Why.OLD_NAME, -1, error.line, old=error.old, new=error.new)
        return GradeReport(request, finding, Phase.LOAD.value, 0, 0, time.monotonic() - started)
    except SystemExit:
        raise  # sys.exit() at the top level: the worker ends, and that is the verdict
    except BaseException as error:  # KeyboardInterrupt raised by the file itself too: the worker ignores Ctrl-C
        line = error_line(error, str(Path(request.path).resolve()))
        finding = Finding.of(Verdict.EXCEPTION, Why.LOAD_RAISED, -1, line, error=sentence(error))
        return GradeReport(request, finding, Phase.LOAD.value, 0, 0, time.monotonic() - started)
    if code is None:  # the file's top level never returned (a loop at import)
        finding = Finding.of(Verdict.NEVER_YIELDS, Why.WORKER_SILENT)
        return GradeReport(request, finding, Phase.LOAD.value, 0, 0, time.monotonic() - started)
    # An agent's time to come back is not cut with the budget: on a loaded machine a correct solution
    # would otherwise be judged 'never yields' (a test's 0.3 s budget left each agent 75 ms).
    settings = Settings(ex, code, request.agents, request.seed, backend=request.backend)
    found = explore(settings, request.budget_s * (EXPLORE_SHARE if request.free else 1.0))
    played = found.played
    report = GradeReport(request, played.finding, found.phase.value, found.runs, found.steps, 0.0, played.schedule)
    if report.passed and request.free:
        report = _free(report, settings, started + request.budget_s)
    return attrs.evolve(report, seconds=time.monotonic() - started)


def load_within(path: Path, roles: tuple[str, ...], limit_s: float) -> PlayerCode | None:
    """``load``, or None if the file's top level runs longer than ``limit_s``.

    It runs in a thread of its own: a file that loops at import used to hold the worker until
    the grader's whole limit (budget + margin, 30 s by default) was spent. A loader that never
    returns is left running (nothing can stop a thread); the worker it is in is killed after.
    """
    done: list[PlayerCode] = []
    failed: list[BaseException] = []

    def loading() -> None:
        try:
            done.append(load(path, roles))
        except BaseException as error:  # raised again in the caller's thread, as if loaded there
            failed.append(error)

    loader = threading.Thread(target=loading, name="player load", daemon=True)
    loader.start()
    loader.join(limit_s)
    if failed:
        raise failed[0]
    return done[0] if done else None


def _free(report: GradeReport, settings: Settings, deadline: float) -> GradeReport:
    """A few free runs (threads, as the OS schedules them) after a clean exploration."""
    done = 0
    for seed in range(FREE_RUNS):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        ex = settings.exercise
        rounds = ex.rounds if ex.fixed_rounds else FREE_ROUNDS
        run = Run(ex, settings.code, settings.agents, seed, False, settings.yield_s, rounds)
        try:
            finding = run.run_free(min(left, 2.0))
        finally:
            run.close()
        done += 1
        if finding.verdict.failed:
            return attrs.evolve(report, finding=finding, phase=Phase.FREE.value, free_runs=done)
    return attrs.evolve(report, free_runs=done)


def _worker(job: Any, argument: Any, conn: Any, parent: int, kernel: bool) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the grader's to handle: it ends this worker
    bind_to_parent(parent, signal.SIGKILL, kernel)  # a grader killed outright takes its worker along
    os.setpgid(0, 0)  # what the player's code starts stays in this group, which the grader kills at the end
    confine()
    try:
        answer = job(argument)
    except Exception as error:  # player code can break what the worker itself uses (threading.Lock = None)
        print(f"diner: the grader's worker failed: {sentence(error)}", file=sys.__stderr__, flush=True)
        conn.close()
        os._exit(WORKER_FAILED)
    with contextlib.suppress(OSError):  # the grader is gone (interrupted): nobody to tell
        conn.send(answer)
    conn.close()


def isolated(job: Any, argument: Any, limit_s: float) -> tuple[Any, int | None]:
    """``job(argument)`` in a spawned worker: (its answer, None) or (None, how the worker ended).

    The worker is always gone on return: killed if it outlives its answer (agent threads
    stuck in code that never yields cannot be joined).
    """
    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    args = (job, argument, send, os.getpid(), started_here_for_good())
    worker = ctx.Process(target=_worker, args=args, name="diner-grade")
    worker.start()
    send.close()
    try:
        if receive.poll(limit_s):
            try:
                return receive.recv(), None
            except EOFError:
                pass
        worker.join(1.0)
        return None, worker.exitcode
    finally:
        receive.close()
        worker.join(1.0)
        if worker.is_alive():
            worker.kill()
            worker.join()
        _kill_group(worker.pid)


def _kill_group(worker: int | None) -> None:
    """End whatever the worker's group still holds: processes the player's code forked or
    started (a fork server and its agents end by themselves, once the worker has)."""
    if worker is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(worker, signal.SIGKILL)


def _grade_job(request: GradeRequest) -> dict[str, Any]:
    return grade_here(request).to_json()


def grade(request: GradeRequest) -> GradeReport:
    """Grade in a spawned worker; a worker that dies or hangs is itself the verdict."""
    started = time.monotonic()
    answer, exitcode = isolated(_grade_job, request, request.budget_s + MARGIN_S)
    if answer is None:
        return GradeReport(request, died(exitcode), Phase.WORKER.value, 0, 0, time.monotonic() - started)
    return GradeReport.from_json(request, answer)


def died(exitcode: int | None) -> Finding:
    """The verdict on a worker that gave no answer."""
    if exitcode is None:
        return Finding.of(Verdict.NEVER_YIELDS, Why.WORKER_SILENT)
    how = f"os._exit({exitcode})" if exitcode >= 0 else f"signal {-exitcode}"
    return Finding.of(Verdict.EXITED, Why.PROCESS_ENDED, how=how)
