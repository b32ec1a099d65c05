"""Live control of a running round: the commands, and their one-line text form.

The text form is what ``diner run --at T:COMMAND`` takes and what the window sends:
``resize seats 2``, ``pause``, ``resume``, ``scale 0.5``, ``stop 3``, ``cont 3``,
``kill 3``, ``step 3``, ``gate``, ``auto``, ``end``, and for one agent ``pause 3``,
``resume 3``, ``slow 3 4``. Agents are named by index or name.

A command for one agent that sets its own slots of the control block (an
:class:`AgentControl`) needs nothing but its class here, its words in ``parse_command``
and ``Me`` reading the slot (:class:`sims.agents.me.AgentSlot`): the engine applies them all alike.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from sims.agents.me import AgentSlot
from sims.kinds import SignalAction

AgentRef = int | str


@attrs.frozen
class Resize:
    resource: str
    capacity: int
    code = 1


@attrs.frozen
class Pause:
    code = 2


@attrs.frozen
class Resume:
    code = 3


@attrs.frozen
class Scale:
    factor: float
    code = 4


@attrs.frozen
class SignalAgent:
    """SIGSTOP / SIGCONT / SIGKILL one process agent."""

    agent: AgentRef
    action: SignalAction = attrs.field(converter=SignalAction)
    code = 5


@attrs.frozen
class Step:
    """Let a gated agent take one step."""

    agent: AgentRef
    code = 6


@attrs.frozen
class Gate:
    """Hold every agent at its next labelled step (the player schedules)."""

    code = 7


@attrs.frozen
class Auto:
    """Hand scheduling back to the operating system."""

    code = 8


@attrs.frozen
class End:
    code = 9


@attrs.frozen
class AgentControl:
    """A command that sets some of one agent's own control slots (see ``AgentSlot``)."""

    agent: AgentRef
    code = 0

    def slots(self) -> dict[int, float]:
        raise NotImplementedError


@attrs.frozen
class PauseAgent(AgentControl):
    """Hold one agent still at its next pause point; the others go on."""

    code = 10

    def slots(self) -> dict[int, float]:
        return {AgentSlot.PAUSED: 1.0}


@attrs.frozen
class ResumeAgent(AgentControl):
    code = 11

    def slots(self) -> dict[int, float]:
        return {AgentSlot.PAUSED: 0.0}


@attrs.frozen
class SlowAgent(AgentControl):
    """Multiply one agent's pacing (think, work) by ``factor``: 4 is four times slower."""

    factor: float = 1.0
    code = 12

    def slots(self) -> dict[int, float]:
        return {AgentSlot.SLOW: self.factor}


Command = (
    Resize | Pause | Resume | Scale | SignalAgent | Step | Gate | Auto | End | PauseAgent | ResumeAgent | SlowAgent
)


@attrs.frozen
class Timed:
    """A command to apply ``at`` seconds after the round started."""

    at: float
    command: Command


def _agent_ref(word: str) -> AgentRef:
    return int(word) if word.isdigit() else word


def _factor(args: list[str]) -> float | None:
    """The one number in ``args`` if it is in (0, 100], else None."""
    try:
        factor = float(args[0]) if len(args) == 1 else -1.0
    except ValueError:
        return None
    return factor if 0.0 < factor <= 100.0 else None


def parse_command(text: str) -> Command:
    """Parse one command; ValueError says what is wrong with it."""
    words = text.split()
    if not words:
        raise ValueError("empty command")
    verb, args = words[0].lower(), words[1:]
    simple: dict[str, Callable[[], Command]] = {
        "pause": Pause,
        "resume": Resume,
        "gate": Gate,
        "auto": Auto,
        "end": End,
    }
    if verb in ("pause", "resume") and len(args) == 1:
        return (PauseAgent if verb == "pause" else ResumeAgent)(_agent_ref(args[0]))
    if verb in simple:
        if args:
            one = f" or one agent: '{verb} 3'" if verb in ("pause", "resume") else ""
            raise ValueError(f"{verb!r} takes no arguments{one}, got {' '.join(args)!r}")
        return simple[verb]()
    if verb == "resize":
        if len(args) != 2 or not args[1].isdigit():
            raise ValueError("resize takes a semaphore name and a whole number: 'resize seats 2'")
        return Resize(args[0], int(args[1]))
    if verb == "scale":
        factor = _factor(args)
        if factor is None:
            raise ValueError("scale takes one number between 0 and 100: 'scale 0.5'")
        return Scale(factor)
    if verb == "slow":
        factor = _factor(args[1:]) if args else None
        if factor is None:
            raise ValueError("slow takes an agent (index or name) and a number between 0 and 100: 'slow 3 4'")
        return SlowAgent(_agent_ref(args[0]), factor)
    if verb in (*SignalAction, "step"):
        if len(args) != 1:
            raise ValueError(f"{verb} takes one agent (index or name): '{verb} 3'")
        ref = _agent_ref(args[0])
        return Step(ref) if verb == "step" else SignalAgent(ref, verb)
    raise ValueError(
        f"unknown command {verb!r} (known: resize, pause, resume, scale, slow, stop, cont, kill, step, gate, auto, end)"
    )


def parse_timed(text: str) -> Timed:
    """Parse ``T:COMMAND`` as given to ``--at``."""
    when, sep, rest = text.partition(":")
    if not sep:
        raise ValueError(f"--at needs TIME:COMMAND, e.g. '2:resize seats 2', got {text!r}")
    try:
        at = float(when)
    except ValueError:
        raise ValueError(f"--at time must be seconds, got {when!r} in {text!r}") from None
    if at < 0:
        raise ValueError(f"--at time must be >= 0, got {at:g} in {text!r}")
    return Timed(at, parse_command(rest))
