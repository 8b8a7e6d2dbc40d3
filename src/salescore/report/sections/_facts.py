"""The facts of a transactions log the Retention and Value sections read."""

from __future__ import annotations

import attrs
import pandas as pd

__all__ = ["TransactionFacts"]


@attrs.frozen(kw_only=True)
class TransactionFacts:
    """The facts of a transactions log that the Retention and Value sections report."""

    extent: tuple[pd.Timestamp | None, pd.Timestamp | None]  # first and last date
    later: int  # rows dated on or after the report date
    previous: pd.Series[float]  # revenue per customer in the 12 months before the last 12
    current: pd.Series[float]  # and in the last 12 (one index: who bought in either)
    new_customers: int  # customers whose first purchase is in the last 12 months
    monthly: pd.DataFrame | None  # retention_by_period up to the last full month
    cohorts: pd.DataFrame | None  # cohort_retention by quarter, before the report date
