"""The report's calendar: the forecast quarter, and the sentence that states the calendar.

Without a fiscal calendar the forecast quarter is the calendar quarter of the report
date, named ``Q1 2026``; with one it is the fiscal quarter holding the report date,
named by the calendar's label (``FY2026 Q4``), and the header says how the fiscal
year runs.
"""

from __future__ import annotations

import calendar as _gregorian
from typing import NamedTuple

import pandas as pd

from ..errors import InvalidInputError
from ..fiscal import FiscalCalendar

__all__ = ["Quarter", "calendar_text", "forecast_quarter"]

_DAY_NAMES = {
    "Mon": "Monday",
    "Tue": "Tuesday",
    "Wed": "Wednesday",
    "Thu": "Thursday",
    "Fri": "Friday",
    "Sat": "Saturday",
    "Sun": "Sunday",
}


class Quarter(NamedTuple):
    """The forecast quarter: its first day, the day after its last, its name and key."""

    start: pd.Timestamp
    end: pd.Timestamp
    name: str
    key: str


def forecast_quarter(as_of: pd.Timestamp, calendar: FiscalCalendar | None) -> Quarter:
    """The quarter that holds ``as_of``: a calendar quarter, or the calendar's fiscal one.

    Raises :class:`~salescore.InvalidInputError` when ``calendar`` is neither a
    :class:`~salescore.fiscal.FiscalCalendar` nor None, or ``as_of`` lies outside the
    years an explicit calendar defines.
    """
    if calendar is not None and not isinstance(calendar, FiscalCalendar):
        raise InvalidInputError(
            f"calendar must be a FiscalCalendar or None; got {type(calendar).__name__} "
            f"{calendar!r:.60}"
        )
    if calendar is None:
        period = as_of.to_period("Q")
        start = pd.Timestamp(period.start_time)
        end = pd.Timestamp((period + 1).start_time)
        return Quarter(start, end, f"Q{period.quarter} {period.year}", str(period))
    first, last = calendar.bounds(as_of, kind="quarter")
    label = str(calendar.period_of(as_of, kind="quarter"))
    return Quarter(first, last + pd.Timedelta(days=1), label, label)


def _year_rule(calendar: FiscalCalendar) -> str:
    naming = f"named by the year it {calendar.naming}s in"
    if calendar.explicit:
        return f"Fiscal periods as given, each year {naming}"
    month = _gregorian.month_name[calendar.start_month or 1]
    if calendar.pattern is None:
        return f"Fiscal year from 1 {month}, {naming}"
    end = _gregorian.month_name[calendar.end_month or 12]
    day = _DAY_NAMES[str(calendar.weekday)]
    where = (
        f"the last {day} of {end}"
        if calendar.rule == "last"
        else f"the {day} nearest the end of {end}"
    )
    return f"Fiscal year of 52/53 weeks in {calendar.pattern} quarters, ending on {where}, {naming}"


def calendar_text(calendar: FiscalCalendar, as_of: pd.Timestamp) -> str:
    """How the fiscal year runs, and the dates of the one holding ``as_of``.

    ``"Fiscal year from 1 April, named by the year it ends in (FY2026: 2025-04-01 to
    2026-03-31)"``.
    """
    rule = _year_rule(calendar)
    first, last = calendar.bounds(as_of, kind="year")
    label = calendar.period_of(as_of, kind="year")
    return f"{rule} ({label}: {first.date()} to {last.date()})"
