"""A round: configure, start, observe, control, stop. Teardown happens on every path."""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import multiprocessing.util
import os
import signal
import sys
import threading
import time
from multiprocessing.process import BaseProcess as Process
from pathlib import Path
from typing import Any

import numpy as np

from sims.agents import AgentRun, agent_class
from sims.ctrl_c import recorded_ctrl_c, sigint_held_back
from sims.engine.admit import agent_index, check_schedule, resizable
from sims.engine.fork_server import fork_server_context
from sims.engine.ordering import TimeOrder
from sims.kinds import Backend, EndReason, ResourceKind, SignalAction
from sims.lifeline import started_here_for_good
from sims.live import LiveModel
from sims.primitives import Semaphore
from sims.rounds import commands as cmd
from sims.rounds.config import RoundConfig, ring_capacity_for
from sims.rounds.layout import AgentIdentity, RoundLayout
from sims.rounds.result import DiskUse, RoundResult
from sims.rounds.world import World
from sims.runtime import CUT, DETAIL, GATED, PAUSED, SCALE, STOP, Runtime
from sims.scenarios.registry import scenario_named
from sims.stats.stream import StreamingStats
from sims.telemetry import ENGINE_AGENT, EVENT_DTYPE, Op, RingReader, op_code
from sims.telemetry.spill import Records, RecordSpill, SpillFull, temporary_folder

START_TIMEOUT_S = 60.0  # a loaded 2-core machine may take seconds to spawn 32 interpreters
JOIN_S = 3.0  # how long a stopped agent gets to notice before it is terminated
LAST_WAIT_S = 5.0  # after SIGKILL (or for a thread), the last wait before the engine gives up on an agent
LAST_RESORT_PRIORITY = 10  # multiprocessing runs exit finalizers of priority >= 0 before it joins children
_SIGNALS = {SignalAction.STOP: signal.SIGSTOP, SignalAction.CONT: signal.SIGCONT, SignalAction.KILL: signal.SIGKILL}


def to_events(records: np.ndarray) -> np.ndarray:
    events = np.empty(len(records), dtype=EVENT_DTYPE)
    for field in EVENT_DTYPE.names or ():
        events[field] = records[field]
    return events


