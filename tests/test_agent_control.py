"""Per-agent live control: ``pause A`` / ``resume A`` and ``slow A F`` set one agent's own slots
of the control block; only that agent's ``Me`` reads them."""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator

import pytest
from helpers import of_op, poll_until

from sims.agents.me import Me
from sims.engine import Round
from sims.kinds import EndReason
from sims.rounds import RoundConfig, parse_command
from sims.rounds.commands import PauseAgent, Resume, ResumeAgent, SlowAgent
from sims.runtime import AGENT_SLOTS, SLICE_S, AgentSlot, Runtime
from sims.telemetry import Op

pytestmark = pytest.mark.timeout(120)


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("pause 3", PauseAgent(3)),
        ("resume cook", ResumeAgent("cook")),
        ("slow 2 4", SlowAgent(2, 4.0)),
        ("resume", Resume()),
    ],
)
def test_the_per_agent_commands_parse(text: str, command: object) -> None:
    assert parse_command(text) == command


@pytest.mark.parametrize(
    ("text", "form"),
    [("slow 2", "'slow 3 4'"), ("slow 2 0", "'slow 3 4'"), ("slow 2 x", "'slow 3 4'"), ("pause 1 2", "'pause 3'")],
)
def test_a_wrong_per_agent_command_shows_the_right_form(text: str, form: str) -> None:
    with pytest.raises(ValueError, match=form):
        parse_command(text)


def test_every_agent_slot_fits_in_the_control_block() -> None:
    assert max(AgentSlot) < AGENT_SLOTS


class Bell:
    """The round's stop bell, never rung: records how long each wait would sleep."""

    def __init__(self) -> None:
        self.waits: list[float] = []
        self.then: types.FunctionType | None = None

    def wait(self, seconds: float) -> bool:
        self.waits.append(seconds)
        if self.then is not None:
            self.then(len(self.waits))
        return False

    def taker(self) -> Callable[[bool, float], bool]:
        return lambda blocking, seconds: self.wait(seconds)


@pytest.fixture
def runtime() -> Iterator[Runtime]:
    rt = Runtime(None, shared=False)
    rt.allocate(2, 1 << 12)
    rt.stop_bell = Bell()  # type: ignore[assignment]
    yield rt
    rt.close()


def _me(rt: Runtime, index: int) -> Me:
    writer = types.SimpleNamespace(emit=lambda code, value: None)
    return Me(index, f"agent {index}", "thread", rt, writer, None, seed=7, step_labels={})  # type: ignore[arg-type]


def test_slow_scales_one_agents_pacing_only(runtime: Runtime) -> None:
    runtime.set_agent(1, SlowAgent(1, 4.0).slots())
    _me(runtime, 0).pace(10.0)
    _me(runtime, 1).pace(10.0)  # the same seed: the same draw, four times as long
    plain, slowed = runtime.stop_bell.waits  # type: ignore[attr-defined]
    assert slowed == pytest.approx(4 * plain)


def test_a_paused_agent_holds_until_resumed_while_the_others_run(runtime: Runtime) -> None:
    bell: Bell = runtime.stop_bell  # type: ignore[assignment]
    runtime.set_agent(0, PauseAgent(0).slots())
    other = _me(runtime, 1)
    assert other.running() and bell.waits == []  # agent 1 is not held by agent 0's pause

    def resume_after_three(waits: int) -> None:
        if waits == 3:
            runtime.set_agent(0, ResumeAgent(0).slots())

    bell.then = resume_after_three
    assert _me(runtime, 0).running()
    assert bell.waits == [SLICE_S] * 3  # held slice by slice until the resume


def test_the_engine_pauses_one_process_agent_and_the_other_goes_on() -> None:
    config = RoundConfig("seats", backend="process", seconds=60, params={"agents": 2, "think_ms": 2.0, "eat_ms": 2.0})
    with Round(config) as rnd:
        rnd.start()
        assert rnd.model is not None
        rnd.command(parse_command("pause 0"))
        rnd.command(parse_command("slow 1 0.5"))
        with pytest.raises(ValueError, match="no agent 9"):
            rnd.command(parse_command("pause 9"))
        paused_at = int(rnd.model.operations[1])
        poll_until(rnd, lambda: rnd.model.operations[1] >= paused_at + 6, timeout=60)
        result = rnd.stop(EndReason.REQUESTED)
    assert result is not None
    commands = of_op(result.events, Op.COMMAND)
    assert [(int(c["resource"]), int(c["value"])) for c in commands] == [(0, PauseAgent.code), (1, SlowAgent.code)]
    after = result.events[result.events["t_ns"] > commands["t_ns"][0]]
    assert len(of_op(after, Op.ITEM_PUT, agent=0)) <= 1  # at most the meal it had begun
    assert len(of_op(after, Op.ITEM_PUT, agent=1)) >= 6
