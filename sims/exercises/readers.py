"""Readers and writers: readers share ``me.critical("read")``; a writer's ``"write"`` is alone."""

from __future__ import annotations

from typing import Any

from sims.exercises.base import Cast, Exercise, Kit

READERS_AT_ONCE = 8  # any number of readers may read together


def readers_and_writers(n: int, handed: dict[str, Any]) -> list[Cast]:
    """``n`` agents, half of them (rounded down) writers, each handed ``handed``."""
    writers = [Cast("Writer", f"writer {i}", dict(handed)) for i in range(n // 2)]
    return [Cast("Reader", f"reader {i}", dict(handed)) for i in range(n - n // 2)] + writers


def _build(kit: Kit, n: int) -> list[Cast]:
    handed = {
        "mutex": kit.lock("mutex"),
        "room_empty": kit.semaphore("room_empty", 1),
        "readers": kit.counter("readers"),
    }
    return readers_and_writers(n, handed)


READERS_WRITERS = Exercise(
    name="readers_writers",
    summary="readers read the menu together inside me.critical('read'); a writer inside 'write' is alone",
    roles=("Reader", "Writer"),
    handed="self.mutex: Lock; self.room_empty: Semaphore(1); self.readers: Counter",
    build=_build,
    default_agents=4,
    min_agents=2,
    max_agents=8,
    seats=(("read", READERS_AT_ONCE),),
    apart=(("read", "write"),),
)
