"""The headless engine's command line: ``diner run``, ``diner list``, ``diner levels`` (also ``python -m sims``).

Every subcommand is one :class:`Subcommand` in ``SUBCOMMANDS``: its name, one line of help, a
function adding its arguments, and a function running it (imported only when it runs, so
``diner --help`` is quick and needs neither numpy nor a display). Bad input gets one message
naming the argument and exit status 2, before anything runs or is written. A round that
deadlocks is a result (exit 0), not an error.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from sims.shmtag import shm_tag
from sims.usage import EXIT_BAD_INPUT, BadInput, OneLineParser

if TYPE_CHECKING:
    from sims.engine.round import Round
    from sims.export import Format
    from sims.rounds.config import RoundConfig
    from sims.scenarios import Scenario

EXIT_INTERRUPTED = 130
# Shorthand options and the scenario parameter each one sets.
__all__ = ["EXIT_BAD_INPUT", "SUBCOMMANDS", "BadInput", "OneLineParser", "Subcommand", "main"]
SHORTHANDS = {"agents": "agents", "producers": "producers", "consumers": "consumers", "capacity": "capacity"}


@attrs.frozen
class Subcommand:
    """One ``diner NAME``: ``arguments`` adds its options to its parser; ``run`` is
    ``"module:function"``, called with the parsed arguments and returning the exit status."""

    name: str
    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: str

    def __call__(self, args: argparse.Namespace) -> int:
        module, _, function = self.run.partition(":")
        return int(getattr(importlib.import_module(module), function)(args))


def _run_arguments(run: argparse.ArgumentParser) -> None:
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
    where.add_argument("--out", metavar="DIR", help="write the round's tables and summary.json into this folder")
    where.add_argument(
        "--into",
        metavar="ROOT",
        help="write them under ROOT/scenario=…/strategy=…/backend=…/seed=… (rounds side by side: one dataset)",
    )
    run.add_argument(
        "--format",
        default="auto",
        metavar="FORMATS",
        help="parquet, csv, trace (comma-separated), all, or auto: parquet with pyarrow installed, else csv",
    )


def _no_arguments(_: argparse.ArgumentParser) -> None:
    pass


def _levels_arguments(parser: argparse.ArgumentParser) -> None:
    from sims.levels.cli import add_arguments

    add_arguments(parser)


def _sweep_arguments(parser: argparse.ArgumentParser) -> None:
    from sims.sweep_cli import add_arguments

    add_arguments(parser)


def _grade_arguments(parser: argparse.ArgumentParser) -> None:
    from sims.explore.cli import grade_arguments

    grade_arguments(parser)


def _replay_arguments(parser: argparse.ArgumentParser) -> None:
    from sims.explore.cli import replay_arguments

    replay_arguments(parser)


def _code_arguments(parser: argparse.ArgumentParser) -> None:
    from sims.levels.codecli import code_arguments

    code_arguments(parser)


_EXPLORE = "sims.explore.cli:main"  # grade and replay (it tells them apart by args.command)

SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand("run", "run one round headless and print its statistics", _run_arguments, "sims.cli:run_command"),
    Subcommand("list", "scenarios, strategies and parameters with defaults", _no_arguments, "sims.cli:list_command"),
    Subcommand("levels", "campaign levels: check or verify", _levels_arguments, "sims.levels.cli:run"),
    Subcommand(
        "sweep",
        "run a grid of rounds (strategies x backends x parameters x seeds) into one table",
        _sweep_arguments,
        "sims.sweep_cli:run",
    ),
    Subcommand("grade", "find the schedule that breaks player code (exit 0 pass, 1 fail)", _grade_arguments, _EXPLORE),
    Subcommand("replay", "replay a saved counterexample step by step", _replay_arguments, _EXPLORE),
    Subcommand(
        "code",
        "your file for a code level (made from its template if missing)",
        _code_arguments,
        "sims.levels.codecli:main",
    ),
)
"""Every engine subcommand. Adding one is adding a line here (and its module)."""


def command_names() -> tuple[str, ...]:
    return tuple(sub.name for sub in SUBCOMMANDS)


def version() -> str:
    """The installed package's version (the source tree's when it is not installed)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("deadlock-diner")
    except PackageNotFoundError:
        return "unknown (not installed)"


