"""How long will subscribers stay? The shifted-beta-geometric model of contract renewals.

In a contractual setting (subscriptions, licences, service contracts renewed every
period) churn is observed. The shifted-beta-geometric (sBG) model of Fader and Hardie
(2007) gives each customer their own churn probability, constant over time, drawn
from a beta distribution; this heterogeneity is why a cohort's retention rate rises
with its age. :func:`fit_sbg` fits it to a cohort's survivor counts and returns a
frozen :class:`ShiftedBetaGeoModel`, whose methods (under the container contract)
project survival and retention and give the discounted expected residual lifetime
(DERL) that values a customer base.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Final, overload

import attrs
import numpy as np
import pandas as pd

from .._arrays import ArrayInput, FloatArray, Numeric, Scalar, check_nonnegative, coerce
from ..errors import InvalidInputError, SalescoreWarning
from . import _sbg_kernels as _k
from ._fitting import (
    UPPER,
    check_result,
    count_field,
    log_likelihood_field,
    minimize_log,
    positive_parameter,
    size_field,
    text_field,
)
from ._scipy import scipy_module

__all__ = ["ShiftedBetaGeoModel", "fit_sbg"]

_NAMES: Final = ("alpha", "beta")


@attrs.frozen(kw_only=True)
class ShiftedBetaGeoModel:
    r"""A shifted-beta-geometric model of contract renewals, and how it was fitted.

    Made by :func:`fit_sbg`, or from published parameters. A customer churns at each
    renewal with a constant probability :math:`\theta \sim \text{Beta}(\alpha,
    \beta)`. Time is in renewal periods (those of the survivor counts); a customer
    who churns at the first renewal has lifetime :math:`T = 1`.

    Parameters
    ----------
    alpha, beta : float
        Parameters of the beta distribution of churn probabilities, finite and > 0;
        a new customer's mean churn probability is :math:`\alpha / (\alpha + \beta)`.
    log_likelihood : float, default NaN
        Log-likelihood of the survivor counts (NaN for a model not fitted here).
    cohort_size : float, default NaN
        Survivors at :math:`t = 0` in the fitted data.
    periods : int, default 0
        Periods observed in the fitted data (the last :math:`t`).
    iterations : int, default 0
        Optimiser iterations taken.
    method : str, default ""
        The SciPy method whose result was accepted (such as "SLSQP"), or
        "geometric" for the limit of no heterogeneity (see :func:`fit_sbg`).

    Raises
    ------
    InvalidInputError
        A parameter that is not a finite number > 0, a ``log_likelihood`` that is
        not a finite number or NaN, a ``cohort_size`` that is not a finite number
        > 0 or NaN, a count that is not an integer >= 0, or a ``method`` that is
        not a str; booleans, strings, complex numbers, durations and numbers beyond
        float range are refused, naming the field.

    See Also
    --------
    fit_sbg : fits this model to a cohort's survivor counts.

    References
    ----------
    .. [1] P. S. Fader and B. G. S. Hardie, "How to Project Customer Retention",
       Journal of Interactive Marketing 21(1), 76–90, 2007.
    .. [2] P. S. Fader and B. G. S. Hardie, "Customer-Base Valuation in a Contractual
       Setting: The Perils of Ignoring Heterogeneity", Marketing Science 29(1),
       85–93, 2010.

    Examples
    --------
    Fader and Hardie's (2007) "Regular" cohort: survivors per 1,000 after 12 years.

    >>> from salescore.models.sbg import ShiftedBetaGeoModel
    >>> round(1000 * ShiftedBetaGeoModel(alpha=0.704, beta=1.182).survival(12))
    170
    """

    alpha: float = attrs.field(
        converter=attrs.Converter(positive_parameter, takes_field=True)  # type: ignore[misc]
    )
    beta: float = attrs.field(
        converter=attrs.Converter(positive_parameter, takes_field=True)  # type: ignore[misc]
    )
    log_likelihood: float = attrs.field(
        default=math.nan,
        converter=attrs.Converter(log_likelihood_field, takes_field=True),  # type: ignore[misc]
    )
    cohort_size: float = attrs.field(
        default=math.nan,
        converter=attrs.Converter(size_field, takes_field=True),  # type: ignore[misc]
    )
    periods: int = attrs.field(
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
    def survival(self, t: Scalar) -> float: ...
    @overload
    def survival(self, t: ArrayInput) -> FloatArray: ...
    @overload
    def survival(self, t: pd.Series[Any]) -> pd.Series[float]: ...
    def survival(self, t: Numeric) -> float | FloatArray | pd.Series[float]:
        r"""Share of a newly acquired cohort still a customer after ``t`` periods.

        Parameters
        ----------
        t : float, array_like or Series
            Periods since acquisition, whole numbers >= 0.

        Returns
        -------
        float, ndarray or Series
            :math:`S(t)` in (0, 1]: 1 at ``t = 0``, non-increasing in ``t``.

        Raises
        ------
        InvalidInputError
            A negative, infinite or fractional ``t``, or a result beyond
            floating-point range (parameters near 1e308).

        Notes
        -----
        .. math::

            S(t) = P(T > t) = \frac{B(\alpha, \beta + t)}{B(\alpha, \beta)}

        References
        ----------
        .. [1] Fader and Hardie (2007), equation 3.

        Examples
        --------
        >>> from salescore.models.sbg import ShiftedBetaGeoModel
        >>> model = ShiftedBetaGeoModel(alpha=0.668, beta=3.806)
        >>> model.survival(0)
        1.0
        >>> (1000 * model.survival([1, 2, 3])).round(1)
        array([850.7, 746.9, 669.8])
        """
        (time,), wrap = coerce(t=t)
        _k.check_periods("t", time, first=0)
        with np.errstate(all="ignore"):
            out = _k.survival(time, self.alpha, self.beta)
        return wrap(check_result("survival", out, time))

    @overload
    def retention(self, t: Scalar) -> float: ...
    @overload
    def retention(self, t: ArrayInput) -> FloatArray: ...
    @overload
    def retention(self, t: pd.Series[Any]) -> pd.Series[float]: ...
    def retention(self, t: Numeric) -> float | FloatArray | pd.Series[float]:
        r"""Retention rate at renewal ``t``: the share of period ``t − 1``'s customers who renew.

        Rises with ``t``: the customers likely to churn leave first, so a rising
        retention rate is no sign that the service improved.

        Parameters
        ----------
        t : float, array_like or Series
            Renewal periods, whole numbers >= 1.

        Returns
        -------
        float, ndarray or Series
            :math:`r_t` in (0, 1), increasing towards 1.

        Raises
        ------
        InvalidInputError
            A ``t`` below 1, infinite or fractional, or a result beyond
            floating-point range.

        Notes
        -----
        .. math::

            r_t = \frac{S(t)}{S(t - 1)} = \frac{\beta + t - 1}{\alpha + \beta + t - 1}

        A new customer churns at renewal :math:`t` with probability
        :math:`P(T = t) = S(t - 1)\,(1 - r_t)`.

        References
        ----------
        .. [1] Fader and Hardie (2007), equation 4.

        Examples
        --------
        >>> from salescore.models.sbg import ShiftedBetaGeoModel
        >>> model = ShiftedBetaGeoModel(alpha=0.704, beta=1.182)
        >>> round(model.retention(1), 4)
        0.6267
        >>> model.retention([2, 5, 10]).round(3)
        array([0.756, 0.88 , 0.935])
        """
        (time,), wrap = coerce(t=t)
        _k.check_periods("t", time, first=1)
        # t - 1 first: with α and β near 0, α + β + t - 1 rounded to 0 at t = 1.
        with np.errstate(all="ignore"):
            out = (self.beta + (time - 1.0)) / (self.alpha + self.beta + (time - 1.0))
        return wrap(check_result("retention", out, time))

    def expected_lifetime(self) -> float:
        r"""Mean lifetime of a newly acquired customer, in periods (the first included).

        Returns
        -------
        float
            :math:`E[T] > 1`.

        Raises
        ------
        InvalidInputError
            ``alpha <= 1``: the mean lifetime is infinite. Use
            :meth:`discounted_expected_residual_lifetime`, or sum :meth:`survival`.
            Also a mean lifetime beyond floating-point range (``alpha`` within
            about 1e-308 of 1, or ``beta`` near 1e308).

        Notes
        -----
        .. math::

            E[T] = \sum_{t=0}^{\infty} S(t) = E\!\left[\frac{1}{\theta}\right]
                 = \frac{\alpha + \beta - 1}{\alpha - 1}, \qquad \alpha > 1

        References
        ----------
        .. [1] Fader and Hardie (2007), section 2.

        Examples
        --------
        >>> from salescore.models.sbg import ShiftedBetaGeoModel
        >>> ShiftedBetaGeoModel(alpha=3.0, beta=6.0).expected_lifetime()
        4.0
        >>> ShiftedBetaGeoModel(alpha=0.704, beta=1.182).expected_lifetime()
        Traceback (most recent call last):
        ...
        salescore.errors.InvalidInputError: the expected lifetime is infinite where alpha <= 1 ...
        """
        if self.alpha <= 1.0:
            raise InvalidInputError(
                f"the expected lifetime is infinite where alpha <= 1 (alpha = {self.alpha:g}); "
                "use discounted_expected_residual_lifetime, or sum survival over a horizon"
            )
        lifetime = (self.alpha + self.beta - 1.0) / (self.alpha - 1.0)
        if math.isinf(lifetime):
            raise InvalidInputError(
                f"the expected lifetime (alpha = {self.alpha:g}, beta = {self.beta:g}) is "
                "beyond floating-point range"
            )
        return lifetime

    @overload
    def discounted_expected_residual_lifetime(  # type: ignore[overload-overlap]
        self, discount_rate: Scalar, renewals: Scalar = ...
    ) -> float: ...
    @overload
    def discounted_expected_residual_lifetime(  # type: ignore[overload-overlap]
        self, discount_rate: Scalar | ArrayInput, renewals: Scalar | ArrayInput = ...
    ) -> FloatArray: ...
    @overload
    def discounted_expected_residual_lifetime(
        self, discount_rate: Numeric, renewals: Numeric = ...
    ) -> pd.Series[float]: ...
    def discounted_expected_residual_lifetime(
        self, discount_rate: Numeric, renewals: Numeric = 0.0
    ) -> float | FloatArray | pd.Series[float]:
        r"""Discounted expected number of future payments of a customer with ``renewals`` renewals.

        Fader and Hardie's DERL, at the end of the customer's current period just
        before the renewal decision: each renewal brings one payment, the next now,
        later ones discounted per period. Times the payment per period, it is the
        customer's expected residual value; a customer who renewed often is likely
        to have a low churn probability, so the history counts.

        Parameters
        ----------
        discount_rate : float, array_like or Series
            Discount rate per period, >= 0 (the period of the survivor counts).
        renewals : float, array_like or Series, default 0
            Renewals the customer has made so far, whole numbers >= 0; 0 for a
            customer in their first period.

        Returns
        -------
        float, ndarray or Series
            :math:`\text{DERL}(d \mid n)` >= 0, in periods' worth of payments;
            decreasing in ``discount_rate``, increasing in ``renewals``.

        Raises
        ------
        InvalidInputError
            A negative or infinite ``discount_rate``; a negative, infinite or
            fractional ``renewals``; ``discount_rate`` 0 with ``alpha <= 1`` (the sum
            diverges); or a result that cannot be computed in floating point
            (parameters or renewals near 1e308).
        IndexMismatchError
            Two Series arguments with different indexes.

        Notes
        -----
        With :math:`n` renewals made, the churn probability of the customer has the
        posterior :math:`\text{Beta}(\alpha, \beta + n)`, and

        .. math::

            \text{DERL}(d \mid n) = \sum_{k=n+1}^{\infty}
                \frac{S(k)}{S(n)} \frac{1}{(1 + d)^{k - n - 1}}
              = \frac{\beta + n}{\alpha + \beta + n}\,
                {}_2F_1\!\left(1, \beta + n + 1; \alpha + \beta + n + 1;
                \frac{1}{1 + d}\right).

        SciPy's :math:`{}_2F_1` returns NaN or ``inf`` for large :math:`\beta + n`,
        so the Euler integral :math:`(1 + d)\, E[(1 - \theta) / (\theta + d)]`,
        :math:`\theta \sim \text{Beta}(\alpha, \beta + n)`, is taken instead, by
        the trapezoid rule on the logit of :math:`\theta` (exponentially convergent).
        At :math:`d = 0` it is :math:`(\beta + n) / (\alpha - 1)`. A new customer's
        discounted expected lifetime, with the first payment, is
        :math:`1 + \text{DERL}(d \mid 0)`.

        References
        ----------
        .. [1] Fader and Hardie (2010), equation 6 (their :math:`n - 1` renewals is
           ``renewals`` here).

        Examples
        --------
        >>> from salescore.models.sbg import ShiftedBetaGeoModel
        >>> model = ShiftedBetaGeoModel(alpha=3.0, beta=6.0)
        >>> model.discounted_expected_residual_lifetime(0.0)  # β / (α − 1)
        3.0
        >>> model.discounted_expected_residual_lifetime(0.1, [0, 1, 10]).round(4)
        array([2.0878, 2.3449, 4.0663])
        >>> model.discounted_expected_residual_lifetime(float("nan"))
        nan
        """
        (d, n), wrap = coerce(discount_rate=discount_rate, renewals=renewals)
        check_nonnegative("discount_rate", d)
        _k.check_periods("renewals", n, first=0)
        undiscounted = np.asarray(d == 0.0)
        if self.alpha <= 1.0 and undiscounted.any():
            where = "" if isinstance(d, float) else f" ({_k.positions(undiscounted)})"
            raise InvalidInputError(
                "the undiscounted residual lifetime is infinite where alpha <= 1 "
                f"(alpha = {self.alpha:g}); pass a discount_rate > 0{where}"
            )
        b, rate = np.broadcast_arrays(np.atleast_1d(self.beta + n), np.atleast_1d(d))
        with np.errstate(all="ignore"):  # weights below 1e-308 count as 0
            out = _k.residual_lifetime(self.alpha, b, rate)
        check_result("discounted_expected_residual_lifetime", out, b, rate)
        return wrap(float(out[0]) if isinstance(n, float) and isinstance(d, float) else out)


def fit_sbg(survivors: Numeric) -> ShiftedBetaGeoModel:
    r"""Fit the shifted-beta-geometric model to a cohort's survivor counts.

    Projects a subscription cohort's retention beyond the periods observed and values
    the customers who remain. The search runs on log-parameters with the gradient.

    Parameters
    ----------
    survivors : array_like or Series
        Customers of one cohort still active at :math:`t = 0, 1, 2, …` periods after
        acquisition: at least three values, finite, >= 0, non-increasing, the first
        > 0. Per-1,000 figures or shares give the same parameters as counts (only
        the log-likelihood scales). Being counts, they are the weights of a fit to
        individual lifetimes, so there is no ``weights=`` argument.

    Returns
    -------
    ShiftedBetaGeoModel
        The parameters, log-likelihood, cohort size and periods observed.

    Raises
    ------
    InvalidInputError
        A scalar, fewer than three values, a missing, negative or infinite value, a
        count that rises, a first count of 0, or counts so large (near 1e308) that
        the log-likelihood exceeds float range.
    ConvergenceError
        Nothing to estimate (no churn at all, or everyone churned at the first
        renewal), or the optimiser did not converge.
    ImportError
        SciPy is missing: ``pip install '.[models]'``.

    Warns
    -----
    SalescoreWarning
        A parameter ran to the bound of the search. When one churn probability for
        everyone fits as well as any spread, both run to infinity: the model is then
        that limit, :math:`\alpha + \beta = 10^8` with the pooled churn rate as
        :math:`\alpha / (\alpha + \beta)`, and ``method`` is ``"geometric"``.

    See Also
    --------
    ShiftedBetaGeoModel : the fitted model and its projections.

    Notes
    -----
    With :math:`n_t` survivors at :math:`t = 0, …, k` (lifetime :math:`t` for the
    :math:`n_{t-1} - n_t` lost at renewal :math:`t`, beyond :math:`k` for the rest):

    .. math::

        \ln L(\alpha, \beta) = \sum_{t=1}^{k} (n_{t-1} - n_t)
            \ln\frac{B(\alpha + 1, \beta + t - 1)}{B(\alpha, \beta)}
            + n_k \ln\frac{B(\alpha, \beta + k)}{B(\alpha, \beta)}

    Where the derivative of :math:`\ln L` in the variance of :math:`\theta`, at
    variance 0 and the pooled rate :math:`\hat\theta = (n_0 - n_k) / \sum_{t<k} n_t`,
    is not positive, no spread improves on :math:`\hat\theta` and the search (which
    would wander along a flat ridge) is skipped.

    References
    ----------
    .. [1] P. S. Fader and B. G. S. Hardie, "How to Project Customer Retention",
       Journal of Interactive Marketing 21(1), 76–90, 2007: fitted on years 0–7,
       α = 0.704, β = 1.182 for the "Regular" cohort and α = 0.668, β = 3.806 for
       the "High End" one.

    Examples
    --------
    Fader and Hardie's (2007) "Regular" cohort, survivors per 1,000 in years 0–7:

    >>> from salescore.models.sbg import fit_sbg
    >>> model = fit_sbg([1000, 631, 468, 382, 326, 289, 262, 241])
    >>> round(model.alpha, 3), round(model.beta, 3)
    (0.704, 1.182)
    >>> (1000 * model.survival([8, 12])).round()  # observed: 223 and 173
    array([220., 170.])
    >>> fit_sbg([1000, 631, 640])
    Traceback (most recent call last):
    ...
    salescore.errors.InvalidInputError: survivors must not rise from one period to the next; ...
    """
    counts = _k.survivors(survivors)
    cohort = float(counts[0])
    # The fit runs on shares of the cohort (the parameters do not depend on its
    # size), so that counts near the float limit do not overflow the sums.
    with np.errstate(all="ignore"):
        counts = counts / cohort
    periods = counts.size - 1
    lost = counts[:-1] - counts[1:]
    remaining = float(counts[-1])
    t = np.arange(1.0, periods + 1.0)
    churn, geometric_value, score = _k.geometric(lost, counts[:-1], t, remaining, periods)
    if score <= 0.0:
        return _homogeneous(churn, geometric_value, cohort, periods)

    special = scipy_module("special")
    objective = _k.objective(special, lost, t, remaining, 1.0, periods)
    first_retention = float(counts[1] / counts[0])
    beta0 = min(max(first_retention / max(1.0 - first_retention, 1e-3), 1e-2), 1e2)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        optimum = minimize_log(objective, (1.0, beta0), names=_NAMES, model="sBG", gradient=True)
    if optimum.value >= geometric_value - 1e-12 * max(1.0, abs(geometric_value)):
        return _homogeneous(churn, geometric_value, cohort, periods)
    alpha, beta = optimum.parameters
    return ShiftedBetaGeoModel(
        alpha=alpha,
        beta=beta,
        log_likelihood=_k.total(optimum.value, cohort),
        cohort_size=cohort,
        periods=periods,
        iterations=optimum.iterations,
        method=optimum.method,
    )


def _homogeneous(churn: float, value: float, cohort: float, periods: int) -> ShiftedBetaGeoModel:
    """The limit of no heterogeneity, at the bound of the search, with a warning."""
    warnings.warn(
        "sBG: the cohort shows no heterogeneity in churn (one churn probability of "
        f"{churn:.6g} for everyone fits at least as well as any spread), so alpha and "
        f"beta ran to the bound of the search (alpha + beta = {UPPER:g}); the model is "
        "the geometric one, whose retention does not rise with time",
        SalescoreWarning,
        stacklevel=3,
    )
    return ShiftedBetaGeoModel(
        alpha=churn * UPPER,
        beta=(1.0 - churn) * UPPER,
        log_likelihood=_k.total(value, cohort),
        cohort_size=cohort,
        periods=periods,
        iterations=0,
        method="geometric",
    )
