"""The builder a scenario uses to create a round's resources and agents."""

from __future__ import annotations

from typing import Any

from sims.agents import AgentBody
from sims.kinds import Backend, ResourceKind
from sims.primitives import Barrier, Condition, Event, Lock, RLock, Semaphore
from sims.primitives.condition import MAX_WAITERS
from sims.primitives.queues import NotingProcessQueue, NotingQueue, noting_queue
from sims.rounds.layout import AgentInfo, ResourceInfo
from sims.runtime import Runtime


class World:
    """Creates real primitives of the round's flavour and registers every name.

    Indices are handed out in creation order; they are what telemetry records carry.
    """

    def __init__(self, backend: Backend, ctx: Any, runtime: Runtime) -> None:
        self.backend = Backend(backend)
        self.ctx = ctx if self.backend is Backend.PROCESS else None
        self.runtime = runtime
        self.resources: list[ResourceInfo] = []
        self.primitives: dict[int, Any] = {}
        self.agents: list[tuple[AgentInfo, AgentBody]] = []
        self.steps: list[str] = []
        self.shared: dict[str, Any] = {}  # arrays, queues and pipes the scenario reads at the end

    def _register(self, name: str, kind: ResourceKind, capacity: int, lock: int = -1, fixed: str = "") -> int:
        if any(r.name == name for r in self.resources):
            raise ValueError(f"two resources named {name!r}")
        index = len(self.resources)
        self.resources.append(ResourceInfo(index, name, kind, capacity, lock, fixed))
        return index

    def lock(self, name: str) -> Lock:
        lock = Lock(name, self._register(name, ResourceKind.LOCK, 1), self.runtime, self.ctx)
        self.primitives[lock.index] = lock
        return lock

    def rlock(self, name: str) -> RLock:
        rlock = RLock(name, self._register(name, ResourceKind.RLOCK, 1), self.runtime, self.ctx)
        self.primitives[rlock.index] = rlock
        return rlock

    def condition(self, name: str, lock: Lock | RLock | None = None, max_waiters: int = MAX_WAITERS) -> Condition:
        """A Condition over ``lock`` (by default a new RLock named ``<name> lock``, as CPython's)."""
        over = self.rlock(f"{name} lock") if lock is None else lock
        if self.primitives.get(over.index) is not over:
            raise ValueError(f"condition {name!r}: its lock {over.name!r} belongs to another round")
        index = self._register(name, ResourceKind.CONDITION, 0, over.index)
        cond = Condition(name, index, self.runtime, over, self.ctx, max_waiters)
        self.primitives[index] = cond
        return cond

    def barrier(self, name: str, parties: int, timeout: float | None = None) -> Barrier:
        if parties < 1:
            raise ValueError(f"barrier {name!r}: parties must be >= 1, got {parties}")
        index = self._register(name, ResourceKind.BARRIER, parties)
        barrier = Barrier(name, index, self.runtime, parties, self.ctx, timeout)
        self.primitives[barrier.index] = barrier
        return barrier

    def semaphore(self, name: str, value: int, fixed: str = "") -> Semaphore:
        """A counting semaphore. ``fixed`` says why it must not be resized (a signalling
        semaphore counts something, such as free slots, that a resize would falsify)."""
        if value < 0:
            raise ValueError(f"semaphore {name!r}: initial value must be >= 0, got {value}")
        index = self._register(name, ResourceKind.SEMAPHORE, value, fixed=fixed)
        sem = Semaphore(name, index, self.runtime, value, self.ctx)
        self.primitives[sem.index] = sem
        return sem

    def event(self, name: str) -> Event:
        event = Event(name, self._register(name, ResourceKind.EVENT, 0), self.runtime, self.ctx)
        self.primitives[event.index] = event
        return event

    def marker(self, name: str, kind: ResourceKind, capacity: int = 0) -> int:
        """A named place without a primitive of ours (a container, counter or channel)."""
        return self._register(name, kind, capacity)

    def int_array(self, name: str, size: int) -> Any:
        """Shared integers: a ``multiprocessing.Array`` for processes, a list for threads."""
        array = self.ctx.RawArray("q", size) if self.ctx else [0] * size
        self.shared[name] = array
        return array

    def bounded_queue(self, name: str, maxsize: int) -> NotingQueue | NotingProcessQueue:
        """A bounded queue whose ``put_noting``/``get_noting`` record where items move (see
        :mod:`sims.primitives.queues`); plain ``put``/``get`` work too."""
        q = noting_queue(self.ctx, maxsize)
        self.shared[name] = q
        return q

    def agent(self, name: str, body: AgentBody, daemon: bool = False) -> None:
        for label in body.steps:
            if label not in self.steps:
                self.steps.append(label)
        info = AgentInfo(len(self.agents), name, body.role, self.backend, daemon, body.counted)
        self.agents.append((info, body))
