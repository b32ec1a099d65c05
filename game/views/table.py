"""The dining table: philosophers around it, a fork between each pair, the seats in the middle.

Philosopher ``i`` reaches for fork ``i`` (left) and fork ``i + 1`` (right), so fork ``i``
lies between philosophers ``i - 1`` and ``i``. Everything drawn is read from a snapshot.
"""

from __future__ import annotations

import math
from typing import Any

from game import palette
from game.i18n import Tr, count, english
from game.text import TextCache
from game.views.arrows import Shape, arrow_shapes, dashed_shapes, draw_shapes, edge_point
from game.views.primitive import PrimitiveWidget, lock_colour, short_name, state_word
from sims import ResourceKind
from sims.live import Snapshot
from sims.rounds import RoundLayout


class TableView:
    """Draws a dining snapshot into a rectangle; remembers where agents and forks are for hovering."""

    def __init__(self, text: TextCache, layout: RoundLayout) -> None:
        self.text = text
        self.layout = layout
        self.n = len(layout.agents)
        self.forks = [r.index for r in layout.resources if r.kind == ResourceKind.LOCK]
        seats = [r.index for r in layout.resources if r.name == "seats"]
        self.seats = seats[0] if seats else None
        self.names = [short_name(a) for a in layout.agents]
        self.widget = PrimitiveWidget(text, self.names.__getitem__)
        self.agent_spots: dict[int, tuple[tuple[float, float], float]] = {}
        self.resource_spots: dict[int, tuple[float, float]] = {}
        self.seats_rect: Any = None
        self.centre: tuple[float, float] = (0.0, 0.0)
        self._fork_sprites: dict[tuple[Any, bool], Any] = {}
        self._discs: dict[tuple[Any, Any, int, int], Any] = {}  # a philosopher's body, per look
        self._wait_shapes: dict[tuple[int, int, bool], list[Shape]] = {}  # per (agent, target, in a cycle)
        self._placed_for: tuple[int, ...] = ()
        self._placed = (0.0, 0.0, 0.0, 0.0)
        self.tr: Tr = english

    def localise(self, tr: Tr) -> None:
        """Draw in the language ``tr`` speaks (the scene's, read at every call)."""
        self.tr = self.widget.tr = tr

    # -- geometry -------------------------------------------------------------------------
    def _place(self, rect: Any) -> tuple[float, float, float, float]:
        """Where everything sits in ``rect`` (worked out again only when the rectangle changes)."""
        key = tuple(rect)
        if key != self._placed_for:
            self._placed_for, self._placed = key, self._layout(rect)
            self._wait_shapes = {}
        return self._placed

    def _layout(self, rect: Any) -> tuple[float, float, float, float]:
        cx, cy = self.centre = rect.center
        radius = min(rect.w, rect.h) * 0.40
        body = max(7.0, min(30.0, math.pi * radius / self.n * 0.62))
        self.agent_spots = {a: (self._polar(cx, cy, radius, a), body) for a in range(self.n)}
        fork_r = radius * 0.66
        self.resource_spots = {f: self._polar(cx, cy, fork_r, i - 0.5) for i, f in enumerate(self.forks)}
        return cx, cy, radius, body

    def _polar(self, cx: float, cy: float, r: float, slot: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * slot / self.n
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    def agent_at(self, pos: tuple[int, int]) -> int | None:
        for a, ((x, y), r) in self.agent_spots.items():
            if (pos[0] - x) ** 2 + (pos[1] - y) ** 2 <= (r + 3) ** 2:
                return a
        return None

    def resource_at(self, pos: tuple[int, int]) -> int | None:
        if self.seats_rect is not None and self.seats_rect.collidepoint(pos):
            return self.seats
        for r, (x, y) in self.resource_spots.items():
            if (pos[0] - x) ** 2 + (pos[1] - y) ** 2 <= 14**2:
                return r
        return None

    # -- drawing --------------------------------------------------------------------------
    def draw(self, surface: Any, rect: Any, snap: Snapshot, selected: int | None = None, taken: Any = None) -> None:
        import pygame

        cx, cy, radius, _ = self._place(rect)
        pygame.draw.circle(surface, palette.TABLE, (cx, cy), radius * 0.80)
        pygame.draw.circle(surface, palette.TABLE_EDGE, (cx, cy), radius * 0.80, width=3)
        cycle = self._cycle(snap)
        self._seats(surface, cx, cy, radius, snap, taken)
        self._waits(surface, snap, cycle)
        for r in self.forks:
            self._fork(surface, r, snap, cycle)
        for a in range(self.n):
            self._philosopher(surface, a, snap, a in cycle[0], a == selected)

    def _cycle(self, snap: Snapshot) -> tuple[set[int], set[int]]:
        if snap.deadlock is None:
            return set(), set()
        return set(snap.deadlock.agents), set(snap.deadlock.resources)

    def _seats(self, surface: Any, cx: float, cy: float, radius: float, snap: Snapshot, taken: Any) -> None:
        import pygame

        self.seats_rect = None
        if self.seats is None:
            return
        width = int(min(radius * 1.05, 340))
        height = PrimitiveWidget.height()
        self.seats_rect = pygame.Rect(0, 0, width, height)
        self.seats_rect.center = (int(cx), int(cy))
        res = snap.resources[self.seats]
        self.widget.draw(surface, self.seats_rect, res, taken=None if taken is None else int(taken[self.seats]))

    def _waits(self, surface: Any, snap: Snapshot, cycle: tuple[set[int], set[int]]) -> None:
        """An arrow from each waiting philosopher to what it waits for; the cycle's in red."""
        for a, view in enumerate(snap.agents):
            target = view.waiting_on
            if target < 0:
                continue
            in_cycle = a in cycle[0]
            key = (a, target, in_cycle)
            shapes = self._wait_shapes.get(key)
            if shapes is None:
                shapes = self._wait_shapes[key] = self._wait_arrow(a, target, in_cycle)
            draw_shapes(surface, palette.BAD if in_cycle else palette.WARN, shapes)

    def _wait_arrow(self, a: int, target: int, in_cycle: bool) -> list[Shape]:
        """Where agent ``a``'s arrow to ``target`` goes (worked out once per layout of the table)."""
        start, body = self.agent_spots[a]
        if target == self.seats and self.seats_rect is not None:
            return dashed_shapes(start, edge_point(self.seats_rect, start), body, 4)
        if target in self.resource_spots:
            return arrow_shapes(start, self.resource_spots[target], body + 2, 12, 4 if in_cycle else 2)
        return []

    def _fork(self, surface: Any, r: int, snap: Snapshot, cycle: tuple[set[int], set[int]]) -> None:
        import pygame

        res = snap.resources[r]
        x, y = self.resource_spots[r]
        colour = lock_colour(res)
        for holder in res.holders:
            hx, hy = self.agent_spots[holder][0]
            width = 5 if r in cycle[1] or holder in cycle[0] else 3
            pygame.draw.line(surface, palette.BAD if holder in cycle[0] else colour, (x, y), (hx, hy), width)
        self._fork_glyph(surface, (x, y), colour, r in cycle[1] or res.orphaned)
        if self.n <= 16:
            label = self.tr("table.orphaned") if res.orphaned else res.name.replace("fork ", "f")
            cx, cy = self.centre
            d = math.hypot(x - cx, y - cy) or 1.0
            away = 34 if res.orphaned else 26
            at = (x - (x - cx) / d * away, y - (y - cy) / d * away)
            self.text.draw(surface, label, at, 12, palette.BAD if res.orphaned else palette.DIM, anchor="center")

    def _fork_glyph(self, surface: Any, centre: tuple[float, float], colour: Any, ring: bool) -> None:
        """A fork, blitted from a sprite drawn once per colour (64 forks a frame add up)."""
        sprite = self._fork_sprites.get((colour, ring))
        if sprite is None:
            sprite = self._fork_sprites[(colour, ring)] = _fork_sprite(colour, ring)
        surface.blit(sprite, (centre[0] - FORK_SPRITE // 2, centre[1] - FORK_SPRITE // 2))

    def _philosopher(self, surface: Any, a: int, snap: Snapshot, in_cycle: bool, selected: bool) -> None:
        view = snap.agents[a]
        (x, y), body = self.agent_spots[a]
        fill = palette.state_colour(view.state)
        if view.stopped:
            fill = (120, 120, 130)
        if view.exit_code is not None and view.exit_code < 0:
            fill = (60, 60, 66)
        edge = palette.BAD if in_cycle else (palette.ACCENT if selected else (20, 20, 24))
        key = (fill, edge, 4 if in_cycle or selected else 2, round(body))
        disc = self._discs.get(key)
        if disc is None:
            disc = self._discs[key] = _disc_sprite(*key)
        surface.blit(disc, (round(x) - key[3] - 1, round(y) - key[3] - 1))
        if body >= 13:
            self.text.draw(
                surface,
                self.names[a],
                (x, y),
                13 if body < 20 else 15,
                (20, 20, 24),
                bold=True,
                anchor="center",
            )
        if self.n <= 16:
            self._caption(surface, a, view, (x, y), body)

    def _caption(self, surface: Any, a: int, view: Any, centre: tuple[float, float], body: float) -> None:
        cx, cy = self.centre
        x, y = centre
        away = math.atan2(y - cy, x - cx)
        tx, ty = x + math.cos(away) * (body + 30), y + math.sin(away) * (body + 22)
        word = state_word(self.tr, view)
        if view.exit_code is not None and view.exit_code < 0:
            word = self.tr("agent.killed_code", code=view.exit_code)
        self.text.draw(surface, word, (tx, ty - 8), 13, palette.TEXT, anchor="center")
        meals = count(self.tr, view.operations, "meals")
        self.text.draw(surface, meals, (tx, ty + 8), 12, palette.DIM, anchor="center")


FORK_SPRITE = 32  # px: the ring around a fork in a deadlock cycle fits


def _fork_sprite(colour: Any, ring: bool) -> Any:
    import pygame

    sprite = pygame.Surface((FORK_SPRITE, FORK_SPRITE), pygame.SRCALPHA)
    x = y = FORK_SPRITE // 2
    pygame.draw.line(sprite, colour, (x, y - 10), (x, y + 10), 3)
    for dx in (-4, 0, 4):
        pygame.draw.line(sprite, colour, (x + dx, y - 10), (x + dx, y - 4), 2)
    if ring:
        pygame.draw.circle(sprite, palette.BAD, (x, y), 14, width=3)
    return sprite


def _disc_sprite(fill: Any, edge: Any, width: int, radius: int) -> Any:
    """A philosopher's body: a filled circle with its edge, drawn once per look and blitted."""
    import pygame

    size = 2 * radius + 3
    sprite = pygame.Surface((size, size), pygame.SRCALPHA)
    centre = (radius + 1, radius + 1)
    pygame.draw.circle(sprite, fill, centre, radius)
    pygame.draw.circle(sprite, edge, centre, radius, width=width)
    return sprite
