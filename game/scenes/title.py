"""The title screen."""

from __future__ import annotations

import math
from typing import Any

from game import palette
from game.scene import Scene

TAGLINE = "Real threads and processes fight over real locks. Watch them. Fix them."
LINES = (
    "Every philosopher, cook and waiter you will see is a real thread or process of your computer.",
    "What you see on screen is read from the telemetry they write: nothing is faked or replayed.",
    "死锁餐厅 — 真正的线程与进程，真正的锁。",
)


class TitleScene(Scene):
    name = "title"

    def build(self) -> None:
        from pygame_gui.elements import UIButton

        w, h = self.app.size
        ui = self.app.ui
        self.play = self.add(
            UIButton((w // 2 - 160, int(h * 0.66), 320, 48), "Play: open the sandbox (Enter)", ui, object_id="#primary")
        )
        self.help = self.add(UIButton((w // 2 - 160, int(h * 0.66) + 58, 155, 38), "Help (F1)", ui))
        self.quit = self.add(UIButton((w // 2 + 5, int(h * 0.66) + 58, 155, 38), "Quit (Q)", ui))

    def handle(self, event: Any) -> None:
        import pygame
        import pygame_gui

        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            if event.ui_element is self.play:
                self._play()
            elif event.ui_element is self.help:
                self._help()
            elif event.ui_element is self.quit:
                self.app.running = False
        elif event.type == pygame.KEYDOWN:
            if event.key in (pygame.K_RETURN, pygame.K_KP_ENTER):
                self._play()
            elif event.key in (pygame.K_q, pygame.K_ESCAPE):
                self.app.running = False

    def _play(self) -> None:
        from game.scenes.sandbox import SandboxScene

        self.app.scenes.replace(SandboxScene(self.app))

    def _help(self) -> None:
        from game.scenes.help import HelpScene

        self.app.scenes.push(HelpScene(self.app))

    def draw(self, surface: Any) -> None:
        w, h = surface.get_size()
        text = self.app.text
        self._emblem(surface, (w // 2, int(h * 0.27)), min(w, h) * 0.13)
        text.draw(surface, "Deadlock Diner", (w // 2, int(h * 0.46)), 60, palette.TEXT, bold=True, anchor="center")
        text.draw(surface, TAGLINE, (w // 2, int(h * 0.46) + 48), 19, palette.ACCENT, anchor="center")
        for i, line in enumerate(LINES):
            text.draw(surface, line, (w // 2, int(h * 0.46) + 84 + 22 * i), 15, palette.DIM, anchor="center")

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
