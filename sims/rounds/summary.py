"""A finished round as plain data: its verdict and the flat numbers goals and sweeps use (summary.json: sims.data)."""

from __future__ import annotations

from typing import Any

import numpy as np

from sims.rounds import commands as cmd
from sims.rounds.result import RoundResult
from sims.telemetry import ENGINE_AGENT, EVENT_DTYPE, Op
from sims.telemetry.spill import structured


def verdict(result: RoundResult) -> dict[str, Any]:
    """Deadlock (with its cycle by name) or stall (who waits on what), starvation, orphaned
    resources, telemetry loss."""
    layout, dl = result.layout, result.deadlock
    stuck = None
    if dl is not None:
        stuck = {
            "agents": [layout.agents[a].name for a in dl.agents],
            "waiting_for": [layout.resources[r].name for r in dl.resources],
            "formed_s": round((dl.formed_ns - result.started_ns) / 1e9, 6),
            "detected_s": round((dl.detected_ns - result.started_ns) / 1e9, 6),
        }
    stalled = dl is not None and dl.is_stall
    return {
        "deadlock": dl is not None and not stalled,
        "cycle": None if stalled else stuck,
        "stall": stuck if stalled else None,
        "starved": list(result.stats.starved),
        "orphaned": list(result.orphaned),
        "end_reason": result.end_reason,
        "dropped_records": result.dropped,
    }


def flat_numbers(result: RoundResult) -> dict[str, float | int | bool]:
    """Round-level numbers by stable name: what level goals and sweeps compare."""
    flat: dict[str, float | int | bool] = dict(result.stats.flat())
    for key, value in result.scenario_stats.items():
        if isinstance(value, bool | int | float):
            flat[key] = value
    flat["deadlock"] = result.deadlock is not None and not result.deadlock.is_stall
    flat["stall"] = result.deadlock is not None and result.deadlock.is_stall
    flat["dropped"] = result.dropped
    flat["orphaned_count"] = len(result.orphaned)
    flat["round_time_s"] = round_time_s(result)
    flat["os_scheduled"] = bool(result.config.gated and handed_to_os(result))
    return flat


def _engine(result: RoundResult, op: Op) -> Any:
    """The engine's records of ``op``, read a chunk at a time (a round's records may be on disk)."""
    found = [np.empty(0, dtype=EVENT_DTYPE)]
    for columns in result.records.column_chunks():  # as columns: no record array made of a whole chunk
        mine = (columns["agent"] == ENGINE_AGENT) & (columns["op"] == op)
        found.append(structured({name: column[mine] for name, column in columns.items()}))
    return np.concatenate(found)


def handed_to_os(result: RoundResult) -> bool:
    """Whether anyone sent ``auto`` during the round: the operating system scheduled part of it."""
    commands = _engine(result, Op.COMMAND)
    return bool((commands["value"] == cmd.Auto.code).any())


def round_time_s(result: RoundResult) -> float:
    """The round's own time: wall time divided by the time scale in force, piece by piece.

    At scale 0.5 every sleep of the round is half as long, so one wall second is two seconds
    of the round's time; grading in round time keeps a sped-up round from inflating rates.
    """
    start, end = result.started_ns, result.ended_ns
    changes = _engine(result, Op.SCALE)
    total, since, scale = 0.0, start, 1.0
    for t_ns, value in zip(changes["t_ns"].tolist(), changes["value"].tolist(), strict=True):
        at = min(max(int(t_ns), start), end)
        total += (at - since) / scale
        since, scale = at, max(value, 1) / 1000
    total += (end - since) / scale
    return total / 1e9
