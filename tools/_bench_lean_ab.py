"""Instrumented / raw meals of ``dining ordered`` for this checkout against a git revision, interleaved.

Usage: ``python tools/_bench_lean_ab.py --against REV [--repeats N] [--seconds S] [--detail]``

For each repeat and backend: the raw loop, then the instrumented round (5 agents, zero pacing,
detail off unless ``--detail``) of the revision and of this checkout, the order of the two
swapped every other repeat. Every run is a process of its own started in its checkout (the
revision is extracted with ``git archive`` into a temporary folder, removed at the end), so
each imports only its own code; the runs are ``raw_meals`` and ``round_meals`` of
``tools/_bench_dining.py``. On a loaded machine the raw rate moves between repeats: the ratio
per CPU-second (meals per CPU-second of every process of the run) is the steadier one. Backs
the detail-off numbers in ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
AGENTS = 5
RUN = """
import json, sys
sys.path.insert(0, "tools")
from _bench_dining import raw_meals, round_meals

def main():
    kind, backend, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    if kind == "raw":
        got = raw_meals(backend, {agents}, seconds)
    else:
        got = round_meals(backend, {agents}, seconds, detail=kind == "detail")
    print(json.dumps({{"per_s": got.per_s, "per_cpu_s": got.per_cpu_s, "failure": got.failure}}))

if __name__ == "__main__":
    main()
"""


def _extract(rev: str, into: Path) -> None:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], capture_output=True, check=True).stdout
    with tempfile.TemporaryFile() as tar:
        tar.write(archive)
        tar.seek(0)
        with tarfile.open(fileobj=tar) as files:
            files.extractall(into, filter="data")


def _run(checkout: Path, script: Path, kind: str, backend: str, seconds: float) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(checkout))
    done = subprocess.run(
        [sys.executable, str(script), kind, backend, str(seconds)],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"a {kind} {backend} run in {checkout} failed:\n{done.stderr[-2000:]}")
    got: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if got["failure"]:
        raise SystemExit(f"a {kind} {backend} run in {checkout} does not count: {got['failure']}")
    return got


def _report(rows: dict[tuple[str, str], list[dict[str, Any]]], kind: str, rev: str) -> None:
    for backend in ("thread", "process"):
        raw = rows[(backend, "raw")]
        label = "threads" if backend == "thread" else "processes"
        print(f"\n{AGENTS} {label}, zero pacing, {kind}: of raw (per CPU-s), median and each repeat")
        for who in (rev, "this checkout"):
            runs = rows[(backend, who)]
            ratios = [r["per_s"] / w["per_s"] for r, w in zip(runs, raw, strict=True)]
            cpu = [r["per_cpu_s"] / w["per_cpu_s"] for r, w in zip(runs, raw, strict=True)]
            each = " ".join(f"{a:.1%} ({b:.1%})" for a, b in zip(ratios, cpu, strict=True))
            print(f"  {who:14s} {statistics.median(ratios):6.1%} ({statistics.median(cpu):.1%})   {each}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--against", required=True, metavar="REV")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--detail", action="store_true", help="instrumented rounds record detail")
    args = parser.parse_args()
    kind = "detail" if args.detail else "lean"
    rows: dict[tuple[str, str], list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="lean_ab_") as folder:
        base = Path(folder) / "checkout"
        _extract(args.against, base)
        script = Path(folder) / "run_one.py"
        script.write_text(RUN.format(agents=AGENTS))
        for repeat in range(args.repeats):
            for backend in ("thread", "process"):
                pair = [(args.against, base), ("this checkout", ROOT)]
                for who, checkout in [("raw", ROOT), *(pair if repeat % 2 == 0 else pair[::-1])]:
                    got = _run(checkout, script, "raw" if who == "raw" else kind, backend, args.seconds)
                    rows.setdefault((backend, who), []).append(got)
                    at = time.strftime("%H:%M:%S")
                    print(f"{at} {repeat} {backend} {who}: {got['per_s']:,.0f} meals/s", flush=True)
    _report(rows, kind, args.against)


if __name__ == "__main__":
    main()
