"""The engine harness hands each engine exactly the pandas data, and gets it back unchanged.

Every equality test compares an engine's result with the pandas path's on "the same
data"; these tests show the data is the same: ids (with an empty and a missing one),
naive timestamps down to the microsecond around the epoch and DST changes, floats at
the edges of the double range with missing values, and integers past 2**53.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from .harness import DASK_PARTITIONS, ENGINES, spark_schema, to_engine, to_pandas

# What narwhals calls each engine's implementation.
IMPLEMENTATIONS = {
    "polars": "polars",
    "polars-lazy": "polars",
    "duckdb": "duckdb",
    "dask": "dask",
    "spark": "pyspark",
}


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["C1", "C2", None, "C1", "", "Zoë ✓"],
            "date": pd.to_datetime(
                [
                    "2024-02-29 00:00:00",
                    "1969-12-31 23:59:59.999999",  # before the epoch, below a second
                    "NaT",
                    "2024-03-10 02:30:00.123456",  # does not exist in New York
                    "2021-11-07 01:30:00.5",  # happens twice in New York
                    "2262-04-11 23:47:16.854775",
                ],
                format="ISO8601",
            ).astype("datetime64[ns]"),
            "amount": [0.1, np.nan, None, 5e-324, -1.7976931348623157e308, 123456.789],
            "count": np.array([0, -1, 2**53 + 1, -(2**62), 7, 42], dtype=np.int64),
        }
    )


def _assert_same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """Equal values, in order; dtypes equal up to a datetime's unit and a string's storage."""
    got = got.reset_index(drop=True)
    assert list(got.columns) == list(want.columns)
    assert {name: dtype.kind for name, dtype in got.dtypes.items()} == {
        name: dtype.kind for name, dtype in want.dtypes.items()
    }
    pd.testing.assert_frame_equal(got.astype(want.dtypes.to_dict()), want, check_exact=True)


def test_round_trip_keeps_every_value(engine: str) -> None:
    frame = _frame()
    native = to_engine(frame, engine)
    _assert_same(to_pandas(native), _frame())
    pd.testing.assert_frame_equal(frame, _frame())  # the input is not mutated


def test_round_trip_keeps_the_row_order_not_the_index(engine: str) -> None:
    frame = _frame().iloc[::-1]  # index 5, 4, ... 0
    _assert_same(to_pandas(to_engine(frame, engine)), frame.reset_index(drop=True))


def test_native_frame_is_the_engines_own(engine: str) -> None:
    import narwhals as nw

    native = nw.from_native(to_engine(_frame(), engine))
    assert str(native.implementation) == IMPLEMENTATIONS[engine]
    assert isinstance(native, nw.DataFrame) == (engine == "polars")


def test_dask_frame_spans_partitions_on_worker_processes(dask_client: object) -> None:
    import dask.base
    from distributed import Client

    assert isinstance(dask_client, Client)
    native = to_engine(_frame(), "dask")
    assert native.npartitions == DASK_PARTITIONS
    worker_pids = dask_client.run(os.getpid)
    assert len(worker_pids) == 2
    assert os.getpid() not in worker_pids.values()
    assert dask.base.get_scheduler() == dask_client.get  # type: ignore[no-untyped-call]
    assert native["count"].sum().compute() == _frame()["count"].sum()


def test_spark_keeps_wall_clock_in_any_session_zone(spark: object) -> None:
    from pyspark.sql import SparkSession

    assert isinstance(spark, SparkSession)
    spark.conf.set("spark.sql.session.timeZone", "America/New_York")
    try:
        _assert_same(to_pandas(to_engine(_frame(), "spark")), _frame())
    finally:
        spark.conf.set("spark.sql.session.timeZone", "UTC")


def test_spark_schema_types_each_column() -> None:
    pytest.importorskip("pyspark.sql")
    schema = spark_schema(_frame())
    assert [(field.name, field.dataType.simpleString()) for field in schema.fields] == [
        ("customer_id", "string"),
        ("date", "timestamp_ntz"),
        ("amount", "double"),
        ("count", "bigint"),
    ]


@pytest.mark.parametrize(
    ("column", "message"),
    [
        (pd.Series(pd.to_datetime(["2024-01-01 00:00:00.000000001"])), "microseconds"),
        (pd.Series(pd.to_datetime(["2024-01-01"])).dt.tz_localize("UTC"), "no zone"),
        (pd.Series([b"bytes"], dtype=object), "no Spark type"),
    ],
)
def test_spark_schema_refuses_what_spark_would_change(column: pd.Series, message: str) -> None:
    pytest.importorskip("pyspark.sql")
    with pytest.raises(TypeError, match=message):
        spark_schema(pd.DataFrame({"x": column}))


def test_to_engine_refuses_an_unknown_engine() -> None:
    with pytest.raises(ValueError, match="engine must be one of"):
        to_engine(_frame(), "pandas")
    assert "pandas" not in ENGINES
