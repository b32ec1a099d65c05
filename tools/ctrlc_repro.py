"""Press Ctrl-C once at a starting or running round, many times over, and count what happened.

    python tools/ctrlc_repro.py [--tries 60] [--from shm|agents] [--delay 1.5] [--cmd "..."]
    python tools/ctrlc_repro.py --pythonpath DIR ...   # the same against another tree (a baseline)
    python tools/ctrlc_repro.py --mechanism            # the loss itself, in one process

Each try starts the command in its own session with the default SIGINT disposition (as at a
terminal; a background shell starts children with SIGINT ignored), waits until the round's
shared memory exists (``--from shm``: agents are being started) or until every agent runs with
SIGINT ignored (``--from agents``: the round is under way), waits a random part of ``--delay``,
sends SIGINT to the whole process group (what a terminal does) and gives it ``--grace`` seconds.

Outcomes: ``ok`` (exit 130, nothing on stderr but the one "interrupted" line), ``messy``
(it ended, but with another status or with tracebacks), ``LOST`` (still running: diagnosed
with ``/proc`` signal masks, ``py-spy dump`` and gdb's view of CPython's signal flags, then
pressed again). Anything the command leaves behind (processes, /dev/shm) is reported.

``--mechanism`` shows why a press could be lost: a handler that raises KeyboardInterrupt
while the main thread compares numpy arrays with an IntEnum member, counting how many of
the raised exceptions ever reached the loop (numpy clears errors raised while it looks up
``__array_ufunc__`` on the operand's class, which for an IntEnum runs Python code), against
the same loop comparing with a plain int.
"""

from __future__ import annotations

import argparse
import collections
import enum
import os
import random
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

DEFAULT_CMD = (
    f"{sys.executable} -m sims run dining --backend process --strategy ordered"
    " --set think_ms=0 --set eat_ms=0 --seconds 30"
)
SIGINT_BIT = 1 << (signal.SIGINT - 1)
# CPython 3.11's view of a pending SIGINT (needs the interpreter's debug symbols).
GDB_PRINTS = (
    "Handlers[2].tripped",
    "is_tripped",
    "_PyRuntime.ceval.signals_pending",
    "_PyRuntime.interpreters.main->ceval.eval_breaker",
)


def _session(sid: int) -> list[int]:
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def _segments(tag: str) -> list[str]:
    return [p.name for p in Path("/dev/shm").iterdir() if p.name.startswith(f"diner_{tag}_")]


def _wait(predicate: Callable[[], object], timeout: float) -> bool:
    tick = threading.Event()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        tick.wait(0.002)
    return False


def _status(pid: int, *keys: str) -> dict[str, str]:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    pairs = (line.split(":", 1) for line in lines)
    return {k: v.strip() for k, v in pairs if k in keys}


def _agents_ignore_sigint(leader: int, members: int) -> bool:
    """Every other member of the session (agents, resource tracker) runs with SIGINT ignored."""
    others = [pid for pid in _session(leader) if pid != leader]
    masks = [_status(pid, "SigIgn").get("SigIgn") for pid in others]
    return len(others) >= members and all(m is not None and int(m, 16) & SIGINT_BIT for m in masks)


def _diagnose(pid: int) -> str:
    """Signal masks, the Python stacks, CPython's signal flags and every native stack."""
    masks = _status(pid, "SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt")
    spy = subprocess.run(["py-spy", "dump", "--pid", str(pid)], check=False, capture_output=True, text=True, timeout=30)
    gdb = ["gdb", "-batch", "-p", str(pid)]
    for expr in GDB_PRINTS:
        gdb += ["-ex", f"p {expr}"]
    gdb += ["-ex", "thread apply all bt 12"]
    native = subprocess.run(gdb, check=False, capture_output=True, text=True, timeout=60)
    keep = [line for line in native.stdout.splitlines() if line.startswith(("$", "#", "Thread"))]
    flags = [f"{expr} = {line}" for expr, line in zip(GDB_PRINTS, keep, strict=False)]
    return f"{masks}\n{spy.stdout}{spy.stderr}\n" + "\n".join(flags + keep[len(GDB_PRINTS) :]) + "\n"


def _outcome(code: int | None, err: str) -> str:
    if code is None:
        return "LOST"
    clean = code == 130 and "Traceback" not in err and "Exception ignored" not in err
    return "ok" if clean else "messy"


