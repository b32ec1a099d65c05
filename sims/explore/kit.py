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
    ) -> None:
        self.names = names  # agent names, for evidence
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

    def leave(self, section: str, agent: int) -> None:
        with self._lock:
            self._inside[section].remove(agent)

    def step(self, label: str, agent: int, line: int) -> None:
        with self._lock:
            counts = self._steps.setdefault(label, [0] * len(self.names))
            counts[agent] += 1
            k = counts[agent]
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
        """True for the exercise's number of rounds (``while me.running():``)."""
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
