"""Lost deals of a deals table held by an engine (Polars, DuckDB, Dask, Spark), counted there.

The deals are checked by one query run where they live, counting every row the pandas
path refuses (a status that is not open, won or lost once trimmed and lower-cased; a
lost deal without a close date, or whose close date is a day before the one it was
created), and only when something is wrong does a second query fetch a few of those
rows to name. The lost deals are then reduced in the engine to one row per (period,
reason) with their number, each reason read as the pandas path reads it (missing, or
blank once trimmed: the ``no_reason`` label). Only that table comes back to pandas,
where :func:`~salescore.loss_reasons` finishes it with the same arithmetic as for a
pandas frame.
"""

from __future__ import annotations

from typing import Any, Final, NamedTuple

import narwhals as nw
import numpy as np
import pandas as pd

from ..engines._frames import EngineFrame, collect
from ..engines._frames import count_true as _count
from ..engines._frames import sure as _sure
from ..engines._frames import text_of as _text
from ..engines._periods import engine_dtype, utc_naive, with_period
from ..errors import InvalidInputError, SchemaError
from ..fiscal._freq import IntArray, ObjectArray, period_kind

__all__ = [
    "WHITESPACE",
    "DealDates",
    "LostCounts",
    "day_number",
    "deal_dates",
    "lost_counts",
    "status_is",
]

#: The characters Python's ``str.strip()`` removes (``str.isspace``), given to the
#: engines by name: their own notions of whitespace differ (DuckDB's ``trim`` removes
#: spaces only).
WHITESPACE: Final = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_STATUSES: Final = ["open", "won", "lost"]

# Column names inside the engine's queries.
_ID, _S, _R = "__salescore_deal", "__salescore_status", "__salescore_reason"
_CLOSE, _CREATED = "__salescore_close", "__salescore_created"
_P, _N = "__salescore_period", "__salescore_deals"


class LostCounts(NamedTuple):
    """Lost deals per (period, reason): one entry per pair that has any."""

    ordinals: IntArray  # pandas' ordinal of the period
    codes: IntArray  # the reason, as a position in labels
    labels: ObjectArray  # the reasons (str), sorted
    deals: IntArray  # the number of lost deals


class DealDates(NamedTuple):
    """A deals table's close and creation dates, read so that their days compare."""

    close: nw.Expr  # the close dates
    close_zone: str | None  # their zone (None: naive)
    made: nw.Expr | None  # the creation dates; None when not compared
    made_zone: str | None
    created: str | None  # the creation column compared, if any


def deal_dates(frame: EngineFrame, close_date: str, created: str | None) -> DealDates:
    """The close dates of an engine's deals and, when the table has it, ``created``.

    Both must hold datetimes or dates. An aware column beside a naive one is read in
    UTC, as the pandas path's ``align_zones`` does; two aware columns must share one
    zone, since an engine compares their local days only then.
    """
    frame.require_dates(close_date)
    # created is compared only when the table has it, as in the pandas path.
    used = created if created is not None and created in frame.schema else None
    if used is not None:
        frame.require_dates(used)
    close_zone = frame.zone(close_date)
    made_zone = None if used is None else frame.zone(used)
    close = nw.col(close_date)
    made = None if used is None else nw.col(used)
    if made is not None and (close_zone is None) != (made_zone is None):
        if close_zone is not None:
            close, close_zone = utc_naive(close, close_zone), None
        elif made_zone is not None:
            made, made_zone = utc_naive(made, made_zone), None
    elif made is not None and close_zone != made_zone:
        raise InvalidInputError(
            f"{close_date} is in the time zone {close_zone} and {used} in "
            f"{made_zone}: on an engine frame they must share one zone (or both be "
            "naive) for their calendar days to be compared; convert one of them to the "
            "other's zone, or summarise a pandas DataFrame"
        )
    return DealDates(close, close_zone, made, made_zone, used)


def status_is(column: nw.Expr, *, text: bool, wanted: str) -> tuple[nw.Expr, nw.Expr]:
    """(bad, is ``wanted``) for a status column, read as the pandas path reads it.

    A status is one of 'open', 'won' and 'lost' once trimmed of what ``str.strip``
    removes and lower-cased; a column that does not hold text (numbers, flags, dates)
    has no valid status at all.
    """
    if not text:
        bad = column.is_null() | ~column.is_null()
        return bad, ~bad
    canonical = column.str.strip_chars(WHITESPACE).str.to_lowercase()
    return ~_sure(canonical.is_in(_STATUSES)), _sure(canonical == wanted)


def day_number(column: str, zone: str | None) -> nw.Expr:
    """A number that orders the calendar days of a date column (local days when aware).

    month · 32 + day stays below 416, so the number is ordered as the days are. In
    floats, exact for any year and missing where the date is: the engines' own
    integer types are as narrow as 8 bits (Polars' month), and Dask's hold no NaN.
    """
    when = nw.col(column)
    if zone is not None:
        when = when.dt.replace_time_zone(None)
    parts = [when.dt.year(), when.dt.month(), when.dt.day()]
    year, month, day = (part.cast(nw.Float64) for part in parts)
    return year * 416.0 + month * 32.0 + day


