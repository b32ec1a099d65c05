"""Shared state without a lock of its own, handed to player code: counters and the pass.

Every read and write is a scheduling point, so the explorer can interleave a
``count.value += 1`` between its read and its write. Both live in plain lists for thread
agents and in shared memory for process agents (``ctx``). The pass watches its own items
and keeps its first violation for the explorer to collect (``failure``).
"""

from __future__ import annotations

import enum
import pickle
from typing import TYPE_CHECKING, Any

from sims.explore.verdict import Finding, Verdict, Why
from sims.telemetry import Op

if TYPE_CHECKING:
    from sims.runtime import Runtime

MAX_ITEMS = 4096  # items one pass sees in one run
ITEM_BYTES = 256  # a pickled item on a process pass


def _ints(ctx: Any, values: list[int]) -> Any:
    return list(values) if ctx is None else ctx.RawArray("q", values)


class Shared:
    """Base of the counter and the pass: a named resource whose every use is a point."""

    def __init__(self, name: str, index: int, runtime: Runtime) -> None:
        self.name = name
        self.index = index
        self._rt = runtime  # its agents_here names the calling agent's seat

    def _point(self, op: Op, label: str) -> None:
        seat = getattr(self._rt.agents_here, "explorer", None)
        if seat is not None:
            seat.point(op, self.index, label)


class Counter(Shared):
    """A shared integer with no lock of its own: ``self.count.value += 1`` is a race."""

    kind = "counter"

    def __init__(self, name: str, index: int, runtime: Runtime, value: int = 0, ctx: Any = None) -> None:
        super().__init__(name, index, runtime)
        self._cell = _ints(ctx, [value])

    @property
    def value(self) -> int:
        self._point(Op.COUNTER, "read")
        return int(self._cell[0])

    @value.setter
    def value(self, new: int) -> None:
        self._point(Op.COUNTER, "write")
        self._cell[0] = new

    def peek(self) -> int:
        """The value now, read by the explorer between steps (not a scheduling point)."""
        return int(self._cell[0])

    def __repr__(self) -> str:
        return f"<Counter {self.name!r} {self._cell[0]}>"


class Fault(enum.IntEnum):
    """The first thing that went wrong on a pass (kept in its shared state)."""

    NONE = 0
    PUT_ON_FULL = 1
    PUTS_RACED = 2
    TAKEN_FROM_EMPTY = 3
    TAKEN_TWICE = 4


_HEAD, _TAIL, _SERIAL, _FAULT, _WHERE = range(5)


class Pass(Shared):
    """The kitchen's pass: K slots in a ring, no lock of its own; it watches every item."""

    kind = "pass"

    def __init__(self, name: str, index: int, runtime: Runtime, slots: int, ctx: Any = None) -> None:
        super().__init__(name, index, runtime)
        self._state = _ints(ctx, [0] * 5)
        self._slots = _ints(ctx, [0] * slots)  # the serial number of the item in each slot, 0 if empty
        self._taken = _ints(ctx, [0] * (MAX_ITEMS + 1))  # per serial: how many times taken
        self._items: Any = [None] * slots if ctx is None else ctx.RawArray("c", slots * ITEM_BYTES)
        self._process = ctx is not None

    @property
    def slots(self) -> int:
        """How many items the pass holds when full."""
        return len(self._slots)

    @property
    def count(self) -> int:
        """Items on the pass now (a read of shared state: a scheduling point)."""
        self._point(Op.ITEM_PUT, "count the items on")
        return sum(1 for serial in self._slots if serial)

    def serials(self) -> list[int]:
        """The items on the pass now (serial numbers, from the oldest), read by the explorer
        between steps (not a scheduling point)."""
        tail, slots = self._state[_TAIL], list(self._slots)
        return [s for s in slots[tail:] + slots[:tail] if s]

    def put(self, item: Any) -> None:
        self._point(Op.ITEM_PUT, "find a slot on")
        head = self._state[_HEAD]
        self._point(Op.ITEM_PUT, "put on")
        if self._slots[head]:
            self._fault(Fault.PUT_ON_FULL if all(self._slots) else Fault.PUTS_RACED, head)
        serial = min(self._state[_SERIAL] + 1, MAX_ITEMS)
        self._state[_SERIAL] = serial
        self._slots[head] = serial
        self._store(head, item)
        self._state[_HEAD] = (head + 1) % len(self._slots)

    def take(self) -> Any:
        self._point(Op.ITEM_TAKEN, "find an item on")
        tail = self._state[_TAIL]
        self._point(Op.ITEM_TAKEN, "take from")
        serial = self._slots[tail]
        self._slots[tail] = 0
        self._state[_TAIL] = (tail + 1) % len(self._slots)
        if not serial:
            self._fault(Fault.TAKEN_FROM_EMPTY, tail)
            return None
        self._taken[serial] += 1
        if self._taken[serial] > 1:
            self._fault(Fault.TAKEN_TWICE, serial)
        return self._load(tail)

    def _store(self, slot: int, item: Any) -> None:
        if not self._process:
            self._items[slot] = item
            return
        raw = pickle.dumps(item)
        if len(raw) > ITEM_BYTES:
            raise ValueError(f"{self.name!r}: an item must pickle to at most {ITEM_BYTES} bytes on process agents")
        self._items[slot * ITEM_BYTES : slot * ITEM_BYTES + len(raw)] = raw

    def _load(self, slot: int) -> Any:
        if not self._process:
            return self._items[slot]
        return pickle.loads(bytes(self._items[slot * ITEM_BYTES : (slot + 1) * ITEM_BYTES]))

    def _fault(self, fault: Fault, where: int) -> None:
        if self._state[_FAULT] == Fault.NONE:
            self._state[_FAULT], self._state[_WHERE] = fault, where

    def failure(self) -> Finding | None:
        """The first violation on this pass, if any."""
        fault, where = Fault(self._state[_FAULT]), self._state[_WHERE]
        name = self.name
        if fault is Fault.PUT_ON_FULL:
            return Finding.of(Verdict.OVER_CAPACITY, Why.PUT_ON_FULL, resource=name, slot=where)
        if fault is Fault.PUTS_RACED:
            return Finding.of(Verdict.ITEM_LOST, Why.PUTS_RACED, resource=name, slot=where)
        if fault is Fault.TAKEN_FROM_EMPTY:
            return Finding.of(Verdict.ITEM_DUPLICATED, Why.TAKEN_FROM_EMPTY, resource=name, slot=where)
        if fault is Fault.TAKEN_TWICE:
            return Finding.of(Verdict.ITEM_DUPLICATED, Why.TAKEN_TWICE, resource=name, item=where)
        return None

    def audit(self) -> Finding | None:
        """At the end of a finished run: the first violation, or an item put and never taken."""
        lost = [s for s in range(1, self._state[_SERIAL] + 1) if not self._taken[s]]
        if lost and self.failure() is None:
            items = tuple(map(str, lost))
            return Finding.of(Verdict.ITEM_LOST, Why.NEVER_TAKEN, resource=self.name, items=items)
        return self.failure()

    def __repr__(self) -> str:
        return f"<Pass {self.name!r} {sum(1 for s in self._slots if s)}/{len(self._slots)}>"
