"""Peak memory and time of exporting one long stored round, per format and table: this checkout against another's.

Usage: ``python tools/bench_export_memory.py --round DIR [--against /work/main] [--cases parquet:intervals,...]
[--repeats 1]``, DIR made by ``python tools/bench_export_long.py --make DIR``. Each case is a format
(``parquet``, ``csv``, or both: ``parquet+csv``) and the tables written (``all``, or one of
``events``, ``agents``, ``resources``, ``intervals``), written with ``write_round`` in a fresh
interpreter, alternately with the other checkout's ``sims`` and with ours. Printed per case: wall and
CPU seconds of the writing process (export workers not counted: they are separate processes), its
peak resident memory (``ru_maxrss``, the round's result loaded included), and ours/theirs.
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

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CASES = "parquet:intervals,parquet:all,csv:intervals,csv:all"


def child(folder: Path, formats: str, table: str, out: Path) -> None:
    """Write here (a fresh interpreter) and print what it took."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_export_long import stored

    from sims import export

    result = stored(folder)
    if table != "all":
        for name in list(export.TABLES):
            if name != table:
                del export.TABLES[name]
    wall, cpu = time.monotonic(), time.process_time()
    export.write_round(result, out, [export.Format(f) for f in formats.split("+")])
    print(json.dumps({"wall_s": time.monotonic() - wall, "cpu_s": time.process_time() - cpu,
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "records": result.record_count}))


def write_in_child(code: Path, folder: Path, case: str) -> dict[str, Any]:
    formats, table = case.split(":")
    env = dict(os.environ, PYTHONPATH=str(code))
    with tempfile.TemporaryDirectory(prefix="bench-export-memory-", dir=folder.parent) as out:
        argv = [sys.executable, __file__, "--child", str(folder), "--format", formats, "--table", table,
                "--out", str(Path(out) / "x")]
        done = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=900, env=env)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def compare(folder: Path, other: Path, cases: list[str], repeats: int) -> None:
    runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for _ in range(repeats):
        for case in cases:
            for name, code in (("theirs", other), ("ours", ROOT)):
                runs.setdefault((case, name), []).append(write_in_child(code, folder, case))
    print(f"{other} against {ROOT}: {folder}, medians of {repeats}, load {os.getloadavg()[0]:.1f}")
    print("| case | records | wall theirs / ours | CPU theirs / ours | peak RSS theirs / ours "
          "| wall, CPU, RSS ours/theirs |")
    print("|---|---:|---:|---:|---:|---:|")
    for case in cases:
        a, b = runs[(case, "theirs")], runs[(case, "ours")]
        got = {key: [statistics.median(r[key] for r in x) for x in (a, b)] for key in ("wall_s", "cpu_s", "rss_mb")}
        (wa, wb), (ca, cb), (ra, rb) = got["wall_s"], got["cpu_s"], got["rss_mb"]
        print(f"| {case} | {a[0]['records']:,} | {wa:.2f} / {wb:.2f} s | {ca:.2f} / {cb:.2f} s "
              f"| {ra:.0f} / {rb:.0f} MB | {wb / wa:.2f}, {cb / ca:.2f}, {rb / ra:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--round", type=Path, help="a folder made by tools/bench_export_long.py --make")
    parser.add_argument("--against", type=Path, default=Path("/work/main"))
    parser.add_argument("--cases", default=DEFAULT_CASES)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--format", help=argparse.SUPPRESS)
    parser.add_argument("--table", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.format, args.table, args.out)
    elif args.round:
        compare(args.round, args.against, args.cases.split(","), args.repeats)
    else:
        parser.error("give --round DIR (made by tools/bench_export_long.py --make DIR)")


if __name__ == "__main__":
    main()
