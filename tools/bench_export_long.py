"""Export of one long stored round in every format: this checkout against another's, interleaved.

Usage:
  ``python tools/bench_export_long.py --make DIR [--seconds 30] [--agents 64]``: run the long round
  once (``dining ordered``, process agents forked as ``diner run`` forks them, zero pacing) and keep
  it in DIR (its records/*.npy spill and the pickled result);
  ``python tools/bench_export_long.py --round DIR [--tile 2] [--against /work/main] [--repeats 2]``:
  write it with ``write_round(result, folder, [format])``, each format alone and each write in a
  fresh interpreter, alternately with the other checkout's ``sims`` and with ours.

``--tile K`` makes the round K times as long once (DIR-xK: its record columns repeated, each copy
shifted by the round's duration; the order of the records on disk, late ones included, is kept),
so that a round of the size a quiet machine records (11 M records) can be measured on a busy one.
Printed per format: wall seconds of ``write_round``; CPU seconds of the writing process and of every
worker process it used (the fork server's reaped children: pool workers are not our children); MB;
whether both checkouts wrote the same text (trace: after decompression); ours/theirs.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULT = "result.pickle"


def make(folder: Path, seconds: float, agents: int) -> None:
    """Run the round into ``folder`` and keep its result (records stay in the spill)."""
    import attrs
    import numpy as np

    from sims.engine import Round
    from sims.rounds import RoundConfig
    from sims.telemetry import EVENT_DTYPE, MemoryRecords

    params = {"agents": agents, "think_ms": 0, "eat_ms": 0}
    config = RoundConfig("dining", backend="process", strategy="ordered", seconds=seconds, params=params,
                         start_method="forkserver")
    result = Round(config, records_dir=folder).run()
    kept = attrs.evolve(result, records=MemoryRecords(np.empty(0, EVENT_DTYPE)))
    (folder / RESULT).write_bytes(pickle.dumps(kept))
    print(f"{result.record_count:,} records, {result.duration_s:.1f} s, ended by {result.end_reason}, "
          f"{result.dropped} lost, kept in {folder}")


def stored(folder: Path) -> Any:
    """The kept result, its records read from the folder's spill."""
    import attrs

    import sims.telemetry

    try:
        spilled = sims.telemetry.SpilledRecords
    except AttributeError:  # a checkout (--against) from before sims.telemetry named it
        spilled = importlib.import_module("sims.telemetry.spill").SpilledRecords
    result = pickle.loads((folder / RESULT).read_bytes())
    return attrs.evolve(result, records=spilled(folder / "records"))


def tiled(folder: Path, times: int) -> Path:
    """``folder``'s round ``times`` as long (made once, in ``folder``-x``times``)."""
    import attrs
    import numpy as np

    from sims.telemetry import EVENT_DTYPE, MemoryRecords, RecordSpill

    target = folder.with_name(f"{folder.name}-x{times}")
    if (target / RESULT).exists():
        return target
    result = stored(folder)
    shift = result.ended_ns - result.started_ns + 1
    columns = result.records.columns()
    spill = RecordSpill(target / "records")
    for k in range(times):
        for at in range(0, len(result.records), 1 << 20):
            piece = np.empty(min(1 << 20, len(result.records) - at), dtype=EVENT_DTYPE)
            for name in EVENT_DTYPE.names:
                piece[name] = columns[name][at : at + piece.size]
            piece["t_ns"] += k * shift
            spill.append(piece)
    spill.close()
    kept = attrs.evolve(result, ended_ns=result.started_ns + times * shift - 1,
                        records=MemoryRecords(np.empty(0, EVENT_DTYPE)))
    (target / RESULT).write_bytes(pickle.dumps(kept))
    return target


def pool_cpu_s() -> float:
    """CPU seconds of the fork server's reaped children (export workers, agents): 0 if none ran."""
    from multiprocessing import forkserver

    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    if not pid:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")  # cutime, cstime


