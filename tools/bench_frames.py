"""Frame benchmark of the game window: a busy round drawn headless, against an empty frame.

    python tools/bench_frames.py [--agents 64] [--frames 600] [--backend process] [--pace-ms 0] [--markdown FILE]

Measures, in one run on this machine:

* frame time (telemetry ingest + live numbers + drawing, i.e. ``App.step``) over N frames of
  a dining round (waiter strategy, think_ms = eat_ms = ``--pace-ms``, 0 by default: the stress
  case) paced by ``Clock.tick(60)``, p50/p99,
  split into ingest (``scenes.update``) and draw; and the same for an empty scene (baseline).
  Beside wall time: the window thread's CPU time, and its run-queue delay (ready to run but
  waiting for a CPU: ``/proc/thread-self/schedstat``), which is what wall time adds to CPU time;
* results ready: from ending that round until the window has its result with every record;
* round start: from asking for a round until the host reports it started (every agent up),
  for 5 agents and for the benchmark's agents, two ways: a cold host (``EngineHost.start()``,
  agents spawned: what ``diner run`` does) and the window's way (a standby host warmed while
  the player chooses, agents forked from its fork server: ``game.standby``);
* launch to first frame: ``python -m game --frames 1`` from process start to exit (an upper
  bound: it includes interpreter start and teardown).

The rolling statistics (``sims.stats.compute_round_stats``) run in the engine host, not in
the frame; the window folds their result in. Runs headless with ``SDL_VIDEODRIVER=dummy``.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

# Nothing heavy at the top: run as a script, this file is what multiprocessing re-imports
# (as __mp_main__) in every agent the fork server starts; importing numpy here made each of
# them load it, which the game's own agents never do (and which slowed the round start).
WARM_S = 3.0  # how long the standby host warms before the round is asked for
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")


def percentiles(ms: list[float]) -> tuple[float, float]:
    import numpy as np

    values = np.asarray(ms)
    return float(np.percentile(values, 50)), float(np.percentile(values, 99))


def run_queue_ns() -> int:
    """Nanoseconds this thread has spent ready to run but waiting for a CPU (Linux schedstat)."""
    try:
        with open("/proc/thread-self/schedstat") as stat:
            return int(stat.read().split()[1])
    except OSError:
        return 0  # no schedstat here: the column reads 0


def run_frames(app: Any, count: int) -> dict[str, list[float]]:
    """``count`` real frames, paced by Clock.tick as the game is; per frame in ms: wall time
    (``total``), its ingest part, the CPU time this thread spent (``cpu``: without the time
    the OS gave other processes) and the time it waited for a CPU (``queued``)."""
    out: dict[str, list[float]] = {"total": [], "ingest": [], "cpu": [], "queued": []}
    for _ in range(count):
        dt = app.clock.tick(app.fps) / 1000.0
        events = app.pygame.event.get()
        t0, c0, q0 = time.perf_counter(), time.thread_time(), run_queue_ns()
        for event in events:
            app.dispatch(event)
        app.scenes.update(dt)
        t1 = time.perf_counter()
        app.ui.update(dt)
        app.draw()
        t2, c2, q2 = time.perf_counter(), time.thread_time(), run_queue_ns()
        out["total"].append((t2 - t0) * 1000)
        out["ingest"].append((t1 - t0) * 1000)
        out["cpu"].append((c2 - c0) * 1000)
        out["queued"].append((q2 - q0) / 1e6)
    return out


def round_start(agents: int, backend: str, warm: bool, warm_s: float = WARM_S) -> float:
    """Seconds from asking for the round to the host's Started message (all agents up).

    ``warm``: the window's way, a standby host given ``warm_s`` to warm up first (as it has while
    the player looks at the sandbox); else a cold host with spawned agents."""
    from game.standby import StandbyHost
    from sims.engine import EngineHost
    from sims.rounds import RoundConfig

    config = RoundConfig(
        "dining",
        backend=backend,
        strategy="waiter",
        seconds=5,
        params={"agents": agents, "think_ms": 20.0, "eat_ms": 20.0},
    )
    standby = StandbyHost()
    if warm:
        standby.refill()
        time.sleep(warm_s)  # the player choosing a round; nothing is measured meanwhile
    started = time.perf_counter()
    if warm:
        host, _ = standby.take(config)
    else:
        host = EngineHost(config)
        host.start()
    try:
        host.wait_started(120)
        return time.perf_counter() - started
    finally:
        host.close()
        standby.close()


def launch_to_first_frame() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "game", "--frames", "1"], check=True, env=dict(os.environ))
    return time.perf_counter() - started


def busy_frames(app: Any, agents: int, backend: str, frames: int, pace_ms: float = 0.0) -> dict[str, Any]:
    from game.scenes.arena import ArenaScene
    from sims.rounds import RoundConfig

    config = RoundConfig(
        "dining",
        backend=backend,
        strategy="waiter",
        seconds=frames / 60 + 120,
        params={"agents": agents, "think_ms": pace_ms, "eat_ms": pace_ms},
    )
    scene = app.scenes.push(ArenaScene(app, config))
    session = scene.session
    end = time.monotonic() + 180
    while not (session.identities and session.live_stats) and time.monotonic() < end:
        run_frames(app, 1)
    records = session.records
    out: dict[str, Any] = dict(run_frames(app, frames))
    out |= {"records": session.records - records, "lost": session.dropped, "status": str(session.status)}
    out |= {"policy": session.config.agent_policy, "start_method": session.config.start_method}
    out |= results_ready(app, session)
    app.scenes.pop()
    return out


def results_ready(app: Any, session: Any) -> dict[str, Any]:
    """End the round as the player's End key does, then run frames until the result (with
    every record) is in: seconds from asking to having it, and how many records came."""
    from sims.rounds import End

    asked = time.perf_counter()
    session.send(End())
    end = time.monotonic() + 120
    while session.result is None and session.error is None and time.monotonic() < end:
        run_frames(app, 1)
    result = session.result
    return {"results_s": time.perf_counter() - asked, "result_records": len(result.events) if result else 0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=64)
    parser.add_argument("--frames", type=int, default=600)
    parser.add_argument("--backend", default="process", choices=("thread", "process"))
    parser.add_argument("--pace-ms", type=float, default=0.0, help="the busy round's think_ms and eat_ms")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    parser.add_argument("--frames-only", action="store_true", help="skip the launch and round-start measurements")
    parser.add_argument(
        "--warm-s", type=float, default=WARM_S, help="how long the standby host warms first (a smoke test: less)"
    )
    opts = parser.parse_args(argv)

    from game.app import App
    from game.scene import Scene

    launch, starts = 0.0, {(n, w): 0.0 for n in (5, opts.agents) for w in (False, True)}
    if not opts.frames_only:
        launch = launch_to_first_frame()
        ways = [(n, warm) for n in (5, opts.agents) for warm in (False, True)]
        starts = {(n, warm): round_start(n, opts.backend, warm, opts.warm_s) for n, warm in ways}
    app = App()
    try:
        app.scenes.push(Scene(app))
        empty = run_frames(app, opts.frames)
        app.scenes.pop()
        busy = busy_frames(app, opts.agents, opts.backend, opts.frames, opts.pace_ms)
    finally:
        app.close()
    lines = report(opts, launch, starts, empty, busy)
    print("\n".join(lines))
    if opts.markdown:
        opts.markdown.write_text("\n".join(lines) + "\n")
    return 0


def report(
    opts: Any, launch: float, starts: dict[tuple[int, bool], float], empty: dict[str, Any], busy: dict[str, Any]
) -> list[str]:
    e50, e99 = percentiles(empty["total"])
    b50, b99 = percentiles(busy["total"])
    i50, i99 = percentiles(busy["ingest"])
    ec50, ec99 = percentiles(empty["cpu"])
    c50, c99 = percentiles(busy["cpu"])
    q50, q99 = percentiles(busy["queued"])
    seconds = opts.frames / 60
    return [
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.platform()}, load average {os.getloadavg()[0]:.1f}",
        f"round: dining/waiter, {opts.agents} philosophers, {opts.backend} backend (agents: "
        f"{busy['start_method']}, scheduling policy {busy['policy']}), think_ms={opts.pace_ms:g}, "
        f"eat_ms={opts.pace_ms:g}; "
        f"{opts.frames} frames at Clock.tick(60), headless (SDL dummy)",
        "",
        "| measurement | p50 | p99 | vs empty frame (p50 / p99) |",
        "|---|---|---|---|",
        f"| empty frame (baseline: fill + UI) | {e50:.2f} ms | {e99:.2f} ms | 1.0× / 1.0× |",
        f"| busy frame (ingest + live numbers + draw) | {b50:.2f} ms | {b99:.2f} ms | "
        f"{b50 / e50:.1f}× / {b99 / e99:.1f}× |",
        f"| of which receiving (host messages: pictures, statistics) | {i50:.2f} ms | {i99:.2f} ms | |",
        f"| empty frame, CPU time of the window thread | {ec50:.2f} ms | {ec99:.2f} ms | 1.0× / 1.0× |",
        f"| busy frame, CPU time of the window thread | {c50:.2f} ms | {c99:.2f} ms | "
        f"{c50 / ec50:.1f}× / {c99 / ec99:.1f}× |",
        f"| busy frame, time the window thread waited for a CPU (run queue) | {q50:.2f} ms | {q99:.2f} ms | |",
        "",
        f"records written during the frames (folded by the host, drawn from its pictures): {busy['records']:,} "
        f"in {seconds:.0f} s ({busy['records'] / seconds:,.0f}/s); telemetry lost: {busy['lost']:,}; "
        f"round status at the end: {busy['status']}",
        f"results ready: {busy['results_s']:.2f} s from End to the result with all {busy['result_records']:,} "
        "records in the window",
        f"round start, the window's way (standby host, forked agents): 5 agents {starts[5, True]:.2f} s; "
        f"{opts.agents} agents {starts[opts.agents, True]:.2f} s",
        f"round start, cold (EngineHost.start, spawned agents): 5 agents {starts[5, False]:.2f} s; "
        f"{opts.agents} agents {starts[opts.agents, False]:.2f} s",
        f"launch to first frame (python -m game --frames 1, process start to exit): {launch:.2f} s",
    ]


if __name__ == "__main__":
    sys.exit(main())
