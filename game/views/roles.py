"""Any scenario's agents and primitives: the first role on the left, the others on the right.

The table and the kitchen have views of their own; the lecture scenarios (the race, the
bell, seats, the menu, signals, messages, the pool, the GIL lab) are drawn here with the
kitchen's boxes, arrows and primitive widgets. A counter (the race's shared tally) shows
the last value an agent wrote to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from game import palette
from game.i18n import term, thing
from game.text import TextCache
from game.views.kitchen import BOX_W, KITCHEN_KINDS, KitchenView
from sims import ResourceKind
from sims.live import Snapshot
from sims.rounds import RoundLayout

DRAWN_KINDS = (*KITCHEN_KINDS, ResourceKind.EVENT, ResourceKind.COUNTER, ResourceKind.CHANNEL)


class RolesView(KitchenView):
    """Agents in two columns by role, the round's primitives between them."""

    def __init__(self, text: TextCache, layout: RoundLayout) -> None:
        super().__init__(text, layout)
        roles = list(dict.fromkeys(a.role for a in layout.agents))
        self.cooks = [a.index for a in layout.agents if a.role == roles[0]]
        self.waiters = [a.index for a in layout.agents if a.role != roles[0]]
        if not self.waiters and len(self.cooks) > 1:  # one role: split it so both columns are used
            half = (len(self.cooks) + 1) // 2
            self.cooks, self.waiters = self.cooks[:half], self.cooks[half:]
        self.roles = (roles[:1], roles[1:] or roles[:1])  # the left column's role, the right column's
        self.middle = [r.index for r in layout.resources if r.kind in DRAWN_KINDS]
        self.counters: Mapping[int, tuple[int, int]] = {}  # resource → (last value written, by agent)

    def _middle_order(self) -> list[int]:
        return list(self.middle)

    def draw(self, surface: Any, rect: Any, snap: Snapshot, selected: int | None, taken: Any) -> None:
        self._place(rect)
        for caption, x in zip(self.captions(), (rect.x + 10 + BOX_W / 2, rect.right - 10 - BOX_W / 2), strict=True):
            self.text.draw(surface, caption, (x, rect.y + 4), 15, palette.DIM, anchor="midtop")
        for r, box in self.resource_rects.items():
            if snap.resources[r].kind == ResourceKind.COUNTER:
                self._counter(surface, box, thing(self.tr, snap.resources[r].name), self.counters.get(r))
            else:
                self.widget.draw(surface, box, snap.resources[r], taken=int(taken[r]) if len(taken) else None)
        self._links(surface, snap)
        for a, box in self.agent_rects.items():
            self._agent(surface, box, snap.agents[a], a == selected)

    def captions(self) -> tuple[str, str]:
        """The two columns' headings: the roles, plural, in the player's language."""
        join = self.tr("roles.join")
        left, right = (join.join(term(self.tr, "roles", r) for r in column) for column in self.roles)
        return left, right

    def _counter(self, surface: Any, box: Any, name: str, last: tuple[int, int] | None) -> None:
        import pygame

        pygame.draw.rect(surface, palette.PANEL, box, border_radius=6)
        pygame.draw.rect(surface, palette.PANEL_EDGE, box, width=1, border_radius=6)
        title = self.text.draw(surface, self.tr("roles.shared") + " ", (box.x + 8, box.y + 5), 13, palette.DIM)
        self.text.draw(surface, name, (max(box.x + 62, title.right), box.y + 3), 15, palette.TEXT, bold=True)
        value = "—" if last is None else str(last[0])
        self.text.draw(surface, value, (box.centerx, box.y + 26), 28, palette.ITEM, bold=True, anchor="midtop")
        if last is not None:
            who = self.tr("roles.last_write", agent=self.names[last[1]])
            self.text.draw(surface, who, (box.right - 8, box.bottom - 20), 12, palette.DIM, anchor="topright")
