"""A pandas function applied to an engine frame partition by partition, lazily.

The per-customer scores of the models need no grouping: each row's result depends on
that row alone, so each engine hands its partitions (Dask), Arrow batches (Spark's
``mapInPandas``, DuckDB's ``map``) or frame (Polars) to the same pandas function and
keeps the result in the engine, with the added columns declared up front.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd

__all__ = ["map_frame"]

Kernel = Callable[[pd.DataFrame], pd.DataFrame]


def map_frame(native: Any, engine: str, kernel: Kernel, added: list[str]) -> Any:
    """``native`` with ``kernel`` applied to its rows; ``added`` are new float64 columns."""
    if engine == "polars":
        import polars as pl

        if isinstance(native, pl.LazyFrame):
            columns = native.collect_schema()
            for name in added:
                columns[name] = pl.Float64
            return native.map_batches(
                lambda batch: pl.from_pandas(kernel(batch.to_pandas())), schema=columns
            )
        return pl.from_pandas(kernel(native.to_pandas()))
    if engine == "duckdb":
        import duckdb

        types = dict(zip(native.columns, map(str, native.types), strict=True))
        types.update(dict.fromkeys(added, "DOUBLE"))
        schema: Any = {name: duckdb.sqltype(kind) for name, kind in types.items()}
        return native.map(kernel, schema=schema)
    if engine == "dask":
        meta = native._meta.assign(**{name: pd.Series(dtype="float64") for name in added})
        return native.map_partitions(kernel, meta=meta)
    if engine == "pyspark":
        from pyspark.sql.types import DoubleType, StructField, StructType

        fields = [*native.schema.fields, *(StructField(name, DoubleType()) for name in added)]

        def batches(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
            for frame in frames:
                yield kernel(frame)

        return native.mapInPandas(batches, schema=StructType(fields))
    raise AssertionError(engine)  # pragma: no cover - engine_name names only these
