"""The detail-off fast path: an agent counts its uncontended Lock holds instead of recording each.

With detail on, an uncontended ``with lock:`` writes two records (ACQUIRED with wait 0,
RELEASED). With detail off the agent's :class:`Tally` keeps, per Lock, how many such holds it
made, how long they lasted in all and the longest, and writes them as three records (HOLDS,
HELD, LONGEST_HOLD) at its next wait and when it stops. A hold is uncontended when the lock
was free at the first try and the same agent released it; everything else (a wait, a
timeout, a lock released by another agent) is recorded as with detail on.

Before the agent waits for anything (a contended acquire, an Event, a Condition, a Barrier,
a step gate, a pause, its own pacing) the Tally also *announces* the locks it holds at that
moment: one ordinary ACQUIRED each, stamped when the lock was taken, whose release is then
recorded as usual. So whenever an agent can be stuck, the engine knows everything it holds:
the live picture of waiters and the deadlock verdicts are those of detail on.

The round's end: the engine writes the current instant into ``CUT`` before it takes the
round's end instant. A hold released after that is recorded (announced, then released), so
every counted hold ended before ``CUT``; the last summaries are stamped at ``CUT``, inside the
round's statistics. What the statistics keep and lose is in docs/data.md ("Detail off").
"""

from __future__ import annotations

import time
from collections.abc import Callable, MutableSequence, Sequence
from typing import Any

from sims.runtime import CUT, read_view
from sims.telemetry import Op, op_code

_NOW = time.monotonic_ns
# What a Tally keeps per Lock (a list, updated in place by Lock's fast path):
TAKEN = 0  # when this agent took it, unrecorded (0: it does not hold it unrecorded)
HOLDS = 1  # uncontended holds since the last summary
HELD = 2  # their ns in all
LONGEST = 3  # the longest, ns
RECORDED = 4  # 1: this agent holds it, recorded (its release is recorded too)


class Tally:
    """One agent's uncontended Lock holds since its last summary, and the locks it holds unrecorded."""

    __slots__ = ("_emit_at", "control", "kept")

    control: Sequence[float]

    def __init__(self, emit_at: Callable[[int, int, int], None], control: MutableSequence[float]) -> None:
        self._emit_at = emit_at
        self.control = read_view(control)  # the round's control block: ``control[CUT]`` ends the fast path
        # By lock index, up to the highest this agent took: [TAKEN, HOLDS, HELD, LONGEST, RECORDED].
        self.kept: list[list[int]] = []

    def keep(self, resource: int) -> list[int]:
        """The counters of ``resource``, made for it and every lower index not made yet."""
        kept = self.kept
        kept.extend([0, 0, 0, 0, 0] for _ in range(len(kept), resource + 1))
        return kept[resource]

    def recorded(self, resource: int) -> None:
        """This agent took ``resource`` on the recorded path (after a wait)."""
        self.keep(resource)[RECORDED] = 1

    def released(self, resource: int) -> None:
        """This agent gave ``resource`` back on the recorded path, outside a release (a Condition's wait)."""
        if resource < len(self.kept):
            self.kept[resource][RECORDED] = 0

    def announce(self, resource: int) -> None:
        """Record that this agent holds ``resource`` since it took it (its release is recorded too)."""
        kept = self.kept[resource]
        taken, kept[TAKEN] = kept[TAKEN], 0
        kept[RECORDED] = 1
        self._emit_at(op_code(Op.ACQUIRED, resource), 0, taken)

    def flush(self) -> None:
        """Announce every lock held now and write the summaries (the agent is about to wait or stop)."""
        # Stamped now, or, once the round is ending, when it began to end: every counted hold
        # ended before that, and the round's end instant is after it.
        at = int(self.control[CUT]) or _NOW()
        emit_at = self._emit_at
        for resource, kept in enumerate(self.kept):
            if kept[TAKEN]:
                self.announce(resource)
            if kept[HOLDS]:
                emit_at(op_code(Op.HOLDS, resource), kept[HOLDS], at)
                emit_at(op_code(Op.HELD, resource), kept[HELD], at)
                emit_at(op_code(Op.LONGEST_HOLD, resource), kept[LONGEST], at)
                kept[HOLDS] = kept[HELD] = kept[LONGEST] = 0


def flush_tally(tls: Any) -> None:
    """Flush the calling agent's Tally, if it keeps one (detail off). ``tls``: ``Runtime.agents_here``."""
    tally = getattr(getattr(tls, "writer", None), "tally", None)
    if tally is not None:
        tally.flush()
