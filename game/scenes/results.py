"""Results of a finished round: verdict, per-agent bars, wait percentiles, Gantt, Jain, export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from game import palette
from game.exporter import Exporter
from game.i18n import Tr, term, thing
from game.scene import Scene
from game.verdict import verdict_lines
from game.views.charts import bars, gantt
from game.views.primitive import short_name
from sims import Backend, ResourceKind
from sims.rounds import RoundResult
from sims.stats import hold_timeline, resource_timeline

MAX_TABLE_ROWS = 12
MAX_GANTT_ROWS = 24


class ResultsScene(Scene):
    name = "results"

    def __init__(self, app: Any, result: RoundResult) -> None:
        super().__init__(app)
        self.result = result
        self.exporter = Exporter(app.exports, result)
        self.holds = hold_timeline(result.events, result.started_ns, result.ended_ns)
        kinds = ("lock", "semaphore", "channel")  # a pipe: a fork kept on it is a hold
        self.rows = [(r.index, r.name) for r in result.layout.resources if r.kind in kinds][:MAX_GANTT_ROWS]
        sems = result.layout.of_kind(ResourceKind.SEMAPHORE)
        self.capacity = resource_timeline(result.events, sems[0], result.started_ns, result.ended_ns) if sems else None
        self.buttons: dict[str, Any] = {}

    @property
    def tr(self) -> Tr:
        """The player's language, read at every call."""
        return self.app.campaign.tr

    def build(self) -> None:
        from pygame_gui.elements import UIButton

        w, h = self.app.size
        ui, tr = self.app.ui, self.tr
        self.buttons = {}
        specs = (
            ("export", tr("results.export"), "#primary"),
            ("again", tr("results.again"), None),
            ("backend", tr("results.again_on", backend=term(tr, "backend", self._other())), None),
            ("replay", tr("results.replay"), None),
            ("sandbox", tr("results.sandbox"), None),
        )
        for i, (key, label, oid) in enumerate(specs):
            self.buttons[key] = self.add(
                UIButton((w - len(specs) * 200 - 20 + i * 200, h - 60, 190, 44), label, ui, object_id=oid)
            )

    def _other(self) -> str:
        return Backend.THREAD if self.result.config.backend is Backend.PROCESS else Backend.PROCESS

    # -- input ----------------------------------------------------------------------------
    def handle(self, event: Any) -> None:
        import pygame
        import pygame_gui

        keys = {
            pygame.K_x: "export",
            pygame.K_r: "again",
            pygame.K_b: "backend",
            pygame.K_t: "replay",
            pygame.K_ESCAPE: "sandbox",
        }
        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            self.act(next((k for k, v in self.buttons.items() if v is event.ui_element), ""))
        elif event.type == pygame.KEYDOWN and event.key in keys:
            self.act(keys[event.key])

    def act(self, key: str) -> None:
        from game.scenes.arena import ArenaScene
        from game.scenes.sandbox import SandboxScene

        config = self.result.config
        if key == "export":
            self.export()
        elif key == "again":
            self.app.scenes.replace(ArenaScene(self.app, config))
        elif key == "backend":
            self.app.scenes.replace(ArenaScene(self.app, attrs.evolve(config, backend=self._other())))
        elif key == "sandbox":
            self.app.scenes.replace(SandboxScene(self.app, config))
        elif key == "replay":
            from game.scenes.replay import ReplayScene

            self.app.scenes.push(ReplayScene(self.app, self.result, back=self.app.scenes.pop))

    def export(self) -> list[Path]:
        """Write the round's tables and summary.json (as ``diner run --into``) into its own folder."""
        return self.exporter.export()

    @property
    def exported(self) -> list[Path]:
        return self.exporter.written

    @property
    def export_error(self) -> str:
        return self.exporter.error

    # -- drawing --------------------------------------------------------------------------
    def draw(self, surface: Any) -> None:
        import pygame

        w, h = surface.get_size()
        self._verdict(surface, w)
        half = (w - 60) // 2
        self._bars(surface, pygame.Rect(20, 150, half, 250))
        self._table(surface, pygame.Rect(40 + half, 150, half, 250))
        self._gantt(surface, pygame.Rect(20, 440, w - 40, h - 440 - 110))
        self.exporter.draw(surface, self.app.text, self.tr, 20, h - 68, w - 40, one_line=True)  # above the buttons

    def _verdict(self, surface: Any, w: int) -> None:
        text, r, stats, tr = self.app.text, self.result, self.result.stats, self.tr
        (verdict, colour), *chain = verdict_lines(tr, r)
        text.draw(surface, text.fit(verdict, 30, w - 40), (20, 16), 30, colour, bold=True)
        cfg = r.config
        line = tr(
            "results.line",
            scenario=cfg.scenario,
            strategy=r.layout.strategy,
            backend=term(tr, "backend", cfg.backend),
            agents=tr("arena.agents", count=len(r.layout.agents)),
            seconds=r.duration_s,
            reason=term(tr, "reason", r.end_reason),
            seed=cfg.seed,
        )
        text.draw(surface, text.fit(line, 16, w - 40), (20, 60), 16, palette.TEXT)
        wait = stats.wait_ms
        numbers = tr(
            "results.numbers",
            ops=stats.operations_total,
            op=self._unit(),
            rate=stats.throughput_per_s,
            jain=f"{stats.jain:.3f}" if stats.has_workers else "—",
            p50=wait.p50,
            p99=wait.p99,
            max=stats.longest_wait_ms,  # waits still open at the end included: nobody's starvation forgiven
            lost=r.dropped,
        )
        text.draw(surface, text.fit(numbers, 16, w - 40), (20, 86), 16, palette.ACCENT)
        if chain:  # the deadlock's cycle, or who waits for ever behind a killed holder
            text.draw(surface, text.fit(chain[0][0], 14, w - 40), (20, 107), 14, palette.BAD)
        elif r.orphaned:
            names = ", ".join(thing(tr, n) for n in r.orphaned)
            text.draw(surface, text.fit(tr("results.orphaned", names=names), 14, w - 40), (20, 107), 14, palette.BAD)

    def _unit(self) -> str:
        """The scenario's operation (``meals``) in the player's language."""
        return term(self.tr, "op", _operation(self.result.layout.scenario))

    def _bars(self, surface: Any, rect: Any) -> None:
        agents = self.result.stats.agents
        heading = self.tr("results.per_agent", op=self._unit())
        self.app.text.draw(surface, heading, (rect.x, rect.y - 24), 16, palette.TEXT, bold=True)
        names = [short_name(self.result.layout.agents[a.index]) for a in agents]
        bars(
            surface,
            self.app.text,
            rect,
            [a.operations for a in agents],
            names,
            [palette.agent_colour(a.index) for a in agents],
        )

    def _table(self, surface: Any, rect: Any) -> None:
        text, tr = self.app.text, self.tr
        text.draw(surface, tr("results.waits"), (rect.x, rect.y - 24), 16, palette.TEXT, bold=True)
        agents = sorted(self.result.stats.agents, key=lambda a: -a.wait_ms.p99)[:MAX_TABLE_ROWS]
        columns = (tr("results.agent"), tr("results.count"), "p50", "p95", "p99", tr("results.max"))
        col_w = rect.w / len(columns)
        for i, head in enumerate(columns):
            text.draw(surface, head, (rect.x + i * col_w, rect.y), 14, palette.DIM, bold=True)
        row_h = min(20, (rect.h - 40) / max(len(agents), 1))
        for j, a in enumerate(agents):
            y = rect.y + 22 + j * row_h
            cells = (
                short_name(self.result.layout.agents[a.index]),
                f"{a.wait_ms.count:,}",
                f"{a.wait_ms.p50:.2f}",
                f"{a.wait_ms.p95:.2f}",
                f"{a.wait_ms.p99:.2f}",
                f"{a.wait_ms.max:.2f}",
            )
            for i, cell in enumerate(cells):
                text.draw(surface, cell, (rect.x + i * col_w, y), 13, palette.TEXT)
        hidden = len(self.result.stats.agents) - len(agents)
        if hidden > 0:
            more = tr("results.more", hidden=hidden)
            text.draw(surface, more, (rect.x, rect.bottom - 14), 13, palette.DIM)

    def _gantt(self, surface: Any, rect: Any) -> None:
        text = self.app.text
        text.draw(surface, self.tr("results.gantt"), (rect.x, rect.y - 26), 16, palette.TEXT, bold=True)
        if self.capacity is not None:
            self._capacity_note(surface, rect)
        span = (self.result.started_ns, self.result.ended_ns)
        rows = [(i, thing(self.tr, n)) for i, n in self.rows]
        gantt(surface, text, rect, self.holds, rows, span, palette.agent_colour)

    def _capacity_note(self, surface: Any, rect: Any) -> None:
        series, tr = self.capacity, self.tr
        assert series is not None
        points = list(zip(series.t_ns.tolist(), series.capacity.tolist(), strict=True))
        unique = [(t, v) for i, (t, v) in enumerate(points) if i == 0 or v != points[i - 1][1]]
        changes = [tr("results.change", value=v, t=(t - self.result.started_ns) / 1e9) for t, v in unique[:6]]
        name = thing(self.tr, self.result.layout.resources[series.resource].name)
        line = tr("results.capacity", name=name, changes=" → ".join(changes))
        self.app.text.draw(
            surface,
            self.app.text.fit(line, 14, rect.w // 2),
            (rect.right, rect.y - 24),
            14,
            palette.WARN,
            anchor="topright",
        )


def _operation(scenario: str) -> str:
    from sims.scenarios import scenario_named

    return scenario_named(scenario).operation
