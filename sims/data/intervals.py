"""The intervals table: every wait and every hold of a round, one row each, a chunk at a time.

A wait ends with the record that carries its length (``acquired`` with a value above 0,
``timed_out``, ``abandoned``, an Event's, Condition's or Barrier's ``woken``, ``wait_timed_out``
or a barrier's ``broken``): it ran from
``t - value`` to ``t``. An uncontended acquisition (value 0) is no wait. A wait whose agent
wrote a ``request`` or ``wait`` and nothing that ended it is ``still_waiting`` at the round's
end (an agent is one thread: it waits for one thing at a time).

Holds are the pairing of :mod:`sims.stats.intervals` (as :func:`sims.stats.hold_intervals`):
``released``, or ``held_at_end`` when nothing released it before the round ended. A resource
used to signal (released by agents that never acquired it) has no holds; that is a property
of the whole round, found first by a cheap pass (:class:`sims.stats.carried.Balances`).

The records are read in time-ordered chunks and only what is open is kept between them
(each key's acquisitions, each agent's request), so memory does not grow with the round.
Rows cannot then be sorted by start: each chunk's finished intervals come sorted by end, then
start (so the whole table is), and the ones still open at the round's end come last.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator

import numpy as np

from sims.data.columns import Column, Ints, Names, Table
from sims.rounds.result import RoundResult
from sims.stats.carried import Balances, CarriedPairs
from sims.stats.intervals import Columns, Holds
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
_OUTCOME_OF_OP = np.full(1 << 16, -1, np.int32)  # op code -> the outcome of the wait it ends, -1: none
_OUTCOME_OF_OP[[op.value for op in _ENDING]] = [_OUTCOMES.index(o) for o in _ENDING.values()]
_MOVES = np.zeros(1 << 16, bool)  # op code -> acquired or released
_MOVES[[Op.ACQUIRED, Op.RELEASED]] = True
_STARTS_WAIT = np.zeros(1 << 16, bool)
_STARTS_WAIT[[Op.REQUEST, Op.WAIT]] = True
CHUNK = 1 << 19  # records read at a time: a table of about 120 k rows at zero pacing (1 M: +35 MB peak, no faster)
RELEASED, HELD_AT_END = _OUTCOMES.index(Outcome.RELEASED), _OUTCOMES.index(Outcome.HELD_AT_END)
STILL_WAITING = _OUTCOMES.index(Outcome.STILL_WAITING)


def intervals_table(result: RoundResult) -> Table:
    """The whole table in memory (a short round, tests): :func:`interval_tables` joined."""
    tables = list(interval_tables(result))
    return Table({name: _joined([t.columns[name] for t in tables]) for name in tables[0].columns})


def interval_tables(result: RoundResult, chunk: int = CHUNK) -> Iterator[Table]:
    """Waits and holds, a table per chunk of records (at least one table); times in ns since
    the round's start. Two passes over the records, each holding one chunk at a time."""
    n_agents = len(result.layout.agents)
    signals, before = result.records.signals, None  # the engine's spill knows them: no first pass
    if signals is None:
        balances = _balances(result, chunk)
        signals, before = balances.signalled(), balances.from_before(result.started_ns)
    pairs = CarriedPairs(result.started_ns, before)
    signalled = None if not signals.size else np.zeros(1 << 15, bool)  # resource -> used as a signal
    if signalled is not None:
        signalled[signals] = True
    waiting = OpenWaits(n_agents)
    rows = Rows(result)
    held_back = rows.none()
    for columns in result.records.column_chunks(chunk):
        cols = Columns(*(columns[name] for name in ("t_ns", "agent", "resource", "op", "value")))
        waiting.feed(cols)
        upto = cols.select(slice(int(np.searchsorted(cols.t, result.ended_ns, side="right"))))
        moves = _MOVES[upto.op] & (upto.agent >= 0) & (upto.resource >= 0)
        done, _ = pairs.pair(upto.select(moves if signalled is None else moves & ~signalled[upto.resource]))
        found = _sorted(_concat((held_back, _waits(cols), rows.holds(done))))
        if not cols.t.size:
            held_back = found
            continue
        # rows ending at the chunk's last instant wait for the next chunk's (they may end then too)
        cut = int(np.searchsorted(found[3], cols.t[-1], side="left"))
        held_back = tuple(column[cut:] for column in found)  # type: ignore[assignment]
        if cut:
            yield rows.table(tuple(column[:cut] for column in found))  # type: ignore[arg-type]
    still = (waiting.still_open(result.ended_ns), rows.holds(pairs.open_holds(result.ended_ns)))
    yield rows.table(_concat((_sorted(held_back), _sorted(_concat(still)))))


