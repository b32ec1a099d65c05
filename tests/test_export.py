"""Schema v1 exports: decoded tables in Parquet and CSV, summary.json against its JSON Schema, datasets."""

from __future__ import annotations

import csv
import io
import json
import pickle
import subprocess
import sys
from pathlib import Path

import attrs
import jsonschema
import numpy as np
import pandas as pd
import pytest
from helpers import run_round
from hypothesis import given, settings
from hypothesis import strategies as st

from sims.analysis import RoundDataError, load_round, load_rounds, load_table
from sims.data.columns import Bools, Floats, Ints, Names, Table
from sims.data.csvtext import csv_bytes
from sims.data.intervals import intervals_table
from sims.data.ops import op_table_markdown
from sims.data.schema import COLUMNS, Type, columns_markdown
from sims.data.summary import SUMMARY_KEY, summary_schema
from sims.data.tables import agents_table, event_tables, resources_table
from sims.export import ExportError, Format, dataset_folder, parse_formats, write_round
from sims.rounds.commands import parse_timed
from sims.rounds.result import RoundResult
from sims.telemetry import Op
from sims.telemetry.spill import MemoryRecords

pytestmark = pytest.mark.timeout(120)
DOCS = Path(__file__).resolve().parent.parent / "docs"
BOTH = (Format.PARQUET, Format.CSV)


@pytest.fixture(scope="module")
def naive() -> RoundResult:
    """Five philosophers that deadlock at once: holds held at the end, waits abandoned."""
    return run_round("dining", strategy="naive", seconds=20, params={"think_ms": 0, "eat_ms": 0})


@pytest.fixture(scope="module")
def waiter() -> RoundResult:
    """A waiter round whose seats shrink live: capacity records from the engine."""
    return run_round("dining", strategy="waiter", seconds=0.6, schedule=(parse_timed("0.2:resize seats 2"),))


