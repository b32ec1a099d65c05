"""The code levels in campaign order, with their stars: ↑/↓ choose, Enter opens one, Esc goes back.

A level is locked until the campaign level it follows has a star (:mod:`sims.levels.ladder`).
"""

from __future__ import annotations

from typing import Any

from game import palette
from game.i18n_code import words
from game.scene import Scene
from game.views.stars import draw_stars
from sims.levels import CodeKind, CodeLevel

ROW_H = 52
TOP = 90
BOTTOM = 10


class CodeListScene(Scene):
    name = "codelist"

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.index = 0
        self.message = ""

    @property
    def levels(self) -> tuple[CodeLevel, ...]:
        return self.app.campaign.code_levels

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
                self.message = ""  # it was said in the other language
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            row = (event.pos[1] - TOP) // self.row_h()
            if 0 <= row < len(self.levels):
                self.index = row
                self.open()

    def row_h(self) -> int:
        """Rows shrink to keep every level on screen."""
        return min(ROW_H, (self.app.size[1] - TOP - BOTTOM) // max(1, len(self.levels)))

    def open(self) -> None:
        from game.scenes.codelevel import CodeLevelScene

        campaign, level = self.app.campaign, self.levels[self.index]
        if not campaign.code_open(level):
            self.message = campaign.tr("locked.reason", previous=self._after_title(level))
            return
        self.message = ""
        self.app.scenes.push(CodeLevelScene(self.app, level))

    def _after_title(self, level: CodeLevel) -> str:
        campaign = self.app.campaign
        return campaign.text(campaign.level(level.after).title)

    def draw(self, surface: Any) -> None:
        import pygame

        w, _ = surface.get_size()
        text, campaign = self.app.text, self.app.campaign
        language = campaign.language
        text.draw(surface, words(language, "code.list"), (30, 20), 28, palette.TEXT, bold=True)
        hint = self.message or words(language, "code.list.hint")
        text.draw(surface, hint, (30, 58), 14, palette.WARN if self.message else palette.DIM)
        row_h = self.row_h()
        for i, level in enumerate(self.levels):
            rect = pygame.Rect(30, TOP + i * row_h, w - 60, row_h - 8)
            edge = palette.ACCENT if i == self.index else palette.PANEL_EDGE
            pygame.draw.rect(surface, palette.PANEL, rect, border_radius=8)
            pygame.draw.rect(surface, edge, rect, width=2, border_radius=8)
            kind = "Parsons" if level.kind is CodeKind.PARSONS else "Python"
            label = f"{i + 1}. {campaign.text(level.title)}  ·  {level.exercise}  ·  {kind}"
            open_ = campaign.code_open(level)
            if not open_:
                label += f"  ·  {campaign.tr('locked.title')}: {self._after_title(level)}"
            text.draw(surface, label, (rect.x + 16, rect.centery - 11), 18, palette.TEXT if open_ else palette.DIM)
            draw_stars(surface, rect.right - 110, rect.centery, 10, campaign.stars_for_id(level.id))
