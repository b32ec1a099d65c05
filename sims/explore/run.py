"""One run of player code on real threads: explored (the explorer picks every step) or free.

Explored: each agent parks at every scheduling point (see ``sims.explore.seat``); ``step``
lets one agent move to its next point. The run is then a pure function of the picks, so
a schedule replays exactly. Free: the agents run as the OS schedules them.
"""

from __future__ import annotations

import linecache
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import attrs

from sims.exercises import Cast, Exercise
from sims.explore.board import Board, ProcessSeat, agent_main
from sims.explore.code import PlayerCode, error_line, sentence
from sims.explore.kit import Checks, PlayerMe
from sims.explore.seat import Aborted, Pending, Report, Seat
from sims.explore.shared import Counter, Pass
from sims.explore.verdict import Evidence, Fact, Finding, Verdict, Why
from sims.explore.waits import holdings, stuck
from sims.primitives import Barrier, Condition, Event, Lock, RLock, Semaphore
from sims.runtime import STOP, Runtime
from sims.telemetry import Op

ENDLESS = sys.maxsize  # a server's rounds: it works until everyone else is done
JOIN_S = 1.0  # how long an ended run waits for each agent thread to unwind
START_S = 30.0  # a process agent's start-up (a fork, imports), before its own code counts
STARTING_POLL_S = 0.01


R = TypeVar("R")


@attrs.frozen
class Move:
    """One step of a run: who moved, from which line, doing what, on what."""

    agent: int
    line: int
    op: str
    resource: str
    blocked: bool


class RunKit:
    """The resources of one run (implements ``sims.exercises.Kit``)."""

    def __init__(self, runtime: Runtime, checks: Checks, ctx: Any = None) -> None:
        self.runtime = runtime
        self.checks = checks
        self.ctx = ctx  # None: thread agents; a multiprocessing context: process agents
        self.resources: list[Any] = []

    def _add(self, resource: R) -> R:
        self.resources.append(resource)
        return resource

    def lock(self, name: str) -> Lock:
        return self._add(Lock(name, len(self.resources), self.runtime, self.ctx))

    def semaphore(self, name: str, value: int) -> Semaphore:
        return self._add(Semaphore(name, len(self.resources), self.runtime, value, self.ctx))

    def event(self, name: str) -> Event:
        return self._add(Event(name, len(self.resources), self.runtime, self.ctx))

    def rlock(self, name: str) -> RLock:
        return self._add(RLock(name, len(self.resources), self.runtime, self.ctx))

    def condition(self, name: str, lock: Lock | RLock) -> Condition:
        return self._add(Condition(name, len(self.resources), self.runtime, lock, self.ctx))

    def barrier(self, name: str, parties: int) -> Barrier:
        return self._add(Barrier(name, len(self.resources), self.runtime, parties, self.ctx))

    def counter(self, name: str, value: int = 0) -> Counter:
        return self._add(Counter(name, len(self.resources), self.runtime, value, self.ctx))

    def shelf(self, name: str, slots: int) -> Pass:
        return self._add(Pass(name, len(self.resources), self.runtime, slots, self.ctx))


