"""The cases of ``tools/attack.py``: new ones, not those the tests already hold (issue 13).

Families: ``cli`` (command lines of every subcommand), ``env`` (the variables diner reads),
``out`` (export and capture paths), ``level`` (level files, also code levels), ``save`` (save
files at a launch and at ``diner code --check``), ``replay`` (counterexample files), ``code``
(player code for ``diner grade``), ``window`` (the launcher without a real display) and
``fault`` (signals to ``diner run`` and its agents at random moments, every scenario kind,
both backends).
"""

from __future__ import annotations

import enum
import json
import os
import random
import signal
from collections.abc import Callable
from pathlib import Path

import attrs

BAD = frozenset({2})
VERDICT = frozenset({0, 1})
CLEAN = frozenset({0})
EITHER = frozenset({0, 2})  # valid but odd input: accepted or refused, never a traceback or a hang
Setup = Callable[[Path], None]
SIMS = ("-m", "sims")
WINDOW = ("-c", "from game.launcher import console; console()")
ROOT = Path(__file__).resolve().parents[1]


class Target(enum.Enum):
    PARENT = "parent"
    AGENT = "agent"
    STOP_THEN_KILL = "stop then kill"


@attrs.frozen
class Fault:
    after_s: float
    signum: int
    target: Target = Target.PARENT
    again_s: float | None = None  # a second Ctrl-C this long after the first


@attrs.frozen
class Case:
    family: str
    name: str
    argv: tuple[str, ...]
    exits: frozenset[int] = BAD
    setup: Setup | None = None
    env: dict[str, str] = attrs.field(factory=dict)
    unset: tuple[str, ...] = ()
    fault: Fault | None = None
    needle: str = ""  # must appear in the output


def write(name: str, data: bytes | str) -> Setup:
    def make(folder: Path) -> None:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))

    return make


def both(*setups: Setup) -> Setup:
    def make(folder: Path) -> None:
        for setup in setups:
            setup(folder)

    return make


def symlink(name: str, target: str) -> Setup:
    def make(folder: Path) -> None:
        (folder / name).symlink_to(target.format(d=folder))

    return make


def fifo(name: str) -> Setup:
    def make(folder: Path) -> None:
        os.mkfifo(folder / name)

    return make


def mkdir(name: str, mode: int = 0o755) -> Setup:
    def make(folder: Path) -> None:
        (folder / name).mkdir(parents=True, exist_ok=True)
        (folder / name).chmod(mode)

    return make


# --- command lines ----------------------------------------------------------------------------


def cli_cases() -> list[Case]:
    bad = [
        ["run"],
        ["run", ""],
        ["run", "dining\nkitchen"],
        ["run", "DINING"],
        ["run", "dining", "--strategy", ""],
        ["run", "dining", "--strategy", "naive\n"],
        ["run", "dining", "--seconds", "0"],
        ["run", "dining", "--seconds=-0.0"],
        ["run", "dining", "--seconds", "1e-320"],
        ["run", "dining", "--seconds", "100000000"],
        ["run", "dining", "--seconds", "0x10"],
        ["run", "dining", "--seed", "-1"],
        ["run", "dining", "--seed", "9" * 40],
        ["run", "dining", "--agents", "0"],
        ["run", "dining", "--agents", "-5"],
        ["run", "dining", "--agents", "99999999999"],
        ["run", "dining", "--capacity", "3"],
        ["run", "kitchen", "--capacity", "0"],
        ["run", "kitchen", "--producers", "10000"],
        ["run", "dining", "--set", "agents"],
        ["run", "dining", "--set", "=5"],
        ["run", "dining", "--set", "agents=5=6"],
        ["run", "dining", "--set", "agents=five"],
        ["run", "dining", "--set", "agents=5.5"],
        ["run", "dining", "--set", "agents=True"],
        ["run", "dining", "--set", "agents=\u0665"],
        ["run", "dining", "--set", "eat_ms=-1"],
        ["run", "dining", "--set", "eat_ms=1_000_000"],
        ["run", "dining", "--set", "eat_ms=-nan"],
        ["run", "dining", "--set", "eat_ms=0x1p3"],
        ["run", "dining", "--set", "nosuch=1"],
        ["run", "dining", "--set", "AGENTS=3"],
        ["run", "bell", "--set", "poll_ms=0.01"],
        ["run", "dining", "--at", ""],
        ["run", "dining", "--at", ":end"],
        ["run", "dining", "--at", "1:"],
        ["run", "dining", "--at", "1"],
        ["run", "dining", "--at", "1:end now"],
        ["run", "dining", "--at", "1:kill"],
        ["run", "dining", "--at", "1:kill -1"],
        ["run", "dining", "--at", "1:kill 1"],
        ["run", "dining", "--at", "1:step"],
        ["run", "dining", "--at", "1:scale -1"],
        ["run", "dining", "--at", "1:scale 1e999"],
        ["run", "dining", "--at", "1:scale 101"],
        ["run", "dining", "--at", "0x1:end"],
        ["run", "dining", "--at", "1:resize"],
        ["run", "dining", "--at", "1:resize fork_0 2"],
        ["run", "seats", "--at", "1:resize seats"],
        ["run", "seats", "--at", "1:resize seats 2 3"],
        ["run", "seats", "--at", "1:resize seats 0x10"],
        ["run", "dining", "--at", "1:pause 3"],
        ["run", "dining", "--at", "1:end", "--at", "1:end\n2:end"],
        ["run", "dining", "--format", ""],
        ["run", "dining", "--format", "xml"],
        ["run", "dining", "--format", "csv,csv,"],
        ["run", "dining", "--out", "a", "--into", "b"],
        ["run", "dining", "--gated", "--backend", "process"],
        ["run", "closing", "--backend", "thread"],
        ["run", "dining", "--start-method", "fork"],
        ["list", "--verbose"],
        ["levels", "check", "--bogus"],
        ["levels", "verify", "--rounds", "-1"],
        ["levels", "verify", "--rounds", "x"],
        ["levels", "verify", "--backend", "gpu"],
        ["levels", "check", "/nonexistent/x.toml"],
        ["levels", "check", "{d}/missing\nline.toml"],
        ["levels", "verify", "/nonexistent"],
        ["sweep", "dining"],
        ["sweep", "dining", "--out", ""],
        ["sweep", "nosuch", "--out", "{d}/s"],
        ["sweep", "dining", "--out", "{d}/s", "--seeds", "0"],
        ["sweep", "dining", "--out", "{d}/s", "--seeds", "-3"],
        ["sweep", "dining", "--out", "{d}/s", "--seeds", "1e9"],
        ["sweep", "dining", "--out", "{d}/s", "--seeds", "100000000"],
        ["sweep", "dining", "--out", "{d}/s", "--seconds", "nan"],
        ["sweep", "dining", "--out", "{d}/s", "--seconds", "-1"],
        ["sweep", "dining", "--out", "{d}/s", "--jobs", "0"],
        ["sweep", "dining", "--out", "{d}/s", "--jobs", "100000"],
        ["sweep", "dining", "--out", "{d}/s", "--strategy", "naive,nosuch"],
        ["sweep", "dining", "--out", "{d}/s", "--strategy", ","],
        ["sweep", "dining", "--out", "{d}/s", "--backend", "thread,gpu"],
        ["sweep", "dining", "--out", "{d}/s", "--set", "agents=2,x"],
        ["sweep", "dining", "--out", "{d}/s", "--set", "eat_ms=nan"],
        ["sweep", "dining", "--out", "{d}/s", "--set", "="],
        ["sweep", "dining", "--out", "/dev/null/s"],
        ["sweep", "dining", "--out", "{d}/s", "--dask", "nosuch:1"],
        ["grade"],
        ["grade", "mutex"],
        ["grade", "nosuch", "{d}/x.py"],
        ["grade", "mutex", "/nonexistent.py"],
        ["grade", "mutex", "{d}"],
        ["grade", "mutex", "{d}/x.py", "--budget", "0"],
        ["grade", "mutex", "{d}/x.py", "--budget", "nan"],
        ["grade", "mutex", "{d}/x.py", "--budget", "-inf"],
        ["grade", "mutex", "{d}/x.py", "--agents", "0"],
        ["grade", "mutex", "{d}/x.py", "--agents", "99999"],
        ["grade", "mutex", "{d}/x.py", "--seed", "x"],
        ["grade", "mutex", "{d}/x.py", "--backend", "gpu"],
        ["replay"],
        ["replay", "/nonexistent.json"],
        ["replay", "{d}"],
        ["code"],
        ["code", "nosuch"],
        ["code", "c10_monitor_parsons"],
        ["code", "c02_mutex", "--code", "/dev/null/x.py"],
        ["code", "c02_mutex", "--code", "{d}"],
        ["code", "../../etc/passwd"],
    ]
    grade_file = write("x.py", "class Waiter:\n    def run(self, me):\n        pass\n")
    # Odd but valid: a denormal length, any integer seed, Unicode digits (int() reads them), one agent
    # paused, gated process agents. Either answer is right; what matters is no traceback or hang.
    odd = {
        ("--seconds", "1e-320"),
        ("--seed", "-1"),
        ("--seed", "9" * 40),
        ("--set", "agents=\u0665"),
        ("--at", "1:pause 3"),
        ("--gated", "--backend"),
    }
    cases = [
        Case("cli", " ".join(a)[:60], (*SIMS, *a), exits=EITHER if tuple(a[2:4]) in odd else BAD, setup=grade_file)
        for a in bad
    ]
    ok = [
        ["--help"],
        ["--version"],
        ["list"],
        ["run", "--help"],
        ["levels", "verify", "--help"],
        ["grade", "--help"],
        ["replay", "--help"],
        ["code", "--help"],
        ["sweep", "--help"],
    ]
    cases += [Case("cli", " ".join(a), (*SIMS, *a), exits=CLEAN) for a in ok]
    cases.append(Case("cli", "run dining --seconds 0.3", (*SIMS, "run", "dining", "--seconds", "0.3"), exits=CLEAN))
    return cases


