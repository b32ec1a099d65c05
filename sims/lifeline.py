"""A child process that cannot outlive the process that started it.

A process whose parent is SIGKILLed is simply re-parented (to init or a subreaper) and runs
on: agents kept spinning for minutes and kept the round's shared memory and named
semaphores, which the resource tracker frees only once every process holding its pipe has
ended. Two guards end such a child, and then the tracker unlinks what the round left:

- the kernel's: ``prctl(PR_SET_PDEATHSIG)`` (Linux) sends a signal the moment the parent
  ends. It watches the *thread* that started the child, so it is asked for only when that
  thread is the process's main thread (:func:`started_here_for_good`);
- our own: :meth:`Lifeline.cut` compares ``os.getppid()`` with the parent recorded at the
  start. Agents ask at their pause points (every blocking wait is sliced), so a platform
  without prctl, or a child started from a passing thread, still ends within a slice. An
  agent the kernel watches (``Lifeline.by_kernel``) does not ask: the question is a system
  call at every pause point, a few per meal of a paced round.

The fork server is a middle-man: its children are forked from it, not from the engine. It
exits when the last copy of its "alive" pipe's write end closes, and every child it forks
inherits one; :func:`leave_fork_server` closes the child's copy, so the engine's end of the
pipe decides alone, and the children's own lifeline then fires when the fork server exits.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def set_pdeathsig(signum: int) -> bool:
    """Ask the kernel for ``signum`` when our parent ends. False where that is not possible."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)  # the C library this interpreter runs on
        return bool(libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def started_here_for_good() -> bool:
    """True in the main thread: a child it starts may ask the kernel to watch that thread."""
    return threading.current_thread() is threading.main_thread()


class Lifeline:
    """This process's tie to its parent: ``cut()`` once the parent has ended."""

    def __init__(self, parent: int, by_kernel: bool = False) -> None:
        self.parent = parent
        self.by_kernel = by_kernel  # the kernel sends a signal when the parent ends: no need to look

    def __repr__(self) -> str:
        return f"<Lifeline to {self.parent}{', cut' if self.cut() else ''}>"

    def cut(self) -> bool:
        """True once the parent has ended (we have been re-parented)."""
        return os.getppid() != self.parent


def bind_to_parent(parent: int, signum: int, kernel: bool = True) -> Lifeline:
    """Tie this process to ``parent``: with ``kernel``, ``signum`` arrives when it ends.

    If the parent ended before the request was made, ``signum`` is sent to ourselves now.
    """
    line = Lifeline(parent, kernel and set_pdeathsig(signum))
    if line.cut():
        os.kill(os.getpid(), signum)
    return line


def end_with(parent: int) -> None:
    """A ``Pool`` initializer: the worker ends when ``parent`` (the pool's owner) does.

    Pool workers wait on a queue whose writing end each of them holds too, so they would
    wait for ever once their owner is gone. The kernel watches the thread that made the
    pool, which must outlive it (the pool is closed and joined, or terminated, before).
    """
    bind_to_parent(parent, signal.SIGKILL)


def leave_fork_server() -> None:
    """Close this child's copy of the fork server's "alive" pipe (see the module docstring)."""
    from multiprocessing import forkserver

    server: Any = forkserver._forkserver  # CPython's private state: typeshed does not describe it
    alive, server._forkserver_alive_fd = server._forkserver_alive_fd, None
    if alive is not None:
        with contextlib.suppress(OSError):
            os.close(alive)


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs: it exists and (where /proc says) is not a zombie, which
    an orphan stays for as long as nobody reaps it (a container's pid 1 may never do). On Linux a
    thread's native id answers too: /proc and kill() know every thread by its id."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        pass
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):  # no /proc here, or it ended just now
        return True
    return state not in ("Z", "X")
