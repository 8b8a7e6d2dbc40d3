"""What will we close? The weighted forecast and the distribution of revenue.

The forecast of Nutshell's article on the sales metrics a sales manager should track
(Norwegian edition) weighs every open prospect's value by the confidence that it will
close. :func:`weighted_forecast` is that expected revenue; :func:`forecast_distribution`
adds how far the outcome may fall from it when each deal is won or lost independently,
so a manager can ask how likely the quota is, not only what to expect.
"""

from __future__ import annotations

import math
from typing import Final, Literal, overload

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
    option_choice,
    option_count,
    option_flag,
    option_number,
)
from ..errors import InvalidInputError
from ._forecast_engine import (
    _deal_arrays,
    _enumerate,
    _lattice,
    _lattice_pmf,
    _monte_carlo,
    _outcomes,
)
from .distribution import ForecastDistribution

__all__ = [
    "ForecastDistribution",
    "forecast_distribution",
    "weighted_forecast",
    "weighted_value",
    "wins_distribution",
]

_EXACT_LIMIT: Final = 18  # enumerate all 2**n outcomes up to this many uncertain deals
_FLOAT_MAX: Final = float(np.finfo(np.float64).max)

#: The largest ``max_bins`` :func:`forecast_distribution` accepts (16,777,216 bins, a
#: grid of 128 MiB per array).
MAX_BINS: Final = 1 << 24
#: The largest ``samples`` :func:`forecast_distribution` accepts.
MAX_SAMPLES: Final = 10_000_000

Method = Literal["auto", "exact", "lattice", "monte_carlo"]


@overload
def weighted_value(value: Scalar, probability: Scalar) -> float: ...  # type: ignore[overload-overlap]
@overload
def weighted_value(  # type: ignore[overload-overlap]
    value: Scalar | ArrayInput, probability: Scalar | ArrayInput
) -> FloatArray: ...
@overload
def weighted_value(value: Numeric, probability: Numeric) -> pd.Series[float]: ...
def weighted_value(value: Numeric, probability: Numeric) -> float | FloatArray | pd.Series[float]:
    r"""A deal's contribution to the forecast: its value × its probability of closing.

    In Nutshell's article on the sales metrics a sales manager should track (Norwegian
    edition), every prospect has a value and a confidence that rises as it moves
    through the stages; it adds value × confidence to the forecast.

    Parameters
    ----------
    value : float, array_like or Series
        Deal value, a finite amount >= 0 in one currency.
    probability : float, array_like or Series
        Probability that the deal closes, a fraction in [0, 1] (12 % is 0.12).

    Returns
    -------
    float, ndarray or Series
        Weighted value, in the currency of ``value``.

    Raises
    ------
    InvalidInputError
        A negative or infinite ``value``; a ``probability`` outside [0, 1] (a value
        above 1 gets a hint that it looks like a percentage).
    IndexMismatchError
        Two Series arguments with different indexes.

    See Also
    --------
    weighted_forecast : the sum over the pipeline.

    Notes
    -----
    .. math::

        w_i = v_i \, p_i

    References
    ----------
    .. [1] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition): "a prospect worth $27,600 at 12 % adds $3,312". See
       Sources in the documentation.

    Examples
    --------
    >>> import salescore
    >>> salescore.weighted_value(27_600, 0.12)
    3312.0
    >>> salescore.weighted_value([27_600, 34_500], [0.12, 0.83])
    array([ 3312., 28635.])
    >>> salescore.weighted_value(27_600, 12)
    Traceback (most recent call last):
    ...
    salescore.errors.InvalidInputError: probability must be a fraction in [0, 1]; got 12.0; ...
    """
    (v, p), wrap = coerce(value=value, probability=probability)
    check_nonnegative("value", v)
    check_probability("probability", p)
    with np.errstate(all="ignore"):  # p <= 1 cannot overflow; a subnormal product is right
        weighted = np.multiply(v, p)
    return wrap(float(weighted) if np.ndim(weighted) == 0 else weighted)


