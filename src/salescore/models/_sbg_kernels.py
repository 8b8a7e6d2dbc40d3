"""The sBG model's arithmetic: survival, residual lifetime, likelihood, checks.

Private to :mod:`salescore.models.sbg`, whose public functions and methods check
their arguments' containers and call these kernels on floats or float64 arrays: the
survival function, the discounted expected residual lifetime (by quadrature), the
fit's objective and its no-heterogeneity limit, and the checks of periods and of
survivor counts.
"""

from __future__ import annotations

import math
from typing import Any, Final

import numpy as np

from .._arrays import FloatArray, Numeric, Values, check_nonnegative, check_range, coerce
from ..errors import ConvergenceError, InvalidInputError
from ._scipy import scipy_module

__all__ = [
    "check_periods",
    "geometric",
    "objective",
    "positions",
    "residual_lifetime",
    "survival",
    "survivors",
    "total",
]

_SHOWN: Final = 5

# The residual lifetime is integrated by the trapezoid rule (see _derl_quadrature);
# with this step it matches the summed series to ~1e-10 for 0.02 <= alpha <= 500.
_STEP: Final = 0.05
#: Largest node spacing (in the logit of θ) where the integrand bends at θ ≈ d.
_BEND: Final = 0.4
_TAIL: Final = 60.0  # e-folds of the integrand covered on either side
_CHUNK: Final = 256  # (beta + renewals, discount rate) pairs integrated at once
_DIRECT: Final = 100_000  # survival up to this t is a product of retention rates


def positions(mask: Any) -> str:
    positions = np.flatnonzero(mask)
    shown = ", ".join(str(p) for p in positions[:_SHOWN])
    more = ", …" if positions.size > _SHOWN else ""
    return f"{positions.size} of {np.size(mask)} (0-based positions: {shown}{more})"


def check_periods(name: str, value: Values, *, first: int) -> None:
    """Raise unless every value is a whole number of periods >= ``first`` (NaN passes)."""
    check_range(name, value, low=float(first), allowed=f"a whole number >= {first}")
    with np.errstate(invalid="ignore"):
        fractional = np.asarray(value != np.floor(value)) & ~np.isnan(value)
    if fractional.any():
        if isinstance(value, float):
            raise InvalidInputError(f"{name} must be a whole number of periods; got {value!r}")
        raise InvalidInputError(
            f"{name} must be whole numbers of periods; {positions(fractional)} are not"
        )


def survival(t: Values, alpha: float, beta: float) -> Values:
    """S(t) for whole numbers t >= 0 (NaN passes)."""
    times = np.asarray(t, dtype=np.float64)
    known = ~np.isnan(times)
    last = float(times[known].max()) if known.any() else 0.0
    if last <= _DIRECT:
        # The product of the retention rates: exact where ln B(α, β + t) − ln B(α, β)
        # loses digits to cancellation (α and β in the millions).
        k = np.arange(last)
        with np.errstate(all="ignore"):  # ratios below 1e-308 are 0 for all purposes
            # ln((β + k) / (α + β + k)): as log1p where the ratio is near 1, as a
            # difference of logs where it is below 1/2 (log1p(-1) = -inf when β
            # is negligible beside α, though the ratio is not 0).
            near = alpha < beta + k
            steps = np.where(
                near,
                np.log1p(-alpha / (alpha + beta + k)),
                np.log(beta + k) - np.log(alpha + beta + k),
            )
        table = np.exp(np.concatenate([[0.0], np.cumsum(steps)]))
        out = np.full(times.shape, np.nan)
        out[known] = table[times[known].astype(np.int64)]
    else:
        special = scipy_module("special")
        out = np.exp(special.betaln(alpha, beta + times) - special.betaln(alpha, beta))
    return float(out) if np.ndim(out) == 0 else out


