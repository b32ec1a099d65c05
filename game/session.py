"""The window's side of one round: its engine host, the picture it draws, the records it keeps.

Once per frame :meth:`RoundSession.ingest` takes what the host sent (never waiting). The
host folds every record into its own live model and sends a
:class:`~sims.live.picture.Picture` per frame: that is what the views draw. The records
themselves come once, with the result, when the round has ended (for the results and the
export). The picture freezes when it shows a deadlock or the round ends: the host sends its
last picture before tearing the round down, so nothing written while agents are being
stopped is drawn as if the round still ran. Once the result is in, the counters drawn (each
agent's operations, the rolling statistics, the clock) are the result's: the same definition
and the same cut-off instant as the summary, so the window and the results never disagree.
"""

from __future__ import annotations

import enum
import time
from pathlib import Path

import attrs
import numpy as np

from game import heap
from game.livestats import Rates
from game.standby import HOST_NICE, StandbyHost
from sims import EndReason
from sims.engine import Ended, EngineHost, Failed, Identities, LiveStats, Refused, Started
from sims.live import Deadlock, Picture, Snapshot
from sims.rounds import AgentIdentity, RoundConfig, RoundLayout, RoundResult

NOTICE_S = 6.0
RECEIVE_BUDGET_S = 0.002  # receiving per frame at most (a picture is one message: it never waits for more)


class Phase(enum.Enum):
    """Where a round is, as the window sees it (the values are the status words' keys)."""

    STARTING = "starting"
    RUNNING = "running"
    PAUSED = "paused"
    DEADLOCKED = "deadlocked"
    STALLED = "stalled"
    ENDING = "ending"
    ENDED = "ended"
    FAILED = "failed"


@attrs.frozen
class RoundStatus:
    """A round's phase, and once it has ended, why."""

    phase: Phase
    reason: EndReason | None = None

    @property
    def bad(self) -> bool:
        """Drawn in the colour of trouble: a deadlock, a stall or a failure."""
        return self.phase in (Phase.DEADLOCKED, Phase.STALLED, Phase.FAILED)

    def __str__(self) -> str:
        return f"ended ({self.reason})" if self.phase is Phase.ENDED else self.phase.value


@attrs.define
class Notice:
    """A command the round refused, and why (the engine's words), shown for NOTICE_S seconds."""

    command: str
    reason: str
    left_s: float = NOTICE_S


