"""The two backends: an agent is a real ``threading.Thread`` or a real ``multiprocessing.Process``.

Both subclasses override ``run`` with the same code (:class:`AgentRun`), which binds the
agent's telemetry ring, builds its :class:`Me` and calls the scenario's body.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import traceback
from multiprocessing.context import ForkServerProcess, SpawnProcess
from typing import Any

from sims.agents.body import AgentBody
from sims.agents.me import Me
from sims.kinds import Backend
from sims.lifeline import bind_to_parent, leave_fork_server
from sims.primitives._tally import Tally, flush_tally
from sims.runtime import SLICE_S, RoundStopped, Runtime
from sims.telemetry import Op, op_code

EXIT_DONE = 0
EXIT_STOPPED = 1
EXIT_ERROR = 2

_START = op_code(Op.AGENT_START)
_STOP = op_code(Op.AGENT_STOP)


class AgentRun:
    """The ``run`` both backends share. Subclasses also inherit Thread or Process."""

    name: str
    body: AgentBody
    index: int
    backend: Backend
    runtime: Runtime
    gate: Any
    seed: int
    step_labels: dict[str, int]
    counted_states: frozenset[int]
    nice: int
    idle: bool
    engine_pid: int
    kernel_watch: bool

    def _setup(
        self,
        body: AgentBody,
        index: int,
        runtime: Runtime,
        gate: Any,
        seed: int,
        labels: dict[str, int],
        counted_states: frozenset[int] = frozenset(),
        nice: int = 0,
        idle: bool = False,
        kernel_watch: bool = False,
    ) -> None:
        self.engine_pid = os.getpid()  # made in the engine: an agent's process ends with it
        self.kernel_watch = kernel_watch
        self.counted_states = counted_states
        self.nice = nice
        self.idle = idle
        self.body = body
        self.index = index
        self.runtime = runtime
        self.gate = gate
        self.seed = seed
        self.step_labels = labels

    def run(self) -> None:
        """Bind telemetry, run the scenario's body, always record how it ended."""
        if self.backend is Backend.PROCESS:
            # Ctrl-C goes to the whole process group: the engine, not each agent, handles it.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            # Started with SIGINT blocked (sims.ctrl_c.sigint_held_back): ignored now, so a
            # press still pending is discarded, and children of the agent get a plain mask.
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
            self._tie_to_engine()
            if self.nice:
                os.nice(self.nice)
            if self.idle:  # run only on CPU time nobody else wants (see RoundConfig.agent_policy)
                os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        writer = self.runtime.bind(self.index, self.index)
        writer.emit(_START, os.getpid())
        if not self.runtime.detailed and not self.runtime.explored:  # count uncontended holds, unrecorded
            writer.tally = Tally(writer.emit_at, self.runtime.control)
        me = Me(
            self.index,
            self.name,
            self.backend,
            self.runtime,
            writer,
            self.gate,
            self.seed,
            self.step_labels,
            self.counted_states,
        )
        outcome = EXIT_DONE
        try:
            self._wait_for_go()
            self.body.run(me)
        except RoundStopped:
            outcome = EXIT_STOPPED
        except BaseException:
            outcome = EXIT_ERROR
            print(f"agent {self.name} failed:\n{traceback.format_exc()}", file=sys.stderr, flush=True)
        finally:
            flush_tally(self.runtime.agents_here)
            writer.emit(_STOP, outcome)
            self.runtime.unbind()
            if self.backend is Backend.PROCESS:
                self.runtime.close()
        if outcome == EXIT_ERROR and self.backend is Backend.PROCESS:
            sys.exit(EXIT_ERROR)

    def _tie_to_engine(self) -> None:
        """End this process when the engine does (sims.lifeline): SIGKILL from the kernel if the
        engine (or the fork server) started us from its main thread, else ``runtime.stopping``
        looks at our parent at every pause point."""
        parent = self.engine_pid
        if isinstance(self, ForkServerProcess):
            parent = os.getppid()  # the fork server: alive while we hold its pipe, and it exits with the engine
            leave_fork_server()
        line = bind_to_parent(parent, signal.SIGKILL, self.kernel_watch or parent != self.engine_pid)
        self.runtime.lifeline = None if line.by_kernel else line  # else looked at at every pause point

    def _wait_for_go(self) -> None:
        """Wait until every agent of the round is up, so none gets a head start."""
        while not self.runtime.go.wait(SLICE_S):
            if self.runtime.stopping:
                raise RoundStopped(self.name)


class ThreadAgent(AgentRun, threading.Thread):
    """An agent that is a real thread of the engine's process."""

    backend = Backend.THREAD

    def __init__(self, name: str, daemon: bool, **setup: Any) -> None:
        threading.Thread.__init__(self, name=name, daemon=daemon)
        self._setup(**setup)


class SpawnAgent(AgentRun, SpawnProcess):
    """An agent that is a real process started with ``spawn``."""

    backend = Backend.PROCESS

    def __init__(self, name: str, daemon: bool, **setup: Any) -> None:
        SpawnProcess.__init__(self, name=name, daemon=daemon)
        self._setup(**setup)


class ForkServerAgent(AgentRun, ForkServerProcess):
    """An agent that is a real process started by the fork server."""

    backend = Backend.PROCESS

    def __init__(self, name: str, daemon: bool, **setup: Any) -> None:
        ForkServerProcess.__init__(self, name=name, daemon=daemon)
        self._setup(**setup)


def agent_class(backend: Backend, start_method: str) -> type[AgentRun]:
    if Backend(backend) is Backend.THREAD:
        return ThreadAgent
    if start_method == "spawn":
        return SpawnAgent
    if start_method == "forkserver":
        return ForkServerAgent
    raise ValueError(f"start method must be spawn or forkserver, got {start_method!r}")
