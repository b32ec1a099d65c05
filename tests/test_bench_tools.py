"""The engine benchmark runs end to end (``--quick``), prints every row and cleans up after itself.

No timing thresholds: only that each measurement is there, is a positive number and got a
verdict where it has a target. The autouse fixture checks no child or segment is left.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(600)

TOOL = Path(__file__).resolve().parent.parent / "tools" / "bench_engine.py"

TARGETED_ROWS = (
    "emit ns/record (thread)",
    "emit ns/record (process)",
    "end-to-end CPU/record ring (thread)",
    "end-to-end CPU/record ring (process)",
    "reader drain",
    "compute_round_stats 1,000,000 events",
    "instrumented detail meals/s 5 threads",
    "instrumented no detail meals/s 5 threads",
    "instrumented detail meals/s 16 threads",  # --quick crowds 16 threads and 8 processes (64 of each in full)
    "instrumented detail meals/s 5 processes",
    "instrumented no detail meals/s 5 processes",
    "instrumented detail meals/s 8 processes",
)
PLAIN_ROWS = (
    "reader drain + to_events",
    "LiveModel.feed (64 agents)",
    "engine poll intake (64 agents)",
    "acquire+release ns/pair (thread)",
    "acquire+release ns/pair (process)",
    "raw meals/s 5 threads",
    "raw meals/s 16 threads",
    "raw meals/s 5 processes",
    "raw meals/s 8 processes",
)


def run_tool(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(TOOL), "--quick", *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def row(stdout: str, name: str) -> str:
    lines = [line for line in stdout.splitlines() if re.match(rf"\d \w+\s+{re.escape(name)}\s{{2}}", line)]
    assert len(lines) == 1, f"row {name!r} printed {len(lines)} times:\n{stdout}"
    return lines[0]


def value_of(line: str, name: str) -> float:
    cell = line.split(name, 1)[1].split(maxsplit=1)[0]
    return float(cell.replace(",", ""))


def test_quick_run_prints_every_row_with_a_value_and_verdict() -> None:
    done = run_tool(timeout=540)
    assert done.returncode == 0, done.stderr
    for name in TARGETED_ROWS + PLAIN_ROWS:
        line = row(done.stdout, name)
        assert value_of(line, name) > 0, line
        if name in TARGETED_ROWS:
            assert line.endswith(("MET", "NOT MET")), line
    for flavour in ("threads", "processes"):
        line = row(done.stdout, f"instrumented detail meals/s 5 {flavour}")
        assert re.search(r"per CPU-s\)\s+[\d,]+\s+[01]\.\d{3}\s+\d+\s", line), f"no CPU, Jain or dropped: {line}"
    for crowd in ("16 threads", "8 processes"):  # the agents wait for a stalled engine: the row has a verdict
        assert row(done.stdout, f"records lost, engine stalled 1 s, {crowd}").endswith(("MET", "NOT MET"))
    assert "Traceback" not in done.stderr
    assert "leaked" not in done.stderr  # the resource tracker warns about segments never unlinked


def test_only_and_markdown_write_just_the_chosen_section(tmp_path: Path) -> None:
    out = tmp_path / "table.md"
    done = run_tool("--only", "lock", "--markdown", str(out), timeout=120)
    assert done.returncode == 0, done.stderr
    assert "acquire+release ns/pair (process)" in done.stdout
    assert "meals/s" not in done.stdout
    table = out.read_text().splitlines()
    assert table[0].startswith("| section | measurement |")
    assert [line.split(" | ")[1] for line in table[2:]] == [
        "acquire+release ns/pair (thread)",
        "acquire+release ns/pair (process)",
    ]


def test_the_frame_benchmark_runs_a_small_busy_round_and_reports_every_row(tmp_path: Path) -> None:
    """``tools/bench_frames.py`` end to end, small (4 agents, 30 frames): every row is there
    with numbers, the round ran through the window's standby host, nothing is left behind."""
    table = tmp_path / "frames.md"
    frames_tool = TOOL.parent / "bench_frames.py"
    args = [sys.executable, str(frames_tool), "--agents", "4", "--frames", "30", "--warm-s", "0.5"]
    args += ["--markdown", str(table)]
    out = subprocess.run(args, capture_output=True, text=True, timeout=300, check=True).stdout
    assert out.strip() == table.read_text().strip()
    for row in ("empty frame (baseline", "busy frame (ingest", "busy frame, CPU time", "waited for a CPU"):
        line = next(line for line in out.splitlines() if row in line)
        assert len(re.findall(r"\d+\.\d+ ms", line)) == 2, line
    assert "(agents: forkserver, scheduling policy idle)" in out
    # How many records the window drew, and the result holds, depends on how much CPU its SCHED_IDLE
    # agents got: on a machine busy elsewhere, none at all. The rows must be there with their counts.
    assert re.search(r"drawn from its pictures\): \d[\d,]* in", out)
    assert re.search(r"results ready: \d+\.\d\d s from End to the result with all \d[\d,]* records", out)
    for way in ("the window's way", "cold"):
        line = next(line for line in out.splitlines() if f"round start, {way}" in line)
        assert len(re.findall(r"\d+\.\d\d s", line)) == 2, line


def test_the_startup_section_compares_forked_with_spawned_agents() -> None:
    done = run_tool("--only", "startup", timeout=300)
    assert done.returncode == 0, done.stderr
    line = row(done.stdout, "start 5 process agents (forkserver, as diner run)")
    assert value_of(line, "start 5 process agents (forkserver, as diner run)") > 0
    assert "x faster" in line and line.endswith(("MET", "NOT MET")), line
    assert value_of(row(done.stdout, "start 5 thread agents"), "start 5 thread agents") > 0
