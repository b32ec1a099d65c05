"""Strict loading of level files: every type and key problem of a file, reported at once.

cattrs converts loosely by default ('3' becomes 3, 'false' becomes True); a level designer's
typo must instead be an error naming the file and the field. So every scalar gets a strict
hook, lists must be lists, tables must be tables, unknown keys are forbidden, and the
exceptions cattrs collects are turned into ``FILE: field.path: must be X, got Y`` lines.
"""

from __future__ import annotations

import collections.abc
import math
import tomllib
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn

from sims.levels import checks
from sims.levels.schema import Choice, Goal, GoalSyntaxError, LevelSpec, Scalar, Text
from sims.levels.statnames import STATS, suggest
from sims.textfile import MAX_DEPTH, FileRefused, check_depth, read_text

_SCALAR_TYPES = (int, float, bool, str)
MAX_PROBLEMS = 20  # per file; the rest are counted


@attrs.frozen
class Problem:
    """One thing wrong with one file; ``field`` is a dotted path, empty for the whole file."""

    file: Path
    field: str
    message: str

    def __str__(self) -> str:
        where = one_line(str(self.file))  # a file name may hold a newline: each problem stays one line
        return (
            f"{where}: {self.field}: {one_line(self.message)}" if self.field else f"{where}: {one_line(self.message)}"
        )


def one_line(text: str) -> str:
    """``text`` with its line breaks and other control characters written as escapes."""
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


