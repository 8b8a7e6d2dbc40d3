"""Plain values for the report: numbers, text and tables that JSON can hold."""

from __future__ import annotations

import datetime
import math
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InvalidInputError

__all__ = ["plain", "table"]


def plain(value: Any) -> Any:
    """A JSON-ready value: float/int/str/bool/None; NaN and NaT become None.

    Durations become minutes (a float); moments and periods become ISO text.
    """
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return None if math.isnan(number) or math.isinf(number) else number
    if isinstance(value, (pd.Timedelta, datetime.timedelta, np.timedelta64)):
        delta: Any = pd.Timedelta(value)
        return None if delta is pd.NaT else delta.total_seconds() / 60.0
    if isinstance(value, (pd.Timestamp, datetime.datetime, np.datetime64)):
        stamp: Any = pd.Timestamp(value)
        if stamp is pd.NaT:
            return None
        return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, pd.Period):
        return str(value)
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def table(
    frame: pd.DataFrame, *, index: str | None = None, limit: int | None = None
) -> dict[str, Any]:
    """A frame as ``{"columns": [...], "rows": [{column: value}, ...]}``.

    The index becomes the first column (named ``index``, or after the index) unless
    ``index`` is ``""``. ``limit`` keeps the first rows and records how many there were.
    An infinite number (an overflowed sum) raises :class:`~salescore.InvalidInputError`.
    """
    numbers = frame.select_dtypes(include="number")
    if len(numbers.columns):
        with np.errstate(all="ignore"):
            infinite = np.isinf(numbers.to_numpy(dtype=np.float64, na_value=np.nan))
        if infinite.any():
            column = numbers.columns[int(np.argwhere(infinite)[0][1])]
            # plain() would show it as missing: an overflowed sum must not look unknown.
            raise InvalidInputError(
                f"the column {str(column)!r} of a table is beyond the largest float (about "
                "1.8e308): the amounts are too large to add up; express them in a larger "
                "unit (thousands, millions)"
            )
    shown = frame if limit is None else frame.head(limit)
    columns = [str(c) for c in frame.columns]
    name = (
        index if index is not None else ("" if frame.index.name is None else str(frame.index.name))
    )
    rows: list[dict[str, Any]] = []
    for key, record in zip(shown.index, shown.itertuples(index=False, name=None), strict=True):
        row: dict[str, Any] = {name: plain(key)} if name else {}
        row.update({c: plain(v) for c, v in zip(columns, record, strict=True)})
        rows.append(row)
    result: dict[str, Any] = {"columns": ([name] if name else []) + columns, "rows": rows}
    if limit is not None:
        result["total_rows"] = len(frame)
    return result
