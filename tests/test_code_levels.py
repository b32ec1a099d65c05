"""Code and parsons levels: strict loading, stars read from the source, and each level's promise."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import attrs
import pytest

from sims.explore.grade import GradeRequest, grade_here
from sims.explore.kit import Checks
from sims.explore.verdict import Verdict
from sims.levels import SAVE_ENV, Progress, load_levels, load_progress
from sims.levels.code import MAX_BUDGET_S, Kind, check_code_files, load_code_levels, read_code_level, shipped_code_dir
from sims.levels.codecheck import verify_code_level
from sims.levels.codecli import ensure_player_file, keep_best, main, player_file
from sims.levels.codestars import stars
from sims.levels.ladder import code_open, in_campaign_order, misplaced, total_stars

PLAYER = Path(__file__).parent / "data" / "player"


def _copy_level(tmp_path: Path, level_id: str, edit: str = "", drop: str = "") -> Path:
    """A copy of a shipped level (TOML and folder) with ``drop`` removed and ``edit`` appended."""
    shutil.copytree(shipped_code_dir() / level_id, tmp_path / level_id)
    text = (shipped_code_dir() / f"{level_id}.toml").read_text(encoding="utf-8")
    if drop:
        assert drop in text
        text = text.replace(drop, "")
    path = tmp_path / f"{level_id}.toml"
    path.write_text(edit + "\n" + text, encoding="utf-8")
    return path


def test_shipped_code_levels_load_with_both_kinds() -> None:
    levels = load_code_levels()
    assert len(levels) >= 7
    assert {level.kind for level in levels} == {Kind.CODE, Kind.PARSONS}
    assert all(len(level.bad) >= 2 and level.title.zh and level.briefing.zh for level in levels)


@pytest.mark.parametrize(
    ("edit", "drop", "field", "words"),
    [
        ('kind = "program"', 'kind = "code"\n', "kind", "must be one of code, parsons"),
        ("", "budget_s = 1.0\n", "", ""),
        ("budget_s = 99", "budget_s = 1.0\n", "budget_s", "at most 15"),
        ('exercise = "juggling"', 'exercise = "rendezvous"\n', "exercise", "must be one of"),
        ('template = "missing.py"', 'template = "template.py"\n', "template", "not there"),
        ('colour = "red"', "", "colour", "unknown key"),
        ('template = "../../../pyproject.toml"', 'template = "template.py"\n', "template", "must stay in"),
        ('folder = "/etc"', "", "folder", "must be left out"),
    ],
)
def test_loader_refuses_with_file_and_field(tmp_path: Path, edit: str, drop: str, field: str, words: str) -> None:
    path = _copy_level(tmp_path, "c01_rendezvous", edit, drop)
    level, problems = read_code_level(path)
    if not field:  # a field with a default may be left out
        assert level is not None and not problems
        return
    assert level is None
    assert any(p.field == field and words in p.message and p.file == path for p in problems), problems


def test_loader_refuses_one_bad_variant_and_unknown_verdict(tmp_path: Path) -> None:
    path = _copy_level(tmp_path, "c01_rendezvous")
    text = path.read_text(encoding="utf-8").replace('verdict = "goal not met"', 'verdict = "oops"')
    path.write_text(text, encoding="utf-8")
    _, problems = read_code_level(path)
    assert any(p.field == "bad[1].verdict" and "'oops'" in p.message for p in problems), problems
    cut = text.split("[[bad]]")
    path.write_text(cut[0] + "[[bad]]" + cut[1] + cut[2][cut[2].index("[stars]") :], encoding="utf-8")
    _, problems = read_code_level(path)
    assert [str(p) for p in problems] == [f"{path}: bad: must list at least 2 known-bad variants, got 1"]


def test_parsons_level_needs_its_puzzle(tmp_path: Path) -> None:
    path = _copy_level(tmp_path, "c05_buffer")
    text = path.read_text(encoding="utf-8")
    start, end = text.index("[parsons]"), text.index("[title]")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    levels, problems = check_code_files(tmp_path)
    assert not levels
    assert [p.field for p in problems] == ["parsons"]


def test_stars_read_what_was_written() -> None:
    mutex = next(level for level in load_code_levels() if level.id == "c02_mutex")
    source = (PLAYER / "mutex_spin.py").read_text(encoding="utf-8")
    earned, rules = stars(mutex, source, ("Waiter",), passed=True)
    assert earned == 1
    assert rules[0].found.startswith("polls at line")
    reference = mutex.file(mutex.reference).read_text(encoding="utf-8")
    assert stars(mutex, reference, ("Waiter",), passed=True)[0] == 3
    assert stars(mutex, reference, ("Waiter",), passed=False)[0] == 0
    dining = next(level for level in load_code_levels() if level.id == "c07_dining")
    trylock = (PLAYER / "dining_trylock_marked.py").read_text(encoding="utf-8")
    assert stars(dining, trylock, ("Philosopher",), passed=True)[0] == 1


def _fast(request: GradeRequest) -> object:
    """In-process grading (the shipped files neither hang nor exit); a small budget for the references.

    A bad variant's search stops at its first failure, so its budget (verify's wide one) is only a
    safety net on a loaded machine; a reference's search runs out its budget, so it gets little.
    """
    wide = request.budget_s >= MAX_BUDGET_S
    return grade_here(attrs.evolve(request, budget_s=request.budget_s if wide else 0.3, free=False))


@pytest.mark.parametrize("level", load_code_levels(), ids=lambda level: level.id)
def test_each_level_keeps_its_promise(level: object) -> None:
    promises = list(verify_code_level(level, _fast))  # type: ignore[arg-type]
    assert promises and all(p.ok for p in promises), [p.describe() for p in promises]


def test_diner_code_makes_the_file_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    level = load_code_levels()[0]
    assert player_file(level, tmp_path) == tmp_path / "code" / f"{level.id}.py"
    mine = tmp_path / "mine.py"
    assert main(argparse.Namespace(level=level.id, code=mine, check=False)) == 0
    assert capsys.readouterr().out.strip() == str(mine)
    assert mine.read_text(encoding="utf-8") == level.file(level.template).read_text(encoding="utf-8")
    mine.write_text("# my work\n", encoding="utf-8")
    ensure_player_file(level, mine)
    assert mine.read_text(encoding="utf-8") == "# my work\n"  # never overwritten


def test_diner_code_refuses_unknown_and_parsons(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argparse.Namespace(level="nope", code=None, check=False)) == 2
    assert "no code level 'nope'" in capsys.readouterr().err
    assert main(argparse.Namespace(level="c05_buffer", code=None, check=False)) == 2
    assert "parsons level" in capsys.readouterr().err


def test_diner_code_keeps_the_best_stars_in_the_save_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    save = tmp_path / "elsewhere" / "save.json"
    monkeypatch.setenv(SAVE_ENV, str(save))
    keep_best("c02_mutex", 2)
    keep_best("c02_mutex", 1)  # a worse check never lowers the best
    assert load_progress(save).progress.best_stars == {"c02_mutex": 2}
    keep_best("c02_mutex", 3)
    assert load_progress(save).progress.stars_for("c02_mutex") == 3


def test_each_code_level_follows_a_campaign_level_and_counts_in_the_total() -> None:
    rounds, code = load_levels(), load_code_levels()
    assert misplaced(code, {level.id for level in rounds}) == []
    placed = in_campaign_order(rounds, code)
    place = [next(i for i, r in enumerate(rounds) if r.id == level.after) for level in placed]
    assert place == sorted(place) and {level.id for level in placed} == {level.id for level in code}
    first = placed[0]
    progress = Progress()
    assert not code_open(first, progress)
    progress = progress.record(first.after, 1)
    assert code_open(first, progress)
    progress = progress.record(first.id, 3)
    assert total_stars(rounds, code, progress) == (4, 3 * (len(rounds) + len(code)))


def test_a_code_level_after_no_campaign_level_is_refused(tmp_path: Path) -> None:
    path = _copy_level(tmp_path, "c02_mutex")
    path.write_text(path.read_text(encoding="utf-8").replace('after = "race-lock"', 'after = "race-lok"'))
    level, problems = read_code_level(path)
    assert level is not None and not problems
    found = misplaced([level], {"race-lock", "bell-event"})
    assert [(p.file, p.field) for p in found] == [(path, "after")]
    assert "must be a campaign level (bell-event, race-lock), got 'race-lok'" in found[0].message


def _checks(roles: list[str], **rules: object) -> Checks:
    checks = Checks([f"{role} {i}" for i, role in enumerate(roles)], (), **rules)  # type: ignore[arg-type]
    checks.roles.extend(roles)
    return checks


def test_groups_catch_a_molecule_of_the_wrong_atoms() -> None:
    makeup = (("bond", (("H", 2), ("O", 1))),)
    right = _checks(["O", "H", "H", "H", "O", "H"], groups=makeup)
    for agent in (1, 0, 2, 5, 3, 4):  # H O H, then H H O
        right.step("bond", agent, 0)
    assert right.failure is None
    wrong = _checks(["O", "H", "H", "H"], groups=makeup)
    for agent in (1, 2, 3):
        wrong.step("bond", agent, 7)
    assert wrong.failure is not None and wrong.failure.verdict is Verdict.GOAL and wrong.failure.line == 7
    assert "H 1, H 2, H 3" in wrong.failure.message


def test_bypass_catches_a_reader_entering_twice_while_a_writer_waits() -> None:
    checks = _checks(["W", "R", "R"], bypass=(("W", "read"),), seats=(("read", 8),))
    checks.waiting({0})
    for reader in (1, 2, 1):
        checks.enter("read", reader, 3)
        checks.leave("read", reader)
    assert checks.failure is not None and checks.failure.verdict is Verdict.STARVATION
    assert checks.failure.message.startswith("starvation: R 1 entered 'read' twice while W 0 waited")
    fair = _checks(["W", "R"], bypass=(("W", "read"),))
    for blocked in ({0}, set(), {0}):  # the writer's wait ended in between: a new wait starts afresh
        fair.waiting(blocked)
        fair.enter("read", 1, 3)
        fair.leave("read", 1)
    assert fair.failure is None
