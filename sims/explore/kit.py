"""What player code is: ``me``; and the referee that watches it (``me.critical``, step order).

The referee keeps the first violation it sees; in explored runs the explorer tells it
each step and critical section once the move is made, so it lives in the explorer's process.
"""

from __future__ import annotations

import contextlib
import random
import threading
from collections.abc import Iterator
from typing import Any

from sims.explore.verdict import Finding, Verdict, Why
from sims.telemetry import Op


class Checks:
    """The run's referee: the first violation it sees is the run's verdict."""

    def __init__(
        self,
        names: list[str],
        order: tuple[tuple[str, str], ...],
        seats: tuple[tuple[str, int], ...] = (),
        apart: tuple[tuple[str, str], ...] = (),
        bypass: tuple[tuple[str, str], ...] = (),
        groups: tuple[tuple[str, tuple[tuple[str, int], ...]], ...] = (),
    ) -> None:
        self.names = names  # agent names, for evidence
        self.roles: list[str] = []  # agent roles, for bypass and groups
        self._bypass = bypass  # (role, section): a blocked agent of role is not overtaken twice
        self._bypassed: dict[int, set[int]] = {}  # blocked agent -> agents that entered since it blocked
        self._groups = {step: dict(makeup) for step, makeup in groups}
        self._group: dict[str, list[int]] = {}  # step -> agents of the group being formed
        self._seats = dict(seats)  # how many may be inside a section at once (1 unless named)
        self._apart = {(a, b) for a, b in apart} | {(b, a) for a, b in apart}  # never occupied together
        self.failure: Finding | None = None
        self._inside: dict[str, list[int]] = {}
        self._order = order  # (later, earlier): the k-th `later` waits for everyone's k-th `earlier`
        self._steps: dict[str, list[int]] = {}
        self._lock = threading.Lock()  # free runs: agents report at the same time

    def fail(self, finding: Finding) -> None:
        with self._lock:
            if self.failure is None:
                self.failure = finding

    def enter(self, section: str, agent: int, line: int) -> None:
        with self._lock:
            inside = self._inside.setdefault(section, [])
            inside.append(agent)
            others = [self.names[a] for a in inside if a != agent]
            rivals = [
                (other, self.names[a]) for s, other in self._apart if s == section for a in self._inside.get(other, [])
            ]
        if rivals:
            other, who = rivals[0]
            name = self.names[agent]
            self.fail(
                Finding.of(
                    Verdict.MUTUAL_EXCLUSION,
                    Why.INSIDE_APART,
                    agent,
                    line,
                    who=name,
                    section=section,
                    holder=who,
                    other=other,
                )
            )
        self._overtakes(section, agent, line)
        if len(others) >= self._seats.get(section, 1):
            self.fail(
                Finding.of(
                    Verdict.MUTUAL_EXCLUSION,
                    Why.INSIDE_TOGETHER,
                    agent,
                    line,
                    who=self.names[agent],
                    section=section,
                    others=tuple(others),
                )
            )

    def waiting(self, blocked: set[int]) -> None:
        """The agents blocked now (explored runs, after every step): a wait that ended is forgotten."""
        for agent in [a for a in self._bypassed if a not in blocked]:
            del self._bypassed[agent]
        for agent in blocked:
            self._bypassed.setdefault(agent, set())

    def _overtakes(self, section: str, agent: int, line: int) -> None:
        """``agent`` enters ``section``: fail if it already did while an agent of a bypass role waited."""
        for role, bypassed in self._bypass:
            if bypassed != section:
                continue
            for waiter, entered in self._bypassed.items():
                if waiter == agent or self.roles[waiter] != role:
                    continue
                if agent in entered:
                    who, waited = self.names[agent], self.names[waiter]
                    found = Finding.of(
                        Verdict.STARVATION,
                        Why.OVERTAKEN,
                        waiter,
                        line,
                        who=who,
                        section=section,
                        others=waited,
                        role=role,
                    )
                    self.fail(found)
                entered.add(agent)

    def _grouped(self, label: str, agent: int, line: int) -> Finding | None:
        """``agent`` takes a grouped step: a finding when its group has one of its role too many."""
        makeup = self._groups[label]
        group = self._group.setdefault(label, [])
        group.append(agent)
        roles = [self.roles[a] for a in group]
        if roles.count(self.roles[agent]) > makeup.get(self.roles[agent], 0):
            want = ", ".join(f"{n} {role}" for role, n in makeup.items())
            agents = tuple(self.names[a] for a in group)
            return Finding.of(Verdict.GOAL, Why.WRONG_GROUP, agent, line, step=label, agents=agents, makeup=want)
        if len(group) == sum(makeup.values()):
            group.clear()
        return None

    def leave(self, section: str, agent: int) -> None:
        with self._lock:
            self._inside[section].remove(agent)

    def step(self, label: str, agent: int, line: int) -> None:
        with self._lock:
            counts = self._steps.setdefault(label, [0] * len(self.names))
            counts[agent] += 1
            k = counts[agent]
            wrong = self._grouped(label, agent, line) if label in self._groups else None
        if wrong is not None:
            self.fail(wrong)
        for later, earlier in self._order:
            if label != later:
                continue
            done = self._steps.get(earlier, [0] * len(self.names))
            behind = [self.names[a] for a, n in enumerate(done) if n < k]
            if behind:
                self.fail(
                    Finding.of(
                        Verdict.GOAL,
                        Why.TOO_EARLY,
                        agent,
                        line,
                        who=self.names[agent],
                        later=later,
                        k=k,
                        others=tuple(behind),
                        earlier=earlier,
                    )
                )


class PlayerMe:
    """``me`` in player code: name, seeded rng, steps, critical sections, pacing, rounds."""

    def __init__(self, index: int, name: str, rounds: int, seed: int, checks: Checks, seat: Any, stop: Any) -> None:
        self.index = index
        self.name = name
        self.rounds = rounds
        self.rng = random.Random(seed)
        self._checks = checks
        self._seat = seat  # None in a free run
        self._stop = stop  # a threading.Event: the free run is over
        self._started = 0

    def running(self) -> bool:
        """True for the exercise's number of rounds (``while me.running():``); a server's are endless."""
        self._started += 1
        return self._started <= self.rounds and not self._stop.is_set()

    def step(self, label: str) -> None:
        """A labelled point in the code: the explorer may switch agents here."""
        if self._seat is not None:  # explored: the explorer tells the referee once the step is made
            self._seat.point(Op.STEP, -1, f"step {label!r}", "step", label)
        else:
            self._checks.step(label, self.index, 0)

    @contextlib.contextmanager
    def critical(self, section: str) -> Iterator[None]:
        """``with me.critical("name"):`` marks a critical section: two agents inside is a violation."""
        seat = self._seat
        if seat is not None:
            seat.point(Op.STEP, -1, f"enter critical {section!r}", "enter", section)
        else:
            self._checks.enter(section, self.index, 0)
        try:
            yield
        finally:
            if seat is not None:
                seat.point(Op.STEP, -1, f"leave critical {section!r}", "leave", section)
            else:
                self._checks.leave(section, self.index)

    def state(self, state: int) -> None:
        """Accepted for compatibility with the scenarios' code; the grader ignores it."""

    def pace(self, mean_ms: float) -> None:
        """Think or work for about ``mean_ms`` in a free run; a scheduling point when explored."""
        if self._seat is not None:
            self._seat.point(Op.WORK, -1, "pace")
        elif mean_ms > 0:
            self._stop.wait(mean_ms * self.rng.uniform(0.5, 1.5) / 1000.0)
