"""Coercion of inputs and re-wrapping of outputs: the container contract in one place.

Every formula function calls :func:`coerce` on its data arguments, computes on the
plain floats or float64 arrays it gets back, and hands the result to the returned
wrapper, which restores the caller's container (see :doc:`/conventions`):

* all arguments Python or NumPy scalars -> the kernel sees ``float`` and the wrapper
  returns ``float``;
* otherwise the kernel sees float64 ndarrays (scalars stay ``float`` and broadcast)
  and the wrapper returns a float64 ndarray, or a Series on the common index when any
  argument was a Series.

Inputs are never modified: arrays that already are float64 are used as read-only
views, and kernels always allocate their results.

The validation helpers below work on both kinds of value, so a kernel is written once.

The timestamp helpers (:mod:`salescore._timestamps`) and the option checks
(:mod:`salescore._options`) live beside this module and are re-exported from it.
"""

from __future__ import annotations

import datetime
import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any, Final, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from ._options import option_choice, option_count, option_flag, option_number
from ._timestamps import align_zones, coerce_timestamps, iso_to_utc, utc_naive
from .errors import IndexMismatchError, InvalidInputError

__all__ = [
    "ArrayInput",
    "FloatArray",
    "Numeric",
    "Scalar",
    "SeriesInput",
    "Values",
    "Wrap",
    "align_zones",
    "check_nonnegative",
    "check_probability",
    "check_range",
    "coerce",
    "coerce_timestamps",
    "iso_to_utc",
    "option_choice",
    "option_count",
    "option_flag",
    "option_number",
    "power_of_two_scale",
    "representable",
    "safe_divide",
    "utc_naive",
]

#: A single number: Python ``int``/``float`` or a NumPy scalar (``bool`` is refused).
Scalar: TypeAlias = float | int | np.floating[Any] | np.integer[Any]
#: A one-dimensional array of numbers, or a list or tuple of them.
ArrayInput: TypeAlias = (
    npt.NDArray[np.floating[Any]] | npt.NDArray[np.integer[Any]] | Sequence[float]
)
#: A pandas Series of numbers (float, integer, or a nullable numeric extension dtype).
SeriesInput: TypeAlias = "pd.Series[Any]"
#: Anything a formula function accepts as a data argument.
Numeric: TypeAlias = "Scalar | ArrayInput | pd.Series[Any]"
#: What a kernel computes with: a Python float or a float64 ndarray.
FloatArray: TypeAlias = npt.NDArray[np.float64]
Values: TypeAlias = float | FloatArray
#: Turns a kernel's result back into the caller's container.
Wrap: TypeAlias = Callable[[Values], "float | FloatArray | pd.Series[float]"]

_SHOWN: Final = 5  # how many offending positions an error message lists


class _ArrayWrap:
    """Return a float64 ndarray of the common length."""

    __slots__ = ("length",)

    def __init__(self, length: int) -> None:
        self.length = length

    def __call__(self, result: Values) -> FloatArray:
        out = np.asarray(result, dtype=np.float64)
        if out.shape != (self.length,):
            # A result that did not depend on the array arguments (say, a constant
            # branch) still has one value per element.
            out = np.broadcast_to(out, (self.length,)).copy()
        return out


class _SeriesWrap(_ArrayWrap):
    """Return a float64 Series on the index the Series arguments share."""

    __slots__ = ("index",)

    def __init__(self, length: int, index: pd.Index[Any]) -> None:
        super().__init__(length)
        self.index = index

    def __call__(self, result: Values) -> pd.Series[float]:  # type: ignore[override]
        return pd.Series(super().__call__(result), index=self.index, dtype=np.float64)


def coerce(**arguments: Any) -> tuple[list[Values], Wrap]:
    """Convert named data arguments to floats or float64 arrays, and a re-wrapper.

    Parameters
    ----------
    **arguments
        The data arguments by name, in signature order; the names go into error
        messages.

    Returns
    -------
    values : list of float or ndarray
        The arguments in the same order.
    wrap : callable
        Applied to the kernel's result, gives the caller's container back.

    Raises
    ------
    InvalidInputError
        An argument is not numeric, has more than one dimension, or the array
        arguments differ in length.
    IndexMismatchError
        Two Series arguments have different indexes.
    """
    # Fast path: a CRM adapter may call a formula once per record with plain numbers.
    values = list(arguments.values())
    for value in values:
        kind = type(value)
        if kind is not float and kind is not int:
            break
    else:
        try:
            return [float(value) for value in values], float
        except OverflowError:
            pass  # an int beyond float range: the general path names it
    return _coerce_general(arguments)


