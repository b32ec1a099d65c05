"""Dining savages: savages eat servings from a pot of 3; the one who finds it empty wakes the cook."""

from __future__ import annotations

from sims.exercises.base import Cast, Exercise, Kit

SERVINGS = 3  # the pot's size; with 3 savages eating twice, the cook fills it twice


def _build(kit: Kit, n: int) -> list[Cast]:
    handed = {
        "mutex": kit.lock("mutex"),
        "empty_pot": kit.semaphore("empty_pot", 0),
        "full_pot": kit.semaphore("full_pot", 0),
        "pot": kit.shelf("pot", SERVINGS),
    }
    return [Cast("Savage", f"savage {i}", dict(handed)) for i in range(n - 1)] + [Cast("Cook", "cook", dict(handed))]


SAVAGES = Exercise(
    name="savages",
    summary="3 savages take servings from a pot of 3 (pot.take); the cook refills it (3 pot.put) when woken",
    roles=("Savage", "Cook"),
    handed="self.mutex: Lock; self.empty_pot, self.full_pot: Semaphore(0); self.pot: the pot (put/take, count, slots)",
    build=_build,
    default_agents=4,
    min_agents=4,
    max_agents=4,
)
