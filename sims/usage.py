"""What every command line of the project shares: the refusal of bad input, in one line, exit 2."""

from __future__ import annotations

import argparse
from typing import NoReturn

EXIT_BAD_INPUT = 2


class BadInput(ValueError):
    """Input that names something impossible; the message says which argument and why.

    A subcommand raises it (or a subclass) to be refused with one line and exit 2."""


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose refusals are one line (and a pointer to the help), exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")