def _coerce_general(arguments: dict[str, Any]) -> tuple[list[Values], Wrap]:
    out: list[Values] = []
    index: pd.Index[Any] | None = None
    index_owner = ""
    length: int | None = None
    length_owner = ""
    for name, value in arguments.items():
        converted: Values
        if isinstance(value, pd.Series):
            converted = _series_values(name, value)
            if index is None:
                index, index_owner = value.index, name
            elif value.index is not index and not value.index.equals(index):
                raise IndexMismatchError(
                    f"{index_owner} and {name} are Series with different indexes; "
                    "salescore never combines Series by position: align them first "
                    "(for example with Series.reindex) so that each label means the "
                    "same record in both"
                )
        elif isinstance(value, np.ma.MaskedArray):
            raise InvalidInputError(
                f"{name} is a masked array; salescore does not read masks: pass "
                f"{name}.filled(np.nan) so that masked entries become NaN"
            )
        elif isinstance(value, np.ndarray):
            converted = _array_values(name, np.asarray(value))
        elif isinstance(value, (list, tuple)):
            converted = _array_values(name, _sequence_array(name, value))
        else:
            converted = _scalar_value(name, value)
        if isinstance(converted, np.ndarray):
            if length is None:
                length, length_owner = converted.shape[0], name
            elif converted.shape[0] != length:
                raise InvalidInputError(
                    f"{length_owner} has {length} elements but {name} has "
                    f"{converted.shape[0]}; array arguments must have equal lengths"
                )
        out.append(converted)
    if length is None:
        # NumPy scalars or 0-d arrays only: the scalar contract applies.
        return out, float
    if index is not None:
        return out, _SeriesWrap(length, index)
    return out, _ArrayWrap(length)


def _scalar_value(name: str, value: Any) -> float:
    if isinstance(value, (bool, np.bool_)):
        raise InvalidInputError(f"{name} must be a number; got the boolean {value!r}")
    if isinstance(value, (np.timedelta64, np.datetime64, datetime.timedelta, datetime.date)):
        # np.timedelta64 is an np.integer: without this, its count in its own unit
        # would pass for a number.
        raise InvalidInputError(
            f"{name} must be a plain number; got {type(value).__name__} {value!r} "
            "(convert durations to the unit the argument's name states)"
        )
    if value is pd.NA:
        return math.nan  # pandas' missing value, as it becomes NaN inside a Series
    if isinstance(value, (numbers.Real, np.floating, np.integer)):
        try:
            number = float(value)
            if math.isinf(number) and isinstance(value, np.floating) and np.isfinite(value):
                raise OverflowError
            return number
        except OverflowError:
            raise InvalidInputError(
                f"{name} must be a number within float range; got {value!r:.60}"
            ) from None
    if isinstance(value, (complex, np.complexfloating)):
        raise InvalidInputError(f"{name} must be a real number; got the complex {value!r}")
    if isinstance(value, (pd.DataFrame, pd.Index)):
        raise InvalidInputError(
            f"{name} must be a number, a 1-D array or a Series; got a {type(value).__name__} "
            "(pass one column, for example frame['column'])"
        )
    library = type(value).__module__.partition(".")[0]
    if library in _ENGINES:
        # Their reprs span many lines; and an engine's column has no index to align on.
        frame = "Frame" in type(value).__name__ or library == "duckdb"
        advice = (
            "pass one column's values, as a NumPy array or a pandas Series; the table "
            "functions (such as book_distribution) read engine frames whole"
            if frame
            else "pass its values as a NumPy array (.to_numpy()) or a pandas Series"
        )
        raise InvalidInputError(
            f"{name} must be a number, a 1-D array or a pandas Series; got a {library} "
            f"{type(value).__name__}: {advice}"
        )
    raise InvalidInputError(
        f"{name} must be a number, a 1-D array or a pandas Series; "
        f"got {type(value).__name__} {value!r:.60}"
    )


# Libraries whose frames and columns the formula functions do not read.
_ENGINES: Final = frozenset({"polars", "duckdb", "dask", "pyspark", "pyarrow", "narwhals"})


