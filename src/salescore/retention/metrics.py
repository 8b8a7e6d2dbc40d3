"""Are we keeping customers? Retention, churn and renewal rates, quick ratio, upsell share.

The rates from counts (:func:`retention_rate`, :func:`churn_rate`,
:func:`renewal_rate`) and :func:`quick_ratio` are element-wise formula functions;
:func:`upsell_share` is a reduction over one element per sale and returns a ``float``.
All follow the container contract and the NaN policy of :doc:`/conventions`. Revenue
retention per customer (GRR, NRR and the revenue bridge) is in
:mod:`salescore.retention.bridge`.
"""

from __future__ import annotations

from typing import TypeAlias, overload

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
    option_flag,
    power_of_two_scale,
    representable,
    safe_divide,
)
from ._checks import (
    MaskInput,
    _align_mask,
    _check_at_most,
    _mask,
    _scaled,
)

__all__ = [
    "churn_rate",
    "quick_ratio",
    "renewal_rate",
    "retention_rate",
    "upsell_share",
]

_Result: TypeAlias = "float | FloatArray | pd.Series[float]"


# ------------------------------------------------------------------ counts


@overload
def retention_rate(start: Scalar, end: Scalar, new: Scalar) -> float: ...  # type: ignore[overload-overlap]
@overload
def retention_rate(  # type: ignore[overload-overlap]
    start: Scalar | ArrayInput, end: Scalar | ArrayInput, new: Scalar | ArrayInput
) -> FloatArray: ...
@overload
def retention_rate(start: Numeric, end: Numeric, new: Numeric) -> pd.Series[float]: ...
def retention_rate(start: Numeric, end: Numeric, new: Numeric) -> _Result:
    r"""Customer retention rate: the share of the period's starting customers still there.

    The Swedish article "Så sätter ni nya säljmål och utvärderar dem" puts "how many
    customers come back, how many leave" among the goals to measure instead of quotas.
    The customers at the end of a period are the ones kept plus the ones won during it;
    taking the new ones away leaves those kept.

    Parameters
    ----------
    start : float, array_like or Series
        Customers at the start of the period, >= 0.
    end : float, array_like or Series
        Customers at the end of the period, >= 0, counting the new ones.
    new : float, array_like or Series
        Customers won during the period (and still there at its end), >= 0.

    Returns
    -------
    float, ndarray or Series
        A fraction in [0, 1]; NaN where ``start`` is 0 (nobody could be retained).

    Raises
    ------
    InvalidInputError
        A negative or infinite count; ``new > end`` (new customers are among those at
        the end) or ``end - new > start`` (more kept than there were); the message
        gives the positions.
    IndexMismatchError
        Two Series arguments with different indexes.

    See Also
    --------
    churn_rate : the share lost, :math:`1 - r` when nobody is won during the period.
    renewal_rate : the same question asked of the contracts up for renewal.

    Notes
    -----
    With :math:`S`, :math:`E` and :math:`N` the customers at the start, at the end and
    won during the period:

    .. math::

        r = \frac{E - N}{S}, \qquad 0 \le N \le E, \quad E - N \le S .

    With no new customers and :math:`L = S - E` customers lost, :math:`r = 1 - L/S`,
    one minus the :func:`churn_rate`. Counts need not be whole numbers (weighted or
    seat counts work).

    References
    ----------
    .. [1] Closers, "Så sätter ni nya säljmål och utvärderar dem", knowledge-bank
       article on customer-focused sales goals (Swedish): renewal rate among the
       customer-focused goals; winning a new customer costs 5–25 times more than
       keeping one. See Sources in the documentation.
    .. [2] *Harvard Business Review*, 2014, on the cost of winning against keeping a
       customer (the 5–25 times figure). See Sources in the documentation.

    Examples
    --------
    200 customers at the start, 210 at the end of which 30 were won this year:

    >>> from salescore.retention.metrics import retention_rate
    >>> retention_rate(200, 210, 30)  # (210 − 30) / 200
    0.9
    >>> retention_rate([200, 50], [210, 40], [30, 0])
    array([0.9, 0.8])
    >>> retention_rate(0, 12, 12)  # no customers at the start
    nan
    """
    (s, e, n), wrap = coerce(start=start, end=end, new=new)
    check_nonnegative("start", s)
    check_nonnegative("end", e)
    check_nonnegative("new", n)
    _check_at_most("new", n, "end", e, "new customers are among those at the end")
    kept = e - n
    _check_at_most("end - new", kept, "start", s, "no more customers can be kept than there were")
    return wrap(safe_divide(kept, s))


