"""The kitchen: cooks on the left, the pass (K slots, real item ids) in the middle, waiters right.

The ``empty``/``full`` semaphores and the ``mutex`` are drawn with the same primitive
widget as everywhere else; an amber arrow goes from each waiting agent to what it waits
for, a gold line from the mutex's holder to the mutex.
"""

from __future__ import annotations

from typing import Any

from game import palette
from game.i18n import Tr, count, english, term, who
from game.text import TextCache
from game.views.arrows import arrow
from game.views.primitive import PrimitiveWidget, short_name, state_word
from sims import ResourceKind
from sims.live import Snapshot
from sims.rounds import RoundLayout

BOX_W, BOX_H = 150, 46
KITCHEN_KINDS = (  # the primitives drawn between the cooks and the waiters
    ResourceKind.SEMAPHORE,
    ResourceKind.LOCK,
    ResourceKind.RLOCK,
    ResourceKind.CONDITION,
    ResourceKind.BARRIER,
    ResourceKind.CONTAINER,
)


class KitchenView:
    """Draws a kitchen snapshot; remembers agent boxes for hovering."""

    def __init__(self, text: TextCache, layout: RoundLayout) -> None:
        from sims.scenarios import scenario_named

        self.text = text
        self.layout = layout
        self.cooks = [a.index for a in layout.agents if a.role == "cook"]
        self.waiters = [a.index for a in layout.agents if a.role == "waiter"]
        self.middle = [r.index for r in layout.resources if r.kind in KITCHEN_KINDS]
        self.names = [short_name(a) for a in layout.agents]
        self.widget = PrimitiveWidget(text, self.names.__getitem__, lambda r: layout.resources[r].name)
        self.operation = scenario_named(layout.scenario).operation
        self.agent_rects: dict[int, Any] = {}
        self.resource_rects: dict[int, Any] = {}
        self.tr: Tr = english

    def localise(self, tr: Tr) -> None:
        """Draw in the language ``tr`` speaks (the scene's, read at every call)."""
        self.tr = self.widget.tr = tr

    def agent_at(self, pos: tuple[int, int]) -> int | None:
        return next((a for a, r in self.agent_rects.items() if r.collidepoint(pos)), None)

    def resource_at(self, pos: tuple[int, int]) -> int | None:
        return next((i for i, r in self.resource_rects.items() if r.collidepoint(pos)), None)

    def _place(self, rect: Any) -> None:
        import pygame

        self.agent_rects = {}
        for column, agents in ((rect.x + 10, self.cooks), (rect.right - BOX_W - 10, self.waiters)):
            step = min(BOX_H + 12, (rect.h - 30) / max(len(agents), 1))
            height = min(BOX_H, step - 4)
            top = rect.centery - step * len(agents) / 2
            for i, a in enumerate(agents):
                self.agent_rects[a] = pygame.Rect(column, top + i * step, BOX_W, height)
        mid_w = rect.w - 2 * BOX_W - 120
        order = self._middle_order()
        step = PrimitiveWidget.height() + 14
        top = rect.centery - step * len(order) / 2
        self.resource_rects = {
            r: pygame.Rect(rect.centerx - mid_w // 2, top + i * step, mid_w, PrimitiveWidget.height())
            for i, r in enumerate(order)
        }

    def _middle_order(self) -> list[int]:
        """empty (or not full), mutex, the pass, full (or not empty): the order a dish travels."""
        names = {r.index: r.name for r in self.layout.resources}
        rank = {"empty": 0, "not full": 0, "mutex": 1, "pass": 2, "full": 3, "not empty": 3}
        return sorted(self.middle, key=lambda r: rank.get(names[r], 4))

    def draw(self, surface: Any, rect: Any, snap: Snapshot, selected: int | None, taken: Any) -> None:
        self._place(rect)
        cooks, waiters = term(self.tr, "roles", "cook"), term(self.tr, "roles", "waiter")
        self.text.draw(surface, cooks, (rect.x + 10 + BOX_W / 2, rect.y + 4), 15, palette.DIM, anchor="midtop")
        self.text.draw(surface, waiters, (rect.right - 10 - BOX_W / 2, rect.y + 4), 15, palette.DIM, anchor="midtop")
        for r, box in self.resource_rects.items():
            self.widget.draw(surface, box, snap.resources[r], taken=int(taken[r]) if len(taken) else None)
        self._links(surface, snap)
        for a, box in self.agent_rects.items():
            self._agent(surface, box, snap.agents[a], a == selected)

    def _links(self, surface: Any, snap: Snapshot) -> None:
        import pygame

        for a, box in self.agent_rects.items():
            view = snap.agents[a]
            side = box.midright if a in self.cooks else box.midleft
            for r in view.holding:
                if r in self.resource_rects and snap.resources[r].kind in (ResourceKind.LOCK, ResourceKind.RLOCK):
                    target = self._edge(self.resource_rects[r], a)
                    pygame.draw.line(surface, palette.FORK_HELD, side, target, 3)
            if view.waiting_on in self.resource_rects:
                arrow(surface, palette.WARN, side, self._edge(self.resource_rects[view.waiting_on], a), 0, 2, 2)

    def _edge(self, rect: Any, agent: int) -> tuple[int, int]:
        return rect.midleft if agent in self.cooks else rect.midright

    def _agent(self, surface: Any, box: Any, view: Any, selected: bool) -> None:
        import pygame

        fill = (120, 120, 130) if view.stopped else palette.state_colour(view.state)
        if view.exit_code is not None and view.exit_code < 0:
            fill = (60, 60, 66)
        pygame.draw.rect(surface, fill, box, border_radius=6)
        pygame.draw.rect(
            surface, palette.ACCENT if selected else (20, 20, 24), box, width=3 if selected else 1, border_radius=6
        )
        word = state_word(self.tr, view)
        if view.exit_code is not None and view.exit_code < 0:
            word = self.tr("agent.killed")
        dark = (20, 20, 24)
        self.text.draw(surface, who(self.tr, view.name), (box.x + 8, box.y + 3), 14, dark, bold=True)
        if box.h >= 34:
            line = self.text.fit(f"{word} · {count(self.tr, view.operations, self.operation)}", 12, box.w - 12)
            self.text.draw(surface, line, (box.x + 8, box.y + 22), 12, dark)
