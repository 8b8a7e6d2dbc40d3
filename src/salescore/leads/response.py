"""Lead response times: how long leads wait for a first contact, and how many wait too long."""

from __future__ import annotations

import datetime
import math
import numbers
from collections.abc import Sequence
from typing import Any, Final, TypeAlias, overload

import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import schema
from .._arrays import coerce, option_number
from .._tables import group_columns, option_column, row_ids, which
from ..engines import Table, engine_name
from ..errors import IndexMismatchError, InvalidInputError
from ._response_table import group_quantiles, lead_groups, response_table
from .calendar import (
    _NAT,
    BusinessHours,
    IntArray,
    _business_hours,
    _nanoseconds,
    _positions,
    _response_ns,
    _stamps,
    _timestamps,
    _too_far_apart,
    _zones,
)

__all__ = ["response_report", "response_times", "sla_attainment"]

# The helpers' names before they moved to ``_response_table``.
_groups, _group_quantiles = lead_groups, group_quantiles

#: One timestamp: an ISO string, a ``datetime`` or ``Timestamp``, or ``numpy.datetime64``.
TimestampLike: TypeAlias = str | datetime.date | np.datetime64
BoolArray: TypeAlias = npt.NDArray[np.bool_]

_MINUTE_NS: Final = 60 * 10**9
_SHOWN: Final = 5
_FIVE_MINUTES: Final = pd.Timedelta(minutes=5)  # Nutshell's target for a first contact


# ------------------------------------------------------------------ response times


def _timestamp_pair(
    created: Any, first_contact: Any
) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex, pd.Index[Any] | None, bool]:
    """Both arguments as nanosecond DatetimeIndexes, broadcast; the Series index; scalar?"""
    index: pd.Index[Any] | None = None
    for value in (created, first_contact):
        if isinstance(value, pd.Series):
            if index is not None and not value.index.equals(index):
                raise IndexMismatchError(
                    "created and first_contact are Series with different indexes; "
                    "salescore never combines Series by position: align them first"
                )
            index = value.index if index is None else index
    start, start_single = _timestamps("created", created)
    end, end_single = _timestamps("first_contact", first_contact)
    if start.size != end.size:
        if start_single:
            start = start.repeat(end.size)
        elif end_single:
            end = end.repeat(start.size)
        else:
            raise InvalidInputError(
                f"created has {start.size} elements but first_contact has {end.size}; "
                "they must have equal lengths"
            )
    start, end = _zones(start, end)
    start = _nanoseconds("created", start)
    end = _nanoseconds("first_contact", end)
    return start, end, index, start_single and end_single


