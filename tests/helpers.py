"""Shared by the engine-core tests: waiting on conditions, independent event checkers,
a bench for primitives outside a Round, and small test scenarios.

Everything a spawned child runs lives here, at module level, so the child can import it
(spawn passes the parent's ``sys.path``, which holds this directory under pytest).
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from sims.agents import AgentBody, Me
from sims.engine.round import Round, to_events
from sims.live import LiveModel
from sims.primitives import Barrier, Condition, Event, Lock, RLock, Semaphore
from sims.rounds.config import RoundConfig
from sims.rounds.layout import AgentInfo, RoundLayout
from sims.rounds.result import RoundResult
from sims.rounds.world import World
from sims.runtime import STOP, Runtime
from sims.scenarios import ParamSpec, Scenario, scenarios
from sims.telemetry import EVENT_DTYPE, Op, RingReader, State

MS = 1_000_000


# -- waiting on a condition (never a bare sleep) ---------------------------------------------
def wait_until(predicate: Callable[[], Any], timeout: float = 5.0, every: float = 0.01) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    tick = threading.Event()
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        tick.wait(every)


def poll_until(rnd: Round, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Drive a started round (``poll``) until ``predicate`` holds."""

    def check() -> Any:
        rnd.poll()
        return predicate()

    return wait_until(check, timeout, rnd.config.poll_s)


def poll_for(rnd: Round, seconds: float) -> None:
    """Keep a started round's telemetry drained for ``seconds`` (the engine's own cadence)."""
    deadline = time.monotonic() + seconds
    tick = threading.Event()
    while time.monotonic() < deadline:
        rnd.poll()
        tick.wait(rnd.config.poll_s)


def run_until(config: RoundConfig, enough: Callable[[Round], Any], timeout: float = 60.0) -> RoundResult:
    """Start a round, drive it until ``enough(rnd)``, stop it, return the result."""
    with Round(config) as rnd:
        rnd.start()
        poll_until(rnd, lambda: enough(rnd), timeout)
        result = rnd.stop("requested")
    assert result is not None
    return result


def run_round(scenario: str, **kw: Any) -> RoundResult:
    with Round(RoundConfig(scenario, **kw)) as rnd:
        return rnd.run()


def stop_within(rnd: Round, seconds: float = 10.0) -> RoundResult:
    """``rnd.stop()``, but a teardown that blocks fails the test (with the stuck stack)
    instead of hanging the whole run. Used instead of ``with Round(...)`` where a bug in
    teardown is what the test looks for: the context manager would block again on exit.
    """
    import os
    import signal
    import sys
    import traceback

    box: list[RoundResult | None] = []
    stopper = threading.Thread(target=lambda: box.append(rnd.stop()), name="round stop", daemon=True)
    stopper.start()
    stopper.join(seconds)
    if stopper.is_alive():
        stack = "".join(traceback.format_stack(sys._current_frames()[stopper.ident or 0]))
        for ident in rnd.identities():  # free the agents; the stuck engine thread stays behind
            if ident.backend == "process":
                with suppress(ProcessLookupError):
                    os.kill(ident.pid, signal.SIGKILL)
        raise AssertionError(f"Round.stop() did not return within {seconds:g} s; it is stuck in:\n{stack}")
    result = box[0]
    assert result is not None
    return result


# -- reading events --------------------------------------------------------------------------
def of_op(events: np.ndarray, op: int, agent: int | None = None, resource: int | None = None) -> np.ndarray:
    sel = events["op"] == op
    if agent is not None:
        sel &= events["agent"] == agent
    if resource is not None:
        sel &= events["resource"] == resource
    return events[sel]


def meals(result: RoundResult) -> np.ndarray:
    """Meals per philosopher, counted from the STATE EATING records."""
    eat = of_op(result.events, Op.STATE)
    eat = eat[eat["value"] == State.EATING]
    return np.bincount(eat["agent"], minlength=len(result.layout.agents))


