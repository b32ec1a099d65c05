"""A level's round: the arena with the level's goals, its code panel, and (on scheduler levels) you
as the scheduler: click an agent or press its number to let it take one step; A hands scheduling
back to the operating system, G takes it back.
"""

from __future__ import annotations

from typing import Any

import attrs

from game import palette
from game.campaign import Picks
from game.i18n import term
from game.scenes.arena import BOTTOM_H, ArenaScene, status_text
from game.views.choose import RoundView
from game.views.primitive import short_name
from game.views.roles import RolesView
from game.views.scheduler import SchedulerPanel, StepTracker
from game.views.source import SourceView, agent_sources
from sims.levels import LevelSpec
from sims.rounds import Auto, Gate, Step

LABELS = {"pause": "play.pause", "restart": "play.restart", "end": "play.end", "results": "play.debrief"}


class LevelArenaScene(ArenaScene):
    name = "level"

    def __init__(self, app: Any, level: LevelSpec, picks: Picks, hints: int = 0) -> None:
        super().__init__(app, app.campaign.config(level, picks))
        self.level = level
        self.picks = picks
        self.hints = hints
        self.show_code = level.scheduler
        self.tracker: StepTracker | None = None
        self.code: SchedulerPanel | None = None

    @property
    def campaign(self) -> Any:
        return self.app.campaign

    # -- the round ------------------------------------------------------------------------
    def restart(self, config: Any = None) -> None:
        self.tracker, self.code = None, None
        super().restart(config)

    def _make_view(self, layout: Any) -> RoundView:
        names = [short_name(a) for a in layout.agents]
        settings = self.level.settings(self.picks.choice())
        source = SourceView(self.app.text, agent_sources(layout.scenario, layout.strategy, settings.params), names)
        self.tracker = StepTracker(len(layout.agents), layout.steps)
        assert self.session is not None
        self.code = SchedulerPanel(self.app.text, self.session, self.tracker, source, names)
        return super()._make_view(layout)

    def update(self, dt: float) -> None:
        super().update(dt)
        if self.session is None or self.tracker is None:
            return
        self.tracker.feed(self.session)
        if isinstance(self.view, RolesView):
            self.view.counters = self.tracker.counters
        if self.code is not None:
            self.code.tr, self.code.scheduling = self.campaign.tr, self.level.scheduler

    # -- widgets --------------------------------------------------------------------------
    def build(self) -> None:
        from pygame_gui.elements import UIButton

        super().build()
        tr, ui = self.campaign.tr, self.app.ui
        for key, text_key in LABELS.items():
            self.controls[key].set_text(tr(text_key))
        self.controls["back"].set_text(tr("play.back"))
        if len(self.level.backends) < 2:
            self.controls["backend"].hide()
        x = self.controls["back"].relative_rect.right + 8
        self.controls["code"] = self.add(
            UIButton((x, self.controls["back"].relative_rect.y, 170, 36), tr("play.source"), ui)
        )
        if self.level.scheduler:
            self._scheduler_buttons()

    def _scheduler_buttons(self) -> None:
        from pygame_gui.elements import UIButton

        tr, ui = self.campaign.tr, self.app.ui
        for key in ("speed", "speed_label"):
            self.controls[key].hide()
        y = self.app.size[1] - BOTTOM_H + 50
        x = 480 if "cap" in self.controls else 10
        for key, text_key in (("auto", "sched.auto"), ("gate", "sched.gate")):
            self.controls[key] = self.add(UIButton((x, y, 190, 34), tr(text_key), ui))
            x += 198
        layout = self.session.layout if self.session else None
        for agent in layout.agents[:10] if layout else ():
            label = tr("sched.step", short=short_name(agent), number=agent.index)
            self.controls[f"step_{agent.index}"] = self.add(UIButton((x, y, 120, 34), label, ui, object_id="#primary"))
            x += 126

    # -- input ----------------------------------------------------------------------------
    def handle(self, event: Any) -> None:
        import pygame

        if (
            self.level.scheduler
            and event.type == pygame.MOUSEBUTTONDOWN
            and event.button == 1
            and self.view is not None
            and self._in_view(event.pos)
        ):
            agent = self.view.agent_at(event.pos)
            if agent is not None:
                self.selected = agent
                self.step(agent)
                return
        super().handle(event)

    def _key(self, event: Any) -> None:
        import pygame

        if self.level.scheduler and pygame.K_0 <= event.key <= pygame.K_9:
            self.step(event.key - pygame.K_0)
        elif self.level.scheduler and event.key in (pygame.K_a, pygame.K_g):
            self._button("auto" if event.key == pygame.K_a else "gate")
        elif event.key in (pygame.K_v, pygame.K_l):
            self._button("code" if event.key == pygame.K_v else "language")
        else:
            super()._key(event)

    def _button(self, key: str) -> None:
        if key.startswith("step_"):
            self.step(int(key.removeprefix("step_")))
        elif key in ("auto", "gate"):
            self.schedule(auto=key == "auto")
        elif key == "code":
            self.show_code = not self.show_code
        elif key == "language":
            self.campaign.switch_language()
            self.relayout()
        else:
            super()._button(key)

    def step(self, agent: int) -> bool:
        """Release one agent waiting at a gate; an agent that is not waiting there is left alone."""
        if self.session is None or self.tracker is None or agent >= len(self.tracker.moving):
            return False
        if not self.tracker.at_gate(self.session.snapshot(), agent):
            return False
        self.tracker.released(agent)
        self.session.send(Step(agent))
        return True

    def schedule(self, auto: bool) -> None:
        """``Auto()``: the operating system schedules; ``Gate()``: every agent stops at its next step."""
        if self.session is None:
            return
        self.session.send(Auto() if auto else Gate())
        if not auto and self.tracker is not None:
            self.tracker.all_moving()

    def _switch_backend(self) -> None:
        if len(self.level.backends) > 1:
            other = "thread" if self.config.backend == "process" else "process"
            self.picks = attrs.evolve(self.picks, backend=other)
            self.restart(attrs.evolve(self.config, backend=other))

    def results(self) -> None:
        from game.scenes.debrief import DebriefScene

        session = self.session
        if session is None or not session.ended:
            return
        debrief = DebriefScene(self.app, self.level, self.picks, self.hints, session.result, session.error)
        self.app.scenes.replace(debrief)

    def _back(self) -> None:
        from game.scenes.briefing import BriefingScene

        self.app.scenes.replace(BriefingScene(self.app, self.level, self.picks, self.hints))

    # -- drawing --------------------------------------------------------------------------
    def draw(self, surface: Any) -> None:
        live = self.panel
        if self.show_code and self.code is not None and live is not None:
            self.panel = self.code  # type: ignore[assignment]  # same draw(surface, rect, focus)
        try:
            super().draw(surface)
        finally:
            self.panel = live

    def _top_bar(self, surface: Any, w: int) -> None:
        campaign, s = self.campaign, self.session
        title = campaign.tr("play.title", number=campaign.number(self.level), title=campaign.text(self.level.title))
        layout = s.layout if s else None
        who = f"  ·  {term(campaign.tr, 'backend', self.config.backend)}" if layout else ""
        self.app.text.draw(surface, self.app.text.fit(title + who, 20, w - 330), (16, 12), 20, palette.TEXT, bold=True)
        if s is not None:
            colour = palette.BAD if s.status in ("deadlocked", "stalled", "failed") else palette.ACCENT
            line = f"t = {s.elapsed_s:6.2f} s   {status_text(s.status, campaign.tr)}"
            self.app.text.draw(surface, line, (w - 16, 14), 17, colour, anchor="topright")

    def _banner_lines(self) -> tuple[list[str], Any] | None:
        found = super()._banner_lines()
        s = self.session
        if found is None or s is None:
            return found
        lines, colour = found
        snap = s.snapshot()
        if snap is not None and snap.deadlock is not None:
            key = "play.stall" if snap.deadlock.is_stall else "play.deadlock"
            lines = [self.campaign.tr(key, t=(snap.deadlock.formed_ns - s.started_ns) / 1e9), lines[1]]
        elif s.ended:
            lines = [self.campaign.tr("play.over"), "  ·  ".join(str(g) for g in self.level.goals)]
        return lines, colour