# --- environment ------------------------------------------------------------------------------


def env_cases() -> list[Case]:
    run = (*SIMS, "run", "dining", "--seconds", "0.3")
    cases = []
    for name, tag in [
        ("slash", "a/b"),
        ("dotdot", "../x"),
        ("long", "x" * 300),
        ("space", "a b"),
        ("newline", "a\nb"),
        ("unicode", "\u00e9t\u00e9"),
        ("empty", ""),
    ]:
        exits = CLEAN if name == "empty" else BAD
        exits = frozenset({0, 2}) if name == "empty" else BAD  # empty: unset, or refused
        cases.append(Case("env", f"DINER_SHM_TAG {name} thread", run, exits=exits, env={"DINER_SHM_TAG": tag}))
        cases.append(
            Case(
                "env",
                f"DINER_SHM_TAG {name} process",
                (*run, "--backend", "process"),
                exits=exits,
                env={"DINER_SHM_TAG": tag},
            )
        )
    cases.append(
        Case(
            "env",
            "DINER_SHM_TAG slash levels verify",
            (*SIMS, "levels", "verify", "--rounds", "1", str(ROOT / "assets/levels/02_race_lock.toml")),
            exits=frozenset({0, 1, 2}),
            env={"DINER_SHM_TAG": "a/b"},
        )
    )
    cases.append(
        Case(
            "env",
            "DINER_SHM_TAG slash sweep",
            (*SIMS, "sweep", "dining", "--out", "{d}/s", "--seeds", "1", "--seconds", "0.3"),
            exits=frozenset({0, 2}),
            env={"DINER_SHM_TAG": "a/b"},
        )
    )
    cases.append(Case("env", "TMPDIR missing", run, exits=frozenset({0, 2}), env={"TMPDIR": "{d}/nope"}))
    cases.append(
        Case("env", "TMPDIR a file", run, exits=frozenset({0, 2}), env={"TMPDIR": "{d}/f"}, setup=write("f", "x"))
    )
    cases.append(Case("env", "TMPDIR read-only", run, exits=frozenset({0, 2}), env={"TMPDIR": "/proc"}))
    for name, value, setup in [
        ("a folder", "{d}", None),
        ("a link to /dev/zero", "{d}/z", symlink("z", "/dev/zero")),
        ("a link to /dev/full", "{d}/f2", symlink("f2", "/dev/full")),
        ("in a file", "{d}/f/save.json", write("f", "x")),
        ("empty string", "", None),
        ("deep json", "{d}/s.json", write("s.json", "[" * 200000 + "]" * 200000)),
        ("fifo", "{d}/p", fifo("p")),
        ("symlink loop", "{d}/loop", symlink("loop", "{d}/loop")),
        ("not utf-8 name", "{d}/s\udcff.json", None),
    ]:
        cases.append(
            Case(
                "env",
                f"DINER_SAVE_FILE {name} code --check",
                (*SIMS, "code", "c02_mutex", "--check"),
                exits=frozenset({0, 1, 2}),
                env={"DINER_SAVE_FILE": value},
                setup=setup,
            )
        )
    cases.append(
        Case(
            "env",
            "XDG_DATA_HOME a file, diner code",
            (*SIMS, "code", "c02_mutex"),
            env={"XDG_DATA_HOME": "{d}/f"},
            setup=write("f", "x"),
        )
    )
    cases.append(
        Case(
            "env",
            "HOME unset, diner code",
            (*SIMS, "code", "c02_mutex"),
            exits=frozenset({0, 2}),
            unset=("HOME", "XDG_DATA_HOME"),
        )
    )
    return cases


# --- output paths -----------------------------------------------------------------------------


