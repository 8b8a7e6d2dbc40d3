"""Business hours: the working week, opening hours and holidays a response time is counted in.

Besides the :class:`BusinessHours` record, this module holds the vectorised counting
of business time between timestamps that :mod:`salescore.leads.response` uses.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import Any, Final, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from .._arrays import align_zones, coerce_timestamps
from ..errors import InvalidInputError, SchemaError

__all__ = ["WEEKDAYS", "BusinessHours"]

IntArray: TypeAlias = npt.NDArray[np.int64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]

#: Three-letter weekday names, Monday first, as NumPy's business-day functions spell them.
WEEKDAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

_FULL_NAMES: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_NAMES: Final = {
    **{name.lower(): name for name in WEEKDAYS},
    **dict(zip(_FULL_NAMES, WEEKDAYS, strict=True)),
}
_CLOCK: Final = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_NS_PER_SECOND: Final = 10**9
_DAY_NS: Final = 86_400 * _NS_PER_SECOND
_NAT: Final = np.iinfo(np.int64).min  # NumPy's and pandas' NaT as an int64
_SHOWN: Final = 5  # how many offending positions an error message lists
_LONGEST: Final = 2.0**63  # nanoseconds: the longest timedelta64[ns], about 292 years


def _zero_d(value: object) -> bool:
    """A 0-d array: iterable by its type, but iterating it raises TypeError."""
    return isinstance(value, np.ndarray) and value.ndim == 0


def _weekdays(value: Any) -> tuple[str, ...]:
    """Working weekdays as three-letter names in week order, from any accepted spelling."""
    if isinstance(value, str):
        text = value.strip()
        if len(text) == 7 and set(text) <= {"0", "1"}:
            flags: list[bool] = [c == "1" for c in text]
            return tuple(day for day, on in zip(WEEKDAYS, flags, strict=True) if on)
        items: list[Any] = [part for part in re.split(r"[\s,]+", text) if part]
    elif isinstance(value, Iterable) and not isinstance(value, bytes) and not _zero_d(value):
        items = list(value)
    else:
        raise InvalidInputError(
            f"weekdays must be a weekmask such as '1111100', or weekday names such as "
            f"'Mon Tue Wed Thu Fri'; got {type(value).__name__} {value!r:.60}"
        )
    flagged = all(isinstance(item, (bool, np.bool_)) for item in items) or all(
        not isinstance(item, np.timedelta64)  # a NumPy integer, but not a flag
        and isinstance(item, (int, np.integer))
        and item in (0, 1)
        for item in items
    )
    if items and flagged:
        if len(items) != 7:
            raise InvalidInputError(
                f"weekdays given as flags must hold 7 of them, Monday first; got {len(items)}"
            )
        return tuple(day for day, on in zip(WEEKDAYS, items, strict=True) if on)
    days = set()
    for item in items:
        name = _DAY_NAMES.get(item.lower()) if isinstance(item, str) else None
        if name is None:
            raise InvalidInputError(
                f"weekdays must hold weekday names such as 'Mon' or 'Monday'; got {item!r:.60}"
            )
        days.add(name)
    return tuple(day for day in WEEKDAYS if day in days)


def _clock(value: Any, name: str) -> datetime.time | None:
    """A time of day; None stands for 24:00, the midnight that ends the day."""
    if value is None:
        return None
    if isinstance(value, datetime.time):
        if value.tzinfo is not None:
            raise InvalidInputError(
                f"{name} must be a time of day without a time zone (the timestamps' own "
                f"clock is used); got {value!r}"
            )
        return value
    if isinstance(value, str):
        match = _CLOCK.fullmatch(value.strip())
        if match is not None:
            hour, minute, second = (int(part or 0) for part in match.groups())
            if (hour, minute, second) == (24, 0, 0):
                return None
            if hour < 24 and minute < 60 and second < 60:
                return datetime.time(hour, minute, second)
    raise InvalidInputError(
        f"{name} must be a datetime.time or a time of day 'HH:MM' from '00:00' to '24:00'; "
        f"got {value!r:.60}"
    )


def _opens(value: Any) -> datetime.time:
    opening = _clock(value, "opens")
    if opening is None:
        raise InvalidInputError("opens must be earlier than 24:00; got '24:00'")
    return opening


def _closes(value: Any) -> datetime.time | None:
    return _clock(value, "closes")


def _holidays(value: Any) -> tuple[datetime.date, ...]:
    if (
        isinstance(value, (str, bytes, datetime.date, np.datetime64))
        or not isinstance(value, Iterable)
        or _zero_d(value)
    ):
        raise InvalidInputError(
            f"holidays must be a sequence of dates (use [date] for a single one); "
            f"got {type(value).__name__} {value!r:.60}"
        )
    dates = set()
    for item in value:
        if isinstance(item, (bool, np.bool_, int, float, np.number)):
            raise InvalidInputError(f"holidays must hold dates, not numbers; got {item!r:.60}")
        try:
            # Texts are read as ISO 8601 only, as everywhere: "5/3/2024" is not guessed.
            stamp = (
                pd.to_datetime(item, format="ISO8601")
                if isinstance(item, str)
                else pd.Timestamp(item)
            )
        except (TypeError, ValueError, OverflowError) as error:
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            reason = reason.split(". You might want")[0].removesuffix(".")
            raise InvalidInputError(f"holidays must hold dates; {reason}") from None
        if pd.isna(stamp):
            raise InvalidInputError("holidays must hold dates; got a missing value")
        if stamp != stamp.normalize():
            raise InvalidInputError(
                f"holidays must hold dates without a time of day; got {item!r:.60}"
            )
        dates.add(stamp.date())
    return tuple(sorted(dates))


def _some_weekday(
    instance: object, attribute: attrs.Attribute[Any], value: tuple[str, ...]
) -> None:
    if not value:
        raise InvalidInputError("weekdays must name at least one working day; got none")


def _ns(clock: datetime.time | None) -> int:
    """Nanoseconds from midnight to ``clock`` (None: to the next midnight)."""
    if clock is None:
        return _DAY_NS
    seconds = clock.hour * 3600 + clock.minute * 60 + clock.second
    return seconds * _NS_PER_SECOND + clock.microsecond * 1000


@attrs.frozen(kw_only=True)
class BusinessHours:
    r"""The hours in which a team is expected to answer leads: working days and opening hours.

    A lead that comes in on Friday at 16:00 and is called back on Monday at 10:00 has
    waited 66 hours, but only 2 business hours with the default calendar (Monday to
    Friday, 09:00 to 17:00): one on Friday, one on Monday. Pass a calendar to
    :func:`response_times` to measure response times in business time. The properties
    ``weekmask`` (NumPy's spelling of the working days, such as ``"1111100"``) and
    ``daily_hours`` (a ``Timedelta``) describe the calendar.

    Parameters
    ----------
    weekdays : str or sequence, default ("Mon", "Tue", "Wed", "Thu", "Fri")
        The working days: a NumPy weekmask of seven flags, Monday first
        (``"1111100"``, or seven booleans), or weekday names (``"Mon Tue Wed"``,
        ``["Saturday", "sun"]``, any case). Stored as three-letter names in week
        order; at least one day.
    opens : datetime.time or str, default "09:00"
        Opening time on each working day, a ``datetime.time`` without time zone or
        ``"HH:MM"`` (``"HH:MM:SS"``).
    closes : datetime.time, str or None, default "17:00"
        Closing time, later than ``opens``. ``"24:00"`` or ``None`` (how it is stored)
        means open until midnight at the end of the day.
    holidays : sequence of dates, default ()
        Dates on which the team does not work although they fall on a working day
        (``datetime.date``, ISO strings, ``Timestamp`` at midnight …). Stored sorted,
        without repeats.

    Raises
    ------
    InvalidInputError
        No working day, an unknown weekday name, a time of day that cannot be read,
        ``opens`` not earlier than ``closes``, or a holiday that is not a date.

    See Also
    --------
    response_times : business time from a lead's creation to its first contact.

    Notes
    -----
    Times of day are read on the timestamps' own clock: naive timestamps as the
    time they state, which the timestamp convention (:data:`salescore.schema.TIMESTAMPS`)
    makes UTC, and time-zone-aware timestamps in their zone (see
    :func:`response_times`). A time zone is therefore not part of the calendar: to
    apply a team's local opening hours to canonical (UTC) timestamps, give them the
    team's zone first, ``created.dt.tz_localize("UTC").dt.tz_convert("Europe/Oslo")``.

    Examples
    --------
    >>> from salescore.leads.calendar import BusinessHours
    >>> hours = BusinessHours(holidays=["2024-12-25", "2024-12-26"])
    >>> hours.weekdays, hours.weekmask, hours.daily_hours
    (('Mon', 'Tue', 'Wed', 'Thu', 'Fri'), '1111100', Timedelta('0 days 08:00:00'))
    >>> BusinessHours(weekdays="Sat Sun", opens="10:00", closes="14:30").weekmask
    '0000011'
    >>> BusinessHours.around_the_clock().daily_hours
    Timedelta('1 days 00:00:00')
    >>> BusinessHours(opens="17:00", closes="09:00")
    Traceback (most recent call last):
    ...
    salescore.errors.InvalidInputError: opens (17:00:00) must be earlier than closes (09:00:00); ...
    """

    weekdays: tuple[str, ...] = attrs.field(
        default=WEEKDAYS[:5], converter=_weekdays, validator=_some_weekday
    )
    opens: datetime.time = attrs.field(default=datetime.time(9), converter=_opens)
    closes: datetime.time | None = attrs.field(default=datetime.time(17), converter=_closes)
    holidays: tuple[datetime.date, ...] = attrs.field(default=(), converter=_holidays)

    def __attrs_post_init__(self) -> None:
        if _ns(self.opens) >= _ns(self.closes):
            closing = "24:00" if self.closes is None else str(self.closes)
            raise InvalidInputError(
                f"opens ({self.opens}) must be earlier than closes ({closing}); "
                "opening hours cannot run past midnight"
            )

    @classmethod
    def around_the_clock(cls) -> BusinessHours:
        """Every day of the week, 00:00 to 24:00, no holidays: business time is elapsed time.

        Returns
        -------
        BusinessHours
            The 24/7 calendar.
        """
        return cls(weekdays=WEEKDAYS, opens="00:00", closes=None)

    @property
    def weekmask(self) -> str:
        """The working days as a NumPy weekmask, Monday first."""
        return "".join("1" if day in self.weekdays else "0" for day in WEEKDAYS)

    @property
    def daily_hours(self) -> pd.Timedelta:
        """How long the team is open on a working day."""
        return pd.Timedelta(_ns(self.closes) - _ns(self.opens), unit="ns")

    def _bounds_ns(self) -> tuple[int, int]:
        """Opening and closing as nanoseconds after midnight."""
        return _ns(self.opens), _ns(self.closes)

    def _calendar(self) -> np.busdaycalendar:
        holidays = np.array([np.datetime64(day, "D") for day in self.holidays], dtype="M8[D]")
        return np.busdaycalendar(weekmask=self.weekmask, holidays=holidays)


# ------------------------------------------------------- timestamps and business time


def _business_ns(start: pd.DatetimeIndex, end: pd.DatetimeIndex, hours: BusinessHours) -> IntArray:
    """Business nanoseconds from each ``start`` to its ``end`` (both present, in order).

    Naive timestamps are read as wall-clock times, and the whole working days in
    between come from ``np.busday_count``. For aware timestamps the opening and
    closing instants of each local day are placed on the time line, so that a day on
    which the clocks change counts the time that really passed.
    """
    opening, closing = hours._bounds_ns()
    length = closing - opening
    calendar = hours._calendar()
    if start.size == 0:
        return np.empty(0, dtype=np.int64)
    wall_start = start.tz_localize(None).asi8 if start.tz is not None else start.asi8
    wall_end = end.tz_localize(None).asi8 if end.tz is not None else end.asi8
    day_start = wall_start // _DAY_NS
    day_end = wall_end // _DAY_NS
    if start.tz is None:

        def part(wall: IntArray, day: IntArray) -> IntArray:
            """Business time of ``day`` before ``wall``."""
            working = np.is_busday(day.astype("M8[D]"), busdaycal=calendar)
            return np.where(working, np.clip(wall - day * _DAY_NS - opening, 0, length), 0)

        whole = np.busday_count(
            day_start.astype("M8[D]"), day_end.astype("M8[D]"), busdaycal=calendar
        ).astype(np.int64)
        return whole * length + part(wall_end, day_end) - part(wall_start, day_start)

    first = int(day_start.min())
    days = np.arange(first, int(day_end.max()) + 1, dtype=np.int64)

    def instants(offset: int) -> IntArray:
        wall = pd.DatetimeIndex((days * _DAY_NS + offset).view("M8[ns]"))
        # An opening time the clocks skip starts when they resume; one they repeat
        # counts from its first occurrence. 24:00 is the next day's 00:00, so a
        # round-the-clock calendar covers the time line without gaps or overlaps.
        local = wall.tz_localize(
            start.tz, ambiguous=np.ones(days.size, dtype=bool), nonexistent="shift_forward"
        )
        return np.asarray(local.asi8, dtype=np.int64)

    opens = instants(opening)
    working = np.is_busday(days.astype("M8[D]"), busdaycal=calendar)
    lengths = np.where(working, instants(closing) - opens, 0)
    before = np.concatenate(([0], np.cumsum(lengths)))

    def cumulative(instant: IntArray, day: IntArray) -> IntArray:
        """Business time from the first day of the table to ``instant``."""
        i = day - first
        return np.asarray(before[i] + np.clip(instant - opens[i], 0, lengths[i]), dtype=np.int64)

    return cumulative(end.asi8, day_end) - cumulative(start.asi8, day_start)


def _nanoseconds(name: str, stamps: pd.DatetimeIndex) -> pd.DatetimeIndex:
    try:
        return stamps.as_unit("ns")
    except (OverflowError, ValueError):
        raise InvalidInputError(
            f"{name} must lie between 1677-09-22 and 2262-04-11 (nanosecond timestamps)"
        ) from None


def _zones(
    start: pd.DatetimeIndex, end: pd.DatetimeIndex
) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex]:
    """``start`` and ``end`` on one clock (see :func:`~salescore._arrays.align_zones`).

    ``end`` is put in the zone of ``start`` when both are aware; both are naive UTC
    when only one is.
    """
    start, end = align_zones(start, end)
    if start.tz is not None and str(end.tz) != str(start.tz):
        return start, end.tz_convert(start.tz)
    return start, end


def _response_ns(
    start: pd.DatetimeIndex, end: pd.DatetimeIndex, hours: BusinessHours | None
) -> IntArray:
    """Elapsed or business nanoseconds per lead, NaT (as int64) where a stamp is missing."""
    present = ~(np.asarray(start.isna()) | np.asarray(end.isna()))
    out = np.full(start.size, _NAT, dtype=np.int64)
    if hours is None:
        out[present] = end.asi8[present] - start.asi8[present]
    else:
        out[present] = _business_ns(start[present], end[present], hours)
    return out


def _too_far_apart(start: pd.DatetimeIndex, end: pd.DatetimeIndex) -> BoolArray:
    with np.errstate(invalid="ignore"):
        gap = end.asi8.astype(np.float64) - start.asi8.astype(np.float64)
    present = ~(np.asarray(start.isna()) | np.asarray(end.isna()))
    return np.asarray(present & (gap >= _LONGEST), dtype=bool)


def _business_hours(value: object) -> BusinessHours | None:
    if value is None or isinstance(value, BusinessHours):
        return value
    raise InvalidInputError(
        f"business_hours must be a BusinessHours calendar or None; got {type(value).__name__}"
    )


def _timestamps(name: str, value: Any) -> tuple[pd.DatetimeIndex, bool]:
    """``coerce_timestamps``, reading a datetime64 Series directly (aware ones, too)."""
    if isinstance(value, pd.Series) and pd.api.types.is_datetime64_any_dtype(value.dtype):
        return pd.DatetimeIndex(value), False
    return coerce_timestamps(name, value)


def _positions(mask: BoolArray, index: pd.Index[Any] | None) -> str:
    positions = np.flatnonzero(mask)
    shown = ", ".join(str(p) for p in positions[:_SHOWN])
    more = ", …" if positions.size > _SHOWN else ""
    labels = "" if index is None else f" (labels {list(index[positions[:_SHOWN]])!r})"
    return f"{positions.size} of {mask.size} leads (0-based positions: {shown}{more}){labels}"


def _stamps(leads: pd.DataFrame, column: str) -> pd.DatetimeIndex:
    dtype = leads[column].dtype
    if not pd.api.types.is_datetime64_any_dtype(dtype):
        raise SchemaError(
            f"leads: column {column!r} must hold datetimes (datetime64); it has dtype {dtype} "
            "(convert it with pandas.to_datetime)"
        )
    return _nanoseconds(column, pd.DatetimeIndex(leads[column]))
