"""Won customers of a table held by an engine (Polars, DuckDB, Dask, Spark), summed there.

The customers are checked by one query run where they live, counting every row the
pandas path refuses (negative or infinite hours or hourly costs, infinite values, a
time cost or a profit beyond float range), and only when something is wrong does a
second query fetch a few of those rows to name. One more query then reduces the
customers to one row per acquisition source with their number, the sums of their
values, hours, time costs and profits, and how many of each are missing (null or
NaN). Only that table comes back to pandas, where
:func:`~salescore.profitability_by_source` finishes it with the same code as for a
pandas frame.
"""

from __future__ import annotations

from typing import Final

import narwhals as nw
import numpy as np
import pandas as pd

from .._arrays import check_nonnegative, option_number
from ..engines._frames import EngineFrame, collect
from ..engines._frames import count_true as _count
from ..engines._frames import found_count as _number
from ..engines._frames import pandas_text as _text
from ..engines._frames import sure as _sure
from ..errors import InvalidInputError, SchemaError

__all__ = ["PARTS", "source_sums"]

#: The per-customer figures summed per source, as the pandas path names them.
PARTS: Final = ("value", "hours", "cost", "profit")

# Column names inside the engine's queries.
_SRC, _V, _H, _C = (
    "__salescore_source",
    "__salescore_value",
    "__salescore_hours",
    "__salescore_rate",
)
_N = "__salescore_customers"
_SUM: Final = {part: f"__salescore_sum_{part}" for part in PARTS}
_NAN: Final = {part: f"__salescore_nan_{part}" for part in PARTS}

# The words of the pandas path's messages (salescore._arrays).
_FINITE_RANGE: Final = "within float range (at most about 1.8e308 in magnitude)"
_BEYOND: Final = "these inputs give a result beyond it"


def _missing(column: nw.Expr) -> nw.Expr:
    """Where a float column is missing: null, or NaN (which pandas reads alike)."""
    return column.is_null() | _sure(column.is_nan())


def _infinite(column: nw.Expr) -> nw.Expr:
    """Where a float column holds an infinity (missing values are not)."""
    return ~_missing(column) & _sure(~column.is_finite())


def _check_columns(frame: EngineFrame, read: dict[str, str], engine: str) -> None:
    """The pandas path's ``check_columns``: every problem of the columns in one error.

    Missing columns, then each column read as a number that does not hold numbers
    (booleans do not), and a source of lists or structs, which pandas cannot group.
    """
    wanted = list(dict.fromkeys(read.values()))
    problems: list[str] = []
    missing = [name for name in wanted if name not in frame.schema]
    if missing:
        problems.append(
            f"missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(map(repr, missing))} (it has {list(frame.schema)!r}); "
            "pass the names your table uses as keyword arguments"
        )
    numbers = {name for option, name in read.items() if option != "source"}
    for name in wanted:
        if name in missing:
            continue
        dtype = frame.schema[name]
        if name in numbers and not dtype.is_numeric():
            problems.append(
                f"column {name!r} has dtype {dtype} in {engine}; it must be numeric (float64)"
            )
        elif name not in numbers and isinstance(dtype, (nw.List, nw.Array, nw.Struct)):
            problems.append(
                f"column {name!r} must hold single values (text, numbers, ids), not lists, "
                f"dicts or sets; it has dtype {dtype} in {engine}"
            )
    if len(problems) == 1:
        raise SchemaError(f"{frame.table}: {problems[0]}")
    if problems:
        listed = "\n".join(f"- {problem}" for problem in problems)
        raise SchemaError(f"{frame.table}: {len(problems)} problems:\n{listed}")