class Run:
    """The agents of one run, their threads and (when explored) their seats."""

    def __init__(
        self,
        exercise: Exercise,
        code: PlayerCode,
        agents: int | None,
        seed: int,
        explored: bool,
        yield_s: float,
        rounds: int,
        ctx: Any = None,
    ) -> None:
        if ctx is not None and not explored:
            raise ValueError("free runs use thread agents")
        self.runtime = Runtime(ctx, shared=ctx is not None)
        self.runtime.explored = explored
        self.log: list[tuple[int, int, int]] = []
        self._back = threading.Semaphore(0)
        self._yield_s = yield_s
        self._code = code
        probe = Checks([], exercise.order, exercise.seats, exercise.apart, exercise.bypass, exercise.groups)
        kit = RunKit(self.runtime, probe, ctx)
        casts = exercise.cast(kit, agents)
        self.names = [c.name for c in casts]
        probe.names.extend(self.names)
        probe.roles.extend(c.role for c in casts)
        self._servers = {i for i, c in enumerate(casts) if c.role in exercise.servers}
        self._agent_rounds = [ENDLESS if i in self._servers else rounds for i in range(len(casts))]
        self.checks = probe
        self.resources = kit.resources
        self._passes = [r for r in kit.resources if isinstance(r, Pass)]
        self._stop = threading.Event()
        self.woken = [False] * len(casts)
        self._board: Board | None = None
        if ctx is not None:
            self._board = board = Board(ctx, len(casts))
            self._back = board.back
            self.seats: list[Seat] = [ProcessSeat(i, board, code.path) for i in range(len(casts))]
            self._threads: list[Any] = [
                ctx.Process(
                    target=agent_main,
                    args=(seat, self.runtime, c.role, c.name, c.handed, self._agent_rounds[i], seed * 1000 + i),
                    name=f"diner-grade {c.name}",
                )
                for i, (seat, c) in enumerate(zip(self.seats, casts, strict=True))
            ]
            return
        self.seats = [Seat(i, self._back, code.path, self.log) for i in range(len(casts))] if explored else []
        self._threads = [
            threading.Thread(target=self._agent, args=(i, c, seed), name=f"diner-grade {c.name}", daemon=True)
            for i, c in enumerate(casts)
        ]

    # -- the agents' threads -----------------------------------------------------------
    def _agent(self, index: int, cast: Cast, seed: int) -> None:
        here = self.runtime.agents_here
        seat = self.seats[index] if self.seats else None
        here.writer = seat if seat is not None else _FreeWriter(index, self.log)
        here.explorer = seat
        rounds = self._agent_rounds[index]
        me = PlayerMe(index, cast.name, rounds, seed * 1000 + index, self.checks, seat, self._stop)
        try:
            body = self._code.roles[cast.role]()
            for key, value in cast.handed.items():
                setattr(body, key, value)
            body.run(me)
        except Aborted:
            return
        except BaseException as error:
            self._ended(index, Pending(Report.ERROR, line=error_line(error, self._code.path), error=sentence(error)))
            return
        self._ended(index, Pending(Report.DONE))

    def _ended(self, index: int, pending: Pending) -> None:
        if self.seats:
            self.seats[index].finish(pending)
        else:
            self.free_ends[index] = pending

    # -- explored ----------------------------------------------------------------------
    def start(self) -> Finding | None:
        """Start the agents one by one, each up to its first point."""
        for index, thread in enumerate(self._threads):
            thread.start()
            if self._board is not None and not self._started(index):
                return self._never_came_back(index)
            found = self._await(index)
            if found is not None:
                return found
        return None

    def _started(self, index: int) -> bool:
        """Wait (up to START_S) until a process agent is up; its first point is then due within yield_s."""
        seat = self.seats[index]
        deadline = time.monotonic() + START_S
        while not seat.started:  # type: ignore[attr-defined]
            if time.monotonic() > deadline or not self._threads[index].is_alive():
                return False
            self._threads[index].join(STARTING_POLL_S)
        return True

    def enabled(self) -> list[int]:
        """Agents that may move: at a point, or blocked on something used since they tried."""
        ready = [i for i, s in enumerate(self.seats) if s.pending.report is Report.POINT or self.woken[i]]
        if ready:
            return ready
        timed = [i for i, s in enumerate(self.seats) if s.pending.report is Report.BLOCKED and s.pending.timed]
        return timed[:1]  # nobody else can move: the first timed wait times out

    def finished(self) -> bool:
        """Every agent is done (servers, who work until then, need not be)."""
        return all(s.pending.report is Report.DONE for i, s in enumerate(self.seats) if i not in self._servers)

    def step(self, agent: int) -> Finding | None:
        """Let ``agent`` move to its next point; the run's verdict if that ended it."""
        seat = self.seats[agent]
        was = seat.pending
        mark = len(self.log)
        seat.go(time_out=was.report is Report.BLOCKED and not self.woken[agent])
        found = self._await(agent)
        if found is not None:
            return found
        self.woken[agent] = False
        if was.check:
            self._referee(agent, was)
        # Resources changed by this step (a request or a wait never lets anybody else go).
        touched = {code >> 16 for _, code, _ in self.log[mark:] if code & 0xFFFF not in _WAITS}
        if was.report is Report.POINT and was.op not in ("request", "wait"):
            touched.add(was.resource)
        for other, s in enumerate(self.seats):
            if s.pending.report is Report.BLOCKED and s.pending.resource in touched:
                self.woken[other] = True
        blocked = {i for i, s in enumerate(self.seats) if s.pending.report is Report.BLOCKED and not self.woken[i]}
        self.checks.waiting(blocked)
        return self.failure()

    def _referee(self, agent: int, made: Pending) -> None:
        """Tell the referee about a step or critical section the agent has just passed."""
        if made.check == "step":
            self.checks.step(made.name, agent, made.line)
        elif made.check == "enter":
            self.checks.enter(made.name, agent, made.line)
        else:
            self.checks.leave(made.name, agent)

    def move(self, agent: int) -> Move:
        """What ``agent`` is about to do (for traces)."""
        p = self.seats[agent].pending
        name = self.resources[p.resource].name if 0 <= p.resource < len(self.resources) else ""
        blocked = p.report is Report.BLOCKED
        return Move(agent, p.line, "retry (blocked)" if blocked else _op_text(p.op), name, blocked)

    def verdict_stuck(self) -> Finding:
        """Nobody can move and not everyone is done: deadlock or stall, with evidence."""
        waiting = {i: s.pending.resource for i, s in enumerate(self.seats) if s.pending.report is Report.BLOCKED}
        return stuck(waiting, holdings(self.log, len(self.seats)), self.names, self.resources)

    def failure(self) -> Finding | None:
        """The first violation seen: the referee's, else a pass's."""
        if self.checks.failure is not None:
            return self.checks.failure
        for shelf in self._passes:
            found = shelf.failure()
            if found is not None:
                return found
        return None

    def audit(self) -> Finding | None:
        """At the end of a finished run: what the passes found (an item lost, say)."""
        return next((f for f in (shelf.audit() for shelf in self._passes) if f is not None), None)

    def _await(self, agent: int) -> Finding | None:
        if not self._back.acquire(True, self._yield_s):
            return self._never_came_back(agent)
        if self._board is not None:
            self.log.extend(self._board.records(len(self.log)))
        pending = self.seats[agent].pending
        if pending.report is Report.ERROR:
            name = self.names[agent]
            return Finding.of(Verdict.EXCEPTION, Why.RAISED, agent, pending.line, who=name, error=pending.error)
        return self.failure()

    def _never_came_back(self, agent: int) -> Finding:
        if self._board is not None:
            return self._process_gone_quiet(agent)
        frame = sys._current_frames().get(self._threads[agent].ident or -1)
        line = 0
        while frame is not None:
            if frame.f_code.co_filename == self._code.path:
                line = frame.f_lineno
                break
            frame = frame.f_back
        source = linecache.getline(self._code.path, line).strip()
        if "sleep" in source:
            return Finding.of(Verdict.RAW_SLEEP, Why.RAW_SLEEP, agent, line, who=self.names[agent], source=source)
        return Finding.of(
            Verdict.NEVER_YIELDS,
            Why.ENDLESS,
            agent,
            line,
            (Evidence.of(Fact.STILL_RUNNING, line=line, source=source),) if line else (),
            who=self.names[agent],
            seconds=f"{self._yield_s:g}",
        )

    def _process_gone_quiet(self, agent: int) -> Finding:
        """A process agent that did not come back: dead (how), asleep in the kernel, or spinning."""
        process = self._threads[agent]
        process.join(0.1)
        line = self.seats[agent].pending.line
        if process.exitcode is not None:
            how = f"os._exit({process.exitcode})" if process.exitcode >= 0 else f"signal {-process.exitcode}"
            name = self.names[agent]
            return Finding.of(Verdict.EXITED, Why.AGENT_EXITED, agent, line, who=name, how=how, after=line)
        try:
            wchan = Path(f"/proc/{process.pid}/wchan").read_text()
        except OSError:
            wchan = ""
        if "nanosleep" in wchan:
            name = self.names[agent]
            return Finding.of(Verdict.RAW_SLEEP, Why.RAW_SLEEP_AFTER, agent, line, who=name, after=line)
        seconds = f"{self._yield_s:g}"
        if line:
            name = self.names[agent]
            return Finding.of(
                Verdict.NEVER_YIELDS, Why.ENDLESS_AFTER, agent, line, who=name, seconds=seconds, after=line
            )
        return Finding.of(Verdict.NEVER_YIELDS, Why.ENDLESS, agent, line, who=self.names[agent], seconds=seconds)

    # -- free --------------------------------------------------------------------------
    def run_free(self, limit_s: float) -> Finding:
        """Run as the OS schedules; a run not over within ``limit_s`` is judged stuck."""
        self.free_ends: dict[int, Pending] = {}
        for thread in self._threads:
            thread.start()
        workers = [i for i in range(len(self._threads)) if i not in self._servers]
        for i in workers:
            self._threads[i].join(limit_s)
        alive = [i for i in workers if self._threads[i].is_alive()]
        found = self._free_verdict(alive)
        self._stop.set()
        self.runtime.set_control(STOP, 1.0)
        return found

    def _free_verdict(self, alive: Sequence[int]) -> Finding:
        errors = [(i, p) for i, p in sorted(self.free_ends.items()) if p.report is Report.ERROR]
        if errors:
            i, p = errors[0]
            return Finding.of(Verdict.EXCEPTION, Why.RAISED, i, p.line, who=self.names[i], error=p.error)
        failure = self.failure()
        if failure is not None:
            return failure
        if alive:
            waiting = _free_waits(list(self.log), alive)
            if len(waiting) == len(alive):
                return stuck(waiting, holdings(list(self.log), len(self.names)), self.names, self.resources)
            names = tuple(self.names[i] for i in alive)
            return Finding.of(Verdict.NEVER_YIELDS, Why.UNFINISHED, alive[0], agents=names)
        return self.audit() or Finding.of(Verdict.PASS, Why.FINISHED)

    # -- the end -----------------------------------------------------------------------
    def close(self) -> list[str]:
        """Unwind every agent; names of threads that would not end (stuck in player code)."""
        self._stop.set()
        self.runtime.set_control(STOP, 1.0)
        for seat in self.seats:
            seat.abort()
        for thread in self._threads:
            if thread.ident is not None:
                thread.join(JOIN_S)
        if self._board is not None:
            for process in self._threads:
                if process.is_alive():
                    process.kill()  # code that never yields: a process, unlike a thread, can be ended
                if process.ident is not None:
                    process.join()
        self.runtime.close()
        return [t.name for t in self._threads if t.is_alive()]


