"""Who holds what and who waits for what, from the primitives' own records.

Turns a run that cannot go on into a verdict: a cycle of waits over held locks is a
deadlock; anything else (waits for a signal, an event, a turnstile nobody will open) is
a stall, the shape of a lost wake-up.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from sims.explore.verdict import Evidence, Fact, Finding, Verdict, Why
from sims.telemetry import Op

_OP_MASK = 0xFFFF


class Holdings:
    """Per agent, how many permits of each resource it holds, folded record by record."""

    def __init__(self, agents: int) -> None:
        self.held: list[Counter[int]] = [Counter() for _ in range(agents)]
        self.out: Counter[int] = Counter()  # per resource: acquisitions minus releases, whoever made them

    def feed(self, log: Iterable[tuple[int, int, int]]) -> None:
        held = self.held
        for agent, code, _ in log:
            op, resource = code & _OP_MASK, code >> 16
            if op == Op.ACQUIRED:
                held[agent][resource] += 1
                self.out[resource] += 1
            elif op == Op.RELEASED:
                self.out[resource] -= 1
                # A semaphore released by an agent holding none of it (a signal) returns the
                # permit of the one that has held it longest: permits are tokens that flow.
                has = held[agent][resource] > 0
                giver = agent if has else next((a for a, h in enumerate(held) if h[resource] > 0), -1)
                if giver >= 0:
                    held[giver][resource] -= 1


def holdings(log: Iterable[tuple[int, int, int]], agents: int) -> list[Counter[int]]:
    """Per agent, how many permits of each resource it holds (ACQUIRED minus RELEASED)."""
    fold = Holdings(agents)
    fold.feed(log)
    return fold.held


def held_names(held: Counter[int], names: Sequence[str]) -> tuple[str, ...]:
    """What an agent holds, by name (``ticket x2`` for two permits), in resource order."""
    return tuple(names[r] + (f" x{n}" if n > 1 else "") for r, n in sorted(held.items()) if n > 0)


def describe_holds(held: Counter[int], names: Sequence[str]) -> str:
    return ", ".join(held_names(held, names)) or "nothing"


def waits_on(who: str, resource: Any, held: tuple[str, ...]) -> Evidence:
    """The fact that ``who`` waits on ``resource`` holding ``held``."""
    kind = str(getattr(resource, "kind", "resource"))
    if held:
        return Evidence.of(Fact.WAITS_HOLDING, who=who, resource=resource.name, kind=kind, held=held)
    return Evidence.of(Fact.WAITS_EMPTY_HANDED, who=who, resource=resource.name, kind=kind)


def stuck(
    waiting: dict[int, int], held: list[Counter[int]], agent_names: Sequence[str], resources: Sequence[Any]
) -> Finding:
    """The verdict for agents that all wait (``waiting``: agent -> resource)."""
    names = [r.name for r in resources]
    holders = {r: [a for a, h in enumerate(held) if h[r] > 0] for r in set(waiting.values())}
    cycle, closed = _cycle(waiting, holders, resources)
    evidence = tuple(
        waits_on(agent_names[a], resources[r], held_names(held[a], names)) for a, r in sorted(waiting.items())
    )
    if cycle and closed:
        agents, waits = tuple(agent_names[a] for a in cycle), tuple(names[waiting[a]] for a in cycle)
        return Finding.of(Verdict.DEADLOCK, Why.CYCLE, cycle[0], 0, evidence, agents=agents, resources=waits)
    if cycle:
        waiter, holder = cycle
        return Finding.of(
            Verdict.DEADLOCK,
            Why.HELD_BY_WAITER,
            waiter,
            0,
            evidence,
            who=agent_names[waiter],
            resource=names[waiting[waiter]],
            holder=agent_names[holder],
            other=names[waiting[holder]],
        )
    waiters = sorted(waiting)
    agents, waits = tuple(agent_names[a] for a in waiters), tuple(names[waiting[a]] for a in waiters)
    return Finding.of(Verdict.STALL, Why.STALL, waiters[0], 0, evidence, agents=agents, resources=waits)


def _cycle(waiting: dict[int, int], holders: dict[int, list[int]], resources: Sequence[Any]) -> tuple[list[int], bool]:
    """A cycle of agents, each waiting on a lock held by the next (True), else a waiter and a
    waiting holder (False), else nothing."""
    for start in sorted(waiting):
        path, agent = [start], start
        while True:
            resource = waiting.get(agent)
            if resource is None or getattr(resources[resource], "kind", "") not in ("lock", "rlock"):
                break
            nxt = [h for h in holders.get(resource, []) if h in waiting]
            if not nxt:
                break
            agent = nxt[0]
            if agent in path:
                return path[path.index(agent) :], True
            path.append(agent)
    return _held_chain(waiting, holders, resources), False


def _held_chain(waiting: dict[int, int], holders: dict[int, list[int]], resources: Sequence[Any]) -> list[int]:
    """Someone waits on a lock held by an agent that itself waits: a deadlock (e.g. mutex, then `empty`)."""
    for agent, resource in sorted(waiting.items()):
        if getattr(resources[resource], "kind", "") not in ("lock", "rlock"):
            continue
        for holder in holders.get(resource, []):
            if holder in waiting and holder != agent:
                return [agent, holder]
    return []