def one_try(args: argparse.Namespace, tag: str, delay: float) -> tuple[str, str]:
    """Start, wait for the round, Ctrl-C once; (outcome, what to report)."""
    env = {**os.environ, "DINER_SHM_TAG": tag}
    if args.pythonpath:
        env["PYTHONPATH"] = args.pythonpath
    child = subprocess.Popen(
        shlex.split(args.cmd),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509
    )
    ready = (
        (lambda: _segments(tag)) if args.start == "shm" else (lambda: _agents_ignore_sigint(child.pid, args.members))
    )
    report = ""
    try:
        if not _wait(ready, 60):
            return "messy", "the round never started"
        threading.Event().wait(delay)
        os.killpg(child.pid, signal.SIGINT)
        try:
            _, err = child.communicate(timeout=args.grace)
            outcome = _outcome(child.returncode, err)
        except subprocess.TimeoutExpired:
            outcome = "LOST"
            report = _diagnose(child.pid)
            os.killpg(child.pid, signal.SIGINT)
            _, err = child.communicate(timeout=30)
        return outcome, report + f"exit {child.returncode}\n{err}"
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
        if not _wait(lambda: not _session(child.pid) and not _segments(tag), 10):
            print(f"  LEFT BEHIND: pids {_session(child.pid)} segments {_segments(tag)}", flush=True)


def _mechanism_loop(value: object, presses: int) -> tuple[int, int]:
    """Raise KeyboardInterrupt from SIGINT ``presses`` times while comparing arrays with
    ``value``; (handler raised, loop caught)."""
    fired = [0]

    def handler(signum: int, frame: object) -> None:
        fired[0] += 1
        raise KeyboardInterrupt

    done = threading.Event()

    def presser() -> None:
        for _ in range(presses):
            os.kill(os.getpid(), signal.SIGINT)
            done.wait(0.0005)
        done.set()

    previous = signal.signal(signal.SIGINT, handler)
    caught = 0
    thread = threading.Thread(target=presser)
    array = np.arange(8)  # small: the comparison is mostly the lookup, where the loss happens
    try:
        while not done.is_set():
            try:
                if not thread.is_alive() and not done.is_set():
                    thread.start()
                while not done.is_set():
                    array == value  # noqa: B015 - the comparison is the point
            except KeyboardInterrupt:
                caught += 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        thread.join()
        signal.signal(signal.SIGINT, previous)
    return fired[0], caught


def mechanism(rounds: int) -> int:
    class Op(enum.IntEnum):
        STATE = 1

    lost = {"IntEnum member": 0, "plain int": 0}
    fired = dict.fromkeys(lost, 0)
    for _ in range(rounds):
        for name, value in (("IntEnum member", Op.STATE), ("plain int", 1)):
            raised, caught = _mechanism_loop(value, 2000)
            fired[name] += raised
            lost[name] += raised - caught
    for name in lost:
        print(f"ndarray == {name}: {fired[name]} KeyboardInterrupts raised by the handler, {lost[name]} never arrived")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tries", type=int, default=60)
    parser.add_argument("--from", dest="start", choices=("shm", "agents"), default="agents")
    parser.add_argument("--delay", type=float, default=1.5, help="max seconds before the Ctrl-C (uniform)")
    parser.add_argument("--grace", type=float, default=8.0, help="seconds one Ctrl-C gets to end the command")
    parser.add_argument("--members", type=int, default=6, help="session members besides the engine (--from agents)")
    parser.add_argument("--cmd", default=DEFAULT_CMD)
    parser.add_argument("--pythonpath", help="PYTHONPATH for the command, e.g. an exported baseline tree")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", action="store_true", help="print the report of messy tries too")
    parser.add_argument("--mechanism", type=int, nargs="?", const=5, metavar="ROUNDS", help="see the module doc")
    args = parser.parse_args(argv)
    if args.mechanism:
        return mechanism(args.mechanism)
    rng = random.Random(args.seed)
    counts: collections.Counter[str] = collections.Counter()
    for i in range(args.tries):
        delay = rng.uniform(0.0, args.delay)
        outcome, report = one_try(args, f"repro{os.getpid()}x{i}", delay)
        counts[outcome] += 1
        print(f"try {i + 1}: {outcome} (delay {delay:.3f} s)", flush=True)
        if outcome == "LOST" or (outcome == "messy" and args.verbose):
            print("  " + report.strip().replace("\n", "\n  "), flush=True)
    print(f"{counts['ok']}/{args.tries} ok, {counts['messy']} messy, {counts['LOST']} lost (one Ctrl-C each)")
    return 0 if counts["ok"] == args.tries else 1


if __name__ == "__main__":
    sys.exit(main())
