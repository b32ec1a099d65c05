"""The schedule explorer: systematic bounded search, then seeded random schedules.

Systematic: schedules are a base policy (stay with the running agent, CHESS's
non-preemptive default, or take turns at every point) plus a few deviations; runs are
tried fewest deviations first (iterative context bounding: most bugs need two or fewer).
Random: PCT (random priorities with d-1 priority-change points, Burckhardt et al. 2010)
alternating with a uniform random walk, every run seeded from the seed and its number.
The first failing run ends the search; its schedule is the counterexample.
"""

from __future__ import annotations

import enum
import heapq
import multiprocessing
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from sims.exercises import Exercise
from sims.explore.code import PlayerCode
from sims.explore.run import Move, Run
from sims.explore.table import TableAt, TableKeeper
from sims.explore.verdict import PASSED, Finding, Verdict, Why

Chooser = Callable[[int, Sequence[int], int], int]  # (step, enabled agents, last agent) -> agent
DEVIATIONS = 2  # the systematic search's bound
SYSTEMATIC_SHARE = 0.4  # of the budget
MAX_STEPS = 4000  # a run longer than this is judged starving (a livelock, an unfair loop)
STARVING_TAIL = 4  # starvation: an agent unable to move in the last quarter of such a run
PCT_DEPTH = 3
FORKSERVER_PRELOAD = ["sims.explore.board", "sims.primitives"]


class Phase(enum.Enum):
    SYSTEMATIC = "systematic"
    RANDOM = "random"
    FREE = "free"
    REPLAY = "replay"
    WORKER = "worker"  # the worker process died before it could say where
    LOAD = "load"  # the player's file raised while it was imported


class Base(enum.Enum):
    """The systematic search's default choice when not deviating."""

    STAY = "stay"  # keep running the last agent while it can move
    TURNS = "turns"  # the next agent after the last, at every point


@attrs.frozen
class Played:
    """One explored run: its verdict, its picks, and who could move at each."""

    finding: Finding
    schedule: tuple[int, ...]
    enabled: tuple[tuple[int, ...], ...]
    moves: tuple[Move, ...] = ()
    holds: tuple[tuple[str, ...], ...] = ()
    names: tuple[str, ...] = ()
    tables: tuple[TableAt, ...] = ()  # traced: the table before the first step, then after each


@attrs.frozen
class Settings:
    exercise: Exercise
    code: PlayerCode
    agents: int | None
    seed: int
    yield_s: float = 1.0
    max_steps: int = MAX_STEPS
    backend: str = "thread"  # or "process": each agent a spawned process

    def context(self) -> Any:
        """None for thread agents, else a fork server's context: it imports the agents' side
        once, and every agent of every run after is a cheap fork (measured: 1.0 s a run of two
        spawned agents, 0.07 s forked)."""
        if self.backend == "thread":
            return None
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(FORKSERVER_PRELOAD)
        return ctx


def play(settings: Settings, choose: Chooser, trace: bool = False) -> Played:
    """Run the agents with ``choose`` picking every step; always tears the run down."""
    ex = settings.exercise
    run = Run(ex, settings.code, settings.agents, settings.seed, True, settings.yield_s, ex.rounds, settings.context())
    schedule: list[int] = []
    enabled_log: list[tuple[int, ...]] = []
    moves: list[Move] = []
    holds: list[tuple[str, ...]] = []
    tables: list[TableAt] = []
    keeper = TableKeeper(run.resources, len(run.names)) if trace else None
    try:
        found = run.start()
        if keeper is not None:
            tables.append(keeper.take(run.seats, run.log, -1))
        last = 0
        while found is None:
            if run.finished():
                found = run.audit() or PASSED
                break
            enabled = run.enabled()
            if not enabled:
                found = run.verdict_stuck()
                break
            if len(schedule) >= settings.max_steps:
                found = _starving(run, schedule, enabled_log)
                break
            pick = choose(len(schedule), enabled, last)
            if pick not in enabled:
                pick = enabled[0]  # a replay of changed code: go on as best we can
            schedule.append(pick)
            enabled_log.append(tuple(enabled))
            if trace:
                moves.append(run.move(pick))
            found = run.step(pick)
            if keeper is not None:
                tables.append(keeper.take(run.seats, run.log, pick))
                holds.append(keeper.holds())
            last = pick
    finally:
        run.close()
    return Played(
        found, tuple(schedule), tuple(enabled_log), tuple(moves), tuple(holds), tuple(run.names), tuple(tables)
    )