class _FreeWriter:
    """A free agent's telemetry: appended to the run's log (list.append is atomic)."""

    def __init__(self, index: int, log: list[tuple[int, int, int]]) -> None:
        self.agent = index
        self._log = log

    def emit(self, code: int, value: int) -> None:
        self._log.append((self.agent, code, value))


_WAITS = (Op.REQUEST, Op.WAIT)
_WAIT_ENDS = (Op.ACQUIRED, Op.TIMED_OUT, Op.ABANDONED, Op.WOKEN, Op.WAIT_TIMED_OUT, Op.BROKEN)


def _free_waits(log: list[tuple[int, int, int]], alive: Sequence[int]) -> dict[int, int]:
    """Agents inside a wait that has not ended: agent -> resource it waits on.

    A Condition's wait records WAIT and then the release of its lock, so "the last record"
    would not do: a wait is open from its REQUEST or WAIT until its own outcome.
    """
    open_waits: dict[int, int] = {}
    for agent, code, _ in log:
        op, resource = code & 0xFFFF, code >> 16
        if op in _WAITS:
            open_waits[agent] = resource
        elif op in _WAIT_ENDS and open_waits.get(agent) == resource:
            del open_waits[agent]
    return {a: open_waits[a] for a in alive if a in open_waits}


def _op_text(op: str) -> str:
    return {"request": "acquire", "released": "release"}.get(op, op)
