"""Timestamps on one clock: reading them, and the timestamp convention's one rule.

The bottom layer's timestamp helpers, re-exported by :mod:`salescore._arrays`:
:func:`coerce_timestamps` reads a formula's timestamp argument, :func:`iso_to_utc`
reads ISO 8601 texts as UTC moments, :func:`utc_naive` gives the canonical form of a
moment (UTC wall-clock time without a zone), and :func:`align_zones` puts the
timestamps a calculation combines on one clock.
"""

from __future__ import annotations

import datetime
import re
from typing import Any, TypeVar, overload

import numpy as np
import pandas as pd

from .errors import InvalidInputError

__all__ = ["align_zones", "coerce_timestamps", "iso_to_utc", "utc_naive"]


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
