"""Dining philosophers: N philosophers, N forks (Locks), four ways to pick them up."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from sims.agents import AgentBody, Me
from sims.kinds import ResourceKind
from sims.primitives import Lock, Semaphore
from sims.rounds.layout import RoundLayout
from sims.rounds.world import World
from sims.scenarios.base import Drawing, ParamSpec, Scenario
from sims.telemetry import Op, State

if TYPE_CHECKING:
    from sims.telemetry.spill import Records

# The loops name states as plain ints: on Python 3.11 looking up an enum member (``State.EATING``)
# costs about as much as the lean ``me.state`` call itself, three times a meal.
THINKING, HUNGRY, EATING = int(State.THINKING), int(State.HUNGRY), int(State.EATING)


class Philosopher(AgentBody):
    """Left fork, then right fork, then eat: deadlocks when everyone holds a left fork."""

    role = "philosopher"
    steps: ClassVar[tuple[str, ...]] = ("take first fork", "take second fork")

    def __init__(self, first: Lock, second: Lock, think_ms: float, eat_ms: float, reach_ms: float = 0.0) -> None:
        self.first = first
        self.second = second
        self.think_ms = think_ms
        self.eat_ms = eat_ms
        self.reach_ms = reach_ms

    # The code view shows this loop to players. Pauses of 0 are not called: at zero pacing a meal
    # is mostly calls, and these three were a tenth of a lean one (docs/benchmarks.md, issue 14).
    def run(self, me: Me) -> None:
        while me.running():
            me.state(THINKING)
            if self.think_ms > 0:
                me.pace(self.think_ms)
            me.state(HUNGRY)
            me.step("take first fork")
            with self.first:
                if self.reach_ms > 0:
                    self._reach(me)
                me.step("take second fork")
                with self.second:
                    me.state(EATING)
                    if self.eat_ms > 0:
                        me.pace(self.eat_ms)

    def _reach(self, me: Me) -> None:
        """Hold the first fork a moment before reaching for the second: the classic demonstration's pause
        that lets every neighbour take a first fork too, so the naive table deadlocks near-surely."""
        if self.reach_ms > 0:
            me.pace(self.reach_ms, jitter=False)


class SeatedPhilosopher(Philosopher):
    """Asks the waiter for a seat (a Semaphore of N-1) before reaching for forks."""

    steps = ("take a seat", "take first fork", "take second fork")

    def __init__(
        self, seats: Semaphore, first: Lock, second: Lock, think_ms: float, eat_ms: float, reach_ms: float = 0.0
    ) -> None:
        super().__init__(first, second, think_ms, eat_ms, reach_ms)
        self.seats = seats

    def run(self, me: Me) -> None:
        while me.running():
            me.state(THINKING)
            me.pace(self.think_ms)
            me.state(HUNGRY)
            me.step("take a seat")
            with self.seats:
                me.step("take first fork")
                with self.first:
                    self._reach(me)
                    me.step("take second fork")
                    with self.second:
                        me.state(EATING)
                        me.pace(self.eat_ms)


class PoliteEater(Philosopher):
    """Takes the second fork with a timeout; if it does not come, puts the first back."""

    def __init__(
        self,
        first: Lock,
        second: Lock,
        think_ms: float,
        eat_ms: float,
        patience_ms: float,
        putbacks: int,
        fixed: bool = False,
        reach_ms: float = 0.0,
        backoff_ms: float = 10.0,
    ) -> None:
        super().__init__(first, second, think_ms, eat_ms)
        self.patience_ms, self.reach_ms, self.backoff_ms = patience_ms, reach_ms, backoff_ms
        self.putbacks = putbacks  # the counter marker recording each fork put back
        self.fixed = fixed  # the same back-off every time: philosophers who failed together retry together

    def run(self, me: Me) -> None:
        while me.running():
            me.state(THINKING)
            me.pace(self.think_ms)
            me.state(HUNGRY)
            while me.running():
                me.step("take first fork")
                with self.first:
                    me.pace(self.reach_ms, jitter=False)
                    me.step("take second fork")
                    if self._try_second(me):
                        try:
                            me.state(EATING)
                            me.pace(self.eat_ms)
                        finally:
                            self.second.release()
                        break
                me.record(Op.COUNTER, self.putbacks, 1)  # one fork put back
                if self.fixed:
                    me.pace(self.backoff_ms, jitter=False)
                else:
                    me.pace(me.rng.uniform(0.1, 1.0) * self.backoff_ms)  # seeded back-off, then retry

    def _try_second(self, me: Me) -> bool:
        """Patience 0 is the textbook's polite philosopher: one look at the second fork and, if it is
        taken, a moment's hesitation (``reach_ms``) holding the first before putting it back.

        Everyone who hesitated together puts back together; with a fixed back-off they also
        come back together, so the table livelocks. A timed acquire would not: the first to
        give up hands its fork to a neighbour still waiting for it.
        """
        if self.patience_ms > 0:
            return self.second.acquire(timeout=self.patience_ms / 1000.0)
        if self.second.acquire(blocking=False):
            return True
        me.pace(self.reach_ms, jitter=False)
        return False


class Dining(Scenario):
    name = "dining"
    order = 1
    in_sandbox = True
    drawing = Drawing.TABLE
    summary = "N philosophers share N forks (Locks); the naive order deadlocks for real"
    strategies = {
        "naive": "left fork, then right fork: every philosopher can hold a left fork and wait forever",
        "ordered": "lower-numbered fork first (resource hierarchy): no cycle can form",
        "waiter": "a Semaphore 'seats' of N-1 permits lets at most N-1 reach for forks (resizable live)",
        "trylock": "second fork with a timeout; on failure put the first back and retry after a seeded back-off",
    }
    default_strategy = "naive"
    operation = "meals"
    params = (
        ParamSpec("agents", int, 5, "philosophers (and forks)", 2, 64),
        ParamSpec("think_ms", float, 20.0, "mean thinking time in ms (seeded, uniform 0.5x-1.5x; 0 = none)", 0, 60_000),
        ParamSpec("eat_ms", float, 20.0, "mean eating time in ms (0 = none)", 0, 60_000),
        ParamSpec("seats", int, 0, "waiter: permits of the seats semaphore (0 = N-1)", 0, 64),
        ParamSpec("patience_ms", float, 10.0, "trylock: how long to wait for the second fork (0 = one try)", 0, 60_000),
        ParamSpec(
            "backoff",
            str,
            "random",
            "trylock: the pause before retrying: random (seeded, 0.1-1 x backoff_ms) "
            "or fixed (exactly backoff_ms: everyone who failed together retries together)",
            choices=("random", "fixed"),
        ),
        ParamSpec("backoff_ms", float, 10.0, "trylock: the back-off's scale (ms)", 0, 60_000),
        ParamSpec(
            "reach_ms",
            float,
            0.0,
            "time from holding the first fork to reaching for the second (ms, exact): the moment "
            "every neighbour grabs a first fork too (trylock: the hesitation before putting it back)",
            0,
            60_000,
        ),
    )

    def build(self, world: World, strategy: str, params: Mapping[str, Any], seed: int) -> None:
        n = int(params["agents"])
        forks = [world.lock(f"fork {i}") for i in range(n)]
        think, eat = float(params["think_ms"]), float(params["eat_ms"])
        seats = world.semaphore("seats", int(params["seats"]) or n - 1) if strategy == "waiter" else None
        putbacks = world.marker("put back", ResourceKind.COUNTER) if strategy == "trylock" else -1
        for i in range(n):
            left, right = forks[i].for_agent(), forks[(i + 1) % n].for_agent()  # each philosopher's own
            if strategy == "ordered" and left.index > right.index:
                left, right = right, left
            body: AgentBody
            if seats is not None:
                body = SeatedPhilosopher(seats, left, right, think, eat, float(params["reach_ms"]))
            elif strategy == "trylock":
                fixed = params["backoff"] == "fixed"
                patience, reach = float(params["patience_ms"]), float(params["reach_ms"])
                backoff = float(params["backoff_ms"])
                body = PoliteEater(left, right, think, eat, patience, putbacks, fixed, reach, backoff)
            else:
                body = Philosopher(left, right, think, eat, float(params["reach_ms"]))
            world.agent(f"philosopher {i}", body)

    def operation_ops(self, layout: RoundLayout) -> dict[int, tuple[int, int]]:
        return {a.index: (int(Op.STATE), int(State.EATING)) for a in layout.agents}

    def finish_records(self, world: World, layout: RoundLayout, records: Records) -> dict[str, Any]:
        """trylock: how often a fork went back for each meal (livelock: many, for few meals).
        Counted a chunk at a time: a long round's records never all sit in memory."""
        if layout.strategy != "trylock":
            return {}
        index = layout.resource_named("put back").index
        putbacks = meals = 0
        for events in records.chunks():
            putbacks += int(((events["op"] == Op.COUNTER) & (events["resource"] == index)).sum())
            meals += int(((events["op"] == Op.STATE) & (events["value"] == State.EATING)).sum())
        return {"putbacks": putbacks, "putbacks_per_meal": putbacks / meals if meals else float(putbacks)}
