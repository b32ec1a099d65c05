"""The pause overlay: the round's agents really pause (at their next step or pace)."""

from __future__ import annotations

from typing import Any

from game import palette
from game.scene import Scene
from game.session import RoundSession
from sims.rounds import Pause, Resume


class PauseScene(Scene):
    name = "pause"
    opaque = False

    def __init__(self, app: Any, session: RoundSession) -> None:
        super().__init__(app)
        self.session = session

    def enter(self) -> None:
        self.session.send(Pause())
        super().enter()

    def exit(self) -> None:
        self.session.send(Resume())
        super().exit()

    def handle(self, event: Any) -> None:
        import pygame

        if (
            event.type == pygame.KEYDOWN and event.key in (pygame.K_p, pygame.K_SPACE, pygame.K_ESCAPE)
        ) or event.type == pygame.MOUSEBUTTONDOWN:
            self.app.scenes.pop()

    def draw(self, surface: Any) -> None:
        import pygame

        shade = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
        shade.fill((10, 10, 14, 150))
        surface.blit(shade, (0, 0))
        centre = surface.get_rect().center
        snap = self.session.snapshot()
        paused = snap is not None and snap.paused
        text, tr = self.app.text, self.app.campaign.tr
        text.draw(surface, tr("pause.title"), (centre[0], centre[1] - 30), 48, palette.TEXT, bold=True, anchor="center")
        detail = tr("pause.confirmed") if paused else tr("pause.asking")
        text.draw(surface, detail, (centre[0], centre[1] + 20), 17, palette.DIM, anchor="center")
        text.draw(surface, tr("pause.resume"), (centre[0], centre[1] + 48), 15, palette.DIM, anchor="center")
