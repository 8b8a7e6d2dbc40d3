"""What is a customer worth, and what does winning one cost?

Customer lifetime value (CLV), expected lifetime, acquisition cost (CAC) as spend per
customer and as selling time × hourly cost, the profit of a sale, CLV:CAC, payback, the
:class:`UnitEconomics` record for a customer segment, and profitability by acquisition
source.

Every formula function follows the container contract and the NaN policy of
:doc:`/conventions`: scalars give ``float``, arrays give float64 arrays, Series give a
Series on the same index, NaN propagates, a zero denominator gives NaN, and impossible
values raise :class:`~salescore.InvalidInputError`.
"""

from __future__ import annotations

import math
from typing import Any, Final, Literal, overload

import attrs
import numpy as np
import pandas as pd

from . import schema
from ._arrays import (
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
    option_number,
    representable,
    safe_divide,
)
from ._tables import float_column, option_column
from .errors import InvalidInputError

__all__ = [
    "UnitEconomics",
    "acquisition_cost",
    "cac_payback",
    "clv",
    "clv_cac_ratio",
    "customer_value",
    "expected_lifetime",
    "profitability_by_source",
    "sale_profit",
    "time_cost",
]

Timing = Literal["end", "begin"]
_TIMINGS: tuple[str, ...] = ("end", "begin")

_FRACTION = "a fraction in [0, 1]"


# The table of won customers is not a canonical table: the kinds of its columns.
_CUSTOMER_KINDS: Final = {
    "source": "text",
    "value": "number",
    "hours": "number",
    "hourly_cost": "number",
}


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

    Seed 000's "value over time": what a customer is worth after costs, over the average
    time a customer stays. Undiscounted; use :func:`clv` to discount and to model churn.

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
    .. [1] A. Slotte, "time × salary × value over time", seed article 000 of
       salescore's reference (Swedish); see the guide "What is a customer worth?".

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


@overload
def acquisition_cost(spend: Scalar, new_customers: Scalar) -> float: ...  # type: ignore[overload-overlap]
@overload
def acquisition_cost(  # type: ignore[overload-overlap]
    spend: Scalar | ArrayInput, new_customers: Scalar | ArrayInput
) -> FloatArray: ...
@overload
def acquisition_cost(spend: Numeric, new_customers: Numeric) -> pd.Series[float]: ...
def acquisition_cost(
    spend: Numeric, new_customers: Numeric
) -> float | FloatArray | pd.Series[float]:
    r"""Customer acquisition cost (CAC): sales and marketing spend per customer won.

    Parameters
    ----------
    spend : float, array_like or Series
        Sales and marketing spend over the period, >= 0.
    new_customers : float, array_like or Series
        Customers won in the same period, >= 0 (fractional counts from multi-touch
        attribution are accepted).

    Returns
    -------
    float, ndarray or Series
        Cost per new customer; NaN where no customer was won.

    Raises
    ------
    InvalidInputError
        Negative ``spend`` or ``new_customers``; a cost beyond float range (about
        1.8e308), as with a subnormal number of customers.
    IndexMismatchError
        Two Series arguments with different indexes.

    See Also
    --------
    time_cost : the selling-time part of the cost of one deal.

    Notes
    -----
    .. math::

        \mathrm{CAC} = \frac{\text{spend}}{\text{new customers}}

    References
    ----------
    .. [1] Seed article 001 of salescore's reference: acquiring a customer costs 5–25
       times as much as keeping one.

    Examples
    --------
    >>> import salescore
    >>> salescore.acquisition_cost(12_000, 8)
    1500.0
    >>> salescore.acquisition_cost([12_000, 5_000], [8, 0])  # nobody won: undefined
    array([1500.,   nan])
    """
    (s, n), wrap = coerce(spend=spend, new_customers=new_customers)
    check_nonnegative("spend", s)
    check_nonnegative("new_customers", n)
    return wrap(representable("the cost per customer", safe_divide(s, n)))


