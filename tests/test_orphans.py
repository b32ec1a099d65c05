"""A round cannot outlive the process that runs it: SIGKILL that process and nothing stays.

Each case starts a round in a session of its own, waits until its agents run, SIGKILLs the
process that started them (``diner run`` itself, or the window that started an engine host)
and then polls until no process of the session is left and none of the shared memory or
named semaphores the session had mapped is still in /dev/shm (the names are read from the
processes' own memory maps, so another program's segments are never mistaken for ours).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import end_session, session_members, terminal_child, wait_until

pytestmark = pytest.mark.timeout(120)

SAFETY_S = 30.0  # a safety net on a loaded machine; the lifeline acts within a slice
DINING = ["dining", "--strategy", "ordered", "--seconds", "60"]
# The window's way (game.standby): a warm host, a fork server, agents forked from it.
WINDOW = (
    "from game.standby import StandbyHost\n"
    "from sims.rounds.config import RoundConfig\n"
    "host, _ = StandbyHost().take(RoundConfig('dining', backend='process', strategy='ordered', seconds=60))\n"
    "host.wait_started(60)\n"
    "print('started', flush=True)\n"
    "import threading; threading.Event().wait()\n"
)


@pytest.fixture(autouse=True)
def spill_in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The killed round's records folder (made in TMPDIR) stays in the test's own folder:
    nothing removes it when the process that would have is SIGKILLed."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))


def mapped(pid: int) -> set[str]:
    """The /dev/shm files (segments, named semaphores) process ``pid`` has mapped."""
    try:
        maps = Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return set()
    return {line.split()[-1] for line in maps.splitlines() if "/dev/shm/" in line}


def _threads(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return 0


def _kill_and_find_leftovers(child: subprocess.Popen[str], ready: Callable[[], bool]) -> tuple[list[int], set[str]]:
    """Wait until ``ready()``, SIGKILL ``child``; what the session still has once it settles."""
    ours: set[str] = set()
    try:
        wait_until(lambda: ready() or child.poll() is not None, SAFETY_S)
        assert child.poll() is None, child.communicate()
        ours = set().union(*(mapped(pid) for pid in session_members(child.pid)))
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=SAFETY_S)  # not communicate(): its pipes stay open while any descendant lives
        gone = threading.Event()
        for _ in range(int(SAFETY_S / 0.05)):
            if not session_members(child.pid) and not any(os.path.exists(name) for name in ours):
                break
            gone.wait(0.05)
        return session_members(child.pid), {name for name in ours if os.path.exists(name)}
    finally:
        end_session(child)  # whatever the test finds, it leaves nothing
        for name in ours:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)


def _agents_attached(sid: int, tag: str, engine_and_agents: int) -> Callable[[], bool]:
    def ready() -> bool:
        mapping = [pid for pid in session_members(sid) if any(f"diner_{tag}_" in n for n in mapped(pid))]
        return len(mapping) >= engine_and_agents

    return ready


@pytest.mark.parametrize("start_method", ["spawn", "forkserver"])
def test_a_killed_diner_run_leaves_no_agent_segment_or_semaphore(tmp_path: Path, start_method: str) -> None:
    tag = f"orphan{start_method}{os.getpid()}"
    argv = [sys.executable, "-m", "sims", "run", *DINING, "--backend", "process", "--start-method", start_method]
    child = terminal_child(argv, tmp_path, tag)
    left, shm = _kill_and_find_leftovers(child, _agents_attached(child.pid, tag, 1 + 5))
    assert left == [] and shm == set()


# A round started from a thread other than the main one: the kernel would watch that thread,
# so agents rely on their own look at their parent at every pause point (sims.lifeline).
A_PROCESS_ROUND = (
    "from sims.engine.round import Round\n"
    "from sims.rounds.config import RoundConfig\n"
    "config = RoundConfig('dining', backend='process', strategy='ordered', seconds=60)\n"
)
FROM_A_THREAD = (
    A_PROCESS_ROUND + "import threading\n"
    "runner = threading.Thread(target=lambda: Round(config).run(), name='round runner')\n"
    "runner.start(); runner.join()\n"
)


def test_agents_of_a_round_started_from_a_thread_notice_their_parent_gone(tmp_path: Path) -> None:
    tag = f"orphanfromthread{os.getpid()}"
    child = terminal_child([sys.executable, "-c", FROM_A_THREAD], tmp_path, tag)
    left, shm = _kill_and_find_leftovers(child, _agents_attached(child.pid, tag, 1 + 5))
    assert left == [] and shm == set()


def test_a_killed_thread_round_leaves_nothing(tmp_path: Path) -> None:
    tag = f"orphanthread{os.getpid()}"
    child = terminal_child([sys.executable, "-m", "sims", "run", *DINING], tmp_path, tag)
    left, shm = _kill_and_find_leftovers(child, lambda: _threads(child.pid) >= 1 + 5)
    assert left == [] and shm == set()


def test_a_killed_window_leaves_no_host_agent_segment_or_semaphore(tmp_path: Path) -> None:
    tag = f"orphanwindow{os.getpid()}"
    child = terminal_child([sys.executable, "-c", WINDOW], tmp_path, tag)
    assert child.stdout is not None
    started = threading.Event()

    def read_started() -> None:
        if child.stdout and child.stdout.readline().strip() == "started":
            started.set()

    reader = threading.Thread(target=read_started, name="window stdout")
    reader.start()
    try:
        left, shm = _kill_and_find_leftovers(child, started.is_set)
    finally:
        reader.join()
    assert left == [] and shm == set()


# A program that ends without stopping its round (an exception inside stop(), say): multiprocessing's
# exit joins the agents, which run until told to stop; the round's last resort kills them first.
EXITS_MID_ROUND = A_PROCESS_ROUND + "Round(config).start()\nprint('started', flush=True)\nraise SystemExit(3)\n"


def test_a_program_that_exits_without_stopping_its_round_leaves_nothing(tmp_path: Path) -> None:
    tag = f"orphanexit{os.getpid()}"
    child = terminal_child([sys.executable, "-c", EXITS_MID_ROUND], tmp_path, tag)
    try:
        assert child.wait(SAFETY_S) == 3, child.communicate()
        wait_until(lambda: not session_members(child.pid), SAFETY_S)
        out, _ = child.communicate()
        assert out.split() == ["started"]
        # the resource tracker, the survivor that needs no agent's CPU, unlinked the round's memory
        wait_until(lambda: not list(Path("/dev/shm").glob(f"diner_{tag}_*")), SAFETY_S)
    finally:
        end_session(child)  # whatever the test finds, it leaves nothing
        for segment in Path("/dev/shm").glob(f"diner_{tag}_*"):  # the tracker may have been killed too
            segment.unlink(missing_ok=True)
