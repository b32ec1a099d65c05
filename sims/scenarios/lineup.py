"""The lineup: process and thread objects (进程/线程对象) — pid, name, is_alive(), daemon, join().

Hosts are agents of the round's backend, alternately non-daemon and daemon (their pid,
name and daemon flag are in the round's identities). Each host starts two helpers of its
own — one daemon, one not — as child Processes (process backend) or Threads; it records
their pid / native id (CHILD_STARTED) and ``is_alive()`` (CHILD_ALIVE), joins only the
non-daemon one (CHILD_JOINED), and ends. Helpers write a heartbeat into shared memory; a
watcher agent records when each heartbeat stops (CHILD_GONE, value = the last beat).

What that shows: a daemon child *process* dies with its parent (multiprocessing terminates
daemonic children when the parent process exits); a daemon *thread* is tied to its
process, not to the thread that started it, so it outlives its host until the round stops
it; and a daemonic process is not allowed to have children at all (CHILD_REFUSED).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping
from typing import Any

import numpy as np

from sims.agents import AgentBody, Me
from sims.heartbeat import BEAT_S, LAST_BEAT, PID, heartbeat
from sims.kinds import ResourceKind
from sims.lifeline import process_alive
from sims.oldnames import THREAD_NAMES
from sims.rounds.layout import RoundLayout
from sims.rounds.world import World
from sims.scenarios.base import ParamSpec, Scenario
from sims.scenarios.measure import select
from sims.telemetry import Op, State

GONE_AFTER_NS = 60_000_000  # a heartbeat older than this: the helper is gone...
GONE_AFTER_LOOKS = GONE_AFTER_NS // int(BEAT_S * 1e9)  # ...once the watcher has also looked that often


class Host(AgentBody):
    role = "host"
    counted = False  # starts and watches helpers: it has no work to be starved of
    steps = ("start helpers", "join the helper")

    def __init__(
        self,
        ctx: Any,
        stop: Any,
        beats: Any,
        ends: Any,
        pids: Any,
        slots: tuple[int, int],
        markers: tuple[int, int],
        host: int,
        life_ms: float,
        job_ms: float,
    ) -> None:
        self.ctx, self.stop, self.beats, self.ends, self.pids = ctx, stop, beats, ends, pids
        self.slots, self.markers, self.host = slots, markers, host
        self.life_ms, self.job_ms = life_ms, job_ms
        self.threads: list[threading.Thread] = []  # thread helpers, joined at the end by the scenario

    def run(self, me: Me) -> None:
        self.pids[self.host] = os.getpid()
        try:
            me.state(State.WORKING)
            me.step("start helpers")
            daemon_helper = self.start(me, 0, daemon=True, job_s=0.0)
            helper = self.start(me, 1, daemon=False, job_s=self.job_ms / 1000.0)
            self.await_beats(me, (daemon_helper, helper))
            me.pace(self.life_ms)
            for which, child in enumerate((daemon_helper, helper)):
                me.record(Op.CHILD_ALIVE, self.markers[which], int(child.is_alive()))
            me.step("join the helper")
            began = time.monotonic_ns()
            helper.join()
            me.record(Op.CHILD_JOINED, self.markers[1], time.monotonic_ns() - began)
            me.state(State.DONE)
        finally:
            self.ends[self.host] = time.monotonic_ns()

    def await_beats(self, me: Me, children: tuple[Any, Any]) -> None:
        """Until each helper has beaten once (or ended): a spawned helper imports for a while,
        seconds on a busy machine, and one ended before it ever beat could never be seen to stop.
        The host's life counts from here."""
        for slot, child in zip(self.slots, children, strict=True):
            while not self.beats[2 * slot + LAST_BEAT] and child.is_alive():
                me.pace(BEAT_S * 1000)

    def start(self, me: Me, which: int, daemon: bool, job_s: float) -> Any:
        slot, marker = self.slots[which], self.markers[which]
        child: Any = None
        if self.ctx is not None:
            child = self.ctx.Process(
                target=heartbeat,
                args=(self.beats, slot, job_s, self.stop, True),
                name=f"{me.name} helper {which}",
                daemon=daemon,
            )
            try:
                child.start()
            except AssertionError:  # "daemonic processes are not allowed to have children"
                me.record(Op.CHILD_REFUSED, marker, 0)
                child = None
        if child is None:
            child = threading.Thread(
                target=heartbeat,
                args=(self.beats, slot, job_s, self.stop, False),
                name=f"{me.name} helper {which}",
                daemon=daemon,
            )
            child.start()
            self.threads.append(child)
        me.record(Op.CHILD_STARTED, marker, child.pid if hasattr(child, "pid") else child.native_id)
        return child


