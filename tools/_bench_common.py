"""What every section of ``bench_engine.py`` shares: result rows, repeats, the table, the machine."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import attrs


@attrs.frozen
class Plan:
    """How long and how often to measure: ``quick`` for a smoke test, ``full`` for the record."""

    name: str
    repeats: int  # best-of / median-of for each measurement
    batch: int  # operations per timed micro-benchmark batch
    records: int  # records sent end to end per telemetry transfer
    transfers: int  # end-to-end transfers per transport (median taken)
    dining_s: float  # measured window of every dining run
    dining_repeats: int  # interleaved repeats of the 5-philosopher runs
    stats_events: int
    many_threads: int = 64  # the crowded dining runs (a smoke test need not spawn 64 interpreters)
    many_processes: int = 64


QUICK = Plan("quick", repeats=2, batch=4_000, records=50_000, transfers=1, dining_s=0.5, dining_repeats=1,
             stats_events=1_000_000, many_threads=16, many_processes=8)
FULL = Plan("full", repeats=15, batch=8_000, records=400_000, transfers=3, dining_s=4.0, dining_repeats=3,
            stats_events=1_000_000)


@attrs.frozen
class Row:
    """One line of the table: a measurement, what it is compared with, and its target."""

    section: str
    name: str
    value: float
    unit: str
    baseline: str = ""
    baseline_value: float | None = None
    ratio: str = ""  # e.g. "14.2x less CPU"; computed by the section, which knows the direction
    target: str = ""
    met: bool | None = None
    jain: float | None = None  # Jain's fairness index of the run (dining)
    dropped: int | None = None  # telemetry records lost (dining rounds)
    per_cpu: float | None = None  # operations per CPU-second of the whole run (dining)
    note: str = ""


def best_ns_per_op(run_batch: Callable[[], int], repeats: int, ops: int) -> float:
    """Smallest ns per operation over ``repeats`` batches; ``run_batch`` returns elapsed ns."""
    return min(run_batch() for _ in range(repeats)) / ops


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def jain(counts: Sequence[float]) -> float:
    """Jain's fairness index: 1 when everybody got the same, 1/n when one got everything."""
    total = float(sum(counts))
    squares = float(sum(c * c for c in counts))
    return total * total / (len(counts) * squares) if squares else 0.0


def fmt(value: float | None) -> str:
    if value is None:
        return ""
    if value == 0 or abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def verdict(met: bool | None) -> str:
    return {True: "MET", False: "NOT MET", None: ""}[met]


_HEADER = ("section", "measurement", "value", "unit", "baseline (same run)", "baseline", "ratio", "per CPU-s", "jain",
           "dropped", "target", "verdict")


def _cells(r: Row) -> tuple[str, ...]:
    return (r.section, r.name, fmt(r.value), r.unit, r.baseline, fmt(r.baseline_value), r.ratio, fmt(r.per_cpu),
            "" if r.jain is None else f"{r.jain:.3f}", "" if r.dropped is None else str(r.dropped),
            r.target, verdict(r.met))


def table(rows: Sequence[Row]) -> str:
    """A fixed-width text table, one line per row, notes underneath."""
    cells = [_HEADER] + [_cells(r) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(_HEADER))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(cell, widths, strict=True)).rstrip() for cell in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"  [{r.section}] {r.name}: {r.note}" for r in rows if r.note]
    return "\n".join(lines + (["", "notes:", *notes] if notes else []))


def markdown(rows: Sequence[Row]) -> str:
    """The same table in Markdown, for docs/benchmarks.md."""
    head = "| " + " | ".join(_HEADER) + " |"
    rule = "|" + "---|" * len(_HEADER)
    body = ["| " + " | ".join(_cells(r)) + " |" for r in rows]
    return "\n".join([head, rule, *body])


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    cpu = "unknown"
    info = Path("/proc/cpuinfo")
    if info.exists():
        for line in info.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": str(os.cpu_count()),
        "usable cpus": str(len(os.sched_getaffinity(0))) if hasattr(os, "sched_getaffinity") else "?",
        "cpu model": cpu,
        "python": f"{platform.python_version()} ({platform.python_implementation()}, {platform.python_compiler()})",
        "platform": platform.platform(),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "load average": load(),
    }


def load() -> str:
    """The 1/5/15-minute load averages: other work on the machine skews every number."""
    if not hasattr(os, "getloadavg"):
        return "?"
    return " ".join(f"{x:.2f}" for x in os.getloadavg())
