"""Rounds: lifecycle, agent identities, live control (pause, scale, signals, gating, end),
failures (an agent's exception, a killed holder, Ctrl-C) and teardown on every path."""

from __future__ import annotations

import os
import signal
import sys
import textwrap
import threading
from pathlib import Path

import numpy as np
import pytest
from helpers import (
    of_op,
    poll_for,
    poll_until,
    run_round,
    session_members,
    stop_within,
    terminal_child,
    wait_until,
    with_testbed,
)

from sims.engine.round import Round
from sims.rounds.commands import Auto, End, Gate, Pause, Resize, Resume, Scale, SignalAgent, Step, Timed
from sims.rounds.config import RoundConfig
from sims.telemetry import ENGINE_AGENT, Op, State

pytestmark = pytest.mark.timeout(60)

BACKENDS = ("thread", "process")
MS = 1_000_000


def agent_records(events: np.ndarray) -> np.ndarray:
    return events[events["agent"] >= 0]


def eating(rnd: Round) -> tuple[int] | None:
    """The first agent that holds two forks, as a 1-tuple (so agent 0 counts as found)."""
    assert rnd.model is not None
    both = np.flatnonzero(rnd.model.holding.sum(axis=1) == 2)
    return (int(both[0]),) if len(both) else None


def engine_record(events: np.ndarray, op: int, value: int | None = None) -> np.ndarray:
    found = of_op(events, op, ENGINE_AGENT)
    return found if value is None else found[found["value"] == value]


# -- lifecycle and identities ----------------------------------------------------------------
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_round_runs_its_duration_and_records_who_its_agents_were(backend: str) -> None:
    result = run_round("dining", backend=backend, strategy="ordered", seconds=0.8, params={"agents": 3})
    assert result.end_reason == "duration"
    assert result.duration_s >= 0.8  # how much later it ended is the machine's load, not the round's
    assert len(engine_record(result.events, Op.ROUND_START)) == 1
    assert len(engine_record(result.events, Op.ROUND_END)) == 1
    ids = result.identities
    assert [i.name for i in ids] == [a.name for a in result.layout.agents] == [f"philosopher {k}" for k in range(3)]
    assert all(i.backend == backend and i.daemon is False for i in ids)
    for ident in ids:
        assert ident.started_ns is not None and ident.stopped_ns is not None
        assert ident.started_ns <= result.started_ns  # reported in before the clock started
        assert result.ended_ns <= ident.stopped_ns  # stopped only once the round was over
    if backend == "thread":
        assert {i.pid for i in ids} == {os.getpid()}
        natives = {i.native_id for i in ids}
        assert len(natives) == 3 and threading.main_thread().native_id not in natives
        assert all(i.exit_code is None for i in ids)
    else:
        pids = [i.pid for i in ids]
        assert len(set(pids)) == 3 and os.getpid() not in pids
        assert [i.native_id for i in ids] == pids
        assert [i.exit_code for i in ids] == [0, 0, 0]
    assert result.environment["python"] == ".".join(map(str, sys.version_info[:3]))


@pytest.mark.parametrize("asked", [{}, {"agent_nice": 0}, {"agent_nice": 3}])
def test_process_agents_run_as_much_nicer_than_the_engine_as_asked(asked: dict[str, int]) -> None:
    """0 is ``diner run``'s: at the caller's niceness, as the same code on raw locks would run."""
    config = RoundConfig(
        "dining", backend="process", strategy="ordered", seconds=30, params={"agents": 2}, gated=True, **asked
    )
    with Round(config) as rnd:
        rnd.start()  # returns once every agent has reported in, past its niceness
        ids = rnd.identities()
        assert all(i.started_ns is not None for i in ids)
        mine = os.getpriority(os.PRIO_PROCESS, 0)
        assert [os.getpriority(os.PRIO_PROCESS, i.pid) for i in ids] == [min(19, mine + config.agent_nice)] * 2


def test_a_deadlock_can_be_left_running_until_the_duration() -> None:
    result = run_round(
        "dining", strategy="naive", seconds=0.8, stop_on_deadlock=False, params={"think_ms": 0.0, "eat_ms": 0.0}
    )
    assert result.end_reason == "duration"
    assert result.deadlock is not None
    assert result.duration_s >= 0.8


