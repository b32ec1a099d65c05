"""Bounded queues that let the caller note an item going in or out at the instant it does.

A cook that records "put" after ``put()`` returns, and a waiter that records "taken" after
``get()`` returns, can be overtaken between the operation and the record: a waiter frees a
slot, a cook fills it and records, and only then the waiter records its take, so the records
show five dishes on a four-slot pass (six were seen on processes). Here the note is made
inside the queue: a put is noted once its slot is taken, a take before its slot is given
back, so the records never show more items than slots.

``queue.Queue`` calls ``_put``/``_get`` under its own lock, for subclasses to extend. The
process queue has no such hooks; ``put_noting``/``get_noting`` follow
``multiprocessing.queues.Queue.put``/``get`` (CPython 3.11-3.13) with the note added.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from multiprocessing.queues import Queue as ProcessQueue
from multiprocessing.reduction import ForkingPickler
from typing import Any

Note = Callable[[Any], None]


class NotingQueue(queue.Queue):  # type: ignore[type-arg]
    """A thread queue whose ``put_noting``/``get_noting`` call ``note(item)`` under its lock."""

    def __init__(self, maxsize: int) -> None:
        super().__init__(maxsize)
        self._notes = threading.local()  # each caller's note, for the hooks below

    def put_noting(self, item: Any, timeout: float, note: Note) -> None:
        self._notes.put = note
        self.put(item, timeout=timeout)

    def get_noting(self, timeout: float, note: Note) -> Any:
        self._notes.get = note
        return self.get(timeout=timeout)

    def _put(self, item: Any) -> None:
        super()._put(item)
        getattr(self._notes, "put", _ignore)(item)

    def _get(self) -> Any:
        item = super()._get()
        getattr(self._notes, "get", _ignore)(item)
        return item


def _ignore(_: Any) -> None:
    pass


class NotingProcessQueue(ProcessQueue):  # type: ignore[type-arg]
    """A ``multiprocessing`` queue with ``put_noting``/``get_noting`` (timeouts only)."""

    def put_noting(self, item: Any, timeout: float, note: Note) -> None:
        if self._closed:  # type: ignore[attr-defined]
            raise ValueError(f"Queue {self!r} is closed")
        if not self._sem.acquire(True, timeout):  # type: ignore[attr-defined]
            raise queue.Full
        note(item)  # the slot is taken: the dish is on the pass
        with self._notempty:  # type: ignore[attr-defined]
            if self._thread is None:  # type: ignore[attr-defined]
                self._start_thread()  # type: ignore[attr-defined]
            self._buffer.append(item)  # type: ignore[attr-defined]
            self._notempty.notify()  # type: ignore[attr-defined]

    def get_noting(self, timeout: float, note: Note) -> Any:
        if self._closed:  # type: ignore[attr-defined]
            raise ValueError(f"Queue {self!r} is closed")
        deadline = time.monotonic() + timeout
        if not self._rlock.acquire(True, timeout):  # type: ignore[attr-defined]
            raise queue.Empty
        try:
            if not self._poll(deadline - time.monotonic()):  # type: ignore[attr-defined]
                raise queue.Empty
            item = ForkingPickler.loads(self._recv_bytes())  # type: ignore[attr-defined]
            note(item)  # before the slot is given back to the cooks
            self._sem.release()  # type: ignore[attr-defined]
        finally:
            self._rlock.release()  # type: ignore[attr-defined]
        return item


def noting_queue(ctx: Any, maxsize: int) -> NotingQueue | NotingProcessQueue:
    """A bounded noting queue for threads (``ctx`` None) or for processes of ``ctx``."""
    return NotingQueue(maxsize) if ctx is None else NotingProcessQueue(maxsize, ctx=ctx)
