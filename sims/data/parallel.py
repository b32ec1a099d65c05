"""Jobs run in a pool of worker processes, their results handed back in the jobs' order.

A long round's export is CPU-bound numpy and zlib work on independent slices of rows: on a
machine with several cores, each worker formats (and compresses) its own slices and the
caller writes the results one after the other. At most two jobs per worker are in flight, so
memory stays bounded whatever the round's length. Workers come from the ``forkserver`` (a
fork of a small interpreter, not of the caller: the window's process holds pygame and SDL's
signal handlers), ignore Ctrl-C (the caller owns it), and are joined when the results end,
when a job fails and when the caller stops early (an error or a Ctrl-C while it writes). A
caller that is SIGKILLed takes them with it, as it takes agents (:mod:`sims.lifeline`): each
worker closes its copy of the fork server's pipe and is tied to the fork server, which exits
with the caller.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import multiprocessing
import os
import signal
import tempfile
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import IO, TypeVar

from sims.lifeline import bind_to_parent, leave_fork_server
from sims.telemetry.spill import TEMP_PREFIX

T = TypeVar("T")
PARALLEL_MIN_ROWS = 1 << 20  # below this a pool's start (0.1-0.3 s) costs more than it saves
IN_FLIGHT_PER_WORKER = 2
MAX_WORKERS = 8  # each holds numpy and a slice or two (about 100 MB): more cores than this rarely have the disk


class WorkerLost(OSError):
    """A worker process ended before its job did (killed, out of memory): the export fails as a
    full disk does, with a one-line message and nothing half-written left."""


def workers_for(rows: int) -> int:
    """How many worker processes to give ``rows`` rows: one per usable core, none for few rows."""
    if rows < PARALLEL_MIN_ROWS:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def in_order(jobs: Iterable[Callable[[], T]], workers: int) -> Generator[T, None, None]:
    """Each job's result, in order. ``workers`` <= 1: the jobs run here, one by one; otherwise
    in that many processes (jobs and results must pickle: module-level functions and data)."""
    if workers <= 1:
        for job in jobs:
            yield job()
        return
    context = multiprocessing.get_context("forkserver")
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker)
    pending: collections.deque[Future[T]] = collections.deque()
    try:
        for job in jobs:
            pending.append(pool.submit(job))
            if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                yield _result(pending.popleft())
        while pending:
            yield _result(pending.popleft())
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def write_in_order(handle: IO[bytes], jobs: Iterable[Callable[[], bytes]], workers: int) -> None:
    """Each job's bytes written to ``handle``, in order. In worker processes, each job's bytes go
    to a file of its own, which the kernel appends to ``handle`` (``os.sendfile``): the text does
    not travel through a pipe and this process's memory."""
    if workers <= 1:
        handle.writelines(job() for job in jobs)
        return
    handle.flush()
    # named as a round's folder: if this process is SIGKILLed, the next round's start removes it
    with tempfile.TemporaryDirectory(prefix=f"{TEMP_PREFIX}{os.getpid()}-export-") as folder:
        parts = (functools.partial(_into_file, job, folder) for job in jobs)
        with contextlib.closing(in_order(parts, workers)) as paths:  # workers joined before the folder goes
            for path in paths:
                _append(handle, path)


def _into_file(job: Callable[[], bytes], folder: str) -> str:
    fd, path = tempfile.mkstemp(dir=folder)
    with os.fdopen(fd, "wb") as part:
        part.write(job())
    return path


def _append(handle: IO[bytes], path: str) -> None:
    start = os.lseek(handle.fileno(), 0, os.SEEK_CUR)
    with open(path, "rb") as part:
        size, sent = os.fstat(part.fileno()).st_size, 0
        while sent < size:
            sent += os.sendfile(handle.fileno(), part.fileno(), sent, size - sent)
    os.unlink(path)
    _write_back(handle.fileno(), start, size)


def _write_back(fd: int, start: int, size: int) -> None:
    """Have the kernel start writing these bytes to disk now, not when the file is fsynced at
    its end: a long round's events.csv is over a GB, seconds of disk that then overlap the
    formatting. (On Linux, ``POSIX_FADV_DONTNEED`` starts writing the range's dirty pages back
    without waiting for them; pages still dirty stay cached.)"""
    advise = getattr(os, "posix_fadvise", None)  # not on macOS: there the fsync does it all
    if advise is not None:
        advise(fd, start, size, os.POSIX_FADV_DONTNEED)


def _result(future: Future[T]) -> T:
    try:
        return future.result()
    except BrokenProcessPool as error:
        raise WorkerLost(f"a worker process ended before its part of the export was done ({error})") from None


def _start_worker() -> None:
    """Ignore Ctrl-C (the caller owns it) and end with the caller (see the module docstring)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()  # the fork server: alive while we hold its pipe, and it exits with the caller
    leave_fork_server()
    bind_to_parent(parent, signal.SIGKILL)
