"""The window's side of one round: its engine host, the live model it feeds, what it keeps.

Once per frame :meth:`RoundSession.ingest` takes every message the host sent (never
waiting for one). Telemetry batches feed a :class:`~sims.live.LiveModel` of the window's
own, from which each frame draws one snapshot. The picture freezes when a deadlock is
reported or the round ends: what the agents wrote while being torn down is kept for the
results and the export but not drawn as if the round still ran.
"""

from __future__ import annotations

import time
from collections import deque
from pathlib import Path

import attrs
import numpy as np

from game.livestats import Rates, WaitHistogram
from sims.host import Batch, Ended, EngineHost, Failed, Identities, LiveStats, Refused, Started, with_events
from sims.live import Deadlock, LiveModel, Snapshot
from sims.rounds.config import RoundConfig
from sims.rounds.layout import AgentIdentity, RoundLayout
from sims.rounds.result import RoundResult
from sims.scenarios.registry import scenario_named
from sims.telemetry import Op

NOTICE_S = 6.0
INGEST_BUDGET = 30_000  # records folded into the picture per frame (~3 ms); the rest waits


@attrs.define
class Notice:
    text: str
    left_s: float = NOTICE_S


class RoundSession:
    """A round in a host process, seen from the window."""

    def __init__(self, config: RoundConfig, start_method: str = "spawn") -> None:
        self.config = config
        self.host = EngineHost(config, start_method)
        self.layout: RoundLayout | None = None
        self.model: LiveModel | None = None
        self.started_ns = 0
        self.identities: tuple[AgentIdentity, ...] = ()
        self.batches: list[np.ndarray] = []
        self.records = 0
        self.dropped = 0
        self._queue: deque[tuple[np.ndarray, Deadlock | None]] = deque()
        self.live_stats: LiveStats | None = None
        self.result: RoundResult | None = None
        self.error: str | None = None
        self.notices: list[Notice] = []
        self.rates: Rates | None = None
        self.taken = np.zeros(0, dtype=np.int64)
        self.waits = WaitHistogram()
        self._snapshot: Snapshot | None = None
        self.host.start()

    # -- per frame ------------------------------------------------------------------------
    def ingest(self, dt: float) -> None:
        """Take what the host sent, fold in at most INGEST_BUDGET records, age notices, sample rates."""
        for message in self.host.poll():
            self._on(message)
        self._digest(INGEST_BUDGET)
        self.notices = [attrs.evolve(n, left_s=n.left_s - dt) for n in self.notices if n.left_s > dt]
        if self.model is not None and self.rates is not None and not self.frozen:
            self.rates.sample(self.model.operations, self.model.t_ns)

    def _on(self, message: object) -> None:
        match message:
            case Started():
                self._started(message)
            case Identities():
                self.identities = message.identities
            case Batch():
                self._batch(message)
            case LiveStats():
                self.live_stats = message
            case Refused():
                self.notices.append(Notice(f"refused '{message.command}': {message.reason}"))
            case Ended():
                self.result = with_events(message.result, self.batches)
                self.dropped = max(self.dropped, self.result.dropped)
                self.identities = self.result.identities
                self.host.close()
            case Failed():
                self.error = message.error

    def _started(self, message: Started) -> None:
        self.layout = message.layout
        self.started_ns = message.started_ns
        ops = scenario_named(message.layout.scenario).operation_ops(message.layout)
        self.model = LiveModel(message.layout, ops)
        self.rates = Rates(len(message.layout.agents))
        self.taken = np.zeros(len(message.layout.resources), dtype=np.int64)

    def _batch(self, batch: Batch) -> None:
        """Keep every record for the results; queue the live ones (not the teardown's) for the picture."""
        self.dropped = max(self.dropped, batch.dropped)
        if len(batch.events):
            self.batches.append(batch.events)
            self.records += len(batch.events)
        if not batch.final:
            self._queue.append((batch.events, batch.deadlock))

    def _digest(self, budget: int) -> None:
        """Fold queued records into the live model, oldest first, at most ``budget`` per frame.

        A busy round can send more than a frame should fold; the rest waits for the next
        frames (records keep their order), so the frame rate holds and the picture catches up.
        """
        while self._queue and budget > 0 and self.model is not None and self.model.deadlock is None:
            events, deadlock = self._queue[0]
            take, rest = events[:budget], events[budget:]
            if len(rest):
                self._queue[0] = (rest, deadlock)
            else:
                self._queue.popleft()
            self._fold(take)
            budget -= max(len(take), 1)
            if deadlock is not None and not len(rest):
                self.model.deadlock = deadlock
                self._snapshot = None

    @property
    def frozen(self) -> bool:
        """True once the picture shows its last state: a deadlock, or an ended round fully folded."""
        if self.model is not None and self.model.deadlock is not None:
            return True
        return (self.ended or self.error is not None) and not self._queue

    @property
    def backlog(self) -> int:
        """Records received but not yet folded into the picture."""
        return sum(len(e) for e, _ in self._queue)

    def _fold(self, events: np.ndarray) -> None:
        if not len(events) or self.model is None:
            return
        self.model.feed(events)
        self.waits.feed(events, self.model.t_ns)
        self._count_permits(events)
        self._snapshot = None

    def _count_permits(self, events: np.ndarray) -> None:
        """Permits out per resource: acquisitions minus releases, whoever made them."""
        n = len(self.taken)
        for op, sign in ((Op.ACQUIRED, 1), (Op.RELEASED, -1)):
            res = events["resource"][(events["op"] == op) & (events["resource"] >= 0)]
            if len(res):
                self.taken += sign * np.bincount(res, minlength=n)[:n]

    # -- reading --------------------------------------------------------------------------
    def snapshot(self) -> Snapshot | None:
        """One consistent picture for this frame (made once per batch, not once per read)."""
        if self.model is None:
            return None
        if self._snapshot is None:
            self._snapshot = self.model.snapshot()
        return self._snapshot

    @property
    def elapsed_s(self) -> float:
        """Seconds since the round started: the wall clock while it runs (``monotonic_ns`` is
        shared with the host on Linux), the last record's time once the picture is frozen."""
        if self.model is None or not self.started_ns:
            return 0.0
        now = self.model.t_ns if self.frozen else time.monotonic_ns()
        if self.result is not None and not self.model.deadlock:
            now = min(now, self.result.ended_ns)
        return max(0.0, (now - self.started_ns) / 1e9)

    @property
    def status(self) -> str:
        if self.error:
            return "failed"
        if self.result is not None:
            return f"ended ({self.result.end_reason})"
        if self.layout is None:
            return "starting"
        if self.model is not None and self.model.deadlock is not None:
            return "deadlocked"
        return "paused" if self.model is not None and self.model.paused else "running"

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
        from sims.export import write_round

        if self.result is None:
            raise RuntimeError("the round has not ended yet: nothing to export")
        return write_round(self.result, folder)

    def close(self) -> None:
        """Stop the round and its host (safe to call twice)."""
        for message in self.host.close():
            self._on(message)
