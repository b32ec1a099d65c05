"""``python -m sims``: the headless engine's command line."""

import sys

from sims.cli import main

if __name__ == "__main__":
    sys.exit(main())
