"""Fiscal calendars: the years, quarters and months a company reports in.

Quotas, forecasts and reports run on the company's fiscal calendar: a year starting in
April or July, or 52/53-week years of 4-4-5 quarters. :class:`FiscalCalendar` describes
one and answers which fiscal period a date falls in, and where that period starts and
ends; :meth:`FiscalCalendar.freq` gives the :class:`FiscalFrequency` that the table
functions' ``freq=`` takes, to split their tables by fiscal period.
"""

from __future__ import annotations

from .calendar import NAMINGS, RULES, WEEKDAYS, FiscalCalendar
from .frequency import FiscalFrequency

__all__ = ["NAMINGS", "RULES", "WEEKDAYS", "FiscalCalendar", "FiscalFrequency"]
