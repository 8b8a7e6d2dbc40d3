"""Lead response times of a leads table held by an engine (Polars, DuckDB, Dask, Spark).

The leads are checked where they live, as the pandas path checks them: timestamps
outside the nanosecond range, leads without a creation time, first contacts before
the creation or more than 292 years after it are counted by one aggregate query
(a second query, only when a gap may be that long, measures it to the nanosecond),
and only when something is wrong does a further query fetch the first few offending
rows to name, in the words of the pandas path's messages. Each lead's response time
is computed in the engine in nanoseconds, from the days since 1970 (the civil-day
count of :mod:`salescore.engines._periods`) and the time of day, exactly. The leads
are then reduced to two small tables: per group, the number of leads, of contacted
ones and of those answered within the target; and, of the contacted leads ranked by
response time within their group, only the few ranks around the median and the 90th
percentile. The quantiles are thus exact, interpolated in pandas as the pandas path
interpolates them; only those tables leave the engine.
"""

from __future__ import annotations

import datetime
import math
from typing import Any, Final

import narwhals as nw
import numpy as np
import numpy.typing as npt
import pandas as pd

from ..engines._frames import EngineFrame, collect, collect_by_key
from ..engines._frames import count_true as _count
from ..engines._frames import found_count as _number
from ..engines._frames import pandas_text as _text
from ..engines._frames import sure as _sure
from ..engines._periods import time_of_day as _time_of_day
from ..engines._periods import with_period
from ..errors import InvalidInputError, SchemaError
from ._engine import _listed
from .calendar import _NAT, BusinessHours, IntArray

__all__ = ["response_counts"]

_MINUTE_NS: Final = 60 * 10**9
_DAY_NS: Final = 86_400 * 10**9
_TOTAL: Final = "total"
_DAYS: Final = pd.PeriodDtype("D")
# The nanosecond range of pandas, as (days since 1970, nanoseconds into the day).
_FIRST: Final = (-106_752, 763_145_224_193)  # 1677-09-21 00:12:43.145224193
_LAST: Final = (106_751, 85_636_854_775_807)  # 2262-04-11 23:47:16.854775807
_QUANTILES: Final = (0.5, 0.9)

# Column names inside the engine's queries.
_ID, _S, _E = "__salescore_lead", "__salescore_created", "__salescore_contact"
_SD, _ED = "__salescore_created_day", "__salescore_contact_day"
_SN, _EN = "__salescore_created_ns", "__salescore_contact_ns"
_T, _R, _N = "__salescore_time", "__salescore_rank", "__salescore_count"
_C, _H, _G = "__salescore_contacted", "__salescore_hit", "__salescore_group"


def _key(position: int) -> str:
    return f"__salescore_by{position}"


def _utc(column: str, zone: str | None) -> nw.Expr:
    """A datetime column on the pandas path's common clock: naive, aware ones in UTC."""
    stamps = nw.col(column)
    if zone is not None:
        stamps = stamps.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
    return stamps


def _unit(dtype: Any) -> nw.Datetime:
    """The naive datetime dtype of a column's time unit: a stand-in must not round it."""
    return nw.Datetime(time_unit=dtype.time_unit)


def _outside(day: str, time: str) -> nw.Expr:
    """Whether a stamp lies outside pandas' nanosecond range."""
    days, times = nw.col(day), nw.col(time)
    early = (days < _FIRST[0]) | ((days == _FIRST[0]) & (times < _FIRST[1]))
    late = (days > _LAST[0]) | ((days == _LAST[0]) & (times > _LAST[1]))
    return _sure(early | late)


def _epoch(day: str, time: str) -> nw.Expr:
    """Nanoseconds since 1970 of a stamp inside the nanosecond range."""
    return nw.col(day) * _DAY_NS + nw.col(time)


