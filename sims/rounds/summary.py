"""A finished round as plain data: its verdict and the flat numbers goals and sweeps use (summary.json: sims.data)."""

from __future__ import annotations

from typing import Any

from sims.rounds.result import RoundResult


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
    return flat
