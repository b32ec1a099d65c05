"""A long round's export in worker processes: the same bytes as one process writes, one gzip
member, the records' slices in time order, and no worker left behind whatever happens."""

from __future__ import annotations

import contextlib
import errno
import functools
import gzip
import io
import itertools
import os
import signal
import sys
import threading
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from helpers import end_session, session_members, terminal_child, wait_until
from hypothesis import given, settings
from hypothesis import strategies as st

import sims.data.gzipped
import sims.export
import sims.perfetto
import sims.perfetto.rows
import sims.perfetto.write
from sims.data.beside import beside, until_stopped
from sims.data.gzipped import crc32_combine
from sims.data.parallel import WorkerLost, in_order
from sims.data.tables import event_slices
from sims.engine import Round
from sims.export import ExportError, Format, write_round
from sims.rounds import RoundConfig
from sims.rounds.result import RoundResult
from sims.telemetry.dtypes import EVENT_DTYPE
from sims.telemetry.spill import MemoryRecords, RecordSpill

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def spilled(tmp_path_factory: pytest.TempPathFactory) -> RoundResult:
    """A short busy round whose records are on disk, as a long round's are."""
    config = RoundConfig("dining", strategy="ordered", seconds=0.4, params={"think_ms": 0, "eat_ms": 0})
    with Round(config, records_dir=tmp_path_factory.mktemp("round")) as rnd:
        return rnd.run()


def test_csv_written_by_workers_is_the_bytes_one_process_writes(
    spilled: RoundResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_round(spilled, tmp_path / "one", [Format.CSV])
    monkeypatch.setattr(sims.export, "workers_for", lambda rows: 2)
    monkeypatch.setattr(sims.export, "EVENT_SLICE", 997)
    write_round(spilled, tmp_path / "two", [Format.CSV])
    one, two = ((tmp_path / name / "events.csv").read_bytes() for name in ("one", "two"))
    assert one.count(b"\n") == spilled.record_count + 1 > 3 * 997  # several slices, each in a worker
    assert one == two
    intervals = (tmp_path / "one" / "intervals.csv").read_bytes()
    assert intervals.count(b"\n") > 2 * 997
    for table in ("intervals", "agents", "resources"):
        assert (tmp_path / "one" / f"{table}.csv").read_bytes() == (tmp_path / "two" / f"{table}.csv").read_bytes()


def test_the_trace_written_by_workers_is_one_gzip_member_of_the_same_text(
    spilled: RoundResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sims.perfetto.rows, "CHUNK", 500)  # rows are padded a chunk at a time: the same for both
    sims.perfetto.write_trace(spilled, tmp_path / "one.json.gz")
    monkeypatch.setattr(sims.perfetto.write, "workers_for", lambda rows: 2)
    monkeypatch.setattr(sims.data.gzipped, "BATCH_BYTES", 2000)
    sims.perfetto.write_trace(spilled, tmp_path / "two.json.gz")
    reader = zlib.decompressobj(16 + zlib.MAX_WBITS)  # one gzip member, nothing after it
    text = reader.decompress((tmp_path / "two.json.gz").read_bytes())
    assert reader.eof and reader.unused_data == b""
    assert text == gzip.decompress((tmp_path / "one.json.gz").read_bytes())
    assert text.count(b'"ph":"X"') > 2 * 500


def test_record_slices_are_the_records_in_time_order_even_when_the_spill_is_not(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    spill = RecordSpill(tmp_path)
    for _ in range(5):
        batch = np.zeros(300, EVENT_DTYPE)
        batch["t_ns"] = np.sort(rng.integers(0, 10_000, 300))  # each batch in order, the batches not
        batch["value"] = rng.integers(-5, 5, 300)
        spill.append(batch)
    records = spill.records(temporary=False)
    assert records.late > 0  # kept aside, merged back on reading
    for source in (records, MemoryRecords(records.load())):
        joined = np.concatenate([piece.load() for piece in source.slices(7)])
        assert np.array_equal(joined, records.load())


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300), st.binary(max_size=3000))
def test_crc32_combine_is_the_crc_of_the_joined_texts(first: bytes, second: bytes) -> None:
    assert crc32_combine(zlib.crc32(first), zlib.crc32(second), len(second)) == zlib.crc32(first + second)


def _fork_server_children() -> set[int]:
    """Live processes forked by this process's fork server (the pool's workers)."""
    from multiprocessing import forkserver

    server = getattr(forkserver._forkserver, "_forkserver_pid", None)
    found = set()
    for stat in (Path("/proc") / n / "stat" for n in os.listdir("/proc") if n.isdigit()):  # not glob: it stats
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if server and int(fields[1]) == server and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def test_the_workers_end_with_the_results_with_a_failing_job_and_when_the_reader_stops() -> None:
    before = _fork_server_children()
    pids = list(in_order((functools.partial(os.getpid) for _ in range(6)), 2))
    assert os.getpid() not in pids and len(set(pids)) <= 2
    assert _fork_server_children() == before
    failing = (functools.partial(int, text) for text in ("1", "2", "three", "4"))
    with pytest.raises(ValueError, match="three"):
        list(in_order(failing, 2))
    assert _fork_server_children() == before
    with pytest.raises(WorkerLost, match="worker process ended"):
        list(in_order((functools.partial(os._exit, 3) for _ in range(3)), 2))  # a worker killed, say
    assert _fork_server_children() == before
    stopped = in_order((functools.partial(os.getpid) for _ in range(50)), 2)
    next(stopped)
    stopped.close()  # what a write that fails (a full disk) or a Ctrl-C does to the generator
    assert _fork_server_children() == before


