"""gzip on a second thread: zlib releases the GIL, so a trace's rows are formatted while the
previous chunk is being compressed."""

from __future__ import annotations

import gzip
import queue
import threading
from collections.abc import Iterable
from typing import IO

_DONE = b""


def write_gzipped(handle: IO[bytes], chunks: Iterable[bytes], level: int) -> None:
    """Every chunk, in order, gzip-compressed into ``handle``; the compressing thread is always joined."""
    pending: queue.Queue[bytes] = queue.Queue(maxsize=4)
    failure: list[BaseException] = []

    def compress() -> None:
        try:
            with gzip.GzipFile(fileobj=handle, mode="wb", compresslevel=level, mtime=0) as out:
                while (chunk := pending.get()) is not _DONE:
                    out.write(chunk)
        except BaseException as error:  # handed to the caller's thread below
            failure.append(error)
            while pending.get() is not _DONE:  # keep taking chunks so the producer never blocks
                pass

    worker = threading.Thread(target=compress, name="trace gzip")
    worker.start()
    try:
        for chunk in chunks:
            if chunk:
                pending.put(chunk)
    finally:
        pending.put(_DONE)
        worker.join()
    if failure:
        raise failure[0]
