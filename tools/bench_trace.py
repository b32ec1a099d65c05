"""The Perfetto trace writer against another commit's, on one round: CPU and the same text.

Usage: ``python tools/bench_trace.py [--against main] [--seconds 4] [--agents 64] [--repeats 2]``

One dining round (``ordered``, zero pacing, process agents forked as ``diner run`` forks them)
is written by this checkout's ``sims.perfetto`` and by ``--against``'s (its ``sims/perfetto.py``,
the whole-round writer before the trace was streamed, read with ``git show``, importing everything
else from here), alternately; the best CPU of the process (the gzip thread included) of each, the
ratio, and whether both hold as many events (tests/test_perfetto_stream.py checks they are the same).
"""

from __future__ import annotations

import argparse
import gzip
import importlib
import importlib.util
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def other_writer(ref: str, folder: Path) -> ModuleType:
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{ref}:sims/perfetto.py"], capture_output=True,
                            text=True, check=True).stdout
    path = folder / "perfetto_other.py"
    path.write_text(source)
    return writer_at(path, "perfetto_other")


def writer_at(path: Path, name: str) -> ModuleType:
    """The trace module in ``path`` (both writers are loaded from their files, alike)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def written(writer: Any, result: Any) -> tuple[float, float, bytes]:
    """CPU and wall seconds of one write, and the trace's text."""
    buffer = io.BytesIO()
    cpu, wall = time.process_time(), time.monotonic()
    writer.write_trace(result, buffer)
    return time.process_time() - cpu, time.monotonic() - wall, gzip.decompress(buffer.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--against", default="main")
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--agents", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    from sims.engine import Round
    from sims.rounds import RoundConfig

    params = {"agents": args.agents, "think_ms": 0, "eat_ms": 0}
    config = RoundConfig("dining", backend="process", strategy="ordered", seconds=args.seconds, params=params,
                         start_method="forkserver")
    with tempfile.TemporaryDirectory(prefix="bench-trace-") as folder:
        theirs = other_writer(args.against, Path(folder))
        ours = importlib.import_module("sims.perfetto")
        result = Round(config, records_dir=Path(folder) / "round").run()
        runs: dict[str, list[tuple[float, float]]] = {"theirs": [], "ours": []}
        texts = {}
        for _ in range(args.repeats):
            for name, writer in (("theirs", theirs), ("ours", ours)):
                cpu, wall, texts[name] = written(writer, result)
                runs[name].append((cpu, wall))
        records = result.record_count
    a, b = min(c for c, _ in runs["theirs"]), min(c for c, _ in runs["ours"])
    counts = {name: text.count(b'{"ph":') for name, text in texts.items()}
    print(f"{records:,} records; as many events: {counts['theirs'] == counts['ours']} ({counts['ours']:,})")
    print(f"{args.against}: {a:.2f} s CPU ({a / records * 1e6:.2f} us/record), walls "
          f"{', '.join(f'{w:.2f}' for _, w in runs['theirs'])} s")
    print(f"ours: {b:.2f} s CPU ({b / records * 1e6:.2f} us/record), walls "
          f"{', '.join(f'{w:.2f}' for _, w in runs['ours'])} s; {a / b:.2f}x less CPU")


if __name__ == "__main__":
    sys.exit(main())
