"""How fast does the pipeline turn into revenue? Pipeline velocity and the sales cycle.

:func:`~salescore.pipeline_velocity` is the revenue the open pipeline produces per
day, from the number of opportunities, the win rate, the average deal value and the
cycle length; :func:`~salescore.sales_cycle` measures that cycle length in days from
each deal's creation and close dates.
"""

from __future__ import annotations

import math
from typing import Any, Literal, overload

import numpy as np
import numpy.typing as npt
import pandas as pd

from .._arrays import (
    ArrayInput,
    FloatArray,
    Numeric,
    Scalar,
    align_zones,
    check_nonnegative,
    check_probability,
    coerce,
    coerce_timestamps,
    option_choice,
    option_flag,
)
from ..errors import IndexMismatchError, InvalidInputError
from ._deals import TOO_FAR, elapsed_days
from ._scaling import _in_range, _Result, _scaled

__all__ = ["pipeline_velocity", "sales_cycle"]


@overload
def pipeline_velocity(  # type: ignore[overload-overlap]
    opportunities: Scalar, win_rate: Scalar, average_value: Scalar, cycle_days: Scalar
) -> float: ...
@overload
def pipeline_velocity(  # type: ignore[overload-overlap]
    opportunities: Scalar | ArrayInput,
    win_rate: Scalar | ArrayInput,
    average_value: Scalar | ArrayInput,
    cycle_days: Scalar | ArrayInput,
) -> FloatArray: ...
@overload
def pipeline_velocity(
    opportunities: Numeric, win_rate: Numeric, average_value: Numeric, cycle_days: Numeric
) -> pd.Series[float]: ...
def pipeline_velocity(
    opportunities: Numeric, win_rate: Numeric, average_value: Numeric, cycle_days: Numeric
) -> _Result:
    r"""Sales velocity: the revenue the pipeline produces per day.

    Parameters
    ----------
    opportunities : float, array_like or Series
        Number of open opportunities, >= 0.
    win_rate : float, array_like or Series
        Share of opportunities won, a fraction in [0, 1].
    average_value : float, array_like or Series
        Average value of a won deal, >= 0.
    cycle_days : float, array_like or Series
        Average length of the sales cycle in days, >= 0.

    Returns
    -------
    float, ndarray or Series
        Revenue per day; NaN where the cycle length is 0.

    Raises
    ------
    InvalidInputError
        A negative or infinite input, or a win rate outside [0, 1]; a result
        beyond the largest float (about 1.8e308).
    IndexMismatchError
        Two Series arguments with different indexes.

    See Also
    --------
    sales_cycle : the cycle length from deal dates.

    Notes
    -----
    .. math::

        \text{velocity} = \frac{N \times \text{win rate} \times \bar v}{\text{cycle days}}

    It is computed scale-safely (mantissas and powers of two apart), so an
    intermediate product beyond the float range does not spoil a result within it;
    a result that itself exceeds the largest float (about 1.8e308) is an error.

    References
    ----------
    .. [1] The "sales velocity" equation as CRM vendors (Salesforce, HubSpot) present
       it: opportunities × win rate × average deal value ÷ sales-cycle length.

    Examples
    --------
    >>> import salescore
    >>> salescore.pipeline_velocity(40, 0.25, 12_000, 60)
    2000.0
    >>> salescore.pipeline_velocity([40, 40], 0.25, 12_000, [60, 0])
    array([2000.,   nan])
    """
    (n, rate, average, days), wrap = coerce(
        opportunities=opportunities,
        win_rate=win_rate,
        average_value=average_value,
        cycle_days=cycle_days,
    )
    check_nonnegative("opportunities", n)
    check_probability("win_rate", rate)
    check_nonnegative("average_value", average)
    check_nonnegative("cycle_days", days)
    velocity = _scaled((n, rate, average), (days,))
    inputs = {"opportunities": n, "win_rate": rate, "average_value": average, "cycle_days": days}
    return wrap(_in_range("pipeline velocity", velocity, inputs))


