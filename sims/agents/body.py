"""The one place a scenario writes an agent's logic, whatever the backend."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from sims.agents.me import Me


class AgentBody:
    """Scenario logic: subclasses override ``run(me)`` and name their labelled steps.

    Bodies are plain picklable objects holding the primitives they use, so the same
    instance runs inside a Thread or is sent to a spawned Process.
    """

    role: ClassVar[str] = "agent"
    steps: ClassVar[tuple[str, ...]] = ()
    # Whether the agent's operations are the round's work: a worker with none is starved. A helper
    # that starts, watches or reports (closing's owner, lineup's watcher) sets it False.
    counted: ClassVar[bool] = True

    def run(self, me: Me) -> None:
        raise NotImplementedError