def out_cases() -> list[Case]:
    run = (*SIMS, "run", "dining", "--seconds", "0.3")
    cases = [
        Case("out", "--out read-only folder", (*run, "--out", "/proc/x")),
        Case("out", "--out a link to /dev/full", (*run, "--out", "{d}/full"), setup=symlink("full", "/dev/full")),
        Case("out", "--out existing file", (*run, "--out", "{d}/f"), setup=write("f", "x")),
        Case("out", "--out symlink loop", (*run, "--out", "{d}/loop"), setup=symlink("loop", "{d}/loop")),
        Case(
            "out",
            "--out dangling symlink",
            (*run, "--out", "{d}/dangle"),
            exits=frozenset({0, 2}),
            setup=symlink("dangle", "{d}/nowhere/x"),
        ),
        Case("out", "--out newline in name", (*run, "--out", "{d}/a\nb"), exits=CLEAN),
        Case("out", "--out a dash", (*run, "--out", "-"), exits=frozenset({0, 2})),
        Case(
            "out",
            "--out existing round folder",
            (*run, "--out", "{d}/r"),
            exits=frozenset({0, 2}),
            setup=write("r/summary.json", "{}"),
        ),
        Case("out", "--into a file", (*run, "--into", "{d}/f"), setup=write("f", "x")),
        Case("out", "--into read-only", (*run, "--into", "/proc/x")),
        Case(
            "out",
            "--out full disk (/dev/full link)",
            (*run, "--out", "{d}/o", "--format", "csv"),
            exits=frozenset({0, 2}),
            setup=both(mkdir("o"), symlink("o/records", "/dev/full")),
        ),
        Case("out", "--format trace only", (*run, "--out", "{d}/o", "--format", "trace"), exits=CLEAN),
        Case(
            "out",
            "sweep --out a file",
            (*SIMS, "sweep", "dining", "--out", "{d}/f", "--seeds", "1", "--seconds", "0.3"),
            setup=write("f", "x"),
        ),
        Case("out", "sweep --out read-only", (*SIMS, "sweep", "dining", "--out", "/proc/x", "--seeds", "1")),
        Case(
            "out",
            "sweep --out with a corrupt rounds file",
            (*SIMS, "sweep", "dining", "--out", "{d}/s", "--seeds", "1", "--seconds", "0.3"),
            exits=frozenset({0, 2}),
            setup=write("s/rounds.parquet", b"PAR1garbage"),
        ),
        Case(
            "out",
            "grade --save read-only",
            (*SIMS, "grade", "mutex", "{d}/bad.py", "--budget", "2", "--save", "/proc/x.json"),
            exits=frozenset({1, 2}),
            setup=write("bad.py", BAD_MUTEX),
        ),
        Case(
            "out",
            "grade --save a folder",
            (*SIMS, "grade", "mutex", "{d}/bad.py", "--budget", "2", "--save", "{d}"),
            exits=frozenset({1, 2}),
            setup=write("bad.py", BAD_MUTEX),
        ),
        Case(
            "out",
            "grade --save a link to /dev/full",
            (*SIMS, "grade", "mutex", "{d}/bad.py", "--budget", "2", "--save", "{d}/full"),
            exits=frozenset({1, 2}),
            setup=both(write("bad.py", BAD_MUTEX), symlink("full", "/dev/full")),
        ),
    ]
    return cases


# --- level files ------------------------------------------------------------------------------

BASE = (ROOT / "tests" / "test_levels.py").read_text(encoding="utf-8").split('BASE = """\\\n', 1)[1].split('"""', 1)[0]


def level(name: str, text: str | bytes, verify: bool = False, exits: frozenset[int] = BAD) -> Case:
    command = "verify" if verify else "check"
    extra = ("--rounds", "1") if verify else ()
    return Case(
        "level",
        f"{command}: {name}",
        (*SIMS, "levels", command, *extra, "{d}/01_x.toml"),
        exits=exits,
        setup=write("01_x.toml", text),
    )


def sub(old: str, new: str) -> str:
    assert old in BASE, old
    return BASE.replace(old, new)


