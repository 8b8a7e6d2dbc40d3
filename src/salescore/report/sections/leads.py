"""The Leads section: response times against the 5-minute rule, sources, channels, decay."""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd

from ... import leads as _leads
from ..._arrays import utc_naive
from ..._tables import counted
from .._plain import plain, table
from ._common import (
    Section,
    _extent,
    _optional,
    _own_words,
    _utc_naive,
    days_text,
)

__all__ = ["SLA_MINUTES", "leads_section"]


#: The 5-minute rule: the first attempt on a new lead should be within this.
SLA_MINUTES: Final = 5.0
_BANDS: Final = (0.0, 5.0, 10.0, 30.0, 60.0, 240.0, 1440.0, np.inf)
_BAND_LABELS: Final = ("0-5 min", "5-10 min", "10-30 min", "30-60 min", "1-4 h", "4-24 h", "> 24 h")


@_own_words
def leads_section(leads: pd.DataFrame, *, as_of: pd.Timestamp | None = None) -> Section:
    """Response times against the 5-minute rule, sources, channels, decay.

    With ``as_of``, the leads created on or after it are left out (and counted in a
    note): the report looks back from its date.
    """
    section = Section(key="leads", title="Leads")
    leads = _utc_naive(leads, "created", "first_contact")
    if as_of is not None:
        later = leads["created"] >= utc_naive(pd.Timestamp(as_of))
        if later.any():
            n = int(later.sum())
            section.notes.append(
                f"{counted(n, 'lead')} created on or after the report date "
                f"{'is' if n == 1 else 'are'} left out."
            )
            leads = leads.loc[~later]
    first, last = _extent(leads["created"])
    if first is not None and last is not None:
        section.periods["leads"] = days_text(
            first.normalize(), last.normalize() + pd.Timedelta(days=1)
        )
    within = pd.Timedelta(minutes=SLA_MINUTES)
    total = _leads.response_report(
        leads, by=None, within=within, **_optional(leads, "lead_id")
    ).iloc[0]
    section.metrics.update(
        leads=int(total["leads"]),
        contacted=int(total["contacted"]),
        median_response_minutes=plain(total["median_response"]),
        p90_response_minutes=plain(total["p90_response"]),
        share_within_5_minutes=float(total["share_within_sla"]),
        share_never_contacted=float(total["share_never_contacted"]),
    )
    if "owner" in leads.columns:
        owners = _leads.response_report(
            leads, within=within, **_optional(leads, "lead_id")
        ).sort_values("median_response")
        section.tables["response_by_owner"] = table(owners)
    waits: Any = leads["first_contact"] - leads["created"]
    minutes: pd.Series[float] = waits / pd.Timedelta(minutes=1)
    tried = minutes.notna()
    bands = pd.cut(minutes[tried], list(_BANDS), labels=list(_BAND_LABELS), include_lowest=True)
    by_band = pd.DataFrame({"leads": minutes[tried].groupby(bands, observed=False).size()})
    outcome_column = "reached" if "reached" in leads.columns else None
    if outcome_column is not None and bool(leads[outcome_column].isna().any()):
        n = int(leads[outcome_column].isna().sum())
        section.notes.append(
            f"Reach rates left out: {counted(n, 'lead')} {'has' if n == 1 else 'have'} no "
            "'reached' value (a blank is unknown, not false)."
        )
        outcome_column = None
    if outcome_column is not None:
        by_band["reach_rate"] = leads.loc[tried, "reached"].groupby(bands, observed=False).mean()
    if "converted" in leads.columns:
        converted = leads.loc[tried, "converted"].astype(float)
        by_band["conversion_rate"] = converted.groupby(bands, observed=False).mean()
    by_band.index = by_band.index.astype(str)
    by_band.index.name = "response_time"
    section.tables["response_bands"] = table(by_band)
    if "source" in leads.columns and "converted" in leads.columns:
        value = "value" if "value" in leads.columns else None
        sources = _leads.source_performance(leads, value=value, **_optional(leads, "lead_id"))
        section.tables["sources"] = table(sources.sort_values("conversion_rate", ascending=False))
    if "channel" in leads.columns and "converted" in leads.columns:
        channel = leads["channel"]
        attempts = leads[tried].groupby(channel[tried]).size().astype(float)
        if outcome_column is not None:
            contacts = leads.loc[tried, "reached"].groupby(channel[tried]).sum()
        else:
            contacts = attempts
        conversions = leads.loc[tried, "converted"].groupby(channel[tried]).sum()
        effect = _leads.channel_effectiveness(attempts, contacts, conversions)
        channels = pd.DataFrame(
            {
                "attempts": attempts.astype(int),
                "contact_rate": effect.contact_rate,
                "conversion_rate": effect.conversion_rate,
                "yield_per_attempt": effect.yield_per_attempt,
            }
        )
        channels.index.name = "channel"
        section.tables["channels"] = table(channels)
    outcome = (
        leads.loc[tried, outcome_column or "converted"]
        if (outcome_column or "converted" in leads.columns)
        else None
    )
    if outcome is not None and int(tried.sum()) >= 30 and outcome.nunique() == 2:
        fit = _leads.fit_decay(minutes[tried], outcome.astype(bool), reference=SLA_MINUTES)
        section.metrics["decay_exponent"] = -float(fit.slope)
        section.metrics["decay_outcome"] = outcome_column or "converted"
        section.charts["decay_fit"] = fit
        labels = [5, 10, 30, 60, 240, 1440, 2880]
        observed_bands = pd.cut(
            minutes[tried],
            [0.0, 5, 10, 30, 60, 240, 1440, 2880],
            labels=labels,
            include_lowest=True,
        )
        section.charts["decay_observed"] = (
            outcome.astype(float).groupby(observed_bands, observed=True).mean()
        )
    return section
