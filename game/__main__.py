"""``python -m game``: the window (or an engine subcommand)."""

import sys

from game.launcher import main

if __name__ == "__main__":
    sys.exit(main())
