"""Telemetry: the binary record every agent emits and the rings that carry it.

``RingReader`` and the numpy dtypes load numpy on first use only, so an agent process,
which only writes, starts without importing it.
"""

from __future__ import annotations

from typing import Any

from sims.telemetry.ring import RingWriter, ring_bytes
from sims.telemetry.schema import ENGINE_AGENT, NO_RESOURCE, OP_NAMES, RECORD_STRUCT, STATE_NAMES, Op, State, op_code

_LAZY = {
    "EVENT_DTYPE": "sims.telemetry.dtypes",
    "RECORD_DTYPE": "sims.telemetry.dtypes",
    "RingReader": "sims.telemetry.reader",
    "MemoryRecords": "sims.telemetry.spill",
    "RecordSpill": "sims.telemetry.spill",
    "SpilledRecords": "sims.telemetry.spill",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sims.telemetry' has no attribute {name!r}")


__all__ = [
    "ENGINE_AGENT",
    "EVENT_DTYPE",
    "NO_RESOURCE",
    "OP_NAMES",
    "RECORD_DTYPE",
    "RECORD_STRUCT",
    "STATE_NAMES",
    "MemoryRecords",
    "Op",
    "RecordSpill",
    "RingReader",
    "RingWriter",
    "SpilledRecords",
    "State",
    "op_code",
    "ring_bytes",
]
