"""The explorer's protocol across processes: the same seat, kept in shared memory.

Each agent process parks on a semaphore of its own and reports through a row of shared
integers and a slot of text (its announced operation, or its error); its primitives'
records go to one shared log. Only one agent moves at a time, so no lock guards them.
"""

from __future__ import annotations

import json
import os
import signal
import threading
from pathlib import Path
from typing import Any

from sims.explore.code import error_line, load, sentence
from sims.explore.confine import AGENT_OUTPUT_CHARS, confine
from sims.explore.kit import Checks, PlayerMe
from sims.explore.seat import Aborted, Pending, Report, Seat
from sims.lifeline import bind_to_parent, leave_fork_server

_REPORT, _RESOURCE, _LINE, _TIMED, _ABORTED, _TIMED_OUT, _TEXT_LEN, _STARTED = range(8)
_INTS = 8
_TEXT = 1024
LOG_RECORDS = 1 << 15  # records per run (a run is at most a few thousand steps)


class Board:
    """Shared memory and semaphores of one process run (made by the explorer, pickled to agents)."""

    def __init__(self, ctx: Any, agents: int) -> None:
        self.back = ctx.Semaphore(0)
        self.go = [ctx.Semaphore(0) for _ in range(agents)]
        self.ints = ctx.RawArray("q", agents * _INTS)
        self.text = ctx.RawArray("c", agents * _TEXT)
        self.log = ctx.RawArray("q", 3 * LOG_RECORDS)
        self.log_len = ctx.RawArray("q", 1)

    def records(self, start: int) -> list[tuple[int, int, int]]:
        """The log's records from ``start`` on."""
        end = min(int(self.log_len[0]), LOG_RECORDS)
        flat = self.log[3 * start : 3 * end]
        return [(flat[i], flat[i + 1], flat[i + 2]) for i in range(0, len(flat), 3)]


class ProcessSeat(Seat):
    """A seat whose state lives on the board, so the explorer reads it from another process."""

    def __init__(self, index: int, board: Board, code_file: str) -> None:
        self._board = board
        self._row = index * _INTS
        super().__init__(index, board.back, code_file, [])
        self._go = board.go[index]

    def __getstate__(self) -> dict[str, Any]:
        return {"index": self.index, "board": self._board, "code_file": self._code_file}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["index"], state["board"], state["code_file"])  # type: ignore[misc]

    def emit(self, code: int, value: int) -> None:
        n = int(self._board.log_len[0])
        if n < LOG_RECORDS:
            self._board.log[3 * n : 3 * n + 3] = [self.index, code, value]
            self._board.log_len[0] = n + 1

    def _flag(self, slot: int) -> bool:
        return bool(self._board.ints[self._row + slot])

    def _set(self, slot: int, value: int) -> None:
        self._board.ints[self._row + slot] = value

    @property
    def started(self) -> bool:
        """The agent's process is up (its start-up, however slow, is over)."""
        return self._flag(_STARTED)

    @property
    def aborted(self) -> bool:
        return self._flag(_ABORTED)

    @aborted.setter
    def aborted(self, value: bool) -> None:
        self._set(_ABORTED, int(value))

    @property
    def timed_out(self) -> bool:
        return self._flag(_TIMED_OUT)

    @timed_out.setter
    def timed_out(self, value: bool) -> None:
        self._set(_TIMED_OUT, int(value))

    @property
    def pending(self) -> Pending:
        row, ints = self._row, self._board.ints
        start = self.index * _TEXT
        raw = bytes(self._board.text[start : start + ints[row + _TEXT_LEN]])
        op, error, check, name = json.loads(raw.decode()) if raw else ("", "", "", "")
        return Pending(
            Report(ints[row + _REPORT]),
            ints[row + _RESOURCE],
            op,
            ints[row + _LINE],
            bool(ints[row + _TIMED]),
            error,
            check,
            name,
        )

    @pending.setter
    def pending(self, p: Pending) -> None:
        raw = json.dumps([p.op, p.error[:400], p.check, p.name[:200]]).encode()[:_TEXT]
        start = self.index * _TEXT
        self._board.text[start : start + len(raw)] = raw
        row, ints = self._row, self._board.ints
        ints[row + _REPORT], ints[row + _RESOURCE], ints[row + _LINE] = p.report, p.resource, p.line
        ints[row + _TIMED], ints[row + _TEXT_LEN] = int(p.timed), len(raw)


def agent_main(
    seat: ProcessSeat, runtime: Any, role: str, name: str, handed: dict[str, Any], rounds: int, seed: int
) -> None:
    """An agent process: load the player's file, run its role, report how it ended.

    Forked by a fork server, it ends with it (sims.lifeline), and the fork server with the
    explorer: a parked agent whose explorer was killed does not wait for ever.
    """
    parent = os.getppid()
    leave_fork_server()
    bind_to_parent(parent, signal.SIGKILL)
    confine(AGENT_OUTPUT_CHARS, limits=False)  # a search forks new agents for every run: each says little
    seat._set(_STARTED, 1)
    runtime.explored = True
    here = runtime.agents_here
    here.writer = seat
    here.explorer = seat
    path = seat._code_file
    try:
        code = load(Path(path), (role,))
        body = code.roles[role]()
        for key, value in handed.items():
            setattr(body, key, value)
        body.run(PlayerMe(seat.index, name, rounds, seed, Checks([], ()), seat, threading.Event()))
    except Aborted:
        return
    except BaseException as error:
        seat.finish(Pending(Report.ERROR, line=error_line(error, path), error=sentence(error)))
        return
    seat.finish(Pending(Report.DONE))
