"""Names the lecture uses that Python 3.10 deprecated: listed beside the lessons that teach them,
and refused in the player's code with a sentence that names today's spelling (in both languages)."""

from __future__ import annotations

from pathlib import Path

import pytest

from game.i18n_code import finding_text, problem_text
from sims.cli import main
from sims.exercises import exercise_named
from sims.explore.code import BadCode, OldNameUsed, check
from sims.explore.grade import GradeRequest, grade_here
from sims.explore.verdict import Verdict, Why
from sims.scenarios import scenarios
from sims.text_report import render_listing

pytestmark = pytest.mark.timeout(60)

COOK = """\
{imports}

class Cook:
    def run(self, me):
        {line}
        while me.running():
            me.step("prepare")
            self.mine.release()
            self.other.acquire()
            me.step("plate")
"""


def _cook(tmp_path: Path, line: str, imports: str = "import threading") -> Path:
    path = tmp_path / "mine.py"
    path.write_text(COOK.format(imports=imports, line=line), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("line", "imports", "said"),
    [
        ("who = me.getName()", "", "the old name me.getName() is deprecated since Python 3.10: write me.name"),
        (
            "threading.currentThread().setName(me.name)",  # the first name typed is the one named
            "import threading",
            "the old name threading.currentThread() is deprecated since Python 3.10: write threading.current_thread()",
        ),
        ("currentThread()", "from threading import currentThread", "write current_thread()"),
        (
            "self.mine.isSet()",
            "",
            "the old name self.mine.isSet() is deprecated since Python 3.10: write self.mine.is_set()",
        ),
    ],
)
def test_an_old_name_in_the_player_s_code_is_refused_naming_today_s(
    tmp_path: Path, line: str, imports: str, said: str
) -> None:
    path = _cook(tmp_path, line, imports)
    with pytest.raises(OldNameUsed) as caught:
        check(path, ("Cook",))
    line_number = 1 + COOK.format(imports=imports, line=line).splitlines().index(f"        {line}")
    assert str(caught.value).startswith(f"{path}:{line_number}: ") and str(caught.value).endswith(said)


def test_the_command_line_says_it_in_one_line_and_the_verdict_in_both_languages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _cook(tmp_path, "t = threading.currentThread()")
    assert main(["grade", "rendezvous", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "write threading.current_thread()" in err
    report = grade_here(GradeRequest("rendezvous", str(path), None, 0, 1.0, False))
    finding = report.finding
    assert (finding.verdict, finding.why, finding.line) == (Verdict.EXCEPTION, Why.OLD_NAME, 5)
    assert finding_text("zh", finding.to_json()) == (
        "threading.currentThread() 是旧名字（Python 3.10 起已弃用）：请写成 threading.current_thread()"
    )
    with pytest.raises(BadCode) as caught:
        check(path, exercise_named("rendezvous").roles)
    assert problem_text("zh", caught.value) == (
        f"{path}:5: threading.currentThread() 是旧名字（Python 3.10 起已弃用）：请写成 threading.current_thread()"
    )


def test_the_lessons_on_threads_and_processes_list_the_old_names() -> None:
    listing = render_listing(scenarios())
    lineup = listing[listing.index("lineup:") :].split("\n\n")[0]
    assert "old names (deprecated since Python 3.10): t.setDaemon(True) -> t.daemon = True" in lineup
    assert "threading.currentThread() -> threading.current_thread()" in lineup
    dining = listing[listing.index("dining:") :].split("\n\n")[0]
    assert "old names" not in dining


def test_a_long_parameter_name_keeps_the_listing_s_columns() -> None:
    listing = render_listing(scenarios())
    closing = listing[listing.index("closing:") :].split("\n\n")[0]
    rows = [row for row in closing.splitlines() if " default " in row]
    assert len(rows) == 7 and len({row.index(" default ") for row in rows}) == 1  # washer_daemon is 13 letters
