"""Goals against a round's flat statistics: which passed, what the round actually did, how many stars.

The results explain themselves (goal text, actual value, verdict) so the debrief screen and
``diner levels verify`` can show *why* a round earned what it earned.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import attrs

from sims.levels.schema import Goal, LevelSpec, Number, format_value

FlatStats = Mapping[str, Number]
"""A round's statistics by name, e.g. ``{"deadlock": False, "jain": 0.93}``."""


def format_actual(value: Number | None) -> str:
    """A statistic as the player reads it: ``false``, ``12``, ``0.934``."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return format_value(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


@attrs.frozen
class GoalResult:
    """One goal checked against one round. ``actual`` is None if the round did not report it."""

    goal: Goal
    actual: Number | None
    passed: bool

    @property
    def text(self) -> str:
        return str(self.goal)

    def explain(self, language: str = "en") -> str:
        """``jain >= 0.9: got 0.82 ✗`` (or the Chinese), for the debrief list."""
        mark = "✓" if self.passed else "✗"
        if self.actual is None:
            missing = "本轮没有这项统计" if language == "zh" else "not reported by this round"
            return f"{self.text}: {missing} {mark}"
        got = "实际" if language == "zh" else "got"
        return f"{self.text}: {got} {format_actual(self.actual)} {mark}"


def _check(goal: Goal, stats: FlatStats) -> GoalResult:
    actual = stats.get(goal.stat)
    if actual is None:
        return GoalResult(goal, None, False)
    if isinstance(actual, float) and math.isnan(actual):
        return GoalResult(goal, actual, False)
    return GoalResult(goal, actual, goal.holds(actual))


def evaluate(goals: Iterable[Goal], flat_stats: FlatStats) -> tuple[GoalResult, ...]:
    """Each goal with its verdict; a statistic the round did not report fails its goal."""
    return tuple(_check(goal, flat_stats) for goal in goals)


@attrs.frozen
class Grade:
    """Stars earned, with the results of every tier (tier 0 is the level's own goals)."""

    stars: int
    tiers: tuple[tuple[GoalResult, ...], ...]

    @property
    def passed(self) -> bool:
        return self.stars >= 1

    def results(self) -> tuple[GoalResult, ...]:
        """All results, first star's goals first."""
        return tuple(r for tier in self.tiers for r in tier)


def grade(level: LevelSpec, flat_stats: FlatStats) -> Grade:
    """Stars are cumulative: a star counts only if every tier before it passed too."""
    tiers = tuple(evaluate(goals, flat_stats) for goals in level.star_tiers())
    earned = 0
    for tier in tiers:
        if not all(r.passed for r in tier):
            break
        earned += 1
    return Grade(earned, tiers)


def stars(level: LevelSpec, flat_stats: FlatStats) -> int:
    """0 to 3: 0 unless all the level's goals pass, then one per cumulative star tier met."""
    return grade(level, flat_stats).stars
