"""Levels where the player writes (``code``) or orders (``parsons``) the synchronisation code.

A code level names an exercise (``sims.exercises``), the campaign level it follows (``after``),
the role(s) the player writes, a template
(``code``) or pieces and distractors (``parsons``), a reference solution and known-bad variants,
each with the verdict the grader must give it. Its files live in a folder named after the level
next to the TOML file. Stars grade what the player wrote (:mod:`sims.levels.codestars`), never
the speed of the machine. Loading is as strict as the round levels': every problem at once,
each naming file and field.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import cattrs
from cattrs.errors import ClassValidationError, IterableValidationError

from sims.levels.loader import LevelLoadError, Problem, StrictTypeError, issues, make_converter
from sims.levels.parsons import INDENT, Arrangement, ParsonsPuzzle
from sims.levels.schema import Text

MAX_BUDGET_S = 15.0  # the issue's target for Check in the window


class Kind(enum.Enum):
    CODE = "code"
    PARSONS = "parsons"


class Rule(enum.Enum):
    """What a star asks of the player's code (read from the source, never timed)."""

    NO_BUSY_WAIT = "no_busy_wait"  # no non-blocking acquire, timeout or loop that polls
    MAX_OPERATIONS = "max_operations"  # at most ``limit`` synchronisation operations
    NO_NOTIFY_ALL = "no_notify_all"  # wakes exactly the one it must


@attrs.frozen
class StarRule:
    rule: Rule
    limit: int = 0


@attrs.frozen
class CodeStars:
    """The second star needs ``two``; the third needs ``two`` and ``three``."""

    two: tuple[StarRule, ...] = ()
    three: tuple[StarRule, ...] = ()


@attrs.frozen
class BadVariant:
    """A known-wrong answer (a file in the level's folder) and the verdict it must get."""

    file: str
    verdict: str
    why: Text


@attrs.frozen
class Parsons:
    """The role the player orders, its reference body (4 spaces a level) and the distractors."""

    role: str
    body: str
    distractors: tuple[str, ...] = ()
    seed: int = 0


@attrs.frozen
class CodeLevel:
    id: str
    order: int
    kind: Kind
    exercise: str
    title: Text
    briefing: Text
    debrief: Text
    hints: tuple[Text, ...]
    bad: tuple[BadVariant, ...]
    stars: CodeStars
    after: str  # the campaign (round) level that teaches its topic: see sims.levels.ladder
    reference: str = ""  # code: the reference file (a parsons level's is its body)
    template: str = ""  # code: the file the player starts from
    given: str = ""  # parsons: the roles the player does not write
    parsons: Parsons | None = None
    budget_s: float = 2.0
    agents: int | None = None
    folder: Path = attrs.field(default=Path("."), eq=False)

    def file(self, name: str) -> Path:
        return self.folder / self.id / name

    def puzzle(self) -> ParsonsPuzzle:
        if self.parsons is None:
            raise ValueError(f"level {self.id!r} is not a parsons level")
        return ParsonsPuzzle("def run(self, me):", self.parsons.body, self.parsons.distractors)

    def parsons_source(self, arrangement: Arrangement) -> str:
        """The player's arrangement as a whole file: the given roles, then the ordered class."""
        assert self.parsons is not None
        method = "".join(INDENT + line + "\n" for line in arrangement.source().splitlines())
        given = self.file(self.given).read_text(encoding="utf-8").rstrip() + "\n\n\n" if self.given else ""
        return f"{given}class {self.parsons.role}:\n{method}"


