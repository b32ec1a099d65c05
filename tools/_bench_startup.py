"""Section 7: start-up, 5 and 64 agents on both backends, as ``diner run`` starts them.

Each start runs in a fresh interpreter (the fork server is one per process, and a warm one
would hide its own start): wall seconds of ``Round.start()`` (every agent up, the clock about
to start), and the CPU it took, read from ``/proc/<pid>/schedstat`` of the engine, the fork
server and every agent, so a loaded machine's waiting does not count. Process agents are
forked from the preloaded fork server (``diner run``'s way); the baseline is ``spawn``, a fresh
interpreter per agent, started the same way just before (interleaved).

Usage alone: ``python tools/_bench_startup.py [--agents 64] [--backend process] [--start-method spawn]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _bench_common import Plan, Row

SECTION = "7 startup"


def _cpu_s(pid: int) -> float:
    """CPU time of a process (all its threads) so far; 0 once it has gone."""
    total = 0
    for task in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        try:
            total += int(task.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue
    return total / 1e9


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def measure(agents: int, backend: str, start_method: str) -> dict[str, Any]:
    """Start a round here (a fresh process), then stop it: seconds and CPU seconds to start."""
    if backend == "process" and start_method == "forkserver":
        from sims.engine import start_fork_server

        start_fork_server()  # as diner run does, before it imports the engine
    from sims.engine import Round
    from sims.rounds import RoundConfig

    params = {"agents": agents, "think_ms": 0, "eat_ms": 0}
    config = RoundConfig("dining", backend=backend, strategy="ordered", seconds=5.0, params=params,
                         start_method=start_method, gated=True)  # agents halt at their first step: CPU is start-up's
    rnd = Round(config)
    me = os.getpid()
    cpu, wall = _cpu_s(me), time.monotonic()
    with rnd:
        rnd.start()
        wall = time.monotonic() - wall
        engine_cpu = _cpu_s(me) - cpu
        pids = {identity.pid for identity in rnd.identities()} - {me}
        agents_cpu = sum(_cpu_s(p) for p in pids)
        helpers = [p for p in _children(me) if p not in pids]  # the fork server, the resource tracker
        helpers_cpu = sum(_cpu_s(p) for p in helpers)
    return {"start_s": wall, "engine_cpu_s": engine_cpu, "agents_cpu_s": agents_cpu, "helpers_cpu_s": helpers_cpu,
            "cpu_s": engine_cpu + agents_cpu + helpers_cpu}


def in_child(agents: int, backend: str, start_method: str) -> dict[str, Any]:
    # -c, as ``python -m sims run``: agents run no main script again before they start (a script's
    # would be, by every agent: this one's imports cost about 16 ms of CPU each under load)
    argv = [sys.executable, "-c", "import _bench_startup; _bench_startup.main()", "--child", "--agents", str(agents),
            "--backend", backend, "--start-method", start_method]
    here = Path(__file__).resolve().parent
    env = dict(os.environ, PYTHONPATH=os.pathsep.join((str(here.parent), str(here))))
    done = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=600, env=env)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def run(plan: Plan) -> list[Row]:
    repeats = 3 if plan.name == "full" else 1
    crowds = ((5, 0.3), (64, 1.0)) if plan.name == "full" else ((5, 0.3),)  # a smoke test spawns no 64
    rows = []
    for agents, target in crowds:
        ours: list[dict[str, Any]] = []
        spawned: list[dict[str, Any]] = []
        threads: list[dict[str, Any]] = []
        for _ in range(repeats):  # interleaved, so the machine's load falls on each alike
            spawned.append(in_child(agents, "process", "spawn"))
            ours.append(in_child(agents, "process", "forkserver"))
            threads.append(in_child(agents, "thread", "forkserver"))
        wall, base = _median(ours, "start_s"), _median(spawned, "start_s")
        cpu, base_cpu = _median(ours, "cpu_s"), _median(spawned, "cpu_s")
        note = (f"CPU (engine + fork server + agents) {cpu:.3f} s against {base_cpu:.3f} s spawned "
                f"({base_cpu / cpu:.1f}x less); agents {_median(ours, 'agents_cpu_s') / agents * 1000:.1f} ms "
                f"CPU each, fork server {_median(ours, 'helpers_cpu_s'):.3f} s, "
                f"engine {_median(ours, 'engine_cpu_s'):.3f} s; median of {repeats}")
        rows.append(Row(SECTION, f"start {agents} process agents (forkserver, as diner run)", wall, "s",
                        "spawn", base, f"{base / wall:.1f}x faster", f"<= {target:g} s", wall <= target,
                        note=note))
        t_wall = _median(threads, "start_s")
        rows.append(Row(SECTION, f"start {agents} thread agents", t_wall, "s", "", None, "", "", None,
                        note=f"CPU {_median(threads, 'cpu_s'):.3f} s; median of {repeats}"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--agents", type=int, default=64)
    parser.add_argument("--backend", choices=("thread", "process"), default="process")
    parser.add_argument("--start-method", choices=("spawn", "forkserver"), default="forkserver")
    parser.add_argument("--child", action="store_true", help="measure here (a fresh interpreter)")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.agents, args.backend, args.start_method)))
    else:
        print(json.dumps(in_child(args.agents, args.backend, args.start_method), indent=1))


if __name__ == "__main__":
    main()
