"""The campaign seen from the window: the shipped levels, the player's progress, the language.

One :class:`Campaign` lives on the :class:`~game.app.App` (made when first asked for). It
holds no pygame state: it turns a level and the player's picks into a ``RoundConfig``,
grades a finished round with the level's goals, and saves progress atomically through
:mod:`sims.levels.progress` (a corrupt save becomes a warning shown on screen).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from game.i18n import tr
from sims.levels import (
    Choice,
    CodeLevel,
    Grade,
    LevelLoadError,
    LevelSpec,
    Progress,
    Text,
    code_open,
    grade,
    in_campaign_order,
    is_unlocked,
    load_code_levels,
    load_levels,
    load_progress,
    misplaced,
    next_language,
    save_path,
    save_progress,
    total_stars,
)
from sims.rounds import RoundConfig, RoundResult, flat_numbers, parse_timed


@attrs.frozen
class Picks:
    """What the player chose on the briefing: strategy, knob values, backend."""

    strategy: str | None
    params: Mapping[str, Any]
    backend: str

    @classmethod
    def defaults(cls, level: LevelSpec) -> Picks:
        strategies = level.choices.strategies
        return cls(strategies[0] if strategies else None, level.choices.defaults(), level.backends[0])

    def choice(self) -> Choice:
        return Choice(strategy=self.strategy, params=dict(self.params))


@attrs.frozen
class Outcome:
    """A graded round: the stars it earned, whether that beat the best, what went wrong on the way."""

    grade: Grade
    best_before: int
    stats: Mapping[str, Any]
    save_error: str | None = None

    @property
    def new_best(self) -> bool:
        return self.grade.stars > self.best_before


class Campaign:
    """Levels (loaded once), progress (saved after every change) and the language."""

    def __init__(
        self,
        progress: Progress,
        path: Path,
        warning: str | None = None,
        levels_dir: Path | None = None,
        code_dir: Path | None = None,
    ) -> None:
        self.progress = progress
        self.path = path
        self.warning = warning
        self.backup: Path | None = None
        self._levels_dir = levels_dir
        self._code_dir = code_dir

    @functools.cached_property
    def levels(self) -> tuple[LevelSpec, ...]:
        """The levels in order, loaded when the level select first needs them (not at launch)."""
        return load_levels(self._levels_dir)

    @functools.cached_property
    def code_levels(self) -> tuple[CodeLevel, ...]:
        """The code levels in campaign order (each after the level that teaches its topic), strictly checked."""
        code = load_code_levels(self._code_dir)
        problems = misplaced(code, {level.id for level in self.levels})
        if problems:
            raise LevelLoadError(problems)
        return tuple(in_campaign_order(self.levels, code))

    @classmethod
    def load(cls, path: Path | None = None, levels_dir: Path | None = None) -> Campaign:
        """Saved progress (fresh, with a warning, if the save is corrupt); the levels come later.

        ``path`` defaults to ``$DINER_SAVE_FILE``, else the user data folder (platformdirs).
        """
        path = path or save_path()
        loaded = load_progress(path)
        campaign = cls(loaded.progress, path, loaded.warning, levels_dir)
        campaign.backup = loaded.backup
        return campaign

    def warning_text(self) -> str | None:
        """The corrupt-save warning in the player's language (the full sentence if nothing was kept)."""
        if self.warning is None:
            return None
        return self.tr("progress.corrupt", backup=self.backup) if self.backup is not None else self.warning

    # -- words ----------------------------------------------------------------------------
    @property
    def language(self) -> str:
        return self.progress.language

    def tr(self, key: str, **fields: object) -> str:
        return tr(key, self.language, **fields)

    def text(self, text: Text) -> str:
        return text.get(self.language)

    def switch_language(self) -> str | None:
        """Move to the other language and save it; returns an error sentence if the save failed."""
        return self._save(self.progress.with_language(next_language(self.language)))

    # -- the path -------------------------------------------------------------------------
    def number(self, level: LevelSpec) -> int:
        return self.levels.index(level) + 1

    def unlocked(self, level: LevelSpec) -> bool:
        return is_unlocked(self.levels, self.progress, level.id)

    def previous(self, level: LevelSpec) -> LevelSpec | None:
        i = self.levels.index(level)
        return self.levels[i - 1] if i > 0 else None

    def following(self, level: LevelSpec) -> LevelSpec | None:
        i = self.levels.index(level)
        return self.levels[i + 1] if i + 1 < len(self.levels) else None

    def stars(self, level: LevelSpec) -> int:
        return self.progress.stars_for(level.id)

    def total_stars(self) -> int:
        """Stars earned over every level, rounds and code alike."""
        return total_stars(self.levels, self.code_levels, self.progress)[0]

    def max_stars(self) -> int:
        return total_stars(self.levels, self.code_levels, self.progress)[1]

    def code_open(self, level: CodeLevel) -> bool:
        return code_open(level, self.progress)

    def level(self, level_id: str) -> LevelSpec:
        return next(level for level in self.levels if level.id == level_id)

    # -- a round of a level ---------------------------------------------------------------
    def config(self, level: LevelSpec, picks: Picks, seed: int = 0) -> RoundConfig:
        """The round the level and the picks describe; scheduler levels start gated."""
        settings = level.settings(picks.choice())
        return RoundConfig(
            settings.scenario,
            backend=picks.backend,
            strategy=settings.strategy,
            seconds=settings.seconds,
            seed=seed,
            params=dict(settings.params),
            schedule=tuple(parse_timed(text) for text in settings.commands),
            gated=settings.gated,
        )

    def finish(self, level: LevelSpec, result: RoundResult) -> Outcome:
        """Grade a finished round on its flat statistics and keep the best stars."""
        stats = flat_numbers(result)
        graded = grade(level, stats)
        before = self.stars(level)
        error = self._save(self.progress.record(level.id, graded.stars)) if graded.stars > before else None
        return Outcome(graded, before, stats, error)

    def stars_for_id(self, level_id: str) -> int:
        return self.progress.stars_for(level_id)

    def record_stars(self, level_id: str, stars: int) -> str | None:
        """Keep the best stars of a level graded outside a round (a code level's Check)."""
        if stars <= self.progress.stars_for(level_id):
            return None
        return self._save(self.progress.record(level_id, stars))

    def _save(self, progress: Progress) -> str | None:
        """Keep ``progress`` in play whatever happens; write it atomically, say so if that failed."""
        self.progress = progress
        try:
            save_progress(progress, self.path)
        except OSError as error:
            return str(error)
        return None
