"""What ``resource`` and ``value`` mean for each op: the one table the decoder and docs/data.md use.

A record's ``resource`` field is an index whose meaning depends on the op: a resource of
the layout, an agent, a labelled step, or nothing. The decoded tables put each kind in its
own column (``resource``, ``target_agent``, ``step``) and leave the others null; ``value``
stays the raw integer, whose meaning and unit are given here.
"""

from __future__ import annotations

import enum

import attrs
import numpy as np

from sims.telemetry import Op


class Ref(enum.Enum):
    """What a record's resource field indexes."""

    NONE = "nothing (-1)"
    RESOURCE = "a resource of the round (`resource` column)"
    AGENT = "an agent (`target_agent` column)"
    STEP = "a labelled step (`step` column)"


class Unit(enum.Enum):
    NS = "ns"
    T_NS = "ns since the round's start"  # a time on the round's clock
    COUNT = "count"
    ID = "id"
    CODE = "code"
    NONE = "-"


@attrs.frozen
class OpMeaning:
    written_by: str
    resource: Ref
    value: str
    unit: Unit


_A, _E, _AE = "agent", "engine", "agent or engine"
_M, _RES = OpMeaning, Ref.RESOURCE
_MEANINGS: dict[Op, OpMeaning] = {
    Op.REQUEST: _M(_A, _RES, "timeout asked for, -1 for none (only written when the call must wait)", Unit.NS),
    Op.ACQUIRED: _M(_A, _RES, "time waited (0 on the uncontended fast path)", Unit.NS),
    Op.RELEASED: _M(_A, _RES, "0", Unit.NONE),
    Op.TIMED_OUT: _M(_A, _RES, "time waited before giving up", Unit.NS),
    Op.ABANDONED: _M(_A, _RES, "time waited when the round ended during the wait", Unit.NS),
    Op.CAPACITY: _M(_AE, _RES, "permits in circulation (a semaphore's capacity)", Unit.COUNT),
    Op.PENDING: _M(_AE, _RES, "permits a shrink still has to take back", Unit.COUNT),
    Op.ORPHANED: _M(_E, _RES, "index of the dead holder (decoded in `target_agent`)", Unit.ID),
    Op.RECURSION: _M(
        _A, _RES, "an RLock's new recursion level while its owner keeps it (acquired: 1, released: 0)", Unit.COUNT
    ),
    Op.WAIT: _M(_A, _RES, "timeout asked for, -1 for none (an Event's, Condition's or Barrier's wait)", Unit.NS),
    Op.WOKEN: _M(_A, _RES, "time waited on the Event", Unit.NS),
    Op.WAIT_TIMED_OUT: _M(_A, _RES, "time waited on the Event before giving up", Unit.NS),
    Op.SET: _M(_A, _RES, "0", Unit.NONE),
    Op.CLEAR: _M(_A, _RES, "0", Unit.NONE),
    Op.NOTIFY: _M(_A, _RES, "index of the waiter notified (decoded in `target_agent`), -1: nobody waited", Unit.ID),
    Op.TRIPPED: _M(_A, _RES, "parties: the last arrival lets the whole party through", Unit.COUNT),
    Op.BROKEN: _M(_A, _RES, "time waited: this barrier wait ended in BrokenBarrierError", Unit.NS),
    Op.BREAK: _M(_A, _RES, "0: the barrier is broken (abort(), a wait's timeout or a failing action)", Unit.NONE),
    Op.RESET: _M(_A, _RES, "0: reset(); waiters still waiting get BrokenBarrierError", Unit.NONE),
    Op.AGENT_START: _M(_A, Ref.NONE, "pid of the agent's process", Unit.ID),
    Op.AGENT_STOP: _M(_A, Ref.NONE, "0 normal end, 1 stopped by the round, 2 error", Unit.CODE),
    Op.STATE: _M(_A, Ref.NONE, "the new state's code (decoded in `state`)", Unit.CODE),
    Op.STEP: _M(_A, Ref.STEP, "source line of the step", Unit.ID),
    Op.ITEM_PUT: _M(_A, _RES, "item id put into the container", Unit.ID),
    Op.ITEM_TAKEN: _M(_A, _RES, "item id taken from the container", Unit.ID),
    Op.COUNTER: _M(_A, _RES, "the scenario counter's new value", Unit.COUNT),
    Op.SIGNAL: _M(_AE, Ref.AGENT, "signal number (agent: received, no target; engine: sent to the target)", Unit.CODE),
    Op.MESSAGE_SENT: _M(_A, _RES, "message id (resource: the channel)", Unit.ID),
    Op.MESSAGE_RECEIVED: _M(_A, _RES, "time the message was in flight (resource: the channel)", Unit.NS),
    Op.WORK: _M(_A, _RES, "time of work just done (resource: the lab's phase)", Unit.NS),
    Op.GATE: _M(_A, Ref.STEP, "source line of the step at which the agent now waits (gated round)", Unit.ID),
    Op.HOLDS: _M(_A, _RES, "uncontended holds summed up here (detail off)", Unit.COUNT),
    Op.HELD: _M(_A, _RES, "time those uncontended holds lasted in all (detail off)", Unit.NS),
    Op.LONGEST_HOLD: _M(_A, _RES, "time the longest of those uncontended holds lasted (detail off)", Unit.NS),
    Op.ROUND_START: _M(_E, Ref.NONE, "number of agents", Unit.COUNT),
    Op.ROUND_END: _M(_E, Ref.NONE, "0", Unit.NONE),
    Op.COMMAND: _M(_E, Ref.AGENT, "command code (6 step: target is the agent; 7 gate, 8 auto)", Unit.CODE),
    Op.AGENT_EXIT: _M(_E, Ref.AGENT, "exit code of the target's process (-9: SIGKILL)", Unit.CODE),
    Op.DEADLOCK: _M(_E, Ref.AGENT, "reserved (not written by this engine version)", Unit.NONE),
    Op.PAUSED: _M(_E, Ref.NONE, "1 paused, 0 resumed", Unit.CODE),
    Op.SCALE: _M(_E, Ref.NONE, "think/eat time scale x 1000", Unit.COUNT),
    Op.CHILD_STARTED: _M(_A, _RES, "pid or native thread id of the helper (resource: the helper)", Unit.ID),
    Op.CHILD_ALIVE: _M(_A, _RES, "1 if the helper was alive when its starter looked, else 0", Unit.CODE),
    Op.CHILD_JOINED: _M(_A, _RES, "time the starter's join() waited (resource: the helper)", Unit.NS),
    Op.CHILD_GONE: _M(_A, _RES, "raw monotonic ns of the helper's last heartbeat", Unit.NS),
    Op.CHILD_REFUSED: _M(_A, _RES, "0: a daemon process may not start children", Unit.NONE),
    Op.SIGNAL_SENT: _M(_A, Ref.AGENT, "signal number sent with os.kill to the target", Unit.CODE),
    Op.PHASE_END: _M(_A, _RES, "wall-clock time the phase took (resource: the phase)", Unit.NS),
    Op.STARTUP: _M(_A, _RES, "time from asking for a worker to the job starting", Unit.NS),
    Op.WAITED: _M(_A, _RES, "time from wanting in to being in (resource: the room)", Unit.NS),
    Op.CPU_USED: _M(_A, _RES, "CPU time the job's own thread used (resource: the phase)", Unit.NS),
}


VALUE_IS_AGENT = (Op.ORPHANED, Op.NOTIFY)  # ops whose value is an agent's index


def meaning(op: Op) -> OpMeaning:
    return _MEANINGS[op]


def ref_by_code() -> np.ndarray:
    """Indexed by op code: 0 none, 1 resource, 2 agent, 3 step (unknown codes: none)."""
    order = list(Ref)
    table = np.zeros(max(Op) + 1, dtype=np.int8)
    for op, m in _MEANINGS.items():
        table[op] = order.index(m.resource)
    return table


def op_table_markdown() -> str:
    """The op table of docs/data.md (a test checks the doc holds exactly this)."""
    lines = ["| code | op | written by | `resource` is | `value` | unit |", "|---:|---|---|---|---|---|"]
    for op in Op:
        m = _MEANINGS[op]
        cells = (str(op.value), f"`{op.name.lower()}`", m.written_by, m.resource.value, m.value, m.unit.value)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
