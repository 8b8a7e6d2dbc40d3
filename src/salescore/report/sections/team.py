"""The Team section: won revenue per seller by month, activities against targets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ... import team as _team
from ..._arrays import utc_naive
from ..._tables import counted
from ...errors import SchemaError
from .._plain import table
from ._common import (
    Section,
    _bounds,
    _coverage,
    _deal_options,
    _extent,
    _join,
    _months,
    _one_currency,
    _own_words,
    _part_month_note,
    _utc_naive,
    days_text,
    months_text,
)

__all__ = ["team_section"]


def _monthly(headcount: pd.Series[Any]) -> pd.Series[float]:
    """A headcount Series indexed by monthly periods."""
    index = headcount.index
    if isinstance(index, pd.DatetimeIndex):
        index = index.tz_localize(None) if index.tz is not None else index
        return pd.Series(headcount.to_numpy(dtype=float), index=index.to_period("M"))
    return headcount.astype(float)


def _productivity(
    deals: pd.DataFrame, headcount: float | pd.Series[Any], months: pd.PeriodIndex
) -> pd.DataFrame:
    """Won revenue per seller in each of ``months``; a month without wins has revenue 0."""
    start, end = _bounds(months)
    close = deals["close_date"]
    chosen = deals[(deals["status"] == "won") & (close >= start) & (close < end)]
    if isinstance(headcount, pd.Series):
        sellers = _monthly(headcount).reindex(months)
    else:
        sellers = pd.Series(float(headcount), index=months)
    return _team.productivity_report(chosen, sellers, **_deal_options(chosen))


def _headcount_caveat(productivity: pd.DataFrame, window: str) -> str | None:
    """A caveat when months of ``window`` have no headcount (unknown, not zero sellers).

    Their revenue per seller is unknown, so the mean is over the other months.
    """
    unknown = productivity["headcount"].isna()
    if not unknown.any():
        return None
    known = int((~unknown).sum())
    revenue = float(productivity.loc[unknown, "revenue"].sum())
    return (
        f"{window}: a headcount for {known} of its {len(productivity)} months, so the mean is "
        f"over those; the {revenue:,.0f} won in the others is in none of it"
    )


@_own_words
def team_section(
    deals: pd.DataFrame | None,
    activities: pd.DataFrame | None,
    *,
    as_of: pd.Timestamp,
    headcount: float | pd.Series[float] | None,
    targets: Mapping[str, float],
) -> Section:
    """Revenue per seller by month, and activities against weekly targets.

    Parameters
    ----------
    deals : DataFrame or None
        Canonical deals; won deals are read by close date.
    activities : DataFrame or None
        Canonical activities (``owner``, ``date``, ``kind``).
    as_of : Timestamp, keyword-only
        The report date; records dated before it count.
    headcount : float, Series or None, keyword-only
        Sellers every month, or by month; None counts the owners of deals.
    targets : mapping of str to float, keyword-only
        Weekly target per seller of each activity kind.

    Returns
    -------
    Section
        Metrics, caveats, ``periods`` (``months``, ``prior_months``, ``weeks``),
        notes and the tables ``productivity`` and ``activity_attainment``.

    Raises
    ------
    SalescoreError
        Deals or activities a table function rejects.

    Notes
    -----
    Months are the 12 full calendar months before the month of ``as_of``; a month
    without wins has revenue 0, so the monthly mean is over 12 months. A month without
    a headcount (a Series that does not cover it) has no revenue per seller: the mean
    is over the other months, flagged beside the figure. The change
    compares with the 12 months before, shown only when the deals reach back into
    them. Activities are those of the 13 weeks before ``as_of``.

    Examples
    --------
    >>> import pandas as pd
    >>> deals = pd.DataFrame({
    ...     "deal_id": ["D1", "D2"],
    ...     "status": ["won", "won"],
    ...     "value": [3_000.0, 9_000.0],
    ...     "close_date": pd.to_datetime(["2025-08-05", "2025-10-10"]),
    ... })
    >>> section = team_section(deals, None, as_of=pd.Timestamp("2026-01-01"),
    ...                        headcount=2.0, targets={})
    >>> section.metrics["revenue_12_months"], section.metrics["productivity_per_month"]
    (12000.0, 500.0)
    >>> section.periods["months"]
    'Jan–Dec 2025'
    """
    section = Section(key="team", title="Team")
    as_of = utc_naive(as_of)
    if deals is not None and (deals["status"] == "won").any():
        if "close_date" not in deals.columns:
            raise SchemaError(
                "the deals have no close_date column, and won revenue by month needs "
                "the date each deal was won"
            )
        deals = _one_currency(_utc_naive(deals, "close_date", "created"), section)
        if headcount is None:
            owners = int(deals["owner"].nunique()) if "owner" in deals.columns else 0
            headcount = float(max(owners, 1))
            section.notes.append(
                f"Headcount taken as the {counted(owners, 'owner')} of deals (every month)."
                if owners
                else "Headcount taken as 1 seller: the deals name no owner (--headcount "
                "gives the team's)."
            )
        months, prior = _months(as_of), _months(as_of, 1)
        section.periods.update(months=months_text(months), prior_months=months_text(prior))
        part = _part_month_note(as_of, months)
        if part:
            section.notes.append(part)
        extent = _extent(
            deals["close_date"], *([deals["created"]] if "created" in deals.columns else [])
        )
        undated = int(((deals["status"] == "won") & deals["close_date"].isna()).sum())
        if undated:
            section.notes.append(
                f"{counted(undated, 'won deal')} without a close date "
                f"{'is' if undated == 1 else 'are'} in none of the monthly figures."
            )
        recent = _productivity(deals, headcount, months)
        section.metrics["revenue_12_months"] = float(recent["revenue"].sum())
        section.metrics["productivity_per_month"] = float(recent["productivity"].mean())
        caveat = _coverage(extent, *_bounds(months), "deals", months_text(months))
        section.flag(caveat, "revenue_12_months")
        caveat = _join(caveat, _headcount_caveat(recent, months_text(months)))
        section.flag(caveat, "productivity_per_month")
        first = extent[0]
        if first is not None and first < _bounds(prior)[1]:
            earlier = _productivity(deals, headcount, prior)
            before = float(earlier["productivity"].mean())
            section.metrics["productivity_change"] = (
                section.metrics["productivity_per_month"] / before - 1.0 if before else None
            )
            section.flag(
                _join(
                    _coverage(extent, *_bounds(prior), "deals", months_text(prior)),
                    _headcount_caveat(earlier, months_text(prior)),
                    caveat,
                ),
                "productivity_change",
            )
        section.tables["productivity"] = table(recent)
    if activities is not None and len(activities):
        activities = _utc_naive(activities, "date")
        since = as_of - pd.Timedelta(weeks=13)
        section.periods["weeks"] = days_text(since, as_of)
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
            section.flag(
                _coverage(
                    _extent(activities["date"]),
                    since,
                    as_of,
                    "activities",
                    f"the 13 weeks {section.periods['weeks']}",
                ),
                *(f"activity_{kind}" for kind in team.index),
            )
            section.notes.append(
                "Activity attainment over the 13 weeks before the report date, against "
                "weekly targets per seller: "
                + ", ".join(f"{targets[k]:g} {k}s" for k in kinds)
                + "."
            )
    return section
