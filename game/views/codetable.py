"""The table of an explored run at one step: each agent's state, each primitive, each counter.

Drawn beside the player's code while a counterexample is stepped through. The primitives are
drawn by the same :class:`PrimitiveWidget` as a round's (holders as tokens, waiters in arrival
order); counters take one line each. It reads one :class:`~sims.explore.table.TableAt`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from game import palette
from game.i18n import Tr
from game.text import TextCache
from game.views.primitive import PrimitiveWidget
from sims import ResourceKind
from sims.explore import AgentState, TableAt

ROW_H = 20  # an agent's or a counter's line
GAP = 6
MIN_COLUMN_W = 200  # a primitive narrower than this cannot show its tokens and headline
TWO_COLUMNS_W = 260  # wide enough for two such columns: use them (a shorter table) when there are 3+
_STATE_COLOURS = {
    AgentState.RUNNING: palette.GOOD,
    AgentState.READY: palette.TEXT,
    AgentState.BLOCKED: palette.WARN,
    AgentState.DONE: palette.DIM,
    AgentState.FAILED: palette.BAD,
    AgentState.NOT_STARTED: palette.DIM,
}


def short_label(name: str, index: int) -> str:
    """``philosopher 3`` → ``P3``, ``cook A`` → ``CA``, ``cook`` → ``C``: a token's label."""
    words = name.split()
    tail = words[-1] if len(words) > 1 and len(words[-1]) <= 2 else ""
    return (name[:1].upper() + tail) if name else str(index)


class CodeTableView:
    """Agents (state, line) above the primitives, two columns of them when the width allows."""

    def __init__(
        self,
        text: TextCache,
        names: Sequence[str],
        resources: Sequence[str],
        say_agent: Callable[[AgentState, int, str], str],
    ) -> None:
        self.text = text
        self.resources = list(resources)  # by index: a condition's headline names its lock
        self.names = list(names)
        self.labels = [short_label(n, i) for i, n in enumerate(names)]
        self.say_agent = say_agent  # (state, line, what it waits on) -> words in the player's language
        self.widget = PrimitiveWidget(text, self._label, self._resource)
        self.shown = list(names)  # the names as drawn: in the player's language (``localise``)

    def _label(self, agent: int) -> str:
        return self.labels[agent] if 0 <= agent < len(self.labels) else "?"

    def _resource(self, index: int) -> str:
        return self.resources[index] if 0 <= index < len(self.resources) else "?"

    def localise(self, tr: Tr, shown_names: Sequence[str]) -> None:
        self.widget.tr = tr
        self.shown = list(shown_names)

    def draw(self, surface: Any, rect: Any, table: TableAt) -> None:
        import pygame

        pygame.draw.rect(surface, palette.PANEL, rect, border_radius=8)
        y = self._agents(surface, rect.inflate(-16, -12), table)
        self._resources(surface, pygame.Rect(rect.x + 8, y + GAP, rect.w - 16, rect.bottom - y - GAP - 6), table)

    def _agents(self, surface: Any, rect: Any, table: TableAt) -> int:
        import pygame

        names, y = self.shown, rect.y
        for a, at in enumerate(table.agents):
            colour = palette.agent_colour(a)
            pygame.draw.circle(surface, colour, (rect.x + 9, y + ROW_H // 2), 8)
            self.text.draw(surface, self.labels[a], (rect.x + 9, y + ROW_H // 2), 10, (20, 20, 24), True, "center")
            name = self.text.draw(surface, names[a], (rect.x + 24, y + 1), 14, colour, bold=True)
            waits = table.resources[at.waiting_on].name if at.waiting_on >= 0 else ""
            said = self.text.fit(self.say_agent(at.state, at.line, waits), 14, rect.right - name.right - 12)
            self.text.draw(surface, said, (name.right + 10, y + 1), 14, _STATE_COLOURS[at.state])
            y += ROW_H
        return y

    def _resources(self, surface: Any, rect: Any, table: TableAt) -> None:
        import pygame

        shown = [r for r in table.resources if r.kind is not ResourceKind.COUNTER]
        counters = [r for r in table.resources if r.kind is ResourceKind.COUNTER]
        height = self.widget.height()
        columns = _columns(len(shown), rect.w, rect.h - ROW_H * len(counters), height)
        width = (rect.w - GAP * (columns - 1)) // columns
        blocked = {at.waiting_on for at in table.agents if at.state is AgentState.BLOCKED}
        for i, res in enumerate(shown):
            x = rect.x + (i % columns) * (width + GAP)
            y = rect.y + (i // columns) * (height + GAP)
            if y + height > rect.bottom:
                break
            taken = table.taken[res.index] if res.kind is ResourceKind.SEMAPHORE else None
            self.widget.draw(surface, pygame.Rect(x, y, width, height), res, res.index in blocked, taken)
        y = rect.y + -(-len(shown) // columns) * (height + GAP)
        for res in counters:
            if y + ROW_H > rect.bottom:
                break
            said = f"{res.name} = {table.values[res.index]}"
            self.text.draw(surface, said, (rect.x + 8, y), 15, palette.TEXT, bold=True)
            y += ROW_H


def _columns(count: int, width: int, height: int, each: int) -> int:
    """Two columns when wide enough (a shorter table), more when they would not fit; at most three."""
    fits = [c for c in (1, 2, 3) if c == 1 or width // c >= MIN_COLUMN_W]
    preferred = 2 if count > 2 and width // 2 >= TWO_COLUMNS_W else 1
    for columns in [preferred, *(c for c in fits if c > preferred)]:
        if -(-count // columns) * (each + GAP) <= height:
            return columns
    return fits[-1]
