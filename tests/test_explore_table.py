"""The table after each step of an explored run: what the counterexample stepper draws.

Taken once while the schedule plays, so any step is a lookup; a deadlock ends with each agent
blocked on the lock the other holds; a semaphore used as a signal counts permits given by
agents that never took one; the pass shows its items; a replay gives the same pictures.
"""

from __future__ import annotations

from pathlib import Path

from sims.exercises import exercise_named
from sims.explore.code import load
from sims.explore.search import Base, Played, Settings, following, play
from sims.explore.table import AgentState, TableAt
from sims.kinds import ResourceKind
from sims.levels.code import shipped_code_dir

PLAYER = Path(__file__).parent / "data" / "player"


def _source(name: str) -> Path:
    """A shipped level's file ("c07_dining/left_first") or one of the tests' own ("raises")."""
    return shipped_code_dir() / f"{name}.py" if "/" in name else PLAYER / f"{name}.py"


def _played(exercise: str, name: str, agents: int | None, picks: list[int]) -> Played:
    ex = exercise_named(exercise)
    settings = Settings(ex, load(_source(name), ex.roles), agents, 0)
    played = play(settings, following(picks, Base.STAY, agents or ex.default_agents), trace=True)
    assert len(played.tables) == len(played.moves) + 1  # before the first move, then after each
    return played


def _tables(exercise: str, name: str, agents: int | None, picks: list[int]) -> tuple[TableAt, ...]:
    return _played(exercise, name, agents, picks).tables


def test_a_deadlock_ends_with_each_philosopher_blocked_on_the_fork_the_other_holds() -> None:
    tables = _tables("dining", "c07_dining/left_first", 2, [0, 1] * 20)
    last = tables[-1]
    forks = {res.name: res for res in last.resources}
    assert [a.state for a in last.agents] == [AgentState.BLOCKED, AgentState.BLOCKED]
    for me, other in ((0, 1), (1, 0)):
        waits_on = last.resources[last.agents[me].waiting_on]
        assert waits_on.holders == (other,) and waits_on.waiters == (me,)
    assert forks["fork 0"].holders == (0,) and forks["fork 1"].holders == (1,)
    first = tables[0]
    assert all(a.state is AgentState.READY and a.line > 0 for a in first.agents)  # at their first operation
    assert all(not res.holders and not res.waiters for res in first.resources)


def test_the_mover_is_running_and_a_replay_gives_the_same_pictures() -> None:
    picks = [0, 1] * 20
    played = _played("dining", "c07_dining/left_first", 2, picks)
    ran = 0
    for mover, table in zip(played.schedule, played.tables[1:], strict=True):
        running = [i for i, a in enumerate(table.agents) if a.state is AgentState.RUNNING]
        assert running in ([mover], [])  # [] when the move blocked or ended it
        ran += running == [mover]
    assert ran > len(played.schedule) // 2
    assert _tables("dining", "c07_dining/left_first", 2, picks) == played.tables


def test_the_bounded_buffer_shows_signal_permits_and_the_items_on_the_pass() -> None:
    tables = _tables("buffer", "buffer_ok", 2, [0] * 200)
    kinds = {res.kind for t in tables for res in t.resources}
    assert ResourceKind.CONTAINER in kinds and ResourceKind.SEMAPHORE in kinds
    most = max(len(res.items) for t in tables for res in t.resources if res.kind is ResourceKind.CONTAINER)
    assert most > 0  # the producer, run alone, filled the pass
    full = next(r.index for r in tables[0].resources if r.name == "full")
    assert min(t.taken[full] for t in tables) < 0  # released by the producer, who never acquired it


def test_agents_the_run_never_started_are_not_ready(tmp_path: Path) -> None:
    code = tmp_path / "early.py"
    code.write_text('class Philosopher:\n    def run(self, me):\n        raise ValueError("no table")\n')
    ex = exercise_named("dining")
    played = play(Settings(ex, load(code, ex.roles), 3, 0), following([], Base.STAY, 3), trace=True)
    (table,) = played.tables  # the run ended as the first agent started: no step was taken
    assert [a.state for a in table.agents] == [AgentState.FAILED, AgentState.NOT_STARTED, AgentState.NOT_STARTED]
    assert table.agents[0].line == 3
