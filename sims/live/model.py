"""The engine's picture of a round, kept up to date from telemetry batches.

Each batch is folded in with numpy: for every (agent, resource) only the agent's latest
record matters, and an agent's records arrive in the order it wrote them. The same model
feeds the window, ``statistics()`` of the primitives and deadlock detection.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Mapping

import numpy as np

from sims.kinds import ResourceKind
from sims.live.deadlock import WaitGraph, blocked_for_good, find_cycle, find_stall
from sims.primitives.statistics import ResourceStatistics
from sims.rounds.commands import Auto, Gate
from sims.rounds.layout import RoundLayout
from sims.rounds.views import AgentView, Deadlock, Snapshot, Stuck
from sims.telemetry import Op, State


def _op_table(*ops: int) -> np.ndarray:
    """A lookup table: ``table[op]`` is True for the given ops (faster than ``np.isin``)."""
    table = np.zeros(1 << 16, dtype=bool)
    table[list(ops)] = True
    return table


_HOLD = _op_table(Op.ACQUIRED, Op.RELEASED)
_WAITS = _op_table(Op.REQUEST, Op.ACQUIRED, Op.TIMED_OUT, Op.ABANDONED, Op.WAIT, Op.WOKEN, Op.WAIT_TIMED_OUT, Op.BROKEN)
_WAIT_STARTS = _op_table(Op.REQUEST, Op.WAIT)
_GATING = {Gate.code: True, Auto.code: False}  # COMMAND records that turn gating on or off
_SET_CLEAR = _op_table(Op.SET, Op.CLEAR)
_LEVELS = _op_table(Op.ACQUIRED, Op.RELEASED, Op.RECURSION)
_BARRIER_STATE = _op_table(Op.TRIPPED, Op.BREAK, Op.RESET)
# Waits that a holder ends by releasing; a channel is a pipe whose token (the messages
# scenario's fork) its holder keeps or gives, recorded like a lock.
LOCKISH = ("lock", "rlock", "semaphore", "channel")
WAKEUPS = ("semaphore", "event", "condition", "barrier")  # waits that any agent that moves may end


def _last_per_key(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keys present and the index of each key's last occurrence (keys are small ints >= 0)."""
    keys = keys.astype(np.int64)
    last = np.full(int(keys.max()) + 1, -1, dtype=np.int64)
    np.maximum.at(last, keys, np.arange(len(keys)))
    present = np.flatnonzero(last >= 0)
    return present, last[present]


