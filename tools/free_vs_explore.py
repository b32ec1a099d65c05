"""How the explorer and free running compare on the issue's bugs, seed by seed.

Usage: ``python tools/free_vs_explore.py [--seconds 10] [--seeds 10] [--only NAME] [--backend process] [--no-free]``

For each target (naive dining with 2-5 philosophers, the mutex taken before ``empty``, the
non-reusable barrier, ``if`` instead of ``while`` around ``Condition.wait``, one Condition
for both sides) and each seed: the explorer with that seed and a budget of ``--seconds``
(found or not, runs, scheduled steps, seconds), then free running with that
seed for ``--seconds`` (run after run, as the OS schedules the threads; found or not and
after how many runs). Prints one row per target: explorer found / free found over the seeds.
"""

from __future__ import annotations

import argparse
import time

from sims.exercises import exercise_named
from sims.explore import Run, Settings, Verdict, explore, load
from sims.levels import shipped_code_dir

TARGETS = (
    ("dining-2", "dining", "c07_dining/left_first", 2, Verdict.DEADLOCK),
    ("dining-3", "dining", "c07_dining/left_first", 3, Verdict.DEADLOCK),
    ("dining-4", "dining", "c07_dining/left_first", 4, Verdict.DEADLOCK),
    ("dining-5", "dining", "c07_dining/left_first", 5, Verdict.DEADLOCK),
    ("mutex-before-empty", "buffer", "c05_buffer/mutex_first", None, Verdict.DEADLOCK),
    ("non-reusable barrier", "barrier", "c04_barrier/once", None, Verdict.GOAL),
    ("if instead of while", "monitor", "c06_monitor/if_wait", None, Verdict.ITEM_DUPLICATED),
    ("one condition, notify", "monitor", "c06_monitor/one_condition", None, Verdict.STALL),
)
FREE_ROUNDS = 20  # rounds per agent in one free run
STUCK_S = 0.5  # a free run not over by then is judged stuck (deadlock or stall)


def free_until(settings: Settings, seed: int, seconds: float, verdict: Verdict) -> tuple[bool, int]:
    """(found, runs) of free running for ``seconds``."""
    deadline, runs = time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        run = Run(settings.exercise, settings.code, settings.agents, seed * 100_000 + runs, False, 1.0, FREE_ROUNDS)
        try:
            finding = run.run_free(STUCK_S)
        finally:
            run.close()
        runs += 1
        if finding.verdict is verdict:
            return True, runs
    return False, runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--only", help="one target by name")
    parser.add_argument("--backend", choices=("thread", "process"), default="thread", help="the explorer's agents")
    parser.add_argument("--no-free", action="store_true", help="the explorer only")
    args = parser.parse_args()
    print("target                 seed  explorer: found runs steps seconds   free: found runs")
    summary = []
    for name, exercise, player, agents, verdict in TARGETS:
        if args.only and args.only != name:
            continue
        ex = exercise_named(exercise)
        settings = Settings(ex, load(shipped_code_dir() / f"{player}.py", ex.roles), agents, 0)
        hits = [0, 0]
        for seed in range(args.seeds):
            seeded = Settings(ex, settings.code, agents, seed, backend=args.backend)
            start = time.monotonic()
            found = explore(seeded, args.seconds)
            took = time.monotonic() - start
            got = found.played.finding.verdict is verdict
            free_got, free_runs = (False, 0) if args.no_free else free_until(seeded, seed, args.seconds, verdict)
            hits[0] += got
            hits[1] += free_got
            explored = f"{got!s:>15} {found.runs:4} {found.steps:5} {took:7.2f}"
            print(f"{name:22} {seed:4}  {explored}   {free_got!s:>11} {free_runs:4}")
        summary.append(f"{name:22} explorer {hits[0]}/{args.seeds}  free {hits[1]}/{args.seeds}")
    print("\n".join(summary))


if __name__ == "__main__":
    main()
