"""A corpus of malformed command lines: each ends with one line naming the culprit and exit 2,
before anything runs or is written; never a traceback or a hang (issue 13). In process where
possible; a few end-to-end cases run ``diner`` as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sims.cli import SUBCOMMANDS
from sims.cli import main as engine_main
from sims.engine.admit import check_round
from sims.engine.round import Round
from sims.primitives.semaphore import MAX_PERMITS
from sims.rounds import commands as cmd
from sims.rounds.config import RoundConfig

pytestmark = pytest.mark.timeout(60)
ROOT = Path(__file__).resolve().parents[1]

RUN_CASES: list[tuple[list[str], str]] = [
    (["dining", "--set", "eat_ms=nan"], "error: argument --set: eat_ms must be a finite number"),
    (["dining", "--set", "eat_ms=inf"], "error: argument --set: eat_ms must be a finite number"),
    (["dining", "--set", "eat_ms=1e309"], "error: argument --set: eat_ms must be a finite number"),
    (["dining", "--set", "agents=" + "9" * 5000], "--set"),
    (["dining", "--seconds", "nan"], "--seconds"),
    (["dining", "--seconds", "inf"], "--seconds"),
    (["dining", "--seconds", "1e309"], "--seconds"),
    (["dining", "--at", "nan:end"], "finite number of seconds"),
    (["dining", "--at", "inf:end"], "finite number of seconds"),
    (["dining", "--at", "1e309:end"], "finite number of seconds"),
    (["dining", "--at=-1:end"], "--at"),
    (["dining", "--seconds", "2", "--at", "3:end"], "after the round's end (2 s)"),
    (["seats", "--at", "1:resize seats 99999999999999999999"], f"0..{MAX_PERMITS}"),
    (["seats", "--at", "1:resize seats 100000000"], f"0..{MAX_PERMITS}"),
    (["seats", "--at", "1:resize seats 1e20"], "whole number"),
    (["seats", "--at", "1:resize seats -1"], "whole number"),
    (["seats", "--at", "1:resize seats ²"], "whole number"),
    (["seats", "--at", "1:resize tables 2"], "no semaphore named 'tables'"),
    (["kitchen", "--at", "1:resize empty 8"], "'empty' cannot be resized: it counts free slots"),
    (["kitchen", "--backend", "process", "--at", "1:resize full 1"], "'full' cannot be resized"),
    (["kitchen", "--at", "1:resize mutex 2"], "'mutex' is a lock"),
    (["menu", "--at", "1:resize room 9"], "'room' cannot be resized"),
    (["dining", "--at", "1:scale nan"], "scale takes one number"),
    (["dining", "--at", "1:step 99"], "no agent 99"),
    (["dining", "--at", "1:step nobody"], "no agent named 'nobody'"),
    (["dining", "--backend", "process", "--at", "0.5:kill 999"], "no agent 999"),
    (["dining", "--at", "1:juggle"], "unknown command 'juggle'"),
    (["dining", "--out", ""], "--out: the folder name is empty"),
    (["dining", "--out", "x" * 300], "--out"),
    (["dining", "--out", "/dev/null/sub"], "is a file, not a folder"),
]


def _status(argv: list[str]) -> int:
    """The exit status of ``diner ARGV``, whether it returns or argparse exits."""
    try:
        return engine_main(argv)
    except SystemExit as stop:
        return int(stop.code or 0)


@pytest.mark.parametrize(("argv", "culprit"), RUN_CASES)
def test_a_bad_run_is_refused_in_one_line(
    argv: list[str], culprit: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # whatever --out '' would have meant, it stays here
    assert _status(["run", *argv]) == 2
    err = capsys.readouterr().err
    assert culprit in err and err.startswith("diner run: error: ") and err.count("\n") == 1, err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "argv",
    [[], ["nosuch"], ["run"], ["run", "dining", "--seed", "x"], ["run", "dining", "--backend", "gpu"], ["list", "x"],
     ["levels"], ["levels", "rest"], ["levels", "verify", "--rounds", "0"], ["levels", "verify", "--rounds", "1e9"]],
)
def test_argparse_refusals_exit_2_with_usage(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert _status(argv) == 2
    err = capsys.readouterr().err
    assert "error:" in err and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "dining", "--backend", "process"],
        ["run", "dining"],
        ["sweep", "dining", "--out", "x"],
        ["levels", "verify"],
    ],
)
@pytest.mark.parametrize("tag", ["a/b", "a b", "x" * 300])
def test_a_tag_that_cannot_name_a_segment_or_folder_is_refused(
    argv: list[str], tag: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DINER_SHM_TAG", tag)
    assert _status(argv) == 2
    err = capsys.readouterr().err
    assert "DINER_SHM_TAG must be" in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "culprit"),
    [
        (["--out", ""], "argument --out: the folder name is empty"),
        (["--out", "s", "--strategy", ","], "argument --strategy: expected names separated by commas"),
        (["--out", "s", "--strategy", "naive,,ordered"], "argument --strategy"),
    ],
)
def test_a_bad_sweep_is_refused_in_one_line(
    argv: list[str], culprit: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert _status(["sweep", "dining", *argv]) == 2
    err = capsys.readouterr().err
    assert culprit in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("link", ["loop", "nowhere/x"])
def test_an_out_folder_that_is_a_link_to_nothing_is_refused(
    link: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.symlink_to(tmp_path / link if link != "loop" else out)
    assert _status(["run", "dining", "--out", str(out)]) == 2
    assert "is a link to nothing" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["check", "verify"])
def test_levels_with_code_and_files_is_refused(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The files were ignored: the shipped code levels were checked instead, and passed."""
    assert _status(["levels", command, "--code", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "argument --code: checks the shipped code levels only" in err and err.count("\n") == 1


def test_code_naming_a_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _status(["code", "c02_mutex", "--code", str(tmp_path)]) == 2
    assert "is a folder, not a file" in capsys.readouterr().err


def test_every_subcommand_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert _status(["--help"]) == 0
    listing = " ".join(capsys.readouterr().out.split())  # help lines are wrapped
    for sub in SUBCOMMANDS:
        assert f"{sub.name} {sub.help}" in listing
        assert _status([sub.name, "--help"]) == 0
        assert f"usage: diner {sub.name}" in capsys.readouterr().out
    assert _status(["levels", "check", "--help"]) == 0
    assert "rest" not in capsys.readouterr().out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert _status(["--version"]) == 0
    assert capsys.readouterr().out.startswith("diner ")


# --- the engine refuses the same things when a window sends them live -------------------


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (lambda: cmd.Timed(float("nan"), cmd.End()), "finite"),
        (lambda: cmd.Timed(float("inf"), cmd.End()), "finite"),
        (lambda: cmd.Resize("seats", MAX_PERMITS + 1), f"0 to {MAX_PERMITS}"),
        (lambda: cmd.Scale(float("nan")), "between 0 and 100"),
        (lambda: RoundConfig("dining", seconds=1.0, schedule=(cmd.Timed(1.5, cmd.End()),)), "after the round's end"),
        (lambda: check_round(RoundConfig("kitchen", schedule=(cmd.Timed(1, cmd.Resize("full", 1)),))), "full"),
    ],
)
def test_values_refuse_what_the_engine_cannot_run(make: object, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        make()  # type: ignore[operator]


def test_a_live_resize_of_a_signalling_semaphore_is_refused_and_the_pass_stays_whole() -> None:
    with Round(RoundConfig("kitchen", seconds=30.0)) as rnd:
        rnd.start()
        with pytest.raises(ValueError, match="'empty' cannot be resized"):
            rnd.command(cmd.Resize("empty", 8))
        with pytest.raises(ValueError, match="'full' cannot be resized"):
            rnd.command(cmd.Resize("full", 8))
        rnd.command(cmd.End())
        result = rnd.run()
    assert result.scenario_stats["max_occupancy"] <= 4


# --- the window's options and display, as a user meets them --------------------------------


@pytest.mark.parametrize(
    "argv",
    [["--size", "abc"], ["--size", "0x0"], ["--size", "9999999x1"], ["--fps", "0"], ["--frames=-1"], ["--capture", ""]],
)
def test_bad_window_options_exit_2(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from game.launcher import main

    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert argv[0].partition("=")[0] in err and err.count("\n") == 1 and "Traceback" not in err


def test_capture_onto_a_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from game.app import _capture_problem

    blocker = tmp_path / "shots"
    blocker.write_text("a file")
    assert "is a file, not a folder" in str(_capture_problem(blocker / "inside"))
    assert _capture_problem(tmp_path / "new" / "folder") is None  # a missing folder is made
    assert (tmp_path / "new" / "folder").is_dir()


def _diner(*argv: str, env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    return subprocess.run(
        [sys.executable, "-c", "from game.launcher import console; console()", *argv],
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_help_without_a_display_lists_every_command_and_the_window_options() -> None:
    done = _diner("--help", env={})
    assert done.returncode == 0, done.stderr
    for word in (*(sub.name for sub in SUBCOMMANDS), "--version", "--size", "--capture"):
        assert word in done.stdout


@pytest.mark.parametrize(
    ("argv", "variable"),
    [(["--frames", "1"], "DISPLAY"), (["--capture", "shots"], "DISPLAY"), (["--frames", "1"], "WAYLAND_DISPLAY")],
)
def test_a_display_with_no_server_is_refused_on_stderr(argv: list[str], variable: str, tmp_path: Path) -> None:
    free = next(n for n in range(4242, 4300) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    done = _diner(*argv, env={variable: f":{free}" if variable == "DISPLAY" else f"wayland-{free}"}, cwd=tmp_path)
    assert done.returncode == 2
    assert "no usable display" in done.stderr and done.stderr.count("\n") == 1  # SDL's own C-level noise is not shown
    assert done.stdout == ""


def test_an_export_folder_variable_naming_no_folder_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from game.app import _export_problem

    monkeypatch.setenv("DINER_EXPORT_DIR", "~no-such-user-here/rounds")
    assert "DINER_EXPORT_DIR='~no-such-user-here/rounds': cannot name a folder" in str(_export_problem())


def test_no_display_at_all_is_refused_on_stderr() -> None:
    done = _diner(env={})
    assert done.returncode == 2 and "no display" in done.stderr and done.stdout == ""


def test_records_that_cannot_be_written_are_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "records").write_text("a file where the records' folder goes")
    assert _status(["run", "dining", "--seconds", "0.2", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "cannot write the round's records" in err and err.count("\n") == 1


def test_grade_save_into_a_folder_is_refused_before_grading(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    player = ROOT / "assets" / "levels" / "code" / "c02_mutex" / "reference.py"
    assert _status(["grade", "mutex", str(player), "--save", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert "argument --save" in captured.err and captured.out == ""
