"""Building H2O: atoms bond in threes, two hydrogens and one oxygen a molecule (LBoS 5.6)."""

from __future__ import annotations

from sims.exercises.base import Cast, Exercise, Kit

MOLECULES = 2


def _build(kit: Kit, n: int) -> list[Cast]:
    handed = {
        "mutex": kit.semaphore("mutex", 1),  # a semaphore: the atom that closes a molecule opens it
        "oxygen": kit.counter("oxygen"),
        "hydrogen": kit.counter("hydrogen"),
        "oxy_queue": kit.semaphore("oxy_queue", 0),
        "hydro_queue": kit.semaphore("hydro_queue", 0),
        "barrier": kit.barrier("bonded", 3),
    }
    oxygens = [Cast("Oxygen", f"oxygen {i}", dict(handed)) for i in range(n // 3)]
    return oxygens + [Cast("Hydrogen", f"hydrogen {i}", dict(handed)) for i in range(n - n // 3)]


WATER = Exercise(
    name="water",
    summary="2 oxygen and 4 hydrogen atoms call me.step('bond') once each; "
    "every three bonds in a row are one molecule: 2 Hydrogen and 1 Oxygen",
    roles=("Oxygen", "Hydrogen"),
    handed="self.mutex: Semaphore(1); self.oxygen, self.hydrogen: Counter; "
    "self.oxy_queue, self.hydro_queue: Semaphore(0); self.barrier: Barrier(3)",
    build=_build,
    default_agents=3 * MOLECULES,
    min_agents=3 * MOLECULES,
    max_agents=3 * MOLECULES,
    rounds=1,
    fixed_rounds=True,
    groups=(("bond", (("Hydrogen", 2), ("Oxygen", 1))),),
)
