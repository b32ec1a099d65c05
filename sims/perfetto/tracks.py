"""Where each event of a trace goes: processes and tracks (pid, tid), each named once.

Every agent is a track on its real pid/tid; its waits, hand-offs and holds (one track per
resource it held) are tracks of their own in the same process, because slices on one track
must nest and a hold of one fork does not nest in a hold of the other. Every resource is a
track of a "resources" process whose pid no real process has (Linux pids stay below 2^22),
in lanes where its holds overlap. Tracks are named by ``M`` events when first used.
"""

from __future__ import annotations

import json

import numpy as np

from sims.kinds import Backend
from sims.rounds.result import RoundResult

RESOURCE_PID = 1 << 22  # no Linux pid is this large: the resources' own "process"
ENGINE_PID = RESOURCE_PID + 1
SYNTHETIC_TID = 1 << 22  # agents' extra tracks: tids no real thread has
TRACKS_PER_AGENT = 1 << 12  # waits, hand-offs, then one per resource held
LANES = 64  # resource tracks: tid = index * LANES + lane + 1
WAITS, HANDOFFS, HOLDS = 0, 1, 2  # an agent's extra tracks: waits, hand-offs, then HOLDS + resource


class Tracks:
    """The round's pids and tids, and the ``M`` events naming those used so far."""

    def __init__(self, result: RoundResult) -> None:
        self.layout = result.layout
        pids, tids = [], []
        by_index = {identity.index: identity for identity in result.identities}
        for agent in self.layout.agents:
            identity = by_index.get(agent.index)
            pid = identity.pid if identity is not None and identity.pid > 0 else ENGINE_PID
            native = identity.native_id if identity is not None else None
            pids.append(pid)
            tids.append(native if native else SYNTHETIC_TID + agent.index * TRACKS_PER_AGENT)
        self.pid, self.tid = np.asarray(pids, np.int64), np.asarray(tids, np.int64)
        self._named: set[tuple[int, int]] = set()

    def extra(self, agent: np.ndarray | int, k: np.ndarray | int) -> np.ndarray | int:
        """The tid of an agent's extra track ``k`` (WAITS, HANDOFFS, HOLDS + resource)."""
        return SYNTHETIC_TID + agent * TRACKS_PER_AGENT + 1 + k

    def resource_name(self, index: int) -> str:
        resources = self.layout.resources
        return resources[index].name if 0 <= index < len(resources) else f"#{index}"

    def agent_name(self, agent: int) -> str:
        return self.layout.agents[agent].name

    def process_name(self, agent: int) -> str:
        info = self.layout.agents[agent]
        return f"{info.name} ({info.backend})" if info.backend is Backend.PROCESS else f"round ({info.backend}s)"

    def name(self, pid: int, tid: int, process: str, thread: str, sort: int) -> list[str]:
        """``M`` events naming a track (and its process) the first time they are used."""
        lines = []
        if (pid, -1) not in self._named:
            self._named.add((pid, -1))
            lines.append(meta("process_name", pid, 0, process))
        if (pid, tid) not in self._named:
            self._named.add((pid, tid))
            lines.append(meta("thread_name", pid, tid, thread))
            lines.append(
                f'{{"ph":"M","name":"thread_sort_index","pid":{pid},"tid":{tid},"args":{{"sort_index":{sort}}}}}'
            )
        return lines

    def main_tracks(self) -> list[str]:
        """The engine's track and every agent's own."""
        lines = self.name(ENGINE_PID, 0, "engine", "engine", 0)
        for agent in range(len(self.layout.agents)):
            pid, tid = int(self.pid[agent]), int(self.tid[agent])
            lines += self.name(pid, tid, self.process_name(agent), self.agent_name(agent), agent * 8)
        return lines

    def extra_tracks(self, agents: np.ndarray, ks: np.ndarray) -> list[str]:
        """Names of agents' extra tracks (pairs agent, k) not named yet."""
        lines = []
        for a, k in zip(agents.tolist(), ks.tolist(), strict=True):
            tid = int(self.extra(a, k))
            if (int(self.pid[a]), tid) in self._named:
                continue
            label = {WAITS: "waits", HANDOFFS: "hand-offs"}.get(k) or f"holds {self.resource_name(k - HOLDS)}"
            sort = a * 8 + (7 if k == HANDOFFS else 1 + min(k, 6))
            lines += self.name(int(self.pid[a]), tid, self.process_name(a), f"{self.agent_name(a)} · {label}", sort)
        return lines

    def lane_tracks(self, resources: np.ndarray, lanes: np.ndarray) -> list[str]:
        """Names of resources' lane tracks not named yet."""
        lines = []
        for r, ln in zip(resources.tolist(), lanes.tolist(), strict=True):
            suffix = f" (lane {ln + 1})" if ln else ""
            name = self.resource_name(r) + suffix
            lines += self.name(RESOURCE_PID, r * LANES + ln + 1, "resources", name, r * LANES + ln)
        return lines


def meta(kind: str, pid: int, tid: int, name: str) -> str:
    return f'{{"ph":"M","name":"{kind}","pid":{pid},"tid":{tid},"args":{{"name":{json.dumps(name)}}}}}'