def level_cases() -> list[Case]:
    ok = frozenset({0})
    cases = [
        level("BOM", "\ufeff" + BASE, exits=frozenset({0, 2})),
        level("CRLF", BASE.replace("\n", "\r\n"), exits=ok),
        level("only a BOM", "\ufeff"),
        level("empty", ""),
        level("one NUL", b"\0"),
        level("UTF-16", BASE.encode("utf-16")),
        level("CR only", BASE.replace("\n", "\r")),
        level("duplicate key", BASE + 'id = "again"\n'),
        level("id with zero-width space", sub('id = "fixture"', 'id = "fix\u200bture"')),
        level("id with RTL override", sub('id = "fixture"', 'id = "\u202efixture"')),
        level("id empty", sub('id = "fixture"', 'id = ""')),
        level("id 10k chars", sub('id = "fixture"', f'id = "{"x" * 10000}"')),
        level("id a list", sub('id = "fixture"', 'id = ["fixture"]')),
        level("order negative", sub("order = 1", "order = -1")),
        level("order 2^63", sub("order = 1", "order = 9223372036854775807")),
        level("order a float", sub("order = 1", "order = 1.5")),
        level("order a date", sub("order = 1", "order = 1979-05-27")),
        level("scenario unknown", sub('scenario = "dining"', 'scenario = "bistro"')),
        level("scenario a number", sub('scenario = "dining"', "scenario = 3")),
        level("backends a string", sub('backends = ["thread"]', 'backends = "thread"')),
        level("backends empty", sub('backends = ["thread"]', "backends = []")),
        level("backends duplicated", sub('backends = ["thread"]', 'backends = ["thread", "thread"]')),
        level("backends nested", sub('backends = ["thread"]', 'backends = [["thread"]]')),
        level("seconds zero", sub("seconds = 2", "seconds = 0")),
        level("seconds negative", sub("seconds = 2", "seconds = -2")),
        level("seconds tiny", sub("seconds = 2", "seconds = 1e-300")),
        level("seconds a year", sub("seconds = 2", "seconds = 31536000")),
        level("seconds a string", sub("seconds = 2", 'seconds = "2"')),
        level("seconds a bool", sub("seconds = 2", "seconds = true")),
        level(
            "goals a string",
            sub('goals = ["deadlock == false", "operations_total >= 10"]', 'goals = "deadlock == false"'),
        ),
        level("goals empty", sub('goals = ["deadlock == false", "operations_total >= 10"]', "goals = []")),
        level(
            "goal arabic digits", sub('"operations_total >= 10"', '"operations_total >= \u0661\u0660"'), exits=EITHER
        ),
        level("goal fullwidth op", sub('"operations_total >= 10"', '"operations_total \uff1e= 10"')),
        level("goal 2 operators", sub('"operations_total >= 10"', '"operations_total >= 10 >= 5"')),
        level("goal nan", sub('"operations_total >= 10"', '"operations_total >= nan"')),
        level("goal -inf", sub('"operations_total >= 10"', '"operations_total >= -inf"')),
        level("goal 1e400", sub('"operations_total >= 10"', '"operations_total <= 1e400"')),
        level("goal hex", sub('"operations_total >= 10"', '"operations_total >= 0x10"')),
        level("goal 10k long", sub('"operations_total >= 10"', '"operations_total >= ' + "1" * 10000 + '"')),
        level("goal contradicts", sub('"operations_total >= 10"', '"operations_total >= 10", "operations_total < 5"')),
        level("goal bool vs number", sub('"deadlock == false"', '"deadlock >= 3"')),
        level("goal a table", sub('"operations_total >= 10"', '{ stat = "operations_total" }')),
        level("hints a string", sub('hints = [{ en = "No hint.", zh = "没有提示。" }]', 'hints = "none"')),
        level(
            "hint extra language",
            sub('{ en = "No hint.", zh = "没有提示。" }', '{ en = "No hint.", zh = "没有提示。", fr = "x" }'),
        ),
        level("title only spaces", sub('en = "Fixture"', 'en = "   "')),
        level("title lone surrogate escape", sub('en = "Fixture"', 'en = "\\ud800"')),
        level("title 100k chars", sub('en = "Fixture"', f'en = "{"W" * 100000}"')),
        level("title a bidi isolate", sub('en = "Fixture"', 'en = "Fix\u2066ture"')),
        level("title line separator", sub('en = "Fixture"', 'en = "Fix\u2028ture"')),
        level("params agents a string", sub("params = { agents = 5 }", 'params = { agents = "5" }')),
        level("params agents 0", sub("params = { agents = 5 }", "params = { agents = 0 }")),
        level("params agents 10^6", sub("params = { agents = 5 }", "params = { agents = 1000000 }")),
        level("params unknown", sub("params = { agents = 5 }", "params = { agents = 5, nope = 1 }")),
        level("params a list", sub("params = { agents = 5 }", "params = [5]")),
        level("range min > max", sub("min = 1, max = 5, default = 4", "min = 5, max = 1, default = 4")),
        level("range default outside", sub("min = 1, max = 5, default = 4", "min = 1, max = 5, default = 9")),
        level("range nan", sub("min = 1, max = 5, default = 4", "min = nan, max = 5, default = 4")),
        level("range huge", sub("min = 1, max = 5, default = 4", "min = 1, max = 99999999999, default = 4")),
        level("range unknown param", sub("ranges = { seats", "ranges = { chairs")),
        level("strategies unknown", sub('strategies = ["naive", "ordered"]', 'strategies = ["naive", "psychic"]')),
        level("strategies empty", sub('strategies = ["naive", "ordered"]', "strategies = []")),
        level(
            "reference strategy not offered",
            sub('reference = { strategy = "ordered" }', 'reference = { strategy = "waiter" }'),
        ),
        level("commands a string", sub('commands = ["0.5:pause"]', 'commands = "0.5:pause"')),
        level("command after the end", sub('commands = ["0.5:pause"]', 'commands = ["5:pause"]')),
        level("command nan time", sub('commands = ["0.5:pause"]', 'commands = ["nan:pause"]')),
        level(
            "command resize 10^20", sub('commands = ["0.5:pause"]', 'commands = ["0.5:resize fork_0 ' + "9" * 20 + '"]')
        ),
        level("command step 999", sub('commands = ["0.5:pause"]', 'commands = ["0.5:step 999"]')),
        level("command kill on threads", sub('commands = ["0.5:pause"]', 'commands = ["0.5:kill 0"]')),
        level(
            "command scale 0", sub('commands = ["0.5:pause"]', 'commands = ["0.5:scale 0"]'), exits=frozenset({0, 2})
        ),
        level(
            "10k wrong entries",
            sub(
                'wrong = [{ strategy = "naive", commands = ["0.5:pause"] }]',
                "wrong = [" + ", ".join(['{ strategy = "naive" }'] * 10000) + "]",
            ),
        ),
        level(
            "stars a list",
            sub('stars = { two = ["jain >= 0.9"], three = ["starved_count == 0"] }', 'stars = ["jain >= 0.9"]'),
        ),
        level("stars two empty", sub('two = ["jain >= 0.9"]', "two = []"), exits=frozenset({0, 2})),
        level(
            "1000 hint entries",
            sub(
                'hints = [{ en = "No hint.", zh = "没有提示。" }]',
                "hints = [" + ", ".join(['{ en = "h", zh = "h" }'] * 1000) + "]",
            ),
            exits=frozenset({0, 2}),
        ),
        level("10000 keys, one line each", BASE + "".join(f"k{i} = {i}\n" for i in range(10000))),
        level("very long line", BASE + "x = " + '"' + "y" * 900_000 + '"\n'),
        level("array of 200k ints", BASE + "x = [" + ",".join(["1"] * 200_000) + "]\n"),
        level("inline tables 30 deep", BASE + "x = " + "{a=" * 30 + "1" + "}" * 30 + "\n"),
        level("dotted keys 5000 deep", BASE + "x." + ".".join(["a"] * 5000) + " = 1\n"),
        level("table headers 5000 deep", BASE + "[" + ".".join(["t"] * 5000) + "]\n"),
        level("verify: CRLF", BASE.replace("\n", "\r\n"), verify=True, exits=frozenset({0, 1})),
        level("verify: seconds tiny", sub("seconds = 2", "seconds = 0.001"), verify=True, exits=frozenset({1, 2})),
        level(
            "verify: 64 agents",
            sub("params = { agents = 5 }", "params = { agents = 64 }"),
            verify=True,
            exits=frozenset({0, 1, 2}),
        ),
    ]
    cases += [
        Case(
            "level",
            "check a folder of 300 copies",
            (*SIMS, "levels", "check", "{d}/many"),
            exits=frozenset({0, 2}),
            setup=_copies(300),
        ),
        Case(
            "level",
            "check two files with one id",
            (*SIMS, "levels", "check", "{d}/a.toml", "{d}/b.toml"),
            setup=both(write("a.toml", BASE), write("b.toml", BASE)),
        ),
        Case(
            "level",
            "check a folder with a FIFO",
            (*SIMS, "levels", "check", "{d}/lv"),
            setup=both(write("lv/01_a.toml", BASE), fifo("lv/02_b.toml")),
        ),
        Case(
            "level",
            "check a symlink loop folder",
            (*SIMS, "levels", "check", "{d}/lv"),
            setup=both(mkdir("lv"), symlink("lv/loop", "{d}/lv"), write("lv/01_a.toml", BASE)),
            exits=frozenset({0, 2}),
        ),
        Case(
            "level",
            "check a folder symlink loop only",
            (*SIMS, "levels", "check", "{d}/loop"),
            setup=symlink("loop", "{d}/loop"),
        ),
        Case(
            "level",
            "check a file named like a folder",
            (*SIMS, "levels", "check", "{d}/x.toml/"),
            exits=frozenset({0, 2}),
            setup=write("x.toml", BASE),
        ),
        Case("level", "check /proc/self/environ", (*SIMS, "levels", "check", "/proc/self/environ")),
        Case("level", "check /dev/stdin", (*SIMS, "levels", "check", "/dev/stdin")),
        Case("level", "check a socket", (*SIMS, "levels", "check", "/run/systemd/notify"), exits=BAD),
        Case(
            "level",
            "check unreadable (mode 000)",
            (*SIMS, "levels", "check", "{d}/01_x.toml"),
            setup=both(write("01_x.toml", BASE), lambda d: (d / "01_x.toml").chmod(0)),
            exits=frozenset({0, 2}),
        ),
        Case(
            "level",
            "check a folder mode 000",
            (*SIMS, "levels", "check", "{d}/lv"),
            setup=both(write("lv/01_a.toml", BASE), lambda d: (d / "lv").chmod(0)),
            exits=frozenset({0, 2}),
        ),
    ]
    cases += code_level_cases()
    return cases


