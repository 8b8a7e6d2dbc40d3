"""The month table every fiscal calendar answers from: each fiscal month's days and place.

A fiscal calendar of any basis (calendar months from a start month, 4-4-5 weeks, or
explicit Salesforce ``Period`` rows) is read through one table: its fiscal months in
time order, each with its first and last day (days since 1970-01-01), its fiscal year's
number, and its quarter and month numbers within that year. Quarters and years are
runs of months, so one lookup (``searchsorted`` on the months' first days) places any
date, and grouping the months gives the quarters and years. Days are counted as plain
integers, so that periods far from today never overflow ``datetime64[ns]`` while they
are worked out; :func:`timestamps` refuses those that cannot be held.
"""

from __future__ import annotations

import functools
from typing import Final, NamedTuple, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..errors import InvalidInputError

__all__ = [
    "KINDS",
    "PATTERNS",
    "Months",
    "day_text",
    "days_of",
    "explicit_months",
    "groups",
    "labels",
    "standard_months",
    "timestamps",
    "week_months",
    "year_of_day",
]

Days: TypeAlias = npt.NDArray[np.int64]

#: The kinds of fiscal period, longest first.
KINDS: Final = ("year", "quarter", "month")
#: Weeks per month in each quarter of a 52/53-week year.
PATTERNS: Final = {"4-4-5": (4, 4, 5), "4-5-4": (4, 5, 4), "5-4-4": (5, 4, 4)}

