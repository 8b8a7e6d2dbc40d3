"""Parsers of moments and dates in CRM fields, as naive UTC ``datetime64[ns]``.

ISO 8601 strings, date and datetime objects, datetime64 columns and (with a unit)
numbers since 1970 are read; an aware moment is converted to UTC and its zone dropped,
the canonical tables' timestamp convention. A value in another format, or a
well-formed moment that a ``datetime64[ns]`` column cannot hold, is a reason.
"""

from __future__ import annotations

import datetime
import math
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from .._arrays import iso_to_utc, utc_naive
from ..errors import InvalidInputError
from ._parse_base import Parsed, _finish, _kind, _missing, _shown

__all__ = ["DATE_FORMATS", "FAR_DATE", "parse_date", "parse_timestamp"]

# The moments a datetime64[ns] column holds.
_FIRST: Final = pd.Timestamp("1677-09-22", tz="UTC")
_LAST: Final = pd.Timestamp("2262-04-11", tz="UTC")
_PER_SECOND: Final = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}
_UNITS: Final[dict[str, Literal["s", "ms", "us", "ns"]]] = {
    "s": "s",
    "ms": "ms",
    "us": "us",
    "ns": "ns",
}


#: What a reason says of a date that does not parse, and an example of what does.
DATE_FORMATS: Final = (
    "not in a recognised date format (use ISO 8601, such as 2025-12-31 or 2025-12-31T14:00:00Z)"
)
#: What a reason says of a well-formed date that a datetime64[ns] column cannot hold.
FAR_DATE: Final = "outside the dates salescore can hold (1677-09-22 to 2262-04-11)"


def _moment_of(value: object, epoch_unit: str | None) -> tuple[pd.Timestamp | None, str]:
    """One non-string value as a naive UTC Timestamp, or None and what is wrong with it."""
    try:
        if isinstance(value, (datetime.datetime, np.datetime64)):
            stamp = pd.Timestamp(value)
        elif isinstance(value, datetime.date):
            stamp = pd.Timestamp(value.year, value.month, value.day)
        elif (
            epoch_unit is not None
            and isinstance(value, (int, float, np.integer, np.floating))
            and not isinstance(value, (bool, np.bool_))
            and math.isfinite(value)
        ):
            stamp = pd.Timestamp(int(value), unit=epoch_unit)
        else:
            return None, f"not a date ({type(value).__name__})"
    except (ValueError, OverflowError):  # OutOfBoundsDatetime is a ValueError
        return None, FAR_DATE
    stamp = utc_naive(stamp)
    if not _FIRST.tz_localize(None) <= stamp <= _LAST.tz_localize(None):
        return None, FAR_DATE
    return stamp, ""


def _utc_naive(stamps: pd.Series[Any]) -> npt.NDArray[np.datetime64]:
    """Moments as naive UTC datetime64[ns]; NaT outside the range that dtype holds."""
    stamps = utc_naive(stamps)
    inside = (stamps >= _FIRST.tz_localize(None)) & (stamps <= _LAST.tz_localize(None))
    naive: npt.NDArray[np.datetime64] = (
        stamps.where(inside).astype("datetime64[ns]").to_numpy(dtype="datetime64[ns]")
    )
    return naive


def _well_formed(text: str) -> bool:
    """Whether an ISO 8601 string names a real moment (so only its range is wrong)."""
    try:
        datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        return False
    return True


def parse_timestamp(
    series: pd.Series[Any],
    *,
    field: str,
    required: bool = False,
    epoch_unit: str | None = None,
) -> Parsed:
    """Moments as naive ``datetime64[ns]`` holding UTC wall-clock time.

    Accepted: ISO 8601 strings (``"2024-03-04T09:30:00.000+0000"``, ``"...Z"``, a date
    alone; a string without an offset is read as UTC, as Pipedrive and Odoo document),
    ``datetime``/``date``/``Timestamp``/``datetime64`` values (naive ones read as UTC),
    datetime64 columns, and with ``epoch_unit`` (``"ms"``, ``"s"``) numbers since
    1970-01-01 UTC. An aware moment is converted to UTC and its zone dropped: the
    canonical tables hold naive UTC timestamps.

    A value in another format is a reason saying it is not in a recognised date format
    (``"31.12.2025"``); a well-formed moment outside 1677-09-22 to 2262-04-11, such
    as a CRM's "no end date" ``9999-12-31``, is a reason naming that range.
    """
    if epoch_unit is not None and (
        not isinstance(epoch_unit, str) or epoch_unit not in ("s", "ms", "us", "ns")  # type: ignore[redundant-expr]
    ):
        raise InvalidInputError(f"epoch_unit must be 's', 'ms', 'us' or 'ns'; got {epoch_unit!r}")
    n = len(series)
    out = np.full(n, np.datetime64("NaT", "ns"))
    problems = np.full(n, None, dtype=object)
    dtype = series.dtype
    numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    if pd.api.types.is_datetime64_any_dtype(dtype):
        missing = series.isna().to_numpy(dtype=bool)
        out[:] = _utc_naive(series)
        problems[~missing & np.isnat(out)] = FAR_DATE
    elif numeric and epoch_unit is not None:
        numbers = series.to_numpy(dtype=np.float64, na_value=np.nan)
        missing = np.isnan(numbers)
        # About 292 years either side of 1970: beyond, datetime64[ns] cannot hold it.
        usable = ~missing & (np.abs(np.nan_to_num(numbers)) < 9.2e9 * _PER_SECOND[epoch_unit])
        whole = np.where(usable, numbers, 0.0).astype(np.int64)
        stamps = pd.Series(pd.to_datetime(whole, unit=_UNITS[epoch_unit], utc=True)).where(usable)
        out[:] = _utc_naive(stamps)
        problems[~missing & np.isnat(out)] = FAR_DATE
    else:
        missing = _missing(series)
        raw = series.to_numpy(dtype=object)
        if _kind(series) == "string":
            is_text = ~missing
        else:
            is_text = ~missing & np.fromiter(
                (isinstance(value, str) for value in raw), dtype=bool, count=n
            )
        if is_text.any():
            text = pd.Series(raw[is_text], dtype=object)
            converted = iso_to_utc(text)
            out[is_text] = _utc_naive(converted)
            failed = np.flatnonzero(is_text)[np.isnat(out[is_text])]
            if failed.size:
                codes, uniques = pd.factorize(raw[failed])
                kinds = np.asarray(
                    [FAR_DATE if _well_formed(str(text)) else DATE_FORMATS for text in uniques],
                    dtype=object,
                )
                problems[failed] = kinds[codes]
        for position in np.flatnonzero(~missing & ~is_text):
            stamp, problem = _moment_of(raw[position], epoch_unit)
            if stamp is None:
                problems[position] = problem
            else:
                out[position] = stamp.as_unit("ns").to_datetime64()
    reasons: list[str | None] = [None] * n
    for position in np.flatnonzero(~pd.isna(problems)):
        reasons[position] = f"{field}: {problems[position]}: {_shown(series.iloc[position])}"
    stamps = pd.Series(out, index=series.index, dtype="datetime64[ns]")
    return _finish(stamps, reasons, missing, field_name=field, required=required)


def parse_date(series: pd.Series[Any], *, field: str, required: bool = False) -> Parsed:
    """Calendar dates as naive ``datetime64[ns]`` at midnight.

    Read as by :func:`parse_timestamp`; a moment with a time of day or an offset
    gives its date in UTC (HubSpot's ``closedate`` is such a moment).
    """
    stamps, reasons = parse_timestamp(series, field=field, required=required)
    days = stamps.dt.normalize()
    return Parsed(days, reasons)
