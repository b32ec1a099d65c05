"""Time ``compute_round_stats`` on a synthetic 1,000,000-record round of 64 dining philosophers.

Usage: ``python tools/bench_stats.py [--events N] [--seed S] [--repeat R]``

The stream is seeded and realistic in shape: philosophers around a table of 64 forks
eat in alternating slots (so forks are never shared), most wait for their left fork
(REQUEST, then ACQUIRED with the ns waited), take the right fork on the fast path,
report HUNGRY / EATING / THINKING states and now and then time out on a probe.

Machines differ and are noisy, so besides the best-of-R time the tool prints a
baseline measured in the same run, ``np.sort`` of the same timestamps in shuffled
order, and the ratio of the two; compare ratios across machines, not milliseconds.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from sims.rounds import AgentInfo, ResourceInfo, RoundLayout
from sims.stats import compute_round_stats
from sims.telemetry import EVENT_DTYPE, Op, State

AGENTS = 64
SLOT_NS = 1_000_000  # one eating turn
PER_MEAL = 7.75  # records per meal, on average, in the stream below


def layout() -> RoundLayout:
    agents = tuple(AgentInfo(i, f"philosopher {i}", "philosopher", "thread") for i in range(AGENTS))
    forks = tuple(ResourceInfo(i, f"fork {i}", "lock") for i in range(AGENTS))
    return RoundLayout("dining", "bench", "thread", 0, agents, forks)


def _records(parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, int, np.ndarray]]) -> np.ndarray:
    """Concatenate (t, agent, resource, op, value) columns and sort them into one time-ordered stream."""
    t = np.concatenate([p[0].ravel() for p in parts])
    out = np.empty(t.size, dtype=EVENT_DTYPE)
    out["t_ns"] = t
    out["agent"] = np.concatenate([p[1].ravel() for p in parts])
    out["resource"] = np.concatenate([p[2].ravel() for p in parts])
    out["op"] = np.concatenate([np.full(p[0].size, p[3]) for p in parts])
    out["value"] = np.concatenate([p[4].ravel() for p in parts])
    return out[np.argsort(t, kind="stable")]


def synthetic_round(n_events: int, seed: int) -> np.ndarray:
    """About ``n_events`` records of a dining round, built slot by slot without Python loops."""
    rng = np.random.default_rng(seed)
    slots = int(n_events / (PER_MEAL * AGENTS / 2)) + 1
    slot = np.arange(slots)[:, None]
    who = (2 * np.arange(AGENTS // 2))[None, :] + slot % 2  # even agents eat in even slots
    begin = slot * SLOT_NS + np.zeros_like(who)
    left, right = who, (who + 1) % AGENTS
    shape = who.shape
    hungry = begin - rng.integers(10_000, 900_000, shape)
    waited = rng.random(shape) < 0.75
    request = hungry + 1_000
    got_left = begin + rng.integers(1_000, 20_000, shape)
    got_right = got_left + rng.integers(100, 2_000, shape)
    eating = got_right + 100
    put_right = begin + SLOT_NS - rng.integers(2_000, 50_000, shape)
    put_left = put_right + 500
    thinking = put_left + 1_000
    probe = rng.random(shape) < 0.05
    none = np.zeros(shape, np.int64)

    def state(value: State) -> np.ndarray:
        return np.full(shape, int(value), np.int64)

    parts = [
        (hungry, who, none - 1, Op.STATE, state(State.HUNGRY)),
        (request[waited], who[waited], left[waited], Op.REQUEST, none[waited] - 1),
        (got_left, who, left, Op.ACQUIRED, np.where(waited, got_left - request, 0)),
        (got_right, who, right, Op.ACQUIRED, none),
        (eating, who, none - 1, Op.STATE, state(State.EATING)),
        (put_right, who, right, Op.RELEASED, none),
        (put_left, who, left, Op.RELEASED, none),
        (thinking, who, none - 1, Op.STATE, state(State.THINKING)),
        (hungry[probe] + 500, who[probe], right[probe], Op.REQUEST, none[probe] + 200),
        (hungry[probe] + 700, who[probe], right[probe], Op.TIMED_OUT, none[probe] + 200),
    ]
    return _records(parts)[:n_events]


def best_of(repeat: int, run: Callable[[], object]) -> float:
    """The fastest of ``repeat`` runs, in ms."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    events = synthetic_round(args.events, args.seed)
    plan, ops = layout(), {i: (int(Op.STATE), int(State.EATING)) for i in range(AGENTS)}
    start, end = int(events["t_ns"][0]), int(events["t_ns"][-1])
    shuffled = np.random.default_rng(args.seed).permutation(events["t_ns"])
    stats_ms = best_of(args.repeat, lambda: compute_round_stats(events, plan, start, end, ops))
    sort_ms = best_of(args.repeat, lambda: np.sort(shuffled))
    stats = compute_round_stats(events, plan, start, end, ops)
    print(
        f"{events.size:,} records, {AGENTS} agents, {AGENTS} locks, seed {args.seed}: "
        f"{stats.operations_total:,} meals, jain {stats.jain:.4f}, handoffs {stats.handoffs_total:,}"
    )
    print(f"compute_round_stats  {stats_ms:8.1f} ms  (best of {args.repeat})")
    print(f"np.sort baseline     {sort_ms:8.1f} ms  (same timestamps, shuffled)")
    print(f"ratio                {stats_ms / sort_ms:8.2f}")


if __name__ == "__main__":
    main()
