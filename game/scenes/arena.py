"""The arena: a round running live, its table or kitchen, live numbers and live control."""

from __future__ import annotations

import math
from typing import Any

import attrs

from game import palette
from game.i18n import Tr, term
from game.scene import Scene
from game.session import RoundSession
from game.views.choose import RoundView, scenario_view
from game.views.livepanel import LivePanel
from game.views.primitive import short_name
from game.views.tooltip import agent_lines, draw_tooltip
from sims.rounds import End, Resize, RoundConfig, Scale, SignalAgent

SIDE_W = 410
BOTTOM_H = 96
TOP_H = 46


class ArenaScene(Scene):
    name = "arena"

    def __init__(self, app: Any, config: RoundConfig) -> None:
        super().__init__(app)
        self.config = config
        self.session: RoundSession | None = None
        self.view: RoundView | None = None
        self.panel: LivePanel | None = None
        self.selected: int | None = None
        self.hover_agent: int | None = None
        self.hover_resource: int | None = None
        self.hover_pos: tuple[int, int] = (0, 0)
        self.scale_power = 0  # time scale = 2 ** (scale_power / 2)
        self.capacity: int | None = None
        self.controls: dict[str, Any] = {}

    # -- life -----------------------------------------------------------------------------
    def enter(self) -> None:
        self.session = RoundSession(self.config, self.app.standby)
        super().enter()

    def exit(self) -> None:
        if self.session is not None:
            self.session.close()
        super().exit()

    @property
    def tr(self) -> Tr:
        """The player's language, read at every call (the L switch shows on the next frame)."""
        return self.app.campaign.tr

    def restart(self, config: RoundConfig | None = None) -> None:
        """Stop this round (every agent, the host) and start a new one."""
        if self.session is not None:
            self.session.close()
        self.config = config or self.config
        self.session, self.view, self.panel = RoundSession(self.config, self.app.standby), None, None
        self.selected, self.capacity, self.scale_power = None, None, 0
        self.relayout()

    # -- widgets --------------------------------------------------------------------------
    def build(self) -> None:
        from pygame_gui.elements import UIButton, UIHorizontalSlider, UILabel

        w, h = self.app.size
        ui, tr = self.app.ui, self.tr
        self.controls = {}
        y1, y2 = h - BOTTOM_H + 6, h - BOTTOM_H + 50
        row = [
            ("pause", tr("arena.pause")),
            ("restart", tr("arena.restart")),
            ("end", tr("arena.end")),
            ("results", tr("arena.results")),
            ("backend", self._backend_label()),
            ("back", tr("back")),
        ]
        x = 10
        for key, label in row:
            width = 150 if key != "backend" else 210
            self.controls[key] = self.add(UIButton((x, y1, width, 36), label, ui))
            x += width + 8
        self.controls["results"].disable()
        sem = self._semaphore()
        if sem is not None:
            self.controls["cap_label"] = self.add(UILabel((10, y2, 190, 34), "", ui))
            top = max(2 * sem.capacity, len(self.session.layout.agents) if self.session and self.session.layout else 8)
            self.controls["cap"] = self.add(UIHorizontalSlider((200, y2 + 2, 260, 30), sem.capacity, (0, top), ui))
            self.capacity = self.capacity if self.capacity is not None else sem.capacity
            self.controls["cap"].set_current_value(self.capacity)
        self.controls["speed_label"] = self.add(UILabel((480, y2, 170, 34), "", ui))
        self.controls["speed"] = self.add(UIHorizontalSlider((650, y2 + 2, 200, 30), self.scale_power, (-6, 6), ui))
        if self.config.backend == "process":
            for i, key in enumerate(("sig_stop", "sig_cont", "sig_kill")):
                button = self.add(
                    UIButton(
                        (870 + i * 124, y2, 118, 34),
                        tr(f"arena.{key}"),
                        ui,
                        object_id="#danger" if key == "sig_kill" else None,
                    )
                )
                self.controls[key] = button
                if w < 1280:
                    button.hide()

    def _backend_label(self) -> str:
        other = "thread" if self.config.backend == "process" else "process"
        return self.tr("arena.switch", backend=term(self.tr, "backend", other))

    def _semaphore(self) -> Any:
        layout = self.session.layout if self.session else None
        if layout is None:
            return None
        sems = layout.of_kind("semaphore")
        return sems[0] if sems else None

    # -- input ----------------------------------------------------------------------------
    def handle(self, event: Any) -> None:
        import pygame
        import pygame_gui

        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            self._button(next((k for k, v in self.controls.items() if v is event.ui_element), ""))
        elif event.type == pygame_gui.UI_HORIZONTAL_SLIDER_MOVED:
            self._slider(event.ui_element, int(event.value))
        elif event.type == pygame.KEYDOWN:
            self._key(event)
        elif event.type == pygame.MOUSEMOTION:
            self._hover(event.pos)
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and self._in_view(event.pos):
            self.selected = self.view.agent_at(event.pos) if self.view else None

    def _key(self, event: Any) -> None:
        import pygame

        keys = {
            pygame.K_p: "pause",
            pygame.K_SPACE: "pause",
            pygame.K_r: "restart",
            pygame.K_e: "end",
            pygame.K_RETURN: "results",
            pygame.K_b: "backend",
            pygame.K_ESCAPE: "back",
            pygame.K_s: "sig_stop",
            pygame.K_c: "sig_cont",
            pygame.K_k: "sig_kill",
        }
        if event.key in keys:
            self._button(keys[event.key])
        elif event.key in (pygame.K_PLUS, pygame.K_EQUALS, pygame.K_KP_PLUS):
            self._resize(+1)
        elif event.key in (pygame.K_MINUS, pygame.K_KP_MINUS):
            self._resize(-1)
        elif event.key in (pygame.K_RIGHTBRACKET, pygame.K_LEFTBRACKET):
            self._speed(self.scale_power + (1 if event.key == pygame.K_RIGHTBRACKET else -1))

    def _button(self, key: str) -> None:
        actions = {
            "pause": self.pause,
            "restart": self.restart,
            "end": self._end,
            "results": self.results,
            "backend": self._switch_backend,
            "back": self._back,
        }
        if key in actions:
            actions[key]()
        elif key.startswith("sig_"):
            self._signal(key.removeprefix("sig_"))

    def _slider(self, element: Any, value: int) -> None:
        if element is self.controls.get("cap") and value != self.capacity:
            self._resize(value - (self.capacity or 0))
        elif element is self.controls.get("speed") and value != self.scale_power:
            self._speed(value)

    def pause(self) -> None:
        from game.scenes.pause import PauseScene

        if self.session is not None and not self.session.ended:
            self.app.scenes.push(PauseScene(self.app, self.session))

    def _resize(self, delta: int) -> None:
        sem = self._semaphore()
        if sem is None or self.session is None or self.capacity is None:
            return
        self.capacity = max(0, self.capacity + delta)
        self.session.send(Resize(sem.name, self.capacity))
        if "cap" in self.controls and self.controls["cap"].get_current_value() != self.capacity:
            self.controls["cap"].set_current_value(self.capacity)

    def _speed(self, power: int) -> None:
        self.scale_power = max(-6, min(6, power))
        if self.session is not None:
            self.session.send(Scale(2 ** (self.scale_power / 2)))
        if self.controls["speed"].get_current_value() != self.scale_power:
            self.controls["speed"].set_current_value(self.scale_power)

    def _signal(self, action: str) -> None:
        if self.session is None or self.selected is None or self.config.backend != "process":
            return
        self.session.send(SignalAgent(self.selected, action))

    def _end(self) -> None:
        if self.session is not None:
            self.session.send(End())

    def _switch_backend(self) -> None:
        other = "thread" if self.config.backend == "process" else "process"
        self.restart(attrs.evolve(self.config, backend=other))

    def results(self) -> None:
        from game.scenes.results import ResultsScene

        if self.session is not None and self.session.result is not None:
            self.app.scenes.replace(ResultsScene(self.app, self.session.result))

    def _back(self) -> None:
        from game.scenes.sandbox import SandboxScene

        self.app.scenes.replace(SandboxScene(self.app, self.config))

    def _in_view(self, pos: tuple[int, int]) -> bool:
        return self._view_rect().collidepoint(pos)

    def _hover(self, pos: tuple[int, int]) -> None:
        self.hover_pos = pos
        inside = self.view is not None and self._in_view(pos)
        self.hover_agent = self.view.agent_at(pos) if inside and self.view else None
        self.hover_resource = self.view.resource_at(pos) if inside and self.view else None

    # -- frame ----------------------------------------------------------------------------
    def update(self, dt: float) -> None:
        if self.session is None:
            return
        self.session.ingest(dt)
        layout = self.session.layout
        if layout is not None and self.view is None:
            self.view = self._make_view(layout)
            self.panel = LivePanel(self.app.text, self.session)
            self.view.localise(self.tr)
            self.panel.localise(self.tr)
            self.relayout()
        self._refresh_labels()

    def _make_view(self, layout: Any) -> RoundView:
        return scenario_view(self.app.text, layout)

    def _refresh_labels(self) -> None:
        ended = self.session is not None and self.session.ended
        if ended and not self.controls["results"].is_enabled and self.session and self.session.result:
            self.controls["results"].enable()
        tr = self.tr
        if "cap_label" in self.controls and self.capacity is not None:
            sem = self._semaphore()
            label = tr("arena.capacity", name=sem.name if sem else "", capacity=self.capacity)
            self.controls["cap_label"].set_text(label)
        factor = 2 ** (self.scale_power / 2)
        pace = tr("arena.slower") if factor > 1 else (tr("arena.faster") if factor < 1 else tr("arena.as_set"))
        self.controls["speed_label"].set_text(tr("arena.speed", factor=factor, pace=pace))

    def _view_rect(self) -> Any:
        import pygame

        w, h = self.app.size
        return pygame.Rect(10, TOP_H + 4, w - SIDE_W - 30, h - TOP_H - BOTTOM_H - 8)

    def draw(self, surface: Any) -> None:
        import pygame

        w, h = self.app.size
        self._top_bar(surface, w)
        session, view_rect = self.session, self._view_rect()
        snap = session.snapshot() if session else None
        if session is None or snap is None or self.view is None or self.panel is None:
            message = session.error.strip().splitlines()[-1] if session and session.error else self.tr("arena.starting")
            self.app.text.draw(surface, message, view_rect.center, 20, palette.DIM, anchor="center")
            return
        table_rect = view_rect.inflate(0, -68).move(0, -34) if self._banner_lines() else view_rect
        self.view.draw(surface, table_rect, snap, self.selected, session.permits_out)
        self.panel.draw(
            surface, pygame.Rect(w - SIDE_W - 10, TOP_H + 4, SIDE_W, h - TOP_H - BOTTOM_H - 8), self.hover_resource
        )
        self._banner(surface, view_rect)
        self._notices(surface, view_rect)
        if self.hover_agent is not None:
            lines = agent_lines(session, self.hover_agent, self.tr)
            draw_tooltip(surface, self.app.text, self.hover_pos, lines)

    def _top_bar(self, surface: Any, w: int) -> None:
        text, cfg, s, tr = self.app.text, self.config, self.session, self.tr
        layout = s.layout if s else None
        who = tr("arena.agents", count=len(layout.agents)) if layout else ""
        strategy = layout.strategy if layout else cfg.strategy or ""
        backend = term(tr, "backend", cfg.backend)
        title = tr("arena.title", scenario=cfg.scenario, strategy=strategy, backend=backend, agents=who)
        text.draw(surface, title, (16, 12), 20, palette.TEXT, bold=True)
        if s is not None:
            snap, status = s.snapshot(), s.status
            colour = palette.BAD if status in ("deadlocked", "stalled", "failed") else palette.ACCENT
            line = f"t = {s.elapsed_s:6.2f} s   {status_text(status, tr)}"
            if snap is not None and not math.isclose(snap.scale, 1.0):
                line += "   " + tr("arena.scale", scale=snap.scale)
            text.draw(surface, line, (w - 16, 14), 17, colour, anchor="topright")

    def _banner_lines(self) -> tuple[list[str], Any] | None:
        """What the banner says: a deadlock (with when it formed and its cycle), or the round's end."""
        s = self.session
        snap = s.snapshot() if s else None
        if s is None or snap is None or s.layout is None:
            return None
        tr = self.tr
        if snap.deadlock is not None:
            dl, layout = snap.deadlock, s.layout
            formed = (dl.formed_ns - s.started_ns) / 1e9
            if dl.is_stall:
                waits = [
                    tr("arena.waits", agent=short_name(layout.agents[a]), resource=layout.resources[r].name)
                    for a, r in zip(dl.agents, dl.resources, strict=True)
                ]
                return [tr("arena.stall", t=formed), "  ·  ".join(waits)], palette.BAD
            hops = [
                tr("arena.hop", agent=short_name(layout.agents[a]), resource=layout.resources[r].name)
                for a, r in zip(dl.agents, dl.resources, strict=True)
            ]
            cycle = " ".join(hops) + f" {short_name(layout.agents[dl.agents[0]])}"
            return [tr("arena.deadlock", t=formed), cycle], palette.BAD
        if s.ended:
            reason = term(tr, "reason", s.result.end_reason if s.result else "failed")
            return [tr("arena.over", reason=reason), tr("arena.charts")], palette.ACCENT
        return None

    def _banner(self, surface: Any, rect: Any) -> None:
        import pygame

        found = self._banner_lines()
        if found is None:
            return
        lines, colour = found
        box = pygame.Rect(rect.x + 10, rect.bottom - 60, rect.w - 20, 54)
        pygame.draw.rect(surface, (40, 16, 18) if colour == palette.BAD else palette.PANEL, box, border_radius=8)
        pygame.draw.rect(surface, colour, box, width=2, border_radius=8)
        text = self.app.text
        text.draw(surface, lines[0], (box.x + 14, box.y + 5), 18, colour, bold=True)
        text.draw(surface, text.fit(lines[1], 13, box.w - 28), (box.x + 14, box.y + 31), 13, palette.TEXT)

    def _notices(self, surface: Any, rect: Any) -> None:
        if self.session is None:
            return
        for i, notice in enumerate(self.session.notices[-3:]):
            line = self.tr("arena.refused", command=notice.command, reason=notice.reason)
            self.app.text.draw(surface, line, (rect.x + 14, rect.y + 4 + 20 * i), 14, palette.WARN)


def status_text(status: str, tr: Tr) -> str:
    """A session's status (``running``, ``ended (deadlock)``...) in the player's language."""
    word, _, reason = status.partition(" (")
    if reason:
        return tr("status.ended", reason=term(tr, "reason", reason.removesuffix(")")))
    return term(tr, "status", word)
