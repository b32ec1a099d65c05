"""A round's decoded tables: events, agents and resources as typed columns (intervals: sims.data.intervals).

Every index is turned into a name with a dictionary (agent, op, resource, target_agent,
state, step), null where the op gives it no meaning (see :mod:`sims.data.ops`); times are
ns since the round's start. Events come in chunks so that writers can take them as they come.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import attrs
import numpy as np

from sims.data.columns import Bools, Floats, Ints, Names, Table, nullable_floats, nullable_ints
from sims.data.ops import VALUE_IS_AGENT, Ref, ref_by_code
from sims.rounds.layout import RoundLayout
from sims.rounds.result import RoundResult
from sims.telemetry import Op, State
from sims.telemetry.dtypes import EVENT_DTYPE
from sims.telemetry.spill import RecordSlice

ENGINE_NAME = "engine"
EVENT_CHUNK = 1 << 19  # rows per events chunk (a Parquet row group): 1 M rows peaked 90 MB higher, no faster
_REF = {ref: i for i, ref in enumerate(Ref)}


class EventDecoder:
    """Turns records of one round into event table chunks: an ``EVENT_DTYPE`` array or any
    mapping of its fields to arrays (the spill's columns, read as stored)."""

    def __init__(self, layout: RoundLayout, origin_ns: int) -> None:
        self.origin_ns = origin_ns
        self.agents = tuple(a.name for a in layout.agents)
        self.resources = tuple(r.name for r in layout.resources)
        self.steps = tuple(layout.steps)
        self.op_names = tuple(op.name.lower() for op in Op)
        self.states = tuple(s.name.lower() for s in State)
        # Indexed by op code, one entry more for every unknown code (its row's op is null).
        self.unknown = max(Op) + 1
        self.op_codes = np.full(self.unknown + 1, -1, np.int32)
        self.op_codes[[op.value for op in Op]] = np.arange(len(Op), dtype=np.int32)
        self.refs = np.append(ref_by_code(), _REF[Ref.NONE])
        self.value_is_agent = np.isin(np.arange(self.unknown + 1), VALUE_IS_AGENT)
        self.is_state = np.arange(self.unknown + 1) == Op.STATE

    def table(self, events: np.ndarray | Mapping[str, np.ndarray]) -> Table:
        op = np.minimum(events["op"], self.unknown).astype(np.intp)
        ref, value, agent = self.refs[op], np.ascontiguousarray(events["value"]), events["agent"]
        res = events["resource"].astype(np.int32)
        n_agents = len(self.agents)
        target = np.where(self.value_is_agent[op], value, np.where(ref == _REF[Ref.AGENT], res, -1))
        return Table(
            {
                "t_ns": Ints(events["t_ns"] - self.origin_ns),
                "agent": Names(
                    _in_range(np.where(agent < 0, n_agents, agent), n_agents + 1), (*self.agents, ENGINE_NAME)
                ),
                "op": Names(self.op_codes[op], self.op_names),
                "resource": Names(_in_range(res, len(self.resources), ref == _REF[Ref.RESOURCE]), self.resources),
                "target_agent": Names(_in_range(target, n_agents), self.agents),
                "state": Names(_in_range(value, len(self.states), self.is_state[op]), self.states),
                "step": Names(_in_range(res, len(self.steps), ref == _REF[Ref.STEP]), self.steps),
                "value": Ints(value),
            }
        )


@attrs.frozen(eq=False)
class EventSlice:
    """The events table of one slice of a round's records, made where it is called (a worker)."""

    decoder: EventDecoder
    records: RecordSlice

    def __call__(self) -> Table:
        return self.decoder.table(self.records.columns())


def event_slices(result: RoundResult, size: int = EVENT_CHUNK) -> Iterator[EventSlice]:
    """The events table of a round as slices of ``size`` records, each made when called."""
    decoder = EventDecoder(result.layout, result.started_ns)
    for records in result.record_slices(size):
        yield EventSlice(decoder, records)


def event_columns(result: RoundResult) -> tuple[str, ...]:
    return tuple(EventDecoder(result.layout, result.started_ns).table(np.empty(0, EVENT_DTYPE)).columns)


def _in_range(codes: np.ndarray, size: int, rows: np.ndarray | None = None) -> np.ndarray:
    """Codes as int32, -1 (null) where they index nothing in a dictionary of ``size`` names (and
    outside ``rows``, a bool mask, if given)."""
    signed = codes.astype(np.int64, copy=False) if codes.dtype.kind != "i" else codes
    valid = signed.view(signed.dtype.str.replace("i", "u")) < size  # negative codes wrap to huge ones
    if rows is not None:
        valid &= rows
    return np.where(valid, signed, -1).astype(np.int32, copy=False)


def event_tables(result: RoundResult, chunk: int = EVENT_CHUNK) -> Iterator[Table]:
    """The events table of a round, ``chunk`` records at a time (always at least one table)."""
    decoder = EventDecoder(result.layout, result.started_ns)
    empty = True
    for events in result.event_chunks(chunk):  # from the spill a chunk at a time: a round may not fit in memory
        empty = False
        yield decoder.table(events)
    if empty:
        yield decoder.table(result.events[:0])


def agents_table(result: RoundResult) -> Table:
    """One row per agent: identity (times on the round's clock) and its statistics."""
    origin, infos, ids, stats = result.started_ns, result.layout.agents, result.identities, result.stats.agents
    ms = {
        "wait_mean_ms": [s.wait_ms.mean for s in stats],
        "wait_p50_ms": [s.wait_ms.p50 for s in stats],
        "wait_p95_ms": [s.wait_ms.p95 for s in stats],
        "wait_p99_ms": [s.wait_ms.p99 for s in stats],
        "wait_max_ms": [s.wait_ms.max for s in stats],
        "hold_mean_ms": [s.hold_ms.mean for s in stats],
        "hold_max_ms": [s.hold_ms.max for s in stats],
        "longest_wait_ms": [s.longest_wait_ms for s in stats],
    }
    return Table(
        {
            "index": Ints(np.array([i.index for i in ids], np.int64)),
            "name": Names.of([i.name for i in ids]),
            "role": Names.of([a.role for a in infos]),
            "backend": Names.of([i.backend for i in ids]),
            "pid": Ints(np.array([i.pid for i in ids], np.int64)),
            "native_id": nullable_ints([i.native_id for i in ids]),
            "daemon": Bools(np.array([i.daemon for i in ids], bool)),
            "exit_code": nullable_ints([i.exit_code for i in ids]),
            "started_ns": nullable_ints([None if i.started_ns is None else i.started_ns - origin for i in ids]),
            "stopped_ns": nullable_ints([None if i.stopped_ns is None else i.stopped_ns - origin for i in ids]),
            "counted": Bools(np.array([s.counted for s in stats], bool)),
            "operations": Ints(np.array([s.operations for s in stats], np.int64)),
            "throughput_per_s": Floats(np.array([s.throughput_per_s for s in stats], np.float64)),
            "acquisitions": Ints(np.array([s.acquisitions for s in stats], np.int64)),
            "timeouts": Ints(np.array([s.timeouts for s in stats], np.int64)),
            **{name: Floats(np.array(values, np.float64)) for name, values in ms.items()},
        }
    )


def resources_table(result: RoundResult) -> Table:
    """One row per resource of the layout; lock and semaphore statistics, null for other kinds."""
    infos = result.layout.resources
    stats = {s.index: s for s in result.stats.resources}
    got = [stats.get(r.index) for r in infos]

    def ints(pick: str) -> Ints:
        return nullable_ints([None if s is None else getattr(s, pick) for s in got])

    return Table(
        {
            "index": Ints(np.array([r.index for r in infos], np.int64)),
            "name": Names.of([r.name for r in infos]),
            "kind": Names.of([r.kind for r in infos]),
            "capacity": Ints(np.array([r.capacity for r in infos], np.int64)),
            "acquisitions": ints("acquisitions"),
            "utilisation": nullable_floats([None if s is None else s.utilisation for s in got]),
            "max_holders": ints("max_holders"),
            "capacity_min": ints("capacity_min"),
            "capacity_max": ints("capacity_max"),
            "over_capacity_ns": ints("over_capacity_ns"),
            "handoffs": ints("handoffs"),
            "wait_p50_ms": nullable_floats([None if s is None else s.wait_ms.p50 for s in got]),
            "wait_p99_ms": nullable_floats([None if s is None else s.wait_ms.p99 for s in got]),
            "wait_max_ms": nullable_floats([None if s is None else s.wait_ms.max for s in got]),
        }
    )
