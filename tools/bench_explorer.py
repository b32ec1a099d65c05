"""Scheduled steps per CPU-second of the schedule explorer (thread agents), against free running.

Usage: ``python tools/bench_explorer.py [--seconds S] [--repeats R]``

Grades the correct bounded buffer (``tests/data/player/buffer_ok.py``): every run starts
four agent threads, and every step is one hand-over between the explorer and an agent (two
semaphore operations and a context switch). Baseline, measured in the same run: the same
code run free (the OS schedules it), as primitive operations per CPU-second. Prints the
explorer's rate, the baseline's and their ratio, per repeat, interleaved.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sims.exercises import exercise_named
from sims.explore import Run, Settings, explore, load

PLAYER = Path(__file__).resolve().parent.parent / "tests" / "data" / "player" / "buffer_ok.py"
FREE_ROUNDS = 200


def explored(settings: Settings, seconds: float) -> tuple[int, float, float]:
    """(steps, CPU s, wall s) of exploring for ``seconds``."""
    cpu, wall = time.process_time(), time.perf_counter()
    found = explore(settings, seconds)
    return found.steps, time.process_time() - cpu, time.perf_counter() - wall


def free(settings: Settings, seconds: float) -> tuple[int, float]:
    """(primitive operations, CPU s) of free runs for about ``seconds``."""
    ops, cpu = 0, time.process_time()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        run = Run(settings.exercise, settings.code, None, 0, False, 1.0, FREE_ROUNDS)
        try:
            run.run_free(5.0)
            ops += len(run.log)
        finally:
            run.close()
    return ops, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    ex = exercise_named("buffer")
    settings = Settings(ex, load(PLAYER, ex.roles), None, 0)
    print("repeat  explored steps/CPU-s  steps/wall-s  free ops/CPU-s  explored/free")
    for repeat in range(args.repeats):
        steps, cpu, wall = explored(settings, args.seconds)
        ops, free_cpu = free(settings, args.seconds)
        rate, base = steps / cpu, ops / free_cpu
        print(f"{repeat:6}  {rate:20,.0f}  {steps / wall:12,.0f}  {base:14,.0f}  {rate / base:13.3f}")


if __name__ == "__main__":
    main()
