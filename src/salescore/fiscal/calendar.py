"""The fiscal calendar a company keeps: which fiscal year, quarter and month a date is in.

:class:`FiscalCalendar` is one frozen record for the three kinds of fiscal year a
sales organisation runs on: twelve calendar months from any start month (Salesforce's
standard fiscal year), 52/53-week years of 4-4-5, 4-5-4 or 5-4-4 quarters (a custom
fiscal year, pandas' ``FY5253``), and explicit periods read from Salesforce ``Period``
rows. Its methods list the periods between two dates, label dates with their period,
and give the first and last day of the period holding a date.
"""

from __future__ import annotations

import datetime
from typing import Any, overload

import attrs
import numpy as np
import pandas as pd

from .._options import option_choice
from .._timestamps import coerce_timestamps
from ..errors import InvalidInputError
from . import _fields, _months
from ._engine import CalendarEngine
from ._fields import NAMINGS, RULES, WEEKDAYS
from ._months import KINDS, PATTERNS, day_text, days_of, timestamps
from ._periods import check_inside, read_frame, read_salesforce
from .frequency import FiscalFrequency

__all__ = ["NAMINGS", "RULES", "WEEKDAYS", "FiscalCalendar"]


@attrs.frozen(kw_only=True)
class FiscalCalendar(CalendarEngine):
    r"""A company's fiscal calendar: its years, quarters and months, and their labels.

    Build one with a named constructor rather than from its fields:
    :meth:`from_start_month` (twelve calendar months from a start month),
    :meth:`weeks` (52/53-week years of 4-4-5, 4-5-4 or 5-4-4 quarters) or
    :meth:`from_periods` / :meth:`from_salesforce` (explicit periods, such as
    Salesforce's ``Period`` rows). The default, ``FiscalCalendar()``, is the calendar
    year.

    Periods are labelled ``"FY2026"`` (a year), ``"FY2026 Q1"`` (a quarter) and
    ``"FY2026 M01"`` (the first fiscal month of a calendar of months) or
    ``"FY2026 P01"`` (the first period of a calendar of weeks or of explicit
    periods, which are not calendar months). Months are numbered within the year
    with two digits, so that the labels of years 1000 to 9999 sort in time order.

    Parameters
    ----------
    start_month : int or None, default 1
        The calendar month (1 = January) in which each fiscal year starts; for a
        52/53-week calendar, the month after its end month (the year may start a few
        days before or after its 1st). None for explicit periods.
    naming : {"end", "start"}, default "end"
        Which calendar year gives a fiscal year its number: the one in which the
        fiscal year's last month falls (``"end"``; FY2027 runs from April 2026 to
        March 2027) or its first month (``"start"``; that year is FY2026). For a
        calendar starting in January both give the calendar year.
    pattern : {"4-4-5", "4-5-4", "5-4-4"} or None, default None
        Weeks per month in each 13-week quarter of a 52/53-week calendar; None for
        calendar months or explicit periods.
    weekday : str or None, default None
        The weekday on which a 52/53-week year ends, as ``"Mon"`` … ``"Sun"`` (a
        number from 0 = Monday to 6 or a full name is converted).
    rule : {"last", "nearest"} or None, default None
        Where a 52/53-week year ends: on the last ``weekday`` of its end month, or on
        the ``weekday`` nearest the end of that month.
    explicit : tuple, default ()
        Explicit periods as ``(kind, first day, last day)`` triples, the days counted
        from 1970-01-01, as :meth:`from_periods` builds them.

    Raises
    ------
    InvalidInputError
        A month outside 1-12, an unknown naming, pattern, weekday or rule, fields of
        one kind of calendar mixed with another's, or explicit periods that leave a
        gap, overlap, or give two fiscal years one number.

    See Also
    --------
    pandas.Period.qyear : the fiscal year of a quarter anchored at its end month.
    pandas.tseries.offsets.FY5253 : the 52/53-week year that :meth:`weeks` follows.

    Notes
    -----
    A fiscal year of twelve calendar months that starts in month :math:`m` holds the
    date of calendar year :math:`y` and month :math:`c` in fiscal month
    :math:`k = ((c - m) \bmod 12) + 1` and quarter :math:`\lceil k / 3 \rceil`; with
    ``naming="end"`` its fiscal year is :math:`y + 1` when :math:`m > 1` and
    :math:`c \ge m`, else :math:`y` (pandas' ``Period(date, "Q-<month before m>").qyear``).

    Period ends are inclusive: a period's ``end`` is its last day, as Salesforce's
    ``EndDate``. Dates are read on their own calendar: a time-zone-aware timestamp
    belongs to the period of its local date.

    References
    ----------
    .. [1] Salesforce Help, "Define Your Fiscal Year": standard fiscal years follow
       the Gregorian calendar but may start in any month, and are numbered by "the
       starting month" or "the ending month"; custom fiscal years hold 4-4-5, 4-5-4
       or 5-4-4 quarters of 13 weeks.
    .. [2] pandas documentation, ``pandas.tseries.offsets.FY5253`` (52-53 week
       fiscal year) and ``FY5253Quarter``.

    Examples
    --------
    >>> from salescore.fiscal import FiscalCalendar
    >>> april = FiscalCalendar.from_start_month(4)
    >>> april.period_of("2026-05-15", kind="quarter")
    'FY2027 Q1'
    >>> FiscalCalendar.from_start_month(4, naming="start").period_of("2026-05-15", kind="quarter")
    'FY2026 Q1'
    >>> FiscalCalendar()
    FiscalCalendar(start_month=1, naming='end', pattern=None, weekday=None, rule=None, explicit=())
    """

    start_month: int | None = attrs.field(default=1, converter=_fields.start_month)
    naming: str = attrs.field(default="end", converter=_fields.naming)
    pattern: str | None = attrs.field(default=None, converter=_fields.pattern)
    weekday: str | None = attrs.field(default=None, converter=_fields.weekday)
    rule: str | None = attrs.field(default=None, converter=_fields.rule)
    explicit: tuple[tuple[str, int, int], ...] = attrs.field(
        default=(), converter=_fields.explicit, repr=_fields.explicit_repr
    )

    def __attrs_post_init__(self) -> None:
        weekly = {"pattern": self.pattern, "weekday": self.weekday, "rule": self.rule}
        if self.explicit:
            given = {"start_month": self.start_month, **weekly}
            extra = [name for name, value in given.items() if value is not None]
            if extra:
                raise InvalidInputError(
                    f"a calendar of explicit periods takes no {', '.join(extra)}; "
                    "pass None (from_periods does)"
                )
            self._months_of(0, 0)  # checks the periods and that the years' numbers differ
            return
        if self.start_month is None:
            raise InvalidInputError(
                "start_month must be a month number from 1 (January) to 12 unless the "
                "calendar has explicit periods; got None"
            )
        missing = [name for name, value in weekly.items() if value is None]
        if self.pattern is not None and missing:
            raise InvalidInputError(
                f"a 52/53-week calendar (pattern={self.pattern!r}) needs {', '.join(missing)}"
            )
        if self.pattern is None and len(missing) < 3:
            extra = [name for name, value in weekly.items() if value is not None]
            raise InvalidInputError(
                f"a calendar of months takes no {', '.join(extra)}; pass pattern to build "
                "52/53-week years"
            )

    # ------------------------------------------------------------------ constructors

    @classmethod
    def from_start_month(cls, month: int, *, naming: str = "end") -> FiscalCalendar:
        """Fiscal years of twelve calendar months, starting on the 1st of ``month``.

        This is Salesforce's standard fiscal year [1]_, and pandas' quarters anchored
        at the month before ``month`` (``"Q-MAR"`` for ``month=4``) [2]_.

        Parameters
        ----------
        month : int
            The first month of each fiscal year, 1 (January: the calendar year) to 12.
        naming : {"end", "start"}, keyword-only, default "end"
            Which calendar year gives a fiscal year its number: that of its last
            month (``"end"``, Salesforce's "The Ending Month", the US federal
            convention: the year from 1 April 2026 to 31 March 2027 is FY2027) or its
            first month (``"start"``, "The Starting Month": FY2026).

        Returns
        -------
        FiscalCalendar
            The calendar.

        Raises
        ------
        InvalidInputError
            A month outside 1-12 (or not an integer), or an unknown naming.

        References
        ----------
        .. [1] Salesforce Help, "Define Your Fiscal Year" and "Set the Fiscal Year":
           "Fiscal Year is Based On: The Starting Month / The Ending Month".
        .. [2] pandas documentation, "Anchored offsets" and ``pandas.Period.qyear``.

        Examples
        --------
        >>> from salescore.fiscal import FiscalCalendar
        >>> april = FiscalCalendar.from_start_month(4)
        >>> april.bounds("2026-05-15", kind="quarter")
        (Timestamp('2026-04-01 00:00:00'), Timestamp('2026-06-30 00:00:00'))
        >>> april.period_of(["2026-03-31", "2026-04-01"], kind="year")
        array(['FY2026', 'FY2027'], dtype=object)
        >>> FiscalCalendar.from_start_month(13)
        Traceback (most recent call last):
        ...
        salescore.errors.InvalidInputError: month must be a month number from 1 (January) to 12; ...
        """
        return cls(start_month=_fields.month("month", month), naming=_fields.naming(naming))

    @classmethod
    def weeks(
        cls,
        pattern: str = "4-4-5",
        *,
        end_month: int,
        weekday: int | str,
        rule: str,
        naming: str = "end",
    ) -> FiscalCalendar:
        """52/53-week fiscal years of 13-week quarters: a 4-4-5, 4-5-4 or 5-4-4 calendar.

        Each fiscal year ends on a ``weekday``: the last one of ``end_month``
        (``rule="last"``) or the one nearest the last day of ``end_month``
        (``rule="nearest"``, which may fall up to three days into the next month),
        as pandas' ``FY5253`` places it [1]_. A year therefore holds 52 weeks, or 53
        when the rule moves its end a week later. Each quarter holds 13 weeks, split
        into three fiscal months (periods) of 4, 4 and 5 weeks for ``"4-4-5"``; the
        53rd week goes to the last month of the last quarter (its fourth quarter is
        14 weeks long, pandas' ``FY5253Quarter(qtr_with_extra_week=4)``).

        Parameters
        ----------
        pattern : {"4-4-5", "4-5-4", "5-4-4"}, default "4-4-5"
            Weeks per month in each quarter.
        end_month : int, keyword-only
            The month, 1 to 12, in or next to which each fiscal year ends (1 for a
            retail year ending around the end of January).
        weekday : int or str, keyword-only
            The weekday each fiscal year ends on: 0 (Monday) to 6 (Sunday), or a name
            (``"Sat"``, ``"Saturday"``).
        rule : {"last", "nearest"}, keyword-only
            The last ``weekday`` of ``end_month``, or the one nearest its end.
        naming : {"end", "start"}, keyword-only, default "end"
            Which calendar year gives a fiscal year its number: that of its last
            month (the year ending on 31 January 2026 is FY2026) or its first month
            (FY2025, the US retail convention).

        Returns
        -------
        FiscalCalendar
            The calendar.

        Raises
        ------
        InvalidInputError
            An unknown pattern, weekday, rule or naming, or a month outside 1-12.

        References
        ----------
        .. [1] pandas documentation, ``pandas.tseries.offsets.FY5253`` and
           ``FY5253Quarter``.
        .. [2] Salesforce Help, "Customize the Fiscal Year Structure" (custom fiscal
           years of 4-4-5, 4-5-4 and 5-4-4 quarters).

        Examples
        --------
        >>> from salescore.fiscal import FiscalCalendar
        >>> retail = FiscalCalendar.weeks(
        ...     "4-5-4", end_month=1, weekday="Sat", rule="nearest", naming="start"
        ... )
        >>> retail.bounds("2025-06-15", kind="year")
        (Timestamp('2025-02-02 00:00:00'), Timestamp('2026-01-31 00:00:00'))
        >>> retail.period_of("2025-06-15", kind="month")
        'FY2025 P05'
        """
        end = _fields.month("end_month", end_month)
        return cls(
            start_month=end % 12 + 1,
            naming=_fields.naming(naming),
            pattern=option_choice("pattern", pattern, tuple(PATTERNS)),
            weekday=_fields.weekday_name(weekday),
            rule=option_choice("rule", rule, RULES),
        )

    @classmethod
    def from_periods(
        cls,
        frame: pd.DataFrame,
        *,
        naming: str = "end",
        kind: str = "kind",
        start: str = "start",
        end: str = "end",
        id: str | None = None,
    ) -> FiscalCalendar:
        """Explicit fiscal periods from a table with one row per year, quarter and month.

        Parameters
        ----------
        frame : DataFrame
            One row per period: its kind (``"year"``, ``"quarter"`` or ``"month"``),
            its first day and its last day (inclusive). The periods of each kind must
            follow one another without gap or overlap, all kinds must cover the same
            span, and quarters must nest in years and months in quarters.
        naming : {"end", "start"}, keyword-only, default "end"
            Which calendar year numbers a fiscal year: the one holding the middle of
            its last month (``"end"``) or of its first month (``"start"``).
        kind, start, end : str, keyword-only
            The names of the columns holding each row's kind, first day and last day.
        id : str or None, keyword-only, default None
            A column naming each row in error messages; None names rows by the index.

        Returns
        -------
        FiscalCalendar
            The calendar; it holds only the years the table defines.

        Raises
        ------
        SchemaError
            A column is missing.
        InvalidInputError
            An unknown kind, a missing date or one with a time of day, a period ending
            before it starts, a gap or an overlap, kinds covering different spans, a
            quarter splitting a month or a year splitting a quarter (naming the rows),
            or two fiscal years that would get one number.

        Examples
        --------
        >>> import pandas as pd
        >>> from salescore.fiscal import FiscalCalendar
        >>> april = FiscalCalendar.from_start_month(4)
        >>> rows = pd.concat(
        ...     [
        ...         april.periods("2026-04-01", "2027-03-31", kind=kind).assign(kind=kind)
        ...         for kind in ("year", "quarter", "month")
        ...     ],
        ...     ignore_index=True,
        ... )
        >>> calendar = FiscalCalendar.from_periods(rows)
        >>> calendar.period_of("2026-08-15", kind="month")
        'FY2027 P05'

        Row 8, the fourth month (July), is left out:

        >>> FiscalCalendar.from_periods(rows.drop(index=8))
        Traceback (most recent call last):
        ...
        salescore.errors.InvalidInputError: periods: month rows 7 ... leave a gap of 31 day(s); ...
        """
        triples = read_frame(frame, kind=kind, start=start, end=end, id=id)
        return cls(start_month=None, naming=_fields.naming(naming), explicit=triples)

    @classmethod
    def from_salesforce(cls, records: Any, *, naming: str = "end") -> FiscalCalendar:
        """Explicit fiscal periods from Salesforce ``Period`` records.

        Parameters
        ----------
        records : sequence of mappings or DataFrame
            ``Period`` records as the Salesforce API returns them (the ``records`` of
            ``SELECT Id, Type, StartDate, EndDate, FiscalYearSettingsId FROM
            Period``), or an export of them as a table. ``Type``, ``StartDate`` and
            ``EndDate`` are read; ``Id`` names rows in error messages. ``Week`` rows
            are not read. ``Number`` is not read either: it counts within the year
            or within the quarter depending on the org's numbering scheme, so a
            period's position in its year gives the number in its label.
        naming : {"end", "start"}, keyword-only, default "end"
            As for :meth:`from_periods`; match the org's "Fiscal Year is Based On".

        Returns
        -------
        FiscalCalendar
            The calendar; it holds only the years the records define.

        Raises
        ------
        SchemaError
            ``Type``, ``StartDate`` or ``EndDate`` is missing.
        InvalidInputError
            An unknown ``Type``, the problems :meth:`from_periods` refuses, or a
            quarter or month whose ``FiscalYearSettingsId`` is not that of its year
            (naming the rows by ``Id``).

        References
        ----------
        .. [1] Salesforce, Object Reference for the Salesforce Platform, "Period"
           (fields ``Type``: Year, Quarter, Month or Week; ``StartDate``;
           ``EndDate``, the last date of the period; ``Number``;
           ``FiscalYearSettingsId``) and "FiscalYearSettings".

        Examples
        --------
        >>> import pandas as pd
        >>> from salescore.fiscal import FiscalCalendar
        >>> records = [
        ...     {"Id": "Y1", "Type": "Year", "StartDate": "2026-02-01", "EndDate": "2027-01-31"},
        ... ] + [
        ...     {"Id": f"Q{q + 1}", "Type": "Quarter", "StartDate": start, "EndDate": end}
        ...     for q, (start, end) in enumerate([("2026-02-01", "2026-04-30"),
        ...         ("2026-05-01", "2026-07-31"), ("2026-08-01", "2026-10-31"),
        ...         ("2026-11-01", "2027-01-31")])
        ... ] + [
        ...     {"Id": f"M{k}", "Type": "Month", "StartDate": str(p.start_time.date()),
        ...      "EndDate": str(p.end_time.date())}
        ...     for k, p in enumerate(pd.period_range("2026-02", "2027-01", freq="M"))
        ... ]
        >>> calendar = FiscalCalendar.from_salesforce(records)
        >>> calendar.period_of("2026-12-24", kind="month")
        'FY2027 P11'
        """
        triples = read_salesforce(records)
        return cls(start_month=None, naming=_fields.naming(naming), explicit=triples)

    @property
    def end_month(self) -> int | None:
        """The month in which (or, for ``rule="nearest"``, next to which) a year ends."""
        if self.start_month is None:
            return None
        return 12 if self.start_month == 1 else self.start_month - 1

    def freq(self, kind: str) -> FiscalFrequency:
        """The calendar's periods of one kind, as the table functions' ``freq=`` takes them.

        Parameters
        ----------
        kind : {"year", "quarter", "month"}
            The kind of period.

        Returns
        -------
        FiscalFrequency
            Pass it as ``freq=``: the table's ``period`` then holds labels ("FY2027 Q1").

        Raises
        ------
        InvalidInputError
            An unknown kind.

        Examples
        --------
        >>> from salescore.fiscal import FiscalCalendar
        >>> FiscalCalendar.from_start_month(4).freq("quarter").kind
        'quarter'
        """
        return FiscalFrequency(self, kind)

    # ------------------------------------------------------------------ questions

    def periods(self, start: Any, end: Any, *, kind: str) -> pd.DataFrame:
        """The fiscal periods of one kind that overlap the days from ``start`` to ``end``.

        Parameters
        ----------
        start, end : date, str or Timestamp
            The first and last day asked about (``end`` not before ``start``); a
            time of day is ignored and an aware timestamp gives its local date.
        kind : {"year", "quarter", "month"}, keyword-only
            The kind of period.

        Returns
        -------
        DataFrame
            One row per period in time order, with columns ``label`` (str),
            ``start`` and ``end`` (its first and last day, ``datetime64[ns]`` at
            midnight); the first and last periods may reach beyond ``start`` and
            ``end``.

        Raises
        ------
        InvalidInputError
            An unknown kind, a date that cannot be read or is missing, ``end`` before
            ``start``, a period beyond what ``datetime64[ns]`` holds, or, for explicit
            periods, a day outside the years the calendar defines.

        Examples
        --------
        >>> from salescore.fiscal import FiscalCalendar
        >>> FiscalCalendar.from_start_month(7).periods("2026-01-15", "2026-08-01", kind="quarter")
               label      start        end
        0  FY2026 Q3 2026-01-01 2026-03-31
        1  FY2026 Q4 2026-04-01 2026-06-30
        2  FY2027 Q1 2026-07-01 2026-09-30
        """
        kind = option_choice("kind", kind, KINDS)
        first, last = _fields.one_day("start", start), _fields.one_day("end", end)
        if last < first:
            raise InvalidInputError(
                f"end ({day_text(last)}) must not be before start ({day_text(first)})"
            )
        starts, ends, labels = self._groups(kind, first, last, "start and end")
        what = f"the fiscal {kind}s from {day_text(first)} to {day_text(last)}"
        return pd.DataFrame(
            {
                "label": pd.Series(labels, dtype=object),
                "start": timestamps(starts, what),
                "end": timestamps(ends, what),
            }
        )

    def bounds(self, date: Any, *, kind: str) -> tuple[pd.Timestamp, pd.Timestamp]:
        """The first and last day of the fiscal period holding ``date``: "this quarter".

        Parameters
        ----------
        date : date, str or Timestamp
            The day asked about; a time of day is ignored and an aware timestamp gives
            its local date.
        kind : {"year", "quarter", "month"}, keyword-only
            The kind of period.

        Returns
        -------
        tuple of Timestamp
            The period's first and last day (inclusive), naive, at midnight.

        Raises
        ------
        InvalidInputError
            An unknown kind, a date that cannot be read or is missing, a period beyond
            what ``datetime64[ns]`` holds, or, for explicit periods, a date outside the
            years the calendar defines.

        Examples
        --------
        >>> from salescore.fiscal import FiscalCalendar
        >>> FiscalCalendar.from_start_month(4).bounds("2026-11-20", kind="year")
        (Timestamp('2026-04-01 00:00:00'), Timestamp('2027-03-31 00:00:00'))
        """
        kind = option_choice("kind", kind, KINDS)
        day = _fields.one_day("date", date)
        starts, ends, _ = self._groups(kind, day, day, "date")
        first, last = timestamps(
            np.array([starts[0], ends[0]]), f"the fiscal {kind} of {day_text(day)}"
        )
        return first, last

    @overload
    def period_of(self, dates: str | datetime.date | np.datetime64, *, kind: str) -> str | None: ...
    @overload
    def period_of(self, dates: pd.Series[Any], *, kind: str) -> pd.Series[Any]: ...
    @overload
    def period_of(self, dates: Any, *, kind: str) -> Any: ...
    def period_of(self, dates: Any, *, kind: str) -> Any:
        """The label of the fiscal period of one kind that holds each date.

        Parameters
        ----------
        dates : date, str, Timestamp, array_like or Series
            The dates; a time of day is ignored and aware timestamps give their local
            dates. ``NaT`` (a missing date) gives a missing label.
        kind : {"year", "quarter", "month"}, keyword-only
            The kind of period.

        Returns
        -------
        str, None, ndarray or Series
            The labels, of the kind of ``dates``: a ``str`` (None for a missing
            date) for one date, an object array for an array or list, and an object
            Series on the same index (and name) for a Series. Missing dates give
            None, following the NaN policy (unknown in, unknown out).

        Raises
        ------
        InvalidInputError
            An unknown kind, dates that cannot be read, or, for explicit periods,
            dates outside the years the calendar defines (naming their positions).

        Examples
        --------
        >>> import pandas as pd
        >>> from salescore.fiscal import FiscalCalendar
        >>> april = FiscalCalendar.from_start_month(4)
        >>> april.period_of("2026-04-01", kind="month")
        'FY2027 M01'
        >>> closed = pd.Series(
        ...     pd.to_datetime(["2026-06-30", "2026-07-01", None]), index=["D1", "D2", "D3"]
        ... )
        >>> april.period_of(closed, kind="quarter")
        D1    FY2027 Q1
        D2    FY2027 Q2
        D3         None
        dtype: object
        """
        kind = option_choice("kind", kind, KINDS)
        stamps, single = coerce_timestamps("dates", dates)
        days, missing = days_of("dates", stamps)
        out = np.full(days.size, None, dtype=object)
        present = days[~missing]
        if present.size:
            table = self._months_of(int(present.min()), int(present.max()))
            if self.explicit:
                check_inside("dates", table, np.where(missing, table.start[0], days))
            row = np.searchsorted(table.start, present, side="right") - 1
            labels = np.array(
                _months.labels(table, kind, np.arange(table.start.size)), dtype=object
            )
            out[~missing] = labels[row]
        if single:
            return out[0]
        if isinstance(dates, pd.Series):
            return pd.Series(out, index=dates.index, name=dates.name, dtype=object)
        return out
