"""Maximum-likelihood fitting on log-parameters, shared by the customer-base models.

Every model in :mod:`salescore.models` has strictly positive parameters. They are
searched on the log scale, where the search is unconstrained in practice and the
likelihood surface is closer to quadratic; box bounds on the logs only keep the
search away from overflow. :func:`minimize_log` wraps :func:`scipy.optimize.minimize`
for that purpose and returns an :class:`Optimum` record, or raises
:class:`~salescore.ConvergenceError` with a message saying what went wrong.

The objective is written by the model: it receives the log-parameters and returns the
*mean* negative log-likelihood per (weighted) customer, optionally with its gradient
with respect to the log-parameters. Using the mean keeps the stopping tolerances
meaningful whether a data set holds a hundred customers or a million.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any, Final

import attrs
import numpy as np

from .._arrays import FloatArray, Values, check_nonnegative, option_count, option_number
from ..errors import ConvergenceError, InvalidInputError, SalescoreWarning
from ._scipy import scipy_module

__all__ = [
    "LOWER",
    "MAX_PURCHASES",
    "UPPER",
    "Objective",
    "Optimum",
    "check_result",
    "check_weights",
    "check_whole",
    "count_field",
    "log_likelihood_field",
    "minimize_log",
    "positive_parameter",
    "size_field",
    "text_field",
]

#: The most purchases a customer may have: 2**53, beyond which a float cannot tell
#: whole numbers apart (so "whole number of purchases" means nothing).
MAX_PURCHASES: Final = float(2**53)
#: Default box on each parameter (natural scale) inside which the search runs.
LOWER: Final = 1e-8
UPPER: Final = 1e8

#: Distance on the log scale below which a parameter counts as run to a bound.
_AT_BOUND: Final = 1e-3
#: A parameter moved to a bound of the box with the objective no worse than this
#: (relative to the optimum's value) counts as run to the bound.
_FLAT: Final = 1e-9

#: The optimisers tried in turn, each from where the previous one stopped. SLSQP
#: first: on these small smooth problems it converges in a few dozen evaluations, and
#: its cost per step stays small where L-BFGS-B's own bookkeeping was measured to
#: dominate a small fit on a busy machine.
_METHODS: Final = (
    ("SLSQP", {"maxiter": 1000, "ftol": 1e-14}),
    ("L-BFGS-B", {"maxiter": 1000, "ftol": 1e-13, "gtol": 1e-9}),
    ("Nelder-Mead", {"maxiter": 4000, "xatol": 1e-9, "fatol": 1e-13}),
)

#: ``objective(log_parameters)`` -> mean negative log-likelihood, or a pair
#: ``(value, gradient)`` when ``minimize_log(..., gradient=True)``.
Objective = Callable[[FloatArray], Any]


@attrs.frozen(kw_only=True)
class Optimum:
    """Where :func:`minimize_log` stopped.

    Parameters
    ----------
    parameters : tuple of float
        The optimum on the natural (positive) scale, in the order of ``names``.
    log_parameters : tuple of float
        Their natural logarithms, as the search saw them.
    value : float
        The objective at the optimum (mean negative log-likelihood).
    iterations : int
        Iterations taken, summed over the methods tried.
    evaluations : int
        Objective evaluations, summed over the methods tried.
    method : str
        The SciPy method whose result was accepted ("SLSQP", "L-BFGS-B" or
        "Nelder-Mead").
    message : str
        SciPy's termination message for that method.
    at_bound : tuple of str
        Names of the parameters that ended at a bound of the search box, or that
        can be moved to one without making the objective worse (the likelihood is
        flat towards it, so the optimiser stopped short of the bound).
    """

    parameters: tuple[float, ...]
    log_parameters: tuple[float, ...]
    value: float
    iterations: int
    evaluations: int
    method: str
    message: str
    at_bound: tuple[str, ...]


def minimize_log(
    objective: Objective,
    start: Sequence[float],
    *,
    names: Sequence[str],
    model: str,
    gradient: bool = False,
    lower: float = LOWER,
    upper: float = UPPER,
) -> Optimum:
    """Minimise a mean negative log-likelihood over log-parameters.

    Runs SLSQP inside the box ``[log(lower), log(upper)]``; when it stops without
    reporting success (typically a line search that cannot improve on a point
    already at the optimum to rounding), L-BFGS-B and then Nelder–Mead restart from
    where the previous method stopped, and the first result that reports success is
    accepted. A parameter that ends
    at a bound of the box, or that can be moved to one without making the objective
    worse, is not an error: the likelihood keeps improving (or stays flat) in that
    direction, for example when no dropout is visible in the data, and a
    :class:`~salescore.SalescoreWarning` names it. Checking that costs two
    evaluations of the objective per parameter.

    Parameters
    ----------
    objective : callable
        ``objective(log_parameters)`` with a float64 array of the logs, in the order
        of ``names``; returns the mean negative log-likelihood as a float, or
        ``(value, gradient)`` with the gradient over the logs when ``gradient`` is
        True. It may return ``inf`` or NaN where the likelihood is not defined.
    start : sequence of float
        Starting values on the natural scale, each in ``(lower, upper)``.
    names : sequence of str
        Parameter names, for messages and :attr:`Optimum.at_bound`.
    model : str
        The model's name, for messages (``"BG/NBD"``).
    gradient : bool, default False
        Whether ``objective`` returns its gradient as well.
    lower, upper : float
        The search box on the natural scale, the same for every parameter.

    Returns
    -------
    Optimum
        The accepted optimum.

    Raises
    ------
    ConvergenceError
        The objective is not finite at the start, or no method converged to a
        finite value.
    ImportError
        SciPy is not installed (the ``models`` extra).

    Warns
    -----
    SalescoreWarning
        A parameter ended at a bound of the search box.
    """
    optimize = scipy_module("optimize")
    names = tuple(names)
    x0 = np.log(np.asarray(start, dtype=np.float64))
    if x0.shape != (len(names),):
        raise ValueError(f"{len(names)} names for {x0.size} starting values")
    low, high = math.log(lower), math.log(upper)
    x0 = np.clip(x0, low + 1.0, high - 1.0)
    bounds = [(low, high)] * len(names)

    def value_only(x: FloatArray) -> float:
        result = objective(x)
        return float(result[0] if gradient else result)

    def guarded(x: FloatArray) -> Any:
        # A line search cannot step back from a non-finite value: report a huge one
        # so that it shortens its step instead.
        result = objective(np.asarray(x, dtype=np.float64))
        if gradient:
            value, grad = result
            value = float(value)
            if not math.isfinite(value):
                return 1e300, np.zeros(len(names))
            return value, np.asarray(grad, dtype=np.float64)
        value = float(result)
        return value if math.isfinite(value) else 1e300

    first = value_only(x0)
    if not math.isfinite(first):
        raise ConvergenceError(
            f"{model}: the log-likelihood is not finite at the starting values "
            f"{_describe(names, x0)}; check the data for impossible rows"
        )

    iterations = evaluations = 0
    failures = []
    point = x0
    for method, options in _METHODS:
        uses_gradient = gradient and method != "Nelder-Mead"
        with np.errstate(all="ignore"):
            result = optimize.minimize(
                guarded if uses_gradient or not gradient else lambda x: guarded(x)[0],
                point,
                jac=uses_gradient,
                method=method,
                bounds=bounds,
                options=options,
            )
        iterations += int(result.nit)
        evaluations += int(result.nfev)
        if result.success and math.isfinite(float(result.fun)) and float(result.fun) < 1e300:
            break
        failures.append(f"{method}: {result.message}")
        candidate = np.asarray(result.x, dtype=np.float64)
        if np.isfinite(candidate).all():
            point = np.clip(candidate, low, high)
    else:
        raise ConvergenceError(
            f"{model}: the fit did not converge ({'; '.join(failures)}) after {iterations} "
            f"iterations; last parameters {_describe(names, point)}"
        )

    x = np.clip(np.asarray(result.x, dtype=np.float64), low, high)
    best = float(result.fun)
    flat = _FLAT * max(1.0, abs(best))

    def runs_to_bound(i: int) -> bool:
        if x[i] - low < _AT_BOUND or high - x[i] < _AT_BOUND:
            return True
        # Where the likelihood is flat towards a bound the optimiser stops short of
        # it; a parameter the data cannot pull back from the bound is at the bound.
        for edge in (low, high):
            moved = x.copy()
            moved[i] = edge
            with np.errstate(all="ignore"):
                value = value_only(moved)
            if math.isfinite(value) and value <= best + flat:
                return True
        return False

    at_bound = tuple(name for i, name in enumerate(names) if runs_to_bound(i))
    if at_bound:
        them = "them" if len(at_bound) > 1 else "it"
        warnings.warn(
            f"{model}: {', '.join(at_bound)} ran to the bound of the search "
            f"[{lower:g}, {upper:g}] ({_describe(names, x)}); the data do not pin {them} "
            "down, so predictions that depend on it are unreliable",
            SalescoreWarning,
            stacklevel=3,
        )
    return Optimum(
        parameters=tuple(float(v) for v in np.exp(x)),
        log_parameters=tuple(float(v) for v in x),
        value=float(result.fun),
        iterations=iterations,
        evaluations=evaluations,
        method=method,
        message=str(result.message),
        at_bound=at_bound,
    )


def _describe(names: Sequence[str], log_values: FloatArray) -> str:
    with np.errstate(over="ignore"):
        values = np.exp(log_values)
    return ", ".join(f"{name}={float(v):.6g}" for name, v in zip(names, values, strict=True))


def positive_parameter(value: Any, attribute: attrs.Attribute[Any]) -> float:
    """Attrs converter for a model parameter: a finite number > 0, as a float.

    Use as ``attrs.field(converter=attrs.Converter(positive_parameter, takes_field=True))``.
    Booleans, strings, complex numbers, durations and numbers beyond float range are
    refused by :func:`~salescore._arrays.option_number`, under the field's name.
    """
    name = attribute.name
    number = option_number(name, value, allow_nan=True)
    if not (math.isfinite(number) and number > 0.0):
        raise InvalidInputError(f"{name} must be a finite number > 0; got {number!r}")
    return number


def log_likelihood_field(value: Any, attribute: attrs.Attribute[Any]) -> float:
    """Attrs converter for a log-likelihood: a finite number, or NaN for "not fitted"."""
    name = attribute.name
    number = option_number(name, value, allow_nan=True)
    if math.isinf(number):
        raise InvalidInputError(f"{name} must be a finite number or NaN; got {number!r}")
    return number


def size_field(value: Any, attribute: attrs.Attribute[Any]) -> float:
    """Attrs converter for a fitted cohort's size: a finite number > 0, or NaN."""
    name = attribute.name
    number = option_number(name, value, allow_nan=True)
    if not (math.isnan(number) or (math.isfinite(number) and number > 0.0)):
        raise InvalidInputError(f"{name} must be a finite number > 0 or NaN; got {number!r}")
    return number


