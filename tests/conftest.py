"""Every test must leave no thread, child process or shared-memory segment behind.

Shared memory is global to the machine. The engine names its segments after
``DINER_SHM_TAG``, which this file sets for the whole test run (children inherit it), so
those are always attributed exactly. Python's own anonymous segments and named semaphores
(``psm_*``, ``sem.mp-*``) cannot be attributed: they are checked only under CI, where
nothing else runs beside the tests: after each test, or (tests run side by side with
``pytest -n``) once, after the whole run.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
import time
from pathlib import Path

import pytest

SHM = Path("/dev/shm")
UNATTRIBUTED_KEY = pytest.StashKey[set[str]]()
TAG = f"pytest{os.getpid()}"
os.environ["DINER_SHM_TAG"] = TAG  # read by sims.runtime.segment_name in this process and its children
UNATTRIBUTED = ("psm_", "sem.mp-", "wnsm_") if os.environ.get("CI") else ()
SIDE_BY_SIDE = "PYTEST_XDIST_WORKER" in os.environ  # another worker's names are not this test's
PER_TEST = () if SIDE_BY_SIDE else UNATTRIBUTED
SETTLE_S = 5.0  # how long finished helpers (e.g. a Queue's feeder thread) get to disappear


def _shm_names(prefixes: tuple[str, ...] = (f"diner_{TAG}_", *PER_TEST)) -> set[str]:
    if not SHM.is_dir():
        return set()
    return {p.name for p in SHM.iterdir() if p.name.startswith(prefixes)}


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[UNATTRIBUTED_KEY] = _shm_names(UNATTRIBUTED) if UNATTRIBUTED else set()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Side by side, the unattributed names are checked once, by the run's controller, after every worker."""
    if (
        not UNATTRIBUTED
        or hasattr(session.config, "workerinput")
        or session.config.getoption("numprocesses", None) in (None, 0)
    ):
        return
    left = _shm_names(UNATTRIBUTED) - session.config.stash[UNATTRIBUTED_KEY]
    if left:
        print(f"\nshared memory left in /dev/shm by the run: {sorted(left)}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _child_pids() -> set[int]:
    """Live children of this process, read from /proc (so untracked ones are seen too)."""
    children: set[int] = set()
    me = str(os.getpid())
    # Listed, not globbed: Path.glob stats each match, and a process that ends in between raises
    # ProcessLookupError there (ESRCH), outside any try (it failed a teardown once under load).
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        stat = Path("/proc") / name / "stat"
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone already (ENOENT or ESRCH)
            continue
        if fields[1] == me and fields[0] != "Z" and not _is_multiprocessing_service(stat.parent):
            children.add(int(stat.parent.name))
    return children


def _is_multiprocessing_service(proc: Path) -> bool:
    """multiprocessing's own resource tracker and fork server live as long as the test run."""
    try:
        cmdline = (proc / "cmdline").read_bytes()
    except OSError:
        return False
    return b"resource_tracker" in cmdline or b"forkserver" in cmdline


def _threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.is_alive()}


def _settled(before_threads: set[threading.Thread], before_children: set[int], before_shm: set[str]) -> list[str]:
    multiprocessing.active_children()  # reaps finished children
    problems = []
    threads = [t.name for t in _threads() - before_threads]
    if threads:
        problems.append(f"threads left running: {threads}")
    children = _child_pids() - before_children
    if children:
        problems.append(f"child processes left running: {sorted(children)}")
    segments = _shm_names() - before_shm
    if segments:
        problems.append(f"shared memory left in /dev/shm: {sorted(segments)}")
    return problems


@pytest.fixture(autouse=True)
def no_leftovers() -> object:
    """Fail the test if it leaves threads, child processes or shared memory behind."""
    before = (_threads(), _child_pids(), _shm_names())
    yield
    deadline = time.monotonic() + SETTLE_S
    # Objects caught in a reference cycle (a primitive held by an exception's traceback, say) free
    # their named semaphores only when the cycle collector runs: run it before judging what is left.
    gc.collect()
    problems = _settled(*before)
    wake = threading.Event()
    while problems and time.monotonic() < deadline:
        wake.wait(0.05)  # give exiting threads and processes a moment to be reaped
        problems = _settled(*before)
    assert not problems, "; ".join(problems)
