"""What the engine host sends the window, sent by a thread of its own.

The host's loop must never wait for the window: while it waits, nobody drains the agents'
rings and records are lost. A pipe holds about 200 kB, so a window that is slow to read
for a moment would stop the host in ``send()``. The outbox queues instead, and its thread
sends as fast as the window reads, in two lanes: the urgent lane (round started, agent
identities, refusals, rolling statistics, and the newest picture, older pictures being
dropped unsent) always goes before the bulk lane (record batches, then the result), so
what the window draws is never stuck behind records it only keeps for the results.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any


class WindowGone(Exception):
    """The window's end of the pipe closed, or the window process died."""


class Outbox:
    """A sender thread over one connection; :meth:`put` never blocks."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self._ready = threading.Condition()
        self._urgent: deque[object] = deque()
        self._picture: object | None = None
        self._bulk: deque[object] = deque()
        self._closing = False
        self.broken = False
        self._thread = threading.Thread(target=self._run, name="diner-host-outbox", daemon=True)
        self._thread.start()

    def put(self, message: object, urgent: bool = False, newest_only: bool = False) -> None:
        """Queue ``message``; ``newest_only`` (pictures) replaces one not sent yet."""
        if self.broken:
            raise WindowGone()
        with self._ready:
            if newest_only:
                self._picture = message
            else:
                (self._urgent if urgent else self._bulk).append(message)
            self._ready.notify()

    @property
    def queued(self) -> int:
        """Bulk messages not sent yet (the window reading slower than the round writes)."""
        return len(self._bulk)

    def _next(self) -> object | None:
        with self._ready:
            while not (self._urgent or self._picture is not None or self._bulk or self._closing):
                self._ready.wait()
            if self._urgent:
                return self._urgent.popleft()
            if self._picture is not None:
                picture, self._picture = self._picture, None
                return picture
            return self._bulk.popleft() if self._bulk else None

    def _run(self) -> None:
        while (message := self._next()) is not None:
            try:
                self._conn.send(message)
            except (OSError, EOFError):  # BrokenPipeError, ConnectionResetError: the window is gone
                self.broken = True
                return

    def close(self, timeout: float) -> bool:
        """Send what is queued (for at most ``timeout`` s), then stop the thread. True if all went."""
        with self._ready:
            self._closing = True
            self._ready.notify()
        self._thread.join(timeout)
        return not self._thread.is_alive() and not self.broken
