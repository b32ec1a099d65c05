"""The schedule explorer grades player code: wrong code fails with the right verdict and a
counterexample that replays to it; right code passes; misbehaving code gets a verdict and
leaves nothing behind (the autouse leak check)."""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path
from typing import Any

import pytest

from sims.cli import main
from sims.exercises import exercise_named
from sims.explore.code import load
from sims.explore.counterexample import Counterexample
from sims.explore.grade import GradeRequest, grade, grade_here
from sims.explore.replay import replay_here
from sims.explore.run import Run
from sims.explore.search import Base, Settings, explore, following, play, randomised, walk
from sims.explore.verdict import Verdict
from sims.levels.code import shipped_code_dir

PLAYER = Path(__file__).parent / "data" / "player"  # misbehaving code no level ships


def _file(name: str) -> Path:
    """A shipped level's file ("c07_dining/left_first") or one of the tests' own ("raises")."""
    return shipped_code_dir() / f"{name}.py" if "/" in name else PLAYER / f"{name}.py"


BUDGET_S = 2.0


def _settings(exercise: str, name: str, agents: int | None = None, seed: int = 0) -> Settings:
    ex = exercise_named(exercise)
    return Settings(ex, load(_file(name), ex.roles), agents, seed)


@pytest.mark.parametrize(
    ("exercise", "name", "agents", "verdict"),
    [
        ("dining", "c07_dining/left_first", 2, Verdict.DEADLOCK),
        ("dining", "c07_dining/left_first", 5, Verdict.DEADLOCK),
        ("dining", "c07_dining/one_fork", 3, Verdict.MUTUAL_EXCLUSION),
        ("buffer", "c05_buffer/mutex_first", None, Verdict.DEADLOCK),
        ("buffer", "buffer_no_mutex", None, Verdict.ITEM_LOST),
        ("barrier", "c04_barrier/once", None, Verdict.GOAL),
        ("barrier", "c04_barrier/off_by_one", None, Verdict.STALL),
        ("barrier", "barrier_spin", 2, Verdict.STARVATION),
        ("monitor", "c06_monitor/if_wait", None, Verdict.ITEM_DUPLICATED),
        ("monitor", "c06_monitor/one_condition", None, Verdict.STALL),
    ],
)
def test_wrong_code_fails_and_its_counterexample_replays(
    exercise: str, name: str, agents: int | None, verdict: Verdict, tmp_path: Path
) -> None:
    settings = _settings(exercise, name, agents)
    found = explore(settings, BUDGET_S)
    assert found.played.finding.verdict is verdict, found.played.finding
    ce = Counterexample(
        exercise,
        agents or settings.exercise.default_agents,
        0,
        settings.code.path,
        "",
        found.phase.value,
        verdict.value,
        found.played.finding.message,
        list(found.played.schedule),
    )
    ce.save(tmp_path / "ce.json")
    again = replay_here(Counterexample.load(tmp_path / "ce.json"))
    assert again.same
    assert again.played.finding == found.played.finding
    assert [m.agent for m in again.played.moves] == list(found.played.schedule)


@pytest.mark.parametrize(
    ("name", "agents", "kind"), [("barrier_spin", 2, "livelock:"), ("barrier_hog", None, "starvation:")]
)
def test_livelock_and_starvation_are_told_apart(name: str, agents: int | None, kind: str) -> None:
    finding = explore(_settings("barrier", name, agents), BUDGET_S).played.finding
    assert finding.verdict is Verdict.STARVATION
    assert finding.message.startswith(kind), finding.message


def test_the_deadlock_names_its_cycle() -> None:
    finding = explore(_settings("dining", "c07_dining/left_first", 3), BUDGET_S).played.finding
    assert finding.evidence == (
        "philosopher 0 waits on 'fork 1' (lock), holds fork 0",
        "philosopher 1 waits on 'fork 2' (lock), holds fork 1",
        "philosopher 2 waits on 'fork 0' (lock), holds fork 2",
    )


def test_same_seed_same_random_counterexample_and_it_replays(tmp_path: Path) -> None:
    settings = _settings("dining", "c07_dining/left_first", 4, seed=7)
    first, second = (randomised(settings, 4, time.monotonic() + 60, [0, 0], 50) for _ in range(2))
    assert first is not None and second is not None
    assert first.played.finding.verdict is Verdict.DEADLOCK
    assert (first.played.schedule, first.runs, first.run_seed) == (second.played.schedule, second.runs, second.run_seed)
    ce = Counterexample("dining", 4, 7, settings.code.path, "", "random", "deadlock", "", list(first.played.schedule))
    assert replay_here(ce).played.finding == first.played.finding


