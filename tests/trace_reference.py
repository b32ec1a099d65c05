"""The trace as the whole-round builder made it before it was streamed (``sims/perfetto.py`` at
7b1d1b8, its writer left out): the reference the streamed trace must equal, event for event
(tests/test_perfetto_stream.py). It loads every record; keep it to small rounds."""

from __future__ import annotations

import functools
import heapq
import json
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from sims.data.textrows import Part, coded_field, int_field, join_rows, micros_field
from sims.kinds import Backend, ResourceKind
from sims.perfetto.rows import unique_rows
from sims.rounds.result import RoundResult
from sims.stats.intervals import Columns, Keyed, hold_intervals, open_waits, up_to
from sims.stats.timeline import resource_timeline
from sims.telemetry import OP_NAMES, STATE_NAMES, Op

RESOURCE_PID = 1 << 22  # no Linux pid is this large: the resources' own "process"
ENGINE_PID = RESOURCE_PID + 1
SYNTHETIC_TID = 1 << 22  # agents' extra tracks: tids no real thread has
TRACKS_PER_AGENT = 1 << 12  # waits, hand-offs, then one per resource held
LANES = 64  # resource tracks: tid = index * LANES + lane + 1
CHUNK = 1 << 16  # slices formatted at a time
Named = tuple[np.ndarray, list[str]]  # a code per row and the names the codes stand for
Ints = np.ndarray | list[int]
Chunk = bytes | Callable[[], bytes]
Piece = bytes | Iterator[Chunk]  # events joined by ",\n", or chunks of them (texts, or jobs that make them)
_WAIT_ENDS = (Op.ACQUIRED, Op.TIMED_OUT, Op.ABANDONED, Op.WOKEN, Op.WAIT_TIMED_OUT, Op.BROKEN)
_INSTANTS = (Op.STEP, Op.GATE, Op.SIGNAL, Op.SIGNAL_SENT, Op.ORPHANED)
_ENGINE_INSTANTS = (Op.COMMAND, Op.DEADLOCK, Op.AGENT_EXIT, Op.PAUSED, Op.SCALE)


