"""Measure the engine against raw Python, side by side in one run, and print one table.

Usage: ``python tools/bench_engine.py [--quick] [--only SECTION ...] [--markdown FILE]`` (``--only long paced``
for the two long sections)

1. telemetry: ``RingWriter.emit`` ns per record (thread and process flavour); CPU per
   delivered record end to end against ``multiprocessing.Queue``; ``RingReader.drain`` rate;
2. lock: an uncontended acquire+release pair of our Lock against the raw Lock (both flavours);
3. dining: meals/s of ``dining ordered`` at zero think/eat, instrumented (detail on and off)
   against the same loop on raw locks, both backends, with Jain's index and telemetry loss, and
   the records lost by 64 agents of each backend while the engine stalls for 1 s;
4. statistics: ``compute_round_stats`` over 1,000,000 events against ``np.sort`` of 1M int64;
5. long: the 30 s round of 64 process agents at zero pacing, as ``diner run`` runs it: peak RSS,
   end -> summary, export time, records lost, against the same round half as long;
6. paced: ``dining ordered`` at 1 ms and 10 ms think/eat, 5, 16 and 64 agents, both backends,
   instrumented against raw (interleaved).
7. startup: 5 and 64 agents started as ``diner run`` starts them, both backends; process agents
   forked from the preloaded fork server against spawned (interleaved), wall and CPU.

Machines are noisy: every comparison is against a baseline measured in the same run (best
of N for micro-benchmarks, timed in the thread's own CPU time (``time.thread_time_ns``), so
time the thread spends descheduled on a loaded machine does not count; medians of interleaved
repeats for runs). ``--quick`` is a smoke test (short runs, crowds of 16 threads and 8
processes instead of 64 of each); the default is the full measurement recorded in
``docs/benchmarks.md``.
Every child process is joined and every shared-memory segment unlinked before exit.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import _bench_common as common
from _bench_common import FULL, QUICK, Row

SECTIONS = ("telemetry", "lock", "dining", "statistics", "long", "paced", "startup")
DEFAULT = SECTIONS[:4]  # long, paced and startup take minutes: ask for them with --only


def _section(name: str) -> Callable[[common.Plan], list[Row]]:
    """Import a section only when it runs, so --only skips the others' imports."""
    if name == "telemetry":
        import _bench_telemetry as module
    elif name == "lock":
        import _bench_locks as module
    elif name == "dining":
        import _bench_dining as module
    elif name == "long":
        import _bench_long as module
    elif name == "startup":
        import _bench_startup as module
    elif name == "paced":
        import _bench_dining

        return _bench_dining.run_paced
    else:
        import _bench_statistics as module
    return module.run


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs: a smoke test, not a measurement")
    parser.add_argument(
        "--only", nargs="+", choices=SECTIONS, default=list(DEFAULT), help="sections to run (default: the first four)"
    )
    parser.add_argument("--markdown", type=Path, help="also write the table as Markdown to this file")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    plan = QUICK if args.quick else FULL
    print(f"bench_engine ({plan.name})")
    for key, value in common.machine().items():
        print(f"  {key}: {value}")
    rows: list[Row] = []
    for name in args.only:
        started = time.perf_counter()
        section_rows = _section(name)(plan)
        rows += section_rows
        print(f"  section {name}: {time.perf_counter() - started:.1f} s", flush=True)
    print(f"  load average at the end: {common.load()}")
    print()
    print(common.table(rows))
    if args.markdown:
        args.markdown.write_text(common.markdown(rows) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
