"""How fast do *our* leads go cold? A decay curve fitted to a team's own leads.

:func:`fit_decay` fits a power-law or exponential decay curve and its base rate by
maximum likelihood to response times and outcomes (contacted or qualified), and
returns a :class:`DecayFit` record with the curve, standard errors and the likelihood.
"""

from __future__ import annotations

import datetime
import math
import warnings
from collections.abc import Sequence
from typing import Any, Final, Literal, overload

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from .._arrays import (
    FloatArray,
    coerce,
    option_choice,
    option_count,
    option_flag,
    option_number,
)
from ..errors import ConvergenceError, IndexMismatchError, InvalidInputError, SalescoreWarning
from ._durations import as_minutes, check_minutes, duration_option
from ._likelihood import (
    Covariance,
    _check_identifiable,
    _covariance,
    _log_likelihood,
    _logistic,
    _newton,
    _null_log_likelihood,
)
from .decay import ExponentialDecay, PowerLawDecay, TimeArray, TimeScalar

__all__ = ["DecayFit", "fit_decay"]

_LN2: Final = math.log(2.0)
_SHOWN: Final = 5
_KINDS: Final = ("power", "exponential")

#: The most Newton–Raphson iterations :func:`fit_decay` accepts (it needs about 10).
MAX_ITERATIONS: Final = 10_000
#: The most leads a :class:`DecayFit` counts: the largest count a float holds exactly.
_MAX_LEADS: Final = 2**53


# ------------------------------------------------------------- the record's fields


def _finite(value: Any, attribute: attrs.Attribute[Any]) -> float:
    number = option_number(attribute.name, value, allow_nan=True)
    if not math.isfinite(number):
        raise InvalidInputError(f"{attribute.name} must be a finite number; got {number!r}")
    return number


def _fraction(value: Any, attribute: attrs.Attribute[Any]) -> float:
    number = option_number(attribute.name, value, allow_nan=True)
    if not 0.0 <= number <= 1.0:
        raise InvalidInputError(f"{attribute.name} must be a fraction in [0, 1]; got {number!r}")
    return number


def _slope(value: Any, attribute: attrs.Attribute[Any]) -> float:
    number = _finite(value, attribute)
    if number > 0.0:
        raise InvalidInputError(
            f"slope must be <= 0 (a decay curve does not rise with time); got {number!r}"
        )
    return number


def _count(value: Any, attribute: attrs.Attribute[Any]) -> int:
    limit = MAX_ITERATIONS if attribute.name == "iterations" else _MAX_LEADS
    return option_count(attribute.name, value, maximum=limit)


def _flag(value: Any, attribute: attrs.Attribute[Any]) -> bool:
    return option_flag(attribute.name, value)


def _matrix(value: Any) -> Covariance:
    """A 2 × 2 symmetric matrix of finite numbers with a non-negative diagonal."""
    try:
        rows = [list(row) for row in value]
    except TypeError:
        rows = []
    if len(rows) != 2 or any(len(row) != 2 for row in rows) or isinstance(value, (str, bytes)):
        raise InvalidInputError(
            f"covariance must be a 2 × 2 matrix (two rows of two numbers); got {value!r:.80}"
        )
    (v00, v01), (v10, v11) = (
        (option_number("covariance", item, allow_nan=True) for item in row) for row in rows
    )
    if not all(math.isfinite(v) for v in (v00, v01, v10, v11)) or v00 < 0.0 or v11 < 0.0:
        raise InvalidInputError(
            "covariance must hold finite numbers with variances (the diagonal) >= 0; "
            f"got {((v00, v01), (v10, v11))!r}"
        )
    return ((v00, v01), (v10, v11))


def _curve(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, (PowerLawDecay, ExponentialDecay)):
        raise InvalidInputError(
            f"curve must be a PowerLawDecay or ExponentialDecay; got {type(value).__name__}"
        )


