"""Telemetry rings: round trip, order, wrap-around, counted overflow, torn records, a real child,
and thread writers that wait (bounded) for the reader instead of losing records."""

from __future__ import annotations

import multiprocessing
import struct
import threading
from multiprocessing import shared_memory

import numpy as np
import pytest
from helpers import drain_while_alive, run_round, write_records
from hypothesis import given, settings
from hypothesis import strategies as st

from sims.telemetry import EVENT_DTYPE, RECORD_DTYPE, Op, RingReader, RingWriter, op_code, ring_bytes
from sims.telemetry.ring import HEADER_SIZE, DrainSignal

pytestmark = pytest.mark.timeout(60)

CHECK_OFFSET = 28  # offsets inside a 32-byte record (see sims.telemetry.schema)
SEQ_OFFSET = 0


def ring_set(rings: int, capacity: int) -> tuple[memoryview, RingReader]:
    buf = memoryview(bytearray(ring_bytes(capacity) * rings))
    return buf, RingReader(buf, rings, capacity)


def slot_offset(ring: int, slot: int, capacity: int) -> int:
    return ring * ring_bytes(capacity) + HEADER_SIZE + slot * 32


def test_record_layout_is_32_bytes_and_events_keep_the_fields() -> None:
    assert RECORD_DTYPE.itemsize == 32
    assert set(EVENT_DTYPE.names or ()) == {"t_ns", "agent", "resource", "op", "value"}


def test_round_trip_keeps_every_field() -> None:
    buf, reader = ring_set(1, 16)
    writer = RingWriter(buf, 0, 16, agent=5)
    writer.emit(op_code(Op.ACQUIRED, 3), 1234)
    writer.emit(op_code(Op.RELEASED, 3), 0)
    writer.emit(op_code(Op.STATE), -7)  # NO_RESOURCE and a negative value
    writer.emit(op_code(Op.ITEM_PUT, 2), (4 << 32) | 9)  # a 64-bit item id
    got = reader.drain()
    assert got["op"].tolist() == [Op.ACQUIRED, Op.RELEASED, Op.STATE, Op.ITEM_PUT]
    assert got["resource"].tolist() == [3, 3, -1, 2]
    assert got["value"].tolist() == [1234, 0, -7, (4 << 32) | 9]
    assert got["agent"].tolist() == [5, 5, 5, 5]
    assert got["seq"].tolist() == [1, 2, 3, 4]
    assert np.all(np.diff(got["t_ns"]) >= 0)
    assert len(reader.drain()) == 0  # nothing is delivered twice
    assert reader.dropped() == 0


def test_rings_are_drained_in_ring_order_each_in_write_order() -> None:
    buf, reader = ring_set(3, 8)
    writers = [RingWriter(buf, r, 8, agent=r) for r in range(3)]
    for i in range(5):
        for r in (2, 0, 1):
            writers[r].emit(op_code(Op.COUNTER, r), i)
    got = reader.drain()
    assert got["agent"].tolist() == [0] * 5 + [1] * 5 + [2] * 5
    assert got["value"].tolist() == list(range(5)) * 3


def test_wrap_around_delivers_everything_in_order() -> None:
    capacity = 8
    buf, reader = ring_set(1, capacity)
    writer = RingWriter(buf, 0, capacity, agent=0)
    delivered: list[int] = []
    value = 0
    for burst in (5, 7, 8, 3, 8, 6):  # positions cross the end of the slots many times
        for _ in range(burst):
            writer.emit(op_code(Op.COUNTER, 0), value)
            value += 1
        delivered += reader.drain()["value"].tolist()
    assert delivered == list(range(value))
    assert reader.dropped() == 0


def test_long_drain_widens_its_look_past_the_first_probe() -> None:
    capacity = 4096
    buf, reader = ring_set(1, capacity)
    writer = RingWriter(buf, 0, capacity, agent=0)
    for i in range(3000):
        writer.emit(op_code(Op.COUNTER, 0), i)
    assert reader.drain()["value"].tolist() == list(range(3000))
    for i in range(3000, 6000):  # wraps: the copy is split at the end of the slots
        writer.emit(op_code(Op.COUNTER, 0), i)
    assert reader.drain()["value"].tolist() == list(range(3000, 6000))