@overload
def churn_rate(start: Scalar, lost: Scalar) -> float: ...  # type: ignore[overload-overlap]
@overload
def churn_rate(  # type: ignore[overload-overlap]
    start: Scalar | ArrayInput, lost: Scalar | ArrayInput
) -> FloatArray: ...
@overload
def churn_rate(start: Numeric, lost: Numeric) -> pd.Series[float]: ...
def churn_rate(start: Numeric, lost: Numeric) -> _Result:
    r"""Customer churn rate: the share of the period's starting customers who left.

    Parameters
    ----------
    start : float, array_like or Series
        Customers at the start of the period, >= 0.
    lost : float, array_like or Series
        Customers among them who left during the period, >= 0 (customers won and lost
        within the period are not counted: they were not there at the start).

    Returns
    -------
    float, ndarray or Series
        A fraction in [0, 1]; NaN where ``start`` is 0.

    Raises
    ------
    InvalidInputError
        A negative or infinite count, or ``lost > start`` (positions named).
    IndexMismatchError
        Two Series arguments with different indexes.

    See Also
    --------
    retention_rate : :math:`1 - c` when nobody is won during the period.
    salescore.expected_lifetime : the expected lifetime implied by a constant churn.

    Notes
    -----
    .. math::

        c = \frac{L}{S}, \qquad 0 \le L \le S .

    References
    ----------
    .. [1] Closers, "Så sätter ni nya säljmål och utvärderar dem", knowledge-bank
       article on customer-focused sales goals (Swedish): "how many customers come
       back, how many leave". See Sources in the documentation.

    Examples
    --------
    >>> from salescore.retention.metrics import churn_rate
    >>> churn_rate(200, 20)
    0.1
    >>> churn_rate([200, 0], [20, 0])
    array([0.1, nan])
    """
    (s, lo), wrap = coerce(start=start, lost=lost)
    check_nonnegative("start", s)
    check_nonnegative("lost", lo)
    _check_at_most("lost", lo, "start", s, "only customers there at the start can be lost")
    return wrap(safe_divide(lo, s))


@overload
def renewal_rate(renewed: Scalar, due: Scalar) -> float: ...  # type: ignore[overload-overlap]
@overload
def renewal_rate(  # type: ignore[overload-overlap]
    renewed: Scalar | ArrayInput, due: Scalar | ArrayInput
) -> FloatArray: ...
@overload
def renewal_rate(renewed: Numeric, due: Numeric) -> pd.Series[float]: ...
def renewal_rate(renewed: Numeric, due: Numeric) -> _Result:
    r"""Renewal rate: the share of the contracts up for renewal that were renewed.

    The Swedish article "Så sätter ni nya säljmål och utvärderar dem" calls the renewal
    rate vital for licence and subscription businesses. Count contracts for a logo
    rate, or sum their values for a value rate.

    Parameters
    ----------
    renewed : float, array_like or Series
        Contracts (or contract value) renewed, >= 0.
    due : float, array_like or Series
        Contracts (or contract value, at its pre-renewal amount) up for renewal in the
        period, >= 0.

    Returns
    -------
    float, ndarray or Series
        A fraction in [0, 1]; NaN where nothing was due.

    Raises
    ------
    InvalidInputError
        A negative or infinite amount, or ``renewed > due`` (positions named). For a
        value rate, count an upsold renewal at its old value so that expansion does
        not pass for renewal.
    IndexMismatchError
        Two Series arguments with different indexes.

    See Also
    --------
    salescore.retention.bridge.net_revenue_retention : counts expansion too.

    Notes
    -----
    .. math::

        \text{renewal rate} = \frac{\text{renewed}}{\text{due}}, \qquad
        0 \le \text{renewed} \le \text{due} .

    References
    ----------
    .. [1] Closers, "Så sätter ni nya säljmål och utvärderar dem", knowledge-bank
       article on customer-focused sales goals (Swedish): the renewal rate as a goal for
       licence and subscription models. See Sources in the documentation.

    Examples
    --------
    >>> from salescore.retention.metrics import renewal_rate
    >>> renewal_rate(45, 50)  # 45 of the 50 contracts due were renewed
    0.9
    >>> import pandas as pd
    >>> renewal_rate(pd.Series([45, 0], index=["Q1", "Q2"]), pd.Series([50, 0], index=["Q1", "Q2"]))
    Q1    0.9
    Q2    NaN
    dtype: float64
    """
    (r, d), wrap = coerce(renewed=renewed, due=due)
    check_nonnegative("renewed", r)
    check_nonnegative("due", d)
    _check_at_most("renewed", r, "due", d, "only what was up for renewal can be renewed")
    return wrap(safe_divide(r, d))


