"""What a well-typed level must also mean: choices that exist, stars that can be earned.

Types are the loader's job; these checks run on a structured :class:`LevelSpec` and return
``(field path, "must be X, got Y")`` pairs, all of them, so a designer fixes a file in one go.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol

from sims.kinds import Backend
from sims.levels.schema import Choice, Choices, Goal, LevelSpec, Scalar
from sims.levels.statnames import STATS

Issue = tuple[str, str]

MAX_SECONDS = 600.0
_ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_FILE_ORDER_RE = re.compile(r"^(\d+)_")
_COMMAND_RE = re.compile(r"^(\d+(?:\.\d+)?):(\S.*)$")


class EngineParam(Protocol):
    """What the checker needs of the engine's ``ParamSpec``."""

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> type: ...

    def check(self, value: Any) -> Any: ...


class EngineScenario(Protocol):
    """What the checker needs of the engine's ``Scenario`` (strategies, backends, parameters)."""

    @property
    def strategies(self) -> Mapping[str, str]: ...
    @property
    def backends(self) -> tuple[Backend, ...]: ...
    @property
    def params(self) -> tuple[EngineParam, ...]: ...


def check_level(spec: LevelSpec, file_name: str | None = None) -> list[Issue]:
    """Every meaning problem of one level (cross-file uniqueness is the loader's)."""
    return [
        *_identity(spec, file_name),
        *_texts(spec),
        *_run(spec),
        *_choices(spec.choices, spec.params),
        *_choice(spec, "reference", spec.reference),
        *_choice(spec, "naive", spec.naive),
        *_pair(spec),
        *_scheduler(spec),
        *_stars(spec),
    ]


def _identity(spec: LevelSpec, file_name: str | None) -> Iterator[Issue]:
    if not _ID_RE.match(spec.id):
        yield "id", f"must be lower-case words joined by '-', got {spec.id!r}"
    if spec.order < 1:
        yield "order", f"must be 1 or more, got {spec.order}"
    match = _FILE_ORDER_RE.match(file_name or "")
    if match and int(match[1]) != spec.order:
        yield "order", f"must match the file name's number {int(match[1])}, got {spec.order}"


def _texts(spec: LevelSpec) -> Iterator[Issue]:
    named = [("title", spec.title), ("briefing", spec.briefing), ("debrief", spec.debrief)]
    named += [(f"hints[{i}]", hint) for i, hint in enumerate(spec.hints)]
    if not spec.hints:
        yield "hints", "must list at least one hint, got none"
    for field, text in named:
        for language in ("en", "zh"):
            if not getattr(text, language).strip():
                yield f"{field}.{language}", "must be non-empty text, got an empty string"


def _run(spec: LevelSpec) -> Iterator[Issue]:
    """Backends named right and once; which ones the scenario runs on is ``check_engine``'s."""
    allowed = tuple(Backend)
    if not spec.backends:
        yield "backends", "must list at least one backend, got none"
    for i, backend in enumerate(spec.backends):
        if backend not in allowed:
            yield f"backends[{i}]", f"must be one of {', '.join(allowed)}, got {backend!r}"
        elif backend in spec.backends[:i]:
            yield f"backends[{i}]", f"must not repeat a backend, got {backend!r} twice"
    if not 0 < spec.seconds <= MAX_SECONDS:
        yield "seconds", f"must be more than 0 and at most {MAX_SECONDS:g}, got {spec.seconds:g}"
    for name in spec.params:
        if not _NAME_RE.match(name):
            yield f"params.{name}", f"must be a lower_case name, got {name!r}"


def _choices(choices: Choices, fixed: Iterable[str]) -> Iterator[Issue]:
    yield from _unique("choices.strategies", choices.strategies)
    for name, knob in choices.ranges.items():
        field = f"choices.ranges.{name}"
        if knob.step < 1:
            yield f"{field}.step", f"must be 1 or more, got {knob.step}"
        elif not knob.min <= knob.max:
            yield f"{field}.max", f"must be at least min ({knob.min}), got {knob.max}"
        elif not knob.contains(knob.default):
            yield f"{field}.default", f"must be in {knob.min}..{knob.max} by {knob.step}, got {knob.default}"
    for name, values in choices.options.items():
        if not values:
            yield f"choices.options.{name}", "must list at least one value, got none"
        yield from _unique(f"choices.options.{name}", values)
    seen: set[str] = set(fixed)
    for kind in ("ranges", "toggles", "options"):
        for name in getattr(choices, kind):
            if name in seen:
                yield f"choices.{kind}.{name}", f"must be a new name (not a fixed param or another knob), got {name!r}"
            seen.add(name)


