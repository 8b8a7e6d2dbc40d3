"""How much does a slow response cost? Response-time decay curves and contact odds.

A decay curve gives the *odds* of reaching (or qualifying) a lead at a response time,
relative to its odds at a reference time: exactly 1 at the reference, never rising
with time, positive and finite for every time >= 0. Three shapes are offered:
:class:`ExponentialDecay` (odds halve every half-life), :class:`PowerLawDecay` (odds
fall as a power of time, the shape the lead-response studies fit best) and
:class:`PiecewiseDecay` (through measured points). :func:`contact_probability` turns a
curve and a base rate into probabilities; calibrated curves are in
:mod:`salescore.leads.presets`, and :func:`~salescore.leads.fit.fit_decay` fits one to
a team's own leads.

Response times are minutes, given as numbers or as durations (``datetime.timedelta``,
``pandas.Timedelta``, ``numpy.timedelta64``, timedelta64 arrays and Series, a
``TimedeltaIndex``); the container contract of :doc:`/conventions` applies to both.
"""

from __future__ import annotations

import datetime
import itertools
import math
import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final, TypeAlias, overload

import attrs
import numpy as np
import pandas as pd

from .._arrays import (
    ArrayInput,
    FloatArray,
    Numeric,
    Scalar,
    Values,
    check_probability,
    coerce,
    option_number,
)
from ..errors import InvalidInputError
from ._durations import as_minutes, check_minutes, duration_option

if TYPE_CHECKING:
    from pandas.api.typing import NaTType

__all__ = [
    "DecayCurve",
    "ExponentialDecay",
    "PiecewiseDecay",
    "PowerLawDecay",
    "contact_probability",
]

#: The largest natural log a multiplier may reach: e**700 ≈ 1e304 is still finite.
_MAX_LOG: Final = 700.0
_LN2: Final = math.log(2.0)

_Result: TypeAlias = "float | FloatArray | pd.Series[float]"
#: One response time: minutes, or a duration (NaT for unknown).
TimeScalar: TypeAlias = "Scalar | datetime.timedelta | np.timedelta64 | NaTType"
#: Many response times: minutes or durations in an array, list or TimedeltaIndex.
TimeArray: TypeAlias = "ArrayInput | pd.TimedeltaIndex | Sequence[datetime.timedelta]"


# ------------------------------------------------------------------ field converters


def _minutes(value: Any, attribute: attrs.Attribute[Any]) -> float:
    return duration_option(attribute.name, value)


def _half_life_minutes(value: Any, attribute: attrs.Attribute[Any]) -> float:
    if isinstance(value, (int, float, np.floating)) and value == math.inf:
        return math.inf  # a half-life that never ends: no decay
    return duration_option(attribute.name, value, positive=True)


def _floor_minutes(value: Any, attribute: attrs.Attribute[Any]) -> float:
    return duration_option(attribute.name, value, positive=True)


def _ceiling_minutes(value: Any, attribute: attrs.Attribute[Any]) -> float:
    if isinstance(value, (int, float, np.floating)) and value == math.inf:
        return math.inf  # no ceiling
    return duration_option(attribute.name, value)


def _exponent(value: Any) -> float:
    number = option_number("exponent", value, allow_nan=True)
    if not (math.isfinite(number) and number >= 0.0):
        raise InvalidInputError(f"exponent must be a finite number >= 0; got {number!r}")
    return number


def _flat(value: Any) -> bool:
    """Whether ``value`` is a one-dimensional sequence (not a 0-d array, not ragged)."""
    try:
        return bool(np.ndim(value) == 1)
    except (TypeError, ValueError):  # a ragged sequence such as [[1], [2, 3]]
        return False


def _knot_times(value: Any) -> tuple[float, ...]:
    if (
        isinstance(value, (str, bytes))
        or not isinstance(value, (Sequence, np.ndarray, pd.Index))
        or not _flat(value)
    ):
        raise InvalidInputError(
            f"times must be a sequence of minutes or timedeltas (one-dimensional); got "
            f"{type(value).__name__} {value!r:.60}"
        )
    return tuple(duration_option("times", item) for item in value)