def _validate(document: dict) -> None:
    checker = jsonschema.Draft202012Validator(summary_schema(), format_checker=jsonschema.FormatChecker())
    errors = sorted(checker.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def test_the_shipped_json_schema_is_a_valid_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(summary_schema())


@pytest.mark.parametrize("which", ["naive", "waiter"])
def test_every_export_validates_against_the_shipped_schema(
    which: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    result = request.getfixturevalue(which)
    paths = write_round(result, tmp_path, BOTH)
    summary = json.loads((tmp_path / "summary.json").read_text())
    _validate(summary)
    assert summary["files"] == [p.name for p in paths[:-1]]
    import pyarrow.parquet as pq

    for name in ("events", "agents", "resources", "intervals"):
        embedded = json.loads(pq.read_schema(tmp_path / f"{name}.parquet").metadata[SUMMARY_KEY])
        assert embedded == summary


def test_a_broken_summary_fails_the_schema(naive: RoundResult, tmp_path: Path) -> None:
    write_round(naive, tmp_path, (Format.CSV,))
    summary = json.loads((tmp_path / "summary.json").read_text())
    del summary["params"]["think_ms"]  # still valid: params are open-ended
    _validate(summary)
    summary["started_at"] = "yesterday"
    with pytest.raises(AssertionError, match="started_at"):
        _validate(summary)


def test_summary_holds_identity_defaults_and_the_time_base(naive: RoundResult, tmp_path: Path) -> None:
    write_round(naive, tmp_path, (Format.CSV,), rounds_in_parallel=3)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["round_id"] == naive.round_id and summary["started_at"] == naive.started_at
    assert summary["params"]["agents"] == 5 and summary["params"]["patience_ms"] > 0  # a default, never given
    assert summary["config"]["params"] == {"think_ms": 0, "eat_ms": 0}
    assert summary["time_base"]["monotonic_origin_ns"] == naive.started_ns
    assert summary["time_base"]["end_ns"] == naive.ended_ns - naive.started_ns
    assert summary["concurrency"]["rounds_in_parallel"] == 3
    assert summary["statistics"]["start_ns"] == 0
    starts = [a["started_ns"] for a in summary["agents"]]
    assert all(s is not None and s < summary["time_base"]["end_ns"] for s in starts)


def test_tables_have_exactly_the_documented_columns(naive: RoundResult) -> None:
    types = {Ints: Type.INT, Floats: Type.FLOAT, Bools: Type.BOOL, Names: Type.NAME}
    built = {
        "events": next(event_tables(naive)),
        "agents": agents_table(naive),
        "resources": resources_table(naive),
        "intervals": intervals_table(naive),
    }
    for name, table in built.items():
        got = {column: types[type(value)] for column, value in table.columns.items()}
        assert got == {column: col.type for column, col in COLUMNS[name].items()}, name
        assert list(got) == list(COLUMNS[name]), f"{name}: column order"


def test_docs_data_md_shows_every_op_and_column_as_the_code_has_them() -> None:
    text = (DOCS / "data.md").read_text(encoding="utf-8")
    assert op_table_markdown() in text
    for table in COLUMNS:
        assert columns_markdown(table) in text, table


def test_parquet_and_csv_hold_the_same_tables(waiter: RoundResult, tmp_path: Path) -> None:
    write_round(waiter, tmp_path, BOTH)
    for name in COLUMNS:
        parquet = pd.read_parquet(tmp_path / f"{name}.parquet")
        text = pd.read_csv(tmp_path / f"{name}.csv")
        for column in parquet:
            if isinstance(parquet[column].dtype, pd.CategoricalDtype):
                parquet[column] = parquet[column].astype(object)
        pd.testing.assert_frame_equal(parquet, text, check_dtype=False, check_exact=False, rtol=1e-12)


def test_events_name_each_index_by_what_it_means(naive: RoundResult, tmp_path: Path) -> None:
    write_round(naive, tmp_path, (Format.PARQUET,))
    events = pd.read_parquet(tmp_path / "events.parquet")
    assert len(events) == len(naive.events)
    steps = events[events.op == "step"]
    assert len(steps) and steps.resource.isna().all() and steps.step.notna().all()  # no step taken for a fork
    forks = events[events.op.isin(["acquired", "released"])]
    assert set(forks.resource) == {f"fork {i}" for i in range(5)} and forks.step.isna().all()
    states = events[events.op == "state"]
    assert states.state.notna().all() and events[events.op != "state"].state.isna().all()
    engine = events[events.agent == "engine"]
    assert list(engine.op[:1]) == ["round_start"] and engine.t_ns.iloc[0] >= 0
    assert (events.t_ns[events.t_ns < 0].index.isin(events.index[events.op == "agent_start"])).all()
    np.testing.assert_array_equal(events.t_ns.to_numpy(), naive.events["t_ns"] - naive.started_ns)
    np.testing.assert_array_equal(events.value.to_numpy(), naive.events["value"])


def test_engine_records_about_an_agent_name_it_as_target(waiter: RoundResult) -> None:
    events = next(event_tables(waiter))
    op = events.columns["op"]
    resource = events.columns["resource"]
    capacity = op.codes == op.names.index("capacity")
    assert capacity.any() and {resource.names[c] for c in resource.codes[capacity]} == {"seats"}
    values = events.columns["value"].values[capacity]
    assert values[0] == 4 and values[-1] == 2


def test_intervals_hold_every_wait_and_hold(naive: RoundResult) -> None:
    table = intervals_table(naive)
    rows = pd.DataFrame({k: (v.texts() if isinstance(v, Names) else v.values) for k, v in table.columns.items()})
    ev = naive.events
    waited = ev[(ev["op"] == Op.ACQUIRED) & (ev["value"] > 0) & (ev["agent"] >= 0)]
    acquired = rows[rows.outcome == "acquired"]
    assert len(acquired) == len(waited) and acquired.duration_ns.sum() == waited["value"].sum()
    stuck = rows[rows.outcome.isin(["abandoned", "still_waiting"])]
    assert sorted(stuck.agent) == [f"philosopher {i}" for i in range(5)]  # the cycle: each waits for one fork
    held = rows[rows.outcome == "held_at_end"]
    assert sorted(held.resource) == [f"fork {i}" for i in range(5)]
    assert (rows.kind[rows.outcome.isin(["released", "held_at_end"])] == "hold").all()
    assert (rows.end_ns - rows.start_ns == rows.duration_ns).all() and (rows.duration_ns >= 0).all()
    still = rows.outcome.isin(["still_waiting", "held_at_end"]).to_numpy()
    assert still[-still.sum() :].all()  # the ones still open at the end come last, the others by end, then start
    assert list(rows[~still].sort_values(["end_ns", "start_ns"], kind="stable").index) == list(rows.index[~still])


names = st.text(alphabet=st.sampled_from(list("ab ,\"\n'x1")), min_size=1, max_size=6)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(-(2**63) + 1, 2**63 - 1), st.booleans(), st.integers(-1, 2)), min_size=1, max_size=40
    ),
    st.lists(names, min_size=3, max_size=3, unique=True),
)
def test_the_vectorised_csv_writer_reads_back_as_written(
    rows: list[tuple[int, bool, int]], dictionary: list[str]
) -> None:
    ints = np.array([r[0] for r in rows], np.int64)
    null = np.array([r[1] for r in rows], bool)
    codes = np.array([r[2] for r in rows], np.int32)
    floats = np.linspace(-1.5, 1e9, len(rows))
    table = Table({"i": Ints(ints, null), "n": Names(codes, tuple(dictionary)), "f": Floats(floats), "b": Bools(null)})
    parsed = list(csv.reader(io.StringIO(csv_bytes([table]).decode(), newline="")))
    assert parsed[0] == ["i", "n", "f", "b"]
    for (value, is_null, code), fl, got in zip(rows, floats, parsed[1:], strict=True):
        assert got == [
            "" if is_null else str(value),
            "" if code < 0 else dictionary[code],
            repr(float(fl)),
            "true" if is_null else "false",
        ]


