"""Who a killed holder left stuck: waits still open at the round's end on what a dead agent holds.

No cycle, so the deadlock detector says nothing; yet these agents wait for ever. The verdict
names them (``cook 1 waits for stove, held by cook 0, killed``) instead of "no deadlock".
"""

from __future__ import annotations

import attrs
import numpy as np

from sims.rounds.result import RoundResult
from sims.telemetry import ENGINE_AGENT, Op

_WAIT_OPS = (Op.REQUEST, Op.ACQUIRED, Op.TIMED_OUT, Op.ABANDONED, Op.WAIT, Op.WOKEN, Op.WAIT_TIMED_OUT)


@attrs.frozen
class StuckWait:
    agent: int
    resource: int
    holder: int  # the killed agent that still holds ``resource``


def stuck_behind_the_dead(result: RoundResult) -> tuple[StuckWait, ...]:
    """Live agents whose last wait before the round's end is an open REQUEST on an orphaned resource."""
    if not result.orphaned:
        return ()
    holder_of: dict[int, int] = {}
    gone: set[int] = set()  # agents that exited during the round (a killed waiter is not stuck, it is gone)
    last: dict[int, tuple[int, int]] = {}  # agent -> (op, resource) of its latest wait record
    for chunk in result.event_chunks():
        engine = chunk[(chunk["agent"] == ENGINE_AGENT) & (chunk["op"] == Op.ORPHANED)]
        holder_of |= dict(zip(engine["resource"].tolist(), engine["value"].tolist(), strict=True))
        exits = chunk[(chunk["agent"] == ENGINE_AGENT) & (chunk["op"] == Op.AGENT_EXIT)]
        gone.update(exits["resource"][exits["t_ns"] <= result.ended_ns].tolist())
        waits = chunk[np.isin(chunk["op"], _WAIT_OPS) & (chunk["agent"] >= 0) & (chunk["t_ns"] <= result.ended_ns)]
        if len(waits):  # each agent's latest in this chunk (chunks come in time order)
            newest = np.full(int(waits["agent"].max()) + 1, -1, dtype=np.int64)
            np.maximum.at(newest, waits["agent"].astype(np.int64), np.arange(len(waits)))
            for agent in np.flatnonzero(newest >= 0).tolist():
                record = waits[newest[agent]]
                last[agent] = (int(record["op"]), int(record["resource"]))
    return tuple(
        StuckWait(agent, resource, holder_of[resource])
        for agent, (op, resource) in sorted(last.items())
        if op == Op.REQUEST and resource in holder_of and agent not in gone
    )
