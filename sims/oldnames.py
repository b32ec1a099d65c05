"""Names the lecture uses that Python 3.10 deprecated, and today's: one table for ``diner list``,
the check of the player's code and the scenarios that teach them.

``threading`` still answers to them, with a DeprecationWarning that Python hides outside
``__main__`` (so nobody sees it); the diner's ``me`` and primitives do not answer at all, and
an AttributeError would not say what to write instead. So the player's code is refused with
a sentence that names today's spelling.
"""

from __future__ import annotations

import types
from collections.abc import Mapping

import attrs


@attrs.frozen
class OldName:
    """How the lecture writes a call, and how to write it today."""

    old: str
    new: str

    def spelled(self, receiver: str) -> tuple[str, str]:
        """(old, new) as the code typed it: ``receiver`` (``me.``, or "" for a bare name) in place
        of the table's ``t.``."""
        prefix = self.old.split(".", 1)[0] + "."
        return receiver + self.old.removeprefix(prefix), receiver + self.new.removeprefix(prefix)


OLD_NAMES: Mapping[str, OldName] = types.MappingProxyType(
    {
        "setDaemon": OldName("t.setDaemon(True)", "t.daemon = True"),
        "isDaemon": OldName("t.isDaemon()", "t.daemon"),
        "getName": OldName("t.getName()", "t.name"),
        "setName": OldName("t.setName(n)", "t.name = n"),
        "currentThread": OldName("threading.currentThread()", "threading.current_thread()"),
        "activeCount": OldName("threading.activeCount()", "threading.active_count()"),
        "notifyAll": OldName("cond.notifyAll()", "cond.notify_all()"),
        "isSet": OldName("event.isSet()", "event.is_set()"),
    }
)
"""By the identifier as typed."""

THREAD_NAMES = ("setDaemon", "isDaemon", "getName", "setName", "currentThread")
"""The ones of threads and processes (the lecture's 进程对象属性)."""


def listing(names: tuple[str, ...]) -> str:
    """``t.setDaemon(True) -> t.daemon = True, ...`` for ``diner list``."""
    return ", ".join(f"{OLD_NAMES[n].old} -> {OLD_NAMES[n].new}" for n in names)
