"""A new scenario is its module alone: registered by being there, it is listed, runs headless,
is checked by the level loader, offered by the sandbox and drawn by the view it declares."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import sims.scenarios

pytestmark = pytest.mark.timeout(120)

MODULE = "tiny_lesson"
SOURCE = '''
"""A tinker taps a lock: the smallest lesson there is."""

from sims import Backend
from sims.agents import AgentBody, Me
from sims.scenarios import Drawing, ParamSpec, Scenario, Words
from sims.telemetry import Op, State


class Tinker(AgentBody):
    role = "tinker"

    def __init__(self, lock):
        self.lock = lock

    def run(self, me: Me) -> None:
        while me.running():
            me.state(State.WAITING)
            with self.lock:
                me.state(State.WORKING)
                me.pace(1.0)


class Tiny(Scenario):
    name = "tiny"
    summary = "tinkers take turns at one lock"
    strategies = {"take": "each tinker takes the lock, taps, lets go"}
    default_strategy = "take"
    backends = (Backend.THREAD,)
    in_sandbox = True
    drawing = Drawing.ROLES
    operation = "taps"
    words = {
        "role.tinker": Words("tinker", "补锅匠"),
        "op.taps": Words("taps", "次敲打"),
        "op.taps.one": Words("tap", "次敲打"),
    }
    params = (ParamSpec("agents", int, 2, "tinkers", 1, 8),)

    def build(self, world, strategy, params, seed):
        lock = world.lock("anvil")
        for i in range(int(params["agents"])):
            world.agent(f"tinker {i}", Tinker(lock))

    def operation_ops(self, layout):
        return {a.index: (int(Op.ACQUIRED), -1) for a in layout.agents}
'''


@pytest.fixture
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The new module, found where the registry looks (the package's path), and nowhere else."""
    (tmp_path / f"{MODULE}.py").write_text(SOURCE, encoding="utf-8")
    monkeypatch.setattr(sims.scenarios, "__path__", [*sims.scenarios.__path__, str(tmp_path)])
    yield "tiny"
    sys.modules.pop(f"sims.scenarios.{MODULE}", None)


def test_a_new_module_is_listed_and_runs_headless(tiny: str, capsys: pytest.CaptureFixture[str]) -> None:
    from sims import run_cli

    assert run_cli(["list"]) == 0
    assert "tinkers take turns at one lock" in capsys.readouterr().out
    assert run_cli(["run", tiny, "--seconds", "0.3", "--agents", "3"]) == 0
    assert "tinker 2" in capsys.readouterr().out
    assert run_cli(["run", tiny, "--backend", "process"]) == 2  # it declared threads only
    assert "tiny runs only on thread" in capsys.readouterr().err


def test_a_level_of_the_new_scenario_is_checked_against_its_declaration(tiny: str) -> None:
    from sims.levels.loader import engine_scenarios

    scenario = engine_scenarios()[tiny]
    assert scenario.backends == ("thread",) and "take" in scenario.strategies


def test_the_sandbox_offers_it_and_its_declared_view_draws_it(tiny: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    import pygame

    from game.i18n import count, term, tr
    from game.scenes.sandbox import offered_scenarios
    from game.text import TextCache
    from game.views.choose import scenario_view
    from game.views.roles import RolesView
    from sims.rounds import AgentInfo, ResourceInfo, RoundLayout

    assert offered_scenarios() == ["dining", "kitchen", "tiny"]
    pygame.font.init()
    agents = tuple(AgentInfo(i, f"tinker {i}", "tinker", "thread") for i in range(2))
    layout = RoundLayout(tiny, "take", "thread", 0, agents, (ResourceInfo(0, "anvil", "lock", 1),))
    assert type(scenario_view(TextCache(), layout)) is RolesView
    zh = lambda key, **fields: tr(key, "zh", **fields)  # noqa: E731
    assert term(zh, "role", "tinker") == "补锅匠"
    assert count(zh, 3, "taps") == "3 次敲打"
    assert count(lambda key, **f: tr(key, "en", **f), 1, "taps") == "1 tap"
