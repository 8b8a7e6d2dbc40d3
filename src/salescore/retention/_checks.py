"""Checks shared by the retention formulas: nested amounts, flags per customer, ratios.

Private helpers of :mod:`salescore.retention.metrics`, :mod:`~salescore.retention.bridge`
and :mod:`~salescore.retention.referrals`: refusing ``value > limit`` element-wise with
the positions named, reading a boolean flag per customer (booleans or 0/1, never
guessed from floats or text) and aligning it with the amounts, and a ratio of sums of
amounts divided by a power of two so that sums near the float limit cannot overflow.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any, Final, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from .._arrays import FloatArray, Values, representable
from ..errors import IndexMismatchError, InvalidInputError

__all__ = [
    "MaskInput",
    "_align_mask",
    "_check_at_most",
    "_mask",
    "_positions",
    "_ratio_of_sums",
    "_scaled",
]

BoolArray: TypeAlias = npt.NDArray[np.bool_]
#: A flag per element: a bool or 0/1, a sequence, array or Series of them.
MaskInput: TypeAlias = "bool | np.bool_ | int | Sequence[int] | npt.NDArray[Any] | pd.Series[Any]"

_SHOWN: Final = 5  # how many offending positions an error message lists


# ------------------------------------------------------------------ shared checks


def _positions(mask: BoolArray, describe: Any, what: str = "values are not") -> str:
    """``2 of 5 values are not (0-based positions: [1] …, [3] …)``, the first few shown."""
    positions = np.flatnonzero(mask)
    shown = ", ".join(f"[{p}] {describe(p)}" for p in positions[:_SHOWN])
    more = ", …" if positions.size > _SHOWN else ""
    return f"{positions.size} of {mask.size} {what} (0-based positions: {shown}{more})"


def _check_at_most(name: str, value: Values, limit_name: str, limit: Values, why: str) -> None:
    """Refuse ``value > limit`` element-wise, naming both and the positions (NaN passes)."""
    if isinstance(value, float) and isinstance(limit, float):
        if value > limit:
            raise InvalidInputError(
                f"{name} must be at most {limit_name} ({why}); got {name} {value!r} > "
                f"{limit_name} {limit!r}"
            )
        return
    part, whole = np.broadcast_arrays(np.asarray(value), np.asarray(limit))
    above = part > whole
    if above.any():
        where = _positions(above, lambda p: f"{float(part[p])!r} > {float(whole[p])!r}")
        raise InvalidInputError(f"{name} must be at most {limit_name} ({why}); {where}")


def _scaled(value: FloatArray, scale: float) -> FloatArray:
    """``value / scale``; amounts far below the scale underflow to 0 without a warning."""
    with np.errstate(under="ignore"):
        scaled: FloatArray = value / scale
    return scaled


def _ratio_of_sums(name: str, part: FloatArray, whole: FloatArray) -> float:
    """``sum(part) / sum(whole)`` for amounts already divided by a power-of-two scale.

    NaN when ``whole`` is empty or all zero before scaling; refused when the true ratio
    is beyond float range (``whole`` underflowed to 0 next to ``part``, or the ratio
    overflows).
    """
    denominator = float(np.sum(whole))
    numerator = float(np.sum(part))
    if denominator == 0.0:
        # 0 / 0 is undefined; otherwise the whole underflowed next to the part.
        return math.nan if numerator == 0.0 else float(representable(name, math.inf))
    return float(representable(name, numerator / denominator))


def _mask(name: str, value: object) -> tuple[bool | BoolArray, pd.Index[Any] | None]:
    """A boolean flag per customer, and the index when ``value`` is a Series.

    Accepts booleans, and integers that are 0 or 1; refuses floats, text and missing
    values, naming the positions.
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value), None
    if isinstance(value, (numbers.Integral, np.integer)):
        if value in (0, 1):
            return bool(value), None
        raise InvalidInputError(f"{name} must be True/False or 0/1; got {value!r}")
    index: pd.Index[Any] | None = None
    if isinstance(value, pd.Series):
        index = value.index
        dtype = value.dtype
        if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_integer_dtype(dtype):
            missing = value.isna().to_numpy()
            if missing.any():
                raise InvalidInputError(
                    f"{name} must be known (True/False or 0/1) everywhere; "
                    f"{_positions(missing, lambda p: '<NA>')}"
                )
            array: npt.NDArray[Any] = value.to_numpy(
                dtype=bool if pd.api.types.is_bool_dtype(dtype) else np.int64
            )
        else:
            raise InvalidInputError(
                f"{name} must hold True/False or 0/1; got a Series of dtype {dtype}"
            )
    elif isinstance(value, np.ma.MaskedArray):
        raise InvalidInputError(
            f"{name} is a masked array; salescore does not read masks: decide what a masked "
            "entry means and pass a plain boolean array"
        )
    elif isinstance(value, (np.ndarray, list, tuple)):
        try:
            array = np.asarray(value)
        except (TypeError, ValueError):  # a ragged sequence such as [[1], [0, 1]]
            raise InvalidInputError(
                f"{name} must be a flat sequence of True/False or 0/1; got {value!r:.60}"
            ) from None
        if array.ndim != 1:
            if array.ndim == 0:
                return _mask(name, array[()])
            raise InvalidInputError(
                f"{name} must be one-dimensional; got an array of shape {array.shape}"
            )
        if array.size == 0:
            return np.zeros(0, dtype=bool), None
        if array.dtype.kind not in "biu":
            raise InvalidInputError(
                f"{name} must hold True/False or 0/1; got an array of dtype {array.dtype}"
            )
    else:
        raise InvalidInputError(
            f"{name} must be True/False or a 1-D array or Series of them; "
            f"got {type(value).__name__} {value!r:.60}"
        )
    if array.dtype.kind != "b":
        bad = (array != 0) & (array != 1)
        if bad.any():
            raise InvalidInputError(
                f"{name} must hold True/False or 0/1; {_positions(bad, lambda p: array[p])}"
            )
        array = array == 1
    return array, index


def _align_mask(
    data_name: str, data: Any, values: Values, mask_name: str, mask: bool | BoolArray, index: Any
) -> tuple[FloatArray, BoolArray]:
    """Broadcast coerced values and a mask to one length, refusing misaligned Series."""
    if index is not None and isinstance(data, pd.Series) and not data.index.equals(index):
        raise IndexMismatchError(
            f"{data_name} and {mask_name} are Series with different indexes; salescore never "
            "combines Series by position: align them first (for example with Series.reindex)"
        )
    v = np.asarray(values, dtype=np.float64)
    m = np.asarray(mask, dtype=bool)
    if v.ndim == 1 and m.ndim == 1 and v.size != m.size:
        raise InvalidInputError(
            f"{data_name} has {v.size} elements but {mask_name} has {m.size}; array "
            "arguments must have equal lengths"
        )
    shape = np.broadcast_shapes(v.shape, m.shape) or (1,)
    return np.broadcast_to(v, shape), np.broadcast_to(m, shape)
