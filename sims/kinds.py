"""The closed sets a round's vocabulary names: backends, resource kinds, end reasons, signal actions.

``StrEnum`` members are their old strings, so summaries, CSV files and level files read the same.
"""

from __future__ import annotations

import enum


class Backend(enum.StrEnum):
    """What an agent runs as: a thread of the engine's process, or an OS process of its own."""

    THREAD = "thread"
    PROCESS = "process"


class ResourceKind(enum.StrEnum):
    """What a resource of the layout is (primitives, and markers scenarios draw)."""

    LOCK = "lock"
    RLOCK = "rlock"
    SEMAPHORE = "semaphore"
    EVENT = "event"
    CONDITION = "condition"
    BARRIER = "barrier"
    CONTAINER = "container"
    COUNTER = "counter"
    PHASE = "phase"
    CHILD = "child"
    CHANNEL = "channel"


class EndReason(enum.StrEnum):
    """Why a round ended."""

    DURATION = "duration"
    DEADLOCK = "deadlock"
    STALL = "stall"  # every live agent waits for a wake-up nobody left can give
    REQUESTED = "requested"
    INTERRUPTED = "interrupted"
    AGENTS_FINISHED = "agents finished"
    EVENT_BUDGET = "event budget"
    DISK_FULL = "disk full"  # the records' spill could not be written
    FAILED_TO_START = "failed to start"


class SignalAction(enum.StrEnum):
    """What ``stop``/``cont``/``kill`` send to one process agent."""

    STOP = "stop"
    CONT = "cont"
    KILL = "kill"
