"""What player code gets besides the primitives: ``me``, shared counters and the pass.

Every operation on shared state is a scheduling point, so the explorer can interleave a
``count += 1`` between its read and its write. The checks (``me.critical``, the pass's
items, the exercise's step order) watch what the agents do and keep the first violation.
"""

from __future__ import annotations

import contextlib
import random
import threading
from collections.abc import Iterator
from typing import Any

from sims.explore.verdict import Finding, Verdict
from sims.telemetry import Op


class Checks:
    """The run's referee: the first violation it sees is the run's verdict."""

    def __init__(self, names: list[str], order: tuple[tuple[str, str], ...]) -> None:
        self.names = names  # agent names, for evidence
        self.failure: Finding | None = None
        self._inside: dict[str, list[int]] = {}
        self._order = order  # (later, earlier): the k-th `later` waits for everyone's k-th `earlier`
        self._steps: dict[str, list[int]] = {}
        self._lock = threading.Lock()  # free runs: agents report at the same time

    def fail(self, finding: Finding) -> None:
        with self._lock:
            if self.failure is None:
                self.failure = finding

    def enter(self, section: str, agent: int, line: int) -> None:
        with self._lock:
            inside = self._inside.setdefault(section, [])
            inside.append(agent)
            others = [self.names[a] for a in inside if a != agent]
        if others:
            self.fail(
                Finding(
                    Verdict.MUTUAL_EXCLUSION,
                    f"{self.names[agent]} entered critical section {section!r} while {', '.join(others)} was inside",
                    agent,
                    line,
                )
            )

    def leave(self, section: str, agent: int) -> None:
        with self._lock:
            self._inside[section].remove(agent)

    def step(self, label: str, agent: int, line: int) -> None:
        with self._lock:
            counts = self._steps.setdefault(label, [0] * len(self.names))
            counts[agent] += 1
            k = counts[agent]
        for later, earlier in self._order:
            if label != later:
                continue
            done = self._steps.get(earlier, [0] * len(self.names))
            behind = [self.names[a] for a, n in enumerate(done) if n < k]
            if behind:
                self.fail(
                    Finding(
                        Verdict.GOAL,
                        f"{self.names[agent]} reached {later!r} #{k} "
                        f"before {', '.join(behind)} reached {earlier!r} #{k}",
                        agent,
                        line,
                    )
                )


class PlayerMe:
    """``me`` in player code: name, seeded rng, steps, critical sections, pacing, rounds."""

    def __init__(self, index: int, name: str, rounds: int, seed: int, checks: Checks, seat: Any, stop: Any) -> None:
        self.index = index
        self.name = name
        self.rounds = rounds
        self.rng = random.Random(seed)
        self._checks = checks
        self._seat = seat  # None in a free run
        self._stop = stop  # a threading.Event: the free run is over
        self._started = 0

    def running(self) -> bool:
        """True for the exercise's number of rounds (``while me.running():``)."""
        self._started += 1
        return self._started <= self.rounds and not self._stop.is_set()

    def step(self, label: str) -> None:
        """A labelled point in the code: the explorer may switch agents here."""
        if self._seat is not None:  # explored: the explorer tells the referee once the step is made
            self._seat.point(Op.STEP, -1, f"step {label!r}", "step", label)
        else:
            self._checks.step(label, self.index, 0)

    @contextlib.contextmanager
    def critical(self, section: str) -> Iterator[None]:
        """``with me.critical("name"):`` marks a critical section: two agents inside is a violation."""
        seat = self._seat
        if seat is not None:
            seat.point(Op.STEP, -1, f"enter critical {section!r}", "enter", section)
        else:
            self._checks.enter(section, self.index, 0)
        try:
            yield
        finally:
            if seat is not None:
                seat.point(Op.STEP, -1, f"leave critical {section!r}", "leave", section)
            else:
                self._checks.leave(section, self.index)

    def state(self, state: int) -> None:
        """Accepted for compatibility with the scenarios' code; the grader ignores it."""

    def pace(self, mean_ms: float) -> None:
        """Think or work for about ``mean_ms`` in a free run; a scheduling point when explored."""
        if self._seat is not None:
            self._seat.point(Op.WORK, -1, "pace")
        elif mean_ms > 0:
            self._stop.wait(mean_ms * self.rng.uniform(0.5, 1.5) / 1000.0)


