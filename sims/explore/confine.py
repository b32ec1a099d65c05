"""Limits on a process that runs player code: what a careless (or playful) file can do to the machine.

Not a sandbox (the file runs with the user's rights), but the mistakes the attack corpus made
(tools/attack.py) no longer hurt anyone else:

- memory: the address space is capped (``MEMORY_BYTES``), so ``b'x' * (3 << 30)`` is a
  MemoryError in the player's own code, reported as its verdict, not gigabytes taken from the
  machine;
- processes: ``RLIMIT_NPROC`` leaves twice the user's tasks plus ``SPARE_TASKS`` (other programs
  of the user grow the count too; it does not bind root);
  every process forked from Python here dies with the thread that forked it
  (``PR_SET_PDEATHSIG``), and the grader kills the worker's whole process group when it is done
  (:func:`sims.explore.grade.isolated`): 100 forked sleepers used to outlive ``diner grade``;
- output: ``print`` from player code goes to stderr (stdout carries the grader's report, JSON
  for autograders) and stops after ``OUTPUT_CHARS`` a worker (``AGENT_OUTPUT_CHARS`` a process
  agent) with one note: 32 MB printed in ``run`` used to reach the terminal in full. Bytes
  written to file descriptors 1 or 2 directly (``os.write``) go to stderr uncapped: capping
  them would take a pipe and a reader in every worker.
"""

from __future__ import annotations

import contextlib
import io
import os
import resource
import signal
import sys
import threading
from pathlib import Path
from typing import TextIO

from sims.explore.code import sentence
from sims.lifeline import set_pdeathsig

MEMORY_BYTES = 2 << 30  # a worker with 8 thread agents maps ~250 MB; a process agent ~30 MB
SPARE_TASKS = 4096  # processes and threads the user's count may grow by (other programs of the user grow it too)
OUTPUT_CHARS = 64 << 10  # a worker's (its thread agents share it)
AGENT_OUTPUT_CHARS = 2 << 10  # a process agent's: the search starts new ones for each run it explores


class CappedText(io.TextIOBase):
    """A text stream that writes through to ``target`` until ``limit`` characters, then drops
    the rest (saying so once). Player code printing megabytes costs nobody a flooded terminal."""

    def __init__(self, target: TextIO, limit: int = OUTPUT_CHARS) -> None:
        self.target = target
        self.limit = self.left = limit

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if self.left > 0:
            shown = text[: self.left]
            self.left -= len(shown)
            with contextlib.suppress(OSError, ValueError):  # a closed or full stream: nothing to save
                self.target.write(shown)
                if self.left <= 0:
                    self.target.write(f"\n[player output cut after {self.limit} characters]\n")
                self.target.flush()
        return len(text)

    def flush(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.target.flush()


def confine(output_chars: int = OUTPUT_CHARS, *, limits: bool = True) -> None:
    """Apply every limit above to this process (first thing in a worker or an agent process).

    ``limits=False`` in a process agent: it inherited the worker's (through the fork server the
    worker started), and counting the user's tasks at every agent's start costs a scan of /proc."""
    if limits:
        _lower(resource.RLIMIT_AS, MEMORY_BYTES)
        _lower(resource.RLIMIT_NPROC, 2 * _user_tasks() + SPARE_TASKS)
        _lower(resource.RLIMIT_CORE, 0)
    os.register_at_fork(after_in_child=lambda: set_pdeathsig(signal.SIGKILL))
    with contextlib.suppress(OSError):  # os.write(1, ...) lands on stderr too (uncapped: see the docstring)
        os.dup2(2, 1)
    shown = CappedText(sys.__stderr__ or sys.stderr, output_chars)
    sys.stdout = sys.stderr = shown
    sys.unraisablehook = _one_line_unraisable  # a raising __del__, say: one line, not a traceback
    threading.excepthook = _one_line_thread_error  # a thread the player started raised


def _one_line_unraisable(what: sys.UnraisableHookArgs) -> None:
    error = what.exc_value if what.exc_value is not None else what.exc_type()
    print(f"player code: error ignored ({what.err_msg or 'in'} {_name(what.object)}): {sentence(error)}")


def _one_line_thread_error(what: threading.ExceptHookArgs) -> None:
    if what.exc_type is not SystemExit:
        error = what.exc_value if what.exc_value is not None else what.exc_type()
        name = what.thread.name if what.thread is not None else "a thread"
        print(f"player code: {name} raised {sentence(error)}")


def _name(thing: object) -> str:
    try:
        return getattr(thing, "__qualname__", type(thing).__name__)
    except Exception:
        return "an object"


def _lower(which: int, value: int) -> None:
    """Lower a soft and hard limit to ``value`` (never raise one that is already lower)."""
    soft, hard = resource.getrlimit(which)
    hard = value if hard == resource.RLIM_INFINITY else min(value, hard)
    soft = hard if soft == resource.RLIM_INFINITY else min(soft, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(which, (soft, hard))


def _user_tasks() -> int:
    """Threads of every process of this user (what ``RLIMIT_NPROC`` counts); 0 without /proc."""
    uid, count = os.getuid(), 0
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    if entry.stat().st_uid == uid:
                        count += len(os.listdir(Path(entry.path) / "task"))
    return count
