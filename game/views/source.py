"""The agents' real Python source, with the line each agent is at highlighted live.

The code shown is the ``run`` method of each agent's body class, read with
``inspect.getsource`` from the very classes a round of the scenario builds. To know which
classes a strategy uses, the scenario is built once into a throwaway thread-backend world
(primitives are made but no agent starts). Each STEP record carries the line number of the
``me.step(...)`` call that wrote it (``AgentView.step_line``), which is what lights up.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from game import palette
from game.text import TextCache
from sims.agents import AgentBody
from sims.live import Snapshot

LINE_H = 17
CODE_SIZE = 13


@attrs.frozen
class SourceBlock:
    """One ``run`` method: where it starts in its file, its lines, the agents that run it."""

    owner: str  # the class that defines run, e.g. "Philosopher"
    filename: str
    first: int  # the file's line number of lines[0]
    lines: tuple[str, ...]
    agents: tuple[int, ...]

    def holds(self, line: int) -> bool:
        return self.first <= line < self.first + len(self.lines)


def _probe_bodies(scenario_name: str, strategy: str | None, params: Mapping[str, Any]) -> list[AgentBody]:
    """The bodies a round of this scenario would run, in agent order (built, never started)."""
    from sims import Backend, Runtime
    from sims.rounds import World
    from sims.scenarios import scenario_named

    scenario = scenario_named(scenario_name)
    world = World(Backend.THREAD, None, Runtime(None, shared=False))
    scenario.build(world, strategy or scenario.default_strategy, scenario.resolve(dict(params)), 0)
    return [body for _, body in world.agents]


def agent_sources(scenario: str, strategy: str | None, params: Mapping[str, Any]) -> tuple[SourceBlock, ...]:
    """One block per distinct ``run`` method, first agent first; empty if the scenario cannot be probed."""
    try:
        bodies = _probe_bodies(scenario, strategy, params)
    except (ValueError, TypeError, OSError, RuntimeError):
        return ()
    blocks: dict[Any, list[int]] = {}
    for index, body in enumerate(bodies):
        blocks.setdefault(type(body).run, []).append(index)
    return tuple(_block(run, agents) for run, agents in blocks.items())


def _block(run: Any, agents: list[int]) -> SourceBlock:
    lines, first = inspect.getsourcelines(run)
    owner = run.__qualname__.rsplit(".", 1)[0]
    return SourceBlock(owner, inspect.getsourcefile(run) or "", first, tuple(_dedent(lines)), tuple(agents))


def _dedent(lines: Sequence[str]) -> list[str]:
    text = [line.rstrip("\n").replace("\t", "    ") for line in lines]
    margin = min((len(t) - len(t.lstrip()) for t in text if t.strip()), default=0)
    return [t[margin:].rstrip() for t in text]


class SourceView:
    """Draws the blocks; a line where an agent stands gets that agent's colour and name."""

    def __init__(
        self, text: TextCache, blocks: tuple[SourceBlock, ...], names: Sequence[str], tags: Sequence[str] = ()
    ) -> None:
        self.text = text
        self.blocks = blocks
        self.names = list(names)
        self.tags = list(tags)  # short names drawn beside a lit line (the names when empty)
        self.space = text.font(CODE_SIZE).size(" ")[0]

    def height(self) -> int:
        return sum((len(b.lines) + 1) * LINE_H + 6 for b in self.blocks)

    def lines_at(self, snap: Snapshot | None) -> dict[tuple[int, int], list[int]]:
        """(block, line index) → agents whose current step is that line."""
        marks: dict[tuple[int, int], list[int]] = {}
        if snap is None:
            return marks
        for b, block in enumerate(self.blocks):
            for a in block.agents:
                if a < len(snap.agents) and block.holds(snap.agents[a].step_line):
                    marks.setdefault((b, snap.agents[a].step_line - block.first), []).append(a)
        return marks

    def draw(self, surface: Any, rect: Any, snap: Snapshot | None) -> int:
        """Draw into ``rect`` (clipped); returns the y below the last line drawn."""
        import pygame

        pygame.draw.rect(surface, (18, 20, 26), rect, border_radius=8)
        if not self.blocks:
            return rect.y
        marks = self.lines_at(snap)
        clip = surface.get_clip()
        surface.set_clip(rect)
        y = rect.y + 6
        for b, block in enumerate(self.blocks):
            y = self._block(surface, rect, y, b, block, marks)
        surface.set_clip(clip)
        return y

    def _block(self, surface: Any, rect: Any, y: int, b: int, block: SourceBlock, marks: Any) -> int:
        who = ", ".join(self.names[a] for a in block.agents if a < len(self.names))
        head = self.text.fit(f"class {block.owner}  ·  {who}", 12, rect.w - 20)
        self.text.draw(surface, head, (rect.x + 10, y), 12, palette.DIM)
        y += LINE_H
        for i, line in enumerate(block.lines):
            self._line(surface, rect, y, block.first + i, line, marks.get((b, i), []))
            y += LINE_H
        return y + 6

    def _line(self, surface: Any, rect: Any, y: int, number: int, line: str, agents: list[int]) -> None:
        import pygame

        if agents:
            band = pygame.Rect(rect.x + 4, y - 1, rect.w - 8, LINE_H)
            pygame.draw.rect(surface, (58, 52, 24), band, border_radius=3)
            pygame.draw.rect(surface, palette.agent_colour(agents[0]), band.inflate(0, 0), width=1, border_radius=3)
        self.text.draw(surface, f"{number:4d}", (rect.x + 8, y), 11, (90, 95, 110))
        indent = len(line) - len(line.lstrip())
        colour = palette.TEXT if agents else (190, 196, 210)
        names = self.tags or self.names
        tags = f"◀ {' '.join(names[a] for a in agents if a < len(names))}" if agents else ""
        room = self.text.render(tags, 12, palette.WARN, bold=True).get_width() + 16 if tags else 0
        if line.strip():
            x = rect.x + 46 + indent * self.space
            code = self.text.fit(line.strip(), CODE_SIZE, rect.right - x - max(room, 60))
            self.text.draw(surface, code, (x, y), CODE_SIZE, colour)
        if tags:
            self.text.draw(surface, tags, (rect.right - 8, y), 12, palette.WARN, bold=True, anchor="topright")
