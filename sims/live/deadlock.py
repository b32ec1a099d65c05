"""Deadlock detection on the wait-for graph that telemetry describes.

Holt's reduction: an agent that is not blocked forever can finish and give back what it
holds; a blocked agent whose resource would then have a free unit can finish too. Agents
left over are blocked for good; a cycle among them (each waits for a resource held by the
next) is a deadlock. Agents blocked behind a dead holder are "stuck", not deadlocked.
A semaphore that any agent may release (a signal, not a seat) frees its waiters as soon as
anyone at all can move: only when everyone is blocked can such a wait be part of a deadlock.
The same holds for every wake-up (a condition's notify, a barrier's other parties, an
event's set): when every live agent is blocked for good, no cycle among them, and one of
them waits for a wake-up, the round has stalled (a lost wake-up).
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs


@attrs.frozen
class WaitGraph:
    """The facts detection needs, one entry per agent / resource."""

    waits_for: Sequence[int]  # resource each agent waits for forever, -1 if none
    holdings: Sequence[Sequence[int]]  # resources each agent holds
    free: Sequence[int]  # free units per resource (capacity - holders, never below 0)
    alive: Sequence[bool]
    # Per resource: True where any agent may release it (a counting semaphore used to
    # signal, like the kitchen's "full"): its waiters can be freed by anyone who can move.
    anyone_releases: Sequence[bool] = ()


def blocked_for_good(graph: WaitGraph) -> list[int]:
    """Agents that cannot proceed whatever the others do (Holt reduction)."""
    free = list(graph.free)
    done = [w < 0 and alive for w, alive in zip(graph.waits_for, graph.alive, strict=True)]
    for agent, finished in enumerate(done):
        if finished:
            for r in graph.holdings[agent]:
                free[r] += 1
    shared = list(graph.anyone_releases) or [False] * len(free)
    changed = True
    while changed:
        changed = False
        someone_moves = any(done)
        for agent, r in enumerate(graph.waits_for):
            if done[agent] or r < 0 or not graph.alive[agent]:
                continue
            if free[r] <= 0 and not (shared[r] and someone_moves):
                continue
            done[agent] = changed = True
            for held in graph.holdings[agent]:
                free[held] += 1
    return [a for a, r in enumerate(graph.waits_for) if r >= 0 and graph.alive[a] and not done[a]]


def find_cycle(graph: WaitGraph, blocked: Sequence[int]) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """A cycle among blocked agents as (agents, the resource each waits for), or None."""
    blocked_set = set(blocked)
    holders: dict[int, list[int]] = {}
    for holder in blocked:
        for r in graph.holdings[holder]:
            holders.setdefault(r, []).append(holder)
    for start in blocked:
        path: list[int] = []
        seen: dict[int, int] = {}
        agent: int | None = start
        while agent is not None and agent not in seen:
            seen[agent] = len(path)
            path.append(agent)
            nxt = [h for h in holders.get(graph.waits_for[agent], []) if h in blocked_set and h != agent]
            agent = nxt[0] if nxt else None
        if agent is not None:
            cycle = tuple(path[seen[agent] :])
            return cycle, tuple(graph.waits_for[a] for a in cycle)
    return None


def find_stall(graph: WaitGraph, blocked: Sequence[int]) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """Every live agent blocked for good, one of them for a wake-up: (agents, what each waits for)."""
    live = [a for a, alive in enumerate(graph.alive) if alive]
    if not blocked or sorted(blocked) != live:
        return None
    wakeups = list(graph.anyone_releases) or [False] * len(graph.free)
    if not any(wakeups[graph.waits_for[a]] for a in blocked):
        return None
    agents = tuple(sorted(blocked))
    return agents, tuple(graph.waits_for[a] for a in agents)
