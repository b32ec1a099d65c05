"""The help overlay: every key and mouse action (from ``game.controls``)."""

from __future__ import annotations

from typing import Any

from game import palette
from game.controls import BINDINGS
from game.i18n import binding_text
from game.scene import Scene


class HelpScene(Scene):
    name = "help"
    opaque = False

    def handle(self, event: Any) -> None:
        import pygame

        closing = (pygame.K_ESCAPE, pygame.K_F1, pygame.K_h)
        if (event.type == pygame.KEYDOWN and event.key in closing) or event.type == pygame.MOUSEBUTTONDOWN:
            self.app.scenes.pop()

    def draw(self, surface: Any) -> None:
        import pygame

        shade = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
        shade.fill((10, 10, 14, 210))
        surface.blit(shade, (0, 0))
        w, h = surface.get_size()
        text, campaign = self.app.text, self.app.campaign
        box = pygame.Rect(0, 0, min(w - 40, 1100), min(h - 40, 60 + 30 * len(BINDINGS)))
        box.center = (w // 2, h // 2)
        pygame.draw.rect(surface, palette.PANEL, box, border_radius=10)
        pygame.draw.rect(surface, palette.ACCENT, box, width=1, border_radius=10)
        text.draw(surface, campaign.tr("help.title"), (box.x + 24, box.y + 14), 22, palette.TEXT, bold=True)
        text.draw(
            surface,
            campaign.tr("help.close"),
            (box.right - 24, box.y + 20),
            14,
            palette.DIM,
            anchor="topright",
        )
        row = (box.h - 60) / len(BINDINGS)
        for i, b in enumerate(BINDINGS):
            y = box.y + 52 + i * row
            keys, action, where = binding_text(b, campaign.language)
            text.draw(surface, text.fit(keys, 15, 330), (box.x + 24, y), 15, palette.ACCENT, bold=True)
            text.draw(surface, text.fit(action, 15, box.w - 500), (box.x + 370, y), 15, palette.TEXT)
            text.draw(surface, where, (box.right - 24, y), 14, palette.DIM, anchor="topright")
