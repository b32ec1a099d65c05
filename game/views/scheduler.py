"""Be the scheduler: which agent waits at a gate for the player, and the panel that shows it.

A gated agent writes a GATE record (step and source line) and then waits at that gate until
the player sends ``Step(agent)``. :class:`StepTracker` reads the host's picture: an agent is
at a gate when the round is gated, it has stopped at a gate (GATE record) since the last
release the player gave it, and it is not blocked on a primitive. Only such
an agent is released (a release sent to a running agent would let it skip its next gate).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from game import palette
from game.i18n import thing
from game.session import RoundSession
from game.text import TextCache
from game.views.source import SourceView
from game.wrap import wrap
from sims.live import Snapshot

Tr = Callable[..., str]


class StepTracker:
    """Per agent: released and not yet arrived at its next gate; last values of shared counters.

    Reads the host's picture: the gates reached (GATE records: the agent stopped there) are
    counted in the same picture as the agents' state, so the two never disagree.
    """

    def __init__(self, agents: int, labels: tuple[str, ...]) -> None:
        self.labels = labels  # the round's step labels (STEP records carry the index)
        self.gates_reached = np.zeros(agents, dtype=np.int64)
        self.released_at = np.full(agents, -1, dtype=np.int64)  # gates reached when last released
        self.counters: dict[int, tuple[int, int]] = {}  # resource → (value, agent)

    @property
    def moving(self) -> np.ndarray:
        """Released (or un-gated) and not yet stopped at its next gate."""
        return self.gates_reached <= self.released_at

    def feed(self, session: RoundSession) -> None:
        """Take the newest picture's gate counts and counters."""
        if session.picture is not None:
            self.gates_reached = session.picture.gates_reached
            self.counters = dict(session.picture.counters)

    def released(self, agent: int) -> None:
        self.released_at[agent] = self.gates_reached[agent]

    def all_moving(self) -> None:
        """After ``Gate()``: every agent runs on to its next gate before it waits there."""
        self.released_at[:] = self.gates_reached

    def at_gate(self, snap: Snapshot | None, agent: int) -> bool:
        if snap is None or not snap.gated or agent >= len(snap.agents):
            return False
        view = snap.agents[agent]
        return bool(
            view.step >= 0 and not self.moving[agent] and view.waiting_on < 0 and view.alive and view.exit_code is None
        )

    def status(self, snap: Snapshot, agent: int, names: list[str], tr: Tr) -> tuple[str, tuple[int, int, int]]:
        """One line about the agent for the player, and its colour."""
        view, name = snap.agents[agent], names[agent]
        if view.exit_code is not None or not view.alive:
            return tr("sched.done", agent=name), palette.DIM
        if view.waiting_on >= 0:
            resource = thing(tr, self._resource(snap, view.waiting_on))
            return tr("sched.blocked", agent=name, resource=resource), palette.BAD
        if self.at_gate(snap, agent):
            return tr("sched.at_gate", agent=name, step=self.step_label(snap, agent)), palette.GOOD
        return tr("sched.moving", agent=name), palette.ACCENT

    @staticmethod
    def _resource(snap: Snapshot, index: int) -> str:
        return snap.resources[index].name if index < len(snap.resources) else str(index)

    def step_label(self, snap: Snapshot, agent: int) -> str:
        return self.labels[snap.agents[agent].step] if 0 <= snap.agents[agent].step < len(self.labels) else "?"


class SchedulerPanel:
    """The arena's side panel in a campaign round: who waits where, then the code with live lines.

    It has the live panel's ``draw(surface, rect, focus)`` so the arena draws it in its place.
    """

    def __init__(
        self, text: TextCache, session: RoundSession, tracker: StepTracker, source: SourceView, names: list[str]
    ) -> None:
        self.text = text
        self.session = session
        self.tracker = tracker
        self.source = source
        self.names = names
        self.tr: Tr = lambda key, **fields: key
        self.scheduling = True

    def draw(self, surface: Any, rect: Any, focus: int | None) -> None:
        import pygame

        pygame.draw.rect(surface, palette.PANEL, rect, border_radius=8)
        snap = self.session.snapshot()
        y = rect.y + 8
        if self.scheduling and snap is not None:
            y = self._agents(surface, rect, y, snap)
        code = pygame.Rect(rect.x + 6, y + 4, rect.w - 12, rect.bottom - y - 10)
        self.source.draw(surface, code, snap)

    def _agents(self, surface: Any, rect: Any, y: int, snap: Snapshot) -> int:
        text = self.text
        if not snap.gated:
            for line in wrap(text, self.tr("sched.auto_on"), 13, rect.w - 24):
                text.draw(surface, line, (rect.x + 12, y), 13, palette.WARN)
                y += 18
            return y
        for line in wrap(text, self.tr("sched.help"), 13, rect.w - 24):
            text.draw(surface, line, (rect.x + 12, y), 13, palette.DIM)
            y += 18
        for a in range(min(len(snap.agents), 8)):
            line, colour = self.tracker.status(snap, a, self.names, self.tr)
            text.draw(surface, text.fit(f"{a}  {line}", 14, rect.w - 24), (rect.x + 12, y + 2), 14, colour)
            y += 20
        return y + 2
