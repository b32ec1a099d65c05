"""SIGKILL the process that runs a round and time how long each piece it leaves takes to go.

    python tools/orphan_timing.py [--kinds run-spawn,run-forkserver,thread,from-thread,window]
                                  [--tries 3] [--spin 0] [--limit 30]

Each try starts the round as the tests in ``tests/test_orphans.py`` do (a session of its own),
waits until its agents run, notes every process of the session (its role: agent, engine host,
fork server, resource tracker; its scheduling policy) and every /dev/shm file they map, SIGKILLs
the parent and polls every 5 ms until nothing of it is left (or ``--limit`` s pass). It prints,
per try, when each piece went (ms after the kill) and when the last did. ``--spin N`` runs N
``while 1: pass`` spinners throughout (a loaded machine: use at least cores + 2); they are
killed at the end. Whatever is left at the limit is SIGKILLed and reported.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from test_orphans import DINING, FROM_A_THREAD, WINDOW, mapped  # what the tests kill, timed here

RUN = [sys.executable, "-m", "sims", "run", *DINING]
KINDS: dict[str, list[str]] = {
    "run-spawn": [*RUN, "--backend", "process", "--start-method", "spawn"],
    "run-forkserver": [*RUN, "--backend", "process", "--start-method", "forkserver"],
    "thread": RUN,
    "from-thread": [sys.executable, "-c", FROM_A_THREAD],
    "window": [sys.executable, "-c", WINDOW],
}
AGENTS = 5
FORK_SERVER = b"from multiprocessing.forkserver import main"
POLICIES = {os.SCHED_OTHER: "other", os.SCHED_IDLE: "idle", os.SCHED_BATCH: "batch"}


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def members(sid: int) -> dict[int, int]:
    """Live (not zombie) processes of session ``sid``: pid -> parent pid."""
    found = {}
    for entry in Path("/proc").glob("[0-9]*"):
        fields = _stat(int(entry.name))
        if fields is not None and int(fields[3]) == sid and fields[0] != "Z":
            found[int(entry.name)] = int(fields[1])
    return found


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def policy(pid: int) -> str:
    try:
        return POLICIES.get(os.sched_getscheduler(pid), "?")
    except OSError:
        return "-"


def _diagnose(pid: int, what: str) -> None:
    """Where a piece still alive at the limit is: its state, kernel wait and Python stack."""
    fields = _stat(pid) or ["?"]
    wchan = "?"
    with contextlib.suppress(OSError):
        wchan = Path(f"/proc/{pid}/wchan").read_text()
    spy = subprocess.run(["py-spy", "dump", "--pid", str(pid)], check=False, capture_output=True, text=True, timeout=60)
    print(f"  left: {pid} {what} state {fields[0]} wchan {wchan}\n{spy.stdout}{spy.stderr}", flush=True)


class Try:
    """One round of ``kind`` in a session of its own, its stdout read for "started"."""

    def __init__(self, kind: str, folder: Path) -> None:
        self.kind = kind
        self.errors = (folder / "stderr").open("w+")
        self.child = subprocess.Popen(
            KINDS[kind],
            cwd=folder,
            env={**os.environ, "TMPDIR": str(folder)},
            stdout=subprocess.PIPE,
            stderr=self.errors,
            text=True,
            start_new_session=True,
        )
        self.started = threading.Event()
        self.reader = threading.Thread(target=self._read, name="stdout")
        self.reader.start()
        self.shm: set[str] = set()

    def _read(self) -> None:
        if self.child.stdout and self.child.stdout.readline().strip() == "started":
            self.started.set()

    def ready(self) -> bool:
        if self.kind == "window":
            return self.started.is_set()
        pid = self.child.pid
        if self.kind == "thread":
            return len(os.listdir(f"/proc/{pid}/task")) >= 1 + AGENTS
        return sum(1 for p in members(pid) if any("diner_" in n for n in mapped(p))) >= 1 + AGENTS

    def kill_and_time(self, limit: float) -> tuple[dict[int, str], dict[str | int, float]]:
        """SIGKILL the parent; each piece's role and the ms after the kill when it went."""
        sid = self.child.pid
        parents = members(sid)
        roles = {pid: f"{_role(pid, parents, sid, self.kind)}/{policy(pid)}" for pid in parents}
        self.shm = set().union(*(mapped(pid) for pid in parents))
        killed = time.monotonic()
        os.kill(sid, signal.SIGKILL)
        gone: dict[str | int, float] = {}
        tick = threading.Event()
        while len(gone) < len(roles) + len(self.shm) and time.monotonic() - killed < limit:
            live = members(sid)
            now = (time.monotonic() - killed) * 1000
            for piece in [*(pid for pid in roles if pid not in live), *(n for n in self.shm if not os.path.exists(n))]:
                gone.setdefault(piece, now)
            tick.wait(0.005)
        return roles, gone

    def diagnose(self, roles: dict[int, str]) -> None:
        for pid in members(self.child.pid):
            _diagnose(pid, roles.get(pid, "?"))
        self.errors.seek(0)
        if said := self.errors.read().strip():
            print(f"  its stderr:\n{said}")

    def close(self) -> None:
        """Whatever is left is killed, whatever is mapped unlinked."""
        for pid in members(self.child.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.child.poll() is None:
            self.child.kill()
        self.child.wait()
        self.reader.join()
        self.errors.close()
        for name in self.shm:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)


