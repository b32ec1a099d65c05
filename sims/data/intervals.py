"""The intervals table: every wait and every hold of a round, one row each.

A wait ends with the record that carries its length (``acquired`` with a value above 0,
``timed_out``, ``abandoned``, an Event's, Condition's or Barrier's ``woken``, ``wait_timed_out``
or a barrier's ``broken``): it ran from
``t - value`` to ``t``. An uncontended acquisition (value 0) is no wait. A wait whose agent
wrote a ``request`` or ``wait`` and nothing that ended it is ``still_waiting`` at the round's
end (an agent is one thread: it waits for one thing at a time).

Holds are :func:`sims.stats.hold_intervals` over the round: ``released``, or
``held_at_end`` when nothing released it before the round ended. A semaphore used to signal
(released by agents that never acquired it) has no holds (see sims.stats.intervals).
"""

from __future__ import annotations

import enum

import numpy as np

from sims.data.columns import Ints, Names, Table
from sims.rounds.result import RoundResult
from sims.stats import hold_intervals
from sims.telemetry import Op


class Kind(enum.Enum):
    WAIT = "wait"
    HOLD = "hold"


class Outcome(enum.Enum):
    ACQUIRED = "acquired"
    TIMED_OUT = "timed_out"
    ABANDONED = "abandoned"
    WOKEN = "woken"
    BROKEN = "broken"
    STILL_WAITING = "still_waiting"
    RELEASED = "released"
    HELD_AT_END = "held_at_end"


_ENDING = {
    Op.ACQUIRED: Outcome.ACQUIRED,
    Op.TIMED_OUT: Outcome.TIMED_OUT,
    Op.ABANDONED: Outcome.ABANDONED,
    Op.WOKEN: Outcome.WOKEN,
    Op.WAIT_TIMED_OUT: Outcome.TIMED_OUT,
    Op.BROKEN: Outcome.BROKEN,
}
_OUTCOMES = list(Outcome)


def intervals_table(result: RoundResult) -> Table:
    """Waits then holds, sorted by start; times in ns since the round's start."""
    ev, origin = result.events, result.started_ns
    parts = [_waits(ev), _open_waits(ev, len(result.layout.agents), result.ended_ns)]
    parts.append(_holds(ev, result.started_ns, result.ended_ns))
    agent, resource, start, end, outcome = (np.concatenate([p[i] for p in parts]) for i in range(5))
    kind = np.where(np.isin(outcome, [_OUTCOMES.index(o) for o in (Outcome.RELEASED, Outcome.HELD_AT_END)]), 1, 0)
    order = np.argsort(start, kind="stable")
    names = tuple(a.name for a in result.layout.agents)
    return Table(
        {
            "agent": Names(agent[order].astype(np.int32), names),
            "resource": Names(resource[order].astype(np.int32), tuple(r.name for r in result.layout.resources)),
            "kind": Names(kind[order].astype(np.int32), tuple(k.value for k in Kind)),
            "start_ns": Ints(start[order] - origin),
            "end_ns": Ints(end[order] - origin),
            "duration_ns": Ints(end[order] - start[order]),
            "outcome": Names(outcome[order].astype(np.int32), tuple(o.value for o in Outcome)),
        }
    )


Part = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # agent, resource, start, end, outcome


def _waits(ev: np.ndarray) -> Part:
    op, value = ev["op"], ev["value"]
    outcome = np.full(op.size, -1, np.int64)
    for ending, result in _ENDING.items():
        outcome[op == ending] = _OUTCOMES.index(result)
    mine = np.flatnonzero((outcome >= 0) & (value > 0) & (ev["agent"] >= 0) & (ev["resource"] >= 0))
    t = ev["t_ns"][mine]
    return ev["agent"][mine], ev["resource"][mine], t - value[mine], t, outcome[mine]


def _open_waits(ev: np.ndarray, n_agents: int, end_ns: int) -> Part:
    op, agent = ev["op"], ev["agent"]
    mine = (agent >= 0) & (agent < n_agents)
    starts = np.flatnonzero(mine & ((op == Op.REQUEST) | (op == Op.WAIT)))
    ends = np.flatnonzero(mine & np.isin(op, list(_ENDING)))
    last_start = np.full(n_agents, -1, np.int64)
    last_end = np.full(n_agents, -1, np.int64)
    for found, last in ((starts, last_start), (ends, last_end)):
        who, at = last_of_each(agent[found], n_agents)
        last[who] = found[at]
    which = last_start[last_start > last_end]
    n = which.size
    return (
        agent[which],
        ev["resource"][which],
        ev["t_ns"][which],
        np.full(n, end_ns, np.int64),
        np.full(n, _OUTCOMES.index(Outcome.STILL_WAITING), np.int64),
    )


def last_of_each(agent: np.ndarray, n_agents: int) -> tuple[np.ndarray, np.ndarray]:
    """(agents 0..n_agents-1 present, the index of each one's last row in ``agent``)."""
    reverse = agent[::-1]
    who, first = np.unique(reverse, return_index=True)
    keep = (who >= 0) & (who < n_agents)
    return who[keep].astype(np.int64), agent.size - 1 - first[keep]


def _holds(ev: np.ndarray, start_ns: int, end_ns: int) -> Part:
    held = hold_intervals(ev, start_ns, end_ns)
    released = _OUTCOMES.index(Outcome.RELEASED)
    outcome = np.where(held["end_ns"] < end_ns, released, _OUTCOMES.index(Outcome.HELD_AT_END))
    return held["agent"], held["resource"], held["start_ns"], held["end_ns"], outcome
