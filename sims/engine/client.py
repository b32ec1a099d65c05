"""The window's side of the engine host: start it, send it commands, poll what it sends.

The window never runs agents and never blocks on them. :class:`EngineHost` spawns a host process
(explicit ``spawn``/``forkserver`` context, never the global start method; nothing graphical is
imported there) running :func:`sims.engine.serve.serve`, and :meth:`EngineHost.poll` hands the
window the host's messages (:mod:`sims.engine.messages`), the final result complete with every
record copied out of the handoff.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import time
from typing import Any

import attrs

from sims.ctrl_c import sigint_held_back
from sims.engine.handoff import RecordsLost, forget, take
from sims.engine.messages import Begin, Ended, Failed, Started, Taken, ToHost, ToWindow
from sims.engine.serve import serve
from sims.lifeline import started_here_for_good
from sims.rounds.commands import End
from sims.rounds.config import RoundConfig
from sims.rounds.layout import RoundLayout
from sims.runtime import segment_name
from sims.telemetry.spill import MemoryRecords

CLOSE_S = 8.0  # how long close() lets the host stop its round before terminating it
JOIN_TERMINATED_S = 5.0


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
        self._ctx: Any = multiprocessing.get_context(start_method)  # BaseContext's stub lacks Process
        self._conn: Any = None
        self._process: Any = None
        self.layout: RoundLayout | None = None
        self.started_ns = 0
        self.host_pid: int | None = None
        self.ended: Ended | None = None
        self.failed: Failed | None = None
        self._early: list[ToWindow] = []

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
            target=serve,
            args=(child, os.getpid(), self.fork_server, self.nice, started_here_for_good()),
            name="diner-host",
            daemon=False,
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

    def send(self, command: ToHost) -> None:
        """Send a live command (object or text form); a ``Refused`` message answers a bad one."""
        if self._conn is None or self._conn.closed:
            return
        try:
            self._conn.send(command)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass  # the host has ended: poll() reports how

    def poll(self, budget_s: float | None = None) -> list[ToWindow]:
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

    def _receive_one(self) -> list[ToWindow]:
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
        self.ended = Ended(attrs.evolve(ended.result, records=MemoryRecords(events)))
        return self.ended

    def close(self, timeout: float = CLOSE_S) -> list[ToWindow]:
        """Stop the round and join the host (terminating it on timeout). Returns what it still sent."""
        if self._process is None:
            return []
        rest: list[ToWindow] = []
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
