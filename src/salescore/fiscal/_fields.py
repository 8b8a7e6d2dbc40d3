"""What a fiscal calendar's fields and arguments accept: months, namings, weekdays, dates.

The converters of :class:`salescore.fiscal.FiscalCalendar`'s fields and the readers of
its methods' date arguments. Each refuses a bad value with an
:class:`~salescore.InvalidInputError` that names the argument and the value, before
any period is worked out.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from .._options import option_choice, option_count
from .._timestamps import coerce_timestamps
from ..errors import InvalidInputError
from ._months import PATTERNS, day_text, days_of

__all__ = [
    "NAMINGS",
    "RULES",
    "WEEKDAYS",
    "explicit",
    "explicit_repr",
    "month",
    "naming",
    "one_day",
    "pattern",
    "rule",
    "start_month",
    "weekday",
    "weekday_name",
]

#: Which calendar year names a fiscal year: that of its last month or of its first.
NAMINGS: Final = ("end", "start")
#: Where a 52/53-week year ends: the last weekday of its end month, or the one nearest
#: the end of that month.
RULES: Final = ("last", "nearest")
#: Three-letter weekday names, Monday first (Monday is 0, as in ``datetime``).
WEEKDAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

_FULL_NAMES: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_NAMES: Final = {
    **{name.lower(): name for name in WEEKDAYS},
    **dict(zip(_FULL_NAMES, WEEKDAYS, strict=True)),
}


def month(name: str, value: object) -> int:
    """A month number, 1 (January) to 12."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise InvalidInputError(
            f"{name} must be a month number from 1 (January) to 12; "
            f"got {type(value).__name__} {value!r:.60}"
        )
    month = option_count(name, value)
    if not 1 <= month <= 12:
        raise InvalidInputError(
            f"{name} must be a month number from 1 (January) to 12; got {month!r:.60}"
        )
    return month


def start_month(value: object) -> int | None:
    return None if value is None else month("start_month", value)


def naming(value: object) -> str:
    return option_choice("naming", value, NAMINGS)


def pattern(value: object) -> str | None:
    return None if value is None else option_choice("pattern", value, tuple(PATTERNS))


def rule(value: object) -> str | None:
    return None if value is None else option_choice("rule", value, RULES)


def weekday(value: int | str | None) -> str | None:
    return None if value is None else weekday_name(value)


def weekday_name(value: object) -> str:
    """A weekday as its three-letter name, from 0-6 (Monday = 0) or a name in any case."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        if 0 <= value <= 6:
            return WEEKDAYS[int(value)]
    elif isinstance(value, str) and value.strip().lower() in _DAY_NAMES:
        return _DAY_NAMES[value.strip().lower()]
    raise InvalidInputError(
        "weekday must be a weekday name such as 'Sat' or 'Saturday', or a number from "
        f"0 (Monday) to 6 (Sunday); got {type(value).__name__} {value!r:.60}"
    )


def explicit(value: object) -> tuple[tuple[str, int, int], ...]:
    """Explicit periods as (kind, first day, last day) triples, day numbers since 1970."""
    if not isinstance(value, tuple):
        raise InvalidInputError(
            "explicit must be a tuple of (kind, first day, last day) triples; "
            f"got {type(value).__name__} {value!r:.60}"
        )
    out = []
    for position, item in enumerate(value):
        if not (
            isinstance(item, tuple)
            and len(item) == 3
            and isinstance(item[0], str)
            and all(isinstance(day, int) and not isinstance(day, bool) for day in item[1:])
        ):
            raise InvalidInputError(
                f"explicit[{position}] must be a (kind, first day, last day) triple, the "
                f"days as integers counted from 1970-01-01; got {item!r:.60}"
            )
        out.append((item[0], item[1], item[2]))
    return tuple(out)


def explicit_repr(value: tuple[tuple[str, int, int], ...]) -> str:
    if not value:
        return "()"
    first = min(start for _, start, _ in value)
    last = max(end for _, _, end in value)
    return f"<{len(value)} periods, {day_text(first)} … {day_text(last)}>"


def one_day(name: str, value: object) -> int:
    """One date (any accepted spelling) as a day number on its own calendar."""
    stamps, single = coerce_timestamps(name, value)
    if not single or len(stamps) != 1:
        raise InvalidInputError(
            f"{name} must be one date; got {type(value).__name__} {value!r:.60}"
        )
    days, missing = days_of(name, stamps)
    if missing[0]:
        raise InvalidInputError(f"{name} must be a date; got {value!r:.60}")
    return int(days[0])
