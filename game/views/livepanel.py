"""The arena's side panel: telemetry loss, Jain's index, throughput, waits, one primitive up close."""

from __future__ import annotations

from typing import Any

import numpy as np

from game import palette
from game.i18n import Tr, english, term, who
from game.session import RoundSession
from game.text import TextCache
from game.views.charts import gauge, histogram, sparklines
from game.views.primitive import PrimitiveWidget, short_name
from sims import ResourceKind
from sims.live import BUCKET_NS, EDGES_NS, bin_label

LABELS = [bin_label(i) for i in range(len(EDGES_NS) - 1)]
WAITS_H = 88  # heading, bars, their labels


class Layer:
    """A block of the panel drawn once per key and blitted every frame (opaque, on the panel colour)."""

    def __init__(self) -> None:
        self.key: object = None
        self.surface: Any = None

    def blit(self, surface: Any, key: object, pos: tuple[int, int], size: tuple[int, int], draw: Any) -> None:
        import pygame

        if key != self.key or self.surface is None or self.surface.get_size() != size:
            self.surface = pygame.Surface(size)
            self.surface.fill(palette.PANEL)
            draw(self.surface)
            self.key = key
        surface.blit(self.surface, pos)


class LivePanel:
    """Draws the live numbers of a session into a column."""

    def __init__(self, text: TextCache, session: RoundSession) -> None:
        self.text = text
        self.session = session
        layout = session.layout
        assert layout is not None
        self.names = [short_name(a) for a in layout.agents]
        self.widget = PrimitiveWidget(text, self.names.__getitem__)
        self._spark_key: tuple[int, int, int] | None = None
        self._spark: Any = None
        self._spark_base = Layer()  # names and empty boxes: redrawn only when the panel's size changes
        self._summary_layer = Layer()
        self._waits_layer = Layer()
        self.operation = _operation_word(layout.scenario)
        self.tr: Tr = english

    def localise(self, tr: Tr) -> None:
        """Draw in the language ``tr`` speaks (the scene's, read at every call)."""
        self.tr = self.widget.tr = tr

    def draw(self, surface: Any, rect: Any, focus: int | None) -> None:
        import pygame

        pygame.draw.rect(surface, palette.PANEL, rect, border_radius=8)
        x, y, w = rect.x + 12, rect.y + 10, rect.w - 24
        y = self._telemetry(surface, x, y, w)
        y = self._summary(surface, x, y, w)
        y = self._sparklines(surface, x, y, w, rect.bottom - PrimitiveWidget.height() - 130)
        y = self._waits(surface, x, y + 4, w)
        self._focus(
            surface, pygame.Rect(x, rect.bottom - PrimitiveWidget.height() - 10, w, PrimitiveWidget.height()), focus
        )

    def _telemetry(self, surface: Any, x: int, y: int, w: int) -> int:
        s, tr = self.session, self.tr
        lost = s.dropped
        self.text.draw(surface, tr("live.telemetry", records=s.records), (x, y), 13, palette.DIM)
        colour = palette.GOOD if lost == 0 else palette.BAD
        self.text.draw(surface, tr("live.lost", lost=lost), (x + w, y), 13, colour, bold=True, anchor="topright")
        return y + 22

    def _summary(self, surface: Any, x: int, y: int, w: int) -> int:
        """Jain's gauge, rates and starvation: new only with each LiveStats (every 0.5 s)."""
        live = self.session.live_stats
        height = 60 if live is None else 80
        key = (None if live is None else (live.start_ns, live.end_ns), w, self.tr("live.no_stats"))
        self._summary_layer.blit(surface, key, (x, y), (w, height), lambda layer: self._draw_summary(layer, w))
        return y + height

    def _draw_summary(self, surface: Any, w: int) -> None:
        import pygame

        x = y = 0
        live, tr = self.session.live_stats, self.tr
        stats = live.stats if live is not None else None
        span = tr("live.span", seconds=(live.end_ns - live.start_ns) / 1e9) if live is not None else ""
        gauge(
            surface,
            self.text,
            pygame.Rect(x, y, w, 36),
            stats.jain if stats and stats.has_workers else None,
            tr("live.fairness", span=span),
        )
        y += 40
        if stats is None:
            self.text.draw(surface, tr("live.no_stats"), (x, y), 13, palette.DIM)
            return
        wait = stats.wait_ms
        line = tr("live.rates", rate=stats.throughput_per_s, op=self._unit(), p50=wait.p50, p99=wait.p99)
        self.text.draw(surface, self.text.fit(line, 13, w), (x, y), 13, palette.TEXT)
        y += 18
        starved = tr("roles.join").join(who(tr, n) for n in stats.starved[:6]) + ("…" if len(stats.starved) > 6 else "")
        if stats.starved:
            text, colour = tr("live.starved", names=starved), palette.BAD
        else:
            text, colour = tr("live.nobody_starved"), palette.DIM
        self.text.draw(surface, self.text.fit(text, 13, w), (x, y), 13, colour)

    def _sparklines(self, surface: Any, x: int, y: int, w: int, bottom: int) -> int:
        """Each agent's throughput history; drawn once per new sample, then blitted."""
        import pygame

        rates = self.session.rates
        if rates is None:
            return y
        heading = self.text.fit(self.tr("live.sparks", op=self._unit()), 13, w)
        self.text.draw(surface, heading, (x, y), 13, palette.DIM)
        y += 18
        n = len(self.names)
        cols = 1 if n <= 6 else (2 if n <= 16 else 4)
        rows = -(-n // cols)
        cell_h = max(10, min(26, (bottom - y) // max(rows, 1)))
        key = (rates.samples, w, cell_h)
        if self._spark_key != key:
            self._spark_key = key
            size = (w, rows * cell_h)
            if self._spark is None or self._spark.get_size() != size:
                self._spark = pygame.Surface(size)  # opaque: blits faster than with alpha
            boxes = self._spark_boxes(cols, w, cell_h)
            self._spark_base.blit(self._spark, (w, cell_h), (0, 0), size, lambda base: self._draw_base(base, boxes))
            recent = rates.recent()
            top = float(recent.max()) if recent.size else 0.0
            sparklines(self._spark, boxes, recent, top, [palette.agent_colour(a) for a in range(len(self.names))])
        surface.blit(self._spark, (x, y))
        return y + rows * cell_h + 4

    def _spark_boxes(self, cols: int, w: int, cell_h: int) -> np.ndarray:
        """Each agent's chart box (x, y, w, h) in a grid of ``cols`` columns, its name left of it."""
        cell_w = w // cols
        agents = np.arange(len(self.names))
        boxes = np.empty((len(agents), 4), dtype=np.int64)
        boxes[:, 0] = agents % cols * cell_w + _label_w(cell_h)
        boxes[:, 1] = agents // cols * cell_h + 1
        boxes[:, 2] = cell_w - _label_w(cell_h) - 6
        boxes[:, 3] = cell_h - 3
        return boxes

    def _draw_base(self, target: Any, boxes: np.ndarray) -> None:
        """What the charts are drawn over: each agent's name (if the rows are tall enough) and box."""
        import pygame

        for name, (x, y, w, h) in zip(self.names, boxes.tolist(), strict=True):
            label_w = _label_w(h + 3)
            if label_w:
                self.text.draw(target, name, (x - label_w, y + (h + 1) / 2), 11, palette.DIM, anchor="midleft")
            pygame.draw.rect(target, (30, 32, 40), (x, y, w, h))

    def _waits(self, surface: Any, x: int, y: int, w: int) -> int:
        """The wait histogram, redrawn once per bucket of telemetry time (0.25 s) while the round
        runs, and once more for the picture that freezes."""
        picture = self.session.picture
        bucket = picture.snapshot.t_ns // BUCKET_NS if picture is not None else -1
        key = (bucket, self.session.frozen, w, self.tr("live.no_stats"))  # the frozen picture: drawn exactly
        self._waits_layer.blit(surface, key, (x, y), (w, WAITS_H), lambda layer: self._draw_waits(layer, w))
        return y + WAITS_H

    def _draw_waits(self, surface: Any, w: int) -> None:
        import pygame

        x = y = 0
        picture = self.session.picture
        counts, zero = (picture.waits, picture.waits_zero) if picture else (np.zeros(len(LABELS), dtype=np.int64), 0)
        total = int(counts.sum()) + zero
        self.text.draw(
            surface,
            self.text.fit(self.tr("live.waits", zero=zero, total=total), 13, w),
            (x, y),
            13,
            palette.DIM,
        )
        box = pygame.Rect(x, y + 18, w, 54)
        histogram(surface, self.text, box, counts, LABELS)

    def _unit(self) -> str:
        """The scenario's operation (``meals``) in the player's language."""
        return term(self.tr, "op", self.operation)

    def _focus(self, surface: Any, rect: Any, focus: int | None) -> None:
        snap = self.session.snapshot()
        if snap is None or not snap.resources:
            return
        index = focus if focus is not None else _default_focus(snap)
        taken = self.session.permits_out
        self.widget.draw(surface, rect, snap.resources[index], taken=int(taken[index]) if len(taken) else None)


def _label_w(cell_h: int) -> int:
    """Room for an agent's name beside its chart: none when the rows are too low to read it."""
    return 30 if cell_h >= 12 else 0


def _default_focus(snap: Any) -> int:
    for res in snap.resources:
        if res.kind == ResourceKind.SEMAPHORE:
            return res.index
    return snap.resources[0].index


def _operation_word(scenario: str) -> str:
    from sims.scenarios import scenario_named

    return scenario_named(scenario).operation
