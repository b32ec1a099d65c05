"""The debrief: stars earned, each goal with what the round actually measured, and what it means.

Grading happens once, when the scene is made: the round's flat statistics
(``sims.rounds.summary.flat_numbers``, the same numbers the export writes) against the
level's goals; a better result is saved at once (atomically).
"""

from __future__ import annotations

from typing import Any

from game import palette
from game.campaign import Outcome, Picks
from game.exporter import Exporter
from game.scene import Scene
from game.verdict import verdict_lines
from game.views.stars import draw_stars
from game.wrap import wrap
from sims.levels import Forfeit, GoalResult, LevelSpec, format_actual, goal_text
from sims.rounds import RoundResult

MARKS = str.maketrans({"✓": "✔", "✗": "✘"})  # the bundled font has no ✗ (it would draw a box)


class DebriefScene(Scene):
    name = "debrief"

    def __init__(
        self,
        app: Any,
        level: LevelSpec,
        picks: Picks,
        hints: int,
        result: RoundResult | None,
        error: str | None = None,
    ) -> None:
        super().__init__(app)
        self.level = level
        self.picks = picks
        self.hints = hints
        self.result = result
        self.error = error.strip().splitlines()[-1] if error else None
        self.outcome: Outcome | None = app.campaign.finish(level, result) if result is not None else None
        self.exporter = Exporter(app.exports, result) if result is not None else None
        self.buttons: dict[str, Any] = {}

    @property
    def stars(self) -> int:
        return self.outcome.grade.stars if self.outcome else 0

    # -- widgets --------------------------------------------------------------------------
    def build(self) -> None:
        from pygame_gui.elements import UIButton

        w, h = self.app.size
        ui, tr, campaign = self.app.ui, self.app.campaign.tr, self.app.campaign
        y = h - 62
        self.buttons = {
            "back": self.add(UIButton((30, y, 220, 44), tr("debrief.back") + " (Esc)", ui)),
            "retry": self.add(UIButton((260, y, 200, 44), tr("debrief.retry") + " (R)", ui)),
            "language": self.add(UIButton((470, y, 160, 44), tr("lang.button"), ui)),
            "export": self.add(UIButton((640, y, 220, 44), tr("results.export"), ui)),
            "next": self.add(UIButton((w - 250, y, 220, 44), tr("debrief.next") + " (N)", ui, object_id="#primary")),
        }
        following = campaign.following(self.level)
        if following is None or not campaign.unlocked(following):
            self.buttons["next"].disable()
        if self.exporter is None:
            self.buttons["export"].disable()

    # -- input ----------------------------------------------------------------------------
    def handle(self, event: Any) -> None:
        import pygame
        import pygame_gui

        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            key = next((k for k, v in self.buttons.items() if v is event.ui_element), "")
            self._act(key)
        elif event.type == pygame.KEYDOWN:
            keys = {pygame.K_ESCAPE: "back", pygame.K_r: "retry", pygame.K_l: "language", pygame.K_x: "export"}
            keys |= {pygame.K_n: "next", pygame.K_RETURN: "next" if self.stars else "retry"}
            self._act(keys.get(event.key, ""))

    def _act(self, key: str) -> None:
        from game.scenes.briefing import BriefingScene
        from game.scenes.levels import LevelSelectScene

        campaign = self.app.campaign
        following = campaign.following(self.level)
        if key == "back":
            self.app.scenes.replace(LevelSelectScene(self.app, focus=self.level.id))
        elif key == "retry":
            self.app.scenes.replace(BriefingScene(self.app, self.level, self.picks, self.hints))
        elif key == "next" and following is not None and campaign.unlocked(following):
            self.app.scenes.replace(BriefingScene(self.app, following))
        elif key == "language":
            campaign.switch_language()
            self.relayout()
        elif key == "export" and self.exporter is not None:
            self.exporter.export()

    # -- drawing --------------------------------------------------------------------------
    def draw(self, surface: Any) -> None:
        w, h = surface.get_size()
        text, campaign = self.app.text, self.app.campaign
        title = campaign.tr(
            "level_select.level", number=campaign.number(self.level), title=campaign.text(self.level.title)
        )
        text.draw(surface, campaign.tr("debrief.title"), (30, 18), 30, palette.TEXT, bold=True)
        text.draw(surface, text.fit(title, 18, w - 60), (30, 60), 18, palette.ACCENT)
        y = self._verdict(surface, 30, 96)
        half = w // 2
        self._goals(surface, 30, y + 12, half - 50)
        self._lesson(surface, half, y + 12, w - half - 30, h)
        if self.exporter is not None:
            self.exporter.draw(surface, text, campaign.tr, 30, h - 72, half - 50)

    def _verdict(self, surface: Any, x: int, y: int) -> int:
        text, campaign = self.app.text, self.app.campaign
        if self.outcome is None:
            message = campaign.tr("debrief.engine_failed", error=self.error or "?")
            text.draw(surface, text.fit(message, 18, self.app.size[0] - 60), (x, y), 18, palette.BAD, bold=True)
            return y + 30
        draw_stars(surface, x, y + 22, 20, self.stars)
        passed = self.outcome.grade.passed
        line = campaign.tr("debrief.passed") if passed else campaign.tr("debrief.failed")
        text.draw(surface, line, (x + 160, y + 2), 22, palette.GOOD if passed else palette.WARN, bold=True)
        earned = campaign.tr("debrief.earned", stars=self.stars)
        if self.outcome.new_best:
            earned += "   " + campaign.tr("debrief.new_best") + "  " + campaign.tr("progress.saved")
        text.draw(surface, earned, (x + 160, y + 32), 16, palette.TEXT)
        width = self.app.size[0] - 60
        if self.result is not None:  # what happened, as the results screen says it: a deadlock, a dead holder...
            for i, (said, colour) in enumerate(verdict_lines(campaign.tr, self.result)):
                size = 17 if i == 0 else 14
                text.draw(surface, text.fit(said, size, width), (x, y + 56), size, colour, bold=i == 0)
                y += size + 6
        for note in self._notes():
            text.draw(surface, text.fit(note, 14, width), (x, y + 56), 14, palette.BAD)
            y += 18
        return y + 74

    def _notes(self) -> list[str]:
        """What the stars alone do not say: a forfeited round, a sped-up clock, a failed save."""
        assert self.outcome is not None
        tr, grade = self.app.campaign.tr, self.outcome.grade
        notes = [tr("debrief.forfeit_os")] if grade.forfeit is Forfeit.OS_SCHEDULED else []
        if abs(grade.pace - 1.0) > 0.01:
            notes.append(tr("debrief.pace", factor=f"{1 / grade.pace:.2g}"))
        if self.outcome.save_error:
            notes.append(tr("debrief.save_failed", error=self.outcome.save_error))
        return notes

    def _goals(self, surface: Any, x: int, y: int, width: int) -> None:
        text, campaign = self.app.text, self.app.campaign
        text.draw(surface, campaign.tr("debrief.measured"), (x, y), 18, palette.TEXT, bold=True)
        y += 30
        if self.outcome is None:
            return
        for tier, results in enumerate(self.outcome.grade.tiers):
            draw_stars(surface, x, y + 9, 7, tier + 1)
            for result in results:
                line, colour = self._goal_line(result)
                text.draw(surface, text.fit(line, 15, width - 60), (x + 56, y), 15, colour)
                y += 22
            y += 6

    def _goal_line(self, result: GoalResult) -> tuple[str, tuple[int, int, int]]:
        tr = self.app.campaign.tr
        if result.actual is None:
            return tr("debrief.goal_missing", goal=goal_text(result.goal, self.app.campaign.language)).translate(
                MARKS
            ), palette.BAD
        key = "debrief.goal_passed" if result.passed else "debrief.goal_failed"
        goal = goal_text(result.goal, self.app.campaign.language)
        actual = format_actual(result.actual, self.app.campaign.language)
        line = tr(key, goal=goal, actual=actual).translate(MARKS)
        return line, palette.GOOD if result.passed else palette.BAD

    def _measured(self) -> list[str]:
        """What the round measured beyond its goals, in the scenario's words (the GIL lab's table...)."""
        from sims.scenarios import scenario_named

        if self.result is None:
            return []
        scenario = scenario_named(self.result.config.scenario)
        return scenario.debrief_lines(self.result.scenario_stats, self.app.campaign.language)

    def _lesson(self, surface: Any, x: int, y: int, width: int, h: int) -> None:
        text, campaign = self.app.text, self.app.campaign
        passed = self.outcome is not None and self.outcome.grade.passed
        heading = campaign.tr("debrief.lesson") if passed else campaign.tr("hints.title")
        text.draw(surface, heading, (x, y), 18, palette.TEXT, bold=True)
        y += 30
        if passed:
            body = [campaign.text(self.level.debrief)]
        else:
            body = [campaign.text(hint) for hint in self.level.hints] or [campaign.tr("hints.none_left")]
        body = [*self._measured(), *body]
        for paragraph in body:
            for line in wrap(text, paragraph, 16, width):
                if y < h - 90:
                    text.draw(surface, line, (x, y), 16, palette.TEXT if passed else palette.WARN)
                y += 23
            y += 8
