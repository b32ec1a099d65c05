"""Stars as drawn shapes (not glyphs): earned ones filled gold, the rest outlined."""

from __future__ import annotations

import math
from typing import Any

GOLD = (245, 200, 70)
EMPTY = (95, 100, 115)


def star_points(centre: tuple[float, float], radius: float) -> list[tuple[float, float]]:
    """A five-pointed star's ten corners, point up."""
    cx, cy = centre
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.45
        a = -math.pi / 2 + i * math.pi / 5
        points.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return points


def draw_stars(surface: Any, left: float, centre_y: float, radius: float, earned: int, total: int = 3) -> float:
    """``total`` stars from ``left``, the first ``earned`` filled; returns the x after the last."""
    import pygame

    for i in range(total):
        centre = (left + radius + i * radius * 2.3, centre_y)
        if i < earned:
            pygame.draw.polygon(surface, GOLD, star_points(centre, radius))
        else:
            pygame.draw.polygon(surface, EMPTY, star_points(centre, radius), width=2)
    return left + total * radius * 2.3