@overload
def response_times(
    created: TimestampLike,
    first_contact: TimestampLike,
    *,
    business_hours: BusinessHours | None = ...,
) -> pd.Timedelta: ...
@overload
def response_times(
    created: pd.Series[Any], first_contact: Any, *, business_hours: BusinessHours | None = ...
) -> pd.Series[pd.Timedelta]: ...
@overload
def response_times(
    created: Any, first_contact: pd.Series[Any], *, business_hours: BusinessHours | None = ...
) -> pd.Series[pd.Timedelta]: ...
@overload
def response_times(
    created: Any, first_contact: Any, *, business_hours: BusinessHours | None = ...
) -> npt.NDArray[np.timedelta64]: ...
def response_times(
    created: Any, first_contact: Any, *, business_hours: BusinessHours | None = None
) -> Any:
    r"""Time from each lead's creation to its first contact, elapsed or in business hours.

    Nutshell's article on the sales metrics a sales manager should track asks sales
    managers to watch lead response time: a seller who tries to reach a lead within 5
    minutes of its showing interest is more than 5 times as likely to reach it, and the
    chance falls markedly by 10 minutes. With a :class:`BusinessHours` calendar only the
    time the team is open counts, so a lead that comes in at night is not held against
    the morning shift.

    Parameters
    ----------
    created : timestamp, array_like of datetime64, or Series
        When each lead came in (a ``pandas.Timestamp``, ``datetime``,
        ``numpy.datetime64`` or ISO string).
    first_contact : timestamp, array_like of datetime64, or Series
        When each lead was first contacted, in the same order; NaT where it never
        was. Time-zone-aware timestamps in another zone than ``created`` are
        converted to that zone; aware timestamps beside naive ones are converted
        to UTC (see Notes).
    business_hours : BusinessHours or None, keyword-only, default None
        Count only the time inside these opening hours; ``None`` counts all
        elapsed time.

    Returns
    -------
    Timedelta, ndarray or Series
        A ``pandas.Timedelta`` when both arguments are single timestamps, a
        ``timedelta64[ns]`` Series named ``response_time`` on the common index when
        either is a Series, otherwise a ``timedelta64[ns]`` array. NaT where either
        timestamp is missing: a lead never contacted has no response time (see
        :func:`sla_attainment` for how such leads count; a lead without a creation
        time, also NaT, would count there as never contacted).

    Raises
    ------
    InvalidInputError
        Values that are not timestamps, arguments of different lengths, a first
        contact before the lead was created or more than 292 years after it (the
        message gives the positions, and labels for a Series), or a
        ``business_hours`` that is not a calendar.
    IndexMismatchError
        Two Series with different indexes.

    See Also
    --------
    BusinessHours : the calendar.
    sla_attainment : the share of leads answered within a target time.
    response_report : response times per seller or source.

    Notes
    -----
    Elapsed time is :math:`r_i = t^\text{contact}_i - t^\text{created}_i`. With a
    calendar whose working days :math:`\mathcal{D}` (weekdays minus holidays) are
    open from :math:`o` to :math:`c`, the business time is the length of the part
    of :math:`[t^\text{created}_i, t^\text{contact}_i]` that lies in opening hours:

    .. math::

        b_i = \sum_{d \in \mathcal{D}}
            \bigl|\,[t^\text{created}_i, t^\text{contact}_i] \cap [d + o, d + c]\,\bigr|
            = B(t^\text{contact}_i) - B(t^\text{created}_i),

    where :math:`B(t)` is the business time up to :math:`t`, so that business times
    of consecutive intervals add up, :math:`0 \le b_i \le r_i`, and
    :math:`b_i = r_i` for a round-the-clock calendar. Whole working days come from
    ``numpy.busday_count``; only the first and last day are partial.

    Timestamps follow :data:`salescore.schema.TIMESTAMPS`: a naive timestamp means
    UTC, and when one argument is time-zone aware and the other naive, the aware one
    is converted to UTC and its zone dropped. Opening hours are read on the
    timestamps' own clock: naive timestamps as the times they state (UTC for
    canonical tables), aware ones in the zone of ``created``; give canonical
    timestamps the team's zone (``tz_localize("UTC").tz_convert(zone)``) to apply
    local opening hours. On a day the clocks change inside opening hours (a night
    shift or a round-the-clock team), aware timestamps count the time that really
    passed; naive timestamps cannot tell and count the time on the clock.

    References
    ----------
    .. [1] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition): try to reach a lead within 5 minutes, when contact is more
       than 5 times as likely as later (after LeadResponseManagement.org). See Sources
       in the documentation.
    .. [2] J. B. Oldroyd, K. McElheran and D. Elkington, "The Short Life of Online
       Sales Leads", *Harvard Business Review*, March 2011.

    Examples
    --------
    A lead created on Friday at 16:00 and called on Monday at 10:00 waited 66 hours,
    2 of them business hours (Mon–Fri 09:00–17:00):

    >>> from salescore.leads.calendar import BusinessHours
    >>> from salescore.leads.response import response_times
    >>> response_times("2024-03-08 16:00", "2024-03-11 10:00")
    Timedelta('2 days 18:00:00')
    >>> response_times("2024-03-08 16:00", "2024-03-11 10:00", business_hours=BusinessHours())
    Timedelta('0 days 02:00:00')
    >>> import pandas as pd
    >>> ids = ["L1", "L2"]
    >>> created = pd.Series(pd.to_datetime(["2024-03-11 09:00", "2024-03-11 09:30"]), index=ids)
    >>> first = pd.Series(pd.to_datetime(["2024-03-11 09:04", None]), index=ids)
    >>> response_times(created, first)
    L1   0 days 00:04:00
    L2               NaT
    Name: response_time, dtype: timedelta64[ns]
    """
    hours = _business_hours(business_hours)
    start, end, index, scalar = _timestamp_pair(created, first_contact)
    early = np.asarray(end < start, dtype=bool)
    if early.any():
        raise InvalidInputError(f"first_contact is before created for {_positions(early, index)}")
    far = _too_far_apart(start, end)
    if far.any():
        raise InvalidInputError(
            f"first_contact is more than 292 years after created for {_positions(far, index)}"
        )
    result = _response_ns(start, end, hours).view("m8[ns]")
    if scalar:
        return pd.Timedelta(result[0])
    if index is not None:
        return pd.Series(result, index=index, name="response_time")
    return result