def test_a_snapshot_crosses_a_pipe_unchanged() -> None:
    """The host pickles a snapshot for the window every frame (views pickle as their
    constructors' arguments): one with holders, waiters and a deadlock comes back equal."""
    import pickle

    cfg = RoundConfig("dining", strategy="naive", seconds=30, params={"think_ms": 0.0, "eat_ms": 0.0})
    with Round(cfg) as rnd:
        rnd.start()
        poll_until(rnd, lambda: rnd.model is not None and rnd.model.deadlock is not None, timeout=30)
        assert rnd.model is not None
        snap = rnd.model.snapshot()
        rnd.stop()
    assert snap.deadlock is not None and any(r.holders for r in snap.resources)
    assert any(r.waiters for r in snap.resources) and any(a.holding for a in snap.agents)
    assert pickle.loads(pickle.dumps(snap)) == snap


def test_end_ends_the_round_now_and_on_schedule() -> None:
    result = run_round("dining", strategy="ordered", seconds=30, schedule=(Timed(0.3, End()),))
    assert result.end_reason == "requested"  # not "duration": the End command ended it, not its 30 s
    with Round(RoundConfig("dining", strategy="ordered", seconds=30)) as rnd:
        rnd.start()
        assert rnd.poll() is True
        rnd.command(End())
        assert rnd.poll() is False
        result = rnd.stop()
    assert result is not None and result.end_reason == "requested"
    assert rnd.stop() is result  # stopping twice gives the same result


def test_commands_that_name_what_the_round_lacks_are_refused() -> None:
    with pytest.raises(ValueError, match="process"):
        Round(RoundConfig("dining", schedule=(Timed(0.1, SignalAgent(0, "kill")),))).start()
    with pytest.raises(ValueError, match="seats"):
        Round(RoundConfig("dining", strategy="ordered", schedule=(Timed(0.1, Resize("seats", 2)),))).start()
    with Round(RoundConfig("dining", strategy="ordered", seconds=5)) as rnd:
        rnd.start()
        with pytest.raises(ValueError, match="only semaphores"):
            rnd.command(Resize("fork 0", 2))
        with pytest.raises(ValueError, match="process"):
            rnd.command(SignalAgent(1, "stop"))
        with pytest.raises(ValueError, match="no agent 9"):
            rnd.command(Step(9))


def test_an_error_inside_the_with_block_still_tears_everything_down() -> None:
    config = RoundConfig("dining", backend="process", strategy="ordered", seconds=30, params={"agents": 2})
    with pytest.raises(RuntimeError, match="the test's own failure"), Round(config) as rnd:
        rnd.start()
        poll_until(rnd, lambda: rnd.model is not None and rnd.model.started.all())
        raise RuntimeError("the test's own failure")
    assert rnd.end_reason == "requested"
    result = rnd.stop()  # already stopped on the way out: gives the same result again
    assert result is not None and [i.exit_code for i in result.identities] == [0, 0]


# -- live control ----------------------------------------------------------------------------
@pytest.mark.parametrize("backend", BACKENDS)
def test_pause_holds_every_agent_and_resume_lets_them_go_on(backend: str) -> None:
    cfg = RoundConfig(
        "dining", backend=backend, strategy="ordered", seconds=30, params={"think_ms": 5.0, "eat_ms": 5.0}
    )
    with Round(cfg) as rnd:
        rnd.start()
        poll_for(rnd, 0.3)
        rnd.command(Pause())
        poll_for(rnd, 0.5)
        assert rnd.model is not None and rnd.model.snapshot().paused is True
        rnd.command(Resume())
        poll_for(rnd, 0.3)
        rnd.command(End())
        result = rnd.stop()
    assert result is not None
    paused = engine_record(result.events, Op.PAUSED, 1)["t_ns"][0]
    resumed = engine_record(result.events, Op.PAUSED, 0)["t_ns"][0]
    mine = agent_records(result.events)
    during = mine[(mine["t_ns"] > paused + 100 * MS) & (mine["t_ns"] < resumed)]
    assert len(during) == 0, "agents kept working while paused (beyond their operation in flight)"
    eating = of_op(mine, Op.STATE)
    eating = eating[eating["value"] == State.EATING]
    assert (eating["t_ns"] > resumed).sum() > 0
    assert (eating["t_ns"] < paused).sum() > 0


