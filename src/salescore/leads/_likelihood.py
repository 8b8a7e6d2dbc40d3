r"""The logistic likelihood behind :func:`~salescore.leads.fit.fit_decay`.

The fit is a logistic regression of each lead's outcome on its (log) response time,
:math:`\operatorname{logit} p = \alpha + \beta x`. This module holds the numerical
engine on plain arrays: whether a finite maximum exists (no separation), the
log-likelihood and observed information, Newton–Raphson with step halving on
standardised :math:`x`, and the covariance of the estimate. It reads no options and
expects checked arrays: :func:`~salescore.leads.fit.fit_decay` validates the inputs.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import numpy.typing as npt

from .._arrays import FloatArray
from ..errors import ConvergenceError

__all__ = [
    "Covariance",
    "_check_identifiable",
    "_covariance",
    "_log_likelihood",
    "_logistic",
    "_newton",
    "_null_log_likelihood",
]

_HALVINGS: Final = 60  # step halvings before a Newton step is given up as no progress

Covariance = tuple[tuple[float, float], tuple[float, float]]


# --------------------------------------------------------------- identifiability


def _check_identifiable(x: FloatArray, success: FloatArray, minutes: FloatArray) -> bool:
    """Raise ConvergenceError where no finite fit exists; True if the best slope is +inf."""
    n = success.size
    successes = int(success.sum())
    if successes in (0, n):
        word = "success" if successes else "failure"
        raise ConvergenceError(
            f"every one of the {n} outcomes is a {word}; a decay curve needs both "
            "contacted and missed leads"
        )
    if x.max() == x.min():
        raise ConvergenceError(
            "every lead has the same response time (after the floor), so nothing shows "
            "how the odds change with time"
        )
    hit = success == 1.0
    latest_success = x[hit].max()
    earliest_failure = x[~hit].min()
    if latest_success <= earliest_failure:
        late = minutes[hit].max()
        early = minutes[~hit].min()
        raise ConvergenceError(
            "the outcomes are perfectly separated by response time: every success came "
            f"at or before {late:g} minutes and every failure at or after {early:g}, so "
            "the likelihood keeps rising as the curve steepens into a step (no finite "
            "fit); add leads, or describe a step with PiecewiseDecay"
        )
    return bool(x[hit].min() >= x[~hit].max())


# ------------------------------------------------------------------------ Newton


def _log_likelihood(x: FloatArray, y: FloatArray, alpha: float, beta: float) -> float:
    eta = alpha + beta * x
    return float(np.sum(y * eta - np.logaddexp(0.0, eta)))


def _null_log_likelihood(y: FloatArray) -> float:
    successes = float(y.sum())
    failures = y.size - successes
    return successes * math.log(successes / y.size) + failures * math.log(failures / y.size)


def _information(
    x: FloatArray, y: FloatArray, alpha: float, beta: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Score and observed information of (alpha, beta)."""
    eta = alpha + beta * x
    p, q = _logistic(eta)
    w = p * q
    residual = y - p
    score = np.array([residual.sum(), (residual * x).sum()])
    information = np.array(
        [[w.sum(), (w * x).sum()], [(w * x).sum(), (w * x * x).sum()]], dtype=np.float64
    )
    return score, information


def _logistic(eta: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The logistic function and its complement, each accurate in its own tail."""
    small = np.exp(-np.abs(eta))  # in (0, 1]: no overflow
    large = 1.0 / (1.0 + small)
    rest = small * large
    positive = eta >= 0.0
    return np.where(positive, large, rest), np.where(positive, rest, large)


def _covariance(x: FloatArray, y: FloatArray, alpha: float, beta: float) -> Covariance:
    """Inverse observed information of (alpha, beta), computed on standardised x."""
    centre, scale = _standardisation(x)
    # alpha = alpha_z - beta_z c / s and beta = beta_z / s: a linear map J of (alpha_z, beta_z).
    _, information = _information((x - centre) / scale, y, alpha + beta * centre, beta * scale)
    (a, b), (_, d) = information
    det = a * d - b * b
    if not (det > 0.0 and math.isfinite(det)):
        raise ConvergenceError(
            "the information matrix at the estimate is singular; the standard errors "
            "do not exist (too few leads away from certain outcomes)"
        )
    inverse = np.array([[d, -b], [-b, a]]) / det
    jacobian = np.array([[1.0, -centre / scale], [0.0, 1.0 / scale]])
    (v00, v01), (v10, v11) = jacobian @ inverse @ jacobian.T
    return ((float(v00), float(v01)), (float(v10), float(v11)))


def _standardisation(x: FloatArray) -> tuple[float, float]:
    return float(x.mean()), float(x.std())


def _newton(
    x: FloatArray, y: FloatArray, max_iterations: int, tolerance: float
) -> tuple[float, float, int]:
    """Unconstrained maximum likelihood of logit p = alpha + beta x, and the iterations."""
    # Standardising x keeps the Hessian well conditioned whatever the time unit.
    centre, scale = _standardisation(x)
    z = (x - centre) / scale
    rate = float(y.mean())
    coefficients = np.array([math.log(rate / (1.0 - rate)), 0.0])
    current = _log_likelihood(z, y, *coefficients)
    for iteration in range(1, max_iterations + 1):
        score, information = _information(z, y, *coefficients)
        try:
            step = np.linalg.solve(information, score)
        except np.linalg.LinAlgError:
            raise ConvergenceError(
                f"the information matrix became singular at iteration {iteration}"
            ) from None
        if not np.all(np.isfinite(step)):
            raise ConvergenceError(f"the Newton step is not finite at iteration {iteration}")
        for _ in range(_HALVINGS):
            trial = coefficients + step
            value = _log_likelihood(z, y, *trial)
            if value >= current - 1e-12 * abs(current):
                break
            step = step / 2.0
        coefficients, current = trial, value
        if float(np.max(np.abs(step))) <= tolerance * (1.0 + float(np.max(np.abs(trial)))):
            alpha_z, beta_z = (float(c) for c in coefficients)
            beta = beta_z / scale
            alpha = alpha_z - beta * centre
            return alpha, beta, iteration
    raise ConvergenceError(
        f"Newton–Raphson did not converge within {max_iterations} iterations; raise "
        "max_iterations or check the data for near-separation"
    )