def response_counts(
    native: object,
    engine: str,
    *,
    groups: list[str],
    created: str,
    first_contact: str,
    lead_id: str | None,
    hours: BusinessHours | None,
    limit: tuple[float, int | None],
) -> tuple[
    pd.Index[Any],
    IntArray,
    IntArray,
    npt.NDArray[np.float64],
    npt.NDArray[np.timedelta64],
    npt.NDArray[np.timedelta64],
]:
    """Check an engine's leads as the pandas path does and reduce them per group.

    Returns the groups' index (labels in their order, a missing label last: an
    engine's rows have no order of first appearance), the leads, contacted leads and
    leads within the target per group, and the median and 90th-percentile response
    times: what :func:`~salescore.leads._response_table.response_table` needs. The
    options have been checked by :func:`~salescore.leads.response.response_report`.
    """
    if hours is not None:
        raise InvalidInputError(
            "business_hours cannot be computed in an engine (the calendar's holidays and "
            "partial days are counted in NumPy); on an engine frame pass "
            "business_hours=None for elapsed time, or select the by, created and "
            "first_contact columns and pass them as a pandas DataFrame"
        )
    frame = EngineFrame("leads", native, engine)
    frame.require([created, first_contact, *([] if lead_id is None else [lead_id]), *groups])
    for column in (created, first_contact):
        dtype = frame.schema[column]
        if not isinstance(dtype, nw.Datetime):
            raise SchemaError(
                f"leads: column {column!r} must hold datetimes (datetime64); it has dtype "
                f"{dtype} in {engine} (cast it to a datetime first)"
            )
    keys = [_key(position) for position in range(len(groups))] or [_G]
    log = frame.frame.select(
        *([] if lead_id is None else [nw.col(lead_id).alias(_ID)]),
        *(
            [nw.col(column).alias(key) for column, key in zip(groups, keys, strict=True)]
            if groups
            else [nw.lit(0, dtype=nw.Int64).alias(_G)]
        ),
        _utc(created, frame.zone(created)).alias(_S),
        _utc(first_contact, frame.zone(first_contact)).alias(_E),
    )
    # The parts of a missing stamp are read off a stand-in (Dask's integers have no
    # missing values); the stamp's own column says it is missing.
    stand_in = datetime.datetime(2000, 1, 1)
    log = log.with_columns(
        nw.col(column).fill_null(nw.lit(stand_in).cast(_unit(frame.schema[name]))).alias(part)
        for column, name, part in ((_S, created, _SN), (_E, first_contact, _EN))
    )
    log = with_period(log, _SN, None, _DAYS, "D", _SD)
    log = with_period(log, _EN, None, _DAYS, "D", _ED)
    log = log.with_columns(_time_of_day(_SN).alias(_SN), _time_of_day(_EN).alias(_EN))

    def rows(condition: nw.Expr, count: int) -> str:
        """The leads for which ``condition`` holds, as the pandas path names them."""
        if lead_id is None:  # no index in an engine: the rows by their timestamps
            columns = {_S: created, _E: first_contact}
            return frame.rows(log, condition, count, columns)
        return _listed(count, collect(log.filter(condition).select(_ID).head(5)), None)

    undated = nw.col(_S).is_null()
    early = _sure(nw.col(_E) < nw.col(_S))
    # A gap of 2**63 ns needs at least 106,751 days; only then is it measured.
    dated = ~nw.col(_S).is_null() & ~nw.col(_E).is_null()
    longish = dated & _sure((nw.col(_ED) - nw.col(_SD)) >= 106_750)
    found = collect(
        log.select(
            _count(_outside(_SD, _SN)).alias("created"),
            _count(_outside(_ED, _EN)).alias("contact"),
            _count(undated).alias("undated"),
            _count(early).alias("early"),
            _count(longish).alias("longish"),
        )
    ).iloc[0]
    for name, label in (("created", "created"), ("contact", "first_contact")):
        if _number(found, name):
            raise InvalidInputError(
                f"{label} must lie between 1677-09-22 and 2262-04-11 (nanosecond timestamps)"
            )
    if _number(found, "undated"):
        raise InvalidInputError(
            f"{created} is missing for {rows(undated, _number(found, 'undated'))}; a lead "
            "needs the time it came in"
        )
    if _number(found, "early"):
        raise InvalidInputError(
            f"{first_contact} is before {created} for {rows(early, _number(found, 'early'))}"
        )
    if _number(found, "longish"):
        gap = _epoch(_ED, _EN).cast(nw.Float64) - _epoch(_SD, _SN).cast(nw.Float64)
        far = _sure(gap >= 2.0**63)
        many = _number(collect(log.filter(longish).select(_count(far).alias("n"))).iloc[0], "n")
        if many:
            raise InvalidInputError(
                f"{first_contact} is more than 292 years after {created} for "
                f"{rows(longish & far, many)}"
            )

    time = _epoch(_ED, _EN) - _epoch(_SD, _SN)  # of the stand-in where never contacted
    timed = log.select(*keys, time.alias(_T), (~nw.col(_E).is_null()).alias(_C))
    contacted = nw.col(_C)
    minutes, nanoseconds = limit
    if nanoseconds is not None:
        hit = nw.col(_T) <= nanoseconds
    else:  # as the pandas path compares: the float minutes
        hit = nw.col(_T).cast(nw.Float64) / _MINUTE_NS <= minutes
    parts = [
        nw.lit(1, dtype=nw.Int64).alias(_N),
        contacted.cast(nw.Int64).alias(_C),
        (contacted & hit).cast(nw.Int64).alias(_H),
    ]
    # Plain sums of columns made beforehand, as Dask requires of a grouped aggregation.
    counted = timed.select(*keys, *parts)
    sums = [nw.col(_N).sum(), nw.col(_C).sum(), nw.col(_H).sum()]
    table = collect(counted.group_by(*keys, drop_null_keys=False).agg(*sums))
    for key, column in zip(keys, groups, strict=False):
        if isinstance(frame.schema[column], nw.String):
            table[key] = _text(table[key])
    ranks = collect_by_key(timed.filter(contacted).drop(_C), engine, keys[0], _near_quantiles(keys))
    return _reduced(table, ranks, keys, groups)


