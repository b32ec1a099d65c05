"""What a finished round gives back."""

from __future__ import annotations

import os
import platform
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import attrs
import numpy as np

from sims.kinds import EndReason
from sims.rounds.config import RoundConfig
from sims.rounds.layout import AgentIdentity, RoundLayout
from sims.rounds.statistics import RoundStats
from sims.rounds.views import Deadlock
from sims.telemetry.spill import CHUNK_RECORDS, Records, RecordSlice


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


def wall_clock_of(monotonic_ns: int) -> str:
    """The UTC time (ISO 8601, microseconds) at which ``time.monotonic_ns()`` read ``monotonic_ns``."""
    offset = time.time_ns() - time.monotonic_ns()
    return datetime.fromtimestamp((monotonic_ns + offset) / 1e9, tz=UTC).isoformat(timespec="microseconds")


def new_round_id() -> str:
    """When the round ended (UTC, sortable) and 8 random hex digits: ``20261203T091500Z-1a2b3c4d``."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + uuid.uuid4().hex[:8]


def _started_at(result: RoundResult) -> str:
    return wall_clock_of(result.started_ns)


def _load_avg() -> tuple[float, float, float]:
    try:
        return os.getloadavg()
    except OSError:  # not available on this platform
        return (-1.0, -1.0, -1.0)


@attrs.frozen
class DiskUse:
    """Where a round's records went and what the disk took."""

    bytes: int = 0
    folder: str = ""  # the spill's folder ("" when the records were never on disk)
    unsaved: int = 0  # records counted in the statistics but not written (the disk was full)
    late: int = 0  # records that reached the engine too late to be put in time order
    note: str = ""  # why writing stopped, if it did


@attrs.frozen
class RoundResult:
    """Configuration, identities, every record, and what they add up to.

    ``records`` may be on disk (a spill: read them in bounded chunks with :meth:`event_chunks`)
    or in memory; ``events`` loads them all, time-ordered.
    """

    config: RoundConfig
    layout: RoundLayout
    identities: tuple[AgentIdentity, ...]
    records: Records
    started_ns: int
    ended_ns: int
    end_reason: EndReason
    deadlock: Deadlock | None
    orphaned: tuple[str, ...]  # resources left taken by a dead holder
    dropped: int  # telemetry records lost to full rings
    stats: RoundStats
    scenario_stats: dict[str, Any]
    disk: DiskUse = DiskUse()
    environment: dict[str, Any] = attrs.field(factory=environment)
    # Identity of this round among others, fixed when the result is made (exports agree).
    round_id: str = attrs.field(factory=new_round_id)
    started_at: str = attrs.field(default=attrs.Factory(_started_at, takes_self=True))  # UTC, ISO 8601
    load_avg: tuple[float, float, float] = attrs.field(factory=_load_avg)  # the machine's, as the round ended

    @property
    def duration_s(self) -> float:
        return (self.ended_ns - self.started_ns) / 1e9

    @property
    def events(self) -> np.ndarray:
        """Every record (EVENT_DTYPE, sorted by t_ns), in memory: for short rounds and tests."""
        return self.records.load()

    @property
    def record_count(self) -> int:
        return len(self.records)

    def event_chunks(self, size: int = CHUNK_RECORDS) -> Iterator[np.ndarray]:
        """The records in time order, at most ``size`` at a time: what an exporter streams."""
        return self.records.chunks(size)

    def record_slices(self, size: int = CHUNK_RECORDS) -> Iterator[RecordSlice]:
        """The records in time order, ``size`` at a time, as slices another process can read."""
        return self.records.slices(size)
