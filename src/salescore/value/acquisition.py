"""What does winning a customer cost, and does the customer pay it back?

Acquisition cost as spend per customer won (:func:`acquisition_cost`) or as selling
time × hourly cost (:func:`time_cost`), what is left of a customer's value once the
selling time is paid for (:func:`sale_profit`), and how value and cost compare
(:func:`clv_cac_ratio`, :func:`cac_payback`). All are formula functions under the
container contract and the NaN policy of :doc:`/conventions`.
"""

from __future__ import annotations

from typing import overload

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
    representable,
    safe_divide,
)

__all__ = ["acquisition_cost", "cac_payback", "clv_cac_ratio", "sale_profit", "time_cost"]


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
    .. [1] "Så sätter ni nya säljmål och utvärderar dem", knowledge-bank article on
       customer-focused sales goals (Swedish): acquiring a customer costs 5–25 times
       as much as keeping one. See Sources in the documentation.

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

    The "time × salary" of Alexander Slotte's article on the profitability of a sale
    (Top of Heart): the hours a seller needs to take a prospect from a cold first
    dialogue to a won deal, priced at what the seller costs per hour.

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
    .. [1] A. Slotte (Top of Heart), article for sales managers on the profitability of
       a sale (Swedish): profitability = time × salary × value over time. See Sources
       in the documentation.

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
    .. [1] A. Slotte (Top of Heart), article for sales managers on the profitability of
       a sale (Swedish): referred and existing customers are the most profitable
       because they skip the time cost. See Sources in the documentation.

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
    .. [1] D. Skok, "SaaS Metrics 2.0 – A Guide to Measuring and Improving What
       Matters", For Entrepreneurs, 2013 (LTV:CAC above 3 as a benchmark).

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
    .. [1] D. Skok, "SaaS Metrics 2.0 – A Guide to Measuring and Improving What
       Matters", For Entrepreneurs, 2013 (months to recover CAC).

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