_DAY_NS: Final = 86_400 * 10**9
#: The first and last midnight datetime64[ns] can hold (1677-09-22 and 2262-04-11).
DAY_MIN: Final = -((-pd.Timestamp.min.value) // _DAY_NS)
DAY_MAX: Final = pd.Timestamp.max.value // _DAY_NS
_EPOCH_WEEKDAY: Final = 3  # 1970-01-01 was a Thursday (Monday = 0)


class Months(NamedTuple):
    """Fiscal months in time order; ``year_key`` and ``quarter_key`` group them."""

    start: Days
    end: Days  # the last day, inclusive
    year: Days  # the fiscal year's number as labelled
    quarter: Days  # 1-based within the year
    month: Days  # 1-based within the year
    year_key: Days
    quarter_key: Days
    prefix: str  # "M" (calendar months) or "P" (periods of weeks or of explicit rows)


def day_text(day: int) -> str:
    """A day number as an ISO date, ``"2026-04-01"``."""
    return str(np.datetime64(int(day), "D"))


def year_of_day(days: Days) -> Days:
    """The calendar year of each day number."""
    return np.asarray(days, dtype=np.int64).astype("M8[D]").astype("M8[Y]").astype(np.int64) + 1970


def _first_of_month(months: Days) -> Days:
    """The first day of each month, the months counted from January 1970."""
    return np.asarray(months, dtype=np.int64).astype("M8[M]").astype("M8[D]").astype(np.int64)


def days_of(name: str, stamps: pd.DatetimeIndex) -> tuple[Days, npt.NDArray[np.bool_]]:
    """Each timestamp's calendar day (on its own clock) and where it is missing.

    A day that ``datetime64[ns]`` cannot hold (``"9999-12-31"`` as "never") is refused
    under ``name``, as everywhere in salescore.
    """
    if stamps.tz is not None:  # the zone's own calendar, as the timestamp convention says
        stamps = stamps.tz_localize(None)
    missing = np.asarray(stamps.isna(), dtype=bool)
    # Cast in the timestamps' own unit: a datetime64[s] far date must not overflow here.
    days = np.asarray(stamps.to_numpy().astype("M8[D]").astype(np.int64))
    days = np.where(missing, 0, days)
    outside = ~missing & ((days < DAY_MIN) | (days > DAY_MAX))
    if outside.any():
        raise InvalidInputError(
            f"{name} must hold dates from {day_text(DAY_MIN)} to {day_text(DAY_MAX)} "
            f"(what datetime64[ns] holds); got {day_text(int(days[outside][0]))}"
        )
    return days.astype(np.int64), missing


def timestamps(days: Days, what: str) -> pd.DatetimeIndex:
    """Day numbers as midnight ``datetime64[ns]``; refused when one cannot be held."""
    days = np.asarray(days, dtype=np.int64)
    outside = (days < DAY_MIN) | (days > DAY_MAX)
    if outside.any():
        first = day_text(int(days[outside][0]))
        raise InvalidInputError(
            f"{what} reach {first}, which datetime64[ns] cannot hold (it runs from "
            f"{day_text(DAY_MIN)} to {day_text(DAY_MAX)}); ask for dates further inside"
        )
    return pd.DatetimeIndex(days.astype("M8[D]").astype("M8[ns]"))


# ------------------------------------------------------------------ rule-based calendars


def _anchors(first_day: int, last_day: int) -> Days:
    """Fiscal years (by the calendar year of their last month) that may hold the days."""
    first, last = year_of_day(np.array([first_day, last_day]))
    return np.arange(first - 1, last + 2, dtype=np.int64)


def _names(anchors: Days, start_month: int, naming: str) -> Days:
    """Fiscal year numbers: the year of the last month ("end") or of the first ("start")."""
    return anchors - 1 if naming == "start" and start_month != 1 else anchors


def standard_months(start_month: int, naming: str, first_day: int, last_day: int) -> Months:
    """Fiscal months of years of twelve calendar months starting in ``start_month``."""
    anchors = _anchors(first_day, last_day)
    # The month (counted from January 1970) in which each fiscal year starts.
    begins = (anchors - (start_month != 1) - 1970) * 12 + start_month - 1
    index = (begins[:, None] + np.arange(12)).ravel()
    number = np.tile(np.arange(1, 13, dtype=np.int64), anchors.size)
    years = np.repeat(anchors, 12)
    quarter = (number - 1) // 3 + 1
    return Months(
        start=_first_of_month(index),
        end=_first_of_month(index + 1) - 1,
        year=np.repeat(_names(anchors, start_month, naming), 12),
        quarter=quarter,
        month=number,
        year_key=years,
        quarter_key=years * 4 + quarter,
        prefix="M",
    )


def year_ends(anchors: Days, end_month: int, weekday: int, rule: str) -> Days:
    """The last day of each 52/53-week year, as pandas' ``FY5253`` places it.

    ``rule="last"``: the last ``weekday`` of ``end_month``; ``"nearest"``: the
    ``weekday`` nearest the last day of ``end_month`` (up to three days after it).
    """
    last = _first_of_month((anchors - 1970) * 12 + end_month) - 1
    on = (last + _EPOCH_WEEKDAY) % 7
    if rule == "last":
        return np.asarray(last - (on - weekday) % 7, dtype=np.int64)
    ahead = (weekday - on) % 7
    return np.asarray(last + np.where(ahead <= 3, ahead, ahead - 7), dtype=np.int64)


def week_months(
    start_month: int,
    weekday: int,
    rule: str,
    pattern: str,
    naming: str,
    first_day: int,
    last_day: int,
) -> Months:
    """Fiscal months (periods of 4 or 5 weeks) of 52/53-week years.

    Each quarter is 13 weeks split by ``pattern``; a 53-week year gives its extra week
    to its last month.
    """
    end_month = 12 if start_month == 1 else start_month - 1
    anchors = _anchors(first_day, last_day)
    ends = year_ends(np.concatenate(([anchors[0] - 1], anchors)), end_month, weekday, rule)
    begins = ends[:-1] + 1
    weeks = np.tile(np.array(PATTERNS[pattern] * 4, dtype=np.int64), (anchors.size, 1))
    weeks[:, 11] += (ends[1:] - ends[:-1]) // 7 - 52  # the 53rd week, where there is one
    month_end = begins[:, None] + np.cumsum(weeks, axis=1) * 7 - 1
    number = np.tile(np.arange(1, 13, dtype=np.int64), anchors.size)
    quarter = (number - 1) // 3 + 1
    years = np.repeat(anchors, 12)
    return Months(
        start=(month_end - weeks * 7 + 1).ravel(),
        end=month_end.ravel(),
        year=np.repeat(_names(anchors, start_month, naming), 12),
        quarter=quarter,
        month=number,
        year_key=years,
        quarter_key=years * 4 + quarter,
        prefix="P",
    )


# ------------------------------------------------------------------ explicit periods


@functools.lru_cache(maxsize=32)
def explicit_months(
    explicit: tuple[tuple[str, int, int], ...], naming: str
) -> tuple[Months, tuple[int, ...]]:
    """The month table of checked explicit periods, and each fiscal year's first day.

    ``explicit`` holds (kind, first day, last day) triples that tile one span without
    gaps or overlaps, quarters nesting in years and months in quarters (checked by
    :func:`salescore.fiscal._periods.check_tiling`). A year is numbered by the
    calendar year holding the middle day of its last month (``naming="end"``) or of
    its first month (``"start"``).
    """
    spans = {kind: np.array([(s, e) for k, s, e in explicit if k == kind]) for kind in KINDS}
    years, quarters, months = (spans[kind][np.argsort(spans[kind][:, 0])] for kind in KINDS)
    ms, me = months[:, 0].astype(np.int64), months[:, 1].astype(np.int64)
    ys, qs = years[:, 0].astype(np.int64), quarters[:, 0].astype(np.int64)
    year_index = np.searchsorted(ys, ms, side="right") - 1
    quarter_index = np.searchsorted(qs, ms, side="right") - 1
    first_month = np.searchsorted(ms, ys)  # each year's first month
    first_quarter = np.searchsorted(qs, ys)
    last_month = np.append(first_month[1:], ms.size) - 1
    named = first_month if naming == "start" else last_month
    names = year_of_day((ms[named] + me[named]) // 2)
    table = Months(
        start=ms,
        end=me,
        year=names[year_index],
        quarter=quarter_index - first_quarter[year_index] + 1,
        month=np.arange(ms.size, dtype=np.int64) - first_month[year_index] + 1,
        year_key=year_index.astype(np.int64),
        quarter_key=quarter_index.astype(np.int64),
        prefix="P",
    )
    return table, tuple(int(day) for day in ys)


# ------------------------------------------------------------------ reading the table


def groups(months: Months, kind: str) -> tuple[Days, Days, list[str]]:
    """First day, last day and label of each period of ``kind`` in the month table."""
    if kind == "month":
        keys = np.arange(months.start.size)
    else:
        keys = months.year_key if kind == "year" else months.quarter_key
    first = np.flatnonzero(np.diff(keys, prepend=keys[0] - 1) != 0)
    last = np.append(first[1:], keys.size) - 1
    return months.start[first], months.end[last], labels(months, kind, first)


def labels(months: Months, kind: str, rows: npt.NDArray[np.intp]) -> list[str]:
    """The labels of ``kind`` of the month table's ``rows``: "FY2026", "FY2026 Q1" …"""
    years = months.year[rows]
    if kind == "year":
        return [f"FY{year}" for year in years.tolist()]
    if kind == "quarter":
        return [
            f"FY{y} Q{q}"
            for y, q in zip(years.tolist(), months.quarter[rows].tolist(), strict=True)
        ]
    prefix = months.prefix
    return [
        f"FY{y} {prefix}{m:02d}"
        for y, m in zip(years.tolist(), months.month[rows].tolist(), strict=True)
    ]