def _copies(n: int) -> Setup:
    def make(folder: Path) -> None:
        (folder / "many").mkdir()
        for i in range(n):
            (folder / "many" / f"{i:03d}.toml").write_text(sub('id = "fixture"', f'id = "f{i}"'), encoding="utf-8")

    return make


def code_level_cases() -> list[Case]:
    """Code levels are the shipped ones only: a folder given with --code was once ignored (and passed)."""
    return [
        Case("level", "check --code with a folder", (*SIMS, "levels", "check", "--code", "{d}"), setup=mkdir("lv")),
        Case(
            "level",
            "verify --code with a file",
            (*SIMS, "levels", "verify", "--code", "{d}/x.toml"),
            setup=write("x.toml", ""),
        ),
    ]


# --- save files -------------------------------------------------------------------------------


def save_cases() -> list[Case]:
    code_check = (*SIMS, "code", "c02_mutex", "--check")
    ref = (ROOT / "assets/levels/code/c02_mutex/reference.py").read_text(encoding="utf-8")
    contents: list[tuple[str, bytes]] = [
        ("a list", b"[]"),
        ("a number", b"3"),
        ("null", b"null"),
        ("stars a list", b'{"version":1,"best_stars":[]}'),
        ("stars negative", b'{"version":1,"best_stars":{"c02_mutex":-5}}'),
        ("stars huge", b'{"version":1,"best_stars":{"c02_mutex":' + b"9" * 5000 + b"}}"),
        ("stars 10^6 levels", b'{"version":1,"best_stars":{' + b",".join(b'"l%d":1' % i for i in range(60000)) + b"}}"),
        ("language klingon", b'{"version":1,"language":"tlh","best_stars":{}}'),
        ("version 2", b'{"version":2,"best_stars":{}}'),
        ("version a string", b'{"version":"1"}'),
        ("duplicate keys", b'{"version":1,"version":1,"best_stars":{}}'),
        ("BOM", b'\xef\xbb\xbf{"version":1}'),
        ("UTF-16", '{"version":1}'.encode("utf-16")),
        ("lone surrogate", b'{"version":1,"language":"\\ud800"}'),
        ("trailing garbage", b'{"version":1,"best_stars":{}} x'),
        ("empty", b""),
    ]
    cases = [
        Case(
            "save",
            f"code --check, save {name}",
            code_check,
            exits=frozenset({0, 1}),
            needle="stars",
            setup=both(write("save.json", data), write("p.py", ref)),
        )
        for name, data in contents
    ]
    cases = [attrs.evolve(c, argv=(*c.argv, "--code", "{d}/p.py")) for c in cases]
    cases.append(
        Case(
            "save",
            "code --check, save in a read-only folder",
            (*code_check, "--code", "{d}/p.py"),
            exits=frozenset({0, 1, 2}),
            env={"DINER_SAVE_FILE": "/proc/save.json"},
            setup=write("p.py", ref),
        )
    )
    cases.append(
        Case(
            "save",
            "code --check, save a dangling symlink",
            (*code_check, "--code", "{d}/p.py"),
            exits=frozenset({0, 1, 2}),
            setup=both(symlink("save.json", "{d}/no/where.json"), write("p.py", ref)),
        )
    )
    return cases


# --- counterexample files ---------------------------------------------------------------------

BAD_MUTEX = (ROOT / "assets/levels/code/c02_mutex/no_lock.py").read_text(encoding="utf-8")


def replay_cases() -> list[Case]:
    def ce(**change: object) -> Setup:
        def make(folder: Path) -> None:
            (folder / "p.py").write_text(BAD_MUTEX, encoding="utf-8")
            data: dict[str, object] = {
                "exercise": "mutex",
                "agents": 3,
                "seed": 0,
                "code": str(folder / "p.py"),
                "code_sha256": "0" * 64,
                "phase": "systematic",
                "verdict": "mutual exclusion violated",
                "message": "m",
                "schedule": [0, 1, 0],
                "evidence": [],
                "line": 0,
                "backend": "thread",
                "format": "diner-counterexample",
                "version": 1,
            }
            data.update({k: v.format(d=folder) if isinstance(v, str) else v for k, v in change.items()})
            (folder / "ce.json").write_text(json.dumps(data), encoding="utf-8")

        return make

    replay = (*SIMS, "replay", "{d}/ce.json")
    either = frozenset({0, 1})
    return [
        Case("replay", "agents 0", replay, setup=ce(agents=0)),
        Case("replay", "agents -1", replay, setup=ce(agents=-1)),
        Case("replay", "agents 10^6", replay, setup=ce(agents=1_000_000)),
        Case("replay", "agents 10^30", replay, setup=ce(agents=10**30)),
        Case("replay", "schedule agent 99", replay, setup=ce(schedule=[0, 99]), exits=frozenset({1, 2})),
        Case("replay", "schedule agent -1", replay, setup=ce(schedule=[-1]), exits=frozenset({1, 2})),
        Case("replay", "schedule 10^6 steps", replay, setup=ce(schedule=[0, 1, 2] * 333_334), exits=frozenset({1, 2})),
        Case("replay", "schedule of strings", replay, setup=ce(schedule=["0"])),
        Case("replay", "exercise unknown", replay, setup=ce(exercise="juggling")),
        Case("replay", "backend gpu", replay, setup=ce(backend="gpu")),
        Case("replay", "code a FIFO", replay, setup=both(ce(code="{d}/fifo.py"), fifo("fifo.py"))),
        Case(
            "replay", "code a link to /dev/zero", replay, setup=both(ce(code="{d}/z.py"), symlink("z.py", "/dev/zero"))
        ),
        Case("replay", "code a folder", replay, setup=ce(code="{d}")),
        Case("replay", "code missing", replay, setup=ce(code="{d}/nope.py")),
        Case("replay", "seed huge", replay, setup=ce(seed=10**40), exits=frozenset({1, 2})),
        Case("replay", "verdict unknown", replay, setup=ce(verdict="meltdown"), exits=frozenset({1, 2})),
        Case("replay", "file a link to /dev/zero", replay, setup=symlink("ce.json", "/dev/zero")),
        Case("replay", "file a FIFO", replay, setup=fifo("ce.json")),
        Case("replay", "file deep JSON", replay, setup=write("ce.json", "[" * 100000 + "]" * 100000)),
        Case("replay", "file 50 MB", replay, setup=write("ce.json", b'{"x": "' + b"a" * (50 << 20) + b'"}')),
        Case("replay", "file not UTF-8", replay, setup=write("ce.json", b'{"format": "\xff"}')),
        Case(
            "replay",
            "file NaN agents",
            replay,
            setup=write("ce.json", b'{"format":"diner-counterexample","version":1,"agents":NaN}'),
        ),
        Case("replay", "valid, good code", replay, setup=ce(), exits=either),
    ]


