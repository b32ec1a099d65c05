"""docs/analysis.md's snippets run, in order, on rounds made the way its shell block makes them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sims.cli import main

pytestmark = pytest.mark.timeout(180)
DOC = Path(__file__).resolve().parent.parent / "docs" / "analysis.md"
STRATEGIES = ("naive", "ordered", "waiter")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_the_shell_block_makes_the_rounds_the_snippets_read() -> None:
    shell = _blocks("bash")[0]
    assert "--into rounds" in shell and all(s in shell for s in STRATEGIES)


def test_every_python_snippet_runs_and_answers(tmp_path: Path) -> None:
    for strategy in STRATEGIES:  # the doc's loop, shorter: 2 seeds of 0.3 s
        for seed in (0, 1):
            argv = ["run", "dining", "--strategy", strategy, "--seed", str(seed), "--seconds", "0.3"]
            assert main([*argv, "--into", str(tmp_path / "rounds")]) == 0
    script = "\n".join(_blocks("python"))
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, check=False, capture_output=True, text=True, timeout=150
    )
    assert done.returncode == 0, done.stderr
    one = tmp_path / "rounds/scenario=dining/strategy=waiter/backend=thread/seed=0"
    intervals = pd.read_parquet(one / "intervals.parquet")
    waited = intervals[intervals.kind == "wait"].groupby("agent", observed=True).duration_ns.sum()
    longest = str(waited.idxmax())
    assert done.stdout.count(longest) >= 3, done.stdout  # pandas, polars and DuckDB name the same philosopher
    for strategy in STRATEGIES:
        assert done.stdout.count(strategy) >= 3, done.stdout  # one comparison row per library
