"""Lessons on processes: signals, message passing, the pool and the GIL lab.

The signals test plays the player: it stops whoever holds the stove (as the live model
shows it), continues it, then kills the next holder, and checks what telemetry says.
"""

from __future__ import annotations

import signal

import pytest
from helpers import poll_until, run_round, run_until

from sims.engine.round import Round
from sims.rounds.commands import SignalAgent
from sims.rounds.config import RoundConfig
from sims.telemetry import Op

pytestmark = pytest.mark.timeout(150)


def received(rnd: Round, agent: int, signum: int) -> int:
    events = rnd.drain()  # keep the model fed; count what the agent itself recorded
    del events
    assert rnd.model is not None
    return int(rnd.model.operations[agent]) if signum == signal.SIGUSR1 else 0


def test_signals_stop_cont_kill_a_stove_holder() -> None:
    config = RoundConfig("signals", backend="process", seconds=150, params={"agents": 3, "timer_s": 1})
    with Round(config) as rnd:
        rnd.start()
        assert rnd.model is not None and rnd.layout is not None
        stove = rnd.layout.resource_named("stove").index
        holder = poll_until(rnd, lambda: (rnd.model.holders_of(stove) or (None,))[0], 30)
        rnd.command(SignalAgent(holder, "stop"))
        # everyone else queues behind the stopped holder; the waiter's kitchen timer rings meanwhile
        poll_until(rnd, lambda: len(rnd.model.waiters_of(stove)) >= 2, 30)
        stopped_at = rnd.model.t_ns
        poll_until(rnd, lambda: rnd.model.t_ns - stopped_at > 1.3e9, 30)
        rnd.command(SignalAgent(holder, "cont"))
        poll_until(rnd, lambda: holder not in rnd.model.holders_of(stove), 30)
        victim = poll_until(rnd, lambda: (rnd.model.holders_of(stove) or (None,))[0], 30)
        rnd.command(SignalAgent(victim, "kill"))
        poll_until(rnd, lambda: rnd.orphaned, 30)
        result = rnd.stop("requested")
    assert result is not None
    stats = result.scenario_stats
    assert result.orphaned == ("stove",) and stats["orphaned_count"] == 1
    assert stats["sigstop_sent"] == 1 and stats["sigcont_sent"] >= 1 and stats["sigkill_sent"] == 1
    assert stats["timer_rang"] >= 1  # signal.alarm broke the waiter's pause while no order came
    assert stats["sigusr1_received"] >= 1 and stats["sigusr1_received"] <= stats["orders_sent"]
    assert stats["sigcont_received"] >= 1  # the continued cook's own handler noted SIGCONT
    assert stats["stove_max_queue"] >= 2
    assert stats["stove_wait_max_ms"] > 1000.0
    exit_codes = {i.name: i.exit_code for i in result.identities}
    assert exit_codes[result.layout.agents[victim].name] == -signal.SIGKILL
    assert result.deadlock is None  # stuck behind a dead holder is not a deadlock


def test_signals_refuse_the_thread_backend() -> None:
    with pytest.raises(ValueError, match="main thread"):
        Round(RoundConfig("signals", backend="thread"))


def meals_min(rnd: Round) -> int:
    assert rnd.model is not None
    return int(rnd.model.operations.min())


@pytest.mark.parametrize("backend", ["thread", "process"])
def test_messages_chandy_misra_everyone_eats_without_locks(backend: str) -> None:
    config = RoundConfig("messages", backend=backend, seconds=150)
    result = run_until(config, lambda rnd: meals_min(rnd) >= 5)
    stats = result.scenario_stats
    assert result.deadlock is None and not result.layout.of_kind("lock", "semaphore")
    assert stats["meals_min"] >= 5
    assert stats["messages_total"] >= stats["meals_total"]
    assert stats["messages_sent"] - stats["messages_total"] <= len(result.layout.agents) * 2  # only in flight
    assert stats["message_p99_ms"] > 0
    # forks kept are holds on the pipes, as a lock's would be: every philosopher took some
    assert all(a.acquisitions > 0 for a in result.stats.agents)


