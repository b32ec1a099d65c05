"""A finished round's freed heap goes back to the system before the export (sims.heap; Linux and glibc,
as the engine's other tests: it reads /proc/self/status)."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.timeout(120)

# In a fresh interpreter (a heap no other test shaped): arrays of 400 KiB come from the C heap once a
# freed 16 MiB array has raised glibc's mmap threshold, and small blocks between them keep the heap's top
# from being trimmed when they are freed -- as a round's statistics leave it.
FRAGMENTED = """
from pathlib import Path
import numpy as np

def anon_mb():
    line = next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("RssAnon"))
    return int(line.split()[1]) // 1024

big = np.ones(16 << 20, np.uint8)
del big
arrays, pins = [], []
for _ in range(400):
    arrays.append(np.ones(400 << 10, np.uint8))
    pins.append(np.ones(64, np.uint8))
del arrays
before = anon_mb()
from sims.heap import give_back_freed_memory  # imported late: its imports must not shape the heap first

give_back_freed_memory()
print(before, anon_mb())
"""


def test_freed_heap_pages_are_handed_back() -> None:
    done = subprocess.run([sys.executable, "-c", FRAGMENTED], capture_output=True, text=True, check=True, timeout=60)
    before, after = map(int, done.stdout.split())
    assert before - after >= 16, (before, after)  # megabytes of freed arrays no longer resident