def test_scale_changes_how_long_agents_think() -> None:
    cfg = RoundConfig("dining", strategy="ordered", seconds=30, params={"think_ms": 40.0, "eat_ms": 1.0})
    with Round(cfg) as rnd:
        rnd.start()
        poll_for(rnd, 0.8)
        rnd.command(Scale(0.1))
        poll_for(rnd, 0.6)
        assert rnd.model is not None and rnd.model.snapshot().scale == pytest.approx(0.1)
        rnd.command(End())
        result = rnd.stop()
    assert result is not None
    scaled_at = engine_record(result.events, Op.SCALE)
    assert scaled_at["value"].tolist() == [100]
    states = of_op(result.events, Op.STATE)
    before, after = [], []
    for agent in range(len(result.layout.agents)):
        mine = states[states["agent"] == agent]
        for a, b in zip(mine[:-1].tolist(), mine[1:].tolist(), strict=True):
            if a[4] == State.THINKING and b[4] == State.HUNGRY:
                (before if a[0] < scaled_at["t_ns"][0] else after).append(b[0] - a[0])
    assert len(before) > 5 and len(after) > 5
    assert np.median(after) < np.median(before) / 3


def test_stop_freezes_a_process_agent_and_cont_lets_it_go_on() -> None:
    cfg = RoundConfig(
        "dining",
        backend="process",
        strategy="ordered",
        seconds=30,
        params={"agents": 3, "think_ms": 5.0, "eat_ms": 5.0},
    )
    with Round(cfg) as rnd:
        rnd.start()
        poll_for(rnd, 0.2)
        rnd.command(SignalAgent(1, "stop"))
        poll_for(rnd, 0.5)
        assert rnd.model is not None and rnd.model.snapshot().agents[1].stopped is True
        rnd.command(SignalAgent(1, "cont"))
        poll_for(rnd, 0.4)
        assert rnd.model.snapshot().agents[1].stopped is False
        rnd.command(End())
        result = rnd.stop()
    assert result is not None
    signals = of_op(result.events, Op.SIGNAL, ENGINE_AGENT, resource=1)
    assert signals["value"].tolist() == [signal.SIGSTOP, signal.SIGCONT]
    stopped_at, continued_at = signals["t_ns"].tolist()
    one = result.events[result.events["agent"] == 1]
    # SIGSTOP lands within a few ms; the SIGCONT record is written just after the signal,
    # by which time the agent may already have run again
    assert ((one["t_ns"] > stopped_at + 20 * MS) & (one["t_ns"] < continued_at - 20 * MS)).sum() == 0
    assert (one["t_ns"] > continued_at).sum() > 0
    assert [i.exit_code for i in result.identities] == [0, 0, 0]


@pytest.mark.timeout(30)
def test_a_killed_fork_holder_is_reported_and_the_round_still_ends_cleanly() -> None:
    """The eater is killed while it eats (pacing: waiting on the round's stop event);
    the others wait for its forks. Ending the round must not wait for the dead."""
    cfg = RoundConfig(
        "dining",
        backend="process",
        strategy="ordered",
        seconds=30,
        params={"agents": 3, "think_ms": 0.0, "eat_ms": 3000.0},
    )
    rnd = Round(cfg)
    try:
        rnd.start()
        (eater,) = poll_until(rnd, lambda: eating(rnd))
        held = {rnd.layout.resources[r].name for r in np.flatnonzero(rnd.model.holding[eater])}  # type: ignore[union-attr]
        rnd.command(SignalAgent(eater, "kill"))
        poll_until(rnd, lambda: rnd.orphaned)
        poll_for(rnd, 0.2)
        rnd.command(End())
    finally:
        result = stop_within(rnd)
    assert result is not None
    assert result.end_reason == "requested"
    assert set(result.orphaned) == held
    assert result.deadlock is None  # the others are stuck behind a dead holder, not deadlocked
    codes = [i.exit_code for i in result.identities]
    assert codes[eater] == -signal.SIGKILL
    assert [c for a, c in enumerate(codes) if a != eater] == [0, 0]
    assert result.identities[eater].stopped_ns is None  # it never got to say goodbye
    orphaned = engine_record(result.events, Op.ORPHANED)
    assert orphaned["value"].tolist() == [eater] * len(held)
    assert engine_record(result.events, Op.AGENT_EXIT, -signal.SIGKILL)["resource"].tolist() == [eater]


