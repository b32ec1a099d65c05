"""The builder a scenario uses to create a round's resources and agents."""

from __future__ import annotations

import queue
from typing import Any

from sims.agents import AgentBody
from sims.primitives import Event, Lock, Semaphore
from sims.rounds.layout import AgentInfo, ResourceInfo
from sims.runtime import Runtime


class World:
    """Creates real primitives of the round's flavour and registers every name.

    Indices are handed out in creation order; they are what telemetry records carry.
    """

    def __init__(self, backend: str, ctx: Any, runtime: Runtime) -> None:
        self.backend = backend
        self.ctx = ctx if backend == "process" else None
        self.runtime = runtime
        self.resources: list[ResourceInfo] = []
        self.primitives: dict[int, Any] = {}
        self.agents: list[tuple[AgentInfo, AgentBody]] = []
        self.steps: list[str] = []
        self.shared: dict[str, Any] = {}  # arrays, queues and pipes the scenario reads at the end

    def _register(self, name: str, kind: str, capacity: int) -> int:
        if any(r.name == name for r in self.resources):
            raise ValueError(f"two resources named {name!r}")
        index = len(self.resources)
        self.resources.append(ResourceInfo(index, name, kind, capacity))
        return index

    def lock(self, name: str) -> Lock:
        lock = Lock(name, self._register(name, "lock", 1), self.runtime, self.ctx)
        self.primitives[lock.index] = lock
        return lock

    def semaphore(self, name: str, value: int) -> Semaphore:
        if value < 0:
            raise ValueError(f"semaphore {name!r}: initial value must be >= 0, got {value}")
        sem = Semaphore(name, self._register(name, "semaphore", value), self.runtime, value, self.ctx)
        self.primitives[sem.index] = sem
        return sem

    def event(self, name: str) -> Event:
        event = Event(name, self._register(name, "event", 0), self.runtime, self.ctx)
        self.primitives[event.index] = event
        return event

    def marker(self, name: str, kind: str, capacity: int = 0) -> int:
        """A named place without a primitive of ours (a container, counter or channel)."""
        return self._register(name, kind, capacity)

    def int_array(self, name: str, size: int) -> Any:
        """Shared integers: a ``multiprocessing.Array`` for processes, a list for threads."""
        array = self.ctx.RawArray("q", size) if self.ctx else [0] * size
        self.shared[name] = array
        return array

    def bounded_queue(self, name: str, maxsize: int) -> Any:
        q = self.ctx.Queue(maxsize) if self.ctx else queue.Queue(maxsize)
        self.shared[name] = q
        return q

    def agent(self, name: str, body: AgentBody, daemon: bool = False) -> None:
        for label in body.steps:
            if label not in self.steps:
                self.steps.append(label)
        info = AgentInfo(len(self.agents), name, body.role, self.backend, daemon)
        self.agents.append((info, body))
