"""The vocabulary of a round: its configuration, live commands, layout, views, statistics and result.

Everything here is a value (or, for ``World``, the builder scenarios describe their resources
with); the machinery that runs a round is :mod:`sims.engine`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sims.lazy import lazy_exports

_PUBLIC = {
    "RoundConfig": "sims.rounds.config",
    "Command": "sims.rounds.commands",
    "Timed": "sims.rounds.commands",
    "parse_command": "sims.rounds.commands",
    "Auto": "sims.rounds.commands",
    "End": "sims.rounds.commands",
    "Gate": "sims.rounds.commands",
    "Pause": "sims.rounds.commands",
    "Resize": "sims.rounds.commands",
    "Resume": "sims.rounds.commands",
    "Scale": "sims.rounds.commands",
    "SignalAgent": "sims.rounds.commands",
    "Step": "sims.rounds.commands",
    "flat_numbers": "sims.rounds.summary",
    "parse_timed": "sims.rounds.commands",
    "AgentIdentity": "sims.rounds.layout",
    "AgentInfo": "sims.rounds.layout",
    "ResourceInfo": "sims.rounds.layout",
    "RoundLayout": "sims.rounds.layout",
    "RoundResult": "sims.rounds.result",
    "RoundStats": "sims.rounds.statistics",
    "AgentView": "sims.rounds.views",
    "Deadlock": "sims.rounds.views",
    "ResourceStatistics": "sims.primitives.statistics",
    "Snapshot": "sims.rounds.views",
    "Stuck": "sims.rounds.views",
    "StuckWait": "sims.rounds.stuck",
    "stuck_behind_the_dead": "sims.rounds.stuck",
    "World": "sims.rounds.world",
}
__getattr__, __dir__ = lazy_exports(__name__, _PUBLIC)
__all__ = [
    "AgentIdentity",
    "AgentInfo",
    "AgentView",
    "Auto",
    "Command",
    "Deadlock",
    "End",
    "Gate",
    "Pause",
    "Resize",
    "ResourceInfo",
    "ResourceStatistics",
    "Resume",
    "RoundConfig",
    "RoundLayout",
    "RoundResult",
    "RoundStats",
    "Scale",
    "SignalAgent",
    "Snapshot",
    "Step",
    "Stuck",
    "StuckWait",
    "Timed",
    "World",
    "flat_numbers",
    "parse_command",
    "parse_timed",
    "stuck_behind_the_dead",
]

if TYPE_CHECKING:
    from sims.primitives.statistics import ResourceStatistics
    from sims.rounds.commands import (
        Auto,
        Command,
        End,
        Gate,
        Pause,
        Resize,
        Resume,
        Scale,
        SignalAgent,
        Step,
        Timed,
        parse_command,
        parse_timed,
    )
    from sims.rounds.config import RoundConfig
    from sims.rounds.layout import AgentIdentity, AgentInfo, ResourceInfo, RoundLayout
    from sims.rounds.result import RoundResult
    from sims.rounds.statistics import RoundStats
    from sims.rounds.stuck import StuckWait, stuck_behind_the_dead
    from sims.rounds.summary import flat_numbers
    from sims.rounds.views import AgentView, Deadlock, Snapshot, Stuck
    from sims.rounds.world import World
