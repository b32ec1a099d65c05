"""Who and what takes part in a round: names for the indices in telemetry."""

from __future__ import annotations

import attrs

from sims.kinds import Backend, ResourceKind


@attrs.frozen
class AgentInfo:
    """One agent as configured (its run-time identity is in ``AgentIdentity``)."""

    index: int
    name: str
    role: str  # what the scenario calls it: "philosopher", "cook", "waiter", ...
    backend: Backend = attrs.field(converter=Backend)
    daemon: bool = False
    counted: bool = True  # its operations are the round's work (see ``AgentBody.counted``)


@attrs.frozen
class ResourceInfo:
    """A named thing agents act on: a primitive, or a marker a scenario draws (see ``ResourceKind``)."""

    index: int
    name: str
    kind: ResourceKind = attrs.field(converter=ResourceKind)
    capacity: int = 1  # locks 1, semaphores their initial permits, barriers their parties, containers their slots
    lock: int = -1  # a condition's lock (its resource index)
    fixed: str = ""  # why a semaphore must not be resized (a signalling one); empty: it may be


@attrs.frozen
class RoundLayout:
    """Names and kinds behind the integers in every telemetry record of one round."""

    scenario: str
    strategy: str
    backend: Backend = attrs.field(converter=Backend)
    seed: int
    agents: tuple[AgentInfo, ...]
    resources: tuple[ResourceInfo, ...]
    steps: tuple[str, ...] = ()  # STEP records carry an index into this

    def resource_named(self, name: str) -> ResourceInfo:
        for info in self.resources:
            if info.name == name:
                return info
        known = ", ".join(r.name for r in self.resources)
        raise KeyError(f"no resource named {name!r} in this round (known: {known})")

    def agent_named(self, name: str) -> AgentInfo:
        for info in self.agents:
            if info.name == name:
                return info
        raise KeyError(f"no agent named {name!r} in this round")

    def of_kind(self, *kinds: ResourceKind) -> tuple[ResourceInfo, ...]:
        return tuple(r for r in self.resources if r.kind in kinds)


@attrs.frozen
class AgentIdentity:
    """What an agent really was: recorded from the live Thread/Process and its telemetry."""

    index: int
    name: str
    backend: Backend = attrs.field(converter=Backend)
    pid: int
    native_id: int | None
    daemon: bool
    started_ns: int | None
    stopped_ns: int | None
    exit_code: int | None  # processes: the exit code (-9 = SIGKILL); threads: None
