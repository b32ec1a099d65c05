"""The campaign as data: level files, strict loading, goals and stars, saved progress, UI texts.

Never imports pygame or the engine: the game screens and ``diner levels`` build on this.
"""

from sims.lazy import lazy_exports
from sims.levels.goals import Forfeit, GoalResult, Grade, evaluate, format_actual, goal_text, grade, stars
from sims.levels.loader import LevelLoadError, Problem, check_files, load_levels, shipped_levels_dir
from sims.levels.parsons import MAX_INDENT, Arrangement
from sims.levels.progress import (
    MAX_STARS,
    SAVE_ENV,
    Progress,
    default_save_path,
    is_unlocked,
    load_progress,
    save_path,
    save_progress,
)
from sims.levels.schema import Choice, Choices, Goal, IntRange, LevelSpec, Op, Stars, Text, Wrong
from sims.levels.texts import LANGUAGE_NAMES, TABLES, next_language

# Code and parsons levels: loaded on first use (grading them imports the schedule explorer).
_CODE = {
    "CodeKind": "sims.levels.code:Kind",
    "CodeLevel": "sims.levels.code",
    "load_code_levels": "sims.levels.code",
    "shipped_code_dir": "sims.levels.code",
    "code_open": "sims.levels.ladder",
    "in_campaign_order": "sims.levels.ladder",
    "misplaced": "sims.levels.ladder",
    "total_stars": "sims.levels.ladder",
    "ensure_player_file": "sims.levels.codecli",
    "player_file": "sims.levels.codecli",
    "check_job": "sims.levels.codejob",
    "steps_job": "sims.levels.codejob",
}
__getattr__, _code_names = lazy_exports(__name__, _CODE)

__all__ = [
    "LANGUAGE_NAMES",
    "MAX_INDENT",
    "MAX_STARS",
    "SAVE_ENV",
    "TABLES",
    "Arrangement",
    "Choice",
    "Choices",
    "CodeKind",
    "CodeLevel",
    "Forfeit",
    "Goal",
    "GoalResult",
    "Grade",
    "IntRange",
    "LevelLoadError",
    "LevelSpec",
    "Op",
    "Problem",
    "Progress",
    "Stars",
    "Text",
    "Wrong",
    "check_files",
    "check_job",
    "code_open",
    "default_save_path",
    "ensure_player_file",
    "evaluate",
    "format_actual",
    "goal_text",
    "grade",
    "in_campaign_order",
    "is_unlocked",
    "load_code_levels",
    "load_levels",
    "load_progress",
    "misplaced",
    "next_language",
    "player_file",
    "save_path",
    "save_progress",
    "shipped_code_dir",
    "shipped_levels_dir",
    "stars",
    "steps_job",
    "total_stars",
]
