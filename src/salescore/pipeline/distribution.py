"""The forecast distribution record: possible revenues, their probabilities, accuracy.

:class:`~salescore.ForecastDistribution` holds what
:func:`~salescore.forecast_distribution` computes, with the method used and a bound
on its error, and answers the questions a manager asks of it: the revenue at a
probability level (quantiles, a P10–P90 interval), the chance of reaching a target,
and the outcomes as a table for charts. Its fields are validated, so an invalid
distribution cannot be made by hand either.
"""

from __future__ import annotations

import math
from typing import Any, Final

import attrs
import numpy as np
import pandas as pd

from .._arrays import (
    FloatArray,
    Numeric,
    check_nonnegative,
    check_range,
    coerce,
    option_choice,
    option_count,
    option_number,
)
from ..errors import InvalidInputError

__all__ = ["ForecastDistribution"]

_TIE: Final = 1e-12  # cumulative probabilities this close to a level count as reaching it

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
