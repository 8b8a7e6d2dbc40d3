"""Are we keeping customers? Retention, churn and renewal rates, quick ratio, upsell share.

The rates from counts (:func:`retention_rate`, :func:`churn_rate`,
:func:`renewal_rate`) and :func:`quick_ratio` are element-wise formula functions;
:func:`upsell_share` is a reduction over one element per sale and returns a ``float``.
All follow the container contract and the NaN policy of :doc:`/conventions`. Revenue
retention per customer (GRR, NRR and the revenue bridge) is in
:mod:`salescore.retention.bridge`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any, Final, TypeAlias, overload

import numpy as np
import numpy.typing as npt
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
from ..errors import IndexMismatchError, InvalidInputError

__all__ = [
    "churn_rate",
    "quick_ratio",
    "renewal_rate",
    "retention_rate",
    "upsell_share",
]

BoolArray: TypeAlias = npt.NDArray[np.bool_]
#: A flag per element: a bool or 0/1, a sequence, array or Series of them.
MaskInput: TypeAlias = "bool | np.bool_ | int | Sequence[int] | npt.NDArray[Any] | pd.Series[Any]"
_Result: TypeAlias = "float | FloatArray | pd.Series[float]"

_SHOWN: Final = 5  # how many offending positions an error message lists


# ------------------------------------------------------------------ shared checks


def _positions(mask: BoolArray, describe: Any, what: str = "values are not") -> str:
    """``2 of 5 values are not (0-based positions: [1] …, [3] …)``, the first few shown."""
    positions = np.flatnonzero(mask)
    shown = ", ".join(f"[{p}] {describe(p)}" for p in positions[:_SHOWN])
    more = ", …" if positions.size > _SHOWN else ""
    return f"{positions.size} of {mask.size} {what} (0-based positions: {shown}{more})"


def _check_at_most(name: str, value: Values, limit_name: str, limit: Values, why: str) -> None:
    """Refuse ``value > limit`` element-wise, naming both and the positions (NaN passes)."""
    if isinstance(value, float) and isinstance(limit, float):
        if value > limit:
            raise InvalidInputError(
                f"{name} must be at most {limit_name} ({why}); got {name} {value!r} > "
                f"{limit_name} {limit!r}"
            )
        return
    part, whole = np.broadcast_arrays(np.asarray(value), np.asarray(limit))
    above = part > whole
    if above.any():
        where = _positions(above, lambda p: f"{float(part[p])!r} > {float(whole[p])!r}")
        raise InvalidInputError(f"{name} must be at most {limit_name} ({why}); {where}")


def _scaled(value: FloatArray, scale: float) -> FloatArray:
    """``value / scale``; amounts far below the scale underflow to 0 without a warning."""
    with np.errstate(under="ignore"):
        scaled: FloatArray = value / scale
    return scaled


def _ratio_of_sums(name: str, part: FloatArray, whole: FloatArray) -> float:
    """``sum(part) / sum(whole)`` for amounts already divided by a power-of-two scale.

    NaN when ``whole`` is empty or all zero before scaling; refused when the true ratio
    is beyond float range (``whole`` underflowed to 0 next to ``part``, or the ratio
    overflows).
    """
    denominator = float(np.sum(whole))
    numerator = float(np.sum(part))
    if denominator == 0.0:
        # 0 / 0 is undefined; otherwise the whole underflowed next to the part.
        return math.nan if numerator == 0.0 else float(representable(name, math.inf))
    return float(representable(name, numerator / denominator))


def _mask(name: str, value: object) -> tuple[bool | BoolArray, pd.Index[Any] | None]:
    """A boolean flag per customer, and the index when ``value`` is a Series.

    Accepts booleans, and integers that are 0 or 1; refuses floats, text and missing
    values, naming the positions.
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value), None
    if isinstance(value, (numbers.Integral, np.integer)):
        if value in (0, 1):
            return bool(value), None
        raise InvalidInputError(f"{name} must be True/False or 0/1; got {value!r}")
    index: pd.Index[Any] | None = None
    if isinstance(value, pd.Series):
        index = value.index
        dtype = value.dtype
        if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_integer_dtype(dtype):
            missing = value.isna().to_numpy()
            if missing.any():
                raise InvalidInputError(
                    f"{name} must be known (True/False or 0/1) everywhere; "
                    f"{_positions(missing, lambda p: '<NA>')}"
                )
            array: npt.NDArray[Any] = value.to_numpy(
                dtype=bool if pd.api.types.is_bool_dtype(dtype) else np.int64
            )
        else:
            raise InvalidInputError(
                f"{name} must hold True/False or 0/1; got a Series of dtype {dtype}"
            )
    elif isinstance(value, np.ma.MaskedArray):
        raise InvalidInputError(
            f"{name} is a masked array; salescore does not read masks: decide what a masked "
            "entry means and pass a plain boolean array"
        )
    elif isinstance(value, (np.ndarray, list, tuple)):
        try:
            array = np.asarray(value)
        except (TypeError, ValueError):  # a ragged sequence such as [[1], [0, 1]]
            raise InvalidInputError(
                f"{name} must be a flat sequence of True/False or 0/1; got {value!r:.60}"
            ) from None
        if array.ndim != 1:
            if array.ndim == 0:
                return _mask(name, array[()])
            raise InvalidInputError(
                f"{name} must be one-dimensional; got an array of shape {array.shape}"
            )
        if array.size == 0:
            return np.zeros(0, dtype=bool), None
        if array.dtype.kind not in "biu":
            raise InvalidInputError(
                f"{name} must hold True/False or 0/1; got an array of dtype {array.dtype}"
            )
    else:
        raise InvalidInputError(
            f"{name} must be True/False or a 1-D array or Series of them; "
            f"got {type(value).__name__} {value!r:.60}"
        )
    if array.dtype.kind != "b":
        bad = (array != 0) & (array != 1)
        if bad.any():
            raise InvalidInputError(
                f"{name} must hold True/False or 0/1; {_positions(bad, lambda p: array[p])}"
            )
        array = array == 1
    return array, index