def child(folder: Path, fmt: str, out: Path) -> None:
    """Write one format here (a fresh interpreter) and print what it took."""
    from sims import Format, write_round

    result = stored(folder)
    wall, cpu, pool = time.monotonic(), time.process_time(), pool_cpu_s()
    paths = write_round(result, out, [Format(fmt)])
    done = {"wall_s": time.monotonic() - wall, "cpu_s": time.process_time() - cpu,
            "workers_cpu_s": pool_cpu_s() - pool, "records": result.record_count,
            "mb": sum(p.stat().st_size for p in paths) / 1e6, "digest": digest(paths)}
    print(json.dumps(done))


def digest(paths: list[Path]) -> str:
    """One hash of every file but summary.json (its round id and time differ by design); a trace
    is hashed decompressed (two gzip writers may compress the same text differently)."""
    h = hashlib.sha256()
    for path in sorted(p for p in paths if p.name != "summary.json"):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as handle:
            while block := handle.read(1 << 22):
                h.update(block)
    return h.hexdigest()


def write_in_child(code: Path, folder: Path, fmt: str, script: str = __file__) -> dict[str, Any]:
    """``script --child`` (this one, or another tool's) with ``code``'s sims: what it printed last."""
    env = dict(os.environ, PYTHONPATH=str(code))
    with tempfile.TemporaryDirectory(prefix="bench-export-", dir=folder.parent) as out:
        argv = [sys.executable, script, "--child", str(folder), "--format", fmt, "--out", str(Path(out) / "x")]
        done = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=900, env=env)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def interleaved(folder: Path, other: Path, formats: list[str], repeats: int,
                script: str = __file__) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Each format written ``repeats`` times with ``other``'s sims ("theirs"), then ours."""
    runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for _ in range(repeats):
        for fmt in formats:
            for name, code in (("theirs", other), ("ours", ROOT)):
                runs.setdefault((fmt, name), []).append(write_in_child(code, folder, fmt, script))
    return runs


def compare(folder: Path, other: Path, formats: list[str], repeats: int) -> None:
    runs = interleaved(folder, other, formats, repeats)
    print(f"{other} against {ROOT}: {folder}, medians of {repeats}, load {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} CPUs")
    print("| format | records | wall theirs | wall ours | CPU theirs | CPU ours | MB theirs / ours | same text "
          "| wall ours/theirs | CPU ours/theirs |")
    print("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|")
    for fmt in formats:
        a, b = runs[(fmt, "theirs")], runs[(fmt, "ours")]
        wall_a, wall_b = (statistics.median(r["wall_s"] for r in x) for x in (a, b))
        cpu_a, cpu_b = (statistics.median(r["cpu_s"] + r["workers_cpu_s"] for r in x) for x in (a, b))
        same = {r["digest"] for r in a} == {r["digest"] for r in b}
        print(f"| {fmt} | {a[0]['records']:,} | {wall_a:.2f} s | {wall_b:.2f} s | {cpu_a:.2f} s | {cpu_b:.2f} s "
              f"| {a[0]['mb']:.0f} / {b[0]['mb']:.0f} | {same} | {wall_b / wall_a:.2f} | {cpu_b / cpu_a:.2f} |")
    print(json.dumps({f"{fmt} {name}": got for (fmt, name), got in runs.items()}))


def child_arguments(parser: argparse.ArgumentParser) -> None:
    """The hidden arguments of a ``--child`` run (see write_in_child)."""
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--format", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--make", type=Path, help="run the long round and keep it in this folder")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--agents", type=int, default=64)
    parser.add_argument("--round", type=Path, help="a folder made by --make")
    parser.add_argument("--tile", type=int, default=1)
    parser.add_argument("--against", type=Path, default=Path("/work/main"))
    parser.add_argument("--formats", default="csv,trace,parquet")
    parser.add_argument("--repeats", type=int, default=2)
    child_arguments(parser)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.format, args.out)
    elif args.make:
        make(args.make, args.seconds, args.agents)
    elif args.round:
        folder = tiled(args.round, args.tile) if args.tile > 1 else args.round
        compare(folder, args.against, args.formats.split(","), args.repeats)
    else:
        parser.error("say --make DIR or --round DIR")


if __name__ == "__main__":
    main()
