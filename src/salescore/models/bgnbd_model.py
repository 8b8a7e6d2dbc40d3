"""The fitted BG/NBD model as a record: :class:`BetaGeoModel` and its predictions.

A frozen attrs record of the four parameters of the beta-geometric/negative-binomial
model and of how they were fitted, whose methods (under the container contract) give
each customer's log-likelihood, the purchases to expect, and the probabilities of
being still alive and of making a given number of purchases.
:func:`~salescore.models.bgnbd.fit_bgnbd` makes it from purchase histories; the
arithmetic is in the private kernels module beside it.
"""

from __future__ import annotations

import math
from typing import Any, overload

import attrs
import numpy as np
import pandas as pd

from .._arrays import ArrayInput, FloatArray, Numeric, Scalar, check_nonnegative, coerce
from . import _bgnbd_kernels as _k
from ._fitting import count_field, log_likelihood_field, positive_parameter, text_field

__all__ = ["BetaGeoModel"]

# ------------------------------------------------------------------ the model


@attrs.frozen(kw_only=True)
class BetaGeoModel:
    r"""A BG/NBD model of repeat purchasing: four parameters and how they were fitted.

    Made by :func:`fit_bgnbd`, or directly from published parameters. While alive, a
    customer buys as a Poisson process with rate :math:`\lambda \sim
    \text{Gamma}(r, \alpha)`; after each purchase they drop out with probability
    :math:`p \sim \text{Beta}(a, b)`. Time is in the unit the data were measured in
    (weeks for CDNOW), and :math:`\alpha` carries that unit.

    Parameters
    ----------
    r, alpha : float
        Shape and scale (in time units) of the gamma distribution of purchase rates;
        the mean rate is :math:`r / \alpha` purchases per unit time.
    a, b : float
        Parameters of the beta distribution of dropout probabilities; the mean is
        :math:`a / (a + b)`.
    log_likelihood : float, default NaN
        Log-likelihood of the data at the estimate (NaN for a model not fitted here).
    n_customers : int, default 0
        Customers fitted (the total of the weights).
    iterations : int, default 0
        Optimiser iterations taken.
    method : str, default ""
        The optimiser whose result was accepted ("SLSQP", "L-BFGS-B" or "Nelder-Mead").

    Raises
    ------
    InvalidInputError
        A parameter that is not a finite number > 0, a ``log_likelihood`` that is
        not a finite number or NaN, a count that is not an integer >= 0, or a
        ``method`` that is not a str; booleans, strings, complex numbers, durations
        and numbers beyond float range are refused, naming the field.

    See Also
    --------
    fit_bgnbd : fits this model to customers' purchase histories.

    References
    ----------
    .. [1] P. S. Fader, B. G. S. Hardie and K. L. Lee, "'Counting Your Customers' the
       Easy Way: An Alternative to the Pareto/NBD Model", Marketing Science 24(2),
       275–284, 2005.

    Examples
    --------
    The parameters published for the CDNOW sample (weeks):

    >>> from salescore.models.bgnbd import BetaGeoModel
    >>> model = BetaGeoModel(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> round(model.conditional_expected_purchases(39, 2, 30.43, 38.86), 3)
    1.226
    """

    r: float = attrs.field(
        converter=attrs.Converter(positive_parameter, takes_field=True)  # type: ignore[misc]
    )
    alpha: float = attrs.field(
        converter=attrs.Converter(positive_parameter, takes_field=True)  # type: ignore[misc]
    )
    a: float = attrs.field(
        converter=attrs.Converter(positive_parameter, takes_field=True)  # type: ignore[misc]
    )
    b: float = attrs.field(
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
    iterations: int = attrs.field(
        default=0,
        converter=attrs.Converter(count_field, takes_field=True),  # type: ignore[misc]
    )
    method: str = attrs.field(
        default="",
        converter=attrs.Converter(text_field, takes_field=True),  # type: ignore[misc]
    )

    # ---------------------------------------------------------- log-likelihood

    @overload
    def customer_log_likelihood(  # type: ignore[overload-overlap]
        self,
        frequency: Scalar,
        recency: Scalar,
        T: Scalar,  # noqa: N803
    ) -> float: ...
    @overload
    def customer_log_likelihood(  # type: ignore[overload-overlap]
        self,
        frequency: Scalar | ArrayInput,
        recency: Scalar | ArrayInput,
        T: Scalar | ArrayInput,  # noqa: N803
    ) -> FloatArray: ...
    @overload
    def customer_log_likelihood(
        self,
        frequency: Numeric,
        recency: Numeric,
        T: Numeric,  # noqa: N803
    ) -> pd.Series[float]: ...
    def customer_log_likelihood(
        self,
        frequency: Numeric,
        recency: Numeric,
        T: Numeric,  # noqa: N803
    ) -> float | FloatArray | pd.Series[float]:
        r"""Log-likelihood of each customer's purchase history under the model.

        Computed in logs throughout, with the two terms of the likelihood combined by
        log-sum-exp, so that it stays finite for customers with hundreds of purchases.

        Parameters
        ----------
        frequency : float, array_like or Series
            Repeat purchases :math:`x`, whole numbers >= 0.
        recency : float, array_like or Series
            Time of the last purchase after the first, :math:`t_x`, >= 0; 0 for a
            customer without repeat purchases.
        T : float, array_like or Series
            Time from the first purchase to the end of observation, >= ``recency``.

        Returns
        -------
        float, ndarray or Series
            :math:`\ln L(r, \alpha, a, b \mid x, t_x, T)`; it is the log of a density
            in time and may be positive.

        Raises
        ------
        InvalidInputError
            A negative, infinite or fractional frequency or one above 2**53, a
            negative recency or T, a recency beyond T, a recency > 0 with frequency
            0 (recency is the time of the last *repeat* purchase), or a result
            beyond floating-point range (times or parameters near 1e308).
        IndexMismatchError
            Two Series arguments with different indexes.

        Notes
        -----
        .. math::

            L = \frac{B(a, b + x)}{B(a, b)} \frac{\Gamma(r + x)\, \alpha^r}{\Gamma(r)}
            \left[(\alpha + T)^{-(r + x)} + \delta_{x > 0} \frac{a}{b + x - 1}
            (\alpha + t_x)^{-(r + x)}\right]

        References
        ----------
        .. [1] Fader, Hardie and Lee (2005), the model's likelihood function.
        .. [2] P. S. Fader and B. G. S. Hardie, "Overcoming the BG/NBD Model's #NUM!
           Error Problem", note, 2013, http://brucehardie.com/notes/027/: the values in the
           examples (r = 0.25, α = 4, a = 0.8, b = 2.5, T = 40).

        Examples
        --------
        >>> from salescore.models.bgnbd import BetaGeoModel
        >>> model = BetaGeoModel(r=0.25, alpha=4.0, a=0.8, b=2.5)
        >>> round(model.customer_log_likelihood(0, 0, 40), 5)
        -0.59947
        >>> model.customer_log_likelihood([200, 1], [38, 0], [40, 40])
        array([100.79569309,  -4.04469377])
        """
        (x, t_x, age), wrap = coerce(frequency=frequency, recency=recency, T=T)
        _k.check_customers(x, t_x, age)
        with np.errstate(all="ignore"):
            out = _k.log_likelihood(x, t_x, age, self.r, self.alpha, self.a, self.b)
        return wrap(_k.check_result("customer_log_likelihood", out, x, t_x, age))

    # ---------------------------------------------------------- predictions

    @overload
    def expected_purchases(self, t: Scalar) -> float: ...
    @overload
    def expected_purchases(self, t: ArrayInput) -> FloatArray: ...
    @overload
    def expected_purchases(self, t: pd.Series[Any]) -> pd.Series[float]: ...
    def expected_purchases(self, t: Numeric) -> float | FloatArray | pd.Series[float]:
        r"""Expected purchases of a new customer in their first ``t`` units of time.

        Counts every purchase after time 0, when the customer is acquired: the
        expected number of repeat purchases of someone who has just bought.

        Parameters
        ----------
        t : float, array_like or Series
            Length of the period, >= 0, in the model's time unit.

        Returns
        -------
        float, ndarray or Series
            :math:`E[X(t)]`, non-decreasing in ``t``; 0 at ``t = 0``.

        Raises
        ------
        InvalidInputError
            A negative or infinite ``t``, or a result beyond floating-point range
            (a ``t`` near 1e308).

        See Also
        --------
        conditional_expected_purchases : the same for a customer with a history.

        Notes
        -----
        .. math::

            E[X(t)] = \frac{a + b - 1}{a - 1}\left[1 - \left(\frac{\alpha}{\alpha + t}
            \right)^{r} {}_2F_1\!\left(r, b; a + b - 1; \frac{t}{\alpha + t}\right)
            \right]

        evaluated after Euler's transformation of :math:`{}_2F_1`, and near
        :math:`a = 1` or :math:`a + b = 1`, where it is a removable :math:`0/0`,
        as described (with its accuracy) in :meth:`conditional_expected_purchases`.

        References
        ----------
        .. [1] Fader, Hardie and Lee (2005), the expected number of purchases in a
           period of length t.

        Examples
        --------
        >>> from salescore.models.bgnbd import BetaGeoModel
        >>> model = BetaGeoModel(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> round(model.expected_purchases(39), 3)
        1.197
        >>> model.expected_purchases([0, 13, 52]).round(3)
        array([0.   , 0.534, 1.446])
        """
        (time,), wrap = coerce(t=t)
        check_nonnegative("t", time)
        with np.errstate(all="ignore"):
            out = _k.expected(time, 0.0, 0.0, self.r, self.alpha, self.a, self.b)
        return wrap(_k.check_result("expected_purchases", out, time))

    @overload
    def conditional_expected_purchases(  # type: ignore[overload-overlap]
        self,
        t: Scalar,
        frequency: Scalar,
        recency: Scalar,
        T: Scalar,  # noqa: N803
    ) -> float: ...
    @overload
    def conditional_expected_purchases(  # type: ignore[overload-overlap]
        self,
        t: Scalar | ArrayInput,
        frequency: Scalar | ArrayInput,
        recency: Scalar | ArrayInput,
        T: Scalar | ArrayInput,  # noqa: N803
    ) -> FloatArray: ...
    @overload
    def conditional_expected_purchases(
        self,
        t: Numeric,
        frequency: Numeric,
        recency: Numeric,
        T: Numeric,  # noqa: N803
    ) -> pd.Series[float]: ...
    def conditional_expected_purchases(
        self,
        t: Numeric,
        frequency: Numeric,
        recency: Numeric,
        T: Numeric,  # noqa: N803
    ) -> float | FloatArray | pd.Series[float]:
        r"""Expected purchases of each customer in the next ``t`` units of time.

        Given the customer's history (``frequency`` repeat purchases, the last at
        ``recency``, observed for ``T``), the number of purchases to expect in
        :math:`(T, T + t]`.

        Parameters
        ----------
        t : float, array_like or Series
            Length of the coming period, >= 0.
        frequency : float, array_like or Series
            Repeat purchases :math:`x`, whole numbers >= 0.
        recency : float, array_like or Series
            Time of the last purchase after the first, :math:`t_x`, >= 0; 0 for a
            customer without repeat purchases.
        T : float, array_like or Series
            Time from the first purchase to the end of observation, >= ``recency``.

        Returns
        -------
        float, ndarray or Series
            :math:`E[Y(t) \mid x, t_x, T]`, >= 0.

        Raises
        ------
        InvalidInputError
            A negative or infinite ``t``, an invalid history (see
            :meth:`customer_log_likelihood`).
        IndexMismatchError
            Two Series arguments with different indexes.

        See Also
        --------
        probability_alive : the last factor of the formula.

        Notes
        -----
        .. math::

            E[Y(t) \mid x, t_x, T] = \frac{a + b + x - 1}{a - 1}\left[1 -
            \left(\frac{\alpha + T}{\alpha + T + t}\right)^{r + x}
            {}_2F_1\!\left(r + x, b + x; a + b + x - 1; z\right)\right]
            P(\text{alive} \mid x, t_x, T), \quad z = \frac{t}{\alpha + T + t}

        The hypergeometric function is evaluated after Euler's transformation,
        :math:`(1 - z)^{r + x}\,{}_2F_1(r + x, b + x; c; z) = (1 - z)^{a - 1}\,
        {}_2F_1(a + b - 1 - r, a - 1; c; z)`, whose series converges quickly however
        many purchases the customer made. At :math:`a = 1`, and at :math:`a + b = 1`
        for :math:`x = 0`, the expression is a removable :math:`0/0`. Within
        :math:`10^{-4}` of those sets it is replaced: for short horizons by its
        power series in :math:`z` rearranged so that neither :math:`a - 1` nor
        :math:`a + b + x - 1` divides, otherwise by Richardson's extrapolation of
        the closed form at :math:`a \pm h` and :math:`a \pm 2h`
        (:math:`h = 5 \times 10^{-4}`). Compared with a numerical integral of the
        model's definition for :math:`r` in [0.02, 10], :math:`\alpha` in [0.1, 200],
        :math:`b` in [0.05, 40], :math:`x` up to 500 and :math:`t` from 0.01 to
        :math:`10^6`, the relative error there was at most :math:`1.5 \times
        10^{-9}`.

        References
        ----------
        .. [1] Fader, Hardie and Lee (2005), conditional expectations; the customer with
           :math:`x = 2, t_x = 30.43, T = 38.86` is their worked example (1.226
           purchases in 39 weeks).

        Examples
        --------
        >>> import pandas as pd
        >>> from salescore.models.bgnbd import BetaGeoModel
        >>> model = BetaGeoModel(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> round(model.conditional_expected_purchases(39, 2, 30.43, 38.86), 3)
        1.226
        >>> history = pd.DataFrame({"x": [2, 0], "t_x": [30.43, 0.0], "T": [38.86, 38.86]},
        ...                        index=["c1", "c2"])
        >>> model.conditional_expected_purchases(39, history["x"], history["t_x"],
        ...                                      history["T"]).round(3)
        c1    1.226
        c2    0.2...
        dtype: float64
        >>> model.conditional_expected_purchases(0, 2, 30.43, 38.86)
        0.0
        """
        (time, x, t_x, age), wrap = coerce(t=t, frequency=frequency, recency=recency, T=T)
        check_nonnegative("t", time)
        _k.check_customers(x, t_x, age)
        with np.errstate(all="ignore"):
            expected = _k.expected(time, x, age, self.r, self.alpha, self.a, self.b)
            alive = _k.alive(x, t_x, age, self.r, self.alpha, self.a, self.b)
            out = expected * alive
        return wrap(_k.check_result("conditional_expected_purchases", out, time, x, t_x, age))

    @overload
    def probability_alive(  # type: ignore[overload-overlap]
        self,
        frequency: Scalar,
        recency: Scalar,
        T: Scalar,  # noqa: N803
    ) -> float: ...
    @overload
    def probability_alive(  # type: ignore[overload-overlap]
        self,
        frequency: Scalar | ArrayInput,
        recency: Scalar | ArrayInput,
        T: Scalar | ArrayInput,  # noqa: N803
    ) -> FloatArray: ...
    @overload
    def probability_alive(
        self,
        frequency: Numeric,
        recency: Numeric,
        T: Numeric,  # noqa: N803
    ) -> pd.Series[float]: ...
    def probability_alive(
        self,
        frequency: Numeric,
        recency: Numeric,
        T: Numeric,  # noqa: N803
    ) -> float | FloatArray | pd.Series[float]:
        r"""Probability that each customer is still a customer at the end of observation.

        A customer without repeat purchases cannot have dropped out (in the BG/NBD
        model dropout happens only after a purchase), so their probability is 1.

        Parameters
        ----------
        frequency : float, array_like or Series
            Repeat purchases :math:`x`, whole numbers >= 0.
        recency : float, array_like or Series
            Time of the last purchase after the first, :math:`t_x`, >= 0; 0 for a
            customer without repeat purchases.
        T : float, array_like or Series
            Time from the first purchase to the end of observation, >= ``recency``.

        Returns
        -------
        float, ndarray or Series
            :math:`P(\text{alive} \mid x, t_x, T)` in [0, 1].

        Raises
        ------
        InvalidInputError
            An invalid history (see :meth:`customer_log_likelihood`).
        IndexMismatchError
            Two Series arguments with different indexes.

        Notes
        -----
        .. math::

            P(\text{alive} \mid x, t_x, T) = \left[1 + \delta_{x > 0} \frac{a}{b + x - 1}
            \left(\frac{\alpha + T}{\alpha + t_x}\right)^{r + x}\right]^{-1}

        computed as :math:`e^{-\operatorname{softplus}(d)}` with :math:`d` the log of
        the second term, so that it neither overflows nor underflows for customers
        with thousands of purchases.

        References
        ----------
        .. [1] P. S. Fader, B. G. S. Hardie and K. L. Lee, "Computing P(alive) Using
           the BG/NBD Model", note, brucehardie.com.

        Examples
        --------
        >>> from salescore.models.bgnbd import BetaGeoModel
        >>> model = BetaGeoModel(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> round(model.probability_alive(2, 30.43, 38.86), 3)
        0.727
        >>> model.probability_alive([0, 2, 2], [0.0, 30.43, 5.0], [38.86, 38.86, 38.86]).round(3)
        array([1.   , 0.727, 0.124])
        """
        (x, t_x, age), wrap = coerce(frequency=frequency, recency=recency, T=T)
        _k.check_customers(x, t_x, age)
        with np.errstate(all="ignore"):
            out = _k.alive(x, t_x, age, self.r, self.alpha, self.a, self.b)
        return wrap(_k.check_result("probability_alive", out, x, t_x, age))

    @overload
    def purchase_probability(self, n: Scalar, t: Scalar) -> float: ...  # type: ignore[overload-overlap]
    @overload
    def purchase_probability(  # type: ignore[overload-overlap]
        self, n: Scalar | ArrayInput, t: Scalar | ArrayInput
    ) -> FloatArray: ...
    @overload
    def purchase_probability(self, n: Numeric, t: Numeric) -> pd.Series[float]: ...
    def purchase_probability(self, n: Numeric, t: Numeric) -> float | FloatArray | pd.Series[float]:
        r"""Probability that a new customer makes exactly ``n`` purchases in time ``t``.

        Parameters
        ----------
        n : float, array_like or Series
            Number of purchases after acquisition, whole numbers >= 0.
        t : float, array_like or Series
            Length of the period from acquisition, >= 0.

        Returns
        -------
        float, ndarray or Series
            :math:`P(X(t) = n)` in [0, 1]; summed over ``n`` it is 1.

        Raises
        ------
        InvalidInputError
            A negative, infinite or fractional ``n`` or one above 2**53, a negative
            or infinite ``t``, or a result beyond floating-point range.
        IndexMismatchError
            Two Series arguments with different indexes.

        Notes
        -----
        .. math::

            P(X(t) = n) = \frac{B(a, b + n)}{B(a, b)}
            \frac{\Gamma(r + n)}{\Gamma(r)\, n!}
            \left(\frac{\alpha}{\alpha + t}\right)^r \left(\frac{t}{\alpha + t}\right)^n
            + \delta_{n > 0} \frac{B(a + 1, b + n - 1)}{B(a, b)}\,
            I_{t / (\alpha + t)}(n, r)

        where :math:`I_z` is the regularised incomplete beta function: the
        probability that a negative binomial count is at least :math:`n`.

        References
        ----------
        .. [1] Fader, Hardie and Lee (2005), the distribution of the number of
           purchases in a period of length t.

        Examples
        --------
        >>> from salescore.models.bgnbd import BetaGeoModel
        >>> model = BetaGeoModel(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> round(model.purchase_probability(0, 39), 3)
        0.574
        >>> model.purchase_probability([0, 1, 2], 39).round(3)
        array([0.574, 0.199, 0.085])
        >>> model.purchase_probability(0, 0)
        1.0
        """
        (count, time), wrap = coerce(n=n, t=t)
        _k.check_whole("n", count)
        check_nonnegative("t", time)
        with np.errstate(all="ignore"):
            out = _k.purchase_probability(count, time, self.r, self.alpha, self.a, self.b)
        return wrap(_k.check_result("purchase_probability", out, count, time))