def weighted_forecast(value: Numeric, probability: Numeric, *, skipna: bool = False) -> float:
    r"""The weighted pipeline: the sum of value × probability over the open deals.

    The expected revenue of the pipeline when each deal closes with its probability.

    Parameters
    ----------
    value : float, array_like or Series
        Deal values, finite amounts >= 0 in one currency.
    probability : float, array_like or Series
        Probability that each deal closes, fractions in [0, 1].
    skipna : bool, keyword-only, default False
        Leave out deals whose value or probability is NaN. By default one unknown
        deal makes the forecast unknown (NaN). Only True or False: ``"False"`` is an
        error, not a true value.

    Returns
    -------
    float
        The forecast, in the currency of ``value``; 0.0 for an empty pipeline.

    Raises
    ------
    InvalidInputError
        A negative or infinite value, or a probability outside [0, 1] (with a hint
        when it looks like a percentage); arrays of different lengths; a ``skipna``
        that is not a bool; a forecast beyond the largest float (about 1.8e308).
    IndexMismatchError
        Two Series with different indexes.

    See Also
    --------
    weighted_value : the per-deal terms.
    forecast_distribution : how far the outcome may fall from this expectation.

    Notes
    -----
    .. math::

        F = \sum_i v_i\, p_i

    It is the mean of the revenue when each deal :math:`i` is won independently with
    probability :math:`p_i`. For 0 <= p <= 1, :math:`0 \le F \le \sum_i v_i`.

    References
    ----------
    .. [1] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition): a prospect worth $27,600 at 12 % adds $3,312, one worth
       $34,500 at 83 % adds $28,635. See Sources in the documentation.

    Examples
    --------
    >>> import salescore
    >>> salescore.weighted_forecast([27_600, 34_500], [0.12, 0.83])
    31947.0
    >>> salescore.weighted_forecast([27_600, 34_500], [0.12, float("nan")])
    nan
    >>> salescore.weighted_forecast([27_600, 34_500], [0.12, float("nan")], skipna=True)
    3312.0
    """
    v, p, dot = _deal_arrays(value, probability, skipna=option_flag("skipna", skipna))
    if dot is None:
        with np.errstate(all="ignore"):  # NaN propagates; inf is refused below
            dot = float(np.dot(v, p))
    if math.isinf(dot):
        raise InvalidInputError(
            f"the weighted forecast exceeds the largest float ({_FLOAT_MAX:.4g}); "
            "express the values in a larger unit (thousands, millions)"
        )
    return dot


# ------------------------------------------------------------------ distribution


