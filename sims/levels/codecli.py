"""``diner code LEVEL``: the player's file for a code level, made from its template if missing.

Prints the file's path; ``--code FILE`` points elsewhere; ``--check`` grades it on the real
engine, prints the verdict and the stars, and keeps the best stars in the same save as the
window (``$DINER_SAVE_FILE``, else the user data folder). Exit 0 (pass), 1 (fail), 2 (bad input).
"""

from __future__ import annotations

import argparse
import errno
import sys
from pathlib import Path

import platformdirs

from sims.levels.code import CodeLevel, Kind, load_code_levels
from sims.levels.loader import LevelLoadError
from sims.levels.progress import APP_NAME, load_progress, save_path, save_progress

EXIT_FAIL = 1
EXIT_BAD_INPUT = 2


def player_file(level: CodeLevel, root: Path | None = None) -> Path:
    """Where the player's answer to ``level`` lives (the user data folder, not the working directory)."""
    return (root or Path(platformdirs.user_data_dir(APP_NAME))) / "code" / f"{level.id}.py"


def ensure_player_file(level: CodeLevel, path: Path) -> Path:
    """Copy the template to ``path`` unless a file is already there (the player's work is never overwritten)."""
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "it is a folder, not a file", str(path))
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(level.file(level.template).read_text(encoding="utf-8"), encoding="utf-8")
    return path


def code_arguments(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("level", help="code level id, e.g. c01_rendezvous")
    cmd.add_argument("--code", type=Path, help="use this file instead of the one in the user data folder")
    cmd.add_argument("--check", action="store_true", help="grade the file and print the verdict and stars")


def level_named(level_id: str) -> CodeLevel:
    levels = {level.id: level for level in load_code_levels()}
    if level_id not in levels:
        raise ValueError(f"argument level: no code level {level_id!r} (known: {', '.join(levels)})")
    return levels[level_id]


def main(args: argparse.Namespace) -> int:
    try:
        level = level_named(args.level)
    except (ValueError, LevelLoadError) as error:
        print(f"diner code: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if level.kind is Kind.PARSONS:
        print(
            f"diner code: error: argument level: {level.id} is a parsons level: play it in the window", file=sys.stderr
        )
        return EXIT_BAD_INPUT
    try:
        path = ensure_player_file(level, args.code or player_file(level))
    except OSError as error:
        print(f"diner code: error: argument --code: cannot write it ({error.strerror or error})", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(path)
    if not args.check:
        return 0
    from sims.levels.codecheck import check_file

    checked = check_file(level, path)
    finding = checked.report.finding
    where = f" (line {finding.line})" if finding.line else ""
    print(f"verdict: {finding.verdict.value}{where} - {finding.message}")
    for result in checked.rules:
        print(f"  {result.rule.rule.value}: {'yes' if result.held else 'no'} ({result.found})")
    print(f"stars: {checked.stars}")
    keep_best(level.id, checked.stars)
    return 0 if checked.report.passed else EXIT_FAIL


def keep_best(level_id: str, stars: int) -> None:
    """Record the stars in the save the window reads (a worse check never lowers the best)."""
    path = save_path()
    loaded = load_progress(path)
    if loaded.warning:
        print(f"diner code: warning: {loaded.warning}", file=sys.stderr)
    if stars <= loaded.progress.stars_for(level_id):
        return
    try:
        save_progress(loaded.progress.record(level_id, stars), path)
    except OSError as error:
        print(f"diner code: warning: could not save the stars to {path} ({error.strerror or error})", file=sys.stderr)
