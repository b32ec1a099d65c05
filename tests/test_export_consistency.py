"""A round's summary agrees with itself: one cut-off instant for everything it counts, and a
pass never recorded fuller than it can be (issue 13; the rounds themselves: tests/test_kitchen.py)."""

from __future__ import annotations

import contextlib
import errno
import os
import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest
from helpers import run_round
from test_stats import records

from sims import export
from sims.primitives.queues import NotingQueue
from sims.rounds.result import RoundResult
from sims.stats import kitchen_stats
from sims.telemetry import Op

pytestmark = pytest.mark.timeout(60)


def test_items_moved_after_the_cut_off_are_undone_from_the_final_state() -> None:
    events = records(
        (10, 0, 0, Op.ITEM_PUT, 1),
        (20, 0, 0, Op.ITEM_PUT, 2),
        (30, 1, 0, Op.ITEM_TAKEN, 1),
        (45, 1, 0, Op.ITEM_TAKEN, 2),  # after the end: 2 was still on the pass at 40
        (50, 0, 0, Op.ITEM_PUT, 3),  # after the end: 3 was not cooked yet at 40
    )
    k = kitchen_stats(events, 0, [3], end_ns=40)
    assert (k.produced, k.consumed, k.on_pass, k.lost, k.duplicated) == (2, 1, 1, 0, 0)
    assert k.produced == k.consumed - k.duplicated + k.on_pass + k.lost
    everything = kitchen_stats(events, 0, [3])
    assert (everything.produced, everything.consumed, everything.on_pass, everything.lost) == (3, 2, 1, 0)


def test_a_noting_queue_notes_each_item_inside_its_lock() -> None:
    dishes = NotingQueue(1)
    seen: list[tuple[str, int, bool]] = []
    dishes.put_noting(7, 1.0, lambda item: seen.append(("put", item, dishes.mutex.locked())))
    with pytest.raises(queue.Full):
        dishes.put_noting(8, 0.01, lambda item: seen.append(("put", item, True)))
    assert dishes.get_noting(1.0, lambda item: seen.append(("taken", item, dishes.mutex.locked()))) == 7
    assert seen == [("put", 7, True), ("taken", 7, True)]
    other = threading.Thread(target=dishes.put, args=(9,))  # plain put: no note, no error
    other.start()
    other.join()
    assert dishes.get(timeout=1.0) == 9


@pytest.fixture(scope="module")
def short_round() -> RoundResult:
    return run_round("dining", strategy="ordered", seconds=0.2)


def _full_disk_on_second_file(monkeypatch: pytest.MonkeyPatch) -> None:
    real, calls = export.staged_file, []

    @contextlib.contextmanager
    def staged(path: Path) -> Iterator[tuple[IO[bytes], str]]:
        calls.append(path)
        with real(path) as (handle, tmp):
            if len(calls) == 2:  # the second file's write fails half-way, as on a full disk
                handle.write(b"half")
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            yield handle, tmp

    monkeypatch.setattr(export, "staged_file", staged)


def test_a_full_disk_leaves_no_folder_and_no_file(
    short_round: RoundResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _full_disk_on_second_file(monkeypatch)
    with pytest.raises(export.ExportError, match="No space left"):
        export.write_round(short_round, tmp_path / "new" / "run")
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_keeps_an_earlier_export_whole(
    short_round: RoundResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = export.write_round(short_round, tmp_path)
    before = {p.name: p.read_bytes() for p in paths}
    _full_disk_on_second_file(monkeypatch)
    with pytest.raises(export.ExportError):
        export.write_round(short_round, tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
