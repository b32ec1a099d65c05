"""The menu board (readers–writers, 读者写者): many may read it at once, a writer needs it alone.

Built only from our Lock and Semaphore, so every wait is on screen. Three entry protocols:
reader preference (writers can starve while readers overlap), writer preference (a
waiting writer shuts the door on new readers) and a fair turnstile everyone passes in
arrival order. Each agent measures its whole entry protocol and records it (Op.WAITED,
resource = the room); a wait the end of the round cut short is recorded as it stood.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import numpy as np

from sims.agents import AgentBody, Me
from sims.primitives import Lock, Semaphore
from sims.rounds.layout import RoundLayout
from sims.rounds.world import World
from sims.runtime import RoundStopped
from sims.scenarios.base import ParamSpec, Scenario
from sims.scenarios.measure import select, spread
from sims.telemetry import Op, State

WRITERS_WAITING = 0  # slot of the shared count


class ReaderPreference:
    """The room is a Semaphore of R permits (one per reader). A reader takes one; a writer
    needs all R at once and takes them only when the room is empty (else it gives back what
    it got and tries again): readers never wait for writers, so writers can starve.

    Every agent gives back exactly the permits it took (no permit crosses agents).
    """

    def __init__(self, room: Semaphore, door: Lock, permits: int, retry_ms: float) -> None:
        self.room, self.door, self.permits, self.retry_ms = room, door, permits, retry_ms

    def enter_read(self, me: Me) -> None:
        self.room.acquire()

    def exit_read(self) -> None:
        self.room.release()

    def enter_write(self, me: Me) -> None:
        with self.door:  # writers try one at a time
            while not self._take_all_now():
                me.pace(self.retry_ms)

    def _take_all_now(self) -> bool:
        got = 0
        while got < self.permits and self.room.acquire(blocking=False):
            got += 1
        if got == self.permits:
            return True
        for _ in range(got):
            self.room.release()
        return False

    def exit_write(self) -> None:
        for _ in range(self.permits):
            self.room.release()


class Turnstile(ReaderPreference):
    """Everyone passes the turnstile (the Lock 'door') in turn; a writer collects all R
    permits while holding it, so readers who come later queue behind the writer."""

    def enter_read(self, me: Me) -> None:
        with self.door:
            self.room.acquire()

    def enter_write(self, me: Me) -> None:
        with self.door:
            for _ in range(self.permits):
                self.room.acquire()


class WriterPreference(Turnstile):
    """The turnstile, and readers also step aside while any writer is waiting."""

    def __init__(self, room: Semaphore, door: Lock, permits: int, retry_ms: float, waiting: Any, count: Lock) -> None:
        super().__init__(room, door, permits, retry_ms)
        self.waiting, self.count = waiting, count

    def enter_read(self, me: Me) -> None:
        while self.waiting[WRITERS_WAITING] > 0:
            me.pace(self.retry_ms)
        super().enter_read(me)

    def enter_write(self, me: Me) -> None:
        with self.count:
            self.waiting[WRITERS_WAITING] += 1
        try:
            super().enter_write(me)
        finally:
            with self.count:
                self.waiting[WRITERS_WAITING] -= 1


class Diner(AgentBody):
    """Reads the menu (or rewrites it), measuring how long the way in took."""

    role = "reader"
    steps = ("ask to read",)

    def __init__(self, protocol: ReaderPreference, room: int, think_ms: float, use_ms: float) -> None:
        self.protocol, self.room = protocol, room
        self.think_ms, self.use_ms = think_ms, use_ms

    def run(self, me: Me) -> None:
        while me.running():
            me.state(State.THINKING)
            me.pace(self.think_ms)
            me.state(State.WAITING)
            me.step(self.steps[0])
            want = time.monotonic_ns()
            try:
                self.enter(me)
            except RoundStopped:
                me.record(Op.WAITED, self.room, time.monotonic_ns() - want)
                raise
            me.record(Op.WAITED, self.room, time.monotonic_ns() - want)
            me.state(self.busy_state)
            try:
                me.pace(self.use_ms)
            finally:
                self.leave()

    busy_state = State.READING

    def enter(self, me: Me) -> None:
        self.protocol.enter_read(me)

    def leave(self) -> None:
        self.protocol.exit_read()


class Editor(Diner):
    role = "writer"
    steps = ("ask to write",)
    busy_state = State.WRITING

    def enter(self, me: Me) -> None:
        self.protocol.enter_write(me)

    def leave(self) -> None:
        self.protocol.exit_write()


class Menu(Scenario):
    name = "menu"
    order = 7
    summary = "readers–writers over a menu board: reader preference starves writers; writer preference; fair turnstile"
    strategies = {
        "reader": "reader preference: a reader takes 1 of R permits of 'room'; a writer gets in only when all R "
        "are free at once, so overlapping readers keep writers out (watch writer_max_wait_ms)",
        "writer": "writer preference: the turnstile, and readers step aside while any writer is waiting",
        "fair": "a turnstile Lock 'door' everyone passes in turn; a writer collects all R permits holding it",
    }
    default_strategy = "reader"
    operation = "visits"
    params = (
        ParamSpec("readers", int, 5, "diners reading the menu", 1, 32),
        ParamSpec("writers", int, 2, "cooks rewriting the menu", 1, 32),
        ParamSpec("read_ms", float, 40.0, "mean time reading (ms)", 0, 60_000),
        ParamSpec("write_ms", float, 10.0, "mean time writing (ms)", 0, 60_000),
        ParamSpec("reader_think_ms", float, 5.0, "mean time between two reads (ms)", 0, 60_000),
        ParamSpec("writer_think_ms", float, 50.0, "mean time between two writes (ms)", 0, 60_000),
        ParamSpec(
            "retry_ms",
            float,
            2.0,
            "mean pause before trying again (a writer finding readers in; a reader stepping aside for a writer)",
            0.1,
            60_000,
        ),
    )

    def build(self, world: World, strategy: str, params: Mapping[str, Any], seed: int) -> None:
        p = params
        readers, retry = int(p["readers"]), float(p["retry_ms"])
        room = world.semaphore("room", readers, fixed="a writer takes all its permits (one per reader) to be alone")
        door = world.lock("door")
        protocol: ReaderPreference
        if strategy == "writer":
            waiting = world.int_array("writers waiting", 1)
            protocol = WriterPreference(room, door, readers, retry, waiting, world.lock("writer count"))
        elif strategy == "fair":
            protocol = Turnstile(room, door, readers, retry)
        else:
            protocol = ReaderPreference(room, door, readers, retry)
        for i in range(readers):
            world.agent(f"reader {i}", Diner(protocol, room.index, float(p["reader_think_ms"]), float(p["read_ms"])))
        for i in range(int(p["writers"])):
            world.agent(f"writer {i}", Editor(protocol, room.index, float(p["writer_think_ms"]), float(p["write_ms"])))

    def operation_ops(self, layout: RoundLayout) -> dict[int, tuple[int, int]]:
        busy = {"reader": int(State.READING), "writer": int(State.WRITING)}
        return {a.index: (int(Op.STATE), busy[a.role]) for a in layout.agents}

    def finish(self, world: World, layout: RoundLayout, events: np.ndarray) -> dict[str, Any]:
        room = layout.resource_named("room").index
        stats: dict[str, Any] = {}
        for role in ("reader", "writer"):
            agents = [a.index for a in layout.agents if a.role == role]
            waits = select(events, Op.WAITED, room, agents)["value"]
            busy = State.READING if role == "reader" else State.WRITING
            visits = select(events, Op.STATE, None, agents)
            stats[f"{role}s_in"] = int(np.count_nonzero(visits["value"] == busy))
            stats |= spread(f"{role}_wait", waits)
        stats["writer_max_wait_ms"] = stats.pop("writer_wait_max_ms")
        stats["reader_max_wait_ms"] = stats.pop("reader_wait_max_ms")
        reader_max = max(stats["reader_max_wait_ms"], 1e-3)
        stats["starvation_ratio"] = stats["writer_max_wait_ms"] / reader_max
        return stats
