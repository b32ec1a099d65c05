"""Work run in a helper thread beside the caller's, stopped and joined whatever happens.

A long round's CSV export has two big files: events.csv, formatted by worker processes while
the writing process mostly waits for them, and intervals.csv, whose table the writing process
makes itself. Written one after the other, the workers idle while the table is made; written
side by side (events.csv by a helper thread), both cores stay busy. When the caller's block
fails or is interrupted (Ctrl-C reaches only the main thread), the helper's work is asked to
stop (it checks between pieces: :func:`until_stopped`) and is joined before the error goes on;
an error in the helper is raised in the caller, at the end of the block or when it checks.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


class Stopped(Exception):
    """The helper's work was asked to stop: the caller's own block failed."""


class Helper:
    """The caller's view of the helper thread: :meth:`check` raises its error as soon as it has one."""

    def __init__(self) -> None:
        self.error: BaseException | None = None
        self.done = threading.Event()

    def check(self) -> None:
        """Raise the helper's error now if it has failed (the caller need not finish its own work first)."""
        if self.done.is_set() and self.error is not None:
            raise self.error


@contextlib.contextmanager
def beside(work: Callable[[threading.Event], object], name: str) -> Iterator[Helper]:
    """``work(stop)`` runs in a helper thread during the block; joined at its end (its error
    raised there) or, if the block fails, asked to stop (``stop`` is set) and joined first."""
    stop, helper = threading.Event(), Helper()

    def run() -> None:
        try:
            work(stop)
        except BaseException as error:  # raised in the caller
            helper.error = error
        finally:
            helper.done.set()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    try:
        yield helper
        thread.join()  # a Ctrl-C while waiting here stops the helper too (below)
    finally:
        stop.set()  # nothing to stop once it has ended
        thread.join()
    if helper.error is not None:
        raise helper.error


def until_stopped(items: Iterable[T], stop: threading.Event) -> Generator[T, None, None]:
    """``items``, but :class:`Stopped` raised in their place once ``stop`` is set."""
    for item in items:
        if stop.is_set():
            raise Stopped("stopped: the caller failed")
        yield item