@attrs.frozen(kw_only=True)
class DecayFit:
    r"""A decay curve and base rate fitted to leads by maximum likelihood.

    Made by :func:`fit_decay`. The model is a logistic regression of the outcome on
    :math:`x`, the log of the response time (power law) or the response time itself
    (exponential), measured from the reference:
    :math:`\operatorname{logit} p = \alpha + \beta x`.

    Parameters
    ----------
    curve : PowerLawDecay or ExponentialDecay
        The fitted curve: exponent :math:`-\beta`, or half-life :math:`\ln 2 / -\beta`
        minutes (infinite when :math:`\beta = 0`).
    base_rate : float
        Fitted probability of the outcome at the curve's reference time,
        :math:`1 / (1 + e^{-\alpha})`. With a reference far from the data it may
        round to 0 or 1; :meth:`probability` works from :math:`\alpha` and does not.
    intercept, slope : float
        :math:`\alpha` and :math:`\beta`, on the logit scale.
    covariance : tuple of tuples
        2 × 2 covariance matrix of :math:`(\alpha, \beta)`, the inverse of the observed
        information at the estimate.
    log_likelihood : float
        Log-likelihood at the estimate.
    null_log_likelihood : float
        Log-likelihood of a constant rate (no decay); twice the difference to
        ``log_likelihood`` is the likelihood-ratio statistic for "response time
        matters", approximately :math:`\chi^2_1` under no decay.
    n : int
        Number of leads fitted, at most 2**53.
    successes : int
        How many of them were contacted (or qualified).
    iterations : int
        Newton–Raphson iterations taken, at most 10,000 (``MAX_ITERATIONS``).
    boundary : bool
        True when the unconstrained optimum rose with time and the fit was held at a
        flat curve (:math:`\beta = 0`); the standard error of the slope is then not
        an asymptotic one.

    Raises
    ------
    InvalidInputError
        A field that is not what it says above: a curve of another kind, a base rate
        outside [0, 1], an intercept, slope or log-likelihood that is not a finite
        number (or a slope above 0), a covariance that is not a 2 × 2 matrix of finite
        numbers with a non-negative diagonal, counts that are not integers in range
        (or more successes than leads), a ``boundary`` that is not a bool.

    See Also
    --------
    fit_decay : makes this record.
    contact_probability : probabilities from a curve and a base rate.

    Examples
    --------
    >>> from salescore.leads.fit import fit_decay
    >>> fit = fit_decay([5] * 10 + [30] * 10, [1] * 8 + [0] * 2 + [1] * 4 + [0] * 6,
    ...                 reference=5)
    >>> round(fit.curve.exponent, 6), round(fit.base_rate, 6)
    (1.0, 0.8)
    >>> fit.probability([5, 30])
    array([0.8, 0.4])
    """

    curve: PowerLawDecay | ExponentialDecay = attrs.field(validator=_curve)
    base_rate: float = attrs.field(
        converter=attrs.Converter(_fraction, takes_field=True)  # type: ignore[misc]
    )
    intercept: float = attrs.field(
        converter=attrs.Converter(_finite, takes_field=True)  # type: ignore[misc]
    )
    slope: float = attrs.field(
        converter=attrs.Converter(_slope, takes_field=True)  # type: ignore[misc]
    )
    covariance: Covariance = attrs.field(converter=_matrix)
    log_likelihood: float = attrs.field(
        converter=attrs.Converter(_finite, takes_field=True)  # type: ignore[misc]
    )
    null_log_likelihood: float = attrs.field(
        converter=attrs.Converter(_finite, takes_field=True)  # type: ignore[misc]
    )
    n: int = attrs.field(
        converter=attrs.Converter(_count, takes_field=True)  # type: ignore[misc]
    )
    successes: int = attrs.field(
        converter=attrs.Converter(_count, takes_field=True)  # type: ignore[misc]
    )
    iterations: int = attrs.field(
        converter=attrs.Converter(_count, takes_field=True)  # type: ignore[misc]
    )
    boundary: bool = attrs.field(
        converter=attrs.Converter(_flag, takes_field=True)  # type: ignore[misc]
    )

    def __attrs_post_init__(self) -> None:
        if self.successes > self.n:
            raise InvalidInputError(
                f"successes must be at most n; got successes {self.successes} > n {self.n}"
            )

    @property
    def intercept_se(self) -> float:
        r"""Standard error of the intercept :math:`\alpha` (logit of the base rate)."""
        return math.sqrt(self.covariance[0][0])

    @property
    def slope_se(self) -> float:
        r"""Standard error of the slope :math:`\beta`; for a power law, of the exponent."""
        return math.sqrt(self.covariance[1][1])

    @property
    def base_rate_se(self) -> float:
        r"""Standard error of the base rate, by the delta method: :math:`p(1-p)\,SE_\alpha`."""
        return self.base_rate * (1.0 - self.base_rate) * self.intercept_se

    @property
    def half_life_se(self) -> float:
        r"""Standard error of an exponential's half-life in minutes, by the delta method.

        :math:`\ln 2\, SE_\beta / \beta^2`; infinite for a flat fit, NaN for a power
        law.
        """
        if not isinstance(self.curve, ExponentialDecay):
            return math.nan
        if self.slope == 0.0:
            return math.inf
        return _LN2 * self.slope_se / self.slope**2

    @overload
    def probability(self, response_time: TimeScalar) -> float: ...
    @overload
    def probability(self, response_time: TimeArray) -> FloatArray: ...
    @overload
    def probability(self, response_time: pd.Series[Any]) -> pd.Series[float]: ...
    def probability(self, response_time: Any) -> float | FloatArray | pd.Series[float]:
        r"""Fitted probability at each response time.

        The same as :func:`contact_probability` with the fit's base rate and curve,
        computed on the logit scale, :math:`\alpha + \ln m(t)`, so that it stays exact
        where the base rate itself rounds to 0 or 1 (a reference far from the data,
        or a fit close to separation).

        Parameters
        ----------
        response_time : float, timedelta, array_like, TimedeltaIndex or Series
            Minutes, >= 0, as numbers or durations.

        Returns
        -------
        float, ndarray or Series
            Probabilities in [0, 1], in the container of ``response_time``.

        Examples
        --------
        >>> from salescore.leads.fit import fit_decay
        >>> fit = fit_decay([0, 0, 0, 0, 10, 10, 10, 10], [1, 1, 1, 0, 1, 0, 0, 0],
        ...                 kind="exponential")
        >>> fit.probability(10)
        0.25
        """
        multiplier = self.curve.multiplier(response_time)
        with np.errstate(divide="ignore"):  # a multiplier that underflowed to 0: p = 0
            eta = self.intercept + np.log(np.asarray(multiplier, dtype=np.float64))
        probability, _ = _logistic(eta)
        if isinstance(multiplier, pd.Series):
            return pd.Series(probability, index=multiplier.index, dtype=np.float64)
        if isinstance(multiplier, float):
            return float(probability)
        return probability