class LevelLoadError(ValueError):
    """Level files that cannot be used; ``problems`` lists all of them."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class StrictTypeError(TypeError):
    """A value of the wrong kind; the message is already in ``must be X, got Y`` form."""

    def __init__(self, expected: str, got: object) -> None:
        super().__init__(f"must be {expected}, got {describe(got)}")


def describe(value: object) -> str:
    """A value as a level designer would recognise it in their TOML file."""
    if isinstance(value, bool):
        return f"{'true' if value else 'false'} (a boolean)"
    kinds = {int: "an integer", float: "a number", str: "a string", list: "a list", dict: "a table"}
    kind = kinds.get(type(value), type(value).__name__)
    if type(value) is int and value.bit_length() > 64:
        return f"an integer of about {int(value.bit_length() * math.log10(2)) + 1} digits"
    shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
    return f"{shown} ({kind})"


def describe_type(tp: Any) -> str:
    """What a field expects, in words."""
    names = {int: "an integer", float: "a number", bool: "true or false", str: "a string"}
    if tp in names:
        return names[tp]
    if tp is Goal:
        return "a goal such as 'jain >= 0.9'"
    if tp == Scalar:
        return "a number, true/false or a string"
    if tp is Text:
        return "a table with en and zh texts"
    if attrs.has(tp):
        return f"a table ({', '.join(f.name for f in attrs.fields(tp))})"
    origin = typing.get_origin(tp)
    if origin is tuple:
        return "a list"
    if origin in (collections.abc.Mapping, dict):
        return "a table"
    if type(None) in typing.get_args(tp):
        return describe_type(next(a for a in typing.get_args(tp) if a is not type(None)))
    return str(tp)


def _exact(expected: str, *kinds: type) -> Callable[[Any, Any], Any]:
    """A hook accepting only values whose type is exactly one of ``kinds`` (so no bool as int)."""

    def structure(value: Any, _: Any) -> Any:
        if type(value) not in kinds:
            raise StrictTypeError(expected, value)
        return value

    return structure


def _finite(value: Any) -> bool:
    """Whether a number is one the engine can use (TOML allows nan, inf and 309-digit integers)."""
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _structure_float(value: Any, _: Any) -> float:
    if type(value) not in (int, float) or not _finite(value):
        raise StrictTypeError("a number (not nan or inf)", value)
    return float(value)


def _structure_int(value: Any, _: Any) -> int:
    if type(value) is not int or not _finite(value):
        raise StrictTypeError("an integer", value)
    return value


def _structure_scalar(value: Any, _: Any) -> Scalar:
    if type(value) not in _SCALAR_TYPES or (type(value) in (int, float) and not _finite(value)):
        raise StrictTypeError("a number (not nan or inf), true/false or a string", value)
    scalar: Scalar = value
    return scalar


def _structure_goal(value: Any, _: Any) -> Goal:
    if type(value) is not str:
        raise StrictTypeError("a goal string such as 'jain >= 0.9'", value)
    goal = Goal.parse(value)
    info = STATS.get(goal.stat)
    if info is None:
        hint = suggest(goal.stat)
        also = f" (did you mean {hint!r}?)" if hint else ""
        raise GoalSyntaxError(f"must name a known statistic (sims/levels/statnames.py), got {goal.stat!r}{also}")
    if info.kind == "bool" and not (isinstance(goal.value, bool) and goal.op.value in ("==", "!=")):
        raise GoalSyntaxError(f"must compare {goal.stat} with == or != and true/false, got {value!r}")
    if info.kind == "number" and isinstance(goal.value, bool):
        raise GoalSyntaxError(f"must compare {goal.stat} with a number, got {value!r}")
    return goal


def _is_homogeneous_tuple(tp: Any) -> bool:
    args = typing.get_args(tp)
    return typing.get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis


def _is_mapping(tp: Any) -> bool:
    return typing.get_origin(tp) in (collections.abc.Mapping, dict)


def _collect(items: Iterable[tuple[Any, Any]], item_type: Any, conv: cattrs.Converter, cl: Any) -> list[Any]:
    """Structure ``(index, value)`` pairs, gathering every failure with its index."""
    out, errors = [], []
    for index, item in items:
        try:
            out.append(conv.structure(item, item_type))
        except Exception as exc:
            exc.add_note(IterableValidationNote(f"Structuring {cl!r} @ {index!r}", index, item_type))
            errors.append(exc)
    if errors:
        raise IterableValidationError(f"While structuring {cl!r}", errors, cl)
    return out


def _tuple_hook(conv: cattrs.Converter) -> Callable[[Any], Callable[[Any, Any], Any]]:
    def factory(cl: Any) -> Callable[[Any, Any], Any]:
        item_type = typing.get_args(cl)[0]

        def structure(value: Any, _: Any) -> tuple[Any, ...]:
            if type(value) is not list:
                raise StrictTypeError(describe_type(cl), value)
            return tuple(_collect(enumerate(value), item_type, conv, cl))

        return structure

    return factory


def _mapping_hook(conv: cattrs.Converter) -> Callable[[Any], Callable[[Any, Any], Any]]:
    def factory(cl: Any) -> Callable[[Any, Any], Any]:
        value_type = typing.get_args(cl)[1]

        def structure(value: Any, _: Any) -> dict[str, Any]:
            if type(value) is not dict:
                raise StrictTypeError("a table", value)
            return dict(zip(value, _collect(value.items(), value_type, conv, cl), strict=True))

        return structure

    return factory


def _attrs_hook(conv: cattrs.Converter) -> Callable[[Any], Callable[[Any, Any], Any]]:
    def factory(cl: Any) -> Callable[[Any, Any], Any]:
        inner = make_dict_structure_fn(cl, conv)

        def structure(value: Any, _: Any) -> Any:
            if type(value) is not dict:
                raise StrictTypeError(describe_type(cl), value)
            return inner(value, cl)

        return structure

    return factory


def make_converter() -> cattrs.Converter:
    """A cattrs converter that refuses to guess: exact scalar types, no unknown keys."""
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_structure_hook_factory(attrs.has, _attrs_hook(conv))
    conv.register_structure_hook_factory(_is_homogeneous_tuple, _tuple_hook(conv))
    conv.register_structure_hook_factory(_is_mapping, _mapping_hook(conv))
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(bool, _exact("true or false", bool))
    conv.register_structure_hook(str, _exact("a string", str))
    conv.register_structure_hook(float, _structure_float)
    conv.register_structure_hook(Scalar, _structure_scalar)
    conv.register_structure_hook(Goal, _structure_goal)
    return conv


def _join(path: str, part: str | int) -> str:
    if isinstance(part, int):
        return f"{path}[{part}]"
    return f"{path}.{part}" if path else part


def issues(exc: BaseException, path: str = "", expected: Any = None) -> Iterator[tuple[str, str]]:
    """Flatten a cattrs error tree into ``(field path, message)`` pairs."""
    if isinstance(exc, ClassValidationError | IterableValidationError):
        with_notes, without = exc.group_exceptions()
        for sub, note in with_notes:
            part = note.name if hasattr(note, "name") else note.index
            yield from issues(sub, _join(path, part), note.type)
        for sub in without:
            yield from issues(sub, path)
    elif isinstance(exc, ForbiddenExtraKeysError):
        known = ", ".join(f.name for f in attrs.fields(exc.cl))
        for key in sorted(exc.extra_fields):
            yield _join(path, key), f"must be one of the known keys ({known}), got an unknown key"
    elif isinstance(exc, KeyError):
        yield path, f"must be given ({describe_type(expected)}), got nothing"
    elif isinstance(exc, StrictTypeError | GoalSyntaxError):
        yield path, str(exc)
    else:
        yield path, f"must be valid, got {type(exc).__name__}: {exc}"


def _read_toml(path: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The file's TOML, read defensively (:mod:`sims.textfile`), or the one problem that stops it."""
    try:
        data = tomllib.loads(read_text(path))
        check_depth(data)
        return data, []
    except tomllib.TOMLDecodeError as exc:
        return None, [Problem(path, "", f"must be valid TOML, got: {exc}")]
    except RecursionError:
        return None, [Problem(path, "", f"must nest tables and lists at most {MAX_DEPTH} deep, got deeper")]
    except FileRefused as exc:
        return None, [Problem(path, "", str(exc))]
    except ValueError as exc:  # tomllib lets int()'s own errors through (an integer of 5,000 digits)
        return None, [Problem(path, "", f"must be valid TOML, got: {exc}")]
    except OSError as exc:
        return None, [Problem(path, "", f"must be a readable file, got: {exc.strerror or exc}")]


