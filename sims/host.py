"""The engine host: one round in its own process, driven by a window over a Pipe.

The window never runs agents and never blocks on them. It starts an :class:`EngineHost`,
which spawns a host process (explicit ``spawn``/``forkserver`` context, never the global
start method; nothing graphical is imported there). The host starts the round's agents,
then loops: apply the commands the window sent, ``poll()`` the round every ~15 ms, fold
the new records into its live model and send a picture of it. It sends, in order::

    Started(layout)  Identities(...)  (Picture | LiveStats | Refused)...  Picture(final=True)  Ended(result)

A :class:`~sims.live.picture.Picture` (at most one per frame of the window) is what the
window draws: the host folds every record into its own live model anyway. The last picture
is sent before the round is torn down, so what agents write while being stopped is never
drawn as if the round still ran.

The records themselves stay in the host until the round has ended: ``Ended`` names the
shared-memory block they wait in (:mod:`sims.handoff`), and :meth:`EngineHost.poll` hands
the window the complete :class:`RoundResult`, every record included. A host made with
``live_records=True`` also streams them as they come, in :class:`Batch` chunks of at most
CHUNK_RECORDS (for tools that want the raw stream live; the window does not).

Whatever ends the window (closing it, Ctrl-C, an exception, SIGKILL) ends the host: it
sees its end of the pipe close, or its parent change, and stops the round, which stops
every agent and unlinks the shared memory.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import os
import signal
import time
import traceback
from typing import Any

import attrs
import numpy as np

from sims.ctrl_c import sigint_held_back
from sims.handoff import RecordsHandoff, RecordsLost, discard, forget, leave, take
from sims.live.picture import Picture, PictureKeeper
from sims.outbox import Outbox, WindowGone
from sims.rounds.commands import Command, End, parse_command
from sims.rounds.config import RoundConfig
from sims.rounds.layout import AgentIdentity, RoundLayout
from sims.rounds.result import RoundResult
from sims.runtime import segment_name
from sims.telemetry import EVENT_DTYPE

TICK_S = 0.015  # how often the host polls the round when no command arrives
PICTURE_EVERY_S = 1 / 60  # at most one picture per frame of the window
CHUNK_RECORDS = 4_096  # records per live Batch message at most (~100 kB: fits the pipe's 208 kB socket
# buffer, so a reader never waits inside recv() for the host to be scheduled and write the rest)
STATS_EVERY_S = 0.5  # how often the host sends rolling statistics
STATS_WINDOW_S = 2.0  # the rolling window they cover (at most)
STATS_EVENTS = 40_000  # and at most this many of the newest records, so a busy round stays cheap
CLOSE_S = 8.0  # how long close() lets the host stop its round before terminating it
FLUSH_S = 30.0  # how long the host keeps sending what is queued to a window that still reads
TAKE_S = 60.0  # how long the host keeps the round's records for a window that has not taken them


# -- messages host -> window ------------------------------------------------------------------
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

    stats: Any  # RoundStats
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


Message = Started | Identities | Batch | Picture | LiveStats | Refused | Ended | Failed


# -- the host process ---------------------------------------------------------------------------
class _Terminated(Exception):
    """SIGTERM reached the host: stop the round before exiting."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise _Terminated()


class _Serve:
    """The host's side: owns the round, talks to the window."""

    def __init__(self, begin: Begin, conn: Any, parent_pid: int, outbox: Outbox) -> None:
        from sims.rounds.round import Round

        self.conn = conn
        self.outbox = outbox
        self.parent_pid = parent_pid
        self.live_records = begin.live_records
        self.records_segment = begin.records_segment
        self.round = Round(begin.config)
        self.handed: Any = None  # the shared memory the records wait in, once the round has ended
        self.sent = 0
        self.identified = False
        self.recent: list[np.ndarray] = []
        self.next_stats = time.monotonic() + STATS_EVERY_S
        self.keeper: PictureKeeper | None = None
        self.next_picture = 0.0

    def send(self, message: Message) -> None:
        """Queue a message for the window: records and the result in order, the rest first."""
        urgent = not isinstance(message, Batch | Ended)
        self.outbox.put(message, urgent=urgent, newest_only=isinstance(message, Picture))

    def forward(self, teardown: bool = False) -> None:
        """Fold the records that arrived since the last call into the picture (not those of the
        ``teardown``: the final picture has been sent by then); stream them if asked to."""
        new = self.round.batches_since(self.sent)
        self.sent += len(new)
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
            if os.getppid() != self.parent_pid:
                raise WindowGone()
            try:
                ready = self.conn.poll(max(0.0, deadline - time.monotonic()))
                message = self.conn.recv() if ready else None
            except (EOFError, OSError):
                raise WindowGone() from None
            if message is None:
                return
            self.apply(message)

    def apply(self, message: str | Command) -> None:
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
        result = rnd.stop(rnd.end_reason or "requested")
        self.forward(teardown=True)
        assert result is not None
        self.handed, records = leave(result.events, self.records_segment)
        self.send(Ended(attrs.evolve(result, events=np.empty(0, dtype=EVENT_DTYPE)), records))

    def let_records_go(self) -> None:
        """Keep the records' segment until the window has taken them (or is gone), then free it."""
        if self.handed is None:
            return
        deadline = time.monotonic() + TAKE_S
        try:
            while os.getppid() == self.parent_pid and self.conn.poll(max(0.0, deadline - time.monotonic())):
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


