"""Rendezvous: two cooks each prepare, and neither plates until the other has prepared.

Each cook is handed its own semaphore (``mine``) and the other's (``other``), both at 0.
"""

from __future__ import annotations

from sims.exercises.base import Cast, Exercise, Kit


def _build(kit: Kit, n: int) -> list[Cast]:
    a, b = kit.semaphore("a_arrived", 0), kit.semaphore("b_arrived", 0)
    return [Cast("Cook", "cook A", {"mine": a, "other": b}), Cast("Cook", "cook B", {"mine": b, "other": a})]


RENDEZVOUS = Exercise(
    name="rendezvous",
    summary="two cooks: me.step('prepare') then me.step('plate'); nobody plates #k before both prepared #k",
    roles=("Cook",),
    handed="self.mine: Semaphore(0) (this cook's arrival); self.other: Semaphore(0) (the other cook's)",
    build=_build,
    default_agents=2,
    min_agents=2,
    max_agents=2,
    order=(("plate", "prepare"),),
)