# -- independent checkers over the events alone ----------------------------------------------
# At one nanosecond several records may share a timestamp. The engine records a RELEASED
# before it gives the permit back and a grown CAPACITY before the new permits appear, so
# those happened before any ACQUIRED they enabled; a shrunk CAPACITY is recorded only after
# the permits were taken back. So within one timestamp we apply: releases, capacity
# increases, acquisitions, capacity decreases, and check holders <= capacity after each.
def holders_over_capacity(events: np.ndarray, resource: int, initial_capacity: int) -> list[str]:
    """Sweep one resource's records in time; every instant where holders > capacity.

    Holders are ACQUIRED minus RELEASED so far; capacity is the last CAPACITY record (or the
    initial one). Also fails if the level ever goes negative (a release nobody acquired).
    """
    mine = events[(events["resource"] == resource) & np.isin(events["op"], [Op.ACQUIRED, Op.RELEASED, Op.CAPACITY])]
    is_cap = mine["op"] == Op.CAPACITY
    rank = np.where(mine["op"] == Op.RELEASED, 0, 2)
    caps = np.flatnonzero(is_cap)
    caps = caps[np.argsort(mine["t_ns"][caps], kind="stable")]
    previous = np.concatenate(([initial_capacity], mine["value"][caps][:-1]))
    rank[caps] = np.where(mine["value"][caps] >= previous, 1, 3)
    ordered = mine[np.lexsort((rank, mine["t_ns"]))]
    step = np.select([ordered["op"] == Op.ACQUIRED, ordered["op"] == Op.RELEASED], [1, -1], 0)
    holders = np.cumsum(step)
    last_cap = np.maximum.accumulate(np.where(ordered["op"] == Op.CAPACITY, np.arange(len(ordered)), -1))
    capacity = np.where(last_cap >= 0, ordered["value"][np.maximum(last_cap, 0)], initial_capacity)
    bad = np.flatnonzero((holders > capacity) | (holders < 0))
    return [f"t={ordered['t_ns'][i]}: {holders[i]} holders, capacity {capacity[i]}" for i in bad[:10]]


def max_holders_between(events: np.ndarray, resource: int, t0: int, t1: int) -> int:
    """Most simultaneous holders of ``resource`` at any instant in ``[t0, t1]``."""
    mine = events[(events["resource"] == resource) & np.isin(events["op"], [Op.ACQUIRED, Op.RELEASED])]
    step = np.where(mine["op"] == Op.ACQUIRED, 1, -1)
    order = np.lexsort((step, mine["t_ns"]))  # releases first within a nanosecond
    level = np.cumsum(step[order])
    t = mine["t_ns"][order]
    inside = (t >= t0) & (t <= t1)
    before = level[t < t0]
    start = int(before[-1]) if len(before) else 0
    return int(max(start, level[inside].max(initial=0)))


# -- primitives outside a Round --------------------------------------------------------------
class Bench:
    """A Runtime with hand-made primitives, a reader and a live model: a round without agents.

    Ring ``i`` is written by agent ``i``; the calling thread binds itself with ``as_agent``.
    """

    def __init__(self, backend: str, rings: int = 4, capacity: int = 1 << 12) -> None:
        import multiprocessing

        self.ctx = multiprocessing.get_context("spawn") if backend == "process" else None
        self.rt = Runtime(self.ctx, shared=backend == "process")
        self.world = World(backend, self.ctx, self.rt)
        self.rings = rings
        self.capacity = capacity
        self.reader: RingReader | None = None
        self.model: LiveModel | None = None
        self.events = np.empty(0, dtype=EVENT_DTYPE)

    def lock(self, name: str = "lock") -> Lock:
        return self.world.lock(name)

    def semaphore(self, value: int, name: str = "sem") -> Semaphore:
        return self.world.semaphore(name, value)

    def event(self, name: str = "event") -> Event:
        return self.world.event(name)

    def rlock(self, name: str = "rlock") -> RLock:
        return self.world.rlock(name)

    def condition(self, lock: Lock | RLock | None = None, name: str = "cond") -> Condition:
        return self.world.condition(name, lock)

    def barrier(self, parties: int, name: str = "barrier") -> Barrier:
        return self.world.barrier(name, parties)

    def open(self) -> Bench:
        """Allocate the rings once every primitive is made; bind the model for statistics()."""
        self.rt.allocate(self.rings, self.capacity)
        self.reader = RingReader(self.rt.buffer, self.rings, self.capacity)
        agents = tuple(AgentInfo(i, f"agent {i}", "agent", self.world.backend) for i in range(self.rings))
        layout = RoundLayout("bench", "none", self.world.backend, 0, agents, tuple(self.world.resources))
        self.model = LiveModel(layout)
        for primitive in self.world.primitives.values():
            primitive.bind_model(self.model)
        for i in range(self.rings):  # every agent counts as started for the model
            self.model.started[i] = True
        return self

    def as_agent(self, agent: int) -> None:
        """Write as ``agent`` from this thread. A fresh writer starts where the reader is,
        so the ring is drained first (nothing written earlier is overwritten)."""
        if self.reader is not None:
            self.drain()
        self.rt.bind(agent, agent)

    def drain(self) -> np.ndarray:
        assert self.reader is not None and self.model is not None
        new = to_events(self.reader.drain())
        self.model.feed(new)
        self.events = np.concatenate((self.events, new))
        return new

    def ops(self, agent: int | None = None) -> list[tuple[str, int]]:
        """Every record so far (of one agent) as (op name, value), in the order written."""
        self.drain()
        ev = self.events if agent is None else self.events[self.events["agent"] == agent]
        return [(Op(op).name, value) for op, value in zip(ev["op"].tolist(), ev["value"].tolist(), strict=True)]

    def wait_for(self, op: int, agent: int, timeout: float = 5.0) -> np.ndarray:
        """Wait until ``agent`` has written an ``op`` record; returns those records."""

        def seen() -> np.ndarray | None:
            self.drain()
            found = of_op(self.events, op, agent)
            return found if len(found) else None

        return wait_until(seen, timeout)

    def stop(self) -> None:
        self.rt.set_control(STOP, 1.0)
        self.rt.stop_bell.ring()

    def close(self) -> None:
        self.stop()
        self.reader = None
        self.rt.unbind()
        self.rt.close()


