"""The probability integral transform (PIT) of a discrete revenue forecast.

A revenue forecast is a sum of whole deal values, so its distribution function jumps:
the PIT of an actual is not one number but the interval between the forecast's
distribution function just below and at the actual. Czado, Gneiting & Held (2009)
read each forecast as a uniform distribution on that interval (the non-randomised
PIT) and average those over forecasts: the average is the identity on [0, 1] when the
forecasts are calibrated. This module computes the interval of one forecast, and the
average distribution function and histogram of many.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from .._arrays import FloatArray
from ..pipeline import ForecastDistribution

__all__ = ["pit_bounds", "pit_cdf", "pit_histogram"]

#: Outcomes within this share of the forecast's total value (or of the actual) count
#: as equal to the actual: the actual and the outcomes are sums of the same values
#: added in another order.
_SLACK: Final = 1e-9


def pit_bounds(distribution: ForecastDistribution, actual: float) -> tuple[float, float]:
    r"""``(P(S < actual), P(S <= actual))`` of the forecast ``S``, as a sound bracket.

    An outcome within :math:`\varepsilon = e + 10^{-9} \max(\text{total}, \text{actual})`
    of the actual counts as equal to it, with :math:`e` the distribution's
    ``value_error`` (0 when exact). The record is the law of a variable :math:`R` with
    :math:`|S - R| \le e`, so :math:`P(R < a - \varepsilon) \le P(S < a)` and
    :math:`P(S \le a) \le P(R \le a + \varepsilon)`: the bracket returned holds the
    true one.
    """
    outcomes = distribution.outcomes
    probabilities = distribution.probabilities
    mass = float(probabilities.sum())
    slack = distribution.value_error + _SLACK * max(distribution.total, abs(actual))
    below = float(probabilities[outcomes < actual - slack].sum()) / mass
    at_most = float(probabilities[outcomes <= actual + slack].sum()) / mass
    return min(max(below, 0.0), 1.0), min(max(at_most, 0.0), 1.0)


def pit_cdf(low: FloatArray, high: FloatArray, u: FloatArray) -> FloatArray:
    r"""The mean non-randomised PIT distribution function :math:`\bar F(u)`.

    Each forecast with PIT interval :math:`[l_i, h_i]` contributes
    :math:`F_i(u) = 0` for :math:`u \le l_i`, :math:`(u - l_i)/(h_i - l_i)` inside, and
    1 for :math:`u \ge h_i` (a step at :math:`l_i` when :math:`l_i = h_i`);
    :math:`\bar F` is their mean. NaN without forecasts.
    """
    if low.size == 0:
        return np.full(u.shape, np.nan)
    grid = u[:, None]
    width = (high - low)[None, :]
    # Divided only inside the interval, where the share is at most 1: a subnormal width
    # would overflow the share of a point beyond it. A share may underflow to 0.
    within = (width > 0) & (grid > low[None, :]) & (grid < high[None, :])
    with np.errstate(under="ignore"):
        inside = np.divide(
            grid - low[None, :], width, out=np.zeros((u.size, low.size)), where=within
        )
    share = np.where(grid >= high[None, :], 1.0, np.where(grid <= low[None, :], 0.0, inside))
    out: FloatArray = np.clip(share, 0.0, 1.0).mean(axis=1)
    return out


def pit_histogram(low: FloatArray, high: FloatArray, bins: int) -> pd.DataFrame:
    """The non-randomised PIT histogram: the mass of :func:`pit_cdf` in equal bins."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    cdf = pit_cdf(low, high, edges)
    cdf[0], cdf[-1] = (0.0, 1.0) if low.size else (np.nan, np.nan)
    return pd.DataFrame(
        {
            "lower": edges[:-1],
            "upper": edges[1:],
            "share": np.diff(cdf),
            "expected": np.full(bins, 1.0 / bins),
        },
        index=pd.RangeIndex(1, bins + 1, name="bin"),
    )
