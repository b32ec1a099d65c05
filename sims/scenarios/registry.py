"""The scenarios a round can run, by name: every ``Scenario`` defined in a module of this package.

A new scenario is a new module here (plus its translations); nothing else lists it. Modules are
imported when the registry is asked, never at import time.
"""

from __future__ import annotations

import importlib
import pkgutil

import sims.scenarios
from sims.scenarios.base import Scenario


def _defined_in(module_name: str) -> list[type[Scenario]]:
    module = importlib.import_module(module_name)
    return [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Scenario)
        and value.__module__ == module_name
        and "name" in vars(value)
    ]


def scenarios() -> dict[str, Scenario]:
    """Every scenario, freshly made, in the lecture's order (nothing is registered at import time)."""
    found: list[type[Scenario]] = []
    for info in pkgutil.iter_modules(sims.scenarios.__path__):
        if not info.ispkg:
            found += _defined_in(f"{sims.scenarios.__name__}.{info.name}")
    made = sorted((cls() for cls in found), key=lambda s: (s.order, s.name))
    return {s.name: s for s in made}


def scenario_named(name: str) -> Scenario:
    known = scenarios()
    if name not in known:
        raise ValueError(f"unknown scenario {name!r} (known: {', '.join(sorted(known))})")
    return known[name]
