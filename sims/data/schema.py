"""The tables' columns: type, unit and what null means, declared once.

The table builders are checked against this (tests), docs/data.md shows it
(:func:`columns_markdown`, checked too), and the loader reads CSV with it.
"""

from __future__ import annotations

import enum

import attrs


class Type(enum.Enum):
    INT = "int64"
    FLOAT = "float64"
    BOOL = "bool"
    NAME = "name"  # a string, dictionary-encoded in Parquet (a pandas categorical)


@attrs.frozen
class Col:
    type: Type
    unit: str
    meaning: str
    null: str = "never"


_NS = "ns since the round's start"
_R = "ns"
COLUMNS: dict[str, dict[str, Col]] = {
    "events": {
        "t_ns": Col(Type.INT, _NS, "when the record was written (negative: before the round started)"),
        "agent": Col(Type.NAME, "", "who wrote it: an agent's name, or `engine`"),
        "op": Col(Type.NAME, "", "what happened (the op table below)"),
        "resource": Col(Type.NAME, "", "the resource acted on", "the op names no resource"),
        "target_agent": Col(
            Type.NAME, "", "the agent the record is about (signals, commands, exits, notify)", "no agent"
        ),
        "state": Col(Type.NAME, "", "the agent's new state", "op is not `state`"),
        "step": Col(Type.NAME, "", "the labelled step reached", "op is not `step` or `gate`"),
        "value": Col(Type.INT, "per op", "the op's number (the op table below)"),
    },
    "agents": {
        "index": Col(Type.INT, "", "the agent's index (0, 1, ...)"),
        "name": Col(Type.NAME, "", "its name"),
        "role": Col(Type.NAME, "", "what the scenario calls it (philosopher, cook...)"),
        "backend": Col(Type.NAME, "", "`thread` or `process`"),
        "pid": Col(Type.INT, "", "its process id"),
        "native_id": Col(Type.INT, "", "its native thread id", "not known"),
        "daemon": Col(Type.BOOL, "", "whether it was a daemon"),
        "exit_code": Col(Type.INT, "", "a process's exit code (-9: SIGKILL)", "a thread"),
        "started_ns": Col(Type.INT, _NS, "its start record (negative: it started before the round)", "no record"),
        "stopped_ns": Col(Type.INT, _NS, "its stop record", "no record (killed)"),
        "counted": Col(Type.BOOL, "", "a worker: with 0 operations it is starved (false: a helper that only watches)"),
        "operations": Col(Type.INT, "count", "operations done (meals, items...; the scenario's `operation`)"),
        "throughput_per_s": Col(Type.FLOAT, "1/s", "operations per second of the round"),
        "acquisitions": Col(Type.INT, "count", "locks and permits acquired"),
        "timeouts": Col(Type.INT, "count", "acquisitions that timed out"),
        "wait_mean_ms": Col(Type.FLOAT, "ms", "mean wait per acquisition (fast-path zeros included)"),
        "wait_p50_ms": Col(Type.FLOAT, "ms", "median wait"),
        "wait_p95_ms": Col(Type.FLOAT, "ms", "95th percentile wait"),
        "wait_p99_ms": Col(Type.FLOAT, "ms", "99th percentile wait"),
        "wait_max_ms": Col(Type.FLOAT, "ms", "longest completed wait"),
        "hold_mean_ms": Col(Type.FLOAT, "ms", "mean hold"),
        "hold_max_ms": Col(Type.FLOAT, "ms", "longest hold"),
        "longest_wait_ms": Col(Type.FLOAT, "ms", "longest wait, timed-out, abandoned and still open ones included"),
    },
    "resources": {
        "index": Col(Type.INT, "", "the resource's index"),
        "name": Col(Type.NAME, "", "its name"),
        "kind": Col(Type.NAME, "", "lock, semaphore, event, container, counter, channel, phase..."),
        "capacity": Col(Type.INT, "count", "capacity as set up (locks 1, semaphores their permits)"),
        "acquisitions": Col(Type.INT, "count", "acquisitions", "not a lock or semaphore"),
        "utilisation": Col(Type.FLOAT, "ratio", "time-weighted holders / capacity", "not a lock or semaphore"),
        "max_holders": Col(Type.INT, "count", "most holders at once", "not a lock or semaphore"),
        "capacity_min": Col(Type.INT, "count", "smallest capacity during the round", "not a lock or semaphore"),
        "capacity_max": Col(Type.INT, "count", "largest capacity during the round", "not a lock or semaphore"),
        "over_capacity_ns": Col(
            Type.INT, _R, "time above capacity (0 for a correct engine)", "not a lock or semaphore"
        ),
        "handoffs": Col(Type.INT, "count", "acquisitions after a wait by a new agent", "not a lock or semaphore"),
        "wait_p50_ms": Col(Type.FLOAT, "ms", "median wait for it", "not a lock or semaphore"),
        "wait_p99_ms": Col(Type.FLOAT, "ms", "99th percentile wait for it", "not a lock or semaphore"),
        "wait_max_ms": Col(Type.FLOAT, "ms", "longest wait for it", "not a lock or semaphore"),
    },
    "intervals": {
        "agent": Col(Type.NAME, "", "who waited or held"),
        "resource": Col(Type.NAME, "", "what it waited for or held"),
        "kind": Col(Type.NAME, "", "`wait` or `hold`"),
        "start_ns": Col(Type.INT, _NS, "when it began"),
        "end_ns": Col(Type.INT, _NS, "when it ended (the round's end for `still_waiting`, `held_at_end`)"),
        "duration_ns": Col(Type.INT, _R, "end_ns - start_ns"),
        "outcome": Col(
            Type.NAME,
            "",
            "wait: `acquired`, `timed_out`, `abandoned`, `woken`, `broken`, `still_waiting`; "
            "hold: `released`, `held_at_end`",
        ),
    },
}


def name_columns(table: str) -> list[str]:
    return [name for name, col in COLUMNS[table].items() if col.type is Type.NAME]


def columns_markdown(table: str) -> str:
    """The column table of ``table`` as docs/data.md shows it."""
    lines = ["| column | type | unit | meaning | null when |", "|---|---|---|---|---|"]
    for name, col in COLUMNS[table].items():
        lines.append(f"| `{name}` | {col.type.value} | {col.unit or '-'} | {col.meaning} | {col.null} |")
    return "\n".join(lines)