class RoundSession:
    """A round in a host process, seen from the window."""

    def __init__(self, config: RoundConfig, standby: StandbyHost | None = None) -> None:
        self.standby = standby
        if standby is not None:
            self.host, self.config = standby.take(config)
        else:
            self.config, self.host = config, EngineHost(config, nice=HOST_NICE)
        self.layout: RoundLayout | None = None
        self.picture: Picture | None = None
        self._final: Snapshot | None = None  # the last picture with the result's counts
        self.started_ns = 0
        self._shown_ns = 0  # the latest instant the round clock showed: it never runs backwards
        self.identities: tuple[AgentIdentity, ...] = ()
        self.live_stats: LiveStats | None = None
        self.result: RoundResult | None = None
        self.error: str | None = None
        self.notices: list[Notice] = []
        self.rates: Rates | None = None
        heap.settle()  # the round's frames must not pay for a full collection of what came before
        if standby is None:
            self.host.start()

    # -- per frame ------------------------------------------------------------------------
    def ingest(self, dt: float) -> None:
        """Take what the host sent (within the frame's budget), age notices."""
        for message in self.host.poll(RECEIVE_BUDGET_S):
            self._on(message)
        self.notices = [attrs.evolve(n, left_s=n.left_s - dt) for n in self.notices if n.left_s > dt]

    def _on(self, message: object) -> None:
        match message:
            case Started():
                self.layout = message.layout
                self.started_ns = message.started_ns
                self.rates = Rates(len(message.layout.agents))
                if self.standby is not None:
                    self.standby.refill()  # warm the next round's host now that this one runs
            case Identities():
                self.identities = message.identities
            case Picture():
                self._picture(message)
            case LiveStats():
                self.live_stats = message
            case Refused():
                self.notices.append(Notice(message.command, message.reason))
            case Ended():
                self.result = message.result
                self.identities = self.result.identities
                self.live_stats = LiveStats(self.result.stats, self.result.started_ns, self.result.ended_ns)
                self._final = self._counted(self.result)
                self.host.close()
            case Failed():
                self.error = message.error

    def _picture(self, picture: Picture) -> None:
        if self.frozen:
            return
        self.picture = picture
        if self.rates is not None:
            self.rates.sample(picture.operations, picture.snapshot.t_ns)

    @property
    def frozen(self) -> bool:
        """True once the picture shows its last state: a deadlock, or a round that has ended."""
        if self.picture is not None and (self.picture.final or self.picture.snapshot.deadlock is not None):
            return True
        return self.ended

    @property
    def records(self) -> int:
        """Records the round has written so far (as the host has folded them)."""
        if self.result is not None:
            return len(self.result.events)
        return self.picture.snapshot.records if self.picture is not None else 0

    @property
    def dropped(self) -> int:
        """Telemetry records lost to full rings (should read 0)."""
        if self.result is not None:
            return self.result.dropped
        return self.picture.dropped if self.picture is not None else 0

    @property
    def deadlock(self) -> Deadlock | None:
        """The deadlock the picture shows, if any."""
        return self.picture.snapshot.deadlock if self.picture is not None else None

    # -- reading --------------------------------------------------------------------------
    def snapshot(self) -> Snapshot | None:
        """The picture this frame draws (None until the host has sent one)."""
        if self._final is not None:
            return self._final
        return self.picture.snapshot if self.picture is not None else None

    def _counted(self, result: RoundResult) -> Snapshot | None:
        """The last picture, each agent's operations as the result counts them (up to its end)."""
        if self.picture is None:
            return None
        snap = self.picture.snapshot
        ops = {a.index: a.operations for a in result.stats.agents}
        agents = tuple(attrs.evolve(a, operations=ops.get(a.index, a.operations)) for a in snap.agents)
        return attrs.evolve(snap, agents=agents)

    @property
    def permits_out(self) -> np.ndarray:
        """Per resource: acquisitions minus releases, whoever made them."""
        if self.picture is None:
            return np.zeros(len(self.layout.resources) if self.layout else 0, dtype=np.int64)
        return self.picture.permits_out

    @property
    def elapsed_s(self) -> float:
        """Seconds since the round started: the wall clock while it runs (``monotonic_ns`` is
        shared with the host on Linux, capped at the round's length), the last record's time once
        the picture is frozen, the round's end (what the summary counts up to) once the result is
        in; never less than it showed before (ending takes a moment)."""
        snap = self.snapshot()
        if snap is None or not self.started_ns:
            return 0.0
        now = snap.t_ns if self.frozen else time.monotonic_ns()
        if self.result is not None:
            now = self.result.ended_ns
        elif self.config.seconds:
            now = min(now, self.started_ns + int(self.config.seconds * 1e9))  # the round ends by then
        self._shown_ns = max(self._shown_ns, now)  # ending takes a moment: hold the clock, never rewind it
        return max(0.0, (self._shown_ns - self.started_ns) / 1e9)

    @property
    def status(self) -> RoundStatus:
        if self.error:
            return RoundStatus(Phase.FAILED)
        if self.result is not None:
            return RoundStatus(Phase.ENDED, self.result.end_reason)
        if self.layout is None:
            return RoundStatus(Phase.STARTING)
        snap = self.snapshot()
        if snap is not None and snap.deadlock is not None:
            return RoundStatus(Phase.STALLED if snap.deadlock.is_stall else Phase.DEADLOCKED)
        if self.frozen:  # the last picture is in; the agents are being stopped, the result is coming
            return RoundStatus(Phase.ENDING)
        return RoundStatus(Phase.PAUSED if snap is not None and snap.paused else Phase.RUNNING)

    @property
    def ended(self) -> bool:
        return self.result is not None or self.error is not None

    def identity(self, agent: int) -> AgentIdentity | None:
        return self.identities[agent] if agent < len(self.identities) else None

    # -- control --------------------------------------------------------------------------
    def send(self, command: object) -> None:
        if not self.ended:
            self.host.send(command)  # type: ignore[arg-type]

    def export(self, folder: Path) -> list[Path]:
        """Write the same files as ``diner run --out`` (atomically) into ``folder``."""
        from sims import write_round

        if self.result is None:
            raise RuntimeError("the round has not ended yet: nothing to export")
        return write_round(self.result, folder)

    def close(self) -> None:
        """Stop the round and its host (safe to call twice)."""
        for message in self.host.close():
            self._on(message)
