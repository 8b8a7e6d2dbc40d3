"""Is the pipeline big enough? Coverage, win rate and lead needs.

Pipeline velocity and the sales cycle live in ``salescore.pipeline.cycle`` and are
re-exported here.
"""

from __future__ import annotations

from typing import Any, overload

import numpy as np
import pandas as pd

from .._arrays import (
    ArrayInput,
    FloatArray,
    Numeric,
    Scalar,
    check_nonnegative,
    check_probability,
    coerce,
)
from ._scaling import _in_range, _Result, _scaled
from .cycle import pipeline_velocity, sales_cycle

__all__ = [
    "expected_revenue",
    "leads_needed",
    "pipeline_coverage",
    "pipeline_velocity",
    "required_coverage",
    "sales_cycle",
    "win_rate",
]


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

    Nutshell's article on the sales metrics a sales manager should track (Norwegian
    edition) asks whether there are enough deals in the pipeline to reach the next
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
    .. [1] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition): "do we have enough leads in the pipeline to reach the
       next quota?" See Sources in the documentation.

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
    .. [1] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition), on the sales forecast from conversion inputs. See Sources
       in the documentation.

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
    .. [1] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition), on conversion per stage and channel. See Sources in the
       documentation.

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

    The question of Nutshell's article on the sales metrics a sales manager should
    track (Norwegian edition), "do we have enough leads to reach the next quota?",
    turned around. The result is not rounded; plan with ``math.ceil`` of it.

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
    .. [1] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition), on the sales forecast from new leads per period and
       conversion. See Sources in the documentation.

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
    .. [1] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition), on the sales forecast from new leads per period and
       conversion. See Sources in the documentation.

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
