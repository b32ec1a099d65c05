"""Does each level keep its promise? The reference choice wins, the naive choice loses.

Playing a round is the engine's business, so the caller injects ``play(level, choice, backend)``
returning the round's flat statistics. What is decided here is pure: given the statistics,
did the reference earn a star and did the naive choice earn none, on every backend.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import attrs

from sims.levels.goals import FlatStats, Grade, grade
from sims.levels.schema import Choice, LevelSpec

Play = Callable[[LevelSpec, Choice, str], FlatStats]
"""Runs one headless round of ``level`` with ``choice`` on ``backend``; returns flat statistics."""

ROLES = ("reference", "naive")


@attrs.frozen
class Trial:
    """One round played for verification, with its verdict."""

    level_id: str
    role: str
    backend: str
    grade: Grade

    @property
    def ok(self) -> bool:
        """The reference must earn a star; the naive choice must earn none."""
        return self.grade.passed if self.role == "reference" else not self.grade.passed

    def describe(self) -> str:
        want = "at least 1 star" if self.role == "reference" else "0 stars"
        verdict = "ok" if self.ok else f"FAILED (must earn {want})"
        first = self.grade.tiers[0]
        why = "; ".join(r.explain() for r in first)
        return f"{self.level_id}: {self.role} on {self.backend}: {self.grade.stars} stars, {verdict} [{why}]"


def judge(level: LevelSpec, role: str, backend: str, flat_stats: FlatStats) -> Trial:
    """The verdict for one round's statistics (no round is played here)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    return Trial(level.id, role, backend, grade(level, flat_stats))


@attrs.frozen
class Verdict:
    """Every trial of one level; the level is verified when every trial is ok."""

    level_id: str
    trials: tuple[Trial, ...]

    @property
    def ok(self) -> bool:
        return all(t.ok for t in self.trials)

    def failures(self) -> tuple[Trial, ...]:
        return tuple(t for t in self.trials if not t.ok)


def verify_level(level: LevelSpec, play: Play, rounds: int = 1, backends: Iterable[str] | None = None) -> Verdict:
    """Play reference and naive ``rounds`` times on each backend; every round must behave.

    Both directions are strict: a naive choice that passes even once means a player could
    win the level without learning its lesson.
    """
    if rounds < 1:
        raise ValueError(f"rounds must be 1 or more, got {rounds}")
    chosen = tuple(backends) if backends is not None else level.backends
    trials = [
        judge(level, role, backend, play(level, getattr(level, role), backend))
        for backend in chosen
        if backend in level.backends
        for role in ROLES
        for _ in range(rounds)
    ]
    return Verdict(level.id, tuple(trials))
