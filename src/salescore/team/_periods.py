"""Periods by ordinal, shared by the team tables (pandas periods or fiscal periods)."""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from .._tables import PERIOD as _PERIOD
from ..errors import InvalidInputError
from ..fiscal._freq import Frequency, period_names
from ..fiscal._freq import period_index as _period_index

__all__ = ["MAX_PERIODS", "check_span", "labels", "period", "period_index", "period_labels"]

#: The most periods a team table spans (a freq too fine for the dates, such as "1ns",
#: would otherwise allocate a row per nanosecond).
MAX_PERIODS: Final = 100_000

ObjectArray = npt.NDArray[np.object_]
IntArray = npt.NDArray[np.int64]


def check_span(span: int, freq: object) -> None:
    """Refuse a table of more than :data:`MAX_PERIODS` periods."""
    if span > MAX_PERIODS:
        raise InvalidInputError(
            f"the table would span {span:,} periods of {freq!r:.20}, more than the "
            f"{MAX_PERIODS:,} it holds; choose a coarser freq or a shorter range"
        )


def labels(periods: pd.PeriodIndex) -> ObjectArray:
    """Periods as strings, for error messages."""
    return np.array([str(p) for p in periods], dtype=object)


def period_labels(ordinals: IntArray, dtype: Frequency) -> ObjectArray:
    """Period ordinals as strings (fiscal labels for fiscal periods), for error messages."""
    return period_names(dtype, ordinals)


def period(ordinal: int, dtype: pd.PeriodDtype) -> pd.Period:
    """The period of ``dtype`` with the given ordinal."""
    freq: Any = dtype.freq  # the stubs do not list offsets, which Period accepts
    return pd.Period(ordinal=ordinal, freq=freq)


def period_index(first: int, span: int, dtype: Frequency) -> pd.Index[Any]:
    """Every period from the one with ordinal ``first``, ``span`` of them.

    A PeriodIndex for a pandas alias; the labels (object Index) for fiscal periods.
    """
    return _period_index(dtype, first, span, _PERIOD)
