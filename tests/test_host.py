"""The engine host: a round in its own process, driven over a pipe, and gone without a trace.

Waiting for a process to end uses a pidfd (readable when the process exits), never a sleep.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from sims.engine.client import EngineHost
from sims.engine.messages import Batch, Ended, Identities, Refused
from sims.rounds import commands as cmd
from sims.rounds.config import RoundConfig
from sims.telemetry import Op

pytestmark = pytest.mark.timeout(120)


def shm_of(pid: int) -> set[str]:
    """Shared-memory segments a process has mapped (the round's telemetry rings)."""
    maps = Path(f"/proc/{pid}/maps").read_text()
    return {
        line.split("/dev/shm/", 1)[1].strip()
        for line in maps.splitlines()
        if "/dev/shm/psm_" in line or "/dev/shm/diner_" in line
    }


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting to be reaped counts as gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return False
    return fields[0] != "Z"


def wait_gone(pid: int, timeout: float) -> bool:
    """Wait for ``pid`` to exit (pidfd: no polling loop). True if it did in time."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        ready, _, _ = select.select([fd], [], [], timeout)
        return bool(ready) or not alive(pid)
    finally:
        os.close(fd)


def drive(host: EngineHost, until: object, timeout: float = 60.0) -> list[object]:
    """Collect messages until ``until(messages)`` holds (waiting on the pipe, not sleeping)."""
    got: list[object] = []
    end = time.monotonic() + timeout
    while not until(got):
        assert time.monotonic() < end, f"host did not deliver in {timeout} s: {[type(m).__name__ for m in got]}"
        host.wait(0.05)  # blocks on the pipe until something arrives
        got.extend(host.poll())
    return got


def config(backend: str, **params: object) -> RoundConfig:
    base = {"agents": 4, "think_ms": 5.0, "eat_ms": 5.0}
    return RoundConfig("dining", backend=backend, strategy="waiter", seconds=30, params=base | params)


@pytest.mark.parametrize("backend", ["thread", "process"])
def test_a_round_runs_in_the_host_and_every_record_reaches_the_window(backend: str) -> None:
    """The records come with the result, through shared memory that is gone afterwards (the
    autouse fixture checks /dev/shm for the run's segments)."""
    with EngineHost(config(backend)) as host:
        layout = host.wait_started(60)
        assert layout.resource_named("seats").capacity == 3
        got = drive(host, lambda m: any(isinstance(x, Identities) for x in m))
        host.send("resize seats 1")
        host.send(cmd.Resize("nothing", 2))
        host.send("frobnicate")
        got += drive(host, lambda m: sum(isinstance(x, Refused) for x in m) == 2)
        host.send(cmd.End())
        got += drive(host, lambda m: any(isinstance(x, Ended) for x in m))
    pids = {i.pid for i in next(m for m in got if isinstance(m, Identities)).identities}
    assert (len(pids) == 4) == (backend == "process")
    assert not any(isinstance(m, Batch) for m in got), "records are not streamed unless asked for"
    result = host.ended.result if host.ended else None
    assert result is not None and result.end_reason == "requested"
    events = result.events
    assert len(events) and np.all(np.diff(events["t_ns"]) >= 0)
    seats = layout.resource_named("seats").index
    caps = events[(events["op"] == Op.CAPACITY) & (events["resource"] == seats)]
    assert 1 in caps["value"].tolist() and caps["value"][0] == 3
    assert result.stats.operations_total == int(np.count_nonzero((events["op"] == Op.STATE) & (events["value"] == 3)))
    reasons = [m.reason for m in got if isinstance(m, Refused)]
    assert any("nothing" in r for r in reasons) and any("frobnicate" in r for r in reasons)
    assert not alive(host.host_pid or 0)


def test_closing_mid_round_leaves_no_host_agent_or_shared_memory() -> None:
    host = EngineHost(config("process"))
    host.start()
    try:
        host.wait_started(60)
        ids = drive(host, lambda m: any(isinstance(x, Identities) for x in m))
        agents = [i.pid for i in next(m for m in ids if isinstance(m, Identities)).identities]
        host_pid = host.host_pid
        assert host_pid is not None and all(alive(p) for p in [host_pid, *agents])
        segments = shm_of(host_pid)
        assert segments, "the host maps its telemetry rings"
        assert not any("libSDL" in line for line in Path(f"/proc/{host_pid}/maps").read_text().splitlines())
    finally:
        host.close()
    assert not any(alive(p) for p in [host_pid, *agents])
    assert not any((Path("/dev/shm") / s).exists() for s in segments)


@contextlib.contextmanager
def untaken_records() -> Iterator[tuple[EngineHost, int, Ended, Path]]:
    """A process round ended in its host, the host's messages read raw up to its Ended (``poll()``
    would take the records at once): the host, its pid, the Ended and the records' segment.
    The host is closed afterwards."""
    host = EngineHost(config("process"))
    host.start()
    try:
        host.wait_started(60)
        host_pid = host.host_pid
        assert host_pid is not None
        host.send(cmd.End())
        message = None
        while not isinstance(message, Ended):
            assert host._conn.poll(60), "the host did not end its round"
            message = host._conn.recv()
        yield host, host_pid, message, Path("/dev/shm") / message.records.segment
    finally:
        host.close()


def test_records_left_for_a_window_that_never_takes_them_are_freed_when_it_goes() -> None:
    """The host keeps the round's records in shared memory until the window says it has
    taken them; a window that closes its end instead must not leave the segment behind."""
    with untaken_records() as (host, host_pid, message, segment):
        assert message.records.count > 0 and segment.exists() and len(message.result.events) == 0
        host._conn.close()  # as a window that dies before taking the records would
        assert wait_gone(host_pid, 30), "the host kept waiting for a window that had gone"
        assert not segment.exists()


def test_records_left_by_a_host_killed_before_the_window_took_them_are_freed_on_close() -> None:
    """The window named the segment, so closing the host frees it even when the host was
    SIGKILLed holding it (nobody else would: the host never got to its own cleanup)."""
    with untaken_records() as (host, host_pid, message, segment):
        assert message.records.segment == host.records_segment and segment.exists()
        os.kill(host_pid, signal.SIGKILL)
        assert wait_gone(host_pid, 30)
        assert segment.exists(), "the host died before freeing it"
    assert not segment.exists()


WINDOW = textwrap.dedent(
    """
    import json, sys
    from sims.engine.client import EngineHost
    from sims.engine.messages import Identities
    from sims.rounds.config import RoundConfig
    host = EngineHost(RoundConfig("dining", backend="process", strategy="naive", seconds=120,
                                  params={"agents": 3, "think_ms": 50.0, "eat_ms": 50.0}))
    host.start()
    host.wait_started(60)
    ids = None
    while ids is None:
        host.wait(1.0)
        ids = next((m for m in host.poll() if isinstance(m, Identities)), None)
    maps = open(f"/proc/{host.host_pid}/maps").read().splitlines()
    shm = sorted({l.split("/dev/shm/", 1)[1].strip() for l in maps if "/dev/shm/psm_" in l or "/dev/shm/diner_" in l})
    print(json.dumps({"host": host.host_pid, "agents": [i.pid for i in ids.identities], "shm": shm}), flush=True)
    sys.stdin.readline()
    """
)


def test_killing_the_window_process_stops_the_host_and_its_agents() -> None:
    window = subprocess.Popen([sys.executable, "-c", WINDOW], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = window.stdout.readline() if window.stdout else ""
        assert line, "the window process did not report its round"
        seen = json.loads(line)
        assert alive(seen["host"]) and all(alive(p) for p in seen["agents"])
    finally:
        window.send_signal(signal.SIGKILL)
        window.wait()
        if window.stdin:
            window.stdin.close()
        if window.stdout:
            window.stdout.close()
    assert wait_gone(seen["host"], 30), "the host outlived its window"
    assert not any(alive(p) for p in seen["agents"])
    assert seen["shm"] and not any((Path("/dev/shm") / s).exists() for s in seen["shm"])


def test_pictures_add_up_to_the_records_and_batches_come_in_bounded_chunks() -> None:
    """A picture is the host's model of the first ``snapshot.records`` records it folded (the
    batches, in the order they arrive): its meal counts and permits out match exactly those
    records. Pictures may overtake batches (they go first); no batch exceeds CHUNK_RECORDS."""
    from sims.engine.serve import CHUNK_RECORDS
    from sims.live.picture import Picture

    busy = config("process", agents=8, think_ms=0.0, eat_ms=0.0)
    with EngineHost(busy, live_records=True) as host:
        layout = host.wait_started(60)
        got = drive(host, lambda m: sum(isinstance(x, Picture) for x in m) >= 20)
        host.send(cmd.End())
        got += drive(host, lambda m: any(isinstance(x, Ended) for x in m))
    batches = [m.events for m in got if isinstance(m, Batch)]
    assert max(len(b) for b in batches) <= CHUNK_RECORDS
    events = np.concatenate(batches)
    result = next(m for m in got if isinstance(m, Ended)).result
    assert len(result.events) == len(events)  # the streamed records are the result's, each once
    order = ["t_ns", "agent", "op"]
    assert np.array_equal(np.sort(result.events, order=order), np.sort(events, order=order))
    pictures = [m for m in got if isinstance(m, Picture) and m.snapshot.records > 0]
    assert len(pictures) >= 10
    seats = layout.resource_named("seats").index
    for picture in pictures:
        seen = events[: picture.snapshot.records]
        meals = np.bincount(seen["agent"][(seen["op"] == Op.STATE) & (seen["value"] == 3)], minlength=8)
        assert picture.operations.tolist() == meals[:8].tolist()
        out = np.count_nonzero((seen["op"] == Op.ACQUIRED) & (seen["resource"] == seats)) - np.count_nonzero(
            (seen["op"] == Op.RELEASED) & (seen["resource"] == seats)
        )
        assert picture.permits_out[seats] == out
        assert [a.operations for a in picture.snapshot.agents] == picture.operations.tolist()


def test_a_standby_host_warms_up_then_runs_the_round_it_is_given_with_forked_agents() -> None:
    from game.standby import HOST_NICE, StandbyHost

    standby = StandbyHost()
    standby.refill()
    host, chosen = standby.take(config("process"))
    assert chosen.start_method == "forkserver"  # what the round's configuration says it did
    assert chosen.agent_policy == "idle"
    try:
        layout = host.wait_started(60)
        assert len(layout.agents) == 4
        got = drive(host, lambda m: any(isinstance(x, Identities) for x in m))
        identities = next(m for m in got if isinstance(m, Identities)).identities
        assert len({i.pid for i in identities}) == 4 and host.host_pid not in {i.pid for i in identities}
        assert all(os.sched_getscheduler(i.pid) == os.SCHED_IDLE for i in identities)
        assert os.getpriority(os.PRIO_PROCESS, host.host_pid or 0) == os.getpriority(os.PRIO_PROCESS, 0) + HOST_NICE
    finally:
        host.close()
        standby.refill()  # a standby never given a round ...
        standby.close()  # ... closes too, leaving nothing behind (the autouse fixture checks)
    assert host.ended is not None and host.ended.result.config.start_method == "forkserver"


def test_the_host_ends_on_the_first_sigterm_and_ignores_the_ones_after() -> None:
    """The kernel sends a host its parent-death SIGTERM once per thread of the dying window; a
    second one raised inside the teardown left the round's agents running (found under load)."""
    from sims.engine.serve import _on_sigterm, _Terminated

    before = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        with pytest.raises(_Terminated):
            signal.raise_signal(signal.SIGTERM)
        signal.raise_signal(signal.SIGTERM)
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGTERM, before)
