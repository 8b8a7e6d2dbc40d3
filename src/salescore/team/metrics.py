"""How productive is the team? Revenue per seller, return on sales investment, activity.

Formula functions for the team metrics of Nutshell's article on the sales metrics a
sales manager should track: sales productivity (revenue per seller), return on sales
investment, attainment of an activity target and contacts per win. Each follows the
container contract and the NaN policy of :doc:`/conventions`: scalars give ``float``,
arrays give float64 arrays, Series give a Series on the same index, NaN propagates, a
zero denominator gives NaN, and impossible values raise
:class:`~salescore.InvalidInputError`.
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
    check_nonnegative,
    check_probability,
    coerce,
    representable,
    safe_divide,
)

__all__ = [
    "activities_per_win",
    "activity_attainment",
    "sales_productivity",
    "sales_roi",
]

_Result: TypeAlias = "float | FloatArray | pd.Series[float]"


# ------------------------------------------------------------------- productivity


@overload
def sales_productivity(revenue: Scalar, headcount: Scalar) -> float: ...  # type: ignore[overload-overlap]
@overload
def sales_productivity(  # type: ignore[overload-overlap]
    revenue: Scalar | ArrayInput, headcount: Scalar | ArrayInput
) -> FloatArray: ...
@overload
def sales_productivity(revenue: Numeric, headcount: Numeric) -> pd.Series[float]: ...
def sales_productivity(revenue: Numeric, headcount: Numeric) -> _Result:
    r"""Sales productivity: revenue per seller.

    The first metric of Nutshell's article on the sales metrics a sales manager should
    track: the revenue a team brings in over a period divided by the number of people
    selling, compared month over month, quarter over quarter and year over year.
    Part-time sellers count as fractions of a full-time equivalent, so a team of seven
    full-timers and one half-timer has a headcount of 7.5.

    Parameters
    ----------
    revenue : float, array_like or Series
        Revenue of the team in the period, >= 0.
    headcount : float, array_like or Series
        Number of sellers in the period in full-time equivalents, >= 0 (fractions
        allowed).

    Returns
    -------
    float, ndarray or Series
        Revenue per seller in the currency of ``revenue``; NaN where the headcount is
        0 (a period without sellers has no productivity to compare).

    Raises
    ------
    InvalidInputError
        A negative or infinite revenue or headcount; a result beyond float range
        (about 1.8e308), as with a subnormal headcount.
    IndexMismatchError
        Two Series arguments with different indexes.

    See Also
    --------
    productivity_report : productivity per period from a deals table.
    sales_roi : revenue set against what the sales team costs.

    Notes
    -----
    With :math:`R` the revenue and :math:`n` the headcount of the period:

    .. math::

        \text{productivity} = \frac{R}{n}, \qquad n > 0 .

    References
    ----------
    .. [1] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition): sales productivity is total revenue divided by the number of
       sales staff. See Sources in the documentation.

    Examples
    --------
    >>> from salescore.team import sales_productivity
    >>> sales_productivity(1_200_000, 8)
    150000.0

    Month by month, with a half-time seller joining in February:

    >>> import pandas as pd
    >>> revenue = pd.Series([1_200_000.0, 1_350_000.0], index=["Jan", "Feb"])
    >>> sales_productivity(revenue, pd.Series([8.0, 8.5], index=["Jan", "Feb"]))
    Jan    150000.000000
    Feb    158823.529412
    dtype: float64

    A period without sellers has no productivity:

    >>> sales_productivity(0.0, 0)
    nan
    """
    (r, n), wrap = coerce(revenue=revenue, headcount=headcount)
    check_nonnegative("revenue", r)
    check_nonnegative("headcount", n)
    return wrap(representable("revenue per seller", safe_divide(r, n)))


# ------------------------------------------------------------ return on investment


@overload
def sales_roi(  # type: ignore[overload-overlap]
    revenue: Scalar, investment: Scalar, *, margin: Scalar = ...
) -> float: ...
@overload
def sales_roi(  # type: ignore[overload-overlap]
    revenue: Scalar | ArrayInput,
    investment: Scalar | ArrayInput,
    *,
    margin: Scalar | ArrayInput = ...,
) -> FloatArray: ...
@overload
def sales_roi(
    revenue: Numeric, investment: Numeric, *, margin: Numeric = ...
) -> pd.Series[float]: ...
def sales_roi(revenue: Numeric, investment: Numeric, *, margin: Numeric = 1.0) -> _Result:
    r"""Return on sales investment: what the team earns beyond what it costs, per unit cost.

    Nutshell's article on the sales metrics a sales manager should track asks managers
    to set sales productivity against the investment in the sales staff — compensation,
    training and support systems. The return is the gross profit the team's revenue
    brings (revenue × ``margin``) less that investment, as a fraction of the investment:
    0 at break-even, 0.5 when each unit invested brings 1.5 back, −1 when the team
    brings in nothing.

    Parameters
    ----------
    revenue : float, array_like or Series
        Revenue won by the sales team in the period, >= 0.
    investment : float, array_like or Series
        What the sales team cost in the same period, >= 0, in the same currency:
        compensation (salaries, commissions, bonuses) plus training plus support
        systems (CRM licences, tools).
    margin : float, array_like or Series, keyword-only, default 1.0
        Gross margin on revenue, a fraction in [0, 1]. The default 1.0 compares
        revenue itself with the investment; pass the gross margin to compare profit.

    Returns
    -------
    float, ndarray or Series
        The return as a fraction of the investment (0.25 is 25 %); NaN where the
        investment is 0.

    Raises
    ------
    InvalidInputError
        A negative or infinite revenue or investment, a margin outside [0, 1]
        (above 1, probably a percentage), or a result beyond float range (about
        1.8e308), as with a subnormal investment.
    IndexMismatchError
        Two Series arguments with different indexes.

    See Also
    --------
    sales_productivity : revenue per seller.

    Notes
    -----
    With :math:`R` the revenue, :math:`m` the margin and :math:`I` the investment:

    .. math::

        \mathrm{ROI} = \frac{m\,R - I}{I}, \qquad I > 0,

    non-decreasing in :math:`R` and :math:`m`, and 0 exactly when
    :math:`m\,R = I`.

    References
    ----------
    .. [1] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition): compare sales productivity with the investment in sales
       staff — compensation, training and support systems — to see the return on sales
       investment. See Sources in the documentation.

    Examples
    --------
    A team that brings in 600,000 at a 50 % gross margin and costs 200,000:

    >>> from salescore.team import sales_roi
    >>> sales_roi(600_000, 200_000, margin=0.5)
    0.5

    Three teams, the second at break-even:

    >>> sales_roi([600_000, 400_000, 100_000], 200_000, margin=0.5)
    array([ 0.5 ,  0.  , -0.75])

    Without an investment there is no return to speak of:

    >>> sales_roi(50_000, 0)
    nan
    """
    (r, i, m), wrap = coerce(revenue=revenue, investment=investment, margin=margin)
    check_nonnegative("revenue", r)
    check_nonnegative("investment", i)
    check_probability("margin", m)
    with np.errstate(under="ignore"):  # a subnormal product is 0 or subnormal, as in Python
        earned = r * m - i
    return wrap(representable("the return on sales investment", safe_divide(earned, i)))


# ---------------------------------------------------------------------- activity


@overload
def activity_attainment(actual: Scalar, target: Scalar) -> float: ...  # type: ignore[overload-overlap]
@overload
def activity_attainment(  # type: ignore[overload-overlap]
    actual: Scalar | ArrayInput, target: Scalar | ArrayInput
) -> FloatArray: ...
@overload
def activity_attainment(actual: Numeric, target: Numeric) -> pd.Series[float]: ...
def activity_attainment(actual: Numeric, target: Numeric) -> _Result:
    r"""Attainment of an activity target: activities done ÷ activities planned.

    The activity report of Nutshell's article on the sales metrics a sales manager
    should track sets each seller's calls and field visits against a target for the
    period; 1 means the target is met exactly, 0.8 that a fifth of the planned activity
    is missing, 1.2 that the seller did a fifth more.

    Parameters
    ----------
    actual : float, array_like or Series
        Activities done in the period (calls, visits …), >= 0.
    target : float, array_like or Series
        Activities planned for the same period, >= 0.

    Returns
    -------
    float, ndarray or Series
        The ratio, in [0, inf); NaN where the target is 0 (nothing was asked).

    Raises
    ------
    InvalidInputError
        A negative or infinite count; a result beyond float range (about 1.8e308), as
        with a subnormal denominator.
    IndexMismatchError
        Two Series arguments with different indexes.

    See Also
    --------
    activity_report : attainment per seller, period and kind from an activities table.

    Notes
    -----
    .. math::

        \text{attainment} = \frac{a}{t}, \qquad t > 0 .

    References
    ----------
    .. [1] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition): the activity report shows calls and field visits per team
       member against the targets for an adjustable period. See Sources in the
       documentation.

    Examples
    --------
    >>> from salescore.team import activity_attainment
    >>> activity_attainment(42, 50)
    0.84

    Calls and visits of one week against targets of 50 and 5:

    >>> activity_attainment([42, 6], [50, 5])
    array([0.84, 1.2 ])

    With no target there is nothing to attain:

    >>> activity_attainment(3, 0)
    nan
    """
    (a, t), wrap = coerce(actual=actual, target=target)
    check_nonnegative("actual", a)
    check_nonnegative("target", t)
    return wrap(representable("the attainment (actual / target)", safe_divide(a, t)))


@overload
def activities_per_win(activities: Scalar, wins: Scalar) -> float: ...  # type: ignore[overload-overlap]
@overload
def activities_per_win(  # type: ignore[overload-overlap]
    activities: Scalar | ArrayInput, wins: Scalar | ArrayInput
) -> FloatArray: ...
@overload
def activities_per_win(activities: Numeric, wins: Numeric) -> pd.Series[float]: ...
def activities_per_win(activities: Numeric, wins: Numeric) -> _Result:
    r"""Contacts per win: how many activities it takes to win one deal.

    The activities (calls, visits, meetings) a seller or team logged in a period divided
    by the deals won in it. Nutshell's article on the sales metrics a sales manager
    should track warns that only 1 sale in 50 closes at the first meeting: most wins
    come after several contacts, so a low number of contacts per win is not something to
    aim for by cutting follow-up short. The last example shows what giving up after the
    first meeting would cost.

    Parameters
    ----------
    activities : float, array_like or Series
        Activities logged in the period, >= 0.
    wins : float, array_like or Series
        Deals won in the same period, >= 0 (an expected number of wins may be
        fractional).

    Returns
    -------
    float, ndarray or Series
        Activities per won deal; NaN where no deal was won.

    Raises
    ------
    InvalidInputError
        A negative or infinite count; a result beyond float range (about 1.8e308), as
        with a subnormal denominator.
    IndexMismatchError
        Two Series arguments with different indexes.

    See Also
    --------
    activity_yield : revenue by activity band, and where more contacts stop paying.

    Notes
    -----
    .. math::

        \text{activities per win} = \frac{a}{w}, \qquad w > 0 .

    If a fraction :math:`f` of the wins close at the first meeting, a seller who
    stops after the first meeting keeps only :math:`f\,w` of the :math:`w` wins, and
    each of those costs :math:`1/f` times as many first meetings as
    :math:`a_1 / w` suggests: with Nutshell's :math:`f = 1/50`, fifty times as many.

    References
    ----------
    .. [1] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition): only 1 in 50 sales is closed at the first meeting. See
       Sources in the documentation.

    Examples
    --------
    A team that logged 600 meetings for 40 wins:

    >>> from salescore.team import activities_per_win
    >>> activities_per_win(600, 40)
    15.0

    Per seller:

    >>> activities_per_win([600, 90, 45], [40, 9, 0])
    array([15., 10., nan])

    100 first meetings that lead to 10 wins with follow-up; if only 1 win in 50
    closes at the first meeting, stopping there leaves 10 / 50 = 0.2 wins, which
    is 500 first meetings per win instead of 10:

    >>> activities_per_win(100, 10), activities_per_win(100, 10 / 50)
    (10.0, 500.0)
    """
    (a, w), wrap = coerce(activities=activities, wins=wins)
    check_nonnegative("activities", a)
    check_nonnegative("wins", w)
    return wrap(representable("the activities per win", safe_divide(a, w)))
