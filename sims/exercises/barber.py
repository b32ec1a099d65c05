"""The sleeping barber: customers wait on a bench of 2, or leave if it is full (LBoS 5.2).

The barber works until the last customer has gone (a server role). The bench is a pass:
sitting on a full bench, or calling a customer from an empty one, is caught on the spot.
"""

from __future__ import annotations

from sims.exercises.base import Cast, Exercise, Kit

BENCH = 2


def _build(kit: Kit, n: int) -> list[Cast]:
    handed = {
        "mutex": kit.lock("mutex"),
        "customer": kit.semaphore("customer", 0),
        "barber": kit.semaphore("barber", 0),
        "customer_done": kit.semaphore("customer_done", 0),
        "bench": kit.shelf("bench", BENCH),
    }
    customers = [Cast("Customer", f"customer {i}", dict(handed)) for i in range(n - 1)]
    return [Cast("Barber", "barber", dict(handed)), *customers]


BARBER = Exercise(
    name="barber",
    summary="customers sit on a bench of 2 (bench.put) or leave if it is full; the barber sleeps until one "
    "comes, calls them (bench.take) to the chair, me.critical('chair'), one at a time",
    roles=("Customer", "Barber"),
    handed="self.mutex: Lock; self.customer, self.barber, self.customer_done: Semaphore(0); "
    "self.bench: the bench (put/take, count, slots)",
    build=_build,
    default_agents=4,
    min_agents=2,
    max_agents=6,
    servers=("Barber",),
)
