"""The trace built a chunk at a time holds the very events the whole-round builder made
(tests/trace_reference.py), on real rounds, whatever the chunk size: slices that cross chunks,
holds and waits still open at the end, arrows from a release in an earlier chunk, counters."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import numpy as np
import pytest

from sims.perfetto import RESOURCE_PID, trace_lines
from sims.perfetto.carry import Lanes
from sims.rounds.commands import Resize, Timed
from sims.rounds.result import RoundResult
from tests.helpers import run_round
from tests.test_perfetto import structural_problems
from tests.trace_reference import LANES, reference_lines

pytestmark = pytest.mark.timeout(180)
Event = tuple[Any, ...]


def comparable(lines: list[str]) -> tuple[Counter[Event], set[Event]]:
    """Each event as (ph, name, cat, pid, tid, ts, dur, args, arrow), counted, and the set of
    track names. A resource's lanes are where its holds overlap, found in another order by the
    streamed builder: a resource track is its resource, its lane left out (that lanes never
    overlap is checked on the trace itself). An arrow's id is replaced by its two ends."""
    events = [json.loads(line) for line in lines]
    ends: dict[int, list[tuple[Any, ...]]] = {}
    for e in events:
        if "bind_id" in e:
            ends.setdefault(e["bind_id"], []).append((e.get("flow_out", False), e["pid"], e["tid"], e["ts"]))
    counted: Counter[Event] = Counter()
    names: set[Event] = set()
    for e in events:
        tid, args = e.get("tid"), e.get("args")
        if e["pid"] == RESOURCE_PID and tid is not None:
            tid = (tid - 1) // LANES
            if e["ph"] == "M":
                args = {"sort_index": args["sort_index"] // LANES} if "sort_index" in args else args
                args = {"name": args["name"].split(" (lane ")[0]} if "name" in args else args
        arrow = tuple(sorted(ends[e["bind_id"]])) if "bind_id" in e else None
        row = (e["ph"], e["name"], e.get("cat"), e["pid"], tid, e.get("ts"), e.get("dur"), json.dumps(args), arrow)
        if e["ph"] == "M":
            names.add(row)
        else:
            counted[row] += 1
    return counted, names


def assert_same_trace(result: RoundResult, *chunk_sizes: int) -> None:
    expected = comparable(reference_lines(result))
    assert sum(expected[0].values()) > 50
    for size in chunk_sizes:
        lines = trace_lines(result, chunk_records=size)
        assert structural_problems([json.loads(line) for line in lines]) == []
        got = comparable(lines)
        extra, missing = (got[0] - expected[0]).most_common(3), (expected[0] - got[0]).most_common(3)
        assert got[0] == expected[0], (size, extra, missing)
        assert got[1] == expected[1], (size, got[1] ^ expected[1])


def test_a_deadlocked_process_round() -> None:
    result = run_round(
        "dining", strategy="naive", backend="process", params={"think_ms": 0, "eat_ms": 0, "agents": 3}, seconds=3.0
    )
    assert result.deadlock is not None
    assert_same_trace(result, 7, 1000, 1 << 20)


@pytest.mark.parametrize("detail", [True, False])
def test_a_busy_dining_round_with_detail_on_and_off(detail: bool) -> None:
    params = {"think_ms": 0, "eat_ms": 0.1, "agents": 5}
    result = run_round("dining", strategy="ordered", backend="thread", params=params, seconds=0.25, detail=detail)
    assert_same_trace(result, 31, 4096)


def test_a_kitchen_of_semaphores_used_as_signals() -> None:
    params = {"producers": 3, "consumers": 2, "capacity": 2, "cook_ms": 0.2, "serve_ms": 0.5}
    result = run_round("kitchen", strategy="semaphores", params=params, seconds=0.3)
    holds = {line.split('"name":')[1].split(",")[0] for line in reference_lines(result) if '"cat":"hold"' in line}
    assert '"hold mutex"' in holds and not holds & {'"hold empty"', '"hold full"'}  # signals have no holds
    assert_same_trace(result, 29, 2000)


def test_overlapping_holds_and_a_live_resize() -> None:
    result = run_round(
        "dining",
        strategy="waiter",
        params={"think_ms": 1, "eat_ms": 2},
        seconds=0.6,
        schedule=(Timed(0.2, Resize("seats", 1)), Timed(0.4, Resize("seats", 3))),
    )
    lines = reference_lines(result)
    assert any("(lane 2)" in line for line in lines)  # holds overlap
    assert any('"ph":"C","name":"seats capacity"' in line and '"value":1}' in line for line in lines)
    assert_same_trace(result, 9, 500)


def test_lanes_in_end_order_keep_overlapping_holds_apart_with_no_more_lanes_than_needed() -> None:
    rng = np.random.default_rng(3)
    start = rng.integers(0, 1000, 300)
    end = start + rng.integers(0, 50, 300)
    resource = rng.integers(0, 2, 300)
    keeper = Lanes()
    lane = np.empty(300, np.int64)
    for part in np.array_split(np.argsort(end, kind="stable"), 7):  # in end order, a chunk at a time
        lane[part] = keeper.place(resource[part], start[part], end[part])
    for r in (0, 1):
        mine = resource == r
        for k in np.unique(lane[mine]):
            order = np.argsort(start[mine][lane[mine] == k])
            s, e = start[mine][lane[mine] == k][order], end[mine][lane[mine] == k][order]
            assert np.all(s[1:] >= e[:-1])
        needed = max(np.sum((start[mine] <= t) & (end[mine] > t)) for t in range(1100))
        assert lane[mine].max() + 1 == needed