def _align_mask(
    data_name: str, data: Any, values: Values, mask_name: str, mask: bool | BoolArray, index: Any
) -> tuple[FloatArray, BoolArray]:
    """Broadcast coerced values and a mask to one length, refusing misaligned Series."""
    if index is not None and isinstance(data, pd.Series) and not data.index.equals(index):
        raise IndexMismatchError(
            f"{data_name} and {mask_name} are Series with different indexes; salescore never "
            "combines Series by position: align them first (for example with Series.reindex)"
        )
    v = np.asarray(values, dtype=np.float64)
    m = np.asarray(mask, dtype=bool)
    if v.ndim == 1 and m.ndim == 1 and v.size != m.size:
        raise InvalidInputError(
            f"{data_name} has {v.size} elements but {mask_name} has {m.size}; array "
            "arguments must have equal lengths"
        )
    shape = np.broadcast_shapes(v.shape, m.shape) or (1,)
    return np.broadcast_to(v, shape), np.broadcast_to(m, shape)


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

    Seed 001 puts "how many customers come back, how many leave" among the goals to
    measure instead of quotas. The customers at the end of a period are the ones kept
    plus the ones won during it; taking the new ones away leaves those kept.

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
    .. [1] Seed article 001 of salescore's reference (Swedish): renewal rate among the
       customer-focused goals; winning a new customer costs 5–25 times more than
       keeping one.
    .. [2] A. Gallo, "The value of keeping the right customers", *Harvard Business
       Review*, 29 October 2014 (the 5–25 times figure).

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
    .. [1] Seed article 001 of salescore's reference (Swedish): "how many customers
       come back, how many leave".

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

    Seed 001 calls the renewal rate vital for licence and subscription businesses.
    Count contracts for a logo rate, or sum their values for a value rate.

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
    .. [1] Seed article 001 of salescore's reference (Swedish): the renewal rate as a
       goal for licence and subscription models.

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
    .. [1] M. Hamid (Social Capital), the "SaaS quick ratio", 2015 (new plus expansion
       over churned plus contraction recurring revenue; 4 as a mark of efficient
       growth).

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

    Seed 002: existing customers respond to an upsell with 60–70 % probability while a
    new prospect buys with 5–20 %, and in B2B up to 90 % of customer revenue comes
    after the first sale — so a manager watches how much of the sales come from the
    customer base. Pass 1 as ``revenue`` for the share of deals instead.

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
    .. [1] Seed article 002 of salescore's reference (Norwegian, after Nutshell):
       60–70 % vs 5–20 % response to an offer; in B2B up to 90 % of customer revenue
       after the first sale.

    Examples
    --------
    A customer's first order, then two repeat orders (seed 002's 90 %):

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
