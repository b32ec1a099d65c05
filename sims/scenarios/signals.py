"""Signals (信号) in the kitchen: handlers, kill(pid, sig), alarm as a kitchen timer, pause.

Cooks take turns at the stove (a Lock). Each finished dish is announced to the waiter with
``os.kill(waiter_pid, SIGUSR1)``. The waiter sleeps in ``signal.pause()`` until a signal
comes; a ``signal.alarm(timer_s)`` kitchen timer makes sure that sleep ends even when no
order ever comes (for instance while a SIGSTOPped cook keeps the stove and everyone queues
behind it). The player sends SIGSTOP / SIGCONT / SIGKILL (``--at "1:stop cook 0"``); a
SIGKILLed holder leaves the stove orphaned and the engine says so.

A handler interrupts the agent between two bytecodes, perhaps in the middle of writing a
telemetry record; so handlers only note (signal, time) and the agent records Op.SIGNAL at
its next safe point. Signals reach only a process's main thread: processes only.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Mapping
from typing import Any

import numpy as np

from sims.agents import AgentBody, Me
from sims.kinds import Backend
from sims.primitives import Lock
from sims.rounds.layout import RoundLayout
from sims.rounds.world import World
from sims.runtime import SLICE_S, RoundStopped
from sims.scenarios.base import ParamSpec, Scenario
from sims.scenarios.measure import select, spread, window
from sims.telemetry import ENGINE_AGENT, Op, State

WAITER_PID = 0  # slot of the shared pid array


class SignalNotes:
    """Installs handlers that only note what arrived; ``flush`` records the notes."""

    def __init__(self, signums: tuple[int, ...]) -> None:
        self.notes: list[tuple[int, int]] = []
        for signum in signums:
            signal.signal(signum, self._note)

    def _note(self, signum: int, frame: Any) -> None:
        self.notes.append((signum, time.monotonic_ns()))

    def flush(self, me: Me) -> list[int]:
        """Record every noted signal (Op.SIGNAL); returns their numbers."""
        taken, self.notes = self.notes, []
        for signum, _ in taken:
            me.record(Op.SIGNAL, -1, signum)
        return [signum for signum, _ in taken]


def simmer(me: Me, mean_ms: float) -> None:
    """Spend about ``mean_ms`` (seeded, 0.5x-1.5x) in short sleeps, noticing the round's end.

    Not ``me.pace``: that waits on the round's multiprocessing Event, and a process SIGKILLed
    inside such a wait leaves the Event's condition counting a sleeper that never wakes (the
    next ``set()`` would block forever). A process killed in ``time.sleep`` leaves nothing.
    """
    left = mean_ms * me.rng.uniform(0.5, 1.5) / 1000.0
    while left > 0:
        if me.stopping:
            raise RoundStopped(me.name)
        time.sleep(min(left, SLICE_S))
        left -= SLICE_S


class Cook(AgentBody):
    """Takes the stove, cooks, rings the waiter with SIGUSR1; notes SIGCONT when continued."""

    role = "cook"
    steps = ("take the stove", "signal the waiter")

    def __init__(self, stove: Lock, pids: Any, waiter: int, think_ms: float, cook_ms: float) -> None:
        self.stove, self.pids, self.waiter = stove, pids, waiter
        self.think_ms, self.cook_ms = think_ms, cook_ms

    def run(self, me: Me) -> None:
        notes = SignalNotes((signal.SIGCONT,))
        while me.running():
            me.state(State.THINKING)
            simmer(me, self.think_ms)
            notes.flush(me)
            me.state(State.HUNGRY)
            me.step("take the stove")
            with self.stove:
                me.state(State.WORKING)
                simmer(me, self.cook_ms)
            notes.flush(me)
            me.step("signal the waiter")
            self.ring(me)

    def ring(self, me: Me) -> None:
        pid = int(self.pids[WAITER_PID])
        if pid <= 0:
            return  # the waiter has not started yet
        try:
            os.kill(pid, signal.SIGUSR1)
        except ProcessLookupError:
            return
        me.record(Op.SIGNAL_SENT, self.waiter, int(signal.SIGUSR1))


class Waiter(AgentBody):
    """Sleeps in signal.pause() with a kitchen timer (signal.alarm) set; serves on SIGUSR1."""

    role = "waiter"
    steps = ("pause for a signal",)

    def __init__(self, pids: Any, timer_s: int, serve_ms: float, sigusr1: str = "handler") -> None:
        self.pids, self.timer_s, self.serve_ms, self.sigusr1 = pids, timer_s, serve_ms, sigusr1

    def run(self, me: Me) -> None:
        notes = SignalNotes((signal.SIGUSR1, signal.SIGALRM, signal.SIGCONT))
        if self.sigusr1 != "handler":  # SIG_IGN: orders vanish; SIG_DFL: SIGUSR1's default action ends the process
            signal.signal(signal.SIGUSR1, signal.SIG_IGN if self.sigusr1 == "ignore" else signal.SIG_DFL)
        self.pids[WAITER_PID] = os.getpid()
        try:
            while me.running():
                me.state(State.WAITING)
                me.step("pause for a signal")
                signal.alarm(self.timer_s)  # one timer per process: this replaces the last one
                if not notes.notes:
                    signal.pause()
                signal.alarm(0)
                got = notes.flush(me)
                if signal.SIGUSR1 in got:
                    me.state(State.CONSUMING)
                    simmer(me, self.serve_ms)
        finally:
            signal.alarm(0)
            self.pids[WAITER_PID] = 0


class Signals(Scenario):
    name = "signals"
    order = 8
    summary = "signals: handlers, os.kill(pid, SIGUSR1), alarm as a kitchen timer, pause; stop/cont/kill a stove holder"
    strategies = {
        "kitchen": "cooks share the stove (Lock) and SIGUSR1 the waiter per dish; the waiter pauses with an alarm set",
    }
    default_strategy = "kitchen"
    backends = (Backend.PROCESS,)
    backend_note = (
        "signals are delivered to a process and handled only in its main thread; thread agents cannot install handlers"
    )
    operation = "dishes"
    params = (
        ParamSpec("agents", int, 3, "cooks", 1, 16),
        ParamSpec("think_ms", float, 30.0, "mean time between dishes (ms)", 0, 60_000),
        ParamSpec("cook_ms", float, 60.0, "mean time at the stove (ms)", 0, 60_000),
        ParamSpec("serve_ms", float, 5.0, "mean time the waiter takes per order (ms)", 0, 60_000),
        ParamSpec(
            "timer_s",
            int,
            1,
            "kitchen timer: signal.alarm seconds (whole seconds; at most 2 so the "
            "waiter notices the end of the round in time)",
            1,
            2,
        ),
        ParamSpec(
            "sigusr1",
            str,
            "handler",
            "what the waiter does with SIGUSR1: handler (a Python function notes it), ignore (SIG_IGN: "
            "the order is lost) or default (SIG_DFL: the default action terminates the waiter)",
            choices=("handler", "ignore", "default"),
        ),
    )

    def build(self, world: World, strategy: str, params: Mapping[str, Any], seed: int) -> None:
        stove = world.lock("stove")
        pids = world.int_array("pids", 1)
        n = int(params["agents"])
        for i in range(n):
            world.agent(f"cook {i}", Cook(stove, pids, n, float(params["think_ms"]), float(params["cook_ms"])))
        waiter = Waiter(pids, int(params["timer_s"]), float(params["serve_ms"]), str(params["sigusr1"]))
        world.agent("waiter", waiter)

    def operation_ops(self, layout: RoundLayout) -> dict[int, tuple[int, int]]:
        ops = {"cook": (int(Op.SIGNAL_SENT), -1), "waiter": (int(Op.SIGNAL), int(signal.SIGUSR1))}
        return {a.index: ops[a.role] for a in layout.agents}

    def finish(self, world: World, layout: RoundLayout, events: np.ndarray) -> dict[str, Any]:
        stove = layout.resource_named("stove").index
        received = select(events, Op.SIGNAL)
        by_agents = received[received["agent"] != ENGINE_AGENT]["value"]
        by_engine = received[received["agent"] == ENGINE_AGENT]["value"]
        stats: dict[str, Any] = {
            "orders_sent": len(select(events, Op.SIGNAL_SENT)),
            "sigusr1_received": int(np.count_nonzero(by_agents == signal.SIGUSR1)),
            "timer_rang": int(np.count_nonzero(by_agents == signal.SIGALRM)),
            "sigcont_received": int(np.count_nonzero(by_agents == signal.SIGCONT)),
            "sigstop_sent": int(np.count_nonzero(by_engine == signal.SIGSTOP)),
            "sigcont_sent": int(np.count_nonzero(by_engine == signal.SIGCONT)),
            "sigkill_sent": int(np.count_nonzero(by_engine == signal.SIGKILL)),
            "orphaned_count": len(select(events, Op.ORPHANED)),
            "stove_max_queue": max_queue(events, stove),
            "waiter_killed": waiter_killed(events, layout),
        }
        return stats | spread("stove_wait", stove_waits(events, stove, window(events)[1]))


def waiter_killed(events: np.ndarray, layout: RoundLayout) -> bool:
    """Whether the waiter's process ended by a signal (SIGUSR1's default action, or a SIGKILL)."""
    waiter = layout.agent_named("waiter").index
    exits = events[(events["op"] == Op.AGENT_EXIT) & (events["resource"] == waiter)]["value"]
    return bool((exits < 0).any())


def max_queue(events: np.ndarray, resource: int) -> int:
    """Most agents waiting for ``resource`` at once (REQUEST opens a wait; an outcome closes it)."""
    ends = [Op.ACQUIRED, Op.TIMED_OUT, Op.ABANDONED]
    mine = events[(events["resource"] == resource) & np.isin(events["op"], [Op.REQUEST, *ends])]
    opened = mine["op"] == Op.REQUEST
    closes = ~opened & (mine["value"] > 0)  # an outcome after a REQUEST (the fast path records 0)
    return int(np.cumsum(opened.astype(np.int64) - closes).max(initial=0))


def stove_waits(events: np.ndarray, resource: int, end_ns: int) -> np.ndarray:
    """Every wait for ``resource``: finished ones as recorded, open ones until the round's end."""
    waits: dict[int, int] = {}
    found: list[int] = []
    mine = events[(events["resource"] == resource) & np.isin(events["op"], [Op.REQUEST, Op.ACQUIRED, Op.ABANDONED])]
    for t, agent, op, value in mine[["t_ns", "agent", "op", "value"]].tolist():
        if op == Op.REQUEST:
            waits[agent] = t
        elif agent in waits:
            found.append(value)
            del waits[agent]
    found.extend(end_ns - t for t in waits.values())
    return np.asarray(found, dtype=np.int64)
