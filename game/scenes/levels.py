"""Level select: every shipped level in order, its stars, locked until the one before has a star."""

from __future__ import annotations

from typing import Any

from game import palette
from game.scene import Scene
from game.views.stars import draw_stars
from sims.levels import LevelSpec

TOP = 96
BOTTOM = 92
GAP = 8


class LevelSelectScene(Scene):
    name = "levels"

    def __init__(self, app: Any, focus: str | None = None) -> None:
        super().__init__(app)
        levels = app.campaign.levels
        ids = [level.id for level in levels]
        self.index = ids.index(focus) if focus in ids else self._first_open()
        self.message = ""
        self.buttons: dict[str, Any] = {}

    def _first_open(self) -> int:
        """The first level without a star that is open: where a returning player goes on."""
        campaign = self.app.campaign
        for i, level in enumerate(campaign.levels):
            if campaign.unlocked(level) and campaign.stars(level) == 0:
                return i
        return 0

    @property
    def level(self) -> LevelSpec:
        return self.app.campaign.levels[self.index]

    # -- widgets --------------------------------------------------------------------------
    def build(self) -> None:
        from pygame_gui.elements import UIButton

        w, h = self.app.size
        ui, tr = self.app.ui, self.app.campaign.tr
        y = h - BOTTOM + 30
        self.buttons = {
            "back": self.add(UIButton((30, y, 170, 44), tr("back"), ui)),
            "language": self.add(UIButton((210, y, 170, 44), tr("lang.button"), ui)),
            "open": self.add(UIButton((w - 250, y, 220, 44), tr("levels.open"), ui, object_id="#primary")),
        }

    def cards(self) -> list[Any]:
        """One rectangle per level: two columns, first half on the left."""
        import pygame

        w, h = self.app.size
        count = len(self.app.campaign.levels)
        rows = (count + 1) // 2
        card_h = min(58, (h - TOP - BOTTOM - GAP * rows) // rows)
        col_w = (w - 60 - GAP) // 2
        return [
            pygame.Rect(30 + (i // rows) * (col_w + GAP), TOP + (i % rows) * (card_h + GAP), col_w, card_h)
            for i in range(count)
        ]

    # -- input ----------------------------------------------------------------------------
    def handle(self, event: Any) -> None:
        import pygame
        import pygame_gui

        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            key = next((k for k, v in self.buttons.items() if v is event.ui_element), "")
            {"back": self._back, "language": self._language, "open": self.open}.get(key, lambda: None)()
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            hit = next((i for i, r in enumerate(self.cards()) if r.collidepoint(event.pos)), None)
            if hit is not None:
                self.index = hit
                self.open()
        elif event.type == pygame.KEYDOWN:
            self._key(event.key)

    def _key(self, key: int) -> None:
        import pygame

        rows = (len(self.app.campaign.levels) + 1) // 2
        moves = {pygame.K_UP: -1, pygame.K_DOWN: 1, pygame.K_LEFT: -rows, pygame.K_RIGHT: rows}
        if key in moves:
            self.index = max(0, min(len(self.app.campaign.levels) - 1, self.index + moves[key]))
            self.message = ""
        elif key in (pygame.K_RETURN, pygame.K_KP_ENTER):
            self.open()
        elif key == pygame.K_ESCAPE:
            self._back()
        elif key == pygame.K_l:
            self._language()

    def open(self) -> bool:
        """The briefing of the selected level, or the reason it is still locked."""
        from game.scenes.briefing import BriefingScene

        campaign, level = self.app.campaign, self.level
        if not campaign.unlocked(level):
            previous = campaign.previous(level)
            self.message = campaign.tr("locked.reason", previous=campaign.text(previous.title) if previous else "")
            return False
        self.app.scenes.replace(BriefingScene(self.app, level))
        return True

    def _back(self) -> None:
        from game.scenes.title import TitleScene

        self.app.scenes.replace(TitleScene(self.app))

    def _language(self) -> None:
        self.app.campaign.switch_language()
        self.message = ""
        self.relayout()

    # -- drawing --------------------------------------------------------------------------
    def draw(self, surface: Any) -> None:
        from sims.levels import LANGUAGE_NAMES

        w, h = surface.get_size()
        text, campaign = self.app.text, self.app.campaign
        text.draw(surface, campaign.tr("level_select.title"), (30, 22), 30, palette.TEXT, bold=True)
        total = campaign.tr(
            "level_select.total_stars", stars=campaign.total_stars(), max_stars=campaign.max_stars()
        )
        text.draw(surface, total, (30, 64), 16, palette.ACCENT)
        language = campaign.tr("language.current", name=LANGUAGE_NAMES[campaign.language])
        text.draw(surface, language, (w - 30, 30), 16, palette.DIM, anchor="topright")
        for i, (level, rect) in enumerate(zip(campaign.levels, self.cards(), strict=True)):
            self._card(surface, rect, level, i == self.index)
        self._footer(surface, w, h)

    def _footer(self, surface: Any, w: int, h: int) -> None:
        text, campaign = self.app.text, self.app.campaign
        line, colour = (self.message, palette.WARN) if self.message else (campaign.tr("levels.hint"), palette.DIM)
        text.draw(surface, text.fit(line, 15, w - 60), (30, h - BOTTOM + 4), 15, colour)
        warning = campaign.warning_text()
        if warning:
            text.draw(surface, text.fit(warning, 13, w - 60), (30, 74 + 12), 13, palette.WARN)

    def _card(self, surface: Any, rect: Any, level: LevelSpec, selected: bool) -> None:
        import pygame

        campaign, text = self.app.campaign, self.app.text
        open_ = campaign.unlocked(level)
        pygame.draw.rect(surface, palette.PANEL if open_ else (28, 30, 38), rect, border_radius=8)
        edge = palette.ACCENT if selected else palette.PANEL_EDGE
        pygame.draw.rect(surface, edge, rect, width=3 if selected else 1, border_radius=8)
        number = campaign.number(level)
        title = campaign.tr("level_select.level", number=number, title=campaign.text(level.title))
        colour = palette.TEXT if open_ else palette.DIM
        stars_w = 96
        text.draw(surface, text.fit(title, 16, rect.w - stars_w - 30), (rect.x + 12, rect.y + 6), 16, colour, bold=True)
        draw_stars(surface, rect.right - stars_w, rect.y + 16, 10, campaign.stars(level))
        text.draw(
            surface,
            text.fit(self._detail(level, open_), 12, rect.w - 24),
            (rect.x + 12, rect.bottom - 20),
            12,
            palette.ACCENT if level.scheduler and open_ else palette.DIM,
        )

    def _detail(self, level: LevelSpec, open_: bool) -> str:
        campaign = self.app.campaign
        parts = [] if open_ else [campaign.tr("locked.title")]
        if level.scheduler:
            parts.append(campaign.tr("level_select.scheduler_badge"))
        parts.append(campaign.tr("level_select.backends", backends=", ".join(level.backends)))
        return "  ·  ".join(parts)
