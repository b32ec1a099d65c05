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


def _package_of(path: Path) -> str:
    """``sims/engine/round.py`` -> ``engine``; a top-level module is its own package."""
    return path.relative_to(SIMS).with_suffix("").parts[0]


def _package_graph() -> dict[str, set[str]]:
    """Which ``sims`` package imports which (every import, deferred ones inside functions too)."""
    graph: dict[str, set[str]] = {}
    for path in SIMS.rglob("*.py"):
        source = _package_of(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                parts = name.split(".")
                if parts[0] == "sims" and len(parts) > 1 and parts[1] != source:
                    graph.setdefault(source, set()).add(parts[1])
    return graph


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        here = todo.pop()
        if here == goal:
            return True
        if here not in seen:
            seen.add(here)
            todo.extend(graph.get(here, ()))
    return False


def test_no_package_cycle_inside_the_engine() -> None:
    """Layers, not a tangle: no package of ``sims`` imports, however indirectly, one that imports it."""
    graph = _package_graph()
    cycles = sorted(f"{a} -> {b}" for a, targets in graph.items() for b in targets if _reaches(graph, b, a))
    assert cycles == []


def test_the_vocabulary_sits_below_the_machinery() -> None:
    """``rounds`` (values) never imports the machinery or the packages built on it."""
    assert not _package_graph().get("rounds", set()) & {"engine", "live", "stats", "scenarios", "levels", "cli"}