@pytest.mark.timeout(30)
def test_a_round_ends_while_an_agent_is_stopped() -> None:
    """The player stopped an eating agent and the round ends before they continue it."""
    cfg = RoundConfig(
        "dining",
        backend="process",
        strategy="ordered",
        seconds=30,
        params={"agents": 2, "think_ms": 0.0, "eat_ms": 3000.0},
    )
    rnd = Round(cfg)
    try:
        rnd.start()
        (eater,) = poll_until(rnd, lambda: eating(rnd))
        rnd.command(SignalAgent(eater, "stop"))
        poll_for(rnd, 0.2)
        rnd.command(End())
    finally:
        result = stop_within(rnd)
    assert result is not None and result.end_reason == "requested"
    assert [i.exit_code for i in result.identities] == [0, 0]  # continued, noticed the end, left


# -- being the scheduler ---------------------------------------------------------------------
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_gated_round_moves_one_step_at_a_time_until_auto(backend: str) -> None:
    cfg = RoundConfig(
        "dining",
        backend=backend,
        strategy="ordered",
        seconds=30,
        gated=True,
        params={"agents": 3, "think_ms": 0.0, "eat_ms": 0.0},
    )
    with Round(cfg) as rnd:
        layout = rnd.start()
        first, second = layout.steps.index("take first fork"), layout.steps.index("take second fork")
        model = rnd.model
        assert model is not None
        poll_until(rnd, lambda: bool((model.step == first).all()))
        poll_for(rnd, 0.2)
        assert model.holding.sum() == 0 and model.operations.sum() == 0  # everyone waits at the gate
        rnd.command(Step(0))
        poll_until(rnd, lambda: model.step[0] == second)
        poll_for(rnd, 0.1)
        assert model.holding[0].sum() == 1 and model.holding.sum() == 1  # one fork, nobody else moved
        rnd.command(Step(0))
        poll_until(rnd, lambda: model.operations[0] == 1 and model.step[0] == first)
        poll_for(rnd, 0.2)
        assert model.operations.tolist() == [1, 0, 0]  # one meal, then held at the gate again
        assert model.snapshot().gated is True
        rnd.command(Auto())
        poll_until(rnd, lambda: bool((model.operations > 3).all()))
        assert model.snapshot().gated is False
        rnd.command(End())
        result = rnd.stop()
    assert result is not None and result.deadlock is None
    steps = of_op(result.events, Op.COMMAND, ENGINE_AGENT)
    assert steps["value"].tolist()[:4] == [Gate.code, Step.code, Step.code, Auto.code]


