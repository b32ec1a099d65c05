"""The code levels in order, with their stars: ↑/↓ choose, Enter opens one, Esc goes back."""

from __future__ import annotations

import functools
from typing import Any

from game import palette
from game.i18n_code import words
from game.scene import Scene
from game.views.stars import draw_stars
from sims.levels import CodeKind, CodeLevel, load_code_levels

ROW_H = 52


class CodeListScene(Scene):
    name = "codelist"

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.index = 0

    @functools.cached_property
    def levels(self) -> tuple[CodeLevel, ...]:
        return load_code_levels()

    def handle(self, event: Any) -> None:
        import pygame

        if event.type == pygame.KEYDOWN:
            if event.key in (pygame.K_UP, pygame.K_DOWN):
                by = -1 if event.key == pygame.K_UP else 1
                self.index = max(0, min(self.index + by, len(self.levels) - 1))
            elif event.key in (pygame.K_RETURN, pygame.K_KP_ENTER):
                self.open()
            elif event.key == pygame.K_ESCAPE:
                self.app.scenes.pop()
            elif event.key == pygame.K_l:
                self.app.campaign.switch_language()
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            row = (event.pos[1] - 90) // ROW_H
            if 0 <= row < len(self.levels):
                self.index = row
                self.open()

    def open(self) -> None:
        from game.scenes.codelevel import CodeLevelScene

        self.app.scenes.push(CodeLevelScene(self.app, self.levels[self.index]))

    def draw(self, surface: Any) -> None:
        import pygame

        w, _ = surface.get_size()
        text, campaign = self.app.text, self.app.campaign
        language = campaign.language
        text.draw(surface, words(language, "code.list"), (30, 20), 28, palette.TEXT, bold=True)
        text.draw(surface, words(language, "code.list.hint"), (30, 58), 14, palette.DIM)
        for i, level in enumerate(self.levels):
            rect = pygame.Rect(30, 90 + i * ROW_H, w - 60, ROW_H - 8)
            edge = palette.ACCENT if i == self.index else palette.PANEL_EDGE
            pygame.draw.rect(surface, palette.PANEL, rect, border_radius=8)
            pygame.draw.rect(surface, edge, rect, width=2, border_radius=8)
            kind = "Parsons" if level.kind is CodeKind.PARSONS else "Python"
            label = f"{i + 1}. {campaign.text(level.title)}  ·  {level.exercise}  ·  {kind}"
            text.draw(surface, label, (rect.x + 16, rect.y + 11), 18, palette.TEXT)
            draw_stars(surface, rect.right - 110, rect.centery, 10, campaign.stars_for_id(level.id))