def fit_decay(
    response_time: TimeArray | pd.Series[Any],
    outcome: Sequence[bool] | Sequence[int] | npt.NDArray[Any] | pd.Series[Any],
    *,
    kind: Literal["power", "exponential"] = "power",
    reference: float | datetime.timedelta | np.timedelta64 = 0.0,
    floor: float | datetime.timedelta | np.timedelta64 | None = None,
    skipna: bool = False,
    max_iterations: int = 100,
    tolerance: float = 1e-10,
) -> DecayFit:
    r"""Fit a decay curve and its base rate to a team's leads by maximum likelihood.

    Tells a sales manager how fast the team's own leads go cold, to set a response
    target from data rather than from someone else's study. The curve is constrained
    not to rise with time.

    Parameters
    ----------
    response_time : array_like, TimedeltaIndex or Series
        Minutes from each lead's arrival to the first attempt, >= 0, as numbers or
        durations; one per lead.
    outcome : array_like or Series
        Whether each lead was contacted (or qualified): booleans, or 1 and 0; a
        nullable boolean or integer Series may hold missing values.
    kind : {"power", "exponential"}, keyword-only, default "power"
        The curve to fit: :class:`PowerLawDecay` or :class:`ExponentialDecay`.
    reference : float or timedelta, keyword-only, default 0.0
        Minutes at which the fitted base rate applies, >= 0. The fit does not depend
        on it beyond this labelling; choose a time inside the data (say 5 minutes) for
        a precise base rate.
    floor : float or timedelta, keyword-only, default 1.0 for a power law
        Minutes under which times are held at the floor (see :class:`PowerLawDecay`),
        > 0. Only read with ``kind="power"``.
    skipna : bool, keyword-only, default False
        Leave out leads with a missing time or outcome. Otherwise they raise.
    max_iterations : int, keyword-only, default 100
        Most Newton–Raphson iterations, from 1 to 10,000 (``MAX_ITERATIONS``).
    tolerance : float, keyword-only, default 1e-10
        Convergence is declared when no coefficient (on standardised times) moves by
        more than this, > 0.

    Returns
    -------
    DecayFit
        The curve, base rate, coefficients, covariance, log-likelihoods, counts,
        iterations and whether the fit was held at a flat curve.

    Raises
    ------
    InvalidInputError
        Times negative, infinite or not times; outcomes other than True/False or
        1/0 (the message names the first positions); missing values without
        ``skipna``; arrays of different lengths; fewer than two leads; a bad option.
    IndexMismatchError
        ``response_time`` and ``outcome`` are Series with different indexes.
    ConvergenceError
        No finite fit exists: every outcome is the same, every response time is the
        same, or the outcomes are perfectly separated by response time (every
        success no later than every failure, so the best curve is a step); or Newton
        did not converge within ``max_iterations``.

    Warns
    -----
    SalescoreWarning
        The unconstrained optimum rises with time; the fit is the flat curve.

    See Also
    --------
    DecayFit, contact_probability, PowerLawDecay, ExponentialDecay

    Notes
    -----
    With :math:`x_i = \ln \max(t_i, f) - \ln \max(t_0, f)` (power law, floor
    :math:`f`) or :math:`x_i = t_i - t_0` (exponential), the model is

    .. math::

        \operatorname{logit} P(y_i = 1) = \alpha + \beta x_i,
        \qquad \beta \le 0,

    so that the odds at time :math:`t` relative to the reference are
    :math:`e^{\beta x}`: the curve's multiplier, with exponent :math:`k = -\beta` or
    half-life :math:`h = \ln 2 / (-\beta)`. The log-likelihood
    :math:`\sum_i y_i \eta_i - \ln(1 + e^{\eta_i})` is concave, so Newton–Raphson
    (with step halving) on standardised :math:`x` finds the unconstrained maximum.
    If that has :math:`\beta > 0` (outcomes improving with delay), the constrained
    maximum lies on the boundary :math:`\beta = 0`, a flat curve with the overall
    rate as base rate, and a :class:`~salescore.SalescoreWarning` says so. The
    covariance is the inverse observed information
    :math:`(X^\top W X)^{-1}`, :math:`W = \operatorname{diag}(p_i (1 - p_i))`.

    A finite maximum exists unless every success comes no later than every failure
    (in :math:`x`): then :math:`\beta \to -\infty`, and the fit is refused.

    References
    ----------
    .. [1] J. B. Oldroyd, K. McElheran and D. Elkington, "The Short Life of Online
       Sales Leads", Harvard Business Review, March 2011.
    .. [2] A. Agresti, *Categorical Data Analysis*, 3rd ed., Wiley, 2013, §4.6
       (Newton–Raphson for logistic regression) and §6.5.1 (separation).

    Examples
    --------
    Ten leads called at 5 minutes, 8 reached; ten at 30 minutes, 4 reached. The
    odds fall from 4 to 2/3, a ratio of 6 over a sixfold wait: exponent 1.

    >>> from salescore.leads.fit import fit_decay
    >>> times = [5] * 10 + [30] * 10
    >>> reached = [True] * 8 + [False] * 2 + [True] * 4 + [False] * 6
    >>> fit = fit_decay(times, reached, reference=5)
    >>> round(fit.curve.exponent, 6), round(fit.base_rate, 6), fit.n
    (1.0, 0.8, 20)
    >>> fit = fit_decay(times, reached, kind="exponential", reference=5)
    >>> round(fit.curve.half_life, 3)
    9.671
    >>> fit_decay([5, 30], [True, True])
    Traceback (most recent call last):
    ...
    salescore.errors.ConvergenceError: every one of the 2 outcomes is a success; ...
    """
    shape = option_choice("kind", kind, _KINDS)
    origin = duration_option("reference", reference)
    if shape == "power":
        floor_minutes = 1.0 if floor is None else duration_option("floor", floor, positive=True)
    elif floor is not None:
        raise InvalidInputError("floor is only read with kind='power'")
    skip = option_flag("skipna", skipna)
    iterations = option_count("max_iterations", max_iterations, maximum=MAX_ITERATIONS)
    if iterations < 1:
        raise InvalidInputError(f"max_iterations must be at least 1; got {iterations}")
    tol = option_number("tolerance", tolerance)
    if not (tol > 0.0 and math.isfinite(tol)):
        raise InvalidInputError(f"tolerance must be a finite number > 0; got {tol!r}")

    minutes, success = _data(response_time, outcome, skipna=skip)
    if shape == "power":
        held = max(origin, floor_minutes)
        x = np.log(np.maximum(minutes, floor_minutes)) - math.log(held)
    else:
        x = minutes - origin
    rising = _check_identifiable(x, success, minutes)

    if rising:
        # Every failure came no later than every success: the unconstrained slope is
        # +inf, so the constrained optimum is the boundary without iterating.
        alpha, beta, steps = 0.0, math.inf, 0
    else:
        alpha, beta, steps = _newton(x, success, iterations, tol)
    boundary = beta > 0.0
    if boundary:
        warnings.warn(
            "the outcomes improve with response time in these leads; the best curve that "
            "does not rise with time is flat (slope 0), which is returned",
            SalescoreWarning,
            stacklevel=2,
        )
        rate = float(success.mean())
        alpha, beta = math.log(rate / (1.0 - rate)), 0.0
    covariance = _covariance(x, success, alpha, beta)
    curve: PowerLawDecay | ExponentialDecay
    try:
        if shape == "power":
            curve = PowerLawDecay(exponent=-beta + 0.0, reference=origin, floor=floor_minutes)
        else:
            curve = ExponentialDecay(
                half_life=_LN2 / -beta if beta < 0.0 else math.inf, reference=origin
            )
    except InvalidInputError as error:
        raise ConvergenceError(
            f"the fitted curve cannot be represented ({error}); choose a reference within "
            "the range of the response times"
        ) from None
    return DecayFit(
        curve=curve,
        base_rate=1.0 / (1.0 + math.exp(-alpha)),
        intercept=alpha,
        slope=beta,
        covariance=covariance,
        log_likelihood=_log_likelihood(x, success, alpha, beta),
        null_log_likelihood=_null_log_likelihood(success),
        n=int(success.size),
        successes=int(success.sum()),
        iterations=steps,
        boundary=boundary,
    )


