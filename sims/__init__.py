"""Deadlock Diner's engine: real agents on instrumented primitives, telemetry, statistics.

Never imports pygame: the window (``game``) depends on this package, not the reverse.
The names below and each subpackage's ``__all__`` are what ``game/``, ``tools/`` and users
import; everything else is private. They are imported on first use, so ``import sims.cli``
stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sims.lazy import lazy_exports

_PUBLIC = {
    "Backend": "sims.kinds",
    "EndReason": "sims.kinds",
    "ResourceKind": "sims.kinds",
    "SignalAction": "sims.kinds",
    "DETAIL": "sims.runtime",
    "Runtime": "sims.runtime",
    "ExportError": "sims.export",
    "Format": "sims.export",
    "all_formats": "sims.export",
    "dataset_folder": "sims.export",
    "render_result": "sims.text_report",
    "write_round": "sims.export",
    "owned_from_here": "sims.ctrl_c",
    "recorded_ctrl_c": "sims.ctrl_c",
    "run_cli": "sims.cli:main",
    "sweep_out": "sims.cli",
    "command_names": "sims.cli",
    "check_writable": "sims.export",
    "OneLineParser": "sims.usage",
}
__getattr__, __dir__ = lazy_exports(__name__, _PUBLIC)
__all__ = [
    "DETAIL",
    "Backend",
    "EndReason",
    "ExportError",
    "Format",
    "OneLineParser",
    "ResourceKind",
    "Runtime",
    "SignalAction",
    "all_formats",
    "check_writable",
    "command_names",
    "dataset_folder",
    "owned_from_here",
    "recorded_ctrl_c",
    "render_result",
    "run_cli",
    "sweep_out",
    "write_round",
]

if TYPE_CHECKING:
    from sims.cli import command_names, sweep_out
    from sims.cli import main as run_cli
    from sims.ctrl_c import owned_from_here, recorded_ctrl_c
    from sims.export import ExportError, Format, all_formats, check_writable, dataset_folder, write_round
    from sims.kinds import Backend, EndReason, ResourceKind, SignalAction
    from sims.runtime import DETAIL, Runtime
    from sims.text_report import render_result
    from sims.usage import OneLineParser
