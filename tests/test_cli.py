"""The headless command line as a user meets it: exit codes, messages, files."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sims.cli import main

pytestmark = pytest.mark.timeout(120)

BAD_ARGUMENTS = [
    (["run", "nosuch"], "scenario"),
    (["run", "dining", "--strategy", "sideways"], "--strategy"),
    (["run", "dining", "--agents", "0"], "--agents"),
    (["run", "dining", "--agents", "10000"], "--agents"),
    (["run", "dining", "--set", "think_ms=-1"], "--set"),
    (["run", "dining", "--set", "think_ms"], "--set"),
    (["run", "dining", "--set", "colour=blue"], "--set"),
    (["run", "dining", "--at", "2resize seats 2"], "--at"),
    (["run", "dining", "--at", "x:pause"], "--at"),
    (["run", "dining", "--at", "1:resize seats 2"], "--at"),  # naive has no seats semaphore
    (["run", "dining", "--at", "1:kill 3"], "--at"),  # threads cannot be killed
    (["run", "dining", "--backend", "process", "--at", "1:kill 99"], "--at"),
    (["run", "dining", "--seconds", "-1"], "--seconds"),
    (["run", "kitchen", "--agents", "3"], "--agents"),
    (["run", "dining", "--format", "xml"], "--format"),
]


@pytest.mark.parametrize(("argv", "culprit"), BAD_ARGUMENTS)
def test_bad_input_names_the_argument_and_exits_2_writing_nothing(
    argv: list[str], culprit: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main([*argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert culprit in err and "error" in err
    assert not out.exists()


def test_unwritable_out_is_refused_before_the_round(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert main(["run", "dining", "--out", str(blocker / "sub")]) == 2
    assert "--out" in capsys.readouterr().err
    assert blocker.read_text() == "not a folder"


def test_list_shows_every_strategy_and_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0
    text = capsys.readouterr().out
    for word in ("dining", "naive", "ordered", "waiter", "trylock", "kitchen", "semaphores", "queue", "think_ms"):
        assert word in text


def _events(out: Path) -> list[dict[str, str]]:
    """The decoded events.csv (names, not codes: docs/data.md)."""
    with (out / "events.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_naive_deadlock_is_a_result_with_its_cycle_in_the_export(tmp_path: Path) -> None:
    out = tmp_path / "naive"
    argv = ["run", "dining", "--strategy", "naive", "--set", "think_ms=0", "--set", "eat_ms=0", "--seconds", "20"]
    assert main([*argv, "--out", str(out), "--format", "csv"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["verdict"]["deadlock"] is True
    cycle = summary["verdict"]["cycle"]
    assert sorted(cycle["agents"]) == [f"philosopher {i}" for i in range(5)]
    assert sorted(cycle["waiting_for"]) == [f"fork {i}" for i in range(5)]
    assert summary["config"]["seed"] == 0 and summary["environment"]["python"]
    with (out / "agents.csv").open() as handle:
        assert len(list(csv.DictReader(handle))) == 5
    assert len(_events(out)) == summary["events"]


def test_resize_shows_in_events_at_the_time_it_was_made(tmp_path: Path) -> None:
    out = tmp_path / "waiter"
    argv = ["run", "dining", "--strategy", "waiter", "--seconds", "1.5", "--at", "0.5:resize seats 1"]
    assert main([*argv, "--out", str(out), "--format", "csv"]) == 0
    capacity = [
        (int(e["t_ns"]), int(e["value"])) for e in _events(out) if (e["op"], e["resource"]) == ("capacity", "seats")
    ]
    assert capacity[0][1] == 4
    assert capacity[-1][1] == 1
    shrink_at = next(t for t, v in capacity if v < 4) / 1e9  # t_ns counts from the round's start
    assert 0.5 <= shrink_at < 1.0


def test_into_writes_a_hive_partitioned_round(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["run", "dining", "--strategy", "ordered", "--seconds", "0.3", "--seed", "7", "--format", "csv"]
    assert main([*argv, "--into", str(tmp_path)]) == 0
    folder = tmp_path / "scenario=dining" / "strategy=ordered" / "backend=thread" / "seed=7"
    assert str(folder) in capsys.readouterr().out
    assert json.loads((folder / "summary.json").read_text())["files"] == [
        "events.csv",
        "agents.csv",
        "resources.csv",
        "intervals.csv",
    ]


def test_python_m_sims_is_the_same_command() -> None:
    argv = [sys.executable, "-m", "sims", "run", "nosuch"]
    done = subprocess.run(argv, check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "unknown scenario 'nosuch'" in done.stderr


def test_the_command_line_loads_numpy_only_when_a_command_needs_it() -> None:
    code = "import sys, sims.cli; print('numpy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False"


def test_process_agents_fork_from_a_preloaded_server_and_the_summary_says_so(tmp_path: Path) -> None:
    out = tmp_path / "forked"
    argv = ["run", "dining", "--backend", "process", "--agents", "3", "--seconds", "0.3", "--out", str(out)]
    assert main(argv) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["config"]["start_method"] == "forkserver"
    assert summary["config"]["agent_nice"] == 0  # at the caller's niceness, as the same code on raw locks runs
    assert all(agent["pid"] != os.getpid() and agent["exit_code"] == 0 for agent in summary["agents"])
    records = np.load(out / "records" / "t_ns.npy", mmap_mode="r")  # the spill stays beside the export
    assert len(records) == summary["events"] > 0