def residual_lifetime(alpha: float, b: FloatArray, d: FloatArray) -> FloatArray:
    """DERL for churn probabilities ~ Beta(alpha, b) and discount rates d, element-wise."""
    out = np.full(b.shape, np.nan)
    known = ~(np.isnan(b) | np.isnan(d))
    zero = known & (d == 0.0)
    if zero.any():  # alpha > 1 here: the caller refused the divergent case
        out[zero] = b[zero] / (alpha - 1.0)
    positive = known & (d > 0.0)
    if positive.any():
        pairs, inverse = np.unique(
            np.stack([b[positive], d[positive]]), axis=1, return_inverse=True
        )
        values = np.empty(pairs.shape[1])
        for start in range(0, pairs.shape[1], _CHUNK):
            stop = start + _CHUNK
            values[start:stop] = _derl_quadrature(alpha, pairs[0, start:stop], pairs[1, start:stop])
        out[positive] = values[inverse.reshape(-1)]
    return out


def _derl_quadrature(alpha: float, b: FloatArray, d: FloatArray) -> FloatArray:
    r"""(1 + d) E[(1 − θ) / (θ + d)] for θ ~ Beta(alpha, b), d > 0, by quadrature.

    The density of s = logit θ, ∝ exp(α s) (1 + exp s)^−(α + b), is smooth, decays
    exponentially both ways and is analytic within |Im s| < π, where the trapezoid
    rule converges exponentially. s = m + A sinh u centres the nodes on the mode
    m = ln(α / b), resolves its width A and reaches the slow left tail (∝ exp(α s))
    in a few hundred nodes. The normalising constant is integrated by the same rule,
    so B(α, b) is never evaluated.
    """
    mode = math.log(alpha) - np.log(b)
    width = 1.0 / np.sqrt(alpha * b / (alpha + b))
    scale = np.minimum(width, 1.0)
    log_d = np.log(d)
    left = np.maximum(mode - log_d, 0.0) + _TAIL / min(alpha, 1.0) + _TAIL * width
    right = np.maximum(-mode, 0.0) + _TAIL / b + _TAIL * width
    reach = np.maximum(np.arcsinh(left / scale), np.arcsinh(right / scale))
    if not np.isfinite(reach).all():  # parameters near the float limit: no nodes
        return np.full(b.shape, np.nan)
    # The integrand bends where θ ≈ d, at s ≈ ln d, over a width of about 1 in s;
    # nodes there are about |ln d − m| · step apart, so the step shrinks with it.
    bend = float(np.max(np.maximum(mode - log_d, 0.0) / scale))
    step = min(_STEP, _BEND / bend) if bend > 0.0 else _STEP
    count = math.ceil(float(reach.max()) / step)
    u = np.arange(-count, count + 1) * step
    s = mode[:, None] + scale[:, None] * np.sinh(u)
    softplus = np.logaddexp(0.0, s)  # -log(1 - θ)
    log_weight = alpha * s - (alpha + b)[:, None] * softplus + np.log(np.cosh(u))
    log_weight -= log_weight.max(axis=1, keepdims=True)
    weight = np.exp(log_weight)
    # (1 − θ) / (θ + d) with log θ = s − softplus(s), in logs to keep both tails; it
    # is multiplied by the weight in logs too, as it reaches 1/d > 1e308 for a
    # subnormal d where the weight is far below 1e-308.
    log_ratio = -softplus - np.logaddexp(s - softplus, log_d[:, None])
    log_terms = log_weight + log_ratio
    top = log_terms.max(axis=1)
    sums = np.exp(log_terms - top[:, None]).sum(axis=1)
    log_total = top + np.log(sums) - np.log(weight.sum(axis=1))
    total: FloatArray = np.exp(log_total + np.log1p(d))
    return total