def _warm_up(fork_server: bool) -> None:
    """Import what every round needs (and start the fork server) before the round is chosen,
    so a host started ahead (a standby) starts its round without waiting for any of it."""
    from sims.rounds.round import FORKSERVER_PRELOAD
    from sims.scenarios.registry import scenarios
    from sims.stats import compute_round_stats  # noqa: F401

    scenarios()
    if fork_server:
        from multiprocessing import forkserver

        multiprocessing.get_context("forkserver").set_forkserver_preload(FORKSERVER_PRELOAD)
        forkserver.ensure_running()


def _await_begin(conn: Any, parent_pid: int) -> Begin:
    """Wait for the window to choose the round; anything else (End, a closed pipe) ends us."""
    while True:
        if os.getppid() != parent_pid:
            raise WindowGone()
        try:
            message = conn.recv() if conn.poll(0.5) else None
        except (EOFError, OSError):
            raise WindowGone() from None
        if isinstance(message, Begin):
            return message
        if message is not None:
            raise WindowGone()


def serve(conn: Any, parent_pid: int, fork_server: bool = False, nice: int = 0) -> None:
    """Entry point of the host process: warm up, wait for ``Begin``, run that round."""
    if nice:
        os.nice(nice)  # before any thread or fork server starts: they inherit it
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the window, which closes us
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # held back while we started: see start()
    signal.signal(signal.SIGTERM, _on_sigterm)
    host: _Serve | None = None
    outbox: Outbox | None = None
    try:
        _warm_up(fork_server)
        begin = _await_begin(conn, parent_pid)
        outbox = Outbox(conn)
        host = _Serve(begin, conn, parent_pid, outbox)
        host.run()
    except (WindowGone, _Terminated):
        pass
    except BaseException:
        with contextlib.suppress(WindowGone):
            if outbox is not None:
                outbox.put(Failed(traceback.format_exc()))
    finally:
        if host is not None:
            host.round.stop("interrupted")
        if outbox is not None:
            outbox.close(FLUSH_S)  # what is queued still reaches a window that reads
        if host is not None:
            host.let_records_go()
        conn.close()


