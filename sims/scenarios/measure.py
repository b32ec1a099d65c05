"""Small numpy helpers the lesson scenarios use to turn telemetry into their own numbers.

Everything here reads EVENT_DTYPE arrays sorted by time (what ``Scenario.finish`` gets).
Times come out in milliseconds unless a name says otherwise; an empty distribution gives
zeros (JSON has no NaN, and "nobody waited" is a normal outcome).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from sims.telemetry import ENGINE_AGENT, Op

NS_PER_MS = 1e6


def select(events: np.ndarray, op: int, resource: int | None = None, agents: Iterable[int] | None = None) -> np.ndarray:
    """The records with ``op`` (and ``resource``, and one of ``agents``), in time order."""
    keep = events["op"] == op
    if resource is not None:
        keep &= events["resource"] == resource
    if agents is not None:
        keep &= np.isin(events["agent"], np.fromiter(agents, dtype=np.int64))
    selected: np.ndarray = events[keep]
    return selected


def window(events: np.ndarray) -> tuple[int, int]:
    """The round's start and end (the engine's ROUND_START / ROUND_END records)."""
    engine = events[events["agent"] == ENGINE_AGENT]
    starts = engine["t_ns"][engine["op"] == Op.ROUND_START]
    ends = engine["t_ns"][engine["op"] == Op.ROUND_END]
    first = int(starts[0]) if len(starts) else (int(events["t_ns"].min()) if len(events) else 0)
    last = int(ends[-1]) if len(ends) else int(events["t_ns"].max(initial=first))
    return first, max(first, last)


def spread(prefix: str, values_ns: np.ndarray | list[int]) -> dict[str, float]:
    """``{prefix}_p50_ms``, ``_p99_ms``, ``_max_ms``, ``_mean_ms`` of durations given in ns."""
    values = np.asarray(values_ns, dtype=np.float64) / NS_PER_MS
    if values.size == 0:
        return {f"{prefix}_{k}_ms": 0.0 for k in ("p50", "p99", "max", "mean")}
    return {
        f"{prefix}_p50_ms": float(np.percentile(values, 50)),
        f"{prefix}_p99_ms": float(np.percentile(values, 99)),
        f"{prefix}_max_ms": float(values.max()),
        f"{prefix}_mean_ms": float(values.mean()),
    }


def occupancy(events: np.ndarray, container: int) -> tuple[np.ndarray, np.ndarray]:
    """Times and levels of (ITEM_PUT - ITEM_TAKEN) on one container, one step per record."""
    mine = events[(events["resource"] == container) & np.isin(events["op"], [Op.ITEM_PUT, Op.ITEM_TAKEN])]
    steps = np.where(mine["op"] == Op.ITEM_PUT, 1, -1)
    return mine["t_ns"].astype(np.int64), np.cumsum(steps)


def time_weighted(t_ns: np.ndarray, levels: np.ndarray, start: int, end: int, initial: float = 0.0) -> float:
    """Mean of a step function over ``[start, end]`` (each level holds until the next time)."""
    if end <= start:
        return 0.0
    t = np.clip(np.concatenate(([start], t_ns)), start, end)
    lv = np.concatenate(([initial], levels)).astype(np.float64)
    widths = np.diff(np.append(t, end))
    return float(np.dot(lv, widths) / (end - start))


def capacity_steps(events: np.ndarray, resource: int, initial: int) -> tuple[np.ndarray, np.ndarray]:
    """Times and values of a semaphore's CAPACITY records (the initial value first, at t=0)."""
    mine = select(events, Op.CAPACITY, resource)
    return np.concatenate(([0], mine["t_ns"])).astype(np.int64), np.concatenate(([initial], mine["value"]))


def level_at(times: np.ndarray, t_steps: np.ndarray, v_steps: np.ndarray) -> np.ndarray:
    """The value of a step function (``t_steps`` sorted) at each of ``times``."""
    return v_steps[np.maximum(np.searchsorted(t_steps, times, side="right") - 1, 0)]
