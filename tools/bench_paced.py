"""Paced dining, instrumented against raw, for this checkout and another one, interleaved.

Usage: ``python tools/bench_paced.py [--compare /work/main] [--backend process] [--agents 64]
[--pace-ms 1] [--seconds 4] [--repeats 3]``

Each repeat runs, each in a fresh interpreter: the raw loop (``raw_meals`` of
``tools/_bench_dining.py``: the same ordered fork-taking loop on raw locks), a real round of
``--compare``'s ``sims`` and a real round of ours (``round_meals``, detail on), the two rounds in
alternating order so drift in a shared machine's load hits both alike. Prints one line per repeat
(meals per second, CPU per meal, load average before each run, each round's share of the raw
loop's meals) and the medians of the shares and of the CPU per meal. Raw process philosophers
are forked from a fork server, as the rounds' agents are: spawning 64 interpreters takes minutes
on a loaded machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

TOOLS = Path(__file__).resolve().parent
OURS = TOOLS.parent


def _measure(kind: str, code: Path, args: argparse.Namespace) -> dict[str, Any]:
    """One run in a fresh interpreter whose ``sims`` comes from ``code``."""
    env = dict(os.environ, PYTHONPATH=f"{code}{os.pathsep}{TOOLS}")
    argv = [
        sys.executable,
        __file__,
        "--child",
        kind,
        "--backend",
        args.backend,
        "--agents",
        str(args.agents),
        "--pace-ms",
        str(args.pace_ms),
        "--seconds",
        str(args.seconds),
    ]
    done = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=600, env=env, cwd=TOOLS)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _child(kind: str, args: argparse.Namespace) -> None:
    import _bench_dining as dining

    if kind == "raw":
        got = dining.raw_meals(args.backend, args.agents, args.seconds, args.pace_ms, "forkserver")
    else:
        got = dining.round_meals(args.backend, args.agents, args.seconds, True, args.pace_ms)
    print(json.dumps({"per_s": got.per_s, "cpu_us": 1e6 / got.per_cpu_s if got.per_cpu_s else 0.0,
                      "lost": got.dropped, "failure": got.failure}))


def _load() -> str:
    return Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"


def compare(args: argparse.Namespace) -> None:
    shares: dict[str, list[float]] = {"other": [], "ours": []}
    cpu: dict[str, list[float]] = {"raw": [], "other": [], "ours": []}
    for repeat in range(args.repeats):
        order = [("other", args.compare), ("ours", OURS)]
        runs: dict[str, Any] = {}
        for kind, code in [("raw", OURS), *(order if repeat % 2 == 0 else order[::-1])]:
            load = _load()
            runs[kind] = _measure("raw" if kind == "raw" else "round", code, args) | {"load": load}
        for kind, got in runs.items():
            cpu[kind].append(got["cpu_us"])
        raw = runs["raw"]["per_s"]
        for kind in shares:
            shares[kind].append(runs[kind]["per_s"] / raw if raw else 0.0)
        print(
            json.dumps(
                {
                    kind: {k: round(v) if isinstance(v, float) else v for k, v in got.items()}
                    for kind, got in runs.items()
                }
                | {"other/raw": round(shares["other"][-1], 3), "ours/raw": round(shares["ours"][-1], 3)}
            ),
            flush=True,
        )
    print(
        f"median share of raw: {args.compare}: {statistics.median(shares['other']):.1%}, "
        f"ours: {statistics.median(shares['ours']):.1%} ({args.agents} {args.backend} agents, "
        f"{args.pace_ms:g} ms pacing, {args.repeats} x {args.seconds:g} s)"
    )
    print(
        "median CPU per meal (every process of the run, engine included): "
        + ", ".join(f"{kind} {statistics.median(us):.1f} us" for kind, us in cpu.items())
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--compare", type=Path, default=Path("/work/main"), help="the other checkout")
    parser.add_argument("--backend", choices=("thread", "process"), default="process")
    parser.add_argument("--agents", type=int, default=64)
    parser.add_argument("--pace-ms", type=float, default=1.0)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", choices=("raw", "round"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args)
    else:
        compare(args)


if __name__ == "__main__":
    main()
