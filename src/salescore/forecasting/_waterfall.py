"""The waterfall's tail: from two snapshots of the deals to the terms, per deal and group.

:func:`~salescore.forecasting.changes.pipeline_waterfall` rebuilds the deals at its
two moments and hands both snapshots to :func:`flows`, which gives each deal its role
(in at the start, new, pulled in, pushed out, won, lost, in at the end) and sums the
terms per group. Any source of the two snapshots (an engine that reduced a change log
of millions of rows to one row per deal) can use the same tail.
"""

from __future__ import annotations

import math
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..errors import InvalidInputError
from ._changes import deals_named
from ._window import in_period

__all__ = ["ALL", "DEAL_COLUMNS", "TERMS", "check_terms", "flows"]

#: The terms of the waterfall, in the order of its columns.
TERMS: Final = (
    "start",
    "new",
    "pulled_in",
    "pushed_out",
    "value_up",
    "value_down",
    "won",
    "lost",
    "end",
)
#: The row label of an ungrouped waterfall.
ALL: Final = "all"
#: The columns of the table of deals taking part (after the ``by`` columns, if any).
DEAL_COLUMNS: Final = ("deal_id", "entered", "left", "start_value", "end_value")

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def _in(states: pd.DataFrame, bounds: tuple[pd.Timestamp, pd.Timestamp] | None) -> BoolArray:
    if bounds is None:
        return np.ones(len(states), dtype=bool)
    return np.asarray(in_period(states["close_date"], *bounds).to_numpy(dtype=bool))


def _is(status: pd.Series[Any], wanted: str) -> BoolArray:
    return np.asarray(status.eq(wanted).to_numpy(dtype=bool, na_value=False), dtype=bool)


def _sum(values: FloatArray, term: str, group: object) -> float:
    """The correctly rounded sum of ``values`` (an empty sum is 0.0), refused beyond float range."""
    try:
        total = math.fsum(values.tolist())
    except OverflowError:
        total = math.inf
    if math.isinf(total):
        raise InvalidInputError(
            f"value: the {term} of the pipeline waterfall (group {group!r:.60}) sums the "
            "deals' values beyond float range (at most about 1.8e308); scale the values "
            "down (to thousands, say) first"
        )
    return total


def check_terms(name: str, frame: object, *, integer: bool) -> pd.DataFrame:
    """A waterfall's ``value`` (``integer=False``) or ``count`` table, checked as a field.

    One row per group (each label once), the columns :data:`TERMS` in order, float64
    finite amounts >= 0 or int64 counts >= 0.
    """
    if not isinstance(frame, pd.DataFrame):
        raise InvalidInputError(
            f"{name} must be a DataFrame of the waterfall's terms; got {type(frame).__name__}"
        )
    if isinstance(frame.columns, pd.MultiIndex) or list(frame.columns) != list(TERMS):
        raise InvalidInputError(
            f"{name} must have the columns {list(TERMS)!r}, in that order; got "
            f"{list(frame.columns)!r:.200}"
        )
    wanted = np.dtype(np.int64) if integer else np.dtype(np.float64)
    odd = [str(column) for column, dtype in frame.dtypes.items() if dtype != wanted]
    if odd:
        raise InvalidInputError(f"{name} must hold {wanted} columns; {odd!r} are not")
    values = frame.to_numpy(dtype=wanted)
    with np.errstate(invalid="ignore"):
        bad = ~(values >= 0) if integer else ~(np.isfinite(values) & (values >= 0.0))
    if bad.any():
        row, column = (int(axis[0]) for axis in np.nonzero(bad))
        raise InvalidInputError(
            f"{name} must hold {'counts' if integer else 'finite amounts'} >= 0; got "
            f"{values[row, column].item()!r} in row {frame.index[row]!r:.60}, column "
            f"{TERMS[column]!r}"
        )
    if not frame.index.is_unique:
        raise InvalidInputError(f"{name} must hold each group once; its index repeats a label")
    return frame