def _knot_multipliers(value: Any) -> tuple[float, ...]:
    if (
        isinstance(value, (str, bytes))
        or not isinstance(value, (Sequence, np.ndarray))
        or not _flat(value)
    ):
        raise InvalidInputError(
            f"multipliers must be a sequence of numbers (one-dimensional); got "
            f"{type(value).__name__} {value!r:.60}"
        )
    out = []
    for item in value:
        if isinstance(item, (bool, np.bool_)) or not isinstance(
            item, (numbers.Real, np.integer, np.floating)
        ):
            raise InvalidInputError(
                f"multipliers must hold numbers; got {type(item).__name__} {item!r:.60}"
            )
        number = option_number("multipliers", item, allow_nan=True)
        if not (math.isfinite(number) and number > 0.0):
            raise InvalidInputError(
                f"multipliers must be finite numbers > 0; got {number!r} in {tuple(value)!r:.80}"
            )
        out.append(number)
    return tuple(out)


# ------------------------------------------------------------------------- curves


class _Curve:
    """What every decay curve shares: :meth:`multiplier` over any container of times."""

    __slots__ = ()

    def _kernel(self, minutes: Values) -> Values:
        raise NotImplementedError

    @overload
    def multiplier(self, response_time: TimeScalar) -> float: ...
    @overload
    def multiplier(self, response_time: TimeArray) -> FloatArray: ...
    @overload
    def multiplier(self, response_time: pd.Series[Any]) -> pd.Series[float]: ...
    def multiplier(self, response_time: Any) -> _Result:
        """Odds at each response time relative to the odds at the reference time.

        Parameters
        ----------
        response_time : float, timedelta, array_like, TimedeltaIndex or Series
            Minutes from the lead's arrival to the first attempt, >= 0, as numbers or
            durations. NaN and ``NaT`` mean unknown.

        Returns
        -------
        float, ndarray or Series
            Multipliers of the odds: 1 at the reference, non-increasing, > 0 (very
            late times may underflow to 0). A Series keeps its index; NaN stays NaN.

        Raises
        ------
        InvalidInputError
            A negative or infinite time, or something that is not a time.

        Examples
        --------
        >>> from salescore.leads.decay import ExponentialDecay
        >>> ExponentialDecay(half_life=30).multiplier([0, 30, 90])
        array([1.   , 0.5  , 0.125])
        """
        (minutes,), wrap = coerce(response_time=as_minutes("response_time", response_time))
        check_minutes("response_time", minutes)
        return wrap(self._evaluate(minutes))

    def _evaluate(self, minutes: Values) -> Values:
        # A time far beyond the floor or the half-life overflows the ratio to inf, whose
        # multiplier is the limit 0; a tiny one underflows to 0 or a subnormal.
        with np.errstate(over="ignore", under="ignore", divide="ignore"):
            return self._kernel(minutes)


@attrs.frozen(kw_only=True)
class ExponentialDecay(_Curve):
    r"""Odds that halve every half-life: a constant rate of decay.

    Simple and easy to explain, but the lead-response studies do not fit it: the odds
    fall much faster in the first minutes than later (see :class:`PowerLawDecay`).

    Parameters
    ----------
    half_life : float or timedelta
        Minutes over which the odds halve, > 0; ``math.inf`` for a flat curve (no
        decay), which :func:`~salescore.leads.fit.fit_decay` returns when the odds do
        not fall.
    reference : float or timedelta, default 0.0
        Minutes at which the multiplier is 1, >= 0. Earlier times get multipliers
        above 1.

    Raises
    ------
    InvalidInputError
        A half-life <= 0 or NaN, a negative or infinite reference, or a reference so
        many half-lives out that the multiplier at time 0 would overflow.

    See Also
    --------
    PowerLawDecay, PiecewiseDecay, contact_probability

    Notes
    -----
    With half-life :math:`h` and reference :math:`t_0`,

    .. math::

        m(t) = 2^{-(t - t_0)/h}

    is the ratio of the odds at time :math:`t` to those at :math:`t_0`. The ratio over
    any interval depends only on its length: one exponential cannot give both the
    4× odds ratio of 5 against 10 minutes and the 21× of 5 against 30 minutes [1]_
    (those need half-lives of 2.5 and 5.7 minutes).

    References
    ----------
    .. [1] J. B. Oldroyd, "The Lead Response Management Study", MIT and
       InsideSales.com, 2007 (LeadResponseManagement.org).

    Examples
    --------
    >>> import math
    >>> import pandas as pd
    >>> from salescore.leads.decay import ExponentialDecay
    >>> curve = ExponentialDecay(half_life=30)
    >>> curve.multiplier(60)
    0.25
    >>> curve.multiplier(pd.Series([pd.Timedelta("15min"), pd.NaT], index=["L1", "L2"]))
    L1    0.707107
    L2         NaN
    dtype: float64
    >>> ExponentialDecay(half_life=math.inf).multiplier(1_000)
    1.0
    """

    half_life: float = attrs.field(
        converter=attrs.Converter(_half_life_minutes, takes_field=True)  # type: ignore[misc]
    )
    reference: float = attrs.field(
        default=0.0,
        converter=attrs.Converter(_minutes, takes_field=True),  # type: ignore[misc]
    )

    def __attrs_post_init__(self) -> None:
        if _LN2 * self.reference / self.half_life > _MAX_LOG:
            raise InvalidInputError(
                "reference must be fewer than 1,000 half-lives after time 0, or the "
                f"multiplier at time 0 would overflow; got reference {self.reference!r} "
                f"and half_life {self.half_life!r}"
            )

    def _kernel(self, minutes: Values) -> Values:
        return np.exp2((self.reference - minutes) / self.half_life)


