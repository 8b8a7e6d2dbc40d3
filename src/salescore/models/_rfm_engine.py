"""The RFM summary of a transactions log held by an engine (Polars, DuckDB, Dask, Spark).

The log is reduced where it lives, in three steps a SQL engine runs as one query: the
rows to one per (customer, period) pair with the pair's total; each customer's first
period; then, by customer, the first and last period, the number of periods with a
purchase, and the totals of the repeat and holdout purchases. Only that table, one row
per customer, comes back to pandas, where the times and means are computed exactly as
for a pandas log.
"""

from __future__ import annotations

import math
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd

from .._arrays import FloatArray
from ..engines._frames import EngineFrame, collect, collect_by_key, found_count
from ..engines._frames import count_true as _count
from ..engines._periods import to_ordinal, with_period
from ..errors import InvalidInputError
from ._rfm_time import _calibration_cut, _durations, _ordinal

__all__ = ["engine_summary"]

# Column names inside the engine's query.
_C, _D, _P = "__salescore_customer", "__salescore_date", "__salescore_period"
_V, _MISS, _SCALED = "__salescore_value", "__salescore_missing", "__salescore_scaled"


def engine_summary(
    native: object,
    engine: str,
    *,
    customer: str,
    date: str,
    amount: str | None,
    observation_end: object,
    freq: object,
    dtype: pd.PeriodDtype,
    unit: pd.Timedelta | None,
    calibration_end: object,
    empty: Any,
) -> pd.DataFrame:
    """:func:`salescore.models.rfm.rfm_summary` of an engine frame (options checked).

    ``empty(frame)`` is the pandas summary, called on an empty log of the same
    columns when the engine's log has no rows.
    """
    frame = EngineFrame("transactions", native, engine)
    frame.require([customer, date, *([] if amount is None else [amount])])
    frame.require_dates(date)
    if amount is not None:
        frame.require_numeric([amount])
    zone = frame.zone(date)
    shift = to_ordinal(dtype, freq)
    value = nw.col(_V) if amount is not None else nw.lit(0.0)
    missing = nw.when(value.is_null()).then(True).otherwise(value.is_nan())
    bad = (value < 0.0) | (value == math.inf)
    log = frame.frame.select(
        nw.col(customer).alias(_C),
        nw.col(date).alias(_D),
        *([] if amount is None else [nw.col(amount).cast(nw.Float64).alias(_V)]),
    )
    period = nw.col(_P)
    names = {_C: customer, _D: date, **({} if amount is None else {_V: amount})}

    def rows(condition: nw.Expr, count: int) -> str:
        return frame.rows(log, condition, count, names)

    # The checks read the raw columns; the latest (local) date gives the last period.
    latest = nw.col(_D) if zone is None else nw.col(_D).dt.replace_time_zone(None)
    checks = [
        nw.len().alias("rows"),
        _count(nw.col(_D).is_null()).alias("undated"),
        _count(nw.col(_C).is_null()).alias("anonymous"),
        latest.max().alias("latest"),
    ]
    if amount is not None:
        checks += [
            _count(bad).alias("bad"),
            value.max().alias("largest"),
            _count(missing).alias("unknown"),
        ]
    found = collect(log.select(*checks)).iloc[0]
    if found["undated"]:
        where = rows(nw.col(_D).is_null(), int(found["undated"]))
        raise InvalidInputError(f"{date} is missing for {where}; every transaction needs its date")
    if found["anonymous"]:
        where = rows(nw.col(_C).is_null(), int(found["anonymous"]))
        raise InvalidInputError(
            f"{customer} is missing for {where}; every transaction needs its customer"
        )
    if amount is not None and found["bad"]:
        where = rows(bad.fill_null(False), int(found["bad"]))
        raise InvalidInputError(f"{amount} must be a finite amount >= 0; {where} are not")
    if not found["rows"]:
        summary: pd.DataFrame = empty(_empty_log(frame, customer, date, amount))
        return summary
    high = _ordinal(f"the latest {date}", found["latest"], dtype, None) - shift
    log = with_period(log, _D, zone, dtype, freq, _P)

    if observation_end is None:
        end = high + shift
    else:
        end = _ordinal("observation_end", observation_end, dtype, zone)
        if high + shift > end:
            late = period + shift > end
            count = int(collect(log.select(_count(late).alias("n")))["n"].iloc[0])
            raise InvalidInputError(
                f"{rows(late, count)} are dated after observation_end "
                f"{observation_end!r}; filter the transactions to the observation window first"
            )
    cut = _calibration_cut(calibration_end, end, freq, dtype, zone)

    # Sums of amounts near the float limit can overflow where a mean would not: then
    # the amounts are also summed times a power of two (exact) that keeps them finite.
    largest = float(found["largest"]) if amount is not None else 0.0
    scale = 1.0
    if largest * float(found["rows"]) >= np.finfo(np.float64).max / 2:
        scale = math.ldexp(1.0, -math.frexp(largest)[1])
    # Without a missing amount, the count of missing amounts per customer is left out.
    known = amount is None or not found_count(found, "unknown")
    stats = _per_customer(
        log, engine, None if known else missing, amount, cut - shift, calibration_end, scale
    )
    return _summary(stats, customer, dtype, unit, shift, cut, end, amount, calibration_end, scale)


