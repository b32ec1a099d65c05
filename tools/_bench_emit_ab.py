"""``RingWriter.emit`` of this checkout against the one of a git revision, interleaved in one run.

Usage: ``python tools/_bench_emit_ab.py --against REV [--rounds N] [--repeats R] [--batch B]``

Both writers write the same kind of ring: thread flavour (process memory, this process) and
process flavour (a spawned child writing into shared memory). Each round times, for each
writer in turn, the best of ``repeats`` batches of ``batch`` emits (loop and call included, as
``bench_engine.py`` does); the table gives the median over rounds of those bests and the ratio.
The revision's ``sims/telemetry/ring.py`` is loaded with ``git show``: it must import only
what this checkout still has. Backs the emit numbers in ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import importlib.util
import mmap
import multiprocessing
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from multiprocessing import shared_memory
from pathlib import Path
from typing import Any

from sims.telemetry import Op, RingWriter, op_code, ring_bytes

CAPACITY = 1 << 17
CODE = op_code(Op.ACQUIRED, 2)
AGENT = 3
ROOT = Path(__file__).resolve().parent.parent


def _load_writer(source: str) -> type:
    """The ``RingWriter`` class of ``source`` (a ring.py), as a module of its own."""
    with tempfile.NamedTemporaryFile("w", suffix="_ring.py", delete=False) as f:
        f.write(source)
    spec = importlib.util.spec_from_file_location("ring_under_test", f.name)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    Path(f.name).unlink()
    return module.RingWriter


def _timed(emit: Callable[[int, int], None], count: int) -> int:
    code = CODE
    start = time.thread_time_ns()
    for i in range(count):
        emit(code, i)
    return time.thread_time_ns() - start


def _best_ns(cls: type, buf: Any, repeats: int, batch: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        writer = cls(buf, 0, CAPACITY, AGENT)  # starts where the "reader" is
        best = min(best, _timed(writer.emit, batch))
        struct.pack_into("<Q", buf, 0, writer.written)  # the reader takes everything, untimed
    return best / batch


def measure(buf: Any, old_source: str, rounds: int, repeats: int, batch: int) -> dict[str, list[float]]:
    writers = {"old": _load_writer(old_source), "new": RingWriter}
    runs: dict[str, list[float]] = {name: [] for name in writers}
    for _ in range(rounds):
        for name, cls in writers.items():
            runs[name].append(_best_ns(cls, buf, repeats, batch))
    return runs


def _child(shm_name: str, old_source: str, rounds: int, repeats: int, batch: int, conn: Any) -> None:
    shm = shared_memory.SharedMemory(name=shm_name)
    try:
        conn.send(measure(shm.buf, old_source, rounds, repeats, batch))
    finally:
        shm.close()


def process_flavour(old_source: str, rounds: int, repeats: int, batch: int) -> dict[str, list[float]]:
    ctx = multiprocessing.get_context("spawn")
    shm = shared_memory.SharedMemory(create=True, size=ring_bytes(CAPACITY))
    ours, theirs = ctx.Pipe()
    child = ctx.Process(target=_child, args=(shm.name, old_source, rounds, repeats, batch, theirs))
    try:
        child.start()
        return ours.recv()
    finally:
        child.join(60)
        if child.exitcode is None:
            child.kill()
            child.join()
        ours.close()
        theirs.close()
        shm.close()
        shm.unlink()


def report(flavour: str, runs: dict[str, list[float]]) -> str:
    old, new = statistics.median(runs["old"]), statistics.median(runs["new"])
    spread = {name: f"{min(v):.0f}-{max(v):.0f}" for name, v in runs.items()}
    return (
        f"{flavour:8s} old {old:6.1f} ns ({spread['old']})   new {new:6.1f} ns ({spread['new']})   "
        f"new/old {new / old:.3f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--against", required=True, help="git revision whose ring.py is the baseline")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--batch", type=int, default=8_000)
    args = parser.parse_args(argv)
    if args.repeats * args.batch > CAPACITY:
        parser.error(f"repeats x batch must fit the ring ({CAPACITY:,} records)")
    old_source = subprocess.run(
        ["git", "show", f"{args.against}:sims/telemetry/ring.py"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    print(
        f"emit A/B against {args.against}: median of {args.rounds} rounds, each the best of "
        f"{args.repeats} x {args.batch:,} emits"
    )
    local = mmap.mmap(-1, ring_bytes(CAPACITY))
    view = memoryview(local)
    try:
        print(report("thread", measure(view, old_source, args.rounds, args.repeats, args.batch)), flush=True)
    finally:
        view.release()
        local.close()
    print(report("process", process_flavour(old_source, args.rounds, args.repeats, args.batch)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
