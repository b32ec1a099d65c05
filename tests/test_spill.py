"""Records leave memory as a round runs: put in time order, written to disk, summed up on the way."""

from __future__ import annotations

import errno
import gc
import os
import tempfile
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest

from sims.cli import main
from sims.data.columns import Names
from sims.data.intervals import interval_tables
from sims.engine.ordering import LAG_NS, RELEASE_EVERY_NS, TimeOrder
from sims.engine.round import Round
from sims.rounds.commands import Resize, Timed
from sims.rounds.config import RoundConfig
from sims.stats import compute_round_stats
from sims.telemetry import EVENT_DTYPE
from sims.telemetry.spill import TEMP_PREFIX, MemoryRecords, RecordSpill
from sims.text_report import render_result
from tests.helpers import poll_until

pytestmark = pytest.mark.timeout(120)
FLAT_OUT = {"agents": 5, "think_ms": 0, "eat_ms": 0}


def _spills() -> set[Path]:
    """This process's round folders (others' come and go in the shared temporary folder)."""
    return set(Path(tempfile.gettempdir()).glob(f"{TEMP_PREFIX}{os.getpid()}-*"))


def test_time_order_gives_one_sort_of_every_drain_and_holds_what_a_second_brings() -> None:
    rng = np.random.default_rng(7)
    order, drains, released, peak, now = TimeOrder(), [], [], 0, 0
    for step in range(2_000):  # 40 s of drains 20 ms apart, each overlapping the one before
        now += 20_000_000
        batch = np.zeros(500, EVENT_DTYPE)
        batch["t_ns"] = now - rng.integers(0, 30_000_000, batch.size)
        batch["value"] = step * batch.size + np.arange(batch.size)
        drains.append(batch)
        released.append(order.push(batch, now))
        peak = max(peak, order.held)
    released.append(order.flush())
    every = np.concatenate(drains)
    assert np.array_equal(np.concatenate(released), every[np.argsort(every["t_ns"], kind="stable")])
    assert order.late == 0 and order.held == 0
    per_s = 500 * 50
    assert peak <= per_s * (LAG_NS + RELEASE_EVERY_NS) / 1e9 + 2 * 500  # a second's worth, not 40 s's


def test_a_round_keeps_a_bounded_number_of_records_in_memory_however_long_it_runs() -> None:
    """Two halves of one round: the second adds as many records, not more memory."""
    config = RoundConfig("dining", strategy="ordered", seconds=120, params=FLAT_OUT)
    with Round(config) as rnd:
        rnd.start()
        peaks = []
        for half in (1, 2):
            peak = [0]

            # Halves many times what arrives in the engine's ordering window (0.75 s, up to ~200k
            # records here): with 250k, a loaded run's peak was 53% of the round's records.
            def enough(want: int = 500_000 * half, peak: list[int] = peak) -> bool:
                peak[0] = max(peak[0], rnd.in_memory)
                return rnd.drained >= want

            poll_until(rnd, enough, 90)
            peaks.append(peak[0])
        result = rnd.stop("requested")
    assert result is not None
    assert max(peaks) < result.record_count / 2  # most records are on disk, not in memory
    assert peaks[1] <= 2 * peaks[0] + 50_000, peaks  # twice the round, not twice the memory
    result.records.discard()


def test_statistics_from_the_spill_equal_those_of_every_record_in_memory() -> None:
    with Round(RoundConfig("dining", strategy="ordered", seconds=1.0, params=FLAT_OUT)) as rnd:
        result = rnd.run()
    assert result.disk.late == 0 and result.record_count > 10_000
    ops = rnd.scenario.operation_ops(result.layout)
    every = compute_round_stats(result.events, result.layout, result.started_ns, result.ended_ns, ops)
    assert result.stats.to_dict() == every.to_dict()
    chunks = list(result.event_chunks(4_096))
    assert max(len(c) for c in chunks) == 4_096 and np.array_equal(np.concatenate(chunks), result.events)
    result.records.discard()


