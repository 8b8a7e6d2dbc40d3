"""What will we close? The weighted forecast and the distribution of revenue.

Seed 002's forecast weighs every open prospect's value by the confidence that it will
close. :func:`weighted_forecast` is that expected revenue; :func:`forecast_distribution`
adds how far the outcome may fall from it when each deal is won or lost independently,
so a manager can ask how likely the quota is, not only what to expect.
"""

from __future__ import annotations

import concurrent.futures
import functools
import itertools
import math
import os
from typing import Any, Final, Literal, overload

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from .._arrays import (
    ArrayInput,
    FloatArray,
    Numeric,
    Scalar,
    check_nonnegative,
    check_probability,
    check_range,
    coerce,
    option_choice,
    option_count,
    option_flag,
    option_number,
)
from ..errors import InvalidInputError

__all__ = [
    "ForecastDistribution",
    "forecast_distribution",
    "weighted_forecast",
    "weighted_value",
    "wins_distribution",
]

_CHUNK: Final = 1 << 16  # elements per block: both arrays of a block stay in cache
_EXACT_LIMIT: Final = 18  # enumerate all 2**n outcomes up to this many uncertain deals
_TIE: Final = 1e-12  # cumulative probabilities this close to a level count as reaching it
_NOISE: Final = 1e-15  # FFT round-off: probabilities below this are not resolved
_WORKERS: Final = max(1, min(4, os.cpu_count() or 1))
_PARALLEL_MINIMUM: Final = 1 << 20  # elements per thread worth the hand-off
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

    Seed 002: every prospect has a value and a confidence that rises as it moves
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
    .. [1] Seed article 002 of salescore's reference (Norwegian): "a prospect worth
       $27,600 at 12 % adds $3,312".

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


def _block_summary(v: FloatArray, p: FloatArray) -> tuple[float, float, float, float]:
    """V · p, min v, min p and max p over one stretch, block by block (cache-sized)."""
    dot = 0.0
    v_low = p_low = math.inf
    p_high = -math.inf
    for start in range(0, v.shape[0], _CHUNK):
        v_block = v[start : start + _CHUNK]
        p_block = p[start : start + _CHUNK]
        with np.errstate(all="ignore"):  # inf or NaN here is reported by the caller's checks
            dot += float(np.dot(v_block, p_block))
        # Python's min and max skip a NaN on the right; it still reaches the dot.
        v_low = min(v_low, float(v_block.min()))
        p_low = min(p_low, float(p_block.min()))
        p_high = max(p_high, float(p_block.max()))
    return dot, v_low, p_low, p_high


def _valid_extremes(v: FloatArray, p: FloatArray) -> tuple[bool, float]:
    """Are the arrays valid deals, and what is v · p? One pass, in parallel when long.

    A NaN or an infinite value makes the dot product NaN or infinite (inf · 0 is NaN),
    so a finite dot product with v >= 0 and 0 <= p <= 1 proves every element valid;
    anything else is checked again, element by element, by the caller.
    """
    n = v.shape[0]
    workers = min(_WORKERS, n // _PARALLEL_MINIMUM)
    if workers > 1:
        bounds = np.linspace(0, n, workers + 1).astype(int)
        parts = list(
            _pool().map(
                _block_summary,
                [v[a:b] for a, b in itertools.pairwise(bounds)],
                [p[a:b] for a, b in itertools.pairwise(bounds)],
            )
        )
    else:
        parts = [_block_summary(v, p)]
    dot = sum(part[0] for part in parts)  # NaN and inf pass through, unlike math.fsum
    valid = (
        math.isfinite(dot)
        and min(part[1] for part in parts) >= 0.0
        and min(part[2] for part in parts) >= 0.0
        and max(part[3] for part in parts) <= 1.0
    )
    return valid, dot


@functools.cache
def _pool() -> concurrent.futures.ThreadPoolExecutor:
    # NumPy releases the GIL in reductions and dot products, so threads run in parallel.
    return concurrent.futures.ThreadPoolExecutor(max_workers=_WORKERS)


# A forked child (multiprocessing, pre-forking servers) inherits the pool without its
# threads: it must make its own.
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_pool.cache_clear)


