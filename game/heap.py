"""Keeping the garbage collector's full passes out of a round's frames.

CPython's oldest-generation pass walks every tracked object the window holds (fonts,
widgets, the last round's results...): 10-20 ms in one frame, a visible hitch in a busy
round. When a round starts the window collects once and freezes what survived
(``gc.freeze``): the round's frames then only ever walk the objects made since. The next
round start unfreezes first, so whatever the last round left behind is still reclaimed.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Collect now (a moment where a hitch does not show) and freeze the survivors."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