# ------------------------------------------------------------------------ the data


def _data(response_time: Any, outcome: Any, *, skipna: bool) -> tuple[FloatArray, FloatArray]:
    """Times in minutes and outcomes as 0/1 floats, checked, aligned, missing dropped."""
    times = as_minutes("response_time", response_time)
    try:
        single = np.ndim(times) == 0
    except (TypeError, ValueError):  # a ragged sequence: coerce names it
        single = False
    if single:
        raise InvalidInputError(
            "response_time must be an array or Series with one time per lead; got a "
            f"single {type(response_time).__name__}"
        )
    (values,), _ = coerce(response_time=times)
    minutes = np.asarray(values, dtype=np.float64)
    if (
        isinstance(times, pd.Series)
        and isinstance(outcome, pd.Series)
        and not (times.index is outcome.index or times.index.equals(outcome.index))
    ):
        raise IndexMismatchError(
            "response_time and outcome are Series with different indexes; salescore "
            "never combines Series by position: align them first (for example with "
            "Series.reindex) so that each label means the same lead in both"
        )
    success = _outcomes(outcome)
    if success.size != minutes.size:
        raise InvalidInputError(
            f"response_time has {minutes.size} elements but outcome has {success.size}; "
            "they must have equal lengths"
        )
    check_minutes("response_time", minutes)
    missing = np.isnan(minutes) | np.isnan(success)
    if missing.any():
        if not skipna:
            raise InvalidInputError(
                "response_time or outcome is missing for "
                f"{_positions(missing, minutes.size)}; pass skipna=True to leave those "
                "leads out"
            )
        minutes, success = minutes[~missing], success[~missing]
    if minutes.size < 2:
        raise InvalidInputError(f"fit_decay needs at least 2 leads; got {minutes.size}")
    return minutes, success


