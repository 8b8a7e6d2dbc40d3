"""The report's sections, each a pure function of canonical frames.

Each function returns a :class:`Section`: named metrics (plain numbers under stable
keys, see ``docs/report-json.md``), small tables, notes for the reader (assumptions,
rows left out), and the library's own results for the charts. Every number comes from
one of salescore's table or formula functions; nothing here reads a file or prints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs
import numpy as np
import pandas as pd

from .. import leads as _leads
from .. import pipeline as _pipeline
from .. import retention as _retention
from .. import team as _team
from .. import tiers as _tiers
from .. import value as _value
from ..errors import SalescoreError
from ._plain import plain, table

__all__ = [
    "SLA_MINUTES",
    "Section",
    "accounts_section",
    "forecast_section",
    "funnel_section",
    "leads_section",
    "quarter_end",
    "retention_section",
    "team_section",
    "value_section",
]

#: The 5-minute rule: the first attempt on a new lead should be within this.
SLA_MINUTES: Final = 5.0
_TOP: Final = 10
_BANDS: Final = (0.0, 5.0, 10.0, 30.0, 60.0, 240.0, 1440.0, np.inf)
_BAND_LABELS: Final = ("0-5 min", "5-10 min", "10-30 min", "30-60 min", "1-4 h", "4-24 h", "> 24 h")


@attrs.define(kw_only=True)
class Section:
    """One section of the report: metrics, tables, notes, and results for charts."""

    key: str
    title: str
    metrics: dict[str, Any] = attrs.field(factory=dict)
    tables: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    notes: list[str] = attrs.field(factory=list)
    charts: dict[str, Any] = attrs.field(factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready part: title, metrics, tables and notes."""
        return {
            "title": self.title,
            "metrics": {k: plain(v) for k, v in self.metrics.items()},
            "tables": self.tables,
            "notes": list(self.notes),
        }


def _optional(frame: pd.DataFrame, *names: str) -> dict[str, Any]:
    """``name=None`` for each optional column the frame lacks.

    The table functions' defaults name the canonical columns, which must then exist.
    """
    return {name: None for name in names if name not in frame.columns}


def _deal_options(deals: pd.DataFrame) -> dict[str, Any]:
    return _optional(deals, "currency", "created", "deal_id")


def _starts(index: pd.Index[Any]) -> pd.DatetimeIndex:
    """The first moments of the periods of a PeriodIndex."""
    return pd.PeriodIndex(index).to_timestamp()


def quarter_end(as_of: pd.Timestamp) -> pd.Timestamp:
    """The first day after the calendar quarter that contains ``as_of``."""
    return pd.Timestamp((as_of.to_period("Q") + 1).start_time)


def _one_currency(deals: pd.DataFrame, section: Section) -> pd.DataFrame:
    """The deals in the most common currency; the others are counted in a note."""
    if "currency" not in deals.columns or len(deals["currency"].dropna().unique()) <= 1:
        return deals
    main = str(deals["currency"].mode().iloc[0])
    keep = deals["currency"] == main
    others = int((~keep).sum())
    section.notes.append(
        f"{others} deal{'' if others == 1 else 's'} in other currencies than {main} left out "
        "of the amounts (salescore never adds two currencies)."
    )
    section.metrics["currency"] = main
    return deals.loc[keep]


# ------------------------------------------------------------------------ forecast


