"""A full ring makes its agent wait for the engine instead of losing records (sims.telemetry.ring)."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from helpers import drain_while_alive, run_until

from sims.rounds.config import RoundConfig
from sims.telemetry import Op, RingReader, RingWriter, op_code, ring_bytes
from sims.telemetry.ring import Backpressure

pytestmark = pytest.mark.timeout(120)
RING = 256


class Bells:
    """A process round's ring semaphores, counted: how often the writer slept and was woken."""

    def __init__(self, rings: int) -> None:
        self.sems = [threading.Semaphore(0) for _ in range(rings)]
        self.sleeps = 0
        self.rung = 0
        self.slept = threading.Event()

    def sleep(self, ring: int, moved: object) -> None:
        self.sleeps += 1
        self.slept.set()
        self.sems[ring].acquire(True, 3600.0)  # only the reader's bell ends this sleep

    def ring(self, ring: int) -> None:
        self.rung += 1
        self.sems[ring].release()


def test_a_writer_whose_ring_is_full_sleeps_until_the_reader_rings_and_loses_nothing() -> None:
    capacity, count = 16, 3_000
    bells = Bells(2)
    buf = memoryview(bytearray(ring_bytes(capacity) * 2))
    reader = RingReader(buf, 2, capacity, woken=bells.ring)
    room = Backpressure(bells.sleep, lambda: False)
    writer = RingWriter(buf, 1, capacity, agent=1, room=room)
    thread = threading.Thread(target=lambda: [writer.emit(op_code(Op.COUNTER, 0), i) for i in range(count)])
    thread.start()
    # Nobody drains until the writer, its 16 slots full, has gone to sleep (a safety net, not a timing).
    assert bells.slept.wait(60)
    assert drain_while_alive(thread, reader)["value"].tolist() == list(range(count))  # every record, in order
    assert reader.dropped() == 0
    assert bells.sleeps > 0
    assert bells.rung >= bells.sleeps - 1  # each sleep was ended by the reader's bell (the last may be pending)


def test_once_the_round_stops_a_full_writer_gives_up_after_its_grace_and_counts_the_rest() -> None:
    capacity = 8
    slept: list[int] = []
    buf = memoryview(bytearray(ring_bytes(capacity)))
    reader = RingReader(buf, 1, capacity)
    room = Backpressure(lambda ring, moved: slept.append(ring), lambda: True, grace_s=0.0)
    writer = RingWriter(buf, 0, capacity, agent=0, room=room)
    for i in range(capacity + 5):  # nobody drains and the round is over
        writer.emit(op_code(Op.COUNTER, 0), i)
    assert writer.written == capacity
    assert reader.dropped() == 5
    assert slept == []  # no grace left: no sleep, and no new wait for each later record
    assert reader.drain()["value"].tolist() == list(range(capacity))
    writer.emit(op_code(Op.COUNTER, 0), 99)  # the reader moved: room again
    assert reader.drain()["value"].tolist() == [99]


@pytest.mark.parametrize("backend", ["thread", "process"])
def test_agents_on_tiny_rings_wait_for_the_engine_and_every_acquire_has_its_release(backend: str) -> None:
    """256-record rings fill between two polls at zero pacing: without waiting, records were lost.

    The round lasts until every philosopher has eaten more meals than half its ring (two forks
    taken each), counted live: a 1 s round on a busy machine gave one only 216 acquisitions."""
    config = RoundConfig(
        "dining",
        strategy="ordered",
        backend=backend,
        seconds=60.0,  # a safety net
        params={"agents": 4, "think_ms": 0.0, "eat_ms": 0.0},
        ring_capacity=RING,
        start_method="forkserver",
    )
    result = run_until(config, lambda rnd: rnd.model is not None and rnd.model.operations.min() > RING // 2)
    events = result.events
    assert result.end_reason == "requested" and result.dropped == 0
    for agent in range(4):
        mine = events[events["agent"] == agent]
        acquired = int(np.count_nonzero(mine["op"] == Op.ACQUIRED))
        released = int(np.count_nonzero(mine["op"] == Op.RELEASED))
        assert acquired > RING  # it wrote more than its ring holds
        assert 0 <= acquired - released <= 2  # at most the two forks it held when the round ended
    result.records.discard()
