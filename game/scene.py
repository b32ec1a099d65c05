"""Scenes on a stack: ``enter / exit / handle / update / draw``, one scene per module.

The top scene gets the input. Drawing starts at the highest opaque scene, so an overlay
(pause, help) is drawn over the scene it covers. A covered scene hides its widgets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from game.app import App


class Scene:
    """Base scene: keeps its pygame_gui widgets so leaving the scene removes them."""

    opaque = True
    name = "scene"

    def __init__(self, app: App) -> None:
        self.app = app
        self.widgets: list[Any] = []
        self._covered_in = ""  # the language when covered: widgets are rebuilt if it changed meanwhile

    def add(self, widget: Any) -> Any:
        self.widgets.append(widget)
        return widget

    def enter(self) -> None:
        """Called when pushed: start what the scene needs, build its widgets."""
        self.build()

    def build(self) -> None:
        """Create the widgets for the current window size (called again after a resize)."""

    def relayout(self) -> None:
        for widget in self.widgets:
            widget.kill()
        self.widgets.clear()
        self.build()

    def exit(self) -> None:
        """Called when popped: release everything the scene started."""
        for widget in self.widgets:
            widget.kill()
        self.widgets.clear()

    def cover(self) -> None:
        self._covered_in = self.app.language
        for widget in self.widgets:
            widget.hide()

    def uncover(self) -> None:
        """Show the widgets again, rebuilt in the player's language if a scene above switched it."""
        if self.app.language != self._covered_in:
            self.relayout()
            return
        for widget in self.widgets:
            widget.show()

    def handle(self, event: Any) -> None:
        """One input event (pygame or pygame_gui)."""

    def update(self, dt: float) -> None:
        """Advance by ``dt`` seconds."""

    def draw(self, surface: Any) -> None:
        """Draw onto ``surface``; widgets are drawn after by the UI manager."""


class SceneStack:
    """The scenes in play, bottom first."""

    def __init__(self) -> None:
        self._scenes: list[Scene] = []

    def __bool__(self) -> bool:
        return bool(self._scenes)

    def __len__(self) -> int:
        return len(self._scenes)

    @property
    def top(self) -> Scene:
        return self._scenes[-1]

    def names(self) -> list[str]:
        return [s.name for s in self._scenes]

    def push(self, scene: Scene) -> Scene:
        if self._scenes:
            self._scenes[-1].cover()
        self._scenes.append(scene)
        scene.enter()
        return scene

    def pop(self) -> Scene:
        scene = self._scenes.pop()
        scene.exit()
        if self._scenes:
            self._scenes[-1].uncover()
        return scene

    def replace(self, scene: Scene) -> Scene:
        """Leave the top scene for ``scene`` (its widgets and rounds are released first)."""
        if self._scenes:
            self._scenes.pop().exit()
        self._scenes.append(scene)
        scene.enter()
        return scene

    def clear(self) -> None:
        while self._scenes:
            self._scenes.pop().exit()

    def relayout(self) -> None:
        for scene in self._scenes:
            scene.relayout()
        for scene in self._scenes[:-1]:
            scene.cover()

    def handle(self, event: Any) -> None:
        if self._scenes:
            self._scenes[-1].handle(event)

    def update(self, dt: float) -> None:
        for scene in list(self._scenes):
            scene.update(dt)

    def draw(self, surface: Any) -> None:
        first = 0
        for i in range(len(self._scenes) - 1, -1, -1):
            if self._scenes[i].opaque:
                first = i
                break
        for scene in self._scenes[first:]:
            scene.draw(surface)
