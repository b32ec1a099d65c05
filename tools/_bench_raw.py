"""The raw dining loop and CPU accounting, kept free of heavy imports: spawned children load this only."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path
from typing import Any

_TICK_S = 1.0 / os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 0.01
_SERVICES = (b"resource_tracker", b"forkserver")


def raw_philosopher(
    first: Any, second: Any, stop: Any, meals: Any, i: int, ready: Any, go: Any, pace_ms: float = 0.0
) -> None:
    """``dining ordered`` on raw locks: lower fork, higher fork, eat, put back; ``pace_ms``: think
    and eat that long on average (uniform 0.5x-1.5x, seeded, as ``Me.pace``), else not at all."""
    ready.release()
    go.wait()
    eaten = 0
    if pace_ms > 0:
        rng, sleep = random.Random(i), time.sleep
        while stop[0] == 0.0:
            sleep(pace_ms * rng.uniform(0.5, 1.5) / 1000.0)
            with first, second:
                sleep(pace_ms * rng.uniform(0.5, 1.5) / 1000.0)
                eaten += 1
    else:
        while stop[0] == 0.0:
            with first, second:
                eaten += 1
    meals[i] = eaten


def _cpu_of(pid: int) -> float:
    """CPU seconds of every thread of ``pid``, to the ns where the kernel keeps schedstats
    (/proc/stat's ticks are 10 ms: coarser than what a paced agent spends in a 4 s window)."""
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        return sum(int((task / "schedstat").read_text().split()[0]) for task in tasks) / 1e9
    except (OSError, ValueError, IndexError):
        pass  # gone, or no schedstats: the ticks
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0  # gone: its CPU can no longer be read
    return (int(fields[11]) + int(fields[12])) * _TICK_S  # utime + stime


def _children(pid: int) -> list[int]:
    """The processes that work for ``pid``: its children, and the children of its service
    processes (the agents a fork server forked keep its command line), not the services."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents.setdefault(int(stat.read_text().rsplit(")", 1)[1].split()[1]), []).append(int(stat.parent.name))
        except (OSError, ValueError):
            continue
    found = []
    for child in parents.get(pid, []):
        try:
            service = any(s in Path(f"/proc/{child}/cmdline").read_bytes() for s in _SERVICES)
        except OSError:
            continue
        found += parents.get(child, []) if service else [child]
    return found


def tree_cpu_s() -> float:
    """CPU seconds used so far by this process (every thread) and its live children (agents).

    Read from /proc at the start and end of a window while every agent is alive, so the
    difference is what the run cost, engine included. 0.0 where /proc does not exist.
    """
    if not Path("/proc/self/stat").exists():
        return 0.0
    me = os.getpid()
    return _cpu_of(me) + sum(_cpu_of(child) for child in _children(me))
