"""Periods of close dates: a period given as a pandas Period, its text, or two dates.

The forecasting functions ask about the pipeline "for a period" (the deals expected to
close in it). A caller names the period as a :class:`pandas.Period` (``Period("2026Q1")``,
a fiscal quarter such as ``Period("2026Q1", freq="Q-JAN")``), as text that
:class:`pandas.Period` reads (``"2026Q1"``, ``"2026-03"``, ``"2026"``) or as a tuple of
two dates, the first and the last day of the period, both inclusive. This module turns
each into its first and last calendar day, and gives the period a label for tables.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import numpy as np
import pandas as pd
from pandas.errors import OutOfBoundsDatetime

from ..errors import InvalidInputError

__all__ = ["ACCEPTED", "in_period", "label", "period_bounds"]

#: What a period may be, for messages.
ACCEPTED: Final = (
    "a pandas Period, a str that pandas.Period reads ('2026Q1', '2026-03', '2026') "
    "or a tuple of two dates (first, last), both inclusive"
)
_DAY: Final = pd.Timedelta(days=1)


def _refuse(name: str, value: object, reason: str = "") -> InvalidInputError:
    why = f" ({reason})" if reason else ""
    return InvalidInputError(
        f"{name} must be {ACCEPTED}; got {type(value).__name__} {value!r:.60}{why}"
    )


def _in_range(stamp: pd.Timestamp) -> bool:
    """Whether ``stamp`` lies in the range of the tables' datetime64[ns] columns."""
    try:
        stamp.as_unit("ns")
    except (OverflowError, OutOfBoundsDatetime, ValueError):
        return False
    return True


def _from_period(period: pd.Period, name: str, given: object) -> tuple[pd.Timestamp, pd.Timestamp]:
    try:
        first = pd.Timestamp(period.start_time)
        last = pd.Timestamp(period.end_time)
    except (OverflowError, OutOfBoundsDatetime, ValueError):
        raise _refuse(name, given, "outside 1677-09-22 .. 2262-04-11") from None
    after = last + pd.Timedelta(1, unit=last.unit)  # the first moment after the period
    if first != first.normalize() or after != after.normalize():
        raise _refuse(name, given, f"a period of whole days is needed, not freq {period.freqstr!r}")
    last = after - _DAY
    if not (_in_range(first) and _in_range(last)):
        raise _refuse(name, given, "outside 1677-09-22 .. 2262-04-11")
    return first.as_unit("ns"), last.as_unit("ns")


def _day(value: object, name: str, given: object) -> pd.Timestamp:
    """One end of a (first, last) tuple: a date, read as its naive midnight."""
    if not isinstance(value, (str, dt.date, np.datetime64)):
        raise _refuse(name, given, f"{value!r:.40} is not a date")
    try:
        stamp = pd.Timestamp(value)
    except (OverflowError, OutOfBoundsDatetime, ValueError, TypeError):
        raise _refuse(name, given, f"{value!r:.40} is not a date") from None
    if pd.isna(stamp):
        raise _refuse(name, given, "NaT is not a date")
    if stamp.tzinfo is not None:
        raise _refuse(name, given, f"{value!r:.40} has a time zone; give calendar dates")
    if stamp != stamp.normalize():
        raise _refuse(name, given, f"{value!r:.40} has a time of day; give calendar dates")
    if not _in_range(stamp):
        raise _refuse(name, given, "outside 1677-09-22 .. 2262-04-11")
    return stamp.as_unit("ns")


def _parsed(period: object, name: str) -> pd.Period | tuple[pd.Timestamp, pd.Timestamp]:
    if isinstance(period, pd.Period):
        return period
    if isinstance(period, str):
        try:
            parsed: Any = pd.Period(period)
        except (ValueError, TypeError, OverflowError, OutOfBoundsDatetime):
            raise _refuse(name, period, "pandas.Period cannot read it") from None
        if not isinstance(parsed, pd.Period):  # "NaT" parses to NaT
            raise _refuse(name, period)
        return parsed
    if isinstance(period, tuple) and len(period) == 2:
        first, last = (_day(end, name, period) for end in period)
        if last < first:
            raise _refuse(name, period, "the last day is before the first")
        return first, last
    raise _refuse(name, period)


def period_bounds(period: object, *, name: str = "period") -> tuple[pd.Timestamp, pd.Timestamp]:
    """The first and the last day of ``period``, both inclusive, as naive midnights.

    Parameters
    ----------
    period : pandas.Period, str or tuple of two dates
        A Period of whole days (a day, week, month, quarter, year, fiscal quarter …),
        text that :class:`pandas.Period` reads, or ``(first, last)``: two calendar dates
        (date, datetime at midnight, Timestamp, ISO text), both inclusive.
    name : str, default "period"
        The argument's name in error messages.

    Returns
    -------
    tuple of pandas.Timestamp
        ``(first, last)``: midnight of the first and of the last day, naive, ``first <= last``.

    Raises
    ------
    InvalidInputError
        For anything else, naming ``name`` and the value: text pandas cannot read, a
        Period shorter than a day, a tuple whose ends are not dates, carry a time zone or
        a time of day, or whose last day is before its first.

    Examples
    --------
    >>> period_bounds("2026Q1")
    (Timestamp('2026-01-01 00:00:00'), Timestamp('2026-03-31 00:00:00'))
    >>> period_bounds(("2026-02-10", "2026-02-10"))
    (Timestamp('2026-02-10 00:00:00'), Timestamp('2026-02-10 00:00:00'))
    """
    parsed = _parsed(period, name)
    if isinstance(parsed, pd.Period):
        return _from_period(parsed, name, period)
    return parsed


def label(period: object) -> str:
    """The period's label for tables: the Period's text, or ``"first – last"`` for two dates.

    Examples
    --------
    >>> label("2026Q1")
    '2026Q1'
    >>> label(("2026-01-15", "2026-02-14"))
    '2026-01-15 – 2026-02-14'
    """
    parsed = _parsed(period, "period")
    if isinstance(parsed, pd.Period):
        _from_period(parsed, "period", period)
        return str(parsed)
    first, last = parsed
    return f"{first:%Y-%m-%d} – {last:%Y-%m-%d}"


def in_period(dates: pd.Series[Any], first: pd.Timestamp, last: pd.Timestamp) -> pd.Series[bool]:
    """Whether each date falls on a day from ``first`` to ``last``; False where missing.

    A time-zone-aware date is read on its own zone's calendar; a time of day does not
    move a date out of its day.
    """
    if isinstance(dates.dtype, pd.DatetimeTZDtype):
        dates = dates.dt.tz_localize(None)
    return (dates >= first) & (dates < last + _DAY)
