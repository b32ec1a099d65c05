"""The live picture of a round: a model folded from telemetry, its views, deadlock detection."""

from sims.live.model import LiveModel
from sims.rounds.views import AgentView, Deadlock, ResourceStatistics, Snapshot, Stuck

__all__ = ["AgentView", "Deadlock", "LiveModel", "ResourceStatistics", "Snapshot", "Stuck"]
