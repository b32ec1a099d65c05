"""The table as it was after each step of an explored run: who holds what, who waits on what.

A counterexample is stepped forward and back in the window; each step must show the same
picture whichever way it was reached. So the pictures are taken once, while the schedule is
played (:class:`TableKeeper`, fed after every step), and the window only looks them up.
Holdings are folded from the primitives' own records, a step's records at a time; each agent's
state and line come from its seat; counters and the pass are read without a scheduling point.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any

import attrs

from sims.explore.seat import Report, Seat
from sims.explore.waits import Holdings, describe_holds
from sims.kinds import ResourceKind
from sims.primitives.statistics import ResourceStatistics


class AgentState(enum.Enum):
    """Where an agent stands between two steps."""

    RUNNING = "running"  # made the step just taken
    READY = "ready"  # parked before its next operation, may be picked
    BLOCKED = "blocked"  # tried an operation that would block; waits on ``waiting_on``
    DONE = "done"  # run() returned
    FAILED = "failed"  # run() raised
    NOT_STARTED = "not started"  # never reached a first operation (the run ended before its start)


@attrs.frozen
class AgentAt:
    """One agent after a step: its state, the line it stands on, what it waits on (-1: nothing)."""

    state: AgentState
    line: int
    waiting_on: int = -1


@attrs.frozen
class TableAt:
    """The whole table after a step: agents, primitives (as ``statistics()`` shows them), values.

    ``taken``: per resource, acquisitions minus releases (a semaphore used as a signal is
    acquired by one agent and released by another). ``values``: per resource, a counter's value
    (None for anything else).
    """

    agents: tuple[AgentAt, ...]
    resources: tuple[ResourceStatistics, ...]
    taken: tuple[int, ...]
    values: tuple[int | None, ...]


_KINDS = {"counter": ResourceKind.COUNTER, "pass": ResourceKind.CONTAINER}
_STATES = {Report.DONE: AgentState.DONE, Report.ERROR: AgentState.FAILED, Report.BLOCKED: AgentState.BLOCKED}


class TableKeeper:
    """Takes the table's picture after each step of one run (``resources``: the run's, by index)."""

    def __init__(self, resources: Sequence[Any], agents: int) -> None:
        self._resources = resources
        self._holdings = Holdings(agents)
        self._seen = 0  # records of the run's log folded so far
        self._since: dict[int, int] = {}  # blocked agent -> the step it blocked at (arrival order)
        self._steps = 0
        self._last: TableAt | None = None

    def take(self, seats: Sequence[Seat], log: Sequence[tuple[int, int, int]], mover: int) -> TableAt:
        """The picture now; ``mover``: the agent that made the step just taken (-1: none yet)."""
        self._holdings.feed(log[self._seen :])
        self._seen = len(log)
        self._steps += 1
        agents = tuple(self._agent(i, seat, mover) for i, seat in enumerate(seats))
        for i, agent in enumerate(agents):
            if agent.state is AgentState.BLOCKED:
                self._since.setdefault(i, self._steps)
            else:
                self._since.pop(i, None)
        waiting = sorted(self._since, key=lambda a: (self._since[a], a))
        resources = tuple(self._resource(r, res, agents, waiting) for r, res in enumerate(self._resources))
        taken = tuple(self._holdings.out[r] for r in range(len(self._resources)))
        values = tuple(res.peek() if getattr(res, "kind", "") == "counter" else None for res in self._resources)
        if self._last is not None:  # unchanged primitives share one object: a long schedule pickles small
            resources = tuple(o if o == n else n for o, n in zip(self._last.resources, resources, strict=True))
        self._last = TableAt(agents, resources, taken, values)
        return self._last

    def holds(self) -> tuple[str, ...]:
        """Per agent, what it holds as of the last picture (``ticket x2, mutex``)."""
        names = [r.name for r in self._resources]
        return tuple(describe_holds(h, names) for h in self._holdings.held)

    @staticmethod
    def _agent(index: int, seat: Seat, mover: int) -> AgentAt:
        pending = seat.pending
        state = _STATES.get(pending.report, AgentState.RUNNING if index == mover else AgentState.READY)
        if state is AgentState.READY and not pending.line:
            state = AgentState.NOT_STARTED
        waiting = pending.resource if state is AgentState.BLOCKED else -1
        return AgentAt(state, pending.line, waiting)

    def _resource(self, index: int, res: Any, agents: Sequence[AgentAt], waiting: Sequence[int]) -> ResourceStatistics:
        kind = _KINDS.get(res.kind) or ResourceKind(res.kind)
        lock = res.lock.index if kind is ResourceKind.CONDITION else -1
        owner = lock if lock >= 0 else index
        held = self._holdings.held
        return ResourceStatistics(
            index=index,
            name=res.name,
            kind=kind,
            holders=tuple(a for a in range(len(agents)) if held[a][owner] > 0),
            waiters=tuple(a for a in waiting if agents[a].waiting_on == index),
            capacity=_capacity(res, kind),
            is_set=kind is ResourceKind.EVENT and res.is_set(),
            items=tuple(res.serials()) if kind is ResourceKind.CONTAINER else (),
            recursion=res.recursion if kind is ResourceKind.RLOCK else 0,
            broken=kind is ResourceKind.BARRIER and res.broken,
            lock=lock,
        )


def _capacity(res: Any, kind: ResourceKind) -> int:
    if kind is ResourceKind.CONTAINER:
        return int(res.slots)
    if kind is ResourceKind.COUNTER:
        return 0
    return int(res.capacity)
