"""Scrub through a finished round: the table as it was after any record, forward and back.

←/→ move one record (Shift: 10, Ctrl: 100), Home/End jump to the start or to the round's end,
a click or drag on the timeline jumps there. The agents' code is shown beside the table with the
line each agent stood on lit, and the record just passed is spelled out under the timeline.
Each step answers within a frame, whatever the round's length (:mod:`sims.live.replay`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from game import palette
from game.i18n import Tr, term
from game.scene import Scene
from game.views.choose import scenario_view
from game.views.source import SourceView, agent_sources
from sims.live import RecordReplay
from sims.rounds import RoundResult
from sims.scenarios import scenario_named
from sims.telemetry import OP_NAMES, Op

BAR_H = 14
# The ops whose resource field names a step label, not a resource.
_LABELLED = {Op.STEP, Op.GATE}
_NO_RESOURCE_OPS = {Op.STATE, Op.AGENT_START, Op.AGENT_STOP, Op.ROUND_START, Op.ROUND_END, Op.SCALE, Op.PAUSED}


class ReplayScene(Scene):
    name = "replay"

    def __init__(self, app: Any, result: RoundResult, back: Callable[[], object]) -> None:
        super().__init__(app)
        self.result = result
        self.back = back
        scenario = scenario_named(result.config.scenario)
        self.replay = RecordReplay(result.layout, result.events, scenario.operation_ops(result.layout))
        self.position = self.replay.played  # open at the round's end: what the results talked about
        self.view = scenario_view(app.text, result.layout)
        config = result.config
        blocks = agent_sources(config.scenario, result.layout.strategy, config.params)
        self.source = SourceView(app.text, blocks, [a.name for a in result.layout.agents])
        self.dragging = False
        self._snapshot_at = -1
        self._snapshot: Any = None

    @property
    def tr(self) -> Tr:
        return self.app.campaign.tr

    # -- geometry --------------------------------------------------------------------------
    def _areas(self) -> tuple[Any, Any, Any]:
        """(the table, the code, the timeline)."""
        import pygame

        w, h = self.app.size
        split = int(w * 0.55)
        return (
            pygame.Rect(20, 96, split - 30, h - 236),
            pygame.Rect(split, 80, w - split - 20, h - 220),
            pygame.Rect(20, h - 128, w - 40, BAR_H),
        )

    def build(self) -> None:
        from pygame_gui.elements import UIButton

        _, h = self.app.size
        self.buttons = {self.add(UIButton((20, h - 62, 170, 44), self.tr("back"), self.app.ui)): self.back}
        self.view.localise(self.tr)

    # -- moving ----------------------------------------------------------------------------
    def go(self, position: int) -> None:
        self.position = max(0, min(position, len(self.replay)))

    def snapshot(self) -> Any:
        if self._snapshot_at != self.position:  # one fold per position, however many frames show it
            self._snapshot, self._snapshot_at = self.replay.snapshot_after(self.position), self.position
        return self._snapshot

    def handle(self, event: Any) -> None:
        import pygame
        import pygame_gui

        if event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element in self.buttons:
            self.buttons[event.ui_element]()
        elif event.type == pygame.KEYDOWN:
            self._key(event.key, event.mod)
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and self._on_timeline(event.pos):
            self.dragging = True
            self._seek(event.pos[0])
        elif event.type == pygame.MOUSEMOTION and self.dragging:
            self._seek(event.pos[0])
        elif event.type == pygame.MOUSEBUTTONUP and event.button == 1:
            self.dragging = False

    def _key(self, key: int, mod: int) -> None:
        import pygame

        stride = 100 if mod & pygame.KMOD_CTRL else 10 if mod & pygame.KMOD_SHIFT else 1
        if key in (pygame.K_LEFT, pygame.K_RIGHT):
            self.go(self.position + stride * (-1 if key == pygame.K_LEFT else 1))
        elif key == pygame.K_HOME:
            self.go(0)
        elif key == pygame.K_END:
            self.go(self.replay.played)
        elif key == pygame.K_ESCAPE:
            self.back()
        elif key == pygame.K_l:
            self.app.campaign.switch_language()
            self.relayout()

    def _on_timeline(self, pos: tuple[int, int]) -> bool:
        return bool(self._areas()[2].inflate(0, 16).collidepoint(pos))

    def _seek(self, x: int) -> None:
        bar = self._areas()[2]
        self.go(round((x - bar.x) / max(1, bar.w) * len(self.replay)))

    # -- words -----------------------------------------------------------------------------
    def caption(self) -> str:
        """The record just passed, in words: when, who, what, on what."""
        if self.position == 0:
            return self.tr("replay.start")
        record = self.replay.events[self.position - 1]
        layout, op = self.result.layout, int(record["op"])
        agent = int(record["agent"])
        who = layout.agents[agent].name if 0 <= agent < len(layout.agents) else self.tr("replay.engine")
        what = term(self.tr, "record", OP_NAMES.get(op, str(op)))
        resource = int(record["resource"])
        if op in _LABELLED and 0 <= resource < len(layout.steps):
            what += f" '{layout.steps[resource]}' (line {int(record['value'])})"
        elif op not in _NO_RESOURCE_OPS and 0 <= resource < len(layout.resources):
            what += f" {layout.resources[resource].name}"
        seconds = (int(record["t_ns"]) - self.result.started_ns) / 1e9
        return self.tr("replay.record", at=self.position, total=len(self.replay), t=seconds, who=who, what=what)

    # -- drawing ---------------------------------------------------------------------------
    def draw(self, surface: Any) -> None:
        import pygame

        text, tr = self.app.text, self.tr
        table, code, bar = self._areas()
        snap = self.snapshot()
        title = tr("replay.title", scenario=self.result.config.scenario)
        text.draw(surface, title, (20, 18), 24, palette.TEXT, bold=True)
        text.draw(surface, text.fit(tr("replay.help"), 14, surface.get_width() - 40), (20, 50), 14, palette.DIM)
        self.view.draw(surface, table, snap, None, None)
        pygame.draw.rect(surface, palette.PANEL, code, border_radius=8)
        self.source.draw(surface, code.inflate(-16, -16), snap)
        pygame.draw.rect(surface, palette.PANEL, bar, border_radius=4)
        played = bar.x + bar.w * self.replay.played / max(1, len(self.replay))
        pygame.draw.line(surface, palette.DIM, (played, bar.y - 4), (played, bar.bottom + 4), 2)
        done = pygame.Rect(bar.x, bar.y, bar.w * self.position / max(1, len(self.replay)), bar.h)
        pygame.draw.rect(surface, palette.ACCENT, done, border_radius=4)
        caption = text.fit(self.caption(), 16, bar.w)
        text.draw(surface, caption, (bar.x, bar.bottom + 10), 16, palette.TEXT)
