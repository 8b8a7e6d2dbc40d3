"""What is each customer worth? Lifetime value from a purchase model and a spend model.

:func:`model_clv` combines a model of how many purchases each customer will make
(:class:`~salescore.models.bgnbd.BetaGeoModel`) with a model of how much each purchase
will be worth (:class:`~salescore.models.gamma_gamma.GammaGammaModel`) into the
discounted expected margin of each customer over a horizon of months. It follows the
container contract over customers: scalars give a float, arrays a float64 array,
Series a Series on the same index.
"""

from __future__ import annotations

import math
from typing import Any, Final, Literal, Protocol, overload

import numpy as np
import pandas as pd

from .._arrays import (
    ArrayInput,
    FloatArray,
    Numeric,
    Scalar,
    Values,
    coerce,
    option_choice,
    option_count,
    option_number,
)
from ..errors import InvalidInputError

__all__ = ["DAYS_PER_MONTH", "MAX_MONTHS", "PurchaseModel", "SpendModel", "model_clv"]

#: The mean Gregorian month, 365.2425 / 12 days: 4.348125 weeks.
DAYS_PER_MONTH: Final = 365.2425 / 12.0
#: The longest horizon :func:`model_clv` accepts: 1,200 months, a hundred years. The
#: sum runs month by month, so a mistyped horizon (2**70) is refused, not run.
MAX_MONTHS: Final = 1200

TimeUnit = Literal["D", "W", "M"]
_UNITS_PER_MONTH: Final = {"D": DAYS_PER_MONTH, "W": DAYS_PER_MONTH / 7.0, "M": 1.0}
#: A discount factor exp(-x) with x beyond this is below the smallest normal float.
_NEGLIGIBLE: Final = 700.0


class PurchaseModel(Protocol):
    """A model of how many purchases a customer with a history will make.

    :class:`~salescore.models.bgnbd.BetaGeoModel` is one.
    """

    def conditional_expected_purchases(
        self,
        t: Any,
        frequency: Any,
        recency: Any,
        T: Any,  # noqa: N803
        /,
    ) -> Any:
        """Expected purchases in the next ``t`` units of time, per customer."""


class SpendModel(Protocol):
    """A model of the value of a customer's future purchases, given their history.

    :class:`~salescore.models.gamma_gamma.GammaGammaModel` is one.
    """

    def conditional_expected_value(self, frequency: Any, monetary_value: Any, /) -> Any:
        """Expected value of a future purchase, per customer."""


