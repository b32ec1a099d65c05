"""Mutual exclusion: waiters add to one shared tally; only one may be inside at a time."""

from __future__ import annotations

from sims.exercises.base import Cast, Exercise, Kit


def _build(kit: Kit, n: int) -> list[Cast]:
    handed = {"mutex": kit.lock("mutex"), "tally": kit.counter("tally")}
    return [Cast("Waiter", f"waiter {i}", dict(handed)) for i in range(n)]


MUTEX = Exercise(
    name="mutex",
    summary="N waiters add their orders to one tally inside me.critical('tally'); one at a time",
    roles=("Waiter",),
    handed="self.mutex: Lock; self.tally: Counter",
    build=_build,
    default_agents=3,
    min_agents=2,
    max_agents=8,
)
