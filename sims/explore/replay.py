"""``diner replay``: play a saved schedule again, step by step, and compare the verdict."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from sims.exercises import exercise_named
from sims.explore.code import error_line, sentence
from sims.explore.counterexample import Counterexample, sha256_of
from sims.explore.grade import LOAD_S, load_within
from sims.explore.search import Base, Played, Settings, following, play
from sims.explore.verdict import Finding, Verdict, Why

YIELD_S = 1.0


@attrs.frozen
class Replayed:
    counterexample: Counterexample
    played: Played
    names: tuple[str, ...]
    code_changed: bool

    @property
    def same(self) -> bool:
        return self.played.finding.verdict.value == self.counterexample.verdict


class NotLoaded(Exception):
    """The file named by the counterexample did not load: its finding says why."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


def replay_here(ce: Counterexample) -> Replayed:
    """Run the saved schedule on the file it names, recording every move (NotLoaded if it cannot load)."""
    ex = exercise_named(ce.exercise)
    path = Path(ce.code)
    try:
        code = load_within(path, ex.roles, LOAD_S)
    except SystemExit:
        raise
    except BaseException as error:  # the file raised at its top level: a verdict, as when grading it
        line = error_line(error, str(path.resolve()))
        raise NotLoaded(Finding.of(Verdict.EXCEPTION, Why.LOAD_RAISED, -1, line, error=sentence(error))) from None
    if code is None:
        raise NotLoaded(Finding.of(Verdict.NEVER_YIELDS, Why.WORKER_SILENT))
    settings = Settings(ex, code, ce.agents, ce.seed, yield_s=YIELD_S, backend=ce.backend)
    played = play(settings, following(ce.schedule, Base.STAY, ce.agents), trace=True)
    return Replayed(ce, played, played.names, sha256_of(path) != ce.code_sha256)


def replay_job(ce: Counterexample) -> dict[str, Any]:
    """The worker's side: the replay as plain lines and a verdict."""
    try:
        done = replay_here(ce)
    except NotLoaded as failed:
        verdict = failed.finding.verdict.value
        return {"lines": [describe(failed.finding)], "verdict": verdict, "same": verdict == ce.verdict}
    return {"lines": render(done), "verdict": done.played.finding.verdict.value, "same": done.same}


def render(done: Replayed) -> list[str]:
    ce, played = done.counterexample, done.played
    lines = [f"replay of {ce.exercise} ({ce.agents} {ce.backend} agents, seed {ce.seed}) on {ce.code}"]
    if done.code_changed:
        lines.append("note: the file changed since this counterexample was saved")
    width = max(len(n) for n in done.names)
    for number, (move, holds) in enumerate(zip(played.moves, played.holds, strict=True), 1):
        what = f"{move.op} {move.resource!r}" if move.resource else move.op
        held = "; ".join(f"{done.names[a]}: {h}" for a, h in enumerate(holds) if h != "nothing")
        lines.append(
            f"{number:4}  {done.names[move.agent]:<{width}}  line {move.line:<4} {what:<34} holds: {held or '-'}"
        )
    lines.append(describe(played.finding))
    lines.extend(f"  {e}" for e in played.finding.evidence)
    recorded = ce.verdict
    lines.append("same verdict as recorded" if done.same else f"DIFFERENT verdict: recorded {recorded!r}")
    return lines


def describe(finding: Finding) -> str:
    where = f" (line {finding.line})" if finding.line else ""
    if finding.verdict is Verdict.PASS:
        return f"verdict: pass - {finding.message}"
    return f"verdict: {finding.verdict.value}{where} - {finding.message}"
