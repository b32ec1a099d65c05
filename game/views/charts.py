"""Small charts: sparkline, gauge, histogram, bars, and the Gantt timeline of holds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from game import palette
from game.text import TextCache


def sparklines(surface: Any, boxes: np.ndarray, values: np.ndarray, top: float, colours: Sequence[Any]) -> None:
    """Row ``i`` of ``values`` (agents x samples, oldest first), scaled to ``top``, as a line
    filling box ``i`` (x, y, w, h). The points of every line are worked out at once: a round
    has up to 64 agents, and their charts are redrawn with every sample."""
    import pygame

    count, samples = values.shape
    if samples < 2 or top <= 0:
        return
    x, y, w, h = (boxes[:, i : i + 1].astype(np.float64) for i in range(4))
    xs = x + (w - 1) * np.linspace(0.0, 1.0, samples)
    ys = y + h - 1 - np.clip(values / top, 0.0, 1.0) * (h - 2)
    points = np.stack([xs, ys], axis=-1).tolist()
    for i in range(count):
        pygame.draw.lines(surface, colours[i], False, points[i], 2)


def gauge(surface: Any, text: TextCache, rect: Any, value: float | None, label: str) -> None:
    """A 0..1 bar (Jain's index): red when unfair, green when fair; '—' before there is a value."""
    import pygame

    text.draw(surface, label, (rect.x, rect.y), 13, palette.DIM)
    bar = pygame.Rect(rect.x, rect.y + 18, rect.w - 60, 14)
    pygame.draw.rect(surface, (30, 32, 40), bar, border_radius=4)
    if value is not None:
        colour = palette.GOOD if value >= 0.9 else (palette.WARN if value >= 0.6 else palette.BAD)
        fill = bar.copy()
        fill.w = max(2, int(bar.w * min(max(value, 0.0), 1.0)))
        pygame.draw.rect(surface, colour, fill, border_radius=4)
    pygame.draw.rect(surface, palette.PANEL_EDGE, bar, width=1, border_radius=4)
    shown = "—" if value is None else f"{value:.3f}"
    text.draw(surface, shown, (rect.right, bar.centery), 15, palette.TEXT, bold=True, anchor="midright")


def histogram(surface: Any, text: TextCache, rect: Any, counts: np.ndarray, labels: Sequence[str]) -> None:
    """Vertical bars with a label under every other bar."""
    import pygame

    pygame.draw.rect(surface, (30, 32, 40), rect)
    n = len(counts)
    if n == 0:
        return
    top = max(int(counts.max()), 1)
    width = rect.w / n
    for i, c in enumerate(counts.tolist()):
        h = int((rect.h - 2) * c / top)
        if h:
            pygame.draw.rect(surface, palette.WARN, (rect.x + i * width + 1, rect.bottom - h, max(1, width - 2), h))
        if i % 2 == 0:
            text.draw(surface, labels[i], (rect.x + i * width, rect.bottom + 2), 11, palette.DIM)


def bars(
    surface: Any, text: TextCache, rect: Any, values: Sequence[float], names: Sequence[str], colours: Sequence[Any]
) -> None:
    """Horizontal bars, one row per name, value written at the end."""
    import pygame

    n = len(values)
    if n == 0:
        return
    row = rect.h / n
    top = max(*values, 1e-9)
    label_w = 56
    for i, (value, name) in enumerate(zip(values, names, strict=True)):
        y = rect.y + i * row
        if row >= 11:
            text.draw(surface, name, (rect.x, y + row / 2), min(13, int(row)), palette.TEXT, anchor="midleft")
        w = int((rect.w - label_w - 50) * value / top)
        pygame.draw.rect(surface, colours[i], (rect.x + label_w, y + 1, max(w, 1), max(1, row - 2)))
        if row >= 11:
            text.draw(
                surface,
                f"{value:g}",
                (rect.x + label_w + w + 4, y + row / 2),
                min(12, int(row)),
                palette.DIM,
                anchor="midleft",
            )


def gantt(
    surface: Any,
    text: TextCache,
    rect: Any,
    holds: np.ndarray,
    rows: Sequence[tuple[int, str]],
    span: tuple[int, int],
    colour_of: Any,
) -> None:
    """Who held which resource when: one row per resource, one bar per hold, coloured by agent.

    ``holds`` is ``HOLD_DTYPE`` (agent, resource, start_ns, end_ns); ``span`` the round.
    """
    import pygame

    start, end = span
    if not rows or end <= start:
        return
    label_w = 70
    row = rect.h / len(rows)
    scale = (rect.w - label_w) / (end - start)
    index = {r: i for i, (r, _) in enumerate(rows)}
    for i, (_, name) in enumerate(rows):
        y = rect.y + i * row
        pygame.draw.rect(surface, (30, 32, 40) if i % 2 else (36, 38, 48), (rect.x + label_w, y, rect.w - label_w, row))
        if row >= 10:
            text.draw(
                surface,
                text.fit(name, min(12, int(row)), label_w - 4),
                (rect.x, y + row / 2),
                min(12, int(row)),
                palette.DIM,
                anchor="midleft",
            )
    keep = np.isin(holds["resource"], list(index))
    for agent, res, s, e in zip(
        *(holds[f][keep].tolist() for f in ("agent", "resource", "start_ns", "end_ns")), strict=True
    ):
        x = rect.x + label_w + (s - start) * scale
        w = max(1.0, (e - s) * scale)
        y = rect.y + index[res] * row
        pygame.draw.rect(surface, colour_of(agent), (x, y + 1, w, max(1, row - 2)))
    seconds = (end - start) / 1e9
    digits = 1 if seconds >= 5 else 2 if seconds >= 0.5 else 3  # a short round's ticks stay distinct
    for k in range(6):
        x = rect.x + label_w + (rect.w - label_w) * k / 5
        text.draw(
            surface,
            f"{seconds * k / 5:.{digits}f}s",
            (x, rect.bottom + 2),
            11,
            palette.DIM,
            anchor="midtop" if 0 < k < 5 else ("topleft" if k == 0 else "topright"),
        )