@overload
def time_cost(hours: Scalar, hourly_cost: Scalar) -> float: ...  # type: ignore[overload-overlap]
@overload
def time_cost(  # type: ignore[overload-overlap]
    hours: Scalar | ArrayInput, hourly_cost: Scalar | ArrayInput
) -> FloatArray: ...
@overload
def time_cost(hours: Numeric, hourly_cost: Numeric) -> pd.Series[float]: ...
def time_cost(hours: Numeric, hourly_cost: Numeric) -> float | FloatArray | pd.Series[float]:
    r"""Cost of the selling time spent on a deal: hours × loaded hourly cost.

    Seed 000's "time × salary": the hours a seller needs to take a prospect from a
    cold first dialogue to a won deal, priced at what the seller costs per hour.

    Parameters
    ----------
    hours : float, array_like or Series
        Selling hours spent, >= 0.
    hourly_cost : float, array_like or Series
        Loaded cost of one selling hour (salary, taxes, overhead), >= 0.

    Returns
    -------
    float, ndarray or Series
        Cost in the currency of ``hourly_cost``.

    Raises
    ------
    InvalidInputError
        Negative ``hours`` or ``hourly_cost``; a cost beyond float range (about
        1.8e308).
    IndexMismatchError
        Two Series arguments with different indexes.

    See Also
    --------
    sale_profit : value of the customer less this cost.

    Notes
    -----
    .. math::

        C_\text{time} = h \times c_\text{hour}

    References
    ----------
    .. [1] Seed article 000 of salescore's reference (profitability = time × salary ×
       value over time).

    Examples
    --------
    >>> import salescore
    >>> salescore.time_cost(40, 55.0)
    2200.0
    >>> import pandas as pd
    >>> salescore.time_cost(pd.Series([40.0, 2.0], index=["cold", "referral"]), 55.0)
    cold        2200.0
    referral     110.0
    dtype: float64
    """
    (h, c), wrap = coerce(hours=hours, hourly_cost=hourly_cost)
    check_nonnegative("hours", h)
    check_nonnegative("hourly_cost", c)
    with np.errstate(over="ignore", under="ignore"):
        product = h * c
    return wrap(representable("the time cost (hours × hourly_cost)", product))


@overload
def sale_profit(value: Scalar, hours: Scalar, hourly_cost: Scalar) -> float: ...  # type: ignore[overload-overlap]
@overload
def sale_profit(  # type: ignore[overload-overlap]
    value: Scalar | ArrayInput, hours: Scalar | ArrayInput, hourly_cost: Scalar | ArrayInput
) -> FloatArray: ...
@overload
def sale_profit(value: Numeric, hours: Numeric, hourly_cost: Numeric) -> pd.Series[float]: ...
def sale_profit(
    value: Numeric, hours: Numeric, hourly_cost: Numeric
) -> float | FloatArray | pd.Series[float]:
    r"""What a won customer is worth after the selling time it took.

    Parameters
    ----------
    value : float, array_like or Series
        Value of the customer (for example :func:`customer_value` or :func:`clv`); may
        be negative.
    hours : float, array_like or Series
        Selling hours spent winning the customer, >= 0.
    hourly_cost : float, array_like or Series
        Loaded cost of one selling hour, >= 0.

    Returns
    -------
    float, ndarray or Series
        Profit in the currency of ``value``.

    Raises
    ------
    InvalidInputError
        Negative ``hours`` or ``hourly_cost``; a time cost or profit beyond float
        range (about 1.8e308).
    IndexMismatchError
        Two Series arguments with different indexes.

    See Also
    --------
    time_cost : the cost subtracted here.
    profitability_by_source : this profit summarised per acquisition source.

    Notes
    -----
    .. math::

        \pi = V - h \times c_\text{hour}

    References
    ----------
    .. [1] Seed article 000 of salescore's reference: referred and existing customers
       are the most profitable because they skip the time cost.

    Examples
    --------
    >>> import salescore
    >>> salescore.sale_profit(7_000, 40, 55.0)  # a cold prospect
    4800.0
    >>> salescore.sale_profit([7_000, 7_000], [40, 2], 55.0)  # cold vs referral
    array([4800., 6890.])
    """
    (v, h, c), wrap = coerce(value=value, hours=hours, hourly_cost=hourly_cost)
    check_range("value", v)
    check_nonnegative("hours", h)
    check_nonnegative("hourly_cost", c)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        cost = representable("the time cost (hours × hourly_cost)", h * c)
        profit = v - cost
    return wrap(representable("the profit (value − hours × hourly_cost)", profit))