@attrs.frozen(kw_only=True)
class PowerLawDecay(_Curve):
    r"""Odds that fall as a power of the response time: steep at first, slower later.

    Doubling the wait divides the odds by the same factor, :math:`2^k`, whether it is
    from 5 to 10 minutes or from 1 to 2 hours: the shape the lead-response studies
    show, where most of the loss comes in the first minutes.

    Parameters
    ----------
    exponent : float
        :math:`k \ge 0`; the odds fall by :math:`2^k` for each doubling of the time.
        0 is a flat curve.
    reference : float or timedelta, default 0.0
        Minutes at which the multiplier is 1, >= 0.
    floor : float or timedelta, default 1.0
        Minutes, > 0: times below it are held at it, so the multiplier stays finite
        at time 0 (a power of 0 is infinite). With the default, every response
        within the first minute counts as one at a minute.
    ceiling : float or timedelta, default math.inf
        Minutes, >= ``floor``: times above it are held at it, for a curve that should
        not extrapolate beyond the times it was measured on.

    Raises
    ------
    InvalidInputError
        A negative or infinite exponent, a floor <= 0, a ceiling below the floor, a
        negative or infinite reference, or a multiplier that would overflow.

    See Also
    --------
    ExponentialDecay, PiecewiseDecay, contact_probability

    Notes
    -----
    With times clipped to the floor :math:`f` and ceiling :math:`c`,
    :math:`\tilde t = \min(\max(t, f), c)`,

    .. math::

        m(t) = \left(\frac{\tilde t}{\tilde t_0}\right)^{-k}.

    Odds ratios over two intervals give the exponent:
    :math:`k = \ln R / \ln(t_2 / t_1)`. The MIT study [1]_ gives 4× for 5 against 10
    minutes (:math:`k = \ln 4 / \ln 2 = 2`) and 21× for 5 against 30 minutes
    (:math:`k = \ln 21 / \ln 6 \approx 1.70`): a power law fits both far better than
    an exponential, though not exactly (see :class:`PiecewiseDecay`).

    References
    ----------
    .. [1] J. B. Oldroyd, "The Lead Response Management Study", MIT and
       InsideSales.com, 2007 (LeadResponseManagement.org).

    Examples
    --------
    >>> from salescore.leads.decay import PowerLawDecay
    >>> curve = PowerLawDecay(exponent=2, reference=5)
    >>> curve.multiplier(10)
    0.25
    >>> curve.multiplier([0, 5, 30])
    array([25.        ,  1.        ,  0.02777778])
    >>> PowerLawDecay(exponent=0).multiplier(1_000)
    1.0
    """

    exponent: float = attrs.field(converter=_exponent)
    reference: float = attrs.field(
        default=0.0,
        converter=attrs.Converter(_minutes, takes_field=True),  # type: ignore[misc]
    )
    floor: float = attrs.field(
        default=1.0,
        converter=attrs.Converter(_floor_minutes, takes_field=True),  # type: ignore[misc]
    )
    ceiling: float = attrs.field(
        default=math.inf,
        converter=attrs.Converter(_ceiling_minutes, takes_field=True),  # type: ignore[misc]
    )

    def __attrs_post_init__(self) -> None:
        if self.ceiling < self.floor:
            raise InvalidInputError(
                f"ceiling must be >= floor; got ceiling {self.ceiling!r} and floor {self.floor!r}"
            )
        if self.exponent * math.log(self._held(self.reference) / self.floor) > _MAX_LOG:
            raise InvalidInputError(
                "exponent × ln(reference / floor) must be below 700, or the multiplier at "
                f"the floor would overflow; got exponent {self.exponent!r}, reference "
                f"{self.reference!r} and floor {self.floor!r}"
            )

    def _held(self, minutes: float) -> float:
        return min(max(minutes, self.floor), self.ceiling)

    def _kernel(self, minutes: Values) -> Values:
        ratio = np.clip(minutes, self.floor, self.ceiling) / self._held(self.reference)
        return np.power(ratio, -self.exponent)


