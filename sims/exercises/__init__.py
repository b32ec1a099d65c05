"""Exercises for player code: the registry that ``diner grade`` and level files name."""

from __future__ import annotations

from sims.exercises.barber import BARBER
from sims.exercises.barrier import BARRIER
from sims.exercises.base import Cast, Exercise, Kit
from sims.exercises.buffer import BUFFER
from sims.exercises.dining import DINING
from sims.exercises.fair_readers import FAIR_READERS
from sims.exercises.monitor import MONITOR
from sims.exercises.multiplex import MULTIPLEX
from sims.exercises.mutex import MUTEX
from sims.exercises.readers import READERS_WRITERS
from sims.exercises.savages import SAVAGES
from sims.exercises.signal import RENDEZVOUS
from sims.exercises.water import WATER


def exercises() -> dict[str, Exercise]:
    """Every exercise by name."""
    ladder = (RENDEZVOUS, MUTEX, MULTIPLEX, READERS_WRITERS, FAIR_READERS, BARBER, WATER, SAVAGES)  # code levels'
    return {e.name: e for e in (DINING, BUFFER, BARRIER, MONITOR, *ladder)}


def exercise_named(name: str) -> Exercise:
    known = exercises()
    if name not in known:
        raise ValueError(f"unknown exercise {name!r} (known: {', '.join(known)})")
    return known[name]


__all__ = ["Cast", "Exercise", "Kit", "exercise_named", "exercises"]
