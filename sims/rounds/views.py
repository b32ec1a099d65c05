"""Frozen views of a round at one instant: what the screen draws (a primitive's own
``statistics()`` value, :class:`ResourceStatistics`, lives with the primitives)."""

from __future__ import annotations

import enum

import attrs

from sims.pickling import pickled_by_constructor
from sims.primitives.statistics import ResourceStatistics


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