def test_hive_dataset_reads_in_one_call_in_pandas_polars_and_duckdb(naive: RoundResult, tmp_path: Path) -> None:
    import duckdb
    import polars as pl

    seeds = (0, 1, 2)
    for seed in seeds:
        result = attrs.evolve(naive, config=attrs.evolve(naive.config, seed=seed))
        write_round(result, dataset_folder(tmp_path, result), (Format.PARQUET,))
    assert (tmp_path / "scenario=dining" / "strategy=naive" / "backend=thread" / "seed=2" / "summary.json").exists()
    n = len(naive.events)
    frame = load_table(tmp_path, "events")
    assert len(frame) == 3 * n and sorted(frame.seed.unique()) == list(seeds)
    assert list(frame.columns[:5]) == ["round_id", "scenario", "strategy", "backend", "seed"]
    per_seed = (
        pl.scan_parquet(tmp_path / "**" / "events.parquet", hive_partitioning=True).group_by("seed").len().collect()
    )
    assert sorted(per_seed["len"].to_list()) == [n] * 3 and sorted(per_seed["seed"].to_list()) == list(seeds)
    files = f"{tmp_path}/**/events.parquet"
    query = f"select count(*), count(distinct seed) from read_parquet('{files}', hive_partitioning=true)"
    assert duckdb.sql(query).fetchall() == [(3 * n, 3)]
    rounds = load_rounds(tmp_path)
    assert sorted(rounds.seed) == list(seeds) and set(rounds.strategy) == {"naive"}


def test_load_round_gives_the_decoded_tables_and_the_summary(naive: RoundResult, tmp_path: Path) -> None:
    write_round(naive, tmp_path / "p", (Format.PARQUET,))
    write_round(naive, tmp_path / "c", (Format.CSV,))
    for folder in ("p", "c"):
        data = load_round(tmp_path / folder)
        assert data.summary["round_id"] == naive.round_id
        assert len(data.events) == len(naive.events) and list(data.events.columns) == list(COLUMNS["events"])
        assert isinstance(data.events.op.dtype, pd.CategoricalDtype)
        assert sorted(data.agents.name) == [f"philosopher {i}" for i in range(5)]
    row = load_rounds(str(tmp_path / "*" / "summary.json"))
    assert len(row) == 2 and (row.param_patience_ms > 0).all() and row.deadlock.all()


def test_load_round_names_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(RoundDataError, match=r"no summary\.json"):
        load_round(tmp_path)
    with pytest.raises(RoundDataError, match="no such file"):
        load_rounds(tmp_path / "nothing-here")


def test_formats_parse_and_bad_ones_are_named() -> None:
    assert parse_formats("csv,trace") == (Format.CSV, Format.TRACE)
    assert parse_formats("auto") == (Format.PARQUET,)
    with pytest.raises(ValueError, match="'xml'"):
        parse_formats("csv,xml")


