"""Time a round's export and reading rounds back (issue 15's targets).

Usage: ``python tools/bench_export.py [--events N] [--rounds R] [--round-events M] [--repeat K]``

One busy dining round (threads, no think or eat time) is run until it has at least N records
(tiled with shifted copies if it falls short) and cut to exactly N. Then, best of K each:
``write_round`` as Parquet, as CSV and as a Perfetto trace, against the old writer measured
in the same run (``np.savetxt`` of the raw records: 3-5 us a row), and ``load_rounds`` /
``load_table`` over R rounds of M records each, against pandas reading their events.csv.
Compare ratios across machines, not seconds. pyarrow's first call in a process sets itself up
(~0.3 s); the export is timed after one warm-up export, and the cold time is printed too.
"""

from __future__ import annotations

import argparse
import io
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import attrs
import numpy as np

from sims import Format, dataset_folder, write_round
from sims.analysis import load_rounds, load_table
from sims.engine import Round
from sims.rounds import RoundConfig, RoundResult


def busy_round(events: int) -> RoundResult:
    config = RoundConfig("dining", strategy="ordered", seconds=3.0, params={"think_ms": 0, "eat_ms": 0})
    with Round(config) as rnd:
        result = rnd.run()
    got = result.events
    parts, shift = [got], 0
    while sum(len(p) for p in parts) < events:
        shift += int(got["t_ns"][-1] - got["t_ns"][0]) + 1
        later = got.copy()
        later["t_ns"] += shift
        parts.append(later)
    return attrs.evolve(result, events=np.concatenate(parts)[:events])


def best(run: Callable[[], object], repeat: int) -> float:
    """Best wall time of ``repeat`` runs (``best_cpu`` for CPU time: a loaded machine stretches wall time)."""
    return min(_timed(run)[0] for _ in range(repeat))


def best_cpu(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(best wall, best CPU) seconds of ``repeat`` runs; CPU counts every thread of this process."""
    timings = [_timed(run) for _ in range(repeat)]
    return min(t[0] for t in timings), min(t[1] for t in timings)


def _timed(run: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def savetxt(result: RoundResult) -> bytes:
    """The writer before schema v1: every raw record as ``t_ns,agent,resource,op,value``."""
    ev = result.events
    table = np.column_stack([ev[f].astype(np.int64) for f in ("t_ns", "agent", "resource", "op", "value")])
    buffer = io.StringIO()
    np.savetxt(buffer, table, fmt="%d", delimiter=",")
    return buffer.getvalue().encode()


def export_section(result: RoundResult, folder: Path, repeat: int) -> None:
    n = len(result.events)
    cold = best(lambda: write_round(result, folder / "cold", (Format.PARQUET,)), 1)
    base = best(lambda: savetxt(result), repeat)
    print(f"export of {n:,} records (best of {repeat}); baseline np.savetxt of the raw records: {base:.3f} s")
    print(f"  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    targets = {Format.PARQUET: 0.5, Format.CSV: 1.0, Format.TRACE: 3.0}
    for fmt, target in targets.items():
        out = folder / fmt.value
        seconds, cpu = best_cpu(lambda fmt=fmt, out=out: write_round(result, out, (fmt,)), repeat)
        size = sum(p.stat().st_size for p in out.iterdir() if p.name != "summary.json")
        met = "met" if seconds <= target else "MISSED"
        print(
            f"  {fmt.value:8s} {seconds:6.3f} s (CPU {cpu:5.3f} s)  {base / seconds:5.1f}x faster than savetxt  "
            f"{size / 1e6:6.1f} MB  target <= {target:g} s: {met}"
        )
    print(f"  parquet, cold (pyarrow's first call in the process): {cold:.3f} s")


def load_section(result: RoundResult, rounds: int, per_round: int, folder: Path, repeat: int) -> None:
    import pandas as pd

    cut = attrs.evolve(result, events=result.events[:per_round])
    for seed in range(rounds):
        one = attrs.evolve(cut, config=attrs.evolve(cut.config, seed=seed))
        write_round(one, dataset_folder(folder, one), (Format.PARQUET, Format.CSV))
    csvs = sorted(folder.rglob("events.csv"))
    base = best(lambda: pd.concat([pd.read_csv(p) for p in csvs]), 1)
    summaries = best(lambda: load_rounds(folder), repeat)
    events = best(lambda: load_table(folder, "events"), repeat)
    total = rounds * per_round
    print(f"reading {rounds} rounds of {per_round:,} records ({total:,}); baseline pandas.read_csv: {base:.3f} s")
    print(
        f"  load_rounds (one row per round)  {summaries:6.3f} s  target <= 1 s: {'met' if summaries <= 1 else 'MISSED'}"
    )
    print(f"  load_table(events) (every record) {events:6.3f} s  {base / events:5.1f}x faster than read_csv")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--round-events", type=int, default=700_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    result = busy_round(max(args.events, args.round_events))
    with tempfile.TemporaryDirectory(prefix="bench-export-") as scratch:
        root = Path(scratch)
        export_section(attrs.evolve(result, events=result.events[: args.events]), root / "export", args.repeat)
        load_section(result, args.rounds, args.round_events, root / "rounds", args.repeat)


if __name__ == "__main__":
    main()
