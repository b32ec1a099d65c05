"""The headless engine: ``diner run``, ``diner list``, ``diner levels`` (also ``python -m sims``).

Bad input gets one message naming the argument and exit status 2, before anything runs
or is written. A round that deadlocks is a result (exit 0), not an error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sims.ctrl_c import recorded_ctrl_c
from sims.kinds import EndReason
from sims.rounds.commands import parse_timed
from sims.rounds.config import RoundConfig
from sims.scenarios import scenario_named, scenarios
from sims.sweep_cli import SweepInputError
from sims.sweep_cli import add_parser as add_sweep_parser

if TYPE_CHECKING:  # the rest loads numpy: imported when a command needs it, so `import sims.cli` stays quick
    from sims.engine.round import Round
    from sims.export import Format
    from sims.scenarios import Scenario

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
# Shorthand options and the scenario parameter each one sets.
SHORTHANDS = {"agents": "agents", "producers": "producers", "consumers": "consumers", "capacity": "capacity"}


class BadInput(Exception):
    """Input that names something impossible; the message says which argument and why."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="diner", description="Deadlock Diner's headless engine.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run one round headless and print its statistics")
    run.add_argument("scenario", help="scenario name (see 'diner list')")
    run.add_argument("--backend", choices=("thread", "process"), default="thread")
    run.add_argument(
        "--start-method",
        choices=("spawn", "forkserver"),
        default="forkserver",
        help="how process agents start: forked from a server that imported their code once (default), "
        "or each a fresh interpreter",
    )
    run.add_argument("--strategy", help="scenario strategy (see 'diner list')")
    run.add_argument("--seconds", type=float, help="round length (default: the scenario's, 5 s for most)")
    run.add_argument("--seed", type=int, default=0, help="seed of every random choice (default 0)")
    for flag in SHORTHANDS:
        run.add_argument(f"--{flag}", type=int, help=f"shorthand for --set {SHORTHANDS[flag]}=N")
    run.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="scenario parameter")
    run.add_argument(
        "--at",
        action="append",
        default=[],
        metavar="T:COMMAND",
        help="live command at T seconds, e.g. '2:resize seats 2', '1.5:kill 3', '3:pause'",
    )
    run.add_argument("--keep-running", action="store_true", help="do not end the round when it deadlocks")
    run.add_argument("--no-detail", action="store_true", help="do not record labelled steps")
    run.add_argument("--gated", action="store_true", help="hold agents at each labelled step (use --at 'T:step N')")
    where = run.add_mutually_exclusive_group()
    where.add_argument("--out", type=Path, help="write the round's tables and summary.json into this folder")
    where.add_argument(
        "--into",
        type=Path,
        metavar="ROOT",
        help="write them under ROOT/scenario=…/strategy=…/backend=…/seed=… (rounds side by side: one dataset)",
    )
    run.add_argument(
        "--format",
        default="auto",
        metavar="FORMATS",
        help="parquet, csv, trace (comma-separated), all, or auto: parquet with pyarrow installed, else csv",
    )
    sub.add_parser("list", help="scenarios, strategies and parameters with defaults")
    levels = sub.add_parser("levels", help="campaign levels: check or verify")
    levels.add_argument("rest", nargs=argparse.REMAINDER)
    add_sweep_parser(sub)
    from sims.explore.cli import grade_parser

    grade_parser(sub)
    return parser


def _params(scenario: Scenario, args: argparse.Namespace) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for flag, name in SHORTHANDS.items():
        value = getattr(args, flag)
        if value is None:
            continue
        try:
            spec = scenario.param(name)
        except KeyError:
            raise BadInput(f"argument --{flag}: scenario {scenario.name!r} has no {name!r} parameter") from None
        params[name] = _checked(spec.check, value, f"--{flag}")
    for item in args.set:
        key, sep, text = item.partition("=")
        if not sep or not key:
            raise BadInput(f"argument --set: expected KEY=VALUE, got {item!r}")
        try:
            spec = scenario.param(key.strip())
        except KeyError as error:
            raise BadInput(f"argument --set: {error.args[0]}") from None
        params[spec.name] = _checked(spec.parse, text.strip(), "--set")
    return params


def _checked(check: Any, value: Any, flag: str) -> Any:
    try:
        return check(value)
    except ValueError as error:
        raise BadInput(f"argument {flag}: {error}") from None


