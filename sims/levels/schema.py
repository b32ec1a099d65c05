"""What a level is, as frozen values: the campaign is data, and these classes are its shape.

A level file (``assets/levels/NN_slug.toml``) is structured into :class:`LevelSpec` by
:mod:`sims.levels.loader`, which is strict about types and keys and checks the meaning
(:mod:`sims.levels.checks`). The classes here only hold values: ``__init__`` stays dumb so
the loader can report every problem of a file at once instead of stopping at the first.
"""

from __future__ import annotations

import enum
import math
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

Scalar = int | float | bool | str
"""A fixed parameter or a chosen setting, as ``diner run --set key=value`` takes it."""

Number = int | float | bool
"""A goal's threshold: booleans only for boolean statistics such as ``deadlock``."""

LANGUAGES = ("en", "zh")
"""Text languages: English and Simplified Chinese (zh-Hans)."""


class FrozenMap(Mapping[str, Any]):
    """A read-only, hashable mapping, so frozen levels stay frozen (and hashable) all the way down."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        self._data = dict(data or {})

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(frozenset(self._data.items()))

    def __repr__(self) -> str:
        return repr(self._data)


def _frozen_map(value: Mapping[str, Any]) -> Mapping[str, Any]:
    """Freeze a mapping so a frozen level cannot be changed through its dicts."""
    return value if isinstance(value, FrozenMap) else FrozenMap(value)


def _empty_map() -> Mapping[str, Any]:
    return FrozenMap()


@attrs.frozen
class Text:
    """One piece of player-facing text in every language the game ships."""

    en: str
    zh: str

    def get(self, language: str) -> str:
        """The text in ``language`` ("en" or "zh"); English for anything else."""
        return self.zh if language == "zh" else self.en


class Op(enum.Enum):
    """A goal's comparison. Parsed from text, never evaluated as code."""

    EQ = "=="
    NE = "!="
    LE = "<="
    GE = ">="
    LT = "<"
    GT = ">"

    def holds(self, actual: Number, expected: Number) -> bool:
        """Whether ``actual OP expected``; NaN never passes an ordering goal."""
        return bool(_OPERATORS[self](actual, expected))


_OPERATORS: dict[Op, Callable[[Any, Any], bool]] = {
    Op.EQ: operator.eq,
    Op.NE: operator.ne,
    Op.LE: operator.le,
    Op.GE: operator.ge,
    Op.LT: operator.lt,
    Op.GT: operator.gt,
}

_GOAL_RE = re.compile(
    r"^\s*(?P<stat>[a-z][a-z0-9_]*)\s*(?P<op>==|!=|<=|>=|<|>)\s*"
    r"(?P<value>true|false|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*$"
)

GOAL_EXAMPLE = "'jain >= 0.9' or 'deadlock == false'"


def _finite(value: Number) -> bool:
    try:
        return math.isfinite(float(value))
    except OverflowError:  # an integer beyond any float
        return False


class GoalSyntaxError(ValueError):
    """A goal string that is not ``STAT OP VALUE``."""


def format_value(value: Number) -> str:
    """Values the way level files write them: ``true``/``false`` and plain numbers."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


@attrs.frozen
class Goal:
    """A condition on one round statistic, such as ``jain >= 0.9``."""

    stat: str
    op: Op
    value: Number

    @classmethod
    def parse(cls, text: str) -> Goal:
        """Read ``STAT OP VALUE``; the value is ``true``, ``false`` or a number."""
        match = _GOAL_RE.match(text)
        if match is None:
            raise GoalSyntaxError(f"must be a goal like {GOAL_EXAMPLE}, got {text!r}")
        raw = match["value"]
        value: Number
        if raw in ("true", "false"):
            value = raw == "true"
        elif any(c in raw for c in ".eE"):
            value = float(raw)
        else:
            value = int(raw)
        if not _finite(value):
            raise GoalSyntaxError(f"must compare with a finite number, got {raw[:20]}... in a goal")
        return cls(match["stat"], Op(match["op"]), value)

    def holds(self, actual: Number) -> bool:
        return self.op.holds(actual, self.value)

    def __str__(self) -> str:
        return f"{self.stat} {self.op.value} {format_value(self.value)}"


@attrs.frozen
class IntRange:
    """A whole-number knob the player sets, e.g. the ``seats`` semaphore's capacity."""

    min: int
    max: int
    default: int
    step: int = 1

    def contains(self, value: object) -> bool:
        return type(value) is int and self.min <= value <= self.max and (value - self.min) % max(self.step, 1) == 0