# -- failures --------------------------------------------------------------------------------
@pytest.mark.parametrize("backend", BACKENDS)
def test_an_exception_in_an_agent_body_is_recorded_and_reported(
    backend: str, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    with_testbed(monkeypatch)
    result = run_round("testbed", backend=backend, strategy="crash", seconds=20, params={"agents": 2})
    assert result.end_reason == "agents finished"  # not "duration": nobody waited out the 20 s
    stops = of_op(result.events, Op.AGENT_STOP)
    assert sorted(stops["agent"].tolist()) == [0, 1]
    assert stops["value"].tolist() == [2, 2]  # EXIT_ERROR
    assert len(of_op(result.events, Op.STEP)) == 2  # each got as far as its step
    assert [i.exit_code for i in result.identities] == ([None, None] if backend == "thread" else [2, 2])
    assert capfd.readouterr().err.count("ValueError: boom from an agent body") == 2


CTRL_C_SCRIPT = textwrap.dedent(
    """
    import sys
    from sims.rounds.config import RoundConfig
    from sims.engine.round import Round

    config = RoundConfig("dining", backend=sys.argv[1], strategy="ordered", seconds=60)
    rnd = Round(config)
    try:
        with rnd:
            rnd.start()
            print("started", *sorted({i.pid for i in rnd.identities()}), flush=True)
            rnd.run()
    except KeyboardInterrupt:
        print("interrupted", rnd.end_reason, flush=True)
        sys.exit(130)
    """
)


def segments(tag: str) -> set[str]:
    """The engine's shared memory for runs tagged ``tag`` (see sims.runtime.segment_name)."""
    return {p.name for p in Path("/dev/shm").iterdir() if p.name.startswith(f"diner_{tag}_")}


@pytest.mark.parametrize("backend", BACKENDS)
def test_ctrl_c_ends_the_round_and_leaves_no_process_or_shared_memory(backend: str, tmp_path: Path) -> None:
    tag = f"ctrlc{os.getpid()}{backend}"
    child = terminal_child([sys.executable, "-c", CTRL_C_SCRIPT, backend], tmp_path, tag)
    try:
        assert child.stdout is not None
        line = child.stdout.readline().split()
        assert line[:1] == ["started"], child.stderr.read() if child.stderr else ""
        pids = [int(p) for p in line[1:]]
        assert len(segments(tag)) == (1 if backend == "process" else 0)  # the check below can see it
        os.killpg(child.pid, signal.SIGINT)  # what a terminal does: the whole foreground group
        out, err = child.communicate(timeout=20)  # one press is enough (see sims.ctrl_c)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    assert child.returncode == 130, err
    assert out.split() == ["interrupted", "interrupted"]
    assert "leaked" not in err, err  # multiprocessing's resource tracker found no semaphore left
    wait_until(lambda: not session_members(child.pid), timeout=10)  # agents, tracker: all gone
    if backend == "thread":
        assert pids == [child.pid]
    else:
        assert child.pid not in pids and not any(Path(f"/proc/{pid}").exists() for pid in pids)
    assert segments(tag) == set()


SOAK_ROUNDS = 40  # each of the eight kinds below five times (a hundred took 40 s of the suite's 5 minutes)


@pytest.mark.timeout(900)  # bounded by its rounds; this is only a safety net for a stuck one
def test_forty_rounds_in_a_row_leave_nothing_behind() -> None:
    """Both backends and start methods, deadlocks, killed agents: teardown every time."""
    stress = {"think_ms": 0.0, "eat_ms": 0.0}
    reasons = []
    tick = threading.Event()
    for i in range(SOAK_ROUNDS):
        kind = i % 4
        if kind == 0:
            cfg = RoundConfig("dining", strategy="naive", seconds=2, params=stress)
        elif kind == 1:
            cfg = RoundConfig("dining", strategy="ordered", seconds=0.2, params=stress)
        elif kind == 2:
            cfg = RoundConfig(
                "dining",
                backend="process",
                strategy="naive",
                seconds=3,
                params={**stress, "agents": 2},
                start_method="spawn" if i % 8 == 2 else "forkserver",
            )
        else:
            cfg = RoundConfig(
                "dining",
                backend="process",
                strategy="ordered",
                seconds=0.3,
                params={"agents": 2},
                schedule=(Timed(0.1, SignalAgent(i % 2, "kill")),),
                start_method="forkserver" if i % 8 == 3 else "spawn",
            )
        rnd = Round(cfg)
        try:
            rnd.start()
            while rnd.poll():
                tick.wait(cfg.poll_s)
        finally:
            result = stop_within(rnd)
        reasons.append(result.end_reason)
        if kind == 3:
            assert result.identities[i % 2].exit_code == -signal.SIGKILL
        assert threading.active_count() < 10, f"round {i} left threads: {threading.enumerate()}"
    assert reasons.count("deadlock") == SOAK_ROUNDS // 2
    assert reasons.count("duration") == SOAK_ROUNDS // 2
