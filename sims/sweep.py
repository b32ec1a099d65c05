"""Sweeps: many rounds over a grid of choices, one folder per round, one table of rounds.

A sweep is the cartesian product of strategies, backends, parameter values and seeds for one
scenario. Each round is exported into its own hive-partitioned folder
(``scenario=…/strategy=…/backend=…/<param>=…/seed=…``), which pandas, polars and DuckDB read as
one table; a round whose folder already holds its ``summary.json`` is done, so a sweep killed
half-way resumes where it stopped. Rounds run in this process (``jobs=1``, the default: rounds
that share cores do not measure the same thing), on a local ``ProcessPoolExecutor`` of spawned
workers (not ``multiprocessing.Pool``: its workers are daemonic and cannot start process
agents), or on ``dask.distributed`` (``pure=False``, or identical rounds would run once; worker
processes made non-daemonic through Dask's config, which its nanny reads at every worker start).
How each round ran (executor, jobs, worker) is written beside it in ``sweep.json``. A round that
fails or a worker that dies is a row of the table with its error, never the end of the sweep.
"""

from __future__ import annotations

import itertools
import json
import os
import socket
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import attrs

from sims.rounds.config import HEADLESS_AGENT_NICE, RoundConfig

SUMMARY = "summary.json"
SIDECAR = "sweep.json"
CONNECT_S = 5.0  # to reach a Dask scheduler: a wrong address is refused, not retried for 30 s


class ClusterUnreachable(OSError):
    """``--dask ADDRESS`` names no scheduler that answers."""


@attrs.frozen
class SweepSpec:
    """The grid: every combination of these is one round."""

    scenario: str
    strategies: tuple[str | None, ...] = (None,)
    backends: tuple[str, ...] = ("thread",)
    grid: tuple[tuple[str, tuple[Any, ...]], ...] = ()  # swept parameters and their values
    seeds: tuple[int, ...] = (0,)
    seconds: float = 2.0
    fixed: Mapping[str, Any] = attrs.field(factory=dict)  # parameters set once for every round

    def swept(self) -> tuple[str, ...]:
        """The parameters that change between rounds (what the table and the charts compare)."""
        names = [name for name, values in self.grid]
        return (
            *(["strategy"] if len(self.strategies) > 1 else []),
            *(["backend"] if len(self.backends) > 1 else []),
            *names,
            *(["seed"] if len(self.seeds) > 1 else []),
        )

    def configs(self) -> list[RoundConfig]:
        names = [name for name, _ in self.grid]
        combos = itertools.product(self.strategies, self.backends, *(values for _, values in self.grid), self.seeds)
        rounds = []
        for strategy, backend, *rest in combos:
            *values, seed = rest
            params = {**self.fixed, **dict(zip(names, values, strict=True))}
            # headless like ``diner run``: agents at the caller's niceness, so a sweep's round is that command's
            rounds.append(
                RoundConfig(
                    self.scenario, backend, strategy, self.seconds, seed, params, agent_nice=HEADLESS_AGENT_NICE
                )
            )
        return rounds


def partition(config: RoundConfig, strategy: str, grid_names: Sequence[str]) -> Path:
    """The round's folder below the sweep's: hive-style ``key=value`` parts."""
    parts = [f"scenario={config.scenario}", f"strategy={strategy}", f"backend={config.backend}"]
    parts += [f"{name}={config.params[name]}" for name in grid_names]
    return Path(*parts, f"seed={config.seed}")


@attrs.frozen
class Job:
    config: RoundConfig
    folder: Path
    label: str  # the folder below the sweep's, for progress lines
    executor: str
    jobs: int