# ------------------------------------------------------------------ SLA attainment


def _is_duration(value: object) -> bool:
    return isinstance(value, (pd.Timedelta, datetime.timedelta, np.timedelta64))


def _duration_array(name: str, value: Any) -> tuple[npt.NDArray[np.float64], IntArray | None]:
    """Minutes as floats (NaN where missing) and, for timedeltas, exact nanoseconds."""
    if value is pd.NaT:
        return np.array([math.nan]), None
    if _is_duration(value):
        value = [value]
    array: npt.NDArray[Any] | None = None
    if isinstance(value, (list, tuple)):
        array = np.asarray(value, dtype=object) if len(value) else np.empty(0)
    elif isinstance(value, pd.Index) or (
        isinstance(value, pd.Series) and value.dtype.kind in "mMO"
    ):
        array = value.to_numpy()
    elif isinstance(value, np.ndarray):
        array = value
    if array is not None and array.ndim == 1:
        kind = array.dtype.kind
        if kind == "M":
            raise InvalidInputError(
                f"{name} must hold durations (timedeltas or minutes), not timestamps; "
                f"got dtype {array.dtype} (subtract the creation times first)"
            )
        if kind == "O":
            inferred = pd.api.types.infer_dtype(array, skipna=True)
            if inferred in ("timedelta", "timedelta64"):
                kind = "m"
            elif inferred in ("empty", "floating", "integer", "mixed-integer-float"):
                try:
                    array = pd.to_numeric(pd.Series(array, dtype=object)).to_numpy(dtype=np.float64)
                except (OverflowError, TypeError, ValueError):  # an int such as 10**400
                    raise InvalidInputError(
                        f"{name} must hold numbers of minutes within float range; got {value!r:.60}"
                    ) from None
            else:
                raise InvalidInputError(
                    f"{name} must hold durations or numbers of minutes; got {inferred} values"
                )
        if kind == "m":
            try:
                ns = np.asarray(pd.to_timedelta(array).as_unit("ns").asi8, dtype=np.int64)
            except (OverflowError, ValueError) as error:
                raise InvalidInputError(f"{name} must hold durations; {error}") from None
            return np.where(ns == _NAT, math.nan, ns / _MINUTE_NS), ns
        value = array
    (values,), _ = coerce(**{name: value})
    return np.atleast_1d(np.asarray(values, dtype=np.float64)), None


def _limit(within: object) -> tuple[float, int | None]:
    """The target time ``within`` as minutes and, for a timedelta, nanoseconds."""
    if _is_duration(within) and not pd.isna(pd.Timedelta(within)):  # type: ignore[arg-type]
        ns = int(pd.Timedelta(within).value)  # type: ignore[arg-type]
        if ns < 0:
            raise InvalidInputError(f"within must be a duration >= 0; got {within!r}")
        return ns / _MINUTE_NS, ns
    if isinstance(within, (bool, np.bool_)) or not isinstance(
        within, (numbers.Real, np.integer, np.floating)
    ):
        raise InvalidInputError(
            f"within must be a Timedelta or a number of minutes >= 0; got {within!r:.60}"
        )
    minutes = option_number("within", within, allow_nan=True)
    if not (0.0 <= minutes < math.inf):
        raise InvalidInputError(f"within must be a finite number of minutes >= 0; got {within!r}")
    return minutes, None


