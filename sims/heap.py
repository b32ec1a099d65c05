"""Giving a finished round's freed memory back to the system before its export runs.

A long round's end leaves the C heap holding pages that the statistics and the rings' last
drain freed (about 120 MB after 10 s of 64 process agents at zero pacing): glibc keeps freed
memory for reuse, so the export's own working set would stack on top of it and the process's
peak would be the two together. ``malloc_trim`` hands the free pages back.
"""

from __future__ import annotations

import ctypes
import gc


def give_back_freed_memory() -> None:
    """Collect cycles, then return the C heap's free pages to the system (glibc only; elsewhere
    nothing more than the collection)."""
    gc.collect()
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library this process already has loaded
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim
        return
    trim(0)