def _per_customer(
    log: nw.LazyFrame[Any],
    engine: str,
    missing: nw.Expr | None,
    amount: str | None,
    cut: int,
    calibration_end: object,
    scale: float,
) -> pd.DataFrame:
    """The engine's query: one row per customer who bought by the end of calibration."""
    # Every grouped aggregation is a plain sum, minimum or maximum of a column made
    # beforehand, as Dask requires.
    value = nw.col(_V) if amount is not None else nw.lit(0.0)
    rows = log.select(
        nw.col(_C),
        nw.col(_P),
        *(
            [value.alias(_V)]
            if missing is None
            else [
                nw.when(missing).then(0.0).otherwise(value).alias(_V),
                missing.cast(nw.Int64).alias(_MISS),
            ]
        ),
    )
    if scale != 1.0:
        rows = rows.with_columns((nw.col(_V) * scale).alias(_SCALED))
    summed = [_V] + ([] if missing is None else [_MISS]) + ([_SCALED] if scale != 1.0 else [])
    if engine == "duckdb":  # the same table without the grouped window, which is slow there
        from ._rfm_duckdb import duckdb_per_customer

        return duckdb_per_customer(
            rows,
            _C,
            _P,
            summed if amount is not None else [],
            [column for column in summed if column != _MISS],
            cut,
            calibration_end is not None,
        )

    def query(rows: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
        pairs = rows.group_by(_C, _P).agg(*(nw.col(column).sum() for column in summed))
        # A window, so that the pairs are computed once, not once per use (Dask, which
        # has no grouped window, runs this on pandas partitions: see collect_by_key).
        pairs = pairs.with_columns(nw.col(_P).min().over(_C).alias("first"))
        calibration = nw.col(_P) <= cut
        parts = {"repeat": calibration & (nw.col(_P) != nw.col("first"))}
        if calibration_end is not None:
            parts["holdout"] = nw.col(_P) > cut
        made = [
            nw.when(calibration).then(nw.col(_P)).alias("last"),
            calibration.cast(nw.Int64).alias("bought"),
        ]
        measures = [nw.col("first").min(), nw.col("last").max(), nw.col("bought").sum()]
        for name, chosen in parts.items():
            if name == "holdout":
                made.append(chosen.cast(nw.Int64).alias("held"))
                measures.append(nw.col("held").sum())
            if amount is None:
                continue
            for column in summed:
                zero = 0 if column == _MISS else 0.0
                made.append(
                    nw.when(chosen).then(nw.col(column)).otherwise(zero).alias(f"{name}_{column}")
                )
                measures.append(nw.col(f"{name}_{column}").sum())
        grouped = pairs.with_columns(*made).group_by(_C).agg(*measures)
        return grouped.filter(nw.col("first") <= cut)

    return collect_by_key(rows, engine, _C, query)


def _mean(
    stats: pd.DataFrame, name: str, count: Any, scale: float, amount: str, ids: Any
) -> FloatArray:
    """Mean amount per purchase of ``name``: 0 without purchases, NaN with a missing amount."""
    total = stats[f"{name}_{_V}"].to_numpy(dtype=np.float64)
    out = np.zeros(total.shape)
    with np.errstate(over="ignore", invalid="ignore"):
        np.divide(total, count, out=out, where=count > 0)
        if scale != 1.0:
            scaled = stats[f"{name}_{_SCALED}"].to_numpy(dtype=np.float64)
            rescaled = np.zeros(total.shape)
            np.divide(scaled, count, out=rescaled, where=count > 0)
            out = np.where(np.isinf(out), rescaled / scale, out)
    if f"{name}_{_MISS}" in stats:  # counted only when an amount is missing
        out[stats[f"{name}_{_MISS}"].to_numpy(dtype=np.int64) > 0] = np.nan
    huge = np.isinf(out)
    if huge.any():
        listed = ", ".join(repr(label) for label in list(ids[huge])[:5])
        raise InvalidInputError(
            f"the mean {amount} per purchase is beyond float range for "
            f"{int(huge.sum())} customer(s) ({listed}); express the amounts in a larger unit"
        )
    return out


def _summary(
    stats: pd.DataFrame,
    customer: str,
    dtype: pd.PeriodDtype,
    unit: pd.Timedelta | None,
    shift: int,
    cut: int,
    end: int,
    amount: str | None,
    calibration_end: object,
    scale: float,
) -> pd.DataFrame:
    """The summary's columns from the per-customer table, in customer order."""
    stats = stats.sort_values(_C, kind="stable", ignore_index=True)
    ids = stats[_C]
    if pd.api.types.is_string_dtype(ids.dtype):
        # The dtype pandas infers for str ids (object, or str from pandas 3), whatever
        # dtype the engine handed them over in.
        ids = pd.Series(ids.to_numpy(dtype=object))
    first = stats["first"].to_numpy(dtype=np.int64) + shift
    last = stats["last"].to_numpy(dtype=np.int64) + shift
    frequency = stats["bought"].to_numpy(dtype=np.int64) - 1
    columns: dict[str, Any] = {
        "frequency": frequency,
        "recency": _durations(first, last, dtype, unit),
        "T": _durations(first, np.full_like(first, cut), dtype, unit),
    }
    labels = ids.to_numpy()
    if amount is not None:
        columns["monetary_value"] = _mean(stats, "repeat", frequency, scale, amount, labels)
    if calibration_end is not None:
        held = stats["held"].to_numpy(dtype=np.int64)
        columns["frequency_holdout"] = held
        if amount is not None:
            columns["monetary_value_holdout"] = _mean(stats, "holdout", held, scale, amount, labels)
        length = _durations(np.array([cut]), np.array([end]), dtype, unit)[0]
        columns["duration_holdout"] = np.full(len(stats), length)
    return pd.DataFrame(columns, index=pd.Index(ids, name=customer))


def _empty_log(frame: EngineFrame, customer: str, date: str, amount: str | None) -> pd.DataFrame:
    """A pandas log without rows, of the engine log's columns."""
    zone = frame.zone(date)
    columns: dict[str, Any] = {
        customer: pd.Series([], dtype=object),
        date: pd.Series([], dtype="datetime64[ns]" if zone is None else f"datetime64[ns, {zone}]"),
    }
    if amount is not None:
        columns[amount] = pd.Series([], dtype=np.float64)
    return pd.DataFrame(columns)
