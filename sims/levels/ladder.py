"""Where the code levels sit in the campaign: each one follows the round level that teaches its topic.

A code level's file names that level (``after``). It opens once that level has a star, and
its stars count in the campaign's total like any level's. The rounds' own path never waits
for a code level: a player without an editor still reaches the end (the parsons levels are
there for them). Everything comes from the level files; nothing here names a level.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sims.levels.code import CodeLevel
from sims.levels.loader import Problem
from sims.levels.progress import MAX_STARS, Progress
from sims.levels.schema import LevelSpec


def misplaced(code_levels: Sequence[CodeLevel], campaign_ids: Collection[str]) -> list[Problem]:
    """A problem for every code level whose ``after`` names no campaign level."""
    known = ", ".join(sorted(campaign_ids))
    return [
        Problem(level.folder / f"{level.id}.toml", "after", f"must be a campaign level ({known}), got {level.after!r}")
        for level in code_levels
        if level.after not in campaign_ids
    ]


def code_open(level: CodeLevel, progress: Progress) -> bool:
    """A code level opens once the campaign level it follows has a star."""
    return progress.stars_for(level.after) >= 1


def in_campaign_order(levels: Sequence[LevelSpec], code_levels: Sequence[CodeLevel]) -> list[CodeLevel]:
    """The code levels in campaign order: by the position of the level they follow, then their own order."""
    place = {level.id: i for i, level in enumerate(sorted(levels, key=lambda lv: lv.order))}
    return sorted(code_levels, key=lambda c: (place.get(c.after, len(place)), c.order))


def total_stars(levels: Sequence[LevelSpec], code_levels: Sequence[CodeLevel], progress: Progress) -> tuple[int, int]:
    """(stars earned, stars there are) over every level, rounds and code alike."""
    ids = [level.id for level in levels] + [level.id for level in code_levels]
    return sum(progress.stars_for(i) for i in ids), MAX_STARS * len(ids)