# --- player code ------------------------------------------------------------------------------

HEAD = "class Waiter:\n    def run(self, me):\n"
LOOP = (
    "        while me.running():\n            with self.mutex, me.critical('tally'):\n"
    "                self.tally.value = self.tally.value + 1\n"
)


def player(body: str, top: str = "") -> str:
    return top + HEAD + body + LOOP


def code_cases() -> list[Case]:
    verdict = frozenset({0, 1})
    failed = frozenset({1})
    plain: list[tuple[str, str | bytes, frozenset[int]]] = [
        ("syntax error", "class Waiter(:\n", BAD),
        ("not UTF-8", b"# \xff\xfe\n" + player("").encode(), BAD),
        ("latin-1 coding line", b"# -*- coding: latin-1 -*-\n# \xe9\n" + player("").encode(), frozenset({0, 1, 2})),
        ("BOM", "\ufeff" + player(""), frozenset({0, 1, 2})),
        ("empty", "", BAD),
        ("NUL byte", player("").replace("class", "\0class"), BAD),
        ("tabs and spaces", "class Waiter:\n    def run(self, me):\n\tpass\n        pass\n", BAD),
        ("role is a function", "def Waiter(me):\n    pass\n", BAD),
        ("run is a property", "class Waiter:\n    run = property(lambda s: None)\n", BAD),
        ("deep parentheses", "x = " + "(" * 5000 + ")" * 5000 + "\n" + player(""), BAD),
        ("deep unary minus", "x = " + "-" * 100_000 + "1\n" + player(""), frozenset({1, 2})),
        ("deep binary sum", "x = 1" + "+1" * 100_000 + "\n" + player(""), frozenset({0, 1, 2})),
        ("deep nested lists", "x = " + "[" * 5000 + "]" * 5000 + "\n" + player(""), BAD),
        ("10 MB comment line", "#" + "x" * (10 << 20) + "\n" + player(""), frozenset({0, 1, 2})),
        ("100k classes", "".join(f"class C{i}: pass\n" for i in range(100_000)) + player(""), frozenset({0, 1, 2})),
        ("loop at import", "while True:\n    pass\n" + player(""), failed),
        ("sleep at import", "import time\ntime.sleep(3600)\n" + player(""), failed),
        ("os._exit at import", "import os\nos._exit(0)\n" + player(""), failed),
        ("sys.exit at import", "import sys\nsys.exit(0)\n" + player(""), failed),
        ("KeyboardInterrupt at import", "raise KeyboardInterrupt\n" + player(""), failed),
        ("SystemExit in run", player("        raise SystemExit(3)\n"), failed),
        ("KeyboardInterrupt in run", player("        raise KeyboardInterrupt\n"), failed),
        ("GeneratorExit in run", player("        raise GeneratorExit\n"), failed),
        ("BaseException in run", player("        raise BaseException('x')\n"), failed),
        ("os._exit in run", player("        import os; os._exit(0)\n"), failed),
        ("sys.exit in run", player("        import sys; sys.exit()\n"), failed),
        (
            "raising __init__",
            "class Waiter:\n    def __init__(self):\n        raise ValueError('init')\n"
            "    def run(self, me):\n        pass\n",
            failed,
        ),
        (
            "raising __setattr__",
            "class Waiter:\n    def __setattr__(self, k, v):\n        raise ValueError(k)\n"
            "    def run(self, me):\n        pass\n",
            failed,
        ),
        (
            "raising __getattribute__",
            "class Waiter:\n    def __getattribute__(self, k):\n        raise ValueError(k)\n"
            "    def run(self, me):\n        pass\n",
            failed,
        ),
        (
            "raising __del__",
            "class Waiter:\n    def __del__(self):\n        raise ValueError('del')\n"
            "    def run(self, me):\n        pass\n",
            verdict,
        ),
        (
            "raising __eq__ and __hash__",
            "class Waiter:\n    def __eq__(self, o):\n        raise ValueError()\n"
            "    def __hash__(self):\n        raise ValueError()\n"
            "    def run(self, me):\n        pass\n",
            verdict,
        ),
        (
            "metaclass raising",
            "class M(type):\n    def __call__(cls, *a, **k):\n        raise ValueError('meta')\n"
            "class Waiter(metaclass=M):\n    def run(self, me):\n        pass\n",
            failed,
        ),
        ("raise in run", player("        raise ValueError('x' * 10_000_000)\n"), failed),
        (
            "exception with a broken __str__",
            "class E(Exception):\n    def __str__(self):\n        raise E()\n" + player("        raise E()\n"),
            failed,
        ),
        ("exception repr 10 MB with newlines", player("        raise ValueError('line\\n' * 2_000_000)\n"), failed),
        ("infinite loop in run", player("        while True:\n            pass\n"), failed),
        (
            "loop swallowing BaseException",
            player(
                "        while True:\n            try:\n"
                "                me.step('x')\n            except BaseException:\n"
                "                pass\n"
            ),
            failed,
        ),
        ("recursion bomb", player("        def f():\n            f()\n        f()\n"), failed),
        (
            "recursion with a huge limit",
            player(
                "        import sys; sys.setrecursionlimit(10**8)\n        def f():\n            f()\n        f()\n"
            ),
            failed,
        ),
        ("printing 32 MB", player("        print('x' * (32 << 20))\n"), verdict),
        ("printing 32 MB to stderr", player("        import sys; sys.stderr.write('x\\n' * (16 << 20))\n"), verdict),
        ("printing 32 MB at import", "print('y' * (32 << 20))\n" + player(""), verdict),
        ("os.write 32 MB to fd 1", player("        import os; os.write(1, b'z' * (32 << 20))\n"), verdict),
        ("allocating 3 GB", player("        b = bytearray(b'x' * (3 << 30))\n"), failed),
        ("allocating 3 GB at import", "b = b'x' * (3 << 30)\n" + player(""), failed),
        (
            "forking a sleeper",
            player(
                "        import os, select\n        if os.fork() == 0:\n"
                "            select.select([], [], [], 120)\n            os._exit(0)\n"
            ),
            verdict,
        ),
        (
            "forking a setsid sleeper",
            player(
                "        import os, select\n        if os.fork() == 0:\n"
                "            os.setsid(); select.select([], [], [], 120)\n"
                "            os._exit(0)\n"
            ),
            verdict,
        ),
        (
            "forking 30 sleepers at import",
            "import os, select\nfor _ in range(30):\n    if os.fork() == 0:\n"
            "        select.select([], [], [], 120)\n        os._exit(0)\n" + player(""),
            verdict,
        ),
        ("subprocess sleep", player("        import subprocess; subprocess.Popen(['sleep', '120'])\n"), verdict),
        (
            "a non-daemon thread forever",
            "import threading\nthreading.Thread(target=lambda: threading.Event().wait()).start()\n" + player(""),
            verdict,
        ),
        (
            "ignore SIGTERM and SIGINT at import",
            "import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
            "signal.signal(signal.SIGINT, signal.SIG_IGN)\n" + player(""),
            verdict,
        ),
        ("alarm at import", "import signal\nsignal.alarm(1)\n" + player(""), verdict),
        ("SIGSTOP itself", player("        import os, signal; os.kill(os.getpid(), signal.SIGSTOP)\n"), failed),
        (
            "block every signal",
            "import signal\nsignal.pthread_sigmask(signal.SIG_BLOCK, range(1, 32))\n" + player(""),
            verdict,
        ),
        ("close stdout", "import sys, os\nos.close(1)\n" + player(""), verdict),
        ("stdin read", "input()\n" + player(""), failed),
        ("replace the mutex", player("        self.mutex = None\n"), failed),
        ("tamper with me", player("        me.running = lambda: True\n"), verdict),
        ("monkeypatch threading", "import threading\nthreading.Lock = None\n" + player(""), verdict),
        ("import a missing module", "import no_such_module_here\n" + player(""), failed),
        ("run is a generator", "class Waiter:\n    def run(self, me):\n        yield 1\n", verdict),
        ("run is async", "class Waiter:\n    async def run(self, me):\n        pass\n", frozenset({0, 1, 2})),
        ("run takes no me", "class Waiter:\n    def run(self):\n        pass\n", failed),
    ]
    cases = [
        Case(
            "code", name, (*SIMS, "grade", "mutex", "{d}/p.py", "--budget", "2"), exits=exits, setup=write("p.py", text)
        )
        for name, text, exits in plain
    ]
    for name, make in [
        ("a FIFO", fifo("p.py")),
        ("/dev/zero", symlink("p.py", "/dev/zero")),
        ("/dev/urandom", symlink("p.py", "/dev/urandom")),
        ("a folder", mkdir("p.py")),
        ("dangling symlink", symlink("p.py", "{d}/nope.py")),
        ("symlink loop", symlink("p.py", "{d}/p.py")),
        ("50 MB", write("p.py", b"#" * (50 << 20))),
    ]:
        cases.append(
            Case("code", f"file is {name}", (*SIMS, "grade", "mutex", "{d}/p.py", "--budget", "2"), setup=make)
        )
    cases += [
        Case(
            "code",
            "process backend: printing 32 MB",
            (*SIMS, "grade", "mutex", "{d}/p.py", "--budget", "3", "--backend", "process"),
            exits=verdict,
            setup=write("p.py", player("        print('x' * (32 << 20))\n")),
        ),
        Case(
            "code",
            "process backend: forking a sleeper",
            (*SIMS, "grade", "mutex", "{d}/p.py", "--budget", "3", "--backend", "process"),
            exits=verdict,
            setup=write(
                "p.py",
                player(
                    "        import os, select\n        if os.fork() == 0:\n"
                    "            select.select([], [], [], 120)\n            os._exit(0)\n"
                ),
            ),
        ),
        Case(
            "code",
            "process backend: allocating 3 GB",
            (*SIMS, "grade", "mutex", "{d}/p.py", "--budget", "3", "--backend", "process"),
            exits=failed,
            setup=write("p.py", player("        b = b'x' * (3 << 30)\n")),
        ),
        Case(
            "code",
            "code --check: loop at import",
            (*SIMS, "code", "c02_mutex", "--code", "{d}/p.py", "--check"),
            exits=failed,
            setup=write("p.py", "while True:\n    pass\n" + player("")),
        ),
        Case(
            "code",
            "code --check: syntax error",
            (*SIMS, "code", "c02_mutex", "--code", "{d}/p.py", "--check"),
            exits=frozenset({1, 2}),
            setup=write("p.py", "class Waiter(:\n"),
        ),
        Case(
            "code",
            "code --check: deep unary minus",
            (*SIMS, "code", "c02_mutex", "--code", "{d}/p.py", "--check"),
            exits=frozenset({1, 2}),
            setup=write("p.py", "x = " + "-" * 100_000 + "1\n" + player("")),
        ),
        Case(
            "code",
            "code --check: not UTF-8",
            (*SIMS, "code", "c02_mutex", "--code", "{d}/p.py", "--check"),
            exits=frozenset({1, 2}),
            setup=write("p.py", b"# \xff\n" + player("").encode()),
        ),
        Case(
            "code",
            "code --check: a FIFO",
            (*SIMS, "code", "c02_mutex", "--code", "{d}/p.py", "--check"),
            exits=frozenset({1, 2}),
            setup=fifo("p.py"),
        ),
    ]
    return cases


