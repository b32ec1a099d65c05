"""Parquet from numpy columns (needs pyarrow, the ``analysis`` extra; imported only when called).

Names become dictionary-encoded string columns (pandas reads them as categoricals), nulls
come from the columns' masks, and the round's summary rides in the file's metadata.

Writer options were chosen by measurement on a long round's events (``docs/benchmarks.md``):
only name columns are dictionary-encoded, integers are delta-encoded (times and values rarely
repeat: smaller and faster), and only integer columns carry min/max statistics (cheap there, and
what a reader prunes row groups by; on name columns they cost more than the rest of the
encoding). The next chunk is made (read, decoded, turned into Arrow) in a helper thread
(:mod:`sims.data.ahead`) while this one is written.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from typing import IO, Any

import numpy as np

from sims.data.ahead import made_ahead
from sims.data.columns import Bools, Column, Floats, Ints, Names, Table

COMPRESSION = "zstd"
COMPRESSION_LEVEL = 1


def has_pyarrow() -> bool:
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        return False
    return True


def write_parquet(handle: IO[bytes], tables: Iterable[Table], metadata: Mapping[bytes, bytes]) -> None:
    """Every table (the same columns each) as row groups of one Parquet file written to ``handle``."""
    import pyarrow.parquet as pq

    writer = None
    try:
        with contextlib.closing(made_ahead(_arrow_of(table) for table in tables)) as arrows:
            for arrow, options in arrows:
                if writer is None:
                    schema = arrow.schema.with_metadata(dict(metadata))
                    writer = pq.ParquetWriter(handle, schema, **options)
                writer.write_table(arrow.replace_schema_metadata(dict(metadata)))
    finally:
        if writer is not None:
            writer.close()


def _arrow_of(table: Table) -> tuple[Any, dict[str, Any]]:
    return to_arrow(table), writer_options(table)


def writer_options(table: Table) -> dict[str, Any]:
    """``ParquetWriter`` options for the table's columns (see the module docstring)."""
    ints = [name for name, column in table.columns.items() if isinstance(column, Ints)]
    names = [name for name, column in table.columns.items() if isinstance(column, Names)]
    return {
        "compression": COMPRESSION,
        "compression_level": COMPRESSION_LEVEL,
        "use_dictionary": names,
        "column_encoding": dict.fromkeys(ints, "DELTA_BINARY_PACKED"),
        "write_statistics": ints,
    }


def to_arrow(table: Table) -> Any:
    """The table as a ``pyarrow.Table`` (numbers without a copy where numpy's layout allows)."""
    import pyarrow as pa

    return pa.table({name: _array(column) for name, column in table.columns.items()})


def _array(column: Column) -> Any:
    import pyarrow as pa

    if isinstance(column, Names):
        codes = np.ascontiguousarray(column.codes, dtype=np.int32)
        indices = pa.Array.from_buffers(pa.int32(), codes.size, [_validity(codes < 0), pa.py_buffer(codes)])
        return pa.DictionaryArray.from_arrays(indices, pa.array(column.names, pa.string()))
    types = {Ints: pa.int64(), Floats: pa.float64(), Bools: pa.bool_()}
    return pa.array(column.values, mask=column.null, type=types[type(column)])


def _validity(null: np.ndarray) -> Any:
    """Arrow's validity bitmap for a null mask (none when nothing is null)."""
    import pyarrow as pa

    if not null.any():
        return None
    return pa.py_buffer(np.packbits(~null, bitorder="little"))
