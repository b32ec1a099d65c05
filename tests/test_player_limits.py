"""Player code cannot hurt the machine it is graded on (issue 13, tools/attack.py's ``code`` family):
its forked children end with the grader's worker, its memory is capped, its output is cut short,
and files that are not source code are refused before anything runs."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import attrs
import pytest

from sims.cli import main
from sims.explore.code import BadCode, check, sentence
from sims.explore.confine import CappedText
from sims.explore.counterexample import Counterexample
from sims.explore.grade import GradeRequest, grade, grade_here, load_within
from sims.explore.verdict import Verdict

pytestmark = pytest.mark.timeout(60)

WAITER = (
    "class Waiter:\n    def run(self, me):\n{body}"
    "        while me.running():\n            with self.mutex, me.critical('tally'):\n"
    "                self.tally.value = self.tally.value + 1\n"
)


def _player(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "player.py"
    path.write_text(WAITER.format(body=body), encoding="utf-8")
    return path


def _marked(mark: str) -> list[int]:
    """Processes whose command line or environment carries ``mark`` (the sleepers a test's player forks)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                environ = Path(f"/proc/{entry}/environ").read_bytes()
            except OSError:
                continue
            if mark.encode() in environ:
                found.append(int(entry))
    return found


def test_processes_forked_by_player_code_end_with_the_grade(tmp_path: Path) -> None:
    mark = f"DINER_TEST_SLEEPER_{os.getpid()}"
    body = (
        "        import os, select\n"
        "        if os.fork() == 0:\n"
        f"            os.environ['{mark}'] = '1'; os.execvp('sleep', ['sleep', '120'])\n"
    )
    path = _player(tmp_path, body)
    try:
        report = grade(GradeRequest("mutex", str(path), 2, 0, 0.5, free=False))
        assert report.passed, report.finding
        assert _marked(mark) == []
    finally:
        for pid in _marked(mark):
            os.kill(pid, signal.SIGKILL)


def test_player_memory_is_capped(tmp_path: Path) -> None:
    """bytearray(3 GB) is a lazy zero mapping: without the cap it costs nothing, with it it fails."""
    path = _player(tmp_path, "        hoard = bytearray(3 << 30)\n")
    report = grade(GradeRequest("mutex", str(path), 2, 0, 0.5, free=False))
    assert report.finding.verdict is Verdict.EXCEPTION and "MemoryError" in report.finding.message


def test_player_output_is_cut_and_kept_off_stdout(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    path = _player(tmp_path, "        print('x' * (1 << 20))\n")
    assert main(["grade", "mutex", str(path), "--budget", "0.5", "--no-free", "--json"]) == 0
    out, err = capfd.readouterr()
    assert out.count("\n") == 1 and out.startswith("{")  # the report alone: an autograder can parse it
    assert "player output cut after" in err and len(err) < 4 * (64 << 10)


def test_capped_text_writes_through_then_drops() -> None:
    target = io.StringIO()
    capped = CappedText(target, limit=5)
    assert capped.write("abc") == 3 and capped.write("defgh") == 5
    capped.write("more")
    assert target.getvalue().startswith("abcde\n[player output cut after") and "more" not in target.getvalue()


def _fifo(path: Path) -> None:
    os.mkfifo(path)


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (_fifo, "must be a regular file, got a FIFO"),
        (lambda p: p.symlink_to("/dev/zero"), "must be a regular file, got a character device"),
        (lambda p: p.write_text("x = " + "-" * 100_000 + "1\n"), "nested too deeply to compile"),
        (lambda p: p.write_bytes(b"#" * (2 << 20)), "must be at most"),
    ],
)
def test_what_is_not_source_code_is_refused_unread(make: object, why: str, tmp_path: Path) -> None:
    path = tmp_path / "player.py"
    make(path)  # type: ignore[operator]
    with pytest.raises(BadCode, match=why):
        check(path, ("Waiter",))


def test_a_file_whose_top_level_never_returns_is_given_up_on(tmp_path: Path) -> None:
    """The grader's worker stops waiting for the player's import after a limit of its own (it used
    to wait for the whole budget plus margin: 30 s by default). Here the file waits for a flag the
    test sets afterwards, so its loader thread can be joined."""
    flag = tmp_path / "flag"
    path = tmp_path / "player.py"
    path.write_text(
        f"import pathlib, threading\nwhile not pathlib.Path({str(flag)!r}).exists():\n"
        "    threading.Event().wait(0.01)\n" + WAITER.format(body="")
    )
    assert load_within(path, ("Waiter",), 0.2) is None
    flag.touch()
    for loader in [t for t in threading.enumerate() if t.name == "player load"]:
        loader.join(10)
    assert load_within(path, ("Waiter",), 10).roles["Waiter"].__name__ == "Waiter"


def test_replaying_on_a_file_that_raises_at_import_is_a_verdict(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "player.py"
    path.write_text('raise ValueError("top")\n' + WAITER.format(body=""))
    ce = tmp_path / "ce.json"
    Counterexample("mutex", 2, 0, str(path), "0" * 64, "systematic", "deadlock", "m", [0, 1]).save(ce)
    assert main(["replay", str(ce)]) == 1
    out, err = capfd.readouterr()
    assert "loading the file raised ValueError: top" in out and "Traceback" not in err


class _Unprintable(Exception):
    def __str__(self) -> str:
        raise _Unprintable()


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (ValueError("x" * 10_000_000), "ValueError: " + "x" * 297 + "..."),
        (ValueError("line\n" * 1000), "ValueError: line..."),
        (_Unprintable(), "_Unprintable: (its message could not be made into text)"),
        (KeyError(), "KeyError"),
    ],
)
def test_an_error_in_a_verdict_is_one_short_line(error: BaseException, said: str) -> None:
    assert sentence(error) == said


def test_a_file_raising_keyboardinterrupt_at_import_is_an_exception_verdict(tmp_path: Path) -> None:
    path = tmp_path / "player.py"
    path.write_text("raise KeyboardInterrupt\n" + WAITER.format(body=""))
    report = grade_here(GradeRequest("mutex", str(path), 2, 0, 0.5, free=False))
    assert (report.finding.verdict, report.phase) == (Verdict.EXCEPTION, "load")
    assert "KeyboardInterrupt" in report.finding.message


def test_the_windows_replay_takes_the_workers_limits_and_says_why_a_file_did_not_load(tmp_path: Path) -> None:
    """The stepper's job runs player code in a window's background process: confined like the grader's
    worker, and a file that does not load is a one-line reason (not NotLoaded's module path)."""
    path = tmp_path / "player.py"
    path.write_text('raise ValueError("top")\n' + WAITER.format(body=""))
    ce = Counterexample("mutex", 2, 0, str(path), "0" * 64, "systematic", "deadlock", "m", [0, 1])
    code = (
        "import attrs, resource, sys\n"
        "from sims.explore.counterexample import Counterexample\n"
        "from sims.levels.codejob import steps_job\n"
        f"ce = Counterexample(**{attrs.asdict(ce)!r})\n"
        "try:\n"
        "    steps_job(attrs.asdict(ce))\n"
        "except RuntimeError as error:\n"
        "    capped = resource.getrlimit(resource.RLIMIT_AS)[0] <= 2 << 30\n"
        "    print(f'raised {error}; capped {capped}', file=sys.__stderr__)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=120)
    assert "raised loading the file raised ValueError: top; capped True" in done.stderr, done.stderr
