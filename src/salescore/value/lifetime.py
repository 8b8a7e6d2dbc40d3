"""What is a customer worth? Lifetime value, expected lifetime, margin × lifetime.

:func:`clv` discounts the margin a customer brings while retained, over a horizon or
for ever; :func:`expected_lifetime` is how many periods a customer stays; and
:func:`customer_value` is the plain margin × lifetime. All are formula functions under
the container contract and the NaN policy of :doc:`/conventions`. What winning a
customer costs is in :mod:`salescore.value.acquisition`.
"""

from __future__ import annotations

import math
from typing import Any, Literal, overload

import numpy as np
import pandas as pd

from .._arrays import (
    ArrayInput,
    FloatArray,
    Numeric,
    Scalar,
    Values,
    check_nonnegative,
    check_range,
    coerce,
    option_choice,
    option_count,
    representable,
)
from ..errors import InvalidInputError

__all__ = ["clv", "customer_value", "expected_lifetime"]

Timing = Literal["end", "begin"]
_TIMINGS: tuple[str, ...] = ("end", "begin")

_FRACTION = "a fraction in [0, 1]"


# --------------------------------------------------------------------------- CLV


@overload
def clv(  # type: ignore[overload-overlap]
    margin: Scalar,
    retention: Scalar,
    discount_rate: Scalar = ...,
    *,
    periods: int | None = ...,
    timing: Timing = ...,
) -> float: ...
@overload
def clv(  # type: ignore[overload-overlap]
    margin: Scalar | ArrayInput,
    retention: Scalar | ArrayInput,
    discount_rate: Scalar | ArrayInput = ...,
    *,
    periods: int | None = ...,
    timing: Timing = ...,
) -> FloatArray: ...
@overload
def clv(
    margin: Numeric,
    retention: Numeric,
    discount_rate: Numeric = ...,
    *,
    periods: int | None = ...,
    timing: Timing = ...,
) -> pd.Series[float]: ...
def clv(
    margin: Numeric,
    retention: Numeric,
    discount_rate: Numeric = 0.0,
    *,
    periods: int | None = None,
    timing: Timing = "end",
) -> float | FloatArray | pd.Series[float]:
    r"""Customer lifetime value: the discounted margin a customer brings while retained.

    A customer yields a constant ``margin`` per period, stays from one period to the
    next with probability ``retention``, and money one period away is worth
    ``1 / (1 + discount_rate)`` of money now. The result is the expected present value
    of the margins, over ``periods`` periods or for ever.

    Parameters
    ----------
    margin : float, array_like or Series
        Margin (contribution after direct costs) per customer per period, in one
        currency. May be negative: a loss-making customer is real.
    retention : float, array_like or Series
        Probability that a customer retained at one period is still a customer at the
        next, a fraction in [0, 1] (1 − churn rate).
    discount_rate : float, array_like or Series, default 0.0
        Discount rate per period, >= 0 (0.01 per month ≈ 12.7 % a year).
    periods : int or None, keyword-only, default None
        Number of margin payments in the horizon, at most 2**53 (the largest count a
        float holds exactly); ``None`` sums for ever.
    timing : {"end", "begin"}, keyword-only, default "end"
        ``"end"``: margins arrive at the end of each period the customer survives, so
        the first is already exposed to churn (Gupta & Lehmann). ``"begin"``: the first
        margin is received now, at acquisition (the "ARPA ÷ churn" rule of thumb used
        by subscription analytics).

    Returns
    -------
    float, ndarray or Series
        Lifetime value in the currency of ``margin``: ``float`` for scalar input, a
        float64 array for arrays, a Series on the common index when any input is one.

    Raises
    ------
    InvalidInputError
        ``retention`` outside [0, 1], a negative ``discount_rate``, ``periods`` not a
        non-negative integer, an unknown ``timing``, or an infinite horizon where
        ``retention == 1`` and ``discount_rate == 0`` (the sum diverges); a value
        beyond float range (about 1.8e308), such as a margin near 1e308.
    IndexMismatchError
        Two Series arguments with different indexes.

    See Also
    --------
    expected_lifetime : the undiscounted number of periods, 1 / (1 − r).
    UnitEconomics : margin, retention, discount rate and CAC as one record.

    Notes
    -----
    With :math:`m` the margin, :math:`r` the retention, :math:`d` the discount rate and
    :math:`q = r / (1 + d)`, the value with end-of-period margins is

    .. math::

        \mathrm{CLV}_\text{end} = \sum_{t=1}^{T} \frac{m\, r^t}{(1+d)^t}
            = m\, q\, \frac{1 - q^T}{1 - q}
            \;\xrightarrow{T\to\infty}\; \frac{m\, r}{1 + d - r},

    and with the first margin received at once

    .. math::

        \mathrm{CLV}_\text{begin} = \sum_{t=0}^{T-1} \frac{m\, r^t}{(1+d)^t}
            = m\, \frac{1 - q^T}{1 - q}
            \;\xrightarrow{T\to\infty}\; \frac{m\, (1 + d)}{1 + d - r},

    so that :math:`\mathrm{CLV}_\text{begin} = \mathrm{CLV}_\text{end}\,(1+d)/r` for
    :math:`r > 0`. A finite horizon is computed in closed form, with
    :math:`1 - q^T = -\operatorname{expm1}(T \log q)` for accuracy when :math:`q`
    is close to 1, and :math:`m\,T` when :math:`q = 1`.

    References
    ----------
    .. [1] S. Gupta and D. R. Lehmann, "Customers as assets", *Journal of Interactive
       Marketing* 17(1), 9–24, 2003 (the infinite-horizon formula m·r/(1 + d − r)).
    .. [2] S. Gupta, D. Hanssens, B. Hardie et al., "Modeling customer lifetime
       value", *Journal of Service Research* 9(2), 139–155, 2006.

    Examples
    --------
    A subscription with $100 margin a month and 5 % monthly churn, first payment now:

    >>> import salescore
    >>> salescore.clv(100, 0.95, timing="begin")
    2000.0

    Margins at the end of each month, 1 % discount a month, a three-year horizon:

    >>> round(salescore.clv(100, 0.95, 0.01, periods=36), 2)  # Σ 100·0.95^t/1.01^t, t = 1..36
    1408.73

    Vectorised over segments:

    >>> import numpy as np
    >>> salescore.clv(np.array([100.0, 250.0]), np.array([0.8, 0.9]))
    array([ 400., 2250.])

    A customer who never leaves, with no discounting, has no finite value:

    >>> salescore.clv(100, 1.0)
    Traceback (most recent call last):
    ...
    salescore.errors.InvalidInputError: the infinite-horizon CLV diverges where ...
    """
    begin = option_choice("timing", timing, _TIMINGS) == "begin"
    horizon = None if periods is None else option_count("periods", periods)
    if horizon is not None and horizon > _MAX_PERIODS:
        raise InvalidInputError(
            f"periods must be at most 2**53 (beyond, pass periods=None); got {horizon}"
        )
    (m, r, d), wrap = coerce(margin=margin, retention=retention, discount_rate=discount_rate)
    check_range("margin", m)
    check_range("retention", r, low=0.0, high=1.0, allowed=_FRACTION)
    check_nonnegative("discount_rate", d)
    if isinstance(m, float) and isinstance(r, float) and isinstance(d, float):
        return wrap(representable("the lifetime value", _clv_scalar(m, r, d, horizon, begin)))
    with np.errstate(under="ignore"):  # a subnormal product is 0 or subnormal, as in Python
        result = _clv_array(m, r, d, horizon, begin)
    return wrap(representable("the lifetime value", result))


