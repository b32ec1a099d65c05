"""Peak memory and time of exporting one long stored round, per format: this checkout against another's.

Usage: ``python tools/bench_export_memory.py --round DIR [--against /work/main] [--cases parquet,csv,parquet+csv]
[--repeats 1]``, DIR made by ``python tools/bench_export_long.py --make DIR``. Each case is a format
or formats joined by ``+``, every table written with ``write_round`` in a fresh interpreter,
alternately with the other checkout's ``sims`` and with ours. Printed per case: wall and CPU seconds
of the writing process (export workers not counted: they are separate processes), its peak resident
memory (``ru_maxrss``, the round's result loaded included), and ours/theirs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CASES = "parquet,csv,parquet+csv"


def child(folder: Path, formats: str, out: Path) -> None:
    """Write here (a fresh interpreter) and print what it took."""
    from bench_export_long import stored

    from sims import Format, write_round

    result = stored(folder)
    wall, cpu = time.monotonic(), time.process_time()
    write_round(result, out, [Format(f) for f in formats.split("+")])
    print(json.dumps({"wall_s": time.monotonic() - wall, "cpu_s": time.process_time() - cpu,
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "records": result.record_count}))


def compare(folder: Path, other: Path, cases: list[str], repeats: int) -> None:
    from bench_export_long import interleaved

    runs = interleaved(folder, other, cases, repeats, __file__)
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
    sys.path.insert(0, str(ROOT / "tools"))  # bench_export_long, beside this one
    from bench_export_long import child_arguments

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--round", type=Path, help="a folder made by tools/bench_export_long.py --make")
    parser.add_argument("--against", type=Path, default=Path("/work/main"))
    parser.add_argument("--cases", default=DEFAULT_CASES)
    parser.add_argument("--repeats", type=int, default=1)
    child_arguments(parser)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.format, args.out)
    elif args.round:
        compare(args.round, args.against, args.cases.split(","), args.repeats)
    else:
        parser.error("give --round DIR (made by tools/bench_export_long.py --make DIR)")


if __name__ == "__main__":
    main()
