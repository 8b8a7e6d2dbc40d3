"""The Value section: CLV, CAC, CLV:CAC and payback."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ... import retention as _retention
from ... import value as _value
from ..._arrays import utc_naive
from ._common import (
    Section,
    _join,
    _own_words,
    _year_caveats,
)
from ._transactions import transaction_facts

__all__ = ["value_section"]


@_own_words
def value_section(
    transactions: pd.DataFrame,
    *,
    as_of: pd.Timestamp,
    sellers: float,
    margin: float,
    seller_cost: float,
    discount_rate: float,
) -> Section:
    """CLV, CAC, CLV:CAC and payback from the transactions and the assumptions.

    Parameters
    ----------
    transactions : DataFrame
        Canonical transactions (``customer_id``, ``date``, ``amount``).
    as_of : Timestamp, keyword-only
        The report date; records dated before it count.
    sellers, margin, seller_cost, discount_rate : float, keyword-only
        Sellers in the year, gross margin (fraction of revenue), cost of a seller a
        year, and the yearly discount rate of CLV.

    Returns
    -------
    Section
        Metrics, caveats, ``periods`` (``months``, ``prior_months``) and notes that
        state the assumptions.

    Raises
    ------
    SalescoreError
        An assumption a formula function rejects.

    Notes
    -----
    The year is the 12 full calendar months before the month of ``as_of``
    (``months``); retention compares it with the 12 before. A customer is new when
    the data hold no earlier purchase, so a year the data do not reach back before
    is flagged beside the new customers and CAC.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({
    ...     "customer_id": ["A", "A", "B"],
    ...     "date": pd.to_datetime(["2024-03-01", "2025-03-01", "2025-06-01"]),
    ...     "amount": [100.0, 100.0, 300.0],
    ... })
    >>> m = value_section(tx, as_of=pd.Timestamp("2026-01-01"), sellers=1.0, margin=0.5,
    ...                   seller_cost=1_000.0, discount_rate=0.1).metrics
    >>> m["active_customers"], m["revenue_per_customer"], m["new_customers"], m["cac"]
    (2, 200.0, 1, 1000.0)
    """
    section = Section(key="value", title="Value")
    as_of = utc_naive(as_of)
    facts = transaction_facts(transactions, as_of, monthly=False, cohorts=False)
    prior_caveat, last_caveat = _year_caveats(section, facts.extent, facts.later, as_of)
    previous, current = facts.previous, facts.current
    active = int((current > 0).sum())
    due = int((previous > 0).sum())
    retention = float(_retention.renewal_rate(int(((previous > 0) & (current > 0)).sum()), due))
    revenue = float(current[current > 0].mean()) if active else np.nan
    annual_margin = revenue * margin
    new_customers = facts.new_customers
    spend = sellers * seller_cost
    lifetime_value = (
        float(_value.clv(annual_margin, retention, discount_rate)) if retention < 1 else np.nan
    )
    cac = float(_value.acquisition_cost(spend, new_customers))
    section.metrics.update(
        active_customers=active,
        revenue_per_customer=revenue,
        margin_per_customer=annual_margin,
        annual_retention=retention,
        expected_lifetime_years=float(_value.expected_lifetime(retention))
        if retention < 1
        else np.nan,
        clv=lifetime_value,
        new_customers=new_customers,
        sales_cost=spend,
        cac=cac,
        clv_cac=float(_value.clv_cac_ratio(lifetime_value, cac)),
        payback_months=float(_value.cac_payback(cac, annual_margin / 12.0)),
    )
    section.flag(last_caveat, "active_customers", "revenue_per_customer", "margin_per_customer")
    section.flag(
        _join(prior_caveat, last_caveat),
        "annual_retention",
        "expected_lifetime_years",
        "clv",
        "clv_cac",
    )
    # A customer is new when the data hold no earlier purchase: data that begin in or
    # just before the year make old customers look new.
    section.flag(_join(prior_caveat, last_caveat), "new_customers", "cac", "payback_months")
    section.notes += [
        f"Assumed gross margin {margin:.0%} of revenue (--margin).",
        f"Assumed cost of a seller {seller_cost:,.0f} a year (--seller-cost), "
        f"{f'{sellers:g}' if np.isfinite(sellers) else 'an unknown number of'} sellers, all "
        f"charged to the year's {new_customers} new customers "
        "(CAC is an upper bound: sellers also serve existing customers).",
        f"CLV discounts margin at {discount_rate:.0%} a year, retained at the year's renewal "
        "rate, margin paid at the end of each year.",
    ]
    return section