def _balances(result: RoundResult, chunk: int) -> Balances:
    """The first pass: which resources are signals (or, for a slice, what was held before it)."""
    balances = Balances(len(result.layout.agents), len(result.layout.resources))
    for columns in result.records.column_chunks(chunk, ("t_ns", "agent", "resource", "op")):
        upto = int(np.searchsorted(columns["t_ns"], result.ended_ns, side="right"))
        balances.feed(*(columns[name][:upto] for name in ("agent", "resource", "op")))
    return balances


Part = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # agent, resource, start, end, outcome


class Rows:
    """Parts of rows (absolute times, codes) made into the table's columns."""

    def __init__(self, result: RoundResult) -> None:
        self.origin, self.end_ns = result.started_ns, result.ended_ns
        self.agents = tuple(a.name for a in result.layout.agents)
        self.resources = tuple(r.name for r in result.layout.resources)

    @staticmethod
    def none() -> Part:
        return tuple(np.empty(0, np.int64) for _ in range(5))  # type: ignore[return-value]

    def holds(self, held: Holds) -> Part:
        outcome = np.where(held.end_ns < self.end_ns, RELEASED, HELD_AT_END)
        return held.agent, held.resource, held.start_ns, held.end_ns, outcome

    def table(self, part: Part) -> Table:
        agent, resource, start, end, outcome = part
        kind = (outcome == RELEASED) | (outcome == HELD_AT_END)
        return Table(
            {
                "agent": Names(agent.astype(np.int32), self.agents),
                "resource": Names(resource.astype(np.int32), self.resources),
                "kind": Names(kind.astype(np.int32), tuple(k.value for k in Kind)),
                "start_ns": Ints(start - self.origin),
                "end_ns": Ints(end - self.origin),
                "duration_ns": Ints(end - start),
                "outcome": Names(outcome.astype(np.int32), tuple(o.value for o in Outcome)),
            }
        )


def _waits(cols: Columns) -> Part:
    """The waits that end among ``cols``."""
    outcome = _OUTCOME_OF_OP[cols.op]
    mine = np.flatnonzero((outcome >= 0) & (cols.value > 0) & (cols.agent >= 0) & (cols.resource >= 0))
    t = cols.t[mine]
    return cols.agent[mine], cols.resource[mine], t - cols.value[mine], t, outcome[mine]


class OpenWaits:
    """Each agent's last ``request`` or ``wait`` that nothing has ended yet, over time-ordered chunks."""

    def __init__(self, n_agents: int) -> None:
        self.n_agents = n_agents
        self.open = np.zeros(n_agents, bool)
        self.t = np.zeros(n_agents, np.int64)
        self.resource = np.zeros(n_agents, np.int64)

    def feed(self, cols: Columns) -> None:
        starts = _STARTS_WAIT[cols.op]
        mine = np.flatnonzero((starts | (_OUTCOME_OF_OP[cols.op] >= 0)) & (cols.agent >= 0))
        mine = mine[cols.agent[mine] < self.n_agents]
        last = _last_of_each(cols.agent[mine], self.n_agents)  # each agent's last start or end here
        who = np.flatnonzero(last >= 0)
        at = mine[last[who]]
        self.open[who] = starts[at]
        self.t[who] = cols.t[at]
        self.resource[who] = cols.resource[at]

    def still_open(self, end_ns: int) -> Part:
        which = np.flatnonzero(self.open)
        end = np.full(which.size, end_ns, np.int64)
        return which, self.resource[which], self.t[which], end, np.full(which.size, STILL_WAITING, np.int64)


def _last_of_each(agent: np.ndarray, n_agents: int) -> np.ndarray:
    """For each agent 0..n_agents-1 (all ``agent`` are), the index of its last row in ``agent``
    (-1: none), looked for from the end: an agent at work in a chunk shows up near its end."""
    last = np.full(n_agents, -1, np.int64)
    wanted = np.bincount(agent, minlength=n_agents) > 0
    stop, block = agent.size, 4096
    while stop > 0 and (wanted & (last < 0)).any():
        start = max(0, stop - block)
        np.maximum.at(last, agent[start:stop], np.arange(start, stop))
        stop, block = start, 2 * block
    return last


def _concat(parts: tuple[Part, ...]) -> Part:
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(5))  # type: ignore[return-value]


def _sorted(part: Part) -> Part:
    """By end, then start."""
    order = np.lexsort((part[2], part[3]))
    return tuple(column[order] for column in part)  # type: ignore[return-value]


def _joined(columns: list[Column]) -> Column:
    """One column of the table's chunks (names or integers: what this table has)."""
    first = columns[0]
    if isinstance(first, Names):
        return Names(np.concatenate([c.codes for c in columns if isinstance(c, Names)]), first.names)
    return Ints(np.concatenate([c.values for c in columns if isinstance(c, Ints)]))