_MAX_PERIODS = 2**53  # the largest count a float holds exactly

_DIVERGES = (
    "the infinite-horizon CLV diverges where retention == 1 and discount_rate == 0; "
    "pass periods= for a finite horizon or a positive discount_rate"
)


def _clv_scalar(m: float, r: float, d: float, periods: int | None, begin: bool) -> float:
    growth = 1.0 + d
    # 1 + d − r >= 0 once the ranges are checked; 1 − r is exact near r = 1, so this
    # order keeps a tiny d from being rounded away.
    gap = (1.0 - r) + d
    if periods is None:
        if gap == 0.0:
            raise InvalidInputError(_DIVERGES)
        return m * (growth if begin else r) / gap
    if periods == 0:
        return 0.0 * m + 0.0 * r + 0.0 * d  # nothing is received; NaN still propagates
    if m != m or gap != gap:
        return math.nan
    if gap == 0.0:  # q == 1: every term is m
        return m * periods
    if r == 0.0:  # only the payment at acquisition, if any
        return m if begin else 0.0
    geometric = -math.expm1(periods * (math.log(r) - math.log1p(d))) * growth / gap
    return m * (geometric if begin else geometric * r / growth)


def _clv_array(m: Values, r: Values, d: Values, periods: int | None, begin: bool) -> Values:
    growth = 1.0 + d
    gap = 1.0 - r  # as in _clv_scalar: (1 − r) + d
    # Arrays all have one length, so a fresh array gap can take d in place.
    gap = gap + d if isinstance(gap, float) else np.add(gap, d, out=gap)
    if periods is None:
        # gap >= 0 once the ranges are checked; a NaN or zero minimum needs a closer look.
        if np.size(gap) and not np.min(gap) > 0.0:
            shape = np.broadcast_shapes(np.shape(m), np.shape(gap))
            zero = np.broadcast_to(np.asarray(gap) == 0.0, shape)
            if zero.any():
                positions = np.flatnonzero(zero)
                shown = ", ".join(str(p) for p in positions[:5])
                more = ", …" if positions.size > 5 else ""
                raise InvalidInputError(
                    f"{_DIVERGES} ({positions.size} of {zero.size} elements; "
                    f"0-based positions: {shown}{more})"
                )
        # No zero left in gap, so the division is safe; a subnormal gap may overflow to
        # inf, as the scalar path does without a warning (and is refused by the caller).
        # The product first, as on the scalar path: a zero margin then gives 0, not 0 × inf.
        with np.errstate(over="ignore", under="ignore"):
            return (m * (growth if begin else r)) / gap
    if periods == 0:
        with np.errstate(invalid="ignore"):
            return 0.0 * m + 0.0 * r + 0.0 * d  # nothing is received; NaN still propagates
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # log(0) = -inf gives q**T = 0, the right limit for r = 0.
        power_minus_one = np.expm1(periods * (np.log(r) - np.log1p(d)))
        geometric = np.where(gap == 0.0, float(periods), -power_minus_one * growth / gap)
        return m * (geometric if begin else geometric * r / growth)