def _check_durations(name: str, minutes: npt.NDArray[np.float64]) -> None:
    with np.errstate(invalid="ignore"):
        bad = (minutes < 0.0) | np.isinf(minutes)
    if bad.any():
        positions = np.flatnonzero(bad)
        shown = ", ".join(f"[{p}] {float(minutes[p])!r} min" for p in positions[:_SHOWN])
        more = ", …" if positions.size > _SHOWN else ""
        raise InvalidInputError(
            f"{name} must be finite and >= 0 (NaN or NaT for a lead never contacted); "
            f"{positions.size} of {minutes.size} values are not (0-based positions: "
            f"{shown}{more})"
        )


def _hits(
    minutes: npt.NDArray[np.float64], ns: IntArray | None, limit: tuple[float, int | None]
) -> BoolArray:
    """Leads answered within the target; a missing time is a miss."""
    if ns is not None and limit[1] is not None:
        return np.asarray((ns != _NAT) & (ns <= limit[1]), dtype=bool)
    return np.asarray(minutes <= limit[0], dtype=bool)  # NaN compares False, quietly


def sla_attainment(response_time: Any, *, within: Any) -> float:
    r"""Share of leads first contacted within a target time (the response-time SLA).

    A lead that was never contacted has no response time; it stays in the count of
    leads and counts as a miss. A team that calls back half its leads within a
    minute and ignores the other half attains 50 %, not 100 %: never-contacted leads
    are counted, not dropped.

    Parameters
    ----------
    response_time : Timedelta, number, array_like or Series
        Each lead's response time, from :func:`response_times`: timedeltas
        (``Timedelta``, ``datetime.timedelta``, ``timedelta64``) or numbers of
        minutes, >= 0. NaT or NaN marks a lead never contacted.
    within : Timedelta or number, keyword-only
        The target: a duration or a number of minutes, >= 0. A response exactly on
        the target meets it.

    Returns
    -------
    float
        The share of leads answered within the target, in [0, 1]; NaN when there
        are no leads.

    Raises
    ------
    InvalidInputError
        A negative or infinite response time or target, a missing target, or values
        that are neither durations nor numbers.

    See Also
    --------
    response_times : the response times.
    response_report : attainment per seller or source.

    Notes
    -----
    With :math:`n` leads, response times :math:`r_i` (undefined for a lead never
    contacted) and target :math:`w`:

    .. math::

        a = \frac{1}{n} \sum_{i=1}^{n} \mathbf{1}\left[r_i \text{ defined and }
            r_i \le w\right],

    which never decreases as :math:`w` grows. Timedeltas on both sides are
    compared to the nanosecond.

    References
    ----------
    .. [1] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition): the 5-minute target for a first attempt to reach a lead. See
       Sources in the documentation.
    .. [2] J. B. Oldroyd, K. McElheran and D. Elkington, "The Short Life of Online
       Sales Leads", *Harvard Business Review*, March 2011.

    Examples
    --------
    >>> import pandas as pd
    >>> from salescore.leads.response import sla_attainment
    >>> sla_attainment([2.0, 4.5, 12.0, float("nan")], within=5)  # minutes; one never contacted
    0.5
    >>> times = pd.to_timedelta(["00:03:00", "00:05:00", "01:00:00", None])
    >>> sla_attainment(pd.Series(times), within=pd.Timedelta(minutes=5))
    0.5
    >>> sla_attainment([], within=5)
    nan
    """
    limit = _limit(within)
    minutes, ns = _duration_array("response_time", response_time)
    if minutes.size == 0:
        return math.nan
    _check_durations("response_time", minutes)
    return float(np.count_nonzero(_hits(minutes, ns, limit)) / minutes.size)


