"""The arena: a round running live, its table or kitchen, live numbers and live control."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import attrs

from game import palette
from game.i18n import Tr, term, thing
from game.scene import Scene
from game.session import Phase, RoundSession, RoundStatus
from game.verdict import deadlock_chain
from game.views.choose import RoundView, scenario_view
from game.views.livepanel import LivePanel
from game.views.primitive import short_name
from game.views.tooltip import agent_lines, draw_tooltip
from sims import Backend, ResourceKind, SignalAction
from sims.primitives import MAX_PERMITS
from sims.rounds import End, Resize, RoundConfig, Scale, SignalAgent

SIDE_W = 410
BOTTOM_H = 96
TOP_H = 46


@attrs.frozen
class Control:
    """A button of the arena: its words, what it does, and the keys that do the same."""

    label: str
    action: Callable[[], object]
    keys: tuple[int, ...] = ()
    width: int = 150
    object_id: str | None = None  # the theme's look: '#danger', '#primary'
    shown: bool = True


SCALE_POWERS = (-6, 6)  # the speed slider's range: time scale 2 ** (power / 2)


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
        self.actions: dict[Any, Callable[[], object]] = {}  # widget -> what pressing it does
        self.key_actions: dict[int, Callable[[], object]] = {}
        self.results_button: Any = None
        self.capacity_slider: Any = None
        self.capacity_label: Any = None
        self.speed_slider: Any = None
        self.speed_label: Any = None

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
        self.selected = None
        self.relayout()

    # -- widgets --------------------------------------------------------------------------
    def row(self) -> list[Control]:
        """The buttons along the bottom, left to right."""
        import pygame

        tr = self.tr
        return [
            Control(tr("arena.pause"), self.pause, (pygame.K_p, pygame.K_SPACE)),
            Control(tr("arena.restart"), self.restart, (pygame.K_r,)),
            Control(tr("arena.end"), self._end, (pygame.K_e,)),
            Control(tr("arena.results"), self.results, (pygame.K_RETURN,)),
            Control(self._backend_label(), self._switch_backend, (pygame.K_b,), width=210),
            Control(tr("back"), self._back, (pygame.K_ESCAPE,)),
        ]

    def signal_controls(self) -> list[Control]:
        """SIGSTOP / SIGCONT / SIGKILL for the selected agent: process rounds only."""
        import pygame

        if self.config.backend != Backend.PROCESS:
            return []
        tr = self.tr
        keys = {SignalAction.STOP: pygame.K_s, SignalAction.CONT: pygame.K_c, SignalAction.KILL: pygame.K_k}
        return [
            Control(
                tr(f"arena.sig_{action}"),
                functools.partial(self._signal, action),
                (keys[action],),
                width=118,
                object_id="#danger" if action is SignalAction.KILL else None,
                shown=self.app.size[0] >= 1280,
            )
            for action in SignalAction
        ]

    def place(self, control: Control, rect: tuple[int, int, int, int]) -> Any:
        """Make ``control``'s button at ``rect``; its keys and the button now do its action."""
        from pygame_gui.elements import UIButton

        button = self.add(UIButton(rect, control.label, self.app.ui, object_id=control.object_id))
        self.actions[button] = control.action
        self.key_actions.update(dict.fromkeys(control.keys, control.action))
        if not control.shown:
            button.hide()
        return button

    def button(self, action: Callable[[], object]) -> Any:
        """The button that does ``action`` (KeyError if none does)."""
        found = [button for button, does in self.actions.items() if does == action]
        if not found:
            raise KeyError(f"no button does {action!r}")
        return found[0]

    def build(self) -> None:
        from pygame_gui.elements import UIHorizontalSlider, UILabel

        h = self.app.size[1]
        ui = self.app.ui
        self.actions, self.key_actions = {}, {}
        y1, y2 = h - BOTTOM_H + 6, h - BOTTOM_H + 50
        x = 10
        for control in self.row():
            button = self.place(control, (x, y1, control.width, 36))
            if control.action == self.results:
                self.results_button = button
            x += control.width + 8 if control.shown else 0
        self.results_button.disable()
        sem = self._semaphore()
        self.capacity_slider = self.capacity_label = None
        if sem is not None:
            self.capacity_label = self.add(UILabel((10, y2, 190, 34), "", ui))
            top = max(2 * sem.capacity, len(self.session.layout.agents) if self.session and self.session.layout else 8)
            capacity = self.capacity() or 0
            self.capacity_slider = self.add(UIHorizontalSlider((200, y2 + 2, 260, 30), capacity, (0, top), ui))
        self.speed_label = self.add(UILabel((480, y2, 170, 34), "", ui))
        self.speed_slider = self.add(UIHorizontalSlider((650, y2 + 2, 200, 30), self.scale_power(), SCALE_POWERS, ui))
        for i, control in enumerate(self.signal_controls()):
            self.place(control, (870 + i * 124, y2, control.width, 34))

    def _backend_label(self) -> str:
        other = Backend.THREAD if self.config.backend == Backend.PROCESS else Backend.PROCESS
        return self.tr("arena.switch", backend=term(self.tr, "backend", other))

    def _semaphore(self) -> Any:
        layout = self.session.layout if self.session else None
        if layout is None:
            return None
        # signalling semaphores stay as they were set
        sems = [info for info in layout.of_kind(ResourceKind.SEMAPHORE) if not info.fixed]
        return sems[0] if sems else None

    # -- what the host's picture says -------------------------------------------------------
    def capacity(self) -> int | None:
        """The semaphore's capacity as the host's latest picture shows it (None without one):
        what it is heading for, permits still pending on a shrink left out."""
        sem = self._semaphore()
        if sem is None:
            return None
        snap = self.session.snapshot() if self.session else None
        if snap is None:
            return int(sem.capacity)
        seats = snap.resources[sem.index]
        return seats.capacity - seats.pending

    def scale_power(self) -> int:
        """The round's time scale as the host's latest picture shows it, as the slider's step."""
        snap = self.session.snapshot() if self.session else None
        power = round(2 * math.log2(snap.scale)) if snap is not None and snap.scale > 0 else 0
        return max(SCALE_POWERS[0], min(SCALE_POWERS[1], power))

    # -- input ----------------------------------------------------------------------------
    def handle(self, event: Any) -> None:
        import pygame
        import pygame_gui

        if event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element in self.actions:
            self.actions[event.ui_element]()
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

        if event.key in self.key_actions:
            self.key_actions[event.key]()
        elif event.key in (pygame.K_PLUS, pygame.K_EQUALS, pygame.K_KP_PLUS):
            self._resize(+1)
        elif event.key in (pygame.K_MINUS, pygame.K_KP_MINUS):
            self._resize(-1)
        elif event.key in (pygame.K_RIGHTBRACKET, pygame.K_LEFTBRACKET):
            self._speed(self.scale_power() + (1 if event.key == pygame.K_RIGHTBRACKET else -1))

    def _slider(self, element: Any, value: int) -> None:
        if element is self.capacity_slider and value != self.capacity():
            self._send_capacity(value)
        elif element is self.speed_slider and value != self.scale_power():
            self._speed(value)

    def pause(self) -> None:
        from game.scenes.pause import PauseScene

        if self.session is not None and not self.session.ended:
            self.app.scenes.push(PauseScene(self.app, self.session))

    def _resize(self, delta: int) -> None:
        capacity = self.capacity()
        if capacity is not None:
            self._send_capacity(max(0, min(MAX_PERMITS, capacity + delta)))

    def _send_capacity(self, capacity: int) -> None:
        """Ask the host; the slider and label show what its pictures say came of it."""
        sem = self._semaphore()
        if sem is not None and self.session is not None:
            self.session.send(Resize(sem.name, capacity))

    def _speed(self, power: int) -> None:
        power = max(SCALE_POWERS[0], min(SCALE_POWERS[1], power))
        if self.session is not None:
            self.session.send(Scale(2 ** (power / 2)))

    def _signal(self, action: SignalAction) -> None:
        if self.session is None or self.selected is None or self.config.backend != Backend.PROCESS:
            return
        self.session.send(SignalAgent(self.selected, action))

    def _end(self) -> None:
        if self.session is not None:
            self.session.send(End())

    def _switch_backend(self) -> None:
        other = Backend.THREAD if self.config.backend == Backend.PROCESS else Backend.PROCESS
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
        """Labels and sliders from the host's picture: a refused or pending change shows as it is."""
        session, tr = self.session, self.tr
        if session is not None and session.result is not None and not self.results_button.is_enabled:
            self.results_button.enable()
        capacity, sem = self.capacity(), self._semaphore()
        if self.capacity_slider is not None and capacity is not None and sem is not None:
            self.capacity_label.set_text(tr("arena.capacity", name=sem.name, capacity=capacity))
            _show(self.capacity_slider, capacity)
        power = self.scale_power()
        factor = 2 ** (power / 2)
        pace = tr("arena.slower") if factor > 1 else (tr("arena.faster") if factor < 1 else tr("arena.as_set"))
        self.speed_label.set_text(tr("arena.speed", factor=factor, pace=pace))
        _show(self.speed_slider, power)

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
            colour = palette.BAD if status.bad else palette.ACCENT
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
                    tr("arena.waits", agent=short_name(layout.agents[a]), resource=thing(tr, layout.resources[r].name))
                    for a, r in zip(dl.agents, dl.resources, strict=True)
                ]
                return [tr("arena.stall", t=formed), "  ·  ".join(waits)], palette.BAD
            cycle = deadlock_chain(tr, layout, dl)
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


def _show(slider: Any, value: int) -> None:
    """Move ``slider`` to ``value`` unless the player is dragging it."""
    held = slider.grabbed_slider or (slider.sliding_button is not None and slider.sliding_button.held)
    if not held and slider.get_current_value() != value:
        slider.set_current_value(value)


def status_text(status: RoundStatus, tr: Tr) -> str:
    """A session's status (running, ended and why...) in the player's language."""
    if status.phase is Phase.ENDED:
        return tr("status.ended", reason=term(tr, "reason", str(status.reason)))
    return term(tr, "status", status.phase.value)
