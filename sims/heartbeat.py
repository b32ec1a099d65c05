"""The lives of the helper processes and threads the lineup and closing lessons start.

Kept apart from the scenarios and free of numpy: a spawned helper imports the module its
target lives in, and a light module starts in a fraction of the time (measured on the loaded
CI machine: about 0.35 s for a scenario module against 0.03 s for this one), which would
otherwise be most of a short job.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from typing import Any

from sims.runtime import STOP

BEAT_S = 0.005
PID, LAST_BEAT = 0, 1  # slots per helper in the beats array
DONE, REFUSED = 0, 1  # flags per helper slot (closing): its job was done; it could not hire its rinser


def heartbeat(beats: Any, slot: int, job_s: float, control: Any, process: bool) -> bool:
    """A helper's life: beat every 5 ms until its job is done (job_s > 0), the round stops,
    or (process helpers) its parent is gone. True if the job was done.

    The parent is watched through ``multiprocessing.parent_process()`` (a sentinel), not
    ``os.getppid()``: a child started by forkserver is the fork server's, not its starter's.

    It reads the round's stop flag rather than waiting on the round's stop Event: a process
    killed while it waits on a multiprocessing Event leaves that Event's condition counting
    a sleeper that never wakes, and the next ``set()`` would wait for it forever.
    """
    beats[2 * slot + PID] = os.getpid() if process else threading.get_native_id()
    parent = multiprocessing.parent_process() if process else None
    end = time.monotonic() + job_s if job_s > 0 else float("inf")
    while time.monotonic() < end and not control[STOP]:
        if parent is not None and not parent.is_alive():
            return False
        beats[2 * slot + LAST_BEAT] = time.monotonic_ns()
        time.sleep(BEAT_S)  # the heartbeat's period: a timer, nothing to wait for
    return time.monotonic() >= end


def wash(beats: Any, flags: Any, slots: tuple[int, int], job_s: float, control: Any, method: str) -> None:
    """A washer: hires a rinser (refused if this process is a daemon), washes, waits for the rinser."""
    slot, rinse_slot = slots
    ctx: Any = multiprocessing.get_context(method)
    rinser = ctx.Process(
        target=rinse, args=(beats, flags, rinse_slot, job_s, control), name=f"rinser {slot}"
    )
    try:
        rinser.start()
    except AssertionError:  # "daemonic processes are not allowed to have children"
        flags[2 * slot + REFUSED] = 1
        rinser = None
    flags[2 * slot + DONE] = int(heartbeat(beats, slot, job_s, control, True))
    if rinser is not None:
        rinser.join()


def rinse(beats: Any, flags: Any, slot: int, job_s: float, control: Any) -> None:
    flags[2 * slot + DONE] = int(heartbeat(beats, slot, job_s, control, True))
