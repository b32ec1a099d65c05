"""Check in the window: how long a code level's Check takes, and the frames drawn meanwhile.

    SDL_VIDEODRIVER=dummy python tools/bench_code_check.py [--levels c07_dining c04_barrier]

For each level, its reference is checked the way the window does it (a BackgroundJob polled each
frame); the window's frames (``App.step``) are timed while the grader runs and, as the baseline,
for the same number of frames of the same scene idle, in the same run. Prints seconds to the
verdict against the level's budget, and frame p50/p99 with their ratio to the idle baseline.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path


def _frames(app, scene, count: int | None) -> list[float]:  # type: ignore[no-untyped-def]
    """Each frame's ``App.step`` in ms, sorted (the last one, which receives the verdict, included)."""
    spent: list[float] = []
    while (count is None and scene.job is not None) or (count is not None and len(spent) < count):
        dt = app.clock.tick(app.fps) / 1000.0
        started = time.perf_counter()
        app.step(dt, app.pygame.event.get())
        spent.append((time.perf_counter() - started) * 1000)
    return sorted(spent)


def _pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(len(values) * q))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", nargs="+", default=["c07_dining", "c04_barrier"])
    args = parser.parse_args()
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    folder = tempfile.mkdtemp(prefix="diner-bench-")
    os.environ["DINER_SAVE_FILE"] = str(Path(folder) / "save.json")
    from game.app import App
    from game.scenes.codelevel import CodeLevelScene
    from sims.levels import load_code_levels

    levels = {level.id: level for level in load_code_levels()}
    app = App((1280, 720), exports=Path(folder) / "exports")
    try:
        for level_id in args.levels:
            level = levels[level_id]
            scene = CodeLevelScene(app, level, level.file(level.reference))
            app.scenes.push(scene)
            started = time.monotonic()
            scene.check()
            busy = _frames(app, scene, None)
            seconds = time.monotonic() - started
            idle = _frames(app, scene, len(busy))
            answer = scene.answer or {"verdict": "none", "stars": 0}
            print(
                f"{level_id}: verdict {answer['verdict']} ({answer['stars']} stars) in {seconds:.1f} s "
                f"(budget {level.budget_s:g} s, target <= 15 s); {len(busy)} frames while checking: "
                f"p50 {_pct(busy, 0.5):.1f} ms, p99 {_pct(busy, 0.99):.1f} ms; idle baseline p50 "
                f"{_pct(idle, 0.5):.1f} ms, p99 {_pct(idle, 0.99):.1f} ms; "
                f"p99 ratio {_pct(busy, 0.99) / _pct(idle, 0.99):.2f}"
            )
            app.scenes.pop()
    finally:
        app.close()


if __name__ == "__main__":
    main()
