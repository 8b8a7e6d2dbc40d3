"""The same data in every engine: a pandas frame as each engine's native frame, and back.

The equality suite builds its data once in pandas, hands it to an engine with
:func:`to_engine` and compares the table function's result with the pandas path's.
That only shows something if the hand-over changes nothing, which ``test_harness.py``
checks. Engines are imported here only inside the functions, so collecting the tests
without them installed works (the ``engine`` fixture then skips).
"""

from __future__ import annotations

import functools
import itertools
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    import duckdb
    from pyspark.sql import types as spark_types

__all__ = [
    "DASK_PARTITIONS",
    "ENGINES",
    "MODULES",
    "maven_deals",
    "spark_schema",
    "to_engine",
    "to_pandas",
]

ENGINES = ("polars", "polars-lazy", "duckdb", "dask", "spark")
# The modules whose absence skips an engine's tests (the extra that brings them).
MODULES = {
    "polars": ("narwhals", "polars"),
    "polars-lazy": ("narwhals", "polars"),
    "duckdb": ("narwhals", "duckdb"),
    "dask": ("narwhals", "dask.dataframe", "distributed"),
    "spark": ("narwhals", "pyspark.sql"),
}
# More partitions than workers, so every reduction combines partial results.
DASK_PARTITIONS = 3

_TABLE_NAMES = itertools.count()


# The harness hands back whatever the engine's own type is; the callers pass it straight
# to salescore, so `Any` rather than a union of five optional types.
def to_engine(frame: pd.DataFrame, engine: str) -> Any:
    """The engine's native frame holding exactly ``frame``'s rows, in order.

    Missing values (NaN, None, NaT, NA) become the engine's null, as when the engine
    reads them from Parquet. ``"spark"`` needs a running SparkSession (the ``spark``
    fixture); ``"dask"`` computes on the current ``distributed`` client, if any.
    """
    if engine in ("polars", "polars-lazy"):
        import polars as pl

        polars_frame = pl.from_pandas(frame)
        return polars_frame.lazy() if engine == "polars-lazy" else polars_frame
    if engine == "duckdb":
        # A table in DuckDB's own storage, not a scan of the pandas object, so the
        # relation is what a user's `read_parquet` or `table` gives.
        connection = _duckdb_connection()
        name = f"frame_{next(_TABLE_NAMES)}"
        connection.from_df(frame).create(name)
        return connection.table(name)
    if engine == "dask":
        import dask.dataframe as dd

        # Partitions in row order (not sorted by the index), as the other engines keep it.
        return dd.from_pandas(  # type: ignore[no-untyped-call]
            frame, npartitions=DASK_PARTITIONS, sort=False
        )
    if engine == "spark":
        from pyspark.sql import SparkSession

        session = SparkSession.getActiveSession()
        if session is None:
            msg = "to_engine(..., 'spark') needs the `spark` fixture (no active SparkSession)"
            raise RuntimeError(msg)
        return session.createDataFrame(frame, schema=spark_schema(frame))
    msg = f"engine must be one of {ENGINES}, got {engine!r}"
    raise ValueError(msg)


def to_pandas(native: Any) -> pd.DataFrame:
    """An engine frame back in pandas, through Narwhals as the library's engine path does."""
    import narwhals as nw

    result: pd.DataFrame = nw.from_native(native).lazy().collect(backend="pandas").to_native()
    return result


def spark_schema(frame: pd.DataFrame) -> spark_types.StructType:
    """The Spark schema that holds ``frame``'s columns without changing a value.

    Strings are ``string``, floats ``double``, integers ``long``, booleans ``boolean``.
    Naive datetimes are ``timestamp_ntz``: Spark's ``timestamp`` is an instant shown in
    the session's zone (Narwhals reads it as zone-aware), while ``timestamp_ntz`` keeps
    the wall-clock time whatever ``spark.sql.session.timeZone`` says. Spark stores
    microseconds, so a frame with finer timestamps, or with aware ones, is refused
    rather than changed.
    """
    from pyspark.sql import types as spark_types

    fields = []
    for name, dtype in frame.dtypes.items():
        column = frame[name]
        kind: spark_types.DataType
        if isinstance(dtype, pd.DatetimeTZDtype):
            msg = f"column {name!r}: Spark keeps no zone; pass naive UTC timestamps"
            raise TypeError(msg)
        if pd.api.types.is_bool_dtype(dtype):
            kind = spark_types.BooleanType()
        elif pd.api.types.is_datetime64_dtype(dtype):
            if bool((column.dropna().dt.nanosecond != 0).any()):
                msg = f"column {name!r}: Spark timestamps stop at microseconds"
                raise TypeError(msg)
            kind = spark_types.TimestampNTZType()
        elif pd.api.types.is_float_dtype(dtype):
            kind = spark_types.DoubleType()
        elif pd.api.types.is_integer_dtype(dtype):
            kind = spark_types.LongType()
        elif pd.api.types.is_string_dtype(dtype) and all(
            isinstance(value, str) for value in column.dropna()
        ):
            kind = spark_types.StringType()
        else:
            msg = f"column {name!r}: no Spark type for dtype {dtype}"
            raise TypeError(msg)
        fields.append(spark_types.StructField(str(name), kind, nullable=True))
    return spark_types.StructType(fields)


@functools.cache
def _duckdb_connection() -> duckdb.DuckDBPyConnection:
    import duckdb

    return duckdb.connect()


MAVEN = Path(__file__).parents[1] / "fixtures" / "real" / "maven_sales_pipeline.csv"


@functools.cache
def maven_deals() -> pd.DataFrame:
    """Public opportunities as a canonical deals table.

    Provenance: Maven Analytics' "CRM Sales Opportunities" dataset
    (https://mavenanalytics.io/data-playground, sales_pipeline.csv), its header and
    first 30 rows, unchanged: tests/fixtures/real/maven_sales_pipeline.csv (see its
    README), read with the mapping of tests/test_real_exports.py. The dataset has no
    loss reason.
    """
    from salescore.adapters import from_records

    raw = pd.read_csv(MAVEN, dtype=str)
    mapping = {
        "deal_id": "opportunity_id",
        "owner": "sales_agent",
        "account_id": "account",
        "stage": "deal_stage",
        "status": "deal_stage",
        "created": "engage_date",
        "close_date": "close_date",
        "value": "close_value",
    }
    statuses = {"Prospecting": "open", "Engaging": "open", "Won": "won", "Lost": "lost"}
    frame: pd.DataFrame = from_records(raw, mapping, source="maven", stage_status=statuses).frame
    return frame