def test_other_seeds_other_random_schedules() -> None:
    found = [
        randomised(_settings("dining", "c07_dining/left_first", 4, seed=s), 4, time.monotonic() + 60, [0, 0], 50)
        for s in range(3)
    ]
    assert len({f.played.schedule for f in found if f is not None}) > 1


@pytest.mark.parametrize(
    ("exercise", "name"),
    [
        ("dining", "c07_dining/reference"),
        ("buffer", "buffer_ok"),
        ("barrier", "c04_barrier/reference"),
        ("monitor", "c06_monitor/reference"),
        ("dining", "dining_trylock"),
    ],
)
def test_right_code_passes(exercise: str, name: str) -> None:
    found = explore(_settings(exercise, name), 1.0)
    assert found.played.finding.verdict is Verdict.PASS
    assert found.runs > 1  # it did search


@pytest.mark.parametrize(
    ("name", "verdict", "line"),
    [
        ("raises", Verdict.EXCEPTION, 4),
        ("loops", Verdict.NEVER_YIELDS, 3),
        ("sleeps", Verdict.RAW_SLEEP, 7),
        ("exits", Verdict.EXITED, 0),
    ],
)
def test_misbehaving_code_gets_a_verdict_in_the_worker(name: str, verdict: Verdict, line: int) -> None:
    report = grade(GradeRequest("dining", str(_file(name)), 2, 0, 1.0))
    assert report.finding.verdict is verdict, report.finding
    assert report.finding.line == line