def lanes(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """A lane for each interval such that intervals in one lane never overlap (greedy, by start).

    The common case, intervals that never overlap (a lock's holds), is found without a loop.
    """
    order = np.argsort(start, kind="stable")
    s, e = start[order], end[order]
    out = np.zeros(start.size, dtype=np.int64)
    if s.size < 2 or np.all(s[1:] >= np.maximum.accumulate(e)[:-1]):
        return out
    free: list[tuple[int, int]] = []  # (end, lane) of each lane's last interval
    used = 0
    placed = np.empty(s.size, dtype=np.int64)
    for i, (begin, finish) in enumerate(zip(s.tolist(), e.tolist(), strict=True)):
        if free and free[0][0] <= begin:
            lane = heapq.heappop(free)[1]
        else:
            lane, used = used, used + 1
        placed[i] = lane
        heapq.heappush(free, (finish, lane))
    out[order] = placed
    return out


class TraceBuilder:
    """The trace of one finished round, as lines of JSON (one event each)."""

    def __init__(self, result: RoundResult) -> None:
        self.result = result
        self.layout = result.layout
        self.origin = result.started_ns
        self.end_ns = max(result.ended_ns, result.started_ns)
        self.events = up_to(result.events, self.end_ns)
        self.cols = Columns.of(self.events)
        self.pid, self.tid = self._threads()
        self.pieces: list[Piece] = []  # what the step running now has made, in order
        self._named: set[tuple[int, int]] = set()

    # -- where things go ---------------------------------------------------------------------
    def _threads(self) -> tuple[list[int], list[int]]:
        """Each agent's real pid and tid (synthetic where the agent never started)."""
        pids, tids = [], []
        by_index = {identity.index: identity for identity in self.result.identities}
        for agent in self.layout.agents:
            identity = by_index.get(agent.index)
            pid = identity.pid if identity is not None and identity.pid > 0 else ENGINE_PID
            native = identity.native_id if identity is not None else None
            pids.append(pid)
            tids.append(native if native else SYNTHETIC_TID + agent.index * TRACKS_PER_AGENT)
        return pids, tids

    def _agent_track(self, agent: int, k: int) -> int:
        """The tid of an agent's extra track ``k`` (0 waits, 1 hand-offs, 2 + r resource r's holds)."""
        return SYNTHETIC_TID + agent * TRACKS_PER_AGENT + 1 + k

    def _us_array(self, t_ns: np.ndarray) -> np.ndarray:
        return ((t_ns - self.origin) / 1000.0).round(3)

    def _us(self, t_ns: np.ndarray) -> list[float]:
        values: list[float] = self._us_array(t_ns).tolist()
        return values

    def add(self, lines: Iterable[str]) -> None:
        """Events made one f-string each (the few kinds there are not many of)."""
        text = ",\n".join(lines)
        if text:
            self.pieces.append(text.encode())

    def name(self, pid: int, tid: int, process: str, thread: str, sort: int) -> None:
        """``M`` events naming a track once (and its process)."""
        if (pid, -1) not in self._named:
            self._named.add((pid, -1))
            self.add([_meta("process_name", pid, 0, process)])
        if (pid, tid) not in self._named:
            self._named.add((pid, tid))
            self.add(
                [
                    _meta("thread_name", pid, tid, thread),
                    f'{{"ph":"M","name":"thread_sort_index","pid":{pid},"tid":{tid},"args":{{"sort_index":{sort}}}}}',
                ]
            )

    def _process_name(self, agent: int) -> str:
        info = self.layout.agents[agent]
        return f"{info.name} ({info.backend})" if info.backend is Backend.PROCESS else f"round ({info.backend}s)"

    # -- the tracks ----------------------------------------------------------------------------
    def build(self) -> Iterator[Chunk]:
        """The events in their order, a chunk (events joined by ",\n") at a time; each step of
        the trace runs when the chunks before it have been taken."""
        for step in (self.tracks, self.states, self.waits, self.holds, self.handoffs, self.counters, self.instants):
            step()
            pieces, self.pieces = self.pieces, []
            for piece in pieces:
                yield from [piece] if isinstance(piece, bytes) else piece

    def tracks(self) -> None:
        self.name(ENGINE_PID, 0, "engine", "engine", 0)
        for agent in range(len(self.layout.agents)):
            self.name(
                self.pid[agent], self.tid[agent], self._process_name(agent), self.layout.agents[agent].name, agent * 8
            )

    def slices(self, pid: Ints, tid: Ints, start: np.ndarray, end: np.ndarray, names: Named, cat: str) -> None:
        """``X`` events; ``names`` are codes into a small vocabulary, each name quoted once."""
        if start.size:
            self.pieces.append(self._slice_rows(pid, tid, start, end, names, cat))

    def _slice_rows(
        self, pid: Ints, tid: Ints, start: np.ndarray, end: np.ndarray, names: Named, cat: str
    ) -> Iterator[Chunk]:
        """The rows of :meth:`slices`, ``CHUNK`` at a time: ``ts`` and ``dur`` are written as Python
        writes ``round(ns / 1000, 3)`` (ends stay exactly where the next slice starts)."""
        codes, vocabulary = names
        quoted = [json.dumps(name).encode() for name in vocabulary]
        pids, tids = np.asarray(pid, np.int64), np.asarray(tid, np.int64)
        first = np.asarray(start).astype(np.int64) - self.origin
        length = np.asarray(end).astype(np.int64) - np.asarray(start).astype(np.int64)
        head = f'{{"ph":"X","cat":"{cat}","name":'.encode()
        return _events(head, (codes, quoted), pids, tids, first, length)

    def states(self) -> None:
        """Each agent's states, from one STATE record to its next (or to the end of the round)."""
        c = self.cols
        mine = np.flatnonzero((c.op == Op.STATE) & (c.agent >= 0))
        order = mine[np.argsort(c.agent[mine], kind="stable")]
        agent, t = c.agent[order], c.t[order]
        end = np.append(t[1:], self.end_ns)
        last = np.append(agent[1:] != agent[:-1], True)
        end[last] = self.end_ns
        keep = end > t
        states, codes = np.unique(c.value[order][keep], return_inverse=True)
        names = [STATE_NAMES.get(v, str(v)) for v in states.tolist()]
        agents = agent[keep].astype(np.int64)
        pids, tids = np.asarray(self.pid, np.int64)[agents], np.asarray(self.tid, np.int64)[agents]
        self.slices(pids, tids, t[keep], end[keep], (codes, names), "state")

    def waits(self) -> None:
        """Each finished wait (from the ns waited that its last record carries) and each wait still open."""
        c = self.cols
        ended = np.flatnonzero(np.isin(c.op, _WAIT_ENDS) & (c.value > 0) & (c.agent >= 0))
        agent, resource = c.agent[ended], c.resource[ended]
        end, start = c.t[ended], c.t[ended] - c.value[ended]
        open_agent, open_resource, waited = open_waits(Keyed.of(c), self.origin, self.end_ns)
        agent = np.concatenate((agent, open_agent)).astype(np.int64)
        resource = np.concatenate((resource, open_resource)).astype(np.int64)
        start = np.concatenate((start, self.end_ns - waited))
        end = np.concatenate((end, np.full(open_agent.size, self.end_ns)))
        outcome = np.concatenate((c.op[ended].astype(np.int64), np.zeros(open_agent.size, np.int64)))
        pairs, codes = unique_rows(resource, outcome)
        names = [f"wait {self._resource_name(r)}: {OP_NAMES.get(o, 'still waiting')}" for r, o in pairs.tolist()]
        self._agent_tracks(agent, np.zeros_like(agent), start, end, (codes.reshape(-1), names), "wait", "waits")

    def holds(self) -> None:
        """Each hold, on its agent's track for that resource and on the resource's own track."""
        found = hold_intervals(self.events, self.origin, self.end_ns)
        agent, resource = found["agent"].astype(np.int64), found["resource"].astype(np.int64)
        start, end = found["start_ns"], found["end_ns"]
        held, codes = np.unique(resource, return_inverse=True)
        names = [f"hold {self._resource_name(r)}" for r in held.tolist()]
        self._agent_tracks(agent, 2 + resource, start, end, (codes, names), "hold", "holds")
        lane = np.zeros(resource.size, dtype=np.int64)
        for r in np.unique(resource).tolist():
            mine = resource == r
            lane[mine] = np.minimum(lanes(start[mine], end[mine]), LANES - 1)
        tids = (resource * LANES + lane + 1).tolist()
        for r, t, ln in set(zip(resource.tolist(), tids, lane.tolist(), strict=True)):
            suffix = f" (lane {ln + 1})" if ln else ""
            self.name(RESOURCE_PID, t, "resources", self._resource_name(r) + suffix, r * LANES + ln)
        holders = (agent, [info.name for info in self.layout.agents])
        self.slices(np.full(len(tids), RESOURCE_PID), tids, start, end, holders, "hold")

    def _agent_tracks(
        self,
        agent: np.ndarray,
        track: np.ndarray,
        start: np.ndarray,
        end: np.ndarray,
        names: Named,
        cat: str,
        what: str,
    ) -> None:
        tids = SYNTHETIC_TID + agent * TRACKS_PER_AGENT + 1 + track
        for a, k in unique_rows(agent, track)[0].tolist():
            label = what if k < 2 else f"holds {self._resource_name(k - 2)}"
            self.name(
                self.pid[a],
                self._agent_track(a, k),
                self._process_name(a),
                f"{self.layout.agents[a].name} · {label}",
                a * 8 + 1 + min(k, 6),
            )
        self.slices(np.asarray(self.pid, dtype=np.int64)[agent], tids, start, end, names, cat)

    def handoffs(self) -> None:
        """Arrows from a release to the acquisition whose wait it ended (same resource, another agent)."""
        c = self.cols
        mine = np.flatnonzero(np.isin(c.op, (Op.RELEASED, Op.ACQUIRED)) & (c.agent >= 0) & (c.resource >= 0))
        order = mine[np.lexsort((c.t[mine], c.resource[mine]))]
        released = c.op[order] == Op.RELEASED
        last_release = np.maximum.accumulate(np.where(released, np.arange(order.size), -1))
        waited = np.flatnonzero((c.op[order] == Op.ACQUIRED) & (c.value[order] > 0) & (last_release >= 0))
        src = order[last_release[waited]]
        dst = order[waited]
        same = (c.resource[src] == c.resource[dst]) & (c.agent[src] != c.agent[dst])
        src, dst = src[same], dst[same]
        for ids, ends, direction in ((src, "out", "flow_out"), (dst, "in", "flow_in")):
            agents = c.agent[ids].tolist()
            times = self._us(c.t[ids])
            for a in set(agents):
                self.name(
                    self.pid[a],
                    self._agent_track(a, 1),
                    self._process_name(a),
                    f"{self.layout.agents[a].name} · hand-offs",
                    a * 8 + 7,
                )
            self.add(
                f'{{"ph":"X","cat":"handoff","name":"hand-off {ends}","pid":{self.pid[a]},'
                f'"tid":{self._agent_track(a, 1)},"ts":{ts},"dur":0,"bind_id":{k},"{direction}":true}}'
                for k, (a, ts) in enumerate(zip(agents, times, strict=True))
            )

    def counters(self) -> None:
        """Permits in use and capacity of every semaphore and container, step by step."""
        for info in self.layout.of_kind(ResourceKind.SEMAPHORE, ResourceKind.CONTAINER):
            series = resource_timeline(self.events, info, self.origin, self.end_ns)
            times = self._us(series.t_ns)
            for label, values in (("in use", series.holders), ("capacity", series.capacity)):
                self.add(
                    f'{{"ph":"C","name":{json.dumps(f"{info.name} {label}")},"pid":{RESOURCE_PID},'
                    f'"ts":{ts},"args":{{"value":{v}}}}}'
                    for ts, v in zip(times, np.maximum(values, 0).tolist(), strict=True)
                )

    def instants(self) -> None:
        """Steps and signals on the agent's track; commands, exits and the deadlock on the engine's."""
        c = self.cols
        mine = np.flatnonzero(np.isin(c.op, _INSTANTS) & (c.agent >= 0))
        keys, codes = unique_rows(c.op[mine], c.resource[mine], c.value[mine])
        quoted = [json.dumps(self._instant_name(*key)).encode() for key in keys.tolist()]
        agent = c.agent[mine].astype(np.int64)
        pids, tids = np.asarray(self.pid, np.int64)[agent], np.asarray(self.tid, np.int64)[agent]
        since = c.t[mine].astype(np.int64) - self.origin
        self.pieces.append(_events(b'{"ph":"i","s":"t","name":', (codes, quoted), pids, tids, since))
        engine = np.flatnonzero(np.isin(c.op, _ENGINE_INSTANTS) & (c.agent < 0))
        for i, ts in zip(engine.tolist(), self._us(c.t[engine]), strict=True):
            what = f"{OP_NAMES[int(c.op[i])]} {int(c.value[i])}"
            scope = "g" if c.op[i] == Op.DEADLOCK else "t"
            self.add([f'{{"ph":"i","s":"{scope}","name":{json.dumps(what)},"pid":{ENGINE_PID},"tid":0,"ts":{ts}}}'])
        deadlock = self.result.deadlock
        if deadlock is not None:
            chain = " → ".join(
                f"{self.layout.agents[a].name} waits for {self._resource_name(r)}"
                for a, r in zip(deadlock.agents, deadlock.resources, strict=True)
            )
            for label, at in (("deadlock formed", deadlock.formed_ns), ("deadlock detected", deadlock.detected_ns)):
                ts = self._us(np.array([at]))[0]
                name = json.dumps(f"{label}: {chain}")
                self.add([f'{{"ph":"i","s":"g","name":{name},"pid":{ENGINE_PID},"tid":0,"ts":{ts}}}'])

    def _instant_name(self, op: int, resource: int, value: int) -> str:
        steps = self.layout.steps
        if op in (Op.STEP, Op.GATE) and 0 <= resource < len(steps):
            return f"{OP_NAMES[op]} {steps[resource]!r} line {value}"
        return f"{OP_NAMES[op]} {value}"

    def _resource_name(self, index: int) -> str:
        resources = self.layout.resources
        return resources[index].name if 0 <= index < len(resources) else f"#{index}"


def _events(
    head: bytes,
    names: tuple[np.ndarray, list[bytes]],
    pids: np.ndarray,
    tids: np.ndarray,
    since: np.ndarray,
    length: np.ndarray | None = None,
) -> Iterator[Chunk]:
    """Events ``head NAME,"pid":P,"tid":T,"ts":TS[,"dur":D]}`` (names: codes into quoted names;
    ``since``, ``length``: ns), ``CHUNK`` at a time, each chunk a job that writes it (it may run
    in a worker process, so it carries its own slice of the columns)."""
    codes, quoted = names
    for at in range(0, since.size, CHUNK):
        rows = slice(at, at + CHUNK)
        ends = None if length is None else length[rows]
        yield functools.partial(event_rows, head, codes[rows], quoted, pids[rows], tids[rows], since[rows], ends)


def event_rows(
    head: bytes,
    codes: np.ndarray,
    quoted: list[bytes],
    pids: np.ndarray,
    tids: np.ndarray,
    since: np.ndarray,
    length: np.ndarray | None,
) -> bytes:
    """One chunk of :func:`_events`, joined by ",\n", by the vectorised row writer."""
    parts: list[Part] = [head, coded_field(codes, quoted), b',"pid":', int_field(pids)]
    parts += [b',"tid":', int_field(tids), b',"ts":', micros_field(since)]
    if length is not None:
        parts += [b',"dur":', micros_field(length)]
    return join_rows([*parts, b"},\n"], since.size)[:-2]


def _meta(kind: str, pid: int, tid: int, name: str) -> str:
    return f'{{"ph":"M","name":"{kind}","pid":{pid},"tid":{tid},"args":{{"name":{json.dumps(name)}}}}}'


def reference_lines(result: RoundResult) -> list[str]:
    """Every trace event of the round, one JSON object per line, as the whole-round builder made them."""
    text = b",\n".join(c if isinstance(c, bytes) else c() for c in TraceBuilder(result).build()).decode()
    return text.split(",\n") if text else []
