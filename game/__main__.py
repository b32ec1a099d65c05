"""``python -m game``: the window (or an engine subcommand), Ctrl-C owned before either is imported."""

from game.launcher import console

if __name__ == "__main__":
    console()
