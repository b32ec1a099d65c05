"""``DINER_SHM_TAG``: the part of every shared-memory segment's and round folder's name that
tells one runner's leftovers from another's. Read from the environment, so checked before use:
it becomes part of a file name (a ``/`` there once ended ``diner run`` in a traceback)."""

from __future__ import annotations

import os
import re

SHM_TAG_VARIABLE = "DINER_SHM_TAG"
_TAG_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def shm_tag() -> str:
    """``DINER_SHM_TAG`` (default ``run``), or ValueError if it cannot be part of a file's name."""
    tag = os.environ.get(SHM_TAG_VARIABLE, "run")
    if not (_TAG_RE.fullmatch(tag)):
        raise ValueError(f"{SHM_TAG_VARIABLE} must be 1 to 64 letters, digits, '_' or '-', got {tag[:80]!r}")
    return tag
