"""Cheap live numbers folded per frame from telemetry: throughput history and a wait histogram.

Heavier statistics (Jain's index, percentiles) come from ``sims.stats`` in the host
(:class:`sims.host.LiveStats`); these two are small enough to keep in the window.
Times are telemetry times (``t_ns`` of the records), so a paused round's charts stand still.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from sims.telemetry import Op

SAMPLE_NS = 250_000_000  # one throughput sample per quarter second
HISTORY = 40  # samples kept: ten seconds
BUCKET_NS = 250_000_000
WINDOW_BUCKETS = 8  # the histogram covers the last two seconds
# Wait-time bins: 1 µs .. 10 s, two per decade; waits of 0 (the fast path) are counted apart.
EDGES_NS = 10.0 ** np.arange(3.0, 10.5, 0.5)


class Rates:
    """Operations per second of each agent, one sample per SAMPLE_NS of telemetry time."""

    def __init__(self, agents: int) -> None:
        self.history = np.zeros((agents, HISTORY), dtype=np.float64)
        self.filled = 0
        self.samples = 0  # grows with every sample: a drawing of the history is current while it is unchanged
        self._last_ops = np.zeros(agents, dtype=np.int64)
        self._last_t = 0

    def sample(self, operations: np.ndarray, t_ns: int) -> None:
        if self._last_t == 0:
            self._last_t = t_ns
            self._last_ops = operations.copy()
            return
        if t_ns - self._last_t < SAMPLE_NS:
            return
        rate = (operations - self._last_ops) / ((t_ns - self._last_t) / 1e9)
        self.history = np.roll(self.history, -1, axis=1)
        self.history[:, -1] = rate
        self.filled = min(self.filled + 1, HISTORY)
        self.samples += 1
        self._last_t, self._last_ops = t_ns, operations.copy()

    def recent(self) -> np.ndarray:
        """The filled part of the history, oldest sample first (agents x samples)."""
        return self.history[:, HISTORY - self.filled :]


class WaitHistogram:
    """How long acquisitions waited over the last two seconds, in log-spaced bins."""

    def __init__(self) -> None:
        self._buckets: deque[tuple[int, np.ndarray, int]] = deque()

    def feed(self, events: np.ndarray, now_ns: int) -> None:
        acquired = events[events["op"] == Op.ACQUIRED]
        waits = acquired["value"]
        zero = int(np.count_nonzero(waits <= 0))
        counts, _ = np.histogram(waits[waits > 0], bins=EDGES_NS)
        bucket = now_ns - now_ns % BUCKET_NS
        if self._buckets and self._buckets[-1][0] == bucket:
            _, old, old_zero = self._buckets.pop()
            counts, zero = counts + old, zero + old_zero
        self._buckets.append((bucket, counts, zero))
        while self._buckets and self._buckets[0][0] <= bucket - WINDOW_BUCKETS * BUCKET_NS:
            self._buckets.popleft()

    def counts(self) -> tuple[np.ndarray, int]:
        """(waits per bin, acquisitions that did not wait) over the window."""
        if not self._buckets:
            return np.zeros(len(EDGES_NS) - 1, dtype=np.int64), 0
        return sum(b[1] for b in self._buckets), sum(b[2] for b in self._buckets)  # type: ignore[return-value]


def bin_label(i: int) -> str:
    """A short label for bin ``i``'s lower edge: 1µs, 3µs, 10µs ... 1s, 3s."""
    ns = EDGES_NS[i]
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            value = ns / scale
            return f"{value:.0f}{unit}"
    return f"{ns:.0f}ns"
