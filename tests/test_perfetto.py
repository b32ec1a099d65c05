"""The Perfetto trace: well-formed (slices nest, arrows pair, counters move forward, every track
named) and true to the round (its holds, waits, hand-offs and resizes)."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import sims.perfetto.rows
from sims.data.textrows import int_field, join_rows, micros_field
from sims.perfetto import RESOURCE_PID, trace_lines, unique_rows, write_trace
from sims.perfetto.rows import Ints, Micros, rows_text
from sims.rounds.commands import Resize, Timed
from sims.rounds.result import RoundResult
from sims.stats import hold_intervals
from tests.helpers import run_round

pytestmark = pytest.mark.timeout(120)


def structural_problems(events: list[dict[str, Any]]) -> list[str]:
    """What a trace viewer would stumble on: the checks the issue names, nothing about our meaning."""
    problems: list[str] = []
    named = {(e["pid"], e["tid"]) for e in events if e["ph"] == "M" and e["name"] == "thread_name"}
    named_pids = {e["pid"] for e in events if e["ph"] == "M" and e["name"] == "process_name"}
    tracks: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for e in events:
        if e["ph"] in ("X", "i") and (e["pid"], e["tid"]) not in named:
            problems.append(f"unnamed track {e['pid']}/{e['tid']}")
        if e["ph"] in ("X", "i", "C") and e["pid"] not in named_pids:
            problems.append(f"unnamed process {e['pid']}")
        if e["ph"] == "X":
            if e["dur"] < 0:
                problems.append(f"negative slice {e}")
            start = round(e["ts"] * 1000)  # as a viewer reads it: whole nanoseconds
            tracks[(e["pid"], e["tid"])].append((start, start + round(e["dur"] * 1000)))
    for track, spans in tracks.items():
        open_ends: list[int] = []
        for start, end in sorted(spans, key=lambda s: (s[0], -s[1])):
            while open_ends and open_ends[-1] <= start:
                open_ends.pop()
            if open_ends and end > open_ends[-1]:
                problems.append(f"slices overlap without nesting on {track} at {start}")
                break
            open_ends.append(end)
    flows: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for e in events:
        if "bind_id" in e:
            flows[e["bind_id"]].append(e)
    for key, ends in flows.items():
        outs = [e for e in ends if e.get("flow_out")]
        ins = [e for e in ends if e.get("flow_in")]
        if len(outs) != 1 or len(ins) != 1 or any(e["dur"] != 0 for e in ends):
            problems.append(f"flow {key} is not one zero-length out and one zero-length in")
        elif outs[0]["ts"] > ins[0]["ts"]:
            problems.append(f"flow {key} points back in time")
    last: dict[tuple[int, str], float] = {}
    for e in events:
        if e["ph"] == "C":
            key = (e["pid"], e["name"])
            if e["ts"] < last.get(key, -1.0):
                problems.append(f"counter {key} goes back in time")
            last[key] = e["ts"]
    return problems


def load(result: RoundResult, folder: Path) -> list[dict[str, Any]]:
    path = write_trace(result, folder / "trace.json.gz")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        document = json.load(f)
    assert document["metadata"]["scenario"] == result.layout.scenario
    return document["traceEvents"]


@pytest.fixture(scope="module")
def deadlocked() -> RoundResult:
    return run_round(
        "dining", strategy="naive", backend="process", params={"think_ms": 0, "eat_ms": 0, "agents": 3}, seconds=3.0
    )


def test_a_deadlocked_process_round_is_a_well_formed_trace_on_real_pids(
    deadlocked: RoundResult, tmp_path: Path
) -> None:
    events = load(deadlocked, tmp_path)
    assert structural_problems(events) == []
    pids = {e["pid"] for e in events if e["ph"] == "X" and e["cat"] == "state"}
    assert pids == {identity.pid for identity in deadlocked.identities}
    assert any(e["ph"] == "i" and e["name"].startswith("deadlock") for e in events)
    still = [e for e in events if e["ph"] == "X" and e["cat"] == "wait" and e["name"].endswith("still waiting")]
    assert len(still) == len(deadlocked.deadlock.agents)  # each agent of the cycle waits to the end


def test_every_hold_and_every_hand_off_is_drawn(deadlocked: RoundResult, tmp_path: Path) -> None:
    events = load(deadlocked, tmp_path)
    end = max(deadlocked.ended_ns, deadlocked.started_ns)
    holds = hold_intervals(deadlocked.events[deadlocked.events["t_ns"] <= end], deadlocked.started_ns, end)
    on_resources = [e for e in events if e["ph"] == "X" and e["pid"] == RESOURCE_PID]
    assert len(on_resources) == len(holds)
    arrows = Counter(e.get("flow_out", False) for e in events if "bind_id" in e)
    assert arrows[True] == arrows[False] == deadlocked.stats.handoffs_total


def test_a_live_resize_shows_in_the_capacity_counter(tmp_path: Path) -> None:
    result = run_round(
        "dining",
        strategy="waiter",
        params={"think_ms": 1, "eat_ms": 2},
        seconds=1.2,
        schedule=(Timed(0.3, Resize("seats", 1)), Timed(0.6, Resize("seats", 3))),
    )
    events = load(result, tmp_path)
    assert structural_problems(events) == []
    capacity = [e["args"]["value"] for e in events if e["ph"] == "C" and e["name"] == "seats capacity"]
    assert capacity[0] == 4 and 1 in capacity and capacity[-1] == 3
    in_use = [e["args"]["value"] for e in events if e["ph"] == "C" and e["name"] == "seats in use"]
    assert max(in_use) >= 2  # a semaphore's holds overlap: they need lanes on its track
    assert any(e["ph"] == "M" and "(lane" in e["args"].get("name", "") for e in events)


def test_a_monitors_condition_waits_are_drawn_and_the_trace_stays_well_formed(tmp_path: Path) -> None:
    result = run_round(
        "kitchen",
        strategy="condition",
        params={"producers": 3, "consumers": 1, "capacity": 1, "cook_ms": 0, "serve_ms": 2},
        seconds=0.6,
    )
    events = load(result, tmp_path)
    assert structural_problems(events) == []
    waits = {e["name"] for e in events if e["ph"] == "X" and e["cat"] == "wait"}
    assert "wait not full: woken" in waits  # cooks woken by a waiter's notify


def test_the_checker_catches_what_it_checks() -> None:
    """Each structural check fails on a trace broken in its way (a checker that cannot fail proves nothing)."""
    named = [
        {"ph": "M", "name": "process_name", "pid": 1, "tid": 0, "args": {"name": "p"}},
        {"ph": "M", "name": "thread_name", "pid": 1, "tid": 1, "args": {"name": "t"}},
    ]
    crossing = [
        {"ph": "X", "pid": 1, "tid": 1, "ts": 0, "dur": 10},
        {"ph": "X", "pid": 1, "tid": 1, "ts": 5, "dur": 10},
    ]
    assert "overlap" in structural_problems(named + crossing)[0]
    assert "unnamed track" in structural_problems([{"ph": "X", "pid": 1, "tid": 2, "ts": 0, "dur": 1}, *named])[0]
    backwards = [{"ph": "X", "pid": 1, "tid": 1, "ts": 5, "dur": 0, "bind_id": 1, "flow_out": True},
                 {"ph": "X", "pid": 1, "tid": 1, "ts": 1, "dur": 0, "bind_id": 1, "flow_in": True}]
    assert "back in time" in structural_problems(named + backwards)[0]
    counter = [{"ph": "C", "pid": 1, "name": "c", "ts": 2, "args": {}}, {"ph": "C", "pid": 1, "name": "c", "ts": 1}]
    assert "counter" in structural_problems(named + counter)[0]


def test_the_trace_is_the_text_python_writes_whatever_the_chunk_size(
    deadlocked: RoundResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each event is compact JSON with times as Python prints floats (``12.5``, not ``12.500``),
    but for spaces between tokens (a column of rows is padded to its widest number, see
    sims.perfetto.rows); chunks change nothing but the padding."""
    lines = trace_lines(deadlocked)
    assert len(lines) > 20
    assert [json.dumps(json.loads(line), separators=(",", ":")) for line in lines] == [squeezed(x) for x in lines]
    assert any(" " in squeezed(line) for line in lines)  # names with spaces are kept
    assert any(line != squeezed(line) for line in lines)  # rows padded to their column's widest
    monkeypatch.setattr(sims.perfetto.rows, "CHUNK", 7)
    assert [squeezed(x) for x in trace_lines(deadlocked)] == [squeezed(x) for x in lines]


