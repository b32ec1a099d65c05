"""How a round is set up: a frozen value, checked when made, recorded in the summary."""

from __future__ import annotations

from typing import Any

import attrs

from sims.kinds import Backend
from sims.rounds.commands import Timed

START_METHODS = ("spawn", "forkserver")
AGENT_POLICIES = ("normal", "idle")
MAX_SECONDS = 24 * 3600.0


RING_BUDGET = 1 << 21  # records for all rings together (64 MiB; pages are touched only as used)
RING_MIN, RING_MAX = 1 << 16, 1 << 19


def ring_capacity_for(agents: int, asked: int | None) -> int:
    """Records per ring: what was asked, else an equal share of the budget (a power of two)."""
    if asked is not None:
        return asked
    share = RING_BUDGET // (agents + 1)
    return max(RING_MIN, min(RING_MAX, 1 << (share.bit_length() - 1)))


def _positive(_: Any, attribute: attrs.Attribute[float], value: float) -> None:
    if not value > 0:
        raise ValueError(f"{attribute.name} must be > 0, got {value!r}")


def _within_round(config: RoundConfig, _: attrs.Attribute[Any], schedule: tuple[Timed, ...]) -> None:
    """A command timed after the round's end would never run: refuse it rather than ignore it."""
    for timed in schedule:
        if timed.at > config.seconds:
            raise ValueError(f"a command at {timed.at:g} s comes after the round's end ({config.seconds:g} s)")


# ``diner run``'s agents: at the caller's niceness. On a machine busy with other work, +5 gave them
# a third of its CPU share (docs/benchmarks.md, "Paced rounds, the end of a long round, niceness").
HEADLESS_AGENT_NICE = 0


@attrs.frozen
class RoundConfig:
    """Everything that decides a round. ``params`` are the scenario's own parameters."""

    scenario: str
    backend: Backend = attrs.field(default=Backend.THREAD, converter=Backend)
    strategy: str | None = None
    seconds: float = attrs.field(default=5.0, validator=[_positive, attrs.validators.le(MAX_SECONDS)])
    seed: int = 0
    params: dict[str, Any] = attrs.field(factory=dict)
    schedule: tuple[Timed, ...] = attrs.field(default=(), validator=_within_round)
    stop_on_deadlock: bool = True
    # spawn: every agent a fresh interpreter. forkserver starts rounds faster (agents fork from
    # a server that imported their code once) but agents then write to the server's stderr.
    start_method: str = attrs.field(default="spawn", validator=attrs.validators.in_(START_METHODS))
    # Process agents run this much nicer than the engine, so an engine that streams every record
    # to a window keeps up (contention among the agents themselves is unchanged). ``diner run``
    # asks for 0 (HEADLESS_AGENT_NICE): its engine only drains to disk, and a full ring makes its
    # agent wait instead of losing records, so its agents run as the same code on raw locks would.
    agent_nice: int = attrs.field(default=5, validator=[attrs.validators.ge(0), attrs.validators.le(19)])
    # "idle": process agents run under Linux's SCHED_IDLE policy, only on CPU time no other
    # task wants, so a window drawing them is never kept waiting by them (a nice value still
    # competes: 64 agents at niceness 19 weigh almost as much as one normal task). All agents
    # alike, so their contest is unchanged; they get less of a machine that is busy elsewhere.
    agent_policy: str = attrs.field(default="normal", validator=attrs.validators.in_(AGENT_POLICIES))
    ring_capacity: int | None = None  # records per agent ring; None: share RING_BUDGET among agents
    detail: bool = True  # record agents' labelled steps (states are always recorded)
    gated: bool = False  # start with every agent held at its first labelled step
    poll_s: float = attrs.field(default=0.02, validator=_positive)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "backend": self.backend,
            "strategy": self.strategy,
            "seconds": self.seconds,
            "seed": self.seed,
            "params": dict(self.params),
            "schedule": [
                {"at": t.at, "command": attrs.asdict(t.command) | {"type": type(t.command).__name__}}
                for t in self.schedule
            ],
            "stop_on_deadlock": self.stop_on_deadlock,
            "start_method": self.start_method,
            "agent_nice": self.agent_nice,
            "agent_policy": self.agent_policy,
            "ring_capacity": self.ring_capacity,
            "detail": self.detail,
            "gated": self.gated,
        }
