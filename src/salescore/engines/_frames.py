"""An engine frame read through Narwhals: its columns, checks over its rows, collection.

What the pandas table functions learn from a frame (its columns and their dtypes,
whether a value is missing or out of range, and where), learnt here by queries run in
the engine, so that the rows never leave it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd

from .._tables import SHOWN, counted
from ..errors import InvalidInputError, SchemaError

__all__ = [
    "POLARS_CHUNK_ROWS",
    "EngineFrame",
    "collect",
    "collect_by_key",
    "count_true",
    "found_count",
    "pandas_text",
    "sure",
    "text_of",
]

#: The most rows of a Polars log that :func:`collect_by_key` reduces at a time.
POLARS_CHUNK_ROWS = 5_000_000


class EngineFrame:
    """A lazy view of a native engine frame, named ``table`` in messages."""

    def __init__(self, table: str, native: object, engine: str) -> None:
        self.table = table
        self.engine = engine
        try:
            frame: Any = nw.from_native(native)
        except TypeError as error:  # a type Narwhals does not know
            raise SchemaError(
                f"{table} must be a pandas DataFrame or a frame of Polars, DuckDB, Dask or "
                f"PySpark; got {type(native).__name__} ({error})"
            ) from None
        if isinstance(frame, nw.Series):
            raise SchemaError(f"{table} must be a frame, not a {engine} Series")
        self.frame: nw.LazyFrame[Any] = frame.lazy() if isinstance(frame, nw.DataFrame) else frame
        self.schema = dict(self.frame.collect_schema())

    def require(self, columns: Iterable[str]) -> None:
        """Raise :class:`SchemaError` naming every column of ``columns`` that is missing."""
        missing = [column for column in dict.fromkeys(columns) if column not in self.schema]
        if missing:
            listed = ", ".join(repr(column) for column in missing)
            plural = "s" if len(missing) > 1 else ""
            raise SchemaError(
                f"{self.table}: missing column{plural} {listed} (it has "
                f"{list(self.schema)!r}); pass the names your table uses as keyword arguments"
            )

    def require_dates(self, column: str) -> None:
        """Refuse a column that holds neither datetimes nor dates."""
        dtype = self.schema[column]
        if not isinstance(dtype, (nw.Datetime, nw.Date)):
            raise SchemaError(
                f"{self.table}: column {column!r} must hold datetimes or dates; it has dtype "
                f"{dtype} in {self.engine} (cast it to a datetime first)"
            )

    def require_numeric(self, columns: Iterable[str]) -> None:
        """Refuse columns that are not numeric (booleans are not)."""
        wrong = [
            f"{column!r} has dtype {self.schema[column]}"
            for column in dict.fromkeys(columns)
            if not self.schema[column].is_numeric()
        ]
        if wrong:
            raise SchemaError(f"{self.table}: columns must be numeric: {'; '.join(wrong)}")

    def zone(self, column: str) -> str | None:
        """The time zone of a datetime column, or None."""
        dtype = self.schema[column]
        return dtype.time_zone if isinstance(dtype, nw.Datetime) else None

    def empty(self, columns: Iterable[str]) -> pd.DataFrame:
        """A pandas frame without rows of ``columns``, of the dtypes pandas gives them.

        Datetimes and dates become datetime64[ns] (with the column's time zone),
        numbers float64 and the rest object: what a table function needs to build the
        empty result of an empty log.
        """
        out: dict[str, pd.Series[Any]] = {}
        for column in columns:
            dtype = self.schema[column]
            if isinstance(dtype, (nw.Datetime, nw.Date)):
                zone = self.zone(column)
                kind = "datetime64[ns]" if zone is None else f"datetime64[ns, {zone}]"
                out[column] = pd.Series([], dtype=kind)
            elif dtype.is_numeric():
                out[column] = pd.Series([], dtype="float64")
            else:
                out[column] = pd.Series([], dtype=object)
        return pd.DataFrame(out)

    def rows(
        self, log: nw.LazyFrame[Any], condition: nw.Expr, count: int, names: dict[str, str]
    ) -> str:
        """``count`` rows of ``log`` for which ``condition`` holds, with the first few.

        ``names`` maps the columns of ``log`` to show to the names the caller knows.
        """
        sample = collect(log.filter(condition).select(*names).head(SHOWN))
        examples = "; ".join(
            ", ".join(
                f"{names[column]}={value!r}" for column, value in zip(names, row, strict=True)
            )
            for row in sample.itertuples(index=False, name=None)
        )
        return f"{counted(count, 'row')} (for example {examples})"


def collect(frame: nw.LazyFrame[Any]) -> pd.DataFrame:
    """The result of a lazy query as a pandas DataFrame."""
    result = frame.collect(backend="pandas").to_native()
    if not isinstance(result, pd.DataFrame):  # pragma: no cover - Narwhals' contract
        raise InvalidInputError(f"the engine returned {type(result).__name__}, not a DataFrame")
    return result


def collect_by_key(
    frame: nw.LazyFrame[Any],
    engine: str,
    key: str,
    query: Callable[[nw.LazyFrame[Any]], nw.LazyFrame[Any]],
) -> pd.DataFrame:
    """``query(frame)`` collected, for a query that reduces each ``key``'s rows together.

    On Dask the rows are first shuffled so that every ``key`` lies in one partition,
    and the query runs on each partition in pandas: Dask's own grouped aggregation
    gathers all the groups of a query into one partition, which outgrows a worker's
    memory long before the log does, and it has no grouped window. On Polars a log of
    more than :data:`POLARS_CHUNK_ROWS` rows is read in as many chunks as it takes,
    each holding the rows of the keys of one hash bucket, and the query runs on each
    chunk in turn: Polars' streaming engine cannot run the queries' grouped windows,
    and its in-memory engine would hold the whole log. A query whose groups are
    coarser than ``key`` (per period, say) then returns one partial result per
    partition or chunk, which the caller adds up. On the other engines the query runs
    as one plan.
    """
    if engine == "polars":
        return _collect_polars_chunks(frame, key, query)
    if engine != "dask":
        return collect(query(frame))
    shuffled: Any = frame.to_native().shuffle(on=key)

    def run(part: pd.DataFrame) -> pd.DataFrame:
        return collect(query(nw.from_native(part).lazy()))

    reduced = shuffled.map_partitions(run, meta=run(shuffled._meta))
    # Each partition's result is fetched on its own and put together here: Dask's
    # compute() would first gather them all in one partition, on one worker.
    from dask.base import compute

    pieces: tuple[pd.DataFrame, ...] = compute(*reduced.to_delayed())  # type: ignore[no-untyped-call]
    kept = [piece for piece in pieces if len(piece)] or list(pieces[:1])
    return pd.concat(kept, ignore_index=True)


def _collect_polars_chunks(
    frame: nw.LazyFrame[Any],
    key: str,
    query: Callable[[nw.LazyFrame[Any]], nw.LazyFrame[Any]],
) -> pd.DataFrame:
    """:func:`collect_by_key` on Polars: the keys' hash buckets one at a time."""
    import polars as pl

    native: Any = frame.to_native()
    rows = int(native.select(pl.len()).collect().item())
    chunks = -(-rows // POLARS_CHUNK_ROWS)
    if chunks <= 1:
        return collect(query(frame))
    bucket = pl.col(key).hash(seed=0) % chunks
    pieces = [
        collect(query(nw.from_native(native.filter(bucket == number)))) for number in range(chunks)
    ]
    return pd.concat([piece for piece in pieces if len(piece)] or pieces[:1], ignore_index=True)


def count_true(condition: nw.Expr) -> nw.Expr:
    """The number of rows for which ``condition`` holds (an aggregation)."""
    return condition.cast(nw.Int64).sum()


def sure(condition: nw.Expr) -> nw.Expr:
    """``condition``, false where it is missing (SQL's NULL, pandas' NA)."""
    return condition.fill_null(False)


def found_count(found: pd.Series[Any], name: str) -> int:
    """A count of an aggregate query's row: an engine's sum over no rows is NULL."""
    value = found[name]
    return 0 if pd.isna(value) else int(value)


def text_of(frame: EngineFrame, column: str) -> nw.Expr | None:
    """The column as strings when it holds text (or categories); None otherwise."""
    dtype = frame.schema[column]
    if isinstance(dtype, nw.String):
        return nw.col(column)
    if isinstance(dtype, (nw.Categorical, nw.Enum)):
        return nw.col(column).cast(nw.String)
    return None


def pandas_text(labels: pd.Series[Any]) -> pd.Series[Any]:
    """Text in the dtype pandas infers for text (str from pandas 3), missing as NaN.

    What the engines bring back varies: Dask's nullable strings (missing as NA), an
    empty DuckDB result's objects.
    """
    inferred = pd.Series([""]).dtype
    if labels.dtype == inferred:
        return labels
    values = labels.astype(object)
    return values.where(values.notna(), np.nan).astype(inferred)
