"""An engine host started ahead of the next round, so pressing Start does not wait for one.

A spawned host needs a fresh interpreter and its imports; process agents spawned from it
need one each. The standby host does that work while the player is still choosing: it
imports the engine and starts a fork server that has the agent code loaded, so a process
round's agents are forked from it (``start_method="forkserver"``, which the round's
configuration then says). After a round has started, the next standby is made.

Process agents of a window round also run under SCHED_IDLE (``agent_policy="idle"``; the
command line's rounds run at the caller's niceness): they all get the same, so their contest is
unchanged, and the window that shows them keeps its frames when they spin. The host itself
runs a little nicer than the window (HOST_NICE): when both want a CPU, the frame goes first
and the host, which has more than enough time between frames, drains after it (measured
in docs/benchmarks.md).
"""

from __future__ import annotations

import attrs

from sims import Backend
from sims.engine import EngineHost
from sims.rounds import RoundConfig

HOST_NICE = 4


class StandbyHost:
    """Holds at most one warm host; :meth:`take` hands it a round, :meth:`close` stops it."""

    def __init__(self) -> None:
        self._host: EngineHost | None = None

    def refill(self) -> None:
        """Start warming the next host, unless one is already waiting."""
        if self._host is None:
            self._host = EngineHost(None, fork_server=True, nice=HOST_NICE)
            self._host.start()

    def take(self, config: RoundConfig) -> tuple[EngineHost, RoundConfig]:
        """A host running ``config`` (the warm one if there is one), and the config it runs."""
        if config.backend is Backend.PROCESS:
            config = attrs.evolve(config, start_method="forkserver", agent_policy="idle")
        self.refill()
        host, self._host = self._host, None
        assert host is not None
        host.begin(config)
        return host, config

    def close(self) -> None:
        if self._host is not None:
            self._host.close()
            self._host = None
