"""A finished round's records, replayed: the picture as it was after any record, forward or back.

The window scrubs through a round (or a counterexample's schedule) one step at a time, in both
directions, and must answer within a frame however long the round. Folding every record from
the start at each step would not; so the model is folded once, front to back, and a copy of it
kept every CHECKPOINT records. The picture after record ``i`` is then the nearest copy at or
before ``i`` with at most CHECKPOINT - 1 records folded on top.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping

import numpy as np

from sims.live.model import LiveModel
from sims.rounds.layout import RoundLayout
from sims.rounds.views import Snapshot
from sims.telemetry import Op

CHECKPOINT = 256  # records between two kept copies of the model


class RecordReplay:
    """The pictures of a round after each of its records (EVENT_DTYPE, sorted by time)."""

    def __init__(
        self,
        layout: RoundLayout,
        events: np.ndarray,
        operation_ops: Mapping[int, tuple[int, int]] | None = None,
        every: int = CHECKPOINT,
    ) -> None:
        if every < 1:
            raise ValueError(f"checkpoints every {every} records: must be at least 1")
        self.events = events
        self.every = every
        model = LiveModel(layout, operation_ops)
        self._kept = [copy.deepcopy(model)]  # _kept[k]: the model after the first k * every records
        for start in range(0, len(events) - every + 1, every):
            model.feed(events[start : start + every])
            self._kept.append(copy.deepcopy(model))

    def __len__(self) -> int:
        return len(self.events)

    @property
    def played(self) -> int:
        """How many records the round wrote before it ended (the rest are its teardown: agents
        stopped, waits abandoned), which is where a scrubber stops by default."""
        ends = np.flatnonzero(self.events["op"] == Op.ROUND_END)
        return int(ends[0]) if len(ends) else len(self.events)

    def model_after(self, count: int) -> LiveModel:
        """A fresh model holding the first ``count`` records (0 to len)."""
        if not 0 <= count <= len(self.events):
            raise IndexError(f"record {count} of a round of {len(self.events)}")
        kept = min(count // self.every, len(self._kept) - 1)
        model = copy.deepcopy(self._kept[kept])
        model.feed(self.events[kept * self.every : count])
        return model

    def snapshot_after(self, count: int) -> Snapshot:
        """The picture once the first ``count`` records had happened."""
        return self.model_after(count).snapshot()
