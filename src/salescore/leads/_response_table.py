"""The tail of :func:`~salescore.leads.response.response_report`, shared by both paths.

The pandas path and the engine path (:mod:`._response_engine`) both end with a few
numbers per group: the leads, the contacted ones, those answered within the target
and the median and 90th-percentile response times; :func:`response_table` puts them
in the report's frame.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from .._arrays import safe_divide
from .calendar import _NAT, IntArray

__all__ = ["group_quantiles", "lead_groups", "response_table"]

_TOTAL: Final = "total"


def lead_groups(leads: pd.DataFrame, columns: list[str]) -> tuple[IntArray, pd.Index[Any]]:
    """Each lead's group number, in order of first appearance, and the groups' labels."""
    if not columns:
        return np.zeros(len(leads), dtype=np.int64), pd.Index([_TOTAL])
    if len(leads) == 0:
        empty = [leads[column].iloc[:0] for column in columns]
        if len(columns) == 1:
            return np.empty(0, dtype=np.int64), pd.Index(empty[0], name=columns[0])
        return np.empty(0, dtype=np.int64), pd.MultiIndex.from_arrays(empty, names=columns)
    # Positional keys: a frame with repeated index labels must not be aligned on them.
    keys = [leads[column].reset_index(drop=True) for column in columns]
    grouped = pd.Series(np.arange(len(leads))).groupby(
        keys, sort=False, dropna=False, observed=True
    )
    codes = np.asarray(grouped.ngroup(), dtype=np.int64)
    return codes, grouped.size().index


def group_quantiles(
    values: IntArray, codes: IntArray, counts: IntArray, q: float
) -> npt.NDArray[np.timedelta64]:
    """Linear-interpolation quantile ``q`` of ``values`` per group; NaT for an empty group."""
    out = np.full(counts.size, _NAT, dtype=np.int64)
    if values.size:
        ordered = values[np.lexsort((values, codes))]
        starts = np.cumsum(counts) - counts
        position = starts + q * np.maximum(counts - 1, 0)
        low = np.floor(position).astype(np.int64)
        high = np.ceil(position).astype(np.int64)
        some = counts > 0
        low, high = np.where(some, low, 0), np.where(some, high, 0)
        step = np.rint((ordered[high] - ordered[low]) * (position - low)).astype(np.int64)
        out = np.where(some, ordered[low] + step, _NAT)
    return out.view("m8[ns]")


def response_table(
    index: pd.Index[Any],
    counts: IntArray,
    reached: IntArray,
    within_target: npt.NDArray[np.float64],
    median: npt.NDArray[np.timedelta64],
    p90: npt.NDArray[np.timedelta64],
) -> pd.DataFrame:
    """The report: one row per group of ``index``, from its counts and quantiles."""
    return pd.DataFrame(
        {
            "leads": counts,
            "contacted": reached,
            "median_response": median,
            "p90_response": p90,
            "share_within_sla": safe_divide(within_target, counts.astype(np.float64)),
            "share_never_contacted": safe_divide(
                (counts - reached).astype(np.float64), counts.astype(np.float64)
            ),
        },
        index=index,
    )