def _sequence_array(name: str, value: Sequence[Any]) -> npt.NDArray[Any]:
    if any(isinstance(item, (bool, np.bool_)) for item in value):
        raise InvalidInputError(f"{name} must hold numbers; got a boolean in {value!r:.60}")
    try:
        return np.asarray(value)
    except (TypeError, ValueError, OverflowError):
        raise InvalidInputError(
            f"{name} must be a flat sequence of numbers; got {value!r:.60}"
        ) from None


def _array_values(name: str, value: npt.NDArray[Any]) -> Values:
    if value.ndim == 0:
        return _scalar_value(name, value[()])
    if value.ndim != 1:
        raise InvalidInputError(
            f"{name} must be one-dimensional; got an array of shape {value.shape}"
        )
    if value.dtype == np.float64:
        view = value.view()
        view.flags.writeable = False
        return view
    kind = value.dtype.kind
    if kind == "f" and value.dtype.itemsize > 8:
        return _narrowed(name, value)
    if kind in "iuf":
        return value.astype(np.float64)
    if kind == "b":
        raise InvalidInputError(f"{name} must hold numbers; got a boolean array")
    if kind == "c":
        raise InvalidInputError(
            f"{name} must hold real numbers; got an array of dtype {value.dtype}"
        )
    if kind == "O" and value.size == 0:
        return np.empty(0, dtype=np.float64)
    raise InvalidInputError(
        f"{name} must hold numbers; got an array of dtype {value.dtype} "
        "(convert it explicitly, for example with pandas.to_numeric)"
    )


def _narrowed(name: str, value: npt.NDArray[Any]) -> FloatArray:
    """A long-double array as float64, refusing values beyond float64's range."""
    with np.errstate(over="ignore"):
        narrowed = value.astype(np.float64)
    beyond = np.isinf(narrowed) & np.isfinite(value)
    if beyond.any():
        positions = np.flatnonzero(beyond)
        shown = ", ".join(f"[{p}] {value[p]!s}" for p in positions[:_SHOWN])
        raise InvalidInputError(
            f"{name} must be within float range (about ±1.8e308); {positions.size} of "
            f"{value.size} values are not (0-based positions: {shown})"
        )
    return narrowed


def _series_values(name: str, value: pd.Series[Any]) -> FloatArray:
    dtype = value.dtype
    if dtype == np.float64:
        array: FloatArray = value.to_numpy()
        return _array_values(name, array)  # type: ignore[return-value]
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_complex_dtype(dtype):
        raise InvalidInputError(f"{name} must hold numbers; got a Series of dtype {dtype}")
    if value.size == 0:
        return np.empty(0, dtype=np.float64)
    if pd.api.types.is_numeric_dtype(dtype):
        # Integer, float32 and nullable extension dtypes; pd.NA becomes NaN.
        converted: FloatArray = value.to_numpy(dtype=np.float64, na_value=np.nan)
        return converted
    raise InvalidInputError(
        f"{name} must hold numbers; got a Series of dtype {dtype} "
        "(convert it explicitly, for example with pandas.to_numeric)"
    )


def _describe_bad(name: str, values: FloatArray, bad: npt.NDArray[np.bool_], allowed: str) -> str:
    positions = np.flatnonzero(bad)
    shown = ", ".join(f"[{p}] {float(values[p])!r}" for p in positions[:_SHOWN])
    more = ", …" if positions.size > _SHOWN else ""
    return (
        f"{name} must be {allowed}; {positions.size} of {values.size} values are not "
        f"(0-based positions: {shown}{more})"
    )


def check_range(
    name: str,
    value: Values,
    *,
    low: float = -math.inf,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = False,
    allowed: str = "finite",
) -> None:
    """Raise :class:`InvalidInputError` where a value is infinite or outside ``[low, high]``.

    NaN passes: it means "unknown" and propagates to the result. ``low_open`` and
    ``high_open`` exclude the bounds. ``allowed`` completes "``name`` must be …"; with
    no bounds the check is only that values are finite.
    """
    if isinstance(value, float):
        if value != value:
            return
        if (
            value < low
            or value > high
            or (low_open and value == low)
            or (high_open and value == high)
            or math.isinf(value)
        ):
            raise InvalidInputError(f"{name} must be {allowed}; got {value!r}")
        return
    if value.size == 0:
        return
    # Two reductions are cheap; a NaN extreme compares False and takes the masked path.
    smallest = value.min()
    largest = value.max()
    if (
        (smallest > low or (smallest == low and not low_open))
        and (largest < high or (largest == high and not high_open))
        and -math.inf < smallest
        and largest < math.inf
    ):
        return
    bad = np.isinf(value)
    bad |= (value <= low) if low_open else (value < low)
    bad |= (value >= high) if high_open else (value > high)
    if bad.any():
        raise InvalidInputError(_describe_bad(name, value, bad, allowed))