@overload
def model_clv(  # type: ignore[overload-overlap]
    bgnbd: PurchaseModel,
    gamma_gamma: SpendModel,
    frequency: Scalar,
    recency: Scalar,
    T: Scalar,  # noqa: N803
    monetary_value: Scalar,
    *,
    months: int,
    discount_rate: float,
    time_unit: TimeUnit = ...,
    margin: float = ...,
) -> float: ...
@overload
def model_clv(  # type: ignore[overload-overlap]
    bgnbd: PurchaseModel,
    gamma_gamma: SpendModel,
    frequency: Scalar | ArrayInput,
    recency: Scalar | ArrayInput,
    T: Scalar | ArrayInput,  # noqa: N803
    monetary_value: Scalar | ArrayInput,
    *,
    months: int,
    discount_rate: float,
    time_unit: TimeUnit = ...,
    margin: float = ...,
) -> FloatArray: ...
@overload
def model_clv(
    bgnbd: PurchaseModel,
    gamma_gamma: SpendModel,
    frequency: Numeric,
    recency: Numeric,
    T: Numeric,  # noqa: N803
    monetary_value: Numeric,
    *,
    months: int,
    discount_rate: float,
    time_unit: TimeUnit = ...,
    margin: float = ...,
) -> pd.Series[float]: ...
def model_clv(
    bgnbd: PurchaseModel,
    gamma_gamma: SpendModel,
    frequency: Numeric,
    recency: Numeric,
    T: Numeric,  # noqa: N803
    monetary_value: Numeric,
    *,
    months: int,
    discount_rate: float,
    time_unit: TimeUnit = "W",
    margin: float = 1.0,
) -> float | FloatArray | pd.Series[float]:
    r"""Discounted expected margin of each customer over the next ``months`` months.

    Month by month, the purchases the BG/NBD model expects from the customer, times
    the value the Gamma-Gamma model expects per purchase, times the margin, discounted
    to today. Unlike :func:`salescore.clv`, which takes a margin and a retention rate
    per period, it needs no contract: it suits customers who buy when they like.

    Parameters
    ----------
    bgnbd : BetaGeoModel
        The purchase model, fitted with time in ``time_unit`` (any object with
        ``conditional_expected_purchases(t, frequency, recency, T)``).
    gamma_gamma : GammaGammaModel
        The spend model, fitted in the currency of ``monetary_value`` (any object
        with ``conditional_expected_value(frequency, monetary_value)``).
    frequency : float, array_like or Series
        Repeat purchases of each customer, whole numbers >= 0.
    recency : float, array_like or Series
        Time of each customer's last purchase after their first, >= 0, in
        ``time_unit``.
    T : float, array_like or Series
        Time from each customer's first purchase to the end of observation (today),
        >= ``recency``, in ``time_unit``.
    monetary_value : float, array_like or Series
        Mean value of each customer's repeat purchases, >= 0 (0 for customers without
        repeat purchases, as :func:`~salescore.models.rfm.rfm_summary` gives them).
    months : int, keyword-only
        The horizon, in months from today: an integer from 0 to :data:`MAX_MONTHS`
        (1,200, a hundred years).
    discount_rate : float, keyword-only
        Discount rate per month, >= 0 (0.01 a month is about 12.7 % a year).
    time_unit : {"W", "D", "M"}, keyword-only, default "W"
        The unit of ``recency``, ``T`` and of the purchase model's time: weeks,
        days, or months. A month is 365.2425 / 12 = 30.436875 days, or 4.348125
        weeks (:data:`DAYS_PER_MONTH`).
    margin : float, keyword-only, default 1.0
        The share of a purchase's value that is margin, a fraction in [0, 1]; 1
        gives the discounted expected revenue.

    Returns
    -------
    float, ndarray or Series
        Lifetime value over the horizon in the currency of ``monetary_value``, >= 0:
        ``float`` for scalar input, a float64 array for arrays, a Series on the
        common index when any input is one.

    Raises
    ------
    InvalidInputError
        An invalid history (see
        :meth:`~salescore.models.bgnbd.BetaGeoModel.conditional_expected_purchases`
        and :meth:`~salescore.models.gamma_gamma.GammaGammaModel.conditional_expected_value`),
        ``months`` not an integer in [0, :data:`MAX_MONTHS`], a ``discount_rate``
        that is not a finite number >= 0, a ``margin`` outside [0, 1], an unknown
        ``time_unit``, or a ``bgnbd`` or ``gamma_gamma`` that is not a model (an
        object without the method named under Parameters).
    IndexMismatchError
        Two Series arguments with different indexes.

    See Also
    --------
    salescore.clv : lifetime value from a margin and a retention rate per period.
    salescore.models.bgnbd.fit_bgnbd, salescore.models.gamma_gamma.fit_gamma_gamma

    Notes
    -----
    With :math:`E(t)` the purchases expected in the next :math:`t` units of time,
    :math:`L` the length of a month in those units, :math:`E[Z]` the expected value
    of a purchase, :math:`m` the margin and :math:`d` the monthly discount rate,
    purchases in month :math:`k` are valued at its end:

    .. math::

        \mathrm{CLV} = \sum_{k=1}^{K} \frac{E(kL) - E((k-1)L)}{(1 + d)^k}\,
            E[Z]\, m

    At :math:`d = 0` the sum telescopes to :math:`E(KL)\, E[Z]\, m`. The product of
    the two expectations assumes, as the Gamma-Gamma model does, that spend per
    purchase does not depend on how often a customer buys.

    References
    ----------
    .. [1] P. S. Fader, B. G. S. Hardie and K. L. Lee, "RFM and CLV: Using Iso-Value
       Curves for Customer Base Analysis", Journal of Marketing Research 42(4),
       415–430, 2005 (the product of the two models' expectations).

    Examples
    --------
    The CDNOW models of Fader, Hardie and Lee, and their customer with two repeat
    purchases averaging $22.35, in weeks; a year at 1 % a month, with a 30 % margin:

    >>> from salescore.models.bgnbd import BetaGeoModel
    >>> from salescore.models.clv import model_clv
    >>> from salescore.models.gamma_gamma import GammaGammaModel
    >>> bgnbd = BetaGeoModel(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> gamma_gamma = GammaGammaModel(p=6.25, q=3.74, v=15.44)
    >>> round(model_clv(bgnbd, gamma_gamma, 2, 30.43, 38.86, 22.35,
    ...                 months=12, discount_rate=0.01, margin=0.3), 2)
    10.89
    >>> model_clv(bgnbd, gamma_gamma, [0, 2], [0.0, 30.43], [38.86, 38.86],
    ...           [0.0, 22.35], months=12, discount_rate=0.01).round(2)
    array([ 8.37, 36.31])
    >>> model_clv(bgnbd, gamma_gamma, 2, 30.43, 38.86, 22.35, months=0, discount_rate=0.01)
    0.0
    """
    _check_model("bgnbd", bgnbd, "conditional_expected_purchases", "BetaGeoModel")
    _check_model("gamma_gamma", gamma_gamma, "conditional_expected_value", "GammaGammaModel")
    horizon = option_count("months", months, maximum=MAX_MONTHS)
    rate = option_number("discount_rate", discount_rate)
    if not (0.0 <= rate < math.inf):
        raise InvalidInputError(f"discount_rate must be a finite number >= 0; got {rate!r}")
    share = option_number("margin", margin)
    if not 0.0 <= share <= 1.0:
        raise InvalidInputError(f"margin must be a fraction in [0, 1]; got {share!r}")
    month = _UNITS_PER_MONTH[option_choice("time_unit", time_unit, ("W", "D", "M"))]
    (x, t_x, age, z), wrap = coerce(
        frequency=frequency, recency=recency, T=T, monetary_value=monetary_value
    )
    value = _as_values(gamma_gamma.conditional_expected_value(x, z))
    # The histories are checked by the purchase model even when the horizon is 0.
    before = _as_values(bgnbd.conditional_expected_purchases(0.0, x, t_x, age))
    purchases: Values = 0.0 * before
    log_growth = math.log1p(rate)
    with np.errstate(all="ignore"):  # a factor below 1e-308 counts as 0, not an error
        for k in range(1, horizon + 1):
            after = _as_values(bgnbd.conditional_expected_purchases(k * month, x, t_x, age))
            factor = math.exp(-k * log_growth) if k * log_growth < _NEGLIGIBLE else 0.0
            purchases = purchases + (after - before) * factor
            before = after
        out = purchases * value * share
    extreme = np.asarray(np.isinf(out))
    if extreme.any():
        where = "" if extreme.ndim == 0 else f" ({_positions(extreme)})"
        raise InvalidInputError(
            "model_clv: the lifetime value is beyond floating-point range for the "
            f"customers given{where}; check monetary_value and the models' parameters"
        )
    return wrap(out)


def _check_model(name: str, model: object, method: str, example: str) -> None:
    """Refuse a model argument that lacks the method model_clv calls."""
    if not callable(getattr(model, method, None)):
        raise InvalidInputError(
            f"{name} must be a model with a {method}() method (such as {example}); got "
            f"{type(model).__name__} {model!r:.60}"
        )


def _positions(mask: Any) -> str:
    positions = np.flatnonzero(mask)
    shown = ", ".join(str(p) for p in positions[:5])
    more = ", …" if positions.size > 5 else ""
    return f"{positions.size} of {np.size(mask)} at 0-based positions {shown}{more}"


def _as_values(result: Any) -> Values:
    """A model's answer as a float or a float64 array."""
    if isinstance(result, float):
        return result
    return np.asarray(result, dtype=np.float64)