def squeezed(line: str) -> str:
    """The line without whitespace between JSON tokens (strings kept as they are)."""
    return re.sub(r'("(?:\\.|[^"\\])*")|\s+', lambda m: m.group(1) or "", line)


def test_microseconds_are_written_as_python_rounds_and_prints_them() -> None:
    rng = np.random.default_rng(5)
    edges = [0, 1, 9, 10, 100, 999, 1000, 1001, 1500, 10_000, -1, -10, -999, -1000, -1500, 10**14 - 1, 86_400 * 10**9]
    ns = np.concatenate((np.array(edges), rng.integers(-(10**13), 10**13, 5000), rng.integers(-5000, 5000, 5000)))
    text = join_rows([micros_field(ns), b"\n"], ns.size).decode().splitlines()
    assert text == [repr(round(v / 1000, 3)) for v in ns.tolist()]


def test_integers_are_written_as_python_prints_them_with_or_without_a_negative_among_them() -> None:
    rng = np.random.default_rng(6)
    edges = [0, 1, 9, 10, 9999, 10_000, 99_999_999, 100_000_000, 2**62]
    for values in (np.array(edges), np.array([-1, *edges, -(2**62)]), rng.integers(0, 10**12, 3000)):
        for ns in (values, values * 7 + 3):
            assert join_rows([int_field(ns), b"\n"], ns.size).decode().splitlines() == [str(v) for v in ns.tolist()]
            exact = ns[np.abs(ns) < 10**15]  # where micros_field is exact
            text = join_rows([micros_field(exact), b"\n"], exact.size).decode().splitlines()
            assert text == [repr(round(v / 1000, 3)) for v in exact.tolist()]


