"""The fast paths of a long round's export: Parquet chunks made ahead in a thread and the writer's
options, adjacent name columns written as one CSV field, the decoder's lookup tables. Each must give
what the plain way gives (sims.data.ahead itself: test_made_ahead.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import run_round
from hypothesis import given, settings
from hypothesis import strategies as st

import sims.data.namecombos
import sims.export
from sims.data.columns import Ints, Names, Table
from sims.data.csvtext import csv_bytes, quoted
from sims.data.parquet import to_arrow
from sims.data.summary import SUMMARY_KEY
from sims.data.tables import event_tables
from sims.export import Format, write_round
from sims.rounds.result import RoundResult

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def busy() -> RoundResult:
    return run_round("dining", strategy="ordered", seconds=0.3, params={"think_ms": 0, "eat_ms": 0})


def test_parquet_events_are_the_decoded_chunks_with_statistics_where_they_are_cheap(
    busy: RoundResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    monkeypatch.setitem(sims.export.TABLES, "events", lambda result: event_tables(result, 997))
    write_round(busy, tmp_path, [Format.PARQUET])
    file = pq.ParquetFile(tmp_path / "events.parquet")
    chunks = [to_arrow(t) for t in event_tables(busy, 997)]  # late records merge into a chunk, making it longer
    expected = pa.concat_tables(chunks)
    assert file.metadata.num_row_groups == len(chunks) > 3
    assert file.read().equals(expected.replace_schema_metadata(file.schema_arrow.metadata))
    assert SUMMARY_KEY in file.schema_arrow.metadata
    group = file.metadata.row_group(1)
    columns = {group.column(k).path_in_schema: group.column(k) for k in range(group.num_columns)}
    assert columns["t_ns"].statistics.min == chunks[1]["t_ns"][0].as_py()
    assert "DELTA_BINARY_PACKED" in columns["t_ns"].encodings and "DELTA_BINARY_PACKED" in columns["value"].encodings
    assert "RLE_DICTIONARY" in columns["agent"].encodings and not columns["agent"].is_stats_set


def _reference_csv(table: Table) -> str:
    """The table as CSV, a field at a time in Python: what the vectorised writer must give."""
    lines = [",".join(table.columns) + "\n"]
    for i in range(table.rows):
        fields = []
        for column in table.columns.values():
            if isinstance(column, Names):
                fields.append("" if column.codes[i] < 0 else quoted(column.names[column.codes[i]]))
            else:
                null = column.null is not None and column.null[i]
                fields.append("" if null else str(int(column.values[i])))
        lines.append(",".join(fields) + "\n")
    return "".join(lines)


names = st.text(st.characters(blacklist_characters="\0", blacklist_categories=("Cs",)), min_size=1, max_size=12)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 300),
    st.lists(st.lists(names, min_size=1, max_size=40, unique=True).map(tuple), min_size=1, max_size=5),
    st.sampled_from([2, 50, 1 << 12]),
    st.sampled_from(["first", "middle", "last"]),
    st.integers(0, 2**32 - 1),
)
def test_adjacent_name_columns_are_written_as_their_columns_one_by_one(
    rows: int, dictionaries: list[tuple[str, ...]], most: int, where: str, seed: int
) -> None:
    """Whatever the number of combinations (few: one field; more than ``most``: several) and
    wherever the run of name columns is, the bytes are each column's in order, quoted as needed."""
    rng = np.random.default_rng(seed)
    run = {f"name{k}": Names(rng.integers(-1, len(d), rows).astype(np.int32), d) for k, d in enumerate(dictionaries)}
    first, last = rng.integers(-(10**12), 10**12, rows), rng.integers(-5, 5, rows)
    numbers = {"first": Ints(first), "last": Ints(last, last == 0)}
    order = {"first": [run, numbers], "middle": [{"first": numbers["first"]}, run, {"last": numbers["last"]}]}
    table = Table({k: v for part in order.get(where, [numbers, run]) for k, v in part.items()})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sims.data.namecombos, "MAX_COMBINATIONS", most)
        assert csv_bytes([table]).decode() == _reference_csv(table)


def test_records_decode_to_names_and_nulls_unknown_op_codes_included(busy: RoundResult) -> None:
    from sims.data.tables import ENGINE_NAME, EventDecoder
    from sims.telemetry import EVENT_DTYPE, Op, State

    decoder = EventDecoder(busy.layout, origin_ns=100)
    events = np.zeros(5, EVENT_DTYPE)
    rows = [  # t_ns, agent, resource, op, value
        (100, 0, 1, Op.ACQUIRED, 0),
        (101, -1, 2, Op.NOTIFY, 1),  # the engine; value is the agent woken
        (102, 1, -1, Op.STATE, State.EATING.value),
        (103, 1, 3, 200, 7),  # an op code this version does not know
        (104, 99, 99, Op.STATE, 99),  # indices out of range: null
    ]
    for k, row in enumerate(rows):
        events[k] = row
    table = decoder.table(events)
    texts = {name: column.texts() for name, column in table.columns.items() if isinstance(column, Names)}
    agents, resources = decoder.agents, decoder.resources
    assert table.columns["t_ns"].values.tolist() == [0, 1, 2, 3, 4]
    assert texts["agent"] == [agents[0], ENGINE_NAME, agents[1], agents[1], None]
    assert texts["op"] == ["acquired", "notify", "state", None, "state"]
    assert texts["resource"] == [resources[1], resources[2], None, None, None]
    assert texts["target_agent"] == [None, agents[1], None, None, None]
    assert texts["state"] == [None, None, "eating", None, None]
    assert table.columns["value"].values.tolist() == [0, 1, State.EATING.value, 7, 99]
