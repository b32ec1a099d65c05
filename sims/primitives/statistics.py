"""What a primitive's ``statistics()`` returns: its state as the engine's telemetry shows it."""

from __future__ import annotations

import attrs

from sims.kinds import ResourceKind
from sims.pickling import pickled_by_constructor


@pickled_by_constructor
@attrs.frozen
class ResourceStatistics:
    """A primitive's state as telemetry shows it: who holds it, who waits (in arrival order)."""

    index: int
    name: str
    kind: ResourceKind
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
        if self.kind == ResourceKind.SEMAPHORE:
            return f"<Semaphore {self.name} {len(self.holders)}/{self.capacity} held, {len(self.waiters)} waiting>"
        if self.kind == ResourceKind.BARRIER:
            state = "broken" if self.broken else f"{len(self.waiters)}/{self.capacity} waiting"
            return f"<Barrier {self.name} {state}>"
        if self.kind == ResourceKind.CONDITION:
            return f"<Condition {self.name} lock held by {list(self.holders)}, {len(self.waiters)} waiting>"
        if self.kind == ResourceKind.RLOCK:
            owner = f"held by {list(self.holders)} level {self.recursion}" if self.holders else "free"
            return f"<RLock {self.name} {owner}, {len(self.waiters)} waiting>"
        return f"<{self.kind.title()} {self.name} holders {list(self.holders)}, {len(self.waiters)} waiting>"
