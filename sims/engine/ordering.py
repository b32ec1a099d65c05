"""Drained records put back in time order, a little late, so a round can be summed up as it runs.

A drain takes what each ring holds, so two drains overlap in time: a writer that read the
clock and was then preempted lands its record in a later drain than records written after
it. Each record is therefore held back until it is LAG_NS old (by the engine's clock) and
released, time-ordered, with the others of its age. Records released at the same drain are
ordered as one stable sort of all the drains would order them, so the released stream is
exactly the round's records sorted by time, as long as no record reaches the engine more
than LAG_NS after its writer read the clock. One that does (a writer stopped by SIGSTOP
between the clock and the ring) is released with the next records: ``late`` counts them.
"""

from __future__ import annotations

import numpy as np

from sims.telemetry import EVENT_DTYPE

LAG_NS = 500_000_000  # how old a record must be before it is released
RELEASE_EVERY_NS = 250_000_000  # released in batches this far apart (fewer, larger batches are cheaper to sum)


class TimeOrder:
    """Hold drained batches; hand them back time-ordered once they are old enough."""

    def __init__(self) -> None:
        self._pending: list[np.ndarray] = []
        self._held = 0
        self._released_to = np.iinfo(np.int64).min  # every record before this was released
        self._next_release = 0
        self.late = 0

    @property
    def held(self) -> int:
        """Records drained but not yet released (the only records kept in memory)."""
        return self._held

    def push(self, events: np.ndarray, now_ns: int) -> np.ndarray:
        """Add a drained batch; return the records now old enough, in time order (often none)."""
        if len(events):
            self._pending.append(events)
            self._held += len(events)
        if now_ns < self._next_release or not self._held:
            return np.empty(0, dtype=EVENT_DTYPE)
        self._next_release = now_ns + RELEASE_EVERY_NS
        return self._release(now_ns - LAG_NS)

    def flush(self) -> np.ndarray:
        """Everything still held, in time order (the round has ended)."""
        return self._release(np.iinfo(np.int64).max)

    def _release(self, before_ns: int) -> np.ndarray:
        events = (
            np.concatenate(self._pending) if len(self._pending) > 1 else self._pending[0] if self._pending else None
        )
        if events is None:
            return np.empty(0, dtype=EVENT_DTYPE)
        old = events["t_ns"] < before_ns
        ready, kept = events[old], events[~old]
        self._pending = [kept] if len(kept) else []
        self._held = len(kept)
        t = ready["t_ns"]
        self.late += int(np.count_nonzero(t < self._released_to))
        self._released_to = max(self._released_to, before_ns)
        return ready[np.argsort(t, kind="stable")]
