"""Seats at the counter (Semaphore as a multiplex, 信号量): at most K guests sit at once.

With ``semaphore`` every guest takes a permit of the Semaphore "seats" (resizable live:
``--at "2:resize seats 5"``). With ``sign`` there is no semaphore, only a shared count of
taken seats that each guest checks and then increments (check-then-act, no lock): more
than K guests end up seated. Occupancy is what telemetry says: a guest records ITEM_PUT
on the container "counter" when it sits and ITEM_TAKEN when it leaves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from sims.agents import AgentBody, Me
from sims.kinds import ResourceKind
from sims.primitives import Semaphore
from sims.rounds.layout import RoundLayout
from sims.rounds.world import World
from sims.scenarios.base import ParamSpec, Scenario
from sims.scenarios.measure import capacity_steps, level_at, occupancy, select, time_weighted, window
from sims.telemetry import Op, State


class Guest(AgentBody):
    """Thinks, takes a seat (a permit), eats, leaves."""

    role = "guest"
    steps = ("take a seat",)

    def __init__(self, seats: Semaphore, counter: int, think_ms: float, eat_ms: float) -> None:
        self.seats, self.counter = seats, counter
        self.think_ms, self.eat_ms = think_ms, eat_ms

    def run(self, me: Me) -> None:
        while me.running():
            me.state(State.THINKING)
            me.pace(self.think_ms)
            me.state(State.HUNGRY)
            me.step("take a seat")
            with self.seats:
                self.eat(me)

    def eat(self, me: Me) -> None:
        me.record(Op.ITEM_PUT, self.counter, me.index)
        me.state(State.EATING)
        try:
            me.pace(self.eat_ms)
        finally:
            me.record(Op.ITEM_TAKEN, self.counter, me.index)


class SignReader(Guest):
    """Reads the 'seats taken' sign, walks to the counter, then adds itself to the sign.

    Two guests can both read 'one seat left' before either has updated the sign
    (time of check to time of use): nothing but the walk lies between them.
    """

    def __init__(self, taken: Any, limit: int, counter: int, think_ms: float, eat_ms: float, walk_ms: float) -> None:
        self.taken, self.limit, self.counter = taken, limit, counter
        self.think_ms, self.eat_ms, self.walk_ms = think_ms, eat_ms, walk_ms

    def run(self, me: Me) -> None:
        while me.running():
            me.state(State.THINKING)
            me.pace(self.think_ms)
            me.state(State.HUNGRY)
            me.step("take a seat")
            if self.taken[0] >= self.limit:
                continue  # full: think again
            me.pace(self.walk_ms)  # the walk to the counter: the gap between the check and the act
            self.taken[0] += 1
            try:
                self.eat(me)
            finally:
                self.taken[0] -= 1


class Seats(Scenario):
    name = "seats"
    order = 6
    summary = "Semaphore as a multiplex: K seats at the counter, resizable live; occupancy over time"
    strategies = {
        "semaphore": "each guest takes a permit of the Semaphore 'seats' (K); try --at '2:resize seats 5'",
        "sign": "no semaphore: guests read a shared 'seats taken' count, then add 1 (check-then-act race)",
    }
    default_strategy = "semaphore"
    operation = "meals"
    params = (
        ParamSpec("agents", int, 8, "guests", 1, 64),
        ParamSpec("seats", int, 3, "seats at the counter (K, the semaphore's permits)", 0, 64),
        ParamSpec("think_ms", float, 10.0, "mean time away from the counter (ms)", 0, 60_000),
        ParamSpec("eat_ms", float, 30.0, "mean time seated (ms)", 0, 60_000),
        ParamSpec("walk_ms", float, 5.0, "sign: mean walk from reading the sign to updating it (ms)", 0, 60_000),
    )

    def build(self, world: World, strategy: str, params: Mapping[str, Any], seed: int) -> None:
        k, n = int(params["seats"]), int(params["agents"])
        think, eat = float(params["think_ms"]), float(params["eat_ms"])
        counter = world.marker("counter", ResourceKind.CONTAINER, k)
        if strategy == "sign":
            taken = world.int_array("seats taken", 1)
            for i in range(n):
                world.agent(f"guest {i}", SignReader(taken, k, counter, think, eat, float(params["walk_ms"])))
            return
        seats = world.semaphore("seats", k)
        for i in range(n):
            world.agent(f"guest {i}", Guest(seats, counter, think, eat))

    def operation_ops(self, layout: RoundLayout) -> dict[int, tuple[int, int]]:
        return {a.index: (int(Op.ITEM_PUT), -1) for a in layout.agents}

    def finish(self, world: World, layout: RoundLayout, events: np.ndarray) -> dict[str, Any]:
        start, end = window(events)
        counter = layout.resource_named("counter")
        t, seated = occupancy(events, counter.index)
        cap_t, cap_v = self._capacity(events, layout, counter.capacity)
        allowed = level_at(t, cap_t, cap_v) if len(t) else np.zeros(0, dtype=np.int64)
        over = seated > allowed
        widths = np.diff(np.append(t, end))
        return {
            "occupancy_mean": time_weighted(t, seated, start, end),
            "max_concurrent": int(seated.max(initial=0)),
            "seats_min": int(cap_v.min()),
            "seats_max": int(cap_v.max()),
            "capacity_changes": int(np.count_nonzero(np.diff(cap_v))),
            "over_capacity_ns": int(widths[over].sum()),
            "over_capacity_moments": int(np.count_nonzero(over)),
            "meals": len(select(events, Op.ITEM_PUT, counter.index)),
        }

    def _capacity(self, events: np.ndarray, layout: RoundLayout, initial: int) -> tuple[np.ndarray, np.ndarray]:
        """The seats in force over time: the semaphore's CAPACITY records, or K throughout for 'sign'."""
        if any(r.name == "seats" for r in layout.resources):
            t, v = capacity_steps(events, layout.resource_named("seats").index, initial)
            return t, v
        return np.zeros(1, dtype=np.int64), np.array([initial])
