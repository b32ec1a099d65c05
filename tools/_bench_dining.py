"""Section 3: meals per second of ``dining ordered`` at zero think/eat, instrumented against raw.

* instrumented: a real Round (``detail`` on and off), driven with ``poll`` until every agent
  has started, then measured for the plan's window; meals and Jain's index come from
  ``sims.stats.compute_round_stats`` over exactly that window of the round's telemetry;
* raw: the same ordered fork-taking loop on ``threading.Lock`` / ``multiprocessing.Lock``,
  N real threads or N spawned processes, released together and stopped by a shared flag
  after the same window.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from multiprocessing.process import BaseProcess
from multiprocessing.sharedctypes import RawArray
from typing import Any

import attrs
from _bench_common import Plan, Row, jain, median
from _bench_raw import raw_philosopher, tree_cpu_s

from sims.engine import Round
from sims.rounds import RoundConfig
from sims.scenarios import scenario_named
from sims.stats import compute_round_stats

SECTION = "3 dining"
STARTUP_S = 120.0  # the round's own limit only guards against a hang: we stop it ourselves
READY_S = 60.0


@attrs.frozen
class Meals:
    per_s: float
    jain: float
    dropped: int = 0  # records lost to full rings (instrumented runs)
    kept: int = 0  # records the round kept
    whole_jain: float = 0.0  # Jain over the whole round, from result.stats
    failure: str = ""  # why the run does not count ("" when it ran as asked)
    per_cpu_s: float = 0.0  # meals per CPU-second of every process of the run (engine included)

    @property
    def lost_share(self) -> float:
        return self.dropped / (self.kept + self.dropped) if self.dropped else 0.0


# -- raw: the same loop without instrumentation ----------------------------------------------
def _ordered(forks: list[Any], i: int) -> tuple[Any, Any]:
    n = len(forks)
    left, right = i, (i + 1) % n
    return (forks[right], forks[left]) if left > right else (forks[left], forks[right])


def raw_meals(backend: str, n: int, seconds: float, pace_ms: float = 0.0, start_method: str = "spawn") -> Meals:
    """``start_method="forkserver"``: raw philosophers forked as the rounds' agents are (spawning 64
    interpreters takes minutes on a loaded machine)."""
    ctx: Any = multiprocessing.get_context(start_method) if backend == "process" else None
    sync: Any = ctx or threading
    forks = [sync.Lock() for _ in range(n)]
    stop = RawArray("d", 1) if ctx is None else ctx.RawArray("d", 1)
    meals = [0] * n if ctx is None else ctx.RawArray("q", n)
    ready, go = sync.Semaphore(0), sync.Event()
    make = threading.Thread if ctx is None else ctx.Process
    workers = [
        make(target=raw_philosopher, args=(*_ordered(forks, i), stop, meals, i, ready, go, pace_ms), name=f"raw {i}")
        for i in range(n)
    ]
    try:
        for w in workers:
            w.start()
        for _ in workers:
            if not ready.acquire(timeout=READY_S):
                raise RuntimeError("a raw philosopher did not start")
        cpu = tree_cpu_s()
        start = time.perf_counter()
        go.set()
        threading.Event().wait(seconds)  # the measured window: nothing to wake us early
        cpu = tree_cpu_s() - cpu  # before the stop: a philosopher that has ended takes its CPU with it
        stop[0] = 1.0
        elapsed = time.perf_counter() - start
    finally:
        stop[0] = 1.0
        go.set()
        _join(workers)
    counts = list(meals)
    return Meals(sum(counts) / elapsed, jain(counts), per_cpu_s=sum(counts) / cpu if cpu > 0 else 0.0)


def _join(workers: list[Any]) -> None:
    for w in workers:
        if w.ident is not None:
            w.join(10)
        if isinstance(w, BaseProcess) and w.pid is not None:
            if w.exitcode is None:
                w.kill()
                w.join()
            w.close()


# -- instrumented: a real round ---------------------------------------------------------------
def round_meals(backend: str, n: int, seconds: float, detail: bool, pace_ms: float = 0.0) -> Meals:
    config = RoundConfig(
        "dining",
        backend=backend,
        strategy="ordered",
        seconds=STARTUP_S + seconds,
        seed=1,
        params={"agents": n, "think_ms": pace_ms, "eat_ms": pace_ms},
        detail=detail,
        start_method="forkserver",
        agent_nice=0,  # as diner run (HEADLESS_AGENT_NICE): at the raw loop's niceness
    )
    tick = threading.Event()
    with Round(config) as rnd:
        rnd.start()
        assert rnd.model is not None
        while rnd.poll() and not rnd.model.started.all():
            tick.wait(config.poll_s)
        cpu = tree_cpu_s()
        start_ns = time.monotonic_ns()
        deadline = start_ns + int(seconds * 1e9)
        while rnd.poll() and time.monotonic_ns() < deadline:
            tick.wait(config.poll_s)
        cpu = tree_cpu_s() - cpu
        result = rnd.stop()
    assert result is not None
    ops = scenario_named("dining").operation_ops(result.layout)
    window = compute_round_stats(result.events, result.layout, start_ns, result.ended_ns, ops)
    failure = ""
    if result.end_reason != "requested":
        failure = f"round ended early ({result.end_reason})"
    elif window.operations_total == 0:
        failure = "no meal recorded"
    per_cpu_s = window.operations_total / cpu if cpu > 0 else 0.0  # the CPU window ends just before ended_ns
    kept = result.record_count
    result.records.discard()
    return Meals(window.throughput_per_s, window.jain, result.dropped, kept, result.stats.jain, failure, per_cpu_s)


def stalled_round_lost(backend: str, n: int, stall_s: float = 1.0) -> tuple[int, int]:
    """Records lost and kept in a round whose engine stops draining for ``stall_s`` (descheduled on
    a loaded machine, a slow disk): ``n`` agents at zero pacing, 1 s of polls either side.
    With back-pressure the agents wait for the engine; without it their rings overflow."""
    config = RoundConfig(
        "dining", backend=backend, strategy="ordered", seconds=STARTUP_S, seed=1,
        params={"agents": n, "think_ms": 0.0, "eat_ms": 0.0}, start_method="forkserver", agent_nice=0,
    )
    tick = threading.Event()
    with Round(config) as rnd:
        rnd.start()
        for pause in (0.0, stall_s):
            tick.wait(pause)  # the engine does nothing at all: no drain
            deadline = time.monotonic() + 1.0
            while rnd.poll() and time.monotonic() < deadline:
                tick.wait(config.poll_s)
        result = rnd.stop()
    assert result is not None
    kept = result.record_count
    result.records.discard()
    return result.dropped, kept


def _stall_row(backend: str, n: int) -> Row:
    lost, kept = stalled_round_lost(backend, n)
    label = f"{n} {'threads' if backend == 'thread' else 'processes'}"
    return Row(SECTION, f"records lost, engine stalled 1 s, {label}", lost, "records", target="0", met=lost == 0,
               dropped=lost, note=f"{kept:,} records kept; zero pacing, 1 s of polls before and after the stall")


# -- the section ------------------------------------------------------------------------------
KINDS = ("raw", "instrumented detail", "instrumented no detail")


def _measure(kind: str, backend: str, n: int, seconds: float) -> Meals:
    if kind == "raw":
        return raw_meals(backend, n, seconds)
    return round_meals(backend, n, seconds, detail=kind == "instrumented detail")


def _combined(runs: list[Meals]) -> Meals:
    failures = "; ".join(dict.fromkeys(r.failure for r in runs if r.failure))
    return Meals(
        median([r.per_s for r in runs]),
        median([r.jain for r in runs]),
        sum(r.dropped for r in runs),
        sum(r.kept for r in runs),
        median([r.whole_jain for r in runs]),
        failures,
        median([r.per_cpu_s for r in runs]),
    )


def _note(got: Meals, repeats: int, seconds: float) -> str:
    note = (
        f"median of {repeats} x {seconds:g} s; {got.kept:,} records kept and {got.dropped:,} lost in all; "
        f"whole-round Jain {got.whole_jain:.3f}"
    )
    if got.dropped:
        note += (
            f"; {got.lost_share:.1%} of records lost to full rings, so meals (and Jain) are undercounted: "
            f"~{got.per_s / (1 - got.lost_share):,.0f}/s if the loss were even"
        )
    if got.failure:
        note += f"; RUN FAILED: {got.failure}"
    return note


def _rows(backend: str, n: int, results: dict[str, Meals], repeats: int, seconds: float) -> list[Row]:
    raw = results["raw"]
    label = f"{n} {'threads' if backend == 'thread' else 'processes'}"
    rows = [
        Row(
            SECTION,
            f"raw meals/s {label}",
            raw.per_s,
            "meals/s",
            jain=raw.jain,
            per_cpu=raw.per_cpu_s,
            note=f"median of {repeats} x {seconds:g} s",
        )
    ]
    for kind in (k for k in KINDS[1:] if k in results):
        got = results[kind]
        share = got.per_s / raw.per_s if raw.per_s else 0.0
        cpu_share = got.per_cpu_s / raw.per_cpu_s if raw.per_cpu_s else 0.0
        small = n == 5
        met = not got.failure and (share >= 0.20 if small else got.dropped == 0)
        rows.append(
            Row(
                SECTION,
                f"{kind} meals/s {label}",
                got.per_s,
                "meals/s",
                f"raw {label}",
                raw.per_s,
                f"{share:.1%} of raw ({cpu_share:.1%} per CPU-s)",
                ">= 20% of raw" if small else "dropped = 0",
                met,
                jain=got.jain,
                dropped=got.dropped,
                per_cpu=got.per_cpu_s,
                note=_note(got, repeats, seconds),
            )
        )
    return rows


PACES_MS = (1.0, 10.0)
PACED_AGENTS = (5, 16, 64)


def run_paced(plan: Plan) -> list[Row]:
    """Instrumented (detail on) against raw at 1 ms and 10 ms think/eat, 5, 16 and 64 agents,
    both backends, interleaved: the pacing users run, where the cost per wake-up shows."""
    rows: list[Row] = []
    for backend in ("thread", "process"):
        for pace in PACES_MS:
            for n in PACED_AGENTS:
                raw, got = [], []
                for _ in range(plan.dining_repeats):
                    raw.append(raw_meals(backend, n, plan.dining_s, pace))
                    got.append(round_meals(backend, n, plan.dining_s, True, pace))
                a, b = _combined(raw), _combined(got)
                label = f"{n} {'threads' if backend == 'thread' else 'processes'}, {pace:g} ms pacing"
                share = b.per_s / a.per_s if a.per_s else 0.0
                rows.append(Row("6 paced", f"instrumented/raw meals/s {label}", b.per_s, "meals/s", "raw", a.per_s,
                                f"{share:.1%} of raw", ">= 80% of raw", share >= 0.8 and not b.failure,
                                jain=b.jain, dropped=b.dropped, note=_note(b, plan.dining_repeats, plan.dining_s)))
    return rows


def run(plan: Plan) -> list[Row]:
    rows: list[Row] = []
    for backend, big in (("thread", plan.many_threads), ("process", plan.many_processes)):
        for n, repeats in ((5, plan.dining_repeats), (big, 1)):
            runs: dict[str, list[Meals]] = {kind: [] for kind in KINDS}
            kinds = KINDS if n == 5 else KINDS[:2]
            for _ in range(repeats):  # interleaved, so drift in the machine hits every kind
                for kind in kinds:
                    runs[kind].append(_measure(kind, backend, n, plan.dining_s))
            results = {kind: _combined(r) for kind, r in runs.items() if r}
            rows += _rows(backend, n, results, repeats, plan.dining_s)
        rows.append(_stall_row(backend, big))
    return rows