def forecast_section(deals: pd.DataFrame, *, as_of: pd.Timestamp, quota: float | None) -> Section:
    """Weighted pipeline, the quarter's forecast distribution, quota and categories."""
    section = Section(key="forecast", title="Forecast")
    deals = _one_currency(deals, section)
    total = _pipeline.weighted_pipeline(deals, **_deal_options(deals))
    section.metrics["open_deals"] = int(total["deals"].sum())
    section.metrics["open_value"] = float(total["value"].sum())
    section.metrics["weighted_value"] = float(total["weighted_value"].sum())

    end = quarter_end(as_of)
    start = pd.Timestamp(as_of.to_period("Q").start_time)
    section.metrics["quarter"] = str(as_of.to_period("Q"))
    status = deals["status"]
    due = deals[(status == "open") & (deals["close_date"] < end)]
    section.metrics["quarter_deals"] = len(due)
    section.metrics["quarter_value"] = float(due["value"].sum())
    won = deals[(status == "won") & (deals["close_date"] >= start) & (deals["close_date"] < end)]
    section.metrics["quarter_won"] = float(won["value"].sum())
    if len(due):
        dist = _pipeline.forecast_distribution(due["value"], due["probability"])
        p10, p50, p90 = (float(q) for q in dist.quantile(np.array([0.1, 0.5, 0.9])))
        section.metrics.update(
            quarter_weighted=dist.mean, quarter_std=dist.std, p10=p10, p50=p50, p90=p90
        )
        section.charts["distribution"] = dist
        if quota is not None:
            remaining = max(quota - section.metrics["quarter_won"], 0.0)
            section.metrics["probability_of_quota"] = float(dist.probability_at_least(remaining))
    if quota is not None:
        section.metrics["quota"] = float(quota)
        section.metrics["coverage"] = float(
            _pipeline.pipeline_coverage(
                section.metrics["quarter_value"], quota, closed=section.metrics["quarter_won"]
            )
        )
        section.charts["quota"] = float(quota) - section.metrics["quarter_won"]
    closed = int(status.isin(["won", "lost"]).sum())
    if closed:
        section.metrics["win_rate"] = float(
            _pipeline.win_rate(int((status == "won").sum()), int((status == "lost").sum()))
        )
    if "forecast_category" in deals.columns and deals["forecast_category"].notna().any():
        try:
            rollup = _pipeline.forecast_rollup(deals, **_optional(deals, "currency", "deal_id"))
        except SalescoreError as error:
            section.notes.append(f"Forecast categories left out: {error}")
        else:
            for column in rollup.columns:
                section.metrics[f"category_{column}"] = float(rollup[column].sum())
            if "owner" in deals.columns:
                by_owner = _pipeline.forecast_rollup(
                    deals, by="owner", **_optional(deals, "currency", "deal_id")
                ).sort_index()
                section.tables["categories_by_owner"] = table(by_owner)
    if "owner" in deals.columns:
        owners = _pipeline.weighted_pipeline(deals, by="owner", **_deal_options(deals)).sort_values(
            "weighted_value", ascending=False
        )
        section.tables["pipeline_by_owner"] = table(owners)
    return section


# ------------------------------------------------------------------------ funnel


def funnel_stages(history: pd.DataFrame, deals: pd.DataFrame | None = None) -> tuple[str, ...]:
    """The funnel's order guessed from the history: stages by their mean step number.

    The stages won deals are in come last; the stages only lost deals are in, and
    stages whose name says "lost", are left out (a lost deal counts at the furthest
    stage it reached).
    """
    ordered = history.sort_values(["deal_id", "entered"], kind="stable")
    step = ordered.groupby("deal_id", sort=False).cumcount()
    mean_step = step.groupby(ordered["stage"]).mean().sort_values(kind="stable")
    won: set[str] = set()
    lost: set[str] = set()
    if deals is not None and {"stage", "status"} <= set(deals.columns):
        stage_of = deals["stage"].astype(str)
        won = set(stage_of[deals["status"] == "won"])
        lost = set(stage_of[deals["status"] == "lost"]) - won
        lost -= set(stage_of[deals["status"] == "open"])
    names = [str(s) for s in mean_step.index]
    kept = [s for s in names if s not in lost and "lost" not in s.lower()]
    return tuple([s for s in kept if s not in won] + [s for s in kept if s in won])


