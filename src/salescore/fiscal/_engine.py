"""The engine under a fiscal calendar: its month table over a span of days, and its periods.

:class:`CalendarEngine` is the base of :class:`salescore.fiscal.FiscalCalendar`: it
turns the calendar's fields into the month table of :mod:`salescore.fiscal._months`
(built for the days asked about, or read from explicit periods), and lists the
periods of one kind over a span. It is its own module so that the records built on a
calendar (:class:`salescore.fiscal.FiscalFrequency`) can name it without importing the
calendar's module, which builds them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _months
from ._fields import WEEKDAYS
from ._months import Months, groups
from ._periods import check_inside, explicit_table

__all__ = ["CalendarEngine"]


class CalendarEngine:
    """The month table and periods of a calendar; its fields are the subclass's."""

    __slots__ = ()

    start_month: int | None
    naming: str
    pattern: str | None
    weekday: str | None
    rule: str | None
    explicit: tuple[tuple[str, int, int], ...]

    def _months_of(self, first_day: int, last_day: int) -> Months:
        """The month table covering the days ``first_day`` to ``last_day``."""
        if self.explicit:
            return explicit_table(self.explicit, self.naming)
        month, naming = self.start_month, self.naming
        assert month is not None
        if self.pattern is None:
            return _months.standard_months(month, naming, first_day, last_day)
        assert self.weekday is not None
        assert self.rule is not None
        day = WEEKDAYS.index(self.weekday)
        return _months.week_months(month, day, self.rule, self.pattern, naming, first_day, last_day)

    def _groups(
        self, kind: str, first_day: int, last_day: int, name: str
    ) -> tuple[Any, Any, list[str]]:
        table = self._months_of(first_day, last_day)
        if self.explicit:
            asked = [first_day] if first_day == last_day else [first_day, last_day]
            check_inside(name, table, np.array(asked, dtype=np.int64))
        starts, ends, labels = groups(table, kind)
        keep = np.flatnonzero((ends >= first_day) & (starts <= last_day))
        return starts[keep], ends[keep], [labels[k] for k in keep]
