"""The facts of a transactions log held by an engine, computed there.

The log is checked in one query (rows without a customer, a date or a valid amount
stop the sections, named), and reduced by further queries to its first and last date,
per-customer sums of the two 12-month windows and a count of new customers; the monthly
retention and the quarterly cohorts come from :func:`~salescore.retention_by_period`
and :func:`~salescore.cohort_retention`, which reduce engine frames themselves.
"""

from __future__ import annotations

from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd

from ... import retention as _retention
from ...engines._frames import EngineFrame, collect, collect_by_key, found_count
from ...engines._periods import utc_naive
from ...errors import InvalidInputError
from ._common import _bounds, _months
from ._facts import TransactionFacts

__all__ = ["engine_facts"]

# Column names inside the engine's queries.
_C, _D, _V = "__salescore_customer", "__salescore_date", "__salescore_value"
_W = "__salescore_window"


def _moment(value: pd.Timestamp) -> Any:
    """A naive Timestamp as the literal the engines compare their datetimes with."""
    return value.to_pydatetime()


def engine_facts(
    native: object, engine: str, as_of: pd.Timestamp, *, monthly: bool, cohorts: bool
) -> TransactionFacts:
    """:func:`~._transactions.transaction_facts` of an engine's frame."""
    frame = EngineFrame("transactions", native, engine)
    frame.require(["customer_id", "date", "amount"])
    frame.require_dates("date")
    frame.require_numeric(["amount"])
    date = utc_naive(nw.col("date"), frame.zone("date"))
    canonical = frame.frame.select(
        nw.col("customer_id"), date.alias("date"), nw.col("amount").cast(nw.Float64)
    )
    log = canonical.select(
        nw.col("customer_id").alias(_C), nw.col("date").alias(_D), nw.col("amount").alias(_V)
    )
    names = {_C: "customer_id", _D: "date", _V: "amount"}
    amount = nw.col(_V)
    unknown = nw.when(amount.is_null()).then(True).otherwise(amount.is_nan())
    bad = unknown | (amount < 0.0) | (amount == float("inf"))
    start, end = _bounds(_months(as_of))
    prior_start, _ = _bounds(_months(as_of, 1))
    found = collect(
        log.select(
            nw.col(_C).is_null().cast(nw.Int64).sum().alias("anonymous"),
            nw.col(_D).is_null().cast(nw.Int64).sum().alias("undated"),
            bad.fill_null(True).cast(nw.Int64).sum().alias("bad"),
            nw.col(_D).min().alias("first"),
            nw.col(_D).max().alias("last"),
            (nw.col(_D) >= _moment(as_of)).cast(nw.Int64).sum().alias("later"),
            (nw.col(_D) < _moment(end)).cast(nw.Int64).sum().alias("before_end"),
            (nw.col(_D) < _moment(as_of)).cast(nw.Int64).sum().alias("before_as_of"),
        )
    ).iloc[0]
    problems = [
        ("anonymous", nw.col(_C).is_null(), "customer_id is missing"),
        ("undated", nw.col(_D).is_null(), "date is missing"),
        ("bad", bad.fill_null(True), "amount is missing, negative or not finite"),
    ]
    for key, condition, what in problems:
        count = found_count(found, key)
        if count:
            where = frame.rows(log, condition, count, names)
            raise InvalidInputError(
                f"transactions: {what} for {where}; a transaction log read by an engine "
                "is not cleaned row by row: fix or filter those rows"
            )
    first, last = found["first"], found["last"]
    extent = (None, None) if pd.isna(first) else (pd.Timestamp(first), pd.Timestamp(last))

    in_windows = log.filter((nw.col(_D) >= _moment(prior_start)) & (nw.col(_D) < _moment(end)))

    def by_window(rows: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
        marked = rows.with_columns((nw.col(_D) >= _moment(start)).alias(_W))
        return marked.group_by(_C, _W).agg(nw.col(_V).sum())

    sums = collect_by_key(in_windows, engine, _C, by_window)
    previous, current = _window_series(sums)

    def newcomers(rows: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
        firsts = rows.group_by(_C).agg(nw.col(_D).min())
        window = (nw.col(_D) >= _moment(start)) & (nw.col(_D) < _moment(end))
        return firsts.filter(window).select(nw.len().alias("n"))

    new_customers = int(collect_by_key(log, engine, _C, newcomers)["n"].sum())
    monthly_table = None
    if monthly and found_count(found, "before_end"):
        before = canonical.filter(nw.col("date") < _moment(end)).to_native()
        monthly_table = _retention.retention_by_period(before, end=_months(as_of)[-1])
    cohort_table = None
    if cohorts and found_count(found, "before_as_of"):
        before = canonical.filter(nw.col("date") < _moment(as_of)).to_native()
        cohort_table = _retention.cohort_retention(before, freq="Q")
    return TransactionFacts(
        extent=extent,
        later=found_count(found, "later"),
        previous=previous,
        current=current,
        new_customers=new_customers,
        monthly=monthly_table,
        cohorts=cohort_table,
    )


def _window_series(sums: pd.DataFrame) -> tuple[pd.Series[float], pd.Series[float]]:
    """Revenue per customer in the prior and the last 12 months, on one index."""
    if not len(sums):
        empty: pd.Series[float] = pd.Series(
            np.empty(0, dtype=np.float64), index=pd.Index([], dtype=object)
        )
        return empty, empty.copy()
    ids = sums[_C]
    if pd.api.types.is_string_dtype(ids.dtype):
        ids = pd.Series(ids.to_numpy(dtype=object))
    last = sums[_W].to_numpy(dtype=bool)
    values = sums[_V].to_numpy(dtype=np.float64)
    labels = ids.to_numpy()
    previous = pd.Series(values[~last], index=labels[~last], dtype=np.float64)
    current = pd.Series(values[last], index=labels[last], dtype=np.float64)
    if previous.index.has_duplicates or current.index.has_duplicates:
        raise InvalidInputError(  # pragma: no cover - one row per (customer, window)
            "transactions: the engine returned a customer twice in one window"
        )
    index = previous.index.union(current.index)
    before: pd.Series[float] = previous.reindex(index, fill_value=0.0).astype(np.float64)
    after: pd.Series[float] = current.reindex(index, fill_value=0.0).astype(np.float64)
    return before, after
