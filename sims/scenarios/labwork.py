"""The work the ``pool`` and ``gil`` labs hand out: top-level functions a spawned worker can import.

A job is ``(kind, amount, asked_ns, path)``: ``cpu`` counts like the lecture's test
(``x += 1; y += 1`` ``amount`` times), ``io`` writes ``amount`` lines of "hello world" to
``path`` and reads them back (mostly Python work: the OS caches the file), ``wait`` sleeps
``amount`` microseconds, like a request to a slow disk or server, releasing the GIL.
Every job reports when it was asked for, when it began and
ended (``time.monotonic_ns()``, comparable across processes on Linux) and its pid.
"""

from __future__ import annotations

import os
import time
from typing import Any

Job = tuple[str, int, int, str]
Done = tuple[int, int, int, int, int]  # asked_ns, began_ns, ended_ns, pid, cpu_ns (this thread's CPU time)


def count(n: int) -> int:
    """The lecture's CPU-bound loop."""
    x = y = c = 0
    while c < n:
        x += 1
        y += 1
        c += 1
    return x + y


def write_read(path: str, lines: int) -> int:
    """The lecture's IO-bound job: write lines to a file, read them all back."""
    with open(path, "w") as out:
        for _ in range(lines):
            out.write("hello world\n")
    with open(path) as back:
        return len(back.readlines())


def do(job: Job) -> Done:
    """Run one job here (a thread, a pool worker or a process of its own)."""
    kind, amount, asked_ns, path = job
    began, cpu = time.monotonic_ns(), time.thread_time_ns()
    if kind == "cpu":
        count(amount)
    elif kind == "wait":
        time.sleep(amount / 1e6)
    else:
        write_read(path, amount)
    return asked_ns, began, time.monotonic_ns(), os.getpid(), time.thread_time_ns() - cpu


def do_and_send(job: Job, results: Any) -> None:
    """A Process target: run one job, put the outcome on ``results`` (a Queue)."""
    results.put(do(job))


def per_second(kind: str, path: str, probe: int) -> float:
    """How many units of ``kind`` this machine does per second (a short measurement)."""
    began = time.perf_counter()
    if kind == "cpu":
        count(probe)
    else:
        write_read(path, probe)
    return probe / max(time.perf_counter() - began, 1e-6)
