"""Text: one bundled font (Latin and Chinese) and a cache of rendered surfaces."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from game.paths import FONT

Colour = tuple[int, int, int]


class TextCache:
    """Renders each (text, size, colour, bold) once; keeps the most recent ``limit`` surfaces."""

    def __init__(self, limit: int = 2048) -> None:
        import pygame

        self._pygame = pygame
        self._fonts: dict[tuple[int, bool], Any] = {}
        self._surfaces: OrderedDict[tuple[str, int, Colour, bool], Any] = OrderedDict()
        self._limit = limit
        self._fitted: dict[tuple[str, int, int], str] = {}

    def font(self, size: int, bold: bool = False) -> Any:
        key = (size, bold)
        if key not in self._fonts:
            font = self._pygame.font.Font(str(FONT), size)
            font.bold = bold
            self._fonts[key] = font
        return self._fonts[key]

    def render(self, text: str, size: int = 15, colour: Colour = (226, 228, 235), bold: bool = False) -> Any:
        key = (text, size, colour, bold)
        surface = self._surfaces.get(key)
        if surface is None:
            surface = self.font(size, bold).render(text, True, colour)
            self._surfaces[key] = surface
            if len(self._surfaces) > self._limit:
                self._surfaces.popitem(last=False)
        else:
            self._surfaces.move_to_end(key)
        return surface

    def texts(self) -> set[str]:
        """Every text still in the cache (what was drawn lately): tests read the screen's words here."""
        return {key[0] for key in self._surfaces}

    def draw(
        self,
        target: Any,
        text: str,
        pos: tuple[float, float],
        size: int = 15,
        colour: Colour = (226, 228, 235),
        bold: bool = False,
        anchor: str = "topleft",
    ) -> Any:
        """Blit text with its rect's ``anchor`` at ``pos``; returns the rect it covers."""
        surface = self.render(text, size, colour, bold)
        rect = surface.get_rect(**{anchor: (round(pos[0]), round(pos[1]))})
        target.blit(surface, rect)
        return rect

    def fit(self, text: str, size: int, width: int) -> str:
        """``text`` shortened with an ellipsis so it fits ``width`` pixels (remembered)."""
        key = (text, size, width)
        fitted = self._fitted.get(key)
        if fitted is None:
            fitted = self._fit(text, size, width)
            if len(self._fitted) > self._limit:
                self._fitted.clear()
            self._fitted[key] = fitted
        return fitted

    def _fit(self, text: str, size: int, width: int) -> str:
        font = self.font(size)
        if font.size(text)[0] <= width:
            return text
        fits, over = 0, len(text)  # the longest prefix that fits with the ellipsis: halve the range
        while over - fits > 1:
            middle = (fits + over) // 2
            fits, over = (middle, over) if font.size(text[:middle] + "…")[0] <= width else (fits, middle)
        return text[:fits] + "…"
