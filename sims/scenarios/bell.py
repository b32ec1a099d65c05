"""The bell (Event, 事件): guests wait at the door until the bell rings; clear() shuts it again.

A ringer ``set()``s the Event "door", keeps it open a while, then ``clear()``s it. Guests
``wait()`` at the door, go in, eat, come back. Wake-up latency is measured from telemetry:
for each guest wake-up that really waited, the time from the last SET before it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import numpy as np

from sims.agents import AgentBody, Me
from sims.primitives import Event
from sims.rounds.layout import RoundLayout
from sims.rounds.world import World
from sims.scenarios.base import ParamSpec, Scenario
from sims.scenarios.measure import select, spread
from sims.telemetry import Op, State


class Ringer(AgentBody):
    """Rings the bell (set), keeps the door open, closes it (clear), waits, again."""

    role = "ringer"
    steps = ("ring the bell", "close the door")

    def __init__(self, door: Event, open_ms: float, closed_ms: float) -> None:
        self.door, self.open_ms, self.closed_ms = door, open_ms, closed_ms

    def run(self, me: Me) -> None:
        while me.running():
            me.state(State.IDLE)
            me.pace(self.closed_ms)
            me.step("ring the bell")
            self.door.set()
            me.state(State.WORKING)
            me.pace(self.open_ms)
            me.step("close the door")
            self.door.clear()


class Guest(AgentBody):
    """Waits at the door (Event.wait), goes in, eats, comes back to the door."""

    role = "guest"
    steps = ("wait at the door",)

    def __init__(self, door: Event, eat_ms: float) -> None:
        self.door, self.eat_ms = door, eat_ms

    def run(self, me: Me) -> None:
        start = time.thread_time_ns()  # what waiting costs: blocked guests use none, peekers some
        try:
            while me.running():
                me.state(State.WAITING)
                me.step("wait at the door")
                self.enter(me)
                me.state(State.EATING)
                me.pace(self.eat_ms)
        finally:
            me.record(Op.CPU_USED, -1, time.thread_time_ns() - start)

    def enter(self, me: Me) -> None:
        self.door.wait()


class Peeker(Guest):
    """Does not wait on the Event: peeks (wait(0)) and naps poll_ms between peeks."""

    def __init__(self, door: Event, eat_ms: float, poll_ms: float) -> None:
        super().__init__(door, eat_ms)
        self.poll_ms = poll_ms

    def enter(self, me: Me) -> None:
        while not self.door.wait(0):
            me.pace(self.poll_ms)


class Bell(Scenario):
    name = "bell"
    order = 5
    summary = "Event: guests wait() at the door until the bell rings (set); clear() closes it; wake-up latency"
    strategies = {
        "ring": "guests block in Event.wait(); one ringer set()s, keeps the door open open_ms, clear()s",
        "peek": "guests never block: they peek with wait(0) and nap poll_ms between peeks (latency ~ poll_ms)",
    }
    default_strategy = "ring"
    operation = "entries"
    params = (
        ParamSpec("agents", int, 4, "guests waiting at the door", 1, 64),
        ParamSpec("open_ms", float, 30.0, "how long the door stays open after a ring (ms)", 1, 60_000),
        ParamSpec("closed_ms", float, 100.0, "mean time between closing and the next ring (ms)", 1, 60_000),
        ParamSpec("eat_ms", float, 20.0, "mean time a guest spends inside before coming back (ms)", 0, 60_000),
        ParamSpec("poll_ms", float, 20.0, "peek: mean nap between two peeks at the door (ms)", 0.1, 60_000),
    )

    def build(self, world: World, strategy: str, params: Mapping[str, Any], seed: int) -> None:
        door = world.event("door")
        world.agent("ringer", Ringer(door, float(params["open_ms"]), float(params["closed_ms"])))
        eat, poll = float(params["eat_ms"]), float(params["poll_ms"])
        for i in range(int(params["agents"])):
            guest = Peeker(door, eat, poll) if strategy == "peek" else Guest(door, eat)
            world.agent(f"guest {i}", guest)

    def operation_ops(self, layout: RoundLayout) -> dict[int, tuple[int, int]]:
        ops = {"ringer": int(Op.SET), "guest": int(Op.WOKEN)}
        return {a.index: (ops[a.role], -1) for a in layout.agents}

    def finish(self, world: World, layout: RoundLayout, events: np.ndarray) -> dict[str, Any]:
        door = layout.resource_named("door").index
        sets = select(events, Op.SET, door)["t_ns"]
        latencies = wake_latencies(events, door, sets)
        woken = select(events, Op.WOKEN, door)
        cpu_ns = int(events["value"][events["op"] == Op.CPU_USED].sum())
        return {
            "guest_cpu_ms": cpu_ns / 1e6,
            "cpu_us_per_entry": cpu_ns / 1e3 / len(woken) if len(woken) else float(cpu_ns / 1e3),
            "rings": len(sets),
            "clears": len(select(events, Op.CLEAR, door)),
            "wakeups": len(latencies),
            "walk_ins": int(np.count_nonzero(woken["value"] == 0)),
            **spread("wake", latencies),
        }


def wake_latencies(events: np.ndarray, door: int, sets: np.ndarray) -> np.ndarray:
    """For every WOKEN that ended a stay at the door (the agent's previous door record was a
    WAIT or a peek that timed out, not its last entry): ns from the last SET before it."""
    at_door = (Op.WAIT, Op.WAIT_TIMED_OUT)
    mine = events[(events["resource"] == door) & np.isin(events["op"], [*at_door, Op.WOKEN])]
    found: list[int] = []
    last_op: dict[int, int] = {}
    for t, agent, op in mine[["t_ns", "agent", "op"]].tolist():
        if op == Op.WOKEN and last_op.get(agent) in at_door:
            k = int(np.searchsorted(sets, t, side="right")) - 1
            if k >= 0:
                found.append(t - int(sets[k]))
        last_op[agent] = op
    return np.asarray(found, dtype=np.int64)