# --- the window -------------------------------------------------------------------------------


def window_cases() -> list[Case]:
    dummy = {"SDL_VIDEODRIVER": "dummy"}
    frames = ("--frames", "2")
    cases = [
        Case("window", "no display at all", WINDOW),
        Case("window", "DISPLAY garbage", WINDOW, env={"DISPLAY": "not a display"}),
        Case("window", "WAYLAND_DISPLAY nowhere", WINDOW, env={"WAYLAND_DISPLAY": "wayland-99"}),
        Case("window", "SDL_VIDEODRIVER nosuch", (*WINDOW, *frames), env={"SDL_VIDEODRIVER": "nosuch"}),
        Case("window", "--help", (*WINDOW, "--help"), exits=CLEAN),
        Case("window", "--version", (*WINDOW, "--version"), exits=CLEAN),
        Case("window", "--frames 2 dummy", (*WINDOW, *frames), exits=CLEAN, env=dummy),
        Case("window", "--size 1x1", (*WINDOW, *frames, "--size", "1x1"), exits=frozenset({0, 2}), env=dummy),
        Case("window", "--size -800x600", (*WINDOW, *frames, "--size=-800x600"), env=dummy),
        Case("window", "--size 800x600x2", (*WINDOW, *frames, "--size", "800x600x2"), env=dummy),
        Case("window", "--size 1e3x600", (*WINDOW, *frames, "--size", "1e3x600"), env=dummy),
        Case("window", "--size 100000x100000", (*WINDOW, *frames, "--size", "100000x100000"), env=dummy),
        Case("window", "--fps nan", (*WINDOW, *frames, "--fps", "nan"), env=dummy),
        Case("window", "--fps 1e9", (*WINDOW, *frames, "--fps", "1000000000"), exits=frozenset({0, 2}), env=dummy),
        Case("window", "--frames 1e9", (*WINDOW, "--frames", "1e9"), env=dummy),
        Case("window", "--nosuch option", (*WINDOW, "--nosuch"), env=dummy),
        Case("window", "stray argument", (*WINDOW, "dinning"), env=dummy),
        Case("window", "--capture a file", (*WINDOW, *frames, "--capture", "{d}/f"), env=dummy, setup=write("f", "x")),
        Case("window", "--capture read-only", (*WINDOW, *frames, "--capture", "/proc/shots"), env=dummy),
        Case(
            "window",
            "--capture a link to /dev/full",
            (*WINDOW, *frames, "--capture", "{d}/full"),
            env=dummy,
            setup=symlink("full", "/dev/full"),
        ),
        Case(
            "window",
            "--capture symlink loop",
            (*WINDOW, *frames, "--capture", "{d}/loop"),
            env=dummy,
            setup=symlink("loop", "{d}/loop"),
        ),
        Case("window", "--capture long name", (*WINDOW, *frames, "--capture", "{d}/" + "x" * 300), env=dummy),
        Case(
            "window",
            "save deep JSON at launch",
            (*WINDOW, *frames),
            exits=CLEAN,
            env=dummy,
            setup=write("save.json", "[" * 100000 + "]" * 100000),
        ),
        Case(
            "window",
            "save a link to /dev/zero at launch",
            (*WINDOW, *frames),
            exits=CLEAN,
            env=dummy,
            setup=symlink("save.json", "/dev/zero"),
        ),
        Case("window", "save a folder at launch", (*WINDOW, *frames), exits=CLEAN, env=dummy, setup=mkdir("save.json")),
        Case(
            "window",
            "save in a read-only place",
            (*WINDOW, *frames),
            exits=CLEAN,
            env={**dummy, "DINER_SAVE_FILE": "/proc/save.json"},
        ),
        Case("window", "save a FIFO at launch", (*WINDOW, *frames), exits=CLEAN, env=dummy, setup=fifo("save.json")),
        Case(
            "window",
            "DINER_EXPORT_DIR a file",
            (*WINDOW, *frames),
            exits=frozenset({0, 2}),
            env={**dummy, "DINER_EXPORT_DIR": "{d}/f"},
            setup=write("f", "x"),
        ),
        Case(
            "window",
            "DINER_EXPORT_DIR ~nosuchuser",
            (*WINDOW, *frames),
            exits=frozenset({0, 2}),
            env={**dummy, "DINER_EXPORT_DIR": "~nosuchuser/x"},
        ),
        Case(
            "window",
            "HOME unset",
            (*WINDOW, *frames),
            exits=frozenset({0, 2}),
            env=dummy,
            unset=("HOME", "XDG_DATA_HOME", "DINER_SAVE_FILE", "DINER_EXPORT_DIR"),
        ),
        Case("window", "LANG weird", (*WINDOW, *frames), exits=CLEAN, env={**dummy, "LANG": "xx_YY.ISO-8859-99"}),
        Case("window", "sweep via the launcher, bad", (*WINDOW, "sweep", "dining", "--out", "/proc/x"), env=dummy),
    ]
    return cases


