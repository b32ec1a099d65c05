"""Frozen views of a round at one instant: what the screen draws and ``statistics()`` returns."""

from __future__ import annotations

import enum

import attrs

from sims.pickling import pickled_by_constructor


@pickled_by_constructor
@attrs.frozen
class ResourceStatistics:
    """A primitive's state as telemetry shows it: who holds it, who waits (in arrival order)."""

    index: int
    name: str
    kind: str
    holders: tuple[int, ...]
    waiters: tuple[int, ...]
    capacity: int
    pending: int = 0
    orphaned: bool = False
    is_set: bool = False
    items: tuple[int, ...] = ()
    recursion: int = 0  # an RLock's level (0: free)
    broken: bool = False  # a barrier's
    lock: int = -1  # a condition's lock; its holders are the condition's

    @property
    def parties(self) -> int:
        """A barrier's party size."""
        return self.capacity

    @property
    def n_waiting(self) -> int:
        return len(self.waiters)

    def __str__(self) -> str:
        if self.kind == "semaphore":
            return f"<Semaphore {self.name} {len(self.holders)}/{self.capacity} held, {len(self.waiters)} waiting>"
        if self.kind == "barrier":
            state = "broken" if self.broken else f"{len(self.waiters)}/{self.capacity} waiting"
            return f"<Barrier {self.name} {state}>"
        if self.kind == "condition":
            return f"<Condition {self.name} lock held by {list(self.holders)}, {len(self.waiters)} waiting>"
        if self.kind == "rlock":
            owner = f"held by {list(self.holders)} level {self.recursion}" if self.holders else "free"
            return f"<RLock {self.name} {owner}, {len(self.waiters)} waiting>"
        return f"<{self.kind.title()} {self.name} holders {list(self.holders)}, {len(self.waiters)} waiting>"


@pickled_by_constructor
@attrs.frozen
class AgentView:
    index: int
    name: str
    role: str
    state: int  # a sims.telemetry.State value
    waiting_on: int  # resource index, -1 if not waiting
    wait_since_ns: int
    wait_timeout_ns: int  # -1: waits forever
    holding: tuple[int, ...]
    operations: int
    step: int  # index into layout.steps, -1 before the first step
    step_line: int
    alive: bool
    started: bool
    stopped: bool  # SIGSTOPped by the player
    exit_code: int | None


class Stuck(enum.Enum):
    """How a round got stuck for good."""

    CYCLE = "deadlock"  # each agent of the cycle waits for a resource held by the next
    STALL = "stall"  # every live agent waits for a wake-up (notify, barrier, signal) nobody left can give


@attrs.frozen
class Deadlock:
    """Agents stuck for good: a cycle (each waits forever for a resource held by the next), or a
    stall (a lost wake-up: every live agent waits, and no one left can notify or signal)."""

    agents: tuple[int, ...]
    resources: tuple[int, ...]  # resources[i] is what agents[i] waits for
    formed_ns: int
    detected_ns: int
    kind: Stuck = Stuck.CYCLE

    @property
    def is_stall(self) -> bool:
        return self.kind is Stuck.STALL


@attrs.frozen
class Snapshot:
    t_ns: int
    agents: tuple[AgentView, ...]
    resources: tuple[ResourceStatistics, ...]
    deadlock: Deadlock | None
    paused: bool
    scale: float
    gated: bool
    records: int