# -- the window's side ----------------------------------------------------------------------------
class EngineHost:
    """A round running in a host process. ``start()``, then ``poll()`` every frame, ``close()``.

    Made without a config, the host starts as a standby: it warms up (imports, and the fork
    server if ``fork_server``) and waits until :meth:`begin` names the round. With
    ``live_records`` it also streams every record as it comes (:class:`Batch`). ``nice``: how
    much nicer than its window the host runs (a window keeps its frames when they compete).
    """

    def __init__(
        self,
        config: RoundConfig | None,
        start_method: str = "spawn",
        fork_server: bool = False,
        live_records: bool = False,
        nice: int = 0,
    ) -> None:
        self.config = config
        self.fork_server = fork_server
        self.live_records = live_records
        self.nice = nice
        self.records_segment = segment_name()  # where the host will leave the round's records
        self._ctx = multiprocessing.get_context(start_method)
        self._conn: Any = None
        self._process: Any = None
        self.layout: RoundLayout | None = None
        self.started_ns = 0
        self.host_pid: int | None = None
        self.ended: Ended | None = None
        self.failed: Failed | None = None
        self._early: list[Message] = []

    def __enter__(self) -> EngineHost:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Spawn the host; returns at once. ``layout`` is set when ``Started`` arrives."""
        if self._process is not None:
            raise RuntimeError("an EngineHost starts once; make a new one for the next round")
        self._conn, child = self._ctx.Pipe(duplex=True)
        self._process = self._ctx.Process(
            target=serve, args=(child, os.getpid(), self.fork_server, self.nice), name="diner-host", daemon=False
        )
        with sigint_held_back():  # a Ctrl-C while the host still imports must not kill it mid-way
            self._process.start()
        child.close()
        if self.config is not None:
            self.send(Begin(self.config, self.records_segment, self.live_records))
        # If this process exits without close() (an uncaught Ctrl-C, say), multiprocessing
        # joins the host at exit while the host may be blocked sending us a batch: hang up
        # first, so the host sees the window gone and stops. atexit runs this before that join.
        atexit.register(self._hang_up)

    def begin(self, config: RoundConfig) -> None:
        """Name the round a standby host runs (once)."""
        if self.config is not None:
            raise RuntimeError("this host already has its round")
        self.config = config
        self.send(Begin(config, self.records_segment, self.live_records))

    def _hang_up(self) -> None:
        if self._conn is not None and not self._conn.closed:
            self._conn.close()
        if self._process is not None and self._process.exitcode is None:
            self._process.join(CLOSE_S)
            if self._process.exitcode is None:
                self._process.terminate()
                self._process.join(JOIN_TERMINATED_S)
        forget(self.records_segment)

    def wait_started(self, timeout: float = 10.0) -> RoundLayout:
        """Block until the round has started (for tools and tests; the window polls instead)."""
        deadline = time.monotonic() + timeout
        while self.layout is None:
            if self.failed is not None or not self._conn.poll(max(0.0, deadline - time.monotonic())):
                raise RuntimeError(self.failed.error if self.failed else f"the host did not start in {timeout:g} s")
            self._early.extend(self._receive_one())
        return self.layout

    def wait(self, timeout: float) -> bool:
        """Block until a message is waiting (or ``timeout`` s pass); for tools and tests, not the window."""
        if self._early:
            return True
        if self._conn is None or self._conn.closed:
            return False
        return bool(self._conn.poll(timeout))

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self.ended is None and self.failed is None

    def send(self, command: str | Command) -> None:
        """Send a live command (object or text form); a ``Refused`` message answers a bad one."""
        if self._conn is None or self._conn.closed:
            return
        try:
            self._conn.send(command)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass  # the host has ended: poll() reports how

    def poll(self, budget_s: float | None = None) -> list[Message]:
        """The messages that have arrived; never blocks. With ``budget_s``, stops taking more
        once that long has been spent (the rest stays queued, in order, for the next call)."""
        messages, self._early = self._early, []
        deadline = None if budget_s is None else time.perf_counter() + budget_s
        while self._conn is not None and not self._conn.closed and self._conn.poll():
            got = self._receive_one()
            messages.extend(got)
            if not got or (deadline is not None and time.perf_counter() >= deadline):
                break
        return messages

    def _receive_one(self) -> list[Message]:
        try:
            message = self._conn.recv()
        except (EOFError, OSError):
            self._conn.close()
            if self.ended is None and self.failed is None:
                self.failed = Failed("the engine host ended without a result")
                return [self.failed]
            return []
        match message:
            case Started():
                self.layout, self.started_ns, self.host_pid = message.layout, message.started_ns, message.host_pid
            case Ended():
                message = self._with_records(message)
            case Failed():
                self.failed = message
        return [message]

    def _with_records(self, ended: Ended) -> Ended | Failed:
        """The result with its records, copied out of the handoff (the host may then free it)."""
        try:
            events = take(ended.records)
        except RecordsLost as exc:
            self.failed = Failed(str(exc))
            return self.failed
        finally:
            self.send(Taken())
        self.ended = Ended(attrs.evolve(ended.result, events=events))
        return self.ended

    def close(self, timeout: float = CLOSE_S) -> list[Message]:
        """Stop the round and join the host (terminating it on timeout). Returns what it still sent."""
        if self._process is None:
            return []
        rest: list[Message] = []
        if self._conn is not None and not self._conn.closed:
            self.send(End())
            deadline = time.monotonic() + timeout
            while not self._conn.closed and self._conn.poll(max(0.0, deadline - time.monotonic())):
                rest.extend(self._receive_one())
            self._conn.close()
        self._process.join(max(0.5, timeout / 4))
        if self._process.exitcode is None:
            self._process.terminate()  # the host stops its round on SIGTERM
            self._process.join(JOIN_TERMINATED_S)
        if self._process.exitcode is None:
            self._process.kill()
            self._process.join()
        self._process.close()
        self._process = None
        forget(self.records_segment)  # the host may have died holding the round's records
        atexit.unregister(self._hang_up)
        return rest


JOIN_TERMINATED_S = 5.0
