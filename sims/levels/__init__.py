"""The campaign as data: level files, strict loading, goals and stars, saved progress, UI texts.

Never imports pygame or the engine: the game screens and ``diner levels`` build on this.
"""

from sims.levels.goals import GoalResult, evaluate, grade, stars
from sims.levels.loader import LevelLoadError, Problem, check_files, load_levels, shipped_levels_dir
from sims.levels.schema import Choice, Choices, Goal, IntRange, LevelSpec, Op, Stars, Text, Wrong

__all__ = [
    "Choice",
    "Choices",
    "Goal",
    "GoalResult",
    "IntRange",
    "LevelLoadError",
    "LevelSpec",
    "Op",
    "Problem",
    "Stars",
    "Text",
    "Wrong",
    "check_files",
    "evaluate",
    "grade",
    "load_levels",
    "shipped_levels_dir",
    "stars",
]
