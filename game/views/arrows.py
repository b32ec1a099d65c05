"""Arrows and dashed lines between things on screen."""

from __future__ import annotations

import math
from typing import Any

Point = tuple[float, float]
MAX_DASHES = 6  # per dashed line: a table of 64 waiting philosophers draws 64 of them a frame


def _trim(start: Point, end: Point, from_start: float, from_end: float) -> tuple[Point, Point, float] | None:
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = math.hypot(dx, dy)
    if length <= from_start + from_end + 1:
        return None
    ux, uy = dx / length, dy / length
    a = (start[0] + ux * from_start, start[1] + uy * from_start)
    b = (end[0] - ux * from_end, end[1] - uy * from_end)
    return a, b, math.atan2(uy, ux)


# What an arrow is made of: ("line", (a, b), width) and ("polygon", (corners...), 0). Working
# the shapes out once and drawing them many times lets a view keep them while nothing moves.
Shape = tuple[str, tuple[Point, ...], int]


def arrow_shapes(start: Point, end: Point, from_start: float = 0, from_end: float = 0, width: int = 2) -> list[Shape]:
    """A line from ``start`` to ``end`` (shortened at both ends) with a head at ``end``."""
    trimmed = _trim(start, end, from_start, from_end)
    if trimmed is None:
        return []
    a, b, angle = trimmed
    size = 6 + 2 * width
    left = (b[0] - size * math.cos(angle - 0.45), b[1] - size * math.sin(angle - 0.45))
    right = (b[0] - size * math.cos(angle + 0.45), b[1] - size * math.sin(angle + 0.45))
    return [("line", (a, b), width), ("polygon", (b, left, right), 0)]


def dashed_shapes(start: Point, end: Point, from_start: float = 0, from_end: float = 0, dash: float = 8) -> list[Shape]:
    """A dashed arrow: waiting for something that is not a single place (a semaphore)."""
    trimmed = _trim(start, end, from_start, from_end)
    if trimmed is None:
        return []
    a, b, angle = trimmed
    length = math.hypot(b[0] - a[0], b[1] - a[1])
    dash = max(dash, length / (2 * MAX_DASHES))  # long lines get longer dashes, not more of them
    ux, uy = math.cos(angle), math.sin(angle)
    shapes: list[Shape] = []
    pos = 0.0
    while pos < length - dash:
        p = (a[0] + ux * pos, a[1] + uy * pos)
        q = (a[0] + ux * (pos + dash), a[1] + uy * (pos + dash))
        shapes.append(("line", (p, q), 2))
        pos += dash * 2
    return shapes + arrow_shapes((b[0] - ux * 2, b[1] - uy * 2), b, 0, 0, 2)


def draw_shapes(surface: Any, colour: Any, shapes: list[Shape]) -> None:
    import pygame

    for kind, points, width in shapes:
        if kind == "line":
            pygame.draw.line(surface, colour, points[0], points[1], width)
        else:
            pygame.draw.polygon(surface, colour, points)


def arrow(
    surface: Any, colour: Any, start: Point, end: Point, from_start: float = 0, from_end: float = 0, width: int = 2
) -> None:
    draw_shapes(surface, colour, arrow_shapes(start, end, from_start, from_end, width))


def edge_point(rect: Any, towards: Point) -> Point:
    """Where the line from ``rect``'s centre to ``towards`` leaves the rectangle."""
    cx, cy = rect.center
    dx, dy = towards[0] - cx, towards[1] - cy
    if dx == 0 and dy == 0:
        return float(cx), float(cy)
    scale = min(rect.w / 2 / abs(dx) if dx else math.inf, rect.h / 2 / abs(dy) if dy else math.inf)
    return cx + dx * scale, cy + dy * scale
