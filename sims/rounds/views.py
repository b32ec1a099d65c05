"""Frozen views of a round at one instant: what the screen draws and ``statistics()`` returns."""

from __future__ import annotations

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

    def __str__(self) -> str:
        if self.kind == "semaphore":
            return f"<Semaphore {self.name} {len(self.holders)}/{self.capacity} held, {len(self.waiters)} waiting>"
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


@attrs.frozen
class Deadlock:
    """A cycle of agents each waiting forever for a resource held by the next."""

    agents: tuple[int, ...]
    resources: tuple[int, ...]  # resources[i] is what agents[i] waits for
    formed_ns: int
    detected_ns: int


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
