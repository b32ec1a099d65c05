"""What the window draws, made by the engine: one small :class:`Picture` per tick.

A busy round writes over a million records a second. Folding them all a second time in
the window cost most of a frame, so the host, which folds them anyway, sends the state
they add up to instead: the live model's snapshot and the few numbers the window's views
need beside it (permits out, gates reached, counters, the rolling wait histogram, records
lost). The records themselves reach the window once the round has ended, for the results
and the export (see ``sims.engine``).
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import numpy as np

from sims.live.model import LiveModel
from sims.live.waits import WaitHistogram
from sims.rounds.layout import RoundLayout
from sims.rounds.views import Snapshot
from sims.telemetry import Op

COUNTERS_KEPT = 8  # counter writes looked at per batch: only the last value of each matters


@attrs.frozen(eq=False)
class Picture:
    """The round as of ``snapshot.t_ns``: everything a frame draws."""

    snapshot: Snapshot
    operations: np.ndarray  # per agent: operations so far
    permits_out: np.ndarray  # per resource: acquisitions minus releases, whoever made them
    gates_reached: np.ndarray  # per agent: GATE records so far (stops at the scheduler's gates)
    counters: Mapping[int, tuple[int, int]]  # counter resource → (last value, agent that wrote it)
    waits: np.ndarray  # wait histogram over the last two seconds (bins of sims.live.waits.EDGES_NS)
    waits_zero: int  # acquisitions in that window that did not wait
    dropped: int = 0  # telemetry records lost to full rings so far
    final: bool = False  # the last picture of the round: sent before its teardown


class PictureKeeper:
    """Folds the numbers a :class:`LiveModel` does not keep; draws pictures of both."""

    def __init__(self, layout: RoundLayout) -> None:
        self.permits_out = np.zeros(len(layout.resources), dtype=np.int64)
        self.gates_reached = np.zeros(len(layout.agents), dtype=np.int64)
        self.counters: dict[int, tuple[int, int]] = {}
        self.waits = WaitHistogram()

    def feed(self, events: np.ndarray, now_ns: int) -> None:
        """Fold one batch (EVENT_DTYPE), the same records the model was fed."""
        if not len(events):
            return
        op, res, agent = events["op"], events["resource"], events["agent"]
        n = len(self.permits_out)
        for which, sign in ((Op.ACQUIRED, 1), (Op.RELEASED, -1)):
            hit = res[(op == which) & (res >= 0)]
            if len(hit):
                self.permits_out += sign * np.bincount(hit, minlength=n)[:n]
        gates = agent[(op == Op.GATE) & (agent >= 0)]
        if len(gates):
            n = len(self.gates_reached)
            self.gates_reached += np.bincount(gates, minlength=n)[:n]
        for record in events[op == Op.COUNTER][-COUNTERS_KEPT:]:
            self.counters[int(record["resource"])] = (int(record["value"]), int(record["agent"]))
        self.waits.feed(events, now_ns)

    def picture(self, model: LiveModel, dropped: int = 0, final: bool = False) -> Picture:
        counts, zero = self.waits.counts()
        return Picture(
            snapshot=model.snapshot(),
            operations=model.operations.copy(),
            permits_out=self.permits_out.copy(),
            gates_reached=self.gates_reached.copy(),
            counters=dict(self.counters),
            waits=np.asarray(counts).copy(),
            waits_zero=int(zero),
            dropped=dropped,
            final=final,
        )
