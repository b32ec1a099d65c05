"""The kitchen: cooks put dishes on a pass of K slots, waiters take them (producer/consumer)."""

from __future__ import annotations

import contextlib
import queue
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from sims.agents import AgentBody, Me
from sims.kinds import ResourceKind
from sims.primitives import Condition, Lock, Semaphore
from sims.rounds.layout import RoundLayout
from sims.rounds.world import World
from sims.runtime import SLICE_S, RoundStopped
from sims.scenarios.base import Drawing, ParamSpec, Scenario
from sims.telemetry import Op, State

if TYPE_CHECKING:
    import numpy as np

ITEM_SHIFT = 32  # item id = (cook + 1) << 32 | dish number: unique without coordination
REACH_MS = 1.0
"""no-mutex: the walk from reading a slot's position to using it, the window two agents share."""


def guarded(mutex: Lock | None) -> contextlib.AbstractContextManager[Any]:
    """The mutex around the pass, or (no-mutex) nothing at all."""
    return mutex if mutex is not None else contextlib.nullcontext()


def dawdle(me: Me, mutex: Lock | None) -> Callable[[], None] | None:
    """Without the mutex, a pause between reading the pass and changing it: the race window."""
    return None if mutex is not None else (lambda: me.pace(REACH_MS))


def cook_dish(me: Me, cook: int, dish: int, cook_ms: float) -> int:
    """Cook dish number ``dish``; its item id."""
    me.state(State.PRODUCING)
    me.pace(cook_ms)
    return (cook + 1) << ITEM_SHIFT | dish


def put_on_pass(slots: Any, item: int, between: Callable[[], None] | None = None) -> None:
    """Put ``item`` at the head of the ring ``slots`` (K slots, then head and tail); under the mutex.

    ``between`` runs after the head is read (no-mutex: another cook may read the same head)."""
    capacity = len(slots) - 2
    head = slots[capacity]
    if between is not None:
        between()
    slots[head] = item
    slots[capacity] = (head + 1) % capacity


def take_from_pass(slots: Any, between: Callable[[], None] | None = None) -> int:
    """Take the item at the tail of the ring ``slots``; under the mutex (0: the slot was empty).

    ``between`` runs after the item is read (no-mutex: another waiter may take the same one)."""
    capacity = len(slots) - 2
    tail = slots[capacity + 1]
    item = int(slots[tail])
    if between is not None:
        between()
    slots[tail] = 0
    slots[capacity + 1] = (tail + 1) % capacity
    return item


class SemaphoreCook(AgentBody):
    """The classic: wait for an empty slot, lock the pass, put, signal a full slot."""

    role = "cook"
    steps = ("wait for an empty slot", "lock the pass")

    def __init__(
        self,
        cook: int,
        empty: Semaphore,
        full: Semaphore,
        mutex: Lock | None,
        slots: Any,
        pass_index: int,
        cook_ms: float,
    ) -> None:
        self.cook, self.empty, self.full, self.mutex = cook, empty, full, mutex
        self.slots, self.pass_index, self.cook_ms = slots, pass_index, cook_ms

    def run(self, me: Me) -> None:
        dish = 0
        while me.running():
            dish += 1
            item = cook_dish(me, self.cook, dish, self.cook_ms)
            me.step("wait for an empty slot")
            self.empty.acquire()
            me.step("lock the pass")
            with guarded(self.mutex):
                put_on_pass(self.slots, item, dawdle(me, self.mutex))
                me.record(Op.ITEM_PUT, self.pass_index, item)
            self.full.release()


class SemaphoreWaiter(AgentBody):
    role = "waiter"
    steps = ("wait for a full slot", "lock the pass")

    def __init__(
        self, full: Semaphore, empty: Semaphore, mutex: Lock | None, slots: Any, pass_index: int, serve_ms: float
    ) -> None:
        self.full, self.empty, self.mutex = full, empty, mutex
        self.slots, self.pass_index, self.serve_ms = slots, pass_index, serve_ms

    def run(self, me: Me) -> None:
        while me.running():
            me.state(State.WAITING)
            me.step("wait for a full slot")
            self.full.acquire()
            me.step("lock the pass")
            with guarded(self.mutex):
                item = take_from_pass(self.slots, dawdle(me, self.mutex))
                if item:  # an empty slot: the dish went to someone else
                    me.record(Op.ITEM_TAKEN, self.pass_index, item)
            self.empty.release()
            me.state(State.CONSUMING)
            me.pace(self.serve_ms)


