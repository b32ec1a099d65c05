"""Goals against a round's flat statistics: which passed, what the round actually did, how many stars.

The results explain themselves (goal text, actual value, verdict) so the debrief screen and
``diner levels verify`` can show *why* a round earned what it earned.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping

import attrs

from sims.levels.schema import Goal, LevelSpec, Number, format_value
from sims.levels.statnames import STATS, Clock

FlatStats = Mapping[str, Number]
"""A round's statistics by name, e.g. ``{"deadlock": False, "jain": 0.93}``."""


def format_actual(value: Number | None, language: str = "en") -> str:
    """A statistic as the player reads it: ``false``, ``12``, ``0.934`` (``否`` in Chinese)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return ("是" if value else "否") if language == "zh" else format_value(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


_ZH_OPS = {"==": "=", "!=": "≠", "<=": "≤", ">=": "≥", "<": "<", ">": ">"}


def goal_text(goal: Goal, language: str = "en") -> str:
    """A goal as the player reads it: ``jain >= 0.9`` in English (the level file's own words),
    ``Jain 公平指数（1 表示完全公平）≥ 0.9`` or ``本轮以死锁告终：否`` in Chinese."""
    if language != "zh":
        return str(goal)
    name = STATS[goal.stat].zh if goal.stat in STATS else goal.stat
    if isinstance(goal.value, bool):
        yes = goal.value == (goal.op.value == "==")
        return f"{name}：{'是' if yes else '否'}"
    return f"{name} {_ZH_OPS[goal.op.value]} {format_value(goal.value)}"


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
        text = goal_text(self.goal, language)
        if self.actual is None:
            if language == "zh":
                return f"{text}（本轮没有这项统计）{mark}"
            return f"{text}: not reported by this round {mark}"
        if language == "zh":
            return f"{text}（实际 {format_actual(self.actual, language)}）{mark}"
        return f"{text}: got {format_actual(self.actual)} {mark}"


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


class Forfeit(enum.Enum):
    """Why a round earns no stars whatever its statistics say."""

    OS_SCHEDULED = "os_scheduled"  # a scheduler level where A handed scheduling to the OS


def pace(flat_stats: FlatStats) -> float:
    """Wall seconds per second of the round's own time: 1 at normal speed, 0.5 at double speed."""
    wall, own = flat_stats.get("duration_s"), flat_stats.get("round_time_s")
    if not isinstance(wall, int | float) or not isinstance(own, int | float) or wall <= 0 or own <= 0:
        return 1.0
    return float(wall) / float(own)


def in_round_time(flat_stats: FlatStats) -> dict[str, Number]:
    """The statistics as a round at normal speed would report them, so a speed-up inflates nothing.

    Work counts and rates are scaled by :func:`pace`, durations divided by it; flags, ratios
    and one-off events stay as they are. Exact when the pace is constant and the work is paced
    by the round's sleeps; otherwise the time-weighted average pace is used.
    """
    k = pace(flat_stats)
    if k == 1.0:
        return dict(flat_stats)
    out: dict[str, Number] = {}
    for name, value in flat_stats.items():
        clock = STATS[name].clock if name in STATS else Clock.NONE
        if isinstance(value, bool) or clock is Clock.NONE:
            out[name] = value
        elif clock is Clock.DURATION:
            out[name] = value / k
        else:
            out[name] = value * k
    return out


@attrs.frozen
class Grade:
    """Stars earned, with the results of every tier (tier 0 is the level's own goals).

    ``forfeit`` says why a round earned nothing although its goals may have passed;
    ``pace`` is the round's wall seconds per round second (1 at normal speed): goals were
    checked in the round's own time.
    """

    stars: int
    tiers: tuple[tuple[GoalResult, ...], ...]
    forfeit: Forfeit | None = None
    pace: float = 1.0

    @property
    def passed(self) -> bool:
        return self.stars >= 1

    def results(self) -> tuple[GoalResult, ...]:
        """All results, first star's goals first."""
        return tuple(r for tier in self.tiers for r in tier)


def forfeit(level: LevelSpec, flat_stats: FlatStats) -> Forfeit | None:
    """A scheduler level counts only rounds the player scheduled: pressing A forfeits the round."""
    if level.scheduler and flat_stats.get("os_scheduled") is True:
        return Forfeit.OS_SCHEDULED
    return None


def grade(level: LevelSpec, flat_stats: FlatStats) -> Grade:
    """Stars are cumulative: a star counts only if every tier before it passed too.

    Goals are checked in the round's own time (:func:`in_round_time`); a forfeited round
    keeps its goal results, to show what happened, but earns no star.
    """
    own_time = in_round_time(flat_stats)
    tiers = tuple(evaluate(goals, own_time) for goals in level.star_tiers())
    lost = forfeit(level, flat_stats)
    earned = 0
    for tier in tiers:
        if lost is not None or not all(r.passed for r in tier):
            break
        earned += 1
    return Grade(earned, tiers, lost, pace(flat_stats))


def stars(level: LevelSpec, flat_stats: FlatStats) -> int:
    """0 to 3: 0 unless all the level's goals pass, then one per cumulative star tier met."""
    return grade(level, flat_stats).stars
