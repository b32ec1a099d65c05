"""``diner --capture DIR``: every scene rendered to PNG, with the real engine running.

Each shot waits for what it must show (a round mid-way, a real deadlock, a finished
round) by running frames of the real loop at the real frame rate, never by sleeping.
The campaign shots end by switching the language (saved in a throwaway progress file), and
the rounds are then shot again in Chinese (``*_zh.png``), with the pause and help overlays.
"""

from __future__ import annotations

import functools
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from game.app import App
from sims.rounds import End, Resize, RoundConfig

SHOTS = (
    "title",
    "sandbox",
    "table",
    "deadlock",
    "kitchen",
    "results",
    "levels",
    "briefing",
    "scheduler",
    "debrief",
    "levels_zh",
    "table_zh",
    "results_zh",
    "deadlock_zh",
    "kitchen_zh",
    "pause_zh",
    "help_zh",
)
CAMPAIGN_STARS = {  # a player seven levels in
    "race-schedule": 3,
    "race-lock": 2,
    "race-processes": 1,
    "bell-event": 2,
    "bell-schedule": 3,
    "seats-semaphore": 1,
    "kitchen-buffer": 2,
}
WAIT_S = 45.0

TABLE = RoundConfig(
    "dining",
    backend="process",
    strategy="waiter",
    seconds=60,
    seed=1,
    params={"agents": 6, "think_ms": 300.0, "eat_ms": 500.0},
)
DEADLOCK = RoundConfig(
    "dining",
    backend="thread",
    strategy="naive",
    seconds=30,
    seed=2,
    params={"agents": 5, "think_ms": 2.0, "eat_ms": 2.0},
)
KITCHEN = RoundConfig(
    "kitchen",
    backend="process",
    strategy="semaphores",
    seconds=60,
    seed=3,
    params={"producers": 3, "consumers": 2, "capacity": 5, "cook_ms": 120.0, "serve_ms": 300.0},
)