def count_field(value: Any, attribute: attrs.Attribute[Any]) -> int:
    """Attrs converter for a count (customers, iterations, periods): 0 to 2**53.

    Beyond 2**53 a count is no longer exact as a float, which is how the fits count.
    """
    return option_count(attribute.name, value, maximum=2**53)


def text_field(value: Any, attribute: attrs.Attribute[Any]) -> str:
    """Attrs converter for a text field (the optimiser's name): a ``str``."""
    if not isinstance(value, str):
        raise InvalidInputError(
            f"{attribute.name} must be a str; got {type(value).__name__} {value!r:.60}"
        )
    return value


def check_whole(name: str, value: Values) -> None:
    """Whole numbers of purchases from 0 to MAX_PURCHASES (NaN passes)."""
    check_nonnegative(name, value)
    with np.errstate(invalid="ignore"):
        fractional = np.asarray(value != np.floor(value)) & ~np.isnan(value)
        huge = np.asarray(value > MAX_PURCHASES)
    if fractional.any():
        if isinstance(value, float):
            raise InvalidInputError(f"{name} must be a whole number of purchases; got {value!r}")
        raise InvalidInputError(
            f"{name} must be whole numbers of purchases; {_positions(fractional)} are not"
        )
    if huge.any():
        got = f"got {value!r}" if isinstance(value, float) else f"{_positions(huge)} are more"
        raise InvalidInputError(
            f"{name} must be at most 2**53 purchases (beyond it a float cannot tell whole "
            f"numbers apart); {got}"
        )