def test_overflow_is_counted_never_silent_and_never_blocks() -> None:
    capacity = 8
    buf, reader = ring_set(2, capacity)
    writer = RingWriter(buf, 1, capacity, agent=1)
    for i in range(20):  # nobody drains: 12 records have no room
        writer.emit(op_code(Op.COUNTER, 0), i)
    assert writer.written == 8
    assert reader.dropped() == 12
    got = reader.drain()
    assert got["value"].tolist() == list(range(8))  # the oldest stay; nothing is overwritten
    writer.emit(op_code(Op.COUNTER, 0), 100)  # room again once the reader moved on
    got = reader.drain()
    assert got["value"].tolist() == [100]
    assert got["seq"].tolist() == [9]  # a dropped record never takes a sequence number
    assert reader.dropped() == 12


def test_a_new_writer_on_a_ring_continues_where_the_old_one_stopped() -> None:
    buf, reader = ring_set(1, 8)
    first = RingWriter(buf, 0, 8, agent=0)
    for i in range(3):
        first.emit(op_code(Op.COUNTER, 0), i)
    reader.drain()
    second = RingWriter(buf, 0, 8, agent=0)
    second.emit(op_code(Op.COUNTER, 0), 3)
    assert reader.drain()["value"].tolist() == [3]


@pytest.mark.parametrize("offset", [CHECK_OFFSET, SEQ_OFFSET], ids=["last half unseen", "first half unseen"])
def test_a_torn_record_stops_the_reader_until_it_is_whole(offset: int) -> None:
    capacity = 16
    buf, reader = ring_set(1, capacity)
    writer = RingWriter(buf, 0, capacity, agent=0)
    for i in range(6):
        writer.emit(op_code(Op.COUNTER, 0), i)
    at = slot_offset(0, 3, capacity) + offset
    good = buf[at]
    buf[at] = (good + 1) & 0xFF  # slot 3 looks half-written
    assert reader.drain()["value"].tolist() == [0, 1, 2]
    assert reader.drain()["value"].tolist() == []  # still torn: still not taken
    buf[at] = good  # the writer's store lands
    assert reader.drain()["value"].tolist() == [3, 4, 5]


@pytest.mark.parametrize("offset", [CHECK_OFFSET, SEQ_OFFSET], ids=["last half unseen", "first half unseen"])
def test_a_torn_first_record_yields_nothing_rather_than_failing(offset: int) -> None:
    """The seq of the first new slot is already visible but the rest is not (weak ordering)."""
    capacity = 16
    buf, reader = ring_set(2, capacity)
    RingWriter(buf, 1, capacity, agent=1).emit(op_code(Op.COUNTER, 0), 42)
    writer = RingWriter(buf, 0, capacity, agent=0)
    for i in range(3):
        writer.emit(op_code(Op.COUNTER, 0), i)
    at = slot_offset(0, 0, capacity) + offset
    good = buf[at]
    buf[at] = (good + 1) & 0xFF
    got = reader.drain()  # ring 0 gives nothing yet; ring 1 still delivers
    assert got["value"].tolist() == [42]
    buf[at] = good
    assert reader.drain()["value"].tolist() == [0, 1, 2]


def test_a_slot_left_from_the_previous_lap_is_not_taken() -> None:
    capacity = 4
    buf, reader = ring_set(1, capacity)
    writer = RingWriter(buf, 0, capacity, agent=0)
    for i in range(4):
        writer.emit(op_code(Op.COUNTER, 0), i)
    reader.drain()
    writer.emit(op_code(Op.COUNTER, 0), 4)  # slot 0 is new; slots 1-3 hold seq 2-4 from lap one
    assert reader.drain()["value"].tolist() == [4]


def test_the_sequence_number_wraps_at_32_bits_in_both_words_and_slots_stay_in_order() -> None:
    capacity, start = 8, (1 << 32) - 3  # the reader has taken 2**32 - 3 records of this ring
    buf = memoryview(bytearray(ring_bytes(capacity)))
    struct.pack_into("<Q", buf, 0, start)
    writer = RingWriter(buf, 0, capacity, agent=0)
    for i in range(10):  # crosses both the 32-bit wrap and the end of the slots
        writer.emit(op_code(Op.COUNTER, 0), i)
    assert writer.written == start + capacity  # the rest did not fit (nobody drained)
    slots = np.frombuffer(buf, dtype=RECORD_DTYPE, count=capacity, offset=HEADER_SIZE)
    for i in range(capacity):
        k = start + i
        slot = slots[k % capacity]
        assert int(slot["seq"]) == int(slot["check"]) == (k + 1) & 0xFFFFFFFF
        assert int(slot["value"]) == i
    assert struct.unpack_from("<Q", buf, 8)[0] == 2  # two dropped and counted


