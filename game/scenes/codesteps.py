"""Step through the schedule that broke the player's code, forward and back, one move a key.

The counterexample is replayed once, in a background process (it runs the player's code), which
sends back the table as it was before the first move and after each (:mod:`sims.explore.table`);
then every step is a lookup: the move just made, each agent's line lit in the player's code, and
the table drawn beside it, the same picture whichever way the step was reached.
"""

from __future__ import annotations

import ast
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast

import attrs

from game import palette
from game.background import BackgroundJob, JobFailed
from game.i18n import Tr
from game.i18n_code import agent_name, evidence_lines, failed_text, finding_text, move_text, verdict_text, words
from game.scene import Scene
from game.views.codetable import CodeTableView
from game.views.source import SourceBlock, SourceView
from game.wrap import wrap
from sims.explore import AgentState, TableAt
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


EVIDENCE_H = 19  # an evidence line under the verdict


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
        self.failed: JobFailed | None = None  # the replay gave no answer: worded when drawn
        self.at = 0
        self.view: SourceView | None = None
        self.table: CodeTableView | None = None
        self.tables: list[TableAt] = []

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
            self.failed = answer
            return
        self.steps = answer
        self.tables = list(answer["tables"])
        self.at = len(answer["moves"])  # open at the end: where the verdict was found
        seen: list[set[int]] = [set() for _ in answer["names"]]
        for table in self.tables:
            for a, agent in enumerate(table.agents):
                seen[a].add(agent.line)
        resources = [res.name for res in self.tables[0].resources]
        self.table = CodeTableView(self.app.text, answer["names"], resources, self._agent_words)
        blocks = code_blocks(self.source, self.path, seen)
        self.view = SourceView(self.app.text, blocks, answer["names"], self.table.labels)
        self.localise()

    def table_at(self, at: int) -> TableAt:
        """The table after ``at`` moves (0: before the first): a lookup, so any step is one frame."""
        return self.tables[at]

    def lines_at(self, at: int) -> tuple[int, ...]:
        """The line each agent stands on after ``at`` moves."""
        return tuple(agent.line for agent in self.tables[at].agents)

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
        self.localise()

    def localise(self) -> None:
        """Names and the table's words in the player's language."""
        language = self.app.campaign.language
        if self.steps is None or self.view is None or self.table is None:
            return
        shown = [agent_name(language, n) for n in self.steps["names"]]
        self.view.names = shown
        self.table.localise(self._tr(), shown)

    def _tr(self) -> Tr:
        tr: Tr = self.app.campaign.tr
        return tr

    @property
    def error(self) -> str:
        """Why the replay gave no answer, in the player's language ("" while none failed)."""
        return "" if self.failed is None else failed_text(self.app.campaign.language, self.failed)

    def _say(self, key: str, **fields: object) -> str:
        return words(self.app.campaign.language, key, **fields)

    def _agent_words(self, state: AgentState, line: int, waits: str) -> str:
        return self._say(f"steps.agent.{state.value}", line=line, resource=waits)

    def draw(self, surface: Any) -> None:
        import pygame

        w, h = surface.get_size()
        text = self.app.text
        if self.steps is None or self.view is None or self.table is None:
            wait = self.error or self._say("steps.loading") + f"{time.monotonic() - self.started:.0f} s"
            text.draw(surface, text.fit(wait, 18, w - 40), (20, 20), 18, palette.BAD if self.error else palette.TEXT)
            return
        moves = self.steps["moves"]
        title = self._say("steps.title", at=self.at, total=len(moves))
        text.draw(surface, title, (20, 18), 24, palette.TEXT, bold=True)
        text.draw(surface, text.fit(self._say("steps.help"), 14, w - 40), (20, 52), 14, palette.DIM)
        split = int(w * 0.5)
        evidence = self._evidence()
        below = 98 + EVIDENCE_H * len(evidence)  # the caption: the move, the verdict and its evidence
        snap = _Snap(tuple(_At(line) for line in self.lines_at(self.at)))
        self.view.draw(surface, pygame.Rect(20, 84, split - 30, h - 92 - below), cast("Snapshot", snap))
        self.table.draw(surface, pygame.Rect(split, 84, w - split - 20, h - 92 - below), self.table_at(self.at))
        y = self._caption(surface, moves, h - below, w - 40)
        if self.at == len(moves):
            for n, line in enumerate(evidence):
                text.draw(surface, text.fit("· " + line, 14, w - 40), (20, y + 4 + EVIDENCE_H * n), 14, palette.WARN)

    def _evidence(self) -> list[str]:
        """The verdict's evidence lines (who waits on what, holding what)."""
        return [] if self.steps is None else evidence_lines(self.app.campaign.language, self.steps["finding"])

    def _caption(self, surface: Any, moves: list[dict[str, Any]], y: int, width: int) -> int:
        """The move just made and, at the last step, the verdict; returns the y below them."""
        text, language = self.app.text, self.app.campaign.language
        names = self.steps["names"] if self.steps else []
        if self.at == 0:
            text.draw(surface, self._say("steps.start"), (20, y), 16, palette.TEXT)
        else:
            move = moves[self.at - 1]
            op = move_text(language, move["op"], move["resource"])
            said = self._say("steps.move", agent=agent_name(language, names[move["agent"]]), line=move["line"], op=op)
            text.draw(surface, text.fit(said, 16, width), (20, y), 16, palette.agent_colour(move["agent"]))
        if self.steps is not None and self.at == len(moves):
            finding = self.steps["finding"]
            verdict, detail = verdict_text(language, finding["verdict"]), finding_text(language, finding)
            said = self._say("steps.verdict", verdict=verdict, detail=detail)
            lines = wrap(text, said, 15, width)[:2]
            for n, line in enumerate(lines):
                text.draw(surface, line, (20, y + 26 + 20 * n), 15, palette.BAD)
            return y + 26 + 20 * len(lines)
        return y + 26
