"""Check a code level's answer: the grader's verdict on the real engine, then the stars.

``diner levels verify`` uses it to keep each level's promise: the reference passes with 3 stars,
every known-bad variant fails with its expected verdict.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs

from sims.exercises import exercise_named
from sims.explore.code import BadCode, read_source
from sims.explore.grade import GradeReport, GradeRequest, grade
from sims.levels.code import MAX_BUDGET_S, CodeLevel, Kind
from sims.levels.codestars import RuleResult, stars

Grader = Callable[[GradeRequest], GradeReport]


@attrs.frozen
class Checked:
    """The grader's report on one file and the stars it earns."""

    report: GradeReport
    stars: int
    rules: tuple[RuleResult, ...]


def written_roles(level: CodeLevel) -> tuple[str, ...]:
    """The roles whose code the stars read (a parsons level's given roles do not count)."""
    if level.kind is Kind.PARSONS and level.parsons is not None:
        return (level.parsons.role,)
    return exercise_named(level.exercise).roles


def check_file(
    level: CodeLevel, path: Path, grader: Grader = grade, seed: int = 0, budget_s: float | None = None
) -> Checked:
    """Grade ``path`` for ``level`` (in a worker by default; the level's budget unless given) and count its stars."""
    budget = level.budget_s if budget_s is None else budget_s
    request = GradeRequest(level.exercise, str(path), level.agents, seed, budget)
    report = grader(request)
    try:
        source = read_source(path)
        earned, rules = stars(level, source, written_roles(level), report.passed)
    except (BadCode, SyntaxError, ValueError, RecursionError, MemoryError):
        earned, rules = 0, []
    return Checked(report, earned, tuple(rules))


@attrs.frozen
class Promise:
    """One file of a level checked for ``levels verify``."""

    level_id: str
    role: str  # "reference" or the bad file's name
    want: str  # "pass, 3 stars" or the expected verdict
    got: str
    ok: bool

    def describe(self) -> str:
        status = "ok" if self.ok else f"FAILED (must be {self.want})"
        return f"{self.level_id}: {self.role}: {self.got}, {status}"


def reference_file(level: CodeLevel, folder: Path) -> Path:
    """The reference as a file: a code level's own, or a parsons level's solved arrangement."""
    if level.kind is Kind.CODE:
        return level.file(level.reference)
    path = folder / f"{level.id}.py"
    path.write_text(level.parsons_source(level.puzzle().solved(_seed(level))), encoding="utf-8")
    return path


def _seed(level: CodeLevel) -> int:
    return level.parsons.seed if level.parsons is not None else 0


def verify_code_level(level: CodeLevel, grader: Grader = grade) -> Iterator[Promise]:
    """The reference passes with 3 stars; every bad variant fails with its expected verdict."""
    with tempfile.TemporaryDirectory(prefix="diner-verify-") as folder:
        ref = check_file(level, reference_file(level, Path(folder)), grader)
    got = f"{ref.report.finding.verdict.value}, {ref.stars} stars"
    yield Promise(level.id, "reference", "pass, 3 stars", got, ref.report.passed and ref.stars == 3)
    for bad in level.bad:  # the search ends at the first failure: a wide budget costs only a loaded machine's time
        checked = check_file(level, level.file(bad.file), grader, budget_s=MAX_BUDGET_S)
        verdict = checked.report.finding.verdict.value
        ok = verdict == bad.verdict and checked.stars == 0
        yield Promise(level.id, bad.file, f"{bad.verdict}, 0 stars", f"{verdict}, {checked.stars} stars", ok)