def forecast_distribution(
    value: Numeric,
    probability: Numeric,
    *,
    method: Method = "auto",
    tolerance: float = 0.001,
    max_bins: int = 1 << 22,
    samples: int = 100_000,
    seed: int | None = None,
    skipna: bool = False,
) -> ForecastDistribution:
    r"""The distribution of revenue when each open deal closes independently.

    The weighted forecast is only the average outcome. Each deal is in fact won or
    lost, so the revenue is a sum of whole deal values; this function gives its full
    distribution, from which the chance of reaching a quota and a P10–P90 range follow.

    Parameters
    ----------
    value : float, array_like or Series
        Deal values, finite amounts >= 0 in one currency.
    probability : float, array_like or Series
        Probability that each deal closes, fractions in [0, 1].
    method : {"auto", "exact", "lattice", "monte_carlo"}, keyword-only
        ``"exact"`` enumerates every combination of won and lost deals (for at most
        20 uncertain deals, about a million combinations); ``"lattice"`` rounds
        values to a grid fine enough for ``tolerance`` and computes the distribution
        on the grid exactly; ``"monte_carlo"`` samples. ``"auto"`` uses ``"exact"`` for up to 16
        uncertain deals and ``"lattice"`` beyond.
    tolerance : float, keyword-only, default 0.001
        For ``"lattice"``: the guaranteed bound on quantile errors, as a fraction of
        the total value of the uncertain deals. A tolerance too small for
        ``max_bins`` (say 5e-324) uses the largest grid, as ``max_bins`` says.
    max_bins : int, keyword-only, default 4,194,304
        For ``"lattice"``: the largest grid, from 64 to ``MAX_BINS`` (16,777,216);
        with very many deals the bound may then exceed ``tolerance`` (the record
        says by how much in ``value_error``).
    samples : int, keyword-only, default 100,000
        For ``"monte_carlo"``: the number of simulated outcomes, from 1 to
        ``MAX_SAMPLES`` (10,000,000).
    seed : int or None, keyword-only
        For ``"monte_carlo"``: the random seed (an integer from 0 to 2**128 − 1),
        for repeatable results.
    skipna : bool, keyword-only, default False
        Leave out deals with a NaN value or probability; by default they are an
        error, since a distribution cannot be partly unknown. Only True or False.

    Returns
    -------
    ForecastDistribution
        Mean and standard deviation (exact), quantiles, intervals and probabilities
        of reaching targets, with the method and its accuracy.

    Raises
    ------
    InvalidInputError
        Invalid values or probabilities (see :func:`weighted_value`), NaN without
        ``skipna=True``, an unknown ``method``, too many deals for ``"exact"``, a
        ``tolerance`` outside (0, 1), ``max_bins`` or ``samples`` out of range, a
        ``seed`` that is not an integer in [0, 2**128), a ``skipna`` that is not a
        bool; deals whose total value exceeds the largest float (about 1.8e308).
    IndexMismatchError
        Two Series with different indexes.

    See Also
    --------
    weighted_forecast : the mean of this distribution.
    wins_distribution : the distribution of the number of deals won.

    Notes
    -----
    The revenue is :math:`S = \sum_i v_i B_i` with independent
    :math:`B_i \sim \mathrm{Bernoulli}(p_i)`, so

    .. math::

        \operatorname{E}[S] = \sum_i v_i p_i, \qquad
        \operatorname{Var}[S] = \sum_i v_i^2\, p_i (1 - p_i),

    both computed exactly from the inputs. Deals with :math:`p_i \in \{0, 1\}` are
    certain and only shift the outcome. For ``"lattice"`` each uncertain value is
    rounded to the nearest multiple :math:`h k_i` of a step :math:`h`, with errors
    :math:`e_i = v_i - h k_i`. The distribution of :math:`S_h = \sum_i h k_i B_i` is
    computed exactly (a direct recursion within blocks of deals, combined by FFT).
    Since :math:`S - S_h = \sum_i e_i B_i` always lies in
    :math:`[\sum_i \min(e_i, 0), \sum_i \max(e_i, 0)]`, every quantile of :math:`S_h`
    is within :math:`\varepsilon = \max(\sum_i e_i^+, \sum_i e_i^-)` of the true
    one; :math:`h` is refined until :math:`\varepsilon \le` ``tolerance`` × the total
    uncertain value, and :math:`\varepsilon` is reported as ``value_error``.
    Probabilities below about 10⁻¹⁵ are not resolved (FFT round-off). The grid is
    laid over the values divided by the largest, so amounts near 5e-324 or 1e308 are
    handled as any other. Outcomes are distinct (those that adding the certain deals
    makes equal in floating point, such as 1e-9 + 1e15 and 1e15, are one outcome
    with their probabilities added) and never exceed ``total``: a sum or grid point
    that rounding puts above it is ``total``.

    References
    ----------
    .. [1] Y. Hong, "On computing the distribution function for the Poisson binomial
       distribution", *Computational Statistics & Data Analysis* 59, 41–51, 2013.
    .. [2] A. Dvoretzky, J. Kiefer and J. Wolfowitz, "Asymptotic minimax character of
       the sample distribution function", *Annals of Mathematical Statistics* 27(3),
       642–669, 1956 (with Massart's constant, 1990).

    Examples
    --------
    The two prospects of Nutshell's article on the sales metrics a sales manager
    should track (Norwegian edition): 27,600 at 12 % and 34,500 at 83 %.

    >>> import salescore
    >>> dist = salescore.forecast_distribution([27_600, 34_500], [0.12, 0.83])
    >>> dist.mean  # the weighted forecast
    31947.0
    >>> dist.to_frame()
       revenue  probability  cumulative
    0      0.0       0.1496      0.1496
    1  27600.0       0.0204      0.1700
    2  34500.0       0.7304      0.9004
    3  62100.0       0.0996      1.0000
    >>> round(dist.probability_at_least(60_000), 4)  # both won
    0.0996

    Many deals use the lattice method, with a stated error bound:

    >>> import numpy as np
    >>> rng = np.random.default_rng(7)
    >>> values = rng.uniform(1_000, 50_000, 500).round()
    >>> big = salescore.forecast_distribution(values, rng.uniform(0.05, 0.9, 500))
    >>> big.method, bool(big.value_error <= 0.001 * values.sum())
    ('lattice', True)
    """
    chosen = option_choice("method", method, ("auto", "exact", "lattice", "monte_carlo"))
    rtol = option_number("tolerance", tolerance)
    if not 0.0 < rtol < 1.0:
        raise InvalidInputError(f"tolerance must be in (0, 1); got {tolerance!r}")
    bins = option_count("max_bins", max_bins, maximum=MAX_BINS)
    if bins < 64:
        raise InvalidInputError(f"max_bins must be at least 64; got {bins}")
    draws = option_count("samples", samples, maximum=MAX_SAMPLES)
    rng_seed = None if seed is None else option_count("seed", seed, maximum=2**128 - 1)
    v, p, dot = _deal_arrays(value, probability, skipna=option_flag("skipna", skipna))
    if np.isnan(v).any() or np.isnan(p).any():
        raise InvalidInputError(
            "value and probability must be known for every deal; "
            "pass skipna=True to leave out the deals with NaN"
        )
    with np.errstate(all="ignore"):  # an overflowing total is refused just below
        total = float(v.sum())
        mean = dot if dot is not None else float(np.dot(v, p))
    if math.isinf(total):
        raise InvalidInputError(
            f"the total value of the deals exceeds the largest float ({_FLOAT_MAX:.4g}); "
            "express the values in a larger unit (thousands, millions)"
        )
    scale = float(v.max()) if v.size and v.max() > 0.0 else 1.0  # keeps v² in range
    with np.errstate(all="ignore"):  # (v / scale)² may underflow to 0: negligible terms
        std = scale * math.sqrt(float(np.dot((v / scale) ** 2, p * (1.0 - p))))
    certain = float(v[p == 1.0].sum())
    uncertain = (p > 0.0) & (p < 1.0) & (v > 0.0)
    v_u, p_u = np.ascontiguousarray(v[uncertain]), np.ascontiguousarray(p[uncertain])
    if chosen == "auto":
        chosen = "exact" if v_u.size <= _EXACT_LIMIT else "lattice"
    value_error, probability_error = 0.0, 0.0
    if chosen == "exact":
        if v_u.size > 20:
            raise InvalidInputError(
                f"method='exact' enumerates 2**n outcomes; {v_u.size} uncertain deals "
                "are too many (at most 20): use method='lattice'"
            )
        support, pmf = _enumerate(v_u, p_u)
    elif chosen == "lattice":
        # The lattice's error is in values: near an outcome, a shift of value_error
        # can move P(S >= t) by that outcome's whole probability.
        probability_error = math.nan
        if v_u.size:
            support, pmf, value_error = _lattice(v_u, p_u, rtol, bins)
        else:
            support, pmf = np.zeros(1), np.ones(1)
    else:
        if draws == 0:
            raise InvalidInputError("samples must be at least 1")
        support, pmf = _monte_carlo(v_u, p_u, draws, rng_seed)
        value_error = math.nan
        probability_error = math.sqrt(math.log(2.0 / 0.001) / (2.0 * draws))
    outcomes, pmf = _outcomes(support, pmf, certain, total)
    return ForecastDistribution(
        mean=mean,
        std=std,
        total=total,
        deals=int(v.size),
        method=chosen,
        value_error=value_error,
        probability_error=probability_error,
        outcomes=outcomes,
        probabilities=pmf,
    )


