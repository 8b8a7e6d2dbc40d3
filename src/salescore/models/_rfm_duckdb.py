"""The per-customer step of the RFM summary written for DuckDB: one grouping, no window.

The engine-neutral query finds each customer's first period with a grouped window
and then sums the repeat periods; in DuckDB the window costs as much as the rest of
the query. Here the pairs (customer, period) are grouped once, and the repeat total
is the calibration total less the first period's (``arg_min``). That subtraction
loses digits when the first purchase dwarfs the repeats, so wherever the first
period's total exceeds :data:`_CANCELLATION` times the difference, those customers'
repeat totals are summed again directly, from their rows alone. The result has the
columns of the engine-neutral query, so the rest of the summary is shared.
"""

from __future__ import annotations

from typing import Any, Final

import narwhals as nw
import numpy as np
import pandas as pd

__all__ = ["duckdb_per_customer"]

# Above this ratio of the first period's total to the repeat total, the difference
# may have lost more than 2**-43 (about 1e-13) of its value: it is summed again.
_CANCELLATION: Final = 1024.0


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def duckdb_per_customer(
    rows: nw.LazyFrame[Any],
    customer: str,
    period: str,
    summed: list[str],
    floats: list[str],
    cut: int,
    holdout: bool,
) -> pd.DataFrame:
    """One row per customer who bought by ``cut``: ``first``, ``last``, ``bought``, sums.

    ``rows`` holds ``customer``, ``period`` and the ``summed`` columns (``floats`` of
    them are amounts, the rest counts). The columns returned are those of the
    engine-neutral query: ``repeat_<column>`` for each summed column and, with
    ``holdout``, ``held`` and ``holdout_<column>``. Without ``holdout`` every period
    is at most ``cut`` (the caller has refused later ones), so nothing is filtered.
    """
    relation: Any = rows.to_native()
    c, p = _quoted(customer), _quoted(period)
    within = f" FILTER (WHERE {p} <= {cut})" if holdout else ""
    sums = ", ".join(f"SUM({_quoted(column)}) AS {_quoted(column)}" for column in summed)
    measures = [
        f"{c} AS {c}",
        f'MIN({p}) AS "first"',
        f"MAX({p}){within} AS last",
        f"COUNT(*){within} AS bought",
    ]
    for column in summed:
        name = _quoted(column)
        kind = "DOUBLE" if column in floats else "BIGINT"
        total = f"COALESCE(SUM({name}){within}, 0)" if holdout else f"SUM({name})"
        measures.append(f"CAST({total} AS {kind}) AS {_quoted('calibration_' + column)}")
        measures.append(f"CAST(arg_min({name}, {p}) AS {kind}) AS {_quoted('first_' + column)}")
    if holdout:
        measures.append(f"COUNT(*) FILTER (WHERE {p} > {cut}) AS held")
        for column in summed:
            kind = "DOUBLE" if column in floats else "BIGINT"
            measures.append(
                f"CAST(COALESCE(SUM({_quoted(column)}) FILTER (WHERE {p} > {cut}), 0) AS {kind}) "
                f"AS {_quoted('holdout_' + column)}"
            )
    query = (
        f"WITH pairs AS (SELECT {c}, {p}, {sums} FROM rows GROUP BY {c}, {p}) "
        f"SELECT {', '.join(measures)} FROM pairs GROUP BY {c}"
        + (f" HAVING MIN({p}) <= {cut}" if holdout else "")
        + f" ORDER BY {c}"
    )
    table: pd.DataFrame = relation.query("rows", query).df()
    suspect = np.zeros(len(table), dtype=bool)
    for column in summed:
        calibration = table.pop("calibration_" + column).to_numpy()
        first = table.pop("first_" + column).to_numpy()
        repeat = calibration - first
        table["repeat_" + column] = repeat
        if column in floats:
            suspect |= (table["bought"].to_numpy() > 1) & (first > _CANCELLATION * repeat)
    if suspect.any():
        _sum_again(relation, table, suspect, customer, period, floats, cut)
    return table


def _sum_again(
    relation: Any,
    table: pd.DataFrame,
    suspect: np.ndarray[Any, np.dtype[np.bool_]],
    customer: str,
    period: str,
    floats: list[str],
    cut: int,
) -> None:
    """The repeat totals of the ``suspect`` customers, summed directly, into ``table``."""
    import duckdb

    c, p = _quoted(customer), _quoted(period)
    ids = table.loc[suspect, customer].tolist()
    chosen = relation.filter(
        duckdb.ColumnExpression(customer).isin(*(duckdb.ConstantExpression(i) for i in ids))
    )
    sums = ", ".join(
        f'COALESCE(SUM({_quoted(column)}) FILTER (WHERE {p} > "first" AND {p} <= {cut}), 0) '
        f"AS {_quoted('repeat_' + column)}"
        for column in floats
    )
    query = (
        f"WITH pairs AS (SELECT {c}, {p}, "
        + ", ".join(f"SUM({_quoted(column)}) AS {_quoted(column)}" for column in floats)
        + f" FROM rows GROUP BY {c}, {p}), "
        f'firsts AS (SELECT {c}, MIN({p}) AS "first" FROM pairs GROUP BY {c}) '
        f"SELECT pairs.{c} AS {c}, {sums} FROM pairs JOIN firsts ON pairs.{c} = firsts.{c} "
        f"GROUP BY pairs.{c}"
    )
    again = chosen.query("rows", query).df().set_index(customer)
    positions = np.flatnonzero(suspect)
    for column in floats:
        name = "repeat_" + column
        values = again[name].reindex(table[customer].iloc[positions]).to_numpy(dtype=np.float64)
        table.loc[table.index[positions], name] = values
