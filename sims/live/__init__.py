"""The live picture of a round: a model folded from telemetry, its views, deadlock detection.

Imported on first use: the model and the wait histogram need numpy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sims.lazy import lazy_exports

_PUBLIC = {
    "LiveModel": "sims.live.model",
    "Picture": "sims.live.picture",
    "RecordReplay": "sims.live.replay",
    "BUCKET_NS": "sims.live.waits",
    "EDGES_NS": "sims.live.waits",
    "bin_label": "sims.live.waits",
    "AgentView": "sims.rounds.views",
    "Deadlock": "sims.rounds.views",
    "ResourceStatistics": "sims.primitives.statistics",
    "Snapshot": "sims.rounds.views",
    "Stuck": "sims.rounds.views",
}
__getattr__, __dir__ = lazy_exports(__name__, _PUBLIC)
__all__ = [
    "BUCKET_NS",
    "EDGES_NS",
    "AgentView",
    "Deadlock",
    "LiveModel",
    "Picture",
    "RecordReplay",
    "ResourceStatistics",
    "Snapshot",
    "Stuck",
    "bin_label",
]

if TYPE_CHECKING:
    from sims.live.model import LiveModel
    from sims.live.picture import Picture
    from sims.live.replay import RecordReplay
    from sims.live.waits import BUCKET_NS, EDGES_NS, bin_label
    from sims.primitives.statistics import ResourceStatistics
    from sims.rounds.views import AgentView, Deadlock, Snapshot, Stuck