@contextmanager
def bench(backend: str = "thread", rings: int = 4, capacity: int = 1 << 12) -> Iterator[Bench]:
    b = Bench(backend, rings, capacity)
    try:
        yield b
    finally:
        b.close()


class AgentThread(threading.Thread):
    """A plain thread that binds itself as ``agent`` of a bench and runs ``job``."""

    def __init__(self, b: Bench, agent: int, job: Callable[[], Any]) -> None:
        super().__init__(name=f"bench agent {agent}")
        self.bench, self.agent, self.job = b, agent, job
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        self.bench.rt.bind(self.agent, self.agent)  # its ring must have been drained: see as_agent
        try:
            self.result = self.job()
        except BaseException as exc:
            self.error = exc.with_traceback(None)  # no frame cycle keeping primitives alive
        finally:
            self.bench.rt.unbind()


def start_agent(b: Bench, agent: int, job: Callable[[], Any]) -> AgentThread:
    """Run ``job`` as ``agent`` of ``b`` in a thread of its own."""
    b.drain()  # the thread's fresh writer starts where the reader is
    t = AgentThread(b, agent, job)
    t.start()
    return t


def finish(t: AgentThread, timeout: float = 10.0) -> Any:
    """Join an agent thread; its result, or its exception raised here."""
    t.join(timeout)
    assert not t.is_alive()
    if t.error is not None:
        raise t.error
    return t.result


def events(*rows: tuple[int, int, int, int, int]) -> np.ndarray:
    """Hand-made telemetry from (t_ns, agent, resource, op, value) rows."""
    out = np.zeros(len(rows), dtype=EVENT_DTYPE)
    for i, name in enumerate(("t_ns", "agent", "resource", "op", "value")):
        out[name] = [row[i] for row in rows]
    return out


# -- children of process-flavour tests (run in a spawned process) ----------------------------
def hold_until(rt: Runtime, agent: int, lock: Any, go: Event) -> None:
    """Take ``lock`` (a Lock or a Semaphore permit), wait for ``go``, give it back."""
    rt.bind(agent, agent)
    try:
        lock.acquire()
        go.wait()
        lock.release()
    finally:
        rt.unbind()
        rt.close()


def wait_notified(rt: Runtime, agent: int, cond: Condition, go: Event) -> None:
    """Wait on ``cond`` until notified (the lock taken again), then set ``go``."""
    rt.bind(agent, agent)
    try:
        with cond:
            cond.wait()
        go.set()
    finally:
        rt.unbind()
        rt.close()


def meet_twice(rt: Runtime, agent: int, barrier: Barrier) -> None:
    """Wait at ``barrier`` twice (its second use is a fresh round of the party)."""
    rt.bind(agent, agent)
    try:
        barrier.wait(20)
        barrier.wait(20)
    finally:
        rt.unbind()
        rt.close()


def drain_while_alive(worker: Any, reader: Any) -> Any:
    """Drain ``reader`` every millisecond until ``worker`` (a started thread or process) ends,
    then once more; every record taken, as one array."""
    import numpy as np

    parts = []
    tick = threading.Event()
    while worker.is_alive():
        parts.append(reader.drain())
        tick.wait(0.001)
    worker.join()
    parts.append(reader.drain())
    return np.concatenate(parts)


def write_records(shm_name: str, capacity: int, count: int) -> None:
    """Write ``count`` records (values 0..count-1) into ring 0 of a shared segment."""
    from multiprocessing import shared_memory

    from sims.telemetry import RingWriter, op_code

    shm = shared_memory.SharedMemory(name=shm_name)
    try:
        writer = RingWriter(shm.buf, 0, capacity, 7)
        code = op_code(Op.COUNTER, 3)
        for i in range(count):
            writer.emit(code, i)
        del writer
    finally:
        shm.close()


# -- test scenarios --------------------------------------------------------------------------
class Crasher(AgentBody):
    """Passes a step, then fails with an exception of its own."""

    role = "crasher"
    steps = ("about to fail",)

    def run(self, me: Me) -> None:
        me.step("about to fail")
        raise ValueError("boom from an agent body")


