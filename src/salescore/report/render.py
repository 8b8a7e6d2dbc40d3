"""The report as text (a 100-column terminal), Markdown or JSON; HTML is in :mod:`.html`."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final

from ..errors import InvalidInputError
from .build import Report

__all__ = ["FORMATS", "WIDTH", "cell", "label", "render", "table_title"]

#: The output formats of :func:`render`.
FORMATS: Final = ("text", "markdown", "json", "html")
#: Columns of the text report.
WIDTH: Final = 100

# Metric key → (label, kind). Kinds decide the formatting.
_METRICS: Final[dict[str, tuple[str, str]]] = {
    "currency": ("Currency of the amounts", "text"),
    "open_deals": ("Open deals", "count"),
    "open_value": ("Open pipeline", "money"),
    "weighted_value": ("Weighted pipeline", "money"),
    "quarter": ("Quarter", "text"),
    "quarter_deals": ("Open deals due this quarter", "count"),
    "quarter_value": ("Their value", "money"),
    "quarter_won": ("Won so far this quarter", "money"),
    "quarter_weighted": ("Weighted forecast for the quarter", "money"),
    "quarter_std": ("Standard deviation", "money"),
    "p10": ("P10 (9 in 10 chances of more)", "money"),
    "p50": ("P50 (median)", "money"),
    "p90": ("P90 (1 in 10 chances of more)", "money"),
    "quota": ("Quota", "money"),
    "probability_of_quota": ("Probability of reaching quota", "share"),
    "coverage": ("Pipeline coverage of the quota", "ratio"),
    "win_rate": ("Win rate (won / closed)", "share"),
    "category_closed": ("Forecast category: closed", "money"),
    "category_commit": ("Forecast category: commit (cumulative)", "money"),
    "category_best_case": ("Forecast category: best case (cumulative)", "money"),
    "category_open_pipeline": ("Forecast category: open pipeline", "money"),
    "biggest_leak_stage": ("Biggest leak: stage", "text"),
    "biggest_leak_share": ("Biggest leak: share dropped", "share"),
    "funnel_conversion": ("First stage to won", "share"),
    "stalled_deals": ("Open deals stalled (over twice the median)", "count"),
    "lost_deals": ("Lost deals", "count"),
    "loss_spike_period": ("Loss spike: period", "text"),
    "loss_spike_reason": ("Loss spike: reason", "text"),
    "loss_spike_count": ("Loss spike: deals lost", "count"),
    "leads": ("Leads", "count"),
    "contacted": ("Contacted", "count"),
    "median_response_minutes": ("Median first response", "minutes"),
    "p90_response_minutes": ("90th percentile first response", "minutes"),
    "share_within_5_minutes": ("Answered within 5 minutes", "share"),
    "share_never_contacted": ("Never contacted", "share"),
    "decay_exponent": ("Decay exponent (odds ~ time^-k)", "number"),
    "decay_outcome": ("Decay fitted to", "text"),
    "accounts": ("Accounts", "count"),
    "tier_A": ("Tier A", "count"),
    "tier_B": ("Tier B", "count"),
    "tier_C": ("Tier C", "count"),
    "tier_D": ("Tier D", "count"),
    "overdue_contacts": ("Accounts overdue for contact", "count"),
    "never_contacted": ("... of which never contacted", "count"),
    "cold_a_accounts": ("Cold (blue) A accounts", "count"),
    "declining_accounts": ("Declining accounts (revenue -20 % or worse)", "count"),
    "declining_lost_revenue": ("Revenue lost by them", "money"),
    "customers_last_year": ("Customers in the prior 12 months", "count"),
    "renewed": ("... still buying in the last 12 months", "count"),
    "renewal_rate": ("Renewal rate", "share"),
    "monthly_retention": ("Monthly customer retention (12-month mean)", "share"),
    "monthly_churn": ("Monthly churn (12-month mean)", "share"),
    "grr": ("Gross revenue retention (GRR)", "share"),
    "nrr": ("Net revenue retention (NRR)", "share"),
    "quick_ratio": ("Quick ratio (gains / losses)", "ratio"),
    "active_customers": ("Active customers (last 12 months)", "count"),
    "revenue_per_customer": ("Revenue per customer a year", "money"),
    "margin_per_customer": ("Margin per customer a year", "money"),
    "annual_retention": ("Annual retention", "share"),
    "expected_lifetime_years": ("Expected lifetime (years)", "number"),
    "clv": ("Customer lifetime value (CLV)", "money"),
    "new_customers": ("New customers (last 12 months)", "count"),
    "sales_cost": ("Sales cost a year", "money"),
    "cac": ("Customer acquisition cost (CAC)", "money"),
    "clv_cac": ("CLV:CAC", "ratio"),
    "payback_months": ("CAC payback (months of margin)", "number"),
    "revenue_12_months": ("Won revenue, last 12 months", "money"),
    "productivity_per_month": ("Won revenue per seller a month", "money"),
    "productivity_change": ("... change on the 12 months before", "change"),
    "activity_call": ("Calls vs target", "share"),
    "activity_email": ("Emails vs target", "share"),
    "activity_meeting": ("Meetings vs target", "share"),
    "activity_visit": ("Visits vs target", "share"),
}

_MONEY: Final = frozenset(
    {
        "value", "weighted_value", "closed", "commit", "best_case", "open_pipeline",
        "revenue", "potential", "previous_revenue", "annual_revenue", "revenue_per_lead",
        "lost_revenue", "productivity",
    }
)  # fmt: skip
_SHARE: Final = frozenset(
    {
        "conversion", "drop_share", "share", "share_within_sla", "share_never_contacted",
        "conversion_rate", "contact_rate", "yield_per_attempt", "reach_rate",
        "temperature", "mean_temperature", "revenue_change", "retention_rate",
        "churn_rate", "attainment",
    }
)  # fmt: skip
_MINUTES: Final = frozenset({"median_response", "p90_response"})
_DAYS: Final = frozenset({"median_days", "median_days_in_stage", "days_overdue"})
_CHANGE: Final = frozenset({"change"})
# Tables whose every number is a share.
_SHARE_TABLES: Final = frozenset({"cohorts", "activity_attainment"})

_TABLES: Final = {
    "pipeline_by_owner": "Open pipeline by owner",
    "categories_by_owner": "Forecast categories by owner (commit and best case cumulative)",
    "stages": "Conversion by stage",
    "open_deals_in_stage": "Open deals waiting in each stage",
    "loss_reasons": "Lost deals by reason",
    "response_by_owner": "First response by owner",
    "response_bands": "Reach and conversion by response time",
    "sources": "Lead sources",
    "channels": "Channels",
    "tiers": "Tiers by potential (accounts per temperature band)",
    "overdue_contacts": "Overdue contacts (longest first)",
    "cold_a_accounts": "Cold A accounts (lowest temperature first)",
    "declining_accounts": "Declining accounts (largest loss first)",
    "cohorts": "Cohort retention (share of each quarter's new customers still buying)",
    "revenue_bridge": "Revenue bridge (prior 12 months to last 12 months)",
    "productivity": "Won revenue per seller by month",
    "activity_attainment": "Activity vs target by seller (last 13 weeks)",
}


def label(key: str) -> str:
    """The reader's name of a metric."""
    return _METRICS.get(key, (key.replace("_", " ").capitalize(), "number"))[0]