def lost_counts(
    native: object,
    engine: str,
    *,
    freq: object,
    lost_reason: str,
    status: str,
    close_date: str,
    created: str | None,
    deal_id: str | None,
    no_reason: str,
) -> LostCounts:
    """Check an engine's deals as the pandas path does and count its lost deals.

    The options have been checked by :func:`~salescore.loss_reasons`.
    """
    dtype, shift = engine_dtype(period_kind(freq), freq)
    frame = EngineFrame("deals", native, engine)
    ids = [] if deal_id is None else [deal_id]
    frame.require([status, lost_reason, close_date, *ids])
    dates = deal_dates(frame, close_date, created)
    used = dates.created

    statuses, reasons = _text(frame, status), _text(frame, lost_reason)
    log = frame.frame.select(
        *([] if deal_id is None else [nw.col(deal_id).alias(_ID)]),
        nw.col(status).alias(_S) if statuses is None else statuses.alias(_S),
        nw.col(lost_reason).alias(_R) if reasons is None else reasons.alias(_R),
        dates.close.alias(_CLOSE),
        *([] if dates.made is None else [dates.made.alias(_CREATED)]),
    )
    who = {} if deal_id is None else {_ID: deal_id}

    def rows(condition: nw.Expr, count: int, shown: dict[str, str]) -> str:
        return frame.rows(log, condition, count, {**who, **shown})

    bad, lost = status_is(nw.col(_S), text=statuses is not None, wanted="lost")
    undated = lost & nw.col(_CLOSE).is_null()
    checks = [
        _count(bad).alias("bad"),
        _count(lost).alias("lost"),
        _count(undated).alias("undated"),
    ]
    if used is not None:
        before = day_number(_CLOSE, dates.close_zone) < day_number(_CREATED, dates.made_zone)
        backwards = lost & _sure(before)
        checks.append(_count(backwards).alias("backwards"))
    if reasons is None:
        checks.append(_count(lost & ~nw.col(_R).is_null()).alias("reasoned"))
    found = collect(log.select(*checks)).iloc[0]
    if found["bad"]:
        where = rows(bad, int(found["bad"]), {_S: status})
        raise InvalidInputError(
            f"{status} must be one of 'open', 'won', 'lost'; not so for {where}"
        )
    if found["undated"]:
        where = rows(undated, int(found["undated"]), {_CLOSE: close_date})
        raise InvalidInputError(
            f"{close_date} is missing for lost deals; {where} "
            "(a table by period needs each of their dates)"
        )
    if used is not None and found["backwards"]:
        where = rows(backwards, int(found["backwards"]), {_CLOSE: close_date, _CREATED: used})
        raise InvalidInputError(f"{close_date} is before the date in {used} for {where}")
    if reasons is None and found["reasoned"]:
        where = rows(lost & ~nw.col(_R).is_null(), int(found["reasoned"]), {_R: lost_reason})
        raise SchemaError(
            f"deals: column {lost_reason!r} has dtype {frame.schema[lost_reason]} in {engine}, "
            f"and {where} give a reason: on an engine frame the reasons must be text "
            "(strings or categories); cast the column to strings, or summarise a pandas "
            "DataFrame"
        )
    if not found["lost"]:
        empty = np.empty(0, dtype=np.int64)
        return LostCounts(empty, empty, np.empty(0, dtype=object), empty)

    one = nw.lit(1, dtype=nw.Int64).alias(_N)
    if reasons is None:  # every reason is missing (checked above)
        parts, keys = [nw.col(_CLOSE), one], [_P]
    else:
        reason = nw.col(_R)
        blank = (reason.is_null() | (reason.str.strip_chars(WHITESPACE) == "")).fill_null(True)
        label = nw.when(blank).then(nw.lit(no_reason)).otherwise(reason).alias(_R)
        parts, keys = [nw.col(_CLOSE), label, one], [_P, _R]
    chosen = log.filter(lost).select(*parts)
    lost_deals = with_period(chosen, _CLOSE, dates.close_zone, dtype, freq, _P)
    # A plain sum of a column made beforehand, as Dask requires of a grouped aggregation.
    table = collect(lost_deals.group_by(*keys).agg(nw.col(_N).sum()))
    found_reasons: pd.Series[Any] = (
        table[_R] if reasons is not None else pd.Series([no_reason] * len(table), dtype=object)
    )
    texts = found_reasons.to_numpy(dtype=object)
    labels = np.array(sorted(set(texts.tolist())), dtype=object)
    codes = pd.Index(labels, dtype=object).get_indexer(texts)
    return LostCounts(
        ordinals=table[_P].to_numpy(dtype=np.int64) + shift,
        codes=np.asarray(codes, dtype=np.int64),
        labels=labels,
        deals=table[_N].to_numpy(dtype=np.int64),
    )
