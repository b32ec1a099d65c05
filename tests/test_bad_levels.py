"""A corpus of malformed level and save files: each is refused with a message naming the file
and what is wrong, never a traceback, a hang or unbounded memory (issue 13)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from test_levels import BASE

from sims.levels import check_files
from sims.levels.checks import satisfiable
from sims.levels.cli import main as levels_main
from sims.levels.loader import MAX_PROBLEMS
from sims.levels.progress import Progress, load_progress, save_progress
from sims.levels.schema import Goal
from sims.textfile import MAX_BYTES, MAX_DEPTH

pytestmark = pytest.mark.timeout(60)
NOW = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)


def replaced(old: str, new: str) -> Callable[[Path], Path]:
    """A level file: the fixture with one line changed."""

    def make(path: Path) -> Path:
        assert old in BASE
        path.write_text(BASE.replace(old, new), encoding="utf-8")
        return path

    return make


def raw(data: bytes) -> Callable[[Path], Path]:
    def make(path: Path) -> Path:
        path.write_bytes(data)
        return path

    return make


def symlink_to(target: str) -> Callable[[Path], Path]:
    def make(path: Path) -> Path:
        path.symlink_to(target)
        return path

    return make


def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def folder(path: Path) -> Path:
    path.mkdir()
    return path


def link_to_fifo(path: Path) -> Path:
    os.mkfifo(path.with_suffix(".fifo"))
    path.symlink_to(path.with_suffix(".fifo"))
    return path


KITCHEN = BASE.replace('scenario = "dining"', 'scenario = "kitchen"').replace(
    'choices = { strategies = ["naive", "ordered"], ranges = { seats = { min = 1, max = 5, default = 4 } } }',
    'choices = { strategies = ["semaphores", "queue"] }',
).replace("params = { agents = 5 }", "").replace('wrong = [{ strategy = "naive",', 'wrong = [{ strategy = "queue",')

LEVELS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "not utf-8": (raw(BASE.encode() + b'\nnote = "\xff\xfe"\n'), "must be UTF-8 text, got bytes ff fe"),
    "deep nesting": (raw(b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n"), "nest tables and lists at most"),
    "nesting past the limit": (raw(b"x = " + b"[" * (MAX_DEPTH + 2) + b"]" * (MAX_DEPTH + 2)), f"at most {MAX_DEPTH}"),
    "5000-digit integer": (replaced("order = 1", "order = " + "9" * 5000), "must be valid TOML"),
    "309-digit goal": (replaced('"operations_total >= 10"', '"operations_total >= ' + "9" * 309 + '"'), "finite"),
    "309-digit parameter": (replaced("agents = 5", "agents = 1" + "0" * 308), "params.agents"),
    "nan seconds": (replaced("seconds = 2", "seconds = nan"), "seconds: must be a number (not nan or inf)"),
    "inf seconds": (replaced("seconds = 2", "seconds = inf"), "seconds: must be a number (not nan or inf)"),
    "nan parameter": (replaced("agents = 5", "agents = 5, eat_ms = nan"), "params.eat_ms"),
    "1e309 parameter": (replaced("agents = 5", "agents = 5, eat_ms = 1e309"), "params.eat_ms"),
    "symlink to /dev/zero": (symlink_to("/dev/zero"), "must be a regular file, got a character device"),
    "symlink to /dev/urandom": (symlink_to("/dev/urandom"), "must be a regular file, got a character device"),
    "FIFO": (fifo, "must be a regular file, got a FIFO"),
    "symlink to a FIFO": (link_to_fifo, "must be a regular file, got a FIFO"),
    "empty folder": (folder, "got a folder without any"),
    "dangling symlink": (symlink_to("/nonexistent/level.toml"), "must be a readable file"),
    "name too long": (lambda path: path.with_name("x" * 300 + ".toml"), "File name too long"),
    "over the size limit": (raw(b"# padding\n" * (MAX_BYTES // 10 + 1)), f"must be at most {MAX_BYTES} bytes"),
    "NUL in a title": (replaced('en = "Fixture"', 'en = "Fix\\u0000ture"'), "title.en: must be printable text"),
    "escape in a hint": (replaced('en = "No hint."', 'en = "No \\u001b[31mhint."'), "hints[0].en"),
    "bidi override in a title": (replaced('en = "Fixture"', 'en = "Fix\\u202eture"'), "title.en: must be printable"),
    "line separator in a hint": (
        replaced('en = "No hint."', 'en = "No\\u2028hint."'),
        "hints[0].en: must be printable",
    ),
    "C1 control in a debrief": (replaced('en = "Done."', 'en = "Done\\u0085"'), "debrief.en: must be printable"),
    "a title of 10,000 characters": (replaced('en = "Fixture"', f'en = "{"W" * 10_000}"'), "title.en: must be at most"),
    "an id of 10,000 characters": (replaced('id = "fixture"', f'id = "{"x" * 10_000}"'), "id: must be at most 64"),
    "unreachable goal": (replaced('["jain >= 0.9"]', '["jain >= 2"]'), "must be reachable (jain is always 0..1)"),
    "negative count": (replaced('["starved_count == 0"]', '["starved_count < 0"]'), "must be reachable"),
}


REFERENCE, NAIVE = 'reference = { strategy = "ordered" }', 'naive = { strategy = "naive" }'


def changed(base: str, *changes: tuple[str, str]) -> Callable[[Path], Path]:
    def make(path: Path) -> Path:
        text = base
        for old, new in changes:
            assert old in text
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
        return path

    return make


LEVELS["kill an agent that does not exist"] = (
    changed(
        BASE,
        ('backends = ["thread"]', 'backends = ["process"]'),
        (REFERENCE, 'reference = { strategy = "ordered", commands = ["0.5:kill 999"] }'),
    ),
    "reference: must be a round the engine can start on process, got: no agent 999",
)
LEVELS["a wrong choice that kills a thread"] = (
    changed(BASE, ('commands = ["0.5:pause"]', 'commands = ["0.5:kill 0"]')),
    "wrong[0]: must be a round the engine can start on thread, got: 'kill' sends a signal to a process",
)
LEVELS["step an agent that does not exist"] = (
    changed(
        BASE,
        ("seconds = 2", "seconds = 2\nscheduler = true"),
        (REFERENCE, 'reference = { strategy = "ordered", schedule = [0, 999] }'),
        (NAIVE, 'naive = { strategy = "naive", schedule = [0] }'),
        (
            'wrong = [{ strategy = "naive", commands = ["0.5:pause"] }]',
            'wrong = [{ strategy = "naive", schedule = [1] }]',
        ),
    ),
    "no agent 999",
)
LEVELS["resize a signalling semaphore"] = (
    changed(
        KITCHEN,
        (REFERENCE, 'reference = { strategy = "semaphores", commands = ["1:resize full 8"] }'),
        (NAIVE, 'naive = { strategy = "queue" }'),
    ),
    "'full' cannot be resized: it counts dishes",
)


@pytest.mark.parametrize("case", sorted(LEVELS))
def test_a_malformed_level_file_is_refused_with_one_line_naming_it(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make, fragment = LEVELS[case]
    path = make(tmp_path / "01_bad.toml")
    levels, problems = check_files([path])
    assert not levels and problems
    assert any(fragment in str(p) for p in problems), [str(p) for p in problems]
    assert levels_main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert all(line.startswith(str(path)[:200]) for line in err.splitlines()[:-1])


def test_the_fixture_itself_passes(tmp_path: Path) -> None:
    """The corpus above fails because of its one change, not because the base is bad."""
    path = tmp_path / "01_good.toml"
    path.write_text(BASE, encoding="utf-8")
    assert check_files([path])[1] == ()


def test_a_file_of_unknown_keys_reports_a_capped_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    keys = "".join(f"unknown_key_{i} = {i}\n" for i in range(40_000))  # just under the size limit
    path = tmp_path / "01_keys.toml"
    path.write_text(BASE + keys, encoding="utf-8")
    assert levels_main(["check", str(path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == MAX_PROBLEMS + 2  # the problems shown, "and N more", the count
    assert f"and {40_000 - MAX_PROBLEMS} more problems" in err[-2]


def test_a_thousand_goals_are_checked_goal_by_goal(tmp_path: Path) -> None:
    """The checker keeps one interval per statistic: 3,000 goals take as long as 3,000 steps
    (the old search over test points was cubic and took a minute for 1,000)."""
    ladder = ", ".join(f'"operations_total >= {i}"' for i in range(1, 3001))
    path = tmp_path / "01_ladder.toml"
    path.write_text(BASE.replace('"operations_total >= 10"', ladder), encoding="utf-8")
    assert check_files([path])[1] == ()
    many = [Goal.parse(f"jain != 0.{i:04d}") for i in range(3000)]
    assert satisfiable([*many, Goal.parse("jain >= 0")])
    assert not satisfiable([Goal.parse("jain >= 0.5"), Goal.parse("jain <= 0.5"), Goal.parse("jain != 0.5")])


# --- save files ---------------------------------------------------------------------------

SAVES: dict[str, Callable[[Path], Path]] = {
    "deep nesting": raw(b"[" * 100_000 + b"]" * 100_000),
    "nesting past the limit": raw(b'{"version": 1, "best_stars": {"a": ' + b"[" * 40 + b"]" * 40 + b"}}"),
    "symlink to /dev/zero": symlink_to("/dev/zero"),
    "FIFO": fifo,
    "symlink to a FIFO": link_to_fifo,
    "folder": folder,
    "not utf-8": raw(b'{"version": 1, "language": "\xff"}'),
    "over the size limit": raw(b" " * (MAX_BYTES + 1)),
    "NaN stars": raw(b'{"version": 1, "language": "en", "best_stars": {"a": NaN}}'),
    "huge version": raw(b'{"version": 1e400, "language": "en", "best_stars": {}}'),
}


@pytest.mark.parametrize("case", sorted(SAVES))
def test_a_corrupt_save_is_moved_aside_and_reported(case: str, tmp_path: Path) -> None:
    path = SAVES[case](tmp_path / "progress.json")
    loaded = load_progress(path, NOW)
    assert loaded.progress == Progress()
    assert loaded.warning is not None and str(path) in loaded.warning
    assert loaded.backup is not None and os.path.lexists(loaded.backup)
    assert not os.path.lexists(path)  # the next launch starts clean
    save_progress(Progress().record("a", 2), path)
    assert load_progress(path, NOW).progress.stars_for("a") == 2


def test_saving_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "synced" / "progress.json"
    real.parent.mkdir()
    link = tmp_path / "progress.json"
    link.symlink_to(real)
    save_progress(Progress().record("a", 1), link)
    save_progress(Progress().record("a", 3), link)
    assert link.is_symlink() and link.resolve() == real
    assert load_progress(link, NOW).progress.stars_for("a") == 3


def _socket(path: Path) -> Path:
    import socket

    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
    return path


def _full_folder(path: Path) -> Path:
    path.mkdir()
    (path / "homework.txt").write_text("mine")
    return path


@pytest.mark.parametrize("make", [_socket, _full_folder])
def test_a_save_that_is_not_a_file_of_ours_is_reported_and_left_alone(
    make: Callable[[Path], Path], tmp_path: Path
) -> None:
    """DINER_SAVE_FILE=/dev/zero run as root renamed the device node (a socket stands in for it here);
    a folder with files in it (a home) is not moved either."""
    from sims.levels.progress import _set_aside

    path = make(tmp_path / "progress.json")
    loaded = _set_aside(path, "must be a regular file", NOW)
    assert loaded.warning is not None and "left it where it is" in loaded.warning
    assert loaded.backup is None and os.path.lexists(path) and len(list(tmp_path.iterdir())) == 1


def test_a_file_name_with_a_newline_is_reported_on_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert levels_main(["check", str(tmp_path / "01_two\nlines.toml")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and "01_two\\nlines.toml: must be a readable file" in err[0]
