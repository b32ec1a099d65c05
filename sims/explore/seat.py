"""The agent's side of the explorer's protocol: announce a point, park, go when picked.

Only one agent runs between two points, so a run is fixed by the sequence of picks.
Each agent owns a semaphore it parks on; the explorer owns one it waits on for the
agent's next report. The agent also stands in for its telemetry writer (``emit``), so the
explorer sees every ACQUIRED and RELEASED the real primitives record: who holds what.
"""

from __future__ import annotations

import enum
import sys
import threading
from typing import Any

import attrs

from sims.runtime import RoundStopped


class Report(enum.IntEnum):
    """What a parked (or finished) agent tells the explorer."""

    POINT = 0  # at a scheduling point, ready to do its next operation
    BLOCKED = 1  # tried its operation, it would block: waits until the resource is used
    DONE = 2  # run() returned
    ERROR = 3  # run() raised


@attrs.frozen
class Pending:
    """An agent's announced next move (or how it ended)."""

    report: Report
    resource: int = -1
    op: str = ""
    line: int = 0
    timed: bool = False  # BLOCKED with a timeout: the explorer may time it out
    error: str = ""
    check: str = ""  # "step", "enter" or "leave": what the referee hears once the move is made
    name: str = ""  # the step's label or the critical section's name


class Aborted(RoundStopped):
    """Raised in a parked agent when the explorer ends the run."""


class Seat:
    """One agent's place at the explorer's table (thread agents)."""

    def __init__(self, index: int, back: threading.Semaphore, code_file: str, log: list[tuple[int, int, int]]) -> None:
        self.index = index
        self._go = threading.Semaphore(0)
        self._back = back
        self._code_file = code_file
        self._log = log  # (agent, code, value) of every record the agent's primitives emit
        self.pending = Pending(Report.POINT)
        self.aborted = False
        self.timed_out = False
        self.last_line = 0

    # -- agent side ---------------------------------------------------------------------
    @property
    def agent(self) -> int:
        """The agent's index (as a telemetry writer's)."""
        return self.index

    def emit(self, code: int, value: int) -> None:
        self._log.append((self.index, code, value))

    def line(self) -> int:
        """The line of the player's code that is running (0 if none is on the stack)."""
        frame = sys._getframe(2)
        while frame is not None:
            if frame.f_code.co_filename == self._code_file:
                return frame.f_lineno
            frame = frame.f_back  # type: ignore[assignment]
        return 0

    def point(self, op: Any, resource: int, label: str = "", check: str = "", name: str = "") -> None:
        """Announce the next operation and wait until the explorer picks this agent."""
        text = label or getattr(op, "name", str(op)).lower()
        self.last_line = self.line()
        self._park(Pending(Report.POINT, resource, text, self.last_line, check=check, name=name))

    def blocked_wait(self, attempt: Any, resource: int, timed: bool) -> bool:
        """Try without blocking; on failure park as blocked until picked again, then retry."""
        while not attempt(0):
            self._park(Pending(Report.BLOCKED, resource, "blocked", self.last_line, timed))
            if self.timed_out:
                self.timed_out = False
                return False
        return True

    def finish(self, pending: Pending) -> None:
        self.pending = pending
        self._back.release()

    def _park(self, pending: Pending) -> None:
        if self.aborted:  # the run is over (player code may have caught Aborted and gone on)
            raise Aborted(f"agent {self.index}")
        self.pending = pending
        self._back.release()
        self._go.acquire()
        if self.aborted:
            raise Aborted(f"agent {self.index}")

    # -- explorer side ------------------------------------------------------------------
    def go(self, time_out: bool = False) -> None:
        self.timed_out = time_out
        self._go.release()

    def abort(self) -> None:
        self.aborted = True
        self._go.release()
