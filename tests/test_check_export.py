"""tools/check_export.py recomputes a round's statistics from its exported tables alone: they agree
with summary.json for real rounds (detail on and off, both table formats), and a doctored summary
is caught and named."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest
from helpers import run_round

from sims import export

pytestmark = pytest.mark.timeout(120)

TOOL = Path(__file__).resolve().parent.parent / "tools" / "check_export.py"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_export", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("detail", [True, False])
def test_the_exported_tables_give_the_summarys_statistics(tmp_path: Path, detail: bool) -> None:
    params = {"agents": 4, "think_ms": 0, "eat_ms": 0}
    result = run_round("dining", strategy="ordered", seconds=0.4, params=params, detail=detail)
    export.write_round(result, tmp_path, [export.Format.PARQUET, export.Format.CSV])
    tool = _tool()
    assert result.stats.operations_total > 0
    assert tool.main([str(tmp_path), "--tables", "parquet"]) == 0
    assert tool.main([str(tmp_path), "--tables", "csv"]) == 0


def test_a_summary_that_disagrees_with_the_tables_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_round("dining", strategy="ordered", seconds=0.3, params={"agents": 3, "think_ms": 1, "eat_ms": 1})
    export.write_round(result, tmp_path, [export.Format.CSV])
    summary = json.loads((tmp_path / "summary.json").read_text())
    summary["statistics"]["agents"][1]["wait_ms"]["p95"] += 0.5
    (tmp_path / "summary.json").write_text(json.dumps(summary))
    assert _tool().main([str(tmp_path)]) == 1
    assert "agents[1].wait_ms.p95" in capsys.readouterr().out


def test_a_folder_without_an_export_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tool = _tool()
    assert tool.main([str(tmp_path / "missing")]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    (tmp_path / "summary.json").write_text("{}")  # a summary, but no tables beside it
    assert tool.main([str(tmp_path), "--tables", "csv"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "events.csv" in err
    assert tool.main([str(tmp_path), "--operation", "=eating"]) == 2
    assert "--operation" in capsys.readouterr().err
