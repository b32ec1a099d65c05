"""A rolling histogram of how long acquisitions waited, folded batch by batch.

Times are telemetry times (``t_ns`` of the records), so a paused round's histogram stands
still. Kept by the engine host and sent to the window inside each :class:`Picture`.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from sims.telemetry import Op

BUCKET_NS = 250_000_000
WINDOW_BUCKETS = 8  # the histogram covers the last two seconds
# Wait-time bins: 1 µs .. 10 s, two per decade; waits of 0 (the fast path) are counted apart.
EDGES_NS = 10.0 ** np.arange(3.0, 10.5, 0.5)


class WaitHistogram:
    """How long acquisitions waited over the last two seconds, in log-spaced bins."""

    def __init__(self) -> None:
        self._buckets: deque[tuple[int, np.ndarray, int]] = deque()

    def feed(self, events: np.ndarray, now_ns: int) -> None:
        waits = events["value"][events["op"] == Op.ACQUIRED]
        counted = events["value"][events["op"] == Op.HOLDS]  # uncontended holds summed up (detail off)
        zero = int(np.count_nonzero(waits <= 0)) + int(counted.sum())
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
