"""The Parsons board: the unused pieces on the left, the player's ``run`` on the right.

It knows where everything is drawn (so a click or a drop finds its piece, row and indent) and
draws it; what an edit means is :class:`sims.levels.parsons.Arrangement`'s business.
"""

from __future__ import annotations

from typing import Any

import attrs

from game import palette
from game.text import TextCache
from sims.levels import MAX_INDENT, Arrangement

ROW_H = 30
ROW_GAP = 6
INDENT_W = 32
CODE_SIZE = 15
HEAD_H = 34


class Column:
    POOL = "pool"
    ANSWER = "answer"


@attrs.frozen
class Hit:
    """What is under the pointer: a column, a row in it (may be one past the end), an indent."""

    column: str
    row: int
    indent: int = 0


class ParsonsBoard:
    """Layout and drawing of an arrangement inside ``rect`` (a pygame.Rect)."""

    def __init__(self, rect: Any) -> None:
        self.rect = rect

    # -- geometry --------------------------------------------------------------------------
    def columns(self) -> tuple[Any, Any]:
        import pygame

        r = self.rect
        pool_w = int(r.w * 0.4)
        return pygame.Rect(r.x, r.y, pool_w, r.h), pygame.Rect(r.x + pool_w + 20, r.y, r.w - pool_w - 20, r.h)

    def row_rect(self, column: str, row: int, indent: int = 0) -> Any:
        import pygame

        area = self.columns()[0 if column == Column.POOL else 1]
        x = area.x + 10 + (INDENT_W * (indent + 1) if column == Column.ANSWER else 0)
        y = area.y + HEAD_H + (ROW_H if column == Column.ANSWER else 0) + row * (ROW_H + ROW_GAP)
        return pygame.Rect(x, y, area.right - 10 - x, ROW_H)

    def hit(self, pos: tuple[int, int], answer: Arrangement) -> Hit | None:
        """The column, row and indent under ``pos``; ``None`` outside both columns."""
        pool, code = self.columns()
        for column, area in ((Column.POOL, pool), (Column.ANSWER, code)):
            if area.collidepoint(pos):
                top = self.row_rect(column, 0).y
                row = max(0, (pos[1] - top + ROW_GAP // 2) // (ROW_H + ROW_GAP))
                indent = max(0, min(MAX_INDENT, (pos[0] - area.x - 10) // INDENT_W - 1))
                size = len(answer.unused()) if column == Column.POOL else len(answer.placed)
                return Hit(column, min(row, size), indent)
        return None

    # -- drawing ---------------------------------------------------------------------------
    def draw(
        self,
        surface: Any,
        text: TextCache,
        answer: Arrangement,
        focus: Hit,
        titles: tuple[str, str],
        dragged: tuple[Hit, tuple[int, int]] | None = None,
    ) -> None:
        import pygame

        pool, code = self.columns()
        for area, title in zip((pool, code), titles, strict=True):
            pygame.draw.rect(surface, palette.PANEL, area, border_radius=8)
            text.draw(surface, title, (area.x + 10, area.y + 8), 15, palette.DIM, bold=True)
        for row, piece in enumerate(answer.unused()):
            selected = focus == Hit(Column.POOL, row)
            self._piece(surface, text, self.row_rect(Column.POOL, row), answer.pieces[piece].text, selected)
        header = self.row_rect(Column.ANSWER, 0)
        text.draw(surface, answer.header, (code.x + 10, header.y - ROW_H + 6), CODE_SIZE, palette.ACCENT)
        for row, placed in enumerate(answer.placed):
            rect = self.row_rect(Column.ANSWER, row, placed.indent)
            for level in range(placed.indent + 1):  # indent guides: where each block starts
                x = code.x + 10 + INDENT_W * level + INDENT_W // 2
                pygame.draw.line(surface, palette.PANEL_EDGE, (x, rect.y), (x, rect.bottom + ROW_GAP))
            selected = focus.column == Column.ANSWER and focus.row == row
            self._piece(surface, text, rect, answer.pieces[placed.piece].text, selected)
        if dragged is not None:
            self._drop_marker(surface, answer, *dragged)

    def _piece(self, surface: Any, text: TextCache, rect: Any, code: str, selected: bool) -> None:
        import pygame

        pygame.draw.rect(surface, (44, 48, 62), rect, border_radius=6)
        edge = palette.ACCENT if selected else palette.PANEL_EDGE
        pygame.draw.rect(surface, edge, rect, width=2 if selected else 1, border_radius=6)
        text.draw(surface, text.fit(code, CODE_SIZE, rect.w - 16), (rect.x + 8, rect.centery), CODE_SIZE,
                  palette.TEXT, anchor="midleft")

    def _drop_marker(self, surface: Any, answer: Arrangement, source: Hit, pos: tuple[int, int]) -> None:
        import pygame

        target = self.hit(pos, answer)
        if target is None or target.column != Column.ANSWER:
            return
        rect = self.row_rect(Column.ANSWER, target.row, target.indent)
        pygame.draw.line(surface, palette.WARN, (rect.x, rect.y - ROW_GAP // 2), (rect.right, rect.y - ROW_GAP // 2), 3)