@attrs.frozen(kw_only=True)
class PiecewiseDecay(_Curve):
    r"""Odds through measured points, interpolated log-linearly between them.

    For curves read off a study or a team's own buckets of response times: the curve
    passes through every knot, so it reproduces every figure it was built from.

    Parameters
    ----------
    times : sequence of float or timedelta
        Minutes of the knots, >= 0 and strictly increasing; at least two.
    multipliers : sequence of float
        Relative odds at the knots, > 0 and non-increasing, on any scale: the curve
        divides them by their value at ``reference``.
    reference : float or timedelta, default the first knot
        Minutes at which the multiplier is 1, >= 0.

    Raises
    ------
    InvalidInputError
        Fewer than two knots, times and multipliers of different lengths, times not
        strictly increasing, negative or infinite, multipliers not positive, finite and
        non-increasing, or a ratio of multipliers that would overflow.

    See Also
    --------
    ExponentialDecay, PowerLawDecay, contact_probability

    Notes
    -----
    With knots :math:`(t_j, m_j)` and :math:`\ell(t)` the linear interpolation of
    :math:`\ln m_j` in :math:`t`, held at :math:`\ln m_1` before the first knot and
    at :math:`\ln m_n` after the last,

    .. math::

        m(t) = \exp\bigl(\ell(t) - \ell(t_0)\bigr).

    Between two knots the odds decay exponentially, at the rate the two knots imply.
    After the last knot the curve stays flat: a study says nothing about later times,
    and a flat tail does not invent a further loss (its limit is the last knot's
    multiplier, not 0). Before the first knot it is flat too, since studies report
    their first bucket ("within 5 minutes") as one figure.

    References
    ----------
    .. [1] J. B. Oldroyd, "The Lead Response Management Study", MIT and
       InsideSales.com, 2007 (LeadResponseManagement.org).

    Examples
    --------
    >>> from salescore.leads.decay import PiecewiseDecay
    >>> curve = PiecewiseDecay(times=[5, 10, 30], multipliers=[1, 1 / 4, 1 / 21])
    >>> curve.multiplier(5) / curve.multiplier(30)
    21.0
    >>> curve.multiplier([0, 7.5, 60])
    array([1.  , 0.5 , 0.04761905])
    >>> PiecewiseDecay(times=[0, 60], multipliers=[4, 1], reference=60).multiplier(0)
    4.0
    """

    times: tuple[float, ...] = attrs.field(converter=_knot_times)
    multipliers: tuple[float, ...] = attrs.field(converter=_knot_multipliers)
    reference: float = attrs.field(
        default=attrs.Factory(lambda self: self.times[0] if self.times else 0.0, takes_self=True),
        converter=attrs.Converter(_minutes, takes_field=True),  # type: ignore[misc]
    )

    def __attrs_post_init__(self) -> None:
        times, multipliers = self.times, self.multipliers
        if len(times) < 2:
            raise InvalidInputError(f"times must hold at least two knots; got {times!r}")
        if len(multipliers) != len(times):
            raise InvalidInputError(
                f"times and multipliers must have equal lengths; got {len(times)} times and "
                f"{len(multipliers)} multipliers"
            )
        if any(b <= a for a, b in itertools.pairwise(times)):
            raise InvalidInputError(f"times must be strictly increasing; got {times!r}")
        if any(b > a for a, b in itertools.pairwise(multipliers)):
            raise InvalidInputError(
                f"multipliers must be non-increasing (odds never rise with time); got "
                f"{multipliers!r}"
            )
        if math.log(multipliers[0]) - math.log(multipliers[-1]) > _MAX_LOG:
            raise InvalidInputError(
                "the first multiplier must be less than e**700 times the last, or the "
                f"curve would overflow; got {multipliers!r}"
            )

    def _kernel(self, minutes: Values) -> Values:
        logs = np.log(self.multipliers)
        at_reference = np.interp(self.reference, self.times, logs)
        return np.exp(np.interp(minutes, self.times, logs) - at_reference)


#: Any of the decay curves.
DecayCurve: TypeAlias = ExponentialDecay | PowerLawDecay | PiecewiseDecay


# ---------------------------------------------------------------- contact probability