def funnel_section(
    history: pd.DataFrame | None,
    deals: pd.DataFrame | None,
    *,
    as_of: pd.Timestamp,
    stages: Sequence[str] | None,
) -> Section:
    """Conversion and leaks by stage, time in stage, and why deals are lost."""
    section = Section(key="funnel", title="Funnel")
    if history is not None and len(history):
        order = tuple(stages) if stages else funnel_stages(history, deals)
        if not stages:
            section.notes.append(
                "Stage order taken from the history (pass --stages to set it): " + " > ".join(order)
            )
        funnel = _pipeline.stage_funnel(history, stages=order, other_stages="ignore")
        section.charts["funnel"] = funnel
        section.tables["stages"] = table(
            funnel[["reached", "advanced", "conversion", "dropped", "in_progress", "median_days"]]
        )
        leaks = funnel["drop_share"].iloc[:-1].dropna()
        if len(leaks):
            section.metrics["biggest_leak_stage"] = str(leaks.idxmax())
            section.metrics["biggest_leak_share"] = float(leaks.max())
        first, last = funnel["reached"].iloc[0], funnel["reached"].iloc[-1]
        section.metrics["funnel_conversion"] = float(last / first) if first else None
        spells = _pipeline.time_in_stage(history, as_of=as_of).reset_index()
        current = spells[spells["current_days"].notna() & spells["stage"].isin(order[:-1])]
        typical = funnel["median_days"]
        rows = []
        for stage in order[:-1]:
            days = current.loc[current["stage"] == stage, "current_days"]
            limit = 2.0 * float(typical.get(stage, np.nan))
            rows.append(
                {
                    "stage": stage,
                    "open_deals": len(days),
                    "median_days_in_stage": float(days.median()) if len(days) else np.nan,
                    "stalled": int((days > limit).sum()) if np.isfinite(limit) else 0,
                }
            )
        waiting = pd.DataFrame(rows).set_index("stage")
        section.tables["open_deals_in_stage"] = table(waiting)
        section.metrics["stalled_deals"] = int(waiting["stalled"].sum())
    if deals is not None and "lost_reason" in deals.columns and (deals["status"] == "lost").any():
        losses = _pipeline.loss_reasons(deals, **_optional(deals, "created", "deal_id"))
        section.charts["losses"] = losses
        counts: Any = losses["count"]
        totals: pd.Series[float] = counts.sum().sort_values(ascending=False)
        reasons = pd.DataFrame({"lost": totals, "share": totals / totals.sum()})
        reasons.index.name = "reason"
        section.tables["loss_reasons"] = table(reasons)
        section.metrics["lost_deals"] = int(totals.sum())
        # A spike: the month and reason furthest above that reason's typical month.
        grid = counts.to_numpy(dtype=np.float64)
        usual = np.median(grid, axis=0) if len(grid) else np.zeros(grid.shape[1])
        ratio = np.full(grid.shape, np.nan)
        np.divide(grid, usual, out=ratio, where=usual > 0)
        if np.isfinite(ratio).any():
            row, col = np.unravel_index(int(np.nanargmax(ratio)), ratio.shape)
            if ratio[row, col] >= 2.0:
                section.metrics["loss_spike_period"] = str(counts.index[row])
                section.metrics["loss_spike_reason"] = str(counts.columns[col])
                section.metrics["loss_spike_count"] = int(grid[row, col])
    return section


# ------------------------------------------------------------------------ leads


def leads_section(leads: pd.DataFrame) -> Section:
    """Response times against the 5-minute rule, sources, channels, decay."""
    section = Section(key="leads", title="Leads")
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


