"""Recompute a round's statistics from its exported tables alone and compare them with summary.json.

Usage: ``python tools/check_export.py DIR [--operation state=eating] [--tables parquet|csv]``

Reads ``events`` and ``intervals`` (Parquet with pyarrow, else CSV) a batch at a time, never the
engine's code paths: operations, acquisitions, timeouts and every wait percentile per agent and
for the round (numpy's linear percentiles over each ACQUIRED's wait, clipped to the round's start,
plus one zero per counted hold when detail was off), Jain's index over the workers, throughput,
and each agent's hold count, mean and longest from the intervals table (plus the counted holds'
``holds``/``held``/``longest_hold`` records). Prints one line per disagreement and exits 1 if
there is any, 0 if every number agrees (relative tolerance 1e-9).

``--operation`` names what counts as one operation (``OP=VALUE``, VALUE a state's name or a
number, or ``OP`` for any value); the default is ``state=eating`` (dining's meals).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import math
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

BATCH = 1 << 20
TOLERANCE = 1e-9
Batch = dict[str, np.ndarray]  # column -> values; names as strings (object arrays), nulls as None


def _parquet_batches(path: Path, columns: list[str]) -> Iterator[Batch]:
    import pyarrow.parquet as pq

    for batch in pq.ParquetFile(path).iter_batches(BATCH, columns=columns):
        out = {}
        for name in columns:
            column = batch.column(name)
            if hasattr(column, "dictionary"):  # names: decode through the dictionary, nulls as None
                names = np.array([*column.dictionary.to_pylist(), None], dtype=object)
                codes = column.indices.to_numpy(zero_copy_only=False)
                codes = np.where(np.asarray(column.is_null().to_numpy(zero_copy_only=False)), -1, codes)
                out[name] = names[codes.astype(np.int64)]
            else:
                out[name] = column.to_numpy(zero_copy_only=False)
        yield out


def _csv_batches(path: Path, columns: list[str]) -> Iterator[Batch]:
    ints = {"t_ns", "value", "start_ns", "end_ns", "duration_ns"}
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        rows: list[dict[str, str]] = []
        for row in reader:
            rows.append(row)
            if len(rows) == BATCH:
                yield _csv_batch(rows, columns, ints)
                rows = []
        if rows:
            yield _csv_batch(rows, columns, ints)


def _csv_batch(rows: list[dict[str, str]], columns: list[str], ints: set[str]) -> Batch:
    out = {}
    for name in columns:
        if name in ints:
            out[name] = np.array([int(r[name]) for r in rows], np.int64)
        else:
            out[name] = np.array([r[name] or None for r in rows], dtype=object)
    return out


def batches(folder: Path, table: str, columns: list[str], kind: str) -> Iterator[Batch]:
    """The table's rows ``BATCH`` at a time, from ``table.parquet`` or ``table.csv``."""
    if kind == "parquet":
        return _parquet_batches(folder / f"{table}.parquet", columns)
    return _csv_batches(folder / f"{table}.csv", columns)