@overload
def contact_probability(  # type: ignore[overload-overlap]
    response_time: TimeScalar, *, base_rate: Scalar, curve: DecayCurve
) -> float: ...
@overload
def contact_probability(  # type: ignore[overload-overlap]
    response_time: TimeScalar | TimeArray,
    *,
    base_rate: Scalar | ArrayInput,
    curve: DecayCurve,
) -> FloatArray: ...
@overload
def contact_probability(
    response_time: Numeric | TimeArray | TimeScalar, *, base_rate: Numeric, curve: DecayCurve
) -> pd.Series[float]: ...
def contact_probability(response_time: Any, *, base_rate: Any, curve: DecayCurve) -> _Result:
    r"""Probability of reaching (or qualifying) a lead at a response time.

    The curve scales the *odds* of the base rate, so that probabilities stay in
    [0, 1] however large the multiplier: a fast response cannot make a lead more
    than certain.

    Parameters
    ----------
    response_time : float, timedelta, array_like, TimedeltaIndex or Series
        Minutes from the lead's arrival to the first attempt, >= 0, as numbers or
        durations. NaN and ``NaT`` mean unknown.
    base_rate : float, array_like or Series, keyword-only
        Probability of contact (or of qualifying, with a qualification curve) at the
        curve's reference time, in [0, 1]; broadcast against ``response_time``.
    curve : ExponentialDecay, PowerLawDecay or PiecewiseDecay, keyword-only
        The decay of the odds, for example a preset from
        :mod:`salescore.leads.presets` or the curve of a
        :func:`~salescore.leads.fit.fit_decay`.

    Returns
    -------
    float, ndarray or Series
        Probabilities in [0, 1]: ``base_rate`` itself at the reference time; 0 where
        ``base_rate`` is 0 and 1 where it is 1. NaN where an input is NaN.

    Raises
    ------
    InvalidInputError
        A negative or infinite time, a base rate outside [0, 1], or a ``curve`` that
        is not a decay curve.
    IndexMismatchError
        Two Series arguments with different indexes.

    See Also
    --------
    ExponentialDecay, PowerLawDecay, PiecewiseDecay

    Notes
    -----
    With base rate :math:`b` and multiplier :math:`m(t)`,

    .. math::

        \frac{p(t)}{1 - p(t)} = \frac{b}{1 - b}\, m(t)
        \quad\Longleftrightarrow\quad
        p(t) = \frac{b}{b + (1 - b) / m(t)}.

    The studies report odds ratios [1]_ [2]_, so this is how their figures apply to a
    team's own base rate. For small probabilities odds and probabilities are nearly
    proportional; near 1 they are not: Nutshell's "more than 5 times as likely to reach
    the lead" within 5 minutes than at 30 [3]_ follows from the study's 100× odds ratio
    for any base rate below 0.96.

    References
    ----------
    .. [1] J. B. Oldroyd, "The Lead Response Management Study", MIT and
       InsideSales.com, 2007 (LeadResponseManagement.org).
    .. [2] J. B. Oldroyd, K. McElheran and D. Elkington, "The Short Life of Online
       Sales Leads", Harvard Business Review, March 2011.
    .. [3] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition). See Sources in the documentation.

    Examples
    --------
    >>> from salescore.leads.decay import PowerLawDecay, contact_probability
    >>> curve = PowerLawDecay(exponent=2, reference=5)
    >>> contact_probability(10, base_rate=0.5, curve=curve)
    0.2
    >>> contact_probability([5, 10, 20], base_rate=[0.5, 0.5, 0.8], curve=curve)
    array([0.5, 0.2, 0.2])
    >>> contact_probability(60, base_rate=1.0, curve=curve)
    1.0
    """
    if not isinstance(curve, _Curve):
        raise InvalidInputError(
            "curve must be an ExponentialDecay, PowerLawDecay or PiecewiseDecay; got "
            f"{type(curve).__name__}"
        )
    (minutes, base), wrap = coerce(
        response_time=as_minutes("response_time", response_time), base_rate=base_rate
    )
    check_minutes("response_time", minutes)
    check_probability("base_rate", base)
    multiplier = curve._evaluate(minutes)
    with np.errstate(all="ignore"):  # underflow gives 0 and overflow inf, handled below
        # Monotone in the multiplier under rounding, and exactly b where m = 1.
        rest = np.divide(1.0 - base, multiplier)
        probability = np.divide(base, base + rest)
    # b = 1 with a multiplier that underflowed to 0 gives 0/0; a certain lead stays certain.
    probability = np.where((base == 1.0) & (multiplier == 0.0), 1.0, probability)
    return wrap(probability)
