"""Times in an RFM summary: the unit they are counted in and the periods they fall in.

Shared by :func:`salescore.models.rfm.rfm_summary` on pandas and on engine frames.
"""

from __future__ import annotations

import datetime
import numbers
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.arrays import PeriodArray

from .._arrays import FloatArray
from ..errors import InvalidInputError

__all__ = ["IntArray", "_calibration_cut", "_durations", "_ordinal", "_ordinals", "_time_unit"]

IntArray = npt.NDArray[np.int64]


# ------------------------------------------------------------------ options


def _time_unit(value: object) -> pd.Timedelta | None:
    if value is None:
        return None
    unit: Any = pd.NaT
    try:
        if isinstance(value, str):
            text = value.strip()
            unit = pd.Timedelta(text if text[:1].isdigit() else f"1{text}")
        elif isinstance(value, (datetime.timedelta, np.timedelta64)):
            unit = pd.Timedelta(value)
    except (ValueError, TypeError, OverflowError):  # OutOfBoundsTimedelta is a ValueError
        unit = pd.NaT
    if unit is pd.NaT or pd.isna(unit) or unit <= pd.Timedelta(0):
        raise InvalidInputError(
            "time_unit must be None (whole periods of freq) or a positive duration such "
            f"as 'D', 'W', '7D' or a Timedelta; got {value!r:.60}"
        )
    return pd.Timedelta(unit)


def _ordinal(name: str, value: object, dtype: pd.PeriodDtype, zone: Any) -> int:
    """The ordinal of the period of ``freq`` that the date ``value`` falls in."""
    stamp: Any = pd.NaT
    if isinstance(value, pd.Period):
        value = value.start_time
    # A number would be read as nanoseconds since 1970: refuse it rather than guess.
    if not isinstance(value, (bool, numbers.Number, np.number)) and value is not None:
        try:
            stamp = pd.Timestamp(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            stamp = pd.NaT
    if pd.isna(stamp):
        raise InvalidInputError(f"{name} must be a date or a Timestamp; got {value!r:.60}")
    if stamp.tzinfo is not None:
        # Beside naive dates (which mean UTC) an aware end is read in UTC.
        stamp = stamp.tz_convert("UTC" if zone is None else zone).tz_localize(None)
    try:
        return int(_ordinals(pd.DatetimeIndex([stamp]).as_unit("ns"), dtype)[0])
    except (ValueError, OverflowError):  # beyond the nanosecond range (pandas 2.2)
        raise InvalidInputError(
            f"{name} must be a date pandas can hold (1677-09-22 to 2262-04-11); got {value!r:.60}"
        ) from None


def _ordinals(dates: pd.DatetimeIndex, dtype: pd.PeriodDtype) -> IntArray:
    """The ordinal of the period of ``dtype`` each (zone-free) date falls in."""
    # pandas-stubs omit offsets here; a PeriodDtype's offset is what to_period wants.
    periods = dates.to_period(dtype.freq)  # type: ignore[arg-type]
    return np.asarray(periods.asi8, dtype=np.int64)


def _durations(
    start: IntArray, end: IntArray, dtype: pd.PeriodDtype, unit: pd.Timedelta | None
) -> FloatArray:
    """Time from period ``start`` to period ``end``: whole periods, or starts / unit."""
    if unit is None:
        return np.asarray(end - start, dtype=np.float64)
    begin = PeriodArray(np.asarray(start, dtype=np.int64), dtype=dtype).start_time
    finish = PeriodArray(np.asarray(end, dtype=np.int64), dtype=dtype).start_time
    return np.asarray(pd.TimedeltaIndex(finish - begin) / unit, dtype=np.float64)


def _calibration_cut(
    calibration_end: object, end: int, freq: object, dtype: pd.PeriodDtype, zone: Any
) -> int:
    """The last period of calibration: that of ``calibration_end``, else ``end``."""
    if calibration_end is None:
        return end
    cut = _ordinal("calibration_end", calibration_end, dtype, zone)
    if cut >= end:
        raise InvalidInputError(
            f"calibration_end ({calibration_end!r}) must fall in an earlier period of "
            f"{freq!r} than observation_end (the end of the holdout period)"
        )
    return cut