def _deal_arrays(
    value: Numeric, probability: Numeric, *, skipna: bool
) -> tuple[FloatArray, FloatArray, float | None]:
    """Validated float64 arrays of values and probabilities, and v · p when known."""
    (v, p), _ = coerce(value=value, probability=probability)
    if isinstance(v, float) and isinstance(p, float):
        v, p = np.array([v]), np.array([p])
    v_array = np.broadcast_to(v, np.broadcast_shapes(np.shape(v), np.shape(p)))
    p_array = np.broadcast_to(p, v_array.shape)
    if v_array.size:
        valid, dot = _valid_extremes(v_array, p_array)
        if valid:
            return v_array, p_array, dot
    check_nonnegative("value", v_array)
    check_probability("probability", p_array)
    if skipna:
        known = ~(np.isnan(v_array) | np.isnan(p_array))
        v_array, p_array = v_array[known], p_array[known]
    return v_array, p_array, None


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
    .. [1] Seed article 002 of salescore's reference: a prospect worth $27,600 at
       12 % adds $3,312, one worth $34,500 at 83 % adds $28,635.

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


def _fast_length(minimum: int) -> int:
    """The smallest 2^a 3^b 5^c >= minimum: a length the FFT handles quickly."""
    best = 1 << max(0, (minimum - 1).bit_length())
    power5 = 1
    while power5 < best:
        power35 = power5
        while power35 < best:
            candidate = power35
            while candidate < minimum:
                candidate *= 2
            best = min(best, candidate)
            power35 *= 3
        power5 *= 5
    return best


def _lattice_pmf(steps: npt.NDArray[np.int64], probability: FloatArray) -> FloatArray:
    """Distribution of Σ k_i B_i, B_i ~ Bernoulli(p_i): exact up to floating point.

    Deals are split into blocks; each block's distribution is built by the direct
    recursion (cheap while its support is short), and the blocks are combined by
    multiplying their discrete Fourier transforms.
    """
    with np.errstate(all="ignore"):  # probabilities far below 1e-300 become 0
        return _lattice_blocks(steps, probability)


def _lattice_blocks(steps: npt.NDArray[np.int64], probability: FloatArray) -> FloatArray:
    total = int(steps.sum())
    n = steps.size
    blocks = max(1, min(64, round(math.sqrt(n) / 6)))
    if total <= 4096 or n <= 64:
        blocks = 1
    per_block = total / blocks
    pmfs: list[FloatArray] = []
    pmf = np.ones(1)
    filled = 0
    for k, p in zip(steps.tolist(), probability.tolist(), strict=True):
        grown = np.zeros(pmf.size + k)
        grown[: pmf.size] = pmf * (1.0 - p)
        grown[k:] += pmf * p
        pmf = grown
        filled += k
        if filled >= per_block and len(pmfs) < blocks - 1:
            pmfs.append(pmf)
            pmf, filled = np.ones(1), 0
    pmfs.append(pmf)
    if len(pmfs) == 1:
        return pmfs[0]
    length = _fast_length(total + 1)
    spectrum = np.fft.rfft(pmfs[0], length)
    for block in pmfs[1:]:
        spectrum *= np.fft.rfft(block, length)
    combined = np.fft.irfft(spectrum, length)[: total + 1]
    combined[combined < _NOISE] = 0.0
    out: FloatArray = combined / combined.sum()
    return out


def _enumerate(v: FloatArray, p: FloatArray) -> tuple[FloatArray, FloatArray]:
    with np.errstate(all="ignore"):  # probabilities far below 1e-300 become 0
        return _enumerated(v, p)


def _enumerated(v: FloatArray, p: FloatArray) -> tuple[FloatArray, FloatArray]:
    sums = np.zeros(1)
    probs = np.ones(1)
    for value, chance in zip(v.tolist(), p.tolist(), strict=True):
        sums = np.concatenate([sums, sums + value])
        probs = np.concatenate([probs * (1.0 - chance), probs * chance])
    support, inverse = np.unique(sums, return_inverse=True)
    pmf = np.bincount(inverse, weights=probs, minlength=support.size).astype(np.float64)
    return support, pmf


