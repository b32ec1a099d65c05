"""The trace of a finished round, built from its time-ordered records a chunk at a time.

Events are written when they end (Perfetto does not need them sorted): an agent's state when
its next STATE record comes, a hold at its release, an arrow at the acquisition it ends. Between
chunks the builder carries only what is still open: each agent's state, open holds and waits
(:class:`~sims.stats.carried.CarriedPairs`), each resource's lanes, last release and level
(:mod:`sims.perfetto.carry`). What is still open at the round's end ends there. Resources used
as signals have no holds, a property of the whole round that the engine's spill names, or a
cheap first pass finds (:class:`~sims.stats.carried.Balances`).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator

import numpy as np

from sims.perfetto.carry import Lanes, LastRelease, Levels, Steps
from sims.perfetto.rows import Coded, Column, Ints, Job, Micros, keys_of, padded, row_jobs
from sims.perfetto.tracks import ENGINE_PID, HANDOFFS, HOLDS, LANES, RESOURCE_PID, WAITS, Tracks
from sims.rounds.result import RoundResult
from sims.stats.carried import CarriedPairs
from sims.stats.intervals import Columns, Holds
from sims.telemetry import OP_NAMES, STATE_NAMES, Op

Piece = bytes | Job  # events joined by ",\n", or a job that makes them
Label = Callable[[list[int]], tuple[str, int, int]]  # a key's (name, pid, tid)
_PAIRED = (Op.REQUEST, Op.ACQUIRED, Op.RELEASED, Op.TIMED_OUT, Op.ABANDONED)  # what hold pairing reads
_WAIT_ENDS = (Op.ACQUIRED, Op.TIMED_OUT, Op.ABANDONED, Op.WOKEN, Op.WAIT_TIMED_OUT, Op.BROKEN)
_INSTANTS = (Op.STEP, Op.GATE, Op.SIGNAL, Op.SIGNAL_SENT, Op.ORPHANED)
_ENGINE_INSTANTS = (Op.COMMAND, Op.DEADLOCK, Op.AGENT_EXIT, Op.PAUSED, Op.SCALE)


class TraceBuilder:
    """Trace events of one round: :meth:`start`, :meth:`feed` each chunk in time order, :meth:`finish`."""

    def __init__(self, result: RoundResult, signalled: np.ndarray, before: Columns | None = None) -> None:
        """``signalled``: the resources used as signals; ``before``: acquisitions open before the
        records (:class:`~sims.stats.carried.Balances`, for records that are not a whole round)."""
        self.result = result
        self.layout = result.layout
        self.tracks = Tracks(result)
        self.origin = result.started_ns
        self.end_ns = max(result.ended_ns, result.started_ns)
        self.signalled = np.asarray(signalled, np.int64)
        n = len(self.layout.agents)
        self.state_t, self.state_v, self.state_on = np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(n, bool)
        self.pairs = CarriedPairs(self.origin, before)
        self.lanes = Lanes()
        self.releases = LastRelease()
        self.levels = Levels(self.layout, self.origin)
        self.flows = 0  # bind ids given so far

    def start(self) -> Iterator[Piece]:
        yield _text(self.tracks.main_tracks())

    def feed(self, cols: Columns) -> Iterator[Piece]:
        """The events these records end (records after the round's end must be left out)."""
        yield from self._states(cols)
        yield from self._waits(cols)
        paired = _of(_PAIRED)[cols.op] & (cols.agent >= 0) & (cols.resource >= 0)
        done, _ = self.pairs.pair(cols.select(paired))
        yield from self._holds(done)
        yield from self._handoffs(cols)
        yield from self._counters(self.levels.feed(cols))
        yield from self._instants(cols)

    def finish(self) -> Iterator[Piece]:
        """What is still open ends with the round; the deadlock, if any."""
        end = self.end_ns
        agents = np.flatnonzero(self.state_on & (self.state_t < end))
        yield from self._state_slices(agents, self.state_t[agents], np.full(agents.size, end), self.state_v[agents])
        waiting = self.pairs.requests
        outcome = np.zeros(waiting.t.size, np.int64)  # "still waiting"
        yield from self._wait_slices(waiting.agent, waiting.resource, outcome, waiting.t, np.full(outcome.size, end))
        yield from self._holds(self.pairs.open_holds(end))
        yield from self._counters(self.levels.finish())
        yield _text(self._deadlock())

    # -- the kinds of event --------------------------------------------------------------------
    def _states(self, c: Columns) -> Iterator[Piece]:
        """An agent's state ends at its next STATE record (the last one is carried)."""
        mine = np.flatnonzero((c.op == Op.STATE) & (c.agent >= 0))
        carried = np.flatnonzero(self.state_on)
        agent = np.concatenate((carried, c.agent[mine]))
        t = np.concatenate((self.state_t[carried], c.t[mine]))
        value = np.concatenate((self.state_v[carried], c.value[mine]))
        order = np.argsort(agent.astype(np.uint16) if agent.size and agent.max() < 1 << 16 else agent, kind="stable")
        agent, t, value = agent[order], t[order], value[order]
        last = np.append(agent[1:] != agent[:-1], True) if agent.size else np.zeros(0, bool)
        self.state_t[agent[last]], self.state_v[agent[last]], self.state_on[agent[last]] = t[last], value[last], True
        end = np.append(t[1:], 0) if t.size else t
        keep = np.flatnonzero(~last & (end > t))
        yield from self._state_slices(agent[keep], t[keep], end[keep], value[keep])

    def _state_slices(self, agent: np.ndarray, t: np.ndarray, end: np.ndarray, value: np.ndarray) -> Iterator[Piece]:
        pid, tid = self.tracks.pid, self.tracks.tid

        def label(key: list[int]) -> tuple[str, int, int]:
            a, v = key
            return STATE_NAMES.get(v, str(v)), int(pid[a]), int(tid[a])

        yield from self._slices('{"ph":"X","cat":"state",', (agent, value), label, t, end)

    def _waits(self, c: Columns) -> Iterator[Piece]:
        """Each finished wait, from the ns waited that its last record carries."""
        ended = np.flatnonzero(_of(_WAIT_ENDS)[c.op] & (c.value > 0) & (c.agent >= 0))
        t = c.t[ended]
        yield from self._wait_slices(c.agent[ended], c.resource[ended], c.op[ended], t - c.value[ended], t)

    def _wait_slices(
        self, agent: np.ndarray, resource: np.ndarray, outcome: np.ndarray, start: np.ndarray, end: np.ndarray
    ) -> Iterator[Piece]:
        if not agent.size:
            return
        agent = agent.astype(np.int64)
        yield _text(self.tracks.extra_tracks(np.unique(agent), np.full(np.unique(agent).size, WAITS)))
        pid = self.tracks.pid

        def label(key: list[int]) -> tuple[str, int, int]:
            a, r, o = key
            name = f"wait {self.tracks.resource_name(r)}: {OP_NAMES.get(o, 'still waiting')}"
            return name, int(pid[a]), int(self.tracks.extra(a, WAITS))

        yield from self._slices('{"ph":"X","cat":"wait",', (agent, resource, outcome), label, start, end)

    def _holds(self, found: Holds) -> Iterator[Piece]:
        """Each hold, on its agent's track for that resource and on the resource's own track."""
        if self.signalled.size:
            found = found.select(np.flatnonzero(~np.isin(found.resource, self.signalled)))
        if not found.agent.size:
            return
        agent, resource = found.agent.astype(np.int64), found.resource.astype(np.int64)
        start, end = found.start_ns, found.end_ns
        pairs, _ = keys_of(agent, resource)
        yield _text(self.tracks.extra_tracks(pairs[:, 0], HOLDS + pairs[:, 1]))
        pid = self.tracks.pid

        def on_agent(key: list[int]) -> tuple[str, int, int]:
            a, r = key
            return f"hold {self.tracks.resource_name(r)}", int(pid[a]), int(self.tracks.extra(a, HOLDS + r))

        yield from self._slices('{"ph":"X","cat":"hold",', (agent, resource), on_agent, start, end)
        lane = np.minimum(self.lanes.place(resource, start, end), LANES - 1)
        tracks, _ = keys_of(resource, lane)
        yield _text(self.tracks.lane_tracks(tracks[:, 0], tracks[:, 1]))

        def on_resource(key: list[int]) -> tuple[str, int, int]:
            r, ln, a = key
            return self.tracks.agent_name(a), RESOURCE_PID, r * LANES + ln + 1

        yield from self._slices('{"ph":"X","cat":"hold",', (resource, lane, agent), on_resource, start, end)

    def _handoffs(self, c: Columns) -> Iterator[Piece]:
        """Arrows from a release to the acquisition whose wait it ended (same resource, another agent)."""
        src, src_t, dst, dst_t = self.releases.arrows(c)
        if not src.size:
            return
        ids = np.arange(self.flows, self.flows + src.size)
        self.flows += src.size
        for ends, t, side, direction in ((src, src_t, "out", "flow_out"), (dst, dst_t, "in", "flow_in")):
            agent = ends.astype(np.int64)
            present = np.unique(agent)
            yield _text(self.tracks.extra_tracks(present, np.full(present.size, HANDOFFS)))

            def label(key: list[int], side: str = side) -> tuple[str, int, int]:
                return f"hand-off {side}", int(self.tracks.pid[key[0]]), int(self.tracks.extra(key[0], HANDOFFS))

            tail = (b',"dur":0,"bind_id":', Ints(ids), f',"{direction}":true'.encode())
            yield from self._events('{"ph":"X","cat":"handoff",', (agent,), label, t, tail)

    def _counters(self, steps: Steps) -> Iterator[Piece]:
        """Permits in use and capacity of every semaphore and container, step by step."""
        for label, values in (("in use", steps.use), ("capacity", steps.capacity)):

            def name(key: list[int], label: str = label) -> tuple[str, int, int]:
                return f"{self.tracks.resource_name(key[0])} {label}", RESOURCE_PID, -1

            tail = (b',"args":{"value":', Ints(np.maximum(values, 0)), b"}")
            yield from self._events('{"ph":"C",', (steps.resource,), name, steps.t, tail)

    def _instants(self, c: Columns) -> Iterator[Piece]:
        """Steps and signals on the agent's track; commands, exits and the deadlock on the engine's."""
        mine = np.flatnonzero(_of(_INSTANTS)[c.op] & (c.agent >= 0))
        pid, tid = self.tracks.pid, self.tracks.tid

        def label(key: list[int]) -> tuple[str, int, int]:
            a, op, r, v = key
            return self._instant_name(op, r, v), int(pid[a]), int(tid[a])

        keys = (c.agent[mine], c.op[mine], c.resource[mine], c.value[mine])
        yield from self._events('{"ph":"i","s":"t",', keys, label, c.t[mine])
        engine = np.flatnonzero(_of(_ENGINE_INSTANTS)[c.op] & (c.agent < 0))
        lines = []
        for op, value, ts in zip(c.op[engine].tolist(), c.value[engine].tolist(), self._us(c.t[engine]), strict=True):
            what, scope = json.dumps(f"{OP_NAMES[op]} {value}"), "g" if op == Op.DEADLOCK else "t"
            lines.append(f'{{"ph":"i","s":"{scope}","name":{what},"pid":{ENGINE_PID},"tid":0,"ts":{ts}}}')
        yield _text(lines)

    def _deadlock(self) -> list[str]:
        deadlock = self.result.deadlock
        if deadlock is None:
            return []
        chain = " → ".join(
            f"{self.tracks.agent_name(a)} waits for {self.tracks.resource_name(r)}"
            for a, r in zip(deadlock.agents, deadlock.resources, strict=True)
        )
        lines = []
        for label, at in (("deadlock formed", deadlock.formed_ns), ("deadlock detected", deadlock.detected_ns)):
            name = json.dumps(f"{label}: {chain}")
            lines.append(f'{{"ph":"i","s":"g","name":{name},"pid":{ENGINE_PID},"tid":0,"ts":{self._us([at])[0]}}}')
        return lines

    def _instant_name(self, op: int, resource: int, value: int) -> str:
        steps = self.layout.steps
        if op in (Op.STEP, Op.GATE) and 0 <= resource < len(steps):
            return f"{OP_NAMES[op]} {steps[resource]!r} line {value}"
        return f"{OP_NAMES[op]} {value}"

    # -- rows ----------------------------------------------------------------------------------
    def _us(self, t_ns: np.ndarray | list[int]) -> list[float]:
        values: list[float] = ((np.asarray(t_ns, np.int64) - self.origin) / 1000.0).round(3).tolist()
        return values

    def _slices(
        self, head: str, keys: tuple[np.ndarray, ...], label: Label, start: np.ndarray, end: np.ndarray
    ) -> Iterator[Piece]:
        """``X`` events from ``start`` to ``end`` (ns)."""
        length = np.asarray(end, np.int64) - np.asarray(start, np.int64)
        yield from self._events(head, keys, label, start, (b',"dur":', Micros(length), b""))

    def _events(
        self,
        head: str,
        keys: tuple[np.ndarray, ...],
        label: Label,
        t: np.ndarray,
        tail: tuple[bytes, Column, bytes] | None = None,
    ) -> Iterator[Piece]:
        """Events ``HEAD"name":N,"pid":P,"tid":T,"ts":TS TAIL}`` at ``t`` (ns): everything before
        ``TS`` is made once per key (:mod:`sims.perfetto.rows`); tid -1: none."""
        if not t.size:
            return
        rows, codes = keys_of(*keys)
        prefixes = []
        for key in rows.tolist():
            name, pid, tid = label(key)
            track = f'"pid":{pid},' if tid < 0 else f'"pid":{pid},"tid":{tid},'
            prefixes.append(f'{head}"name":{json.dumps(name)},{track}"ts":'.encode())
        since = np.asarray(t, np.int64) - self.origin
        parts: list[bytes | Column] = [Coded(codes, padded(prefixes)), Micros(since)]
        if tail is not None:
            parts += [tail[0], tail[1], tail[2]] if tail[2] else [tail[0], tail[1]]
        yield from row_jobs(parts, since.size)


@functools.cache
def _of(ops: tuple[Op, ...]) -> np.ndarray:
    """Which op codes are among ``ops`` (indexed by a uint16 op column: no sort, unlike np.isin)."""
    table = np.zeros(1 << 16, bool)
    table[list(ops)] = True
    return table


def _text(lines: list[str]) -> bytes:
    return ",\n".join(lines).encode()