@overload
def expected_lifetime(retention: Scalar) -> float: ...
@overload
def expected_lifetime(retention: ArrayInput) -> FloatArray: ...
@overload
def expected_lifetime(retention: pd.Series[Any]) -> pd.Series[float]: ...
def expected_lifetime(retention: Numeric) -> float | FloatArray | pd.Series[float]:
    r"""Expected number of periods a customer stays: 1 / (1 − retention).

    Counts the period of acquisition, so that ``customer_value(margin,
    expected_lifetime(r))`` equals the undiscounted ``clv(margin, r, timing="begin")``.

    Parameters
    ----------
    retention : float, array_like or Series
        Period-to-period retention probability, a fraction in [0, 1).

    Returns
    -------
    float, ndarray or Series
        Expected lifetime in periods (>= 1).

    Raises
    ------
    InvalidInputError
        ``retention`` outside [0, 1], or equal to 1 (a customer who never leaves has
        no finite expected lifetime).

    See Also
    --------
    clv : discounted lifetime value.

    Notes
    -----
    The number of periods :math:`N` a customer stays is geometric with
    :math:`P(N = n) = r^{n-1}(1 - r)`, so

    .. math::

        \operatorname{E}[N] = \sum_{t=0}^{\infty} r^t = \frac{1}{1 - r}.

    References
    ----------
    .. [1] P. S. Fader and B. G. S. Hardie, "How to project customer retention",
       *Journal of Interactive Marketing* 21(1), 76–90, 2007.

    Examples
    --------
    >>> import salescore
    >>> salescore.expected_lifetime(0.95)  # 5 % churn a month: 20 months
    20.0
    >>> import pandas as pd
    >>> salescore.expected_lifetime(pd.Series([0.5, 0.75], index=["smb", "mid-market"]))
    smb           2.0
    mid-market    4.0
    dtype: float64
    >>> salescore.expected_lifetime(1.0)
    Traceback (most recent call last):
    ...
    salescore.errors.InvalidInputError: retention must be a fraction in [0, 1) ...
    """
    (r,), wrap = coerce(retention=retention)
    check_range(
        "retention",
        r,
        low=0.0,
        high=1.0,
        high_open=True,
        allowed="a fraction in [0, 1) (at 1 the expected lifetime is unbounded)",
    )
    return wrap(1.0 / (1.0 - r))


