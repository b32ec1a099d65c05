"""A spill keeps its columns in time order: late records go aside and are merged back a chunk at a time."""

from __future__ import annotations

import errno
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sims.telemetry import EVENT_DTYPE
from sims.telemetry.spill import (
    FIELDS,
    LATE,
    MANIFEST,
    MemoryRecords,
    RecordSpill,
    SpilledRecords,
    SpillFull,
    _header,
)

pytestmark = pytest.mark.timeout(60)


def batches(seed: int, late_every: int) -> list[np.ndarray]:
    """Batches in time order, each overlapping the one before now and then (records that came late),
    with ties; ``value`` numbers the records in the order they were appended."""
    rng = np.random.default_rng(seed)
    made, now, n = [], 0, 0
    for step in range(40):
        size = int(rng.integers(0, 60))
        batch = np.zeros(size, EVENT_DTYPE)
        back = 500 if step % late_every == 0 and step else 0
        batch["t_ns"] = np.sort(now - back + rng.integers(0, 200, size))
        if size > 3 and step % 7 == 0 and late_every < 1000:
            batch["t_ns"][2], batch["t_ns"][3] = batch["t_ns"][3], batch["t_ns"][2] - 30  # not ordered inside
        batch["value"] = n + np.arange(size)
        batch["agent"] = rng.integers(-1, 5, size)
        batch["op"] = rng.integers(0, 20, size)
        now, n = now + 199, n + size  # the next batch may start where this one ends: a tie
        made.append(batch)
    return made


def expected(made: list[np.ndarray]) -> np.ndarray:
    every = np.concatenate(made)
    return every[np.argsort(every["t_ns"], kind="stable")]


@pytest.mark.parametrize("late_every", [1, 3, 1000])
def test_every_reading_gives_the_stable_time_order_of_what_was_appended(tmp_path: Path, late_every: int) -> None:
    made = batches(late_every, late_every)
    spill = RecordSpill(tmp_path)
    for batch in made:
        spill.append(batch)
    records = spill.records(temporary=False)
    want = expected(made)
    assert len(records) == len(want) and (records.late > 0) == (late_every < 1000)
    assert np.all(np.diff(records.columns()["t_ns"]) >= 0), "the main columns stay in time order"
    for size in (1, 7, 100, 10_000):
        assert np.array_equal(np.concatenate(list(records.chunks(size))), want)
        assert np.array_equal(np.concatenate([piece.load() for piece in records.slices(size)]), want)
        parts = list(records.column_chunks(size, ("agent", "op")))
        assert set(parts[0]) == {"agent", "op"}
        assert np.array_equal(np.concatenate([p["agent"] for p in parts]), want["agent"])
    assert np.array_equal(records.load(), want)
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    assert manifest["time_ordered"] and manifest[LATE] == records.late and manifest["records"] == len(want)


def test_the_late_records_are_all_that_a_chunk_reader_holds_beyond_its_chunk(tmp_path: Path) -> None:
    made = batches(5, 4)
    spill = RecordSpill(tmp_path)
    for batch in made:
        spill.append(batch)
    records = spill.records(temporary=False)
    sizes = [len(chunk) for chunk in records.chunks(50)]
    assert max(sizes) <= 50 + records.late and sum(sizes) == len(records)
    assert len(sizes) == -(-(len(records) - records.late) // 50)  # one per 50 of the ordered columns


def test_a_spill_from_before_late_records_were_kept_aside_is_still_read_in_time_order(tmp_path: Path) -> None:
    """Old spills: every record in append order, ``time_ordered: false``, no ``late/``."""
    made = batches(9, 2)
    every = np.concatenate(made)
    for name in FIELDS:
        column = np.ascontiguousarray(every[name])
        (tmp_path / f"{name}.npy").write_bytes(_header(column.dtype, column.size) + column.tobytes())
    (tmp_path / MANIFEST).write_text(json.dumps({"records": every.size, "fields": list(FIELDS), "time_ordered": False}))
    records = SpilledRecords(tmp_path)
    want = expected(made)
    assert not records.time_ordered and records.late == 0
    for source in (records, MemoryRecords(want)):
        assert np.array_equal(np.concatenate(list(source.chunks(13))), want)
        assert np.array_equal(np.concatenate([piece.load() for piece in source.slices(13)]), want)
        assert np.array_equal(np.concatenate([c["t_ns"] for c in source.column_chunks(13, ("t_ns",))]), want["t_ns"])
    assert np.array_equal(records.load(), want)


def test_a_killed_round_s_spill_is_read_without_its_closing_manifest(tmp_path: Path) -> None:
    made = batches(11, 2)
    spill = RecordSpill(tmp_path)
    for batch in made:
        spill.append(batch)
    records = SpilledRecords(tmp_path)  # not closed: the manifest is the one written at the start
    assert records.time_ordered and np.array_equal(records.load(), expected(made))
    spill.close()


class _FullOnFlush:
    """A column file on a nearly full disk: its writes are buffered, and once ``full`` is set
    the flush that would put them on disk fails (small appends reach the disk only there)."""

    def __init__(self, handle: Any, full: list[bool]) -> None:
        self._handle, self._full = handle, full

    def flush(self) -> None:
        if self._full[0]:
            raise OSError(errno.ENOSPC, "No space left on device")
        self._handle.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)


def test_a_batch_the_disk_refuses_leaves_none_of_its_late_records_behind(tmp_path: Path) -> None:
    """SpillFull keeps nothing of the refused batch: not even its late records, when the late
    columns' file still had room and only the ordered columns' flush failed."""
    first, refused = np.zeros(4, EVENT_DTYPE), np.zeros(4, EVENT_DTYPE)
    first["t_ns"], first["value"] = [10, 20, 30, 40], [0, 1, 2, 3]
    refused["t_ns"], refused["value"] = [50, 5, 60, 70], [4, 5, 6, 7]  # 5 is late: to late/
    spill = RecordSpill(tmp_path)
    spill.append(first)
    full = [False]
    main = spill._main
    main.files = {name: _FullOnFlush(handle, full) for name, handle in main.files.items()}  # type: ignore[misc]
    full[0] = True
    with pytest.raises(SpillFull):
        spill.append(refused)
    assert spill.count == len(first) and spill.unordered == 0
    records = spill.records(temporary=False)
    assert len(records) == len(first) and np.array_equal(records.load(), first)
