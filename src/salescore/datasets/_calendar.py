"""Time, calendar and the team, shared by the generators of the sample CRM."""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "AS_OF",
    "CURRENCY",
    "END",
    "HIRED",
    "SEASON",
    "SELLERS",
    "START",
    "YEAR_AGO",
    "BoolArray",
    "FloatArray",
    "IntArray",
    "calendar",
    "ids",
    "month",
    "sellers",
    "stamps",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Time runs in days since START (a Monday), as float64; day 731 is AS_OF.
START: Final = np.datetime64("2024-01-01", "s")
AS_OF: Final = pd.Timestamp("2026-01-01")
END: Final = 731.0
YEAR_AGO: Final = 366.0  # 2025-01-01
CURRENCY: Final = "EUR"

SELLERS: Final = (
    "Alice Martin",
    "Bruno Keller",
    "Chloé Dubois",
    "Daniel Berg",
    "Eva Lindqvist",
    "Farid Haddad",
    "Greta Olsen",
    "Hugo Weber",
)
HIRED: Final = 182.0  # the eighth seller starts on 1 July 2024

# Relative activity of each calendar month (January first): summer and Christmas dip.
SEASON: Final = np.array([0.9, 1.0, 1.1, 1.0, 1.0, 1.0, 0.6, 0.8, 1.1, 1.1, 1.05, 0.7])


def stamps(days: FloatArray) -> npt.NDArray[np.datetime64]:
    """Timestamps (to the second) of days since START; NaN gives NaT."""
    missing = np.isnan(days)
    seconds = np.round(np.where(missing, 0.0, days) * 86_400.0).astype(np.int64)
    out = (START + seconds.astype("timedelta64[s]")).astype("datetime64[ns]")
    out[missing] = np.datetime64("NaT")
    return out


def calendar(first: int, last: int, weekend: float) -> tuple[IntArray, FloatArray]:
    """Days ``first`` to ``last - 1`` and the chance of each: growth, season, weekends."""
    days = np.arange(first, last, dtype=np.int64)
    months = (START.astype("datetime64[D]") + days).astype("datetime64[M]").astype(np.int64)
    weight = SEASON[months % 12] * (1.0 + 0.3 * days / END)
    weight = np.where(days % 7 < 5, weight, weight * weekend)
    return days, weight / weight.sum()


def month(days: npt.NDArray[np.floating[Any]]) -> IntArray:
    """Calendar months since January 2024 of days since START."""
    dates = START.astype("datetime64[D]") + np.floor(days).astype(np.int64)
    return np.asarray(dates.astype("datetime64[M]").astype(np.int64) - 648)  # 648: 2024-01


def sellers(rng: np.random.Generator, days: FloatArray) -> IntArray:
    """A seller for each event: any of the eight, the new hire only after joining."""
    seller = rng.integers(0, len(SELLERS), size=days.size)
    early = (seller == len(SELLERS) - 1) & (days < HIRED)
    seller[early] = rng.integers(0, len(SELLERS) - 1, size=int(early.sum()))
    return seller


def ids(prefix: str, count: int, width: int) -> npt.NDArray[np.str_]:
    """``count`` ids such as ``D00001``: the prefix and a zero-padded number from 1."""
    return np.char.add(prefix, np.char.zfill(np.arange(1, count + 1).astype(str), width))
