"""A reusable barrier built by hand: nobody passes ``critical point`` #k before all reach ``rendezvous`` #k."""

from __future__ import annotations

from sims.exercises.base import Cast, Exercise, Kit


def _build(kit: Kit, n: int) -> list[Cast]:
    handed = {
        "mutex": kit.lock("mutex"),
        "turnstile": kit.semaphore("turnstile", 0),
        "turnstile2": kit.semaphore("turnstile2", 1),
        "count": kit.counter("count"),
        "n": n,
    }
    return [Cast("Worker", f"worker {i}", dict(handed)) for i in range(n)]


BARRIER = Exercise(
    name="barrier",
    summary="N workers meet at a barrier every round: me.step('rendezvous'), the barrier, me.step('critical point')",
    roles=("Worker",),
    handed="self.mutex: Lock; self.turnstile: Semaphore(0); self.turnstile2: Semaphore(1); "
    "self.count: Counter; self.n: int",
    build=_build,
    default_agents=3,
    min_agents=2,
    max_agents=8,
    order=(("critical point", "rendezvous"),),
)
