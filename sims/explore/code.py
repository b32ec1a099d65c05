"""Player code: a Python file whose classes are the exercise's roles, each with ``run(self, me)``.

Checked without running it (``check``: it parses and defines every role), then loaded
where it will run (``load``). Not a sandbox: loading runs the file with the user's rights.
"""

from __future__ import annotations

import ast
import importlib.util
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs

from sims.oldnames import OLD_NAMES
from sims.textfile import FileRefused, read_text


class BadCode(ValueError):
    """The file cannot be graded; the message names the file and why (one line)."""


class OldNameUsed(BadCode):
    """The file uses a name Python 3.10 deprecated (``old``, as typed); ``new`` is today's."""

    def __init__(self, path: Path, line: int, old: str, new: str) -> None:
        super().__init__(f"{path}:{line}: the old name {old} is deprecated since Python 3.10: write {new}")
        self.path, self.line, self.old, self.new = path, line, old, new


def read_source(path: Path) -> str:
    """The file's text, read as a level is (a regular UTF-8 file of at most a megabyte: a FIFO
    or ``/dev/zero`` named as player code used to hang the grader), or BadCode saying why not."""
    try:
        return read_text(path)
    except FileRefused as error:
        raise BadCode(f"{path}: {error}") from None
    except OSError as error:
        raise BadCode(f"{path}: cannot read it ({error.strerror or error})") from None


def parse(path: Path) -> ast.Module:
    """The file's syntax tree, or BadCode naming the line at fault."""
    source = read_source(path)
    try:
        return ast.parse(source, filename=str(path))
    except (SyntaxError, ValueError) as error:
        line = getattr(error, "lineno", 0)
        raise BadCode(f"{path}:{line}: not valid Python ({getattr(error, 'msg', error)})") from None
    except (RecursionError, MemoryError):  # ``-`` * 100_000 + ``1``: too deep for the compiler
        raise BadCode(f"{path}: not valid Python (nested too deeply to compile)") from None


def check(path: Path, roles: tuple[str, ...]) -> None:
    """Raise BadCode unless ``path`` parses and defines each role as a class with ``run``."""
    tree = parse(path)
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    for role in roles:
        node = classes.get(role)
        if node is None:
            raise BadCode(f"{path}: defines no class {role!r} (this exercise needs {', '.join(roles)})")
        if not any(isinstance(f, ast.FunctionDef) and f.name == "run" for f in node.body):
            raise BadCode(f"{path}:{node.lineno}: class {role!r} has no method run(self, me)")
    _no_old_names(tree, path)


def _no_old_names(tree: ast.AST, path: Path) -> None:
    """Raise BadCode at the first name Python 3.10 deprecated (``t.getName()``), naming today's."""
    found = [
        node for node in ast.walk(tree) if isinstance(node, ast.Attribute | ast.Name) and _identifier(node) in OLD_NAMES
    ]
    if found:
        node = min(found, key=lambda n: (n.lineno, n.end_col_offset or 0))  # the first one typed
        receiver = ast.unparse(node.value) + "." if isinstance(node, ast.Attribute) else ""
        raise OldNameUsed(path, node.lineno, *OLD_NAMES[_identifier(node)].spelled(receiver))


def _identifier(node: ast.Attribute | ast.Name) -> str:
    """The name a node spells: ``x.getName`` -> ``getName``, ``currentThread`` itself."""
    return node.attr if isinstance(node, ast.Attribute) else node.id


@attrs.frozen
class PlayerCode:
    """The loaded file: its path (as frames name it) and its role classes."""

    path: str
    roles: dict[str, Any]


def load(path: Path, roles: tuple[str, ...]) -> PlayerCode:
    """Check, then import the file under a private module name."""
    check(path, roles)
    resolved = str(path.resolve())
    spec = importlib.util.spec_from_file_location(f"diner_player_{abs(hash(resolved))}", resolved)
    if spec is None or spec.loader is None:
        raise BadCode(f"{path}: cannot be loaded as a Python module")
    module: ModuleType = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return PlayerCode(resolved, {role: getattr(module, role) for role in roles})


def error_line(error: BaseException, path: str) -> int:
    """The last line of the player's file in the error's traceback (0 if none)."""
    line = 0
    for frame, lineno in traceback.walk_tb(error.__traceback__):
        if frame.f_code.co_filename == path:
            line = lineno
    return line


SENTENCE_CHARS = 300  # of an error's message in a verdict: player code once raised 10 MB of text


def sentence(error: BaseException) -> str:
    """``ValueError: why`` (or just the type when there is no message): the first line of the
    message, at most ``SENTENCE_CHARS`` long, and never an error itself (a broken ``__str__``)."""
    try:
        lines = str(error).strip().splitlines()
    except Exception:
        lines = ["(its message could not be made into text)"]
    text = lines[0] if lines else ""
    if len(text) > SENTENCE_CHARS or len(lines) > 1:
        text = text[: SENTENCE_CHARS - 3].rstrip() + "..."
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
