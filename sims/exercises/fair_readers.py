"""Readers and writers without starving writers: a turnstile the writer closes behind it."""

from __future__ import annotations

from sims.exercises.base import Cast, Exercise, Kit
from sims.exercises.readers import READERS_AT_ONCE, readers_and_writers


def _build(kit: Kit, n: int) -> list[Cast]:
    handed = {
        "mutex": kit.lock("mutex"),
        "room_empty": kit.semaphore("room_empty", 1),
        "turnstile": kit.semaphore("turnstile", 1),
        "readers": kit.counter("readers"),
    }
    return readers_and_writers(n, handed)


FAIR_READERS = Exercise(
    name="fair_readers",
    summary="readers read together inside me.critical('read'), a writer writes alone; "
    "while a writer waits, no reader may read twice",
    roles=("Reader", "Writer"),
    handed="self.mutex: Lock; self.room_empty: Semaphore(1); self.turnstile: Semaphore(1); self.readers: Counter",
    build=_build,
    default_agents=3,
    min_agents=2,
    max_agents=8,
    seats=(("read", READERS_AT_ONCE),),
    apart=(("read", "write"),),
    bypass=(("Writer", "read"),),
)
