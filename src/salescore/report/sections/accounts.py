"""The Accounts section: tiers by potential, overdue contacts, cold and declining accounts."""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from ... import tiers as _tiers
from ..._tables import plain_sum
from .._plain import table
from ._common import (
    Section,
    _own_words,
)

__all__ = ["accounts_section"]


_TOP: Final = 10


@_own_words
def accounts_section(accounts: pd.DataFrame, *, as_of: pd.Timestamp) -> Section:
    """Tiers by potential, overdue contacts, cold A accounts, declining accounts."""
    section = Section(key="accounts", title="Accounts")
    section.metrics["accounts"] = len(accounts)
    segments = tuple(s for s in ("size", "region", "industry") if s in accounts.columns)
    names = accounts.set_index("account_id")["name"] if "name" in accounts.columns else None
    has_contact = "last_contact" in accounts.columns

    def named(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
        out = frame[["account_id", *columns]].set_index("account_id")
        if names is not None:
            out.insert(0, "name", names.reindex(out.index).to_numpy())
        return out

    if segments and "annual_revenue" in accounts.columns:
        plan = _tiers.tier_accounts(
            accounts,
            today=as_of,
            segments=segments,
            last_contact="last_contact" if has_contact else None,
        )
        section.charts["plan"] = plan
        # Plain sums: pandas 2.2's grouped sum turns an overflow into NaN ("unknown"),
        # where a plain one gives inf, which the section refuses.
        with np.errstate(over="ignore", invalid="ignore"):
            counts = plan.groupby("tier", observed=False).agg(
                accounts=("account_id", "size"),
                revenue=("revenue", plain_sum),
                potential=("potential", plain_sum),
                mean_temperature=("temperature", "mean"),
            )
        bands = pd.crosstab(plan["tier"], plan["band"])
        for band in bands.columns:
            counts[str(band)] = bands[band].reindex(counts.index, fill_value=0).astype(int)
        counts.index = counts.index.astype(str)
        section.tables["tiers"] = table(counts)
        for tier, n in counts["accounts"].items():
            section.metrics[f"tier_{tier}"] = int(n)
        if has_contact:
            overdue = _tiers.overdue_contacts(plan, today=as_of)
            section.metrics["overdue_contacts"] = len(overdue)
            section.metrics["never_contacted"] = int(overdue["last_contact"].isna().sum())
            section.tables["overdue_contacts"] = table(
                named(overdue, ["tier", "last_contact", "days_overdue"]), limit=_TOP
            )
        cold = _tiers.cold_accounts(plan, tiers=("A",))
        section.metrics["cold_a_accounts"] = len(cold)
        section.tables["cold_a_accounts"] = table(
            named(cold, ["revenue", "potential", "temperature"]), limit=_TOP
        )
    else:
        section.notes.append(
            "Tiers need annual_revenue and at least one segment column (size, region, industry)."
        )
    if "previous_revenue" in accounts.columns and "annual_revenue" in accounts.columns:
        declining = _tiers.declining_accounts(accounts).copy()
        declining["lost_revenue"] = declining["previous_revenue"] - declining["annual_revenue"]
        declining = declining.sort_values("lost_revenue", ascending=False)
        section.metrics["declining_accounts"] = len(declining)
        section.metrics["declining_lost_revenue"] = float(declining["lost_revenue"].sum())
        section.tables["declining_accounts"] = table(
            named(declining, ["previous_revenue", "annual_revenue", "revenue_change"]),
            limit=_TOP,
        )
    return section
