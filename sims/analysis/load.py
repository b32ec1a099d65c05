"""Reading exported rounds back: pandas frames when pandas is installed, pyarrow tables otherwise.

A round folder holds summary.json and its tables as Parquet or CSV (docs/data.md). Name
columns come back as categoricals (pandas) or dictionary arrays (pyarrow), whichever file
they were read from.
"""

from __future__ import annotations

import glob
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from sims.data.schema import COLUMNS, name_columns
from sims.data.summary import SCHEMA_VERSION

SUMMARY = "summary.json"


class RoundDataError(Exception):
    """A path that holds no readable round; the message names it and why."""


@attrs.frozen(eq=False)
class RoundData:
    """One round: its summary (a dict) and its four tables."""

    path: Path
    summary: dict[str, Any]
    events: Any
    agents: Any
    resources: Any
    intervals: Any


def _has(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def load_round(path: str | Path) -> RoundData:
    """The round in folder ``path`` (or whose summary.json ``path`` is)."""
    folder = Path(path)
    if folder.name == SUMMARY:
        folder = folder.parent
    summary = _summary(folder / SUMMARY)
    tables = {name: _table(folder, name) for name in COLUMNS}
    return RoundData(folder, summary, **tables)


def _summary(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RoundDataError(
            f"{path.parent}: no {SUMMARY} (not a round folder, or its export did not finish)"
        ) from None
    except (OSError, ValueError) as error:
        raise RoundDataError(f"{path}: cannot read: {error}") from None
    version = document.get("schema_version") if isinstance(document, dict) else None
    if version != SCHEMA_VERSION:
        raise RoundDataError(f"{path}: schema_version {version!r}, this reader knows {SCHEMA_VERSION}")
    checked: dict[str, Any] = document
    return checked


def _table(folder: Path, name: str) -> Any:
    parquet, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
    if parquet.exists():
        if not _has("pyarrow"):
            raise RoundDataError(f"{parquet}: reading Parquet needs pyarrow: pip install 'deadlock-diner[analysis]'")
        import pyarrow.parquet as pq

        table = pq.read_table(parquet)
        return table.to_pandas() if _has("pandas") else table
    if csv.exists():
        return _read_csv(csv, name)
    raise RoundDataError(f"{folder}: no {name}.parquet or {name}.csv")


def _read_csv(path: Path, name: str) -> Any:
    if _has("pandas"):
        import pandas as pd

        return pd.read_csv(path, dtype=dict.fromkeys(name_columns(name), "category"))
    if _has("pyarrow"):
        import pyarrow as pa
        import pyarrow.csv as pcsv

        options = pcsv.ConvertOptions(
            column_types=dict.fromkeys(name_columns(name), pa.dictionary(pa.int32(), pa.string()))
        )
        return pcsv.read_csv(path, convert_options=options)
    raise RoundDataError(f"{path}: reading tables needs pandas or pyarrow: pip install 'deadlock-diner[analysis]'")


def round_folders(path_or_glob: str | Path) -> list[Path]:
    """Every round folder (one holding summary.json) at, under or matched by ``path_or_glob``."""
    text = str(path_or_glob)
    matches = [Path(p) for p in sorted(glob.glob(text, recursive=True))] if glob.has_magic(text) else [Path(text)]
    if not matches or not any(m.exists() for m in matches):
        raise RoundDataError(f"{text}: no such file or folder")
    found: dict[Path, None] = {}
    for match in matches:
        if match.is_file() and match.name == SUMMARY:
            found[match.parent] = None
        elif match.is_dir():
            found.update(dict.fromkeys(sorted(p.parent for p in match.rglob(SUMMARY))))
    return list(found)


def load_rounds(path_or_glob: str | Path) -> Any:
    """One tidy row per round found: identity, resolved parameters (``param_*``), concurrency,
    environment and the round's statistics (a pandas DataFrame, else a pyarrow Table)."""
    rows = [round_row(_summary(folder / SUMMARY), folder) for folder in round_folders(path_or_glob)]
    if not rows:
        raise RoundDataError(f"{path_or_glob}: no round (no {SUMMARY}) found")
    return _frame(rows)


IDENTITY = ("round_id", "scenario", "strategy", "backend", "seed")


def load_table(path_or_glob: str | Path, table: str = "events") -> Any:
    """One table (``events``, ``agents``, ``resources`` or ``intervals``) of every round found, stacked,
    with the round's identity in the first columns (``round_id``, ``scenario``, ``strategy``,
    ``backend``, ``seed``): join it with :func:`load_rounds` on ``round_id``."""
    if table not in COLUMNS:
        raise RoundDataError(f"no table {table!r} (known: {', '.join(COLUMNS)})")
    parts = []
    for folder in round_folders(path_or_glob):
        summary = _summary(folder / SUMMARY)
        parts.append((_arrow_table(folder, table), {key: summary[key] for key in IDENTITY}))
    if not parts:
        raise RoundDataError(f"{path_or_glob}: no round (no {SUMMARY}) found")
    import pyarrow as pa

    stacked = pa.concat_tables([_with_identity(t, identity) for t, identity in parts], promote_options="permissive")
    return stacked.to_pandas() if _has("pandas") else stacked


def _arrow_table(folder: Path, name: str) -> Any:
    if not _has("pyarrow"):
        raise RoundDataError(f"{folder}: load_table needs pyarrow: pip install 'deadlock-diner[analysis]'")
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    parquet, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
    if parquet.exists():
        return pq.read_table(parquet)
    if csv.exists():
        names = dict.fromkeys(name_columns(name), pa.dictionary(pa.int32(), pa.string()))
        return pcsv.read_csv(csv, convert_options=pcsv.ConvertOptions(column_types=names))
    raise RoundDataError(f"{folder}: no {name}.parquet or {name}.csv")


def _with_identity(table: Any, identity: dict[str, Any]) -> Any:
    import numpy as np
    import pyarrow as pa

    n = table.num_rows
    for position, (key, value) in enumerate(identity.items()):
        if isinstance(value, str):
            column = pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, np.int32)), pa.array([value]))
        else:
            column = pa.array(np.full(n, value, np.int64))
        table = table.add_column(position, key, column)
    return table


