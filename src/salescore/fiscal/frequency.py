"""Fiscal periods as a table's frequency: a calendar and a kind of period, in one record.

The table functions split their rows by period with a ``freq=`` argument: a pandas
alias (``"M"``, ``"Q"``) for calendar periods, or a :class:`FiscalFrequency` for the
periods of a company's fiscal calendar (``FiscalCalendar.from_start_month(4)
.freq("quarter")``). This module holds the record; :mod:`salescore.fiscal._freq`
holds the engine the table functions share for it. The record names its calendar by
the calendar's engine (:class:`~salescore.fiscal._engine.CalendarEngine`, the base of
:class:`~salescore.fiscal.FiscalCalendar`), since the calendar's module builds it.
"""

from __future__ import annotations

from typing import Any

import attrs

from .._options import option_choice
from ..errors import InvalidInputError
from ._engine import CalendarEngine
from ._months import KINDS

__all__ = ["FiscalFrequency"]


def _calendar(instance: object, attribute: object, value: Any) -> None:
    if not isinstance(value, CalendarEngine):
        raise InvalidInputError(
            "calendar must be a FiscalCalendar (FiscalCalendar.from_start_month(4), "
            f".weeks(...), .from_periods(...)); got {type(value).__name__} {value!r:.60}"
        )


def _kind(value: object) -> str:
    return option_choice("kind", value, KINDS)


@attrs.frozen
class FiscalFrequency:
    """The periods of one kind of a fiscal calendar: what ``freq=`` takes for fiscal periods.

    Every table function with a ``freq=`` argument (``productivity_report``,
    ``loss_reasons``, ``weighted_pipeline``, ``cohort_retention`` …) accepts one in
    place of a pandas alias; its ``period`` column (or index) then holds the fiscal
    labels, such as ``"FY2027 Q1"`` (str, which sort in time order), instead of pandas
    Periods. Build one with :meth:`FiscalCalendar.freq`.

    Parameters
    ----------
    calendar : FiscalCalendar
        The fiscal calendar.
    kind : {"year", "quarter", "month"}
        The kind of period.

    Raises
    ------
    InvalidInputError
        A ``calendar`` that is not a :class:`FiscalCalendar`, or an unknown ``kind``.

    Examples
    --------
    >>> from salescore.fiscal import FiscalCalendar, FiscalFrequency
    >>> april = FiscalCalendar.from_start_month(4)
    >>> april.freq("quarter") == FiscalFrequency(april, "quarter")
    True
    >>> april.freq("week")
    Traceback (most recent call last):
    ...
    salescore.errors.InvalidInputError: kind must be one of 'year', 'quarter', 'month'; got 'week'
    """

    calendar: CalendarEngine = attrs.field(validator=_calendar)
    kind: str = attrs.field(converter=_kind)
