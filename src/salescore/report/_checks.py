"""The checks of the report's arguments: dates, amounts, headcounts, targets, tables.

Each raises :class:`~salescore.errors.InvalidInputError` (a table
:class:`~salescore.errors.SchemaError`) naming the argument and the value, so that a
wrong argument stops at the door instead of failing deep inside a section.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from typing import Any, Final

import numpy as np
import pandas as pd

from .. import schema
from .._arrays import option_number, utc_naive
from .._tables import counted
from ..errors import InvalidInputError, SchemaError

__all__ = [
    "FIRST_DATE",
    "LAST_DATE",
    "finite",
    "fraction",
    "frame",
    "headcount",
    "report_date",
    "targets",
    "texts",
]

#: The report dates a report can have: far enough from datetime64[ns]'s limits
#: (1677-09-21 to 2262-04-11) for its windows, two years back and a quarter ahead.
FIRST_DATE: Final = pd.Timestamp("1700-01-01")
LAST_DATE: Final = pd.Timestamp("2200-12-31")


def report_date(name: str, value: object) -> pd.Timestamp:
    """A report date: a Timestamp (or datetime) within :data:`FIRST_DATE`–:data:`LAST_DATE`.

    An aware moment is converted to UTC and its zone dropped, as the canonical tables
    hold naive UTC timestamps.
    """
    if isinstance(value, pd.Timestamp):
        stamp = value
    elif isinstance(value, (datetime.datetime, np.datetime64)) and not pd.isna(value):
        try:
            stamp = pd.Timestamp(value)
        except (ValueError, OverflowError):
            raise InvalidInputError(
                f"{name} must be a date within {_RANGE}; got {value!r:.60}"
            ) from None
    else:
        raise InvalidInputError(
            f"{name} must be a pandas Timestamp; got {type(value).__name__} {value!r:.60}"
        )
    stamp = utc_naive(stamp)
    if not FIRST_DATE <= stamp <= LAST_DATE:
        raise InvalidInputError(f"{name} must be a date within {_RANGE}; got {value!r:.60}")
    return pd.Timestamp(stamp).as_unit("ns")


_RANGE: Final = f"{FIRST_DATE.date()} to {LAST_DATE.date()}"


def finite(name: str, value: object, *, positive: bool = False) -> float:
    """A finite number >= 0 (> 0 when ``positive``)."""
    number = option_number(name, value)
    if not math.isfinite(number) or number < 0 or (positive and number == 0):
        bound = "> 0" if positive else ">= 0"
        raise InvalidInputError(f"{name} must be a finite number {bound}; got {value!r:.60}")
    return number


def fraction(name: str, value: object) -> float:
    """A number in [0, 1]."""
    number = option_number(name, value)
    if not 0.0 <= number <= 1.0:
        raise InvalidInputError(f"{name} must be a fraction in [0, 1]; got {value!r:.60}")
    return number


def headcount(name: str, value: object) -> float | pd.Series[float] | None:
    """None, a finite number >= 0, or a Series of them by month (NaN: unknown)."""
    if value is None:
        return None
    if not isinstance(value, pd.Series):
        return finite(name, value)
    dtype = value.dtype
    if (
        pd.api.types.is_bool_dtype(dtype)
        or pd.api.types.is_complex_dtype(dtype)
        or not pd.api.types.is_numeric_dtype(dtype)
    ):
        raise InvalidInputError(f"{name} must hold numbers; got a Series of dtype {dtype}")
    numbers = value.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = np.isinf(numbers) | (numbers < 0)
    if bad.any():
        raise InvalidInputError(
            f"{name} must hold finite numbers >= 0 (NaN: unknown); got "
            f"{numbers[bad][:3].tolist()!r:.60}"
        )
    return value


def texts(name: str, value: object) -> tuple[str, ...]:
    """A tuple or list of str, as a tuple."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (tuple, list)):
        raise InvalidInputError(
            f"{name} must be a tuple or list of str; got {type(value).__name__} {value!r:.60}"
        )
    odd = [item for item in value if not isinstance(item, str)]
    if odd:
        raise InvalidInputError(
            f"{name} must hold str only; got {type(odd[0]).__name__} {odd[0]!r:.60}"
        )
    return tuple(value)


def targets(name: str, value: object) -> dict[str, float]:
    """Activity kind → a finite number >= 0."""
    if not isinstance(value, Mapping):
        raise InvalidInputError(
            f"{name} must be a mapping of activity kind to a number; got "
            f"{type(value).__name__} {value!r:.60}"
        )
    out: dict[str, float] = {}
    for key, number in value.items():
        if not isinstance(key, str):
            raise InvalidInputError(f"{name}: a key must be a str; got {key!r:.60}")
        out[key] = finite(f"{name}[{key!r:.40}]", number)
    return out


def frame(name: str, value: object, table: str, *, optional: bool = False) -> Any:
    """A DataFrame that fits the canonical ``table`` (or None when ``optional``).

    :func:`salescore.schema.validate` lists every problem: a missing or mistyped
    column, a MultiIndex header, lists in an id column, bad values by row.
    """
    if value is None and optional:
        return None
    if not isinstance(value, pd.DataFrame):
        allowed = "a DataFrame or None" if optional else "a DataFrame"
        raise SchemaError(f"{name} must be {allowed}; got {type(value).__name__}")
    schema.validate(value, table)
    return _in_nanoseconds(value, table)


def _in_nanoseconds(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """The frame with its timestamp columns in nanoseconds, as the sections compute.

    A column in seconds (``datetime64[s]``) can hold 9999-12-31, a CRM's "no end
    date", which no ``datetime64[ns]`` holds: it is refused naming the rows, rather
    than failing inside a section.
    """
    changed: dict[str, pd.Series[Any]] = {}
    for column in frame.columns:
        values = frame[column]
        dtype = values.dtype
        if not isinstance(column, str) or dtype.kind != "M":  # type: ignore[redundant-expr]
            continue
        if str(dtype).startswith("datetime64[ns"):  # naive or aware, in nanoseconds
            continue
        try:
            changed[column] = values.dt.as_unit("ns")
        except (ValueError, OverflowError):  # OutOfBoundsDatetime is a ValueError
            low, high = pd.Timestamp.min, pd.Timestamp.max
            naive = values.dt.tz_localize(None) if values.dt.tz is not None else values
            far = naive.notna() & ((naive < low.as_unit("s")) | (naive > high.as_unit("s")))
            rows = ", ".join(f"{label} ({naive[label]})" for label in naive.index[far][:3])
            raise SchemaError(
                f"{table}: column {str(column)!r} holds dates outside {low.date()} to "
                f"{high.date()}, which salescore cannot compute with: "
                f"{counted(int(far.sum()), 'row')}: {rows}"
            ) from None
    return frame.assign(**changed) if changed else frame