def objective(
    special: Any,
    lost: FloatArray,
    t: FloatArray,
    remaining: float,
    cohort: float,
    periods: int,
) -> Any:
    """The mean negative log-likelihood over (log alpha, log beta), and its gradient."""

    def objective(log_params: FloatArray) -> tuple[float, FloatArray]:
        alpha, beta = (float(v) for v in np.exp(log_params))
        base = float(special.betaln(alpha, beta))
        churned = special.betaln(alpha + 1.0, beta + t - 1.0) - base
        survived = float(special.betaln(alpha, beta + periods)) - base
        ll = float(lost @ churned) + remaining * survived
        # d/dx ln B(x, y) = psi(x) - psi(x + y)
        psi_ab = float(special.digamma(alpha + beta))
        psi_b = float(special.digamma(beta))
        psi_abt = special.digamma(alpha + beta + t)
        psi_abk = float(special.digamma(alpha + beta + periods))
        psi_a1 = float(special.digamma(alpha + 1.0) - special.digamma(alpha))
        d_alpha = float(lost @ (psi_a1 - psi_abt + psi_ab)) + remaining * (psi_ab - psi_abk)
        d_beta = float(lost @ (special.digamma(beta + t - 1.0) - psi_abt - psi_b + psi_ab))
        d_beta += remaining * (float(special.digamma(beta + periods)) - psi_abk - psi_b + psi_ab)
        gradient = np.array([alpha * d_alpha, beta * d_beta])
        return -ll / cohort, -gradient / cohort

    return objective


def geometric(
    lost: FloatArray, at_risk: FloatArray, t: FloatArray, remaining: float, periods: int
) -> tuple[float, float, float]:
    """One churn rate for everyone: the rate, its mean negative ln L, and the dispersion score.

    The score is twice the derivative of ln L in the variance v of θ at v = 0, Σ f''/f
    (for a beta with mean μ, E f(θ) = f(μ) + v f''(μ) / 2 + O(v²)). Raises
    ConvergenceError where the rate is 0 or 1: no model has anything to estimate.
    """
    cohort = float(at_risk[0])
    churned = cohort - remaining
    if churned == 0.0:
        raise ConvergenceError(
            f"sBG: no customer of the cohort churned in the {periods} periods observed, so "
            "nothing shows how fast customers leave"
        )
    if lost[0] == cohort:
        raise ConvergenceError(
            "sBG: every customer of the cohort churned at the first renewal, so nothing "
            "shows how churn differs between customers"
        )
    exposure = float(at_risk.sum())  # renewals at which a customer could churn
    churn = churned / exposure
    value = -(churned * math.log(churn) + (exposure - churned) * math.log1p(-churn)) / cohort
    keep = 1.0 - churn
    lifetimes = (t - 1.0) / keep * ((t - 2.0) / keep - 2.0 / churn)  # f = θ (1 − θ)^(t − 1)
    score = float(lost @ lifetimes) + remaining * periods * (periods - 1.0) / keep**2
    return churn, value, score


def total(mean: float, cohort: float) -> float:
    """The log-likelihood of the cohort from the mean negative one per customer."""
    total = -mean * cohort
    if math.isinf(total):
        raise InvalidInputError(
            f"survivors: a cohort of {cohort:g} makes the log-likelihood exceed float "
            "range; pass shares or figures per 1,000 (the parameters are the same)"
        )
    return total


def survivors(survivors: Numeric) -> FloatArray:
    """The survivor counts as a float64 array, checked."""
    (values,), _ = coerce(survivors=survivors)
    counts = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if isinstance(values, float) or counts.size < 3:
        raise InvalidInputError(
            "survivors must hold at least three counts, at t = 0, 1, 2, … (with one "
            f"period only alpha / beta is identified); got {values!r:.60}"
        )
    missing = np.isnan(counts)
    if missing.any():
        raise InvalidInputError(
            f"survivors is NaN at {positions(missing)}; a fit cannot carry missing "
            "values through: the counts must be complete from t = 0"
        )
    check_nonnegative("survivors", counts)
    rising = np.concatenate([[False], counts[1:] > counts[:-1]])
    if rising.any():
        first = int(np.flatnonzero(rising)[0])
        raise InvalidInputError(
            "survivors must not rise from one period to the next; they rise at "
            f"{positions(rising)} (first: {float(counts[first - 1])!r} then "
            f"{float(counts[first])!r}); a cohort only loses customers"
        )
    if counts[0] <= 0.0:
        raise InvalidInputError("survivors must start with a count > 0 at t = 0; got 0")
    return np.array(counts)
