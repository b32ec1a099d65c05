"""``diner sweep``: the command line of :mod:`sims.sweep`, every value checked before a round runs."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sims.scenarios import Scenario, scenario_named
from sims.usage import BadInput


class SweepInputError(BadInput):
    """An argument that names something impossible; the message names the argument."""


def add_arguments(sweep: argparse.ArgumentParser) -> None:
    """``diner sweep``'s arguments (the subcommand is registered in ``sims.cli.SUBCOMMANDS``)."""
    sweep.description = (
        "Run every combination as its own round, each exported into "
        "OUT/scenario=.../strategy=.../backend=.../<param>=.../seed=..., then write OUT/rounds.parquet "
        "(or rounds.csv without pyarrow). Rounds already in OUT are kept, so a stopped sweep resumes."
    )
    sweep.add_argument("scenario", help="scenario name (see 'diner list')")
    sweep.add_argument("--strategy", default="", metavar="A,B", help="strategies to compare (default: the scenario's)")
    sweep.add_argument("--backend", default="thread", metavar="thread,process", help="backends (default thread)")
    sweep.add_argument("--set", action="append", default=[], metavar="KEY=V1,V2", help="parameter values to sweep")
    sweep.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1 per combination (default 3)")
    sweep.add_argument("--seconds", type=float, default=2.0, help="length of every round (default 2)")
    sweep.add_argument("--jobs", type=int, default=1, help="rounds at once on a local process pool (default 1)")
    sweep.add_argument("--dask", metavar="ADDRESS|local", help="run the rounds on a Dask cluster instead")
    sweep.add_argument("--out", required=True, help="the sweep's folder")


def _values(scenario: Scenario, item: str) -> tuple[str, tuple[Any, ...]]:
    key, sep, text = item.partition("=")
    if not sep or not key.strip() or not text.strip():
        raise SweepInputError(f"argument --set: expected KEY=V1,V2,..., got {item!r}")
    try:
        spec = scenario.param(key.strip())
    except KeyError as error:
        raise SweepInputError(f"argument --set: {error.args[0]}") from None
    try:
        values = tuple(dict.fromkeys(spec.parse(part.strip()) for part in text.split(",")))
    except ValueError as error:
        raise SweepInputError(f"argument --set: {error}") from None
    return spec.name, values


def spec_from(args: argparse.Namespace) -> Any:
    """The checked :class:`~sims.sweep.SweepSpec`, or SweepInputError naming the argument."""
    from sims.sweep import SweepSpec

    try:
        scenario = scenario_named(args.scenario)
    except ValueError as error:
        raise SweepInputError(f"argument scenario: {error}") from None
    named = [s.strip() for s in args.strategy.split(",")] if args.strategy else []
    if "" in named:
        raise SweepInputError(f"argument --strategy: expected names separated by commas, got {args.strategy!r}")
    strategies = tuple(named) or (None,)
    unknown = [s for s in strategies if s is not None and s not in scenario.strategies]
    if unknown:
        raise SweepInputError(
            f"argument --strategy: {scenario.name} has no strategy {unknown[0]!r} "
            f"(known: {', '.join(scenario.strategies)})"
        )
    backends = tuple(dict.fromkeys(b.strip() for b in args.backend.split(",") if b.strip()))
    wrong = [b for b in backends if b not in scenario.backends]
    if not backends or wrong:
        raise SweepInputError(
            f"argument --backend: {scenario.name} runs on {', '.join(scenario.backends)}, got {args.backend!r}"
        )
    grid = tuple(_values(scenario, item) for item in args.set)
    if len({name for name, _ in grid}) != len(grid):
        raise SweepInputError("argument --set: a parameter is swept twice; give all its values in one --set")
    if not 1 <= args.seeds <= 10_000:
        raise SweepInputError(f"argument --seeds: must be 1 to 10000, got {args.seeds}")
    if not 1 <= args.jobs <= 256:
        raise SweepInputError(f"argument --jobs: must be 1 to 256, got {args.jobs}")
    try:
        spec = SweepSpec(scenario.name, strategies, backends, grid, tuple(range(args.seeds)), args.seconds)
        spec.configs()  # every round's configuration is checked now, before any runs
    except ValueError as error:
        raise SweepInputError(f"argument --seconds: {error}") from None
    return spec


def run(args: argparse.Namespace) -> int:
    from sims.export import ExportError, check_writable, output_folder
    from sims.sweep import ClusterUnreachable, print_progress, sweep

    spec = spec_from(args)
    try:
        out = output_folder(args.out)
        check_writable(out)
    except ExportError as error:
        raise SweepInputError(f"argument --out: {error}") from None
    try:
        report = sweep(spec, out, jobs=args.jobs, dask=args.dask, progress=print_progress)
    except ClusterUnreachable as error:
        raise SweepInputError(f"argument --dask: {error}") from None
    print(f"{report.ran} rounds run, {report.skipped} already there, {report.failed} failed; table: {report.table}")
    if report.failed:
        print("failed rounds are rows of the table with their error", file=sys.stderr)
    return 0
