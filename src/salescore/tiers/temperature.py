"""Temperature maps and revenue change: is an account yielding what its tier should?"""

from __future__ import annotations

from typing import Any, overload

import numpy as np
import pandas as pd

from .._arrays import (
    ArrayInput,
    FloatArray,
    Numeric,
    Scalar,
    Values,
    check_nonnegative,
    coerce,
    safe_divide,
)
from ..errors import InvalidInputError
from .policy import (
    _DEFAULT_POLICY,
    _SHOWN,
    ObjectArray,
    TierPolicy,
    _codes_from,
    _labels,
    _policy,
)

__all__ = ["revenue_change", "temperature", "temperature_band"]


@overload
def temperature(realized: Scalar, expected: Scalar) -> float: ...  # type: ignore[overload-overlap]
@overload
def temperature(  # type: ignore[overload-overlap]
    realized: Scalar | ArrayInput, expected: Scalar | ArrayInput
) -> FloatArray: ...
@overload
def temperature(realized: Numeric, expected: Numeric) -> pd.Series[float]: ...
def temperature(realized: Numeric, expected: Numeric) -> float | FloatArray | pd.Series[float]:
    r"""Temperature of an account: realised revenue ÷ the revenue its tier should yield.

    1 or more is hot: the account yields what its tier should. Near 0 is the "blue, near
    freezing" of Wilson Learning Russia's article on raising sales from existing
    customers: a high-potential account the sellers are not reaching.

    Parameters
    ----------
    realized : float, array_like or Series
        Revenue the account brings, >= 0.
    expected : float, array_like or Series
        Revenue it should bring, >= 0, for example its potential × the level of its
        tier (:meth:`TierPolicy.level`).

    Returns
    -------
    float, ndarray or Series
        The ratio; NaN where ``expected`` is 0.

    Raises
    ------
    InvalidInputError
        A negative or infinite amount, or a ratio beyond the float range (an
        ``expected`` so near 0 that the quotient exceeds about 1.8e308).
    IndexMismatchError
        Two Series arguments with different indexes.

    See Also
    --------
    temperature_band : the band name of a temperature.

    Notes
    -----
    .. math::

        \theta = \frac{x_\text{realised}}{x_\text{expected}}

    References
    ----------
    .. [1] Wilson Learning Russia (wl-r.ru), blog article on raising sales from existing
       customers (Russian). See Sources in the documentation.

    Examples
    --------
    >>> from salescore.tiers import temperature
    >>> temperature(20_000, 100_000)
    0.2
    >>> temperature([90_000, 0], [100_000, 0])
    array([0.9, nan])
    """
    (r, e), wrap = coerce(realized=realized, expected=expected)
    check_nonnegative("realized", r)
    check_nonnegative("expected", e)
    return wrap(_finite_ratio(r, e, "expected"))


@overload
def temperature_band(ratio: Scalar, *, policy: TierPolicy = ...) -> str | None: ...
@overload
def temperature_band(ratio: ArrayInput, *, policy: TierPolicy = ...) -> ObjectArray: ...
@overload
def temperature_band(ratio: pd.Series[Any], *, policy: TierPolicy = ...) -> pd.Series[Any]: ...
def temperature_band(
    ratio: Numeric, *, policy: TierPolicy = _DEFAULT_POLICY
) -> str | ObjectArray | pd.Series[Any] | None:
    r"""Name of the temperature band of each ratio: red, orange, yellow or blue.

    Parameters
    ----------
    ratio : float, array_like or Series
        Temperatures from :func:`temperature`, >= 0.
    policy : TierPolicy, keyword-only, default TierPolicy()
        Band names and thresholds.

    Returns
    -------
    str, None, ndarray or Series
        Band names as for :func:`classify_tiers`: ``None`` (or a missing category)
        for NaN; a Series is an ordered categorical, hottest band first.

    Raises
    ------
    InvalidInputError
        A negative or infinite ratio.

    See Also
    --------
    temperature, TierPolicy

    Notes
    -----
    With the default thresholds

    .. math::

        \text{band} = \begin{cases}
            \text{red} & \theta \ge 0.8 \\ \text{orange} & 0.5 \le \theta < 0.8 \\
            \text{yellow} & 0.25 \le \theta < 0.5 \\ \text{blue} & \theta < 0.25
        \end{cases}

    Wilson Learning's article names red and blue; orange, yellow and the thresholds are
    our choice.

    References
    ----------
    .. [1] Wilson Learning Russia (wl-r.ru), blog article on raising sales from existing
       customers (Russian). See Sources in the documentation.

    Examples
    --------
    >>> from salescore.tiers import temperature_band
    >>> temperature_band(0.2)
    'blue'
    >>> temperature_band([1.3, 0.6, 0.3, float("nan")])
    array(['red', 'orange', 'yellow', None], dtype=object)
    """
    policy = _policy(policy)
    (theta,), _ = coerce(ratio=ratio)
    check_nonnegative("ratio", theta)
    codes = _codes_from(theta, policy.band_thresholds, zero_last=False)
    return _labels(codes, policy.band_names, ratio, "band")  # type: ignore[no-any-return]


