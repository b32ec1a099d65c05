"""An adversarial corpus against every ``diner`` command (issue 13): run it, classify each case.

Each case runs ``python -m sims ...`` (or the window's launcher) in a fresh folder, in a session of
its own, with a 30 s timeout, and is classified as one of:

  ok           the expected exit status, at most one line on stderr for a refusal, no traceback
  traceback    "Traceback" on stdout or stderr
  exit         an exit status the case does not allow
  hang         still running after the timeout (killed)
  leftover     a process of the case still alive once the command ended (waited for SETTLE_S)
  shm          a /dev/shm entry the case's processes mapped still there once they ended
  multiline    a refusal (exit 2) of more than one line on stderr
  flood        more than FLOOD_BYTES of output (player code printing megabytes)

Processes are told apart by an environment variable each case sets (children inherit it), so
a process that left the session (re-parented, ``setsid``) is still found, and another program's
processes or segments are never blamed. Memory and fork bombs run under ``RLIMIT_AS``; bounded
stand-ins replace a real fork bomb (``RLIMIT_NPROC`` does not bind root).

    python tools/attack.py                 # every family, two cases at a time
    python tools/attack.py --family code   # one family
    python tools/attack.py --list          # the cases, without running them
    python tools/attack.py --tree /work/main   # another checkout (the corpus stays this one's)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import attrs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from _attack_corpus import Case, Fault, Target, corpus  # noqa: E402

TIMEOUT_S = 30.0
SETTLE_S = 5.0  # the lifeline acts within a slice; a loaded machine gets more
FLOOD_BYTES = 1 << 20
SAFETY_AS = 8 << 30  # address space of each process of a case (memory bombs stay bounded)
MARK = "DINER_ATTACK_CASE"


@attrs.frozen
class Outcome:
    case: Case
    verdict: str
    status: int | None
    seconds: float
    detail: str


def _marked(value: str) -> list[int]:
    """Pids whose environment holds ``MARK=value`` (children inherit it wherever they go)."""
    needle = f"{MARK}={value}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                if needle in Path(f"/proc/{entry}/environ").read_bytes().split(b"\0"):
                    found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def _mapped(pids: Sequence[int]) -> set[str]:
    names = set()
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
                if "/dev/shm/" in line:
                    names.add(line.split()[-1].replace(" (deleted)", ""))
    return names


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (SAFETY_AS, SAFETY_AS))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _inject(case: Case, child: subprocess.Popen[bytes], key: str, rng: random.Random) -> str:
    """Wait for the fault's moment and deliver it; a note for the table."""
    fault = case.fault
    assert fault is not None
    stop = threading.Event()
    if stop.wait(fault.after_s) or child.poll() is not None:
        return "ended before the fault"
    if fault.target is Target.AGENT:
        agents = [p for p in _marked(key) if p != child.pid and any("diner_" in n for n in _mapped([p]))]
        if not agents:
            return "no agent to kill"
        victim = rng.choice(agents)
        with contextlib.suppress(ProcessLookupError):
            os.kill(victim, fault.signum)
        return f"signal {fault.signum} to agent {victim}"
    if fault.target is Target.STOP_THEN_KILL:
        os.kill(child.pid, signal.SIGSTOP)
        stop.wait(0.5)
        os.kill(child.pid, signal.SIGKILL)
        return "SIGSTOP, then SIGKILL"
    os.kill(child.pid, fault.signum)
    if fault.signum == signal.SIGINT and fault.again_s is not None:
        stop.wait(fault.again_s)
        with contextlib.suppress(ProcessLookupError):
            os.kill(child.pid, signal.SIGINT)
    return f"signal {fault.signum} at {fault.after_s:.2f} s"


def run_case(number: int, case: Case, keep: Path, tree: Path = ROOT) -> Outcome:
    key = f"{os.getpid()}-{number}"
    folder = Path(tempfile.mkdtemp(prefix=f"attack-{number:03d}-", dir=keep))
    argv = [part.format(d=folder) for part in case.argv]
    if case.setup is not None:
        case.setup(folder)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    env.update(
        {
            "PYTHONPATH": str(tree),
            MARK: key,
            "DINER_SHM_TAG": f"atk{number}",
            "TMPDIR": str(folder),
            "XDG_DATA_HOME": str(folder / "data"),
            "DINER_SAVE_FILE": str(folder / "save.json"),
            "DINER_EXPORT_DIR": str(folder / "export"),
        }
    )
    env.update({k: v.format(d=folder) for k, v in case.env.items()})
    for k in case.unset:
        env.pop(k, None)
    out, err = folder / "stdout", folder / "stderr"
    started = time.monotonic()
    with out.open("wb") as o, err.open("wb") as e:
        child = subprocess.Popen(
            [sys.executable, *argv],
            cwd=folder,
            env=env,
            stdout=o,
            stderr=e,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_limits,  # noqa: PLW1509
        )
        seen: set[str] = set()
        sampler_stop = threading.Event()

        def sample() -> None:
            while not sampler_stop.wait(0.1):
                seen.update(_mapped(_marked(key)))

        sampler = threading.Thread(target=sample, name=f"shm sampler {number}")
        sampler.start()
        note = _inject(case, child, key, random.Random(number)) if case.fault else ""
        try:
            status: int | None = child.wait(TIMEOUT_S - (time.monotonic() - started))
        except subprocess.TimeoutExpired:
            status = None
        seconds = time.monotonic() - started
        settle = threading.Event()
        deadline = time.monotonic() + SETTLE_S
        while time.monotonic() < deadline and [p for p in _marked(key) if _alive(p)]:
            settle.wait(0.05)
        sampler_stop.set()
        sampler.join()
        left = [p for p in _marked(key) if _alive(p)]
        for pid in _marked(key):  # whatever the case left, the corpus leaves nothing
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if child.poll() is None:
            child.kill()
            child.wait()
    seen |= {f"/dev/shm/{n}" for n in os.listdir("/dev/shm") if n.startswith(f"diner_atk{number}_")}
    stale = sorted(n for n in seen if os.path.exists(n))
    for name in stale:
        with contextlib.suppress(OSError):
            os.unlink(name)
    verdict, detail = classify(case, status, out, err, left, stale)
    return Outcome(case, verdict, status, seconds, f"{note}; {detail}" if note else detail)


