"""Philosophers who share nothing but messages (管道 Pipe): Chandy–Misra over Pipes.

Each pair of neighbours shares one duplex ``Pipe``; the fork between them is a token sent
over it, clean or dirty, and so is the request for it. A philosopher gives a *dirty* fork
to whoever asks, keeps a *clean* one until it has eaten with it; forks start dirty with the
lower-numbered neighbour. No lock anywhere, and no deadlock: the precedence the dirty forks
encode never forms a cycle. ``selfish`` breaks the rule (everyone starts with the left fork
and keeps what it holds until it has eaten) and nobody ever eats: a deadlock made of
messages.

The detector sees it because each pipe is recorded like a lock: a fork its holder will not
give on request (clean, or any fork of a hungry selfish philosopher) is ACQUIRED on the
pipe and RELEASED once it would be given; a hungry philosopher waits (REQUEST, forever) on
the pipe of a fork it lacks. A fork in flight is held by nobody, so its waiter is not stuck.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from multiprocessing.connection import wait
from typing import Any

import numpy as np

from sims.agents import AgentBody, Me
from sims.kinds import ResourceKind
from sims.rounds.layout import RoundLayout
from sims.rounds.world import World
from sims.runtime import SLICE_S, RoundStopped
from sims.scenarios.base import ParamSpec, Scenario
from sims.scenarios.measure import select, spread
from sims.telemetry import Op, State

REQUEST, FORK = "request", "fork"


class Side:
    """One neighbour as a philosopher sees it: the pipe end, the fork, the request token."""

    def __init__(self, conn: Any, channel: int, fork: bool, dirty: bool, token: bool) -> None:
        self.conn, self.channel = conn, channel
        self.fork, self.dirty, self.token = fork, dirty, token
        self.kept = False  # recorded as held: the fork is here and will not be given on request


class Philosopher(AgentBody):
    role = "philosopher"
    steps = ("ask for forks",)

    def __init__(self, sides: list[Side], think_ms: float, eat_ms: float, polite: bool) -> None:
        self.sides, self.think_ms, self.eat_ms, self.polite = sides, think_ms, eat_ms, polite
        self.hungry = False
        self.sent = 0
        self.awaited: Side | None = None  # the pipe whose fork this philosopher waits for
        self.awaited_ns = 0

    def run(self, me: Me) -> None:
        self.hungry = not self.polite  # selfish philosophers are hungry from the start
        self.book(me)
        while me.running():
            if self.polite:
                me.state(State.THINKING)
                self.listen(me, time.monotonic() + me.rng.uniform(0.5, 1.5) * self.think_ms / 1000.0)
            me.state(State.HUNGRY)
            self.hungry = True
            self.book(me)
            me.step("ask for forks")
            for side in self.sides:
                self.ask(me, side)
            self.await_fork(me)
            self.listen(me, math.inf, self.has_both)
            me.state(State.EATING)
            me.pace(self.eat_ms)
            self.hungry = False
            for side in self.sides:
                side.dirty = True
            self.book(me)
            for side in self.sides:
                if side.token:
                    self.give(me, side)

    def book(self, me: Me) -> None:
        """Record each fork that became kept (ACQUIRED) or givable (RELEASED) since the last call."""
        for side in self.sides:
            kept = side.fork and not self.will_give(side)
            if kept != side.kept:
                side.kept = kept
                waited = time.monotonic_ns() - self.awaited_ns if side is self.awaited else 0
                me.record(Op.ACQUIRED if kept else Op.RELEASED, side.channel, waited)

    def await_fork(self, me: Me) -> None:
        """Wait (a REQUEST, forever) on the pipe of the first fork still missing, if any."""
        self.awaited = next((s for s in self.sides if not s.fork), None) if self.hungry else None
        if self.awaited is not None:
            self.awaited_ns = time.monotonic_ns()
            me.record(Op.REQUEST, self.awaited.channel, -1)

    def ask(self, me: Me, side: Side) -> None:
        if not side.fork and side.token:
            side.token = False
            self.send(me, side, REQUEST)

    def give(self, me: Me, side: Side) -> None:
        side.fork = side.dirty = False
        self.book(me)
        self.send(me, side, FORK)

    def send(self, me: Me, side: Side, kind: str) -> None:
        self.sent += 1
        msg_id = (me.index + 1) << 32 | self.sent
        me.record(Op.MESSAGE_SENT, side.channel, msg_id)
        side.conn.send((kind, msg_id, time.monotonic_ns()))

    def has_both(self) -> bool:
        return all(s.fork for s in self.sides)

    def listen(self, me: Me, until: float, done: Any = None) -> None:
        """Answer messages until ``until`` (monotonic s) or ``done()``; the round's end interrupts."""
        conns = [s.conn for s in self.sides]
        for conn in wait(conns, 0):  # answer what already came, even with no time to wait (think_ms=0)
            self.receive(me, self.sides[conns.index(conn)])
        while (left := until - time.monotonic()) > 0 and not (done and done()):
            if me.stopping:
                raise RoundStopped(me.name)
            for conn in wait(conns, min(left, SLICE_S)):
                self.receive(me, self.sides[conns.index(conn)])

    def receive(self, me: Me, side: Side) -> None:
        kind, _, sent_ns = side.conn.recv()
        me.record(Op.MESSAGE_RECEIVED, side.channel, time.monotonic_ns() - sent_ns)
        if kind == FORK:
            side.fork, side.dirty = True, False
            self.book(me)  # ACQUIRED ends the wait in the picture: wait on the next missing fork
            if self.awaited is not None:
                self.await_fork(me)
            return
        side.token = True
        if side.fork and self.will_give(side):
            self.give(me, side)
            if self.hungry:  # (waiting for forks: a hungry philosopher is nowhere else)
                self.ask(me, side)
                if self.awaited is None:  # it had both: now it waits for this one
                    self.await_fork(me)

    def will_give(self, side: Side) -> bool:
        # (never called while eating: messages wait in the pipe until the meal is over)
        return side.dirty if self.polite else not self.hungry


