"""The stage-history table, read and checked once for the funnel and time in stage.

:func:`~salescore.stage_funnel` and :func:`~salescore.time_in_stage` both read the
canonical stage-history table (``deal_id``, ``stage``, ``entered``, ``exited``).
This module checks it (columns, missing ids and stages, exits before entries, more
than one open visit per deal, an ``as_of`` before an open entry), numbers its deals,
measures each visit in days, sums the visits per (deal, stage) pair, and writes the
error messages that name the deals concerned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.errors import OutOfBoundsDatetime

from .. import schema
from .._arrays import align_zones
from .._tables import counted as _count
from .._tables import option_column
from ..errors import InvalidInputError, SchemaError
from ._deals import TOO_FAR, elapsed_days

__all__ = [
    "_TABLE",
    "_Pairs",
    "_as_of",
    "_column_names",
    "_deals",
    "_is_missing",
    "_listed",
    "_timestamp",
    "_visits",
]

_TABLE: Final = "history"
_SHOWN: Final = 5  # how many deal ids or stages an error message lists


class _Visits:
    """The validated columns of a stage history, one element per row, in row order."""

    __slots__ = (
        "aware",
        "deal",
        "deal_count",
        "done",
        "entered",
        "entered_name",
        "ids",
        "is_open",
        "stages",
    )

    def __init__(
        self,
        ids: pd.Series[Any],
        stages: pd.Series[Any],
        entered: pd.Series[pd.Timestamp],
        exited: pd.Series[pd.Timestamp],
        names: tuple[str, str],
    ) -> None:
        self.ids = ids
        self.stages = stages
        self.entered = entered
        self.entered_name = names[0]
        self.aware = isinstance(entered.dtype, pd.DatetimeTZDtype)
        self.is_open: npt.NDArray[np.bool_] = exited.isna().to_numpy()
        # Deals numbered 0, 1, … in order of first appearance.
        codes, uniques = pd.factorize(ids, sort=False)
        self.deal: npt.NDArray[np.intp] = codes
        self.deal_count = len(uniques)
        # Completed visits in days: NaN where the entry is unknown, 0.0 for the open
        # visits, so that a sum per deal and stage adds the completed time.
        spent, far = elapsed_days(exited, entered)
        if far is not None:
            raise InvalidInputError(
                f"{_TABLE}: {names[1]!r} and {names[0]!r} are {TOO_FAR} in "
                f"{_count(int(far.sum()), 'row')} ({_deals(ids[far])})"
            )
        self.done: npt.NDArray[np.float64] = np.where(self.is_open, 0.0, spent)

    def age(self, as_of: pd.Timestamp | None) -> npt.NDArray[np.float64]:
        """Age in days of each open visit at ``as_of``; NaN for completed visits."""
        if as_of is None:
            return np.full(self.is_open.shape, np.nan)
        # Only the open visits: a completed visit of 1700 is no reason to fail.
        age, far = elapsed_days(as_of, self.entered[self.is_open])
        if far is not None:
            raise InvalidInputError(
                f"as_of ({as_of}) and {self.entered_name!r} of the open visit are "
                f"{TOO_FAR}, for {_deals(self.ids[self.is_open][far])}"
            )
        out = np.full(self.is_open.shape, np.nan)
        out[self.is_open] = age
        return out


def _column_names(*, deal_id: str, stage: str, entered: str, exited: str) -> dict[str, str]:
    """The four column options, checked: each a str, no two the same."""
    names = {"deal_id": deal_id, "stage": stage, "entered": entered, "exited": exited}
    for option, column in names.items():
        option_column(option, column)
    if len(set(names.values())) < len(names):
        given = ", ".join(f"{option}={column!r}" for option, column in names.items())
        raise SchemaError(f"{_TABLE}: {given} must name four different columns")
    return names


def _visits(
    history: pd.DataFrame, *, deal_id: str, stage: str, entered: str, exited: str
) -> _Visits:
    names = _column_names(deal_id=deal_id, stage=stage, entered=entered, exited=exited)
    schema.check_columns(history, "stage_history", names)

    # Positions from here on are 0-based row numbers, whatever the history's index.
    ids = history[deal_id].reset_index(drop=True)
    missing = ids.isna().to_numpy()
    if missing.any():
        positions = np.flatnonzero(missing).tolist()
        raise InvalidInputError(
            f"{_TABLE}: {deal_id!r} is missing in {_count(len(positions), 'row')} "
            f"(0-based positions: {_listed(positions, quote=False)})"
        )
    stages = history[stage].reset_index(drop=True)
    missing = stages.isna().to_numpy()
    if missing.any():
        raise InvalidInputError(
            f"{_TABLE}: {stage!r} is missing in {_count(int(missing.sum()), 'row')} "
            f"({_deals(ids[missing])})"
        )
    # An aware column beside a naive one is read in UTC (the timestamp convention).
    start, end = align_zones(
        history[entered].reset_index(drop=True), history[exited].reset_index(drop=True)
    )
    backwards = (end < start).to_numpy()
    if backwards.any():
        raise InvalidInputError(
            f"{_TABLE}: {exited!r} is before {entered!r} in "
            f"{_count(int(backwards.sum()), 'row')} ({_deals(ids[backwards])})"
        )
    visits = _Visits(ids, stages, start, end, (entered, exited))
    open_per_deal = np.bincount(visits.deal[visits.is_open], minlength=visits.deal_count)
    crowded = np.isin(visits.deal, np.flatnonzero(open_per_deal > 1))
    if crowded.any():
        raise InvalidInputError(
            f"{_TABLE}: a deal is in one stage at a time, but some have more than one "
            f"visit with no {exited!r} ({_deals(ids[crowded])}); "
            "give the earlier visits their exit"
        )
    return visits


def _as_of(value: object, visits: _Visits) -> pd.Timestamp:
    stamp = _timestamp(value)
    if (stamp.tzinfo is not None) != visits.aware:
        # Aware beside naive: the aware side is read in UTC (the timestamp convention).
        visits.entered, stamp = align_zones(visits.entered, stamp)
        visits.aware = False
    early = visits.is_open & (visits.entered > stamp).to_numpy()
    if early.any():
        raise InvalidInputError(
            f"as_of ({stamp}) is before the entry of the open visit of {_deals(visits.ids[early])}"
        )
    return stamp


def _timestamp(value: object) -> pd.Timestamp:
    """``as_of`` as a Timestamp in the range of datetime64[ns], or the error saying why not."""
    if not isinstance(value, (dt.date, np.datetime64)):
        raise InvalidInputError(
            "as_of must be a timestamp (pandas.Timestamp, datetime or numpy.datetime64); "
            f"got {type(value).__name__} {value!r:.60}"
        )
    try:
        stamp = pd.Timestamp(value)
        if not pd.isna(stamp):
            stamp.as_unit("ns")  # the range of the tables' datetime64[ns] columns
    except (OverflowError, OutOfBoundsDatetime, ValueError):
        raise InvalidInputError(
            "as_of must be a timestamp between 1677-09-22 and 2262-04-11 (the range of "
            f"datetime64[ns]); got {value!r:.60}"
        ) from None
    if pd.isna(stamp):
        raise InvalidInputError("as_of must be a timestamp; got NaT")
    return stamp


class _Pairs:
    """Totals per (deal, stage) pair, the pairs numbered in order of first appearance.

    The arguments hold one element per visit: the deal's and the stage's integer
    codes, the completed days (0.0 for an open visit), the age of an open visit
    (NaN for a completed one) and whether the visit is open.
    """

    __slots__ = ("current_days", "days", "first_row", "has_open", "visits")

    def __init__(
        self,
        deal: npt.NDArray[np.intp],
        stage: npt.NDArray[np.intp],
        done: npt.NDArray[np.float64],
        age: npt.NDArray[np.float64],
        is_open: npt.NDArray[np.bool_],
    ) -> None:
        combined = deal.astype(np.int64) * (int(stage.max(initial=0)) + 1) + stage
        pair, uniques = pd.factorize(combined, sort=False)
        count = len(uniques)
        self.first_row: npt.NDArray[np.intp] = np.unique(pair, return_index=True)[1]
        self.visits = np.bincount(pair, minlength=count).astype(np.int64)
        # Sums by bincount keep NaN: an unknown duration reaches its pair's total.
        self.days = np.bincount(pair, weights=done, minlength=count).astype(np.float64)
        self.has_open = np.bincount(pair[is_open], minlength=count) > 0
        # A deal has at most one open visit, so this sum is that visit's age.
        opened = np.bincount(pair, weights=np.where(is_open, age, 0.0), minlength=count)
        self.current_days = opened.astype(np.float64)


def _is_missing(value: Any) -> bool:
    return bool(pd.api.types.is_scalar(value) and pd.isna(value))


def _listed(values: Sequence[object], *, quote: bool = True) -> str:
    shown = ", ".join(repr(value) if quote else str(value) for value in values[:_SHOWN])
    return shown + (", …" if len(values) > _SHOWN else "")


def _deals(ids: pd.Series[Any]) -> str:
    """'3 deals: 'D1', 'D7', 'D9'': the distinct deal ids, the first few of them."""
    distinct = ids.drop_duplicates().tolist()
    return f"{_count(len(distinct), 'deal')}: {_listed(distinct)}"