# ------------------------------------------------------------ value and cost of a sale


@overload
def customer_value(margin: Scalar, lifetime: Scalar) -> float: ...  # type: ignore[overload-overlap]
@overload
def customer_value(  # type: ignore[overload-overlap]
    margin: Scalar | ArrayInput, lifetime: Scalar | ArrayInput
) -> FloatArray: ...
@overload
def customer_value(margin: Numeric, lifetime: Numeric) -> pd.Series[float]: ...
def customer_value(margin: Numeric, lifetime: Numeric) -> float | FloatArray | pd.Series[float]:
    r"""Value of a customer over time: margin per period × number of periods.

    The "value over time" of Alexander Slotte's article on the profitability of a sale
    (Top of Heart): what a customer is worth after costs, over the average time a
    customer stays. Undiscounted; use :func:`clv` to discount and to model churn.

    Parameters
    ----------
    margin : float, array_like or Series
        Margin per period (may be negative).
    lifetime : float, array_like or Series
        Number of periods the customer stays, >= 0 (for example
        :func:`expected_lifetime`).

    Returns
    -------
    float, ndarray or Series
        Value in the currency of ``margin``.

    Raises
    ------
    InvalidInputError
        A negative ``lifetime``; a value beyond float range (about 1.8e308).
    IndexMismatchError
        Two Series arguments with different indexes.

    See Also
    --------
    clv : discounted value with a retention probability.

    Notes
    -----
    .. math::

        V = m \times L

    References
    ----------
    .. [1] A. Slotte (Top of Heart), article for sales managers on the profitability of
       a sale, "time × salary × value over time" (Swedish). See Sources in the
       documentation, and the guide "What is a customer worth?".

    Examples
    --------
    >>> import salescore
    >>> salescore.customer_value(2_000, 3.5)  # 2,000 a year for 3.5 years
    7000.0
    >>> import numpy as np
    >>> salescore.customer_value(np.array([2_000.0, -300.0]), 4)
    array([ 8000., -1200.])
    >>> salescore.customer_value(2_000, float("nan"))  # unknown lifetime
    nan
    """
    (m, lifetime_), wrap = coerce(margin=margin, lifetime=lifetime)
    check_range("margin", m)
    check_nonnegative("lifetime", lifetime_)
    with np.errstate(over="ignore", under="ignore"):
        product = m * lifetime_
    return wrap(representable("the value (margin × lifetime)", product))
