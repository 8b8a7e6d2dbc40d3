"""Activities of a table held by an engine (Polars, DuckDB, Dask, Spark), counted there.

The activities are checked by one query run where they live, counting every row the
pandas path refuses (an activity without a kind, or of a kind that is neither
canonical nor given a target; a reported activity without a date), and only when
something is wrong does a second query fetch a few of those rows to name. One more
query then reduces the reported activities within the bounds given to one row per
(seller, period, kind) with their number, and adds a row for each seller the table
names, so that the report lists them all. Only that table comes back to pandas: the
range of periods, a counted activity without a seller and one by a seller the
targets do not list are found there as in the pandas path (a last query naming the
rows), and :func:`~salescore.team.activity_report` finishes the report with the
same arithmetic as for a pandas frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import narwhals as nw
import numpy as np
import pandas as pd

from ..engines._frames import EngineFrame, collect
from ..engines._frames import count_true as _count
from ..engines._periods import engine_dtype, with_period
from ..errors import InvalidInputError
from ..fiscal._freq import IntArray, ObjectArray, period_kind
from ._periods import check_span

__all__ = ["ActivityCounts", "activity_counts"]

# Column names inside the engine's queries.
_O, _K, _D = "__salescore_owner", "__salescore_kind", "__salescore_date"
_P, _N = "__salescore_period", "__salescore_activities"


class ActivityCounts(NamedTuple):
    """The reported activities per (seller, period, kind), and the table's sellers."""

    owners: list[Any]  # every seller a row names, sorted (the rows have no order)
    first: int  # pandas' ordinal of the report's first period
    span: int  # its number of periods
    sellers: ObjectArray  # per (seller, period, kind) with activities: the seller
    ordinals: IntArray  # pandas' ordinal of the period
    kinds: ObjectArray  # the kind
    counts: IntArray  # the number of activities


def _as_text(frame: EngineFrame, column: str) -> tuple[nw.Expr, bool]:
    """The column (categories as strings), and whether it holds text."""
    dtype = frame.schema[column]
    if isinstance(dtype, nw.String):
        return nw.col(column), True
    if isinstance(dtype, (nw.Categorical, nw.Enum)):
        return nw.col(column).cast(nw.String), True
    return nw.col(column), False


