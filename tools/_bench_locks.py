"""Section 2: an uncontended acquire+release pair, our instrumented Lock against the raw one.

Our Lock is used outside a Round the way an agent uses it: a Runtime with a buffer and a writer
bound to this thread. Batches fit the ring (two records per pair) and are drained untimed, so
the writer never takes its full-ring path.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from typing import Any

from _bench_common import Plan, Row, best_ns_per_op

from sims import Runtime
from sims.primitives import Lock

CAPACITY = 1 << 16
SECTION = "2 lock"


def _timed_pairs(lock: Any, pairs: int) -> int:
    acquire, release = lock.acquire, lock.release
    start = time.thread_time_ns()
    for _ in range(pairs):
        acquire()
        release()
    return time.thread_time_ns() - start


def raw_ns(lock: Any, plan: Plan) -> float:
    return best_ns_per_op(lambda: _timed_pairs(lock, plan.batch), plan.repeats, plan.batch)


def instrumented_ns(plan: Plan, ctx: Any) -> float:
    rt = Runtime(ctx, shared=ctx is not None)
    rt.allocate(1, CAPACITY)
    rt.bind(0, 0)
    readers = [rt.reader()]  # a list, so the view can be dropped before close
    lock = Lock("bench lock", 0, rt, ctx)

    def batch() -> int:
        elapsed = _timed_pairs(lock, plan.batch)
        readers[0].drain()
        return elapsed

    try:
        assert 2 * plan.batch <= CAPACITY
        return best_ns_per_op(batch, plan.repeats, plan.batch)
    finally:
        readers.clear()
        rt.unbind()
        rt.close()


def run(plan: Plan) -> list[Row]:
    ctx = multiprocessing.get_context("spawn")
    rows = []
    for flavour, raw_lock, raw_name, our_ctx in (
        ("thread", threading.Lock(), "threading.Lock", None),
        ("process", ctx.Lock(), "multiprocessing.Lock", ctx),
    ):
        # Interleave raw and instrumented measurements so drift in the machine hits both.
        raw, ours = [], []
        for _ in range(2):
            raw.append(raw_ns(raw_lock, plan))
            ours.append(instrumented_ns(plan, our_ctx))
        raw_best, ours_best = min(raw), min(ours)
        rows.append(
            Row(
                SECTION,
                f"acquire+release ns/pair ({flavour})",
                ours_best,
                "ns",
                raw_name,
                raw_best,
                f"{ours_best / raw_best:.1f}x slower",
                note=f"uncontended; best of {2 * plan.repeats} batches of "
                f"{plan.batch:,} pairs; +{ours_best - raw_best:.0f} ns for two records and the writer lookup",
            )
        )
    return rows