def table_title(key: str) -> str:
    """The reader's name of a table."""
    return _TABLES.get(key, key.replace("_", " ").capitalize())


def _minutes(value: float) -> str:
    if value < 60:
        return f"{value:.1f} min"
    if value < 48 * 60:
        return f"{value / 60:.1f} h"
    return f"{value / 1440:.1f} d"


def _format(value: Any, kind: str) -> str:
    if value is None:
        return "-"
    if isinstance(value, (bool, str)):
        return str(value)
    if kind == "money":
        return f"{value:,.0f}"
    if kind == "share":
        return f"{100 * value:.1f}%"
    if kind == "change":
        return f"{100 * value:+.1f}%"
    if kind == "ratio":
        return f"{value:.2f}x"
    if kind == "minutes":
        return _minutes(float(value))
    if kind == "days":
        return f"{value:.1f} d"
    if kind == "count" or isinstance(value, int):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"
    return f"{value:,.2f}"


def metric(key: str, value: Any) -> str:
    """A metric's value as shown to a reader."""
    return _format(value, _METRICS.get(key, ("", "number"))[1])


def cell(table: str, column: str, value: Any) -> str:
    """A table cell as shown to a reader."""
    if table in _SHARE_TABLES and isinstance(value, float):
        kind = "share"
    elif column in _MONEY:
        kind = "money"
    elif column in _SHARE:
        kind = "share"
    elif column in _MINUTES:
        kind = "minutes"
    elif column in _DAYS:
        kind = "days"
    elif column in _CHANGE:
        kind = "change"
    elif column == "headcount":
        kind = "count"
    else:
        kind = "number"
    return _format(value, kind)