def _check(level: CodeLevel, path: Path) -> list[Problem]:
    """Meaning: the exercise exists, files exist, budget within target, kinds have their parts."""
    from sims.exercises import exercises
    from sims.explore.verdict import Verdict

    found: list[tuple[str, str]] = []
    if level.exercise not in exercises():
        found.append(("exercise", f"must be one of {', '.join(exercises())}, got {level.exercise!r}"))
    if not 0 < level.budget_s <= MAX_BUDGET_S:
        found.append(("budget_s", f"must be more than 0 and at most {MAX_BUDGET_S:g}, got {level.budget_s}"))
    if len(level.bad) < 2:
        found.append(("bad", f"must list at least 2 known-bad variants, got {len(level.bad)}"))
    verdicts = {v.value for v in Verdict if v.failed}
    for i, bad in enumerate(level.bad):
        if bad.verdict not in verdicts:
            found.append(
                (f"bad[{i}].verdict", f"must be a failing verdict ({', '.join(sorted(verdicts))}), got {bad.verdict!r}")
            )
    names = [(f"bad[{i}].file", b.file) for i, b in enumerate(level.bad)]
    if level.kind is Kind.CODE:
        names += [("template", level.template), ("reference", level.reference)]
        if level.parsons is not None:
            found.append(("parsons", "must be left out of a code level"))
    elif level.parsons is None:
        found.append(("parsons", "must be given for a parsons level (role, body, distractors)"))
    elif level.given:
        names.append(("given", level.given))
    for field, name in names:
        if not name:
            found.append((field, "must name a file, got an empty string"))
        elif not level.file(name).resolve().is_relative_to(level.folder.resolve()):
            found.append((field, f"must stay in {level.folder} (a level may share another's files), got {name!r}"))
        elif not level.file(name).is_file():
            found.append((field, f"must name a file in {level.folder / level.id}, got {name!r} (not there)"))
    for field, text in [("title", level.title), ("briefing", level.briefing), ("debrief", level.debrief)]:
        if not (text.en.strip() and text.zh.strip()):
            found.append((field, "must have English and Chinese text, got an empty one"))
    return [Problem(path, field, message) for field, message in found]


def _enum_hook(kind: type[enum.Enum]) -> Callable[[Any, Any], Any]:
    def structure(value: Any, _: Any) -> Any:
        known = [m.value for m in kind]
        if value not in known:
            raise StrictTypeError(f"one of {', '.join(map(str, known))}", value)
        return kind(value)

    return structure


def _converter() -> cattrs.Converter:
    conv = make_converter()
    for kind in (Kind, Rule):
        conv.register_structure_hook(kind, _enum_hook(kind))
    return conv


def read_code_level(path: Path) -> tuple[CodeLevel | None, list[Problem]]:
    """One file's code level and its problems (types first, then meaning)."""
    from sims.levels.loader import _read_toml

    data, problems = _read_toml(path)
    if data is None:
        return None, problems
    if "folder" in data:
        return None, [
            Problem(path, "folder", "must be left out (a level's files are in the folder named after its id)")
        ]
    try:
        level = _converter().structure(data, CodeLevel)
    except (ClassValidationError, IterableValidationError, StrictTypeError) as exc:
        return None, [Problem(path, field, msg) for field, msg in issues(exc)]
    level = attrs.evolve(level, folder=path.parent)
    found = _check(level, path)
    return (None if found else level), found


def check_code_files(directory: Path) -> tuple[tuple[CodeLevel, ...], tuple[Problem, ...]]:
    """Every code level in ``directory``, sorted by order, and every problem found."""
    levels: list[CodeLevel] = []
    problems: list[Problem] = []
    for path in sorted(directory.glob("*.toml")):
        level, found = read_code_level(path)
        problems.extend(found)
        if level is not None:
            levels.append(level)
    seen: dict[str, Path] = {}
    for level in levels:
        if level.id in seen:
            problems.append(Problem(level.folder, "id", f"must be unique, got {level.id!r} twice"))
        seen[level.id] = level.folder
    return tuple(sorted(levels, key=lambda lv: lv.order)), tuple(problems)


def shipped_code_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "assets" / "levels" / "code"


def load_code_levels(directory: Path | None = None) -> tuple[CodeLevel, ...]:
    levels, problems = check_code_files(directory or shipped_code_dir())
    if problems:
        raise LevelLoadError(problems)
    return levels
