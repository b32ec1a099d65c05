"""A level's briefing: the story, the goals per star, the player's choices, hints, the agents' code."""

from __future__ import annotations

from typing import Any

import attrs

from game import palette
from game.campaign import Picks
from game.i18n import term
from game.i18n_words import knob_label, option_label, strategy_text
from game.scene import Scene
from game.views.source import SourceView, agent_sources
from game.views.stars import draw_stars
from game.wrap import wrap
from sims.levels import LevelSpec, goal_text

ROW = 42
LABEL_W = 190


class BriefingScene(Scene):
    name = "briefing"

    def enter(self) -> None:
        self.app.standby.refill()  # warm the next round's engine host while the player chooses
        super().enter()

    def __init__(self, app: Any, level: LevelSpec, picks: Picks | None = None, hints: int = 0) -> None:
        super().__init__(app)
        self.level = level
        self.picks = picks or Picks.defaults(level)
        self.hints = hints  # how many hints the player has asked for
        self.fields: dict[str, Any] = {}
        self.buttons: dict[str, Any] = {}
        self.source: SourceView | None = None
        self._source_key: object = None
        self.choices_y = 0

    # -- layout ---------------------------------------------------------------------------
    def columns(self) -> tuple[int, int, int]:
        """(left x, left width, right x)."""
        w, _ = self.app.size
        left_w = int(w * 0.52) - 40
        return 30, left_w, 30 + left_w + 24

    def _story_lines(self) -> list[str]:
        _, left_w, _ = self.columns()
        return wrap(self.app.text, self.app.campaign.text(self.level.briefing), 16, left_w)

    def _goals_top(self) -> int:
        return 96 + 22 * len(self._story_lines()) + 10

    def knobs(self) -> list[tuple[str, str]]:
        """(kind, name) of each choice the level offers, in the order they are shown."""
        choices = self.level.choices
        rows = [("strategy", "strategy")] if len(choices.strategies) > 1 else []
        rows += [("range", name) for name in choices.ranges]
        rows += [("toggle", name) for name in choices.toggles]
        rows += [("option", name) for name in choices.options]
        if len(self.level.backends) > 1:
            rows.append(("backend", "backend"))
        return rows

    # -- widgets --------------------------------------------------------------------------
    def build(self) -> None:
        from pygame_gui.elements import UIButton

        w, h = self.app.size
        ui, tr = self.app.ui, self.app.campaign.tr
        x, _, _ = self.columns()
        self.fields = {}
        self.choices_y = self._goals_top() + 22 * 4 + 12
        for i, (kind, name) in enumerate(self.knobs()):
            self._knob(kind, name, (x + LABEL_W, self.choices_y + 26 + ROW * i, 250, 34))
        hint_y = self.choices_y + 26 + ROW * len(self.knobs()) + 6
        self.buttons = {
            "hint": self.add(UIButton((x, hint_y, 170, 34), tr("briefing.hint"), ui)),
            "back": self.add(UIButton((30, h - 62, 170, 44), tr("back"), ui)),
            "language": self.add(UIButton((210, h - 62, 170, 44), tr("lang.button"), ui)),
            "start": self.add(
                UIButton((w - 290, h - 62, 260, 44), f"{tr('briefing.start')} (Enter)", ui, object_id="#primary")
            ),
        }
        if self.hints >= len(self.level.hints):
            self.buttons["hint"].disable()

    def _knob(self, kind: str, name: str, rect: tuple[int, int, int, int]) -> None:
        from pygame_gui.elements import UIDropDownMenu, UIHorizontalSlider

        ui, choices, tr = self.app.ui, self.level.choices, self.app.campaign.tr
        if kind == "range":
            spec = choices.ranges[name]
            slider = UIHorizontalSlider(
                rect, int(self.picks.params[name]), (spec.min, spec.max), ui, click_increment=spec.step
            )
            self.fields[name] = self.add(slider)
            return
        if kind == "strategy":
            options, current = list(choices.strategies), self.picks.strategy or choices.strategies[0]
        elif kind == "toggle":
            options = [tr("briefing.on"), tr("briefing.off")]
            current = options[0] if self.picks.params[name] else options[1]
        elif kind == "option":
            language = self.app.campaign.language
            options = [option_label(name, v, language) for v in choices.options[name]]
            current = option_label(name, str(self.picks.params[name]), language)
        else:
            options = [term(tr, "backend", b) for b in self.level.backends]
            current = term(tr, "backend", self.picks.backend)
        menu: list[str | tuple[str, str]] = [*options]
        self.fields[name] = self.add(UIDropDownMenu(menu, current, rect, ui))

    # -- input ----------------------------------------------------------------------------
    def handle(self, event: Any) -> None:
        import pygame
        import pygame_gui

        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            key = next((k for k, v in self.buttons.items() if v is event.ui_element), "")
            actions = {"hint": self.hint, "back": self._back, "language": self._language, "start": self.start}
            actions.get(key, lambda: None)()
        elif event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED:
            self._picked(self._name_of(event.ui_element), event.text)
        elif event.type == pygame_gui.UI_HORIZONTAL_SLIDER_MOVED:
            self.pick(self._name_of(event.ui_element), int(event.value))
        elif event.type == pygame.KEYDOWN:
            keys = {
                pygame.K_RETURN: self.start,
                pygame.K_KP_ENTER: self.start,
                pygame.K_ESCAPE: self._back,
                pygame.K_i: self.hint,
                pygame.K_l: self._language,
            }
            keys.get(event.key, lambda: None)()

    def _name_of(self, element: Any) -> str:
        return next((k for k, v in self.fields.items() if v is element), "")

    def _picked(self, name: str, text: str) -> None:
        choices, tr = self.level.choices, self.app.campaign.tr
        if name == "strategy":
            self.picks = attrs.evolve(self.picks, strategy=text)
        elif name == "backend":
            backend = next((b for b in self.level.backends if term(tr, "backend", b) == text), text)
            self.picks = attrs.evolve(self.picks, backend=backend)
        elif name in choices.toggles:
            self.pick(name, text == tr("briefing.on"))
        elif name in choices.options:
            language = self.app.campaign.language
            value = next((v for v in choices.options[name] if option_label(name, v, language) == text), text)
            self.pick(name, value)

    def pick(self, name: str, value: Any) -> None:
        """Set one knob (the level's range step is kept: a slider can land between steps)."""
        spec = self.level.choices.ranges.get(name)
        if spec is not None:
            value = spec.min + round((int(value) - spec.min) / max(spec.step, 1)) * max(spec.step, 1)
            value = max(spec.min, min(spec.max, value))
        self.picks = attrs.evolve(self.picks, params={**self.picks.params, name: value})

    def hint(self) -> None:
        if self.hints < len(self.level.hints):
            self.hints += 1
        if self.hints >= len(self.level.hints) and "hint" in self.buttons:
            self.buttons["hint"].disable()

    def start(self) -> None:
        from game.scenes.play import LevelArenaScene

        self.app.scenes.replace(LevelArenaScene(self.app, self.level, self.picks, self.hints))

    def _back(self) -> None:
        from game.scenes.levels import LevelSelectScene

        self.app.scenes.replace(LevelSelectScene(self.app, focus=self.level.id))

    def _language(self) -> None:
        self.app.campaign.switch_language()
        self.relayout()

    # -- drawing --------------------------------------------------------------------------
    def source_view(self) -> SourceView:
        """The code of the bodies the current strategy runs (rebuilt when the strategy changes)."""
        key = (self.picks.strategy, tuple(sorted(self.picks.params.items())))
        if self.source is None or key != self._source_key:
            settings = self.level.settings(self.picks.choice())
            blocks = agent_sources(settings.scenario, settings.strategy, settings.params)
            count = max((max(b.agents) + 1 for b in blocks if b.agents), default=0)
            self.source, self._source_key = SourceView(self.app.text, blocks, [str(i) for i in range(count)]), key
        return self.source

    def draw(self, surface: Any) -> None:
        w, h = surface.get_size()
        text, campaign = self.app.text, self.app.campaign
        x, left_w, right_x = self.columns()
        title = campaign.tr(
            "level_select.level", number=campaign.number(self.level), title=campaign.text(self.level.title)
        )
        text.draw(surface, text.fit(title, 26, left_w), (x, 18), 26, palette.TEXT, bold=True)
        badge = campaign.tr("briefing.title")
        if self.level.scheduler:
            badge += "  ·  " + campaign.tr("level_select.scheduler_badge")
        text.draw(surface, badge, (x, 58), 15, palette.ACCENT)
        for i, line in enumerate(self._story_lines()):
            text.draw(surface, line, (x, 96 + 22 * i), 16, palette.TEXT)
        self._goals(surface, x, self._goals_top(), left_w)
        self._choices(surface, x)
        self._hints(surface, x, left_w, h)
        self._code(surface, right_x, w - right_x - 30, h)

    def _goals(self, surface: Any, x: int, y: int, width: int) -> None:
        text, campaign = self.app.text, self.app.campaign
        text.draw(surface, campaign.tr("briefing.goals"), (x, y), 17, palette.TEXT, bold=True)
        for tier, goals in enumerate(self.level.star_tiers()):
            row = y + 24 + 22 * tier
            draw_stars(surface, x, row + 9, 7, tier + 1)
            line = text.fit("  ·  ".join(goal_text(g, campaign.language) for g in goals), 15, width - 60)
            text.draw(surface, line, (x + 56, row), 15, palette.TEXT if tier == 0 else palette.DIM)

    def _choices(self, surface: Any, x: int) -> None:
        text, campaign = self.app.text, self.app.campaign
        if not self.knobs():
            return
        text.draw(surface, campaign.tr("briefing.choose"), (x, self.choices_y), 17, palette.TEXT, bold=True)
        for i, (kind, name) in enumerate(self.knobs()):
            y = self.choices_y + 26 + ROW * i + 7
            label = {"strategy": campaign.tr("briefing.strategy"), "backend": campaign.tr("briefing.backend")}.get(
                kind, name
            )
            if kind in ("range", "toggle", "option"):
                label = knob_label(name, campaign.language)
            value = f" = {self.picks.params[name]}" if kind == "range" else ""
            label = text.fit(label, 15, LABEL_W - 8 - text.font(15).size(value)[0]) + value
            text.draw(surface, label, (x, y), 15, palette.TEXT)

    def _hints(self, surface: Any, x: int, width: int, h: int) -> None:
        text, campaign = self.app.text, self.app.campaign
        y = self.choices_y + 26 + ROW * len(self.knobs()) + 6
        if self.level.scheduler:
            for line in wrap(text, campaign.tr("briefing.scheduler"), 14, width - 190):
                text.draw(surface, line, (x + 186, y + 1), 14, palette.ACCENT)
                y += 18
            y = max(y, self.choices_y + 26 + ROW * len(self.knobs()) + 46)
        else:
            y += 42
        for hint in self.level.hints[: self.hints]:
            for line in wrap(text, "· " + campaign.text(hint), 15, width):
                if y < h - 84:
                    text.draw(surface, line, (x, y), 15, palette.WARN)
                y += 20

    def _code(self, surface: Any, x: int, width: int, h: int) -> None:
        import pygame

        view = self.source_view()
        names = ", ".join(f"{b.owner}.run" for b in view.blocks)
        head = (
            self.app.campaign.tr("briefing.source", names=names) if view.blocks else self.app.campaign.tr("source.none")
        )
        self.app.text.draw(surface, self.app.text.fit(head, 15, width), (x, 22), 15, palette.TEXT, bold=True)
        bottom = h - 80
        code_h = min(view.height() + 12, bottom - 48)
        view.draw(surface, pygame.Rect(x, 48, width, code_h), None)
        self._strategy(surface, x, 48 + code_h + 14, width, bottom)

    def _strategy(self, surface: Any, x: int, y: int, width: int, bottom: int) -> None:
        """What the chosen strategy does, in the scenario's own words (or their translation)."""
        from sims.scenarios import scenario_named

        settings = self.level.settings(self.picks.choice())
        scenario = scenario_named(settings.scenario)
        strategy = settings.strategy or scenario.default_strategy
        text = self.app.text
        words = strategy_text(
            settings.scenario, strategy, scenario.strategies.get(strategy, ""), self.app.campaign.language
        )
        lines = [f"{settings.scenario} · {strategy}", *wrap(text, words, 14, width)]
        for i, line in enumerate(lines):
            if y + 20 * i + 18 < bottom:
                text.draw(surface, line, (x, y + 20 * i), 14, palette.TEXT if i == 0 else palette.DIM, bold=i == 0)