@overload
def clv_cac_ratio(clv: Scalar, cac: Scalar) -> float: ...  # type: ignore[overload-overlap]
@overload
def clv_cac_ratio(  # type: ignore[overload-overlap]
    clv: Scalar | ArrayInput, cac: Scalar | ArrayInput
) -> FloatArray: ...
@overload
def clv_cac_ratio(clv: Numeric, cac: Numeric) -> pd.Series[float]: ...
def clv_cac_ratio(clv: Numeric, cac: Numeric) -> float | FloatArray | pd.Series[float]:
    r"""Lifetime value per unit of acquisition cost (CLV:CAC).

    A common rule of thumb in subscription businesses asks for about 3 or more.

    Parameters
    ----------
    clv : float, array_like or Series
        Customer lifetime value (may be negative).
    cac : float, array_like or Series
        Acquisition cost per customer, >= 0, in the currency of ``clv``.

    Returns
    -------
    float, ndarray or Series
        The ratio; NaN where ``cac`` is 0.

    Raises
    ------
    InvalidInputError
        A negative ``cac``; a ratio beyond float range (about 1.8e308), as with a
        subnormal ``cac``.
    IndexMismatchError
        Two Series arguments with different indexes.

    See Also
    --------
    cac_payback : periods of margin that repay the acquisition cost.

    Notes
    -----
    .. math::

        \text{ratio} = \frac{\mathrm{CLV}}{\mathrm{CAC}}

    References
    ----------
    .. [1] D. Skok, "SaaS metrics 2.0", For Entrepreneurs, 2013 (LTV:CAC above 3 as a
       benchmark).

    Examples
    --------
    >>> import salescore
    >>> salescore.clv_cac_ratio(2_000, 500)
    4.0
    >>> salescore.clv_cac_ratio([2_000, 2_000], [500, 0])
    array([ 4., nan])
    """
    (value, cost), wrap = coerce(clv=clv, cac=cac)
    check_range("clv", value)
    check_nonnegative("cac", cost)
    return wrap(representable("the ratio clv / cac", safe_divide(value, cost)))


@overload
def cac_payback(cac: Scalar, margin: Scalar) -> float: ...  # type: ignore[overload-overlap]
@overload
def cac_payback(  # type: ignore[overload-overlap]
    cac: Scalar | ArrayInput, margin: Scalar | ArrayInput
) -> FloatArray: ...
@overload
def cac_payback(cac: Numeric, margin: Numeric) -> pd.Series[float]: ...
def cac_payback(cac: Numeric, margin: Numeric) -> float | FloatArray | pd.Series[float]:
    r"""Periods of margin needed to recover the acquisition cost.

    Simple payback: ignores churn and discounting during the payback periods.

    Parameters
    ----------
    cac : float, array_like or Series
        Acquisition cost per customer, >= 0.
    margin : float, array_like or Series
        Margin per customer per period, in the currency of ``cac``.

    Returns
    -------
    float, ndarray or Series
        Number of periods; NaN where ``margin <= 0`` (the cost is never recovered).

    Raises
    ------
    InvalidInputError
        A negative ``cac``; a payback beyond float range (about 1.8e308), as with a
        subnormal ``margin``.
    IndexMismatchError
        Two Series arguments with different indexes.

    See Also
    --------
    clv_cac_ratio : value per unit of acquisition cost.

    Notes
    -----
    .. math::

        \text{payback} = \frac{\mathrm{CAC}}{m}, \qquad m > 0

    References
    ----------
    .. [1] D. Skok, "SaaS metrics 2.0", For Entrepreneurs, 2013 (months to recover
       CAC).

    Examples
    --------
    >>> import salescore
    >>> salescore.cac_payback(1_500, 125)  # months, with a monthly margin
    12.0
    >>> salescore.cac_payback([1_500, 1_500], [125, -20])
    array([12., nan])
    """
    (cost, m), wrap = coerce(cac=cac, margin=margin)
    check_nonnegative("cac", cost)
    check_range("margin", m)
    if isinstance(m, float):
        positive: Values = m if m > 0.0 else 0.0
    else:
        positive = np.where(m > 0.0, m, 0.0)
    return wrap(representable("the payback (cac / margin)", safe_divide(cost, positive)))


# ------------------------------------------------------------------ unit economics


def _real(value: Any, attribute: attrs.Attribute[Any]) -> float:
    # NaN passes here and is refused by the field's validator, with its range.
    return option_number(attribute.name, value, allow_nan=True)


def _optional_real(value: Any, attribute: attrs.Attribute[Any]) -> float | None:
    return None if value is None else _real(value, attribute)


