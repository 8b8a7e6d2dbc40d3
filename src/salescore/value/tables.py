"""Which acquisition source brings the most profitable customers? The table function.

:func:`profitability_by_source` takes a table with one row per won customer (a pandas
DataFrame or an engine's frame) and returns one row per acquisition source, from the
per-customer time cost and profit of :mod:`salescore.value.acquisition`.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from .. import schema
from .._arrays import option_number
from .._tables import float_column, option_column
from ..engines import Table, engine_name
from ..errors import InvalidInputError
from .acquisition import sale_profit, time_cost

__all__ = ["profitability_by_source"]


# The table of won customers is not a canonical table: the kinds of its columns.
_CUSTOMER_KINDS: Final = {
    "source": "text",
    "value": "number",
    "hours": "number",
    "hourly_cost": "number",
}


def profitability_by_source(
    customers: Table,
    *,
    source: str = "source",
    value: str = "value",
    hours: str = "hours",
    hourly_cost: float | str,
) -> pd.DataFrame:
    r"""Profit of won customers per acquisition source, most profitable first.

    The exercise of Alexander Slotte's article on the profitability of a sale (Top of
    Heart): take your last customers (say, the last 10), note how each came in — an
    existing customer, a referral, a cold prospect — what each is worth and how many
    selling hours each took, and compare the sources. Select the customers first, for
    example ``won.nlargest(10, "won_date")``.

    Parameters
    ----------
    customers : DataFrame or engine frame
        One row per won customer. A pandas DataFrame, or a frame of Polars (eager or
        lazy), DuckDB, Dask or PySpark, which is reduced in its engine to one row per
        source (see :doc:`/guides/scale`).
    source : str, keyword-only, default "source"
        Column with the acquisition source (any hashable labels; a missing source
        forms its own group, labelled NaN, rather than being dropped). On an engine
        frame, categories come back as their labels (text), not as a categorical index.
    value : str, keyword-only, default "value"
        Column with each customer's value (for example a CLV), numeric.
    hours : str, keyword-only, default "hours"
        Column with the selling hours each customer took, numeric, >= 0.
    hourly_cost : float or str, keyword-only
        Loaded cost of one selling hour, as one number for everyone or the name of a
        column (per seller or per customer), >= 0. Give a column name rather than a
        list or Series, so that costs cannot be matched to customers by position.

    Returns
    -------
    DataFrame
        Indexed by source, sorted by ``mean_profit`` descending (ties keep the order
        of first appearance), with columns ``customers`` (count), ``total_value``,
        ``mean_value``, ``mean_hours``, ``mean_time_cost``, ``mean_profit`` and
        ``total_profit``. A source with a NaN input has NaN in the affected columns
        (a null of an engine counts as NaN). On an engine frame, whose rows have no
        order, sources of equal ``mean_profit`` are in the order of their labels
        instead (sorted as Python sorts them, a missing source last).

    Raises
    ------
    SchemaError
        A named column is missing or not numeric (booleans are not); on an engine
        frame, a source column of lists or structs.
    InvalidInputError
        Negative or infinite hours or hourly cost; an infinite value; a time cost or a
        profit, or a source's totals, beyond float range (about 1.8e308); a column
        option that is not a column name. On an engine frame the message names the
        rows concerned by their source and the values in question, rather than by
        position; an engine whose partial sums overflow refuses a source's totals
        where pandas, adding in another order, may still find them within range.

    See Also
    --------
    sale_profit : the per-customer profit summarised here.

    Notes
    -----
    For each customer :math:`i`, :math:`\pi_i = V_i - h_i\, c_i` (:func:`sale_profit`);
    each source's columns are counts, sums and means of :math:`V_i`, :math:`h_i`,
    :math:`h_i c_i` and :math:`\pi_i` over its customers.

    References
    ----------
    .. [1] A. Slotte (Top of Heart), article for sales managers on the profitability of
       a sale (Swedish): "look at your last 10 customers". See Sources in the
       documentation.

    Examples
    --------
    >>> import pandas as pd
    >>> import salescore
    >>> last = pd.DataFrame({
    ...     "source": ["cold", "referral", "existing", "cold", "referral"],
    ...     "value": [9_000.0, 8_000.0, 6_000.0, 7_000.0, 9_000.0],
    ...     "hours": [60.0, 10.0, 4.0, 40.0, 6.0],
    ... })
    >>> table = salescore.profitability_by_source(last, hourly_cost=50.0)
    >>> table[["customers", "mean_value", "mean_hours", "mean_profit"]]
              customers  mean_value  mean_hours  mean_profit
    source
    referral          2      8500.0         8.0       8100.0
    existing          1      6000.0         4.0       5800.0
    cold              2      8000.0        50.0       5500.0
    """
    for name, column in (("source", source), ("value", value), ("hours", hours)):
        option_column(name, column)
    engine = engine_name(customers)
    if engine is not None:
        from ._engine import source_sums

        counts, sums = source_sums(
            customers, engine, source=source, value=value, hours=hours, hourly_cost=hourly_cost
        )
        return _profit_table(counts, sums, source)
    read = {"source": source, "value": value, "hours": hours}
    if isinstance(hourly_cost, str):
        read["hourly_cost"] = hourly_cost
    schema.check_columns(customers, "customers", read, kinds=_CUSTOMER_KINDS)
    rate: float | pd.Series[float]
    if isinstance(hourly_cost, str):
        rate = float_column(customers, hourly_cost)
    else:
        rate = option_number("hourly_cost", hourly_cost)
    values = float_column(customers, value)
    hours_ = float_column(customers, hours)
    parts = pd.DataFrame(
        {
            "value": values,
            "hours": hours_,
            "cost": time_cost(hours_, rate),
            "profit": sale_profit(values, hours_, rate),
        }
    )
    keys = customers[source]
    # observed=True: unused categories of a categorical source are not customers.
    grouped = parts.groupby(keys, sort=False, dropna=False, observed=True)
    # GroupBy sums skip NaN; the NaN policy wants it to reach the group's figures.
    has_nan = parts.isna().groupby(keys, sort=False, dropna=False, observed=True).any()
    with np.errstate(over="ignore"):  # an overflowing sum is refused just below
        totals = grouped.sum().where(~has_nan)
    return _profit_table(grouped.size(), totals, source)


def _profit_table(counts: pd.Series[int], totals: pd.DataFrame, source: str) -> pd.DataFrame:
    """The table of :func:`profitability_by_source` from its sources' sizes and sums.

    ``totals`` holds the sums of the columns ``value``, ``hours``, ``cost`` and
    ``profit`` on the index of ``counts`` (NaN where a customer misses the figure,
    infinite where the sum is beyond float range); sources of equal mean profit keep
    the order of that index.
    """
    if np.isinf(totals.to_numpy(dtype=np.float64)).any():  # finite parts: a sum overflowed
        raise InvalidInputError(
            "the totals of a source are beyond float range (about 1.8e308); rescale the "
            "values and costs, for example to thousands"
        )
    table = pd.DataFrame(
        {
            "customers": counts.astype("int64"),
            "total_value": totals["value"],
            "mean_value": totals["value"] / counts,
            "mean_hours": totals["hours"] / counts,
            "mean_time_cost": totals["cost"] / counts,
            "mean_profit": totals["profit"] / counts,
            "total_profit": totals["profit"],
        }
    )
    table.index.name = source
    return table.sort_values("mean_profit", ascending=False, kind="stable")
