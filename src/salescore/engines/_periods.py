"""Periods of a date column computed inside an engine, numbered as pandas numbers them.

A date's period of ``freq`` is found from its year, month and day with integer
arithmetic only, which every engine evaluates the same way; the engine's number and
pandas' ordinal differ by a constant, found once in pandas.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import narwhals as nw
import pandas as pd

from ..errors import InvalidInputError

__all__ = ["SUPPORTED", "engine_dtype", "time_of_day", "to_ordinal", "utc_naive", "with_period"]

_PREFIX = "__salescore_"
_EPOCH = dt.date(1970, 1, 1)

#: The period kinds an engine frame can be summarised by.
SUPPORTED = "D, W (W-SUN … W-SAT), M, Q (Q-DEC …), Y (Y-DEC …)"


def _div(numerator: nw.Expr, divisor: int) -> nw.Expr:
    """``numerator // divisor`` (floor) of integers below 2**31 in size, as floor(n / d).

    Exact: a quotient of such integers is either whole (and exact in a double) or at
    least 1/d from the next whole number, far beyond a double's rounding. Narwhals
    writes ``//`` out as a nest of CASE expressions for the SQL engines; ``floor`` is
    one call in every engine.
    """
    return (numerator / divisor).floor().cast(nw.Int64)


def _steps(date: str, zone: str | None, *, subtract: bool) -> list[tuple[str, nw.Expr]]:
    """Days from 1970-01-01 to each date's calendar day, as columns built one by one.

    With ``subtract`` (DuckDB, where one date less another is their distance in days)
    the day less 1970-01-01. Otherwise the civil-calendar day count of H. Hinnant,
    "chrono-Compatible Low-Level Date Algorithms" (``days_from_civil``), on the
    proleptic Gregorian calendar, from the year, month and day: every engine computes
    those alike. Each step is a column of its own: nested, the floor divisions would
    be written out again at every level of the SQL that Spark is sent.
    """
    when = nw.col(date)
    if zone is not None:
        when = when.dt.replace_time_zone(None)  # the local calendar's day
    y, m, d, era, yoe, days = (f"{_PREFIX}{name}" for name in ("y", "m", "d", "era", "yoe", "days"))
    if subtract:
        return [(days, (when.cast(nw.Date) - nw.lit(_EPOCH)).cast(nw.Int64))]
    return [
        (m, when.dt.month().cast(nw.Int64)),
        (d, when.dt.day().cast(nw.Int64)),
        (y, when.dt.year().cast(nw.Int64) - nw.when(nw.col(m) <= 2).then(1).otherwise(0)),
        (era, _div(nw.col(y), 400)),
        (yoe, nw.col(y) - nw.col(era) * 400),
        (
            days,
            nw.col(era) * 146097
            + nw.col(yoe) * 365
            + _div(nw.col(yoe), 4)
            - _div(nw.col(yoe), 100)
            + _div(153 * ((nw.col(m) + 9) % 12) + 2, 5)
            + nw.col(d)
            - 719469,  # 719468 days from 0000-03-01 to 1970-01-01, and the 1 of day - 1
        ),
    ]


def _rule(dtype: pd.PeriodDtype, freq: object) -> tuple[str, int]:
    """The kind of period ("D", "W", "M", "Q", "Y") and its shift; refuses the rest."""
    offset: Any = dtype.freq
    kind = type(offset).__name__
    if offset.n == 1:
        if kind == "Day":
            return "D", 0
        if kind == "Week" and offset.weekday is not None:
            return "W", (2 - int(offset.weekday)) % 7
        if kind == "MonthEnd":
            return "M", 0
        if kind == "QuarterEnd":
            return "Q", (3 - int(offset.startingMonth)) % 3
        if kind == "YearEnd":
            return "Y", (12 - int(offset.month)) % 12
    raise InvalidInputError(
        f"freq={freq!r} cannot be computed in an engine; on an engine frame freq must be "
        f"one of {SUPPORTED} (or summarise a pandas DataFrame)"
    )


def with_period(
    frame: nw.LazyFrame[Any],
    date: str,
    zone: str | None,
    dtype: pd.PeriodDtype,
    freq: object,
    name: str,
) -> nw.LazyFrame[Any]:
    """``frame`` with a column ``name``: the period of ``dtype`` of each date, as a number.

    The number plus :func:`to_ordinal` is pandas' ordinal of the period.
    """
    kind, shift = _rule(dtype, freq)
    steps = _steps(date, zone, subtract=frame.implementation is nw.Implementation.DUCKDB)
    if kind == "D":
        steps.append((name, nw.col(steps[-1][0])))
    elif kind == "W":
        steps.append((name, _div(nw.col(steps[-1][0]) + shift, 7)))
    else:
        months = nw.col(date)
        if zone is not None:
            months = months.dt.replace_time_zone(None)
        months = months.dt.year().cast(nw.Int64) * 12 + months.dt.month().cast(nw.Int64) - 1
        size = {"M": 1, "Q": 3, "Y": 12}[kind]
        steps = [(name, months if size == 1 else _div(months + shift, size))]
    for column, expression in steps:
        frame = frame.with_columns(expression.alias(column))
    return frame.drop(*(column for column, _ in steps if column != name))


def to_ordinal(dtype: pd.PeriodDtype, freq: object) -> int:
    """What to add to the number :func:`with_period` gives to get pandas' ordinal."""
    kind, shift = _rule(dtype, freq)
    epoch = pd.Period(pd.Timestamp("1970-01-01"), freq=dtype.freq)  # type: ignore[arg-type]
    # The engine's numbers on 1970-01-01: 0 days, 1970 * 12 months.
    number = {
        "D": 0,
        "W": shift // 7,
        "M": 1970 * 12,
        "Q": (1970 * 12 + shift) // 3,
        "Y": (1970 * 12 + shift) // 12,
    }[kind]
    return int(epoch.ordinal) - number


def engine_dtype(dtype: object, freq: object) -> tuple[pd.PeriodDtype, int]:
    """``dtype`` (the kind of period of ``freq``) and its :func:`to_ordinal` shift.

    Refuses fiscal periods (anything but a pandas ``PeriodDtype``), which the engines
    do not compute, naming the pandas alias to use instead, and (through
    :func:`to_ordinal`) the pandas periods they do not compute either.
    """
    if not isinstance(dtype, pd.PeriodDtype):
        raise InvalidInputError(
            f"freq={freq!r}: fiscal periods cannot be computed in an engine yet; on an "
            "engine frame pass a pandas alias such as 'Q-MAR' (quarters of a year "
            "ending in March), or summarise a pandas DataFrame"
        )
    return dtype, to_ordinal(dtype, freq)


def utc_naive(column: nw.Expr, zone: str | None) -> nw.Expr:
    """An aware datetime column as UTC wall-clock time without a zone (naive: as it is)."""
    if zone is None:
        return column
    if zone not in ("UTC", "Etc/UTC"):  # DuckDB keeps aware times in its connection's zone
        column = column.dt.convert_time_zone("UTC")
    return column.dt.replace_time_zone(None)


def time_of_day(column: str) -> nw.Expr:
    """Nanoseconds since midnight (below 2**47: exact in every engine)."""
    stamps = nw.col(column)
    parts = (
        (stamps.dt.hour(), 3_600 * 10**9),
        (stamps.dt.minute(), 60 * 10**9),
        (stamps.dt.second(), 10**9),
        (stamps.dt.nanosecond(), 1),
    )
    total: nw.Expr = nw.lit(0, dtype=nw.Int64)
    for part, unit in parts:
        total = total + part.cast(nw.Int64) * unit
    return total
