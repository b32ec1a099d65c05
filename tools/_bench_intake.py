"""The engine's side of telemetry: how many records per second one ``poll`` can fold in.

``Round.poll`` drains the rings, converts to events (``to_events``), folds each batch into the
``LiveModel`` and checks for a deadlock. If agents write faster than this, their rings fill
and records are lost, so this rate, not only the write cost, decides the no-loss target.
Batches come from ``tools/bench_stats.py``'s synthetic 64-philosopher stream (each agent's
records in order), cut into poll-sized pieces; the ring part is timed in section 1's drain.
"""

from __future__ import annotations

import time

import numpy as np
from _bench_common import Plan, Row
from bench_stats import AGENTS, layout, synthetic_round

from sims.live import LiveModel
from sims.telemetry import Op, State

SECTION = "1 telemetry"
BATCH = 20_000  # records per poll: 1 M records/s written, polled every 20 ms
EVENTS = 400_000


def feed_rate(plan: Plan, events: np.ndarray) -> tuple[float, float]:
    """Records per second of ``feed`` alone, and of ``feed`` plus ``check_deadlock`` per batch."""
    ops = {i: (int(Op.STATE), int(State.EATING)) for i in range(AGENTS)}
    batches = [events[i : i + BATCH] for i in range(0, len(events), BATCH)]
    best_feed, best_poll = float("inf"), float("inf")
    for _ in range(max(1, plan.repeats // 2)):
        model = LiveModel(layout(), ops)
        feed_ns = check_ns = 0
        for batch in batches:
            start = time.perf_counter_ns()
            model.feed(batch)
            middle = time.perf_counter_ns()
            model.check_deadlock()
            feed_ns += middle - start
            check_ns += time.perf_counter_ns() - middle
        best_feed, best_poll = min(best_feed, feed_ns), min(best_poll, feed_ns + check_ns)
    return len(events) / (best_feed / 1e9), len(events) / (best_poll / 1e9)


def run(plan: Plan, drain_rate: float) -> list[Row]:
    events = synthetic_round(EVENTS, seed=7)
    feed, poll = feed_rate(plan, events)
    whole = 1 / (1 / poll + 1 / drain_rate)
    return [
        Row(
            SECTION,
            f"LiveModel.feed ({AGENTS} agents)",
            feed / 1e6,
            "M rec/s",
            "reader drain",
            drain_rate / 1e6,
            f"{feed / drain_rate:.2f}x",
            note=f"batches of {BATCH:,} records of a synthetic {AGENTS}-philosopher "
            "stream; the engine does this for every record of every poll",
        ),
        Row(
            SECTION,
            f"engine poll intake ({AGENTS} agents)",
            whole / 1e6,
            "M rec/s",
            "reader drain",
            drain_rate / 1e6,
            f"{whole / drain_rate:.2f}x",
            note="drain + to_events + feed + check_deadlock per batch, one CPU: agents writing faster than this "
            "(on CPU the engine shares with them) fill their rings",
        ),
    ]
