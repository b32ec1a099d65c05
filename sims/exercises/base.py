"""An exercise: the roles player code must define, what each is handed, and the rules.

Level files (issue 12) name an exercise; the grader builds it for every run it tries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import attrs


class Kit(Protocol):
    """Makes the named resources of one run (the grader's run implements it)."""

    def lock(self, name: str) -> Any: ...
    def semaphore(self, name: str, value: int) -> Any: ...
    def event(self, name: str) -> Any: ...
    def rlock(self, name: str) -> Any: ...
    def condition(self, name: str, lock: Any) -> Any: ...
    def barrier(self, name: str, parties: int) -> Any: ...
    def counter(self, name: str, value: int = 0) -> Any: ...
    def shelf(self, name: str, slots: int) -> Any: ...


@attrs.frozen
class Cast:
    """One agent of a run: the class it runs, its name and the attributes it is handed."""

    role: str
    name: str
    handed: dict[str, Any]


@attrs.frozen
class Exercise:
    """A problem: roles (class names in the player's file), a builder, and the rules.

    ``order`` pairs (later, earlier): an agent's k-th ``me.step(later)`` must come after every
    agent's k-th ``me.step(earlier)`` (a barrier's promise). ``seats`` pairs (section, n): up to n
    agents may be inside ``me.critical(section)`` at once (a multiplex); 1 for sections not named.
    ``apart`` pairs sections never occupied at the same time (readers and a writer).
    ``bypass`` pairs (role, section): while an agent of ``role`` is blocked, no other agent
    may enter ``section`` twice (writers must not starve). ``groups`` pairs (step, makeup):
    every run of consecutive ``me.step(step)`` calls as long as the makeup is one group of
    exactly that many agents of each role (two hydrogens and one oxygen make a molecule).
    ``servers`` are roles that work until every other agent is done (a barber).
    ``fixed_rounds``: free runs keep ``rounds`` too (atoms bond once; more rounds per atom
    could leave one hydrogen with two bonds to make and nobody to make them with).
    """

    name: str
    summary: str
    roles: tuple[str, ...]
    handed: str  # what each role gets, for the docs and the report
    build: Callable[[Kit, int], list[Cast]]
    default_agents: int
    min_agents: int
    max_agents: int
    rounds: int = 2
    order: tuple[tuple[str, str], ...] = ()
    seats: tuple[tuple[str, int], ...] = ()
    apart: tuple[tuple[str, str], ...] = ()
    bypass: tuple[tuple[str, str], ...] = ()
    groups: tuple[tuple[str, tuple[tuple[str, int], ...]], ...] = ()
    servers: tuple[str, ...] = ()
    fixed_rounds: bool = False
    backends: tuple[str, ...] = ("thread", "process")

    def cast(self, kit: Kit, agents: int | None = None) -> list[Cast]:
        n = self.default_agents if agents is None else agents
        if not self.min_agents <= n <= self.max_agents:
            raise ValueError(f"exercise {self.name!r} takes {self.min_agents} to {self.max_agents} agents, got {n}")
        return self.build(kit, n)