def test_reader_rejects_a_capacity_that_is_not_a_power_of_two() -> None:
    with pytest.raises(ValueError, match="power of two"):
        RingReader(memoryview(bytearray(ring_bytes(6))), 1, 6)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.integers(1, 20), st.just(0)), min_size=1, max_size=30))
def test_any_mix_of_writes_and_drains_delivers_in_order_and_counts_the_rest(script: list[int]) -> None:
    """0 means "drain"; n > 0 means "write n records"."""
    capacity = 8
    buf, reader = ring_set(1, capacity)
    writer = RingWriter(buf, 0, capacity, agent=0)
    sent = delivered = 0
    unread = 0
    expected: list[int] = []
    got: list[int] = []
    for step in [*script, 0]:
        if step == 0:
            got += reader.drain()["value"].tolist()
            unread = 0
            continue
        for _ in range(step):
            if unread < capacity:
                expected.append(sent)
                unread += 1
            writer.emit(op_code(Op.COUNTER, 0), sent)
            sent += 1
    delivered = len(got)
    assert got == expected
    assert delivered + reader.dropped() == sent


def test_a_spawned_child_writes_shared_memory_that_the_parent_reads_while_it_writes() -> None:
    capacity, count = 1 << 10, 50_000
    shm = shared_memory.SharedMemory(create=True, size=ring_bytes(capacity))
    reader = RingReader(shm.buf, 1, capacity)
    try:
        child = multiprocessing.get_context("spawn").Process(target=write_records, args=(shm.name, capacity, count))
        child.start()
        got = drain_while_alive(child, reader)
        assert child.exitcode == 0
        values = got["value"]
        assert np.all(np.diff(values) > 0)  # in order, each at most once
        assert np.all(np.diff(got["seq"].astype(np.int64)) == 1)  # no record half-taken or skipped
        assert set(got["agent"].tolist()) == {7}
        assert got["op"].tolist() == [Op.COUNTER] * len(got)
        assert len(got) + reader.dropped() == count  # whatever did not fit was counted
        assert len(got) >= capacity
    finally:
        del reader  # its views into the segment must go before the segment is closed
        shm.close()
        shm.unlink()


def test_header_positions_are_little_endian_u64() -> None:
    buf, reader = ring_set(1, 8)
    writer = RingWriter(buf, 0, 8, agent=0)
    for i in range(3):
        writer.emit(op_code(Op.COUNTER, 0), i)
    reader.drain()
    assert struct.unpack_from("<Q", buf, 0)[0] == 3  # the reader hands slots back through the header


def test_a_thread_writer_past_its_soft_limit_waits_for_the_reader_instead_of_dropping() -> None:
    """With an hour-long bound, only the reader's drains (which notify) let the writer go on."""
    capacity, count = 64, 5_000
    signal = DrainSignal(wait_s=3600.0)
    buf = memoryview(bytearray(ring_bytes(capacity)))
    reader = RingReader(buf, 1, capacity, handed_back=signal.notify)
    writer = RingWriter(buf, 0, capacity, agent=0, give_way=signal.give_way, slices=signal.slices)

    def write() -> None:
        for i in range(count):
            writer.emit(op_code(Op.COUNTER, 0), i)

    thread = threading.Thread(target=write, name="ring writer")
    thread.start()
    assert drain_while_alive(thread, reader)["value"].tolist() == list(range(count))
    assert reader.dropped() == 0


def test_a_thread_writer_never_waits_unboundedly_and_drops_when_the_ring_stays_full() -> None:
    capacity = 16
    signal = DrainSignal(wait_s=0.001)
    buf, reader = ring_set(1, capacity)  # nobody drains
    writer = RingWriter(buf, 0, capacity, agent=0, give_way=signal.give_way, slices=signal.slices)
    for i in range(capacity + 5):
        writer.emit(op_code(Op.COUNTER, 0), i)
    assert writer.written == capacity
    assert reader.dropped() == 5
    assert reader.drain()["value"].tolist() == list(range(capacity))


def test_sixty_four_thread_philosophers_flat_out_lose_no_telemetry() -> None:
    """The engine's thread gets its share of the GIL: agents past 3/4 of a ring wait for it."""
    result = run_round("dining", strategy="ordered", seconds=2.0, params={"think_ms": 0.0, "eat_ms": 0.0, "agents": 64})
    assert result.end_reason == "duration"
    assert len(result.events) > 100_000  # they did eat flat out
    assert result.dropped == 0
