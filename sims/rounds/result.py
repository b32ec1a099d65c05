"""What a finished round gives back."""

from __future__ import annotations

import platform
import sys
from typing import Any

import attrs
import numpy as np

from sims.rounds.config import RoundConfig
from sims.rounds.layout import AgentIdentity, RoundLayout
from sims.rounds.statistics import RoundStats
from sims.rounds.views import Deadlock


def environment() -> dict[str, Any]:
    """The Python and platform a round ran on (numbers depend on them)."""
    gil = getattr(sys, "_is_gil_enabled", None)
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "build": " ".join(platform.python_build()),
        "compiler": platform.python_compiler(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "gil_enabled": True if gil is None else bool(gil()),
        "numpy": np.__version__,
    }


@attrs.frozen
class RoundResult:
    """Configuration, identities, every event, and what they add up to."""

    config: RoundConfig
    layout: RoundLayout
    identities: tuple[AgentIdentity, ...]
    events: np.ndarray  # EVENT_DTYPE, sorted by t_ns
    started_ns: int
    ended_ns: int
    end_reason: str  # "duration", "deadlock", "stall", "requested", "interrupted", "agents finished", "event budget"
    deadlock: Deadlock | None
    orphaned: tuple[str, ...]  # resources left taken by a dead holder
    dropped: int  # telemetry records lost to full rings
    stats: RoundStats
    scenario_stats: dict[str, Any]
    environment: dict[str, Any] = attrs.field(factory=environment)

    @property
    def duration_s(self) -> float:
        return (self.ended_ns - self.started_ns) / 1e9
