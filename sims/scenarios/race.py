"""The race: N agents add 1 to a shared counter with read, compute, write, and lose updates.

Threads share a plain Python object (or list); processes share ``multiprocessing.Value``
/ ``Array`` created with ``lock=False``, or, with ``lock=true``, created with *our*
instrumented Lock as their lock: ``counter.get_lock()`` then is that very lock, so every
wait for it is on screen. Each agent counts its own increments in a slot only it writes,
so ``expected`` is exact; ``actual`` is what the shared counter says at the end.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

import numpy as np

from sims.agents import AgentBody, Me
from sims.kinds import ResourceKind
from sims.primitives import Lock
from sims.rounds.layout import RoundLayout
from sims.rounds.world import World
from sims.scenarios.base import ParamSpec, Scenario
from sims.scenarios.measure import select
from sims.telemetry import Op, State


def look_busy(n: int, h: int = 7) -> int:
    """A few bytecodes of real work between the read and the write: the race window."""
    for _ in range(n):
        h = (h * 31 + 7) & 0xFFFF
    return h


class Tally:
    """The threads' shared object: one attribute, like ``multiprocessing.Value``."""

    def __init__(self) -> None:
        self.value = 0


class Adder(AgentBody):
    """``x = counter; look busy; counter = x + 1``, optionally under the lock, forever."""

    role = "adder"
    steps = ("read", "write")

    def __init__(self, slot: int, cells: Any, lock: Lock | None, tally: Any, marker: int, window: int) -> None:
        self.slot = slot  # which cell this agent adds to (always 0 for a single Value)
        self.cells = cells  # indexable: a Value-like wrapper or an Array/list
        self.lock = lock
        self.tally = tally  # tally[agent] = increments this agent made (only it writes there)
        self.marker = marker
        self.window = window

    def run(self, me: Me) -> None:
        me.state(State.WORKING)
        done, cells, slot = 0, self.cells, self.slot
        while me.running():
            if self.lock is None:
                me.step("read")
                x = cells[slot]
                look_busy(self.window)
                me.step("write")
                cells[slot] = x + 1
            else:
                with self.lock:
                    me.step("read")
                    x = cells[slot]
                    look_busy(self.window)
                    me.step("write")
                    cells[slot] = x + 1
            done += 1
            self.tally[me.index] = done
            me.record(Op.COUNTER, self.marker, x + 1)
        me.state(State.DONE)


class ValueCells:
    """Index 0 of a ``Value`` or of a thread Tally: lets one Adder body serve both shapes."""

    def __init__(self, holder: Any) -> None:
        self.holder = holder

    def __getitem__(self, _: int) -> int:
        value: int = self.holder.value
        return value

    def __setitem__(self, _: int, value: int) -> None:
        self.holder.value = value


class Race(Scenario):
    name = "race"
    order = 4
    summary = "agents add 1 to a shared counter with read-modify-write: count the updates the race loses"
    strategies = {
        "value": "one counter: a shared Python object (threads) or multiprocessing.Value('q', lock=False) (processes)",
        "array": "a row of 'tables' counters: a list (threads) or multiprocessing.Array('q', lock=False); "
        "each agent adds to table (its number mod tables)",
    }
    default_strategy = "value"
    operation = "increments"
    params = (
        ParamSpec("agents", int, 4, "adders", 2, 32),
        ParamSpec("lock", bool, False, "true: each update under the counter's lock (get_lock() for Value/Array)"),
        ParamSpec(
            "window",
            int,
            300,
            "loop steps of work between reading and writing the counter (the race window)",
            0,
            100_000,
        ),
        ParamSpec("tables", int, 2, "array: how many counters in the Array", 1, 32),
    )

    def build(self, world: World, strategy: str, params: Mapping[str, Any], seed: int) -> None:
        n = int(params["agents"])
        size = int(params["tables"]) if strategy == "array" else 1
        lock = world.lock("counter lock") if params["lock"] else None
        marker = world.marker("counter", ResourceKind.COUNTER, size)
        world.shared["tally"] = tally = world.int_array("tally", n)
        shared = self._shared(world, strategy, size, lock)
        # Inside get_lock() use the raw memory: .value would take the (non-reentrant) lock again.
        raw = shared.get_obj() if lock is not None and world.ctx is not None else shared
        world.shared["counter"] = raw
        cells = ValueCells(raw) if strategy == "value" else raw
        for i in range(n):
            world.agent(f"adder {i}", Adder(i % size, cells, lock, tally, marker, int(params["window"])))

    def _shared(self, world: World, strategy: str, size: int, lock: Lock | None) -> Any:
        if world.ctx is None:
            return Tally() if strategy == "value" else [0] * size
        # lock=False: a raw shared int; otherwise the Value's own lock IS our instrumented Lock.
        guard: Any = False if lock is None else lock.raw
        make = world.ctx.Value if strategy == "value" else world.ctx.Array
        shared = make("q", 0 if strategy == "value" else size, lock=guard)
        if lock is not None and shared.get_lock() is not lock.raw:
            raise RuntimeError("the counter's get_lock() must be the instrumented lock")
        return shared

    def operation_ops(self, layout: RoundLayout) -> dict[int, tuple[int, int]]:
        return {a.index: (int(Op.COUNTER), -1) for a in layout.agents}

    def finish(self, world: World, layout: RoundLayout, events: np.ndarray) -> dict[str, Any]:
        shared = world.shared["counter"]
        actual = int(shared.value) if hasattr(shared, "value") else int(sum(shared[:]))
        expected = int(sum(world.shared["tally"][:]))
        writes = select(events, Op.COUNTER, layout.resource_named("counter").index)
        return {
            "expected": expected,
            "actual": actual,
            "lost_updates": expected - actual,
            "lost_share": (expected - actual) / expected if expected else 0.0,
            "increments_recorded": len(writes),
            "locked": int(any(r.name == "counter lock" for r in layout.resources)),
            "switch_interval_ms": sys.getswitchinterval() * 1000.0,
        }
