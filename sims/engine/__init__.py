"""The machinery that runs a round: ``Round`` (start, poll, live commands, teardown), and the
engine host a window drives over a pipe (``EngineHost`` on the window's side, ``serve`` on the
host's, the messages between them in :mod:`sims.engine.messages`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sims.lazy import lazy_exports

_PUBLIC = {
    "Round": "sims.engine.round",
    "to_events": "sims.engine.round",
    "start_fork_server": "sims.engine.fork_server",
    "EngineHost": "sims.engine.client",
    "Batch": "sims.engine.messages",
    "Ended": "sims.engine.messages",
    "Failed": "sims.engine.messages",
    "Identities": "sims.engine.messages",
    "LiveStats": "sims.engine.messages",
    "Refused": "sims.engine.messages",
    "Started": "sims.engine.messages",
    "ToHost": "sims.engine.messages",
    "ToWindow": "sims.engine.messages",
}
__getattr__, __dir__ = lazy_exports(__name__, _PUBLIC)
__all__ = [
    "Batch",
    "Ended",
    "EngineHost",
    "Failed",
    "Identities",
    "LiveStats",
    "Refused",
    "Round",
    "Started",
    "ToHost",
    "ToWindow",
    "start_fork_server",
    "to_events",
]

if TYPE_CHECKING:
    from sims.engine.client import EngineHost
    from sims.engine.fork_server import start_fork_server
    from sims.engine.messages import Batch, Ended, Failed, Identities, LiveStats, Refused, Started, ToHost, ToWindow
    from sims.engine.round import Round, to_events
