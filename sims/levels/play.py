"""Play one level round headless on the real engine: the ``play`` that ``diner levels verify`` uses.

Kept apart from the pure verification logic (:mod:`sims.levels.verify`) so that logic stays
testable with plain statistics, and so importing the campaign never starts the engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sims.levels.goals import FlatStats
from sims.levels.schema import Choice, LevelSpec, RoundSettings

if TYPE_CHECKING:
    from sims.rounds.config import RoundConfig

STEP_INTERVAL_S = 0.3
"""Pause between two releases of a scheduler level's schedule: long enough for a step to finish."""

SETTLE_S = 2.0
"""Time a scheduler round runs after its last release before it is judged."""


def round_seconds(settings: RoundSettings) -> float:
    """A scheduler level's round is long for a human; a replayed schedule needs only its own length."""
    if not settings.gated:
        return settings.seconds
    return min(settings.seconds, STEP_INTERVAL_S * len(settings.schedule) + SETTLE_S)


def round_config(level: LevelSpec, choice: Choice, backend: str, seed: int = 0) -> RoundConfig:
    """The engine's configuration for ``level`` played with ``choice``; ValueError if it cannot be made."""
    from sims.rounds.commands import Step, Timed, parse_timed
    from sims.rounds.config import RoundConfig

    settings = level.settings(choice)
    timed = [Timed(STEP_INTERVAL_S * (i + 1), Step(agent)) for i, agent in enumerate(settings.schedule)]
    timed += [parse_timed(text) for text in settings.commands]
    return RoundConfig(
        scenario=settings.scenario,
        backend=backend,
        strategy=settings.strategy,
        seconds=round_seconds(settings),
        seed=seed,
        params=dict(settings.params),
        schedule=tuple(sorted(timed, key=lambda t: t.at)),
        gated=settings.gated,
    )


def check_playable(level: LevelSpec, choice: Choice, backend: str) -> None:
    """ValueError unless the engine would start ``level`` with ``choice`` on ``backend``: the
    same checks the engine runs before a round (:func:`sims.engine.admit.check_round`)."""
    from sims.engine.admit import check_round

    check_round(round_config(level, choice, backend))


def engine_play(level: LevelSpec, choice: Choice, backend: str, seed: int = 0) -> FlatStats:
    """Run ``level`` with ``choice`` on ``backend`` and return the round's flat statistics."""
    from sims.engine.round import Round
    from sims.rounds.summary import flat_numbers

    with Round(round_config(level, choice, backend, seed)) as rnd:
        return flat_numbers(rnd.run())
