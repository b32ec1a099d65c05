"""``diner replay``: play a saved schedule again, step by step, and compare the verdict."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from sims.exercises import exercise_named
from sims.explore.code import load
from sims.explore.counterexample import Counterexample, sha256_of
from sims.explore.search import Base, Played, Settings, following, play
from sims.explore.verdict import Finding, Verdict

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


def replay_here(ce: Counterexample) -> Replayed:
    """Run the saved schedule on the file it names, recording every move."""
    ex = exercise_named(ce.exercise)
    path = Path(ce.code)
    code = load(path, ex.roles)
    settings = Settings(ex, code, ce.agents, ce.seed, yield_s=YIELD_S, backend=ce.backend)
    played = play(settings, following(ce.schedule, Base.STAY, ce.agents), trace=True)
    return Replayed(ce, played, played.names, sha256_of(path) != ce.code_sha256)


def replay_job(ce: Counterexample) -> dict[str, Any]:
    """The worker's side: the replay as plain lines and a verdict."""
    done = replay_here(ce)
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
