"""What the window and its engine host say to each other: one typed union per direction.

The window sends a :data:`ToHost`: first :class:`Begin` (the round), then live commands (objects
or their text form), and :class:`Taken` once it has copied the round's records out of the
handoff. The host sends a :data:`ToWindow`, in order::

    Started(layout)  Identities(...)  (Picture | LiveStats | Refused | Batch)...  Picture(final=True)  Ended(result)

or :class:`Failed` with the host's traceback.
"""

from __future__ import annotations

import attrs
import numpy as np

from sims.engine.handoff import RecordsHandoff
from sims.live.picture import Picture
from sims.rounds.commands import Command
from sims.rounds.config import RoundConfig
from sims.rounds.layout import AgentIdentity, RoundLayout
from sims.rounds.result import RoundResult
from sims.rounds.statistics import RoundStats


# -- host -> window ---------------------------------------------------------------------------
@attrs.frozen
class Started:
    layout: RoundLayout
    started_ns: int
    host_pid: int


@attrs.frozen
class Identities:
    identities: tuple[AgentIdentity, ...]


@attrs.frozen(eq=False)
class Batch:
    """New telemetry (EVENT_DTYPE), in the order the host folded it (``live_records`` hosts only)."""

    events: np.ndarray
    dropped: int


@attrs.frozen
class LiveStats:
    """``sims.stats.compute_round_stats`` over the newest records (``[start_ns, end_ns]``)."""

    stats: RoundStats
    start_ns: int
    end_ns: int


@attrs.frozen
class Refused:
    command: str
    reason: str


@attrs.frozen
class Ended:
    """The round's result. From the host its events are left out (``records`` names where they
    wait); :meth:`EngineHost.poll` puts them back, so what callers get is complete."""

    result: RoundResult
    records: RecordsHandoff = attrs.field(factory=RecordsHandoff)


@attrs.frozen
class Failed:
    error: str  # the host's traceback


ToWindow = Started | Identities | Batch | Picture | LiveStats | Refused | Ended | Failed


# -- window -> host ---------------------------------------------------------------------------
@attrs.frozen
class Begin:
    """Window -> host, first message: the round to run, what to call the shared memory its
    records are handed over in, and whether to stream them live too."""

    config: RoundConfig
    records_segment: str
    live_records: bool = False


@attrs.frozen
class Taken:
    """Window -> host, last message: the round's records are copied out of the handoff."""


ToHost = Begin | Command | str | Taken