class ConditionCook(AgentBody):
    """A monitor: under the mutex, wait on ``not full`` while the pass is full, put, notify ``not empty``.

    With ``recheck`` off the wait sits in an ``if``: a cook woken after another cook filled the
    slot again puts a dish on a full pass (a dish is lost).
    """

    role = "cook"
    steps = ("lock the pass", "wait while the pass is full")

    def __init__(
        self, cook: int, not_full: Condition, not_empty: Condition, slots: Any, on_pass: Any, pass_index: int,
        cook_ms: float, recheck: bool,
    ) -> None:  # fmt: skip
        self.cook, self.not_full, self.not_empty, self.slots, self.on_pass = cook, not_full, not_empty, slots, on_pass
        self.pass_index, self.cook_ms, self.recheck = pass_index, cook_ms, recheck

    def run(self, me: Me) -> None:
        capacity, dish = len(self.slots) - 2, 0
        while me.running():
            dish += 1
            item = cook_dish(me, self.cook, dish, self.cook_ms)
            me.step("lock the pass")
            with self.not_full:
                me.step("wait while the pass is full")
                full = self.on_pass[0] >= capacity
                while full:
                    self.not_full.wait()
                    full = self.recheck and self.on_pass[0] >= capacity
                put_on_pass(self.slots, item)
                self.on_pass[0] += 1
                me.record(Op.ITEM_PUT, self.pass_index, item)
                self.not_empty.notify()


class ConditionWaiter(AgentBody):
    role = "waiter"
    steps = ("lock the pass", "wait while the pass is empty")

    def __init__(
        self, not_empty: Condition, not_full: Condition, slots: Any, on_pass: Any, pass_index: int, serve_ms: float,
        recheck: bool,
    ) -> None:  # fmt: skip
        self.not_empty, self.not_full, self.slots, self.on_pass = not_empty, not_full, slots, on_pass
        self.pass_index, self.serve_ms, self.recheck = pass_index, serve_ms, recheck

    def run(self, me: Me) -> None:
        while me.running():
            me.state(State.WAITING)
            me.step("lock the pass")
            with self.not_empty:
                me.step("wait while the pass is empty")
                empty = self.on_pass[0] <= 0
                while empty:
                    self.not_empty.wait()
                    empty = self.recheck and self.on_pass[0] <= 0
                item = take_from_pass(self.slots)
                self.on_pass[0] -= 1
                me.record(Op.ITEM_TAKEN, self.pass_index, item)
                self.not_full.notify()
            me.state(State.CONSUMING)
            me.pace(self.serve_ms)


class QueueCook(AgentBody):
    """The same job with a bounded queue: the queue does the counting and the locking."""

    role = "cook"
    steps = ("put on the queue",)

    def __init__(self, cook: int, dishes: Any, pass_index: int, cook_ms: float) -> None:
        self.cook, self.dishes, self.pass_index, self.cook_ms = cook, dishes, pass_index, cook_ms

    def run(self, me: Me) -> None:
        dish = 0
        while me.running():
            dish += 1
            item = cook_dish(me, self.cook, dish, self.cook_ms)
            me.step("put on the queue")
            me.state(State.WAITING)
            while True:
                try:  # recorded inside the queue, once the dish has its slot
                    self.dishes.put_noting(item, SLICE_S, lambda dish: me.record(Op.ITEM_PUT, self.pass_index, dish))
                    break
                except queue.Full:
                    if me.stopping:
                        raise RoundStopped(me.name) from None


