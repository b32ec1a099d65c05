"""Dining philosophers: N philosophers, N forks (Locks), four ways to pick them up."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from sims.agents import AgentBody, Me
from sims.primitives import Lock, Semaphore
from sims.rounds.layout import RoundLayout
from sims.rounds.world import World
from sims.scenarios.base import Drawing, ParamSpec, Scenario
from sims.telemetry import Op, State


class Philosopher(AgentBody):
    """Left fork, then right fork, then eat: deadlocks when everyone holds a left fork."""

    role = "philosopher"
    steps: ClassVar[tuple[str, ...]] = ("take first fork", "take second fork")

    def __init__(self, first: Lock, second: Lock, think_ms: float, eat_ms: float) -> None:
        self.first = first
        self.second = second
        self.think_ms = think_ms
        self.eat_ms = eat_ms

    def run(self, me: Me) -> None:
        while me.running():
            me.state(State.THINKING)
            me.pace(self.think_ms)
            me.state(State.HUNGRY)
            me.step("take first fork")
            with self.first:
                me.step("take second fork")
                with self.second:
                    me.state(State.EATING)
                    me.pace(self.eat_ms)


class SeatedPhilosopher(Philosopher):
    """Asks the waiter for a seat (a Semaphore of N-1) before reaching for forks."""

    steps = ("take a seat", "take first fork", "take second fork")

    def __init__(self, seats: Semaphore, first: Lock, second: Lock, think_ms: float, eat_ms: float) -> None:
        super().__init__(first, second, think_ms, eat_ms)
        self.seats = seats

    def run(self, me: Me) -> None:
        while me.running():
            me.state(State.THINKING)
            me.pace(self.think_ms)
            me.state(State.HUNGRY)
            me.step("take a seat")
            with self.seats:
                me.step("take first fork")
                with self.first:
                    me.step("take second fork")
                    with self.second:
                        me.state(State.EATING)
                        me.pace(self.eat_ms)


class PoliteEater(Philosopher):
    """Takes the second fork with a timeout; if it does not come, puts the first back."""

    def __init__(self, first: Lock, second: Lock, think_ms: float, eat_ms: float, patience_ms: float) -> None:
        super().__init__(first, second, think_ms, eat_ms)
        self.patience_ms = patience_ms

    def run(self, me: Me) -> None:
        while me.running():
            me.state(State.THINKING)
            me.pace(self.think_ms)
            me.state(State.HUNGRY)
            while me.running():
                me.step("take first fork")
                with self.first:
                    me.step("take second fork")
                    if self.second.acquire(timeout=self.patience_ms / 1000.0):
                        try:
                            me.state(State.EATING)
                            me.pace(self.eat_ms)
                        finally:
                            self.second.release()
                        break
                me.pace(me.rng.uniform(0.1, 1.0) * self.patience_ms)  # seeded back-off, then retry


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
        ParamSpec("patience_ms", float, 10.0, "trylock: how long to wait for the second fork", 0.1, 60_000),
    )

    def build(self, world: World, strategy: str, params: Mapping[str, Any], seed: int) -> None:
        n = int(params["agents"])
        forks = [world.lock(f"fork {i}") for i in range(n)]
        think, eat = float(params["think_ms"]), float(params["eat_ms"])
        seats = world.semaphore("seats", int(params["seats"]) or n - 1) if strategy == "waiter" else None
        for i in range(n):
            left, right = forks[i], forks[(i + 1) % n]
            if strategy == "ordered" and left.index > right.index:
                left, right = right, left
            body: AgentBody
            if seats is not None:
                body = SeatedPhilosopher(seats, left, right, think, eat)
            elif strategy == "trylock":
                body = PoliteEater(left, right, think, eat, float(params["patience_ms"]))
            else:
                body = Philosopher(left, right, think, eat)
            world.agent(f"philosopher {i}", body)

    def operation_ops(self, layout: RoundLayout) -> dict[int, tuple[int, int]]:
        return {a.index: (int(Op.STATE), int(State.EATING)) for a in layout.agents}