class Shared:
    """Base of the counter and the pass: a named resource whose every use is a point."""

    def __init__(self, name: str, index: int, here: threading.local) -> None:
        self.name = name
        self.index = index
        self._here = here

    def _point(self, op: Op, label: str) -> None:
        seat = getattr(self._here, "explorer", None)
        if seat is not None:
            seat.point(op, self.index, label)


class Counter(Shared):
    """A shared integer with no lock of its own: ``self.count.value += 1`` is a race."""

    kind = "counter"

    def __init__(self, name: str, index: int, here: threading.local, value: int = 0) -> None:
        super().__init__(name, index, here)
        self._value = value

    @property
    def value(self) -> int:
        self._point(Op.COUNTER, "read")
        return self._value

    @value.setter
    def value(self, new: int) -> None:
        self._point(Op.COUNTER, "write")
        self._value = new

    def __repr__(self) -> str:
        return f"<Counter {self.name!r} {self._value}>"


class Pass(Shared):
    """The kitchen's pass: K slots in a ring, no lock of its own; the checks watch each item."""

    kind = "pass"

    def __init__(self, name: str, index: int, here: threading.local, slots: int, checks: Checks) -> None:
        super().__init__(name, index, here)
        self._slots: list[tuple[int, Any] | None] = [None] * slots
        self._head = 0
        self._tail = 0
        self._serial = 0
        self._checks = checks
        self.taken: list[int] = []
        self.put_serials: list[int] = []

    @property
    def slots(self) -> int:
        """How many items the pass holds when full."""
        return len(self._slots)

    @property
    def count(self) -> int:
        """Items on the pass now (a read of shared state: a scheduling point)."""
        self._point(Op.ITEM_PUT, "count the items on")
        return sum(slot is not None for slot in self._slots)

    def put(self, item: Any) -> None:
        self._point(Op.ITEM_PUT, "find a slot on")
        head = self._head
        self._point(Op.ITEM_PUT, "put on")
        if self._slots[head] is not None:
            full = all(slot is not None for slot in self._slots)
            self._checks.fail(
                Finding(
                    Verdict.OVER_CAPACITY if full else Verdict.ITEM_LOST,
                    f"an item was put on a full {self.name!r}: the item in slot {head} is lost"
                    if full
                    else f"two puts raced for slot {head} of {self.name!r}: the first item is overwritten and lost",
                )
            )
        self._serial += 1
        self._slots[head] = (self._serial, item)
        self.put_serials.append(self._serial)
        self._head = (head + 1) % len(self._slots)

    def take(self) -> Any:
        self._point(Op.ITEM_TAKEN, "find an item on")
        tail = self._tail
        self._point(Op.ITEM_TAKEN, "take from")
        slot = self._slots[tail]
        self._slots[tail] = None
        self._tail = (tail + 1) % len(self._slots)
        if slot is None:
            self._checks.fail(
                Finding(Verdict.ITEM_DUPLICATED, f"an item was taken from an empty slot {tail} of {self.name!r}")
            )
            return None
        if slot[0] in self.taken:
            self._checks.fail(Finding(Verdict.ITEM_DUPLICATED, f"item #{slot[0]} was taken twice from {self.name!r}"))
        self.taken.append(slot[0])
        return slot[1]

    def audit(self) -> Finding | None:
        """At the end of a finished run: every item put was taken exactly once."""
        lost = sorted(set(self.put_serials) - set(self.taken))
        if lost:
            return Finding(Verdict.ITEM_LOST, f"items {lost} were put on {self.name!r} and never taken")
        return None

    def __repr__(self) -> str:
        return f"<Pass {self.name!r} {sum(s is not None for s in self._slots)}/{len(self._slots)}>"