def _lattice(
    v: FloatArray, p: FloatArray, tolerance: float, max_bins: int
) -> tuple[FloatArray, FloatArray, float]:
    """Round values to a grid of step h, then the exact distribution on the grid.

    The values are divided by the largest first, so that the step neither underflows
    (values near 5e-324) nor overflows (near 1e308); the outcomes and the error bound
    are scaled back at the end.
    """
    scale = float(v.max())
    with np.errstate(all="ignore"):
        # In (0, 1]; a value below 2**-1074 times the largest becomes 0, and is then
        # rounded down to the grid's 0 with an error of its whole value (added below).
        units = v / scale
    lost = float(v[units == 0.0].sum())
    total = float(units.sum())  # in [1, n]
    n = v.size
    # With nearest rounding the errors e_i = v_i − h k_i lie in [−h/2, h/2], and the
    # revenue error Σ e_i B_i lies in [Σ e_i⁻, Σ e_i⁺], about n h / 8 at most for
    # evenly spread remainders; start there and refine until the bound is met. The
    # counts are compared as floats first: a tiny tolerance makes them infinite.
    wanted = n / (8.0 * tolerance)
    bins = max(64, math.ceil(wanted)) if wanted < max_bins else max_bins
    while True:
        bins = min(bins, max_bins)
        step = total / bins
        with np.errstate(all="ignore"):  # a unit near 2**-1074 underflows: k = 0
            steps = np.rint(units / step).astype(np.int64)
            errors = units - step * steps
        above = float(errors[errors > 0].sum())
        below = float(-errors[errors < 0].sum())
        bound = max(above, below)
        if bound <= tolerance * total or bins >= max_bins:
            break
        # The bound shrinks in proportion to the step: aim just below the tolerance.
        grown = bins * 1.05 * bound / (tolerance * total)
        bins = math.ceil(grown) if grown < max_bins else max_bins
    pmf = _lattice_pmf(steps, p)
    positive = np.flatnonzero(pmf)
    with np.errstate(all="ignore"):  # beyond the total by rounding: clipped by the caller
        support = positive.astype(np.float64) * step * scale
    return support, pmf[positive], max(above * scale + lost, below * scale)


def _outcomes(
    support: FloatArray, pmf: FloatArray, certain: float, total: float
) -> tuple[FloatArray, FloatArray]:
    """The outcomes ``support + certain``, distinct and at most ``total``, read-only.

    Rounding may put a sum of some deals above the sum of all (or, on the lattice, a
    grid point above it): such an outcome is the total. Outcomes that adding the
    certain deals makes equal (1e-9 + 1e15 is 1e15) are one outcome, their
    probabilities added.
    """
    with np.errstate(all="ignore"):
        outcomes = np.minimum(support + certain, total)
    if outcomes.size > 1 and not bool((np.diff(outcomes) > 0.0).all()):
        outcomes, inverse = np.unique(outcomes, return_inverse=True)
        pmf = np.bincount(inverse, weights=pmf, minlength=outcomes.size).astype(np.float64)
    outcomes = np.array(outcomes, dtype=np.float64)
    pmf = np.array(pmf, dtype=np.float64)
    outcomes.flags.writeable = False
    pmf.flags.writeable = False
    return outcomes, pmf