@attrs.frozen
class Outcome:
    """How one round of the sweep went: done (with its folder) or failed (with the error)."""

    job: Job
    error: str = ""
    seconds: float = 0.0
    worker: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def run_job(job: Job) -> Outcome:
    """Run one round and export it (a worker's whole task; importable, so spawn and Dask can send it)."""
    from sims.engine.round import Round
    from sims.export import write_round

    began = time.monotonic()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    try:
        with Round(job.config) as rnd:
            result = rnd.run()
        job.folder.mkdir(parents=True, exist_ok=True)
        sidecar = {"executor": job.executor, "jobs": job.jobs, "worker": worker}
        (job.folder / SIDECAR).write_text(json.dumps(sidecar) + "\n", encoding="utf-8")
        # summary.json last of all: its presence means "done"; it records how many rounds ran at once
        write_round(result, job.folder, rounds_in_parallel=job.jobs)
    except Exception as error:  # a round that fails is a row of the table, not the end of the sweep
        last = traceback.extract_tb(error.__traceback__)[-1:]
        where = f" ({last[0].filename}:{last[0].lineno})" if last else ""
        return Outcome(job, f"{type(error).__name__}: {error}{where}", time.monotonic() - began, worker)
    return Outcome(job, "", time.monotonic() - began, worker)


def plan(spec: SweepSpec, out: Path, executor: str, jobs: int) -> tuple[list[Job], list[Job]]:
    """(rounds still to run, rounds already done in ``out``)."""
    from sims.scenarios.registry import scenario_named

    scenario = scenario_named(spec.scenario)
    names = [name for name, _ in spec.grid]
    todo: list[Any] = []
    done: list[Any] = []
    for config in spec.configs():
        strategy = config.strategy or scenario.default_strategy
        where = partition(config, strategy, names)
        job = Job(config, out / where, str(where), executor, jobs)
        (done if (job.folder / SUMMARY).is_file() else todo).append(job)
    return todo, done


# -- where rounds run ----------------------------------------------------------------------------
def run_here(jobs: Iterable[Job]) -> Iterator[Outcome]:
    for job in jobs:
        yield run_job(job)


def run_on_pool(jobs: Sequence[Job], workers: int) -> Iterator[Outcome]:
    """A local pool of spawned workers; a pool broken by a dying worker is replaced, and the
    rounds that were running in it are reported as failed (at most ``workers`` of them)."""
    import multiprocessing

    waiting = list(jobs)
    while waiting:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            running: dict[Future[Outcome], Job] = {}
            broken = False
            while (waiting or running) and not broken:
                while waiting and len(running) < workers:
                    job = waiting.pop(0)
                    running[pool.submit(run_job, job)] = job
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    job = running.pop(future)
                    try:
                        yield future.result()
                    except BrokenProcessPool:
                        broken = True
                        yield Outcome(job, "worker died (its process ended before the round did)")
            for job in running.values():  # the rest of a broken pool's rounds
                yield Outcome(job, "worker died (its process ended before the round did)")


def run_on_dask(jobs: Sequence[Job], address: str, workers: int) -> Iterator[Outcome]:
    """On a Dask cluster: ``local`` starts a LocalCluster of ``workers`` processes."""
    import dask
    from distributed import Client, LocalCluster, as_completed

    # Workers that start agent processes must not be daemonic; the nanny reads this at every
    # worker (re)start, so it stays set for the cluster's whole life.
    with dask.config.set({"distributed.worker.daemon": False}):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True) if address == "local" else None
        try:
            try:
                client = Client(cluster if cluster is not None else address, timeout=CONNECT_S)
            except OSError as error:  # no scheduler there (a name that does not resolve, a closed port)
                raise ClusterUnreachable(f"no Dask scheduler answered at {address!r} within {CONNECT_S:g} s") from error
            with client:
                futures = {client.submit(run_job, job, pure=False): job for job in jobs}
                for future in as_completed(futures):
                    try:
                        yield future.result()
                    except Exception as error:  # a killed worker, a lost connection
                        yield Outcome(futures[future], f"worker failed: {type(error).__name__}: {error}")
        finally:
            if cluster is not None:
                cluster.close()


