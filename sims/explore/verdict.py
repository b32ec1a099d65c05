"""Verdicts of the grader, each with the evidence that backs it."""

from __future__ import annotations

import enum

import attrs


class Verdict(enum.Enum):
    PASS = "pass"
    DEADLOCK = "deadlock"  # agents wait on locks held by each other (the cycle)
    STALL = "stall"  # everyone left waits for a signal no one can send (a lost wake-up)
    MUTUAL_EXCLUSION = "mutual exclusion violated"  # two agents inside one me.critical section
    OVER_CAPACITY = "over capacity"  # an item put on a full pass (a semaphore let too many in)
    ITEM_LOST = "item lost"
    ITEM_DUPLICATED = "item duplicated"
    GOAL = "goal not met"  # the exercise's own rule (e.g. nobody leaves a barrier early)
    STARVATION = "starvation"  # some agents never finish while others keep moving
    EXCEPTION = "exception"  # the code under test raised
    NEVER_YIELDS = "never yields"  # runs on without reaching an operation (an endless loop?)
    RAW_SLEEP = "raw sleep"  # blocks in time.sleep instead of a primitive or me.pace
    EXITED = "exited"  # the code ended the whole process (os._exit, a signal...)

    @property
    def failed(self) -> bool:
        return self is not Verdict.PASS


@attrs.frozen
class Finding:
    """A verdict, one sentence about it, and the evidence (one line per fact)."""

    verdict: Verdict
    message: str
    agent: int = -1
    line: int = 0
    evidence: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "verdict": self.verdict.value,
            "message": self.message,
            "agent": self.agent,
            "line": self.line,
            "evidence": list(self.evidence),
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Finding:
        evidence = data.get("evidence", [])
        if not isinstance(evidence, list):
            raise ValueError("field 'evidence' must be a list")
        return cls(
            Verdict(data["verdict"]),
            str(data["message"]),
            int(data.get("agent", -1)),  # type: ignore[call-overload]
            int(data.get("line", 0)),  # type: ignore[call-overload]
            tuple(str(e) for e in evidence),
        )


PASSED = Finding(Verdict.PASS, "no schedule tried broke the code")