class Messages(Scenario):
    name = "messages"
    order = 9
    summary = "philosophers who coordinate only by messages over Pipes (Chandy–Misra clean/dirty forks): no locks"
    strategies = {
        "chandy-misra": "forks and requests are tokens sent over a Pipe per neighbour pair; give a dirty fork on "
        "request, keep a clean one until you have eaten; never deadlocks",
        "selfish": "everyone starts with the left fork and gives nothing away before eating: a deadlock made of "
        "messages (meals_total stays 0)",
    }
    default_strategy = "chandy-misra"
    operation = "meals"
    params = (
        ParamSpec("agents", int, 5, "philosophers (and pipes)", 2, 32),
        ParamSpec("think_ms", float, 20.0, "mean thinking time (ms), answering messages meanwhile", 0, 60_000),
        ParamSpec("eat_ms", float, 20.0, "mean eating time (ms)", 0, 60_000),
    )

    def build(self, world: World, strategy: str, params: Mapping[str, Any], seed: int) -> None:
        import multiprocessing

        n = int(params["agents"])
        ctx = world.ctx or multiprocessing.get_context("spawn")
        pipes = [ctx.Pipe() for _ in range(n)]  # pipe k joins philosopher k (end 0) and k+1 (end 1)
        world.shared["pipes"] = pipes
        sides: list[list[Side]] = [[] for _ in range(n)]
        polite = strategy != "selfish"
        for k, (mine, theirs) in enumerate(pipes):
            right = (k + 1) % n
            channel = world.marker(f"pipe {k}-{right}", ResourceKind.CHANNEL, 1)
            # Chandy–Misra: the fork starts dirty with the lower number; selfish: with k+1 (its left fork).
            owner_is_k = (k < right) if polite else False
            sides[k].append(Side(mine, channel, owner_is_k, True, not owner_is_k))
            sides[right].append(Side(theirs, channel, not owner_is_k, True, owner_is_k))
        for i in range(n):
            body = Philosopher(sides[i], float(params["think_ms"]), float(params["eat_ms"]), polite)
            world.agent(f"philosopher {i}", body)

    def operation_ops(self, layout: RoundLayout) -> dict[int, tuple[int, int]]:
        return {a.index: (int(Op.STATE), int(State.EATING)) for a in layout.agents}

    def finish(self, world: World, layout: RoundLayout, events: np.ndarray) -> dict[str, Any]:
        for a, b in world.shared.get("pipes", []):
            a.close()
            b.close()
        eat = select(events, Op.STATE)
        eat = eat[eat["value"] == State.EATING]
        meals = np.bincount(eat["agent"], minlength=len(layout.agents))
        received = select(events, Op.MESSAGE_RECEIVED)
        return {
            "messages_total": len(received),
            "messages_sent": len(select(events, Op.MESSAGE_SENT)),
            "meals_total": int(meals.sum()),
            "meals_min": int(meals.min()) if len(meals) else 0,
            **spread("message", received["value"]),
        }
