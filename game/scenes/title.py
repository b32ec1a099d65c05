"""The title screen."""

from __future__ import annotations

import math
from typing import Any

from game import palette
from game.i18n_code import words
from game.scene import Scene

TEASER = {  # the other language's line, a hint that the switch is there
    "en": "死锁餐馆 — 真正的线程与进程，真正的锁。",
    "zh": "Deadlock Diner — real threads, real processes, real locks.",
}


class TitleScene(Scene):
    name = "title"

    def build(self) -> None:
        from pygame_gui.elements import UIButton

        w, h = self.app.size
        ui, tr = self.app.ui, self.app.campaign.tr
        y = int(h * 0.66)
        self.campaign = self.add(UIButton((w // 2 - 255, y, 250, 48), tr("title.campaign"), ui, object_id="#primary"))
        self.play = self.add(UIButton((w // 2 + 5, y, 250, 48), tr("title.sandbox"), ui))
        self.help = self.add(UIButton((w // 2 - 240, y + 58, 155, 38), tr("title.help"), ui))
        self.language = self.add(UIButton((w // 2 - 77, y + 58, 155, 38), tr("lang.button"), ui))
        self.quit = self.add(UIButton((w // 2 + 86, y + 58, 155, 38), tr("title.quit"), ui))
        code = words(self.app.campaign.language, "code.title_button")
        self.code = self.add(UIButton((w // 2 - 240, y + 106, 481, 38), code, ui))

    def handle(self, event: Any) -> None:
        import pygame
        import pygame_gui

        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            actions = {
                self.campaign: self._campaign,
                self.play: self._play,
                self.help: self._help,
                self.language: self._language,
                self.quit: self._quit,
                self.code: self._code,
            }
            actions.get(event.ui_element, lambda: None)()
        elif event.type == pygame.KEYDOWN:
            keys = {
                pygame.K_RETURN: self._play,
                pygame.K_KP_ENTER: self._play,
                pygame.K_c: self._campaign,
                pygame.K_k: self._code,
                pygame.K_l: self._language,
                pygame.K_q: self._quit,
                pygame.K_ESCAPE: self._quit,
            }
            keys.get(event.key, lambda: None)()

    def _quit(self) -> None:
        self.app.running = False

    def _play(self) -> None:
        from game.scenes.sandbox import SandboxScene

        self.app.scenes.replace(SandboxScene(self.app))

    def _campaign(self) -> None:
        from game.scenes.levels import LevelSelectScene

        self.app.scenes.replace(LevelSelectScene(self.app))

    def _code(self) -> None:
        from game.scenes.codelist import CodeListScene

        self.app.scenes.push(CodeListScene(self.app))

    def _language(self) -> None:
        self.app.campaign.switch_language()
        self.relayout()

    def _help(self) -> None:
        from game.scenes.help import HelpScene

        self.app.scenes.push(HelpScene(self.app))

    def draw(self, surface: Any) -> None:
        w, h = surface.get_size()
        text, campaign = self.app.text, self.app.campaign
        self._emblem(surface, (w // 2, int(h * 0.27)), min(w, h) * 0.13)
        title = campaign.tr("campaign.title")
        text.draw(surface, title, (w // 2, int(h * 0.46)), 60, palette.TEXT, bold=True, anchor="center")
        y = int(h * 0.46) + 48
        text.draw(surface, campaign.tr("title.tagline"), (w // 2, y), 19, palette.ACCENT, anchor="center")
        lines = (campaign.tr("title.line1"), campaign.tr("title.line2"), TEASER[campaign.language])
        for i, line in enumerate(lines):
            text.draw(surface, line, (w // 2, y + 36 + 22 * i), 15, palette.DIM, anchor="center")
        warning = campaign.warning_text()
        if warning:
            text.draw(surface, text.fit(warning, 14, w - 40), (w // 2, h - 24), 14, palette.WARN, anchor="center")

    def _emblem(self, surface: Any, centre: tuple[int, int], radius: float) -> None:
        """A still drawing of five philosophers and five forks (decoration, not a round)."""
        import pygame

        pygame.draw.circle(surface, palette.TABLE, centre, radius * 0.8)
        pygame.draw.circle(surface, palette.TABLE_EDGE, centre, radius * 0.8, width=3)
        colours = (
            palette.STATE_COLOURS[1],
            palette.STATE_COLOURS[2],
            palette.STATE_COLOURS[3],
            palette.STATE_COLOURS[2],
            palette.STATE_COLOURS[1],
        )
        for i in range(5):
            a = -math.pi / 2 + 2 * math.pi * i / 5
            pygame.draw.circle(
                surface,
                colours[i],
                (centre[0] + radius * 1.1 * math.cos(a), centre[1] + radius * 1.1 * math.sin(a)),
                radius * 0.22,
            )
            f = a - math.pi / 5
            fx, fy = centre[0] + radius * 0.55 * math.cos(f), centre[1] + radius * 0.55 * math.sin(f)
            pygame.draw.line(surface, palette.FORK_FREE, (fx, fy - 9), (fx, fy + 9), 3)