def _checked(low: float, high: float, *, high_open: bool = False) -> Any:
    if low == -math.inf:
        allowed = "finite"
    elif high == math.inf:
        allowed = f"a finite number >= {low:g}"
    else:
        allowed = f"in [{low:g}, {high:g}{')' if high_open else ']'}"

    def validate(instance: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
        if value is None:
            return
        if not (low <= value <= high) or math.isinf(value) or (high_open and value == high):
            raise InvalidInputError(f"{attribute.name} must be {allowed}; got {value!r}")

    return validate


def _timing(value: Any, attribute: attrs.Attribute[Any]) -> str:
    return option_choice(attribute.name, value, _TIMINGS)


@attrs.frozen(kw_only=True)
class UnitEconomics:
    r"""Margin, retention, discount rate and acquisition cost of a customer segment.

    The one object a notebook or a CRM adapter passes around for a segment; every
    field is validated when the record is made, so an invalid one cannot exist.
    Change a field with ``attrs.evolve``.

    Parameters
    ----------
    margin : float
        Margin per customer per period (may be negative).
    retention : float
        Period-to-period retention, a fraction in [0, 1).
    discount_rate : float, default 0.0
        Discount rate per period, >= 0.
    acquisition_cost : float or None, default None
        Acquisition cost per customer, >= 0; ``None`` when unknown, which makes
        :attr:`clv_cac_ratio` and :attr:`payback` NaN.
    timing : {"end", "begin"}, default "end"
        When margins arrive; see :func:`clv`.

    Raises
    ------
    InvalidInputError
        A field that is not a number, is NaN or infinite, or is out of its range; or
        fields whose lifetime value, CLV:CAC or payback is beyond float range (such
        as a margin near 1e308), which the properties could not return.

    See Also
    --------
    clv, expected_lifetime, clv_cac_ratio, cac_payback

    Notes
    -----
    The properties are the module's functions applied to the fields:
    :math:`\mathrm{CLV}` from :func:`clv` (infinite horizon), :math:`1/(1-r)` from
    :func:`expected_lifetime`, :math:`\mathrm{CLV}/\mathrm{CAC}` and
    :math:`\mathrm{CAC}/m`.

    Examples
    --------
    >>> import attrs
    >>> import salescore
    >>> smb = salescore.UnitEconomics(
    ...     margin=100.0, retention=0.95, acquisition_cost=500.0, timing="begin"
    ... )
    >>> smb.clv, smb.expected_lifetime, smb.clv_cac_ratio, smb.payback
    (2000.0, 20.0, 4.0, 5.0)
    >>> attrs.evolve(smb, retention=0.9).clv
    1000.0
    >>> salescore.UnitEconomics(margin=100.0, retention=1.0)
    Traceback (most recent call last):
    ...
    salescore.errors.InvalidInputError: retention must be in [0, 1); got 1.0
    """

    margin: float = attrs.field(
        converter=attrs.Converter(_real, takes_field=True),  # type: ignore[misc]
        validator=_checked(-math.inf, math.inf),
    )
    retention: float = attrs.field(
        converter=attrs.Converter(_real, takes_field=True),  # type: ignore[misc]
        validator=_checked(0.0, 1.0, high_open=True),
    )
    discount_rate: float = attrs.field(
        default=0.0,
        converter=attrs.Converter(_real, takes_field=True),  # type: ignore[misc]
        validator=_checked(0.0, math.inf),
    )
    acquisition_cost: float | None = attrs.field(
        default=None,
        converter=attrs.Converter(_optional_real, takes_field=True),  # type: ignore[misc]
        validator=_checked(0.0, math.inf),
    )
    timing: Timing = attrs.field(
        default="end",
        converter=attrs.Converter(_timing, takes_field=True),  # type: ignore[misc]
    )

    def __attrs_post_init__(self) -> None:
        # Every derived figure is computed once here: a record whose figures are beyond
        # float range cannot be made, rather than fail when a property is read.
        for figure in ("clv", "clv_cac_ratio", "payback"):
            getattr(self, figure)

    @property
    def clv(self) -> float:
        """Infinite-horizon lifetime value, :func:`clv` of the fields."""
        return clv(self.margin, self.retention, self.discount_rate, timing=self.timing)

    @property
    def expected_lifetime(self) -> float:
        """Expected number of periods a customer stays, 1 / (1 − retention)."""
        return expected_lifetime(self.retention)

    @property
    def clv_cac_ratio(self) -> float:
        """Lifetime value per unit of acquisition cost (NaN when the cost is unknown)."""
        if self.acquisition_cost is None:
            return math.nan
        return clv_cac_ratio(self.clv, self.acquisition_cost)

    @property
    def payback(self) -> float:
        """Periods of margin that recover the acquisition cost (NaN if never or unknown)."""
        if self.acquisition_cost is None:
            return math.nan
        return cac_payback(self.acquisition_cost, self.margin)


# ------------------------------------------------------------------ table function


def profitability_by_source(
    customers: pd.DataFrame,
    *,
    source: str = "source",
    value: str = "value",
    hours: str = "hours",
    hourly_cost: float | str,
) -> pd.DataFrame:
    r"""Profit of won customers per acquisition source, most profitable first.

    Seed 000's exercise: take your last customers (say, the last 10), note how each
    came in — an existing customer, a referral, a cold prospect — what each is worth
    and how many selling hours each took, and compare the sources. Select the
    customers first, for example ``won.nlargest(10, "won_date")``.

    Parameters
    ----------
    customers : DataFrame
        One row per won customer.
    source : str, keyword-only, default "source"
        Column with the acquisition source (any hashable labels; a missing source
        forms its own group, labelled NaN, rather than being dropped).
    value : str, keyword-only, default "value"
        Column with each customer's value (for example a CLV), numeric.
    hours : str, keyword-only, default "hours"
        Column with the selling hours each customer took, numeric, >= 0.
    hourly_cost : float or str, keyword-only
        Loaded cost of one selling hour, as one number for everyone or the name of a
        column (per seller or per customer), >= 0. Give a column name rather than a
        list or Series, so that costs cannot be matched to customers by position.

    Returns
    -------
    DataFrame
        Indexed by source, sorted by ``mean_profit`` descending (ties keep the order
        of first appearance), with columns ``customers`` (count), ``total_value``,
        ``mean_value``, ``mean_hours``, ``mean_time_cost``, ``mean_profit`` and
        ``total_profit``. A source with a NaN input has NaN in the affected columns.

    Raises
    ------
    SchemaError
        A named column is missing or not numeric.
    InvalidInputError
        Negative hours or hourly cost; a column option that is not a column name; a
        source's totals beyond float range (about 1.8e308).

    See Also
    --------
    sale_profit : the per-customer profit summarised here.

    Notes
    -----
    For each customer :math:`i`, :math:`\pi_i = V_i - h_i\, c_i` (:func:`sale_profit`);
    each source's columns are counts, sums and means of :math:`V_i`, :math:`h_i`,
    :math:`h_i c_i` and :math:`\pi_i` over its customers.

    References
    ----------
    .. [1] Seed article 000 of salescore's reference ("look at your last 10
       customers").

    Examples
    --------
    >>> import pandas as pd
    >>> import salescore
    >>> last = pd.DataFrame({
    ...     "source": ["cold", "referral", "existing", "cold", "referral"],
    ...     "value": [9_000.0, 8_000.0, 6_000.0, 7_000.0, 9_000.0],
    ...     "hours": [60.0, 10.0, 4.0, 40.0, 6.0],
    ... })
    >>> table = salescore.profitability_by_source(last, hourly_cost=50.0)
    >>> table[["customers", "mean_value", "mean_hours", "mean_profit"]]
              customers  mean_value  mean_hours  mean_profit
    source
    referral          2      8500.0         8.0       8100.0
    existing          1      6000.0         4.0       5800.0
    cold              2      8000.0        50.0       5500.0
    """
    for name, column in (("source", source), ("value", value), ("hours", hours)):
        option_column(name, column)
    read = {"source": source, "value": value, "hours": hours}
    if isinstance(hourly_cost, str):
        read["hourly_cost"] = hourly_cost
    schema.check_columns(customers, "customers", read, kinds=_CUSTOMER_KINDS)
    rate: float | pd.Series[float]
    if isinstance(hourly_cost, str):
        rate = float_column(customers, hourly_cost)
    else:
        rate = option_number("hourly_cost", hourly_cost)
    values = float_column(customers, value)
    hours_ = float_column(customers, hours)
    parts = pd.DataFrame(
        {
            "value": values,
            "hours": hours_,
            "cost": time_cost(hours_, rate),
            "profit": sale_profit(values, hours_, rate),
        }
    )
    keys = customers[source]
    # observed=True: unused categories of a categorical source are not customers.
    grouped = parts.groupby(keys, sort=False, dropna=False, observed=True)
    # GroupBy sums skip NaN; the NaN policy wants it to reach the group's figures.
    has_nan = parts.isna().groupby(keys, sort=False, dropna=False, observed=True).any()
    with np.errstate(over="ignore"):  # an overflowing sum is refused just below
        totals = grouped.sum().where(~has_nan)
    if np.isinf(totals.to_numpy(dtype=np.float64)).any():  # finite parts: a sum overflowed
        raise InvalidInputError(
            "the totals of a source are beyond float range (about 1.8e308); rescale the "
            "values and costs, for example to thousands"
        )
    counts = grouped.size()
    table = pd.DataFrame(
        {
            "customers": counts.astype("int64"),
            "total_value": totals["value"],
            "mean_value": totals["value"] / counts,
            "mean_hours": totals["hours"] / counts,
            "mean_time_cost": totals["cost"] / counts,
            "mean_profit": totals["profit"] / counts,
            "total_profit": totals["profit"],
        }
    )
    table.index.name = source
    return table.sort_values("mean_profit", ascending=False, kind="stable")