def engine_scenarios() -> Mapping[str, checks.EngineScenario]:
    """The scenarios the engine has: the registry says which exist and what each runs on."""
    from sims.scenarios.registry import scenarios

    return scenarios()


def _engine_command_parser() -> Callable[[str], object]:
    from sims.rounds.commands import parse_timed

    return parse_timed


def _engine_playable(level: LevelSpec, choice: Choice, backend: str) -> None:
    from sims.levels.play import check_playable

    check_playable(level, choice, backend)


def _playable_on(
    scenario: checks.EngineScenario, found: list[checks.Issue]
) -> Callable[[LevelSpec, Choice, str], None] | None:
    """The engine's start checks, for a level with no other problem of one of the engine's real scenarios."""
    from sims.scenarios.base import Scenario

    return _engine_playable if isinstance(scenario, Scenario) and not found else None


def _capped(problems: list[Problem], path: Path) -> list[Problem]:
    """At most ``MAX_PROBLEMS`` per file, each of bounded length: a broken file cannot flood the terminal."""
    shown = [attrs.evolve(p, field=_clip(p.field), message=_clip(p.message)) for p in problems[:MAX_PROBLEMS]]
    if len(problems) > MAX_PROBLEMS:
        more = len(problems) - MAX_PROBLEMS
        shown.append(Problem(path, "", f"and {more} more problems (the first {MAX_PROBLEMS} are shown)"))
    return shown


