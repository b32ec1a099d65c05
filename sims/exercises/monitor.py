"""The bounded buffer as a monitor: one lock, two Conditions (``not_full``, ``not_empty``)."""

from __future__ import annotations

from sims.exercises.base import Cast, Exercise, Kit

SLOTS = 1


def _build(kit: Kit, n: int) -> list[Cast]:
    lock = kit.lock("lock")
    handed = {
        "lock": lock,
        "not_full": kit.condition("not_full", lock),
        "not_empty": kit.condition("not_empty", lock),
        "shelf": kit.shelf("pass", SLOTS),
    }
    producers = [Cast("Producer", f"producer {i}", dict(handed)) for i in range(n // 2)]
    return producers + [Cast("Consumer", f"consumer {i}", dict(handed)) for i in range(n - n // 2)]


MONITOR = Exercise(
    name="monitor",
    summary="producers and consumers share a pass of 1 slot, guarded by a lock and two Conditions",
    roles=("Producer", "Consumer"),
    handed="self.lock: Lock; self.not_full, self.not_empty: Condition(self.lock); "
    "self.shelf: the pass (put/take, count, slots)",
    build=_build,
    default_agents=4,
    min_agents=2,
    max_agents=8,
)
