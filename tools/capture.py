"""Render every scene of the game window to PNG (the README's screenshots).

    python tools/capture.py [DIR]      # default: docs/screenshots

The same as ``diner --capture DIR``: the real engine runs each round; headless where
there is no display (SDL's dummy driver).
"""

from __future__ import annotations

import sys
from pathlib import Path

DEFAULT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else DEFAULT
    from game.app import main as window_main

    return window_main(["--capture", str(out)])


if __name__ == "__main__":
    sys.exit(main())
