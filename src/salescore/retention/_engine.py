"""Cohorts, growth accounting and usage of a log held by an engine (Polars, DuckDB, Dask, Spark).

The log is validated by queries run where it lives (missing dates and customers, bad
amounts, events after the end, customers outside a given list), and reduced there in
the steps a SQL engine runs as one query: the rows to one per (customer, period) pair
with the pair's number of rows and total; each customer's first period; then one row
per period (or per cohort and period) of counts and sums. Only that table, at most as
long as the periods of the log squared, comes back to pandas, where the same
arithmetic as for a pandas log finishes the table.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import narwhals as nw
import numpy as np
import pandas as pd

from .._arrays import FloatArray
from ..engines._frames import EngineFrame, collect, collect_by_key
from ..engines._frames import count_true as _count
from ..engines._periods import engine_dtype, with_period
from ..errors import InvalidInputError
from ..fiscal._freq import period_kind
from ._log import MAX_PERIODS, IntArray, _column_names, _end_ordinal

__all__ = ["EngineLog", "cohort_cells", "period_flows", "read_engine_log", "usage_counts"]

# Column names inside the engine's queries.
_C, _D, _P = "__salescore_customer", "__salescore_date", "__salescore_period"
_V, _MISS, _N = "__salescore_value", "__salescore_missing", "__salescore_rows"
_FIRST, _ONE, _KEPT = "__salescore_first", "__salescore_one", "__salescore_kept"


class EngineLog(NamedTuple):
    """A validated engine log reduced to (customer, period) pairs, still in the engine."""

    rows: nw.LazyFrame[Any]  # _C, _P (the engine's number), _N = 1, and _V, _MISS with amounts
    engine: str
    low: int  # the engine's number of the table's first period
    first: int  # pandas' ordinal of that period
    span: int
    dtype: pd.PeriodDtype

    def periods(self, numbers: Any) -> IntArray:
        """Engine period numbers as 0 … span − 1."""
        return np.asarray(numbers, dtype=np.int64) - self.low


def read_engine_log(
    native: object,
    engine: str,
    *,
    table: str,
    customer: str,
    date: str,
    amount: str | None,
    freq: object,
    end: object,
    known: pd.Index[Any] | None = None,
) -> EngineLog | pd.DataFrame:
    """Validate an engine log as :func:`~salescore.retention._log._read_log` does a pandas one.

    A log without rows comes back as an empty pandas frame of its columns, on which
    the caller runs the pandas path.
    """
    dtype = period_kind(freq)
    names: dict[str, object] = {"customer": customer, "date": date}
    if amount is not None:
        names["amount"] = amount
    _column_names(**names)
    dtype, shift = engine_dtype(dtype, freq)
    frame = EngineFrame(table, native, engine)
    frame.require([customer, date, *([] if amount is None else [amount])])
    frame.require_dates(date)
    if amount is not None:
        frame.require_numeric([amount])
    zone = frame.zone(date)
    last = _end_ordinal(end, dtype)
    log = frame.frame.select(
        nw.col(customer).alias(_C),
        nw.col(date).alias(_D),
        *([] if amount is None else [nw.col(amount).cast(nw.Float64).alias(_V)]),
    )
    shown = {_C: customer, _D: date, **({} if amount is None else {_V: amount})}

    def rows(condition: nw.Expr, count: int) -> str:
        return frame.rows(log, condition, count, shown)

    value = nw.col(_V)
    bad = (value < 0.0) | (value == math.inf)  # NaN passes: it propagates
    checks = [
        nw.len().alias("rows"),
        _count(nw.col(_D).is_null()).alias("undated"),
        _count(nw.col(_C).is_null()).alias("anonymous"),
    ]
    if amount is not None:
        checks.append(_count(bad).alias("bad"))
    if known is not None:
        stranger = ~nw.col(_C).is_in(known.tolist())
        checks.append(_count(stranger).alias("strangers"))
    found = collect(log.select(*checks)).iloc[0]
    if found["undated"]:
        where = rows(nw.col(_D).is_null(), int(found["undated"]))
        raise InvalidInputError(
            f"{date} is missing for {where}; every row needs the date it happened (drop or "
            "date those rows first)"
        )
    if found["anonymous"]:
        where = rows(nw.col(_C).is_null(), int(found["anonymous"]))
        raise InvalidInputError(
            f"{customer} is missing for {where}; every row needs the customer it belongs to"
        )
    if amount is not None and found["bad"]:
        where = rows(bad.fill_null(False), int(found["bad"]))
        raise InvalidInputError(
            f"{amount} must be a finite number >= 0; not so for {where} (book refunds "
            "against the sale they reverse before counting)"
        )
    if not found["rows"]:
        return frame.empty([customer, date, *([] if amount is None else [amount])])
    log = with_period(log, _D, zone, dtype, freq, _P)
    bounds = collect(log.select(nw.col(_P).min().alias("low"), nw.col(_P).max().alias("high")))
    low, high = int(bounds["low"].iloc[0]), int(bounds["high"].iloc[0])
    if last is None:
        last = high + shift
    elif high + shift > last:
        late = nw.col(_P) + shift > last
        count = int(collect(log.select(_count(late).alias("n")))["n"].iloc[0])
        raise InvalidInputError(
            f"end is {end!r:.40} but {rows(late, count)} are dated after it; the end of "
            "observation must not come before the last transaction"
        )
    span = last - (low + shift) + 1
    if span > MAX_PERIODS:
        raise InvalidInputError(
            f"the log spans {span:,} periods of {freq!r:.20}, more than the {MAX_PERIODS:,} "
            "a table holds; choose a coarser freq or an earlier end"
        )
    if known is not None and found["strangers"]:
        stranger = ~nw.col(_C).is_in(known.tolist())
        raise InvalidInputError(
            f"customers does not list the {customer} of {rows(stranger, int(found['strangers']))}"
        )
    one = nw.lit(1, dtype=nw.Int64)
    parts = [nw.col(_C), nw.col(_P), one.alias(_N)]
    if amount is not None:
        missing = nw.when(value.is_null()).then(True).otherwise(value.is_nan())
        parts += [
            nw.when(missing).then(0.0).otherwise(value).alias(_V),
            missing.cast(nw.Int64).alias(_MISS),
        ]
    return EngineLog(log.select(*parts), engine, low, low + shift, span, dtype)


def _pairs(rows: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """One row per (customer, period), with its rows counted and amounts summed.

    Then each customer's first period, ``_FIRST``, by a window (the pairs are computed
    once, not once per use), and a column of ones to count with. Every grouped
    aggregation is a plain sum or minimum of a column made beforehand.
    """
    summed = [name for name in (_N, _V, _MISS) if name in rows.collect_schema()]
    pairs = rows.group_by(_C, _P).agg(*(nw.col(name).sum() for name in summed))
    return pairs.with_columns(
        nw.lit(1, dtype=nw.Int64).alias(_ONE), nw.col(_P).min().over(_C).alias(_FIRST)
    )


def _reduce(log: EngineLog, query: Any, keys: list[str], measures: list[str]) -> pd.DataFrame:
    """``query`` of the pairs, collected; Dask's partial results per partition added up."""
    partial = collect_by_key(log.rows, log.engine, _C, lambda rows: query(_pairs(rows)))
    # On Dask each partition holds whole customers, so its counts and sums add up.
    return partial.groupby(keys, as_index=False, sort=False)[measures].sum()