class Watcher(AgentBody):
    """Watches the helpers' heartbeats; records when each stops. Ends linger_ms after the hosts
    have ended (and not before it has looked that long: a busy machine slows its looks).

    A host that is a process of its own has ended when that process is gone, not when its body
    returned: its daemon children die in its exit (multiprocessing terminates them there), and a
    busy machine can hold that exit up for longer than any fixed linger.
    """

    role = "watcher"
    counted = False  # starts and watches helpers: it has no work to be starved of
    steps = ()

    def __init__(self, beats: Any, ends: Any, markers: list[int], linger_ms: float, pids: Any = ()) -> None:
        self.beats, self.ends, self.pids, self.markers, self.linger_ms = beats, ends, pids, markers, linger_ms

    def run(self, me: Me) -> None:
        gone = [False] * len(self.markers)
        seen = [0] * len(self.markers)  # each helper's last beat, as of the previous look
        still = [0] * len(self.markers)  # looks in a row that found no new beat
        after_hosts, hosts_gone_ns = 0, 0
        while me.running():
            now = time.monotonic_ns()
            for slot, marker in enumerate(self.markers):
                last = self.beats[2 * slot + LAST_BEAT]
                still[slot] = still[slot] + 1 if last == seen[slot] else 0
                seen[slot] = last
                # Stale for GONE_AFTER_NS *and* over GONE_AFTER_LOOKS of our own looks: on a busy
                # machine a helper waiting for a CPU is late, not gone, and we are late too. And
                # gone for the system: a daemon thread that waited for the GIL 12 of our looks long
                # (1 round in 15 at load 60) is late too.
                if (
                    not gone[slot]
                    and last
                    and now - last > GONE_AFTER_NS
                    and still[slot] >= GONE_AFTER_LOOKS
                    and not process_alive(self.beats[2 * slot + PID])
                ):
                    gone[slot] = True
                    me.record(Op.CHILD_GONE, marker, last)
            if hosts_gone_ns or self._hosts_gone():
                hosts_gone_ns = hosts_gone_ns or now
                after_hosts += 1
                if all(gone) or self._lingered(now - hosts_gone_ns, after_hosts):
                    return
            me.pace(BEAT_S * 1000)

    def _hosts_gone(self) -> bool:
        """Every host's body has returned, and every host process (threads share ours) has exited."""
        mine = os.getpid()
        return all(self.ends[:]) and not any(pid and pid != mine and process_alive(pid) for pid in self.pids[:])

    def _lingered(self, since_ns: int, looks: int) -> bool:
        """linger_ms since the hosts were gone, by the clock and by our own looks since then."""
        return since_ns > self.linger_ms * 1e6 and looks * BEAT_S * 1e3 >= self.linger_ms


