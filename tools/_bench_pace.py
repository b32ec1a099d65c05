"""CPU of one ``Me.pace`` call (the sleep every paced meal takes twice), this checkout against another.

Usage: ``python tools/_bench_pace.py [--compare /work/main] [--repeats 3]``

Each repeat runs, each in a fresh interpreter and in alternating order, ``--compare``'s ``sims``
and ours: one agent's ``Me`` (thread flavour, then process flavour: the stop bell a
``multiprocessing`` semaphore) paces ``--calls`` times at 0.001 ms and at 0.5 ms, timed in
thread CPU time (best of 9 loops), so another program's load changes it less than a wall
clock would. Prints ns per call and ours / theirs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
OURS = TOOLS.parent
PACES_MS = (0.001, 0.5)
LOOPS = 9


def _child(backend: str, calls: int) -> dict[str, float]:
    import multiprocessing

    from sims import Runtime
    from sims.agents import Me

    ctx = multiprocessing.get_context("forkserver") if backend == "process" else None
    rt = Runtime(ctx, shared=ctx is not None)
    rt.allocate(1, 1 << 12)
    writer = rt.bind(0, 0)
    me = Me(0, "bench", backend, rt, writer, threading.Semaphore(0), 1, {})
    found = {}
    try:
        for ms in PACES_MS:
            n = calls if ms < 0.1 else max(1, calls // 10)
            best = []
            for _ in range(LOOPS):
                start = time.thread_time_ns()
                for _ in range(n):
                    me.pace(ms)
                best.append((time.thread_time_ns() - start) / n)
            found[f"{backend} {ms:g} ms"] = min(best)
    finally:
        rt.unbind()
        rt.close()
    return found


def _measure(code: Path, calls: int) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=f"{code}{os.pathsep}{TOOLS}")
    found: dict[str, float] = {}
    for backend in ("thread", "process"):
        argv = [sys.executable, __file__, "--child", backend, "--calls", str(calls)]
        done = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=600, env=env, cwd=TOOLS)
        found |= json.loads(done.stdout.strip().splitlines()[-1])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--compare", type=Path, default=Path("/work/main"), help="the other checkout")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--child", choices=("thread", "process"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.calls)))
        return
    runs: dict[str, list[dict[str, float]]] = {"theirs": [], "ours": []}
    for repeat in range(args.repeats):
        order = [("theirs", args.compare), ("ours", OURS)]
        for kind, code in order if repeat % 2 == 0 else order[::-1]:
            runs[kind].append(_measure(code, args.calls))
    for key in runs["ours"][0]:
        theirs = statistics.median(r[key] for r in runs["theirs"])
        ours = statistics.median(r[key] for r in runs["ours"])
        print(f"pace {key:18s} {args.compare}: {theirs:8.0f} ns, ours: {ours:8.0f} ns, ours/theirs {ours / theirs:.2f}")


if __name__ == "__main__":
    main()
