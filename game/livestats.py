"""Throughput history sampled per frame from the host's pictures (operations per agent).

Heavier statistics (Jain's index, percentiles) come from ``sims.stats`` in the host
(:class:`sims.engine.messages.LiveStats`), the wait histogram from the host's picture
(:mod:`sims.live.waits`). Times are telemetry times (``t_ns`` of the records), so a paused
round's charts stand still.
"""

from __future__ import annotations

import numpy as np

SAMPLE_NS = 250_000_000  # one throughput sample per quarter second
HISTORY = 40  # samples kept: ten seconds


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