def one_try(kind: str, limit: float, folder: Path, diagnose: bool = False) -> dict[str, list[float]]:
    """Start ``kind``, SIGKILL its parent once it runs; ms until each role's pieces went."""
    run = Try(kind, folder)
    try:
        tick = threading.Event()
        deadline = time.monotonic() + 60
        while not run.ready() and run.child.poll() is None and time.monotonic() < deadline:
            tick.wait(0.01)
        if not run.ready():
            raise RuntimeError(f"{kind}: the round did not start")
        roles, gone = run.kill_and_time(limit)
        if diagnose:
            run.diagnose(roles)
        times: dict[str, list[float]] = {}
        for pid, what in roles.items():
            times.setdefault(what, []).append(gone.get(pid, float("inf")))
        if run.shm:
            times["/dev/shm"] = [max(gone.get(name, float("inf")) for name in run.shm)]
        return times
    finally:
        run.close()


def _role(pid: int, parents: dict[int, int], root: int, kind: str) -> str:
    line = _cmdline(pid)
    if pid == root:
        return "parent"
    if b"resource_tracker" in line:
        return "tracker"
    if FORK_SERVER in line:
        return "agent" if FORK_SERVER in _cmdline(parents.get(pid, 0)) else "fork server"
    if kind == "window" and parents.get(pid) == root:
        return "host"
    return "agent"


def _show(times: dict[str, list[float]]) -> str:
    parts = []
    for what, ms in sorted(times.items()):
        shown = ",".join("left" if m == float("inf") else f"{m:.0f}" for m in sorted(ms))
        parts.append(f"{what} {shown}")
    last = max(max(ms) for ms in times.values())
    return f"last {'LEFT' if last == float('inf') else f'{last:.0f} ms'}: " + "; ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--tries", type=int, default=3)
    parser.add_argument("--spin", type=int, default=0, help="spinning processes during the measurement")
    parser.add_argument("--limit", type=float, default=30.0, help="seconds before what is left is killed")
    parser.add_argument("--diagnose", action="store_true", help="show where each piece left at the limit is")
    args = parser.parse_args()
    kinds = args.kinds.split(",")
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        parser.error(f"unknown kind {unknown[0]!r} (known: {', '.join(KINDS)})")
    spinners = [subprocess.Popen([sys.executable, "-c", "while 1: pass"]) for _ in range(args.spin)]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            print(f"# {args.spin} spinners, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
            for n in range(args.tries):
                for kind in kinds:
                    times = one_try(kind, args.limit, Path(tmp), args.diagnose)
                    print(f"{kind:15} try {n + 1}: {_show(times)}", flush=True)
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


if __name__ == "__main__":
    main()
