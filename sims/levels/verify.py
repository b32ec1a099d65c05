"""Does each level keep its promise? The reference choice wins, the naive choice loses.

Playing a round is the engine's business, so the caller injects ``play(level, choice, backend)``
returning the round's flat statistics. What is decided here is pure: given the statistics,
did the reference earn a star and did the naive choice earn none, on every backend.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import attrs

from sims.levels.goals import FlatStats, Grade, grade
from sims.levels.rules import guards
from sims.levels.schema import Choice, Goal, LevelSpec

Play = Callable[[LevelSpec, Choice, str], FlatStats]
"""Runs one headless round of ``level`` with ``choice`` on ``backend``; returns flat statistics."""

ROLES = ("reference", "naive")

FASTEST_SCALE = 0.125
"""The window's fastest time scale (eight times normal speed): a speed-up must not buy a star."""

AUTO_AT_S = 0.1
"""When the blind player presses A on a scheduler level (the OS schedules from then on)."""


@attrs.frozen
class Role:
    """One choice verify plays, with the stars it may earn (``fewest`` to ``most``).

    ``counts_for_goals``: whether its round shows a goal can fail (a forfeited round's goals
    are not a verdict on the goals).
    """

    name: str
    choice: Choice
    fewest: int
    most: int
    counts_for_goals: bool = True

    def want(self) -> str:
        if self.fewest:
            return f"at least {self.fewest} star"
        return "0 stars" if self.most == 0 else f"at most {self.most} stars"


def roles(level: LevelSpec) -> tuple[Role, ...]:
    """Reference, naive, each wrong choice, and the blind player's shortcut for this kind of level."""
    out = [Role("reference", level.reference, 1, 3, counts_for_goals=False), Role("naive", level.naive, 0, 0)]
    out += [Role(f"wrong[{i}]", wrong, 0, wrong.stars) for i, wrong in enumerate(level.wrong)]
    naive = level.naive
    if level.scheduler:
        pressed_a = attrs.evolve(naive, commands=(*naive.commands, f"{AUTO_AT_S:g}:auto"))
        out.append(Role("naive pressing A", pressed_a, 0, 0, counts_for_goals=False))
    else:
        fast = attrs.evolve(naive, commands=(f"0:scale {FASTEST_SCALE:g}", *naive.commands))
        # Not a verdict on the goals: live commands keep their wall-clock times at any scale.
        out.append(Role(f"naive at scale {FASTEST_SCALE:g}", fast, 0, 0, counts_for_goals=False))
    return tuple(out)


@attrs.frozen
class Trial:
    """One round played for verification, with its verdict."""

    level_id: str
    role: str
    backend: str
    grade: Grade
    fewest: int = 1
    most: int = 3
    counts_for_goals: bool = True

    inconclusive: bool = False  # the machine could not give the round what it needs (a lab's reproducible == 0)

    @property
    def ok(self) -> bool:
        """The stars earned lie in what the role may earn (an inconclusive round proves nothing either way)."""
        return self.inconclusive or self.fewest <= self.grade.stars <= self.most

    def describe(self) -> str:
        want = Role(self.role, Choice(), self.fewest, self.most).want()
        verdict = "ok" if self.ok else f"FAILED (must earn {want})"
        if self.inconclusive:
            verdict = "inconclusive: this machine cannot give the round the CPU it needs"
        first = self.grade.tiers[0]
        why = "; ".join(r.explain() for r in first)
        lost = f", forfeited: {self.grade.forfeit.value}" if self.grade.forfeit else ""
        return f"{self.level_id}: {self.role} on {self.backend}: {self.grade.stars} stars{lost}, {verdict} [{why}]"


def judge(level: LevelSpec, role: str | Role, backend: str, flat_stats: FlatStats) -> Trial:
    """The verdict for one round's statistics (no round is played here)."""
    if isinstance(role, str):
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
        role = Role(role, getattr(level, role), *((1, 3) if role == "reference" else (0, 0)))
    inconclusive = flat_stats.get("reproducible") == 0
    graded = grade(level, flat_stats)
    counts = role.counts_for_goals and not inconclusive
    return Trial(level.id, role.name, backend, graded, role.fewest, role.most, counts, inconclusive)


@attrs.frozen
class Verdict:
    """Every trial of one level; the level is verified when every trial is ok and no goal is free."""

    level_id: str
    trials: tuple[Trial, ...]
    guards: frozenset[Goal] = frozenset()  # goals that close a loophole (sims.levels.rules.guards)

    @property
    def ok(self) -> bool:
        return all(t.ok for t in self.trials) and not self.never_failed()

    def failures(self) -> tuple[Trial, ...]:
        return tuple(t for t in self.trials if not t.ok)

    def never_failed(self) -> tuple[Goal, ...]:
        """Goals that passed in every wrong round: a star for nothing (empty if no wrong round ran).

        Guards are left out: they close a loophole rather than certify a choice."""
        wrong = [t for t in self.trials if t.counts_for_goals]
        if not wrong:
            return ()
        goals = [r.goal for r in wrong[0].grade.results()]
        failed = {r.goal for t in wrong for r in t.grade.results() if not r.passed}
        return tuple(dict.fromkeys(g for g in goals if g not in failed and g not in self.guards))


def verify_level(level: LevelSpec, play: Play, rounds: int = 1, backends: Iterable[str] | None = None) -> Verdict:
    """Play every role ``rounds`` times; every round must behave.

    Reference and naive play on every backend, the other roles on the first (to keep CI quick:
    they test the level's design, which the backend does not change).

    Both directions are strict: a wrong choice that earns more than it may, even once, means
    a player could win the level without learning its lesson; and every goal must fail in
    some wrong round, or it certifies nothing.
    """
    if rounds < 1:
        raise ValueError(f"rounds must be 1 or more, got {rounds}")
    chosen = [b for b in (tuple(backends) if backends is not None else level.backends) if b in level.backends]
    trials = [
        judge(level, role, backend, play(level, role.choice, backend))
        for n, backend in enumerate(chosen)
        for role in roles(level)
        if n == 0 or role.name in ROLES
        for _ in range(rounds)
    ]
    return Verdict(level.id, tuple(trials), guards(level))
