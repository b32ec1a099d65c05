"""Live control of a running round: the commands, and their one-line text form.

The text form is what ``diner run --at T:COMMAND`` takes and what the window sends:
``resize seats 2``, ``pause``, ``resume``, ``scale 0.5``, ``stop 3``, ``cont 3``,
``kill 3``, ``step 3``, ``gate``, ``auto``, ``end``, and for one agent ``pause 3``,
``resume 3``, ``slow 3 4``. Agents are named by index or name.

A command for one agent that sets its own slots of the control block (an
:class:`AgentControl`) needs nothing but its class here, its words in ``parse_command``
and ``Me`` reading the slot (:class:`sims.runtime.AgentSlot`): the engine applies them all alike.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import attrs

from sims.kinds import SignalAction
from sims.primitives.semaphore import MAX_PERMITS
from sims.runtime import AgentSlot

AgentRef = int | str


def _permits(_: Any, __: attrs.Attribute[Any], value: int) -> None:
    if not 0 <= value <= MAX_PERMITS:
        raise ValueError(f"resize takes a whole number from 0 to {MAX_PERMITS}, got {value}")


@attrs.frozen
class Resize:
    resource: str
    capacity: int = attrs.field(validator=_permits)
    code = 1


@attrs.frozen
class Pause:
    code = 2


@attrs.frozen
class Resume:
    code = 3


MAX_SCALE = 100.0


def _factor(_: Any, __: attrs.Attribute[Any], value: float) -> None:
    if not 0.0 < value <= MAX_SCALE:  # also refuses NaN
        raise ValueError(f"scale takes one number between 0 and {MAX_SCALE:g}, got {value!r}")


@attrs.frozen
class Scale:
    factor: float = attrs.field(validator=_factor)
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


def _seconds(_: Any, __: attrs.Attribute[Any], value: float) -> None:
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"a command's time must be a finite number of seconds >= 0, got {value!r}")


@attrs.frozen
class Timed:
    """A command to apply ``at`` seconds after the round started (finite, not negative)."""

    at: float = attrs.field(validator=_seconds)
    command: Command


def _whole(word: str) -> int | None:
    """``word`` as a whole number if it is one written in ASCII digits, else None."""
    return int(word) if word.isascii() and word.isdigit() and len(word) <= 18 else None


def _agent_ref(word: str) -> AgentRef:
    number = _whole(word)
    return word if number is None else number


def _one_number(args: list[str]) -> float | None:
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
        capacity = _whole(args[1]) if len(args) == 2 else None
        if capacity is None or capacity > MAX_PERMITS:
            raise ValueError(f"resize takes a semaphore name and a whole number 0..{MAX_PERMITS}: 'resize seats 2'")
        return Resize(args[0], capacity)
    if verb == "scale":
        try:
            factor = float(args[0]) if len(args) == 1 else -1.0
        except ValueError:
            factor = -1.0
        if not 0.0 < factor <= MAX_SCALE:
            raise ValueError(f"scale takes one number between 0 and {MAX_SCALE:g}: 'scale 0.5'")
        return Scale(factor)
    if verb == "slow":
        slow = _one_number(args[1:]) if args else None
        if slow is None:
            raise ValueError("slow takes an agent (index or name) and a number between 0 and 100: 'slow 3 4'")
        return SlowAgent(_agent_ref(args[0]), slow)
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
    if not (math.isfinite(at) and at >= 0):
        raise ValueError(f"time must be a finite number of seconds >= 0, got {when!r} in {text!r}")
    return Timed(at, parse_command(rest))
