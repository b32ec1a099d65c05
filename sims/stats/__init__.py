"""Round statistics: fairness, throughput, waits, holds and resource use, vectorised in numpy.

The same functions serve a live rolling window and the end-of-round summary.
"""

from sims.rounds.statistics import (
    AgentStats,
    KitchenStats,
    Percentiles,
    ResourceSeries,
    ResourceStats,
    RoundStats,
)
from sims.stats.compute import compute_round_stats, jain_index
from sims.stats.intervals import HOLD_DTYPE, hold_intervals
from sims.stats.kitchen import kitchen_stats
from sims.stats.timeline import hold_timeline, resource_timeline

__all__ = [
    "HOLD_DTYPE",
    "AgentStats",
    "KitchenStats",
    "Percentiles",
    "ResourceSeries",
    "ResourceStats",
    "RoundStats",
    "compute_round_stats",
    "hold_intervals",
    "hold_timeline",
    "jain_index",
    "kitchen_stats",
    "resource_timeline",
]