def test_unique_rows_are_numpys() -> None:
    rng = np.random.default_rng(9)
    for n in (0, 1, 500):
        columns = [rng.integers(-3, 3, n), rng.integers(0, 4, n), rng.integers(-(2**40), 2**40, n) % 3]
        rows, inverse = unique_rows(*columns)
        expected, expected_inverse = np.unique(np.stack(columns, axis=1), axis=0, return_inverse=True)
        assert np.array_equal(rows, expected) and np.array_equal(inverse, expected_inverse.reshape(-1))


def test_padded_rows_hold_the_numbers_python_prints_and_squeeze_a_column_with_a_negative() -> None:
    rng = np.random.default_rng(7)
    edges = [0, 1, 9, 10, 999, 1000, 1001, 1500, 10_000, 99_999_999, 100_000_000, 10**12, 10**14 - 1]
    ns = np.concatenate((np.array(edges), rng.integers(0, 10**13, 3000), rng.integers(0, 5000, 3000)))
    for values in (ns, ns[:3], ns[-50:], np.array([5, -1500, 10**9])):
        text = rows_text([b"[", Micros(values), b",", Ints(values), b"]"], values.size).decode()
        rows = text.split(",\n")
        assert [squeezed(row) for row in rows] == [f"[{round(v / 1000, 3)!r},{v}]}}" for v in values.tolist()]
        assert len({len(row) for row in rows}) == 1 or values.min() < 0  # one width, unless squeezed