def _monte_carlo(
    v: FloatArray, p: FloatArray, samples: int, seed: int | None
) -> tuple[FloatArray, FloatArray]:
    rng = np.random.default_rng(seed)
    rows = max(1, (1 << 22) // max(1, v.size))
    draws: list[FloatArray] = []
    for start in range(0, samples, rows):
        count = min(rows, samples - start)
        won = rng.random((count, v.size)) < p
        with np.errstate(all="ignore"):  # sums of values near 5e-324 may be subnormal
            draws.append(won.astype(np.float64) @ v)
    outcomes = np.sort(np.concatenate(draws)) if draws else np.zeros(samples)
    support, counts = np.unique(outcomes, return_counts=True)
    return support, counts / samples


_METHODS: Final = ("exact", "lattice", "monte_carlo")


def _amount_field(name: str) -> Any:
    def convert(value: object) -> float:
        number = option_number(name, value)
        if not 0.0 <= number < math.inf:
            raise InvalidInputError(f"{name} must be a finite amount >= 0; got {value!r:.60}")
        return number

    return convert


def _error_field(name: str) -> Any:
    def convert(value: object) -> float:
        number = option_number(name, value, allow_nan=True)
        if not (math.isnan(number) or 0.0 <= number < math.inf):
            raise InvalidInputError(f"{name} must be a finite bound >= 0 or NaN; got {value!r:.60}")
        return number

    return convert


def _deals_field(value: object) -> int:
    return option_count("deals", value, maximum=2**53)  # a count a float holds exactly


def _method_field(value: object) -> str:
    return option_choice("method", value, _METHODS)


def _read_only(name: str, value: object) -> FloatArray:
    """A read-only float64 copy of a non-empty 1-D array of finite numbers >= 0."""
    try:
        flat = np.ndim(value) == 1 and not isinstance(value, (str, bytes))  # type: ignore[arg-type]
    except ValueError:  # a ragged sequence
        flat = False
    if not flat:
        raise InvalidInputError(
            f"{name} must be a one-dimensional array; got {type(value).__name__} {value!r:.60}"
        )
    (array,), _ = coerce(**{name: value})
    out = np.array(array, dtype=np.float64)
    if out.size == 0:
        raise InvalidInputError(f"{name} must hold at least one outcome; got an empty array")
    check_nonnegative(name, out)
    if np.isnan(out).any():
        raise InvalidInputError(f"{name} must not hold NaN")
    out.flags.writeable = False
    return out


def _outcomes_field(value: object) -> FloatArray:
    outcomes = _read_only("outcomes", value)
    if outcomes.size > 1 and not bool((np.diff(outcomes) > 0.0).all()):
        raise InvalidInputError("outcomes must be distinct and increasing")
    return outcomes


def _probabilities_field(value: object) -> FloatArray:
    probabilities = _read_only("probabilities", value)
    with np.errstate(all="ignore"):
        mass = float(probabilities.sum())
    if not abs(mass - 1.0) <= 1e-9:
        raise InvalidInputError(f"probabilities must sum to 1; they sum to {mass!r}")
    return probabilities


def _same_length(instance: Any, attribute: attrs.Attribute[Any], value: FloatArray) -> None:
    if value.shape != instance.outcomes.shape:
        raise InvalidInputError(
            f"probabilities must have one element per outcome: {instance.outcomes.size} "
            f"outcomes, {value.size} probabilities"
        )
    if instance.outcomes[-1] > instance.total:
        raise InvalidInputError(
            f"outcomes must not exceed total ({instance.total!r}); the largest is "
            f"{float(instance.outcomes[-1])!r}"
        )


@attrs.frozen(kw_only=True, eq=False)
class ForecastDistribution:
    r"""The distribution of pipeline revenue when each deal closes independently.

    Made by :func:`forecast_distribution`; holds the possible revenues and their
    probabilities, with the method used and how accurate it is.

    Parameters
    ----------
    mean : float
        Expected revenue, equal to :func:`weighted_forecast` of the same deals.
    std : float
        Standard deviation of the revenue, from the exact variance.
    total : float
        Revenue if every deal is won: the largest possible outcome.
    deals : int
        Number of deals.
    method : {"exact", "lattice", "monte_carlo"}
        How the distribution was computed.
    value_error : float
        A guaranteed bound, in currency, on how far :meth:`quantile` may be from the
        true quantile: 0 for ``"exact"`` (up to floating point), the rounding bound
        for ``"lattice"``, NaN for ``"monte_carlo"`` (no deterministic bound).
    probability_error : float
        A bound on the error of cumulative probabilities: 0 for ``"exact"``; NaN for
        ``"lattice"``, whose error is in values: the true :math:`P(S \ge t)` lies
        between ``probability_at_least(t + value_error)`` and
        ``probability_at_least(t - value_error)``; for ``"monte_carlo"`` the
        Dvoretzky–Kiefer–Wolfowitz bound that holds with probability 0.999.
    outcomes : ndarray
        The possible revenues, increasing.
    probabilities : ndarray
        Their probabilities, summing to 1.

    Raises
    ------
    InvalidInputError
        A field that is not what it says above: ``mean``, ``std`` or ``total`` not a
        finite amount >= 0; ``deals`` not an integer in [0, 2**53]; an error bound
        negative or infinite; an unknown ``method``; ``outcomes`` empty, not
        increasing, negative or beyond ``total``; ``probabilities`` of another
        length, negative, or not summing to 1 (within 10⁻⁹). The arrays are copied
        and made read-only.

    See Also
    --------
    forecast_distribution : builds this record.

    Notes
    -----
    Quantiles are :math:`Q(q) = \min\{x : P(S \le x) \ge q - 10^{-12}\}`: the
    small allowance makes a level equal to a cumulative probability, up to rounding,
    reach that outcome. Probabilities are held to about 10⁻¹⁵, so levels within
    10⁻¹² of 0 or 1 are not resolved: ``quantile(1.0)`` is the largest outcome with
    a probability above that, not necessarily the total of all deals. NaN levels and
    targets give NaN.

    Examples
    --------
    >>> import salescore
    >>> dist = salescore.forecast_distribution([27_600, 34_500], [0.12, 0.83])
    >>> dist.mean, dist.method
    (31947.0, 'exact')
    >>> dist.quantile(0.5), dist.probability_at_least(30_000)
    (34500.0, 0.83)
    """

    mean: float = attrs.field(converter=_amount_field("mean"))  # type: ignore[misc]
    std: float = attrs.field(converter=_amount_field("std"))  # type: ignore[misc]
    total: float = attrs.field(converter=_amount_field("total"))  # type: ignore[misc]
    deals: int = attrs.field(converter=_deals_field)
    method: str = attrs.field(converter=_method_field)
    value_error: float = attrs.field(converter=_error_field("value_error"))  # type: ignore[misc]
    probability_error: float = attrs.field(converter=_error_field("probability_error"))  # type: ignore[misc]
    outcomes: FloatArray = attrs.field(repr=False, converter=_outcomes_field)
    probabilities: FloatArray = attrs.field(
        repr=False, converter=_probabilities_field, validator=_same_length
    )
    _cdf: FloatArray = attrs.field(repr=False, init=False)

    @_cdf.default
    def _cumulative(self) -> FloatArray:
        with np.errstate(all="ignore"):  # probabilities near 5e-324 may underflow
            cdf = np.cumsum(self.probabilities)
            cdf /= cdf[-1]
        cdf[-1] = 1.0
        cdf.flags.writeable = False
        return cdf

    def quantile(self, q: Numeric) -> Any:
        """Revenue not exceeded with probability ``q`` (``q`` in [0, 1]).

        Parameters
        ----------
        q : float or array_like
            Probability levels.

        Returns
        -------
        float or ndarray
            The quantiles, in the shape of ``q``.

        Examples
        --------
        >>> import salescore
        >>> dist = salescore.forecast_distribution([100.0, 100.0], [0.5, 0.5])
        >>> dist.quantile([0.1, 0.5, 0.9])
        array([  0., 100., 200.])
        """
        (level,), wrap = coerce(q=q)
        check_range("q", level, low=0.0, high=1.0, allowed="a probability level in [0, 1]")
        # A level equal to a cumulative probability up to rounding (say 0.1 against
        # 0.09999999999999998) is reached there, not at the next outcome.
        index = np.searchsorted(self._cdf, np.asarray(level) - _TIE, side="left")
        found = self.outcomes[np.minimum(index, self.outcomes.size - 1)]
        return wrap(np.where(np.isnan(level), np.nan, found))

    def interval(self, level: float = 0.8) -> tuple[float, float]:
        """The central interval holding the revenue with probability ``level``.

        Parameters
        ----------
        level : float, default 0.8
            Probability in (0, 1); 0.8 gives the P10–P90 range.

        Returns
        -------
        tuple of float
            ``(quantile((1 − level) / 2), quantile((1 + level) / 2))``.

        Examples
        --------
        >>> import salescore
        >>> salescore.forecast_distribution([100.0, 100.0], [0.5, 0.5]).interval(0.5)
        (0.0, 100.0)
        """
        width = option_number("level", level)
        if not 0.0 < width < 1.0:
            raise InvalidInputError(f"level must be in (0, 1); got {level!r}")
        low = float(self.quantile((1.0 - width) / 2.0))
        high = float(self.quantile((1.0 + width) / 2.0))
        return low, high

    def probability_at_least(self, target: Numeric) -> Any:
        r"""Probability that revenue reaches ``target`` (for example the quota).

        Outcomes below ``target`` by at most 10⁻⁹ × ``total`` (the value of all the
        deals, however small) count as reaching it, so that sums such as 0.1 + 0.2 are not lost to
        rounding.

        Parameters
        ----------
        target : float or array_like
            Revenue targets.

        Returns
        -------
        float or ndarray
            :math:`P(S \ge \text{target})`, non-increasing in ``target``.

        Examples
        --------
        >>> import salescore
        >>> dist = salescore.forecast_distribution([100.0, 100.0], [0.5, 0.5])
        >>> dist.probability_at_least([0, 100, 150, 250])
        array([1.  , 0.75, 0.25, 0.  ])
        """
        (goal,), wrap = coerce(target=target)
        check_range("target", goal)
        slack = 1e-9 * self.total
        below = np.searchsorted(self.outcomes, np.asarray(goal) - slack, side="left")
        reached = 1.0 - np.where(below > 0, self._cdf[np.maximum(below - 1, 0)], 0.0)
        return wrap(np.where(np.isnan(goal), np.nan, np.clip(reached, 0.0, 1.0)))

    def to_frame(self) -> pd.DataFrame:
        """The outcomes and their probabilities as a table (for charts).

        Returns
        -------
        DataFrame
            Columns ``revenue``, ``probability`` and ``cumulative``.

        Examples
        --------
        >>> import salescore
        >>> salescore.forecast_distribution([100.0], [0.25]).to_frame()
           revenue  probability  cumulative
        0      0.0         0.75        0.75
        1    100.0         0.25        1.00
        """
        return pd.DataFrame(
            {
                "revenue": self.outcomes,
                "probability": self.probabilities,
                "cumulative": np.asarray(self._cdf),
            }
        )


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
    Seed 002's two prospects: 27,600 at 12 % and 34,500 at 83 %.

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