# -- the table -----------------------------------------------------------------------------------
def outcome_row(outcome: Outcome) -> dict[str, Any]:
    """What the sweep itself knows of a round (its parameters and how it went)."""
    config = outcome.job.config
    return {
        "folder": str(outcome.job.folder),
        "scenario": config.scenario,
        "strategy": config.strategy,
        "backend": config.backend,
        "seed": config.seed,
        **{f"param.{k}": v for k, v in sorted(config.params.items())},
        "ok": outcome.ok,
        "error": outcome.error,
        "wall_s": round(outcome.seconds, 3),
        "executor": outcome.job.executor,
        "jobs": outcome.job.jobs,
        "worker": outcome.worker,
    }


def summary_row(folder: Path) -> dict[str, Any]:
    """The round statistics a finished round's ``summary.json`` holds, flattened to columns."""
    summary = json.loads((folder / SUMMARY).read_text(encoding="utf-8"))
    row: dict[str, Any] = {"end_reason": summary["verdict"]["end_reason"], "duration_s": summary["duration_s"]}
    row.update({f"stat.{k}": v for k, v in summary["round"].items()})
    return row


def write_table(rows: list[dict[str, Any]], out: Path) -> Path:
    """``rounds.parquet`` with pyarrow (the ``analysis`` extra), else ``rounds.csv``."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        import csv
        import io

        columns = sorted({key for row in rows for key in row}, key=_column_order)
        text = io.StringIO()
        writer = csv.DictWriter(text, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        path = out / "rounds.csv"
        _write_atomic(path, text.getvalue().encode("utf-8"))
        return path
    columns = sorted({key for row in rows for key in row}, key=_column_order)
    table = pa.Table.from_pylist([{c: row.get(c) for c in columns} for row in rows])
    path = out / "rounds.parquet"
    scratch = path.with_suffix(".parquet.tmp")
    pq.write_table(table, scratch)
    os.replace(scratch, path)
    return path


def _column_order(name: str) -> tuple[int, str]:
    first = ("folder", "scenario", "strategy", "backend", "seed", "ok", "error")
    return (first.index(name), "") if name in first else (len(first) + name.count("."), name)


def _write_atomic(path: Path, data: bytes) -> None:
    from sims.export import write_atomic

    write_atomic(path, data)


# -- the whole sweep -----------------------------------------------------------------------------
@attrs.frozen
class SweepReport:
    table: Path
    ran: int
    skipped: int
    failed: int
    rows: tuple[dict[str, Any], ...]


def sweep(
    spec: SweepSpec,
    out: Path,
    jobs: int = 1,
    dask: str | None = None,
    progress: Callable[[int, int, Outcome], None] | None = None,
) -> SweepReport:
    """Run every round of ``spec`` not yet in ``out``, then write the table of all of them."""
    executor = "dask" if dask else "pool" if jobs > 1 else "here"
    todo, done = plan(spec, out, executor, jobs)
    outcomes: list[Outcome] = []
    runs = run_on_dask(todo, dask, jobs) if dask else run_on_pool(todo, jobs) if jobs > 1 else run_here(todo)
    for outcome in runs:
        outcomes.append(outcome)
        if progress is not None:
            progress(len(outcomes), len(todo), outcome)
    rows = []
    for outcome in [*(Outcome(job) for job in done), *outcomes]:
        row = outcome_row(outcome)
        if outcome.ok and (outcome.job.folder / SUMMARY).is_file():
            row.update(summary_row(outcome.job.folder))
            row.update(_sidecar(outcome.job.folder))
        rows.append(row)
    rows.sort(key=lambda row: row["folder"])
    out.mkdir(parents=True, exist_ok=True)
    table = write_table(rows, out)
    failed = sum(1 for o in outcomes if not o.ok)
    return SweepReport(table, len(outcomes), len(done), failed, tuple(rows))


def _sidecar(folder: Path) -> dict[str, Any]:
    try:
        return dict(json.loads((folder / SIDECAR).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def print_progress(index: int, total: int, outcome: Outcome) -> None:
    """One line a round on stderr (no progress-bar dependency in the core)."""
    what = "ok" if outcome.ok else f"FAILED: {outcome.error}"
    print(f"[{index}/{total}] {outcome.job.label}: {what} ({outcome.seconds:.1f} s)", file=sys.stderr)