class Round:
    """One run of a scenario. Use as a context manager so teardown always happens.

    Records leave memory as the round runs: each drained batch feeds the live model, then
    waits (:class:`~sims.engine.ordering.TimeOrder`) until it can be put in time order, is
    appended to the spill in ``records_dir`` (a temporary folder if none is given, removed
    with the result) and summed up into the statistics. ``keep_batches``: also keep each
    drained batch until :meth:`take_batches` (a host forwards them to its window).
    """

    def __init__(self, config: RoundConfig, records_dir: Path | None = None, *, keep_batches: bool = False) -> None:
        self.config = config
        self.scenario = scenario_named(config.scenario)
        self.strategy = config.strategy or self.scenario.default_strategy
        if self.strategy not in self.scenario.strategies:
            known = ", ".join(self.scenario.strategies)
            raise ValueError(f"scenario {config.scenario!r} has no strategy {self.strategy!r} (known: {known})")
        if config.backend not in self.scenario.backends:
            only = ", ".join(self.scenario.backends)
            raise ValueError(f"scenario {config.scenario!r} runs only on {only}: {self.scenario.backend_note}")
        self.params = self.scenario.resolve(config.params)
        self.layout: RoundLayout | None = None
        self.model: LiveModel | None = None
        self.started_ns = 0
        self.ended_ns = 0
        self.end_reason: EndReason | None = None
        self.orphaned: list[int] = []
        self._ctx: Any = None
        self._runtime: Runtime | None = None
        self._world: World | None = None
        self._reader: RingReader | None = None
        self._agents: list[Any] = []
        self._gates: list[Any] = []
        self._records_dir = records_dir
        self._made_records_dir: Path | None = None
        self._keep_batches = keep_batches
        self._unsent: list[np.ndarray] = []
        self._lifecycle: list[np.ndarray] = []
        self._order = TimeOrder()
        self._spill: RecordSpill | None = None
        self._stats: StreamingStats | None = None
        self._early: list[np.ndarray] = []  # released before the round's start was known
        self.drained = 0  # records taken from the rings so far
        self.unsaved = 0  # records summed up but not on disk (it was full)
        self.disk_note = ""
        self._last_batch = 0
        self._ring_capacity = 0
        self._schedule = sorted(config.schedule, key=lambda t: t.at)
        self._exited: set[int] = set()
        self._held_stopped: set[int] = set()  # agents SIGSTOPped by a command and not continued since
        self._exit_codes: dict[int, int | None] = {}
        self._emit: Any = None
        self._emit_at: Any = None  # a record stamped with a given instant (the round's start and end)
        self._ended = threading.Event()
        self._result: RoundResult | None = None
        self._last_resort: Any = None  # kills the agents still alive (see _create_agents)

    # -- lifecycle ------------------------------------------------------------------------
    def __enter__(self) -> Round:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop(EndReason.INTERRUPTED if exc[0] is KeyboardInterrupt else EndReason.REQUESTED)

    def start(self) -> RoundLayout:
        """Build the world and start every agent; returns the layout (names for indices).

        If anything fails on the way, whatever was started is stopped before the error rises.
        """
        try:
            return self._start()
        except BaseException:
            self.stop(EndReason.FAILED_TO_START)
            raise

    def _start(self) -> RoundLayout:
        cfg = self.config
        if cfg.backend is Backend.PROCESS:
            # forkserver: the server imported the agent code once; every agent after is a cheap fork.
            fork = cfg.start_method == "forkserver"
            self._ctx = fork_server_context() if fork else multiprocessing.get_context(cfg.start_method)
        self._runtime = rt = Runtime(self._ctx, shared=cfg.backend is Backend.PROCESS)
        self._world = world = World(cfg.backend, self._ctx, rt)
        self.scenario.build(world, self.strategy, self.params, cfg.seed)
        n = len(world.agents)
        capacity = ring_capacity_for(n, cfg.ring_capacity)
        rt.allocate(n + 1, capacity)
        rt.control[DETAIL] = 1.0 if cfg.detail else 0.0
        rt.set_control(GATED, 1.0 if cfg.gated else 0.0)
        self.layout = RoundLayout(
            cfg.scenario,
            self.strategy,
            cfg.backend,
            cfg.seed,
            tuple(info for info, _ in world.agents),
            tuple(world.resources),
            tuple(world.steps),
        )
        self.model = LiveModel(self.layout, self.scenario.operation_ops(self.layout))
        for primitive in world.primitives.values():
            primitive.bind_model(self.model)
        given = self._records_dir
        self._made_records_dir = given if given is not None and not Path(given).exists() else None
        folder = temporary_folder() if given is None else Path(given) / "records"
        self._spill = RecordSpill(folder)
        self._reader = rt.reader()  # in a thread round, each drain wakes writers waiting for room
        self._ring_capacity = capacity
        writer = rt.bind(n, ENGINE_AGENT)
        self._emit, self._emit_at = writer.emit, writer.emit_at
        self._check_schedule()
        self._create_agents()
        # A Ctrl-C cannot kill an agent that is still importing.
        with sigint_held_back(starts_processes=self.config.backend is Backend.PROCESS):
            for agent in self._agents:
                agent.start()
        self._await_agents()
        self.started_ns = time.monotonic_ns()
        assert self._spill is not None
        ops = self.scenario.operation_ops(self.layout)
        self._stats = StreamingStats(self.layout, ops, self.started_ns, self._spill.folder / ".values")
        for early in self._early:
            self._stats.feed(early)
        self._early = []
        self._emit_at(op_code(Op.ROUND_START), n, self.started_ns)  # the window's edges are the records
        for primitive in world.primitives.values():
            if isinstance(primitive, Semaphore):
                primitive.announce()
        if cfg.gated:
            self._emit(op_code(Op.COMMAND), cmd.Gate.code)
        rt.go.ring()
        return self.layout

    def _await_agents(self) -> None:
        """Wait until every agent has reported in (or died), so the clock starts fair."""
        assert self.model is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            self.drain()
            if all(self.model.started[a.index] or not a.is_alive() for a in self._agents):
                return
            self._ended.wait(0.005)
        raise RuntimeError(f"agents did not start within {START_TIMEOUT_S:g} s")

    def _check_schedule(self) -> None:
        """Refuse scheduled commands that name something this round does not have."""
        assert self._world is not None
        check_schedule(self._schedule, self._world, self.config.backend)

    def _create_agents(self) -> None:
        assert self._world is not None and self._runtime is not None
        cls = agent_class(self.config.backend, self.config.start_method)
        labels = {label: i for i, label in enumerate(self._world.steps)}
        sem_source = self._ctx or threading
        assert self.layout is not None
        counted = self.scenario.operation_ops(self.layout)
        kernel_watch = started_here_for_good()  # the kernel watches the thread that starts them
        if self.config.backend is Backend.PROCESS:
            # A stop() cut short (an exception inside it) or never reached would leave agents
            # running, and multiprocessing's exit would join them for ever: it runs this first.
            self._last_resort = multiprocessing.util.Finalize(
                self, _kill_alive, args=(self._agents,), exitpriority=LAST_RESORT_PRIORITY
            )
        for info, body in self._world.agents:
            op, value = counted.get(info.index, (0, -1))
            states = frozenset({value}) if op == Op.STATE else frozenset()
            gate = sem_source.Semaphore(0)
            self._gates.append(gate)
            self._agents.append(
                cls(
                    name=info.name,
                    daemon=info.daemon,
                    body=body,
                    index=info.index,
                    runtime=self._runtime,
                    gate=gate,
                    seed=self.config.seed * 1_000_003 + info.index,
                    labels=labels,
                    counted_states=states,
                    nice=self.config.agent_nice,
                    idle=self.config.agent_policy == "idle",
                    kernel_watch=kernel_watch,
                )  # type: ignore[call-arg]
            )

    def run(self) -> RoundResult:
        """Start (if needed), observe until the round ends, stop, and give the result.

        Ctrl-C (in the main thread) is recorded, not raised wherever it lands, and becomes
        KeyboardInterrupt between two polls; the round is then stopped as "interrupted".
        A raised KeyboardInterrupt can be swallowed by C code and lost (see sims.ctrl_c).
        """
        with recorded_ctrl_c() as ctrl_c:
            if self.layout is None:
                self.start()
            try:
                while self.poll():
                    ctrl_c.check()
                    if self._last_batch < self._ring_capacity // 16:  # busy rings: drain again at once
                        self._ended.wait(self.config.poll_s)
            finally:
                self.stop(self.end_reason or EndReason.INTERRUPTED)
        assert self._result is not None
        return self._result

    @property
    def elapsed_s(self) -> float:
        return (time.monotonic_ns() - self.started_ns) / 1e9 if self.started_ns else 0.0

    def poll(self) -> bool:
        """Drain telemetry, apply due commands, watch agents. False once the round should end."""
        if self.end_reason:
            return False
        self.drain()
        elapsed = self.elapsed_s
        while self._schedule and self._schedule[0].at <= elapsed:
            self.command(self._schedule.pop(0).command)
        self._watch_agents()
        assert self.model is not None
        stuck = self.model.check_deadlock()
        if stuck is not None and self.config.stop_on_deadlock:
            self.end_reason = EndReason(stuck.kind.value)  # a deadlock or a stall
        elif elapsed >= self.config.seconds:
            self.end_reason = EndReason.DURATION
        elif not any(a.is_alive() for a in self._agents):
            self.end_reason = EndReason.AGENTS_FINISHED
        return not self.end_reason

    def drain(self) -> np.ndarray:
        """Take every new record from every ring, fold it into the live model, pass it on."""
        assert self._reader is not None and self.model is not None
        drained_ns = time.monotonic_ns()  # every record written before this is in this drain or an earlier one
        events = to_events(self._reader.drain())
        self._last_batch = len(events)
        self.drained += len(events)
        if len(events):
            self.model.feed(events)
            self._lifecycle.append(_lifecycle(events))
            if self._keep_batches:
                self._unsent.append(events)
        self._released(self._order.push(events, drained_ns))
        return events

    def _released(self, records: np.ndarray) -> None:
        """Records in time order: onto the disk, into the statistics."""
        if not len(records):
            return
        if self._spill is not None and not self.disk_note:
            try:
                self._spill.append(records)
            except SpillFull as full:
                self.disk_note = f"disk full: {full.strerror}"
                self.end_reason = self.end_reason or EndReason.DISK_FULL
        if self.disk_note:
            self.unsaved += len(records)
        if self._stats is None:
            self._early.append(records)
        else:
            self._stats.feed(records)

    def take_batches(self) -> list[np.ndarray]:
        """The batches drained since the last call (only with ``keep_batches``): each is handed out once."""
        taken, self._unsent = self._unsent, []
        return taken

    @property
    def in_memory(self) -> int:
        """Records the engine holds (waiting to be put in time order, or to be taken): bounded by
        how many arrive in a second, whatever the round's length."""
        return self._order.held + sum(len(b) for b in self._unsent)

    def dropped(self) -> int:
        """Telemetry records lost to full rings so far."""
        return self._reader.dropped() if self._reader is not None else 0

    def identities(self) -> tuple[AgentIdentity, ...]:
        """Each agent's real identity so far (pid, native thread id), as the result will give it."""
        found = self._lifecycle
        return self._identities_in(np.concatenate(found) if found else np.empty(0, dtype=EVENT_DTYPE))

    # -- control --------------------------------------------------------------------------
    def command(self, command: cmd.Command) -> None:
        """Apply a live command now. ValueError if it names something this round lacks."""
        if self._runtime is None or self.layout is None:
            raise RuntimeError("the round is not running: start it before sending commands")
        rt = self._runtime
        match command:
            case cmd.Resize(resource=name, capacity=capacity):
                semaphore = self._semaphore(name)
                self.drain()  # room in every ring: an agent never waits for us while it holds the
                semaphore.resize(capacity)  # semaphore's bookkeeping lock, which resize takes
            case cmd.Pause():
                rt.set_control(PAUSED, 1.0)
                self._emit(op_code(Op.PAUSED), 1)
            case cmd.Resume():
                rt.set_control(PAUSED, 0.0)
                self._emit(op_code(Op.PAUSED), 0)
            case cmd.Scale(factor=factor):
                rt.set_control(SCALE, factor)
                self._emit(op_code(Op.SCALE), int(factor * 1000))
            case cmd.SignalAgent(agent=ref, action=action):
                self._signal(self.agent_index(ref), action)
            case cmd.Step(agent=ref):
                index = self.agent_index(ref)
                self._emit(op_code(Op.COMMAND, index), cmd.Step.code)
                self._gates[index].release()
            case cmd.Gate():
                rt.set_control(GATED, 1.0)
                self._emit(op_code(Op.COMMAND), cmd.Gate.code)
            case cmd.Auto():
                rt.set_control(GATED, 0.0)
                self._emit(op_code(Op.COMMAND), cmd.Auto.code)
            case cmd.End():
                self.end_reason = EndReason.REQUESTED
            case cmd.AgentControl():
                index = self.agent_index(command.agent)
                rt.set_agent(index, command.slots())
                self._emit(op_code(Op.COMMAND, index), command.code)

    def _semaphore(self, name: str) -> Semaphore:
        assert self._world is not None
        return resizable(self._world, name)

    def agent_index(self, ref: int | str) -> int:
        assert self.layout is not None
        return agent_index(self.layout.agents, ref)

    def _signal(self, index: int, action: SignalAction) -> None:
        if self.config.backend is not Backend.PROCESS:
            raise ValueError(f"'{action}' sends a signal to a process: run the round with --backend process")
        agent = self._agents[index]
        if agent.pid is None or agent.exitcode is not None:
            return  # not running any more: nothing to signal
        signum = _SIGNALS[action]
        # Recorded before it is sent: a continued agent's next records must come after it.
        self._emit(op_code(Op.SIGNAL, index), int(signum))
        os.kill(agent.pid, signum)
        if action == "stop":
            self._held_stopped.add(index)
        else:
            self._held_stopped.discard(index)

    # -- agents that die ------------------------------------------------------------------
    def _watch_agents(self) -> None:
        """Record agents whose process ended, and the resources a dead holder left taken."""
        assert self.model is not None
        for agent in self._ended_processes():
            self._exited.add(agent.index)
            self._emit(op_code(Op.AGENT_EXIT, agent.index), agent.exitcode)
            if agent.exitcode < 0:  # killed by a signal: whatever it held stays held
                self.drain()
                for r in np.flatnonzero(self.model.holding[agent.index]):
                    if self.layout and self.layout.resources[r].kind in (ResourceKind.LOCK, ResourceKind.SEMAPHORE):
                        self.orphaned.append(int(r))
                        self._emit(op_code(Op.ORPHANED, int(r)), agent.index)

    def _ended_processes(self) -> list[Any]:
        """Process agents that ended since the last look: one wait on every sentinel, not a
        ``waitpid`` poll per agent (64 of them took 0.6 ms of every poll)."""
        live = [
            a
            for a in self._agents
            if a.backend is Backend.PROCESS and a.index not in self._exited and a.pid is not None
        ]
        if not live:
            return []
        ready = set(multiprocessing.connection.wait([a.sentinel for a in live], timeout=0))
        return [a for a in live if a.sentinel in ready and a.exitcode is not None]

    # -- the end --------------------------------------------------------------------------
    def stop(self, reason: EndReason = EndReason.REQUESTED) -> RoundResult | None:
        """End the round: every agent stopped and joined, memory freed. Safe to call twice."""
        if self._result is not None or self._runtime is None:
            return self._result
        self.end_reason = self.end_reason or reason
        rt = self._runtime
        try:
            if self.started_ns:
                rt.control[CUT] = float(time.monotonic_ns())  # detail off: holds counted so far ended before
                self.ended_ns = time.monotonic_ns()
                if self._stats is not None:
                    self._stats.end_ns = self.ended_ns  # what agents write while being stopped is not counted
                self._emit_at(op_code(Op.ROUND_END), 0, self.ended_ns)  # the statistics' cut-off itself
            rt.set_control(STOP, 1.0)
            rt.stop_bell.ring()
            self._stop_agents()
            if self._reader is not None and self.started_ns:
                self._watch_agents()
                self.drain()
                self._released(self._order.flush())
                self._result = self._build_result()
        finally:
            if self._last_resort is not None:
                self._last_resort()  # nothing is alive after _stop_agents, unless it was cut short
            self._close_spill()
            self._close_agents()
            self._reader = None
            self._ended.set()
            rt.unbind()
            rt.close()
            self._release_primitives()
        return self._result

    def _drain_while_stopping(self) -> None:
        """Keep taking records while the agents end: one whose ring is full waits for room."""
        if self._reader is not None and self.model is not None:
            self.drain()

    def _release_primitives(self) -> None:
        """Drop every reference to the round's OS objects so they are freed now.

        A multiprocessing Lock or Semaphore made for spawned children lives as a named
        semaphore until its last reference in this process goes.
        """
        self._runtime = None
        self._world = None
        self._agents = []
        self._gates = []

    def _stop_agents(self) -> None:
        for agent, gate in zip(self._agents, self._gates, strict=True):
            if agent.index in self._held_stopped and agent.pid is not None and agent.exitcode is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(agent.pid, signal.SIGCONT)  # a stopped process could not notice the end
            gate.release()
        deadline = time.monotonic() + JOIN_S
        for agent in self._agents:
            if agent.ident is None if agent.backend is Backend.THREAD else agent.pid is None:
                continue
            while agent.is_alive() and (left := deadline - time.monotonic()) > 0:
                agent.join(min(left, self.config.poll_s))
                self._drain_while_stopping()
        # Every wait below is bounded: a Ctrl-C that lands inside multiprocessing's own
        # waitpid can leave a reaped child looking alive for ever, and stop() must still end.
        # Signals go to every late process at once: one that gets little CPU (SCHED_IDLE on a
        # busy machine) must not make the others wait their turn.
        late = [a for a in self._agents if a.backend is Backend.PROCESS and a.pid is not None and a.exitcode is None]
        for end, wait_s in ((Process.terminate, 1.0), (Process.kill, LAST_WAIT_S)):
            for agent in late:
                end(agent)
            _join_all(late, wait_s)
            late = [a for a in late if a.exitcode is None]
        for agent in self._agents:
            if agent.backend is Backend.THREAD and agent.is_alive():
                agent.join(LAST_WAIT_S)  # threads cannot be killed; every blocking call here is sliced
            if agent.is_alive():
                print(f"round: agent {agent.name} did not end (pid {agent.pid})", file=sys.stderr)
        for agent in self._agents:
            if agent.backend is Backend.PROCESS:
                self._exit_codes[agent.index] = agent.exitcode

    def _close_agents(self) -> None:
        for agent in self._agents:
            if agent.backend is Backend.PROCESS and agent.exitcode is not None:
                agent.close()

    def _close_spill(self) -> None:
        """A round that gave no result leaves no spill behind (nor a records folder it made)."""
        if self._spill is not None:
            records = self._spill.records(temporary=True)
            self._spill = None
            records.discard()
            if self._made_records_dir:
                with contextlib.suppress(OSError):
                    os.rmdir(self._made_records_dir)

    def _build_result(self) -> RoundResult:
        assert self.layout is not None and self._world is not None and self._stats is not None
        assert self._spill is not None and self.model is not None
        spill, self._spill = self._spill, None
        disk_bytes = spill.nbytes
        # The statistics' signals are the whole round's; a spill the disk cut holds less, so its
        # readers find them from what it kept (a pass of their own), as they do for the window's copy.
        signals = None if self.disk_note else sorted(self._stats.signalled)
        records = spill.records(temporary=self._records_dir is None, signals=signals)
        end = self.ended_ns or time.monotonic_ns()
        lifecycle = np.concatenate(self._lifecycle) if self._lifecycle else np.empty(0, dtype=EVENT_DTYPE)
        return RoundResult(
            config=self.config,
            layout=self.layout,
            identities=self._identities_in(lifecycle),
            records=records,
            started_ns=self.started_ns,
            ended_ns=end,
            end_reason=self.end_reason or EndReason.REQUESTED,
            deadlock=self.model.deadlock,
            orphaned=tuple(self.layout.resources[r].name for r in self.orphaned),
            dropped=self._reader.dropped() if self._reader else 0,
            stats=self._stats.finish(end),
            scenario_stats=self._scenario_stats(records),
            disk=DiskUse(disk_bytes, str(records.folder), self.unsaved, self._order.late, self.disk_note),
        )

    def _scenario_stats(self, records: Records) -> dict[str, Any]:
        """The scenario's own numbers (see ``Scenario.finish_records``)."""
        assert self._world is not None and self.layout is not None
        return self.scenario.finish_records(self._world, self.layout, records)

    def _identities_in(self, lifecycle: np.ndarray) -> tuple[AgentIdentity, ...]:
        """Each agent's identity, from the round's agent start and stop records (picked out of
        the rest once: a busy round keeps millions of records, and 64 scans took seconds)."""
        return tuple(self._identity(a, lifecycle) for a in self._agents)

    def _identity(self, agent: AgentRun, events: np.ndarray) -> AgentIdentity:
        mine = events[events["agent"] == agent.index]
        starts = mine["t_ns"][mine["op"] == Op.AGENT_START]
        stops = mine["t_ns"][mine["op"] == Op.AGENT_STOP]
        pids = mine["value"][mine["op"] == Op.AGENT_START]
        is_thread = agent.backend is Backend.THREAD
        return AgentIdentity(
            index=agent.index,
            name=agent.name,
            backend=agent.backend,
            pid=int(pids[0]) if len(pids) else os.getpid(),
            native_id=agent.native_id if is_thread else (int(pids[0]) if len(pids) else None),  # type: ignore[attr-defined]
            daemon=agent.daemon,  # type: ignore[attr-defined]
            started_ns=int(starts[0]) if len(starts) else None,
            stopped_ns=int(stops[-1]) if len(stops) else None,
            exit_code=None if is_thread else self._exit_codes.get(agent.index),
        )


def _join_all(processes: list[Any], seconds: float) -> None:
    """Join each of ``processes``, all within ``seconds``."""
    deadline = time.monotonic() + seconds
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))


def _kill_alive(agents: list[Any]) -> None:
    """SIGKILL every started agent process still running (the kernel ends it: no CPU time of its own
    is needed, which an agent under SCHED_IDLE on a busy machine may not get for seconds)."""
    for agent in agents:
        with contextlib.suppress(ValueError, ProcessLookupError):  # a closed Process object; just ended
            if agent.pid is not None and agent.exitcode is None:
                agent.kill()


def _lifecycle(events: np.ndarray) -> np.ndarray:
    """The agents' start and stop records among ``events`` (in their order)."""
    lifecycle: np.ndarray = events[(events["op"] == Op.AGENT_START) | (events["op"] == Op.AGENT_STOP)]
    return lifecycle