def cohort_cells(log: EngineLog, revenue: bool) -> FloatArray:
    """The span × span cells of the cohort table: customers, or revenue (NaN if missing).

    Row: the cohort's period; column: its age. The engine returns one row per (cohort,
    period) with a purchase.
    """
    measures = [_ONE, *([_V, _MISS] if revenue else [])]

    def query(pairs: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
        return pairs.group_by(_FIRST, _P).agg(*(nw.col(name).sum() for name in measures))

    cells = _reduce(log, query, [_FIRST, _P], measures)
    cohorts = log.periods(cells[_FIRST])
    ages = log.periods(cells[_P]) - cohorts
    matrix = np.zeros((log.span, log.span))
    if not revenue:
        matrix[cohorts, ages] = cells[_ONE].to_numpy(dtype=np.float64)
        return matrix
    sums = cells[_V].to_numpy(dtype=np.float64, copy=True)
    sums[cells[_MISS].to_numpy(dtype=np.int64) > 0] = np.nan
    matrix[cohorts, ages] = sums
    return matrix


class Flows(NamedTuple):
    """Per period (0 … span − 1): customers active, new and retained from the period before."""

    active: IntArray
    new: IntArray
    retained: IntArray


def period_flows(log: EngineLog) -> Flows:
    """Active, new and retained customers of every period, counted in the engine."""

    def query(pairs: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
        # A pair is retained when the same customer has a pair in the period before.
        before = pairs.select(
            nw.col(_C), (nw.col(_P) + 1).alias(_P), nw.lit(1, dtype=nw.Int64).alias(_KEPT)
        )
        joined = pairs.join(before, on=[_C, _P], how="left").with_columns(
            nw.col(_KEPT).fill_null(0),
            (nw.col(_P) == nw.col(_FIRST)).cast(nw.Int64).alias(_FIRST),
        )
        return joined.group_by(_P).agg(
            nw.col(_ONE).sum(), nw.col(_FIRST).sum(), nw.col(_KEPT).sum()
        )

    counts = _reduce(log, query, [_P], [_ONE, _FIRST, _KEPT])
    where = log.periods(counts[_P])

    def spread(column: str) -> IntArray:
        out = np.zeros(log.span, dtype=np.int64)
        out[where] = counts[column].to_numpy(dtype=np.int64)
        return out

    return Flows(active=spread(_ONE), new=spread(_FIRST), retained=spread(_KEPT))


class Usage(NamedTuple):
    """Per period: the customers seen for the first time, active customers, events, medians."""

    new: IntArray
    active: IntArray
    events: IntArray
    medians: FloatArray


def usage_counts(log: EngineLog) -> Usage:
    """How many customers had each number of events in each period, counted in the engine.

    The medians of events per active customer come from those counts exactly: the
    middle one or two of the sorted numbers of every period.
    """

    def query(pairs: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
        firsts = pairs.with_columns((nw.col(_P) == nw.col(_FIRST)).cast(nw.Int64).alias(_FIRST))
        return firsts.group_by(_P, _N).agg(nw.col(_ONE).sum(), nw.col(_FIRST).sum())

    counts = _reduce(log, query, [_P, _N], [_ONE, _FIRST])
    periods = log.periods(counts[_P])
    events = counts[_N].to_numpy(dtype=np.int64)
    customers = counts[_ONE].to_numpy(dtype=np.int64)
    order = np.lexsort((events, periods))
    periods, events, customers = periods[order], events[order], customers[order]
    firsts = counts[_FIRST].to_numpy(dtype=np.int64)[order]

    def per_period(values: IntArray) -> IntArray:
        out = np.zeros(log.span, dtype=np.int64)
        np.add.at(out, periods, values)  # in int64, exact beyond 2**53
        return out

    new, active, total = per_period(firsts), per_period(customers), per_period(events * customers)
    # Customer k (0-based) of a period, in order of events, lies in the row whose
    # running count of customers first exceeds offset + k.
    running = np.cumsum(customers)
    offsets = np.cumsum(active) - active
    filled = active > 0
    low = offsets[filled] + (active[filled] - 1) // 2
    high = offsets[filled] + active[filled] // 2
    medians = np.full(log.span, np.nan)
    medians[filled] = (
        events[np.searchsorted(running, low, side="right")].astype(np.float64)
        + events[np.searchsorted(running, high, side="right")].astype(np.float64)
    ) / 2.0
    return Usage(new=new, active=active, events=total, medians=medians)
