"""A level's round: the arena with the level's goals, its code panel, and (on scheduler levels) you
as the scheduler: click an agent or press its number to let it take one step; A hands scheduling
back to the operating system, G takes it back.
"""

from __future__ import annotations

import functools
from typing import Any

import attrs

from game import palette
from game.campaign import Picks
from game.i18n import term
from game.scenes.arena import BOTTOM_H, ArenaScene, Control, status_text
from game.views.choose import RoundView
from game.views.primitive import short_name
from game.views.roles import RolesView
from game.views.scheduler import SchedulerPanel, StepTracker
from game.views.source import SourceView, agent_sources
from sims import Backend
from sims.levels import LevelSpec, goal_text
from sims.rounds import Auto, Gate, Step


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
    def row(self) -> list[Control]:
        """The arena's buttons in the campaign's words, and the source panel's."""
        import pygame

        tr = self.campaign.tr
        words = {
            self.pause: "play.pause",
            self.restart: "play.restart",
            self._end: "play.end",
            self.results: "play.debrief",
            self._back: "play.back",
        }
        row = [attrs.evolve(c, label=tr(words[c.action])) if c.action in words else c for c in super().row()]
        one_backend = len(self.level.backends) < 2
        row = [attrs.evolve(c, shown=False) if c.action == self._switch_backend and one_backend else c for c in row]
        return [*row, Control(tr("play.source"), self.toggle_code, (pygame.K_v,), width=170)]

    def build(self) -> None:
        import pygame

        super().build()
        self.key_actions[pygame.K_l] = self.switch_language
        if self.level.scheduler:
            self._scheduler_controls()

    def _scheduler_controls(self) -> None:
        import pygame

        tr = self.campaign.tr
        self.speed_slider.hide()
        self.speed_label.hide()
        y = self.app.size[1] - BOTTOM_H + 50
        x = 480 if self.capacity_slider is not None else 10
        for control in (
            Control(tr("sched.auto"), functools.partial(self.schedule, auto=True), (pygame.K_a,), width=190),
            Control(tr("sched.gate"), functools.partial(self.schedule, auto=False), (pygame.K_g,), width=190),
        ):
            self.place(control, (x, y, control.width, 34))
            x += 198
        layout = self.session.layout if self.session else None
        for agent in layout.agents[:10] if layout else ():
            label = tr("sched.step", short=short_name(agent), number=agent.index)
            step = Control(label, functools.partial(self.step, agent.index), width=120, object_id="#primary")
            self.place(step, (x, y, step.width, 34))
            x += 126
        for digit in range(10):
            self.key_actions[pygame.K_0 + digit] = functools.partial(self.step, digit)

    def toggle_code(self) -> None:
        self.show_code = not self.show_code

    def switch_language(self) -> None:
        self.campaign.switch_language()
        self.relayout()

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
            other = Backend.THREAD if self.config.backend == Backend.PROCESS else Backend.PROCESS
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
            colour = palette.BAD if s.status.bad else palette.ACCENT
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
            language = self.campaign.language
            lines = [self.campaign.tr("play.over"), "  ·  ".join(goal_text(g, language) for g in self.level.goals)]
        return lines, colour
