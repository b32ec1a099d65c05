"""summary.json, schema version 1: the round's identity, set-up, environment and results.

Times are on the round's clock (ns or s since its ROUND_START record); the monotonic reading
of that instant is kept as ``time_base.monotonic_origin_ns``, so raw readings from elsewhere
on the same machine (e.g. a helper's heartbeat) can be put on the same clock.
"""

from __future__ import annotations

import json
import os
from importlib import metadata
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from sims.rounds.result import RoundResult
from sims.rounds.summary import flat_numbers, verdict
from sims.scenarios import scenario_named
from sims.telemetry import OP_NAMES, STATE_NAMES

SCHEMA_VERSION = 1
SCHEMA_FILE = Path(__file__).with_name("summary.schema.json")
PACKAGE = "deadlock-diner"
SUMMARY_KEY = b"deadlock_diner.summary"  # the summary in Parquet files' metadata


def engine_version() -> str:
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:  # run from a source tree that is not installed
        return "0+unknown"


def concurrency(rounds_in_parallel: int, load_avg: tuple[float, float, float]) -> dict[str, Any]:
    """What the round shared the machine with: rounds that share cores do not measure the same thing."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "rounds_in_parallel": rounds_in_parallel,
        "cpus": os.cpu_count(),
        "usable_cpus": usable,
        "load_avg_at_end": list(load_avg),
    }


def summary_v1(result: RoundResult, *, rounds_in_parallel: int = 1) -> dict[str, Any]:
    """Everything summary.json holds (see docs/data.md)."""
    layout, config = result.layout, result.config
    return {
        "schema_version": SCHEMA_VERSION,
        "engine": {"name": PACKAGE, "version": engine_version()},
        "round_id": result.round_id,
        "started_at": result.started_at,
        "scenario": layout.scenario,
        "strategy": layout.strategy,
        "backend": config.backend,
        "seed": config.seed,
        "params": scenario_named(config.scenario).resolve(config.params),
        "time_base": {
            "unit": "ns",
            "origin": "round start (the engine's round_start record)",
            "clock": "time.monotonic_ns",
            "monotonic_origin_ns": result.started_ns,
            "end_ns": result.ended_ns - result.started_ns,
        },
        "config": config.to_dict(),
        "concurrency": concurrency(rounds_in_parallel, result.load_avg),
        "environment": result.environment,
        "duration_s": round(result.duration_s, 6),
        "verdict": verdict(result),
        "round": flat_numbers(result),
        "statistics": _on_round_clock(result.stats.to_dict(), result.started_ns),
        "scenario_stats": result.scenario_stats,
        "agents": [_identity(attrs.asdict(identity), result.started_ns) for identity in result.identities],
        "names": {
            "agents": [a.name for a in layout.agents],
            "roles": [a.role for a in layout.agents],
            "resources": [r.name for r in layout.resources],
            "resource_kinds": [r.kind for r in layout.resources],
            "ops": {str(k): v for k, v in OP_NAMES.items()},
            "states": {str(k): v for k, v in STATE_NAMES.items()},
            "steps": list(layout.steps),
            "engine_agent": -1,
        },
        "events": result.record_count,
        "disk": attrs.asdict(result.disk),
    }


def _on_round_clock(statistics: dict[str, Any], origin: int) -> dict[str, Any]:
    statistics["start_ns"] -= origin
    statistics["end_ns"] -= origin
    return statistics


def _identity(fields: dict[str, Any], origin: int) -> dict[str, Any]:
    for key in ("started_ns", "stopped_ns"):
        if fields[key] is not None:
            fields[key] -= origin
    return fields


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def summary_json(document: dict[str, Any], *, indent: int | None = 2) -> bytes:
    """Strict JSON: NaN and infinities (e.g. a ratio over nothing) become null."""
    return json.dumps(_finite(document), indent=indent, default=_json_default, allow_nan=False).encode()


def _finite(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    if isinstance(value, float | np.floating) and not np.isfinite(value):
        return None
    return value


def summary_schema() -> dict[str, Any]:
    """The JSON Schema of summary.json, as shipped in the package."""
    schema: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return schema
