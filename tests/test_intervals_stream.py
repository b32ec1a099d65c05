"""The intervals table streamed a chunk at a time has exactly the rows of the whole-round computation."""

from __future__ import annotations

from collections import Counter

import attrs
import numpy as np
import pytest
from helpers import run_round

from sims.data.columns import Names, Table
from sims.data.intervals import Outcome, interval_tables, intervals_table
from sims.rounds.result import RoundResult
from sims.stats import hold_intervals
from sims.telemetry import Op
from sims.telemetry.spill import MemoryRecords, SpilledRecords

pytestmark = pytest.mark.timeout(120)
ENDING = {
    Op.ACQUIRED: "acquired",
    Op.TIMED_OUT: "timed_out",
    Op.ABANDONED: "abandoned",
    Op.WOKEN: "woken",
    Op.WAIT_TIMED_OUT: "timed_out",
    Op.BROKEN: "broken",
}
Row = tuple[str | None, str | None, str, int, int, int, str]


def reference_rows(result: RoundResult) -> Counter[Row]:
    """The table as it was computed from the whole round in memory (before it was streamed)."""
    ev, origin, end = result.events, result.started_ns, result.ended_ns
    agents, resources = [a.name for a in result.layout.agents], [r.name for r in result.layout.resources]
    rows: Counter[Row] = Counter()

    def add(agent: int, resource: int, kind: str, start: int, stop: int, outcome: str) -> None:
        name = agents[agent] if 0 <= agent < len(agents) else None
        what = resources[resource] if 0 <= resource < len(resources) else None
        rows[(name, what, kind, start - origin, stop - origin, stop - start, outcome)] += 1

    last_start: dict[int, int] = {}
    last_end: dict[int, int] = {}
    for i, (t, agent, resource, op, value) in enumerate(ev[["t_ns", "agent", "resource", "op", "value"]].tolist()):
        if op in ENDING and value > 0 and agent >= 0 and resource >= 0:
            add(agent, resource, "wait", t - value, t, ENDING[op])
        if 0 <= agent < len(agents):
            if op in (Op.REQUEST, Op.WAIT):
                last_start[agent] = i
            elif op in ENDING:
                last_end[agent] = i
    for agent, i in last_start.items():
        if i > last_end.get(agent, -1):
            add(agent, int(ev["resource"][i]), "wait", int(ev["t_ns"][i]), end, "still_waiting")
    for agent, resource, start, stop in hold_intervals(ev, origin, end).tolist():
        add(agent, resource, "hold", start, stop, "released" if stop < end else "held_at_end")
    return rows


def streamed_rows(tables: list[Table]) -> list[Row]:
    columns = {name: [t.columns[name] for t in tables] for name in tables[0].columns}
    texts = {
        name: [x for c in parts for x in (c.texts() if isinstance(c, Names) else c.values.tolist())]  # type: ignore[union-attr]
        for name, parts in columns.items()
    }
    return list(zip(*texts.values(), strict=True))


def check(result: RoundResult, chunk: int) -> list[Row]:
    rows = streamed_rows(list(interval_tables(result, chunk)))
    assert Counter(rows) == reference_rows(result)
    end = result.ended_ns - result.started_ns
    still = [row[6] in ("still_waiting", "held_at_end") and row[4] == end for row in rows]
    open_from = still.index(True) if True in still else len(rows)
    assert all(still[open_from:]), "the ones still open at the round's end come last"
    ends = [(row[4], row[3]) for row in rows[:open_from]]
    assert ends == sorted(ends), "the others by end, then start"
    return rows


@pytest.fixture(scope="module")
def rounds() -> dict[str, RoundResult]:
    quick = {"think_ms": 0, "eat_ms": 0}
    return {
        "deadlock": run_round("dining", strategy="naive", seconds=20, params=quick),
        "semaphore": run_round("dining", strategy="waiter", seconds=0.3, params={"think_ms": 1, "eat_ms": 1}),
        "signals": run_round("kitchen", seconds=0.3),
        "detail off": run_round("dining", strategy="ordered", seconds=0.3, params=quick, detail=False),
        "events": run_round("bell", seconds=0.3, params={"closed_ms": 5, "open_ms": 2, "eat_ms": 2}),
    }


@pytest.mark.parametrize("which", ["deadlock", "semaphore", "signals", "detail off", "events"])
@pytest.mark.parametrize("chunk", [7, 100, 1 << 20])
@pytest.mark.parametrize("source", ["spill", "memory"])
def test_streamed_intervals_are_the_whole_round_s(
    rounds: dict[str, RoundResult], which: str, chunk: int, source: str
) -> None:
    """From the engine's spill (which names the signals) and from memory (a first pass finds them)."""
    result = rounds[which]
    assert isinstance(result.records, SpilledRecords) and result.records.signals is not None
    if source == "memory":
        result = attrs.evolve(result, records=MemoryRecords(result.events))
    rows = check(result, chunk)
    assert result.record_count > 3 * chunk or chunk == 1 << 20  # the small chunks really cut the round
    kinds = Counter((row[2], row[6]) for row in rows)
    assert kinds[("hold", "released")] > 0 or which in ("signals", "events")  # no holds there
    if which == "deadlock":
        assert kinds[("wait", "still_waiting")] + kinds[("wait", "abandoned")] == 5
        assert kinds[("hold", "held_at_end")] == 5


def test_the_rounds_show_what_they_are_chosen_for(rounds: dict[str, RoundResult]) -> None:
    """Each round exercises its case (else the comparisons above prove less than they claim)."""
    outcomes = {which: Counter(r[6] for r in reference_rows(result)) for which, result in rounds.items()}
    kitchen = rounds["signals"]
    signal_kind = {r.name for r in kitchen.layout.resources} - {r[1] for r in reference_rows(kitchen) if r[2] == "hold"}
    assert signal_kind, "some resource of the kitchen is used as a signal (it has no holds)"
    assert kitchen.records.signals is not None
    named = {kitchen.layout.resources[r].name for r in kitchen.records.signals}
    assert named and named <= signal_kind  # the engine's statistics named them in the spill
    assert outcomes["events"]["woken"] > 0 and outcomes["semaphore"]["acquired"] > 0
    counted = rounds["detail off"].events
    assert np.count_nonzero(counted["op"] == Op.HOLDS) > 0, "detail off counts uncontended holds"


def test_a_slice_of_a_round_pairs_releases_with_holds_from_before_it(rounds: dict[str, RoundResult]) -> None:
    """Records without the engine's ROUND_START are not a whole history: a release with nothing
    acquired before it ends a hold from before (from the round's start), as in hold_intervals."""
    for which in ("signals", "semaphore"):
        result = rounds[which]
        events = result.events
        later = events[(events["op"] != Op.ROUND_START) & (events["t_ns"] > np.median(events["t_ns"]))]
        sliced = attrs.evolve(result, records=MemoryRecords(later))
        rows = check(sliced, 50)
        assert any(row[3] == 0 and row[2] == "hold" for row in rows)  # a hold from before the slice


def test_the_whole_table_is_its_chunks_joined(rounds: dict[str, RoundResult]) -> None:
    result = rounds["semaphore"]
    whole = intervals_table(result)
    assert streamed_rows([whole]) == streamed_rows(list(interval_tables(result, 13)))
    outcome = whole.columns["outcome"]
    assert isinstance(outcome, Names) and outcome.names == tuple(o.value for o in Outcome)