def check_nonnegative(name: str, value: Values) -> None:
    """Raise :class:`InvalidInputError` for a negative or infinite amount (NaN passes)."""
    check_range(name, value, low=0.0, allowed="a finite number >= 0")


def check_probability(name: str, value: Values) -> None:
    """Raise :class:`InvalidInputError` for a probability outside [0, 1] (NaN passes).

    Values above 1 but at most 100 get a hint: they look like percentages, which the
    library never guesses at (a CRM's 10 may be 10 % or a typo).
    """
    try:
        check_range(name, value, low=0.0, high=1.0, allowed="a fraction in [0, 1]")
    except InvalidInputError as error:
        if isinstance(value, float):
            looks_like_percent = 1.0 < value <= 100.0
        else:
            above = value[value > 1.0]
            looks_like_percent = above.size > 0 and bool(np.all(above <= 100.0))
        if looks_like_percent:
            raise InvalidInputError(
                f"{error}; values above 1 look like percentages: divide by 100"
            ) from None
        raise


def safe_divide(numerator: Values, denominator: Values) -> Values:
    """``numerator / denominator``, with NaN wherever the denominator is zero.

    No ``inf`` and no RuntimeWarning: a zero denominator means the ratio is undefined.
    """
    if isinstance(denominator, float):
        if denominator == 0.0:
            if isinstance(numerator, float):
                return math.nan
            return np.full(numerator.shape, np.nan)
        if isinstance(numerator, float):
            return numerator / denominator
    shape = np.broadcast_shapes(np.shape(numerator), np.shape(denominator))
    out = np.full(shape, np.nan)
    # Overflow gives inf, as Python's float division does; underflow gives 0 (or a
    # subnormal), as it does too, also under a caller's errstate(all="raise").
    with np.errstate(over="ignore", under="ignore"):
        np.divide(numerator, denominator, out=out, where=np.not_equal(denominator, 0.0))
    return out


#: What a result beyond float range is told it must be.
_FLOAT_RANGE: Final = "within float range (at most about 1.8e308 in magnitude)"


def representable(name: str, result: Values) -> Values:
    """``result``, refusing an infinity that finite inputs gave by overflow.

    The inputs were checked to be finite, so an infinite result is a true value beyond
    float range (a subnormal divisor, or two amounts near 1e308 multiplied): refused
    with :class:`InvalidInputError`, rather than returned as ``inf`` as if it were a
    number. ``name`` says what the result is ("the cost per customer").
    """
    if isinstance(result, float):
        if math.isinf(result):
            raise InvalidInputError(
                f"{name} must be {_FLOAT_RANGE}; these inputs give a result beyond it"
            )
        return result
    bad = np.isinf(result)
    if bad.any():
        raise InvalidInputError(
            _describe_bad(name, result, bad, _FLOAT_RANGE)
            + ": these inputs give a result beyond it"
        )
    return result


def power_of_two_scale(*values: FloatArray) -> float:
    """A power of 2 near the largest value of ``values`` (NaN ignored); 1 for none above 0.

    Amounts divided by it are below 2, so that sums of up to 2**52 of them cannot
    overflow, and a ratio of two such sums is unchanged by the common factor. Dividing
    by a power of 2 is exact (but for amounts so much smaller that they underflow), so
    results within float range are the same to the last bit as without the scaling.
    """
    largest = 0.0
    for value in values:
        if value.size:
            with np.errstate(invalid="ignore"):
                top = float(np.nanmax(value)) if not np.isnan(value).all() else 0.0
            largest = max(largest, top)
    if not 0.0 < largest < math.inf:
        return 1.0
    return math.ldexp(1.0, math.frexp(largest)[1] - 1)