def activity_counts(
    native: object,
    engine: str,
    *,
    by: str,
    kind: str,
    date: str,
    freq: object,
    reported: Sequence[str],
    known: Sequence[str],
    start: int | None,
    end: int | None,
    owners_of_targets: list[Any] | None,
) -> ActivityCounts:
    """Check an engine's activities as the pandas path does and count the reported ones.

    ``start`` and ``end`` are pandas' ordinals of the bounds given (None when not);
    ``owners_of_targets`` the sellers of a targets DataFrame (None for a mapping). The
    options have been checked by :func:`~salescore.team.activity_report`.
    """
    dtype, shift = engine_dtype(period_kind(freq), freq)
    frame = EngineFrame("activities", native, engine)
    frame.require([by, kind, date])
    frame.require_dates(date)
    owner, _ = _as_text(frame, by)
    kinds, text = _as_text(frame, kind)
    log = frame.frame.select(owner.alias(_O), kinds.alias(_K), nw.col(date).alias(_D))
    shown = {_O: by, _K: kind, _D: date}

    def rows(condition: nw.Expr, count: int) -> str:
        return frame.rows(log, condition, count, shown)

    unnamed = nw.col(_K).is_null()
    if text:
        unknown = ~unnamed & ~nw.col(_K).is_in(list(known)).fill_null(False)
        selected = nw.col(_K).is_in(list(reported)).fill_null(False)
    else:  # numbers, flags, dates: no value reads as a kind
        unknown, selected = ~unnamed, unnamed & ~unnamed  # false (and a column)
    undated = selected & nw.col(_D).is_null()
    checks = [
        _count(unnamed).alias("unnamed"),
        _count(unknown).alias("unknown"),
        _count(undated).alias("undated"),
        _count(selected).alias("selected"),
    ]
    found = collect(log.select(*checks)).iloc[0]
    if found["unnamed"]:
        raise InvalidInputError(f"{kind} is missing for {rows(unnamed, int(found['unnamed']))}")
    if found["unknown"]:
        raise InvalidInputError(
            f"{kind} must be one of {', '.join(map(repr, known))} (the canonical kinds and "
            f"those with a target); not so for {rows(unknown, int(found['unknown']))}"
        )
    if found["undated"]:
        raise InvalidInputError(f"{date} is missing for {rows(undated, int(found['undated']))}")

    # The reported activities (all dated now) per (seller, period, kind) within the
    # bounds given, and every seller of the table under the kind "" (no reported kind
    # is empty) with a count of 0: one query, whose periods are computed on dated rows
    # only, and without nulls made up, which Dask cannot type.
    reported_rows = with_period(log.filter(selected), _D, frame.zone(date), dtype, freq, _P)
    within = [
        *([] if start is None else [nw.col(_P) >= start - shift]),
        *([] if end is None else [nw.col(_P) <= end - shift]),
    ]
    if within:
        reported_rows = reported_rows.filter(*within)
    one = nw.lit(1, dtype=nw.Int64).alias(_N)
    label = nw.col(_K) if text else nw.col(_K).cast(nw.String)  # no rows if not text
    counted = reported_rows.select(nw.col(_O), nw.col(_P), label.alias(_K), one)
    every_seller = log.select(
        nw.col(_O),
        nw.lit(0, dtype=nw.Int64).alias(_P),
        nw.lit("", dtype=nw.String).alias(_K),
        nw.lit(0, dtype=nw.Int64).alias(_N),
    )
    keyed = nw.concat([counted, every_seller], how="vertical")
    # A plain sum of a column made beforehand, as Dask requires of a grouped aggregation.
    table = collect(keyed.group_by(_O, _P, _K, drop_null_keys=False).agg(nw.col(_N).sum()))
    in_report = (table[_K].to_numpy(dtype=object) != "") & table[_K].notna().to_numpy()
    numbers = table[_P].to_numpy(dtype=np.float64)[in_report]
    # The range as the pandas path finds it: the bounds given, else the first (last)
    # period of all the reported activities, which the table holds whenever the range
    # has any (those outside a bound given would fall outside it anyway).
    if numbers.size or not found["selected"]:
        first = start if start is not None else (int(numbers.min()) + shift if numbers.size else 0)
        last = end if end is not None else (int(numbers.max()) + shift if numbers.size else -1)
    elif start is not None and end is not None:
        first, last = start, end
    else:  # every reported activity beyond the one bound given: pandas' range is empty
        first = start if start is not None else 0
        last = first - 1
    span = max(last - first + 1, 0)
    check_span(span, freq)
    sellers = pd.Series(table[_O].to_numpy(dtype=object), dtype=object)
    anonymous = in_report & sellers.isna().to_numpy()
    if anonymous.any():
        count = int(table[_N].to_numpy(dtype=np.int64)[anonymous].sum())
        where = frame.rows(reported_rows, nw.col(_O).is_null(), count, shown)
        raise InvalidInputError(f"{by} is missing for {where}")
    named = sellers.notna().to_numpy()
    owners = (
        sorted(set(sellers[named].tolist())) if owners_of_targets is None else owners_of_targets
    )
    codes = pd.Index(owners, dtype=object).get_indexer(pd.Index(sellers[in_report], dtype=object))
    if (codes < 0).any():
        strangers = sellers[in_report][codes < 0]
        count = int(table[_N].to_numpy(dtype=np.int64)[in_report][codes < 0].sum())
        condition = nw.col(_O).is_in(list(dict.fromkeys(strangers.tolist())))
        where = frame.rows(reported_rows, condition, count, shown)
        raise InvalidInputError(f"targets has no row for the {by} of {where}")
    reduced = table[in_report]
    return ActivityCounts(
        owners=owners,
        first=first,
        span=span,
        sellers=sellers[in_report].to_numpy(dtype=object),
        ordinals=reduced[_P].to_numpy(dtype=np.int64) + shift,
        kinds=reduced[_K].to_numpy(dtype=object),
        counts=reduced[_N].to_numpy(dtype=np.int64),
    )
