"""Is the pipeline big enough? Coverage, win rate, velocity, cycle length and lead needs."""

from __future__ import annotations

import math
from typing import Any, Literal, TypeAlias, overload

import numpy as np
import numpy.typing as npt
import pandas as pd

from .._arrays import (
    ArrayInput,
    FloatArray,
    Numeric,
    Scalar,
    Values,
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

__all__ = [
    "expected_revenue",
    "leads_needed",
    "pipeline_coverage",
    "pipeline_velocity",
    "required_coverage",
    "sales_cycle",
    "win_rate",
]

_Result: TypeAlias = "float | FloatArray | pd.Series[float]"


def _scaled(factors: tuple[Values, ...], divisors: tuple[Values, ...] = ()) -> Values:
    """The product of ``factors`` divided by the product of ``divisors``, scale-safely.

    Each number is split into a mantissa in [0.5, 1) and a power of two
    (:func:`numpy.frexp`): the mantissas are multiplied and divided (no overflow or
    underflow can happen there) and the powers added, so a result within float range
    is found even when a partial product is not (``1e308 × 10 ÷ 100``), and is the
    same, bit for bit, as the plain expression whenever that does not overflow or
    underflow. A zero divisor gives NaN (the zero-denominator policy); only a result
    that is itself beyond float range (a cycle of 1e-300 days) is ``inf``, for
    :func:`_in_range` to refuse. NaN propagates.
    """
    with np.errstate(all="ignore"):
        mantissa: Any = 1.0
        exponent: Any = 0
        for factor in factors:
            part, power = np.frexp(factor)
            mantissa = mantissa * part
            exponent = exponent + power
        zero: Any = False
        for divisor in divisors:
            part, power = np.frexp(divisor)
            zero = zero | (part == 0.0)
            mantissa = mantissa / np.where(part == 0.0, 1.0, part)
            exponent = exponent - power
        out = np.where(zero, np.nan, np.ldexp(mantissa, exponent))
    if np.ndim(out) == 0:
        return float(out)
    return np.asarray(out, dtype=np.float64)


def _in_range(what: str, result: Values, inputs: dict[str, Values]) -> Values:
    """``result``, or an :class:`InvalidInputError` where it is beyond float range.

    The inputs were checked to be finite, so an infinite result is a true value too
    large for a float (a divisor near 5e-324, amounts near 1e308 multiplied): refused,
    naming the first positions and their inputs, rather than returned as ``inf``.
    """
    infinite = np.isinf(result)
    if not np.any(infinite):
        return result
    hint = "express the amounts in a larger unit (thousands, millions), or check the inputs"
    if isinstance(result, float):
        given = ", ".join(f"{name} {float(value)!r}" for name, value in inputs.items())
        raise InvalidInputError(
            f"{what} exceeds the largest float (about 1.8e308) for {given}; {hint}"
        )
    positions = np.flatnonzero(infinite)
    shown = "; ".join(
        f"[{p}] "
        + ", ".join(
            f"{name} {float(np.broadcast_to(value, result.shape)[p])!r}"
            for name, value in inputs.items()
        )
        for p in positions[:5]
    )
    more = "; …" if positions.size > 5 else ""
    raise InvalidInputError(
        f"{what} exceeds the largest float (about 1.8e308) at {positions.size} of "
        f"{result.size} positions (0-based: {shown}{more}); {hint}"
    )


@overload
def pipeline_coverage(  # type: ignore[overload-overlap]
    pipeline: Scalar, quota: Scalar, *, closed: Scalar = ...
) -> float: ...
@overload
def pipeline_coverage(  # type: ignore[overload-overlap]
    pipeline: Scalar | ArrayInput, quota: Scalar | ArrayInput, *, closed: Scalar | ArrayInput = ...
) -> FloatArray: ...
@overload
def pipeline_coverage(
    pipeline: Numeric, quota: Numeric, *, closed: Numeric = ...
) -> pd.Series[float]: ...
def pipeline_coverage(pipeline: Numeric, quota: Numeric, *, closed: Numeric = 0.0) -> _Result:
    r"""Pipeline coverage: open pipeline ÷ the part of the quota still to win.

    Seed 002 asks whether there are enough deals in the pipeline to reach the next
    quota. A coverage of 3 means three times as much open pipeline as the revenue
    still needed; compare it with :func:`required_coverage` of your win rate.

    Parameters
    ----------
    pipeline : float, array_like or Series
        Value of the open pipeline for the period, >= 0.
    quota : float, array_like or Series
        Quota for the period, >= 0, in the same currency.
    closed : float, array_like or Series, keyword-only, default 0.0
        Revenue already won in the period, >= 0.

    Returns
    -------
    float, ndarray or Series
        Coverage ratio; NaN where the quota is already met (nothing remains to
        cover).

    Raises
    ------
    InvalidInputError
        A negative or infinite amount; a result beyond the largest float (about 1.8e308).
    IndexMismatchError
        Two Series arguments with different indexes.

    See Also
    --------
    required_coverage : the coverage a win rate calls for.

    Notes
    -----
    .. math::

        \text{coverage} = \frac{\text{pipeline}}{\text{quota} - \text{closed}},
        \qquad \text{quota} > \text{closed}

    It is computed scale-safely (mantissas and powers of two apart), so an
    intermediate product beyond the float range does not spoil a result within it;
    a result that itself exceeds the largest float (about 1.8e308) is an error.

    References
    ----------
    .. [1] Seed article 002 of salescore's reference: "do we have enough leads in the
       pipeline to reach the next quota?"

    Examples
    --------
    >>> import salescore
    >>> salescore.pipeline_coverage(900_000, 400_000, closed=100_000)
    3.0
    >>> quota, won = [400_000, 400_000], [100_000, 450_000]
    >>> salescore.pipeline_coverage([900_000, 50_000], quota, closed=won)
    array([ 3., nan])
    """
    (open_value, target, won), wrap = coerce(pipeline=pipeline, quota=quota, closed=closed)
    check_nonnegative("pipeline", open_value)
    check_nonnegative("quota", target)
    check_nonnegative("closed", won)
    with np.errstate(all="ignore"):  # finite amounts >= 0: the difference is finite
        remaining = target - won
    # A quota already met leaves nothing to cover: a zero denominator, so NaN.
    if isinstance(remaining, float):
        remaining = 0.0 if remaining <= 0.0 else remaining
    else:
        remaining = np.where(remaining <= 0.0, 0.0, remaining)
    coverage = _scaled((open_value,), (remaining,))
    inputs = {"pipeline": open_value, "quota": target, "closed": won}
    return wrap(_in_range("pipeline coverage", coverage, inputs))


@overload
def required_coverage(win_rate: Scalar) -> float: ...
@overload
def required_coverage(win_rate: ArrayInput) -> FloatArray: ...
@overload
def required_coverage(win_rate: pd.Series[Any]) -> pd.Series[float]: ...
def required_coverage(win_rate: Numeric) -> _Result:
    r"""The pipeline coverage a win rate calls for: 1 ÷ win rate.

    Parameters
    ----------
    win_rate : float, array_like or Series
        Share of closed deals (or of closed value) that is won, a fraction in [0, 1].

    Returns
    -------
    float, ndarray or Series
        Coverage needed to expect to reach the quota; NaN for a win rate of 0.

    Raises
    ------
    InvalidInputError
        A win rate outside [0, 1]; a result beyond the largest float (about 1.8e308).

    See Also
    --------
    pipeline_coverage : the coverage you have.
    win_rate : the rate to put in.

    Notes
    -----
    .. math::

        \text{required coverage} = \frac{1}{\text{win rate}}

    It is computed scale-safely (mantissas and powers of two apart), so an
    intermediate product beyond the float range does not spoil a result within it;
    a result that itself exceeds the largest float (about 1.8e308) is an error.

    References
    ----------
    .. [1] Seed article 002 of salescore's reference (sales forecast from conversion
       inputs).

    Examples
    --------
    >>> import salescore
    >>> salescore.required_coverage(0.25)
    4.0
    >>> salescore.required_coverage([0.25, 0.0])
    array([ 4., nan])
    """
    (rate,), wrap = coerce(win_rate=win_rate)
    check_probability("win_rate", rate)
    return wrap(_in_range("required coverage", _scaled((1.0,), (rate,)), {"win_rate": rate}))


@overload
def win_rate(won: Scalar, lost: Scalar) -> float: ...  # type: ignore[overload-overlap]
@overload
def win_rate(won: Scalar | ArrayInput, lost: Scalar | ArrayInput) -> FloatArray: ...  # type: ignore[overload-overlap]
@overload
def win_rate(won: Numeric, lost: Numeric) -> pd.Series[float]: ...
def win_rate(won: Numeric, lost: Numeric) -> _Result:
    r"""Share of closed deals that were won: won ÷ (won + lost).

    Counts give the win rate by number of deals; values give it by value.

    Parameters
    ----------
    won : float, array_like or Series
        Deals (or value) won, >= 0.
    lost : float, array_like or Series
        Deals (or value) lost, >= 0.

    Returns
    -------
    float, ndarray or Series
        Win rate in [0, 1]; NaN where nothing was closed.

    Raises
    ------
    InvalidInputError
        A negative or infinite count or value.
    IndexMismatchError
        Two Series arguments with different indexes.

    See Also
    --------
    required_coverage : the coverage this rate calls for.

    Notes
    -----
    .. math::

        \text{win rate} = \frac{W}{W + L}

    Where :math:`W + L` exceeds the largest float (two counts of 1e308), both are first
    divided by the larger, so the rate stays exact (0.5 there, not 0).

    References
    ----------
    .. [1] Seed article 002 of salescore's reference (conversion per stage and
       channel).

    Examples
    --------
    >>> import salescore
    >>> salescore.win_rate(12, 36)
    0.25
    >>> salescore.win_rate([12, 0], [36, 0])
    array([0.25,  nan])
    """
    (w, lost_), wrap = coerce(won=won, lost=lost)
    check_nonnegative("won", w)
    check_nonnegative("lost", lost_)
    # Nothing closed (W + L = 0) gives NaN, as 0 / 0 does.
    with np.errstate(all="ignore"):
        closed = np.add(w, lost_)
        rate = np.divide(w, closed)
        if np.any(np.isinf(closed)):
            # W + L beyond the largest float (1e308 + 1e308) though the rate is not:
            # divide both by the larger first, W / (W + L) = w' / (w' + l').
            larger = np.maximum(w, lost_)
            share, rest = w / larger, lost_ / larger
            rate = np.where(np.isinf(closed), share / (share + rest), rate)
    return wrap(float(rate) if np.ndim(rate) == 0 else rate)


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


@overload
def leads_needed(  # type: ignore[overload-overlap]
    quota: Scalar, conversion_rate: Scalar, average_value: Scalar
) -> float: ...
@overload
def leads_needed(  # type: ignore[overload-overlap]
    quota: Scalar | ArrayInput,
    conversion_rate: Scalar | ArrayInput,
    average_value: Scalar | ArrayInput,
) -> FloatArray: ...
@overload
def leads_needed(
    quota: Numeric, conversion_rate: Numeric, average_value: Numeric
) -> pd.Series[float]: ...
def leads_needed(quota: Numeric, conversion_rate: Numeric, average_value: Numeric) -> _Result:
    r"""Leads needed to reach a quota: quota ÷ (conversion rate × average deal value).

    Seed 002's question, "do we have enough leads to reach the next quota?", turned
    around. The result is not rounded; plan with ``math.ceil`` of it.

    Parameters
    ----------
    quota : float, array_like or Series
        Revenue to reach, >= 0.
    conversion_rate : float, array_like or Series
        Share of leads that become won deals, a fraction in [0, 1].
    average_value : float, array_like or Series
        Average value of a won deal, >= 0.

    Returns
    -------
    float, ndarray or Series
        Number of leads; NaN where conversion rate × average value is 0.

    Raises
    ------
    InvalidInputError
        A negative or infinite amount, or a conversion rate outside [0, 1]; a
        result beyond the largest float (about 1.8e308).
    IndexMismatchError
        Two Series arguments with different indexes.

    See Also
    --------
    expected_revenue : the inverse: revenue from a number of leads.

    Notes
    -----
    .. math::

        N = \frac{\text{quota}}{c \times \bar v}

    It is computed scale-safely (mantissas and powers of two apart), so an
    intermediate product beyond the float range does not spoil a result within it;
    a result that itself exceeds the largest float (about 1.8e308) is an error.

    References
    ----------
    .. [1] Seed article 002 of salescore's reference (sales forecast from new leads
       per period and conversion).

    Examples
    --------
    >>> import math
    >>> import salescore
    >>> salescore.leads_needed(300_000, 0.04, 12_000)
    625.0
    >>> math.ceil(salescore.leads_needed(100_000, 0.03, 12_000))
    278
    >>> salescore.leads_needed(100_000, 0.0, 12_000)
    nan
    """
    (target, rate, average), wrap = coerce(
        quota=quota, conversion_rate=conversion_rate, average_value=average_value
    )
    check_nonnegative("quota", target)
    check_probability("conversion_rate", rate)
    check_nonnegative("average_value", average)
    needed = _scaled((target,), (rate, average))
    inputs = {"quota": target, "conversion_rate": rate, "average_value": average}
    return wrap(_in_range("leads needed", needed, inputs))


@overload
def expected_revenue(  # type: ignore[overload-overlap]
    leads: Scalar, conversion_rate: Scalar, average_value: Scalar
) -> float: ...
@overload
def expected_revenue(  # type: ignore[overload-overlap]
    leads: Scalar | ArrayInput,
    conversion_rate: Scalar | ArrayInput,
    average_value: Scalar | ArrayInput,
) -> FloatArray: ...
@overload
def expected_revenue(
    leads: Numeric, conversion_rate: Numeric, average_value: Numeric
) -> pd.Series[float]: ...
def expected_revenue(leads: Numeric, conversion_rate: Numeric, average_value: Numeric) -> _Result:
    r"""Revenue expected from a number of leads: leads × conversion rate × average value.

    Parameters
    ----------
    leads : float, array_like or Series
        Number of leads, >= 0.
    conversion_rate : float, array_like or Series
        Share of leads that become won deals, a fraction in [0, 1].
    average_value : float, array_like or Series
        Average value of a won deal, >= 0.

    Returns
    -------
    float, ndarray or Series
        Expected revenue in the currency of ``average_value``.

    Raises
    ------
    InvalidInputError
        A negative or infinite amount, or a conversion rate outside [0, 1]; a
        result beyond the largest float (about 1.8e308).
    IndexMismatchError
        Two Series arguments with different indexes.

    See Also
    --------
    leads_needed : the inverse.

    Notes
    -----
    .. math::

        R = N \times c \times \bar v

    It is computed scale-safely (mantissas and powers of two apart), so an
    intermediate product beyond the float range does not spoil a result within it;
    a result that itself exceeds the largest float (about 1.8e308) is an error.

    References
    ----------
    .. [1] Seed article 002 of salescore's reference (sales forecast from new leads
       per period and conversion).

    Examples
    --------
    >>> import salescore
    >>> salescore.expected_revenue(625, 0.04, 12_000)
    300000.0
    >>> salescore.expected_revenue([625, 100], 0.04, 12_000)
    array([300000.,  48000.])
    """
    (n, rate, average), wrap = coerce(
        leads=leads, conversion_rate=conversion_rate, average_value=average_value
    )
    check_nonnegative("leads", n)
    check_probability("conversion_rate", rate)
    check_nonnegative("average_value", average)
    revenue = _scaled((n, rate, average))
    inputs = {"leads": n, "conversion_rate": rate, "average_value": average}
    return wrap(_in_range("expected revenue", revenue, inputs))


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
