"""Instrumented Lock, Semaphore and Event: the real primitives, reporting every call."""

from sims.primitives.event import Event
from sims.primitives.lock import Lock
from sims.primitives.semaphore import Semaphore

__all__ = ["Event", "Lock", "Semaphore"]
