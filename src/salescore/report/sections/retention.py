"""The Retention section: renewal, revenue retention, the revenue bridge, cohorts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ... import retention as _retention
from ..._arrays import utc_naive
from ..._tables import counted
from .._plain import table
from ._common import (
    Section,
    _join,
    _months,
    _own_words,
    _year_caveats,
)
from ._transactions import transaction_facts

__all__ = ["retention_section"]


@_own_words
def retention_section(
    transactions: pd.DataFrame | None, accounts: pd.DataFrame | None, *, as_of: pd.Timestamp
) -> Section:
    """Renewal, gross and net revenue retention, the revenue bridge, cohorts.

    Parameters
    ----------
    transactions : DataFrame or None
        Canonical transactions (``customer_id``, ``date``, ``amount``).
    accounts : DataFrame or None
        Canonical accounts; read for ``previous_revenue`` and ``annual_revenue``
        when there are no transactions.
    as_of : Timestamp, keyword-only
        The report date; records dated before it count.

    Returns
    -------
    Section
        Metrics, caveats, ``periods`` (``months``, ``prior_months``), notes and the
        tables ``cohorts`` and ``revenue_bridge``; empty without data.

    Raises
    ------
    SalescoreError
        Transactions a table function rejects.

    Notes
    -----
    From transactions, ``months`` are the 12 full calendar months before the month
    of ``as_of`` and ``prior_months`` the 12 before; a month without purchases counts
    as a month without customers. A window that begins before the first transaction
    (or after the last) is flagged beside each figure computed from it. Accounts
    without both revenues are left out of the accounts' bridge with a note.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({
    ...     "customer_id": ["A", "A", "B"],
    ...     "date": pd.to_datetime(["2024-12-23", "2025-05-01", "2025-06-01"]),
    ...     "amount": [100.0, 1_000.0, 500.0],
    ... })
    >>> section = retention_section(tx, None, as_of=pd.Timestamp("2026-01-01"))
    >>> section.metrics["nrr"]
    10.0
    >>> section.caveats["nrr"]
    'Jan–Dec 2024: the transactions begin on 23 Dec 2024, so 9 of its 366 days have data'
    """
    section = Section(key="retention", title="Retention")
    as_of = utc_naive(as_of)
    year_keys = ("customers_last_year", "renewed", "renewal_rate", "grr", "nrr", "quick_ratio")
    if transactions is not None:
        facts = transaction_facts(transactions, as_of, monthly=True, cohorts=True)
        prior_caveat, last_caveat = _year_caveats(section, facts.extent, facts.later, as_of)
        section.flag(_join(prior_caveat, last_caveat), *year_keys)
        previous, current = facts.previous, facts.current
        due = int((previous > 0).sum())
        renewed = int(((previous > 0) & (current > 0)).sum())
        section.metrics["customers_last_year"] = due
        section.metrics["renewed"] = renewed
        section.metrics["renewal_rate"] = float(_retention.renewal_rate(renewed, due))
        _monthly_retention(section, facts.monthly, as_of, last_caveat)
        if facts.cohorts is not None:
            cohorts = facts.cohorts
            section.charts["cohorts"] = cohorts
            shown = cohorts.copy()
            shown.columns = [f"q{c}" for c in shown.columns]
            section.tables["cohorts"] = table(shown)
    elif accounts is not None and {"previous_revenue", "annual_revenue"} <= set(accounts.columns):
        section.periods.update(months="annual_revenue", prior_months="previous_revenue")
        known = accounts["previous_revenue"].notna() & accounts["annual_revenue"].notna()
        if not known.all():
            section.notes.append(
                f"{counted(int((~known).sum()), 'account')} without both previous_revenue and "
                "annual_revenue left out of revenue retention."
            )
        previous = accounts.loc[known, "previous_revenue"].astype(float)
        current = accounts.loc[known, "annual_revenue"].astype(float)
        section.notes.append("Revenue retention from the accounts' revenue of two years.")
    else:
        return section
    bridge = _retention.revenue_bridge(previous, current)
    section.metrics.update(
        grr=float(bridge.grr),
        nrr=float(bridge.nrr),
        quick_ratio=float(bridge.quick_ratio),
    )
    frame = bridge.to_series().to_frame("revenue")
    frame.index.name = "component"
    section.tables["revenue_bridge"] = table(frame)
    return section


def _monthly_retention(
    section: Section, monthly: pd.DataFrame | None, as_of: pd.Timestamp, caveat: str | None
) -> None:
    """Means of the monthly retention and churn rates over the 12 months before ``as_of``'s.

    ``monthly`` is the retention by month up to the last of them (None: no transaction
    before its end).
    """
    months = _months(as_of)
    rates = pd.DataFrame(
        {"retention_rate": np.nan, "churn_rate": np.nan}, index=months, dtype=np.float64
    )
    if monthly is not None:
        rates = monthly[["retention_rate", "churn_rate"]].reindex(months)
    counted = int(rates["retention_rate"].notna().sum())
    section.metrics["monthly_retention"] = float(rates["retention_rate"].mean())
    section.metrics["monthly_churn"] = float(rates["churn_rate"].mean())
    if counted < len(months):
        caveat = _join(
            caveat,
            f"mean of {counted} of the {len(months)} months (the others began with no "
            "customer of the month before)",
        )
    section.flag(caveat, "monthly_retention", "monthly_churn")