def _outcomes(outcome: Any) -> FloatArray:
    """Outcomes as a float array of 1.0, 0.0 and NaN (missing)."""
    if isinstance(outcome, pd.Series):
        dtype = outcome.dtype
        if pd.api.types.is_complex_dtype(dtype) or not (
            pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype)
        ):
            raise InvalidInputError(
                f"outcome must hold True/False or 1/0; got a Series of dtype {dtype}"
            )
        values: FloatArray = outcome.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        if isinstance(outcome, (list, tuple)):
            try:
                array: npt.NDArray[Any] = np.asarray(outcome) if len(outcome) else np.empty(0)
            except (TypeError, ValueError):  # a ragged sequence such as [[1], [0, 1]]
                raise InvalidInputError(
                    f"outcome must be a flat sequence of True/False or 1/0; got {outcome!r:.60}"
                ) from None
        elif isinstance(outcome, np.ma.MaskedArray):
            raise InvalidInputError(
                "outcome is a masked array; salescore does not read masks: pass "
                "outcome.filled(np.nan) (with a float dtype) so that masked entries are missing"
            )
        elif isinstance(outcome, np.ndarray):
            array = outcome
        else:
            raise InvalidInputError(
                "outcome must be an array or Series with one outcome per lead; got "
                f"{type(outcome).__name__} {outcome!r:.60}"
            )
        if array.ndim != 1:
            raise InvalidInputError(f"outcome must be one-dimensional; got shape {array.shape}")
        if array.dtype.kind not in "biuf":
            raise InvalidInputError(
                f"outcome must hold True/False or 1/0; got an array of dtype {array.dtype}"
            )
        with np.errstate(over="ignore"):  # a long double beyond float64 becomes inf: refused
            values = array.astype(np.float64)
    bad = ~((values == 0.0) | (values == 1.0) | np.isnan(values))
    if bad.any():
        positions = np.flatnonzero(bad)
        shown = ", ".join(f"[{p}] {float(values[p])!r}" for p in positions[:_SHOWN])
        more = ", …" if positions.size > _SHOWN else ""
        raise InvalidInputError(
            f"outcome must hold True/False or 1/0; {positions.size} of {values.size} "
            f"values are not (0-based positions: {shown}{more})"
        )
    return values


def _positions(mask: npt.NDArray[np.bool_], size: int) -> str:
    positions = np.flatnonzero(mask)
    shown = ", ".join(str(p) for p in positions[:_SHOWN])
    more = ", …" if positions.size > _SHOWN else ""
    return f"{positions.size} of {size} leads (0-based positions: {shown}{more})"
