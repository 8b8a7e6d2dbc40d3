"""How much will each customer spend per purchase? The Gamma-Gamma model of order value.

Fader, Hardie and Lee's Gamma-Gamma model describes the value of a customer's
purchases: each purchase's value varies around the customer's own mean, and those
means vary across customers. Fitted to the repeat buyers' number of repeat purchases
and mean spend, it shrinks each customer's observed mean towards the population's,
the more so the fewer purchases it rests on. Combined with a model of how many
purchases to expect (:mod:`salescore.models.bgnbd`) it gives a customer's lifetime
value (:func:`salescore.models.clv.model_clv`).

:func:`fit_gamma_gamma` fits the three parameters by maximum likelihood and returns a
frozen :class:`GammaGammaModel`, whose methods follow the container contract: scalars
give a float, arrays a float64 array, Series a Series on the same index.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Final, overload

import attrs
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
)
from ..errors import InvalidInputError, SalescoreWarning
from ._fitting import (
    check_result,
    check_weights,
    check_whole,
    count_field,
    log_likelihood_field,
    minimize_log,
    positive_parameter,
    text_field,
)
from ._scipy import scipy_module

__all__ = ["GammaGammaModel", "fit_gamma_gamma"]

_NAMES: Final = ("p", "q", "v")
_SHOWN: Final = 5


# ------------------------------------------------------------------ validation


def _positions(mask: Any) -> str:
    positions = np.flatnonzero(mask)
    shown = ", ".join(str(p) for p in positions[:_SHOWN])
    more = ", …" if positions.size > _SHOWN else ""
    return f"{positions.size} of {np.size(mask)} (0-based positions: {shown}{more})"


def _check_customers(x: Values, z: Values) -> None:
    """Frequencies whole, >= 0 and <= 2**53, mean values finite and >= 0 (NaN passes)."""
    check_whole("frequency", x)
    check_nonnegative("monetary_value", z)


# ------------------------------------------------------------------ the model


@attrs.frozen(kw_only=True)
class GammaGammaModel:
    r"""A Gamma-Gamma model of the value of customers' purchases, and how it was fitted.

    Made by :func:`fit_gamma_gamma`, or directly from published parameters. The value
    of each purchase of a customer is gamma distributed with shape :math:`p` and rate
    :math:`\nu`, so that the customer's mean spend is :math:`p / \nu`; across
    customers :math:`\nu \sim \text{Gamma}(q, v)`. Values are in the currency of the
    data (dollars for CDNOW), and :math:`v` carries that unit.

    Parameters
    ----------
    p : float
        Shape of the distribution of one customer's purchase values, > 0.
    q, v : float
        Shape and scale (in currency) of the gamma distribution of :math:`\nu`
        across customers, > 0. The population's mean spend per purchase is
        :math:`p v / (q - 1)` where :math:`q > 1`.
    log_likelihood : float, default NaN
        Log-likelihood of the repeat buyers' mean values at the estimate (NaN for a
        model not fitted here).
    n_customers : int, default 0
        Repeat buyers fitted (the total of their weights).
    n_excluded : int, default 0
        Customers without repeat purchases left out of the fit (with
        ``repeat_buyers_only=True``).
    iterations : int, default 0
        Optimiser iterations taken.
    method : str, default ""
        The SciPy method whose result was accepted (such as "SLSQP").

    Raises
    ------
    InvalidInputError
        A parameter that is not a finite number > 0, a ``log_likelihood`` that is
        not a finite number or NaN, a count that is not an integer >= 0,
        or a ``method`` that is not a str; booleans, strings, complex numbers,
        durations and numbers beyond float range are refused, naming the field.

    See Also
    --------
    fit_gamma_gamma : fits this model to customers' repeat purchases.

    References
    ----------
    .. [1] P. S. Fader, B. G. S. Hardie and K. L. Lee, "RFM and CLV: Using Iso-Value
       Curves for Customer Base Analysis", Journal of Marketing Research 42(4),
       415–430, 2005.
    .. [2] P. S. Fader and B. G. S. Hardie, "The Gamma-Gamma Model of Monetary Value",
       brucehardie.com, 2013.

    Examples
    --------
    The parameters published for the CDNOW sample (dollars):

    >>> from salescore.models.gamma_gamma import GammaGammaModel
    >>> model = GammaGammaModel(p=6.25, q=3.74, v=15.44)
    >>> round(model.conditional_expected_value(2, 22.35), 2)
    24.66
    """

    p: float = attrs.field(
        converter=attrs.Converter(positive_parameter, takes_field=True)  # type: ignore[misc]
    )
    q: float = attrs.field(
        converter=attrs.Converter(positive_parameter, takes_field=True)  # type: ignore[misc]
    )
    v: float = attrs.field(
        converter=attrs.Converter(positive_parameter, takes_field=True)  # type: ignore[misc]
    )
    log_likelihood: float = attrs.field(
        default=math.nan,
        converter=attrs.Converter(log_likelihood_field, takes_field=True),  # type: ignore[misc]
    )
    n_customers: int = attrs.field(
        default=0,
        converter=attrs.Converter(count_field, takes_field=True),  # type: ignore[misc]
    )
    n_excluded: int = attrs.field(
        default=0,
        converter=attrs.Converter(count_field, takes_field=True),  # type: ignore[misc]
    )
    iterations: int = attrs.field(
        default=0,
        converter=attrs.Converter(count_field, takes_field=True),  # type: ignore[misc]
    )
    method: str = attrs.field(
        default="",
        converter=attrs.Converter(text_field, takes_field=True),  # type: ignore[misc]
    )

    @overload
    def conditional_expected_value(  # type: ignore[overload-overlap]
        self, frequency: Scalar, monetary_value: Scalar
    ) -> float: ...
    @overload
    def conditional_expected_value(  # type: ignore[overload-overlap]
        self, frequency: Scalar | ArrayInput, monetary_value: Scalar | ArrayInput
    ) -> FloatArray: ...
    @overload
    def conditional_expected_value(
        self, frequency: Numeric, monetary_value: Numeric
    ) -> pd.Series[float]: ...
    def conditional_expected_value(
        self, frequency: Numeric, monetary_value: Numeric
    ) -> float | FloatArray | pd.Series[float]:
        r"""Expected value of each customer's future purchases, given their history.

        A weighted average of the population's mean spend and the customer's own
        observed mean, with more weight on the customer's the more repeat purchases
        it rests on. A customer without repeat purchases gets the population's mean
        (their ``monetary_value`` carries no weight, but must be a number: 0 is what
        :func:`~salescore.models.rfm.rfm_summary` gives them).

        Parameters
        ----------
        frequency : float, array_like or Series
            Repeat purchases :math:`x`, whole numbers >= 0.
        monetary_value : float, array_like or Series
            Mean value of those repeat purchases :math:`\bar z`, >= 0, in the currency
            the model was fitted in.

        Returns
        -------
        float, ndarray or Series
            :math:`E[Z \mid p, q, v, x, \bar z]`, in the currency of the data.

        Raises
        ------
        InvalidInputError
            A negative, infinite or fractional ``frequency`` or one above 2**53, a
            negative or infinite ``monetary_value``, a result beyond floating-point
            range, or a customer for whom the expected value is
            infinite (:math:`p x + q \le 1`; without repeat purchases, :math:`q \le 1`).
        IndexMismatchError
            Two Series arguments with different indexes.

        Notes
        -----
        .. math::

            E[Z \mid p, q, v, x, \bar z] = \frac{p\,(v + x \bar z)}{p x + q - 1}
            = \frac{q - 1}{p x + q - 1}\,\frac{p v}{q - 1}
            + \frac{p x}{p x + q - 1}\,\bar z

        References
        ----------
        .. [1] Fader, Hardie and Lee (2005), "RFM and CLV", equation 5; Fader and
           Hardie (2013), equation 5.

        Examples
        --------
        >>> from salescore.models.gamma_gamma import GammaGammaModel
        >>> model = GammaGammaModel(p=6.25, q=3.74, v=15.44)
        >>> round(model.conditional_expected_value(0, 0.0), 2)  # p v / (q − 1)
        35.22
        >>> model.conditional_expected_value([1, 10, 100], [50.0, 50.0, 50.0]).round(2)
        array([45.49, 49.38, 49.94])
        """
        (x, z), wrap = coerce(frequency=frequency, monetary_value=monetary_value)
        _check_customers(x, z)
        with np.errstate(all="ignore"):  # an infinite p x is refused below
            denominator = self.p * x + self.q - 1.0
        infinite = np.asarray(denominator <= 0.0)
        if infinite.any():
            where = "" if isinstance(denominator, float) else f" ({_positions(infinite)})"
            raise InvalidInputError(
                "the expected value of a purchase is infinite where p * frequency + q <= 1 "
                f"(p = {self.p:g}, q = {self.q:g}){where}: the model's spend distribution is "
                "too heavy-tailed for a mean"
            )
        # The weighted mean of the Notes, so that a mean value near the float limit
        # does not overflow on the way (p v + p x z would).
        with np.errstate(all="ignore"):
            out = self.p * self.v / denominator + self.p * x / denominator * z
        return wrap(check_result("conditional_expected_value", out, x, z))

    @overload
    def customer_log_likelihood(  # type: ignore[overload-overlap]
        self, frequency: Scalar, monetary_value: Scalar
    ) -> float: ...
    @overload
    def customer_log_likelihood(  # type: ignore[overload-overlap]
        self, frequency: Scalar | ArrayInput, monetary_value: Scalar | ArrayInput
    ) -> FloatArray: ...
    @overload
    def customer_log_likelihood(
        self, frequency: Numeric, monetary_value: Numeric
    ) -> pd.Series[float]: ...
    def customer_log_likelihood(
        self, frequency: Numeric, monetary_value: Numeric
    ) -> float | FloatArray | pd.Series[float]:
        r"""Log-likelihood of each customer's mean repeat spend under the model.

        Parameters
        ----------
        frequency : float, array_like or Series
            Repeat purchases :math:`x`, whole numbers >= 0.
        monetary_value : float, array_like or Series
            Mean value of those repeat purchases :math:`\bar z`, > 0 where
            ``frequency`` > 0.

        Returns
        -------
        float, ndarray or Series
            :math:`\ln f(\bar z \mid p, q, v, x)`, the log of a density in currency
            (it may be positive); 0 for a customer without repeat purchases, who
            reveals nothing about spend.

        Raises
        ------
        InvalidInputError
            An invalid ``frequency`` or ``monetary_value`` (see
            :meth:`conditional_expected_value`), or a mean value of 0 with repeat
            purchases (impossible under the model: its density is 0).
        IndexMismatchError
            Two Series arguments with different indexes.

        Notes
        -----
        .. math::

            \ln f = \ln\Gamma(p x + q) - \ln\Gamma(p x) - \ln\Gamma(q) + q \ln v
            + (p x - 1) \ln \bar z + p x \ln x - (p x + q) \ln(v + x \bar z)

        References
        ----------
        .. [1] Fader and Hardie (2013), equation 4.

        Examples
        --------
        >>> from salescore.models.gamma_gamma import GammaGammaModel
        >>> model = GammaGammaModel(p=6.25, q=3.74, v=15.44)
        >>> round(model.customer_log_likelihood(2, 22.35), 4)
        -3.5513
        >>> model.customer_log_likelihood([0, 1], [0.0, 10.0]).round(4)
        array([ 0.    , -3.9214])
        """
        (x, z), wrap = coerce(frequency=frequency, monetary_value=monetary_value)
        _check_customers(x, z)
        _check_positive_value(x, z)
        with np.errstate(all="ignore"):
            out = _log_likelihood(x, z, self.p, self.q, self.v)
        return wrap(check_result("customer_log_likelihood", out, x, z))


def _check_positive_value(x: Values, z: Values) -> None:
    zero = np.asarray((x > 0.0) & (z == 0.0))
    if zero.any():
        where = "" if zero.ndim == 0 else f" ({_positions(zero)})"
        raise InvalidInputError(
            "monetary_value must be > 0 for a customer with repeat purchases (a mean "
            f"spend of 0 has density 0 under the Gamma-Gamma model){where}"
        )


# ------------------------------------------------------------------ kernels


def _log_likelihood(x: Values, z: Values, p: float, q: float, v: float) -> Values:
    special = scipy_module("special")
    repeat = np.asarray(x > 0.0)
    safe_x = np.where(repeat, x, 1.0)
    safe_z = np.where(repeat, z, 1.0)
    px = p * safe_x
    spend = safe_x * safe_z
    out = (
        special.gammaln(px + q)
        - special.gammaln(px)
        - special.gammaln(q)
        + q * math.log(v)
        + (px - 1.0) * np.log(safe_z)
        + px * np.log(safe_x)
        - (px + q) * np.log(v + spend)
    )
    out = np.where(repeat, out, 0.0 * z)  # 0 without repeats; NaN still propagates
    out = np.where(np.isnan(x), np.nan, out)
    return float(out) if np.ndim(out) == 0 else np.asarray(out, dtype=np.float64)


# ------------------------------------------------------------------ the fit


def fit_gamma_gamma(
    frequency: Numeric,
    monetary_value: Numeric,
    *,
    weights: Numeric | None = None,
    repeat_buyers_only: bool = False,
) -> GammaGammaModel:
    r"""Fit the Gamma-Gamma model to the repeat buyers' mean spend by maximum likelihood.

    The model is fitted to customers with at least one repeat purchase: the others
    have no mean repeat spend to learn from. Pass those customers only, or pass all
    of them with ``repeat_buyers_only=True`` to leave the others out explicitly (the
    record counts them in ``n_excluded``). The parameters are searched on the log
    scale with the analytic gradient.

    The model assumes that a customer's spend per purchase does not depend on how
    often they buy. Check it before relying on the fit: the correlation between
    ``frequency`` and ``monetary_value`` over the repeat buyers should be close to 0
    (0.11 for CDNOW, see the Examples).

    Parameters
    ----------
    frequency : array_like or Series
        Repeat purchases of each customer, whole numbers >= 1 (>= 0 with
        ``repeat_buyers_only``); the ``frequency`` column of
        :func:`~salescore.models.rfm.rfm_summary`.
    monetary_value : array_like or Series
        Mean value of each customer's repeat purchases, finite and > 0 for repeat
        buyers (any finite number >= 0 for the others), in one currency.
    weights : array_like or Series, keyword-only, optional
        How many customers share each row, whole numbers >= 0 (the ``weight`` column
        of :func:`~salescore.models.rfm.compress`); each row once when omitted. The
        fit on compressed rows equals the fit on the rows they stand for.
    repeat_buyers_only : bool, keyword-only, default False
        Leave out the rows with ``frequency`` 0. Otherwise such a row raises.

    Returns
    -------
    GammaGammaModel
        The fitted parameters, the log-likelihood, the repeat buyers fitted and the
        customers left out.

    Raises
    ------
    InvalidInputError
        A missing value (a fit cannot propagate NaN, so it refuses it), a row with
        ``frequency`` 0 without ``repeat_buyers_only``, a repeat buyer with a mean
        value of 0, an invalid frequency, value or weight (or weights adding up to
        more than 2**53 customers), ``repeat_buyers_only`` not a bool, or no repeat
        buyer.
    IndexMismatchError
        Two Series arguments with different indexes.
    ConvergenceError
        The optimiser did not converge.
    ImportError
        SciPy is missing: ``pip install '.[models]'``.

    Warns
    -----
    SalescoreWarning
        A parameter ran to the bound of the search (for example every customer
        spends the same, so the spread of spend vanishes); or the fitted
        :math:`q \le 1`, so that the population has no finite mean spend and
        :meth:`GammaGammaModel.conditional_expected_value` refuses customers without
        repeat purchases.

    See Also
    --------
    GammaGammaModel : the fitted model and its expectations.
    salescore.models.rfm.rfm_summary : the input table from a transactions log.
    salescore.models.clv.model_clv : lifetime value from this model and a BG/NBD.

    Notes
    -----
    Maximises :math:`\sum_i w_i \ln f(\bar z_i \mid p, q, v, x_i)` over the repeat
    buyers, with the density of a mean of :math:`x` gamma values whose rate is
    gamma distributed:

    .. math::

        f(\bar z \mid p, q, v, x) = \frac{\Gamma(p x + q)}{\Gamma(p x)\,\Gamma(q)}
        \frac{v^q\, \bar z^{p x - 1}\, x^{p x}}{(v + x \bar z)^{p x + q}}

    References
    ----------
    .. [1] P. S. Fader, B. G. S. Hardie and K. L. Lee, "RFM and CLV: Using Iso-Value
       Curves for Customer Base Analysis", Journal of Marketing Research 42(4),
       415–430, 2005: on CDNOW's 946 repeat buyers p = 6.25, q = 3.74, v = 15.44
       (the maximum of the likelihood is at v = 15.448), and a correlation of 0.11
       between frequency and mean spend.
    .. [2] P. S. Fader and B. G. S. Hardie, "The Gamma-Gamma Model of Monetary Value",
       brucehardie.com, 2013.

    Examples
    --------
    >>> from salescore.models.data import load_cdnow_summary
    >>> from salescore.models.gamma_gamma import fit_gamma_gamma
    >>> cdnow = load_cdnow_summary()
    >>> model = fit_gamma_gamma(cdnow["frequency"], cdnow["monetary_value"],
    ...                         repeat_buyers_only=True)
    >>> round(model.p, 2), round(model.q, 2), round(model.v, 2)  # published: v = 15.44
    (6.25, 3.74, 15.45)
    >>> model.n_customers, model.n_excluded
    (946, 1411)
    >>> repeat = cdnow[cdnow["frequency"] > 0]
    >>> round(float(repeat["frequency"].corr(repeat["monetary_value"])), 2)
    0.11
    >>> fit_gamma_gamma([0, 2], [0.0, 25.0])
    Traceback (most recent call last):
    ...
    salescore.errors.InvalidInputError: frequency is 0 for 1 of 2 (0-based positions: 0) ...
    """
    repeat_buyers_only = option_flag("repeat_buyers_only", repeat_buyers_only)
    if weights is None:
        (x, z), _ = coerce(frequency=frequency, monetary_value=monetary_value)
        w: Values | None = None
    else:
        (x, z, w), _ = coerce(frequency=frequency, monetary_value=monetary_value, weights=weights)
    x, z = (np.atleast_1d(np.asarray(value, dtype=np.float64)) for value in (x, z))
    rows = (1,) if w is None else np.atleast_1d(w).shape
    length = int(np.broadcast_shapes(x.shape, z.shape, rows)[0])
    x, z = (np.broadcast_to(value, (length,)) for value in (x, z))
    for name, values in (("frequency", x), ("monetary_value", z)):
        missing = np.isnan(values)
        if missing.any():
            raise InvalidInputError(
                f"{name} is NaN for {_positions(missing)} customers; a fit cannot carry "
                "missing values through, so drop or complete those customers first"
            )
    _check_customers(x, z)
    counts = check_weights(w, length)
    once = x == 0.0
    if once.any() and not repeat_buyers_only:
        raise InvalidInputError(
            f"frequency is 0 for {_positions(once)} customers; the Gamma-Gamma model is "
            "fitted to repeat buyers only: pass those, or repeat_buyers_only=True to "
            "leave the others out"
        )
    _check_positive_value(x, z)
    excluded = float(counts[once].sum())
    keep = ~once & (counts > 0.0)
    x, z, counts = x[keep], z[keep], counts[keep]
    if x.size == 0:
        raise InvalidInputError(
            "fit_gamma_gamma needs at least one repeat buyer (frequency >= 1); got none"
        )
    total = float(counts.sum())

    special = scipy_module("special")
    with np.errstate(all="ignore"):  # infinite products are left to the objective
        objective = _objective(special, x, z, counts)
    with np.errstate(all="ignore"):
        optimum = minimize_log(
            objective, _start(x, z, counts), names=_NAMES, model="Gamma-Gamma", gradient=True
        )
    p, q, v = optimum.parameters
    if q <= 1.0:
        warnings.warn(
            f"Gamma-Gamma: the fitted q = {q:.6g} is <= 1, so the population's spend per "
            "purchase has no finite mean; expected values are finite only for customers "
            "with p * frequency + q > 1",
            SalescoreWarning,
            stacklevel=2,
        )
    return GammaGammaModel(
        p=p,
        q=q,
        v=v,
        log_likelihood=-optimum.value * total,
        n_customers=int(total),
        n_excluded=int(excluded),
        iterations=optimum.iterations,
        method=optimum.method,
    )


def _start(x: FloatArray, z: FloatArray, counts: FloatArray) -> tuple[float, float, float]:
    """Starting values by matching the mean spend, with unit shapes elsewhere.

    With p = 1 and q = 2 the population's mean spend p v / (q − 1) is v, so v starts
    at the weighted mean of the customers' means.
    """
    with np.errstate(all="ignore"):  # a mean beyond float range is clipped below
        mean = float(np.einsum("i,i->", counts / counts.sum(), z))
    return 1.0, 2.0, min(max(mean, 1e-6), 1e6) if not math.isnan(mean) else 1.0


def _objective(special: Any, x: FloatArray, z: FloatArray, counts: FloatArray) -> Any:
    """The mean negative log-likelihood over log-parameters, and its gradient."""
    total = float(counts.sum())
    log_x = np.log(x)
    log_z = np.log(z)
    spend = x * z
    constant = float(np.einsum("i,i->", counts, log_z))  # the -ln z̄ of the density

    def objective(log_params: FloatArray) -> tuple[float, FloatArray]:
        p, q, v = (float(value) for value in np.exp(log_params))
        px = p * x
        pxq = px + q
        log_total = np.log(v + spend)
        psi_pxq = special.digamma(pxq)
        ll = (
            _dot(counts, special.gammaln(pxq) - special.gammaln(px) + px * (log_z + log_x))
            - _dot(counts, pxq * log_total)
            + total * (q * math.log(v) - float(special.gammaln(q)))
            - constant
        )
        d_p = _dot(counts, x * (psi_pxq - special.digamma(px) + log_x + log_z - log_total))
        d_q = _dot(counts, psi_pxq - log_total) + total * (math.log(v) - float(special.digamma(q)))
        d_v = total * q / v - _dot(counts, pxq / (v + spend))
        gradient = np.array([p * d_p, q * d_q, v * d_v])
        return -float(ll) / total, -gradient / total

    return objective


def _dot(u: FloatArray, w: Any) -> float:
    return float(np.einsum("i,i->", u, w))