def source_sums(
    native: object,
    engine: str,
    *,
    source: str,
    value: str,
    hours: str,
    hourly_cost: object,
) -> tuple[pd.Series[int], pd.DataFrame]:
    """Check an engine's won customers as the pandas path does and sum them per source.

    Returns the number of customers of each source (int64) and the sums of
    :data:`PARTS` (float64), NaN where a customer of the source misses the figure and
    infinite where the sum is beyond float range, both indexed by source in the
    order of the labels (a missing source last): an engine's rows have no order of
    first appearance. The column options have been checked by
    :func:`~salescore.profitability_by_source`.
    """
    frame = EngineFrame("customers", native, engine)
    read = {"source": source, "value": value, "hours": hours}
    if isinstance(hourly_cost, str):
        read["hourly_cost"] = hourly_cost
    _check_columns(frame, read, engine)
    rate = None if isinstance(hourly_cost, str) else option_number("hourly_cost", hourly_cost)
    # A rate the pandas path refuses after the hours is not put into the queries.
    usable = rate is not None and 0.0 <= rate < np.inf
    if isinstance(hourly_cost, str):
        per_hour = nw.col(hourly_cost).cast(nw.Float64)
    else:
        per_hour = nw.lit(rate if usable else 0.0, dtype=nw.Float64)
    categories = isinstance(frame.schema[source], (nw.Categorical, nw.Enum))
    text = categories or isinstance(frame.schema[source], nw.String)
    log = frame.frame.select(
        # Categories are grouped by their labels, which come back as text.
        (nw.col(source).cast(nw.String) if categories else nw.col(source)).alias(_SRC),
        nw.col(value).cast(nw.Float64).alias(_V),
        nw.col(hours).cast(nw.Float64).alias(_H),
        per_hour.alias(_C),
    )
    names = {_V: value, _H: hours, _C: str(hourly_cost)}

    def rows(condition: nw.Expr, count: int, shown: list[str]) -> str:
        columns = {_SRC: source} | {column: names[column] for column in shown}
        if rate is not None:
            columns.pop(_C, None)
        return frame.rows(log, condition, count, columns)

    amount, spent, per = nw.col(_V), nw.col(_H), nw.col(_C)
    cost = spent * per
    profit = amount - cost
    negative = {
        column: ~_missing(nw.col(column))
        & _sure(~nw.col(column).is_finite() | (nw.col(column) < 0.0))
        for column in (_H, _C)
    }
    checks = {
        "hours": negative[_H],
        "hourly_cost": negative[_C],
        "cost": _infinite(cost),
        "value": _infinite(amount),
        "profit": _infinite(profit),
    }
    found = collect(log.select(*(_count(bad).alias(name) for name, bad in checks.items())))
    counts = {name: _number(found.iloc[0], name) for name in checks}
    if counts["hours"]:
        where = rows(checks["hours"], counts["hours"], [_H])
        raise InvalidInputError(f"hours must be a finite number >= 0; not so for {where}")
    if rate is not None:
        check_nonnegative("hourly_cost", rate)
    elif counts["hourly_cost"]:
        where = rows(checks["hourly_cost"], counts["hourly_cost"], [_C])
        raise InvalidInputError(f"hourly_cost must be a finite number >= 0; not so for {where}")
    if counts["cost"]:
        where = rows(checks["cost"], counts["cost"], [_H, _C])
        raise InvalidInputError(
            f"the time cost (hours × hourly_cost) must be {_FINITE_RANGE}; not so for "
            f"{where}: {_BEYOND}"
        )
    if counts["value"]:
        where = rows(checks["value"], counts["value"], [_V])
        raise InvalidInputError(f"value must be finite; not so for {where}")
    if counts["profit"]:
        where = rows(checks["profit"], counts["profit"], [_V, _H, _C])
        raise InvalidInputError(
            f"the profit (value − hours × hourly_cost) must be {_FINITE_RANGE}; not so for "
            f"{where}: {_BEYOND}"
        )

    figures = dict(zip(PARTS, (amount, spent, cost, profit), strict=True))
    parts: list[nw.Expr] = [nw.col(_SRC), nw.lit(1, dtype=nw.Int64).alias(_N)]
    for part, figure in figures.items():
        gone = _missing(figure)
        # A missing figure adds nothing; its count makes the source's sum NaN below.
        parts.append(nw.when(gone).then(nw.lit(0.0)).otherwise(figure).alias(_SUM[part]))
        parts.append(gone.cast(nw.Int64).alias(_NAN[part]))
    sums = [nw.col(_N).sum()]
    for part in PARTS:
        sums += [nw.col(_SUM[part]).sum(), nw.col(_NAN[part]).sum()]
    # Plain sums of columns made beforehand, as Dask requires of a grouped aggregation.
    table = collect(log.select(*parts).group_by(_SRC).agg(*sums))
    return _pandas_sums(table, source, text=text)


def _pandas_sums(
    table: pd.DataFrame, source: str, *, text: bool
) -> tuple[pd.Series[int], pd.DataFrame]:
    """The engine's reduced table as the pandas path's group sizes and sums.

    The sources are put in the order of their labels (a missing source last).
    """
    labels = table[_SRC].reset_index(drop=True)
    if text:
        labels = _text(labels)
    ordered = labels.astype(object) if isinstance(labels.dtype, pd.CategoricalDtype) else labels
    order = ordered.sort_values(na_position="last", kind="stable").index
    table = table.iloc[order].reset_index(drop=True)
    index = pd.Index(labels.iloc[order].reset_index(drop=True), name=source)
    totals = {}
    for part in PARTS:
        total = table[_SUM[part]].to_numpy(dtype=np.float64, na_value=np.nan)
        # The figures summed are finite: NaN is a sum that overflowed (Dask adds as
        # pandas does, with Kahan's compensation: inf - inf).
        total = np.where(np.isnan(total), np.inf, total)
        unknown = table[_NAN[part]].fillna(0).to_numpy(dtype=np.int64) > 0
        totals[part] = np.where(unknown, np.nan, total)
    sizes = pd.Series(table[_N].to_numpy(dtype=np.int64), index=index)
    return sizes, pd.DataFrame(totals, index=index)