def _unique(field: str, values: Sequence[str]) -> Iterator[Issue]:
    for i, value in enumerate(values):
        if not value:
            yield f"{field}[{i}]", "must be a non-empty name, got an empty string"
        elif value in values[:i]:
            yield f"{field}[{i}]", f"must not repeat, got {value!r} twice"


def _choice(spec: LevelSpec, role: str, choice: Choice) -> Iterator[Issue]:
    """A reference or naive choice must be something the player could pick."""
    offered = spec.choices.strategies
    if choice.strategy is not None and choice.strategy not in offered:
        menu = ", ".join(offered) if offered else "nothing: this level offers no strategies"
        yield f"{role}.strategy", f"must be one of the strategies offered ({menu}), got {choice.strategy!r}"
    for name, value in choice.params.items():
        problem = _knob_problem(spec.choices, name, value)
        if problem:
            yield f"{role}.params.{name}", problem
    for i, command in enumerate(choice.commands):
        match = _COMMAND_RE.match(command)
        if match is None:
            yield f"{role}.commands[{i}]", f"must be 'SECONDS:COMMAND' such as '1.5:kill 0', got {command!r}"
        elif float(match[1]) > spec.seconds:
            yield f"{role}.commands[{i}]", f"must happen within the round ({spec.seconds:g} s), got {command!r}"


def _knob_problem(choices: Choices, name: str, value: Scalar) -> str | None:
    if name in choices.ranges:
        knob = choices.ranges[name]
        if not knob.contains(value):
            return f"must be a whole number in {knob.min}..{knob.max} by {knob.step}, got {value!r}"
    elif name in choices.toggles:
        if type(value) is not bool:
            return f"must be true or false, got {value!r}"
    elif name in choices.options:
        if value not in choices.options[name]:
            return f"must be one of {', '.join(choices.options[name])}, got {value!r}"
    else:
        knobs = ", ".join(choices.knobs()) or "none"
        return f"must be a knob the level offers ({knobs}), got {name!r}"
    return None


def _pair(spec: LevelSpec) -> Iterator[Issue]:
    if spec.settings(spec.reference) == spec.settings(spec.naive):
        yield "naive", "must differ from reference, got the same settings"
    acts = spec.scheduler or spec.reference.commands
    if not acts and len(spec.choices.strategies) < 2 and not spec.choices.knobs():
        yield "choices", "must offer the player something to choose or do, got nothing"


def _scheduler(spec: LevelSpec) -> Iterator[Issue]:
    """Scheduler levels are played by releasing agents one step at a time; others have no schedule.

    Agent indices are checked only for sign: how many agents a scenario makes from its
    parameters (a ringer plus ``agents`` guests, say) is the scenario's business.
    """
    for role in ("reference", "naive"):
        schedule = getattr(spec, role).schedule
        if not spec.scheduler:
            if schedule:
                yield f"{role}.schedule", "must be absent unless scheduler = true, got a schedule"
            continue
        if not schedule:
            yield f"{role}.schedule", "must list the agents to release, in order, got none"
        for i, agent in enumerate(schedule):
            if agent < 0:
                yield f"{role}.schedule[{i}]", f"must be an agent index (0 or more), got {agent}"


def _stars(spec: LevelSpec) -> Iterator[Issue]:
    """Each star must be reachable and must ask for more than the stars before it."""
    if not spec.goals:
        yield "goals", "must list at least one goal, got none"
    yield from _tier("goals", spec.goals, ())
    yield from _tier("stars.two", spec.stars.two, spec.goals)
    yield from _tier("stars.three", spec.stars.three, (*spec.goals, *spec.stars.two))


def _tier(field: str, tier: tuple[Goal, ...], before: tuple[Goal, ...]) -> Iterator[Issue]:
    if field != "goals" and not tier:
        yield field, "must list at least one goal, got none"
    for i, goal in enumerate(tier):
        earlier = (*before, *tier[:i])
        if not satisfiable((*earlier, goal)):
            yield f"{field}[{i}]", f"must be possible together with the goals before it, got {str(goal)!r}"
        elif before and implied(goal, before):
            yield f"{field}[{i}]", f"must ask more than the earlier stars, got {str(goal)!r} which they already ensure"


