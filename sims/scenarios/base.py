"""What a scenario declares and what it must do.

A scenario's class says everything the rest of the program needs to know about it: its
parameters and strategies, the backends it runs on, whether the sandbox offers it, which of
the window's views draws it, and the words of its roles and operations in both languages. The
registry finds it by its module alone.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, cast

import attrs

from sims.kinds import Backend

if TYPE_CHECKING:
    import numpy as np

    from sims.rounds.layout import RoundLayout
    from sims.rounds.world import World
    from sims.telemetry.spill import Records

ParamValue = int | float | bool | str


class Drawing(enum.Enum):
    """Which of the window's views draws a round of the scenario."""

    TABLE = "table"  # agents around a table, a fork (lock) between neighbours
    KITCHEN = "kitchen"  # producers left, consumers right, a pass of slots between
    ROLES = "roles"  # agents in two columns by role, the primitives between them


class Counting(Protocol):
    """A scenario's own summary numbers, counted a chunk of records at a time.

    The engine feeds it every record of the round, in time order, in chunks of any size (one
    record each, or all at once: the result must be the same), then asks for the result once.
    What it keeps between chunks must not grow with the round's length (counters, the open
    intervals of :mod:`sims.stats.carried`, one row per agent or resource), so a long round's
    summary never needs its records in memory.
    """

    def feed(self, events: np.ndarray) -> None: ...

    def result(self) -> dict[str, Any]: ...


@attrs.frozen
class Words:
    """One word in both languages: a role or an operation a scenario names."""

    en: str
    zh: str


@attrs.frozen
class ParamSpec:
    """One scenario parameter: its type, default and allowed range."""

    name: str
    kind: type
    default: ParamValue
    help: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()

    def parse(self, text: str) -> ParamValue:
        """Turn ``--set name=text`` into a value, or raise ValueError saying what is wrong."""
        if self.kind is bool:
            if text.lower() in ("true", "1", "yes", "on"):
                return True
            if text.lower() in ("false", "0", "no", "off"):
                return False
            raise ValueError(f"{self.name} must be true or false, got {text!r}")
        try:
            value = self.kind(text)
        except ValueError:
            raise ValueError(f"{self.name} must be {self.kind.__name__}, got {text!r}") from None
        return self.check(value)

    def check(self, value: Any) -> ParamValue:
        if self.kind is not bool and isinstance(value, bool):
            raise ValueError(f"{self.name} must be {self.kind.__name__}, got {value!r}")
        if self.kind is float and isinstance(value, int):
            value = float(value)
        if not isinstance(value, self.kind):
            raise ValueError(f"{self.name} must be {self.kind.__name__}, got {value!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{self.name} must be a finite number, got {value!r}")
        checked = cast(ParamValue, value)
        if self.low is not None and float(checked) < self.low:
            raise ValueError(f"{self.name} must be >= {self.low:g}, got {value}")
        if self.high is not None and float(checked) > self.high:
            raise ValueError(f"{self.name} must be <= {self.high:g}, got {value}")
        if self.choices and value not in self.choices:
            raise ValueError(f"{self.name} must be one of {', '.join(self.choices)}, got {value!r}")
        return checked


class Scenario:
    """A lesson that can be run: declares its knobs, builds its world, adds its own numbers."""

    name: ClassVar[str]
    summary: ClassVar[str]
    strategies: ClassVar[dict[str, str]]  # name -> one line on what it does
    default_strategy: ClassVar[str]
    backends: ClassVar[tuple[Backend, ...]] = (Backend.THREAD, Backend.PROCESS)
    backend_note: ClassVar[str] = ""
    order: ClassVar[int] = 1000  # where ``diner list`` and the sandbox show it (the lecture's order)
    in_sandbox: ClassVar[bool] = False  # offered in the window's sandbox
    drawing: ClassVar[Drawing] = Drawing.ROLES
    # Words for names the engine gives (``role.NAME``, ``op.NAME``, ``op.NAME.one``) that the
    # window's tables do not have yet: a new scenario can bring its own.
    words: ClassVar[Mapping[str, Words]] = {}
    params: ClassVar[tuple[ParamSpec, ...]]
    operation: ClassVar[str] = "operations"  # what one counted operation is called (meals, items)
    default_seconds: ClassVar[float] = 5.0  # round length when --seconds is not given
    old_names: ClassVar[tuple[str, ...]] = ()  # deprecated names of what it teaches (keys of sims.oldnames)

    def build(self, world: World, strategy: str, params: Mapping[str, Any], seed: int) -> None:
        """Create resources and agents for one round."""
        raise NotImplementedError

    def operation_ops(self, layout: RoundLayout) -> dict[int, tuple[int, int]]:
        """Agent index -> (op, value or -1): which records count as that agent's operations."""
        raise NotImplementedError

    def finish(self, world: World, layout: RoundLayout, events: np.ndarray) -> dict[str, Any]:
        """Scenario-specific statistics for the summary (called after every agent stopped)."""
        return {}

    def counting(self, world: World, layout: RoundLayout) -> Counting | None:
        """What this scenario counts for its summary (see :class:`Counting`); None: nothing.

        Called after every agent stopped, so ``world``'s resources show how the round left them."""
        return None

    def finish_records(self, world: World, layout: RoundLayout, records: Records) -> dict[str, Any]:
        """The scenario's own numbers: its :meth:`counting` fed every chunk of the round's records
        (a scenario not yet converted still has :meth:`finish` over all of them, loaded at once)."""
        counting = self.counting(world, layout)
        if counting is not None:
            for events in records.chunks():
                counting.feed(events)
            return counting.result()
        if type(self).finish is Scenario.finish:
            return {}
        return self.finish(world, layout, records.load())

    def debrief_lines(self, stats: Mapping[str, Any], language: str) -> list[str]:
        """Paragraphs the debrief shows above the lesson: what the round measured beyond its goals."""
        return []

    def param(self, name: str) -> ParamSpec:
        for spec in self.params:
            if spec.name == name:
                return spec
        known = ", ".join(p.name for p in self.params)
        raise KeyError(f"scenario {self.name!r} has no parameter {name!r} (known: {known})")

    def resolve(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Defaults overlaid with checked given values."""
        values = {spec.name: spec.default for spec in self.params}
        for name, value in given.items():
            values[name] = self.param(name).check(value)
        return values
