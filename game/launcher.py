"""The ``diner`` command: engine subcommands go to ``sims.cli``; anything else opens the window.

``diner run``, ``diner list`` and ``diner levels`` never import pygame, so they work on a
machine without a display or SDL.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

ENGINE_COMMANDS = ("run", "list", "levels", "sweep", "grade", "replay")
NO_DISPLAY_EXIT = 2


def has_display() -> bool:
    """True where SDL can open a window (or was told to render off screen)."""
    driver = os.environ.get("SDL_VIDEODRIVER", "")
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or driver in ("dummy", "offscreen"))


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ENGINE_COMMANDS:
        from sims import run_cli as engine_main

        status = engine_main(args)
        if status == 0 and args[0] == "sweep":
            from game.sweepchart import charts_after_sweep

            charts_after_sweep(args)
        return status
    if not has_display() and "--capture" not in args:
        print("diner: no display here; run a round headless instead: diner run dining (see diner list)")
        return NO_DISPLAY_EXIT
    try:
        from game.app import main as window_main
    except ImportError as error:
        print(f"diner: the window is not available ({error}); run a round headless: diner run dining")
        return NO_DISPLAY_EXIT
    return window_main(args)


def console() -> None:
    """Console-script entry point: Ctrl-C is ours before anything heavy is imported."""
    from sims import owned_from_here

    sys.exit(owned_from_here(main, "diner"))
