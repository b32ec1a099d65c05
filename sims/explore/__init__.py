"""The schedule explorer: grade player code by choosing who moves at every operation.

Real threads and real primitives; the explorer only decides which agent takes the next
step. ``diner grade`` and ``diner replay`` are its command line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sims.lazy import lazy_exports

_PUBLIC = {
    "Counterexample": "sims.explore.counterexample",
    "Evidence": "sims.explore.verdict",
    "Fact": "sims.explore.verdict",
    "ENGLISH_FACTS": "sims.explore.verdict",
    "Finding": "sims.explore.verdict",
    "Verdict": "sims.explore.verdict",
    "Why": "sims.explore.verdict",
    "ENGLISH": "sims.explore.verdict",
    "say": "sims.explore.verdict",
    "AgentState": "sims.explore.table",
    "TableAt": "sims.explore.table",
    "GradeReport": "sims.explore.grade",
    "GradeRequest": "sims.explore.grade",
    "grade": "sims.explore.grade",
    "grade_here": "sims.explore.grade",
    "PlayerCode": "sims.explore.code",
    "BadCode": "sims.explore.code",
    "OldNameUsed": "sims.explore.code",
    "check_code": "sims.explore.code:check",
    "load": "sims.explore.code",
    "Found": "sims.explore.search",
    "Settings": "sims.explore.search",
    "explore": "sims.explore.search",
    "Run": "sims.explore.run",
    "replay_here": "sims.explore.replay",
}
__getattr__, __dir__ = lazy_exports(__name__, _PUBLIC)
__all__ = [
    "ENGLISH",
    "ENGLISH_FACTS",
    "AgentState",
    "BadCode",
    "Counterexample",
    "Evidence",
    "Fact",
    "Finding",
    "Found",
    "GradeReport",
    "GradeRequest",
    "OldNameUsed",
    "PlayerCode",
    "Run",
    "Settings",
    "TableAt",
    "Verdict",
    "Why",
    "check_code",
    "explore",
    "grade",
    "grade_here",
    "load",
    "replay_here",
    "say",
]

if TYPE_CHECKING:
    from sims.explore.code import BadCode, OldNameUsed, PlayerCode, load
    from sims.explore.code import check as check_code
    from sims.explore.counterexample import Counterexample
    from sims.explore.grade import GradeReport, GradeRequest, grade, grade_here
    from sims.explore.replay import replay_here
    from sims.explore.run import Run
    from sims.explore.search import Found, Settings, explore
    from sims.explore.table import AgentState, TableAt
    from sims.explore.verdict import ENGLISH, ENGLISH_FACTS, Evidence, Fact, Finding, Verdict, Why, say