# --- faults during rounds ---------------------------------------------------------------------


def fault_cases(seed: int = 13) -> list[Case]:
    from sims.scenarios import scenario_named, scenarios

    rng = random.Random(seed)
    cases = []
    interrupted = frozenset({0, 130})
    for scenario in map(scenario_named, scenarios()):
        for backend in scenario.backends:
            run = (*SIMS, "run", scenario.name, "--backend", backend, "--seconds", "3")
            kinds = [
                ("SIGKILL", Fault(rng.uniform(0.2, 2.5), signal.SIGKILL), frozenset({-9})),
                ("SIGTERM", Fault(rng.uniform(0.2, 2.5), signal.SIGTERM), frozenset({-15, 143, 130})),
                ("SIGINT", Fault(rng.uniform(0.05, 2.5), signal.SIGINT), interrupted),
                ("SIGINT twice", Fault(rng.uniform(0.05, 2.5), signal.SIGINT, again_s=0.05), interrupted),
                (
                    "SIGSTOP, SIGKILL",
                    Fault(rng.uniform(0.3, 2.5), signal.SIGKILL, Target.STOP_THEN_KILL),
                    frozenset({-9}),
                ),
            ]
            if backend == "process":
                kinds.append(("agent SIGKILL", Fault(rng.uniform(0.8, 2.0), signal.SIGKILL, Target.AGENT), CLEAN))
                kinds.append(("agent SIGSTOP", Fault(rng.uniform(0.8, 2.0), signal.SIGSTOP, Target.AGENT), CLEAN))
            for what, fault, exits in kinds:
                name = f"{scenario.name} {backend} {what} @{fault.after_s:.2f}s"
                cases.append(Case("fault", name, run, exits=exits, fault=fault))
    late = Fault(4.5, signal.SIGINT)
    cases.append(
        Case(
            "fault",
            "dining naive SIGINT after a deadlock",
            (*SIMS, "run", "dining", "--seconds", "3", "--keep-running"),
            exits=interrupted,
            fault=late,
        )
    )
    grade = (*SIMS, "grade", "dining", str(ROOT / "assets/levels/code/c07_dining/reference.py"), "--budget", "4")
    for backend in ("thread", "process"):
        for what, fault, exits in [
            ("SIGINT", Fault(rng.uniform(0.3, 3), signal.SIGINT), frozenset({130, 0})),
            ("SIGKILL", Fault(rng.uniform(0.3, 3), signal.SIGKILL), frozenset({-9})),
            ("SIGTERM", Fault(rng.uniform(0.3, 3), signal.SIGTERM), frozenset({-15, 143, 130})),
        ]:
            cases.append(
                Case("fault", f"grade {backend} {what}", (*grade, "--backend", backend), exits=exits, fault=fault)
            )
    verify = (*SIMS, "levels", "verify", str(ROOT / "assets/levels/09_dining_deadlock.toml"))
    for what, fault, exits in [
        ("SIGINT", Fault(rng.uniform(0.5, 3), signal.SIGINT), frozenset({130, 1, 0})),
        ("SIGKILL", Fault(rng.uniform(0.5, 3), signal.SIGKILL), frozenset({-9})),
    ]:
        cases.append(Case("fault", f"levels verify {what}", verify, exits=exits, fault=fault))
    sweep = (*SIMS, "sweep", "dining", "--out", "{d}/s", "--seeds", "2", "--seconds", "1", "--jobs", "2")
    cases.append(
        Case(
            "fault",
            "sweep --jobs 2 SIGKILL",
            sweep,
            exits=frozenset({-9}),
            fault=Fault(rng.uniform(1, 3), signal.SIGKILL),
        )
    )
    cases.append(
        Case(
            "fault",
            "sweep --jobs 2 SIGINT",
            sweep,
            exits=frozenset({130, 0}),
            fault=Fault(rng.uniform(1, 3), signal.SIGINT),
        )
    )
    return cases


def corpus() -> list[Case]:
    return [
        *cli_cases(),
        *env_cases(),
        *out_cases(),
        *level_cases(),
        *save_cases(),
        *replay_cases(),
        *code_cases(),
        *window_cases(),
        *fault_cases(),
    ]
