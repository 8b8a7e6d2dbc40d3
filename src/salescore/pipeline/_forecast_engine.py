"""The engine behind the forecast distribution: checked deal arrays and the sum of wins.

:func:`~salescore.weighted_forecast` and :func:`~salescore.forecast_distribution`
hand their values and probabilities to this module: a one-pass check of the arrays
(in parallel threads when they are long), then the distribution of the revenue when
each deal is won independently, by exact enumeration of every outcome, on a lattice
(a direct recursion within blocks of deals, the blocks combined by FFT: the
Poisson-binomial distribution when every step is one deal) or by Monte Carlo
sampling, and the outcomes cleaned up for the record.
"""

from __future__ import annotations

import concurrent.futures
import functools
import itertools
import math
import os
from typing import Final

import numpy as np
import numpy.typing as npt

from .._arrays import (
    FloatArray,
    Numeric,
    check_nonnegative,
    check_probability,
    coerce,
)

__all__ = [
    "_NOISE",
    "_deal_arrays",
    "_enumerate",
    "_fast_length",
    "_lattice",
    "_lattice_pmf",
    "_monte_carlo",
    "_outcomes",
]

_CHUNK: Final = 1 << 16  # elements per block: both arrays of a block stay in cache
_NOISE: Final = 1e-15  # FFT round-off: probabilities below this are not resolved
_WORKERS: Final = max(1, min(4, os.cpu_count() or 1))
_PARALLEL_MINIMUM: Final = 1 << 20  # elements per thread worth the hand-off


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