# ------------------------------------------------------------------------ cadence


@overload
def revenue_change(current: Scalar, previous: Scalar) -> float: ...  # type: ignore[overload-overlap]
@overload
def revenue_change(  # type: ignore[overload-overlap]
    current: Scalar | ArrayInput, previous: Scalar | ArrayInput
) -> FloatArray: ...
@overload
def revenue_change(current: Numeric, previous: Numeric) -> pd.Series[float]: ...
def revenue_change(current: Numeric, previous: Numeric) -> float | FloatArray | pd.Series[float]:
    r"""Relative change of revenue from one period to the next.

    Wilson Learning Russia's article on raising sales from existing customers asks
    managers to track falling revenue per customer and ask those customers for feedback;
    a change of −0.2 is a 20 % fall.

    Parameters
    ----------
    current : float, array_like or Series
        Revenue in the current period, >= 0.
    previous : float, array_like or Series
        Revenue in the previous period, >= 0, in the same currency.

    Returns
    -------
    float, ndarray or Series
        The change as a fraction (−1 for a customer who stopped buying); NaN where
        ``previous`` is 0 (a new customer has no relative change).

    Raises
    ------
    InvalidInputError
        A negative or infinite revenue, or a change beyond the float range (a
        ``previous`` so near 0 that the quotient exceeds about 1.8e308).
    IndexMismatchError
        Two Series arguments with different indexes.

    See Also
    --------
    temperature : revenue against what it should be.

    Notes
    -----
    .. math::

        \Delta = \frac{x_\text{current} - x_\text{previous}}{x_\text{previous}}

    References
    ----------
    .. [1] Wilson Learning Russia (wl-r.ru), blog article on raising sales from existing
       customers (Russian). See Sources in the documentation.

    Examples
    --------
    >>> from salescore.tiers import revenue_change
    >>> revenue_change(80_000, 100_000)
    -0.2
    >>> revenue_change([0, 120, 50], [100, 100, 0])
    array([-1. ,  0.2,  nan])
    """
    (c, p), wrap = coerce(current=current, previous=previous)
    check_nonnegative("current", c)
    check_nonnegative("previous", p)
    # Both are >= 0, so their difference cannot overflow; the quotient can.
    return wrap(_finite_ratio(c - p, p, "previous"))


def _finite_ratio(numerator: Values, denominator: Values, name: str) -> Values:
    """``numerator / denominator``, NaN for a zero denominator, never inf.

    A quotient of finite amounts beyond the float range is refused, naming ``name``.
    """
    out = safe_divide(numerator, denominator)
    huge = np.isinf(out)
    if np.any(huge):
        positions = np.flatnonzero(np.atleast_1d(huge))
        shown = ", ".join(str(p) for p in positions[:_SHOWN])
        more = ", …" if positions.size > _SHOWN else ""
        where = "" if isinstance(out, float) else f" at 0-based positions {shown}{more}"
        raise InvalidInputError(
            f"{name} is so near 0 that the ratio exceeds the float range (about 1.8e308)"
            f"{where}; express the amounts in a larger unit"
        )
    return out