def test_without_pyarrow_the_export_is_csv_and_loads_back(naive: RoundResult, tmp_path: Path) -> None:
    """pyarrow blocked in a fresh interpreter: the core still exports (CSV) and pandas reads it."""
    portable = attrs.evolve(naive, records=MemoryRecords(naive.records.load()))  # a spill stays in its process
    (tmp_path / "round.pkl").write_bytes(pickle.dumps(portable))
    code = (
        "import sys, pickle, pathlib\n"
        "sys.modules['pyarrow'] = None\n"
        "from sims.export import write_round, parse_formats, ExportError, Format\n"
        "from sims.analysis import load_round\n"
        "root = pathlib.Path(sys.argv[1])\n"
        "paths = write_round(pickle.loads((root / 'round.pkl').read_bytes()), root / 'out')\n"
        "print(' '.join(p.name for p in paths))\n"
        "try:\n"
        "    parse_formats('parquet')\n"
        "except ValueError as error:\n"
        "    print(error)\n"
        "try:\n"
        "    write_round(pickle.loads((root / 'round.pkl').read_bytes()), root / 'x', (Format.PARQUET,))\n"
        "except ExportError as error:\n"
        "    print(error)\n"
        "print(len(load_round(root / 'out').events))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], check=False, capture_output=True, text=True, timeout=100
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "events.csv agents.csv resources.csv intervals.csv summary.json"
    assert "pip install 'deadlock-diner[analysis]'" in lines[1] and lines[1] == lines[2]
    assert int(lines[3]) == len(naive.events)
    assert not (tmp_path / "x").exists() or not any((tmp_path / "x").iterdir())


def test_an_unwritable_folder_is_an_export_error(naive: RoundResult, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ExportError, match="file"):
        write_round(naive, blocker / "sub", (Format.CSV,))


def test_the_trace_format_writes_a_perfetto_trace_beside_the_tables(naive: RoundResult, tmp_path: Path) -> None:
    import gzip

    paths = write_round(naive, tmp_path, (Format.CSV, Format.TRACE))
    assert [p.name for p in paths][-2:] == ["trace.json.gz", "summary.json"]
    trace = json.loads(gzip.decompress((tmp_path / "trace.json.gz").read_bytes()))
    names = {e["args"]["name"] for e in trace["traceEvents"] if e["ph"] == "M" and e["name"] == "thread_name"}
    assert {f"philosopher {i}" for i in range(5)} <= names
    assert json.loads((tmp_path / "summary.json").read_text())["files"][-1] == "trace.json.gz"


def test_a_notify_names_the_waiter_it_woke() -> None:
    """A Condition's notify carries the woken waiter's index in value: decoded in target_agent."""
    result = run_round("kitchen", strategy="condition", seconds=0.3)
    events = next(event_tables(result))
    op, target, value = events.columns["op"], events.columns["target_agent"], events.columns["value"].values
    notify = np.flatnonzero(op.codes == op.names.index("notify"))
    assert notify.size, "cooks notify after every dish"
    names = [a.name for a in result.layout.agents]
    texts = target.texts()
    assert all(texts[i] == (names[value[i]] if value[i] >= 0 else None) for i in notify.tolist())


def test_without_pandas_the_loaders_give_pyarrow_tables(naive: RoundResult, tmp_path: Path) -> None:
    write_round(naive, tmp_path / "one", (Format.PARQUET,))
    code = (
        "import sys\n"
        "class NoPandas:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'pandas':\n"
        "            raise ModuleNotFoundError('no pandas here')\n"
        "sys.meta_path.insert(0, NoPandas())\n"
        "import pyarrow as pa\n"
        "from sims.analysis import load_round, load_rounds, load_table\n"
        "r = load_round(sys.argv[1] + '/one')\n"
        "assert isinstance(r.events, pa.Table) and pa.types.is_dictionary(r.events.schema.field('op').type)\n"
        "rows, table = load_rounds(sys.argv[1]), load_table(sys.argv[1], 'intervals')\n"
        "assert isinstance(rows, pa.Table) and isinstance(table, pa.Table)\n"
        "print(r.events.num_rows, rows.num_rows, table.column_names[:2])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], check=False, capture_output=True, text=True, timeout=100
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[:2] == [str(len(naive.events)), "1"]