def disk_full_after(monkeypatch: pytest.MonkeyPatch, appends: int) -> None:
    """The spill's disk takes ``appends`` appends (after the first), then refuses every write."""
    room = [appends]

    def full_soon(self: RecordSpill, handle: Any, data: memoryview) -> None:
        if self.count and room[0] <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        handle.write(data)
        room[0] -= handle.name.endswith("value.npy")

    monkeypatch.setattr(RecordSpill, "_write", full_soon)


def test_a_full_disk_ends_the_round_cleanly_with_what_was_written_readable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    disk_full_after(monkeypatch, 3)
    with Round(RoundConfig("dining", strategy="ordered", seconds=60, params=FLAT_OUT), tmp_path) as rnd:
        result = rnd.run()
    assert result.end_reason == "disk full" and "No space left on device" in result.disk.note
    kept = result.record_count
    assert kept > 0 and result.disk.unsaved > 0 and result.stats.operations_total > 0
    for name in EVENT_DTYPE.names or ():
        assert len(np.load(tmp_path / "records" / f"{name}.npy")) == kept  # every column whole
    assert np.all(np.diff(result.events["t_ns"]) >= 0)
    assert "disk full" in render_result(result)


def test_no_spill_is_left_behind_by_a_round_the_cli_or_a_failed_start(capsys: pytest.CaptureFixture) -> None:
    before = _spills()
    with Round(RoundConfig("dining", seconds=0.3)) as rnd:
        result = rnd.run()
    folder = Path(result.disk.folder)
    assert folder in _spills() - before and len(result.events) == result.record_count
    del result, rnd  # the round keeps its result too
    gc.collect()
    assert not folder.exists()
    assert main(["run", "dining", "--seconds", "0.3"]) == 0
    assert "records on disk" in capsys.readouterr().out
    bad = RoundConfig("dining", schedule=(Timed(0.1, Resize("no such thing", 2)),))
    with pytest.raises(ValueError, match="no such thing"), Round(bad) as rnd:
        rnd.start()  # fails after its spill was made
    assert _spills() == before


def test_a_killed_owners_round_folder_is_removed_by_the_next_round(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A SIGKILLed engine runs nothing that could remove its temporary spill: the next round does."""
    import subprocess
    import sys

    from sims.telemetry.spill import TEMP_PREFIX, temporary_folder

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)  # read TMPDIR again
    probe = [sys.executable, "-c", "import os; print(os.getpid())"]
    gone = subprocess.run(probe, capture_output=True, text=True, check=True)
    dead = tmp_path / f"{TEMP_PREFIX}{int(gone.stdout)}-abc"
    (dead / "records").mkdir(parents=True)
    living = tmp_path / f"{TEMP_PREFIX}{os.getpid()}-xyz"
    living.mkdir()
    fresh = temporary_folder()
    assert fresh.parent == tmp_path and fresh.name.startswith(f"{TEMP_PREFIX}{os.getpid()}-")
    assert not dead.exists()
    assert living.exists()  # its owner (this process) is alive: it may still be writing


def test_a_spill_cut_by_a_full_disk_names_no_signals_from_records_it_did_not_keep(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The engine's statistics see every record, the spill only those before the disk filled: the
    resources used as signals are then found from what was kept (as for the window's copy of the
    records), so the intervals table and the trace read from the spill are those of its records."""
    disk_full_after(monkeypatch, 1)
    with Round(RoundConfig("kitchen", seconds=60), tmp_path) as rnd:
        result = rnd.run()
    assert result.end_reason == "disk full" and result.disk.unsaved > 0
    assert result.records.signals is None
    kept = attrs.evolve(result, records=MemoryRecords(result.events))
    assert _rows(result) == _rows(kept)


def _rows(result: Any) -> list[bytes]:
    """The intervals table's columns, chunk by chunk, as bytes."""
    tables = list(interval_tables(result))
    return [(c.codes if isinstance(c, Names) else c.values).tobytes() for t in tables for c in t.columns.values()]