def _guarded(number: int, case: Case, keep: Path, tree: Path) -> Outcome:
    """A case the harness itself cannot run is a row of the table, not the end of the run."""
    try:
        return run_case(number, case, keep, tree)
    except Exception as error:
        return Outcome(case, "harness", None, 0.0, f"{type(error).__name__}: {error}")


def _head(path: Path, size: int = 1 << 16) -> str:
    with path.open("rb") as f:
        return f.read(size).decode("utf-8", "replace")


def classify(
    case: Case, status: int | None, out: Path, err: Path, left: list[int], stale: list[str]
) -> tuple[str, str]:
    stderr, stdout = _head(err), _head(out)
    lines = [line for line in stderr.splitlines() if line.strip()]
    first = lines[0][:150] if lines else (stdout.splitlines() or [""])[0][:150]
    if status is None:
        return "hang", first
    if "Traceback" in stderr or "Traceback" in stdout:
        tb = [line for line in lines if line and not line.startswith(" ")]
        return "traceback", tb[-1][:150] if tb else first
    if left:
        return "leftover", f"{len(left)} processes; {first}"
    if stale:
        return "shm", f"{', '.join(s.rpartition('/')[2] for s in stale[:3])}; {first}"
    if status not in case.exits:
        return "exit", f"got {status}, want {sorted(case.exits)}; {first}"
    if out.stat().st_size + err.stat().st_size > FLOOD_BYTES:
        return "flood", f"{out.stat().st_size + err.stat().st_size} bytes of output"
    if status == 2 and len(lines) != 1 and not ("levels" in case.argv and _a_report(lines)):
        return "multiline", f"{len(lines)} lines: {first}"
    if case.needle and case.needle not in stderr + stdout:
        return "exit", f"no {case.needle!r} in the output; {first}"
    return "ok", first


def _a_report(lines: list[str]) -> bool:
    """``levels check``'s refusal: one line per problem, each naming its file, then the count."""
    return bool(re.fullmatch(r"\d+ problem\(s\) in \d+ file\(s\)", lines[-1])) and all(
        line.startswith("/") for line in lines[:-1]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", action="append", help="only these families (repeatable)")
    parser.add_argument("--match", action="append", help="only cases whose name contains this (repeatable)")
    parser.add_argument("--jobs", type=int, default=2, help="cases at once (default 2: the machine is shared)")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument("--tree", type=Path, default=ROOT, help="the source tree to attack (default: this one)")
    parser.add_argument("--all-rows", action="store_true", help="print the ok rows too")
    args = parser.parse_args(argv)
    cases = [c for c in corpus() if (not args.family or c.family in args.family)]
    cases = [c for c in cases if not args.match or any(m in c.name for m in args.match)]
    if args.list:
        for family, count in Counter(c.family for c in cases).items():
            print(f"{family:10} {count}")
        print(f"{'total':10} {len(cases)}")
        return 0
    keep = Path(tempfile.mkdtemp(prefix="diner-attack-"))
    with ThreadPoolExecutor(args.jobs) as pool:
        outcomes = list(pool.map(lambda nc: _guarded(nc[0], nc[1], keep, args.tree.resolve()), enumerate(cases)))
    report(outcomes, args.all_rows)
    subprocess.run(["rm", "-rf", str(keep)], check=False)
    return 1 if any(o.verdict != "ok" for o in outcomes) else 0


def report(outcomes: list[Outcome], all_rows: bool) -> None:
    print(f"{'family':9} {'case':44} {'class':10} {'exit':>5} {'s':>5}  detail")
    for o in outcomes:
        if all_rows or o.verdict != "ok":
            status = "-" if o.status is None else str(o.status)
            name = o.case.name.replace("\n", "\\n")[:44]
            print(f"{o.case.family:9} {name:44} {o.verdict:10} {status:>5} {o.seconds:5.1f}  {o.detail[:110]}")
    by_family: dict[str, Counter[str]] = {}
    for o in outcomes:
        by_family.setdefault(o.case.family, Counter())[o.verdict] += 1
    print()
    for family, counts in by_family.items():
        fails = sum(n for v, n in counts.items() if v != "ok")
        detail = ", ".join(f"{v} {n}" for v, n in sorted(counts.items()) if v != "ok")
        print(f"{family:9} {sum(counts.values()):4} cases, {fails:3} failed{': ' + detail if detail else ''}")
    total = Counter(o.verdict for o in outcomes)
    print(f"{'total':9} {len(outcomes):4} cases, {len(outcomes) - total['ok']:3} failed")


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["Case", "Fault", "Outcome", "Target", "classify", "main", "run_case"]
