"""The fork server process agents start from (``start_method="forkserver"``).

A spawned agent is a fresh interpreter that imports 120-130 ms of code before it runs. The fork
server is one interpreter that imported the agent code once; each agent is a fork of it
(about 1 ms of the server's CPU, 5 ms of the agent's own). The server itself takes a fresh
interpreter's start, so whoever knows early that agents will come starts it early
(:func:`start_fork_server`): it boots while the engine imports and builds the round.
"""

from __future__ import annotations

import multiprocessing
from typing import Any

AGENT_CODE = ("sims.agents", "sims.primitives", "sims.scenarios.dining", "sims.scenarios.kitchen")


def fork_server_context() -> Any:  # BaseContext's stub lacks Process
    """The ``forkserver`` context, its server told to import the agent code before it forks."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(list(AGENT_CODE))
    return ctx


def start_fork_server() -> None:
    """Start the server now rather than at the first agent's start; it does not wait for the
    server to be ready (the first agent's start does). The server ends with this process.

    It starts with SIGINT blocked: a Ctrl-C sent to the process group while its interpreter
    still boots would print a traceback from its ``site`` import (it ignores SIGINT once up).
    """
    from multiprocessing import forkserver

    from sims.ctrl_c import sigint_held_back

    fork_server_context()
    with sigint_held_back():
        forkserver.ensure_running()