class Lineup(Scenario):
    name = "lineup"
    order = 3
    summary = "pid, name, is_alive, daemon, join: hosts start daemon and non-daemon helpers; who outlives whom"
    strategies = {
        "helpers": "hosts (alternately non-daemon and daemon agents) each start a daemon and a non-daemon helper, "
        "join only the non-daemon one and end; a watcher records when each helper's heartbeat stops",
    }
    default_strategy = "helpers"
    operation = "helpers"
    old_names = THREAD_NAMES
    params = (
        ParamSpec("agents", int, 2, "hosts (even numbers are non-daemon, odd ones daemon)", 1, 16),
        ParamSpec(
            "life_ms", float, 300.0, "how long a host lives after starting its helpers (x its number + 1)", 0, 60_000
        ),
        ParamSpec("job_ms", float, 150.0, "how long the non-daemon helper works before it ends", 0, 60_000),
        ParamSpec(
            "linger_ms", float, 400.0, "how long the watcher keeps watching after the last host ended", 0, 60_000
        ),
    )

    def build(self, world: World, strategy: str, params: Mapping[str, Any], seed: int) -> None:
        hosts = int(params["agents"])
        beats, ends = world.int_array("beats", 4 * hosts), world.int_array("host ends", hosts)
        pids = world.int_array("host pids", hosts)
        markers: list[int] = []
        bodies = []
        for k in range(hosts):
            pair = (
                world.marker(f"host {k} daemon helper", ResourceKind.CHILD, 0),
                world.marker(f"host {k} helper", ResourceKind.CHILD, 0),
            )
            markers.extend(pair)
            bodies.append(
                Host(
                    world.ctx,
                    world.runtime.control,
                    beats,
                    ends,
                    pids,
                    (2 * k, 2 * k + 1),
                    pair,
                    k,
                    float(params["life_ms"]) * (k + 1),
                    float(params["job_ms"]),
                )
            )
            world.agent(f"host {k}", bodies[-1], daemon=k % 2 == 1)
        world.shared["hosts"] = bodies
        world.agent("watcher", Watcher(beats, ends, markers, float(params["linger_ms"]), pids))

    def operation_ops(self, layout: RoundLayout) -> dict[int, tuple[int, int]]:
        ops = {"host": int(Op.CHILD_STARTED), "watcher": int(Op.CHILD_GONE)}
        return {a.index: (ops[a.role], -1) for a in layout.agents}

    def finish(self, world: World, layout: RoundLayout, events: np.ndarray) -> dict[str, Any]:
        for host in world.shared["hosts"]:  # thread helpers (thread backend): stopped by the round, joined here
            for thread in host.threads:
                thread.join()
        children = layout.of_kind(ResourceKind.CHILD)
        helpers = [helper_report(events, layout, r.index, r.name) for r in children]
        daemon = [h for h in helpers if h["daemon"]]
        plain = [h for h in helpers if not h["daemon"]]
        return {
            "helpers": helpers,
            "helpers_started": len(select(events, Op.CHILD_STARTED)),
            "helpers_joined": len(select(events, Op.CHILD_JOINED)),
            "children_refused": len(select(events, Op.CHILD_REFUSED)),
            "daemon_outlived_host_ms_max": max((h["outlived_host_ms"] for h in daemon), default=0.0),
            "daemon_outlived_until_round_end": sum(1 for h in daemon if h["outlived_until_round_end"]),
            "joined_outlived_host_ms_max": max((h["outlived_host_ms"] for h in plain), default=0.0),
        }


def helper_report(events: np.ndarray, layout: RoundLayout, marker: int, name: str) -> dict[str, Any]:
    """One helper: its id, whether it was alive when its host looked, and how long it outlived the host."""
    host = layout.agent_named(name.split(" helper", maxsplit=1)[0].replace(" daemon", ""))
    stops = select(events, Op.AGENT_STOP, None, [host.index])["t_ns"]
    started = select(events, Op.CHILD_STARTED, marker)["value"]
    alive = select(events, Op.CHILD_ALIVE, marker)["value"]
    gone = select(events, Op.CHILD_GONE, marker)["value"]
    host_end = int(stops[-1]) if len(stops) else 0
    return {
        "name": name,
        "host": host.name,
        "host_daemon": host.daemon,
        "daemon": "daemon" in name,
        "id": int(started[0]) if len(started) else 0,
        "alive_when_host_looked": bool(alive[0]) if len(alive) else False,
        "refused_as_process": bool(len(select(events, Op.CHILD_REFUSED, marker))),
        "outlived_host_ms": (int(gone[0]) - host_end) / 1e6 if len(gone) and host_end else 0.0,
        "outlived_until_round_end": not len(gone),
    }
