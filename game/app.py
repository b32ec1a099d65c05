"""The window: one pygame display, one pygame_gui manager, a scene stack, a fixed-rate loop.

The loop is handle events → update(dt) → draw, paced only by ``Clock.tick(fps)``. Rounds
run in engine host processes (see ``game.session``); the window drains their telemetry
once per frame and never blocks on them. Leaving the loop by any path (closing the window,
Ctrl-C, an exception) exits every scene, and a scene that owns a round closes it.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from game.options import FPS, parse_window_args
from game.paths import FONT, THEME, export_root
from game.scene import Scene, SceneStack
from game.standby import StandbyHost
from game.text import TextCache
from sims import ExportError, check_writable, recorded_ctrl_c

if TYPE_CHECKING:
    from game.campaign import Campaign

DEFAULT_SIZE = (1280, 720)
MIN_SIZE = (960, 600)
OFF_SCREEN = ("offscreen", "dummy")


class App:
    """Owns the display, the UI manager, the text cache and the scenes."""

    def __init__(
        self,
        size: tuple[int, int] = DEFAULT_SIZE,
        fps: int = FPS,
        exports: Path | None = None,
        frame_limit: int = 0,
        save_path: Path | None = None,
    ) -> None:
        import pygame
        import pygame_gui

        self.pygame = pygame
        with _c_stderr_silenced():  # SDL's probes print 'error: XDG_RUNTIME_DIR is invalid...' from C
            pygame.display.init()
        _check_display(pygame)
        pygame.font.init()
        pygame.display.set_caption("Deadlock Diner")
        self.screen = pygame.display.set_mode(size, pygame.RESIZABLE)
        self.ui = pygame_gui.UIManager(size, None, enable_live_theme_updates=False)
        self.ui.add_font_paths("wqy", str(FONT))
        self.ui.get_theme().load_theme(str(THEME))
        self.ui.preload_fonts([{"name": "wqy", "point_size": s, "style": "regular"} for s in (13, 14)])
        self.text = TextCache()
        self.scenes = SceneStack()
        self.clock = pygame.time.Clock()
        self.fps = fps
        self.running = True
        self.exports = exports or export_root()
        self.frames = 0
        self.frame_limit = frame_limit  # > 0: close after this many frames (smoke tests, launch benchmarks)
        self.save_path = save_path  # campaign progress; None: $DINER_SAVE_FILE or the user data folder
        self._campaign: Campaign | None = None
        self.standby = StandbyHost()  # the next round's engine host, warmed while the player chooses

    @property
    def campaign(self) -> Campaign:
        """Levels and saved progress, loaded the first time a scene asks (not at launch)."""
        if self._campaign is None:
            from game.campaign import Campaign

            self._campaign = Campaign.load(self.save_path)
        return self._campaign

    @property
    def language(self) -> str:
        """The player's language ("en" or "zh"), from the saved progress."""
        return self.campaign.language

    @property
    def size(self) -> tuple[int, int]:
        return self.screen.get_size()

    # -- the loop ---------------------------------------------------------------------------
    def run(self, first: Scene | None = None) -> None:
        """Show ``first`` (if given) and loop until the window closes; every scene is exited on the way out.

        Ctrl-C is recorded and raised as KeyboardInterrupt between two frames (see
        sims.ctrl_c: raised anywhere else, C code could swallow it and the press be lost).
        """
        with recorded_ctrl_c() as ctrl_c:
            try:
                if first is not None:
                    self.scenes.push(first)
                while self.running and self.scenes:
                    ctrl_c.check()
                    dt = self.clock.tick(self.fps) / 1000.0
                    self.step(dt, self.pygame.event.get())
                    self.pygame.display.flip()
            finally:
                self.close()

    def step(self, dt: float, events: Sequence[Any]) -> None:
        """One frame: events, update, draw (without flipping: capture and tests read the surface)."""
        for event in events:
            self.dispatch(event)
        self.scenes.update(dt)
        self.ui.update(dt)
        self.draw()
        self.frames += 1
        if self.frames == self.frame_limit:
            self.running = False

    def dispatch(self, event: Any) -> None:
        pg = self.pygame
        if event.type == pg.QUIT:
            self.running = False
            return
        if event.type == pg.VIDEORESIZE:
            self.resize(event.w, event.h)
            return
        self.ui.process_events(event)
        if self._asks_help(event):
            from game.scenes.help import HelpScene

            self.scenes.push(HelpScene(self))
            return
        self.scenes.handle(event)

    def _asks_help(self, event: Any) -> bool:
        """F1 anywhere, H unless a text field has the keyboard; not while help is already up."""
        pg = self.pygame
        if event.type != pg.KEYDOWN or not self.scenes or self.scenes.top.name == "help":
            return False
        typing = any(type(e).__name__ == "UITextEntryLine" for e in self.ui.get_focus_set() or ())
        return event.key == pg.K_F1 or (event.key == pg.K_h and not typing)

    def draw(self) -> None:
        from game import palette

        self.screen.fill(palette.BACKGROUND)
        self.scenes.draw(self.screen)
        self.ui.draw_ui(self.screen)

    def resize(self, w: int, h: int) -> None:
        size = (max(w, MIN_SIZE[0]), max(h, MIN_SIZE[1]))
        self.screen = self.pygame.display.set_mode(size, self.pygame.RESIZABLE)
        self.ui.set_window_resolution(size)
        self.scenes.relayout()

    def save(self, path: Path) -> Path:
        """Write the current frame to a PNG."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.pygame.image.save(self.screen, str(path))
        return path

    def close(self) -> None:
        """Exit every scene (closing any round), then the display. Safe to call twice."""
        self.running = False
        try:
            self.scenes.clear()
        finally:
            self.standby.close()
            if self.pygame.display.get_init():
                self.pygame.display.quit()


def check_pygame() -> str | None:
    """A sentence saying what is wrong with the installed pygame, or None."""
    try:
        import pygame
    except ImportError as error:
        return f"pygame-ce is not installed ({error}); pip install pygame-ce"
    if not getattr(pygame, "IS_CE", False):
        return "upstream pygame is installed where pygame-ce is needed: pip uninstall pygame && pip install pygame-ce"
    return None


@contextlib.contextmanager
def _c_stderr_silenced() -> Iterator[None]:
    """File descriptor 2 on /dev/null meanwhile: what C libraries print there while SDL looks for
    a display is noise before our own one-line refusal (Python's own errors are raised, not lost)."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class NoDisplay(RuntimeError):
    """SDL found no display it can show a window on."""


def _check_display(pygame: Any) -> None:
    """Refuse SDL's silent fallback to an invisible window (``DISPLAY`` naming no X server)."""
    asked = os.environ.get("SDL_VIDEODRIVER", "")
    driver = pygame.display.get_driver()
    if driver in OFF_SCREEN and asked not in OFF_SCREEN:
        pygame.display.quit()
        shown = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or "none"
        raise NoDisplay(
            f"no usable display (DISPLAY={shown}; SDL could only draw off screen); "
            "run a round headless instead: diner run dining (see diner --help)"
        )


def _capture_problem(out_dir: Path) -> str | None:
    """Why ``--capture`` cannot write PNGs into ``out_dir`` (created if missing), or None."""
    try:
        check_writable(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
    except ExportError as error:
        return f"--capture: {error}"
    except OSError as error:
        return f"--capture: {out_dir}: {error.strerror or error}"
    return None


def _export_problem() -> str | None:
    """What is wrong with ``DINER_EXPORT_DIR``, found before the window opens (a traceback after)."""
    try:
        export_root()
    except ValueError as error:
        return str(error)
    return None


def main(args: Sequence[str]) -> int:
    """Open the window (or capture scenes headless). Returns the exit code."""
    opts = parse_window_args(args)
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    if opts.capture is not None and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    problem = (
        check_pygame()
        or _export_problem()
        or (_capture_problem(opts.capture) if opts.capture is not None else None)
    )
    if problem:
        print(f"diner: {problem}", file=sys.stderr)
        return 2
    try:
        if opts.capture is not None:
            from game.capture import capture

            return capture(opts.capture, opts.size)
        app = App(opts.size, opts.fps, frame_limit=opts.frames)
    except NoDisplay as error:
        print(f"diner: {error}", file=sys.stderr)
        return 2
    from game.scenes.title import TitleScene

    try:
        app.run(TitleScene(app))
    except KeyboardInterrupt:
        print("diner: interrupted; every round was stopped", file=sys.stderr)
        return 130
    return 0