def parser(epilog: str | None = None) -> argparse.ArgumentParser:
    """``diner``'s parser: every subcommand with its own ``--help``, and ``--version``."""
    top = OneLineParser(
        prog="diner",
        description="Deadlock Diner: learn concurrency on real threads and processes.",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    top.add_argument("--version", action="version", version=f"diner {version()}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in SUBCOMMANDS:
        command.arguments(sub.add_parser(command.name, help=command.help, description=command.help))
    return top


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
    """Turn parsed arguments into a checked RoundConfig, or raise BadInput.

    The checks are the engine's own (:func:`sims.engine.admit.check_round`), run before
    anything starts: the level checker runs the same ones.
    """
    from sims.engine.admit import check_round
    from sims.rounds.commands import parse_timed
    from sims.rounds.config import HEADLESS_AGENT_NICE, RoundConfig
    from sims.scenarios import scenario_named

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
    seconds = scenario.default_seconds if args.seconds is None else args.seconds
    params = _params(scenario, args)
    try:
        config = RoundConfig(
            scenario=scenario.name,
            backend=args.backend,
            strategy=args.strategy,
            seconds=seconds,
            seed=args.seed,
            params=params,
            stop_on_deadlock=not args.keep_running,
            start_method=args.start_method,
            agent_nice=HEADLESS_AGENT_NICE,
            detail=not args.no_detail,
            gated=args.gated,
        )
    except ValueError as error:
        raise BadInput(f"argument --seconds: {error}") from None
    checked: RoundConfig = _checked(lambda timed: attrs.evolve(config, schedule=timed), schedule, "--at")
    _checked(check_round, checked, "--at")
    return checked


def list_command(_: argparse.Namespace) -> int:
    from sims.scenarios import scenarios
    from sims.text_report import render_listing

    print(render_listing(scenarios()))
    return 0


@attrs.frozen
class ExportTarget:
    """Where ``diner run`` writes the round (``--out`` or ``--into``) and in which formats."""

    folder: Path | None
    dataset: bool  # --into: the round's own partition below ``folder``
    formats: tuple[Format, ...]

    @property
    def flag(self) -> str:
        return "--into" if self.dataset else "--out"


def export_target(args: argparse.Namespace) -> ExportTarget:
    """The checked target, before the round runs; BadInput names the culprit."""
    from sims.export import ExportError, check_writable, output_folder, parse_formats

    try:
        formats = parse_formats(args.format)
    except ValueError as error:
        raise BadInput(f"argument --format: {error}") from None
    text, flag = (args.out, "--out") if args.into is None else (args.into, "--into")
    folder = None
    if text is not None:
        try:
            folder = output_folder(text)
            check_writable(folder)
        except ExportError as error:
            raise BadInput(f"argument {flag}: {error}") from None
    return ExportTarget(folder, args.into is not None, formats)


def run_command(args: argparse.Namespace) -> int:
    if args.backend == "process" and args.start_method == "forkserver":
        from sims.engine.fork_server import start_fork_server

        start_fork_server()  # it boots while the round is checked and built (it ends with us)
    from sims.engine.round import Round

    config = config_from(args)
    target = export_target(args)
    # Records stream to <out>/records; with --into (whose folder is named after the round) or no export,
    # to a temporary folder.
    records_dir = None if target.dataset else target.folder
    return _play(Round(config, records_dir=records_dir), target)


def _play(rnd: Round, out: ExportTarget) -> int:
    from sims.ctrl_c import recorded_ctrl_c
    from sims.kinds import EndReason

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
        return EXIT_INTERRUPTED if stopped is None else _report(stopped, out, EXIT_INTERRUPTED)
    return _report(result, out, 0)


def _start(rnd: Round) -> None:
    try:
        rnd.start()  # stops whatever it started if it fails
    except ValueError as error:
        raise BadInput(str(error)) from None
    except OSError as error:  # the records' folder: '<out>/records' already a file, a full disk
        where = f"{error.filename}: " if error.filename else ""
        raise BadInput(f"cannot write the round's records: {where}{error.strerror or error}") from None


def _report(result: Any, out: ExportTarget, status: int) -> int:
    try:
        return _print_and_write(result, out, status)
    finally:
        result.records.discard()  # a temporary spill goes now; one in --out stays


def _print_and_write(result: Any, out: ExportTarget, status: int) -> int:
    from sims.export import ExportError, dataset_folder, write_round
    from sims.text_report import render_result

    # The round's end instant is on the monotonic clock: how long its statistics took is read here.
    after_end = (time.monotonic_ns() - result.ended_ns) / 1e9
    print(render_result(result))
    print(f"summary ready {after_end:.2f} s after the round's end")
    if out.folder is not None:
        from sims.heap import give_back_freed_memory

        folder = dataset_folder(out.folder, result) if out.dataset else out.folder
        give_back_freed_memory()  # the round's freed heap, so that the export's peak does not add to it
        began = time.perf_counter()
        try:
            paths = write_round(result, folder, out.formats)
        except ExportError as error:
            print(f"diner run: error: {out.flag}: {error}", file=sys.stderr)
            return EXIT_BAD_INPUT
        took = time.perf_counter() - began
        size = sum(p.stat().st_size for p in paths)
        print(f"wrote {', '.join(p.name for p in paths)} in {folder} ({size / 1e6:.1f} MB in {took:.1f} s)")
    return status


def sweep_out(argv: Sequence[str]) -> Path | None:
    """The ``--out`` folder of a ``diner sweep`` command line (for the launcher's charts)."""
    args = parser().parse_args(list(argv))
    return Path(args.out) if args.command == "sweep" else None


def main(argv: Sequence[str] | None = None, epilog: str | None = None) -> int:
    """Entry point of the headless commands; returns the exit status."""
    args = parser(epilog).parse_args(list(sys.argv[1:] if argv is None else argv))
    command = next(sub for sub in SUBCOMMANDS if sub.name == args.command)
    try:
        shm_tag()  # every round's segments and folders are named with it, on either backend
    except ValueError as error:
        print(f"diner {args.command}: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        return command(args)
    except BadInput as error:
        print(f"diner {args.command}: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # the reader of our output went away (e.g. `| head`)
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return 0
