"""Level files: the shipped campaign loads cleanly, malformed files are refused precisely, the CLI exits right."""

from __future__ import annotations

from pathlib import Path

import pytest

from sims.levels import LevelLoadError, LevelSpec, check_files, load_levels, shipped_levels_dir
from sims.levels.cli import main
from sims.levels.loader import Problem, make_converter
from sims.levels.schema import Goal, GoalSyntaxError, IntRange, Op, Text
from sims.levels.statnames import STATS

pytestmark = pytest.mark.timeout(60)

BAD = Path(__file__).parent / "data" / "bad_levels"

BASE = """\
id = "fixture"
order = 1
scenario = "dining"
backends = ["thread"]
seconds = 2
goals = ["deadlock == false", "operations_total >= 10"]
hints = [{ en = "No hint.", zh = "没有提示。" }]
title = { en = "Fixture", zh = "测试关卡" }
briefing = { en = "A level used by the tests.", zh = "测试用的关卡。" }
debrief = { en = "Done.", zh = "完成。" }
params = { agents = 5 }
choices = { strategies = ["naive", "ordered"], ranges = { seats = { min = 1, max = 5, default = 4 } } }
stars = { two = ["jain >= 0.9"], three = ["starved_count == 0"] }
reference = { strategy = "ordered" }
naive = { strategy = "naive" }
wrong = [{ strategy = "naive", commands = ["0.5:pause"] }]
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the shipped campaign -------------------------------------------------------------


def test_shipped_levels_load_sorted_by_order() -> None:
    levels = load_levels()
    assert len(levels) >= 14
    assert [level.order for level in levels] == sorted(level.order for level in levels)
    assert len({level.id for level in levels}) == len(levels)


def test_shipped_levels_include_scheduler_and_break_it_levels() -> None:
    levels = load_levels()
    assert sum(level.scheduler for level in levels) >= 3
    breaks = [level for level in levels if Goal.parse("deadlock == true") in level.goals]
    assert breaks, "a 'break it' dining level asks for a deadlock"


def test_shipped_levels_use_only_registered_statistics_and_both_languages() -> None:
    for level in load_levels():
        for tier in level.star_tiers():
            assert all(goal.stat in STATS for goal in tier)
        for text in (level.title, level.briefing, level.debrief, *level.hints):
            assert text.en.strip() and text.zh.strip()


def test_shipped_level_files_are_named_by_order() -> None:
    for path in sorted(shipped_levels_dir().glob("*.toml")):
        spec = LevelSpec.from_toml(path)
        assert path.name.startswith(f"{spec.order:02d}_")


def test_from_toml_reads_one_file(tmp_path: Path) -> None:
    spec = LevelSpec.from_toml(write(tmp_path, "fixture.toml", BASE))
    assert spec.id == "fixture"
    assert spec.seconds == 2.0 and isinstance(spec.seconds, float)  # an int is fine where a float is expected
    assert spec.goals[1] == Goal("operations_total", Op.GE, 10)
    assert spec.choices.ranges["seats"] == IntRange(1, 5, 4)
    settings = spec.settings(spec.naive)
    assert settings.strategy == "naive"
    assert dict(settings.params) == {"agents": 5, "seats": 4}


# --- malformed files ------------------------------------------------------------------

CASES = [
    ("extra_key.toml", "colour", "must be one of the known keys"),
    ("missing_field.toml", "scenario", "must be given"),
    ("string_int.toml", "order", "must be an integer, got '3'"),
    ("string_bool.toml", "scheduler", "must be true or false, got 'false'"),
    ("int_bool.toml", "scheduler", "must be true or false, got 1"),
    ("unknown_stat.toml", "goals[1]", "did you mean 'jain'"),
    ("bad_goal_syntax.toml", "goals[1]", "must be a goal like"),
    ("unknown_backend.toml", "backends[1]", "got 'fiber'"),
    ("reference_outside.toml", "reference.strategy", "got 'waiter'"),
    ("param_out_of_range.toml", "reference.params.seats", "got 9"),
    ("missing_zh.toml", "title.zh", "must be given"),
    ("empty_zh.toml", "briefing.zh", "must be non-empty"),
    ("free_star.toml", "stars.two[0]", "must ask more than the earlier stars"),
    ("invalid_toml.toml", "", "must be valid TOML"),
]


@pytest.mark.parametrize(("name", "field", "fragment"), CASES)
def test_each_malformed_file_is_refused_naming_file_and_field(name: str, field: str, fragment: str) -> None:
    path = BAD / name
    with pytest.raises(LevelLoadError) as caught:
        LevelSpec.from_toml(path)
    problems = caught.value.problems
    assert len(problems) == 1, problems
    assert problems[0].field == field
    assert fragment in problems[0].message
    prefix = f"{path}: {field}: " if field else f"{path}: "
    assert str(problems[0]).startswith(prefix)


def test_every_problem_of_a_file_is_reported_at_once() -> None:
    with pytest.raises(LevelLoadError) as caught:
        LevelSpec.from_toml(BAD / "many_errors.toml")
    assert {p.field for p in caught.value.problems} == {"order", "seconds", "goals[1]"}
    assert len(str(caught.value).splitlines()) == 3


def test_duplicate_ids_across_files_are_refused() -> None:
    levels, problems = check_files([BAD / "duplicate_id"])
    assert [p.field for p in problems] == ["id"]
    assert problems[0].file.name == "b.toml"
    assert "a.toml" in problems[0].message
    assert [level.id for level in levels] == ["fixture", "fixture"]  # each file is fine on its own


def test_duplicate_orders_across_files_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", BASE)
    write(tmp_path, "b.toml", BASE.replace('id = "fixture"', 'id = "other"'))
    _, problems = check_files([tmp_path])
    assert [(p.file.name, p.field) for p in problems] == [("b.toml", "order")]


def test_file_number_must_match_order(tmp_path: Path) -> None:
    with pytest.raises(LevelLoadError, match="order: must match the file name's number 7"):
        LevelSpec.from_toml(write(tmp_path, "07_fixture.toml", BASE))


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('scenario = "dining"', 'scenario = "karaoke"', "scenario"),
        ('id = "fixture"', 'id = "Fixture Level"', "id"),
        ("seconds = 2", "seconds = 0", "seconds"),
        ('reference = { strategy = "ordered" }', 'reference = { strategy = "naive" }', "naive"),
        ('naive = { strategy = "naive" }', 'naive = { strategy = "naive", schedule = [0, 1] }', "naive.schedule"),
        (
            "seats = { min = 1, max = 5, default = 4 }",
            "seats = { min = 1, max = 5, default = 9 }",
            "choices.ranges.seats.default",
        ),
        ('strategies = ["naive", "ordered"]', 'strategies = ["naive", "ordered", "juggle"]', "choices.strategies[2]"),
        ("params = { agents = 5 }", "params = { agents = 5, forks = 3 }", "params.forks"),
        ("params = { agents = 5 }", "params = { agents = 500 }", "params.agents"),
        ('three = ["starved_count == 0"]', 'three = ["jain <= 0.5"]', "stars.three[0]"),
        ('"deadlock == false"', '"deadlock >= 1"', "goals[0]"),
        ('reference = { strategy = "ordered" }', 'reference = { commands = ["1:juggle 0"] }', "reference.commands[0]"),
        ('reference = { strategy = "ordered" }', 'reference = { commands = ["9:kill 0"] }', "reference.commands[0]"),
        ('reference = { strategy = "ordered" }', 'reference = { commands = ["kill 0"] }', "reference.commands[0]"),
    ],
)
def test_meaning_problems_name_the_field(tmp_path: Path, old: str, new: str, field: str) -> None:
    assert old in BASE
    with pytest.raises(LevelLoadError) as caught:
        LevelSpec.from_toml(write(tmp_path, "fixture.toml", BASE.replace(old, new)))
    assert field in [p.field for p in caught.value.problems], caught.value.problems


def test_scheduler_levels_need_schedules_of_agent_indices(tmp_path: Path) -> None:
    text = BASE.replace("seconds = 2", "seconds = 2\nscheduler = true")
    text = text.replace('reference = { strategy = "ordered" }', "reference = { schedule = [0, 1, -7] }")
    with pytest.raises(LevelLoadError) as caught:
        LevelSpec.from_toml(write(tmp_path, "fixture.toml", text))
    fields = {p.field: p.message for p in caught.value.problems}
    assert "must be an agent index (0 or more), got -7" in fields["reference.schedule[2]"]
    assert "naive.schedule" in fields


# --- strict scalars -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "tp", "fragment"),
    [
        ("3", int, "an integer"),
        (True, int, "an integer"),
        ("false", bool, "true or false"),
        (1, bool, "true or false"),
        (3, str, "a string"),
        ("2.5", float, "a number"),
        (False, float, "a number"),
    ],
)
def test_strict_hooks_refuse_lookalikes(value: object, tp: type, fragment: str) -> None:
    with pytest.raises(TypeError, match=fragment):
        make_converter().structure(value, tp)


def test_ints_are_accepted_where_floats_are_expected() -> None:
    assert make_converter().structure(3, float) == 3.0


def test_a_string_is_not_a_list_of_texts() -> None:
    with pytest.raises(TypeError, match="must be a list"):
        make_converter().structure("abc", tuple[Text, ...])


# --- goal syntax ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "goal"),
    [
        ("jain >= 0.9", Goal("jain", Op.GE, 0.9)),
        ("deadlock == false", Goal("deadlock", Op.EQ, False)),
        ("  lost_updates==0 ", Goal("lost_updates", Op.EQ, 0)),
        ("over_capacity_ns < 1e6", Goal("over_capacity_ns", Op.LT, 1e6)),
        ("timeouts_total != 3", Goal("timeouts_total", Op.NE, 3)),
    ],
)
def test_goals_parse(text: str, goal: Goal) -> None:
    assert Goal.parse(text) == goal
    assert Goal.parse(str(goal)) == goal


@pytest.mark.parametrize(
    "text", ["jain => 0.9", "jain >= ", "jain >= x", "__import__('os') == 1", "jain >= 0.9; x", "Jain >= 1"]
)
def test_goal_text_is_data_never_code(text: str) -> None:
    with pytest.raises(GoalSyntaxError):
        Goal.parse(text)


# --- the check command ----------------------------------------------------------------


def test_check_without_files_checks_the_shipped_levels(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the levels are found next to the package, not in the working directory
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: ") and len(out.splitlines()) == 1


def test_check_reports_every_error_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(BAD / "many_errors.toml"), str(BAD / "string_bool.toml")]) == 2
    err = capsys.readouterr().err
    assert err.count("many_errors.toml: ") == 3
    assert "string_bool.toml: scheduler: " in err
    assert "4 problem(s) in 2 file(s)" in err


def test_check_a_good_file_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(write(tmp_path, "fixture.toml", BASE))]) == 0
    assert "OK: 1 levels" in capsys.readouterr().out


def test_check_a_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "nope.toml")]) == 2
    assert "nope.toml: must be a readable file" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [[], ["juggle"], ["check", "--frobnicate"], ["verify", "--rounds", "0"]])
def test_usage_errors_exit_2_without_raising(argv: list[str]) -> None:
    assert main(argv) == 2


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "check" in capsys.readouterr().out


def test_problem_without_field_names_only_the_file() -> None:
    assert str(Problem(Path("x.toml"), "", "must be valid TOML, got: oops")) == "x.toml: must be valid TOML, got: oops"


def test_a_knob_the_engine_lacks_is_reported_once(tmp_path: Path) -> None:
    text = BASE.replace("ranges = { seats", "ranges = { juggle = { min = 1, max = 3, default = 1 }, seats")
    with pytest.raises(LevelLoadError) as caught:
        LevelSpec.from_toml(write(tmp_path, "fixture.toml", text))
    assert [p.field for p in caught.value.problems] == ["choices.ranges.juggle.min"]
    assert "must be a parameter of dining" in caught.value.problems[0].message


def test_levels_are_frozen_all_the_way_down() -> None:
    levels = load_levels()
    assert len({hash(level) for level in levels}) == len(levels)
    with pytest.raises(TypeError):
        levels[0].params["agents"] = 99  # type: ignore[index]
