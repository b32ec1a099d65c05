"""``diner grade EXERCISE FILE`` and ``diner replay FILE``.

Exit status: 0 pass (or a replay that gives the recorded verdict), 1 fail (or a replay
that gives another), 2 bad input with one line naming the culprit.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path

from sims.exercises import exercise_named, exercises
from sims.explore.code import BadCode, check
from sims.explore.counterexample import BadCounterexample, Counterexample
from sims.explore.grade import MARGIN_S, GradeReport, GradeRequest, died, grade, isolated
from sims.explore.replay import describe, replay_job

EXIT_FAIL = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
MAX_BUDGET_S = 3600.0


class BadInput(Exception):
    """One line naming the argument at fault."""


def grade_arguments(grade_cmd: argparse.ArgumentParser) -> None:
    """``diner grade``'s arguments (the subcommands are registered in ``sims.cli.SUBCOMMANDS``)."""
    grade_cmd.add_argument("exercise", help=f"exercise name: {', '.join(exercises())}")
    grade_cmd.add_argument("file", type=Path, help="Python file defining the exercise's roles")
    grade_cmd.add_argument("--seed", type=int, default=0, help="seed of the search (same seed, same counterexample)")
    grade_cmd.add_argument("--budget", type=float, default=10.0, help="seconds of search (default 10)")
    grade_cmd.add_argument("--agents", type=int, help="number of agents (default: the exercise's)")
    grade_cmd.add_argument("--json", action="store_true", help="one JSON object for autograders")
    grade_cmd.add_argument(
        "--save", type=Path, help="where to write the counterexample (default FILE.counterexample.json)"
    )
    grade_cmd.add_argument("--no-free", action="store_true", help="skip the free runs after the exploration")
    grade_cmd.add_argument(
        "--backend", choices=("thread", "process"), default="thread", help="agents as threads (default) or processes"
    )


def replay_arguments(replay_cmd: argparse.ArgumentParser) -> None:
    replay_cmd.add_argument("file", type=Path, help="a .counterexample.json written by 'diner grade'")


def _request(args: argparse.Namespace) -> GradeRequest:
    try:
        ex = exercise_named(args.exercise)
    except ValueError as error:
        raise BadInput(f"argument exercise: {error}") from None
    if not (math.isfinite(args.budget) and 0 < args.budget <= MAX_BUDGET_S):
        raise BadInput(f"argument --budget: must be more than 0 and at most {MAX_BUDGET_S:g} s, got {args.budget}")
    if args.agents is not None and not ex.min_agents <= args.agents <= ex.max_agents:
        raise BadInput(f"argument --agents: {ex.name} takes {ex.min_agents} to {ex.max_agents}, got {args.agents}")
    if args.backend not in ex.backends:
        raise BadInput(f"argument --backend: {ex.name} runs on {', '.join(ex.backends)} agents only")
    try:
        check(args.file, ex.roles)
    except BadCode as error:
        raise BadInput(f"argument file: {error}") from None
    if args.save is not None and (args.save.is_dir() or not args.save.parent.is_dir()):
        raise BadInput(f"argument --save: {args.save} must be a file in an existing folder")
    free = not args.no_free and args.backend == "thread"  # free runs: thread agents
    return GradeRequest(ex.name, str(args.file.resolve()), args.agents, args.seed, args.budget, free, args.backend)


def run_grade(args: argparse.Namespace) -> int:
    request = _request(args)
    report = grade(request)
    ce = report.counterexample()
    saved = None
    if ce is not None:
        saved = args.save or args.file.with_name(args.file.name + ".counterexample.json")
        try:
            ce.save(saved)
        except OSError as error:  # the verdict stands; only the file is missing
            print("\n".join(render(report, None)))
            raise BadInput(f"argument --save: cannot write {saved}: {error.strerror or error}") from None
    if args.json:
        print(json.dumps({**report.to_json(), "counterexample": None if saved is None else str(saved)}))
    else:
        print("\n".join(render(report, saved)))
    return 0 if report.passed else EXIT_FAIL


def render(report: GradeReport, saved: Path | None) -> list[str]:
    r = report.request
    lines = [f"{r.exercise}: {Path(r.path).name} (seed {r.seed}, budget {r.budget_s:g} s)", describe(report.finding)]
    lines.extend(f"  {e}" for e in report.finding.evidence)
    tried = f"{report.runs} explored runs, {report.steps} scheduled steps, {report.free_runs} free runs"
    found = "" if report.passed else f"; found in: {report.phase}"
    lines.append(f"{tried}, {report.seconds:.1f} s{found}")
    if saved is not None:
        lines.append(f"counterexample: {saved} (diner replay {saved})")
    return lines


def run_replay(args: argparse.Namespace) -> int:
    try:
        ce = Counterexample.load(args.file)
        ex = exercise_named(ce.exercise)
        check(Path(ce.code), ex.roles)
    except (BadCounterexample, BadCode, ValueError) as error:
        raise BadInput(f"argument file: {error}") from None
    if not ex.min_agents <= ce.agents <= ex.max_agents:
        raise BadInput(
            f"argument file: {args.file}: field 'agents': {ex.name} takes {ex.min_agents} to "
            f"{ex.max_agents}, got {ce.agents}"
        )
    if ce.backend not in ex.backends:
        raise BadInput(
            f"argument file: {args.file}: field 'backend': {ex.name} runs on "
            f"{', '.join(ex.backends)}, got {ce.backend!r}"
        )
    answer, exitcode = isolated(replay_job, ce, MARGIN_S + 10.0)
    if answer is None:
        finding = died(exitcode)
        print(describe(finding))
        return 0 if finding.verdict.value == ce.verdict else EXIT_FAIL
    print("\n".join(answer["lines"]))
    return 0 if answer["same"] else EXIT_FAIL


def main(args: argparse.Namespace) -> int:
    """Run ``grade`` or ``replay``; bad input is one line on stderr and exit 2."""
    try:
        return run_grade(args) if args.command == "grade" else run_replay(args)
    except BadInput as error:
        print(f"diner {args.command}: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:  # the worker is gone: isolated() kills it on the way out
        print(f"diner {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="diner")
    sub = parser.add_subparsers(dest="command", required=True)
    grade_arguments(sub.add_parser("grade"))
    replay_arguments(sub.add_parser("replay"))
    return parser.parse_args(list(argv))