def flows(
    start_state: pd.DataFrame,
    end_state: pd.DataFrame,
    *,
    period: tuple[pd.Timestamp, pd.Timestamp] | None,
    by: list[str],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The waterfall from two snapshots, each one row per deal existing then.

    Each snapshot holds ``deal_id``, ``value`` (float), ``close_date``, ``status``
    (canonical) and the ``by`` columns (and ``currency`` to be checked when present):
    the tail of :func:`pipeline_waterfall`, for any source of the two snapshots.
    """
    ids = end_state["deal_id"]
    where = pd.Index(start_state["deal_id"]).get_indexer(ids)
    if (where >= 0).sum() != len(start_state):
        lost_ids = start_state["deal_id"][~start_state["deal_id"].isin(ids)]
        raise InvalidInputError(
            f"deals existing at start are absent at end ({deals_named(lost_ids)})"
        )
    s_exists = where >= 0

    def before(name: str, fill: object) -> npt.NDArray[Any]:
        """The start snapshot's column on the end snapshot's rows; ``fill`` where absent."""
        values = np.asarray(start_state[name].to_numpy(dtype=object), dtype=object)
        filled: npt.NDArray[Any] = np.append(values, np.array([fill], dtype=object))
        return np.asarray(filled[where])  # where = -1 (absent at start) picks the fill

    s_value = np.append(start_state["value"].to_numpy(dtype=np.float64), np.nan)[where]
    s_open = np.append(_is(start_state["status"], "open"), False)[where]
    s_period = np.append(_in(start_state, period), False)[where]
    s_in = s_open & s_period
    e_value = end_state["value"].to_numpy(dtype=np.float64)
    e_status = end_state["status"]
    e_open, e_won, e_lost = (_is(e_status, term) for term in ("open", "won", "lost"))
    e_period = _in(end_state, period)
    e_in = e_open & e_period
    closed_in_window = (e_won | e_lost) & (~s_exists | s_open)
    enters = ~s_in & e_period & (e_in | closed_in_window)
    part = s_in | enters
    masks = {
        "start": s_in,
        "new": enters & ~s_exists,
        "pulled_in": enters & s_exists,
        "pushed_out": s_in & e_open & ~e_period,
        "value_up": s_in & (e_value > s_value),
        "value_down": s_in & (e_value < s_value),
        "won": part & e_won,
        "lost": part & e_lost,
        "end": part & e_in,
    }
    if "currency" in end_state.columns and "currency" in start_state.columns:
        _one_currency(
            ids, end_state["currency"], before("currency", None), part, s_in, "currency" in by
        )

    entered = np.full(len(ids), None, dtype=object)
    entered[masks["new"]] = "new"
    entered[masks["pulled_in"]] = "pulled_in"
    left = np.full(len(ids), None, dtype=object)
    for term in ("pushed_out", "won", "lost"):
        left[masks[term]] = term
    rows = np.flatnonzero(part)
    deals = pd.DataFrame({"deal_id": ids.take(rows).reset_index(drop=True)})
    for column in by:
        deals[column] = end_state[column].take(rows).reset_index(drop=True)
    deals["entered"] = pd.Series(entered[rows], dtype=object)
    deals["left"] = pd.Series(left[rows], dtype=object)
    deals["start_value"] = np.where(s_in, s_value, np.nan)[rows]
    deals["end_value"] = e_value[rows]

    codes, index = _groups(deals, by)
    value, count = _terms(
        codes,
        index,
        {term: mask[rows] for term, mask in masks.items()},
        s_value[rows],
        e_value[rows],
    )
    return (
        pd.DataFrame(value, index=index, columns=list(TERMS)),
        pd.DataFrame(count, index=index, columns=list(TERMS)),
        deals,
    )


def _one_currency(
    ids: pd.Series[Any],
    at_end: pd.Series[Any],
    at_start: npt.NDArray[Any],
    part: BoolArray,
    s_in: BoolArray,
    grouped: bool,
) -> None:
    """Money is one currency per call: the deals taking part, at start and at end.

    ``grouped`` (by currency): each group is in one currency, but a deal in the pipeline
    at the start must keep its currency, else its change of value mixes two.
    """
    end_labels = at_end.to_numpy(dtype=object)
    if grouped:
        kept = pd.Series(end_labels).eq(pd.Series(at_start)).to_numpy() | (
            pd.isna(end_labels) & pd.isna(at_start)
        )
        moved = s_in & ~kept
        if moved.any():
            raise InvalidInputError(
                "currency: the currency of a deal in the pipeline at start changed by "
                f"end ({deals_named(ids[moved], pd.Series(end_labels[moved]))}); convert the "
                "values to one currency first"
            )
        return
    labels = np.concatenate([end_labels[part], at_start[s_in]])
    who = pd.concat([ids[part], ids[s_in]], ignore_index=True)
    codes, currencies = pd.factorize(labels, use_na_sentinel=False)
    if len(currencies) <= 1:
        return
    parts = []
    for code, label in enumerate(currencies):
        name = "missing" if pd.isna(label) else repr(label)
        parts.append(f"{name} ({deals_named(who[codes == code])})")
    raise InvalidInputError(
        f"currency: the deals are in more than one currency: {'; '.join(parts)}; "
        "convert the values to one currency first, or group by the currency column "
        "(by=[..., 'currency'])"
    )


def _groups(deals: pd.DataFrame, by: list[str]) -> tuple[npt.NDArray[np.intp], pd.Index[Any]]:
    """Each deal's group number and the groups' index, sorted when the labels allow it."""
    if not by:
        return np.zeros(len(deals), dtype=np.intp), pd.Index([ALL])
    keys = deals[by]
    try:
        grouped = keys.groupby(by, sort=True, dropna=False, observed=True)
        codes = grouped.ngroup().to_numpy()
    except TypeError:  # labels of types that cannot be sorted together
        grouped = keys.groupby(by, sort=False, dropna=False, observed=True)
        codes = grouped.ngroup().to_numpy()
    index = grouped.size().index.set_names(by)
    return np.asarray(codes, dtype=np.intp), index


def _terms(
    codes: npt.NDArray[np.intp],
    index: pd.Index[Any],
    masks: dict[str, BoolArray],
    s_value: FloatArray,
    e_value: FloatArray,
) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """The terms' sums and counts per group, each sum correctly rounded (math.fsum)."""
    size = len(index)
    count = (
        np.column_stack([np.bincount(codes[masks[term]], minlength=size) for term in TERMS])
        .astype(np.int64)
        .reshape(size, len(TERMS))
    )
    value = np.zeros((size, len(TERMS)), dtype=np.float64)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(size + 1))
    for group in range(size):
        rows = order[bounds[group] : bounds[group + 1]]
        label = index[group]
        for column, term in enumerate(TERMS):
            chosen = rows[masks[term][rows]]
            if term == "start":
                parts = s_value[chosen]
            elif term == "value_up":
                parts = np.concatenate([e_value[chosen], -s_value[chosen]])
            elif term == "value_down":
                parts = np.concatenate([s_value[chosen], -e_value[chosen]])
            else:
                parts = e_value[chosen]
            value[group, column] = _sum(parts, term, label)
    return value, count