def check_result(method: str, out: Values, *inputs: Values) -> Values:
    """Refuse a result that is not finite although every input is a number.

    The kernels work in logs and stay finite for any purchase history within
    MAX_PURCHASES and float range; this guards what is left (times near the float
    limit, extreme parameters), so that inf or a NaN never passes for an answer.
    """
    known = np.ones(np.shape(out), dtype=bool)
    for value in inputs:
        known = known & ~np.isnan(value)
    bad = np.asarray(known & ~np.isfinite(out))
    if bad.any():
        where = "" if bad.ndim == 0 else f" for {_positions(bad)}"
        raise InvalidInputError(
            f"{method} cannot be evaluated in floating point{where}: the times or the "
            "model's parameters are too extreme (beyond about 1e300)"
        )
    return out


def _positions(mask: Any) -> str:
    positions = np.flatnonzero(mask)
    shown = ", ".join(str(p) for p in positions[:5])
    more = ", …" if positions.size > 5 else ""
    return f"{positions.size} of {np.size(mask)} (0-based positions: {shown}{more})"


def check_weights(weights: Values | None, length: int) -> FloatArray:
    """Validate row counts for a fit: whole numbers >= 0, not all 0, totalling <= 2**53.

    ``weights`` comes from :func:`~salescore._arrays.coerce` together with the data
    arguments (so that a Series is checked against their index); a scalar applies to
    every row. Returns a float64 array of ``length`` counts.
    """
    if weights is None:
        return np.ones(length)
    check_nonnegative("weights", weights)
    counts = np.broadcast_to(np.asarray(weights, dtype=np.float64), (length,))
    missing = np.isnan(counts)
    if missing.any():
        raise InvalidInputError(
            f"weights must be counts of customers; {int(missing.sum())} of {length} are "
            f"NaN (first at position {int(np.flatnonzero(missing)[0])})"
        )
    fractional = counts != np.floor(counts)
    if fractional.any():
        first = int(np.flatnonzero(fractional)[0])
        raise InvalidInputError(
            f"weights must be whole numbers (counts of identical customers); "
            f"{int(fractional.sum())} of {length} are not (first: [{first}] "
            f"{float(counts[first])!r})"
        )
    if length and not counts.any():
        raise InvalidInputError("weights are all 0: there is no customer to fit")
    with np.errstate(over="ignore"):
        total = float(counts.sum())
    if total > MAX_PURCHASES:
        raise InvalidInputError(
            f"weights must add up to at most 2**53 customers (beyond it a float cannot "
            f"count them one by one); they add up to {total:.6g}"
        )
    return np.array(counts, dtype=np.float64)
