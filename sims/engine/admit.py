"""The one rule a round must pass before anything starts, shared by the engine and the level checker.

A scheduled command must name something the round has: a semaphore that may be resized, an
agent index or name that exists, a signal only where agents are processes. (Times and numbers
are checked where they are made: ``Timed``, ``Resize`` and ``RoundConfig`` refuse non-finite
times, times after the round's end and capacities beyond ``MAX_PERMITS``.) ``check_round`` builds
the round's world on threads without starting anything, so ``diner levels check`` refuses a
level whose commands would fail when ``diner levels verify`` plays it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sims.kinds import Backend
from sims.primitives import Semaphore
from sims.rounds import commands as cmd
from sims.rounds.config import RoundConfig
from sims.rounds.layout import AgentInfo
from sims.rounds.world import World
from sims.runtime import Runtime
from sims.scenarios.registry import scenario_named


def resizable(world: World, name: str) -> Semaphore:
    """The semaphore ``resize NAME N`` may change, or ValueError saying why not."""
    found = [info for info in world.resources if info.name == name]
    if not found:
        known = ", ".join(info.name for info in world.resources if info.kind == "semaphore") or "none"
        raise ValueError(f"no semaphore named {name!r} in this round (semaphores: {known})")
    primitive = world.primitives.get(found[0].index)
    if not isinstance(primitive, Semaphore):
        raise ValueError(f"{name!r} is a {found[0].kind}, only semaphores can be resized")
    if found[0].fixed:
        raise ValueError(f"{name!r} cannot be resized: {found[0].fixed}")
    return primitive


def agent_index(agents: Sequence[AgentInfo], ref: int | str) -> int:
    """The index of agent ``ref`` (an index or a name), or ValueError naming what exists."""
    if isinstance(ref, int):
        if not 0 <= ref < len(agents):
            raise ValueError(f"no agent {ref}: this round has agents 0..{len(agents) - 1}")
        return ref
    for info in agents:
        if info.name == ref:
            return info.index
    raise ValueError(f"no agent named {ref!r} in this round")


def check_schedule(schedule: Iterable[cmd.Timed], world: World, backend: str) -> None:
    """Refuse scheduled commands that name something this round does not have."""
    agents = [info for info, _ in world.agents]
    for timed in schedule:
        match timed.command:
            case cmd.Resize(resource=name):
                resizable(world, name)
            case cmd.SignalAgent(agent=ref, action=action):
                agent_index(agents, ref)
                if backend != "process":
                    raise ValueError(f"'{action}' sends a signal to a process: use --backend process")
            case cmd.Step(agent=ref):
                agent_index(agents, ref)


def check_round(config: RoundConfig) -> None:
    """Everything the engine checks before a round starts, without starting it (ValueError if not).

    The world is built on threads whatever the backend: names and counts do not depend on it,
    and thread primitives need no process, segment or named semaphore to be cleaned up.
    """
    scenario = scenario_named(config.scenario)
    strategy = config.strategy or scenario.default_strategy
    if strategy not in scenario.strategies:
        known = ", ".join(scenario.strategies)
        raise ValueError(f"scenario {config.scenario!r} has no strategy {strategy!r} (known: {known})")
    if config.backend not in scenario.backends:
        only = ", ".join(scenario.backends)
        raise ValueError(f"scenario {config.scenario!r} runs only on {only}: {scenario.backend_note}")
    world = World(Backend.THREAD, None, Runtime(None, shared=False))
    scenario.build(world, strategy, scenario.resolve(config.params), config.seed)
    check_schedule(config.schedule, world, config.backend)
