"""The engine host's side: one round in its own process, driven by a window over a Pipe.

The host starts the round's agents, then loops: apply the commands the window sent, ``poll()``
the round every ~15 ms, fold the new records into its live model and send a picture of it
(:mod:`sims.engine.messages` lists what it sends, in order). A
:class:`~sims.live.picture.Picture` (at most one per frame of the window) is what the window
draws: the host folds every record into its own live model anyway. The last picture is sent
before the round is torn down, so what agents write while being stopped is never drawn as if
the round still ran.

The records themselves stay in the host until the round has ended: ``Ended`` names the
shared-memory block they wait in (:mod:`sims.engine.handoff`). A host asked for
``live_records`` also streams them as they come, in ``Batch`` chunks of at most CHUNK_RECORDS.

Whatever ends the window (closing it, Ctrl-C, an exception, SIGKILL) ends the host: it sees its
end of the pipe close, or its parent change, and stops the round, which stops every agent and
unlinks the shared memory. The window's side is :mod:`sims.engine.client`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
import traceback
from typing import Any

import attrs
import numpy as np

from sims.engine.handoff import discard, leave
from sims.engine.messages import (
    Batch,
    Begin,
    Ended,
    Failed,
    Identities,
    LiveStats,
    Refused,
    Started,
    Taken,
    ToHost,
    ToWindow,
)
from sims.engine.outbox import Outbox, WindowGone
from sims.kinds import EndReason
from sims.lifeline import Lifeline, bind_to_parent
from sims.live.picture import Picture, PictureKeeper
from sims.rounds.commands import parse_command
from sims.telemetry import EVENT_DTYPE
from sims.telemetry.spill import MemoryRecords

TICK_S = 0.015  # how often the host polls the round when no command arrives
PICTURE_EVERY_S = 1 / 60  # at most one picture per frame of the window
CHUNK_RECORDS = 4_096  # records per live Batch message at most (~100 kB: fits the pipe's 208 kB socket
# buffer, so a reader never waits inside recv() for the host to be scheduled and write the rest)
STATS_EVERY_S = 0.5  # how often the host sends rolling statistics
STATS_WINDOW_S = 2.0  # the rolling window they cover (at most)
STATS_EVENTS = 40_000  # and at most this many of the newest records, so a busy round stays cheap
FLUSH_S = 30.0  # how long the host keeps sending what is queued to a window that still reads
TAKE_S = 60.0  # how long the host keeps the round's records for a window that has not taken them


class _Terminated(Exception):
    """SIGTERM reached the host: stop the round before exiting."""


def _on_sigterm(signum: int, frame: Any) -> None:
    """Raise once: the kernel sends the parent-death signal again for each thread of the dying
    window it re-parents us from, and a second raise inside the teardown would leave the agents
    running (measured under load: docs/benchmarks.md)."""
    _ignore_sigterm()
    raise _Terminated()


def _ignore_sigterm() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


class _Serve:
    """The host's side: owns the round, talks to the window."""

    def __init__(self, begin: Begin, conn: Any, lifeline: Lifeline, outbox: Outbox) -> None:
        from sims.engine.round import Round

        self.conn = conn
        self.outbox = outbox
        self.lifeline = lifeline
        self.live_records = begin.live_records
        self.records_segment = begin.records_segment
        self.round = Round(begin.config, keep_batches=True)
        self.handed: Any = None  # the shared memory the records wait in, once the round has ended
        self.identified = False
        self.recent: list[np.ndarray] = []
        self.next_stats = time.monotonic() + STATS_EVERY_S
        self.keeper: PictureKeeper | None = None
        self.next_picture = 0.0

    def send(self, message: ToWindow) -> None:
        """Queue a message for the window: records and the result in order, the rest first."""
        urgent = not isinstance(message, Batch | Ended)
        self.outbox.put(message, urgent=urgent, newest_only=isinstance(message, Picture))

    def forward(self, teardown: bool = False) -> None:
        """Fold the records that arrived since the last call into the picture (not those of the
        ``teardown``: the final picture has been sent by then); stream them if asked to."""
        new = self.round.take_batches()
        self.recent.extend(new)
        events = np.concatenate(new) if len(new) > 1 else new[0] if new else np.empty(0, dtype=EVENT_DTYPE)
        if self.keeper is not None and self.round.model is not None and not teardown:
            self.keeper.feed(events, self.round.model.t_ns)
        if self.live_records:
            dropped = self.round.dropped()
            for at in range(0, len(events), CHUNK_RECORDS):
                self.send(Batch(events[at : at + CHUNK_RECORDS], dropped))

    def picture(self, final: bool) -> None:
        """Send the round's picture, at most once per PICTURE_EVERY_S unless it is the ``final`` one."""
        model = self.round.model
        if self.keeper is None or model is None or (not final and time.monotonic() < self.next_picture):
            return
        self.next_picture = time.monotonic() + PICTURE_EVERY_S
        self.send(self.keeper.picture(model, self.round.dropped(), final))

    def commands(self, wait_s: float) -> None:
        """Apply what the window sent; waiting here (not sleeping) until the next tick."""
        deadline = time.monotonic() + wait_s
        while True:
            if self.lifeline.cut():
                raise WindowGone()
            try:
                ready = self.conn.poll(max(0.0, deadline - time.monotonic()))
                message = self.conn.recv() if ready else None
            except (EOFError, OSError):
                raise WindowGone() from None
            if message is None:
                return
            self.apply(message)

    def apply(self, message: ToHost) -> None:
        if isinstance(message, Begin | Taken):
            return  # the hand-shakes of the round's start and end, not commands
        try:
            command = parse_command(message) if isinstance(message, str) else message
            self.round.command(command)
        except (ValueError, KeyError) as exc:
            self.send(Refused(str(message), str(exc).strip("'\"")))

    def run(self) -> None:
        rnd = self.round
        layout = rnd.start()
        self.keeper = PictureKeeper(layout)
        self.send(Started(layout, rnd.started_ns, os.getpid()))
        while True:
            going = rnd.poll()
            self.forward()
            self.picture(final=not going)
            self.identify()
            self.rolling_stats()
            if not going:
                break
            self.commands(TICK_S)
        result = rnd.stop(rnd.end_reason or EndReason.REQUESTED)
        self.forward(teardown=True)
        assert result is not None
        try:
            self.handed, records = leave(result.events, self.records_segment)
        finally:
            result.records.discard()  # the spill's temporary folder: the window gets the copy
        self.send(Ended(attrs.evolve(result, records=MemoryRecords(np.empty(0, dtype=EVENT_DTYPE))), records))

    def let_records_go(self) -> None:
        """Keep the records' segment until the window has taken them (or is gone), then free it."""
        if self.handed is None:
            return
        deadline = time.monotonic() + TAKE_S
        try:
            while not self.lifeline.cut() and self.conn.poll(max(0.0, deadline - time.monotonic())):
                if isinstance(self.conn.recv(), Taken):
                    break
        except (EOFError, OSError):
            pass  # the window is gone
        finally:
            discard(self.handed)
            self.handed = None

    def rolling_stats(self) -> None:
        """Every STATS_EVERY_S: statistics of the newest records, computed here, not in the window."""
        if time.monotonic() < self.next_stats or not self.recent:
            return
        from sims.stats import compute_round_stats

        self.next_stats = time.monotonic() + STATS_EVERY_S
        events = np.concatenate(self.recent)[-STATS_EVENTS:]
        self.recent = [events]
        rnd = self.round
        end = int(events["t_ns"].max())
        start = max(int(events["t_ns"].min()), end - int(STATS_WINDOW_S * 1e9), rnd.started_ns)
        if end <= start:
            return
        assert rnd.layout is not None
        ops = rnd.scenario.operation_ops(rnd.layout)
        self.send(LiveStats(compute_round_stats(events, rnd.layout, start, end, ops), start, end))

    def identify(self) -> None:
        model = self.round.model
        if not self.identified and model is not None and model.started.all():
            self.identified = True
            self.send(Identities(self.round.identities()))