BLOCKED_EXPORT = (
    "import functools, signal\n"
    "from sims.data.parallel import in_order\n"
    "list(in_order((functools.partial(signal.pause) for _ in range(4)), 2))\n"  # two workers, each blocked
)


def _forked_from_the_fork_server(sid: int) -> list[int]:
    """Members of session ``sid`` running the fork server's code: the server and its workers."""
    found = []
    for pid in session_members(sid):
        with contextlib.suppress(OSError):
            if b"forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
    return found


def test_an_exporter_killed_mid_export_leaves_no_worker(tmp_path: Path) -> None:
    """SIGKILL of the exporting process (the OOM killer, say): the fork server exits with it and the
    kernel ends each worker, which closed its copy of the server's pipe and is tied to the server."""
    child = terminal_child([sys.executable, "-c", BLOCKED_EXPORT], tmp_path, f"export{os.getpid()}")
    try:
        wait_until(lambda: len(_forked_from_the_fork_server(child.pid)) >= 3 or child.poll() is not None, 60)
        assert child.poll() is None, child.communicate()
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=60)
        wait_until(lambda: not session_members(child.pid), 60)  # a safety net: they end within milliseconds
    finally:
        end_session(child)


@pytest.mark.parametrize("forced", [True, False])
def test_gzip_from_either_deflate_on_a_thread_or_joined_from_pieces_is_one_member_of_the_text(
    forced: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ISA-L's deflate when installed (the default), zlib's otherwise (forced here): both ways of
    writing give one gzip member."""
    if forced:
        monkeypatch.setattr(sims.data.gzipped, "deflater", lambda: (zlib, sims.data.gzipped.ZLIB_LEVEL))
    monkeypatch.setattr(sims.data.gzipped, "BATCH_BYTES", 1000)
    texts = [b"%d,\n" % i * (i % 50) for i in range(400)]
    for write in (sims.data.gzipped.write_gzipped, functools.partial(sims.data.gzipped._write_in_workers, workers=1)):
        buffer = io.BytesIO()
        write(buffer, iter(texts))
        reader = zlib.decompressobj(16 + zlib.MAX_WBITS)
        assert reader.decompress(buffer.getvalue()) == b"".join(texts)
        assert reader.eof and reader.unused_data == b""


def _failing_while_events_csv_is_written(
    monkeypatch: pytest.MonkeyPatch, spilled: RoundResult, fail: Callable[[], None]
) -> threading.Event:
    """events.csv made endless (only a stop ends its helper thread), and the intervals, written
    meanwhile in the calling thread, failing with ``fail`` once the helper has handed out 4 slices."""
    started = threading.Event()
    slices = list(event_slices(spilled, 997))

    def endless(result: RoundResult, size: int) -> Iterator[object]:
        for count, piece in enumerate(itertools.cycle(slices)):
            if count == 4:
                started.set()
            yield piece

    def intervals(result: RoundResult) -> Iterator[object]:
        assert started.wait(60)  # a safety net: the helper is writing events.csv side by side
        fail()
        yield from ()

    monkeypatch.setattr(sims.export, "workers_for", lambda rows: 2)
    monkeypatch.setattr(sims.export, "event_slices", endless)
    monkeypatch.setitem(sims.export.TABLES, "intervals", intervals)
    return started


def _full_disk() -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _ctrl_c() -> None:
    signal.raise_signal(signal.SIGINT)  # Python's own handler: KeyboardInterrupt in this (the main) thread


@pytest.mark.parametrize(("fail", "raised"), [(_full_disk, ExportError), (_ctrl_c, KeyboardInterrupt)])
def test_the_events_csv_helper_stops_and_is_joined_when_the_export_fails_or_is_interrupted(
    spilled: RoundResult,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fail: Callable[[], None],
    raised: type[BaseException],
) -> None:
    """The helper thread writing events.csv (and its workers) end when the calling thread fails
    or gets a Ctrl-C; nothing is left: no file, no folder, no thread (conftest), no worker."""
    before = _fork_server_children()
    started = _failing_while_events_csv_is_written(monkeypatch, spilled, fail)
    with pytest.raises(raised):
        write_round(spilled, tmp_path / "new", [Format.CSV])
    assert started.is_set()
    assert list(tmp_path.iterdir()) == []
    assert _fork_server_children() == before


def test_a_full_disk_in_the_events_csv_helper_fails_the_export_and_leaves_nothing(
    spilled: RoundResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(result: RoundResult, size: int) -> Iterator[object]:
        _full_disk()
        yield from ()

    monkeypatch.setattr(sims.export, "event_slices", full)
    with pytest.raises(ExportError, match="No space left"):
        write_round(spilled, tmp_path / "new", [Format.CSV])
    assert list(tmp_path.iterdir()) == []


def test_the_helper_is_told_to_stop_when_the_caller_fails() -> None:
    """An endless helper: only the stop ends it (else this test hangs, and times out)."""
    running = threading.Event()

    def endless() -> Iterator[int]:
        for n in itertools.count():
            running.set()
            yield n

    def work(stop: threading.Event) -> None:
        for _ in until_stopped(endless(), stop):
            pass

    with pytest.raises(ZeroDivisionError), beside(work, "endless helper"):
        assert running.wait(60)  # a safety net: the helper is running
        1 / 0  # noqa: B018 -- the caller's block fails