class Capture:
    """Drives an :class:`App` through the scenes and saves one PNG per scene."""

    def __init__(self, app: App, out_dir: Path) -> None:
        self.app = app
        self.out_dir = out_dir
        self.saved: list[Path] = []

    def frames(self, count: int = 1, until: Callable[[], bool] | None = None, timeout: float = WAIT_S) -> None:
        """Run real frames (events, update, draw at the app's fps) ``count`` times or until ``until()``."""
        pg = self.app.pygame
        deadline = time.monotonic() + timeout
        done = 0
        while True:
            dt = self.app.clock.tick(self.app.fps) / 1000.0
            self.app.step(dt, pg.event.get())
            done += 1
            if until is None and done >= count:
                return
            if until is not None and until():
                return
            self._check_engine()
            if time.monotonic() > deadline:
                raise TimeoutError(f"capture: waited {timeout:g} s for the scene to be ready")

    def _check_engine(self) -> None:
        """Stop waiting at once if the engine host of the scene on top has failed."""
        session = getattr(self.app.scenes.top, "session", None) if self.app.scenes else None
        error = getattr(session, "error", None)
        if error:
            raise RuntimeError(f"the engine failed: {error.strip().splitlines()[-1]}")

    def shot(self, name: str) -> None:
        self.frames(2)
        self.saved.append(self.app.save(self.out_dir / f"{name}.png"))

    def arena(self, config: RoundConfig) -> Any:
        from game.scenes.arena import ArenaScene

        scene = ArenaScene(self.app, config)
        self.app.scenes.replace(scene)
        self.frames(until=lambda: scene.session is not None and scene.view is not None)
        return scene

    def hover(self, pos: tuple[int, int]) -> None:
        pg = self.app.pygame
        pg.event.post(pg.event.Event(pg.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0)))

    def run(self) -> None:
        from game.scenes.sandbox import SandboxScene
        from game.scenes.title import TitleScene

        self.app.scenes.push(TitleScene(self.app))
        self.shot("title")
        self.app.scenes.replace(SandboxScene(self.app, TABLE))
        self.shot("sandbox")
        self.table_and_results()
        self.deadlock()
        self.kitchen()
        self.campaign()
        self.table_and_results("_zh")
        self.deadlock("_zh")
        self.kitchen("_zh")
        self.overlays("_zh")

    def table_and_results(self, suffix: str = "") -> None:
        scene = self.arena(TABLE)
        session = scene.session
        self.frames(until=lambda: session.elapsed_s > 1.0 and bool(session.identities))
        session.send(Resize("seats", 3))  # a live shrink: pending until eaters give seats back
        self.frames(until=lambda: session.elapsed_s > 2.3)
        seats = session.layout.resource_named("seats").index
        session.send(Resize("seats", 2))  # with every seat taken, part of this shrink has to wait
        self.frames(until=lambda: session.snapshot().resources[seats].capacity <= 3, timeout=5)
        spot = scene.view.agent_spots[1][0] if scene.view else (0, 0)
        self.hover((int(spot[0]), int(spot[1])))
        self.shot(f"table{suffix}")
        session.send(End())
        self.frames(until=lambda: session.result is not None or session.error is not None)
        scene.results()
        self.shot(f"results{suffix}")

    def deadlock(self, suffix: str = "") -> None:
        scene = self.arena(DEADLOCK)
        session = scene.session
        self.frames(until=lambda: session.ended)
        if session.deadlock is None:
            raise RuntimeError(f"capture: the naive round ended without a deadlock ({session.status})")
        self.shot(f"deadlock{suffix}")

    def kitchen(self, suffix: str = "") -> None:
        scene = self.arena(KITCHEN)
        session = scene.session
        self.frames(until=lambda: session.elapsed_s > 2.5 and bool(session.identities))
        self.shot(f"kitchen{suffix}")

    def overlays(self, suffix: str) -> None:
        """The pause overlay once the engine confirms the pause, then the help overlay, over the kitchen."""
        from game.scenes.arena import ArenaScene
        from game.scenes.help import HelpScene
        from game.scenes.pause import PauseScene

        arena = self.app.scenes.top
        assert isinstance(arena, ArenaScene) and arena.session is not None
        session = arena.session
        self.app.scenes.push(PauseScene(self.app, session))
        self.frames(until=lambda: bool((snap := session.snapshot()) and snap.paused))
        self.shot(f"pause{suffix}")
        self.app.scenes.pop()
        self.app.scenes.push(HelpScene(self.app))
        self.shot(f"help{suffix}")

    def campaign(self) -> None:
        """Level select, a briefing, a gated round mid-play, its debrief, the level select in Chinese."""
        from game.scenes.briefing import BriefingScene
        from game.scenes.levels import LevelSelectScene

        campaign = self.app.campaign
        for level_id, stars in CAMPAIGN_STARS.items():
            campaign.progress = campaign.progress.record(level_id, stars)
        self.app.scenes.replace(LevelSelectScene(self.app))
        self.shot("levels")
        briefing = BriefingScene(self.app, campaign.level("dining-deadlock"), hints=1)
        self.app.scenes.replace(briefing)
        self.shot("briefing")
        self.scheduler(campaign.level("dining-schedule"))
        campaign.switch_language()
        self.app.scenes.replace(LevelSelectScene(self.app))
        self.shot("levels_zh")

    def scheduler(self, level: Any) -> None:
        """Be the scheduler: both philosophers take their first fork, one reaches for the second."""
        from game.campaign import Picks
        from game.scenes.play import LevelArenaScene

        scene = LevelArenaScene(self.app, level, Picks.defaults(level))
        self.app.scenes.replace(scene)
        session = scene.session
        assert session is not None
        self.frames(until=lambda: all(scene.tracker and scene.tracker.at_gate(session.snapshot(), a) for a in (0, 1)))
        for agent in (0, 1, 0):
            scene.step(agent)
            self.frames(until=functools.partial(self._arrived, scene, agent))
        self.shot("scheduler")
        scene.step(1)  # the cycle closes: a real deadlock ends the round
        self.frames(until=lambda: session.ended)
        scene.results()
        self.shot("debrief")

    @staticmethod
    def _arrived(scene: Any, agent: int) -> bool:
        """The released agent is at its next gate, or blocked for real on a fork."""
        snap = scene.session.snapshot()
        return (
            snap is not None
            and scene.tracker is not None
            and (scene.tracker.at_gate(snap, agent) or snap.agents[agent].waiting_on >= 0)
        )


def capture(out_dir: Path, size: tuple[int, int]) -> int:
    """Render every scene to ``out_dir``; 0 on success. Campaign progress goes to a throwaway file."""
    with tempfile.TemporaryDirectory(prefix="diner-capture-") as scratch:
        return _capture(out_dir, size, Path(scratch) / "progress.json")


def _capture(out_dir: Path, size: tuple[int, int], save_path: Path) -> int:
    app = App(size, save_path=save_path)
    try:
        shooter = Capture(app, out_dir)
        shooter.run()
    except (TimeoutError, RuntimeError) as error:
        print(f"diner --capture: {error}", file=sys.stderr)
        return 1
    finally:
        app.close()
    print(f"diner --capture: wrote {', '.join(p.name for p in shooter.saved)} to {out_dir}")
    return 0
