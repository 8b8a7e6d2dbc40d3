"""Won deals of a deals table held by an engine (Polars, DuckDB, Dask, Spark), summed there.

The deals are checked by one query run where they live, counting every row the pandas
path refuses (a status that is not open, won or lost once trimmed and lower-cased; on
a won deal a negative or infinite value, no close date, or a close date a day before
the one it was created), and only when something is wrong does a second query fetch a
few of those rows to name. The currencies of the won deals come back as one small
grouped query. The won deals are then reduced in the engine to one row per period
with their number, the sum of their known values and how many have no value; only
that table comes back to pandas, where :func:`~salescore.team.productivity_report`
finishes the report with the same arithmetic as for a pandas frame.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import narwhals as nw
import numpy as np
import pandas as pd

from .._arrays import FloatArray
from ..engines._frames import EngineFrame, collect
from ..engines._frames import count_true as _count
from ..engines._frames import found_count as _number
from ..engines._frames import sure as _sure
from ..engines._frames import text_of as _text
from ..engines._periods import engine_dtype, with_period
from ..errors import InvalidInputError
from ..fiscal._freq import IntArray, period_kind
from ..pipeline._engine import day_number, deal_dates, status_is

__all__ = ["WonSums", "uncovered_rows", "won_sums"]


# Column names inside the engine's queries.
_ID, _S, _V, _CUR = "__salescore_deal", "__salescore_status", "__salescore_value", "__salescore_cur"
_CLOSE, _CREATED = "__salescore_close", "__salescore_created"
_P, _N, _M = "__salescore_period", "__salescore_won", "__salescore_nan"


class WonSums(NamedTuple):
    """The won deals per period that has any, in time order, and a way to name them."""

    ordinals: IntArray  # pandas' ordinal of the period
    wins: IntArray  # the number of won deals
    revenue: FloatArray  # their total value (NaN where one has no value)
    frame: EngineFrame
    log: nw.LazyFrame[Any]  # the won deals with their period (column _P)
    shown: dict[str, str]  # the columns that name a deal
    shift: int  # pandas' ordinal minus the engine's


def uncovered_rows(found: WonSums, ordinals: IntArray, count: int) -> str:
    """The won deals of the periods ``ordinals`` (pandas' ordinals), ``count`` of them."""
    engine_ordinals = [int(ordinal) - found.shift for ordinal in ordinals]
    condition = nw.col(_P).is_in(engine_ordinals)
    return found.frame.rows(found.log, condition, count, found.shown)


def won_sums(
    native: object,
    engine: str,
    *,
    freq: object,
    value: str,
    status: str,
    close_date: str,
    created: str | None,
    currency: str | None,
    deal_id: str | None,
) -> WonSums:
    """Check an engine's deals as the pandas path does and sum its won deals per period.

    The options have been checked by :func:`~salescore.team.productivity_report`.
    """
    dtype, shift = engine_dtype(period_kind(freq), freq)
    frame = EngineFrame("deals", native, engine)
    ids = [] if deal_id is None else [deal_id]
    currencies = [] if currency is None else [currency]
    frame.require([status, value, close_date, *currencies, *ids])
    frame.require_numeric([value])
    dates = deal_dates(frame, close_date, created)
    used = dates.created

    statuses = _text(frame, status)
    money = None
    if currency is not None:
        text = _text(frame, currency)
        money = nw.col(currency) if text is None else text
    log = frame.frame.select(
        *([] if deal_id is None else [nw.col(deal_id).alias(_ID)]),
        nw.col(status).alias(_S) if statuses is None else statuses.alias(_S),
        nw.col(value).cast(nw.Float64).alias(_V),
        *([] if money is None else [money.alias(_CUR)]),
        dates.close.alias(_CLOSE),
        *([] if dates.made is None else [dates.made.alias(_CREATED)]),
    )
    who = {} if deal_id is None else {_ID: deal_id}

    def rows(condition: nw.Expr, count: int, shown: dict[str, str]) -> str:
        return frame.rows(log, condition, count, {**who, **shown})

    bad, won = status_is(nw.col(_S), text=statuses is not None, wanted="won")
    amount = nw.col(_V)
    unknown = amount.is_null() | _sure(amount.is_nan())  # NaN passes: it propagates
    wrong = won & ~unknown & _sure(~amount.is_finite() | (amount < 0.0))
    undated = won & nw.col(_CLOSE).is_null()
    checks = [
        _count(bad).alias("bad"),
        _count(wrong).alias("wrong"),
        _count(undated).alias("undated"),
    ]
    if dates.made is not None:
        before = day_number(_CLOSE, dates.close_zone) < day_number(_CREATED, dates.made_zone)
        backwards = won & _sure(before)
        checks.append(_count(backwards).alias("backwards"))
    found = collect(log.select(*checks)).iloc[0]
    if _number(found, "bad"):
        where = rows(bad, _number(found, "bad"), {_S: status})
        raise InvalidInputError(
            f"{status} must be one of 'open', 'won', 'lost'; not so for {where}"
        )
    if _number(found, "wrong"):
        where = rows(wrong, _number(found, "wrong"), {_V: value})
        raise InvalidInputError(f"{value} must be a finite number >= 0; not so for {where}")
    if money is not None and currency is not None:
        _check_one_currency(frame, log.filter(won), currency, who)
    if _number(found, "undated"):
        where = rows(undated, _number(found, "undated"), {_CLOSE: close_date})
        raise InvalidInputError(
            f"{close_date} is missing for won deals; {where} "
            "(a table by period needs each of their dates)"
        )
    if dates.made is not None and _number(found, "backwards"):
        where = rows(
            backwards, _number(found, "backwards"), {_CLOSE: close_date, _CREATED: str(used)}
        )
        raise InvalidInputError(f"{close_date} is before the date in {used} for {where}")

    one = nw.lit(1, dtype=nw.Int64).alias(_N)
    known = nw.when(unknown).then(nw.lit(0.0)).otherwise(amount).alias(_V)
    parts = [*([] if deal_id is None else [nw.col(_ID)]), nw.col(_CLOSE), one, known]
    parts.append(unknown.cast(nw.Int64).alias(_M))
    chosen = log.filter(won).select(*parts)
    wins = with_period(chosen, _CLOSE, dates.close_zone, dtype, freq, _P)
    # Plain sums of columns made beforehand, as Dask requires of a grouped aggregation.
    table = collect(wins.group_by(_P).agg(nw.col(_N).sum(), nw.col(_V).sum(), nw.col(_M).sum()))
    table = table.sort_values(_P, kind="stable")
    total = table[_V].to_numpy(dtype=np.float64, na_value=np.nan)
    # The values summed are finite and not negative: NaN is a sum that overflowed
    # (Dask adds as pandas does, with Kahan's compensation: inf - inf).
    total = np.where(np.isnan(total), np.inf, total)
    missing = table[_M].fillna(0).to_numpy(dtype=np.int64) > 0
    return WonSums(
        ordinals=table[_P].to_numpy(dtype=np.int64) + shift,
        wins=table[_N].to_numpy(dtype=np.int64),
        revenue=np.where(missing, np.nan, total),
        frame=frame,
        log=wins,
        shown={**who, _CLOSE: close_date},
        shift=shift,
    )


def _check_one_currency(
    frame: EngineFrame, won: nw.LazyFrame[Any], currency: str, who: dict[str, str]
) -> None:
    """Money is one currency per call: name the currencies and some deals of each."""
    one = nw.lit(1, dtype=nw.Int64).alias(_N)
    table = collect(
        won.select(nw.col(_CUR), one).group_by(_CUR, drop_null_keys=False).agg(nw.col(_N).sum())
    )
    if len(table) <= 1:
        return
    labels = table[_CUR].astype(object)
    order = sorted(range(len(table)), key=lambda i: (pd.isna(labels.iloc[i]), str(labels.iloc[i])))
    parts = []
    for i in order:
        label = labels.iloc[i]
        count = int(table[_N].iloc[i])
        if pd.isna(label):
            name, condition = "missing", nw.col(_CUR).is_null()
        else:
            name, condition = repr(label), _sure(nw.col(_CUR) == label)
        parts.append(f"{name} ({frame.rows(won, condition, count, {**who, _CUR: currency})})")
    raise InvalidInputError(
        f"{currency}: the deals are in more than one currency: {'; '.join(parts)}; "
        "convert the values to one currency first, or group by the currency column "
        f"(by=[..., {currency!r}])"
    )