def _timestamps(name: str, values: Any) -> pd.DatetimeIndex:
    stamps, single = coerce_timestamps(name, values)
    if single:
        raise InvalidInputError(
            f"{name} must be a one-dimensional sequence of timestamps; got {type(values).__name__}"
        )
    return stamps


def _is_calendar(stamps: pd.DatetimeIndex) -> bool:
    """Whether ``stamps`` hold calendar dates: every non-missing value at midnight."""
    present = stamps[stamps.notna()]
    return bool(present.size) and bool((present == present.normalize()).all())


def _backwards(
    start: pd.DatetimeIndex,
    end: pd.DatetimeIndex,
    negative: npt.NDArray[np.bool_],
    index: pd.Index[Any] | None,
    calendar: bool,
) -> str:
    """The error message for deals closed before they were created, naming the first few."""
    positions = np.flatnonzero(negative)
    shown = []
    for position in positions[:5]:
        label = "" if index is None else f" (label {index[position]!r})"
        close = end[position].date().isoformat() if calendar else str(end[position])
        shown.append(f"position {position}{label}: created {start[position]}, closed {close}")
    more = "; …" if positions.size > 5 else ""
    what = "the date of created" if calendar else "created"
    return (
        f"closed is before {what} for {positions.size} of {negative.size} deals: "
        f"{'; '.join(shown)}{more}"
    )