def _near_quantiles(keys: list[str]) -> Any:
    """The query keeping, per group, the ranks around the median and 90th percentile."""

    def query(part: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
        ranked = part.with_columns(
            nw.col(_T).rank("ordinal").over(*keys).cast(nw.Int64).alias(_R),
            nw.col(_T).count().over(*keys).cast(nw.Int64).alias(_N),
        )
        rank, last = nw.col(_R) - 1, (nw.col(_N) - 1).cast(nw.Float64)
        near = nw.lit(False)
        for q in _QUANTILES:  # one rank of margin either side of the floor and ceiling
            position = last * q
            near = near | ((rank >= position.floor() - 1) & (rank <= position.ceil() + 1))
        return ranked.filter(near).select(*keys, _R, _T)

    return query


def _order(table: pd.DataFrame, keys: list[str]) -> npt.NDArray[np.intp]:
    """The rows of ``table`` by their labels, key by key, a missing label last."""
    ranks = []
    for key in keys:
        labels = table[key].reset_index(drop=True)
        if isinstance(labels.dtype, pd.CategoricalDtype):  # by label, not by category code
            labels = labels.astype(object)
        order = labels.sort_values(na_position="last", kind="stable").index.to_numpy()
        rank = np.empty(len(labels), dtype=np.intp)
        rank[order] = np.arange(len(labels))
        # Equal labels share the rank of the first of them.
        sorted_labels = labels.iloc[order].reset_index(drop=True)
        same = sorted_labels.eq(sorted_labels.shift()) | (
            sorted_labels.isna() & sorted_labels.shift().isna()
        )
        first = np.maximum.accumulate(np.where(same.to_numpy(), 0, np.arange(len(labels))))
        rank[order] = first
        ranks.append(rank)
    return np.lexsort(ranks[::-1]) if ranks else np.arange(0)


def _reduced(
    table: pd.DataFrame, ranks: pd.DataFrame, keys: list[str], groups: list[str]
) -> tuple[
    pd.Index[Any],
    IntArray,
    IntArray,
    npt.NDArray[np.float64],
    npt.NDArray[np.timedelta64],
    npt.NDArray[np.timedelta64],
]:
    """The engine's two tables as the group figures of the pandas path."""
    if not groups:
        if len(table) == 0:  # no leads: the total row without figures
            table = pd.DataFrame({_G: [0], _N: [0], _C: [0], _H: [0]})
        index: pd.Index[Any] = pd.Index([_TOTAL])
    else:
        table = table.iloc[_order(table, keys)].reset_index(drop=True)
        if len(groups) == 1:
            index = pd.Index(table[keys[0]], name=groups[0])
        else:
            # A missing label is a level of its own, as a group-by makes it.
            factors = [pd.factorize(table[key], use_na_sentinel=False) for key in keys]
            levels: list[Any] = [pd.Index(labels) for _, labels in factors]
            codes: list[Any] = [numbers for numbers, _ in factors]
            index = pd.MultiIndex(
                levels=levels,
                codes=codes,
                names=groups,
                verify_integrity=False,
            )
    counts = table[_N].fillna(0).to_numpy(dtype=np.int64)
    reached = table[_C].fillna(0).to_numpy(dtype=np.int64)
    within = table[_H].fillna(0).to_numpy(dtype=np.float64)
    # The kept ranks of each group, found by its keys' row in ``table``.
    lookup = {_label(row): number for number, row in enumerate(table[keys].itertuples(False))}
    values: dict[tuple[int, int], int] = {}
    for row in ranks[[*keys, _R, _T]].itertuples(index=False):
        values[(lookup[_label(row[:-2])], int(row[-2]) - 1)] = int(row[-1])
    quantiles = [_quantile(values, reached, q) for q in _QUANTILES]
    return index, counts, reached, within, quantiles[0], quantiles[1]


def _label(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """Keys that match however an engine returned them (a missing label as None)."""
    return tuple(None if _missing(value) else value for value in values)


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _quantile(
    values: dict[tuple[int, int], int], reached: IntArray, q: float
) -> npt.NDArray[np.timedelta64]:
    """Quantile ``q`` per group from its kept ranks, interpolated as the pandas path does.

    The position is ``q * (n - 1)`` within the group; the pandas path adds the group's
    start in the sorted table first, whose rounding can move a 90th percentile by a
    fraction of a nanosecond times the gap between the two ranks.
    """
    out = np.full(reached.size, _NAT, dtype=np.int64)
    for group, n in enumerate(reached.tolist()):
        if n == 0:
            continue
        position = q * max(n - 1, 0)
        low, high = math.floor(position), math.ceil(position)
        below, above = values[(group, low)], values[(group, high)]
        out[group] = below + int(np.rint((above - below) * (position - low)))
    return out.view("m8[ns]")
