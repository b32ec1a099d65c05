"""Verdicts of the grader, each with the evidence that backs it.

A finding is a verdict, a :class:`Why` (the shape of its sentence) and that sentence's
parameters, so that each screen can word it in its player's language; ``message`` is the English
sentence (the command line's and the JSON's), made from :data:`ENGLISH` by :func:`say`. Its
evidence lines are built the same way: a :class:`Fact` and its parameters (:class:`Evidence`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import TypeVar, Union

import attrs

Param = Union[str, int, tuple[str, ...]]  # noqa: UP007 (attrs reads the annotation at run time)
Shape = TypeVar("Shape", bound=enum.Enum)  # a sentence's shape: a Why or a Fact


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


class Why(enum.Enum):
    """What a finding says: one member per sentence shape (its parameters in the comment)."""

    PASSED = "passed"  # -
    FINISHED = "finished"  # -
    CYCLE = "cycle"  # agents, resources: each agent waits on its resource, held by the next
    HELD_BY_WAITER = "held by waiter"  # who, resource, holder, other: holder waits on other
    STALL = "stall"  # agents, resources: each agent waits on its resource
    INSIDE_TOGETHER = "inside together"  # who, section, others
    INSIDE_APART = "inside apart"  # who, section, holder, other: holder was inside other
    TOO_EARLY = "too early"  # who, later, k, others, earlier
    OVERTAKEN = "overtaken"  # who, section, others, role: who entered twice while others (of role) waited
    WRONG_GROUP = "wrong group"  # step, agents, makeup: a group of step-takers not of that makeup
    PUT_ON_FULL = "put on full"  # resource, slot
    PUTS_RACED = "puts raced"  # resource, slot
    TAKEN_FROM_EMPTY = "taken from empty"  # resource, slot
    TAKEN_TWICE = "taken twice"  # resource, item
    NEVER_TAKEN = "never taken"  # resource, items
    STARVED = "starved"  # agents, steps
    LIVELOCK = "livelock"  # agents, steps
    RAISED = "raised"  # who, error
    LOAD_RAISED = "load raised"  # error
    RAW_SLEEP = "raw sleep"  # who, source
    RAW_SLEEP_AFTER = "raw sleep after"  # who, after
    ENDLESS = "endless"  # who, seconds
    ENDLESS_AFTER = "endless after"  # who, seconds, after
    AGENT_EXITED = "agent exited"  # who, how, after
    UNFINISHED = "unfinished"  # agents
    WORKER_SILENT = "worker silent"  # -
    PROCESS_ENDED = "process ended"  # how
    OLD_NAME = "old name"  # old, new: a name Python 3.10 deprecated, as typed, and today's


AGENT_PARAMS = frozenset({"who", "agents", "holder", "others"})
"""Parameters that name agents (a screen words them in its language); the rest are names in code,
numbers, or Python's own text."""

ENGLISH: Mapping[Why, str] = {
    Why.PASSED: "no schedule tried broke the code",
    Why.FINISHED: "finished",
    Why.CYCLE: "deadlock: {cycle}",
    Why.HELD_BY_WAITER: (
        "deadlock: {who} waits on {resource}, held by {holder}, which waits on {other} and so never lets go"
    ),
    Why.STALL: "stall: every agent left waits for a signal that nobody left can send (a lost wake-up?)",
    Why.INSIDE_TOGETHER: "{who} entered critical section {section!r} while {others} was inside",
    Why.INSIDE_APART: "{who} entered critical section {section!r} while {holder} was inside {other!r}",
    Why.TOO_EARLY: "{who} reached {later!r} #{k} before {others} reached {earlier!r} #{k}",
    Why.OVERTAKEN: (
        "starvation: {who} entered {section!r} twice while {others} waited (a {role} can be overtaken for ever)"
    ),
    Why.WRONG_GROUP: "{step!r} group made of {agents}: one group is exactly {makeup}",
    Why.PUT_ON_FULL: "an item was put on a full {resource!r}: the item in slot {slot} is lost",
    Why.PUTS_RACED: "two puts raced for slot {slot} of {resource!r}: the first item is overwritten and lost",
    Why.TAKEN_FROM_EMPTY: "an item was taken from an empty slot {slot} of {resource!r}",
    Why.TAKEN_TWICE: "item #{item} was taken twice from {resource!r}",
    Why.NEVER_TAKEN: "items [{items}] were put on {resource!r} and never taken",
    Why.STARVED: "starvation: {agents} could not move in the last {steps} steps while others kept moving",
    Why.LIVELOCK: "livelock: after {steps} steps {agents} keep moving without finishing their rounds",
    Why.RAISED: "{who} raised {error}",
    Why.LOAD_RAISED: "loading the file raised {error}",
    Why.RAW_SLEEP: "{who} blocks in a raw sleep ({source}): use me.pace(ms) or a primitive",
    Why.RAW_SLEEP_AFTER: "{who} blocks in a raw sleep after line {after}",
    Why.ENDLESS: "{who} ran {seconds} s without reaching any operation (an endless loop?)",
    Why.ENDLESS_AFTER: "{who} ran {seconds} s after line {after} without reaching any operation (an endless loop?)",
    Why.AGENT_EXITED: "{who}'s process ended ({how}) after line {after}",
    Why.UNFINISHED: "{agents} did not finish",
    Why.WORKER_SILENT: "the grader's worker did not answer in time",
    Why.PROCESS_ENDED: "the code ended the whole process ({how}) instead of returning",
    Why.OLD_NAME: "the old name {old} is deprecated since Python 3.10: write {new}",
}
ENGLISH_CYCLE = ("{agent} (waits on {resource})", " -> ")  # one link of a cycle, and what joins links


