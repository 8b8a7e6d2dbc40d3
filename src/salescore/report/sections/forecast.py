"""The Forecast section: open pipeline, the quarter's forecast, quota, categories."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ... import pipeline as _pipeline
from ..._arrays import utc_naive
from ..._tables import counted
from ...errors import SalescoreError
from ...fiscal import FiscalCalendar
from ...pipeline import presets as _presets
from .._calendar import forecast_quarter
from .._plain import table
from ._common import (
    Section,
    _coverage,
    _deal_options,
    _extent,
    _one_currency,
    _optional,
    _own_words,
    _utc_naive,
)

__all__ = ["forecast_section", "probability_presets"]


def probability_presets() -> tuple[str, ...]:
    """The names of the CRMs' default stage → probability tables, as the command takes them.

    Returns
    -------
    tuple of str
        One lower-case name per table of :mod:`salescore.pipeline.presets`, sorted.

    Notes
    -----
    ``salescore report --probabilities NAME`` fills missing probabilities from the
    deals' stages with that table; the Forecast section names these when a
    probability is missing.

    Examples
    --------
    >>> probability_presets()
    ('espocrm', 'hubspot', 'salesforce', 'suitecrm')
    """
    suffix = "_STAGE_PROBABILITIES"
    return tuple(
        sorted(n.removesuffix(suffix).lower() for n in _presets.__all__ if n.endswith(suffix))
    )


def _sum(values: pd.Series[Any]) -> float:
    return float(values.sum())


@_own_words
def forecast_section(
    deals: pd.DataFrame,
    *,
    as_of: pd.Timestamp,
    quota: float | None,
    calendar: FiscalCalendar | None = None,
) -> Section:
    """Open pipeline, the quarter's forecast distribution, quota and forecast categories.

    Parameters
    ----------
    deals : DataFrame
        Canonical deals (``status``, ``value``, ``close_date``; ``probability``,
        ``forecast_category``, ``owner``, ``currency`` when present). Naive
        timestamps are UTC; aware ones are converted to UTC.
    as_of : Timestamp, keyword-only
        The report date; records dated before it count.
    quota : float or None, keyword-only
        The quota for the quarter of ``as_of``.
    calendar : FiscalCalendar, keyword-only, optional
        The company's fiscal calendar: the quarter is its fiscal quarter holding
        ``as_of`` (``FY2026 Q4``). Calendar quarters (``Q1 2026``) by default.

    Returns
    -------
    Section
        Metrics under the keys of the report's JSON page, caveats beside the quarter's
        figures, notes, and the tables ``pipeline_by_owner`` and
        ``categories_by_owner``.

    Raises
    ------
    SalescoreError
        Deals a table function rejects; no message asks for a library option.

    Notes
    -----
    The forecast period is the quarter of ``as_of``, a calendar quarter or a quarter
    of ``calendar``, from its first to its last day. Its open deals are
    those with a close date before the quarter ends; open deals whose close date is
    before ``as_of`` (overdue) are counted in it, as a deal still open is still
    expected to close, and are counted apart with a note. Open deals without a close
    date are in the open pipeline only. Won in the quarter is what closed in it before
    ``as_of``. The forecast categories cover exactly these deals, so category
    *closed* is the quarter's won. Figures that need a probability are left out with
    a note naming ``--probabilities PRESET`` when an open deal has none; every other
    figure stays.

    Examples
    --------
    >>> import pandas as pd
    >>> deals = pd.DataFrame({
    ...     "deal_id": ["D1", "D2", "D3"],
    ...     "status": ["won", "open", "open"],
    ...     "value": [20_000.0, 30_000.0, 5_000.0],
    ...     "close_date": pd.to_datetime(["2026-01-20", "2026-03-10", None]),
    ... })
    >>> m = forecast_section(deals, as_of=pd.Timestamp("2026-02-15"), quota=None).metrics
    >>> m["quarter_won"], m["quarter_value"], m["open_without_close_date_value"]
    (20000.0, 30000.0, 5000.0)
    >>> "weighted_value" in m  # no probabilities
    False
    """
    section = Section(key="forecast", title="Forecast")
    as_of = utc_naive(as_of)
    if "close_date" not in deals.columns:  # an optional column: every deal is undated
        deals = deals.assign(close_date=pd.Series(pd.NaT, index=deals.index, dtype="M8[ns]"))
    deals = _one_currency(_utc_naive(deals, "close_date", "created"), section)
    start, end, name, key = forecast_quarter(as_of, calendar)
    section.periods["quarter"] = name
    status = deals["status"]
    close = deals["close_date"]
    is_open = status == "open"
    if "probability" not in deals.columns:
        deals = deals.assign(probability=np.nan)
    unpriced = is_open & deals["probability"].isna()

    total = _pipeline.weighted_pipeline(deals, **_deal_options(deals))
    section.metrics["open_deals"] = int(total["deals"].sum())
    section.metrics["open_value"] = float(total["value"].sum())
    if not unpriced.any():
        section.metrics["weighted_value"] = float(total["weighted_value"].sum())

    undated = is_open & close.isna()
    overdue = is_open & (close < as_of)
    due = is_open & (close < end)
    won = (status == "won") & (close >= start) & (close < as_of)
    section.metrics["quarter"] = key
    section.metrics["quarter_deals"] = int(due.sum())
    section.metrics["quarter_value"] = _sum(deals.loc[due, "value"])
    section.metrics["quarter_won"] = _sum(deals.loc[won, "value"])
    section.metrics["overdue_open_deals"] = int(overdue.sum())
    section.metrics["overdue_open_value"] = _sum(deals.loc[overdue, "value"])
    section.metrics["open_without_close_date"] = int(undated.sum())
    section.metrics["open_without_close_date_value"] = _sum(deals.loc[undated, "value"])
    extent = _extent(close, *([deals["created"]] if "created" in deals.columns else []))
    if as_of > start:
        section.flag(_coverage(extent, start, as_of, "deals", f"{name} so far"), "quarter_won")
    quarter_keys = ("quarter_value", "quarter_weighted", "coverage")
    if overdue.any():
        n, v = int(overdue.sum()), _sum(deals.loc[overdue, "value"])
        section.flag(f"includes {counted(n, 'overdue deal')} ({v:,.0f})", *quarter_keys)
        section.notes.append(
            f"{counted(n, 'open deal')} ({v:,.0f}) {'has' if n == 1 else 'have'} a close date "
            f"before the report date, and {'is' if n == 1 else 'are'} counted as due in {name}: "
            "a deal still open is still expected to close. Give "
            f"{'it a new close date' if n == 1 else 'them new close dates'} in the CRM."
        )
    if undated.any():
        n, v = int(undated.sum()), _sum(deals.loc[undated, "value"])
        section.flag(
            f"leaves out {counted(n, 'open deal')} without a close date ({v:,.0f})", *quarter_keys
        )
        section.notes.append(
            f"{counted(n, 'open deal')} ({v:,.0f}) {'has' if n == 1 else 'have'} no close "
            f"date: in the open pipeline, but not in {name}'s forecast or coverage. Give "
            f"{'it' if n == 1 else 'them'} a close date in the CRM."
        )
    late = (status == "won") & (close >= as_of)
    undated_won = (status == "won") & close.isna()
    if late.any() or undated_won.any():
        section.notes.append(
            f"Not counted as won in {name}: "
            + ", ".join(
                text
                for n, text in (
                    (int(late.sum()), "with a close date on or after the report date"),
                    (int(undated_won.sum()), "without a close date"),
                )
                for text in ([f"{counted(n, 'won deal')} {text}"] if n else [])
            )
            + "."
        )

    priced_due = due & ~unpriced
    if due.any() and not (due & unpriced).any():
        dist = _pipeline.forecast_distribution(
            deals.loc[priced_due, "value"], deals.loc[priced_due, "probability"]
        )
        p10, p50, p90 = (float(q) for q in dist.quantile(np.array([0.1, 0.5, 0.9])))
        section.metrics.update(
            quarter_weighted=dist.mean, quarter_std=dist.std, p10=p10, p50=p50, p90=p90
        )
        section.charts["distribution"] = dist
        if quota is not None:
            remaining = max(quota - section.metrics["quarter_won"], 0.0)
            section.metrics["probability_of_quota"] = float(dist.probability_at_least(remaining))
    if unpriced.any():
        n = int(unpriced.sum())
        section.notes.append(
            f"Weighted figures (weighted pipeline, the quarter's weighted forecast, its "
            f"percentiles and the probability of reaching the quota) left out: "
            f"{n:,} of the {int(is_open.sum()):,} open deals have no probability. On the "
            "command line, --probabilities PRESET fills them from the deals' stages with "
            f"a CRM's default stage probabilities (PRESET one of "
            f"{', '.join(probability_presets())}); in Python, salescore.fill_probabilities "
            "does the same with a table from salescore.pipeline.presets."
        )
    if quota is not None:
        section.metrics["quota"] = float(quota)
        section.metrics["coverage"] = float(
            _pipeline.pipeline_coverage(
                section.metrics["quarter_value"], quota, closed=section.metrics["quarter_won"]
            )
        )
        section.charts["quota"] = float(quota) - section.metrics["quarter_won"]
    closed = status.isin(["won", "lost"]) & ~(close >= as_of)
    if closed.any():
        section.metrics["win_rate"] = float(
            _pipeline.win_rate(
                int((closed & (status == "won")).sum()), int((closed & (status == "lost")).sum())
            )
        )
    if "forecast_category" in deals.columns and deals["forecast_category"].notna().any():
        _categories(deals, won | due, section, name=name)
    if "owner" in deals.columns:
        owners = _pipeline.weighted_pipeline(deals, by="owner", **_deal_options(deals)).sort_values(
            "weighted_value", ascending=False
        )
        section.tables["pipeline_by_owner"] = table(owners)
    return section


def _categories(
    deals: pd.DataFrame, chosen: pd.Series[bool], section: Section, *, name: str
) -> None:
    """The forecast categories of the quarter's deals (won in it, open and due by its end)."""
    options = _optional(deals, "currency", "deal_id")
    quarter = deals.loc[chosen]
    try:
        rollup = _pipeline.forecast_rollup(quarter, **options)
    except SalescoreError as error:
        section.notes.append(f"Forecast categories left out: {error}")
        return
    for column in rollup.columns:
        section.metrics[f"category_{column}"] = float(rollup[column].sum())
    m = section.metrics
    omitted = m["quarter_value"] - m["category_open_pipeline"]
    later = (deals["status"] == "open") & ~chosen & deals["close_date"].notna()
    section.notes.append(
        f"The forecast categories cover {name}: deals won in it before the report date "
        f"(category closed = won so far, {m['category_closed']:,.0f}) and open deals due by "
        f"its end. Category open pipeline ({m['category_open_pipeline']:,.0f}) is the "
        f"quarter's open value ({m['quarter_value']:,.0f}) less {omitted:,.0f} in deals "
        f"marked omitted; the open pipeline of all open deals ({m['open_value']:,.0f}) also "
        f"holds {counted(int(later.sum()), 'deal')} due after {name} "
        f"({_sum(deals.loc[later, 'value']):,.0f}) and "
        f"{counted(m['open_without_close_date'], 'deal')} without a close date "
        f"({m['open_without_close_date_value']:,.0f})."
    )
    if "owner" in deals.columns:
        by_owner = _pipeline.forecast_rollup(quarter, by="owner", **options).sort_index()
        section.tables["categories_by_owner"] = table(by_owner)
