"""Uncontended holds that agents summed up instead of recording (detail off), as statistics see them.

An agent's Tally (``sims.primitives._tally``) writes, per Lock, a HOLDS, HELD and LONGEST_HOLD
record: how many uncontended holds since its last summary, their ns in all and the longest.
Each such hold stands for an ACQUIRED that waited 0 ns and a RELEASED by the same agent, so:

- acquisitions and waits: each hold is one acquisition and one wait of 0 ns (waits' percentiles
  stay exact: the zeros are counted, as for recorded fast-path waits);
- holds: count, mean and longest stay exact; p50, p95 and p99 of an agent whose holds include
  summed-up ones are not known (NaN, ``null`` in summary.json);
- utilisation: the summed-up ns are added to the resource's time in use.

A summary counts in the window that holds its stamp (see docs/data.md, "Detail off").
"""

from __future__ import annotations

import attrs
import numpy as np

from sims.stats.intervals import Columns
from sims.telemetry import Op

COUNT, MEAN, MAX = 0, 1, 5  # columns of a grouped_summary_ns row; 2-4 are p50, p95, p99


@attrs.frozen(eq=False)
class Tallied:
    """Summed-up holds per (agent, resource): arrays of shape (agents, resources)."""

    holds: np.ndarray
    held_ns: np.ndarray
    longest_ns: np.ndarray

    @classmethod
    def empty(cls, n_agents: int, n_resources: int) -> Tallied:
        shape = (max(n_agents, 0), max(n_resources, 0))
        return cls(*(np.zeros(shape, np.int64) for _ in range(3)))

    @classmethod
    def of(cls, cols: Columns, n_agents: int, n_resources: int) -> Tallied:
        """The summaries among ``cols`` (agents 0 .. n_agents-1, resources 0 .. n_resources-1)."""
        found = cls.empty(n_agents, n_resources)
        found.add(cols)
        return found

    def add(self, cols: Columns) -> None:
        """Add the summaries among ``cols`` (in place: the arrays are counters)."""
        n_agents, n_resources = self.holds.shape
        op = cols.op
        mine = ((op == Op.HOLDS) | (op == Op.HELD) | (op == Op.LONGEST_HOLD)) & (cols.agent >= 0)
        if not mine.any():
            return
        mine &= (cols.agent < n_agents) & (cols.resource >= 0) & (cols.resource < n_resources)
        at = cols.select(mine)
        key = at.agent.astype(np.int64) * n_resources + at.resource
        for which, into in ((Op.HOLDS, self.holds), (Op.HELD, self.held_ns)):
            chosen = at.op == which
            into.flat[:] += np.bincount(key[chosen], weights=at.value[chosen], minlength=into.size).astype(np.int64)
        longest = at.op == Op.LONGEST_HOLD
        np.maximum.at(self.longest_ns.reshape(-1), key[longest], at.value[longest])

    def by_agent(self) -> np.ndarray:
        """Summed-up holds of each agent (its extra zero waits)."""
        by_agent: np.ndarray = self.holds.sum(axis=1)
        return by_agent

    def by_resource(self) -> np.ndarray:
        by_resource: np.ndarray = self.holds.sum(axis=0)
        return by_resource

    def held_by_resource(self) -> np.ndarray:
        held: np.ndarray = self.held_ns.sum(axis=0)
        return held

    def hold_table(self, recorded: np.ndarray, signalled: np.ndarray) -> np.ndarray:
        """Each agent's hold row (``grouped_summary_ns``) with its summed-up holds added, except
        on ``signalled`` resources, which have no holds (see ``sims.stats.intervals``).

        Count, mean and max stay exact; the percentiles of a row with summed-up holds are NaN.
        """
        kept = np.ones(self.holds.shape[1], dtype=bool)
        signalled = np.asarray(signalled, dtype=np.int64)
        kept[signalled[(signalled >= 0) & (signalled < kept.size)]] = False
        holds, held = self.holds[:, kept].sum(axis=1), self.held_ns[:, kept].sum(axis=1)
        longest = self.longest_ns[:, kept].max(axis=1, initial=0)
        n = min(recorded.shape[0], holds.size)
        table = recorded.astype(np.float64, copy=True)
        holds, held, longest = holds[:n], held[:n], longest[:n]
        count = table[:n, COUNT] + holds
        total = table[:n, MEAN] * table[:n, COUNT] + held
        table[:n, COUNT] = count
        np.divide(total, count, out=table[:n, MEAN], where=count > 0)
        table[:n, MAX] = np.maximum(table[:n, MAX], longest)
        table[:n, COUNT + 2 : MAX][holds > 0] = np.nan
        return table
