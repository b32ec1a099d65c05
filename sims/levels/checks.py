"""What a well-typed level must also mean: choices that exist, stars that can be earned.

Types are the loader's job; these checks run on a structured :class:`LevelSpec` and return
``(field path, "must be X, got Y")`` pairs, all of them, so a designer fixes a file in one go.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol

from sims.kinds import Backend
from sims.levels.feasible import Feasible
from sims.levels.rules import check_rules
from sims.levels.schema import Choice, Choices, Goal, LevelSpec, Scalar
from sims.levels.statnames import STATS

Issue = tuple[str, str]

MAX_SECONDS = 600.0
_ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_FILE_ORDER_RE = re.compile(r"^(\d+)_")
# A window cannot draw these (newline and tab it can): C0 and C1 controls, the line and paragraph
# separators, and the bidirectional overrides and isolates that reorder what follows them.
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
MAX_ID = 64  # a level's id names its save entry and its file
MAX_TITLE = 120  # characters: a title is one line of the level list
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
        *(issue for i, wrong in enumerate(spec.wrong) for issue in _choice(spec, f"wrong[{i}]", wrong)),
        *_pair(spec),
        *_scheduler(spec),
        *_stars(spec),
        *check_rules(spec),
    ]


def _identity(spec: LevelSpec, file_name: str | None) -> Iterator[Issue]:
    if not _ID_RE.match(spec.id):
        yield "id", f"must be lower-case words joined by '-', got {spec.id[:80]!r}"
    elif len(spec.id) > MAX_ID:
        yield "id", f"must be at most {MAX_ID} characters, got {len(spec.id)}"
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
            value = getattr(text, language)
            if not value.strip():
                yield f"{field}.{language}", "must be non-empty text, got an empty string"
            elif control := _CONTROL_RE.search(value):
                yield f"{field}.{language}", f"must be printable text, got the control character {control[0]!r}"
            elif field == "title" and len(value) > MAX_TITLE:
                yield f"{field}.{language}", f"must be at most {MAX_TITLE} characters, got {len(value)}"


def _run(spec: LevelSpec) -> Iterator[Issue]:
    """Backends named right and once; which ones the scenario runs on is ``check_engine``'s."""
    allowed = tuple(Backend)
    if not spec.backends:
        yield "backends", "must list at least one backend, got none"
    seen: set[str] = set()
    for i, backend in enumerate(spec.backends):
        if backend not in allowed:
            yield f"backends[{i}]", f"must be one of {', '.join(allowed)}, got {backend!r}"
        elif backend in seen:
            yield f"backends[{i}]", f"must not repeat a backend, got {backend!r} twice"
        seen.add(backend)
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
    seen: set[str] = set()
    for i, value in enumerate(values):
        if not value:
            yield f"{field}[{i}]", "must be a non-empty name, got an empty string"
        elif value in seen:
            yield f"{field}[{i}]", f"must not repeat, got {value!r} twice"
        seen.add(value)


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
    """Each star must be reachable and must ask for more than the stars before it (linear in goals)."""
    if not spec.goals:
        yield "goals", "must list at least one goal, got none"
    so_far: dict[str, Feasible] = {}  # every goal checked so far, by statistic
    before: dict[str, Feasible] = {}  # the goals of the tiers before this one
    for field, tier in (("goals", spec.goals), ("stars.two", spec.stars.two), ("stars.three", spec.stars.three)):
        if field != "goals" and not tier:
            yield field, "must list at least one goal, got none"
        for i, goal in enumerate(tier):
            yield from _goal_problem(f"{field}[{i}]", goal, so_far, before)
        for goal in tier:
            before.setdefault(goal.stat, Feasible(goal.stat)).add(goal)


def _goal_problem(field: str, goal: Goal, so_far: dict[str, Feasible], before: dict[str, Feasible]) -> Iterator[Issue]:
    alone = Feasible(goal.stat)
    alone.add(goal)
    now = so_far.setdefault(goal.stat, Feasible(goal.stat))
    now.add(goal)
    if alone.empty():
        info = STATS[goal.stat]
        yield field, f"must be reachable ({goal.stat} is always {info.low:g}..{info.high:g}), got {str(goal)!r}"
    elif now.empty():
        yield field, f"must be possible together with the goals before it, got {str(goal)!r}"
    elif goal.stat in before and before[goal.stat].within(goal):
        yield field, f"must ask more than the earlier stars, got {str(goal)!r} which they already ensure"


def _feasible(goals: Iterable[Goal]) -> dict[str, Feasible]:
    by_stat: dict[str, Feasible] = {}
    for goal in goals:
        by_stat.setdefault(goal.stat, Feasible(goal.stat)).add(goal)
    return by_stat


def satisfiable(goals: Iterable[Goal]) -> bool:
    """Whether some round could meet all of ``goals`` (statistic by statistic, within each one's range)."""
    return not any(f.empty() for f in _feasible(goals).values())


def implied(goal: Goal, before: Iterable[Goal]) -> bool:
    """Whether meeting ``before`` already meets ``goal`` (so a star asking it is free)."""
    same = _feasible(before).get(goal.stat)
    return same is not None and same.within(goal)


def check_engine(
    spec: LevelSpec,
    scenario: EngineScenario,
    parse_command: Callable[[str], object] | None = None,
    playable: Callable[[LevelSpec, Choice, str], None] | None = None,
) -> list[Issue]:
    """Whether the scenario the engine really has offers what the level asks of it.

    ``parse_command`` is the engine's parser of ``T:COMMAND`` (ValueError on a bad one);
    ``playable(level, choice, backend)`` runs the engine's own checks of a round before it
    starts (ValueError saying why not), so a level that passes cannot fail to start in verify.
    """
    found = [*_engine_menu(spec, scenario), *_engine_params(spec, {p.name: p for p in scenario.params})]
    roles = [("reference", spec.reference), ("naive", spec.naive)]
    roles += [(f"wrong[{i}]", wrong) for i, wrong in enumerate(spec.wrong)]
    if parse_command is None:
        return found
    for role, choice in roles:
        for i, command in enumerate(choice.commands):
            try:
                parse_command(command)
            except ValueError as exc:
                found.append((f"{role}.commands[{i}]", f"must be a command the engine knows, got {command!r} ({exc})"))
    if playable is not None and not found:
        found += _unplayable(spec, playable)
    return found


def _unplayable(spec: LevelSpec, playable: Callable[[LevelSpec, Choice, str], None]) -> Iterator[Issue]:
    """Every choice verify plays: a wrong choice's 'kill' on threads passed and crashed verify."""
    roles = [("reference", spec.reference), ("naive", spec.naive)]
    roles += [(f"wrong[{i}]", wrong) for i, wrong in enumerate(spec.wrong)]
    for role, choice in roles:
        for backend in spec.backends:
            try:
                playable(spec, choice, backend)
            except ValueError as exc:
                yield role, f"must be a round the engine can start on {backend}, got: {exc}"
                break


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
