"""A grader killed outright leaves nothing: its worker, the fork server and the agent processes end."""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

import pytest
from helpers import end_session, session_members, terminal_child, wait_until

from sims.levels.code import shipped_code_dir

pytestmark = pytest.mark.timeout(120)

PLAYER = shipped_code_dir() / "c07_dining" / "reference.py"
SAFETY_S = 30.0
GRADER_WORKER_SERVER_AGENTS = 1 + 1 + 1 + 5


def test_a_killed_grader_leaves_no_worker_or_agent_process(tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "sims", "grade", "dining", str(PLAYER), "--backend", "process", "--budget", "120"]
    child = terminal_child(argv, tmp_path, f"gradeorphan{os.getpid()}")
    try:
        wait_until(
            lambda: len(session_members(child.pid)) >= GRADER_WORKER_SERVER_AGENTS or child.poll() is not None, SAFETY_S
        )
        assert child.poll() is None, child.communicate()
        os.kill(child.pid, signal.SIGKILL)
        child.communicate(timeout=SAFETY_S)
        settled = threading.Event()
        for _ in range(int(SAFETY_S / 0.05)):
            if not session_members(child.pid):
                break
            settled.wait(0.05)
        assert session_members(child.pid) == []
    finally:
        end_session(child)  # whatever the test finds, it leaves nothing
