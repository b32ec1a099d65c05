"""Telemetry: the binary record every agent emits and the rings that carry it."""

from sims.telemetry.ring import RingReader, RingWriter, ring_bytes
from sims.telemetry.schema import (
    ENGINE_AGENT,
    EVENT_DTYPE,
    NO_RESOURCE,
    OP_NAMES,
    RECORD_DTYPE,
    STATE_NAMES,
    Op,
    State,
    op_code,
)

__all__ = [
    "ENGINE_AGENT",
    "EVENT_DTYPE",
    "NO_RESOURCE",
    "OP_NAMES",
    "RECORD_DTYPE",
    "STATE_NAMES",
    "Op",
    "RingReader",
    "RingWriter",
    "State",
    "op_code",
    "ring_bytes",
]