@overload
def quick_ratio(  # type: ignore[overload-overlap]
    new: Scalar,
    expansion: Scalar,
    churned: Scalar,
    contraction: Scalar,
    *,
    reactivation: Scalar = ...,
) -> float: ...
@overload
def quick_ratio(  # type: ignore[overload-overlap]
    new: Scalar | ArrayInput,
    expansion: Scalar | ArrayInput,
    churned: Scalar | ArrayInput,
    contraction: Scalar | ArrayInput,
    *,
    reactivation: Scalar | ArrayInput = ...,
) -> FloatArray: ...
@overload
def quick_ratio(
    new: Numeric,
    expansion: Numeric,
    churned: Numeric,
    contraction: Numeric,
    *,
    reactivation: Numeric = ...,
) -> pd.Series[float]: ...
def quick_ratio(
    new: Numeric,
    expansion: Numeric,
    churned: Numeric,
    contraction: Numeric,
    *,
    reactivation: Numeric = 0.0,
) -> _Result:
    r"""Quick ratio: revenue gained per unit of revenue lost in a period.

    Revenue gained is new business, upsell to existing customers and, optionally,
    returning customers; revenue lost is customers who left and downgrades. Above 1
    the revenue base grows; 4 or more is often read as efficient growth.

    Parameters
    ----------
    new : float, array_like or Series
        Revenue from customers won in the period, >= 0.
    expansion : float, array_like or Series
        Revenue added by existing customers (upsell, cross-sell), >= 0.
    churned : float, array_like or Series
        Revenue of customers who left, >= 0.
    contraction : float, array_like or Series
        Revenue lost to downgrades of customers who stayed, >= 0.
    reactivation : float, array_like or Series, keyword-only, default 0.0
        Revenue from former customers who came back, >= 0.

    Returns
    -------
    float, ndarray or Series
        The ratio; NaN where nothing was lost. Some tools write infinity there; under
        salescore's NaN policy a zero denominator gives NaN.

    Raises
    ------
    InvalidInputError
        A negative or infinite amount; a ratio beyond float range (about 1.8e308), as
        when the revenue lost is subnormal.
    IndexMismatchError
        Two Series arguments with different indexes.

    See Also
    --------
    salescore.retention.bridge.RevenueBridge.quick_ratio : the ratio of a bridge.

    Notes
    -----
    .. math::

        Q = \frac{\text{new} + \text{expansion} + \text{reactivation}}
                 {\text{churned} + \text{contraction}}

    References
    ----------
    .. [1] M. Hamid (Social+Capital Partnership), the "SaaS quick ratio", a talk at the
       SaaStr Annual conference, February 2015 (new plus expansion over churned plus
       contraction recurring revenue; 4 as a mark of efficient growth).

    Examples
    --------
    >>> from salescore.retention.metrics import quick_ratio
    >>> quick_ratio(20_000, 8_000, 5_000, 3_000)  # 28,000 / 8,000
    3.5
    >>> quick_ratio([20_000, 1_000], [8_000, 0], [5_000, 0], [3_000, 0], reactivation=[4_000, 0])
    array([ 4., nan])
    """
    (n, x, c, d, r), wrap = coerce(
        new=new,
        expansion=expansion,
        churned=churned,
        contraction=contraction,
        reactivation=reactivation,
    )
    check_nonnegative("new", n)
    check_nonnegative("expansion", x)
    check_nonnegative("churned", c)
    check_nonnegative("contraction", d)
    check_nonnegative("reactivation", r)
    # Divided by a power of 2 near the largest amount of each element first, so that sums
    # near 1e308 do not overflow; the ratio is unchanged by the common factor, and powers
    # of 2 divide exactly, so ratios within range keep every bit.
    amounts = np.stack(np.broadcast_arrays(n, x, c, d, r))
    with np.errstate(under="ignore", invalid="ignore"):
        largest = np.fmax.reduce(amounts)  # NaN only where all five are NaN
        amounts = amounts / np.ldexp(1.0, np.frexp(largest)[1] - 1)
    gained: Values = amounts[0] + amounts[1] + amounts[4]
    lost: Values = amounts[2] + amounts[3]
    if amounts.ndim == 1:  # scalar arguments: Python floats, as the contract says
        gained, lost = float(gained), float(lost)
    return wrap(representable("the quick ratio", safe_divide(gained, lost)))


