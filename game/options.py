"""The window's command-line options, checked at the door and readable without pygame or a display.

``diner --help`` shows them next to the engine's commands on a machine with no display, so
this module imports nothing heavier than argparse.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path

from sims import OneLineParser

FPS = 60
MAX_SIDE = 16_384  # larger than any display; SDL refuses bigger surfaces anyway


def window_size(text: str) -> tuple[int, int]:
    """``WxH`` as two whole numbers of pixels, for ``--size``."""
    width, sep, height = text.lower().partition("x")
    if not (sep and width.isascii() and width.isdigit() and height.isascii() and height.isdigit()):
        raise argparse.ArgumentTypeError(f"must be WIDTHxHEIGHT such as 1280x720, got {text!r}")
    size = (int(width[:6]), int(height[:6])) if len(width) <= 6 and len(height) <= 6 else (0, 0)
    if not all(1 <= side <= MAX_SIDE for side in size):
        raise argparse.ArgumentTypeError(f"must have sides of 1 to {MAX_SIDE} pixels, got {text!r}")
    return size


def _whole(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not (text.isascii() and text.isdigit() and len(text) <= 9 and low <= int(text) <= high):
            raise argparse.ArgumentTypeError(f"must be a whole number from {low} to {high}, got {text!r}")
        return int(text)

    return parse


def _folder(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError("the folder name is empty (write '.' for the current folder)")
    return Path(text)


def window_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="diner", description="Deadlock Diner: the game window.")
    parser.add_argument("--capture", metavar="DIR", type=_folder, help="render every scene to PNG files in DIR, exit")
    parser.add_argument("--size", type=window_size, default=(1280, 720), help="window size WxH (default 1280x720)")
    parser.add_argument("--fps", type=_whole(1, 1000), default=FPS, help="frames per second (default 60)")
    parser.add_argument(
        "--frames", type=_whole(0, 10**9), default=0, help="quit after this many frames (smoke tests, benchmarks)"
    )
    return parser


def parse_window_args(args: Sequence[str]) -> argparse.Namespace:
    """The window's options; a bad one ends the program with a one-line message and exit 2."""
    return window_parser().parse_args(list(args))
