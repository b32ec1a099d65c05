"""What happened in a finished round, in one headline: the results screen and the debrief say the same.

A deadlock or a stall first, then a round stuck on a killed holder's resources (no cycle, but
whoever waits for them waits for ever), then starvation; "fine" only when none of these.
"""

from __future__ import annotations

from typing import Any

from game import palette
from game.i18n import Tr, thing, who
from game.views.primitive import short_name
from sims.rounds import RoundResult, stuck_behind_the_dead

Colour = tuple[int, int, int]


def round_verdict(tr: Tr, result: RoundResult) -> tuple[str, Colour]:
    """The headline and its colour."""
    if result.deadlock is not None:
        formed = (result.deadlock.formed_ns - result.started_ns) / 1e9
        key = "results.stall" if result.deadlock.is_stall else "results.deadlock"
        return tr(key, t=formed), palette.BAD
    if result.orphaned:
        names = tr("roles.join").join(thing(tr, n) for n in result.orphaned)
        return tr("results.stuck", names=names), palette.BAD
    if result.stats.starved:
        names = tr("roles.join").join(who(tr, n) for n in result.stats.starved[:5])
        return tr("results.starved", names=names), palette.WARN
    return tr("results.fine"), palette.GOOD


def deadlock_chain(tr: Tr, layout: Any, deadlock: Any) -> str:
    """``P0 waits for fork 1, which P1 holds; P1 waits for fork 0, which P0 holds``: the cycle, hop by hop."""
    agents = list(deadlock.agents)
    holders = agents[1:] + agents[:1]  # each waits for what the next one in the cycle holds
    hops = [
        tr(
            "arena.hop",
            agent=short_name(layout.agents[a]),
            resource=thing(tr, layout.resources[r].name),
            holder=short_name(layout.agents[h]),
        )
        for a, r, h in zip(agents, deadlock.resources, holders, strict=True)
    ]
    return tr("arena.hop_join").join(hops)


def verdict_lines(tr: Tr, result: RoundResult) -> list[tuple[str, Colour]]:
    """The headline, and for a deadlock its cycle hop by hop (who waits for what, held by whom)."""
    lines = [round_verdict(tr, result)]
    dl = result.deadlock
    if dl is not None and not dl.is_stall:
        lines.append((deadlock_chain(tr, result.layout, dl), palette.TEXT))
    elif dl is None and result.orphaned:
        stuck = stuck_chain(tr, result)
        if stuck:
            lines.append((stuck, palette.TEXT))
    return lines


def stuck_chain(tr: Tr, result: RoundResult) -> str:
    """``C1 waits for stove, which C0 held when it was killed``: who waits for ever, and on whom."""
    agents, resources = result.layout.agents, result.layout.resources
    hops = [
        tr(
            "results.stuck_hop",
            agent=short_name(agents[w.agent]),
            resource=thing(tr, resources[w.resource].name),
            holder=short_name(agents[w.holder]),
        )
        for w in stuck_behind_the_dead(result)
    ]
    return tr("arena.hop_join").join(hops)
