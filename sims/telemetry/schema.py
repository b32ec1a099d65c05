"""The telemetry record: one fixed-width binary layout for every backend.

A record is 32 little-endian bytes, written by exactly one agent into its own ring:

    offset  field     type  meaning
    0       seq       u4    1, 2, 3 ... per ring; the reader takes a slot only when it matches
    4       op        u2    what happened (:class:`Op`)
    6       resource  i2    index of the resource, or -1
    8       t_ns      i8    ``time.monotonic_ns()`` (comparable across processes on Linux)
    16      value     i8    meaning depends on ``op`` (wait ns, capacity, item id, state...)
    24      agent     i4    index of the writing agent; the engine writes as ``ENGINE_AGENT``
    28      check     u4    seq again

The sequence number stands at both ends of the record. The reader takes a slot only when
both equal the number it expects next, so it never takes a slot whose first or last half is
not yet visible to it: on weakly ordered CPUs (ARM) the writer's stores need not become
visible in program order, and a 32-byte record is stored as (at most) two halves by memcpy.
A full checksum over every field would also catch a tear inside a half; it cost 100 ns a
record (a third of the budget), measured with tools/bench_engine.py.
"""

from __future__ import annotations

import enum
import struct

RECORD_SIZE = 32
RECORD_STRUCT = struct.Struct("<IIqqiI")  # seq, code, t_ns, value, agent, check
ENGINE_AGENT = -1
NO_RESOURCE = -1
MASK32 = 0xFFFFFFFF


class Op(enum.IntEnum):
    """What a record says happened. ``value`` is given after the dash."""

    # Resources (Lock, Semaphore): request only when the call has to wait.
    REQUEST = 1  # - timeout in ns, -1 for none
    ACQUIRED = 2  # - ns waited (0 on the uncontended fast path)
    RELEASED = 3  # - 0
    TIMED_OUT = 4  # - ns waited
    ABANDONED = 5  # - ns waited; the round ended while this agent waited
    CAPACITY = 6  # - permits in circulation (a semaphore's effective capacity)
    PENDING = 7  # - permits a shrink still has to take back
    ORPHANED = 8  # - agent index of the dead holder (written by the engine)
    RECURSION = 9  # - an RLock's new recursion level while its owner keeps it (ACQUIRED means 1, RELEASED 0)
    # Events
    WAIT = 10  # - timeout in ns, -1 for none
    WOKEN = 11  # - ns waited
    WAIT_TIMED_OUT = 12  # - ns waited
    SET = 13  # - 0
    CLEAR = 14  # - 0
    # Conditions (WAIT / WOKEN / WAIT_TIMED_OUT as events; the lock's own records show it released and re-taken)
    NOTIFY = 15  # - agent index of the waiter notified, -1 when nobody waited (one record per waiter woken)
    # Barriers (an arrival that has to wait writes WAIT, then WOKEN, BROKEN or WAIT_TIMED_OUT)
    TRIPPED = 16  # - parties: the last arrival lets the whole party through
    BROKEN = 17  # - ns waited: this wait ended in BrokenBarrierError
    BREAK = 18  # - 0: the barrier is broken (abort(), a wait's timeout or a failing action)
    RESET = 19  # - 0: reset(); waiters still waiting get BrokenBarrierError
    # Agents' own life and state
    AGENT_START = 20  # - pid
    AGENT_STOP = 21  # - 0 normal, 1 stopped by the round, 2 error
    STATE = 22  # - a :class:`State`
    STEP = 23  # - source line; resource = step label index
    ITEM_PUT = 24  # - item id; resource = the container
    ITEM_TAKEN = 25  # - item id; resource = the container
    COUNTER = 26  # - a scenario counter's new value; resource = counter index
    SIGNAL = 27  # - signal number received by the agent
    MESSAGE_SENT = 28  # - message id; resource = channel
    MESSAGE_RECEIVED = 29  # - ns in flight; resource = channel
    WORK = 30  # - ns of work just done (CPU or IO lab)
    GATE = 31  # - source line; resource = step label index: a STEP at which the agent now waits (gated round)
    # Uncontended Lock holds counted instead of recorded (detail off; see sims.primitives._tally).
    # One of each per Lock the agent used, written together at its next wait and when it stops,
    # stamped when the last of those holds ended.
    HOLDS = 32  # - how many uncontended holds (taken without waiting, released by this agent)
    HELD = 33  # - ns those holds lasted in all
    LONGEST_HOLD = 34  # - ns the longest of them lasted
    # Engine (agent = ENGINE_AGENT)
    ROUND_START = 40  # - number of agents
    ROUND_END = 41  # - 0
    COMMAND = 42  # - a command code (see sims.rounds.commands)
    AGENT_EXIT = 43  # - exit code; resource = agent index
    DEADLOCK = 44  # - ns at which the cycle formed; resource = first agent of the cycle
    PAUSED = 45  # - 1 paused, 0 resumed
    SCALE = 46  # - time scale x 1000
    # Lessons (sims.scenarios: lineup, signals, pool, gil, menu)
    CHILD_STARTED = 50  # - pid (process) or native thread id of a helper an agent started; resource = the helper
    CHILD_ALIVE = 51  # - 1 if the helper is_alive() when its starter looked, else 0; resource = the helper
    CHILD_JOINED = 52  # - ns the starter's join() waited; resource = the helper
    CHILD_GONE = 53  # - t_ns of the helper's last heartbeat, seen by a watcher; resource = the helper
    CHILD_REFUSED = 54  # - 0: a daemon process may not start child processes; resource = the helper
    SIGNAL_SENT = 55  # - signal number sent with os.kill; resource = the receiving agent's index
    PHASE_END = 56  # - ns the phase took (wall clock); resource = the phase
    STARTUP = 57  # - ns from asking for a worker to the worker starting the job; resource = the phase
    WAITED = 58  # - ns from wanting in to being in (an entry protocol of several primitives); resource = the room
    CPU_USED = 59  # - ns of CPU time a lab job's own thread used (time.thread_time_ns); resource = the phase


class State(enum.IntEnum):
    """States an agent reports about itself (``Op.STATE``)."""

    IDLE = 0
    THINKING = 1
    HUNGRY = 2
    EATING = 3
    PRODUCING = 4
    CONSUMING = 5
    WAITING = 6
    WORKING = 7
    READING = 8
    WRITING = 9
    SLEEPING = 10
    DONE = 11


def op_code(op: int, resource: int = NO_RESOURCE) -> int:
    """The packed ``op | resource << 16`` word written at offset 4."""
    return (op & 0xFFFF) | ((resource & 0xFFFF) << 16)


OP_NAMES: dict[int, str] = {op.value: op.name.lower() for op in Op}
STATE_NAMES: dict[int, str] = {s.value: s.name.lower() for s in State}
