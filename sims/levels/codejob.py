"""The window's jobs for a code level, as plain data: grade a file, replay its counterexample.

Each runs in a :class:`game.background.BackgroundJob` process (player code never runs in the
window's process) and answers with dicts and lists only, so the answer pickles across the pipe.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from sims.explore.counterexample import Counterexample
from sims.levels.code import CodeLevel, load_code_levels
from sims.levels.codecheck import check_file


def _level(folder: str, level_id: str) -> CodeLevel:
    return next(level for level in load_code_levels(Path(folder)) if level.id == level_id)


def check_job(folder: str, level_id: str, path: str) -> dict[str, Any]:
    """Grade the player's file: the report as JSON, the stars, each rule, and the counterexample."""
    level = _level(folder, level_id)
    checked = check_file(level, Path(path))
    ce = checked.report.counterexample()
    return {
        **checked.report.to_json(),
        "stars": checked.stars,
        "rules": [(r.rule.rule.value, r.held, r.found) for r in checked.rules],
        "counterexample": None if ce is None else attrs.asdict(ce),
    }


def steps_job(ce_data: dict[str, Any]) -> dict[str, Any]:
    """Replay a counterexample on the file it names; every move with who holds what after it.

    The player's code runs here, so this process takes the grader worker's limits first."""
    from sims.explore.confine import confine
    from sims.explore.replay import NotLoaded, replay_here

    confine()
    try:
        done = replay_here(Counterexample(**ce_data))
    except NotLoaded as failed:  # the window words a failed job by its last line: this one says why
        raise RuntimeError(failed.finding.message) from None
    played = done.played
    moves = [
        {"agent": m.agent, "line": m.line, "op": m.op, "resource": m.resource, "holds": list(h)}
        for m, h in zip(played.moves, played.holds, strict=True)
    ]
    return {
        "names": list(done.names),
        "moves": moves,
        "verdict": played.finding.verdict.value,
        "message": played.finding.message,
        "same": done.same,
        "finding": played.finding.to_json(),
        "tables": list(played.tables),  # the table before the first move, then after each
    }