class LiveModel:
    """Who holds and waits for what, agents' states and counts, capacities, deadlocks."""

    def __init__(self, layout: RoundLayout, operation_ops: Mapping[int, tuple[int, int]] | None = None) -> None:
        self.layout = layout
        n, r = len(layout.agents), len(layout.resources)
        self._kinds = [res.kind for res in layout.resources]
        self._is_rlock = np.array([k == "rlock" for k in self._kinds] + [False], dtype=bool)  # [-1]: no resource
        self._lock_of = [res.lock for res in layout.resources]
        # For the wait graph, per resource ([-1]: no resource): waits it watches, lock-like kinds, wake-ups.
        self._watched = np.array([k in LOCKISH or k in WAKEUPS for k in self._kinds] + [False], dtype=bool)
        self._lockish = np.array([k in LOCKISH for k in self._kinds], dtype=bool)
        self._wakeups = [k in WAKEUPS for k in self._kinds]
        self.holding = np.zeros((n, r), dtype=bool)
        self.wait_res = np.full(n, -1, dtype=np.int64)
        self.wait_since = np.zeros(n, dtype=np.int64)
        self.wait_timeout = np.zeros(n, dtype=np.int64)
        self.state = np.full(n, State.IDLE, dtype=np.int64)
        self.operations = np.zeros(n, dtype=np.int64)
        self.records = np.zeros(n, dtype=np.int64)
        self.step = np.full(n, -1, dtype=np.int64)
        self.step_line = np.zeros(n, dtype=np.int64)
        self.started = np.zeros(n, dtype=bool)
        self.ended = np.zeros(n, dtype=bool)
        self.stopped = np.zeros(n, dtype=bool)
        self.exit_codes: dict[int, int] = {}
        self.capacity = np.array([res.capacity for res in layout.resources], dtype=np.int64)
        self.pending = np.zeros(r, dtype=np.int64)
        self._capacity_t = np.zeros(r, dtype=np.int64)
        self.is_set = np.zeros(r, dtype=bool)
        self.recursion = np.zeros(r, dtype=np.int64)
        self.broken = np.zeros(r, dtype=bool)
        self.orphaned = np.zeros(r, dtype=bool)
        self.items: dict[int, dict[int, int]] = {
            res.index: {} for res in layout.resources if res.kind is ResourceKind.CONTAINER
        }
        self.paused = False
        self.scale = 1.0
        self.gated = False
        self.t_ns = 0
        self.total_records = 0
        self.deadlock: Deadlock | None = None
        self._candidate: tuple[tuple[int, ...], np.ndarray] | None = None
        # What counts as each agent's operation, as lookup tables indexed by agent.
        self._rule_op = np.full(n, -1, dtype=np.int64)
        self._rule_value = np.full(n, -1, dtype=np.int64)
        for a, (rule_op, rule_value) in (operation_ops or {}).items():
            self._rule_op[a], self._rule_value[a] = rule_op, rule_value

    # -- folding telemetry in -------------------------------------------------------------
    def feed(self, events: np.ndarray) -> None:
        """Fold one batch (EVENT_DTYPE; each agent's records in the order written)."""
        if len(events) == 0:
            return
        self.total_records += len(events)
        self.t_ns = max(self.t_ns, int(events["t_ns"].max()))
        mine = events[events["agent"] >= 0]
        self._fold_agents(mine)
        self._fold_holds(mine)
        self._fold_waits(mine)
        self._fold_resources(events)
        self._fold_items(mine)
        self._fold_engine(events[events["agent"] < 0])

    def _fold_agents(self, ev: np.ndarray) -> None:
        agent, op = ev["agent"], ev["op"]
        self.records += np.bincount(agent, minlength=len(self.records))[: len(self.records)]
        self.started[agent[op == Op.AGENT_START]] = True
        self.ended[agent[op == Op.AGENT_STOP]] = True
        rule_op, rule_value = self._rule_op[agent], self._rule_value[agent]
        hit = (op == rule_op) & ((rule_value < 0) | (ev["value"] == rule_value))
        self.operations += np.bincount(agent[hit], minlength=len(self.operations))[: len(self.operations)]
        for field, hit in ((self.state, op == Op.STATE), (self.step, (op == Op.STEP) | (op == Op.GATE))):
            sel = ev[hit]
            if len(sel):
                keys, last = _last_per_key(sel["agent"])
                field[keys] = sel["value"][last] if field is self.state else sel["resource"][last]
                if field is self.step:
                    self.step_line[keys] = sel["value"][last]

    def _fold_holds(self, ev: np.ndarray) -> None:
        sel = ev[_HOLD[ev["op"]]]
        if len(sel):
            keys, last = _last_per_key(sel["agent"].astype(np.int64) * self.holding.shape[1] + sel["resource"])
            self.holding.flat[keys] = sel["op"][last] == Op.ACQUIRED

    def _fold_waits(self, ev: np.ndarray) -> None:
        sel = ev[_WAITS[ev["op"]]]
        if not len(sel):
            return
        agents, last = _last_per_key(sel["agent"])
        rec = sel[last]
        starts = _WAIT_STARTS[rec["op"]]
        self.wait_res[agents] = np.where(starts, rec["resource"], -1)
        self.wait_since[agents] = np.where(starts, rec["t_ns"], 0)
        self.wait_timeout[agents] = np.where(starts, rec["value"], 0)

    def _fold_resources(self, ev: np.ndarray) -> None:
        for which, target in ((Op.CAPACITY, self.capacity), (Op.PENDING, self.pending)):
            sel = ev[ev["op"] == which]
            if len(sel):
                sel = sel[np.argsort(sel["t_ns"], kind="stable")]
                keys, last = _last_per_key(sel["resource"].astype(np.int64))
                newer = sel["t_ns"][last] >= self._capacity_t[keys]
                target[keys[newer]] = sel["value"][last][newer]
                if which == Op.CAPACITY:
                    self._capacity_t[keys[newer]] = sel["t_ns"][last][newer]
        sel = ev[_SET_CLEAR[ev["op"]]]
        if len(sel):
            sel = sel[np.argsort(sel["t_ns"], kind="stable")]
            keys, last = _last_per_key(sel["resource"].astype(np.int64))
            self.is_set[keys] = sel["op"][last] == Op.SET
        if "rlock" in self._kinds:
            self._fold_levels(ev)
        if "barrier" in self._kinds:
            sel = ev[_BARRIER_STATE[ev["op"]]]
            if len(sel):
                sel = sel[np.argsort(sel["t_ns"], kind="stable")]
                keys, last = _last_per_key(sel["resource"].astype(np.int64))
                self.broken[keys] = sel["op"][last] == Op.BREAK

    def _fold_levels(self, ev: np.ndarray) -> None:
        """An RLock's recursion level: 1 on ACQUIRED, 0 on RELEASED, else what RECURSION says."""
        sel = ev[_LEVELS[ev["op"]] & self._is_rlock[ev["resource"]]]
        if len(sel):
            sel = sel[np.argsort(sel["t_ns"], kind="stable")]
            keys, last = _last_per_key(sel["resource"].astype(np.int64))
            op, value = sel["op"][last], sel["value"][last]
            self.recursion[keys] = np.where(op == Op.RECURSION, value, op == Op.ACQUIRED)

    def _fold_items(self, ev: np.ndarray) -> None:
        for op, delta in ((Op.ITEM_PUT, 1), (Op.ITEM_TAKEN, -1)):
            sel = ev[ev["op"] == op]
            for container, item in zip(sel["resource"].tolist(), sel["value"].tolist(), strict=True):
                balance = self.items.setdefault(container, {})
                left = balance.get(item, 0) + delta
                if left:
                    balance[item] = left
                else:
                    balance.pop(item, None)

    def _fold_engine(self, ev: np.ndarray) -> None:
        for op, res, value in zip(ev["op"].tolist(), ev["resource"].tolist(), ev["value"].tolist(), strict=True):
            if op == Op.AGENT_EXIT:
                self.exit_codes[res] = value
                self.ended[res] = True
            elif op == Op.ORPHANED:
                self.orphaned[res] = True
            elif op == Op.SIGNAL and res >= 0:
                self.stopped[res] = value == signal.SIGSTOP  # any other signal resumes or ends it
            elif op == Op.PAUSED:
                self.paused = bool(value)
            elif op == Op.SCALE:
                self.scale = value / 1000.0
            elif op == Op.COMMAND:
                self.gated = _GATING.get(value, self.gated)

    # -- reading --------------------------------------------------------------------------
    @property
    def alive(self) -> np.ndarray:
        return self.started & ~self.ended

    def holders_of(self, resource: int) -> tuple[int, ...]:
        return tuple(int(a) for a in np.flatnonzero(self.holding[:, resource]))

    def waiters_of(self, resource: int) -> tuple[int, ...]:
        waiting = np.flatnonzero(self.wait_res == resource)
        return tuple(int(a) for a in waiting[np.argsort(self.wait_since[waiting], kind="stable")])

    def resource_statistics(self, index: int) -> ResourceStatistics:
        lock = self._lock_of[index]
        holders = self.holders_of(lock if lock >= 0 else index)
        return self._resource_view(index, list(holders), list(self.waiters_of(index)))


    def snapshot(self) -> Snapshot:
        """One consistent picture for a frame (whole arrays turned into Python at once: the
        host makes one per tick for the window, so per-element numpy calls would add up)."""
        n, r = self.holding.shape
        holding: list[list[int]] = [[] for _ in range(n)]
        holders: list[list[int]] = [[] for _ in range(r)]
        for a, res in zip(*(axis.tolist() for axis in np.nonzero(self.holding)), strict=True):
            holding[a].append(res)
            holders[res].append(a)
        waiters: list[list[int]] = [[] for _ in range(r)]
        waiting = np.flatnonzero(self.wait_res >= 0)
        for a in waiting[np.argsort(self.wait_since[waiting], kind="stable")].tolist():
            waiters[int(self.wait_res[a])].append(a)
        alive = self.alive.tolist()
        columns = (self.state, self.wait_res, self.wait_since, self.wait_timeout, self.operations, self.step)
        state, wait_res, since, timeout, ops, step = (c.tolist() for c in columns)
        step_line, started, stopped = self.step_line.tolist(), self.started.tolist(), self.stopped.tolist()
        agents = tuple(
            AgentView(
                index=a,
                name=info.name,
                role=info.role,
                state=state[a],
                waiting_on=wait_res[a],
                wait_since_ns=since[a],
                wait_timeout_ns=timeout[a],
                holding=tuple(holding[a]),
                operations=ops[a],
                step=step[a],
                step_line=step_line[a],
                alive=alive[a],
                started=started[a],
                stopped=stopped[a],
                exit_code=self.exit_codes.get(a),
            )
            for a, info in enumerate(self.layout.agents)
        )
        return Snapshot(
            t_ns=self.t_ns,
            agents=agents,
            resources=tuple(
                self._resource_view(i, holders[lock if lock >= 0 else i], waiters[i])
                for i, lock in enumerate(self._lock_of)
            ),
            deadlock=self.deadlock,
            paused=self.paused,
            scale=self.scale,
            gated=self.gated,
            records=self.total_records,
        )

    def _resource_view(self, index: int, holders: list[int], waiters: list[int]) -> ResourceStatistics:
        info = self.layout.resources[index]
        return ResourceStatistics(
            index=index,
            name=info.name,
            kind=info.kind,
            holders=tuple(holders),
            waiters=tuple(waiters),
            capacity=int(self.capacity[index]),
            pending=int(self.pending[index]),
            orphaned=bool(self.orphaned[index]),
            is_set=bool(self.is_set[index]),
            items=tuple(sorted(self.items.get(index, {}))) if info.kind == ResourceKind.CONTAINER else (),
            recursion=int(self.recursion[index]),
            broken=bool(self.broken[index]),
            lock=info.lock,
        )

    # -- deadlock -------------------------------------------------------------------------
    def wait_graph(self) -> WaitGraph:
        """Waits with no time-out on locks, semaphores and wake-ups (a condition's notify, a
        barrier's other parties, an event's set), which only an agent that moves can give."""
        forever = (self.wait_timeout < 0) & self._watched[self.wait_res]
        held = self.holding.sum(axis=0)
        free = np.where(self._lockish, np.maximum(self.capacity - held, 0), 0)
        alive = self.alive & ~self.stopped
        return WaitGraph(
            waits_for=np.where(forever & alive, self.wait_res, -1).tolist(),
            holdings=[np.flatnonzero(row).tolist() for row in self.holding],
            free=free.tolist(),
            alive=(alive | self.stopped).tolist(),
            anyone_releases=self._wakeups,
        )

    def check_deadlock(self) -> Deadlock | None:
        """Report a cycle, or a stall, once it has held across two checks with no new record.

        Waiting one check makes sure it is not an artefact of rings read at slightly
        different moments: stuck agents write nothing more. A stall is looked for only once
        every agent has started (one that has yet to start may still notify).
        """
        if self.deadlock is not None:
            return self.deadlock
        graph = self.wait_graph()
        blocked = blocked_for_good(graph)
        found, kind = find_cycle(graph, blocked), Stuck.CYCLE
        if found is None and (self.started | self.ended).all():
            found, kind = find_stall(graph, blocked), Stuck.STALL
        if found is None:
            self._candidate = None
            return None
        agents, resources = found
        counts = self.records[list(agents) if kind is Stuck.CYCLE else slice(None)].copy()
        if self._candidate and self._candidate[0] == agents and np.array_equal(self._candidate[1], counts):
            formed = int(self.wait_since[list(agents)].max())
            self.deadlock = Deadlock(agents, resources, formed, time.monotonic_ns(), kind)
            return self.deadlock
        self._candidate = (agents, counts)
        return None
