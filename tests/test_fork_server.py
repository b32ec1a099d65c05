"""Process agents fork from one server that imported the agent code (sims.engine.fork_server)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sims.engine.fork_server import AGENT_CODE

pytestmark = pytest.mark.timeout(120)

# Run in a fresh interpreter: the fork server is one per process, and one another test started
# (the explorer's has other modules) would answer here.
ROUND = """
from pathlib import Path
from sims.engine import Round
from sims.rounds import RoundConfig

def parent(pid):
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])

if __name__ == "__main__":
    config = RoundConfig("dining", backend="process", strategy="ordered", seconds=0.3,
                         params={"agents": 5}, start_method="forkserver")
    with Round(config) as rnd:
        rnd.start()
        parents = {parent(identity.pid) for identity in rnd.identities()}
        print(len(rnd.identities()), len(parents))
        print(Path(f"/proc/{parents.pop()}/cmdline").read_bytes().replace(b"\\0", b" ").decode())
        result = rnd.stop()
    print(result.config.to_dict()["start_method"])  # as the summary records it
"""


def test_five_process_agents_are_forked_by_one_server_that_imported_their_code() -> None:
    done = subprocess.run([sys.executable, "-c", ROUND], check=True, capture_output=True, text=True, timeout=100)
    counts, server, method = done.stdout.strip().splitlines()
    assert counts == "5 1"  # five agents, one parent: the server
    assert "multiprocessing.forkserver" in server
    assert all(module in server for module in AGENT_CODE)
    assert method == "forkserver"


SERVER_MASK = """
import signal
from multiprocessing import forkserver
from pathlib import Path
from sims.engine.fork_server import start_fork_server

start_fork_server()
status = Path(f"/proc/{forkserver._forkserver._forkserver_pid}/status").read_text()
blocked = int(next(line for line in status.splitlines() if line.startswith("SigBlk:")).split()[1], 16)
print(bool(blocked & (1 << (signal.SIGINT - 1))), signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, []))
"""


def test_the_server_boots_with_ctrl_c_held_back_and_the_caller_gets_it_back() -> None:
    """A press while the server's interpreter boots must not print its traceback (the resource
    tracker's start, which comes first, unblocks SIGINT in the caller: it must not undo this)."""
    done = subprocess.run([sys.executable, "-c", SERVER_MASK], check=True, capture_output=True, text=True, timeout=100)
    assert done.stdout.split() == ["True", "False"]  # blocked in the server, not left blocked here