# ------------------------------------------------------------------ upsell


def upsell_share(revenue: Numeric, existing: MaskInput, *, skipna: bool = False) -> float:
    r"""Share of revenue that came from existing customers (upsell and cross-sell).

    In Nutshell's article on the sales metrics a sales manager should track, existing
    customers respond to an upsell with 60–70 % probability while a new prospect buys
    with 5–20 %, and in B2B up to 90 % of customer revenue comes after the first sale —
    so a manager watches how much of the sales come from the customer base. Pass 1 as
    ``revenue`` for the share of deals instead.

    Parameters
    ----------
    revenue : float, array_like or Series
        Revenue of each sale (or customer) in the period, >= 0 (net refunds first);
        one number applies to every sale (``1`` counts deals).
    existing : bool, array_like or Series
        Whether each sale went to an existing customer: booleans, or integers 0/1
        (a flag column read from a database); one flag applies to every sale.
    skipna : bool, keyword-only, default False
        Leave out sales whose revenue is NaN; by default one unknown amount makes the
        share NaN.

    Returns
    -------
    float
        A fraction in [0, 1]; NaN when the total revenue is 0 (or nothing was sold).

    Raises
    ------
    InvalidInputError
        A negative or infinite revenue; ``existing`` holding anything but booleans or
        0/1 (floats, text, missing values; the positions are named) or a ragged
        sequence; arrays of different lengths; a ``skipna`` that is not a bool.
    IndexMismatchError
        ``revenue`` and ``existing`` are Series with different indexes.

    See Also
    --------
    salescore.retention.bridge.net_revenue_retention : existing customers' growth.

    Notes
    -----
    With :math:`x_i` the revenue of sale :math:`i` and :math:`E` the sales to existing
    customers:

    .. math::

        u = \frac{\sum_{i \in E} x_i}{\sum_i x_i} .

    References
    ----------
    .. [1] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition): 60–70 % vs 5–20 % response to an offer; in B2B up to 90 % of
       customer revenue after the first sale. See Sources in the documentation.

    Examples
    --------
    A customer's first order, then two repeat orders (Nutshell's 90 %):

    >>> from salescore.retention.metrics import upsell_share
    >>> upsell_share([10_000, 30_000, 60_000], [False, True, True])
    0.9
    >>> upsell_share(1, [0, 1, 1, 0])  # share of deals
    0.5
    >>> upsell_share([0.0, 0.0], [True, False])  # nothing sold
    nan
    """
    flag = option_flag("skipna", skipna)
    (x,), _ = coerce(revenue=revenue)
    check_nonnegative("revenue", x)
    mask, index = _mask("existing", existing)
    values, where = _align_mask("revenue", revenue, x, "existing", mask, index)
    unknown = np.isnan(values)
    if unknown.any():
        if not flag:
            return float("nan")
        values, where = values[~unknown], where[~unknown]
    # Divided by the largest sale first, so that amounts near 1e308 cannot overflow the
    # sums (the share is unchanged by the common factor). Zeros in place of the other
    # sales, not a subset: both sums then add in the same order, so rounding cannot push
    # the share above 1.
    values = _scaled(values, power_of_two_scale(values))
    existing_revenue = float(np.sum(np.where(where, values, 0.0)))
    return float(safe_divide(existing_revenue, float(np.sum(values))))
