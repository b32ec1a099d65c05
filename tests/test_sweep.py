"""Sweeps: the grid, one folder per round, resuming, failures as rows, a pool and Dask."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq  # the analysis extra: a test dependency
import pytest

from sims.sweep import SUMMARY, SweepSpec, partition, sweep
from tests.helpers import session_members, terminal_child, wait_until

pytestmark = pytest.mark.timeout(180)

SMALL = SweepSpec(
    "dining",
    strategies=("naive", "ordered"),
    grid=(("think_ms", (0.0, 2.0)),),
    seeds=(0,),
    seconds=0.2,
    fixed={"eat_ms": 1.0, "agents": 3},
)


def rows(table: Path) -> list[dict]:
    return pq.read_table(table).to_pylist()


def test_the_grid_is_every_combination_each_in_its_own_hive_folder() -> None:
    configs = SMALL.configs()
    assert len(configs) == 4
    assert {(c.strategy, c.params["think_ms"]) for c in configs} == {
        ("naive", 0.0), ("naive", 2.0), ("ordered", 0.0), ("ordered", 2.0)
    }
    assert all(c.params["eat_ms"] == 1.0 for c in configs)
    assert all(c.agent_nice == 0 for c in configs)  # headless, as `diner run`: the same round as that command
    where = partition(configs[0], "naive", ["think_ms"])
    assert where == Path("scenario=dining", "strategy=naive", "backend=thread", "think_ms=0.0", "seed=0")
    assert SMALL.swept() == ("strategy", "think_ms")


def test_a_sweep_resumes_where_it_stopped_and_tables_every_round(tmp_path: Path) -> None:
    first = sweep(SMALL, tmp_path)
    assert (first.ran, first.skipped, first.failed) == (4, 0, 0)
    gone = Path(first.rows[2]["folder"]) / SUMMARY
    gone.unlink()  # as if the sweep had been stopped before this round ended
    again = sweep(SMALL, tmp_path)
    assert (again.ran, again.skipped) == (1, 3)
    table = rows(again.table)
    assert len(table) == 4 and all(r["ok"] for r in table)
    assert {r["strategy"] for r in table} == {"naive", "ordered"}
    assert all(r["stat.operations_total"] >= 0 and r["executor"] == "here" for r in table)


def test_the_launcher_draws_one_chart_per_swept_parameter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    from game.launcher import main

    command = ["sweep", "dining", "--strategy", "naive,ordered", "--set", "think_ms=0,2", "--set", "agents=3",
               "--seeds", "1", "--seconds", "0.2", "--out", str(tmp_path)]
    assert main(command) == 0
    import pygame

    charts = sorted(p.name for p in tmp_path.glob("chart_*.png"))
    assert charts == ["chart_strategy.png", "chart_think_ms.png"]  # agents has one value: nothing to compare
    assert pygame.image.load(str(tmp_path / charts[0])).get_size() == (900, 520)


def test_a_round_that_fails_is_a_row_with_its_error_not_the_end(tmp_path: Path) -> None:
    blocked = tmp_path / partition(SMALL.configs()[1], "naive", ["think_ms"])
    blocked.parent.mkdir(parents=True)
    blocked.write_text("a file where the round's folder should be")
    report = sweep(SMALL, tmp_path)
    assert (report.ran, report.failed) == (4, 1)
    failed = [r for r in rows(report.table) if not r["ok"]]
    assert len(failed) == 1 and failed[0]["folder"] == str(blocked)
    assert "FileExistsError" in failed[0]["error"] or "NotADirectoryError" in failed[0]["error"]


def test_a_pool_of_spawned_workers_runs_process_rounds(tmp_path: Path) -> None:
    spec = SweepSpec("dining", ("naive", "ordered"), ("process",), seconds=0.2, fixed={"agents": 2})
    report = sweep(spec, tmp_path, jobs=2)
    table = rows(report.table)
    assert [r["ok"] for r in table] == [True, True], [r["error"] for r in table]
    assert {r["executor"] for r in table} == {"pool"} and all(r["jobs"] == 2 for r in table)
    workers = {r["worker"] for r in table}
    summaries = [json.loads((Path(r["folder"]) / SUMMARY).read_text()) for r in table]
    assert all(s["config"]["backend"] == "process" for s in summaries)
    assert workers  # each row names the worker that ran it


def _sweep_command(out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "sims", "sweep", "dining", "--strategy", "naive,ordered", "--seeds", "2",
            "--seconds", "0.3", "--set", "agents=3", "--out", str(out), *extra]


def test_a_sweep_killed_half_way_resumes_to_the_same_table(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    child = terminal_child(_sweep_command(out), tmp_path, "sweepkill")
    try:
        wait_until(lambda: len(list(out.rglob(SUMMARY))) >= 2, timeout=120)
    finally:
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=60)
    wait_until(lambda: not session_members(child.pid), timeout=30)
    done_before = len(list(out.rglob(SUMMARY)))
    resumed = subprocess.run(_sweep_command(out), capture_output=True, text=True, timeout=170, check=False)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{4 - done_before} rounds run, {done_before} already there, 0 failed" in resumed.stdout
    table = rows(out / "rounds.parquet")
    assert len(table) == 4 and all(r["ok"] for r in table)


def test_dask_runs_process_rounds_on_non_daemonic_workers(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "sims", "sweep", "dining", "--strategy", "naive,ordered", "--backend",
               "process", "--seeds", "1", "--seconds", "0.2", "--set", "agents=2", "--jobs", "2", "--dask", "local",
               "--out", str(tmp_path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=170, check=False)
    assert done.returncode == 0, done.stderr
    table = rows(tmp_path / "rounds.parquet")
    assert [r["ok"] for r in table] == [True, True], [r["error"] for r in table]
    assert {r["executor"] for r in table} == {"dask"}


@pytest.mark.parametrize(
    ("args", "culprit"),
    [
        (["--strategy", "fast"], "--strategy"),
        (["--backend", "gpu"], "--backend"),
        (["--set", "think_ms=1,nan"], "--set"),
        (["--set", "think_ms=1", "--set", "think_ms=2"], "--set"),
        (["--seeds", "0"], "--seeds"),
        (["--jobs", "0"], "--jobs"),
        (["--seconds", "-1"], "--seconds"),
    ],
)
def test_bad_sweeps_are_refused_before_any_round(args: list[str], culprit: str, tmp_path: Path) -> None:
    from sims.cli import main

    assert main(["sweep", "dining", "--out", str(tmp_path / "out"), *args]) == 2
    assert not (tmp_path / "out").exists()