def wins_distribution(probability: Numeric, *, skipna: bool = False) -> FloatArray:
    r"""The distribution of the number of deals won (Poisson-binomial).

    Parameters
    ----------
    probability : float, array_like or Series
        Probability that each deal closes, fractions in [0, 1].
    skipna : bool, keyword-only, default False
        Leave out deals with a NaN probability; by default they are an error. Only
        True or False.

    Returns
    -------
    ndarray
        ``pmf[k]`` is the probability of winning exactly ``k`` deals, for ``k`` from
        0 to the number of deals.

    Raises
    ------
    InvalidInputError
        A probability outside [0, 1], or NaN without ``skipna=True``; a ``skipna``
        that is not a bool.

    See Also
    --------
    forecast_distribution : the distribution of revenue.

    Notes
    -----
    With :math:`P_j(k)` the distribution after the first :math:`j` deals,

    .. math::

        P_j(k) = (1 - p_j)\, P_{j-1}(k) + p_j\, P_{j-1}(k - 1),

    computed directly for small pipelines and by blocks combined with the FFT for
    large ones (see :func:`forecast_distribution`).

    References
    ----------
    .. [1] Y. Hong, "On computing the distribution function for the Poisson binomial
       distribution", *Computational Statistics & Data Analysis* 59, 41–51, 2013.

    Examples
    --------
    >>> import salescore
    >>> salescore.wins_distribution([0.1, 0.2, 0.2]).round(6)
    array([0.576, 0.352, 0.068, 0.004])
    """
    skipna = option_flag("skipna", skipna)
    (p,), _ = coerce(probability=probability)
    chances = np.atleast_1d(np.asarray(p, dtype=np.float64))
    check_probability("probability", chances)
    unknown = np.isnan(chances)
    if unknown.any():
        if not skipna:
            raise InvalidInputError(
                "probability must be known for every deal; pass skipna=True to leave "
                "out the deals with NaN"
            )
        chances = chances[~unknown]
    return _lattice_pmf(np.ones(chances.size, dtype=np.int64), np.ascontiguousarray(chances))