def _warm_up(fork_server: bool) -> None:
    """Import what every round needs (and start the fork server) before the round is chosen,
    so a host started ahead (a standby) starts its round without waiting for any of it."""
    from sims.engine.fork_server import start_fork_server
    from sims.scenarios.registry import scenarios
    from sims.stats import compute_round_stats  # noqa: F401

    if fork_server:
        start_fork_server()  # it boots while we import
    scenarios()


def _await_begin(conn: Any, lifeline: Lifeline) -> Begin:
    """Wait for the window to choose the round; anything else (End, a closed pipe) ends us."""
    while True:
        if lifeline.cut():
            raise WindowGone()
        try:
            message = conn.recv() if conn.poll(0.5) else None
        except (EOFError, OSError):
            raise WindowGone() from None
        if isinstance(message, Begin):
            return message
        if message is not None:
            raise WindowGone()


def serve(conn: Any, parent_pid: int, fork_server: bool = False, nice: int = 0, kernel_watch: bool = False) -> None:
    """Entry point of the host process: warm up, wait for ``Begin``, run that round.

    The host ends with its window: SIGTERM from the kernel when the window's process ends (if
    ``kernel_watch``: the window started us from its main thread), and a look at our parent
    at every tick (sims.lifeline). Its agents and fork server then end with it.
    """
    if nice:
        os.nice(nice)  # before any thread or fork server starts: they inherit it
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the window, which closes us
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # held back while we started: see start()
    signal.signal(signal.SIGTERM, _on_sigterm)
    host: _Serve | None = None
    outbox: Outbox | None = None
    try:
        lifeline = bind_to_parent(parent_pid, signal.SIGTERM, kernel_watch)
        _warm_up(fork_server)
        begin = _await_begin(conn, lifeline)
        outbox = Outbox(conn)
        host = _Serve(begin, conn, lifeline, outbox)
        host.run()
    except (WindowGone, _Terminated):
        pass
    except BaseException:
        with contextlib.suppress(WindowGone):
            if outbox is not None:
                outbox.put(Failed(traceback.format_exc()))
    finally:
        _ignore_sigterm()  # the teardown runs to its end (a kill still ends a host stuck in it)
        if host is not None:
            host.round.stop(EndReason.INTERRUPTED)
        if outbox is not None:
            outbox.close(FLUSH_S)  # what is queued still reaches a window that reads
        if host is not None:
            host.let_records_go()
        conn.close()
