"""Which values of one statistic a set of goals allows, kept as an interval so checking is linear.

Every goal on a number is a half-line, a point or a hole (``!=``); together with the
statistic's declared range they leave one interval with some holes. Adding a goal narrows
it in constant time, so the checker handles a thousand goals in a thousand steps (a search
over test points was cubic). Numbers are treated as real: an interval with room in it is
never used up by finitely many holes.
"""

from __future__ import annotations

from sims.levels.schema import Goal, Number, Op
from sims.levels.statnames import STATS


class Feasible:
    """The values of one statistic that meet every goal added so far (mutable, internal)."""

    def __init__(self, stat: str) -> None:
        info = STATS[stat]
        self.boolean = info.kind == "bool"
        self.truths = {False, True}  # boolean statistics: the values still allowed
        self.lo, self.lo_open, self.hi, self.hi_open = info.low, False, info.high, False
        self.holes: set[float] = set()

    def add(self, goal: Goal) -> None:
        if self.boolean:
            self.truths &= {v for v in (False, True) if goal.holds(v)}
            return
        v = float(goal.value)
        match goal.op:
            case Op.GE | Op.GT:
                self._raise_lo(v, goal.op is Op.GT)
            case Op.LE | Op.LT:
                self._lower_hi(v, goal.op is Op.LT)
            case Op.EQ:
                self._raise_lo(v, False)
                self._lower_hi(v, False)
            case Op.NE:
                self.holes.add(v)

    def _raise_lo(self, v: float, open_: bool) -> None:
        if v > self.lo or (v == self.lo and open_):
            self.lo, self.lo_open = v, open_

    def _lower_hi(self, v: float, open_: bool) -> None:
        if v < self.hi or (v == self.hi and open_):
            self.hi, self.hi_open = v, open_

    def empty(self) -> bool:
        if self.boolean:
            return not self.truths
        if self.lo < self.hi:
            return False
        return self.lo > self.hi or self.lo_open or self.hi_open or self.lo in self.holes

    def within(self, goal: Goal) -> bool:
        """Whether every allowed value meets ``goal`` (vacuously true when nothing is allowed)."""
        if self.empty():
            return True
        if self.boolean:
            return all(goal.holds(v) for v in self.truths)
        v = float(goal.value)
        match goal.op:
            case Op.GE:
                return self.lo >= v
            case Op.GT:
                return self.lo > v or (self.lo == v and self.lo_open)
            case Op.LE:
                return self.hi <= v
            case Op.LT:
                return self.hi < v or (self.hi == v and self.hi_open)
            case Op.EQ:
                return self.lo == self.hi == v
            case Op.NE:
                return not self._allows(v)
        return False

    def _allows(self, v: Number) -> bool:
        above = v > self.lo or (v == self.lo and not self.lo_open)
        below = v < self.hi or (v == self.hi and not self.hi_open)
        return above and below and v not in self.holes