def _cells(key: str, data: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    columns: list[str] = list(data["columns"])
    rows = [[cell(key, c, row.get(c)) for c in columns] for row in data["rows"]]
    return columns, rows


# ------------------------------------------------------------------------ text


def _text_table(key: str, data: dict[str, Any]) -> list[str]:
    columns, rows = _cells(key, data)
    headers = [c.replace("_", " ") for c in columns]
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    first = min(widths[0], 28) if widths else 0
    widths = [first, *widths[1:]]
    # Keep the columns that fit in the terminal; JSON has them all.
    kept, used = 0, 2
    for w in widths:
        if used + w + 2 > WIDTH:
            break
        used += w + 2
        kept += 1
    kept = max(kept, 1)

    def line(values: list[str]) -> str:
        parts = [values[0][:first].ljust(first)]
        parts += [v.rjust(w) for v, w in zip(values[1:kept], widths[1:kept], strict=True)]
        return ("  " + "  ".join(parts)).rstrip()

    out = [f"  {table_title(key)}", line(headers)]
    out += [line(r) for r in rows]
    if kept < len(columns):
        out.append(f"  ({len(columns) - kept} more columns in the JSON and HTML reports)")
    total = data.get("total_rows")
    if total is not None and total > len(rows):
        out.append(f"  ... {total - len(rows)} more ({total} in all)")
    return out


def _header(data: dict[str, Any]) -> list[str]:
    source = (
        "the sample CRM (salescore.datasets.sample)"
        if data["source"] == "sample"
        else (f"{data['source']} files")
    )
    parts = [f"as of {data['as_of']}", source]
    if data["currency"]:
        parts.append(f"amounts in {data['currency']}")
    return [f"salescore report: {', '.join(parts)}"]


def _imports_lines(data: dict[str, Any]) -> list[str]:
    lines = []
    for item in data["imports"]:
        lines.append(
            f"  {item['table']:<14} {item['file'][:30]:<30} {item['rows_in']:>8,} rows "
            f"{item['accepted']:>8,} accepted {item['rejected']:>6,} rejected"
        )
        for reason, n in item["reasons"].items():
            lines += _wrap(f"{n:,} x {reason}", "      ")
        for text in item["warnings"]:
            lines += _wrap(f"warning: {text}", "      ")
    return lines


def _wrap(text: str, indent: str) -> list[str]:
    import textwrap

    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ")


def render_text(data: dict[str, Any]) -> str:
    """The report for a 100-column terminal."""
    lines = _header(data)
    lines.append("=" * min(WIDTH, len(lines[0])))
    for section in data["sections"].values():
        lines += ["", section["title"].upper(), "-" * len(section["title"])]
        for key, value in section["metrics"].items():
            lines.append(f"  {label(key):<48} {metric(key, value):>20}".rstrip())
        for key, table in section["tables"].items():
            lines.append("")
            lines += _text_table(key, table)
        for note in section["notes"]:
            lines += _wrap(f"Note: {note}", "  ")
    for key, reason in data["skipped"].items():
        lines += ["", *_wrap(f"{key.capitalize()} section left out: {reason}", "")]
    lines += ["", "IMPORT", "------", *_imports_lines(data)]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------ markdown


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def _md_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(_md_escape(h) for h in headers) + " |"]
    out.append("|" + "|".join(["---", *["---:"] * (len(headers) - 1)]) + "|")
    out += ["| " + " | ".join(_md_escape(v) for v in r) + " |" for r in rows]
    return out


def render_markdown(data: dict[str, Any]) -> str:
    """The report as a Markdown document."""
    lines = [f"# {_header(data)[0]}"]
    for section in data["sections"].values():
        lines += ["", f"## {section['title']}", ""]
        rows = [[label(k), metric(k, v)] for k, v in section["metrics"].items()]
        lines += _md_table(["Metric", "Value"], rows)
        for key, table in section["tables"].items():
            columns, cells = _cells(key, table)
            lines += ["", f"### {table_title(key)}", ""]
            lines += _md_table([c.replace("_", " ") for c in columns], cells)
            total = table.get("total_rows")
            if total is not None and total > len(cells):
                lines += ["", f"... {total - len(cells)} more ({total} in all)"]
        if section["notes"]:
            lines.append("")
            lines += [f"- {note}" for note in section["notes"]]
    for key, reason in data["skipped"].items():
        lines += ["", f"*{key.capitalize()} section left out: {_md_escape(reason)}*"]
    lines += ["", "## Import", ""]
    lines += _md_table(
        ["Table", "File", "Rows", "Accepted", "Rejected", "Reasons"],
        [
            [
                i["table"],
                i["file"],
                f"{i['rows_in']:,}",
                f"{i['accepted']:,}",
                f"{i['rejected']:,}",
                "; ".join(f"{n} x {r}" for r, n in i["reasons"].items()) or "-",
            ]
            for i in data["imports"]
        ],
    )
    return "\n".join(lines) + "\n"


def render_json(data: dict[str, Any]) -> str:
    """The report as JSON (no NaN: missing numbers are null)."""
    return json.dumps(data, indent=2, allow_nan=False, ensure_ascii=False) + "\n"


def render(report: Report, fmt: str) -> str:
    """The report in one of :data:`FORMATS`: text, Markdown, JSON or HTML.

    Parameters
    ----------
    report : Report
        From :func:`build_report`.
    fmt : {"text", "markdown", "json", "html"}
        The format; the JSON keys are listed on the report's JSON page.

    Returns
    -------
    str
        The whole document.

    Raises
    ------
    InvalidInputError
        An unknown format.

    Examples
    --------
    >>> import json
    >>> from salescore.report import build_report, demo_inputs, render
    >>> report = build_report(demo_inputs())
    >>> render(report, "text").splitlines()[0]
    'salescore report: as of 2026-01-01, the sample CRM (salescore.datasets.sample), amounts in EUR'
    >>> json.loads(render(report, "json"))["sections"]["forecast"]["metrics"]["open_deals"]
    446
    """
    data = report.to_dict()
    if fmt == "html":
        from .html import render_html

        return render_html(report, data)
    renderers: dict[str, Callable[[dict[str, Any]], str]] = {
        "text": render_text,
        "markdown": render_markdown,
        "json": render_json,
    }
    if fmt not in renderers:
        raise InvalidInputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return renderers[fmt](data)
