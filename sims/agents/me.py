"""``Me``: what an agent's own code sees of itself while it runs."""

from __future__ import annotations

import functools
import random
import sys
import time
from typing import TYPE_CHECKING, Any

from sims.runtime import AGENT_SLOTS, ATTENTION, GATED, PAUSED, SCALE, SLICE_S, AgentSlot, RoundStopped, read_view
from sims.telemetry import Op, op_code

if TYPE_CHECKING:
    from sims.runtime import Runtime
    from sims.telemetry import RingWriter

_STATE = op_code(Op.STATE)
# A paced sleep this short is a plain ``time.sleep`` rather than a timed wait on the stop bell, which
# costs a few us more per sleep (a paced meal sleeps twice: measured in docs/benchmarks.md, issue 14).
NAP_S = 0.002
_nap = time.sleep


def _kept_only(emit: Any, kept: frozenset[int]) -> Any:
    """``Me.state`` without detail: records only the states that count as operations. A hot
    call (two or three a meal), so it reads nothing but its own closure."""

    def state(state: int) -> None:
        if state in kept:
            emit(_STATE, state)

    return state


class Me:
    """The running agent's handle: telemetry, pacing, the round's stop and pause, step gates.

    Created inside the agent's own thread or process, so every call here runs there.
    """

    def __init__(
        self,
        index: int,
        name: str,
        backend: str,
        runtime: Runtime,
        writer: RingWriter,
        gate: Any,
        seed: int,
        step_labels: dict[str, int],
        counted_states: frozenset[int] = frozenset(),
    ) -> None:
        self.index = index
        self.name = name
        self.backend = backend
        self.rng = random.Random(seed)
        self._random = self.rng.random
        self._rt = runtime
        self._tally = getattr(writer, "tally", None)  # counts uncontended Lock holds (detail off), else None
        self._control = read_view(runtime.control)
        self._mine = read_view(runtime.agent_control)
        self._slot = index * AGENT_SLOTS  # where this agent's own slots start
        self._paused_slot = self._slot + AgentSlot.PAUSED  # read at every step and loop: worked out once
        self._slow_slot = self._slot + AgentSlot.SLOW
        self._take = runtime.stop_bell.taker()  # Doorbell.wait without its Python frame
        self._lifeline = runtime.lifeline  # set before Me is made: None when the kernel watches our parent
        self._emit = writer.emit
        self._gate = gate
        self._step_codes = {label: op_code(Op.STEP, i) for label, i in step_labels.items()}
        self._gate_codes = {label: op_code(Op.GATE, i) for label, i in step_labels.items()}
        self._detailed = runtime.detailed  # fixed for the round
        # Without detail only the states that count as operations (e.g. EATING) are recorded.
        self._kept_states = None if self._detailed else counted_states
        if self._detailed:  # every state is recorded: skip the filter (a hot call)
            self.state = functools.partial(writer.emit, _STATE)  # type: ignore[method-assign]
        else:
            self.state = _kept_only(writer.emit, counted_states)  # type: ignore[method-assign]

    # -- telemetry ------------------------------------------------------------------------
    def state(self, state: int) -> None:
        """Record a change of the agent's own state (thinking, hungry, eating, ...)."""
        if self._kept_states is None or state in self._kept_states:
            self._emit(_STATE, state)

    def record(self, op: int, resource: int, value: int) -> None:
        """Record a scenario event (an item put, a counter value, a message...)."""
        self._emit(op_code(op, resource), value)

    # -- the round ------------------------------------------------------------------------
    # The pause points below run a few times a meal, each after a wake-up with cold caches: they
    # read one word (``ATTENTION``: a stop, a pause or a gate anywhere) and look further only
    # when it is set; an agent that must watch its parent itself (``lifeline``) always looks.
    @property
    def stopping(self) -> bool:
        return self._rt.stopping

    def running(self) -> bool:
        """True while the round goes on; waits here while the round (or this agent) is paused."""
        if self._control[ATTENTION] == 0.0 and self._lifeline is None:
            return True
        if self._held():
            self._wait_resume()
        return not self._rt.stopping

    def _held(self) -> bool:
        return self._control[PAUSED] != 0.0 or self._mine[self._paused_slot] != 0.0

    def _wait_resume(self) -> None:
        self._flush()
        while self._held() and not self._rt.stopping:
            self._rt.stop_bell.wait(SLICE_S)  # a pause is re-checked every slice

    def _flush(self) -> None:
        """Before the agent waits: what it holds, and its counted holds (sims.primitives._tally)."""
        if self._tally is not None:
            self._tally.flush()

    def pace(self, mean_ms: float, jitter: bool = True) -> None:
        """Spend about ``mean_ms`` (x the live time scale) thinking or working, seeded.

        Uniform between half and one and a half times the mean (exactly the mean with
        ``jitter=False``). Interruptible: the round ending cuts it short (raising
        RoundStopped); a pause holds the agent here. A sleep of at most ``NAP_S`` is not cut
        short: the end is noticed just after it (the wait a stop already allows for).
        """
        if mean_ms <= 0:
            return
        if self._tally is not None:  # _flush(): a hold across the pause is announced, shown while it lasts
            self._tally.flush()
        spread = 0.5 + self._random() if jitter else 1.0  # rng.uniform(0.5, 1.5), the same numbers
        slow = self._mine[self._slow_slot] or 1.0  # this agent's own slow-down (``slow A F``)
        seconds = mean_ms * self._control[SCALE] * slow * spread / 1000.0
        if seconds <= NAP_S:
            _nap(seconds)  # short: a plain sleep (cheaper than a timed wait), the end looked at after it
        elif self._take(True, seconds):  # a sleep the round's end cuts short
            self._rt.stop_bell.pass_on()
            raise RoundStopped(self.name)
        if self._control[ATTENTION] != 0.0 or self._lifeline is not None:
            if self._rt.stopping:
                raise RoundStopped(self.name)
            if self._held():
                self._wait_resume()

    # -- be the scheduler -----------------------------------------------------------------
    def step(self, label: str) -> None:
        """A labelled point in the agent's code (e.g. just before an acquire).

        Recorded with the source line when the round records detail; when the round is
        gated the agent waits here until the scheduler (the player) lets it take one step.
        """
        attention = self._control[ATTENTION] != 0.0
        if attention and self._control[GATED] != 0.0:
            # GATE, not STEP: says this agent now waits here, so the scheduler's view never
            # takes a step passed just before the gate closed for one it waits at.
            self._flush()
            self._emit(self._gate_codes[label], sys._getframe(1).f_lineno)
            self._wait_gate()
            return
        if self._detailed:
            self._emit(self._step_codes[label], sys._getframe(1).f_lineno)
        if attention and self._held():
            self._wait_resume()

    def _wait_gate(self) -> None:
        while not self._gate.acquire(True, SLICE_S):
            if self._rt.stopping:
                raise RoundStopped(self.name)
            if self._control[GATED] == 0.0:
                return
        # The round's end releases every gate so agents notice it: that release is not a step
        # the player gave, and the step must not run (a guest let through at the end walked in).
        if self._rt.stopping:
            raise RoundStopped(self.name)
