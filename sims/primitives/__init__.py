"""Instrumented Lock, RLock, Semaphore, Event, Condition and Barrier: the real primitives, reporting every call."""

from threading import BrokenBarrierError

from sims.primitives._tally import Tally
from sims.primitives.barrier import Barrier
from sims.primitives.condition import Condition
from sims.primitives.event import Event
from sims.primitives.lock import Lock
from sims.primitives.rlock import RLock
from sims.primitives.semaphore import MAX_PERMITS, Semaphore
from sims.primitives.statistics import ResourceStatistics

__all__ = [
    "MAX_PERMITS",
    "Barrier",
    "BrokenBarrierError",
    "Condition",
    "Event",
    "Lock",
    "RLock",
    "ResourceStatistics",
    "Semaphore",
    "Tally",
]
