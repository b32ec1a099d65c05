"""The bounded buffer: producers put items on a pass of K slots, consumers take them."""

from __future__ import annotations

from sims.exercises.base import Cast, Exercise, Kit

SLOTS = 2


def _build(kit: Kit, n: int) -> list[Cast]:
    mutex = kit.lock("mutex")
    empty = kit.semaphore("empty", SLOTS)
    full = kit.semaphore("full", 0)
    shelf = kit.shelf("pass", SLOTS)
    handed = {"mutex": mutex, "empty": empty, "full": full, "shelf": shelf}
    producers = [Cast("Producer", f"producer {i}", dict(handed)) for i in range(n // 2)]
    return producers + [Cast("Consumer", f"consumer {i}", dict(handed)) for i in range(n - n // 2)]


BUFFER = Exercise(
    name="buffer",
    summary="producers put items on a pass of 2 slots, consumers take them; nothing lost, nothing twice",
    roles=("Producer", "Consumer"),
    handed="self.mutex: Lock; self.empty: Semaphore(2); self.full: Semaphore(0); self.shelf: the pass (put/take)",
    build=_build,
    default_agents=4,
    min_agents=2,
    max_agents=8,
)
