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


def assert_fresh_interpreter_says_ok(code: str) -> None:
    """Run ``code`` in a new interpreter (nothing imported yet): it must print ``ok``."""
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=100)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


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
    assert_fresh_interpreter_says_ok(code)


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


ROOT = SIMS.parent


def _face(module: str) -> list[str] | None:
    """The ``__all__`` of package ``module`` (a literal list in its ``__init__``), None if not a package."""
    init = ROOT.joinpath(*module.split("."), "__init__.py")
    if not init.exists():
        return None
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return [ast.literal_eval(item) for item in node.value.elts]  # type: ignore[attr-defined]
    return []


def _private_imports(path: Path) -> list[str]:
    """The ``sims`` names ``path`` imports other than through a package's public face."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "sims" and _face(a.name) is None]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "sims":
            face = _face(node.module)
            found += [f"{node.module}.{a.name}" for a in node.names if face is None or a.name not in face]
    return found


@pytest.mark.parametrize(
    "path",
    sorted([*ROOT.joinpath("game").rglob("*.py"), *ROOT.joinpath("tools").rglob("*.py")]),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_the_window_and_the_tools_import_only_public_names(path: Path) -> None:
    """``game/`` and ``tools/`` import what a package's ``__all__`` names, never a private module."""
    assert _private_imports(path) == []


def test_the_check_catches_a_private_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from sims.rounds.config import RoundConfig\nfrom sims.rounds import RoundConfig, World\n")
    assert _private_imports(sample) == ["sims.rounds.config.RoundConfig"]


def test_every_public_name_exists_and_the_command_line_starts_without_numpy() -> None:
    """Each face's names resolve; the faces import lazily, so ``import sims.cli`` does not load numpy."""
    faces = {
        str(p.parent.relative_to(ROOT)).replace("/", "."): _face(str(p.parent.relative_to(ROOT)).replace("/", "."))
        for p in SIMS.rglob("__init__.py")
    }
    code = (
        "import importlib, sys\n"
        "import sims.cli\n"
        "assert 'numpy' not in sys.modules, 'numpy was imported'\n"
        f"for package, names in {faces!r}.items():\n"
        "    module = importlib.import_module(package)\n"
        "    missing = [n for n in names if not hasattr(module, n)]\n"
        "    assert not missing, (package, missing)\n"
        "print('ok')\n"
    )
    assert_fresh_interpreter_says_ok(code)
