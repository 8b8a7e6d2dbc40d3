"""Column options, amount checks and warnings shared by the account tables.

The plan (:func:`~salescore.tiers.tables.tier_accounts`) and the lists that follow it
(:mod:`salescore.tiers.lists`) read the canonical accounts frame the same way: a
column option that must name a column, labels among a fixed set, amounts that are
finite and >= 0, the last and next contacts with the days overdue, and a
:class:`~salescore.SalescoreWarning` naming the accounts a list cannot place.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .._arrays import FloatArray
from .._tables import float_column, option_column, which
from ..errors import InvalidInputError, SalescoreWarning
from .contact import _measure, _schedule
from .policy import TierPolicy

__all__ = [
    "_amounts",
    "_column_list",
    "_labels_in",
    "_overdue",
    "_required",
    "_warn_unplaced",
]

ObjectArray = npt.NDArray[np.object_]
BoolArray = npt.NDArray[np.bool_]


def _required(name: str, value: object) -> str:
    """A column-name option that must name a column (never None)."""
    column = option_column(name, value)
    assert column is not None  # option_column refuses None unless optional
    return column


def _column_list(name: str, value: object, *, empty: bool = False) -> list[str]:
    """Column names (or labels) given as one str or a list or tuple of str."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        return list(dict.fromkeys(value))
    noun = "a sequence (possibly empty)" if empty else "a sequence"
    raise InvalidInputError(
        f"{name} must be a column name or {noun} of column names; got "
        f"{type(value).__name__} {value!r:.60}"
    )


def _labels_in(name: str, value: object, allowed: Sequence[str]) -> list[str]:
    labels = _column_list(name, value)
    unknown = [label for label in labels if label not in allowed]
    if unknown or not labels:
        raise InvalidInputError(
            f"{name} must hold labels among {list(allowed)!r}; got {value!r:.80}"
        )
    return labels


def _amounts(accounts: pd.DataFrame, column: str, ids: ObjectArray) -> FloatArray:
    values = np.asarray(float_column(accounts, column), dtype=np.float64)
    bad = np.isinf(values) | (values < 0.0)
    if bad.any():
        raise InvalidInputError(
            f"{column} must be a finite number >= 0; not so for "
            f"{which(ids, bad, values.tolist(), noun='account')}"
        )
    return values


def _overdue(
    last: pd.Series[Any], tiers: pd.Series[Any], today: Any, ids: ObjectArray, policy: TierPolicy
) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex, FloatArray]:
    """Last and next contacts and days overdue; a today before a last contact names them."""

    def describe(mask: npt.NDArray[np.bool_]) -> str:
        return which(ids, mask, list(last.astype(object)), noun="account")

    stamps, due, _, _ = _schedule(last, tiers, policy, describe)
    now, days, early = _measure(stamps, due, today, describe)
    if early.any():
        raise InvalidInputError(
            f"today ({now}) is earlier than the last contact of "
            f"{which(ids, early, list(stamps.astype(object)), noun='account')}"
        )
    return stamps, due, days


def _warn_unplaced(mask: BoolArray, ids: ObjectArray, what: str) -> None:
    if mask.any():
        warnings.warn(
            f"{which(ids, mask, noun='account')} {what}",
            SalescoreWarning,
            stacklevel=3,
        )
