"""Where do more contacts stop raising revenue? Revenue by activity band."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from .._arrays import FloatArray, Numeric, coerce, option_count, power_of_two_scale, safe_divide
from .._tables import which
from ..errors import InvalidInputError

__all__ = ["activity_yield"]

#: The most quantile bands :func:`activity_yield` cuts (``bins`` as an int).
MAX_BINS: Final = 10_000

ObjectArray = npt.NDArray[np.object_]


def _account_ids(activity: object, revenue: object, size: int) -> ObjectArray:
    """Labels for error messages: the index of a Series argument, else positions."""
    for value in (activity, revenue):
        if isinstance(value, pd.Series):
            return value.index.to_numpy(dtype=object)
    return np.arange(size).astype(object)


def _check_counts(
    name: str, values: FloatArray, ids: ObjectArray, *, allow_nan: bool, why: str = ""
) -> None:
    with np.errstate(invalid="ignore"):
        bad = np.isinf(values) | (values < 0.0)
    if not allow_nan:
        bad |= np.isnan(values)
    if bad.any():
        raise InvalidInputError(
            f"{name} must be a finite number >= 0{why}; not so for "
            f"{which(ids, bad, values.tolist(), noun='account')}"
        )


def _edges(bins: object, activity: FloatArray, ids: ObjectArray) -> FloatArray:
    """Band edges: quantiles of the activity for an int, the given edges otherwise."""
    if isinstance(bins, (bool, np.bool_)):
        raise InvalidInputError(
            f"bins must be a number of bands or a sequence of band edges; got {bins!r}"
        )
    if isinstance(bins, (numbers.Integral, np.integer)):  # np.timedelta64 is refused here
        count = option_count("bins", bins, maximum=MAX_BINS)
        if count < 1:
            raise InvalidInputError(f"bins must be at least 1; got {count}")
        if activity.size == 0:
            return np.empty(0, dtype=np.float64)
        # Ties (many accounts with the same number of contacts) make quantiles coincide,
        # and a cut between two neighbouring counts can leave a band empty; merge such
        # bands into the next, so that every quantile band holds accounts.
        with np.errstate(under="ignore"):  # subnormal counts interpolate to 0 or subnormals
            edges = np.unique(np.quantile(activity, np.linspace(0.0, 1.0, count + 1)))
        if edges.size == 1:
            return np.repeat(edges, 2)
        filled = np.bincount(_bands(edges, activity), minlength=edges.size - 1) > 0
        return edges[np.concatenate(([True], filled[:-1], [True]))]
    if isinstance(bins, (str, bytes)) or not isinstance(bins, (Sequence, np.ndarray)):
        raise InvalidInputError(
            f"bins must be a number of bands or a sequence of band edges; got {bins!r:.60}"
        )
    # coerce refuses what is not a real number within float range (text, complex, ints
    # such as 10**400, long doubles beyond float64); an infinite outer edge passes.
    (converted,), _ = coerce(bins=bins)
    edges = np.atleast_1d(np.asarray(converted, dtype=np.float64))
    if edges.size < 2:
        raise InvalidInputError(f"bins must give at least two edges; got {bins!r:.60}")
    with np.errstate(invalid="ignore"):  # inf − inf: two infinite edges do not increase
        rising = bool((np.diff(edges) > 0.0).all())
    if np.isnan(edges).any() or not rising:
        raise InvalidInputError(f"bins edges must increase strictly; got {bins!r:.60}")
    outside = (activity < edges[0]) | (activity > edges[-1])
    if outside.any():
        raise InvalidInputError(
            f"activity must lie within the edges [{float(edges[0])!r}, "
            f"{float(edges[-1])!r}] of bins; "
            f"not so for {which(ids, outside, activity.tolist(), noun='account')} "
            "(widen the outer edges; the last may be inf)"
        )
    return edges


def _band_means(codes: npt.NDArray[np.intp], values: FloatArray, size: FloatArray) -> FloatArray:
    """Mean of ``values`` per band (NaN for an empty band), whatever their magnitude.

    The values are divided by a power of 2 near the largest first, so that band sums of
    amounts near 1e308 cannot overflow; dividing and multiplying by a power of 2 is
    exact, so other sums are unchanged to the last bit.
    """
    scale = power_of_two_scale(values)
    with np.errstate(under="ignore"):
        scaled = values / scale
    totals = np.asarray(np.bincount(codes, weights=scaled, minlength=size.size), dtype=np.float64)
    with np.errstate(over="ignore", under="ignore"):  # a mean is at most the largest value
        means: FloatArray = np.asarray(safe_divide(totals, size), dtype=np.float64) * scale
    return means


def _bands(edges: FloatArray, activity: FloatArray) -> npt.NDArray[np.intp]:
    """The 0-based band of each activity: ``low <= a < high``, the last band closed."""
    last = edges.size - 2
    return np.minimum(np.searchsorted(edges, activity, side="right") - 1, last)


def activity_yield(
    activity: Numeric, revenue: Numeric, *, bins: int | Sequence[float] = 4
) -> pd.DataFrame:
    r"""Revenue by activity band, and the revenue each extra contact brings between bands.

    The activity report of Nutshell's article on the sales metrics a sales manager
    should track asks where more contacts stop raising revenue. Cut the accounts (or
    sellers) into bands by the number of contacts they got, and compare the mean revenue
    of consecutive bands: the marginal revenue per extra contact is the difference of
    their mean revenues divided by the difference of their mean contact counts. Where it
    falls towards 0 — or below what a contact costs — more contacts stop paying. The
    comparison is between accounts, not an experiment: accounts that buy more may also
    be called more, so read it as a pointer, not as proof.

    Parameters
    ----------
    activity : array_like or Series
        Contacts (calls, visits, meetings) per account in the period, >= 0; every
        account needs a count (no NaN), since it decides the account's band.
    revenue : array_like or Series
        Revenue per account in the same period, >= 0, in one currency; NaN makes the
        mean revenue of its band NaN.
    bins : int or sequence of float, keyword-only, default 4
        An int from 1 to 10,000 (``MAX_BINS``): that many bands holding about equal
        numbers of accounts, cut at the quantiles of ``activity`` (linear
        interpolation); where ties would leave a band empty it is merged into the
        next, so there may be fewer. A sequence:
        the band edges, strictly increasing, which must enclose every account's
        activity (the last edge may be ``inf``); a band may then be empty.

    Returns
    -------
    DataFrame
        One row per band, indexed by ``band`` (1, 2, … from the fewest contacts),
        with columns ``low`` and ``high`` (the band holds activity :math:`a` with
        ``low <= a < high``; the last band also holds ``high``), ``accounts``
        (int64), ``mean_activity``, ``mean_revenue`` (NaN for a band without
        accounts) and ``marginal_revenue`` (NaN for the first band and next to an
        empty band).

    Raises
    ------
    InvalidInputError
        A negative, infinite or missing activity; a negative or infinite revenue;
        ``bins`` below 1 or above 10,000, not increasing, or not enclosing every
        activity; a marginal revenue beyond float range. Messages
        name the accounts (Series labels or 0-based positions).
    IndexMismatchError
        ``activity`` and ``revenue`` are Series with different indexes.

    See Also
    --------
    activities_per_win : contacts per won deal.
    activity_report : activity per seller against targets.

    Notes
    -----
    With :math:`\bar a_j` and :math:`\bar r_j` the mean activity and mean revenue of
    the accounts in band :math:`j`:

    .. math::

        \text{marginal}_j = \frac{\bar r_j - \bar r_{j-1}}{\bar a_j - \bar a_{j-1}},
        \qquad j \ge 2 .

    Bands are disjoint and ordered, so :math:`\bar a_j > \bar a_{j-1}` when both are
    non-empty; if revenue grows linearly with activity, every marginal equals the
    slope.

    References
    ----------
    .. [1] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition): use the activity report to find the point where more
       contacts no longer raise revenue. See Sources in the documentation.

    Examples
    --------
    Eight accounts, their contacts in a quarter and the revenue they brought:

    >>> from salescore.team import activity_yield
    >>> contacts = [2, 4, 6, 8, 12, 18, 25, 35]
    >>> revenue = [2_000, 4_000, 10_000, 12_000, 14_000, 16_000, 14_000, 16_000]
    >>> activity_yield(contacts, revenue, bins=[0, 5, 10, 20, 40])
          low  high  accounts  mean_activity  mean_revenue  marginal_revenue
    band
    1     0.0   5.0         2            3.0        3000.0               NaN
    2     5.0  10.0         2            7.0       11000.0            2000.0
    3    10.0  20.0         2           15.0       15000.0             500.0
    4    20.0  40.0         2           30.0       15000.0               0.0

    Beyond about 15 contacts a quarter, more contacts brought no more revenue.
    Quartiles of the contacts give the same bands here:

    >>> activity_yield(contacts, revenue)["marginal_revenue"].tolist()
    [nan, 2000.0, 500.0, 0.0]

    Accounts that all got the same number of contacts form a single band:

    >>> activity_yield([3, 3], [100.0, 300.0])[["accounts", "mean_revenue"]]
          accounts  mean_revenue
    band
    1            2         200.0
    """
    (a_raw, r_raw), _ = coerce(activity=activity, revenue=revenue)
    # A single account (two numbers) is a table of one row; a number beside an array
    # applies to every account.
    shape = np.broadcast_shapes(np.shape(a_raw), np.shape(r_raw)) or (1,)
    a = np.broadcast_to(np.asarray(a_raw, dtype=np.float64), shape)
    r = np.broadcast_to(np.asarray(r_raw, dtype=np.float64), shape)
    ids = _account_ids(activity, revenue, a.size)
    _check_counts("activity", a, ids, allow_nan=False, why=" (it decides the band)")
    _check_counts("revenue", r, ids, allow_nan=True)
    edges = _edges(bins, a, ids)

    bands = max(edges.size - 1, 0)
    codes = _bands(edges, a)
    accounts = np.bincount(codes, minlength=bands).astype(np.int64)
    size = accounts.astype(np.float64)
    mean_activity = _band_means(codes, a, size)
    mean_revenue = _band_means(codes, r, size)
    marginal = np.full(bands, np.nan)
    if bands > 1:
        with np.errstate(over="ignore", invalid="ignore"):
            marginal[1:] = safe_divide(np.diff(mean_revenue), np.diff(mean_activity))
        beyond = np.isinf(marginal)
        if beyond.any():
            raise InvalidInputError(
                "marginal_revenue is beyond float range (about 1.8e308) for band "
                f"{int(np.flatnonzero(beyond)[0]) + 1}: the mean activities of two bands "
                "differ by too little for their revenues; cut wider bands"
            )
    frame: dict[str, Any] = {
        "low": edges[:-1] if bands else edges,
        "high": edges[1:],
        "accounts": accounts,
        "mean_activity": mean_activity,
        "mean_revenue": mean_revenue,
        "marginal_revenue": marginal,
    }
    return pd.DataFrame(frame, index=pd.Index(np.arange(1, bands + 1), name="band"))
