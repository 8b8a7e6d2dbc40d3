"""Response times as minutes: timedeltas are converted, plain numbers pass through.

The lead functions take response times either as numbers of minutes or as durations
(``datetime.timedelta``, ``pandas.Timedelta``, ``numpy.timedelta64``, a timedelta64
array or Series, a ``TimedeltaIndex``). :func:`as_minutes` turns durations into
minutes in the same kind of container (a Series keeps its index), so that
:func:`~salescore._arrays.coerce` then applies the container contract to both.
"""

from __future__ import annotations

import datetime
import math
import numbers
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from .._arrays import FloatArray, Values, check_range, option_number
from ..errors import InvalidInputError

__all__ = ["MINUTES", "as_minutes", "check_minutes", "duration_option"]

#: What a response time must be, for error messages.
MINUTES: Final = "a finite number of minutes >= 0 (or a timedelta)"

_ONE_MINUTE: Final = np.timedelta64(1, "m")
_TIMESTAMP_HINT: Final = (
    "must be durations (minutes or timedeltas), not timestamps; subtract the time "
    "each lead came in, for example first_contact - created"
)


def as_minutes(name: str, value: Any) -> Any:
    """``value`` with durations converted to float minutes; anything else unchanged.

    A single duration (or ``NaT``) becomes a ``float``; a timedelta64 array, a
    ``TimedeltaIndex`` or a list of durations a float64 ndarray; a timedelta64 Series
    a float64 Series on the same index. ``NaT`` becomes NaN. Numbers are left for
    :func:`~salescore._arrays.coerce` to check.
    """
    if value is pd.NaT:
        return math.nan
    if isinstance(value, (datetime.datetime, np.datetime64, pd.DatetimeIndex)):
        raise InvalidInputError(f"{name} {_TIMESTAMP_HINT}; got {value!r:.60}")
    if isinstance(value, datetime.timedelta):
        return value / datetime.timedelta(minutes=1)
    if isinstance(value, np.timedelta64):
        return float(_array_minutes(name, np.asarray(value)))
    if isinstance(value, pd.Series):
        if pd.api.types.is_timedelta64_dtype(value.dtype):
            return pd.Series(
                _array_minutes(name, value.to_numpy()), index=value.index, name=value.name
            )
        if pd.api.types.is_datetime64_any_dtype(value.dtype):
            raise InvalidInputError(f"{name} {_TIMESTAMP_HINT}; got a Series of {value.dtype}")
        return value
    if isinstance(value, pd.TimedeltaIndex):
        return _array_minutes(name, value.to_numpy())
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "m":
            return _array_minutes(name, value)
        if value.dtype.kind == "M":
            raise InvalidInputError(f"{name} {_TIMESTAMP_HINT}; got an array of {value.dtype}")
        return value
    if isinstance(value, (list, tuple)):
        return _sequence_minutes(name, value)
    return value


def _sequence_minutes(name: str, value: list[Any] | tuple[Any, ...]) -> Any:
    durations = [isinstance(item, (datetime.timedelta, np.timedelta64)) for item in value]
    if not any(durations):
        return value
    missing = [item is pd.NaT or item is None for item in value]
    if not all(d or m for d, m in zip(durations, missing, strict=True)):
        raise InvalidInputError(
            f"{name} mixes durations and other values; pass either numbers of minutes "
            "or timedeltas (NaT or None for unknown ones)"
        )
    try:
        index = pd.to_timedelta(list(value))
    except (TypeError, ValueError, OverflowError) as error:
        raise InvalidInputError(f"{name} must hold durations; {error}") from None
    return _array_minutes(name, index.to_numpy())


def _array_minutes(name: str, array: npt.NDArray[Any]) -> FloatArray:
    unit = np.datetime_data(array.dtype)[0]
    if unit == "generic":
        raise InvalidInputError(
            f"{name} is a timedelta64 without a unit; give it one, for example "
            "np.timedelta64(5, 'm')"
        )
    if unit in ("Y", "M"):
        raise InvalidInputError(
            f"{name} is in {'years' if unit == 'Y' else 'months'}, which have no fixed "
            "length in minutes; use days or a finer unit"
        )
    minutes: FloatArray = np.asarray(array / _ONE_MINUTE, dtype=np.float64)
    return minutes


def check_minutes(name: str, value: Values) -> None:
    """Raise :class:`InvalidInputError` for a negative or infinite time (NaN passes)."""
    check_range(name, value, low=0.0, allowed=MINUTES)


def duration_option(name: str, value: object, *, positive: bool = False) -> float:
    """One duration given as minutes or a timedelta, as float minutes (not NaN, finite).

    ``positive`` excludes 0. Infinity is refused here; a caller that means "never"
    checks for it first.
    """
    if value is pd.NaT or isinstance(value, (datetime.datetime, np.datetime64)):
        raise InvalidInputError(f"{name} must be a duration; got {value!r:.60}")
    if isinstance(value, (datetime.timedelta, np.timedelta64)):
        number = float(as_minutes(name, value))
    elif isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (numbers.Real, np.floating, np.integer)
    ):
        raise InvalidInputError(
            f"{name} must be a number of minutes or a timedelta; got "
            f"{type(value).__name__} {value!r:.60}"
        )
    else:
        number = option_number(name, value, allow_nan=True)  # refuses 10**400, huge Fractions
    if not math.isfinite(number) or number < 0.0 or (positive and number == 0.0):
        bound = "> 0" if positive else ">= 0"
        raise InvalidInputError(
            f"{name} must be a finite number of minutes {bound}; got {number!r}"
        )
    return number
