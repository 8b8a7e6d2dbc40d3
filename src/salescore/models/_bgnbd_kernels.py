"""The BG/NBD model's arithmetic: validation, likelihood, predictions, fit objective.

Private to :mod:`salescore.models.bgnbd`, whose public functions and methods check
their arguments' containers and call these kernels on floats or float64 arrays.
Every formula is evaluated in logs where it could overflow or underflow.
"""

from __future__ import annotations

import math
from typing import Any, Final

import numpy as np

from .._arrays import FloatArray, Values, check_nonnegative
from ..errors import InvalidInputError
from ._fitting import check_result, check_whole
from ._scipy import scipy_module

__all__ = [
    "alive",
    "check_customers",
    "check_result",
    "check_whole",
    "dot",
    "expected",
    "log_likelihood",
    "objective",
    "positions",
    "purchase_probability",
]

#: exp(-_LARGEST) is a normal float: beyond it a probability is 0 for all purposes.
_LARGEST: Final = 700.0
#: Within this distance of a = 1 (or of a + b = 1 without repeat purchases) the
#: closed form of the expectations is a removable 0/0 and is replaced (see expected).
_NEAR_ONE: Final = 1e-4
#: Step in a of the Richardson extrapolation there. Measured against the integral
#: E[(1 - ((alpha + T) / (alpha + T + p t))^(r + x)) / p] over p ~ Beta(a, b + x)
#: (scipy.integrate.quad, rtol 1e-13) on a grid of r in [0.02, 10], alpha in
#: [0.1, 200], b in [0.05, 40], x in {0, 2, 500}, T in [0, 100], t in [0.01, 1e6]
#: within 1e-4 of both singular sets, the largest relative error was 1.4e-9 (and
#: 5.6e-10 over 600 random points of that region). The test
#: test_expectation_near_the_singular_sets_matches_the_integral repeats a part of it.
_STEP: Final = 5e-4
#: The series of _expected_series is used where z times its growth bound is below
#: this: each term is at most half the previous one.
_SERIES_REACH: Final = 0.5
_TERMS: Final = 60
#: Shift of a hypergeometric parameter around SciPy's failures at integer c - a - b.
_SHIFT: Final = 1e-4
#: Ratio of the steps in b and in a for that average: not a simple fraction, so that
#: neither point lands on the other singular set.
_TILT: Final = 0.6180339887498949

# ------------------------------------------------------------------ validation


def positions(mask: Any) -> str:
    positions = np.flatnonzero(mask)
    shown = ", ".join(str(p) for p in positions[:5])
    more = ", …" if positions.size > 5 else ""
    return f"{positions.size} of {np.size(mask)} (0-based positions: {shown}{more})"


def check_customers(x: Values, t_x: Values, age: Values) -> None:
    check_whole("frequency", x)
    check_nonnegative("recency", t_x)
    check_nonnegative("T", age)
    # recency is the time of the last *repeat* purchase: without one it is 0. Anything
    # else is a summary built another way (time since the last purchase, say).
    stray = np.asarray((x == 0.0) & (t_x > 0.0))  # NaN compares False and passes
    if stray.any():
        if isinstance(x, float) and isinstance(t_x, float):
            raise InvalidInputError(
                "recency must be 0 for a customer without repeat purchases (it is the "
                f"time of the last repeat purchase); got frequency 0 and recency {t_x!r}"
            )
        shape = np.broadcast_shapes(np.shape(x), np.shape(t_x))
        raise InvalidInputError(
            "recency must be 0 for a customer without repeat purchases (it is the time "
            "of the last repeat purchase); frequency is 0 and recency > 0 for "
            f"{positions(np.broadcast_to(stray, shape))}"
        )
    late = np.asarray(t_x > age)  # NaN compares False and passes
    if late.any():
        if isinstance(t_x, float) and isinstance(age, float):
            raise InvalidInputError(
                f"recency must be <= T (the last purchase is within the customer's age); "
                f"got recency {t_x!r} and T {age!r}"
            )
        shape = np.broadcast_shapes(np.shape(t_x), np.shape(age))
        raise InvalidInputError(
            f"recency must be <= T (the last purchase is within the customer's age); "
            f"{positions(np.broadcast_to(late, shape))} are not"
        )


# ------------------------------------------------------------------ kernels


def _np_log(value: float) -> float:
    # NumPy's log, not math.log: the scalar paths must round exactly as the array
    # paths do, so that a scalar call and an array call give the same bits.
    return float(np.log(value))


def _np_exp(value: float) -> float:
    return float(np.exp(value))


def _np_log1p(value: float) -> float:
    return float(np.log1p(value))


def _floats(*values: Values) -> bool:
    """Whether every value is a Python float: the scalar fast paths apply."""
    return all(type(value) is float for value in values)