class Fact(enum.Enum):
    """What an evidence line says: one member per sentence shape (its parameters in the comment)."""

    WAITS_HOLDING = "waits holding"  # who, resource, kind, held (what it holds: "fork 0", "ticket x2")
    WAITS_EMPTY_HANDED = "waits empty-handed"  # who, resource, kind
    STILL_RUNNING = "still running"  # line, source: where an agent that never yields was last seen


ENGLISH_FACTS: Mapping[Fact, str] = {
    Fact.WAITS_HOLDING: "{who} waits on {resource!r} ({kind}), holds {held}",
    Fact.WAITS_EMPTY_HANDED: "{who} waits on {resource!r} ({kind}), holds nothing",
    Fact.STILL_RUNNING: "still running line {line}: {source}",
}


def say(
    templates: Mapping[Shape, str],
    why: Shape,
    params: Mapping[str, Param],
    name: Callable[[str], str] = str,
    join: str = ", ",
    cycle: tuple[str, str] = ENGLISH_CYCLE,
) -> str:
    """The sentence for ``why``: agent names passed through ``name``, lists joined with ``join``."""
    fields: dict[str, object] = {}
    for key, value in params.items():
        named = value
        if key in AGENT_PARAMS:
            named = tuple(map(name, value)) if isinstance(value, tuple) else name(str(value))
        fields[key] = join.join(map(str, named)) if isinstance(named, tuple) else named
    agents, resources = params.get("agents", ()), params.get("resources", ())
    if isinstance(agents, tuple) and isinstance(resources, tuple) and agents and resources:
        link, between = cycle  # who waits on what: a cycle back to its first agent, or a list
        links = [link.format(agent=name(a), resource=r) for a, r in zip(agents, resources, strict=True)]
        fields["cycle"] = between.join([*links, name(agents[0])])
        fields["waits"] = join.join(links)
    return templates[why].format(**fields)


def _params(data: object) -> dict[str, Param]:
    if not isinstance(data, dict):
        raise ValueError("field 'params' must be an object")
    return {str(k): tuple(map(str, v)) if isinstance(v, list | tuple) else v for k, v in data.items()}


def _json_params(params: Mapping[str, Param]) -> dict[str, object]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}


@attrs.frozen
class Evidence:
    """One fact behind a finding: the shape of its sentence and that sentence's parameters."""

    fact: Fact
    params: Mapping[str, Param] = attrs.field(factory=dict)

    @classmethod
    def of(cls, fact: Fact, **params: Param) -> Evidence:
        return cls(fact, params)

    @property
    def text(self) -> str:
        """The line in English."""
        return say(ENGLISH_FACTS, self.fact, self.params)

    def to_json(self) -> dict[str, object]:
        return {"fact": self.fact.value, "params": _json_params(self.params)}

    @classmethod
    def from_json(cls, data: object) -> Evidence:
        if not isinstance(data, dict):
            raise ValueError("each of field 'facts' must be an object")
        return cls(Fact(data["fact"]), _params(data.get("params", {})))


@attrs.frozen
class Finding:
    """A verdict, why (a sentence's shape and its parameters), and the evidence (one fact a line)."""

    verdict: Verdict
    why: Why
    params: Mapping[str, Param] = attrs.field(factory=dict)
    agent: int = -1
    line: int = 0
    facts: tuple[Evidence, ...] = ()

    @classmethod
    def of(
        cls,
        verdict: Verdict,
        why: Why,
        agent: int = -1,
        line: int = 0,
        facts: tuple[Evidence, ...] = (),
        **params: Param,
    ) -> Finding:
        return cls(verdict, why, params, agent, line, facts)

    @property
    def message(self) -> str:
        """The sentence in English."""
        return say(ENGLISH, self.why, self.params)

    @property
    def evidence(self) -> tuple[str, ...]:
        """The evidence in English, one line per fact."""
        return tuple(fact.text for fact in self.facts)

    def to_json(self) -> dict[str, object]:
        """``message`` and ``evidence`` in English; ``why``, ``params`` and ``facts`` for other languages."""
        return {
            "verdict": self.verdict.value,
            "message": self.message,
            "why": self.why.value,
            "params": _json_params(self.params),
            "agent": self.agent,
            "line": self.line,
            "evidence": list(self.evidence),
            "facts": [fact.to_json() for fact in self.facts],
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Finding:
        """Read back what :meth:`to_json` wrote (``evidence`` is made again from ``facts``)."""
        facts = data.get("facts", [])
        if not isinstance(facts, list):
            raise ValueError("field 'facts' must be a list")
        return cls(
            Verdict(data["verdict"]),
            Why(data["why"]),
            _params(data.get("params", {})),
            int(data.get("agent", -1)),  # type: ignore[call-overload]
            int(data.get("line", 0)),  # type: ignore[call-overload]
            tuple(Evidence.from_json(f) for f in facts),
        )


PASSED = Finding.of(Verdict.PASS, Why.PASSED)