class QueueWaiter(AgentBody):
    role = "waiter"
    steps = ("get from the queue",)

    def __init__(self, dishes: Any, pass_index: int, serve_ms: float) -> None:
        self.dishes, self.pass_index, self.serve_ms = dishes, pass_index, serve_ms

    def run(self, me: Me) -> None:
        while me.running():
            me.state(State.WAITING)
            me.step("get from the queue")
            try:  # recorded inside the queue, before the slot is given back
                self.dishes.get_noting(SLICE_S, lambda dish: me.record(Op.ITEM_TAKEN, self.pass_index, dish))
            except queue.Empty:
                continue
            me.state(State.CONSUMING)
            me.pace(self.serve_ms)


class QsizeCook(QueueCook):
    """Checks ``qsize() < K`` and then puts without waiting: the lecture's warning, qsize() is already old.

    Two cooks can both see one free slot; the second ``put_nowait`` finds the queue full and
    the dish it announced is thrown away (lost).
    """

    steps = ("check qsize()",)

    def __init__(self, cook: int, dishes: Any, pass_index: int, cook_ms: float, capacity: int) -> None:
        super().__init__(cook, dishes, pass_index, cook_ms)
        self.capacity = capacity

    def run(self, me: Me) -> None:
        dish = 0
        while me.running():
            me.state(State.PRODUCING)
            me.pace(self.cook_ms)
            dish += 1
            item = (self.cook + 1) << ITEM_SHIFT | dish
            me.step("check qsize()")
            while self.dishes.qsize() >= self.capacity:  # wait for room, by looking
                me.pace(REACH_MS)
            me.pace(REACH_MS)  # the walk to the pass: the check is getting old
            me.record(Op.ITEM_PUT, self.pass_index, item)
            try:
                self.dishes.put_nowait(item)
            except queue.Full:
                continue  # there was room when we looked: the dish is lost


class QsizeWaiter(QueueWaiter):
    """Checks ``empty()`` and then gets without waiting; another waiter may have taken it meanwhile."""

    steps = ("check empty()",)

    def run(self, me: Me) -> None:
        while me.running():
            me.state(State.WAITING)
            me.step("check empty()")
            if self.dishes.empty():
                me.pace(REACH_MS)
                continue
            me.pace(REACH_MS)  # the walk to the pass
            try:
                item = self.dishes.get_nowait()
            except queue.Empty:
                continue  # someone was quicker: back to looking
            me.record(Op.ITEM_TAKEN, self.pass_index, item)
            me.state(State.CONSUMING)
            me.pace(self.serve_ms)


