"""``python -m sims``: the headless engine's command line (Ctrl-C owned before it is imported)."""

import sys

from sims.ctrl_c import owned_from_here


def _main() -> int:
    from sims.cli import main

    return main()


if __name__ == "__main__":
    sys.exit(owned_from_here(_main, "diner"))
