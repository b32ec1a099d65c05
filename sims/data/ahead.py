"""Items made one ahead in a helper thread while the caller uses the one before.

A long round's tables are made by numpy (the intervals' pairing, the events' decoding) and
written by pyarrow: both let go of the GIL in their long loops, so on two cores the making of
the next chunk and the writing of this one overlap. At most ``depth`` items wait made, so
memory stays bounded. The helper thread is joined when the caller's loop ends, fails or stops
early (the generator is closed, or collected); an error in making an item is raised to the
caller, in its place.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterable
from typing import TypeVar

T = TypeVar("T")
_END = object()


def made_ahead(items: Iterable[T], depth: int = 1) -> Generator[T, None, None]:
    """``items`` in order, each made in a helper thread up to ``depth`` ahead of the caller."""
    made: queue.SimpleQueue[tuple[object, BaseException | None]] = queue.SimpleQueue()
    room = threading.Semaphore(depth)  # items the helper may make before the caller takes one
    stop = threading.Event()

    def make() -> None:
        source = iter(items)
        try:
            while room.acquire() and not stop.is_set():
                item = next(source, _END)
                made.put((item, None))
                if item is _END:
                    return
        except BaseException as error:  # handed to the caller, raised there
            made.put((None, error))
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    helper = threading.Thread(target=make, name="tables made ahead")
    helper.start()
    try:
        while True:
            item, error = made.get()
            if error is not None:
                raise error
            if item is _END:
                return
            room.release()
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        room.release()  # a helper waiting for room wakes, sees the stop and ends
        helper.join()
