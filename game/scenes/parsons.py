"""Put the lines of ``run`` in order: a Parsons puzzle played with the mouse or the keyboard.

Mouse: drag a line into your ``run`` (how far right you drop it sets its indent), drag it
elsewhere to move it, or back to the left to take it out; a click on a free line appends it
after the selected one. Keyboard: Tab switches columns, ↑/↓ select, Enter or Space moves the
selected line across, Alt+↑/↓ moves it within ``run``, ←/→ (or Shift+Tab) indent it, Ctrl+Z
undoes, L switches the language. What the player builds becomes Python source, handed to ``check`` for grading.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from game import palette
from game.scene import Scene
from game.views.parsons import Column, Hit, ParsonsBoard
from sims.levels import Arrangement

DRAG_PX = 5  # a press that moves less than this is a click


class ParsonsScene(Scene):
    name = "parsons"

    def __init__(
        self,
        app: Any,
        answer: Arrangement,
        title: str,
        check: Callable[[str], str],
        back: Callable[[Arrangement], None],
    ) -> None:
        super().__init__(app)
        self.answer = answer
        self.title = title
        self.check = check  # grades the source, returns what to tell the player
        self.back = back  # leaves, keeping the arrangement for the next visit
        self.history: list[Arrangement] = []
        self.focus = Hit(Column.POOL, 0) if answer.unused() else Hit(Column.ANSWER, 0)
        self.pressed: tuple[Hit, tuple[int, int]] | None = None
        self.pointer = (0, 0)
        self.message = ""
        self.buttons: dict[Any, Callable[[], None]] = {}

    # -- layout ----------------------------------------------------------------------------
    def board(self) -> ParsonsBoard:
        import pygame

        w, h = self.app.size
        return ParsonsBoard(pygame.Rect(30, 80, w - 60, h - 80 - 110))

    def build(self) -> None:
        from pygame_gui.elements import UIButton

        w, h = self.app.size
        ui, tr = self.app.ui, self.app.campaign.tr
        y = h - 62
        self.buttons = {
            self.add(UIButton((30, y, 170, 44), tr("back"), ui)): self.leave,
            self.add(UIButton((210, y, 170, 44), tr("parsons.undo"), ui)): self.undo,
            self.add(UIButton((w - 250, y, 220, 44), tr("parsons.check"), ui, object_id="#primary")): self.grade,
        }

    # -- edits -----------------------------------------------------------------------------
    def edit(self, changed: Arrangement, focus: Hit) -> None:
        if changed != self.answer:
            self.history.append(self.answer)
            self.answer = changed
            self.message = ""
        self.focus = focus

    def undo(self) -> None:
        if self.history:
            self.answer = self.history.pop()
            self.focus = self._clamped(self.focus)

    def take(self, pool_row: int, at: int, indent: int | None = None) -> None:
        """Move the free line at ``pool_row`` into ``run`` before line ``at``."""
        free = self.answer.unused()
        if 0 <= pool_row < len(free):
            at = min(at, len(self.answer.placed))
            self.edit(self.answer.insert(free[pool_row], at, indent), Hit(Column.ANSWER, at))

    def give_back(self, row: int) -> None:
        if 0 <= row < len(self.answer.placed):
            changed = self.answer.remove(row)
            self.edit(changed, self._clamped(Hit(Column.ANSWER, row), changed))

    def relocate(self, row: int, to: int, indent: int) -> None:
        """Move line ``row`` of ``run`` to sit before line ``to`` (as counted before the move), at ``indent``."""
        answer = self.answer
        if not 0 <= row < len(answer.placed):
            return
        target = to - 1 if to > row else to
        moved = answer.move(row, target - row)
        self.edit(moved.indent(target, indent - moved.placed[target].indent), Hit(Column.ANSWER, target))

    def _clamped(self, focus: Hit, answer: Arrangement | None = None) -> Hit:
        answer = answer or self.answer
        size = len(answer.unused()) if focus.column == Column.POOL else len(answer.placed)
        return Hit(focus.column, max(0, min(focus.row, size - 1)))

    def grade(self) -> None:
        self.message = self.check(self.answer.source())

    def leave(self) -> None:
        self.back(self.answer)

    # -- input -----------------------------------------------------------------------------
    def handle(self, event: Any) -> None:
        import pygame
        import pygame_gui

        if event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element in self.buttons:
            self.buttons[event.ui_element]()
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            hit = self.board().hit(event.pos, self.answer)
            self.pressed = (hit, event.pos) if hit is not None else None
        elif event.type == pygame.MOUSEMOTION:
            self.pointer = event.pos
        elif event.type == pygame.MOUSEBUTTONUP and event.button == 1 and self.pressed is not None:
            self._release(*self.pressed, event.pos)
            self.pressed = None
        elif event.type == pygame.KEYDOWN:
            self._key(event.key, event.mod)

    def _release(self, start: Hit, down: tuple[int, int], up: tuple[int, int]) -> None:
        moved = abs(up[0] - down[0]) + abs(up[1] - down[1]) >= DRAG_PX
        end = self.board().hit(up, self.answer)
        if not moved:
            self._click(start)
        elif end is not None and end.column == Column.ANSWER:
            if start.column == Column.POOL:
                self.take(start.row, end.row, end.indent)
            else:
                self.relocate(start.row, end.row, end.indent)
        elif end is not None and start.column == Column.ANSWER:
            self.give_back(start.row)

    def _click(self, hit: Hit) -> None:
        if hit.column == Column.POOL:
            after = self.focus.row + 1 if self.focus.column == Column.ANSWER else len(self.answer.placed)
            self.take(hit.row, after)
        elif hit.row < len(self.answer.placed):
            self.focus = hit

    def _key(self, key: int, mod: int) -> None:
        import pygame

        focus, alt, ctrl = self.focus, mod & pygame.KMOD_ALT, mod & pygame.KMOD_CTRL
        in_code = focus.column == Column.ANSWER
        if ctrl and key == pygame.K_z:
            self.undo()
        elif ctrl and key in (pygame.K_RETURN, pygame.K_KP_ENTER):
            self.grade()
        elif key == pygame.K_TAB and mod & pygame.KMOD_SHIFT and in_code:
            self._indent(-1)
        elif key == pygame.K_TAB:
            self.focus = self._clamped(Hit(Column.POOL if in_code else Column.ANSWER, focus.row))
        elif key in (pygame.K_UP, pygame.K_DOWN):
            by = -1 if key == pygame.K_UP else 1
            if alt and in_code and self.answer.placed:
                self.edit(self.answer.move(focus.row, by), self._clamped(Hit(Column.ANSWER, focus.row + by)))
            else:
                self.focus = self._clamped(Hit(focus.column, focus.row + by))
        elif key in (pygame.K_LEFT, pygame.K_RIGHT) and in_code:
            self._indent(-1 if key == pygame.K_LEFT else 1)
        elif key in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_SPACE):
            if in_code:
                self.give_back(focus.row)
            else:
                self._click(focus)
                self.focus = self._clamped(Hit(Column.POOL, focus.row))
        elif key == pygame.K_ESCAPE:
            self.leave()
        elif key == pygame.K_l:
            self.app.campaign.switch_language()
            self.relayout()

    def _indent(self, by: int) -> None:
        if self.answer.placed:
            self.edit(self.answer.indent(self.focus.row, by), self.focus)

    # -- drawing ---------------------------------------------------------------------------
    def draw(self, surface: Any) -> None:
        w, h = surface.get_size()
        text, tr = self.app.text, self.app.campaign.tr
        text.draw(surface, self.title, (30, 22), 26, palette.TEXT, bold=True)
        text.draw(surface, text.fit(tr("parsons.help"), 14, w - 60), (30, 56), 14, palette.DIM)
        dragged = (self.pressed[0], self.pointer) if self.pressed is not None else None
        titles = (tr("parsons.pool"), tr("parsons.answer"))
        self.board().draw(surface, text, self.answer, self.focus, titles, dragged)
        if self.message:
            text.draw(surface, text.fit(self.message, 15, w - 60), (30, h - 96), 15, palette.WARN)