# ------------------------------------------------------------------ the report


def response_report(
    leads: Table,
    *,
    by: str | Sequence[str] | None = "owner",
    created: str = "created",
    first_contact: str = "first_contact",
    lead_id: str | None = "lead_id",
    business_hours: BusinessHours | None = None,
    within: Any = _FIVE_MINUTES,
) -> pd.DataFrame:
    r"""Response times per seller or source: median, 90th percentile, SLA and never contacted.

    Who answers leads fast, and who leaves them waiting? One row per seller (or source,
    channel …) gives the number of leads, how many were contacted, the median and
    90th-percentile response time of those contacted, the share reached within the
    target (5 minutes by default, the figure of Nutshell's article on sales metrics) and
    the share never contacted. Never-contacted leads count in the shares as misses: a
    seller cannot improve the figures by leaving the hard leads alone.

    Parameters
    ----------
    leads : DataFrame or engine frame
        Canonical leads table, one row per lead: a pandas DataFrame or a Polars
        (eager or lazy), DuckDB, Dask or PySpark frame, checked and reduced in its
        engine to the counts per group and the few response times around each
        group's quantiles (see Notes).
    by : str, list of str or None, keyword-only, default "owner"
        Column(s) to group by; a missing label forms its own group rather than being
        dropped. ``None`` gives a single row labelled ``"total"``.
    created, first_contact : str, keyword-only
        Column names: when each lead came in and when it was first contacted
        (datetime64, naive meaning UTC or time-zone aware; an aware column beside a
        naive one is converted to UTC; NaT in ``first_contact`` for a lead never
        contacted).
    lead_id : str or None, keyword-only, default "lead_id"
        Column naming each lead in error messages; ``None`` uses the index.
    business_hours : BusinessHours or None, keyword-only, default None
        Measure response times in these opening hours (see :func:`response_times`);
        ``None`` uses elapsed time.
    within : Timedelta or number, keyword-only, default Timedelta(minutes=5)
        The response-time target, a duration or a number of minutes.

    Returns
    -------
    DataFrame
        One row per group in order of first appearance, indexed by the ``by``
        columns. Columns ``leads`` and ``contacted`` (int64), ``median_response``
        and ``p90_response`` (timedelta64[ns], over the contacted leads, linear
        interpolation; NaT when none was contacted), ``share_within_sla`` and
        ``share_never_contacted`` (float64 fractions of ``leads``; NaN only for the
        ``"total"`` row of an empty table).

    Raises
    ------
    SchemaError
        A named column is missing, or ``created`` or ``first_contact`` does not hold
        datetimes.
    InvalidInputError
        A lead without a creation time, a first contact before the lead was created,
        an invalid ``by``,
        ``business_hours`` or ``within``; each message about leads names them (on an
        engine frame without ``lead_id``, by their timestamps). On an engine frame,
        ``business_hours`` (computed in NumPy) and timestamps outside 1677–2262.

    See Also
    --------
    response_times : each lead's response time.
    sla_attainment : the share within the target, for any set of response times.

    Notes
    -----
    For group :math:`g` with leads :math:`i \in g`, contacted leads
    :math:`C_g \subseteq g` and response times :math:`r_i`:

    .. math::

        \text{share within} = \frac{|\{i \in C_g : r_i \le w\}|}{|g|}, \qquad
        \text{never contacted} = \frac{|g| - |C_g|}{|g|},

    and the median and 90th percentile are those of :math:`\{r_i : i \in C_g\}`
    with linear interpolation between order statistics (as ``numpy.percentile``).
    Groups are disjoint, so ``leads`` and ``contacted`` add up to the ungrouped
    table's.

    On an engine frame the response times are computed in the engine to the
    nanosecond (Spark keeps microseconds) and the quantiles are exact: only the
    ranks next to each quantile's position leave the engine. The result equals
    the pandas path's, except that the groups follow their labels (a missing
    label last; an engine's rows have no order of first appearance), and that a
    90th percentile is interpolated at :math:`0.9\,(n-1)` within its group, as
    the pandas path does for a group alone; on a whole table the pandas path
    counts that position from the group's start in all contacted leads, a float
    that rounds by up to :math:`N \cdot 2^{-53}` of a rank for :math:`N`
    contacted leads, so its 90th percentile can differ by that times the gap
    between the two ranks (1 ns on the 10,000 sample leads). Medians are equal.
    ``business_hours`` is refused there: pass ``None``, or summarise a pandas
    DataFrame.

    References
    ----------
    .. [1] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition): monitor lead response time; within 5 minutes, contact is
       more than 5 times as likely. See Sources in the documentation.

    Examples
    --------
    >>> import pandas as pd
    >>> from salescore.leads.response import response_report
    >>> leads = pd.DataFrame({
    ...     "lead_id": ["L1", "L2", "L3", "L4"],
    ...     "owner": ["Ann", "Ann", "Bo", "Bo"],
    ...     "created": pd.to_datetime(["2024-03-11 09:00"] * 4),
    ...     "first_contact": pd.to_datetime(
    ...         ["2024-03-11 09:02", "2024-03-11 09:10", "2024-03-11 09:04", None]
    ...     ),
    ... })
    >>> report = response_report(leads)
    >>> report[["leads", "contacted", "share_within_sla", "share_never_contacted"]]
           leads  contacted  share_within_sla  share_never_contacted
    owner
    Ann        2          2               0.5                    0.0
    Bo         2          1               0.5                    0.5
    >>> report["median_response"]
    owner
    Ann   0 days 00:06:00
    Bo    0 days 00:04:00
    Name: median_response, dtype: timedelta64[ns]

    An empty table gives a total row without figures:

    >>> response_report(leads.iloc[:0], by=None)[["leads", "median_response", "share_within_sla"]]
           leads median_response  share_within_sla
    total      0             NaT               NaN
    """
    for name, column in (("created", created), ("first_contact", first_contact)):
        option_column(name, column)
    option_column("lead_id", lead_id, optional=True)
    groups = group_columns(by)
    hours = _business_hours(business_hours)
    limit = _limit(within)
    engine = engine_name(leads)
    if engine is not None:
        from ._response_engine import response_counts

        return response_table(
            *response_counts(
                leads,
                engine,
                groups=groups,
                created=created,
                first_contact=first_contact,
                lead_id=lead_id,
                hours=hours,
                limit=limit,
            )
        )
    read = {"created": created, "first_contact": first_contact, "lead_id": lead_id}
    schema.check_columns(leads, "leads", read, others=groups)
    start, end = _zones(_stamps(leads, created), _stamps(leads, first_contact))
    ids = row_ids(leads, lead_id)
    undated = np.asarray(start.isna(), dtype=bool)
    if undated.any():
        raise InvalidInputError(
            f"{created} is missing for {which(ids, undated, noun='lead')}; a lead needs the "
            "time it came in"
        )
    early = np.asarray(end < start, dtype=bool)
    if early.any():
        raise InvalidInputError(
            f"{first_contact} is before {created} for {which(ids, early, noun='lead')}"
        )
    far = _too_far_apart(start, end)
    if far.any():
        raise InvalidInputError(
            f"{first_contact} is more than 292 years after {created} for "
            f"{which(ids, far, noun='lead')}"
        )

    times = _response_ns(start, end, hours)
    contacted = times != _NAT
    hits = _hits(np.where(contacted, times / _MINUTE_NS, math.nan), times, limit)
    codes, index = lead_groups(leads, groups)
    size = len(index)
    counts = np.bincount(codes, minlength=size).astype(np.int64)
    reached = np.bincount(codes[contacted], minlength=size).astype(np.int64)
    within_target = np.bincount(codes[hits], minlength=size).astype(np.float64)
    return response_table(
        index,
        counts,
        reached,
        within_target,
        group_quantiles(times[contacted], codes[contacted], reached, 0.5),
        group_quantiles(times[contacted], codes[contacted], reached, 0.9),
    )