def _test_points(goals: Iterable[Goal]) -> list[float | bool]:
    """Values that stand for every region the goals' thresholds cut the number line into."""
    goals = list(goals)
    if goals and STATS[goals[0].stat].kind == "bool":
        return [False, True]
    values = sorted({float(g.value) for g in goals})
    if not values:
        return [0.0]
    mids = [(a + b) / 2 for a, b in itertools.pairwise(values)]
    return [values[0] - 1, *values, *mids, values[-1] + 1]


def _by_stat(goals: Iterable[Goal]) -> dict[str, list[Goal]]:
    out: dict[str, list[Goal]] = {}
    for goal in goals:
        out.setdefault(goal.stat, []).append(goal)
    return out


def satisfiable(goals: Iterable[Goal]) -> bool:
    """Whether some round could meet all of ``goals`` (statistic by statistic)."""
    groups = _by_stat(goals).values()
    return all(any(all(g.holds(x) for g in same) for x in _test_points(same)) for same in groups)


def implied(goal: Goal, before: Iterable[Goal]) -> bool:
    """Whether meeting ``before`` already meets ``goal`` (so a star asking it is free)."""
    same = _by_stat(before).get(goal.stat, [])
    if not same:
        return False
    points = [x for x in _test_points([*same, goal]) if all(g.holds(x) for g in same)]
    return bool(points) and all(goal.holds(x) for x in points)


def check_engine(
    spec: LevelSpec, scenario: EngineScenario, parse_command: Callable[[str], object] | None = None
) -> list[Issue]:
    """Whether the scenario the engine really has offers what the level asks of it.

    ``parse_command`` is the engine's parser of ``T:COMMAND`` (ValueError on a bad one).
    """
    found = [*_engine_menu(spec, scenario), *_engine_params(spec, {p.name: p for p in scenario.params})]
    if parse_command is None:
        return found
    for role in ("reference", "naive"):
        for i, command in enumerate(getattr(spec, role).commands):
            try:
                parse_command(command)
            except ValueError as exc:
                found.append((f"{role}.commands[{i}]", f"must be a command the engine knows, got {command!r} ({exc})"))
    return found


def _engine_menu(spec: LevelSpec, scenario: EngineScenario) -> Iterator[Issue]:
    allowed_backends = tuple(Backend)
    for i, name in enumerate(spec.choices.strategies):
        if name not in scenario.strategies:
            yield (
                f"choices.strategies[{i}]",
                f"must be a strategy of {spec.scenario} ({', '.join(scenario.strategies)}), got {name!r}",
            )
    for i, backend in enumerate(spec.backends):
        if backend in allowed_backends and backend not in scenario.backends:  # unknown ones are reported already
            yield (
                f"backends[{i}]",
                f"must be a backend {spec.scenario} runs on ({', '.join(scenario.backends)}), got {backend!r}",
            )


def _engine_params(spec: LevelSpec, known: Mapping[str, EngineParam]) -> Iterator[Issue]:
    """Every fixed value and every value a knob can take must pass the engine's own check."""
    values: list[tuple[str, str, Scalar]] = [(f"params.{n}", n, v) for n, v in spec.params.items()]
    for name, knob in spec.choices.ranges.items():
        values += [(f"choices.ranges.{name}.{end}", name, getattr(knob, end)) for end in ("min", "max", "default")]
    values += [(f"choices.toggles.{n}", n, v) for n, v in spec.choices.toggles.items()]
    for name, options in spec.choices.options.items():
        values += [(f"choices.options.{name}[{i}]", name, v) for i, v in enumerate(options)]
    unknown: set[str] = set()
    for field, name, value in values:
        if name not in known:
            if name not in unknown:  # once per name, not once per min, max and default
                yield field, f"must be a parameter of {spec.scenario} ({', '.join(known)}), got {name!r}"
            unknown.add(name)
            continue
        try:
            known[name].check(value)
        except ValueError as exc:
            yield field, f"must be accepted by the engine, got {value!r} ({exc})"