def sales_cycle(
    created: Any,
    closed: Any,
    *,
    statistic: Literal["median", "mean"] | None = "median",
    skipna: bool = False,
) -> Any:
    r"""Length of the sales cycle in days, from creation to close of each deal.

    Parameters
    ----------
    created : Series, array_like of datetime64, or sequence of dates
        When each deal was created (or the lead first came in).
    closed : Series, array_like of datetime64, or sequence of dates
        When each deal was closed, in the same order; NaT where not closed. Calendar
        close dates (every value at midnight, as the canonical ``close_date``) count
        whole days from the creation date (see Notes).
    statistic : {"median", "mean"} or None, keyword-only, default "median"
        The summary to return; ``None`` returns each deal's cycle in days (a Series
        on the index of a Series argument, otherwise a float64 array).
    skipna : bool, keyword-only, default False
        Summarise only the deals with both dates; by default a missing date (NaT)
        makes the summary NaN. Only True or False.

    Returns
    -------
    float, ndarray or Series
        Days, as a float: whole days when ``closed`` holds calendar dates, fractions
        of a day between two instants.

    Raises
    ------
    InvalidInputError
        Arguments that are not timestamps, of different lengths, an unknown
        ``statistic``, a ``skipna`` that is not a bool, or a deal that closed before
        it was created: a close date before the creation date, or a close instant
        before the creation instant (the message gives the positions, the labels of a
        Series, and both timestamps); or created and closed more than 292 years apart,
        which a nanosecond duration cannot hold.
    IndexMismatchError
        Two Series with different indexes.

    See Also
    --------
    pipeline_velocity : uses the cycle length.

    Notes
    -----
    Between two instants the cycle is the exact elapsed time,

    .. math::

        d_i = \frac{t^\text{closed}_i - t^\text{created}_i}{1\ \text{day}}.

    A canonical ``close_date`` is a calendar date, not a moment (midnight of that
    date), while ``created`` is an instant: a deal created at 09:30 and closed the same
    day would otherwise close 9.5 hours before it was created. So when ``closed``
    holds calendar dates (every non-missing value at midnight), the cycle counts whole
    days from the creation *date*, ``created`` floored to midnight:

    .. math::

        d_i = \frac{t^\text{closed}_i - \lfloor t^\text{created}_i
        \rfloor_\text{day}}{1\ \text{day}},

    so a deal closed on the day it was created has a cycle of 0 days, and one created
    at 09:30 and closed the next day 1 day. A close date before the creation date is
    an error; so, between instants, is a close before the creation. A set of close
    instants that all fall exactly at midnight is read as dates.

    Timestamps follow the timestamp convention of :data:`salescore.schema.TIMESTAMPS`:
    a naive timestamp is read as UTC, and when one argument is time-zone aware and the
    other naive, the aware one is converted to UTC (a CRM's creation instant beside its
    calendar close dates), so the creation date is its UTC date. When both are aware,
    the days are counted on the close dates' calendar: the creation date in their zone,
    and a day with a clock change counts as one day.

    References
    ----------
    .. [1] Nutshell, the Norwegian edition of its article on the sales metrics a sales
       manager should track (time spent per stage and in the pipeline).

    Examples
    --------
    >>> import salescore
    >>> created = ["2026-01-05", "2026-01-10", "2026-02-01"]
    >>> closed = ["2026-02-04", "2026-01-20", "2026-03-03"]
    >>> salescore.sales_cycle(created, closed)
    30.0
    >>> salescore.sales_cycle(created, closed, statistic=None)
    array([30., 10., 30.])

    Creation instants beside calendar close dates, as a CRM gives them: whole days
    from the creation date, 0 for a deal closed on the day it was created. An aware
    creation time beside naive close dates is read in UTC:

    >>> import pandas as pd
    >>> salescore.sales_cycle(
    ...     pd.Series(pd.to_datetime(["2026-01-04 09:30", "2026-01-04 09:30"])),
    ...     pd.Series(pd.to_datetime(["2026-01-04", "2026-01-14"])),
    ...     statistic=None,
    ... ).tolist()
    [0.0, 10.0]
    >>> salescore.sales_cycle(
    ...     pd.Series(pd.to_datetime(["2026-01-04 12:00+00:00"])),
    ...     pd.Series(pd.to_datetime(["2026-01-14"])),
    ... )
    10.0

    Between two instants, the exact time:

    >>> salescore.sales_cycle(["2026-01-04 09:00"], ["2026-01-05 21:00"])
    1.5

    A close date before the creation date:

    >>> salescore.sales_cycle(["2026-01-04 09:30"], ["2026-01-03"])
    Traceback (most recent call last):
    ...
    salescore.errors.InvalidInputError: closed is before the date of created for 1 of 1
    deals: position 0: created 2026-01-04 09:30:00, closed 2026-01-03
    """
    summary = (
        None if statistic is None else option_choice("statistic", statistic, ("median", "mean"))
    )
    skipna = option_flag("skipna", skipna)
    index = None
    for values in (created, closed):
        if isinstance(values, pd.Series):
            if index is not None and not values.index.equals(index):
                raise IndexMismatchError(
                    "created and closed are Series with different indexes; align them first"
                )
            index = values.index
    start = _timestamps("created", created)
    end = _timestamps("closed", closed)
    if start.size != end.size:
        raise InvalidInputError(
            f"created has {start.size} elements but closed has {end.size}; they must match"
        )
    start, end = align_zones(start, end)
    calendar = _is_calendar(end)
    origin, finish = start, end
    if calendar:
        # A close date names a day, not the moment after midnight: count whole days
        # from the day of creation, on the close dates' calendar (their zone's wall
        # dates, so that a day with a clock change still counts as one, or UTC).
        if end.tz is not None:
            origin = origin.tz_convert(end.tz).tz_localize(None)
            finish = end.tz_localize(None)
        origin = origin.normalize()
    days, far = elapsed_days(finish, origin)
    if far is not None:
        positions = np.flatnonzero(far)
        shown = "; ".join(
            f"position {p}: created {start[p]}, closed {end[p]}" for p in positions[:5]
        )
        raise InvalidInputError(
            f"created and closed are {TOO_FAR} for {positions.size} of {far.size} deals: "
            f"{shown}{'; …' if positions.size > 5 else ''}"
        )
    negative = days < 0.0
    if negative.any():
        raise InvalidInputError(_backwards(start, end, negative, index, calendar))
    if summary is None:
        return pd.Series(days, index=index) if index is not None else days
    if skipna:
        days = days[~np.isnan(days)]
    if days.size == 0 or np.isnan(days).any():
        return math.nan
    return float(np.median(days) if summary == "median" else np.mean(days))
