"""Multiplex: a counter with 2 stools; no more than 2 diners inside ``me.critical("stool")`` at once."""

from __future__ import annotations

from sims.exercises.base import Cast, Exercise, Kit

STOOLS = 2


def _build(kit: Kit, n: int) -> list[Cast]:
    handed = {"stools": kit.semaphore("stools", STOOLS)}
    return [Cast("Diner", f"diner {i}", dict(handed)) for i in range(n)]


MULTIPLEX = Exercise(
    name="multiplex",
    summary="N diners share a counter of 2 stools: eat inside me.critical('stool'); never 3 at once",
    roles=("Diner",),
    handed="self.stools: Semaphore(2)",
    build=_build,
    default_agents=4,
    min_agents=3,
    max_agents=8,
    seats=(("stool", STOOLS),),
)