def config_from(args: argparse.Namespace) -> RoundConfig:
    """Turn parsed arguments into a checked RoundConfig, or raise BadInput."""
    try:
        scenario = scenario_named(args.scenario)
    except ValueError as error:
        raise BadInput(f"argument scenario: {error}") from None
    if args.strategy is not None and args.strategy not in scenario.strategies:
        raise BadInput(
            f"argument --strategy: {scenario.name} has no strategy {args.strategy!r} "
            f"(known: {', '.join(scenario.strategies)})"
        )
    if args.backend not in scenario.backends:
        raise BadInput(
            f"argument --backend: {scenario.name} runs only on {', '.join(scenario.backends)}. {scenario.backend_note}"
        )
    schedule = tuple(_checked(parse_timed, text, "--at") for text in args.at)
    try:
        return RoundConfig(
            scenario=scenario.name,
            backend=args.backend,
            strategy=args.strategy,
            seconds=scenario.default_seconds if args.seconds is None else args.seconds,
            seed=args.seed,
            params=_params(scenario, args),
            schedule=schedule,
            stop_on_deadlock=not args.keep_running,
            start_method=args.start_method,
            detail=not args.no_detail,
            gated=args.gated,
        )
    except ValueError as error:
        raise BadInput(f"argument --{str(error).split()[0]}: {error}") from None


def _export_target(args: argparse.Namespace) -> tuple[Path | None, tuple[Format, ...]]:
    """Where the files go (``--out`` or ``--into``) and in which formats, checked before the round runs."""
    from sims.export import ExportError, check_writable, parse_formats

    try:
        formats = parse_formats(args.format)
    except ValueError as error:
        raise BadInput(f"argument --format: {error}") from None
    target, flag = (args.out, "--out") if args.into is None else (args.into, "--into")
    if target is not None:
        try:
            check_writable(target)
        except ExportError as error:
            raise BadInput(f"argument {flag}: {error}") from None
    return target, formats


def _run(args: argparse.Namespace) -> int:
    from sims.engine.round import Round

    config = config_from(args)
    _export_target(args)
    # Records stream to <out>/records, or (with --into, whose folder is named after the round) a temporary folder.
    rnd = Round(config, records_dir=args.out if args.into is None else None)
    try:
        # Ctrl-C is recorded from here on and raised by run() between two polls, so a press
        # while the agents start ends the round too, once they are up (see sims.ctrl_c).
        with recorded_ctrl_c() as ctrl_c:
            ctrl_c.check()  # pressed while the engine was loading: start nothing
            _start(rnd)
            result = rnd.run()
    except KeyboardInterrupt:
        stopped = rnd.stop(EndReason.INTERRUPTED)
        print("interrupted: round stopped, every agent ended", file=sys.stderr)
        return EXIT_INTERRUPTED if stopped is None else _report(stopped, args, EXIT_INTERRUPTED)
    return _report(result, args, 0)


def _start(rnd: Round) -> None:
    try:
        rnd.start()  # stops whatever it started if it fails
    except ValueError as error:
        raise BadInput(f"argument --at: {error}") from None


def _report(result: Any, args: argparse.Namespace, status: int) -> int:
    try:
        return _print_and_write(result, args, status)
    finally:
        result.records.discard()  # a temporary spill goes now; one in --out stays


def _print_and_write(result: Any, args: argparse.Namespace, status: int) -> int:
    from sims.export import ExportError, dataset_folder, write_round
    from sims.text_report import render_result

    print(render_result(result))
    target, formats = _export_target(args)
    if target is not None:
        folder = target if args.into is None else dataset_folder(target, result)
        try:
            paths = write_round(result, folder, formats)
        except ExportError as error:
            print(f"diner run: error: {'--out' if args.into is None else '--into'}: {error}", file=sys.stderr)
            return EXIT_BAD_INPUT
        print(f"wrote {', '.join(p.name for p in paths)} in {folder}")
    return status


def sweep_out(argv: Sequence[str]) -> Path | None:
    """The ``--out`` folder of a ``diner sweep`` command line (for the launcher's charts)."""
    args = _parser().parse_args(list(argv))
    return args.out if args.command == "sweep" else None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the headless commands; returns the exit status."""
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        if args.command == "list":
            from sims.text_report import render_listing

            print(render_listing(scenarios()))
            return 0
        if args.command == "levels":
            from sims.levels.cli import main as levels_main

            return levels_main(args.rest)
        if args.command in ("grade", "replay"):
            from sims.explore.cli import main as explore_main

            return explore_main(args)
        if args.command == "sweep":
            from sims.sweep_cli import run as sweep_run

            return sweep_run(args)
        return _run(args)
    except (BadInput, SweepInputError) as error:
        print(f"diner {args.command}: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # the reader of our output went away (e.g. `| head`)
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return 0