def _starving(run: Run, schedule: Sequence[int], enabled: Sequence[tuple[int, ...]]) -> Finding:
    """Too many steps: agents shut out while others move (starvation), or all moving in vain (livelock)."""
    tail = len(schedule) // STARVING_TAIL
    undone = [i for i, s in enumerate(run.seats) if s.pending.report.name != "DONE"]
    shut_out = [i for i in undone if not any(i in e for e in enabled[-tail:])]
    if shut_out and len(shut_out) < len(undone):
        names = tuple(run.names[i] for i in shut_out)
        return Finding.of(Verdict.STARVATION, Why.STARVED, shut_out[0], agents=names, steps=tail)
    names = tuple(run.names[i] for i in undone)
    return Finding.of(Verdict.STARVATION, Why.LIVELOCK, undone[0] if undone else -1, agents=names, steps=len(schedule))


def _base_choice(base: Base, enabled: Sequence[int], last: int, agents: int) -> int:
    if base is Base.STAY and last in enabled:
        return last
    for k in range(1, agents + 1):
        nxt = (last + k) % agents
        if nxt in enabled:
            return nxt
    return enabled[0]


def following(prefix: Sequence[int], base: Base, agents: int) -> Chooser:
    """Picks ``prefix`` first, then the base policy."""

    def choose(step: int, enabled: Sequence[int], last: int) -> int:
        if step < len(prefix):
            return prefix[step]
        return _base_choice(base, enabled, last, agents)

    return choose


@attrs.frozen
class Found:
    """The search's answer: the first failing run (or the last run if none failed)."""

    played: Played
    phase: Phase
    runs: int
    steps: int
    base: Base | None = None
    run_seed: int = 0


def systematic(settings: Settings, agents: int, deadline: float, count: list[int]) -> Found | None:
    """Fewest deviations first from each base policy; the first failing run, or None."""
    heap: list[tuple[int, int, str, tuple[int, ...]]] = [(0, 0, Base.TURNS.value, ()), (0, 1, Base.STAY.value, ())]
    pushed = 2
    while heap and time.monotonic() < deadline:
        cost, _, base_name, prefix = heapq.heappop(heap)
        base = Base(base_name)
        played = play(settings, following(prefix, base, agents))
        count[0] += 1
        count[1] += len(played.schedule)
        if played.finding.verdict.failed:
            return Found(played, Phase.SYSTEMATIC, count[0], count[1], base)
        for step, alt, extra in _branches(played, prefix, base, agents):
            if cost + extra <= DEVIATIONS:
                heapq.heappush(heap, (cost + extra, pushed, base_name, (*played.schedule[:step], alt)))
                pushed += 1
    return None


def _branches(played: Played, prefix: Sequence[int], base: Base, agents: int) -> list[tuple[int, int, int]]:
    """(step, other agent, cost) for every other choice after the prefix."""
    out = []
    for step in range(len(prefix), len(played.schedule)):
        enabled = played.enabled[step]
        last = played.schedule[step - 1] if step else 0
        free = base is Base.STAY and last not in enabled  # CHESS: switching from a blocked agent is free
        for alt in enabled:
            if alt != played.schedule[step]:
                out.append((step, alt, 0 if free else 1))
    return out


def pct(rng: random.Random, agents: int, depth: int, length: int) -> Chooser:
    """PCT: random distinct priorities; at depth-1 random steps the top agent drops to the bottom."""
    priority = {a: depth + p for a, p in enumerate(rng.sample(range(agents), agents))}
    changes = {rng.randrange(max(length, 1)): depth - 1 - k for k in range(depth - 1)}

    def choose(step: int, enabled: Sequence[int], last: int) -> int:
        top = max(enabled, key=priority.__getitem__)
        if step in changes:
            priority[top] = changes[step]
            top = max(enabled, key=priority.__getitem__)
        return top

    return choose


def walk(rng: random.Random) -> Chooser:
    def choose(step: int, enabled: Sequence[int], last: int) -> int:
        return enabled[rng.randrange(len(enabled))]

    return choose


def randomised(settings: Settings, agents: int, deadline: float, count: list[int], length: int) -> Found | None:
    """Seeded PCT and random-walk runs until the deadline."""
    number = 0
    while time.monotonic() < deadline:
        run_seed = settings.seed * 1_000_003 + number
        rng = random.Random(run_seed)
        chooser = walk(rng) if number % 2 else pct(rng, agents, 1 + (number // 2) % PCT_DEPTH, length)
        played = play(settings, chooser)
        count[0] += 1
        count[1] += len(played.schedule)
        length = max(length, len(played.schedule))
        if played.finding.verdict.failed:
            return Found(played, Phase.RANDOM, count[0], count[1], None, run_seed)
        number += 1
    return None


def explore(settings: Settings, budget_s: float) -> Found:
    """Search within ``budget_s``: systematic first, then random; PASS if nothing failed."""
    agents = settings.exercise.default_agents if settings.agents is None else settings.agents
    start = time.monotonic()
    count = [0, 0]
    found = systematic(settings, agents, start + budget_s * SYSTEMATIC_SHARE, count)
    if found is None:
        found = randomised(settings, agents, start + budget_s, count, 50)
    if found is None:
        return Found(Played(PASSED, (), ()), Phase.RANDOM, count[0], count[1])
    return found
