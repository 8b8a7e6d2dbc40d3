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
"""

from __future__ import annotations

import datetime
import math
import numbers
import operator
import re
from collections.abc import Callable, Sequence
from typing import Any, Final, TypeAlias, TypeVar, overload

import numpy as np
import numpy.typing as npt
import pandas as pd

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
    raise InvalidInputError(
        f"{name} must be a number, a 1-D array or a pandas Series; "
        f"got {type(value).__name__} {value!r:.60}"
    )


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


def coerce_timestamps(name: str, value: Any) -> tuple[pd.DatetimeIndex, bool]:
    """Timestamps as a DatetimeIndex, and whether the input was a single one.

    Accepts a datetime64 (or object) Series, an array or sequence of dates,
    datetimes, ISO strings or datetime64 values, or one of them alone; numbers are
    refused, since their unit would be a guess.
    """
    if isinstance(value, pd.Series):
        if not (
            pd.api.types.is_datetime64_any_dtype(value.dtype)
            or pd.api.types.is_object_dtype(value.dtype)
        ):
            raise InvalidInputError(
                f"{name} must hold timestamps (a datetime64 Series); got dtype {value.dtype}"
            )
        if pd.api.types.is_datetime64_any_dtype(value.dtype):
            # Straight to an index: to_numpy() of a zoned Series gives Timestamp objects.
            return pd.DatetimeIndex(value), False
        value = value.to_numpy()
    single = isinstance(value, (str, datetime.date, np.datetime64)) or value is pd.NaT
    if single:
        value = [value]
    try:
        flat = np.ndim(value) == 1 and not isinstance(value, (bytes, dict, set))
        array = np.asarray(value) if flat else None
    except (TypeError, ValueError):  # a ragged sequence
        array = None
    if array is None or array.ndim != 1:
        raise InvalidInputError(
            f"{name} must be a timestamp or a one-dimensional sequence of them; "
            f"got {type(value).__name__} {value!r:.60}"
        )
    if array.size and array.dtype.kind in "biufcm":
        raise InvalidInputError(
            f"{name} must hold timestamps, not numbers or durations; got dtype {array.dtype}"
        )
    text = (
        np.ones(array.size, dtype=bool)
        if array.dtype.kind == "U"
        else np.fromiter((isinstance(item, str) for item in array.flat), bool, array.size)
        if array.dtype.kind == "O"
        else np.zeros(array.size, dtype=bool)
    )
    texts = bool(text.any())
    try:
        # Texts are read as ISO 8601 only: a guessed format would read "1" as a date.
        if text.all():
            parsed = pd.to_datetime(array, format="ISO8601")
        elif texts:  # texts beside datetime objects: parse the texts on their own
            mixed = array.astype(object)
            mixed[text] = list(pd.to_datetime(array[text], format="ISO8601"))
            parsed = pd.to_datetime(mixed)
        else:
            parsed = pd.to_datetime(array)
        return pd.DatetimeIndex(parsed).as_unit("ns"), single
    except (TypeError, ValueError, OverflowError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        reason = reason.split(". You might want")[0].removesuffix(".")
        kind = "ISO 8601 timestamps (such as '2024-03-04T10:20:00Z')" if texts else "timestamps"
        raise InvalidInputError(f"{name} must hold {kind}; {reason}") from None


#: Timestamps that :func:`align_zones` reads: a datetime64 Series, a DatetimeIndex, one
#: Timestamp, or None for an optional one that was not given.
_First = TypeVar("_First", bound="pd.Series[Any] | pd.DatetimeIndex | pd.Timestamp | None")
_Second = TypeVar("_Second", bound="pd.Series[Any] | pd.DatetimeIndex | pd.Timestamp | None")
_Third = TypeVar("_Third", bound="pd.Series[Any] | pd.DatetimeIndex | pd.Timestamp | None")


def _is_aware(value: object) -> bool:
    """Whether ``value`` carries a time zone (a zoned dtype, or a Timestamp with tzinfo)."""
    if isinstance(value, (pd.Series, pd.Index)):
        return isinstance(value.dtype, pd.DatetimeTZDtype)
    return isinstance(value, datetime.datetime) and value.tzinfo is not None


# A time of day followed by a UTC offset or Z: "2025-12-31T14:00+01:00", "...14:00Z".
_OFFSET = re.compile(r"[T ]\d{1,2}:\d{2}.*(?:[Zz]|[+-]\d{2}(?::?\d{2})?)\s*$")


def iso_to_utc(text: pd.Series[Any]) -> pd.Series[Any]:
    """ISO 8601 texts as UTC-aware timestamps (NaT where a text is not one).

    A text with an offset is converted to UTC; one without is read as UTC. The two
    kinds are parsed apart: pandas 2.2 reads a text without an offset in the offset
    of the batch's first text when the two are mixed.
    """
    strings = text.astype(object)
    offset = strings.map(lambda v: isinstance(v, str) and _OFFSET.search(v) is not None)
    mask = offset.to_numpy(dtype=bool)
    if mask.all() or not mask.any():
        return pd.Series(pd.to_datetime(strings, format="ISO8601", utc=True, errors="coerce"))
    parts = [
        pd.to_datetime(strings[part], format="ISO8601", utc=True, errors="coerce")
        for part in (mask, ~mask)
    ]
    return pd.concat(parts).reindex(text.index)


@overload
def utc_naive(value: pd.Series[Any]) -> pd.Series[Any]: ...
@overload
def utc_naive(value: pd.DatetimeIndex) -> pd.DatetimeIndex: ...
@overload
def utc_naive(value: pd.Timestamp) -> pd.Timestamp: ...
def utc_naive(value: Any) -> Any:
    """Time-zone-aware timestamps as UTC wall-clock times without a zone; others unchanged.

    The canonical form of a moment (see :data:`salescore.schema.TIMESTAMPS`): the same
    instant, read on the UTC clock, its zone dropped. Naive values are returned as they
    are (the same object), since a naive timestamp already means UTC.
    """
    if not _is_aware(value):
        return value
    if isinstance(value, pd.Series):
        return value.dt.tz_convert("UTC").dt.tz_localize(None)
    return value.tz_convert("UTC").tz_localize(None)


@overload
def align_zones(first: _First, second: _Second, /) -> tuple[_First, _Second]: ...
@overload
def align_zones(
    first: _First, second: _Second, third: _Third, /
) -> tuple[_First, _Second, _Third]: ...
@overload
def align_zones(*values: _First) -> tuple[_First, ...]: ...
def align_zones(*values: Any) -> tuple[Any, ...]:
    """Timestamps a calculation combines, on one clock: the timestamp convention's one rule.

    When some of ``values`` are time-zone aware and others naive, the aware ones are
    converted to UTC and their zone dropped (:func:`utc_naive`), since a naive
    timestamp means UTC. When all are aware, or all naive, they are returned unchanged,
    so aware timestamps keep their zone's calendar and clock. ``None`` (an optional
    column or option that was not given) is passed through and does not count.

    The table functions, formula functions and records that combine timestamps call
    this one function (directly or through :func:`salescore._tables.align_columns`),
    so that the rule is written once.
    """
    given = [value for value in values if value is not None]
    aware = [_is_aware(value) for value in given]
    if all(aware) or not any(aware):
        return values
    return tuple(None if value is None else utc_naive(value) for value in values)


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


def option_choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    """Validate a keyword option that takes one of a few strings."""
    if type(value) is str and value in choices:
        return value
    if isinstance(value, str) and value in choices:
        return choices[choices.index(value)]  # a plain str for a subclass such as np.str_
    listed = ", ".join(repr(choice) for choice in choices)
    raise InvalidInputError(f"{name} must be one of {listed}; got {value!r}")


def option_flag(name: str, value: object) -> bool:
    """Validate a keyword option that must be True or False.

    Only ``bool`` and NumPy's ``bool_`` are accepted: a string such as ``"False"`` or
    ``"no"``, a number, ``None`` or ``pd.NA`` is refused rather than read by its truth
    value, which would turn ``"False"`` into True.
    """
    if value is True or value is False:
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    raise InvalidInputError(
        f"{name} must be True or False; got {type(value).__name__} {value!r:.60}"
    )


def option_count(name: str, value: object, *, maximum: int | None = None) -> int:
    """Validate a keyword option that must be a non-negative integer (at most ``maximum``).

    ``maximum`` bounds options that size a computation (months, bins, draws), so that a
    mistyped 2**70 is refused at once instead of running for ever.
    """
    if isinstance(value, (bool, np.bool_, np.timedelta64)):
        raise InvalidInputError(f"{name} must be a non-negative integer; got {value!r}")
    if type(value) is int:
        count = value
    else:
        try:
            count = operator.index(value)  # type: ignore[arg-type]
        except TypeError:
            raise InvalidInputError(
                f"{name} must be a non-negative integer; got {type(value).__name__} {value!r:.60}"
            ) from None
    if count < 0:
        raise InvalidInputError(f"{name} must be a non-negative integer; got {count}")
    if maximum is not None and count > maximum:
        raise InvalidInputError(f"{name} must be at most {maximum:,}; got {count!r:.60}")
    return count


def option_number(name: str, value: object, *, allow_nan: bool = False) -> float:
    """Validate a keyword option or record field that must be one real number.

    Refused with :class:`InvalidInputError`: booleans, strings, complex numbers,
    durations and dates (``np.timedelta64`` is a NumPy integer, whose count in its own
    unit would pass for a number), integers and fractions beyond float range, and NaN
    unless ``allow_nan``. Infinity passes; the caller checks the range.
    """
    if isinstance(value, (bool, np.bool_, np.timedelta64, np.datetime64)) or not isinstance(
        value, (numbers.Real, np.floating, np.integer)
    ):
        raise InvalidInputError(
            f"{name} must be a number; got {type(value).__name__} {value!r:.60}"
        )
    try:
        number = float(value)
    except (OverflowError, TypeError, ValueError):
        raise InvalidInputError(
            f"{name} must be a number within float range; got {value!r:.60}"
        ) from None
    if math.isnan(number) and not allow_nan:
        raise InvalidInputError(f"{name} must be a number; got nan")
    return number