def test_messages_chandy_misra_answers_requests_even_with_no_time_to_think() -> None:
    # think_ms=0: a philosopher who read no pipe between meals kept its forks and starved its neighbours
    config = RoundConfig("messages", seconds=150, params={"agents": 6, "think_ms": 0.0, "eat_ms": 1.0})
    result = run_until(config, lambda rnd: meals_min(rnd) >= 3, timeout=30)
    assert result.deadlock is None and result.scenario_stats["meals_min"] >= 3


def test_messages_selfish_deadlocks_by_messages() -> None:
    result = run_round("messages", strategy="selfish", seconds=150)  # ends by deadlock
    stats = result.scenario_stats
    assert result.end_reason == "deadlock" and stats["meals_total"] == 0
    assert stats["messages_sent"] == len(result.layout.agents)  # one request each, never answered
    assert stats["messages_total"] <= stats["messages_sent"]


def test_pool_serves_every_order_and_beats_a_process_per_order() -> None:
    config = RoundConfig("pool", seconds=150, params={"orders": 6, "order_ms": 2.0})
    result = Round(config).run()
    stats = result.scenario_stats
    assert result.end_reason == "agents finished"
    assert stats["pool_orders"] == stats["pool_map_orders"] == stats["process_orders"] == 6
    assert stats["pool_speedup"] > 1.0  # one start-up for the pool against one per order
    assert stats["process_startup_p50_ms"] > stats["pool_map_startup_p50_ms"]
    work = result.events[result.events["op"] == Op.WORK]
    assert len(work) == 18


def test_a_pool_round_ended_as_processes_start_leaves_no_child_failing(capfd: pytest.CaptureFixture[str]) -> None:
    """The round ends as the manager starts one process per order: those still starting are
    terminated first. They used to outlive the queue they unpickle and die with
    FileNotFoundError tracebacks from SemLock._rebuild (seen in ``diner levels verify``)."""
    config = RoundConfig("pool", backend="process", seconds=150, params={"orders": 12, "order_ms": 1.0})
    with Round(config) as rnd:
        layout = rnd.start()
        assert rnd.model is not None
        per_order = layout.steps.index("one process per order")
        poll_until(rnd, lambda: rnd.model.step[0] == per_order, 120)
        result = rnd.stop("requested")
    assert result is not None and result.scenario_stats["process_orders"] < 12  # ended mid-phase
    err = capfd.readouterr().err
    assert "Traceback" not in err, err


def test_gil_lab_threads_take_turns() -> None:
    config = RoundConfig("gil", seconds=150, params={"jobs": 4, "cpu_s": 0.2, "io_s": 0.05, "wait_s": 0.05})
    result = Round(config).run()
    stats = result.scenario_stats
    assert result.end_reason == "agents finished"
    assert stats["gil_enabled"] == 1
    for key in ("line_cpu_s", "line_io_s", "thread_cpu_s", "thread_io_s", "process_cpu_s", "process_io_s"):
        assert stats[key] > 0
    assert len(result.events[result.events["op"] == Op.WORK]) == 9 * 4  # 3 ways x (cpu, file, wait) x 4 jobs
    # Under the GIL the CPU jobs take turns: their CPU seconds never exceed their span.
    # the threads did the line's CPU work (CPU seconds, side by side: a busy machine calibrates less work)
    assert stats["thread_cpu_cpu_used_s"] > 0.5 * stats["line_cpu_cpu_used_s"] > 0
    assert stats["thread_cpu_parallelism"] < 1.1
    assert stats["line_cpu_parallelism"] < 1.1
    assert stats["lecture_thread_cpu_ratio"] == pytest.approx(9.38966417312622 / 9.014907121658325)