# ------------------------------------------------------------------------ accounts


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
        counts = plan.groupby("tier", observed=False).agg(
            accounts=("account_id", "size"),
            revenue=("revenue", "sum"),
            potential=("potential", "sum"),
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


# ------------------------------------------------------------------------ retention


def _windows(
    transactions: pd.DataFrame, as_of: pd.Timestamp
) -> tuple[pd.Series[float], pd.Series[float]]:
    """Revenue per customer in the year before ``as_of`` and the year before that."""
    year = pd.DateOffset(years=1)
    dates = transactions["date"]
    last = (dates >= as_of - year) & (dates < as_of)
    prior = (dates >= as_of - 2 * year) & (dates < as_of - year)
    customers = transactions["customer_id"]
    previous = transactions.loc[prior, "amount"].groupby(customers[prior]).sum()
    current = transactions.loc[last, "amount"].groupby(customers[last]).sum()
    index = previous.index.union(current.index)
    return (
        previous.reindex(index, fill_value=0.0).astype(float),
        current.reindex(index, fill_value=0.0).astype(float),
    )


def retention_section(
    transactions: pd.DataFrame | None, accounts: pd.DataFrame | None, *, as_of: pd.Timestamp
) -> Section:
    """Renewal, gross and net revenue retention, the revenue bridge, cohorts."""
    section = Section(key="retention", title="Retention")
    if transactions is not None:
        previous, current = _windows(transactions, as_of)
        due = int((previous > 0).sum())
        renewed = int(((previous > 0) & (current > 0)).sum())
        section.metrics["customers_last_year"] = due
        section.metrics["renewed"] = renewed
        section.metrics["renewal_rate"] = float(_retention.renewal_rate(renewed, due))
        section.notes.append(
            "Renewal and revenue retention compare the 12 months before the report date "
            "with the 12 months before those, from the transactions."
        )
        monthly = _retention.retention_by_period(transactions)
        recent = monthly.loc[_starts(monthly.index) < as_of].tail(12)
        section.metrics["monthly_retention"] = float(recent["retention_rate"].mean())
        section.metrics["monthly_churn"] = float(recent["churn_rate"].mean())
        cohorts = _retention.cohort_retention(transactions, freq="Q")
        section.charts["cohorts"] = cohorts
        shown = cohorts.copy()
        shown.columns = [f"q{c}" for c in shown.columns]
        section.tables["cohorts"] = table(shown)
    elif accounts is not None and {"previous_revenue", "annual_revenue"} <= set(accounts.columns):
        previous = accounts["previous_revenue"].astype(float)
        current = accounts["annual_revenue"].astype(float)
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


# ------------------------------------------------------------------------ value


def value_section(
    transactions: pd.DataFrame,
    *,
    as_of: pd.Timestamp,
    sellers: float,
    margin: float,
    seller_cost: float,
    discount_rate: float,
) -> Section:
    """CLV, CAC, CLV:CAC and payback from the transactions and the assumptions."""
    section = Section(key="value", title="Value")
    previous, current = _windows(transactions, as_of)
    active = int((current > 0).sum())
    due = int((previous > 0).sum())
    retention = float(_retention.renewal_rate(int(((previous > 0) & (current > 0)).sum()), due))
    revenue = float(current[current > 0].mean()) if active else np.nan
    annual_margin = revenue * margin
    first = transactions.groupby("customer_id")["date"].min()
    new_customers = int(((first >= as_of - pd.DateOffset(years=1)) & (first < as_of)).sum())
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
    section.notes += [
        f"Assumed gross margin {margin:.0%} of revenue (--margin).",
        f"Assumed cost of a seller {seller_cost:,.0f} a year (--seller-cost), "
        f"{sellers:g} sellers, all charged to the year's {new_customers} new customers "
        "(CAC is an upper bound: sellers also serve existing customers).",
        f"CLV discounts margin at {discount_rate:.0%} a year, retained at the year's renewal "
        "rate, margin paid at the end of each year.",
    ]
    return section


# ------------------------------------------------------------------------ team


def team_section(
    deals: pd.DataFrame | None,
    activities: pd.DataFrame | None,
    *,
    as_of: pd.Timestamp,
    headcount: float | pd.Series[float] | None,
    targets: Mapping[str, float],
) -> Section:
    """Revenue per seller by month, and activities against weekly targets."""
    section = Section(key="team", title="Team")
    if deals is not None and (deals["status"] == "won").any():
        deals = _one_currency(deals, section)
        if headcount is None:
            sellers = float(deals["owner"].nunique()) if "owner" in deals.columns else 1.0
            headcount = sellers
            section.notes.append(
                f"Headcount taken as the {sellers:g} owners of deals (every month)."
            )
        report = _team.productivity_report(deals, headcount, **_deal_options(deals))
        recent = report.loc[_starts(report.index) < as_of].tail(12)
        section.metrics["revenue_12_months"] = float(recent["revenue"].sum())
        section.metrics["productivity_per_month"] = float(recent["productivity"].mean())
        earlier = report.loc[_starts(report.index) < as_of].iloc[:-12].tail(12)
        if len(earlier):
            before = float(earlier["productivity"].mean())
            section.metrics["productivity_change"] = (
                section.metrics["productivity_per_month"] / before - 1.0 if before else None
            )
        section.tables["productivity"] = table(recent)
    if activities is not None and len(activities):
        since = as_of - pd.Timedelta(weeks=13)
        window = activities[(activities["date"] >= since) & (activities["date"] < as_of)]
        kinds = [k for k in targets if k in set(window["kind"])]
        if kinds:
            report = _team.activity_report(
                window, {k: targets[k] for k in kinds}, kinds=kinds, start=since, end=as_of
            )
            attained = report.groupby(["owner", "kind"])[["actual", "target"]].sum().reset_index()
            attained["attainment"] = attained["actual"] / attained["target"]
            grid = attained.pivot_table(index="owner", columns="kind", values="attainment")
            grid.columns = [str(c) for c in grid.columns]
            section.tables["activity_attainment"] = table(grid)
            team = attained.groupby("kind")[["actual", "target"]].sum()
            for kind, row in team.iterrows():
                section.metrics[f"activity_{kind}"] = float(row["actual"] / row["target"])
            section.notes.append(
                "Activity attainment over the 13 weeks before the report date, against "
                "weekly targets per seller: "
                + ", ".join(f"{targets[k]:g} {k}s" for k in kinds)
                + "."
            )
    return section
