"""What the Retention and Value sections read from the transactions, in pandas or an engine.

Both sections need the same few facts of the transactions log: its first and last
date, how many rows are dated on or after the report date, each customer's revenue in
the last 12 full months and the 12 before, how many customers bought for the first
time in the last 12 months, and for the Retention section the monthly retention
table and the quarterly cohorts. :func:`transaction_facts` computes them from a
pandas DataFrame exactly as the sections always have, or, from a frame of Polars,
DuckDB, Dask or PySpark, with queries run in that engine: only per-customer sums and
small tables come back, so a log larger than memory can be reported on (see
:mod:`._transactions_engine`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ... import retention as _retention
from ...engines import engine_name
from ._common import _bounds, _extent, _months, _utc_naive, _windows
from ._facts import TransactionFacts

__all__ = ["transaction_facts"]


def transaction_facts(
    transactions: Any, as_of: pd.Timestamp, *, monthly: bool, cohorts: bool
) -> TransactionFacts:
    """The facts of canonical ``transactions`` (a DataFrame, checked, or an engine frame).

    ``as_of`` is naive UTC. ``monthly`` and ``cohorts`` ask for those two tables
    (None when not asked, or when no transaction is early enough for them).
    """
    engine = engine_name(transactions)
    if engine is not None:
        from ._transactions_engine import engine_facts

        return engine_facts(transactions, engine, as_of, monthly=monthly, cohorts=cohorts)
    transactions = _utc_naive(transactions, "date")
    dates = transactions["date"]
    start, end = _bounds(_months(as_of))
    previous, current = _windows(transactions, as_of)
    first = transactions.groupby("customer_id")["date"].min()
    monthly_table = None
    if monthly:
        before = transactions[dates < end]
        if len(before):
            monthly_table = _retention.retention_by_period(before, end=_months(as_of)[-1])
    cohort_table = None
    if cohorts:
        before = transactions[dates < as_of]
        if len(before):
            cohort_table = _retention.cohort_retention(before, freq="Q")
    return TransactionFacts(
        extent=_extent(dates),
        later=int((dates >= as_of).sum()),
        previous=previous,
        current=current,
        new_customers=int(((first >= start) & (first < end)).sum()),
        monthly=monthly_table,
        cohorts=cohort_table,
    )