def _clip(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def read_level(
    path: Path, conv: cattrs.Converter | None = None, engine: Mapping[str, checks.EngineScenario] | None = None
) -> tuple[LevelSpec | None, list[Problem]]:
    """One file's level and problems (type problems first; meaning is checked only if types are right)."""
    data, problems = _read_toml(path)
    if data is None:
        return None, problems
    try:
        spec = (conv or make_converter()).structure(data, LevelSpec)
    except (ClassValidationError, IterableValidationError, StrictTypeError) as exc:
        return None, _capped([Problem(path, field, msg) for field, msg in issues(exc)], path)
    found = checks.check_level(spec, path.name)
    known = engine_scenarios() if engine is None else engine
    scenario = known.get(spec.scenario)
    if scenario is None:
        found.append(("scenario", f"must be one of {', '.join(known)}, got {spec.scenario!r}"))
    else:
        found += checks.check_engine(spec, scenario, _engine_command_parser(), _playable_on(scenario, found))
    problems = [Problem(path, field, msg) for field, msg in found]
    return (None if problems else spec), _capped(problems, path)


def load_level(path: Path) -> LevelSpec:
    """One checked level, or ``LevelLoadError`` with everything wrong in the file."""
    spec, problems = read_level(path)
    if spec is None:
        raise LevelLoadError(problems)
    return spec


def level_files(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and the ``*.toml`` files of any directory, sorted by name."""
    out: list[Path] = []
    for path in paths:
        out.extend(sorted(path.glob("*.toml")) if _is_dir(path) else [path])
    return out


def _is_dir(path: Path) -> bool:
    """Whether ``path`` is a folder; False for any path that cannot even be looked at (too long,
    say): reading it as a file then reports why."""
    try:
        return path.is_dir()
    except OSError:
        return False


def check_files(
    paths: Iterable[Path], engine: Mapping[str, checks.EngineScenario] | None = None
) -> tuple[tuple[LevelSpec, ...], tuple[Problem, ...]]:
    """Load files as one campaign: the good levels sorted by order, and every problem found.

    ``engine`` maps scenario names to the engine's scenarios (default: the real registry).
    """
    conv = make_converter()
    engine = engine_scenarios() if engine is None else engine
    loaded: list[tuple[Path, LevelSpec]] = []
    problems: list[Problem] = []
    paths = list(paths)
    problems.extend(_empty_folders(paths))
    for path in level_files(paths):
        spec, found = read_level(path, conv, engine)
        problems.extend(found)
        if spec is not None:
            loaded.append((path, spec))
    problems.extend(_cross_file_problems(loaded))
    levels = sorted((spec for _, spec in loaded), key=lambda s: s.order)
    return tuple(levels), tuple(problems)


def _empty_folders(paths: Iterable[Path]) -> Iterator[Problem]:
    """A folder given to check must hold levels: an empty one is a typo, not a passing campaign."""
    for path in paths:
        if _is_dir(path) and next(path.glob("*.toml"), None) is None:
            yield Problem(path, "", "must be a level file or a folder of *.toml level files, got a folder without any")


def _cross_file_problems(loaded: list[tuple[Path, LevelSpec]]) -> Iterator[Problem]:
    """Ids and orders must be unique across the campaign."""
    for field in ("id", "order"):
        first: dict[object, Path] = {}
        for path, spec in loaded:
            value = getattr(spec, field)
            if value in first:
                yield Problem(path, field, f"must be unique, got {value!r} (also in {first[value]})")
            else:
                first[value] = path


def shipped_levels_dir() -> Path:
    """``assets/levels`` next to the ``sims`` package, wherever the working directory is."""
    return Path(__file__).resolve().parents[2] / "assets" / "levels"


def load_levels(directory: Path | None = None) -> tuple[LevelSpec, ...]:
    """Every level in ``directory`` (default: the shipped ones) sorted by order, or ``LevelLoadError``."""
    levels, problems = check_files([directory or shipped_levels_dir()])
    if problems:
        raise LevelLoadError(problems)
    return levels
