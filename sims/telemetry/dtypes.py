"""numpy views of the record (kept apart so agent processes never import numpy)."""

from __future__ import annotations

import numpy as np

from sims.telemetry.schema import RECORD_SIZE

RECORD_DTYPE = np.dtype(
    {
        "names": ["seq", "op", "resource", "t_ns", "value", "agent", "check"],
        "formats": ["<u4", "<u2", "<i2", "<i8", "<i8", "<i4", "<u4"],
        "offsets": [0, 4, 6, 8, 16, 24, 28],
        "itemsize": RECORD_SIZE,
    }
)

# What the reader hands out: the same fields, without the transport words.
EVENT_DTYPE = np.dtype([("t_ns", "<i8"), ("agent", "<i4"), ("resource", "<i2"), ("op", "<u2"), ("value", "<i8")])
