"""Closing time (守护进程与 join): which helpers get their work done when the main program ends.

The owner (one non-daemon agent process: the main program) hires a radio that plays until
it is stopped, and washers with a job of ``job_ms``; each washer hires a rinser of its own
(a grandchild process). The player picks whether the radio is a daemon, whether the washers
are, and whether the owner ``join()``s the washers before writing the closing report (how
many jobs were done, read from shared memory). Then the owner returns, and its process ends
the way every ``multiprocessing`` child does: daemonic children are terminated, the others
joined (``multiprocessing.util._exit_function``).

Measured, not assumed: a watcher (lineup's) records when each helper's heartbeat stops. A
radio that is not a daemon keeps the owner's process waiting for it (the diner never closes);
a daemon washer is killed mid-job when the owner ends, and may not hire a rinser at all
("daemonic processes are not allowed to have children"); a report written without ``join()``
counts jobs that were not done yet.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import numpy as np

from sims.agents import AgentBody, Me
from sims.heartbeat import DONE, PID, REFUSED, heartbeat, wash
from sims.kinds import Backend, ResourceKind
from sims.oldnames import THREAD_NAMES
from sims.rounds.layout import RoundLayout
from sims.rounds.world import World
from sims.scenarios.base import ParamSpec, Scenario, Words
from sims.scenarios.lineup import Watcher
from sims.scenarios.measure import select
from sims.telemetry import Op, State

RADIO = 0  # the radio's slot; washers are 1..W, their rinsers W+1..2W


class Owner(AgentBody):
    """The main program: hires the helpers, maybe joins the washers, writes the report, ends."""

    role = "owner"
    counted = False  # starts and watches helpers: it has no work to be starved of
    steps = ("hire the helpers", "join the washers", "write the closing report")

    def __init__(
        self, ctx: Any, shared: tuple[Any, Any, Any, Any], markers: list[int], settings: Mapping[str, Any]
    ) -> None:
        self.ctx, (self.stop, self.beats, self.flags, self.ends) = ctx, shared
        self.markers, self.report = markers[:-1], markers[-1]
        self.washers = int(settings["washers"])
        self.radio_daemon, self.washer_daemon = bool(settings["radio_daemon"]), bool(settings["washer_daemon"])
        self.join, self.life_ms = bool(settings["join"]), float(settings["life_ms"])
        self.job_s = float(settings["job_ms"]) / 1000.0

    def run(self, me: Me) -> None:
        # Old names, deprecated since Python 3.10, and today's:
        #   t.setDaemon(True) -> t.daemon = True     t.isDaemon() -> t.daemon
        #   t.getName()       -> t.name              t.setName(n) -> t.name = n
        #   threading.currentThread() -> threading.current_thread()
        try:
            me.state(State.WORKING)
            me.step("hire the helpers")
            # hire(): Process(target=..., name=..., daemon=your choice).start(), then its pid is recorded
            radio = self.hire(me, RADIO, heartbeat, self.radio_args())  # plays until stopped
            washers = [self.hire(me, w, wash, self.wash_args(w)) for w in self.washer_slots()]
            me.pace(self.life_ms)
            if self.join:
                me.step("join the washers")
                for washer in washers:
                    washer.join()
            me.step("write the closing report")
            for slot, helper in enumerate([radio, *washers]):
                me.record(Op.CHILD_ALIVE, self.markers[slot], int(helper.is_alive()))
            me.record(Op.COUNTER, self.report, self.jobs_done())
            me.state(State.DONE)
        finally:
            self.ends[0] = time.monotonic_ns()
        # Returning ends the main program: its daemonic children are terminated, the others joined.

    def jobs_done(self) -> int:
        return sum(self.flags[2 * slot + DONE] for slot in range(2 * self.washers + 1))

    def washer_slots(self) -> range:
        return range(1, self.washers + 1)

    def radio_args(self) -> tuple[Any, ...]:
        return (self.beats, RADIO, 0.0, self.stop, True)  # no job: beats until stopped or orphaned

    def wash_args(self, slot: int) -> tuple[Any, ...]:
        method = self.ctx.get_start_method()
        return (self.beats, self.flags, (slot, slot + self.washers), self.job_s, self.stop, method)

    def hire(self, me: Me, slot: int, target: Any, args: tuple[Any, ...]) -> Any:
        daemon = self.radio_daemon if slot == RADIO else self.washer_daemon
        name = "radio" if slot == RADIO else f"washer {slot}"
        helper = self.ctx.Process(target=target, args=args, name=name, daemon=daemon)
        helper.start()
        me.record(Op.CHILD_STARTED, self.markers[slot], helper.pid)
        return helper


class Closing(Scenario):
    name = "closing"
    order = 3
    summary = "daemon or not, join or not: which helpers finish their work when the main program ends"
    strategies = {
        "closing": "the owner hires a radio (plays until stopped) and washers (each hires a rinser), "
        "maybe joins the washers, writes the closing report and ends",
    }
    default_strategy = "closing"
    backends = (Backend.PROCESS,)
    backend_note = "daemon rules are about processes: a daemonic process may not have children"
    operation = "helpers"
    default_seconds = 12.0
    old_names = THREAD_NAMES
    words = {
        "role.owner": Words("owner", "店主"),
        "roles.owner": Words("owners", "店主"),
        "thing.radio": Words("radio", "收音机"),
        "thing.washer": Words("washer", "洗碗工"),
        "thing.rinser": Words("rinser", "冲洗工"),
        "thing.closing report": Words("closing report", "打烊报告"),
    }
    params = (
        ParamSpec("washers", int, 2, "washers the owner hires (each hires one rinser)", 1, 8),
        ParamSpec("radio_daemon", bool, False, "the radio is a daemon process"),
        ParamSpec("washer_daemon", bool, False, "the washers are daemon processes"),
        ParamSpec("join", bool, False, "the owner join()s the washers before the closing report"),
        ParamSpec("life_ms", float, 100.0, "how long the owner works after hiring", 0, 60_000),
        ParamSpec("job_ms", float, 600.0, "how long a washer's (and a rinser's) job takes", 0, 60_000),
        ParamSpec("linger_ms", float, 4000.0, "how long the watcher watches after the owner ended", 0, 60_000),
    )

    def build(self, world: World, strategy: str, params: Mapping[str, Any], seed: int) -> None:
        washers = int(params["washers"])
        names = ["radio", *(f"washer {w}" for w in range(1, washers + 1))]
        names += [f"rinser {w}" for w in range(1, washers + 1)]
        markers = [world.marker(n, ResourceKind.CHILD, 0) for n in names]
        report = world.marker("closing report", ResourceKind.COUNTER, 0)
        beats, flags = world.int_array("beats", 2 * len(names)), world.int_array("flags", 2 * len(names))
        ends = world.int_array("owner end", 1)
        shared = (world.runtime.control, beats, flags, ends)
        world.agent("owner", Owner(world.ctx, shared, [*markers, report], params))
        world.agent("watcher", Watcher(beats, ends, markers, float(params["linger_ms"])))

    def operation_ops(self, layout: RoundLayout) -> dict[int, tuple[int, int]]:
        ops = {"owner": int(Op.CHILD_STARTED), "watcher": int(Op.CHILD_GONE)}
        return {a.index: (ops[a.role], -1) for a in layout.agents}

    def finish(self, world: World, layout: RoundLayout, events: np.ndarray) -> dict[str, Any]:
        beats, flags = world.shared["beats"], world.shared["flags"]
        helpers = layout.of_kind(ResourceKind.CHILD)
        started = [r for slot, r in enumerate(helpers) if beats[2 * slot + PID]]
        gone = set(select(events, Op.CHILD_GONE)["resource"].tolist())
        jobs = range(1, len(helpers))  # washers and rinsers; the radio's job never ends
        done = sum(flags[2 * s + DONE] for s in jobs)
        reports = select(events, Op.COUNTER, layout.resource_named("closing report").index)["value"]
        return {
            "jobs_total": len(jobs),
            "jobs_done": done,
            "jobs_lost": len(jobs) - done,
            "children_refused": sum(flags[2 * s + REFUSED] for s in jobs),
            "report_short": done - int(reports[-1]) if len(reports) else done,
            "closed": all(r.index in gone for r in started),
        }
