"""Colours: one place, so every view says the same thing with the same colour."""

from __future__ import annotations

import colorsys
import functools

from sims.telemetry import State

BACKGROUND = (24, 26, 33)
PANEL = (34, 37, 47)
PANEL_EDGE = (62, 66, 82)
TEXT = (226, 228, 235)
DIM = (140, 145, 160)
ACCENT = (110, 170, 255)
GOOD = (90, 200, 120)
WARN = (240, 190, 70)
BAD = (235, 80, 80)
TABLE = (70, 52, 40)
TABLE_EDGE = (110, 84, 62)
FORK_FREE = (200, 200, 210)
FORK_HELD = (245, 205, 90)
TOKEN_FREE = (120, 200, 140)
TOKEN_HELD = (245, 205, 90)
TOKEN_PENDING = (235, 120, 80)
ITEM = (240, 160, 90)

STATE_COLOURS: dict[int, tuple[int, int, int]] = {
    State.IDLE: (110, 115, 130),
    State.THINKING: (95, 140, 230),
    State.HUNGRY: (240, 190, 70),
    State.EATING: (90, 200, 120),
    State.PRODUCING: (240, 150, 80),
    State.CONSUMING: (90, 200, 120),
    State.WAITING: (240, 190, 70),
    State.WORKING: (160, 120, 230),
    State.DONE: (110, 115, 130),
}

STATE_WORDS: dict[int, str] = {s.value: s.name.lower() for s in State}


def state_colour(state: int) -> tuple[int, int, int]:
    return STATE_COLOURS.get(state, (150, 150, 160))


@functools.cache
def agent_colour(index: int) -> tuple[int, int, int]:
    """A stable, distinguishable colour per agent (golden-angle hues) for charts."""
    r, g, b = colorsys.hsv_to_rgb((index * 0.618034) % 1.0, 0.55, 0.95)
    return int(r * 255), int(g * 255), int(b * 255)