def log_likelihood(
    x: Values, t_x: Values, age: Values, r: float, alpha: float, a: float, b: float
) -> Values:
    special = scipy_module("special")
    if _floats(x, t_x, age):
        return _log_likelihood_scalar(special, x, t_x, age, r, alpha, a, b)  # type: ignore[arg-type]
    base = (
        special.gammaln(r + x)
        - special.gammaln(r)
        + r * math.log(alpha)
        + special.betaln(a, b + x)
        - special.betaln(a, b)
    )
    repeat = np.asarray(x > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        first = -(r + x) * np.log(alpha + age)
        second = np.where(
            repeat,
            math.log(a)
            - np.log(np.where(repeat, b + x - 1.0, 1.0))
            - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
        top = np.maximum(first, second)
        # log-sum-exp of the two terms. The smaller one's share is 0 where it would
        # underflow (far below the larger one's last digit) and where it is absent
        # (no repeat purchase): the scalar path adds nothing there either.
        gap = np.minimum(first, second) - top
        share = np.exp(np.maximum(gap, -_LARGEST)) * (gap > -_LARGEST)
        out = base + top + np.log1p(share)
    # Without repeat purchases recency plays no part, but NaN in still gives NaN out.
    out = np.where(np.isnan(t_x), np.nan, out)
    return float(out) if np.ndim(out) == 0 else np.asarray(out, dtype=np.float64)


def _log_likelihood_scalar(
    special: Any, x: float, t_x: float, age: float, r: float, alpha: float, a: float, b: float
) -> float:
    """:func:`log_likelihood` for one customer, without array overhead."""
    if math.isnan(x) or math.isnan(t_x) or math.isnan(age):
        return math.nan
    base = float(
        special.gammaln(r + x)
        - special.gammaln(r)
        + r * math.log(alpha)
        + special.betaln(a, b + x)
        - special.betaln(a, b)
    )
    first = -(r + x) * _np_log(alpha + age)
    if x <= 0.0:
        return base + first
    second = math.log(a) - _np_log(b + x - 1.0) - (r + x) * _np_log(alpha + t_x)
    top = max(first, second)
    gap = min(first, second) - top
    return base + top + (_np_log1p(_np_exp(gap)) if gap > -_LARGEST else 0.0)


def alive(
    x: Values, t_x: Values, age: Values, r: float, alpha: float, a: float, b: float
) -> Values:
    if _floats(x, t_x, age):
        return _alive_scalar(x, t_x, age, r, alpha, a, b)  # type: ignore[arg-type]
    repeat = np.asarray(x > 0)
    safe_x = np.where(repeat, x, 1.0)
    with np.errstate(invalid="ignore"):
        # Log of the odds of having dropped out; NaN inputs give NaN.
        d = (
            math.log(a)
            - np.log(b + safe_x - 1.0)
            + (r + safe_x) * (np.log(alpha + age) - np.log(alpha + t_x))
        )
        softplus = np.maximum(d, 0.0) + np.log1p(np.exp(-np.minimum(np.abs(d), _LARGEST)))
        alive = np.where(softplus > _LARGEST, 0.0, np.exp(-np.minimum(softplus, _LARGEST)))
    out = np.where(repeat | np.isnan(d), np.where(repeat, alive, np.nan), 1.0)
    out = np.where(np.isnan(x), np.nan, out)
    return float(out) if np.ndim(out) == 0 else np.asarray(out, dtype=np.float64)


def _alive_scalar(
    x: float, t_x: float, age: float, r: float, alpha: float, a: float, b: float
) -> float:
    """:func:`alive` for one customer, without array overhead."""
    if math.isnan(x) or math.isnan(t_x) or math.isnan(age):
        return math.nan
    if x <= 0.0:
        return 1.0
    d = math.log(a) - _np_log(b + x - 1.0) + (r + x) * (_np_log(alpha + age) - _np_log(alpha + t_x))
    softplus = max(d, 0.0) + _np_log1p(_np_exp(-min(abs(d), _LARGEST)))
    return 0.0 if softplus > _LARGEST else _np_exp(-softplus)


def expected(
    t: Values, x: Values, age: Values, r: float, alpha: float, a: float, b: float
) -> Values:
    """The first two factors of E[Y(t) | x, T]: the expectation for a customer alive at T.

    The closed form is a removable 0/0 where a = 1, and where c = a + b + x - 1 = 0
    (only for x = 0). Near those sets (within _NEAR_ONE) it is replaced: for short
    horizons by a series without the 0/0 (:func:`_expected_series`), otherwise by
    Richardson's extrapolation of symmetric means of the closed form at a +- h and
    a +- 2h (b moved along), whose error is of order h**4.
    """
    near = abs(a - 1.0) < _NEAR_ONE
    if not near and abs(a + b - 1.0) >= _NEAR_ONE:
        return _expected_direct(t, x, age, r, alpha, a, b)
    mask = np.asarray(near | (np.asarray(x) == 0.0))
    with np.errstate(all="ignore"):  # the masked elements are replaced below
        direct = _expected_direct(t, x, age, r, alpha, a, b)
        if not mask.any():
            return direct
        z = np.asarray(t / (alpha + age + t))
        # The series' terms shrink at least by this factor each: it converges fast.
        short = z * max(1.0, 2.0 - a - b + r) <= _SERIES_REACH
        series = _expected_series(t, x, age, r, alpha, a, b) if short.any() else direct
        # Steps that keep a - 2 step_a and b - 2 step_b positive.
        step_a = min(_STEP, 0.25 * a)
        step_b = min(_STEP * _TILT, 0.25 * b)

        def mean(k: float) -> Values:
            high = _expected_direct(t, x, age, r, alpha, a + k * step_a, b + k * step_b)
            low = _expected_direct(t, x, age, r, alpha, a - k * step_a, b - k * step_b)
            return 0.5 * (high + low)

        extrapolated = direct
        if not short.all():
            extrapolated = (4.0 * mean(1.0) - mean(2.0)) / 3.0
        out = np.where(mask, np.where(short, series, np.maximum(extrapolated, 0.0)), direct)
    return float(out) if np.ndim(out) == 0 else np.asarray(out, dtype=np.float64)


def _expected_series(
    t: Values, x: Values, age: Values, r: float, alpha: float, a: float, b: float
) -> Values:
    r""":func:`_expected_direct` rewritten without its 0/0, for z up to _SERIES_REACH.

    With u = a - 1, L = ln((alpha + T) / (alpha + T + t)), c = a + b + x - 1 and
    A = a + b - 1 - r, the Euler-transformed closed form is
    c [-expm1(u L) / u - e^{u L} S] with c S = sum_{n >= 1} (A)_n (a)_{n-1} z^n /
    ((c + 1)_{n-1} n!): neither 1/u nor 1/c is left. The caller keeps z small
    enough that each term is at most half the previous one; _TERMS terms then leave
    an error below 2**-_TERMS of the first.
    """
    u = a - 1.0
    with np.errstate(all="ignore"):
        base = alpha + age
        z = t / (base + t)
        log_ratio = -np.log1p(t / base)
        lead = -log_ratio if u == 0.0 else -np.expm1(u * log_ratio) / u
        big_a = a + b - 1.0 - r
        c = a + b + x - 1.0
        term = big_a * z
        total = term
        for n in range(1, _TERMS):
            term = term * ((big_a + n) * (a + n - 1.0) / ((c + n) * (n + 1.0))) * z
            total = total + term
        out = np.maximum(c * lead - np.exp(u * log_ratio) * total, 0.0)
        out = np.where(t == 0.0, 0.0 * out, out)  # exactly 0, NaN kept
    return float(out) if np.ndim(out) == 0 else np.asarray(out, dtype=np.float64)


def _expected_direct(
    t: Values, x: Values, age: Values, r: float, alpha: float, a: float, b: float
) -> Values:
    special = scipy_module("special")
    if _floats(t, x, age):
        return _expected_scalar(special, t, x, age, r, alpha, a, b)  # type: ignore[arg-type]
    with np.errstate(under="ignore"):
        horizon = alpha + age + t
        z = t / horizon
        shrink = np.exp((a - 1.0) * (np.log(alpha + age) - np.log(horizon)))
        bracket = 1.0 - shrink * _hyp2f1(special, a + b - 1.0 - r, a - 1.0, a + b + x - 1.0, z)
        # Both factors share their sign; rounding must not make the product negative.
        out = np.maximum(np.divide(a + b + x - 1.0, a - 1.0) * bracket, 0.0)
    out = np.where(t == 0.0, 0.0 * out, out)  # exactly 0, NaN kept
    return float(out) if np.ndim(out) == 0 else np.asarray(out, dtype=np.float64)


def _expected_scalar(
    special: Any, t: float, x: float, age: float, r: float, alpha: float, a: float, b: float
) -> float:
    """:func:`_expected_direct` for one customer, without array overhead."""
    if math.isnan(t) or math.isnan(x) or math.isnan(age) or a == 1.0:
        return math.nan  # at a = 1 the caller averages two nearby points instead
    horizon = alpha + age + t
    shrink = _np_exp((a - 1.0) * (_np_log(alpha + age) - _np_log(horizon)))
    hypergeometric = float(_hyp2f1(special, a + b - 1.0 - r, a - 1.0, a + b + x - 1.0, t / horizon))
    value = max((a + b + x - 1.0) / (a - 1.0) * (1.0 - shrink * hypergeometric), 0.0)
    return 0.0 if t == 0.0 and not math.isnan(value) else value


def _hyp2f1(special: Any, a: float, b: float, c: Values, z: Values) -> Values:
    """Gauss's hypergeometric function, around SciPy's failures.

    SciPy returns NaN near z = 1 when c - a - b is an integer, a case its formula
    for z -> 1 does not cover (it happens with r - a an integer); the function is
    smooth in ``a``, so the mean of a +- _SHIFT is taken there (error ~ _SHIFT**2).
    """
    value: Values = special.hyp2f1(a, b, c, z)
    failed = np.isnan(value) & ~(np.isnan(c) | np.isnan(z))
    if not np.any(failed):
        return value
    shifted = 0.5 * (special.hyp2f1(a + _SHIFT, b, c, z) + special.hyp2f1(a - _SHIFT, b, c, z))
    mended: Values = np.where(failed, shifted, value)
    return mended


def purchase_probability(
    n: Values, t: Values, r: float, alpha: float, a: float, b: float
) -> Values:
    special = scipy_module("special")
    repeat = np.asarray(n > 0)
    safe_n = np.where(repeat, n, 1.0)
    with np.errstate(under="ignore"):
        z = t / (alpha + t)
        log_first = (
            special.betaln(a, b + n)
            - special.betaln(a, b)
            + special.gammaln(r + n)
            - special.gammaln(r)
            - special.gammaln(n + 1.0)
            + r * (math.log(alpha) - np.log(alpha + t))
            + special.xlogy(n, z)
        )
        first = np.exp(np.maximum(log_first, -_LARGEST)) * (log_first > -_LARGEST)
        second = np.where(
            repeat,
            np.exp(special.betaln(a + 1.0, b + safe_n - 1.0) - special.betaln(a, b))
            * special.betainc(safe_n, r, z),
            0.0,
        )
        out = np.minimum(first + second, 1.0)
    out = np.where(np.isnan(n) | np.isnan(t), np.nan, out)
    return float(out) if np.ndim(out) == 0 else np.asarray(out, dtype=np.float64)


def objective(
    special: Any, x: FloatArray, t_x: FloatArray, age: FloatArray, counts: FloatArray
) -> Any:
    """The mean negative log-likelihood over log-parameters, and its gradient.

    Terms that depend on a customer only through ``x`` are computed once per distinct
    ``x`` (there are few) and weighted by how many customers share it.
    """
    total = float(counts.sum())
    values, inverse = np.unique(x, return_inverse=True)
    inverse = inverse.reshape(-1)  # NumPy 2.0 and 2.1 keep the input's shape
    by_x = np.asarray(np.bincount(inverse, weights=counts, minlength=values.size), dtype=np.float64)
    repeat = x > 0
    w_repeat = np.where(repeat, counts, 0.0)
    safe_values = np.where(values > 0, values, 1.0)
    log_age = np.log  # a local name: the objective runs many times

    def evaluate(log_params: FloatArray) -> tuple[float, FloatArray]:
        r, alpha, a, b = (float(v) for v in np.exp(log_params))
        rx = r + x
        la_t = log_age(alpha + age)
        la_x = log_age(alpha + t_x)
        first = -rx * la_t
        second = (math.log(a) - log_age(b + safe_values - 1.0))[inverse] - rx * la_x
        second = np.where(repeat, second, -np.inf)
        top = np.maximum(first, second)
        w1 = np.exp(first - top)
        w2 = np.exp(second - top)
        norm = w1 + w2
        w1 /= norm
        w2 /= norm
        ab_x = special.digamma(a + b + values)
        ab = float(special.digamma(a + b))
        ll = (
            dot(by_x, special.gammaln(r + values) + special.betaln(a, b + values))
            + total * (r * math.log(alpha) - float(special.gammaln(r) + special.betaln(a, b)))
            + dot(counts, top + np.log(norm))
        )
        d_r = (
            dot(by_x, special.digamma(r + values))
            + total * (math.log(alpha) - float(special.digamma(r)))
            - dot(counts, w1 * la_t + w2 * la_x)
        )
        d_alpha = total * r / alpha - dot(counts, rx * (w1 / (alpha + age) + w2 / (alpha + t_x)))
        repeats = dot(w_repeat, w2)
        d_a = total * ab - dot(by_x, ab_x) + repeats / a
        d_b = (
            dot(by_x, special.digamma(b + values) - ab_x)
            - total * (float(special.digamma(b)) - ab)
            - dot(w_repeat, w2 / (b + safe_values - 1.0)[inverse])
        )
        gradient = np.array([r * d_r, alpha * d_alpha, a * d_a, b * d_b])
        return -float(ll) / total, -gradient / total

    return evaluate


def dot(u: FloatArray, v: Any) -> float:
    # Not the @ operator: BLAS may start threads for long vectors, which costs more
    # than it saves here and competes with the caller's own threads.
    return float(np.einsum("i,i->", u, v))
