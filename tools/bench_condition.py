"""Our RLock, Condition and Barrier against CPython's, side by side in one run.

Usage: ``python tools/bench_condition.py [--quick]``

1. RLock: an uncontended acquire+release pair, ours against ``threading.RLock`` /
   ``multiprocessing.RLock`` (best of N batches);
2. Condition: a ping-pong between two threads (each notifies the other and waits for its
   turn), round trips per second, ours against ``threading.Condition`` /
   ``multiprocessing.Condition`` (medians of interleaved runs);
3. Barrier: two threads meeting again and again, meetings per second, ours against
   ``threading.Barrier`` / ``multiprocessing.Barrier``.

The process flavour is measured between two threads of one process (its primitives are the
same either way); every ratio is against the baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

from sims import Runtime
from sims.primitives import Barrier, Condition, RLock

CAPACITY = 1 << 20  # records per ring: no run fills it


def pairs_ns(lock: Any, pairs: int) -> float:
    start = time.perf_counter_ns()
    for _ in range(pairs):
        lock.acquire()
        lock.release()
    return (time.perf_counter_ns() - start) / pairs


def ping_pong(cond: Any, rounds: int, bind: Callable[[int], None]) -> float:
    """Round trips per second: two threads take turns, each waiting on ``cond`` for its own."""
    turn = [0]

    def player(me: int) -> None:
        bind(me)
        for _ in range(rounds):
            with cond:
                while turn[0] != me:
                    cond.wait()
                turn[0] = 1 - me
                cond.notify()

    return _two(player, rounds)


def meetings(barrier: Any, rounds: int, bind: Callable[[int], None]) -> float:
    def player(me: int) -> None:
        bind(me)
        for _ in range(rounds):
            barrier.wait()

    return _two(player, rounds)


def _two(player: Callable[[int], None], rounds: int) -> float:
    threads = [threading.Thread(target=player, args=(i,)) for i in (0, 1)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return rounds / (time.perf_counter() - start)


def measure(flavour: str, quick: bool) -> list[str]:
    ctx = multiprocessing.get_context("spawn") if flavour == "process" else None
    make: Any = threading if ctx is None else ctx
    rt = Runtime(ctx, shared=ctx is not None)
    rt.allocate(2, CAPACITY)
    reader = rt.reader()
    repeats, pairs, rounds = (2, 2_000, 500) if quick else (7, 20_000, 5_000)

    def bind(agent: int) -> None:
        rt.bind(agent, agent)

    try:
        ours_lock = RLock("r", 0, rt, ctx)
        ours_cond = Condition("c", 1, rt, RLock("m", 2, rt, ctx), ctx)
        ours_bar = Barrier("b", 3, rt, 2, ctx)
        rows = []
        bind(0)
        raw = [pairs_ns(make.RLock(), pairs) for _ in range(repeats)]
        ours = []
        for _ in range(repeats):
            ours.append(pairs_ns(ours_lock, pairs))
            reader.drain()
        rows.append(_row(flavour, "RLock acquire+release ns/pair (best)", min(ours), min(raw), "slower"))
        for name, run, raw_make, mine in (
            ("Condition ping-pong round trips/s (median)", ping_pong, make.Condition, ours_cond),
            ("Barrier(2) meetings/s (median)", meetings, lambda: make.Barrier(2), ours_bar),
        ):
            raw_rates, our_rates = [], []
            for _ in range(repeats):  # interleaved, so drift in the machine hits both
                raw_rates.append(run(raw_make(), rounds, lambda _agent: None))
                our_rates.append(run(mine, rounds, bind))
                reader.drain()
            rows.append(_row(flavour, name, statistics.median(our_rates), statistics.median(raw_rates), "of"))
        return rows
    finally:
        del reader
        rt.unbind()
        rt.close()


def _row(flavour: str, name: str, ours: float, raw: float, how: str) -> str:
    ratio = f"{ours / raw:.2f}x slower" if how == "slower" else f"{ours / raw:.2f}x the raw rate"
    return f"| {flavour} | {name} | {ours:,.0f} | {raw:,.0f} | {ratio} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke test (short runs)")
    quick = parser.parse_args().quick
    print("| flavour | measurement | ours | CPython's | ratio |")
    print("|---|---|---|---|---|")
    for flavour in ("thread", "process"):
        for row in measure(flavour, quick):
            print(row, flush=True)


if __name__ == "__main__":
    main()
