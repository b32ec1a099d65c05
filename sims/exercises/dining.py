"""Dining philosophers: each ``Philosopher`` gets ``self.left`` and ``self.right`` (Locks)."""

from __future__ import annotations

from sims.exercises.base import Cast, Exercise, Kit


def _build(kit: Kit, n: int) -> list[Cast]:
    forks = [kit.lock(f"fork {i}") for i in range(n)]
    return [
        Cast("Philosopher", f"philosopher {i}", {"left": forks[i], "right": forks[(i + 1) % n], "seat": i, "n": n})
        for i in range(n)
    ]


DINING = Exercise(
    name="dining",
    summary="N philosophers, N forks: pick up both forks, eat, put them down, twice each",
    roles=("Philosopher",),
    handed="self.left, self.right: Lock; self.seat: int; self.n: int",
    build=_build,
    default_agents=5,
    min_agents=2,
    max_agents=8,
)
