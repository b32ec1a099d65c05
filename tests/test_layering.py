"""The engine never depends on the window: ``sims`` imports neither pygame nor ``game``."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(120)

SIMS = Path(__file__).resolve().parent.parent / "sims"


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted(SIMS.rglob("*.py")), ids=lambda p: str(p.relative_to(SIMS)))
def test_no_engine_module_imports_the_window(path: Path) -> None:
    assert not _imported_modules(path) & {"pygame", "pygame_gui", "game"}


def test_every_engine_module_imports_without_loading_pygame_or_starting_anything() -> None:
    """Importing all of sims (every scenario included) leaves pygame unloaded and no thread started."""
    code = (
        "import importlib, pkgutil, sys, threading, sims\n"
        "for m in pkgutil.walk_packages(sims.__path__, 'sims.'):\n"
        "    importlib.import_module(m.name)\n"
        "assert 'pygame' not in sys.modules, 'pygame was imported'\n"
        "assert threading.active_count() == 1, threading.enumerate()\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=100)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
