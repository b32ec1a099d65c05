"""Charts of a sweep: one PNG per swept parameter, drawn with the game's own font, no display needed.

``diner sweep`` is an engine command and the engine never imports pygame; the ``diner`` launcher
calls :func:`charts_after_sweep` once the sweep's table is written. Each chart compares the
values of one parameter (strategies, backends, a ``--set`` parameter): for each value, the mean
throughput over the rounds that had it (a bar) with the lowest and highest (a whisker), and the
mean fairness (Jain's index) written under it.
"""

from __future__ import annotations

import csv
import os
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from game import palette
from game.text import TextCache

SIZE = (900, 520)
MARGIN = 70
BAR = palette.ACCENT
METRIC = "stat.throughput_per_s"
FAIRNESS = "stat.jain"


def read_table(out: Path) -> list[dict[str, Any]]:
    """The sweep's rows, from rounds.parquet (pyarrow) or rounds.csv."""
    parquet, text = out / "rounds.parquet", out / "rounds.csv"
    if parquet.is_file():
        import pyarrow.parquet as pq

        return list(pq.read_table(parquet).to_pylist())
    with text.open(encoding="utf-8", newline="") as f:
        return [{k: _number(v) for k, v in row.items()} for row in csv.DictReader(f)]


def _number(text: str) -> Any:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return {"True": True, "False": False}.get(text, text)


def swept(rows: Sequence[dict[str, Any]]) -> list[str]:
    """The columns that tell rounds apart (not the seed: charts average over it)."""
    names = ["strategy", "backend", *sorted(k for k in rows[0] if k.startswith("param."))] if rows else []
    return [n for n in names if len({str(r.get(n)) for r in rows}) > 1]


def chart(rows: Sequence[dict[str, Any]], column: str, path: Path, text: TextCache) -> Path:
    import pygame

    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row.get("ok") and row.get(METRIC) is not None:
            groups[str(row[column])].append(row)
    labels = sorted(groups, key=_sort_key)
    surface = pygame.Surface(SIZE)
    surface.fill(palette.BACKGROUND)
    w, h = SIZE
    title = f"{METRIC.removeprefix('stat.')} by {column.removeprefix('param.')} (mean, whiskers: min-max)"
    text.draw(surface, title, (MARGIN, 20), 18, palette.TEXT, bold=True)
    top = max((max(r[METRIC] for r in groups[label]) for label in labels), default=1.0) or 1.0
    base, height = h - MARGIN - 30, h - 2 * MARGIN - 50
    pygame.draw.line(surface, palette.DIM, (MARGIN, base), (w - MARGIN, base))
    text.draw(surface, f"{top:.0f}", (MARGIN - 8, base - height), 13, palette.DIM, anchor="topright")
    text.draw(surface, "0", (MARGIN - 8, base), 13, palette.DIM, anchor="midright")
    slot = (w - 2 * MARGIN) / max(1, len(labels))
    for i, label in enumerate(labels):
        values = [r[METRIC] for r in groups[label]]
        mean = sum(values) / len(values)
        x = MARGIN + slot * (i + 0.5)
        bar = pygame.Rect(0, 0, slot * 0.5, height * mean / top)
        bar.midbottom = (round(x), base)
        pygame.draw.rect(surface, BAR, bar)
        low, high = base - height * min(values) / top, base - height * max(values) / top
        pygame.draw.line(surface, palette.TEXT, (x, low), (x, high), 2)
        for y in (low, high):
            pygame.draw.line(surface, palette.TEXT, (x - 6, y), (x + 6, y), 2)
        text.draw(surface, f"{mean:.0f}", (bar.x + 6, bar.top + 4), 13, palette.BACKGROUND, bold=True)
        text.draw(surface, text.fit(label, 14, int(slot) - 6), (x, base + 8), 14, palette.TEXT, anchor="midtop")
        fair = [r[FAIRNESS] for r in groups[label] if r.get(FAIRNESS) is not None]
        note = f"Jain {sum(fair) / len(fair):.2f} · n={len(values)}" if fair else f"n={len(values)}"
        text.draw(surface, note, (x, base + 28), 12, palette.DIM, anchor="midtop")
    pygame.image.save(surface, str(path))
    return path


def _sort_key(label: str) -> tuple[int, float | str]:
    try:
        return (0, float(label))
    except ValueError:
        return (1, label)


def write_charts(out: Path) -> list[Path]:
    """``chart_<column>.png`` in ``out`` for every column the sweep varied."""
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # this is a command's output, not a game's
    import pygame

    rows = read_table(out)
    pygame.font.init()
    text = TextCache()
    return [chart(rows, column, out / f"chart_{column.removeprefix('param.')}.png", text) for column in swept(rows)]


def charts_after_sweep(argv: Sequence[str]) -> None:
    """Called by the launcher after a successful ``diner sweep``: draw its charts, say where."""
    from sims import sweep_out

    out = sweep_out(argv)
    if out is None:
        return
    try:
        paths = write_charts(out)
    except (OSError, ValueError, KeyError) as error:
        print(f"diner sweep: no charts: {error}")
        return
    if paths:
        print(f"charts: {', '.join(str(p) for p in paths)}")