class Kitchen(Scenario):
    name = "kitchen"
    order = 2
    in_sandbox = True
    drawing = Drawing.KITCHEN
    summary = "cooks and waiters share a pass of K slots: the bounded buffer (producer/consumer)"
    strategies = {
        "semaphores": "counting Semaphores 'empty' (K) and 'full' (0) plus a Lock 'mutex' around the pass",
        "queue": "a bounded queue.Queue / multiprocessing.Queue of K dishes does it all",
        "condition": "a monitor: a Lock 'mutex' with two Conditions, 'not full' and 'not empty' (see recheck)",
        "qsize": "a bounded queue used with checks: a cook puts only if qsize() < K, a waiter gets only if not "
        "empty(), without waiting; the answer is old by the time they act, so dishes are thrown away",
        "no-mutex": "the two Semaphores without the mutex: two cooks can fill the same slot (a dish lost) "
        "and two waiters empty the same one (a dish served twice)",
    }
    default_strategy = "semaphores"
    operation = "dishes"
    params = (
        ParamSpec("producers", int, 2, "cooks", 1, 32),
        ParamSpec("consumers", int, 2, "waiters", 1, 32),
        ParamSpec("capacity", int, 4, "slots on the pass (K)", 1, 64),
        ParamSpec("cook_ms", float, 10.0, "mean time to cook a dish in ms (0 = none)", 0, 60_000),
        ParamSpec("serve_ms", float, 10.0, "mean time to serve a dish in ms (0 = none)", 0, 60_000),
        ParamSpec(
            "recheck", bool, True, "condition: re-check after each wait in a while loop (false: one if, the bug)"
        ),
        ParamSpec("shared", bool, False, "condition: one Condition for both sides (notify() may wake the wrong side)"),
    )

    def build(self, world: World, strategy: str, params: Mapping[str, Any], seed: int) -> None:
        k = int(params["capacity"])
        cook_ms, serve_ms = float(params["cook_ms"]), float(params["serve_ms"])
        pass_index = world.marker("pass", ResourceKind.CONTAINER, k)
        if strategy in ("queue", "qsize"):
            dishes = world.bounded_queue("dishes", k)
            for c in range(int(params["producers"])):
                cook = QsizeCook(c, dishes, pass_index, cook_ms, k) if strategy == "qsize" else None
                world.agent(f"cook {c}", cook or QueueCook(c, dishes, pass_index, cook_ms))
            for w in range(int(params["consumers"])):
                waiter = QsizeWaiter if strategy == "qsize" else QueueWaiter
                world.agent(f"waiter {w}", waiter(dishes, pass_index, serve_ms))
            return
        if strategy == "condition":
            self._monitor(world, params, pass_index)
            return
        signalling = "it counts {} on the pass (with '{}', always adds up to the pass's capacity, set before the round)"
        empty = world.semaphore("empty", k, fixed=signalling.format("free slots", "full"))
        full = world.semaphore("full", 0, fixed=signalling.format("dishes", "empty"))
        mutex = None if strategy == "no-mutex" else world.lock("mutex")
        slots = world.int_array("slots", k + 2)
        for c in range(int(params["producers"])):
            world.agent(f"cook {c}", SemaphoreCook(c, empty, full, mutex, slots, pass_index, cook_ms))
        for w in range(int(params["consumers"])):
            world.agent(f"waiter {w}", SemaphoreWaiter(full, empty, mutex, slots, pass_index, serve_ms))

    def _monitor(self, world: World, params: Mapping[str, Any], pass_index: int) -> None:
        mutex = world.lock("mutex")
        if params["shared"]:  # one condition for both: a notify() may wake the wrong side
            not_full = not_empty = world.condition("pass changed", mutex)
        else:
            not_full, not_empty = world.condition("not full", mutex), world.condition("not empty", mutex)
        slots, on_pass = world.int_array("slots", int(params["capacity"]) + 2), world.int_array("on pass", 1)
        recheck, cook_ms, serve_ms = bool(params["recheck"]), float(params["cook_ms"]), float(params["serve_ms"])
        for c in range(int(params["producers"])):
            cook = ConditionCook(c, not_full, not_empty, slots, on_pass, pass_index, cook_ms, recheck)
            world.agent(f"cook {c}", cook)
        for w in range(int(params["consumers"])):
            waiter = ConditionWaiter(not_empty, not_full, slots, on_pass, pass_index, serve_ms, recheck)
            world.agent(f"waiter {w}", waiter)

    def left_on_pass(self, world: World) -> list[int]:
        """Dishes still on the pass once every agent has stopped.

        The queue is emptied only now: emptying it while agents stop would let a blocked
        cook put one more dish after the end. (A cook process can always exit: at most K
        small dishes sit in its queue's pipe, far below what the pipe holds.)
        """
        if "slots" in world.shared:
            slots = list(world.shared["slots"])
            return [item for item in slots[:-2] if item]
        dishes, left = world.shared["dishes"], []
        while True:
            try:
                left.append(dishes.get(timeout=0.05))
            except queue.Empty:
                return left

    def operation_ops(self, layout: RoundLayout) -> dict[int, tuple[int, int]]:
        ops = {"cook": int(Op.ITEM_PUT), "waiter": int(Op.ITEM_TAKEN)}
        return {a.index: (ops[a.role], -1) for a in layout.agents}

    def finish(self, world: World, layout: RoundLayout, events: np.ndarray) -> dict[str, Any]:
        from sims.scenarios.measure import window
        from sims.stats import kitchen_stats

        container = layout.resource_named("pass").index
        # Counted up to the round's end, like operations_total: not the dishes of stopping agents.
        stats = kitchen_stats(events, container, self.left_on_pass(world), window(events)[1]).to_dict()
        # The occupancy step series grows with every dish: the window draws it from the
        # events; the summary keeps the numbers.
        for bulky in ("occupancy_t_ns", "occupancy", "container"):
            stats.pop(bulky, None)
        return stats
