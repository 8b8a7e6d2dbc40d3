"""Contact cadence: when each account is next due, and how overdue it is."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any, Final, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from .._arrays import align_zones, coerce_timestamps
from ..errors import IndexMismatchError, InvalidInputError
from .policy import (
    _DEFAULT_POLICY,
    _SHOWN,
    TIERS,
    TierPolicy,
    _policy,
)

__all__ = ["days_overdue", "next_contact"]


#: What pandas raises when a timestamp or a duration leaves the range it can hold.
_OUT_OF_RANGE: Final = (
    OverflowError,
    pd.errors.OutOfBoundsDatetime,
    pd.errors.OutOfBoundsTimedelta,
)

#: Describes the rows a mask flags, for an error message.
Describe: TypeAlias = Callable[[npt.NDArray[np.bool_]], str]


def _is_missing(value: Any) -> bool:
    """Whether one label is a missing value (None, NaN, pd.NA …)."""
    if not pd.api.types.is_scalar(value) or isinstance(value, str):
        return False
    return bool(pd.isna(value))


def _tier_codes(value: Any) -> tuple[npt.NDArray[np.intp], bool]:
    """Positions of tier labels in TIERS (-1 for a missing one), and whether scalar."""
    single = not isinstance(value, (pd.Series, np.ndarray, list, tuple))
    if single and not (isinstance(value, str) or _is_missing(value)):
        raise InvalidInputError(
            "tier must be a label 'A'-'D' or a missing value, or a sequence or Series of "
            f"them; got {type(value).__name__} {value!r:.60}"
        )
    labels = np.array([value], dtype=object) if single else np.asarray(value, dtype=object)
    if labels.ndim != 1:
        raise InvalidInputError(f"tier must be one-dimensional; got shape {labels.shape}")
    odd = np.fromiter(
        (not (isinstance(label, str) or _is_missing(label)) for label in labels),
        dtype=bool,
        count=labels.size,
    )
    if odd.any():
        raise InvalidInputError(
            "tier must hold labels 'A'-'D' (str) or missing values; not so for "
            f"{_positions(odd, labels)}"
        )
    codes = pd.Index(TIERS).get_indexer(pd.Index(labels, dtype=object))
    unknown = (codes == -1) & ~pd.isna(labels)
    if unknown.any():
        listed = ", ".join(repr(v) for v in dict.fromkeys(labels[unknown].tolist()))
        raise InvalidInputError(
            f"tier must hold 'A', 'B', 'C' or 'D' (or a missing value); "
            f"{int(unknown.sum())} of {labels.size} values are unknown: {listed}"
        )
    return codes, single


def _positions(
    mask: npt.NDArray[np.bool_],
    shown: npt.NDArray[Any] | None = None,
    index: pd.Index[Any] | None = None,
) -> str:
    """``2 of 3 values (0-based positions: [1] x, [2] …) (labels [...])``."""
    positions = np.flatnonzero(mask)
    items = [f"[{p}] {shown[p]!s:.40}" if shown is not None else str(p) for p in positions[:_SHOWN]]
    more = ", …" if positions.size > _SHOWN else ""
    labels = "" if index is None else f" (labels {list(index[positions[:_SHOWN]])!r})"
    return (
        f"{positions.size} of {mask.size} values (0-based positions: "
        f"{', '.join(items)}{more}){labels}"
    )


def _beyond_range(
    pairs: Iterable[tuple[Any, Any]], operation: Callable[[Any, Any], Any]
) -> npt.NDArray[np.bool_]:
    """Which pairs ``operation`` cannot combine within pandas' timestamp range.

    Only run once the vectorised operation has failed, to name the rows.
    """
    flags = []
    for first, second in pairs:
        try:
            operation(first, second)
        except _OUT_OF_RANGE:
            flags.append(True)
        else:
            flags.append(False)
    return np.array(flags, dtype=bool)


def _schedule(
    last_contact: Any, tier: Any, policy: TierPolicy, describe: Describe | None = None
) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex, pd.Index[Any] | None, bool]:
    """Last and next contacts, broadcast; the common Series index; whether scalar.

    ``describe`` names the rows of a mask in error messages (by default their
    positions, and labels for a Series).
    """
    index: pd.Index[Any] | None = None
    for value in (last_contact, tier):
        if isinstance(value, pd.Series):
            if index is not None and not value.index.equals(index):
                raise IndexMismatchError(
                    "last_contact and tier are Series with different indexes; salescore "
                    "never combines Series by position: align them first"
                )
            index = value.index if index is None else index
    last, last_single = coerce_timestamps("last_contact", last_contact)
    codes, tier_single = _tier_codes(tier)
    if last.size != codes.size:
        if last_single:
            last = last.repeat(codes.size)
        elif tier_single:
            codes = np.repeat(codes, last.size)
        else:
            raise InvalidInputError(
                f"last_contact has {last.size} elements but tier has {codes.size}; "
                "they must have equal lengths"
            )
    days = np.array([*policy.cadence_days, math.nan])[codes]
    untiered = np.isnan(days)
    try:
        # NaN stays out of pandas' float-to-duration cast: up to pandas 2.2 that cast
        # rounds uninitialised memory for NaN entries, which can raise under
        # np.errstate(over="raise").  Untiered rows become NaT afterwards.
        cadence = pd.to_timedelta(np.where(untiered, 0.0, days), unit="D")
        delta = pd.TimedeltaIndex(cadence.where(~untiered))
    except _OUT_OF_RANGE:
        raise InvalidInputError(
            "policy.cadence_days must be a number of days pandas can hold as a duration "
            f"(under about 106,000 days); got {policy.cadence_days!r}"
        ) from None
    try:
        following = _add_days(last, delta)
    except _OUT_OF_RANGE:
        bad = _beyond_range(
            zip(last, delta, strict=True),
            lambda stamp, step: _add_days(pd.DatetimeIndex([stamp]), pd.TimedeltaIndex([step])),
        )
        where = (
            describe(bad)
            if describe is not None
            else _positions(bad, last.astype(object).to_numpy(), index)
        )
        raise InvalidInputError(
            "last_contact: the next contact (last contact + the tier's cadence) falls "
            f"outside the timestamps pandas can hold (up to {pd.Timestamp.max:%Y-%m-%d}) "
            f"for {where}"
        ) from None
    return last, following, index, last_single and tier_single


def _add_days(last: pd.DatetimeIndex, delta: pd.TimedeltaIndex) -> pd.DatetimeIndex:
    if last.tz is None:
        return last + delta
    # Calendar days on the local clock: 09:00 stays 09:00 across a DST change.
    return (last.tz_localize(None) + delta).tz_localize(
        last.tz, ambiguous=np.zeros(len(last), dtype=bool), nonexistent="shift_forward"
    )


def _restore_timestamps(stamps: pd.DatetimeIndex, index: pd.Index[Any] | None, scalar: bool) -> Any:
    if scalar:
        return stamps[0]
    if index is not None:
        return pd.Series(stamps, index=index, name="next_contact")
    return stamps.to_numpy()


def next_contact(last_contact: Any, tier: Any, *, policy: TierPolicy = _DEFAULT_POLICY) -> Any:
    r"""Date of the next contact with each account: last contact + its tier's cadence.

    Parameters
    ----------
    last_contact : timestamp, array_like of datetime64, or Series
        When each account was last contacted (a ``pandas.Timestamp``, ``datetime``,
        ``numpy.datetime64`` or ISO string); NaT where never or unknown.
    tier : str, array_like or Series
        Tier label of each account, ``"A"``–``"D"``; ``None`` or NaN where unknown.
    policy : TierPolicy, keyword-only, default TierPolicy()
        Cadence in days per tier; days are calendar days on the timestamps' local
        clock when they carry a time zone.

    Returns
    -------
    Timestamp, ndarray or Series
        A ``Timestamp`` when both arguments are scalars, a datetime64 Series on the
        common index when either is a Series, otherwise a datetime64 array. NaT where
        the last contact or the tier is missing.

    Raises
    ------
    InvalidInputError
        Values that are not timestamps (texts are read as ISO 8601 only), tiers that
        are not labels (a dict, a list of lists …), unknown tier labels (listed),
        arguments of different lengths, or a next contact beyond the timestamps
        pandas can hold (after 2262-04-11 in nanoseconds; naming the positions).
    IndexMismatchError
        Two Series with different indexes.

    See Also
    --------
    days_overdue : how far past that date an account is.

    Notes
    -----
    .. math::

        t^\text{next}_i = t^\text{last}_i + c_{\text{tier}_i}\ \text{days},
        \qquad c = (30, 90, 90, 180) \text{ for } (A, B, C, D)

    References
    ----------
    .. [1] Wilson Learning Russia (wl-r.ru), blog article on raising sales from existing
       customers (Russian). See Sources in the documentation.

    Examples
    --------
    >>> from salescore.tiers import next_contact
    >>> next_contact("2026-01-15", "A")
    Timestamp('2026-02-14 00:00:00')
    >>> import pandas as pd
    >>> last = pd.Series(pd.to_datetime(["2026-01-15", "2026-01-15", None]), index=["x", "y", "z"])
    >>> next_contact(last, pd.Series(["B", None, "D"], index=last.index))
    x   2026-04-15
    y          NaT
    z          NaT
    Name: next_contact, dtype: datetime64[...]
    """
    _, following, index, scalar = _schedule(last_contact, tier, _policy(policy))
    return _restore_timestamps(following, index, scalar)


def days_overdue(
    last_contact: Any, tier: Any, *, today: Any, policy: TierPolicy = _DEFAULT_POLICY
) -> Any:
    r"""Days each account is past its next contact; negative means days still left.

    Parameters
    ----------
    last_contact : timestamp, array_like of datetime64, or Series
        When each account was last contacted; NaT where unknown.
    tier : str, array_like or Series
        Tier label of each account; ``None`` or NaN where unknown.
    today : timestamp, keyword-only
        The date to measure from; explicit, so that results do not depend on when the
        code runs. Naive (read as UTC) or time-zone aware.
    policy : TierPolicy, keyword-only, default TierPolicy()
        Cadence in days per tier.

    Returns
    -------
    float, ndarray or Series
        Days (fractions count when the timestamps have times): positive when overdue,
        0 on the due date, negative for the days left before it
        (``clip(lower=0)`` gives overdue days only). NaN where the last contact or the
        tier is missing. Kinds as in :func:`next_contact`, with float64 values.

    Raises
    ------
    InvalidInputError
        As :func:`next_contact`; also a missing ``today``, a ``today`` earlier than
        a last contact (naming the positions, and labels for a Series), or one too
        far from a next contact for pandas to count the days between (about 292
        years in nanoseconds).
    IndexMismatchError
        Two Series with different indexes.

    See Also
    --------
    next_contact : the due date.

    Notes
    -----
    .. math::

        d_i = \frac{t_\text{today} - t^\text{next}_i}{1\ \text{day}}

    Timestamps follow :data:`salescore.schema.TIMESTAMPS`: a naive ``today`` or last
    contact means UTC, and when one is time-zone aware and the other naive, the aware
    one (and the next contact computed from it) is converted to UTC.

    References
    ----------
    .. [1] Wilson Learning Russia (wl-r.ru), blog article on raising sales from existing
       customers (Russian). See Sources in the documentation.

    Examples
    --------
    >>> from salescore.tiers import days_overdue
    >>> days_overdue("2026-01-15", "A", today="2026-03-01")  # due 14 Feb
    15.0
    >>> days_overdue(["2026-01-15", "2026-01-15"], ["B", None], today="2026-03-01")
    array([-45.,  nan])
    """
    last, following, index, scalar = _schedule(last_contact, tier, _policy(policy))

    def describe(mask: npt.NDArray[np.bool_]) -> str:
        return _positions(mask, following.astype(object).to_numpy(), index)

    now, days, early = _measure(last, following, today, describe)
    if early.any():
        positions = np.flatnonzero(early)
        shown = ", ".join(str(p) for p in positions[:_SHOWN])
        more = ", …" if positions.size > _SHOWN else ""
        labels = "" if index is None else f" (labels {list(index[positions[:_SHOWN]])!r})"
        raise InvalidInputError(
            f"today ({now}) is earlier than the last contact of {positions.size} of "
            f"{early.size} accounts (0-based positions: {shown}{more}){labels}"
        )
    if scalar:
        return float(days[0])
    if index is not None:
        return pd.Series(days, index=index, name="days_overdue")
    return days


def _measure(
    last: pd.DatetimeIndex, following: pd.DatetimeIndex, today: Any, describe: Describe
) -> tuple[pd.Timestamp, npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """``today`` checked, the days past each next contact, and which last contacts follow it.

    ``describe`` names the next contacts of a mask (too far from ``today`` to subtract).
    """
    if isinstance(today, (list, tuple, np.ndarray, pd.Series, pd.Index)):
        raise InvalidInputError("today must be one timestamp")
    stamps, _ = coerce_timestamps("today", today)
    now = stamps[0]
    if pd.isna(now):
        raise InvalidInputError("today must be a timestamp; got a missing value")
    try:
        # Aware beside naive: the aware side is read in UTC (the timestamp convention).
        last, following, now = align_zones(last, following, now)
    except _OUT_OF_RANGE:
        raise InvalidInputError(
            f"today ({now}) and the last contacts cannot be put on the UTC clock within "
            "the timestamps pandas can hold; pass timestamps of one kind (all naive or "
            "all time-zone aware)"
        ) from None
    early = np.asarray(last > now, dtype=bool)
    try:
        gaps = now - following
    except _OUT_OF_RANGE:
        bad = _beyond_range(((now, stamp) for stamp in following), lambda a, b: a - b)
        raise InvalidInputError(
            f"today ({now}) is too far from the next contact to count the days between "
            f"(pandas holds durations up to about 292 years) for {describe(bad)}"
        ) from None
    days = (gaps / pd.Timedelta(days=1)).to_numpy(dtype=np.float64, na_value=np.nan)
    return now, days, early
