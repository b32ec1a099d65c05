"""Step through the schedule that broke the player's code, forward and back, one move a key.

The counterexample is replayed once, in a background process (it runs the player's code); then
every step is a lookup: the move just made, who holds what, and each agent's current line lit in
the player's code (the same code panel as a round's replay).
"""

from __future__ import annotations

import ast
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast

import attrs

from game import palette
from game.background import BackgroundJob, JobFailed
from game.i18n_code import words
from game.scene import Scene
from game.views.source import SourceBlock, SourceView
from sims.levels import steps_job

if TYPE_CHECKING:
    from sims.live import Snapshot


@attrs.frozen
class _At:
    step_line: int


@attrs.frozen
class _Snap:
    """What :class:`SourceView` reads: each agent's current line."""

    agents: tuple[_At, ...]


def code_blocks(source: str, path: str, agents_at: Sequence[set[int]] = ()) -> tuple[SourceBlock, ...]:
    """One block per class of the file; an agent belongs to the class whose lines it stood on."""
    lines = source.splitlines()
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return (SourceBlock("?", path, 1, tuple(lines), ()),)
    blocks = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            end = node.end_lineno or node.lineno
            who = tuple(a for a, seen in enumerate(agents_at) if any(node.lineno <= n <= end for n in seen))
            blocks.append(SourceBlock(node.name, path, node.lineno, tuple(lines[node.lineno - 1 : end]), who))
    return tuple(blocks)


class StepsScene(Scene):
    name = "codesteps"

    def __init__(self, app: Any, counterexample: dict[str, Any], source: str, back: Callable[[], None]) -> None:
        super().__init__(app)
        self.back = back
        self.source = source
        self.path = str(counterexample["code"])
        self.job: BackgroundJob | None = BackgroundJob(steps_job, counterexample)
        self.started = time.monotonic()
        self.steps: dict[str, Any] | None = None
        self.error = ""
        self.at = 0
        self.view: SourceView | None = None
        self.positions: list[tuple[int, ...]] = []

    def exit(self) -> None:
        if self.job is not None:
            self.job.close()
            self.job = None
        super().exit()

    def update(self, dt: float) -> None:
        if self.job is None or not self.job.poll():
            return
        answer, self.job = self.job.answer, None
        if isinstance(answer, JobFailed):
            self.error = answer.error.strip().splitlines()[-1]
            return
        self.steps = answer
        self.at = len(answer["moves"])  # open at the end: where the verdict was found
        seen: list[set[int]] = [set() for _ in answer["names"]]
        for move in answer["moves"]:
            seen[move["agent"]].add(move["line"])
        lines = [0] * len(answer["names"])
        self.positions = [tuple(lines)]
        for move in answer["moves"]:
            lines[move["agent"]] = move["line"]
            self.positions.append(tuple(lines))
        self.view = SourceView(self.app.text, code_blocks(self.source, self.path, seen), answer["names"])

    def lines_at(self, at: int) -> tuple[int, ...]:
        """Each agent's line after ``at`` moves (0: not started): a lookup, so any step is one frame."""
        return self.positions[at]

    def go(self, by: int) -> None:
        if self.steps is not None:
            self.at = max(0, min(self.at + by, len(self.steps["moves"])))

    def handle(self, event: Any) -> None:
        import pygame

        if event.type != pygame.KEYDOWN:
            return
        step = 10 if event.mod & pygame.KMOD_SHIFT else 1
        total = len(self.steps["moves"]) if self.steps else 0
        keys: dict[int, Callable[[], None]] = {
            pygame.K_RIGHT: lambda: self.go(step),
            pygame.K_LEFT: lambda: self.go(-step),
            pygame.K_HOME: lambda: self.go(-total),
            pygame.K_END: lambda: self.go(total),
            pygame.K_ESCAPE: self.back,
            pygame.K_l: self._language,
        }
        if event.key in keys:
            keys[event.key]()

    def _language(self) -> None:
        self.app.campaign.switch_language()

    def _say(self, key: str, **fields: object) -> str:
        return words(self.app.campaign.language, key, **fields)

    def draw(self, surface: Any) -> None:
        import pygame

        w, h = surface.get_size()
        text = self.app.text
        if self.steps is None or self.view is None:
            wait = self.error or self._say("steps.loading") + f"{time.monotonic() - self.started:.0f} s"
            text.draw(surface, text.fit(wait, 18, w - 40), (20, 20), 18, palette.BAD if self.error else palette.TEXT)
            return
        moves = self.steps["moves"]
        title = self._say("steps.title", at=self.at, total=len(moves))
        text.draw(surface, title, (20, 18), 24, palette.TEXT, bold=True)
        text.draw(surface, text.fit(self._say("steps.help"), 14, w - 40), (20, 52), 14, palette.DIM)
        snap = _Snap(tuple(_At(line) for line in self.lines_at(self.at)))
        self.view.draw(surface, pygame.Rect(20, 84, w - 40, h - 230), cast("Snapshot", snap))  # reads step_line only
        self._caption(surface, moves, h - 136, w - 40)

    def _caption(self, surface: Any, moves: list[dict[str, Any]], y: int, width: int) -> None:
        text, names = self.app.text, self.steps["names"] if self.steps else []
        if self.at == 0:
            text.draw(surface, self._say("steps.start"), (20, y), 16, palette.TEXT)
            return
        move = moves[self.at - 1]
        op = f"{move['op']} {move['resource']!r}" if move["resource"] else move["op"]
        said = self._say("steps.move", agent=names[move["agent"]], line=move["line"], op=op)
        text.draw(surface, text.fit(said, 16, width), (20, y), 16, palette.agent_colour(move["agent"]))
        held = "; ".join(f"{names[a]}: {h}" for a, h in enumerate(move["holds"]) if h != "nothing")
        holds = self._say("steps.holds", holds=held) if held else self._say("steps.none")
        text.draw(surface, text.fit(holds, 15, width), (20, y + 28), 15, palette.DIM)
        if self.steps is not None and self.at == len(moves):
            text.draw(surface, text.fit(self.steps["message"], 15, width), (20, y + 56), 15, palette.BAD)
