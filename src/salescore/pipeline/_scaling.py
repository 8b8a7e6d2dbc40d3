"""Scale-safe products and quotients shared by the pipeline's formula functions.

Coverage, required coverage, leads needed, expected revenue and velocity multiply and
divide amounts that may be near the ends of the float range. :func:`_scaled` computes
such a product without a spurious overflow or underflow in between, and
:func:`_in_range` refuses a result that is itself beyond the largest float, naming
the inputs that gave it.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from .._arrays import FloatArray, Values
from ..errors import InvalidInputError

__all__ = ["_Result", "_in_range", "_scaled"]

_Result: TypeAlias = "float | FloatArray | pd.Series[float]"


def _scaled(factors: tuple[Values, ...], divisors: tuple[Values, ...] = ()) -> Values:
    """The product of ``factors`` divided by the product of ``divisors``, scale-safely.

    Each number is split into a mantissa in [0.5, 1) and a power of two
    (:func:`numpy.frexp`): the mantissas are multiplied and divided (no overflow or
    underflow can happen there) and the powers added, so a result within float range
    is found even when a partial product is not (``1e308 × 10 ÷ 100``), and is the
    same, bit for bit, as the plain expression whenever that does not overflow or
    underflow. A zero divisor gives NaN (the zero-denominator policy); only a result
    that is itself beyond float range (a cycle of 1e-300 days) is ``inf``, for
    :func:`_in_range` to refuse. NaN propagates.
    """
    with np.errstate(all="ignore"):
        mantissa: Any = 1.0
        exponent: Any = 0
        for factor in factors:
            part, power = np.frexp(factor)
            mantissa = mantissa * part
            exponent = exponent + power
        zero: Any = False
        for divisor in divisors:
            part, power = np.frexp(divisor)
            zero = zero | (part == 0.0)
            mantissa = mantissa / np.where(part == 0.0, 1.0, part)
            exponent = exponent - power
        out = np.where(zero, np.nan, np.ldexp(mantissa, exponent))
    if np.ndim(out) == 0:
        return float(out)
    return np.asarray(out, dtype=np.float64)


def _in_range(what: str, result: Values, inputs: dict[str, Values]) -> Values:
    """``result``, or an :class:`InvalidInputError` where it is beyond float range.

    The inputs were checked to be finite, so an infinite result is a true value too
    large for a float (a divisor near 5e-324, amounts near 1e308 multiplied): refused,
    naming the first positions and their inputs, rather than returned as ``inf``.
    """
    infinite = np.isinf(result)
    if not np.any(infinite):
        return result
    hint = "express the amounts in a larger unit (thousands, millions), or check the inputs"
    if isinstance(result, float):
        given = ", ".join(f"{name} {float(value)!r}" for name, value in inputs.items())
        raise InvalidInputError(
            f"{what} exceeds the largest float (about 1.8e308) for {given}; {hint}"
        )
    positions = np.flatnonzero(infinite)
    shown = "; ".join(
        f"[{p}] "
        + ", ".join(
            f"{name} {float(np.broadcast_to(value, result.shape)[p])!r}"
            for name, value in inputs.items()
        )
        for p in positions[:5]
    )
    more = "; …" if positions.size > 5 else ""
    raise InvalidInputError(
        f"{what} exceeds the largest float (about 1.8e308) at {positions.size} of "
        f"{result.size} positions (0-based: {shown}{more}); {hint}"
    )
