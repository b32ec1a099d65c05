"""Grading rules every level must keep, so a star certifies the level's insight.

The loader enforces what can be seen in the file (this module); ``diner levels verify``
enforces what needs a round (:mod:`sims.levels.verify`): the naive and wrong choices miss
what they should, every goal fails in at least one of them, and handing a scheduler level
to the operating system earns nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from sims.levels.schema import Goal, LevelSpec, Op
from sims.levels.statnames import STATS

Issue = tuple[str, str]

MAX_WRONG_STARS = 2
"""A wrong choice may be allowed a star or two (a partial insight), never all three."""

_UPPER = (Op.LE, Op.LT)


def check_rules(spec: LevelSpec) -> list[Issue]:
    """Every grading-rule problem of one level, as ``(field, "must be X, got Y")`` pairs."""
    return [*_wrong_choices(spec), *_no_auto(spec), *_unfinished_waits(spec)]


def _wrong_choices(spec: LevelSpec) -> Iterator[Issue]:
    """Besides the naive choice, at least one more wrong choice that verify plays."""
    if not spec.wrong:
        yield "wrong", "must list at least one more wrong choice besides naive ([[wrong]]), got none"
    seen = [spec.settings(spec.reference), spec.settings(spec.naive)]
    for i, wrong in enumerate(spec.wrong):
        field = f"wrong[{i}]"
        if not 0 <= wrong.stars <= MAX_WRONG_STARS:
            yield f"{field}.stars", f"must be 0 to {MAX_WRONG_STARS} (the most it may earn), got {wrong.stars}"
        settings = spec.settings(wrong)
        if settings in seen:
            yield field, "must differ from reference, naive and the other wrong choices, got the same settings"
        seen.append(settings)
        if spec.scheduler and not wrong.schedule:
            yield f"{field}.schedule", "must list the agents to release, in order, got none"
        if not spec.scheduler and wrong.schedule:
            yield f"{field}.schedule", "must be absent unless scheduler = true, got a schedule"
        for j, agent in enumerate(wrong.schedule):
            if agent < 0:
                yield f"{field}.schedule[{j}]", f"must be an agent index (0 or more), got {agent}"


def _no_auto(spec: LevelSpec) -> Iterator[Issue]:
    """A scheduler level's reference is scheduled by the player: ``auto`` would forfeit it."""
    if not spec.scheduler:
        return
    for i, command in enumerate(spec.reference.commands):
        if command.partition(":")[2].strip() == "auto":
            why = "must not hand scheduling to the OS on a scheduler level"
            yield f"reference.commands[{i}]", f"{why}, got {command!r}"


def _covers_unfinished(goal: Goal) -> bool:
    """A goal that fails when some agent waits forever."""
    if goal.stat == "starved_count":
        return goal.op in _UPPER or (goal.op is Op.EQ and goal.value == 0)
    return goal.stat == "longest_wait_ms" and goal.op in _UPPER


def guards(spec: LevelSpec) -> frozenset[Goal]:
    """Goals that are there to make a finished-waits bound honest (``starved_count == 0``).

    Such a guard need not fail in a wrong round of its own: it closes a loophole that the
    level's choices may not be able to open.
    """
    goals = [g for tier in spec.star_tiers() for g in tier]
    if not any(STATS[g.stat].completed_only and g.op in _UPPER for g in goals):
        return frozenset()
    return frozenset(g for g in goals if _covers_unfinished(g))


def _unfinished_waits(spec: LevelSpec) -> Iterator[Issue]:
    """A bound on finished waits forgives a guest who never got in: pair it with one that does not."""
    earlier: list[Goal] = []
    for name, tier in zip(("goals", "stars.two", "stars.three"), spec.star_tiers(), strict=True):
        earlier.extend(tier)
        covered = any(_covers_unfinished(g) for g in earlier)
        for i, goal in enumerate(tier):
            if STATS[goal.stat].completed_only and goal.op in _UPPER and not covered:
                yield (
                    f"{name}[{i}]",
                    f"must come with 'starved_count == 0' or a longest_wait_ms bound in this or an earlier "
                    f"star (it counts only waits that finished), got {str(goal)!r} alone",
                )