def round_row(summary: dict[str, Any], folder: Path | None = None) -> dict[str, Any]:
    """The row :func:`load_rounds` makes of one summary."""
    verdict, concurrency, env = summary["verdict"], summary["concurrency"], summary["environment"]
    row: dict[str, Any] = {
        "round_id": summary["round_id"],
        "scenario": summary["scenario"],
        "strategy": summary["strategy"],
        "backend": summary["backend"],
        "seed": summary["seed"],
        "started_at": summary["started_at"],
        "engine_version": summary["engine"]["version"],
        "path": None if folder is None else str(folder),
    }
    row |= {f"param_{k}": v for k, v in summary["params"].items()}
    row |= {
        "seconds": summary["config"]["seconds"],
        "rounds_in_parallel": concurrency["rounds_in_parallel"],
        "usable_cpus": concurrency["usable_cpus"],
        "load_avg_1m": concurrency["load_avg_at_end"][0],
        "python": env["python"],
        "gil_enabled": env["gil_enabled"],
        "platform": env["platform"],
        "end_reason": verdict["end_reason"],
        "events": summary["events"],
    }
    row |= summary["round"]
    return row


def _frame(rows: Iterable[dict[str, Any]]) -> Any:
    rows = list(rows)
    columns = list(dict.fromkeys(key for row in rows for key in row))
    if _has("pandas"):
        import pandas as pd

        frame = pd.DataFrame.from_records(rows, columns=columns)
        for name in ("scenario", "strategy", "backend"):
            frame[name] = frame[name].astype("category")
        return frame
    if _has("pyarrow"):
        import pyarrow as pa

        return pa.Table.from_pylist([{c: row.get(c) for c in columns} for row in rows])
    raise RoundDataError("load_rounds needs pandas or pyarrow: pip install 'deadlock-diner[analysis]'")
