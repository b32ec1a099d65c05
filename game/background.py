"""Long work off the window's thread: one call run in a spawned process, polled once per frame.

Grading a player's code explores schedules for seconds; the window must keep drawing meanwhile
(and a player's code that loops or hangs must never freeze it). So the call runs in a process of
its own, started with ``spawn`` (SDL owns signals in the window's process: a forked child would
ignore ``terminate()``), and its answer comes back over a pipe that :meth:`BackgroundJob.poll`
reads without blocking. Cancelling, or leaving the scene, ends the process; nothing outlives it.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable
from typing import Any

import attrs

JOIN_S = 2.0


@attrs.frozen
class JobFailed:
    """Why the call gave no answer: it raised (``error``: the child's traceback), or its process
    ended without one (``ended``, with its ``exit_code``): each screen words it in its language."""

    error: str = ""
    ended: bool = False
    exit_code: int | None = None

    @property
    def raised(self) -> str:
        """The traceback's last line, Python's own words (``ValueError: broken code``)."""
        lines = self.error.strip().splitlines()
        return lines[-1] if lines else ""


def _run(target: Callable[..., Any], args: tuple[Any, ...], conn: Any) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the window's, which ends us
    try:
        answer: Any = target(*args)
    except BaseException:
        answer = JobFailed(traceback.format_exc())
    try:
        conn.send(answer)
    finally:
        conn.close()


class BackgroundJob:
    """``target(*args)`` in a spawned process; ``poll()`` each frame until it gives the answer."""

    def __init__(self, target: Callable[..., Any], *args: Any) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe(duplex=False)
        self._process: Any = ctx.Process(target=_run, args=(target, args, child), name="diner-job", daemon=False)
        self._process.start()
        child.close()
        self.answer: Any = None
        self.done = False

    def poll(self) -> bool:
        """True once the answer is in (``answer``: the return value or a :class:`JobFailed`).

        Never waits: a worker that has answered but not yet exited is reaped by a later poll
        or by :meth:`close` (waiting for it here cost the frame that got the answer ~50 ms)."""
        if self.done:
            self._reap()
            return True
        try:
            ready = self._conn.poll()
            if ready:
                self.answer = self._conn.recv()
        except (EOFError, OSError):
            ready = True
            exitcode = self._process.exitcode if self._process is not None else None
            self.answer = JobFailed(ended=True, exit_code=exitcode)
        if ready:
            self.done = True
            self._reap()
        return self.done

    @property
    def reaped(self) -> bool:
        """Whether the worker process is gone and freed (so the job may be dropped)."""
        return self._process is None

    def _reap(self) -> None:
        """Free the process and the pipe if the worker has exited; never waits."""
        if self._process is not None and self._process.exitcode is not None:
            self.close()

    def close(self) -> None:
        """End the process (at once if it is still working) and free the pipe; safe to call twice."""
        process = self._process
        if process is None:
            return
        process.join(JOIN_S if self.done else 0)
        if process.exitcode is None:
            process.terminate()
            process.join(JOIN_S)
        if process.exitcode is None:
            process.kill()
            process.join()
        process.close()
        self._conn.close()
        self._process = None
