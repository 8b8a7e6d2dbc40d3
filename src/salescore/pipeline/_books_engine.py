"""A book of open deals held by an engine: checked there, its distribution per partition.

One query counts the rows :func:`~salescore.book_distribution` refuses (a negative or
infinite value, a probability outside [0, 1], a missing one), and only when there are
any does a second query fetch a few to name. Polars and DuckDB then hand over the two
columns, which :func:`~salescore.forecast_distribution` reads as it reads two arrays.
On Dask and Spark each partition's deals become one
:class:`~salescore.ForecastDistribution` on the worker holding them (Dask's delayed
partitions, Spark's ``mapInPandas``), and only those records come back.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, Final

import narwhals as nw
import numpy as np
import pandas as pd

from ..engines._frames import EngineFrame, collect, found_count
from ..engines._frames import count_true as _count
from ..engines._frames import sure as _sure
from ._book_checks import check_book
from .distribution import ForecastDistribution
from .forecast import forecast_distribution

__all__ = ["engine_books"]

# Column names inside the engine's queries.
_ID, _V, _P = "__salescore_deal", "__salescore_value", "__salescore_probability"
# The columns of a book's record as Spark returns it, one row per outcome.
_RECORD: Final = (
    ("book", "long"),
    ("outcome", "double"),
    ("chance", "double"),
    ("mean", "double"),
    ("std", "double"),
    ("total", "double"),
    ("deals", "long"),
    ("method", "string"),
    ("value_error", "double"),
    ("probability_error", "double"),
)


def engine_books(
    native: object,
    engine: str,
    *,
    value: str,
    probability: str,
    deal_id: str | None,
    per_partition: bool,
    options: dict[str, Any],
) -> list[ForecastDistribution]:
    """The checked book's distribution, or one per partition when ``per_partition``."""
    frame = EngineFrame("deals", native, engine)
    frame.require([value, probability])
    frame.require_numeric([value, probability])
    shown = deal_id if deal_id is not None and deal_id in frame.schema else None
    v = nw.col(value).cast(nw.Float64)
    p = nw.col(probability).cast(nw.Float64)
    log = frame.frame.select(
        *([] if shown is None else [nw.col(shown).alias(_ID)]), v.alias(_V), p.alias(_P)
    )
    v, p = nw.col(_V), nw.col(_P)
    v_nan, p_nan = _sure(v.is_nan()), _sure(p.is_nan())
    # Polars and DuckDB order NaN above every number: comparisons leave it out first.
    bad_value = ~v_nan & (_sure(v < 0.0) | _sure(v == math.inf))
    bad_chance = ~p_nan & (_sure(p < 0.0) | _sure(p > 1.0))
    percent_like = ~p_nan & _sure(p > 1.0) & _sure(p <= 100.0)
    unknown = v.is_null() | v_nan | p.is_null() | p_nan
    kinds = {"value": bad_value, "chance": bad_chance, "unknown": unknown}
    found = collect(
        log.select(
            *(_count(condition).alias(kind) for kind, condition in kinds.items()),
            _count(percent_like).alias("percent_like"),
        )
    ).iloc[0]
    names = {**({} if shown is None else {_ID: shown}), _V: value, _P: probability}

    def rows(kind: str) -> str:
        return frame.rows(log, kinds[kind], found_count(found, kind), names)

    check_book(
        value,
        probability,
        bad_value=found_count(found, "value"),
        bad_chance=found_count(found, "chance"),
        percent_like=found_count(found, "percent_like"),
        unknown=0 if options["skipna"] else found_count(found, "unknown"),
        rows=rows,
    )
    deals = log.select(_V, _P)
    if not per_partition:
        return [_book(collect(deals), options)]
    if engine == "dask":
        return _dask_books(deals.to_native(), options)
    return _spark_books(deals.to_native(), options)


def _book(part: pd.DataFrame, options: dict[str, Any]) -> ForecastDistribution:
    """The distribution of the deals of one pandas frame of values and probabilities."""
    values = part[_V].to_numpy(dtype=np.float64, na_value=np.nan)
    chances = part[_P].to_numpy(dtype=np.float64, na_value=np.nan)
    return forecast_distribution(values, chances, **options)


def _dask_books(native: Any, options: dict[str, Any]) -> list[ForecastDistribution]:
    """One record per Dask partition, each computed on the worker holding it."""
    from dask.base import compute
    from dask.delayed import delayed

    make = delayed(_book, pure=True)
    parts = native.to_delayed()
    books: tuple[ForecastDistribution, ...] = compute(  # type: ignore[no-untyped-call]
        *(make(part, options) for part in parts)
    )
    return list(books)


def _spark_books(native: Any, options: dict[str, Any]) -> list[ForecastDistribution]:
    """One record per Spark partition, computed by ``mapInPandas`` where it lies."""
    declared = ", ".join(f"{name} {kind}" for name, kind in _RECORD)

    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        from pyspark import TaskContext

        context = TaskContext.get()
        number = 0 if context is None else context.partitionId()
        parts = list(batches)
        part = pd.concat(parts) if parts else pd.DataFrame({_V: [], _P: []})
        yield _record(_book(part, options), number)

    table: pd.DataFrame = native.mapInPandas(run, schema=declared).toPandas()
    return [_from_record(rows) for _, rows in table.groupby("book", sort=True)]


def _record(book: ForecastDistribution, number: int) -> pd.DataFrame:
    """A book's record as rows: one per outcome, the summary repeated on each."""
    size = book.outcomes.size
    return pd.DataFrame(
        {
            "book": np.full(size, number, dtype=np.int64),
            "outcome": book.outcomes,
            "chance": book.probabilities,
            "mean": book.mean,
            "std": book.std,
            "total": book.total,
            "deals": np.full(size, book.deals, dtype=np.int64),
            "method": book.method,
            "value_error": book.value_error,
            "probability_error": book.probability_error,
        }
    )


def _from_record(rows: pd.DataFrame) -> ForecastDistribution:
    """The record :func:`_record` wrote, read back."""
    rows = rows.sort_values("outcome", kind="stable")
    first = rows.iloc[0]
    return ForecastDistribution(
        mean=float(first["mean"]),
        std=float(first["std"]),
        total=float(first["total"]),
        deals=int(first["deals"]),
        method=str(first["method"]),
        value_error=float(first["value_error"]),
        probability_error=float(first["probability_error"]),
        outcomes=rows["outcome"].to_numpy(dtype=np.float64),
        probabilities=rows["chance"].to_numpy(dtype=np.float64),
    )
