"""Section 5: a long busy round, as ``diner run`` runs it: 64 process agents dining at zero pacing.

Each round runs in a fresh interpreter (so its peak RSS is its own) and reports: seconds to
start the agents, the engine's peak RSS before the export, seconds from the round's end to its
printed summary, seconds to export it (``write_round``: the default format, then each format
alone, wall and the process's CPU), records kept, lost in the rings, and put in time order
late. The baseline is the same round half as long, run just before in the same way: memory
that is flat in the round's length gives a ratio near 1.

Usage alone: ``python tools/_bench_long.py [--seconds 30] [--agents 64] [--backend process]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _bench_common import Plan, Row

SECTION = "5 long round"
AGENTS = 64


def measure(seconds: float, agents: int, backend: str, out: Path, export: bool) -> dict[str, Any]:
    """Run the round here (a fresh process) and say what it cost."""
    from sims import render_result, write_round
    from sims.engine import Round
    from sims.rounds import RoundConfig

    params = {"agents": agents, "think_ms": 0, "eat_ms": 0}
    config = RoundConfig(
        "dining", backend=backend, strategy="ordered", seconds=seconds, params=params, start_method="forkserver",
        agent_nice=0,
    )  # as `diner run` starts process agents, at the caller's niceness
    asked = time.monotonic()
    try:
        rnd = Round(config, records_dir=out)
    except TypeError:  # a checkout from before the records streamed to disk (--compare)
        rnd = Round(config)
    rnd.start()
    started = time.monotonic()
    result = rnd.run()
    stopped_ns = time.monotonic_ns()
    render_result(result)
    printed_ns = time.monotonic_ns()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    exported = time.monotonic()
    if export:
        write_round(result, out)
    export_s = time.monotonic() - exported if export else None
    formats = export_each_format(result, out) if export else {}
    return {
        "start_s": started - asked,
        "duration_s": result.duration_s,
        "end_reason": result.end_reason,
        "end_to_summary_s": (printed_ns - result.ended_ns) / 1e9,
        "stop_s": (stopped_ns - result.ended_ns) / 1e9,
        "last_agent_stop_s": (max(i.stopped_ns or 0 for i in result.identities) - result.ended_ns) / 1e9,
        "records": len(result.events) if not hasattr(result, "record_count") else result.record_count,
        "late": result.disk.late if hasattr(result, "disk") else 0,
        "disk_mb": result.disk.bytes / 1e6 if hasattr(result, "disk") else 0.0,
        "export_s": export_s,
        "formats": formats,
        "peak_rss_mb": peak_mb,
        "peak_rss_with_export_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "dropped": result.dropped,
        "meals": result.stats.operations_total,
    }


def export_each_format(result: Any, out: Path) -> dict[str, dict[str, float]]:
    """Each format written alone (into its own folder below ``out``): wall and CPU seconds (this
    process's and its export workers', children of the fork server), MB."""
    from bench_export_long import pool_cpu_s

    from sims import all_formats, write_round

    done = {}
    for fmt in all_formats():
        folder = out / f"export-{fmt.value}"
        wall, cpu, workers = time.monotonic(), time.process_time(), pool_cpu_s()
        paths = write_round(result, folder, [fmt])
        done[fmt.value] = {
            "wall_s": time.monotonic() - wall,
            "cpu_s": time.process_time() - cpu + pool_cpu_s() - workers,
            "mb": sum(p.stat().st_size for p in paths) / 1e6,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    return done


def in_child(seconds: float, agents: int, backend: str, export: bool, code: Path | None = None) -> dict[str, Any]:
    """Measure in a fresh interpreter; ``code``: the checkout whose ``sims`` it imports (default: ours)."""
    env = dict(os.environ, PYTHONPATH=str(code or Path(__file__).resolve().parent.parent))
    with tempfile.TemporaryDirectory(prefix="bench-long-") as out:
        argv = [sys.executable, __file__, "--child", "--seconds", str(seconds), "--agents", str(agents),
                "--backend", backend, "--out", out] + (["--export"] if export else [])
        done = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=seconds * 4 + 600, env=env)
        return json.loads(done.stdout.strip().splitlines()[-1])


def compare(other: Path, seconds: float, agents: int, backend: str, repeats: int) -> None:
    """Interleaved runs of the same round on ``other`` (e.g. /work/main) and on ours: medians and ratios."""
    keys = ("peak_rss_mb", "end_to_summary_s", "stop_s", "start_s", "duration_s", "records", "dropped")
    runs: dict[str, list[dict[str, Any]]] = {"other": [], "ours": []}
    for _ in range(repeats):
        runs["other"].append(in_child(seconds, agents, backend, False, other))
        runs["ours"].append(in_child(seconds, agents, backend, False))
    for key in keys:
        a = statistics.median(r[key] for r in runs["other"])
        b = statistics.median(r[key] for r in runs["ours"])
        print(f"{key:18} {other}: {a:14,.3f}   ours: {b:14,.3f}   ours/other: {b / a if a else float('nan'):.3f}")


def run(plan: Plan) -> list[Row]:
    seconds = 30.0 if plan.name == "full" else 4.0
    short = in_child(seconds / 2, AGENTS, "process", export=False)
    long = in_child(seconds, AGENTS, "process", export=True)
    name = f"{seconds:g} s, {AGENTS} processes, zero pacing"
    note = (f"{long['records']:,} records ({long['disk_mb']:.0f} MB on disk), {long['meals']:,} meals, "
            "RSS includes the ring pages the engine has read (65 x 65,536 x 32 B = 136 MB at 64 agents, "
            "touched as the rings wrap), "
            f"late {long['late']}, ended by {long['end_reason']} after {long['duration_s']:.1f} s; "
            f"baseline the same round of {seconds / 2:g} s ({short['records']:,} records)")
    return [
        Row(SECTION, f"peak RSS, {name}", long["peak_rss_mb"], "MB", f"{seconds / 2:g} s round", short["peak_rss_mb"],
            f"{long['peak_rss_mb'] / short['peak_rss_mb']:.2f}x", "<= 400 MB, flat", long["peak_rss_mb"] <= 400,
            dropped=long["dropped"], note=note),
        Row(SECTION, f"end -> summary, {name}", long["end_to_summary_s"], "s", f"{seconds / 2:g} s round",
            short["end_to_summary_s"], "", "<= 2 s", long["end_to_summary_s"] <= 2, dropped=long["dropped"]),
        Row(SECTION, f"export (write_round), {name}", long["export_s"], "s", "", None, "", "<= 10 s",
            long["export_s"] <= 10, note=f"peak RSS with the export {long['peak_rss_with_export_mb']:.0f} MB"),
        Row(SECTION, f"start {AGENTS} process agents", long["start_s"], "s", "", None, "", "<= 1 s",
            long["start_s"] <= 1),
        Row(SECTION, f"records lost, {name}", long["dropped"], "records", "", None, "", "0", long["dropped"] == 0),
        *format_rows(long["formats"], name),
    ]


def format_rows(formats: dict[str, dict[str, float]], name: str) -> list[Row]:
    """One row per export format, each written alone (``write_round(result, folder, [format])``)."""
    return [
        Row(SECTION, f"export {fmt} alone, {name}", done["wall_s"], "s", "", None, "", "<= 10 s",
            done["wall_s"] <= 10,
            note=f"CPU {done['cpu_s']:.1f} s (every thread and export worker), {done['mb']:.0f} MB written, "
                 f"peak RSS by then {done['peak_rss_mb']:.0f} MB")
        for fmt, done in formats.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--agents", type=int, default=AGENTS)
    parser.add_argument("--backend", choices=("thread", "process"), default="process")
    parser.add_argument("--export", action="store_true")
    parser.add_argument("--child", action="store_true", help="measure here (a fresh interpreter)")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--compare", type=Path, help="another checkout (e.g. /work/main): interleaved runs, ratios")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    if args.compare:
        compare(args.compare, args.seconds, args.agents, args.backend, args.repeats)
    elif args.child:
        print(json.dumps(measure(args.seconds, args.agents, args.backend, args.out, args.export)))
    else:
        print(json.dumps(in_child(args.seconds, args.agents, args.backend, args.export), indent=1))


if __name__ == "__main__":
    main()