def _percentiles(values: np.ndarray, zeros: int = 0) -> dict[str, float]:
    """Count, mean, numpy's linear p50/p95/p99 and max in ms of ``values`` (ns, none negative) and
    ``zeros`` more zeros, which are counted, not made (a detail-off round has one per counted hold)."""
    n = int(values.size) + zeros
    if n == 0:
        return {"count": 0, "mean": 0.0, "p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0}
    ordered = np.sort(values.astype(np.float64)) / 1e6

    def at(i: np.ndarray) -> np.ndarray:
        return np.where(i < zeros, 0.0, ordered[np.maximum(i - zeros, 0)] if ordered.size else 0.0)

    ranks = np.array([50, 95, 99]) / 100 * (n - 1)
    low = np.floor(ranks).astype(np.int64)
    high = np.minimum(low + 1, n - 1)
    p50, p95, p99 = at(low) + (at(high) - at(low)) * (ranks - low)
    top = float(ordered[-1]) if ordered.size else 0.0
    return {"count": n, "mean": float(ordered.sum()) / n, "p50": p50, "p95": p95, "p99": p99, "max": top}


class _Counts:
    """What one pass over the events table adds up, per agent."""

    def __init__(self, n: int) -> None:
        self.operations = np.zeros(n, np.int64)
        self.timeouts = np.zeros(n, np.int64)
        self.counted_holds = np.zeros(n, np.int64)  # detail off: uncontended holds summed up
        self.counted_held = np.zeros(n, np.int64)
        self.counted_longest = np.zeros(n, np.int64)
        self.wait_agents: list[np.ndarray] = []
        self.wait_values: list[np.ndarray] = []


def _events(folder: Path, kind: str, index: dict[str, int], end_ns: int, operation: tuple[str, str | None]) -> _Counts:
    n = len(index)
    counts = _Counts(n)
    op_name, op_value = operation
    for batch in batches(folder, "events", ["t_ns", "agent", "op", "resource", "state", "value"], kind):
        inside = (batch["t_ns"] >= 0) & (batch["t_ns"] <= end_ns)
        agent = np.array([index.get(a, -1) for a in batch["agent"].tolist()], np.int64)
        mine = inside & (agent >= 0)
        op, value = batch["op"], batch["value"]
        match = mine & (op == op_name)
        if op_value is not None and op_value.lstrip("-").isdigit():
            match &= value == int(op_value)
        elif op_value is not None:  # a state's name
            match &= batch["state"] == op_value
        counts.operations += np.bincount(agent[match], minlength=n)
        counts.timeouts += np.bincount(agent[mine & (op == "timed_out")], minlength=n)
        acquired = mine & (op == "acquired") & np.array([r is not None for r in batch["resource"].tolist()])
        counts.wait_agents.append(agent[acquired])
        counts.wait_values.append(np.minimum(value[acquired], batch["t_ns"][acquired]))
        rows = mine & (op == "holds")
        counts.counted_holds += np.bincount(agent[rows], weights=value[rows], minlength=n).astype(np.int64)
        rows = mine & (op == "held")
        counts.counted_held += np.bincount(agent[rows], weights=value[rows], minlength=n).astype(np.int64)
        rows = mine & (op == "longest_hold")
        np.maximum.at(counts.counted_longest, agent[rows], value[rows])
    return counts


def _holds(folder: Path, kind: str, index: dict[str, int], counts: _Counts) -> list[dict[str, float]]:
    """Each agent's hold count, mean and longest (ms): the intervals table's holds and the counted ones."""
    n = len(index)
    count, total, longest = counts.counted_holds.copy(), counts.counted_held.astype(np.float64), counts.counted_longest
    longest = longest.copy()
    for batch in batches(folder, "intervals", ["agent", "kind", "duration_ns"], kind):
        rows = batch["kind"] == "hold"
        agent = np.array([index.get(a, -1) for a in batch["agent"][rows].tolist()], np.int64)
        duration = batch["duration_ns"][rows].astype(np.int64)
        count += np.bincount(agent, minlength=n)
        total += np.bincount(agent, weights=duration, minlength=n)
        np.maximum.at(longest, agent, duration)
    return [
        {"count": int(count[i]), "mean": total[i] / count[i] / 1e6 if count[i] else 0.0, "max": longest[i] / 1e6}
        for i in range(n)
    ]


def recompute(folder: Path, operation: tuple[str, str | None], kind: str) -> dict[str, Any]:
    """Every number this tool checks, from the tables alone."""
    summary = json.loads((folder / "summary.json").read_text())
    end_ns = int(summary["time_base"]["end_ns"])
    index = {a["name"]: i for i, a in enumerate(summary["statistics"]["agents"])}
    counts = _events(folder, kind, index, end_ns, operation)
    holds = _holds(folder, kind, index, counts)
    w_agent, w_value = np.concatenate(counts.wait_agents), np.concatenate(counts.wait_values)
    seconds = end_ns / 1e9
    agents = []
    for i, hold in enumerate(holds):
        waits = w_value[w_agent == i]
        agents.append(
            {
                "operations": int(counts.operations[i]),
                "throughput_per_s": counts.operations[i] / seconds,
                "acquisitions": int(waits.size + counts.counted_holds[i]),
                "timeouts": int(counts.timeouts[i]),
                "wait_ms": _percentiles(waits, int(counts.counted_holds[i])),
                "hold_ms": hold,
            }
        )
    counted = np.array([a.get("counted", True) for a in summary["statistics"]["agents"]], bool)
    workers = counts.operations[counted].astype(np.float64)
    jain = float(workers.sum() ** 2 / (workers.size * (workers**2).sum())) if workers.any() else None
    return {
        "operations_total": int(counts.operations.sum()),
        "throughput_per_s": counts.operations.sum() / seconds,
        "jain": jain,
        "wait_ms": _percentiles(w_value, int(counts.counted_holds.sum())),
        "agents": agents,
    }


def differences(found: Any, stated: Any, where: str = "") -> Iterator[str]:
    """Each place where ``found`` (recomputed) and ``stated`` (summary.json) disagree."""
    if isinstance(found, dict):
        for key, value in found.items():
            yield from differences(value, stated.get(key) if isinstance(stated, dict) else None, f"{where}.{key}")
    elif isinstance(found, list):
        listed = stated if isinstance(stated, list) else []
        for i, value in enumerate(found):
            yield from differences(value, listed[i] if i < len(listed) else None, f"{where}[{i}]")
    elif found is None or stated is None:
        if found != stated:
            yield f"{where.lstrip('.')}: recomputed {found!r}, summary.json says {stated!r}"
    elif not math.isclose(float(found), float(stated), rel_tol=TOLERANCE, abs_tol=1e-12):
        yield f"{where.lstrip('.')}: recomputed {found!r}, summary.json says {stated!r}"


def _unusable(folder: Path, kind: str) -> str:
    """Why ``folder`` holds no export this tool can read ("" if it does)."""
    for name in ("summary.json", f"events.{kind}", f"intervals.{kind}"):
        if not (folder / name).is_file():
            return f"{folder / name}: no such file (export the round with --format {kind} first)"
    if kind == "parquet" and importlib.util.find_spec("pyarrow") is None:
        return "--tables parquet needs pyarrow (pip install pyarrow), or use --tables csv"
    try:
        json.loads((folder / "summary.json").read_text())
    except (OSError, ValueError) as error:
        return f"{folder / 'summary.json'}: not readable JSON ({error})"
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--operation", default="state=eating")
    parser.add_argument("--tables", choices=("parquet", "csv"), help="default: parquet if the folder has it")
    args = parser.parse_args(argv)
    kind = args.tables or ("parquet" if (args.folder / "events.parquet").exists() else "csv")
    op, _, value = args.operation.partition("=")
    problem = "" if op else f"--operation {args.operation!r}: no op before '='"
    problem = problem or _unusable(args.folder, kind)
    if problem:
        print(f"check_export: error: {problem}", file=sys.stderr)
        return 2
    try:
        found = recompute(args.folder, (op, value or None), kind)
    except (KeyError, TypeError, ValueError) as error:  # not a round's export (a summary or table of something else)
        print(f"check_export: error: {args.folder}: not a round's export ({error!r})", file=sys.stderr)
        return 2
    stats = json.loads((args.folder / "summary.json").read_text())["statistics"]
    stated = {
        "operations_total": stats["operations_total"],
        "throughput_per_s": stats["throughput_per_s"],
        "jain": stats["jain"],
        "wait_ms": stats["wait_ms"],
        "agents": [
            {key: a[key] for key in ("operations", "throughput_per_s", "acquisitions", "timeouts", "wait_ms")}
            | {"hold_ms": {key: a["hold_ms"][key] for key in ("count", "mean", "max")}}
            for a in stats["agents"]
        ],
    }
    wrong = list(differences(found, stated))
    for line in wrong:
        print(line)
    checked = sum(1 for _ in differences(found, {}))  # every leaf, each reported as missing from {}
    print(f"{args.folder} ({kind}): {checked - len(wrong)} of {checked} numbers agree with summary.json")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
