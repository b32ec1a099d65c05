"""The ``diner`` command: engine subcommands go to ``sims.cli``; anything else opens the window.

``diner --help``, ``diner --version`` and the engine's subcommands never import pygame, so
they work on a machine without a display or SDL. Without a usable display the window is
refused on stderr with exit 2, never opened invisibly.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

NO_DISPLAY_EXIT = 2
TOP_LEVEL = ("-h", "--help", "--version")


def has_display() -> bool:
    """True where SDL may open a window (or was told to render off screen).

    A ``DISPLAY`` naming no X server passes here; the window then finds SDL fell back to
    drawing off screen and refuses (``game.app``).
    """
    driver = os.environ.get("SDL_VIDEODRIVER", "")
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or driver in ("dummy", "offscreen"))


def _window_help() -> str:
    """The window's options, for the end of ``diner --help``."""
    from game.options import window_parser

    window = window_parser()
    window.description = None
    return "without a COMMAND, diner opens the game window:\n  " + window.format_help().replace("\n", "\n  ")


def main(argv: Sequence[str] | None = None) -> int:
    from sims import command_names
    from sims import run_cli as engine_main

    args = list(sys.argv[1:] if argv is None else argv)
    if args and (args[0] in command_names() or args[0] in TOP_LEVEL):
        status = engine_main(args, epilog=_window_help())
        if status == 0 and args[0] == "sweep":
            from game.sweepchart import charts_after_sweep

            charts_after_sweep(args)
        return status
    if not has_display() and "--capture" not in args:
        print("diner: no display here; run a round headless: diner run dining (see diner --help)", file=sys.stderr)
        return NO_DISPLAY_EXIT
    try:
        from game.app import main as window_main
    except ImportError as error:
        print(f"diner: the window is not available ({error}); run a round headless: diner run dining", file=sys.stderr)
        return NO_DISPLAY_EXIT
    return window_main(args)


def console() -> None:
    """Console-script entry point: Ctrl-C is ours before anything heavy is imported."""
    from sims import owned_from_here

    sys.exit(owned_from_here(main, "diner"))
