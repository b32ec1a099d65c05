"""Live control of a running round: the commands, and their one-line text form.

The text form is what ``diner run --at T:COMMAND`` takes and what the window sends:
``resize seats 2``, ``pause``, ``resume``, ``scale 0.5``, ``stop 3``, ``cont 3``,
``kill 3``, ``step 3``, ``gate``, ``auto``, ``end``. Agents are named by index or name.
"""

from __future__ import annotations

import attrs

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


Command = Resize | Pause | Resume | Scale | SignalAgent | Step | Gate | Auto | End


@attrs.frozen
class Timed:
    """A command to apply ``at`` seconds after the round started."""

    at: float
    command: Command


def _agent_ref(word: str) -> AgentRef:
    return int(word) if word.isdigit() else word


def parse_command(text: str) -> Command:
    """Parse one command; ValueError says what is wrong with it."""
    words = text.split()
    if not words:
        raise ValueError("empty command")
    verb, args = words[0].lower(), words[1:]
    simple = {"pause": Pause, "resume": Resume, "gate": Gate, "auto": Auto, "end": End}
    if verb in simple:
        if args:
            raise ValueError(f"{verb!r} takes no arguments, got {' '.join(args)!r}")
        return simple[verb]()
    if verb == "resize":
        if len(args) != 2 or not args[1].isdigit():
            raise ValueError("resize takes a semaphore name and a whole number: 'resize seats 2'")
        return Resize(args[0], int(args[1]))
    if verb == "scale":
        try:
            factor = float(args[0]) if len(args) == 1 else -1.0
        except ValueError:
            factor = -1.0
        if not 0.0 < factor <= 100.0:
            raise ValueError("scale takes one number between 0 and 100: 'scale 0.5'")
        return Scale(factor)
    if verb in (*SignalAction, "step"):
        if len(args) != 1:
            raise ValueError(f"{verb} takes one agent (index or name): '{verb} 3'")
        ref = _agent_ref(args[0])
        return Step(ref) if verb == "step" else SignalAgent(ref, verb)
    raise ValueError(
        f"unknown command {verb!r} (known: resize, pause, resume, scale, stop, cont, kill, step, gate, auto, end)"
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
