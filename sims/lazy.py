"""Public names of a package, imported on first use (PEP 562).

A package's ``__init__`` names what ``game/``, ``tools/`` and users may import, without importing
it: the command line starts without numpy, and an agent process loads only what it runs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, table: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``, whose public names live in ``table``'s modules.

    A value ``"module"`` holds the name itself; ``"module:other"`` publishes that module's ``other``.
    """

    def __getattr__(name: str) -> Any:  # noqa: N807 (the name PEP 562 asks for)
        try:
            module, _, attribute = table[name].partition(":")
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        return getattr(importlib.import_module(module), attribute or name)

    def __dir__() -> list[str]:  # noqa: N807
        return sorted(table)

    return __getattr__, __dir__
