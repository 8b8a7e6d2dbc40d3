"""Which customers are still buying? The BG/NBD model of repeat purchasing.

The beta-geometric/negative-binomial distribution model (Fader, Hardie & Lee 2005)
describes customers who buy at a steady rate while they are "alive" and may drop out
for good after any purchase, unobserved. Fitted to each customer's number of repeat
purchases, recency and age (:func:`~salescore.models.rfm.rfm_summary` makes them from
a transactions log), it tells a sales manager how many purchases to expect from each
customer and how likely each one is to still be a customer.

:func:`fit_bgnbd` fits the four parameters by maximum likelihood and returns a frozen
:class:`BetaGeoModel`, whose methods follow the container contract: scalars give a
float, arrays a float64 array, Series a Series on the same index.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np

from .._arrays import Numeric, Values, coerce
from ..errors import InvalidInputError
from . import _bgnbd_kernels as _k
from ._fitting import check_weights, minimize_log
from ._scipy import scipy_module
from .bgnbd_model import BetaGeoModel

__all__ = ["BetaGeoModel", "fit_bgnbd"]

_NAMES: Final = ("r", "alpha", "a", "b")

# ------------------------------------------------------------------ the fit


def fit_bgnbd(
    frequency: Numeric,
    recency: Numeric,
    T: Numeric,  # noqa: N803
    *,
    weights: Numeric | None = None,
) -> BetaGeoModel:
    r"""Fit the BG/NBD model to customers' purchase histories by maximum likelihood.

    The parameters are searched on the log scale from the data's mean purchase rate,
    with the analytic gradient; the log-likelihood is computed with log-gamma and
    log-beta functions and log-sum-exp, so that heavy buyers do not overflow it.

    Parameters
    ----------
    frequency : array_like or Series
        Repeat purchases of each customer, whole numbers >= 0 (the ``frequency``
        column of :func:`~salescore.models.rfm.rfm_summary`).
    recency : array_like or Series
        Time of each customer's last purchase after their first, >= 0; 0 for
        customers without repeat purchases.
    T : array_like or Series
        Time from each customer's first purchase to the end of observation, >=
        ``recency``; the time unit of ``recency`` and ``T`` is the unit of the fitted
        :math:`\alpha` and of every prediction.
    weights : array_like or Series, keyword-only, optional
        How many customers share each row, whole numbers >= 0 (the ``weight`` column
        of :func:`~salescore.models.rfm.compress`); each row once when omitted. The
        fit on compressed rows equals the fit on the rows they stand for.

    Returns
    -------
    BetaGeoModel
        The fitted parameters, the log-likelihood and the number of customers.

    Raises
    ------
    InvalidInputError
        A missing value (a fit cannot propagate NaN, so it refuses it), an invalid
        history (see :meth:`BetaGeoModel.customer_log_likelihood`), invalid weights
        (or weights adding up to more than 2**53 customers), or no customer at all.
    IndexMismatchError
        Two Series arguments with different indexes.
    ConvergenceError
        The optimiser did not converge.
    ImportError
        SciPy is missing: ``pip install '.[models]'``.

    Warns
    -----
    SalescoreWarning
        A parameter ran to the bound of the search (for example no customer seems to
        drop out, so :math:`b` grows without limit).

    See Also
    --------
    BetaGeoModel : the fitted model and its predictions.
    salescore.models.rfm.rfm_summary : the input table from a transactions log.

    Notes
    -----
    Maximises :math:`\sum_i w_i \ln L(r, \alpha, a, b \mid x_i, t_{x_i}, T_i)` with

    .. math::

        \ln L = \ln\Gamma(r + x) - \ln\Gamma(r) + r \ln\alpha + \ln B(a, b + x)
        - \ln B(a, b) + \ln\!\left[e^{-(r + x)\ln(\alpha + T)} + \delta_{x > 0}\,
        e^{\ln a - \ln(b + x - 1) - (r + x)\ln(\alpha + t_x)}\right]

    References
    ----------
    .. [1] Fader, Hardie and Lee (2005), the empirical analysis: on the CDNOW sample (2,357
       customers, 39 weeks) r = 0.243, α = 4.414, a = 0.793, b = 2.426 and
       ln L = −9582.4.

    Examples
    --------
    >>> from salescore.models.bgnbd import fit_bgnbd
    >>> from salescore.models.data import load_cdnow_summary
    >>> cdnow = load_cdnow_summary()
    >>> model = fit_bgnbd(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    >>> round(model.r, 3), round(model.alpha, 3), round(model.a, 3), round(model.b, 3)
    (0.243, 4.414, 0.793, 2.426)
    >>> round(model.log_likelihood, 1), model.n_customers
    (-9582.4, 2357)
    """
    if weights is None:
        (x, t_x, age), _ = coerce(frequency=frequency, recency=recency, T=T)
        w: Values | None = None
    else:
        (x, t_x, age, w), _ = coerce(frequency=frequency, recency=recency, T=T, weights=weights)
    x, t_x, age = (np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in (x, t_x, age))
    rows = (1,) if w is None else np.atleast_1d(w).shape
    length = int(np.broadcast_shapes(x.shape, t_x.shape, age.shape, rows)[0])
    x, t_x, age = (np.broadcast_to(v, (length,)) for v in (x, t_x, age))
    for name, values in (("frequency", x), ("recency", t_x), ("T", age)):
        missing = np.isnan(values)
        if missing.any():
            raise InvalidInputError(
                f"{name} is NaN for {_k.positions(missing)} customers; a fit cannot carry "
                "missing values through, so drop or complete those customers first"
            )
    _k.check_customers(x, t_x, age)
    counts = check_weights(w, length)
    if length == 0:
        raise InvalidInputError("fit_bgnbd needs at least one customer; got none")
    total = float(counts.sum())

    special = scipy_module("special")
    objective = _k.objective(special, x, t_x, age, counts)
    with np.errstate(all="ignore"):  # an exposure beyond float range is handled below
        exposure = _k.dot(counts, age)
        rate = _k.dot(counts, x) / exposure if 0 < exposure < math.inf else math.nan
        mean_age = float(age.mean())  # inf beyond float range: the search box clips it
    alpha0 = 1.0 / rate if math.isfinite(rate) and rate > 0 else max(mean_age, 1.0)
    with np.errstate(all="ignore"):
        optimum = minimize_log(
            objective, (1.0, alpha0, 1.0, 1.0), names=_NAMES, model="BG/NBD", gradient=True
        )
    r, alpha, a, b = optimum.parameters
    return BetaGeoModel(
        r=r,
        alpha=alpha,
        a=a,
        b=b,
        log_likelihood=-optimum.value * total,
        n_customers=int(total),
        iterations=optimum.iterations,
        method=optimum.method,
    )
