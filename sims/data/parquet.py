"""Parquet from numpy columns (needs pyarrow, the ``analysis`` extra; imported only when called).

Names become dictionary-encoded string columns (pandas reads them as categoricals), nulls
come from the columns' masks, and the round's summary rides in the file's metadata.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import IO, Any

from sims.data.columns import Bools, Column, Floats, Ints, Names, Table


def has_pyarrow() -> bool:
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        return False
    return True


def write_parquet(handle: IO[bytes], tables: Iterable[Table], metadata: Mapping[bytes, bytes]) -> None:
    """Every table (the same columns each) as row groups of one Parquet file written to ``handle``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer = None
    try:
        for table in tables:
            arrow = to_arrow(table)
            if writer is None:
                schema = arrow.schema.with_metadata(dict(metadata))
                named = [f.name for f in schema if pa.types.is_dictionary(f.type)]  # numbers: a dictionary costs
                writer = pq.ParquetWriter(handle, schema, compression="zstd", use_dictionary=named)
            writer.write_table(arrow.replace_schema_metadata(dict(metadata)))
    finally:
        if writer is not None:
            writer.close()


def to_arrow(table: Table) -> Any:
    """The table as a ``pyarrow.Table``."""
    import pyarrow as pa

    return pa.table({name: _array(column) for name, column in table.columns.items()})


def _array(column: Column) -> Any:
    import pyarrow as pa

    if isinstance(column, Names):
        codes = column.codes.astype("int32", copy=False)
        indices = pa.array(codes, mask=codes < 0, type=pa.int32())
        return pa.DictionaryArray.from_arrays(indices, pa.array(column.names, pa.string()))
    types = {Ints: pa.int64(), Floats: pa.float64(), Bools: pa.bool_()}
    return pa.array(column.values, mask=column.null, type=types[type(column)])