@attrs.frozen
class Choices:
    """What the player may pick before a round: the menu of the level.

    ``toggles`` maps an on/off knob (``lock``) to its default; ``options`` maps a knob
    with named values to those values, the first being the default.
    """

    strategies: tuple[str, ...] = ()
    ranges: Mapping[str, IntRange] = attrs.field(factory=_empty_map, converter=_frozen_map)
    toggles: Mapping[str, bool] = attrs.field(factory=_empty_map, converter=_frozen_map)
    options: Mapping[str, tuple[str, ...]] = attrs.field(factory=_empty_map, converter=_frozen_map)

    def knobs(self) -> tuple[str, ...]:
        """Every settable parameter name, in a stable order."""
        return (*self.ranges, *self.toggles, *self.options)

    def defaults(self) -> dict[str, Scalar]:
        """The settings a round uses for knobs the player did not touch."""
        out: dict[str, Scalar] = {name: r.default for name, r in self.ranges.items()}
        out.update(self.toggles)
        out.update({name: values[0] for name, values in self.options.items() if values})
        return out


@attrs.frozen
class Choice:
    """One concrete pick from a level's :class:`Choices` (a strategy, knob values, actions).

    ``schedule`` is for scheduler levels: agent indices, each released by one engine
    ``step N`` command (the agent runs to its next labelled step), in this order.
    ``commands`` are live actions at set times in the engine's ``T:COMMAND`` form
    (``"1.5:kill 0"``, ``"2:resize seats 3"``): what the player does with the mouse.
    """

    strategy: str | None = None
    params: Mapping[str, Scalar] = attrs.field(factory=_empty_map, converter=_frozen_map)
    schedule: tuple[int, ...] = ()
    commands: tuple[str, ...] = ()


@attrs.frozen
class Wrong(Choice):
    """Another mistake a student makes, besides ``naive``: it may earn at most ``stars``.

    ``diner levels verify`` plays every one, and every goal must fail in at least one
    of the naive and wrong rounds, so no goal is a star for nothing.
    """

    stars: int = 0


@attrs.frozen
class Stars:
    """Goals beyond the level's own: ``two`` earns the second star, ``three`` the third.

    Stars are cumulative: the third needs the level goals, ``two`` and ``three``.
    """

    two: tuple[Goal, ...]
    three: tuple[Goal, ...]


@attrs.frozen
class RoundSettings:
    """Everything the engine needs to run one round of a level with one choice."""

    scenario: str
    strategy: str | None
    params: Mapping[str, Scalar]
    seconds: float
    schedule: tuple[int, ...]
    gated: bool
    commands: tuple[str, ...] = ()


@attrs.frozen
class LevelSpec:
    """One level of the campaign: story, scenario, what can be chosen, and what counts as a win.

    ``reference`` must earn at least one star on every backend; ``naive`` must earn none
    and each ``wrong`` choice at most its ``stars`` (``diner levels verify`` plays them all).
    For a "break it" level the naive choice is the safe one that does not break.
    """

    id: str
    order: int
    title: Text
    briefing: Text
    hints: tuple[Text, ...]
    debrief: Text
    scenario: str
    backends: tuple[str, ...]
    seconds: float
    goals: tuple[Goal, ...]
    stars: Stars
    reference: Choice
    naive: Choice
    params: Mapping[str, Scalar] = attrs.field(factory=_empty_map, converter=_frozen_map)
    choices: Choices = Choices()
    scheduler: bool = False
    wrong: tuple[Wrong, ...] = ()

    @classmethod
    def from_toml(cls, path: Path | str) -> LevelSpec:
        """Load and check one level file; raises ``LevelLoadError`` listing every problem."""
        from sims.levels.loader import load_level

        return load_level(Path(path))

    def star_tiers(self) -> tuple[tuple[Goal, ...], ...]:
        """Goals per star, first star first (each tier adds to the ones before)."""
        return (self.goals, self.stars.two, self.stars.three)

    def settings(self, choice: Choice) -> RoundSettings:
        """Fixed params, then knob defaults, then the choice: what ``--set`` receives."""
        params: dict[str, Scalar] = dict(self.params)
        params.update(self.choices.defaults())
        params.update(choice.params)
        strategy = choice.strategy
        if strategy is None and self.choices.strategies:
            strategy = self.choices.strategies[0]
        return RoundSettings(
            self.scenario, strategy, params, self.seconds, choice.schedule, self.scheduler, choice.commands
        )
