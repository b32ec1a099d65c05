"""``diner levels check|verify``: the level designer's tools, callable as ``main(argv)``.

Exit codes: 0 all good, 1 verification found a level that does not keep its promise,
2 a file has problems or the command was used wrongly. ``main`` returns the code instead of
exiting so the launcher (and tests) decide what to do with it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from sims.levels.code import CodeLevel, check_code_files, shipped_code_dir
from sims.levels.loader import Problem, check_files, engine_scenarios, shipped_levels_dir
from sims.levels.schema import LevelSpec
from sims.levels.verify import Play, verify_level

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_ERROR = 2


class _UsageError(Exception):
    """argparse wanted to exit; carry its status back to ``main`` instead."""

    def __init__(self, status: int, message: str = "") -> None:
        super().__init__(message)
        self.status = status


class _Parser(argparse.ArgumentParser):
    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            sys.stderr.write(message)
        raise _UsageError(status, message or "")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


MAX_ROUNDS = 100  # per choice and backend: verify plays 2 x backends x this many rounds per level


def _rounds(text: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) <= 3 and 1 <= int(text) <= MAX_ROUNDS):
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {MAX_ROUNDS}, got {text!r}")
    return int(text)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``check`` and ``verify`` under ``parser`` (``diner levels`` or this module's own)."""
    commands = parser.add_subparsers(dest="levels_command", required=True, metavar="{check,verify}")
    check = commands.add_parser("check", help="load level files strictly and report every problem")
    check.add_argument("files", nargs="*", type=Path, help="level files or directories (default: shipped levels)")
    check.add_argument("--code", action="store_true", help="only the code and parsons levels")
    verify = commands.add_parser("verify", help="play reference, naive and wrong choices; only the reference may win")
    verify.add_argument("files", nargs="*", type=Path, help="level files or directories (default: shipped levels)")
    verify.add_argument("--rounds", type=_rounds, default=1, help="rounds per choice and backend (default 1)")
    verify.add_argument("--backend", choices=("thread", "process"), help="only this backend")
    verify.add_argument("--code", action="store_true", help="only the code and parsons levels")


def _parser() -> _Parser:
    parser = _Parser(prog="diner levels", description="Check and verify Deadlock Diner level files.")
    add_arguments(parser)
    return parser


def _load(files: Sequence[Path], err: TextIO) -> tuple[tuple[LevelSpec, ...], tuple[Problem, ...]]:
    levels, problems = check_files(files or [shipped_levels_dir()])
    for problem in problems:
        print(problem, file=err)
    if problems:
        count = len({p.file for p in problems})
        print(f"{len(problems)} problem(s) in {count} file(s)", file=err)
    return levels, problems


def _code_levels(err: TextIO) -> tuple[CodeLevel, ...] | None:
    """The shipped code levels, or None after printing their problems (an ``after`` naming no level is one)."""
    from sims.levels.ladder import misplaced

    levels, problems = check_code_files(shipped_code_dir())
    rounds, _ = check_files([shipped_levels_dir()])  # their own problems are reported by the round check
    problems += tuple(misplaced(levels, {level.id for level in rounds}))
    for problem in problems:
        print(problem, file=err)
    return None if problems else levels


def _check_code(out: TextIO, err: TextIO) -> int:
    levels = _code_levels(err)
    if levels is None:
        return EXIT_ERROR
    print(f"OK: {len(levels)} code levels in {shipped_code_dir()}", file=out)
    return EXIT_OK


def _verify_code(out: TextIO, err: TextIO) -> int:
    levels = _code_levels(err)
    if levels is None:
        return EXIT_ERROR
    from sims.levels.codecheck import verify_code_level

    failed = 0
    for level in levels:
        promises = list(verify_code_level(level))
        for promise in promises:
            print(promise.describe(), file=out if promise.ok else err)
        failed += not all(p.ok for p in promises)
    print(f"{len(levels) - failed}/{len(levels)} code levels keep their promise", file=out)
    return EXIT_FAILED if failed else EXIT_OK


def _check(files: Sequence[Path], out: TextIO, err: TextIO) -> int:
    levels, problems = _load(files, err)
    if problems:
        return EXIT_ERROR
    where = ", ".join(str(f) for f in files) or str(shipped_levels_dir())
    scheduled = sum(level.scheduler for level in levels)
    missing = sorted({level.scenario for level in levels} - set(engine_scenarios()))
    engine = f"; not in the engine yet (checked as data only): {', '.join(missing)}" if missing else ""
    print(f"OK: {len(levels)} levels ({scheduled} scheduler) in {where}{engine}", file=out)
    return EXIT_OK


def _verify(args: argparse.Namespace, play: Play | None, out: TextIO, err: TextIO) -> int:
    levels, problems = _load(args.files, err)
    if problems:
        return EXIT_ERROR
    if play is None:
        from sims.levels.play import engine_play

        play = engine_play
    backends = [args.backend] if args.backend else None
    failed = 0
    for level in levels:
        verdict = verify_level(level, play, rounds=args.rounds, backends=backends)
        for trial in verdict.trials:
            print(trial.describe(), file=out if trial.ok else err)
        for goal in verdict.never_failed():
            print(f"{level.id}: goal {goal} FAILED to fail: no naive or wrong round missed it", file=err)
        failed += not verdict.ok
    print(f"{len(levels) - failed}/{len(levels)} levels keep their promise", file=out)
    return EXIT_FAILED if failed else EXIT_OK


def main(argv: list[str], *, play: Play | None = None) -> int:
    """Run ``levels check|verify``; ``play`` runs one round for verify (default: the real engine)."""
    try:
        args = _parser().parse_args(argv)
    except _UsageError as exc:
        return exc.status
    return run(args, play=play)


def run(args: argparse.Namespace, *, play: Play | None = None) -> int:
    """Run parsed ``levels check|verify`` arguments."""
    out, err = sys.stdout, sys.stderr
    checking = args.levels_command == "check"
    code = _check_code if checking else _verify_code
    if args.code:
        if args.files:  # they used to be ignored: the shipped code levels were checked instead, and passed
            print(
                f"diner levels {args.levels_command}: error: argument --code: checks the shipped code levels "
                f"only, give no files (got {str(args.files[0])!r})",
                file=err,
            )
            return EXIT_ERROR
        return code(out, err)
    status = _check(args.files, out, err) if checking else _verify(args, play, out, err)
    if args.files or play is not None:  # named files are round levels; an injected play is a test's
        return status
    return max(status, code(out, err))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
