"""A code or parsons level: the briefing with the player's code, Check on the real engine, the verdict.

The player edits their file in their own editor; ``R`` reloads it. A parsons level opens the
Parsons board (``A``) and its arrangement becomes the file. Check grades the file in a
:class:`~game.background.BackgroundJob` polled every frame, so the window keeps drawing; the
verdict comes back in the player's language, and a failing one opens its counterexample (Space).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from game import palette
from game.background import BackgroundJob, JobFailed
from game.i18n_code import evidence_lines, failed_text, finding_text, found_text, problem_text, verdict_text, words
from game.scene import Scene
from game.scenes.codesteps import StepsScene, code_blocks
from game.views.source import SourceView
from game.views.stars import draw_stars
from game.wrap import wrap
from sims.exercises import exercise_named
from sims.explore import BadCode, check_code
from sims.levels import Arrangement, CodeKind, CodeLevel, check_job, ensure_player_file, player_file

EVIDENCE_H = 18  # an evidence line of the verdict


class CodeLevelScene(Scene):
    name = "codelevel"

    def __init__(self, app: Any, level: CodeLevel, path: Path | None = None) -> None:
        super().__init__(app)
        self.level = level
        self.path = path or player_file(level, Path(app.campaign.path).parent)
        self.arrangement: Arrangement | None = None
        if level.kind is CodeKind.PARSONS:
            self.arrangement = Arrangement.empty(level.puzzle(), level.parsons.seed if level.parsons else 0)
        self.source = ""
        self.job: BackgroundJob | None = None
        self.answered: BackgroundJob | None = None  # a job whose worker may still be exiting
        self.started = 0.0
        self.answer: dict[str, Any] | None = None
        self.error = ""  # the file cannot be read
        self.failed: JobFailed | None = None  # the check gave no answer: worded when drawn
        self.bad: BadCode | None = None  # what is wrong with the file before it runs (syntax, a missing role)
        self.buttons: dict[Any, Callable[[], None]] = {}

    # -- life ------------------------------------------------------------------------------
    def enter(self) -> None:
        self.reload()
        super().enter()

    def exit(self) -> None:
        self.cancel()
        super().exit()

    def cancel(self) -> None:
        for job in (self.job, self.answered):
            if job is not None:
                job.close()
        self.job = self.answered = None

    def build(self) -> None:
        from pygame_gui.elements import UIButton

        w, h = self.app.size
        ui, say = self.app.ui, self._say
        y = h - 62
        second = ("code.arrange", self.arrange) if self.arrangement is not None else ("code.reload", self.reload)
        self.buttons = {
            self.add(UIButton((30, y, 170, 44), self.app.campaign.tr("back"), ui)): self.leave,
            self.add(UIButton((210, y, 190, 44), say(second[0]), ui)): second[1],
            self.add(UIButton((w - 250, y, 220, 44), say("code.check"), ui, object_id="#primary")): self.check,
        }
        if self.counterexample() is not None:
            self.buttons[self.add(UIButton((w - 460, y, 200, 44), say("code.steps"), ui))] = self.open_steps

    # -- actions ---------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the player's file again (made from the template if missing); a parsons answer is rewritten."""
        try:
            if self.arrangement is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.path.write_text(self.level.parsons_source(self.arrangement), encoding="utf-8")
            else:
                ensure_player_file(self.level, self.path)
            self.source = self.path.read_text(encoding="utf-8")
            self.error = ""
            self.bad = _problem(self.path, exercise_named(self.level.exercise).roles)
        except OSError as error:
            self.source, self.error = "", f"{self.path}: {error.strerror or error}"

    def check(self) -> None:
        self.cancel()
        self.reload()
        if self.error:
            return
        self.answer, self.failed = None, None
        self.started = time.monotonic()
        self.job = BackgroundJob(check_job, str(self.level.folder), self.level.id, str(self.path))
        self.relayout()

    def arrange(self) -> None:
        """Open the Parsons board on the arrangement so far; its Check comes back here to grade."""
        from game.scenes.parsons import ParsonsScene

        if self.arrangement is None or self.level.parsons is None:
            return
        title = f"class {self.level.parsons.role}"
        self.app.scenes.push(ParsonsScene(self.app, self.arrangement, title, self._check_board, self._leave_board))

    def _leave_board(self, answer: Arrangement) -> None:
        self.arrangement = answer
        self.app.scenes.pop()
        self.reload()

    def _check_board(self, source: str) -> str:
        from game.scenes.parsons import ParsonsScene

        board = self.app.scenes.top
        if isinstance(board, ParsonsScene):
            self._leave_board(board.answer)
            self.check()
        return ""

    def counterexample(self) -> dict[str, Any] | None:
        return self.answer.get("counterexample") if self.answer else None

    def open_steps(self) -> None:
        ce = self.counterexample()
        if ce is not None:
            self.app.scenes.push(StepsScene(self.app, ce, self.source, self._close_steps))

    def _close_steps(self) -> None:
        self.app.scenes.pop()

    def leave(self) -> None:
        self.app.scenes.pop()

    # -- the frame -------------------------------------------------------------------------
    def update(self, dt: float) -> None:
        if self.answered is not None and self.answered.poll() and self.answered.reaped:
            self.answered = None  # its worker has exited and is freed (never waited for in a frame)
        if self.job is None or not self.job.poll():
            return
        answer, self.job, self.answered = self.job.answer, None, self.job
        if isinstance(answer, JobFailed):
            self.failed = answer
        else:
            self.answer = answer
            self.app.campaign.record_stars(self.level.id, int(answer["stars"]))
        self.relayout()

    def handle(self, event: Any) -> None:
        import pygame
        import pygame_gui

        if event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element in self.buttons:
            self.buttons[event.ui_element]()
        elif event.type == pygame.KEYDOWN:
            keys: dict[int, Callable[[], None]] = {
                pygame.K_ESCAPE: self.leave,
                pygame.K_RETURN: self.check,
                pygame.K_KP_ENTER: self.check,
                pygame.K_r: self.reload,
                pygame.K_SPACE: self.open_steps,
                pygame.K_l: self._language,
            }
            if self.arrangement is not None:
                keys[pygame.K_a] = self.arrange
            if event.key in keys:
                keys[event.key]()

    def _language(self) -> None:
        self.app.campaign.switch_language()
        self.relayout()

    @property
    def problem(self) -> str:
        """The file's problem (``path:line: why``) in the player's language, or ""."""
        return "" if self.bad is None else problem_text(self.app.campaign.language, self.bad)

    def _say(self, key: str, **fields: object) -> str:
        return words(self.app.campaign.language, key, **fields)

    # -- drawing ---------------------------------------------------------------------------
    def draw(self, surface: Any) -> None:
        import pygame

        w, h = surface.get_size()
        text, campaign = self.app.text, self.app.campaign
        text.draw(surface, campaign.text(self.level.title), (30, 20), 28, palette.TEXT, bold=True)
        left = int(w * 0.42)
        y = 66
        for line in wrap(text, campaign.text(self.level.briefing), 16, left - 40):
            text.draw(surface, line, (30, y), 16, palette.TEXT)
            y += 22
        y += 10
        for hint in self.level.hints:
            for line in wrap(text, "· " + campaign.text(hint), 14, left - 40):
                text.draw(surface, line, (30, y), 14, palette.DIM)
                y += 19
        evidence = self._evidence_lines()  # the panel rises by their height
        self._verdict(surface, 30, max(y + 16, h - 300 - EVIDENCE_H * len(evidence)), left - 40, evidence)
        where = self.path if self.arrangement is None else None
        role = self.level.parsons.role if self.level.parsons else ""
        head = self._say("code.file", path=where) if where else self._say("code.parsons", role=role)
        text.draw(surface, text.fit(head, 13, w - left - 30), (left, 66), 13, palette.DIM)
        if self.problem:
            text.draw(surface, text.fit(self.problem, 14, w - left - 30), (left, h - 78), 14, palette.WARN)
        blocks = code_blocks(self.source, str(self.path))
        SourceView(text, blocks, []).draw(surface, pygame.Rect(left, 88, w - left - 30, h - 176), None)

    def _verdict(self, surface: Any, x: int, y: int, width: int, evidence: list[str]) -> None:
        text, language = self.app.text, self.app.campaign.language
        error = self.error or ("" if self.failed is None else failed_text(language, self.failed))
        if error:
            for line in wrap(text, error, 15, width):
                text.draw(surface, line, (x, y), 15, palette.BAD)
                y += 20
            return
        if self.job is not None:
            seconds = time.monotonic() - self.started
            text.draw(surface, self._say("code.checking", seconds=seconds), (x, y), 17, palette.ACCENT)
            return
        if self.answer is None:
            return
        a = self.answer
        if a["passed"]:
            said, colour = self._say("code.pass"), palette.GOOD
        else:
            where = self._say("code.line", line=a["line"]) if a["line"] else ""
            verdict = verdict_text(language, a["verdict"]).rstrip("。.")  # the sentence ends after where
            said, colour = self._say("code.fail", verdict=verdict, where=where), palette.BAD
        for line in wrap(text, said, 17, width, bold=True):
            text.draw(surface, line, (x, y), 17, colour, bold=True)
            y += 24
        if not a["passed"]:
            for line in wrap(text, finding_text(language, a), 13, width)[:3]:
                text.draw(surface, line, (x, y), 13, palette.DIM)
                y += 18
            for line in evidence:
                text.draw(surface, text.fit("· " + line, 13, width), (x, y + 4), 13, palette.WARN)
                y += EVIDENCE_H
        right = draw_stars(surface, x, y + 16, 12, int(a["stars"]))
        text.draw(surface, self._say("code.stars", stars=a["stars"]), (int(right) + 12, y + 7), 15, palette.TEXT)
        y += 40
        for name, held, found in a["rules"]:
            rule = self._rule(name)
            key = "code.rule.yes" if held else "code.rule.no"
            colour = palette.GOOD if held else palette.WARN
            text.draw(surface, self._say(key, rule=rule, found=found_text(language, found)), (x, y), 14, colour)
            y += 20
        if self.counterexample() is not None:
            text.draw(surface, self._say("code.open_replay"), (x, y + 6), 14, palette.ACCENT)

    def _evidence_lines(self) -> list[str]:
        """A failing verdict's evidence: who waits on what, holding what (none while checking)."""
        a = self.answer
        if a is None or a["passed"] or self.job is not None or self.error or self.failed is not None:
            return []
        return evidence_lines(self.app.campaign.language, a)

    def _rule(self, name: str) -> str:
        limit = next((r.limit for r in (*self.level.stars.two, *self.level.stars.three) if r.rule.value == name), 0)
        return self._say(f"rule.{name}", limit=limit)


def _problem(path: Path, roles: tuple[str, ...]) -> BadCode | None:
    """The file's first problem found without running it, or None."""
    try:
        check_code(path, roles)
    except BadCode as error:
        return error
    return None
