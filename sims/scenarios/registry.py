"""The scenarios a round can run, by name."""

from __future__ import annotations

from sims.scenarios.base import Scenario


def scenarios() -> dict[str, Scenario]:
    """Every scenario, freshly made (nothing is registered at import time)."""
    from sims.scenarios.bell import Bell
    from sims.scenarios.dining import Dining
    from sims.scenarios.gil import Gil
    from sims.scenarios.kitchen import Kitchen
    from sims.scenarios.lineup import Lineup
    from sims.scenarios.menu import Menu
    from sims.scenarios.messages import Messages
    from sims.scenarios.pool import Pool
    from sims.scenarios.race import Race
    from sims.scenarios.seats import Seats
    from sims.scenarios.signals import Signals

    made: list[Scenario] = [Dining(), Kitchen()]
    made += [Lineup(), Race(), Bell(), Seats(), Menu(), Signals(), Messages(), Pool(), Gil()]
    return {s.name: s for s in made}


def scenario_named(name: str) -> Scenario:
    known = scenarios()
    if name not in known:
        raise ValueError(f"unknown scenario {name!r} (known: {', '.join(sorted(known))})")
    return known[name]
