"""Ctrl-C is recorded, then raised where nothing can swallow it; children started meanwhile survive it.

The loss this prevents: Python's own handler raises KeyboardInterrupt in whatever bytecode
runs next, and numpy clears any error raised while it looks up ``__array_ufunc__`` on an
operand's class. An IntEnum's class answers that lookup with Python code, so a Ctrl-C whose
handler fires there used to vanish (``tools/ctrlc_repro.py`` shows it, with numbers).
"""

from __future__ import annotations

import contextlib
import enum
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from helpers import session_members, terminal_child, wait_until

from sims.ctrl_c import recorded_ctrl_c, sigint_held_back

pytestmark = pytest.mark.timeout(60)

BLOCKED_IN_CHILD = "import signal; print(signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, []))"


@pytest.fixture(autouse=True)
def default_sigint() -> Iterator[None]:
    """Python's default SIGINT handler, as at a terminal (a background runner may ignore SIGINT)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def pressing_enum(presses: int) -> type[enum.IntEnum]:
    """An IntEnum whose class presses Ctrl-C (``presses`` times at most) while numpy looks
    ``__array_ufunc__`` up on it: the handler runs inside that lookup, as it did in the engine."""
    left = [presses]

    class PressingMeta(enum.EnumMeta):
        def __getattr__(cls, name: str) -> object:
            if name == "__array_ufunc__" and left[0] > 0:
                left[0] -= 1
                signal.raise_signal(signal.SIGINT)
            return super().__getattr__(name)

    class Pressing(enum.IntEnum, metaclass=PressingMeta):
        ONE = 1

    return Pressing


def test_a_press_is_recorded_and_raised_at_the_check_not_where_it_lands() -> None:
    with recorded_ctrl_c() as ctrl_c:
        signal.raise_signal(signal.SIGINT)
        assert ctrl_c.presses == 1
        with pytest.raises(KeyboardInterrupt):
            ctrl_c.check()
        ctrl_c.check()  # raised once only
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_press_inside_numpys_swallowing_lookup_is_not_lost() -> None:
    one = pressing_enum(1).ONE
    with recorded_ctrl_c() as ctrl_c:
        assert (np.arange(3) == one).tolist() == [False, True, False]
        assert ctrl_c.presses == 1
        with pytest.raises(KeyboardInterrupt):
            ctrl_c.check()


def test_a_second_press_swallowed_there_still_leaves_the_check_raising() -> None:
    two = pressing_enum(2).ONE
    with recorded_ctrl_c() as ctrl_c:
        assert (np.arange(3) == two).tolist() == [False, True, False]  # numpy looks twice
        assert ctrl_c.presses == 2
        with pytest.raises(KeyboardInterrupt):
            ctrl_c.check()


def test_a_press_not_yet_raised_is_raised_when_the_block_ends() -> None:
    with pytest.raises(KeyboardInterrupt), recorded_ctrl_c():
        signal.raise_signal(signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_second_press_raises_at_once() -> None:
    with recorded_ctrl_c() as ctrl_c:
        signal.raise_signal(signal.SIGINT)
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
        assert ctrl_c.presses == 2
        with pytest.raises(KeyboardInterrupt):
            ctrl_c.check()  # the handler cannot know whether its raise got through


def test_nested_blocks_share_one_record() -> None:
    with recorded_ctrl_c() as outer:
        with recorded_ctrl_c() as inner:
            assert inner is outer
        assert signal.getsignal(signal.SIGINT) == outer._record  # the inner block left it installed
        signal.raise_signal(signal.SIGINT)
        assert outer.presses == 1
        with pytest.raises(KeyboardInterrupt):
            outer.check()


def test_an_ignored_sigint_stays_ignored() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with recorded_ctrl_c() as ctrl_c:
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        signal.raise_signal(signal.SIGINT)
        ctrl_c.check()
    assert ctrl_c.presses == 0


def test_outside_the_main_thread_the_block_takes_nothing() -> None:
    seen: list[object] = []

    def body() -> None:
        with recorded_ctrl_c() as ctrl_c:
            seen.append(signal.getsignal(signal.SIGINT))
            ctrl_c.check()

    worker = threading.Thread(target=body)
    worker.start()
    worker.join()
    assert seen == [signal.default_int_handler]


def test_children_started_while_sigint_is_held_back_have_it_blocked() -> None:
    def blocked_in_child() -> str:
        done = subprocess.run([sys.executable, "-c", BLOCKED_IN_CHILD], check=True, capture_output=True, text=True)
        return done.stdout

    with sigint_held_back():
        inside = blocked_in_child()
    assert (inside.strip(), blocked_in_child().strip()) == ("True", "False")


def test_a_press_held_back_reaches_the_handler_when_the_block_ends() -> None:
    with recorded_ctrl_c() as ctrl_c:
        with sigint_held_back():
            signal.raise_signal(signal.SIGINT)  # to this thread, which blocks it: pending
            assert ctrl_c.presses == 0
        assert ctrl_c.presses == 1
        with pytest.raises(KeyboardInterrupt):
            ctrl_c.check()


# -- the command line ------------------------------------------------------------------------
def _segments(tag: str) -> list[str]:
    return [p.name for p in Path("/dev/shm").iterdir() if p.name.startswith(f"diner_{tag}_")]


def _loading_numpy(pid: int) -> bool:
    """numpy's core is mapped: the engine's heavy imports are under way."""
    try:
        return "_multiarray_umath" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


def _attached(pid: int, tag: str) -> int:
    """How many processes of session ``pid`` have the round's segment mapped."""
    count = 0
    for member in session_members(pid):
        with contextlib.suppress(OSError):
            count += f"/dev/shm/diner_{tag}_" in Path(f"/proc/{member}/maps").read_text()
    return count


# When to press, each a state seen from outside; and the status the press must end with.
MOMENTS = {
    "loading": (lambda child, tag: _loading_numpy(child.pid), 130),
    "starting": (lambda child, tag: _segments(tag), 130),
    "running": (lambda child, tag: _attached(child.pid, tag) >= 1 + 5, 130),
}


@pytest.mark.parametrize("moment", [*MOMENTS, "ended"])
def test_a_press_at_any_moment_ends_cleanly(tmp_path: Path, moment: str) -> None:
    """Pressed while the engine loads, while agents start, while they run: exit 130 and one
    line; pressed after the round has ended (a deadlock, found fast): exit 0. Never a traceback."""
    tag = f"ctrlc{moment}{os.getpid()}"
    argv = [sys.executable, "-m", "sims", "run", "dining", "--backend", "process", "--set", "think_ms=0"]
    argv += ["--strategy", "naive", "--seconds", "4"] if moment == "ended" else ["--strategy", "ordered"]
    child = terminal_child(argv, tmp_path, tag)
    try:
        if moment == "ended":  # the round's memory is freed as it ends, before its result is printed
            wait_until(lambda: _segments(tag) or child.poll() is not None, 30, 0.002)
            wait_until(lambda: not _segments(tag) or child.poll() is not None, 30, 0.002)
            expected = 0
        else:
            ready, expected = MOMENTS[moment]
            wait_until(lambda: ready(child, tag) or child.poll() is not None, 30, 0.001)
        with contextlib.suppress(ProcessLookupError):  # an ended round may have exited already
            os.killpg(child.pid, signal.SIGINT)
        _, err = child.communicate(timeout=40)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    assert (child.returncode, "Traceback" in err) == (expected, False), err
    if expected:
        assert err.strip() == "interrupted: round stopped, every agent ended"
    wait_until(lambda: not session_members(child.pid) and not _segments(tag), 10)
