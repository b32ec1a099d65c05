"""The sandbox: pick a scenario, strategy, backend and parameters, then start a round."""

from __future__ import annotations

from typing import Any

from game import palette
from game.scene import Scene
from sims import Backend
from sims.rounds import RoundConfig
from sims.scenarios import ParamSpec, scenario_named, scenarios

SLIDER_MAX = 64  # int parameters with a range up to this get a slider, others a text field
DEFAULT_SECONDS = 30.0


class SandboxScene(Scene):
    name = "sandbox"

    def enter(self) -> None:
        self.app.standby.refill()  # warm the next round's engine host while the player chooses
        super().enter()

    def __init__(self, app: Any, config: RoundConfig | None = None) -> None:
        super().__init__(app)
        cfg = config or RoundConfig("dining", strategy="naive", seconds=DEFAULT_SECONDS)
        offered = offered_scenarios()
        self.scenario = cfg.scenario if cfg.scenario in offered else offered[0]
        self.strategy = cfg.strategy or scenario_named(self.scenario).default_strategy
        self.backend = cfg.backend
        self.values: dict[str, str] = {k: _text(v) for k, v in cfg.params.items()}
        self.seconds = _text(cfg.seconds)
        self.seed = str(cfg.seed)
        self.stop_on_deadlock = cfg.stop_on_deadlock
        self.error = ""
        self.fields: dict[str, Any] = {}

    # -- widgets --------------------------------------------------------------------------
    def build(self) -> None:
        from pygame_gui.elements import UIButton, UIDropDownMenu

        ui, w, h = self.app.ui, *self.app.size
        scenario = scenario_named(self.scenario)
        self.fields = {}
        x, y = 60, 110
        menu: list[str | tuple[str, str]] = [*offered_scenarios()]
        self.fields["scenario"] = self.add(UIDropDownMenu(menu, self.scenario, (x + 170, y, 240, 34), ui))
        self.fields["strategy"] = self.add(
            UIDropDownMenu(list(scenario.strategies), self.strategy, (x + 170, y + 46, 240, 34), ui)
        )
        backends: list[str | tuple[str, str]] = [str(b) for b in scenario.backends]
        self.fields["backend"] = self.add(UIDropDownMenu(backends, self.backend, (x + 170, y + 92, 240, 34), ui))
        deadlock = "yes" if self.stop_on_deadlock else "no"
        self.fields["stop_on_deadlock"] = self.add(
            UIDropDownMenu(["yes", "no"], deadlock, (x + 170, y + 138, 240, 34), ui)
        )
        self._entry("seconds", self.seconds, (x + 170, y + 184, 240, 34))
        self._entry("seed", self.seed, (x + 170, y + 230, 240, 34))
        for i, spec in enumerate(scenario.params):
            self._param(spec, (w // 2 + 20 + 200, y + 46 * i, 300, 34))
        self.start = self.add(UIButton((w - 300, h - 90, 260, 50), "Start the round (Enter)", ui, object_id="#primary"))
        self.back = self.add(UIButton((40, h - 90, 160, 50), "Back (Esc)", ui))

    def _entry(self, key: str, value: str, rect: tuple[int, int, int, int]) -> None:
        from pygame_gui.elements import UITextEntryLine

        entry = self.add(UITextEntryLine(rect, self.app.ui))
        entry.set_text(value)
        self.fields[key] = entry

    def _param(self, spec: ParamSpec, rect: tuple[int, int, int, int]) -> None:
        from pygame_gui.elements import UIHorizontalSlider

        value = self.values.get(spec.name, _text(spec.default))
        if spec.kind is int and spec.high is not None and spec.high <= SLIDER_MAX:
            low = int(spec.low or 0)
            slider = UIHorizontalSlider(rect, int(value), (low, int(spec.high)), self.app.ui)
            self.fields[f"param:{spec.name}"] = self.add(slider)
        else:
            self._entry(f"param:{spec.name}", value, rect)

    # -- input ----------------------------------------------------------------------------
    def handle(self, event: Any) -> None:
        import pygame
        import pygame_gui

        if event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED:
            self._picked(event.ui_element, event.text)
        elif event.type in (pygame_gui.UI_TEXT_ENTRY_CHANGED, pygame_gui.UI_HORIZONTAL_SLIDER_MOVED):
            self._edited(event.ui_element, str(getattr(event, "text", getattr(event, "value", ""))))
        elif event.type == pygame_gui.UI_BUTTON_PRESSED:
            if event.ui_element is self.start:
                self.begin()
            elif event.ui_element is self.back:
                self._back()
        elif event.type == pygame.KEYDOWN and event.key in (pygame.K_RETURN, pygame.K_KP_ENTER):
            self.begin()
        elif event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE:
            self._back()

    def _key_of(self, element: Any) -> str:
        return next((k for k, v in self.fields.items() if v is element), "")

    def _picked(self, element: Any, text: str) -> None:
        key = self._key_of(element)
        if key == "scenario" and text != self.scenario:
            self.scenario, self.values = text, {}
            self.strategy = scenario_named(text).default_strategy
            if self.backend not in scenario_named(text).backends:
                self.backend = scenario_named(text).backends[0]
            self.relayout()
        elif key == "strategy":
            self.strategy = text
        elif key == "backend":
            self.backend = Backend(text)
        elif key == "stop_on_deadlock":
            self.stop_on_deadlock = text == "yes"

    def _edited(self, element: Any, text: str) -> None:
        key = self._key_of(element)
        if key.startswith("param:"):
            self.values[key.removeprefix("param:")] = text
        elif key == "seconds":
            self.seconds = text
        elif key == "seed":
            self.seed = text

    def config(self) -> RoundConfig:
        """The round the widgets describe; ValueError names the first field that is wrong."""
        scenario = scenario_named(self.scenario)
        params = {spec.name: spec.parse(self.values[spec.name]) for spec in scenario.params if spec.name in self.values}
        try:
            seconds, seed = float(self.seconds), int(self.seed)
        except ValueError:
            raise ValueError(
                f"seconds must be a number and seed a whole number, got {self.seconds!r}, {self.seed!r}"
            ) from None
        return RoundConfig(
            self.scenario,
            backend=self.backend,
            strategy=self.strategy,
            seconds=seconds,
            seed=seed,
            params=params,
            stop_on_deadlock=self.stop_on_deadlock,
        )

    def begin(self) -> None:
        from game.scenes.arena import ArenaScene

        try:
            config = self.config()
        except ValueError as error:
            self.error = str(error)
            return
        self.app.scenes.replace(ArenaScene(self.app, config))

    def _back(self) -> None:
        from game.scenes.title import TitleScene

        self.app.scenes.replace(TitleScene(self.app))

    # -- drawing --------------------------------------------------------------------------
    def draw(self, surface: Any) -> None:
        w, _ = surface.get_size()
        text = self.app.text
        scenario = scenario_named(self.scenario)
        text.draw(surface, "Sandbox", (60, 30), 30, palette.TEXT, bold=True)
        text.draw(surface, scenario.summary, (60, 72), 16, palette.ACCENT)
        labels = ("scenario", "strategy", "backend", "end on deadlock", "seconds", "seed")
        for i, label in enumerate(labels):
            text.draw(surface, label, (60, 117 + 46 * i), 16, palette.TEXT)
        self._explain(surface, 60, 400, w // 2 - 100)
        for i, spec in enumerate(scenario.params):
            y = 110 + 46 * i
            value = self.values.get(spec.name, _text(spec.default))
            text.draw(surface, f"{spec.name} = {value}", (w // 2 + 20, y + 2), 16, palette.TEXT)
            text.draw(surface, text.fit(spec.help, 12, 190), (w // 2 + 20, y + 22), 12, palette.DIM)
        if self.error:
            text.draw(surface, self.error, (60, surface.get_height() - 130), 16, palette.BAD)

    def _explain(self, surface: Any, x: int, y: int, width: int) -> None:
        text = self.app.text
        scenario = scenario_named(self.scenario)
        text.draw(surface, f"strategy '{self.strategy}'", (x, y), 16, palette.TEXT, bold=True)
        for i, line in enumerate(_wrap(text, scenario.strategies.get(self.strategy, ""), 15, width)):
            text.draw(surface, line, (x, y + 24 + 20 * i), 15, palette.DIM)
        note = (
            "thread: agents are threads of one engine process (they share the GIL)"
            if self.backend is Backend.THREAD
            else "process: each agent is its own OS process (spawned); S/C/K send it real signals"
        )
        text.draw(surface, text.fit(note, 14, width), (x, y + 110), 14, palette.DIM)


def offered_scenarios() -> list[str]:
    """The scenarios that declare ``in_sandbox``, in the lecture's order."""
    return [name for name, scenario in scenarios().items() if scenario.in_sandbox]


def _text(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _wrap(text: Any, words: str, size: int, width: int) -> list[str]:
    lines, line = [], ""
    for word in words.split():
        trial = f"{line} {word}".strip()
        if text.font(size).size(trial)[0] > width and line:
            lines.append(line)
            line = word
        else:
            line = trial
    return [*lines, line] if line else lines