def test_cli_grade_fails_saves_and_replays(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    saved = tmp_path / "naive.json"
    args = ["grade", "dining", str(_file("c07_dining/left_first")), "--agents", "2", "--budget", "1", "--json"]
    assert main([*args, "--save", str(saved)]) == 1
    answer = json.loads(capsys.readouterr().out)
    assert (answer["passed"], answer["verdict"], answer["counterexample"]) == (False, "deadlock", str(saved))
    assert main(["replay", str(saved)]) == 0
    out = capsys.readouterr().out
    assert "same verdict as recorded" in out
    assert out.count("philosopher") >= len(answer["schedule"])


def test_cli_grade_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grade", "buffer", str(PLAYER / "buffer_ok.py"), "--budget", "1"]) == 0
    assert "verdict: pass" in capsys.readouterr().out


def _counterexample(tmp_path: Path, **change: object) -> str:
    data = {
        "exercise": "dining",
        "agents": 2,
        "seed": 0,
        "code": str(_file("c07_dining/left_first")),
        "code_sha256": "0" * 64,
        "phase": "systematic",
        "verdict": "deadlock",
        "message": "m",
        "schedule": [0, 1],
        "evidence": [],
        "line": 0,
        "backend": "thread",
        "format": "diner-counterexample",
        "version": 1,
        **change,
    }
    path = tmp_path / "ce.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("change", "culprit"),
    [
        ({"agents": 10**6}, "field 'agents': dining takes 2 to 8, got 1000000"),
        ({"agents": 0}, "field 'agents'"),
        ({"backend": "gpu"}, "field 'backend'"),
    ],
)
def test_a_counterexample_the_engine_cannot_replay_is_refused(
    change: dict[str, object], culprit: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["replay", _counterexample(tmp_path, **change)]) == 2
    err = capsys.readouterr().err
    assert culprit in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("make", "culprit"),
    [
        (os.mkfifo, "must be a regular file, got a FIFO"),
        (lambda p: p.write_text("[" * 100_000 + "]" * 100_000), "not JSON"),
        (lambda p: p.write_text("[" * 40 + "]" * 40), "nest tables and lists at most"),
    ],
)
def test_a_counterexample_file_is_read_defensively(
    make: Any, culprit: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "ce.json"
    make(path)
    assert main(["replay", str(path)]) == 2
    err = capsys.readouterr().err
    assert culprit in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "culprit"),
    [
        (["grade", "nosuch", "x.py"], "argument exercise: unknown exercise 'nosuch'"),
        (["grade", "dining", "missing.py"], "argument file: missing.py: cannot read it"),
        (["grade", "buffer", str(_file("c07_dining/left_first"))], "defines no class 'Producer'"),
        (["grade", "dining", str(_file("c07_dining/left_first")), "--budget", "nan"], "argument --budget"),
        (["grade", "dining", str(_file("c07_dining/left_first")), "--agents", "1"], "argument --agents"),
        (["replay", str(_file("c07_dining/left_first"))], "argument file:"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv: list[str], culprit: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert culprit in err
    assert err.count("\n") == 1


def test_a_free_run_that_stalls_says_who_waits_on_what() -> None:
    settings = _settings("barrier", "c04_barrier/off_by_one")
    run = Run(settings.exercise, settings.code, None, 0, False, 1.0, 2)
    try:
        finding = run.run_free(1.0)
    finally:
        assert run.close() == []
    assert finding.verdict is Verdict.STALL
    assert finding.evidence == tuple(f"worker {i} waits on 'turnstile' (semaphore), holds nothing" for i in range(3))


def test_a_free_run_of_right_code_passes() -> None:
    settings = _settings("monitor", "c06_monitor/reference")
    run = Run(settings.exercise, settings.code, None, 0, False, 1.0, 20)
    try:
        assert run.run_free(30.0).verdict is Verdict.PASS
    finally:
        assert run.close() == []


def _on_processes(exercise: str, name: str, agents: int) -> Settings:
    ex = exercise_named(exercise)
    return Settings(ex, load(_file(name), ex.roles), agents, 0, backend="process")


def test_process_agents_deadlock_and_the_counterexample_replays() -> None:
    settings = _on_processes("dining", "c07_dining/left_first", 2)
    found = explore(settings, 30.0)
    assert found.played.finding.verdict is Verdict.DEADLOCK
    ce = Counterexample(
        "dining",
        2,
        0,
        settings.code.path,
        "",
        "systematic",
        "deadlock",
        "",
        list(found.played.schedule),
        backend="process",
    )
    again = replay_here(ce)
    assert again.same and again.played.finding == found.played.finding
    assert again.played.holds[-1] == ("fork 0", "fork 1")


@pytest.mark.parametrize(
    ("name", "verdict", "line"),
    [
        ("exits", Verdict.EXITED, 6),
        ("sleeps", Verdict.RAW_SLEEP, 6),
        ("raises", Verdict.EXCEPTION, 4),
        ("loops", Verdict.NEVER_YIELDS, 0),
    ],
)
def test_process_agents_that_misbehave_are_ended(name: str, verdict: Verdict, line: int) -> None:
    finding = explore(_on_processes("dining", name, 2), 30.0).played.finding
    assert (finding.verdict, finding.line) == (verdict, line), finding


@pytest.mark.parametrize(
    ("exercise", "name", "verdict"),
    [("buffer", "buffer_no_mutex", Verdict.ITEM_LOST), ("barrier", "c04_barrier/once", Verdict.GOAL)],
)
def test_counters_and_the_pass_are_shared_by_process_agents(exercise: str, name: str, verdict: Verdict) -> None:
    settings = _on_processes(exercise, name, exercise_named(exercise).default_agents)
    found = explore(settings, 30.0)
    thread_found = explore(_settings(exercise, name), 30.0)
    assert found.played.finding == thread_found.played.finding
    assert found.played.finding.verdict is verdict
    assert found.played.schedule == thread_found.played.schedule  # the same run, agent for agent


def test_right_code_passes_on_process_agents() -> None:
    assert explore(_on_processes("buffer", "buffer_ok", 2), 3.0).played.finding.verdict is Verdict.PASS


def test_a_file_that_raises_while_loading_is_an_exception_with_its_line(tmp_path: Path) -> None:
    player = tmp_path / "broken.py"
    player.write_text('class Philosopher:\n    def run(self, me):\n        pass\n\n\nraise RuntimeError("top")\n')
    report = grade_here(GradeRequest("dining", str(player), 2, 0, 1.0))
    assert (report.finding.verdict, report.finding.line, report.phase) == (Verdict.EXCEPTION, 6, "load")


@pytest.mark.parametrize("seed", range(4))
def test_any_schedule_plays_the_same_twice(seed: int) -> None:
    settings = _settings("monitor", "c06_monitor/reference", seed=seed)
    first = play(settings, walk(random.Random(seed)), trace=True)
    again = play(settings, following(first.schedule, Base.STAY, 4), trace=True)
    assert first.finding.verdict is Verdict.PASS
    assert (again.moves, again.holds, again.finding) == (first.moves, first.holds, first.finding)
