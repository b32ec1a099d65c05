"""The window never leaks a round: closing it, Ctrl-C or SIGKILL mid-round leave nothing behind.

Also: ``--capture`` writes every scene, and without a display ``diner`` says so in one line.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from test_host import alive, shm_of, wait_gone

pytestmark = pytest.mark.timeout(240)

ROUND = (
    'RoundConfig("dining", backend="process", strategy="waiter", seconds=120,'
    ' params={"agents": 3, "think_ms": 20.0, "eat_ms": 20.0})'
)

WINDOW = textwrap.dedent(
    f"""
    import json, os, sys
    os.environ["SDL_VIDEODRIVER"] = "dummy"
    from game.app import App
    from game.scenes.arena import ArenaScene
    from sims.rounds.config import RoundConfig
    app = App()
    scene = app.scenes.push(ArenaScene(app, {ROUND}))
    while not scene.session.identities:
        app.step(app.clock.tick(app.fps) / 1000.0, app.pygame.event.get())
    host = scene.session.host.host_pid
    maps = open(f"/proc/{{host}}/maps").read().splitlines()
    shm = sorted({{l.split("/dev/shm/", 1)[1].strip() for l in maps if "/dev/shm/diner_" in l or "/dev/shm/psm_" in l}})
    agents = [i.pid for i in scene.session.identities]
    print(json.dumps({{"host": host, "agents": agents, "shm": shm}}), flush=True)
    app.run()
    """
)


def _ctrl_c_as_at_a_terminal() -> None:
    """A runner that started us in the background has SIGINT ignored, and children inherit
    that: give the window the default disposition, so Python turns Ctrl-C into
    KeyboardInterrupt as it does for a player at a terminal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _window_round(how: int) -> tuple[dict[str, Any], int]:
    """Start a window process with a round, end it with signal ``how``; what it ran and its exit code."""
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", PYGAME_HIDE_SUPPORT_PROMPT="1")
    window = subprocess.Popen(
        [sys.executable, "-c", WINDOW],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=_ctrl_c_as_at_a_terminal,  # noqa: PLW1509 - only resets a signal disposition
    )
    try:
        line = window.stdout.readline() if window.stdout else ""
        assert line, "the window did not report its round"
        seen = json.loads(line)
        assert alive(seen["host"]) and all(alive(p) for p in seen["agents"]) and seen["shm"]
    finally:
        window.send_signal(how)
        try:
            code = window.wait(45)  # one Ctrl-C is enough (see sims.ctrl_c)
        except subprocess.TimeoutExpired:
            window.kill()  # fail without leaving the window behind
            window.wait()
            raise
        if window.stdout:
            window.stdout.close()
    return seen, code


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT], ids=["sigkill", "ctrl-c"])
def test_a_window_that_dies_or_is_interrupted_leaves_nothing_behind(how: int) -> None:
    seen, code = _window_round(how)
    assert code == -how  # SIGKILL, or the script's uncaught KeyboardInterrupt (Python exits by SIGINT)
    assert wait_gone(seen["host"], 30), "the host outlived its window"
    assert not any(alive(p) for p in seen["agents"])
    assert not any((Path("/dev/shm") / s).exists() for s in seen["shm"])


def test_closing_the_window_mid_round_stops_host_and_agents(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    from game.app import App
    from game.scenes.arena import ArenaScene
    from sims.rounds.config import RoundConfig

    app = App()
    try:
        scene = app.scenes.push(ArenaScene(app, eval(ROUND, {"RoundConfig": RoundConfig})))
        end = time.monotonic() + 60
        while not scene.session.identities:
            assert time.monotonic() < end
            app.step(app.clock.tick(app.fps) / 1000.0, app.pygame.event.get())
        host = scene.session.host.host_pid
        agents = [i.pid for i in scene.session.identities]
        segments = shm_of(host)
        app.step(0.016, [app.pygame.event.Event(app.pygame.QUIT)])
        assert not app.running
    finally:
        app.close()
    assert not alive(host) and not any(alive(p) for p in agents)
    assert not any((Path("/dev/shm") / s).exists() for s in segments)


def test_capture_writes_every_scene(tmp_path: Path) -> None:
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", PYGAME_HIDE_SUPPORT_PROMPT="1")
    done = subprocess.run(
        [sys.executable, "-m", "game", "--capture", str(tmp_path)],
        check=False,
        env=env,
        timeout=200,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    from game.capture import SHOTS

    names = {"title", "sandbox", "table", "deadlock", "kitchen", "results"}
    names |= {"levels", "briefing", "scheduler", "debrief", "levels_zh"}  # the campaign's screens
    names |= {f"{n}_zh" for n in ("table", "results", "deadlock", "kitchen", "pause", "help")}  # rounds in Chinese
    assert set(SHOTS) == names
    assert {p.stem for p in tmp_path.glob("*.png")} == names
    for name in names:
        head = (tmp_path / f"{name}.png").read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n"
        assert int.from_bytes(head[16:20], "big") == 1280 and int.from_bytes(head[20:24], "big") == 720


def test_without_a_display_diner_says_so_in_one_line() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    done = subprocess.run(
        [sys.executable, "-m", "game"], check=False, env=env, timeout=60, capture_output=True, text=True
    )
    assert done.returncode == 2
    lines = (done.stdout + done.stderr).strip().splitlines()
    assert len(lines) == 1 and "diner run" in lines[0] and "display" in lines[0]