class Hogger(AgentBody):
    """Takes the lock and keeps it until the round ends."""

    role = "hogger"
    steps = ("take the lock",)

    def __init__(self, lock: Lock) -> None:
        self.lock = lock

    def run(self, me: Me) -> None:
        me.step("take the lock")
        with self.lock:
            while me.running():
                me.pace(20)


class Announcer(AgentBody):
    """Sets ``ready`` and notifies, then says so on ``told`` (and is gone)."""

    role = "announcer"

    def __init__(self, cond: Condition, ready: Any, told: Event) -> None:
        self.cond, self.ready, self.told = cond, ready, told

    def run(self, me: Me) -> None:
        with self.cond:
            self.ready[0] = 1
            self.cond.notify()
        self.told.set()


class Listener(AgentBody):
    """Waits for the announcement after it was made: with ``while`` it sees ``ready`` and goes
    on; with a bare ``wait()`` the notify is lost and it waits for ever."""

    role = "listener"

    def __init__(self, cond: Condition, ready: Any, told: Event, recheck: bool) -> None:
        self.cond, self.ready, self.told, self.recheck = cond, ready, told, recheck

    def run(self, me: Me) -> None:
        self.told.wait()
        with self.cond:
            if not self.recheck:
                self.cond.wait()
            while not self.ready[0]:
                self.cond.wait()


class Meeter(AgentBody):
    """Meets the others at the barrier twice."""

    role = "meeter"

    def __init__(self, barrier: Barrier) -> None:
        self.barrier = barrier

    def run(self, me: Me) -> None:
        self.barrier.wait()
        self.barrier.wait()


class Testbed(Scenario):
    """``crash``: N agents that raise; ``hog``: one agent keeps a lock, the others want it;
    ``handshake`` / ``lost wake-up``: a notify before the wait, re-checked or lost; ``party``:
    N agents meet twice at a barrier of ``parties``."""

    name = "testbed"
    summary = "agents for engine tests"
    strategies: ClassVar[dict[str, str]] = {
        "crash": "every agent raises",
        "hog": "agent 0 keeps the lock",
        "handshake": "the listener checks its predicate in a while loop",
        "lost wake-up": "the listener waits without checking: the notify came first",
        "party": "agents meet twice at a barrier",
    }
    default_strategy = "crash"
    params = (ParamSpec("agents", int, 2, "agents", 1, 8), ParamSpec("parties", int, 2, "barrier parties", 1, 8))

    def build(self, world: World, strategy: str, params: Mapping[str, Any], seed: int) -> None:
        if strategy in ("handshake", "lost wake-up"):
            cond, told, ready = world.condition("ready"), world.event("told"), world.int_array("ready", 1)
            world.agent("listener", Listener(cond, ready, told, strategy == "handshake"))
            world.agent("announcer", Announcer(cond, ready, told))
            return
        if strategy == "party":
            barrier = world.barrier("gate", int(params["parties"]))
            for i in range(int(params["agents"])):
                world.agent(f"meeter {i}", Meeter(barrier))
            return
        if strategy == "crash":
            for i in range(int(params["agents"])):
                world.agent(f"crasher {i}", Crasher())
            return
        lock = world.lock("the lock")
        for i in range(int(params["agents"])):
            world.agent(f"hogger {i}", Hogger(lock))

    def operation_ops(self, layout: RoundLayout) -> dict[int, tuple[int, int]]:
        return {}


def with_testbed(monkeypatch: Any) -> None:
    """Let Round find the ``testbed`` scenario next to the real ones (this test only)."""
    import sims.engine.round as round_module

    def scenario_named(name: str) -> Scenario:
        return Testbed() if name == "testbed" else scenarios()[name]

    monkeypatch.setattr(round_module, "scenario_named", scenario_named)


def session_members(sid: int) -> list[int]:
    """Live processes of session ``sid`` (a child started with ``start_new_session``), from /proc."""
    members = []
    for stat in (Path("/proc") / n / "stat" for n in os.listdir("/proc") if n.isdigit()):  # not glob: it stats
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def end_session(child: subprocess.Popen[str]) -> None:
    """Kill whatever session ``child.pid`` still has, then the child: a test leaves nothing, whatever it found."""
    for pid in session_members(child.pid):
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    if child.poll() is None:
        child.kill()
    if child.stdout is not None and not child.stdout.closed:  # its pipes, read and closed
        child.communicate()


def terminal_child(argv: list[str], cwd: Path, shm_tag: str) -> subprocess.Popen[str]:
    """Start ``argv`` as a terminal would, in a session of its own, its segments tagged ``shm_tag``.

    A runner that started us in the background has SIGINT ignored, and children inherit that:
    the default is restored, so Ctrl-C (``os.killpg(child.pid, SIGINT)``) becomes KeyboardInterrupt.
    """
    return subprocess.Popen(
        argv,
        cwd=cwd,
        env={**os.environ, "DINER_SHM_TAG": shm_tag},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509
    )
