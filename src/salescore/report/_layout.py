"""What the report's renderers share: the reader's labels, number formats and cells.

A metric's label and a table's title (their periods filled from the section), how a
metric's value or a table's cell is written (money, shares, minutes, days), the
report's header line, its problems in order, the caveats beside a figure, and the
reasons an import record shows. The text and Markdown renderers (:mod:`.render`) and
the HTML page (:mod:`.html`) are built on these, so that every format says the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import numpy as np

from .._arrays import option_number
from .._tables import counted
from ..errors import InvalidInputError
from ._numbers import Numbers, numbers

__all__ = [
    "EXAMPLE_CHARS",
    "IMPORT_GROUPS",
    "_METRICS",
    "_caveats",
    "_cells",
    "_count",
    "_header",
    "_import_warnings",
    "_metric",
    "_problems",
    "_reasons_cell",
    "cell",
    "import_reasons",
    "label",
    "metric",
    "table_title",
]

#: The import summary shows at most this many groups of reasons (and warnings) per
#: table, the most frequent first, then how many more there are; JSON has them all.
IMPORT_GROUPS: Final = 5
#: A group's examples are cut after this many characters in the import summary.
EXAMPLE_CHARS: Final = 160

# Metric key → (label, kind). Kinds decide the formatting. Every label names its period
# and, where the kind does not show it, its unit; {quarter}, {months}, {prior_months},
# {weeks} and {leads} are filled from the section's ``periods`` (see _PERIODS).
_METRICS: Final[dict[str, tuple[str, str]]] = {
    "currency": ("Currency of the amounts", "text"),
    "open_deals": ("Open deals, all close dates", "count"),
    "open_value": ("... their value (open pipeline)", "money"),
    "weighted_value": ("... weighted: value x probability", "money"),
    "quarter": ("Forecast quarter", "text"),
    "quarter_deals": ("Open deals due by the end of {quarter}", "count"),
    "quarter_value": ("... their value", "money"),
    "quarter_won": ("Won in {quarter} before the report date", "money"),
    "quarter_weighted": ("{quarter} forecast of the open deals (mean)", "money"),
    "quarter_std": ("... its standard deviation", "money"),
    "p10": ("... P10 (9 in 10 chances of more)", "money"),
    "p50": ("... P50 (median)", "money"),
    "p90": ("... P90 (1 in 10 chances of more)", "money"),
    "quota": ("Quota for {quarter}", "money"),
    "probability_of_quota": ("Probability of reaching the {quarter} quota", "share"),
    "coverage": ("Coverage: {quarter} open value / quota still to win", "ratio"),
    "win_rate": ("Win rate by count, all deals closed so far", "share"),
    "overdue_open_deals": ("Open deals past their close date", "count"),
    "overdue_open_value": ("... their value", "money"),
    "open_without_close_date": ("Open deals without a close date", "count"),
    "open_without_close_date_value": ("... their value", "money"),
    "category_closed": ("Category closed, {quarter} (won so far)", "money"),
    "category_commit": ("Category commit, {quarter} (with closed)", "money"),
    "category_most_likely": ("Category most likely, {quarter} (with commit)", "money"),
    "category_best_case": ("Category best case, {quarter} (with commit)", "money"),
    "category_open_pipeline": ("Category open pipeline, {quarter} (open deals)", "money"),
    "accuracy_quarters": ("Quarters replayed, each forecast on its first day", "text"),
    "learned_by": ("Win rates learned from the deals closed before, per", "text"),
    "crm_wape": ("CRM probabilities: forecast error (WAPE) against won", "share"),
    "crm_bias": ("... bias: forecast - won, share of won", "change"),
    "crm_coverage": ("... quarters whose forecast deals won within P10-P90", "share"),
    "crm_brier": ("... Brier score of the deals' probabilities (0 best)", "number"),
    "learned_wape": ("Learned win rates: forecast error (WAPE) against won", "share"),
    "learned_bias": ("... bias: forecast - won, share of won", "change"),
    "learned_coverage": ("... quarters whose forecast deals won within P10-P90", "share"),
    "learned_brier": ("... Brier score of the deals' probabilities (0 best)", "number"),
    "waterfall_quarter": ("Pipeline waterfall of", "text"),
    "waterfall_start": ("... open deals due in it, at its start", "money"),
    "waterfall_new": ("... + new deals", "money"),
    "waterfall_pulled_in": ("... + pulled in (close date moved into it)", "money"),
    "waterfall_pushed_out": ("... - pushed out (close date moved out)", "money"),
    "waterfall_value_up": ("... + value up", "money"),
    "waterfall_value_down": ("... - value down", "money"),
    "waterfall_won": ("... - won", "money"),
    "waterfall_lost": ("... - lost", "money"),
    "waterfall_end": ("... = open deals due in it, at the end", "money"),
    "open_deals_with_history": ("Open deals with a change history", "count"),
    "open_deals_pushed": ("... close date pushed out at least once", "count"),
    "open_deals_pushed_share": ("... share of them", "share"),
    "open_deals_pushed_twice": ("... pushed out twice or more", "count"),
    "biggest_leak_stage": ("Biggest leak: stage (whole stage history)", "text"),
    "biggest_leak_share": ("... share of the deals reaching it that dropped", "share"),
    "funnel_conversion": ("First stage to last (whole stage history)", "share"),
    "stalled_deals": ("Open deals in a stage over twice its median days", "count"),
    "lost_deals": ("Lost deals, all close dates", "count"),
    "loss_spike_period": ("Loss spike: month", "text"),
    "loss_spike_reason": ("Loss spike: reason", "text"),
    "loss_spike_count": ("Loss spike: deals lost for it that month", "count"),
    "leads": ("Leads created {leads}", "count"),
    "contacted": ("... contacted at least once", "count"),
    "median_response_minutes": ("Median time to first contact (contacted leads)", "minutes"),
    "p90_response_minutes": ("90th percentile time to first contact", "minutes"),
    "share_within_5_minutes": ("Answered within 5 minutes (first contact, all leads)", "share"),
    "share_never_contacted": ("Never contacted (share of all leads)", "share"),
    "decay_exponent": ("Response decay k (odds ~ minutes^-k)", "number"),
    "decay_outcome": ("Decay fitted to", "text"),
    "accounts": ("Accounts on the report date", "count"),
    "tier_A": ("Tier A accounts", "count"),
    "tier_B": ("Tier B accounts", "count"),
    "tier_C": ("Tier C accounts", "count"),
    "tier_D": ("Tier D accounts", "count"),
    "overdue_contacts": ("Accounts past their contact cadence", "count"),
    "never_contacted": ("... of which never contacted", "count"),
    "cold_a_accounts": ("Tier A accounts in the cold (blue) band", "count"),
    "declining_accounts": ("Accounts down 20 % or more (annual vs previous)", "count"),
    "declining_lost_revenue": ("... revenue they lost in the year", "money"),
    "customers_last_year": ("Customers buying in {prior_months}", "count"),
    "renewed": ("... still buying in {months}", "count"),
    "renewal_rate": ("Renewal rate, {prior_months} to {months}", "share"),
    "monthly_retention": ("Monthly customer retention, mean of {months}", "share"),
    "monthly_churn": ("Monthly churn (1 - retention), mean of {months}", "share"),
    "grr": ("Gross revenue retention, {prior_months} to {months}", "share"),
    "nrr": ("Net revenue retention, {prior_months} to {months}", "share"),
    "quick_ratio": ("Quick ratio: revenue gained / lost, same years", "ratio"),
    "active_customers": ("Customers buying in {months}", "count"),
    "revenue_per_customer": ("Revenue per customer, {months}", "money"),
    "margin_per_customer": ("Margin per customer, {months}", "money"),
    "annual_retention": ("Annual retention, {prior_months} to {months}", "share"),
    "expected_lifetime_years": ("Expected customer lifetime, years", "number"),
    "clv": ("Customer lifetime value (CLV), discounted", "money"),
    "new_customers": ("New customers: first purchase in {months}", "count"),
    "sales_cost": ("Sales cost a year: sellers x seller cost", "money"),
    "cac": ("Acquisition cost per new customer (CAC)", "money"),
    "clv_cac": ("CLV:CAC", "ratio"),
    "payback_months": ("CAC payback, months of margin", "number"),
    "revenue_12_months": ("Won revenue, {months}", "money"),
    "productivity_per_month": ("Won revenue per seller a month, {months}", "money"),
    "productivity_change": ("... change on {prior_months}", "change"),
    "activity_call": ("Calls vs target, {weeks}", "share"),
    "activity_email": ("Emails vs target, {weeks}", "share"),
    "activity_meeting": ("Meetings vs target, {weeks}", "share"),
    "activity_visit": ("Visits vs target, {weeks}", "share"),
}

# What a period placeholder reads when the section gives none.
_PERIODS: Final[dict[str, str]] = {
    "quarter": "the quarter",
    "months": "the 12 months before the report month",
    "prior_months": "the 12 months before those",
    "weeks": "the 13 weeks before the report date",
    "leads": "(all)",
    "checked": "the quarters replayed",
    "waterfall": "the quarter",
}

_MONEY: Final = frozenset(
    {
        "value", "weighted_value", "closed", "commit", "best_case", "open_pipeline",
        "revenue", "potential", "previous_revenue", "annual_revenue", "revenue_per_lead",
        "lost_revenue", "productivity", "won", "won_from_forecast_deals", "crm_forecast",
        "crm_p10", "crm_p90", "learned_forecast", "learned_p10", "learned_p90",
    }
)  # fmt: skip
_SHARE: Final = frozenset(
    {
        "conversion", "drop_share", "share", "share_within_sla", "share_never_contacted",
        "conversion_rate", "contact_rate", "yield_per_attempt", "reach_rate",
        "crm_probability", "crm_won_share", "learned_probability", "learned_won_share",
        "temperature", "mean_temperature", "revenue_change", "retention_rate",
        "churn_rate", "attainment",
    }
)  # fmt: skip
_MINUTES: Final = frozenset({"median_response", "p90_response"})
_DAYS: Final = frozenset({"median_days", "median_days_in_stage", "days_overdue", "days_pushed"})
_CHANGE: Final = frozenset({"change"})
# Tables whose every number is a share.
_SHARE_TABLES: Final = frozenset({"cohorts", "activity_attainment"})

_TABLES: Final = {
    "pipeline_by_owner": "Open pipeline by owner (all close dates)",
    "categories_by_owner": "Forecast categories by owner, {quarter} (commit, best case cumulative)",
    "stages": "Conversion by stage",
    "open_deals_in_stage": "Open deals waiting in each stage",
    "backtest": "Past quarters: forecast on the first day beside what was won ({checked})",
    "calibration": "Were the probabilities true? Deals per band and the share won in the end",
    "waterfall": "How the pipeline of {waterfall} moved",
    "slipped_deals": "Open deals pushed out most often",
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
    "revenue_bridge": "Revenue bridge ({prior_months} to {months})",
    "productivity": "Won revenue per seller by month ({months})",
    "activity_attainment": "Activity vs target by seller ({weeks})",
}


def _filled(template: str, periods: Mapping[str, str] | None) -> str:
    return template.format_map({**_PERIODS, **(periods or {})})


def _key_and_periods(key: object, periods: object) -> None:
    """Refuse a key that is not a str, or periods that are not a mapping of str to str."""
    if not isinstance(key, str):
        raise InvalidInputError(f"key must be a str; got {type(key).__name__} {key!r:.60}")
    if periods is not None and (
        not isinstance(periods, Mapping)
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in periods.items())
    ):
        raise InvalidInputError(
            f"periods must be a mapping of str to str, or None; got {type(periods).__name__} "
            f"{periods!r:.60}"
        )


def label(key: str, periods: Mapping[str, str] | None = None) -> str:
    """The reader's name of a metric, its period filled from the section's ``periods``.

    Raises :class:`~salescore.InvalidInputError` when ``key`` is not a str or
    ``periods`` not a mapping of str to str (or None).
    """
    _key_and_periods(key, periods)
    return _filled(_METRICS.get(key, (key.replace("_", " ").capitalize(), "number"))[0], periods)


def table_title(key: str, periods: Mapping[str, str] | None = None) -> str:
    """The reader's name of a table, its period filled from the section's ``periods``.

    Raises :class:`~salescore.InvalidInputError` when ``key`` is not a str or
    ``periods`` not a mapping of str to str (or None).
    """
    _key_and_periods(key, periods)
    return _filled(_TABLES.get(key, key.replace("_", " ").capitalize()), periods)


def _minutes(value: float) -> str:
    if value < 60:
        return f"{value:.1f} min"
    if value < 48 * 60:
        return f"{value / 60:.1f} h"
    return f"{value / 1440:.1f} d"


def _format(value: Any, kind: str, style: Numbers | None = None) -> str:
    if value is None:
        return "-"
    if isinstance(value, (bool, str)):
        return str(value)
    if style is not None and style.cldr is not None:
        return style.format(value, kind)
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


def metric(key: str, value: Any, *, locale: str | None = None, currency: str | None = None) -> str:
    """A metric's value as shown to a reader.

    With a CLDR ``locale`` (``"sv_SE"``; needs Babel, the ``locale`` extra) the number
    is written in its conventions, money with the symbol of ``currency`` (an ISO 4217
    code) if given. Raises :class:`~salescore.InvalidInputError` for a ``locale``
    CLDR does not know, or when Babel is not installed.
    """
    return _metric(key, value, numbers(locale, currency))


def _metric(key: str, value: Any, style: Numbers | None = None) -> str:
    return _format(value, _METRICS.get(key, ("", "number"))[1], style)


def _count(value: int, style: Numbers | None = None) -> str:
    """A count of rows (the import summary): ``1,234``, or in the locale's conventions."""
    return f"{value:,}" if style is None or style.cldr is None else style.format(value, "count")


def _cell_value(value: object) -> object:
    """A cell's value: None, a bool, a str, or a real number within float range."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    number = option_number("value", value, allow_nan=True)  # refuses durations too
    if isinstance(value, (int, np.integer)):
        return int(value)
    return number


def cell(
    table: str, column: str, value: Any, *, locale: str | None = None, currency: str | None = None
) -> str:
    """A table cell as shown to a reader.

    With a CLDR ``locale`` (``"sv_SE"``; needs Babel, the ``locale`` extra) a number is
    written in its conventions, money with the symbol of ``currency`` (an ISO 4217
    code) if given.

    Raises :class:`~salescore.InvalidInputError` when ``table`` or ``column`` is not
    a str, ``value`` is not None, a bool, a str or a real number within float range,
    ``locale`` is not a locale CLDR knows, or Babel is not installed.
    """
    return _cell(table, column, value, numbers(locale, currency))


def _cell(table: str, column: str, value: Any, style: Numbers | None = None) -> str:
    for name, given in (("table", table), ("column", column)):
        if not isinstance(given, str):
            raise InvalidInputError(
                f"{name} must be a str; got {type(given).__name__} {given!r:.60}"
            )
    value = _cell_value(value)
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
    return _format(value, kind, style)


def _cells(
    key: str, data: dict[str, Any], style: Numbers | None = None
) -> tuple[list[str], list[list[str]]]:
    columns: list[str] = list(data["columns"])
    rows = [[_cell(key, c, row.get(c), style) for c in columns] for row in data["rows"]]
    return columns, rows


def _header(data: dict[str, Any], style: Numbers | None = None) -> list[str]:
    """The report's title, then a sentence for each convention it follows.

    The title names the date and the source; the sentences (each ending in a full
    stop) say what currency the amounts are in and how they were converted, the
    fiscal calendar the quarter follows, and the locale the numbers are written in.
    """
    # What the tables were read from, as their imports say: a log an engine read from
    # Parquet beside CSV tables makes "csv and parquet files".
    kinds = dict.fromkeys(str(item["source"]) for item in data.get("imports", ()))
    named = list(kinds) or [str(data["source"])]
    source = (
        "the sample CRM (salescore.datasets.sample)"
        if data["source"] == "sample"
        else f"{' and '.join(named)} files"
    )
    lines = [f"salescore report: as of {data['as_of']}, {source}"]
    if data["currency"] and data.get("rates"):
        lines.append(
            f"Amounts in {data['currency']}, converted at the rate in force on each deal's "
            f"close date ({data['rates']})."
        )
    elif data["currency"]:
        lines.append(f"Amounts in {data['currency']}.")
    if data.get("fiscal_calendar"):
        lines.append(f"{data['fiscal_calendar']}.")
    if style is not None and style.said:
        lines.append(f"{style.said[0].upper()}{style.said[1:]}.")
    return lines


def _cut(text: str, limit: int = EXAMPLE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def import_reasons(item: Mapping[str, Any]) -> tuple[list[tuple[str, str]], str | None]:
    """The reasons an import record shows: (``"n x column: problem"``, examples) pairs.

    At most :data:`IMPORT_GROUPS` groups, the most frequent first, each with the
    examples of its rows (lines, ids, values) cut at :data:`EXAMPLE_CHARS`
    characters; and the sentence that counts the groups left out (None when none
    is). A record without ``groups`` (an older report) shows its ``reasons``.

    Parameters
    ----------
    item : mapping
        One entry of the report's ``imports`` (JSON) list.

    Returns
    -------
    list of (str, str), and str or None
        The pairs shown, and the sentence on the rest.

    Raises
    ------
    InvalidInputError
        ``item`` is not such an entry (:meth:`~salescore.report.Import.to_dict`).

    Examples
    --------
    >>> item = {"reasons": {"value: not a number": 2}, "groups": [{"column": "value",
    ...     "problem": "not a number", "rows": 2, "examples": "line 3 ('D2'): 'abc'"}]}
    >>> import_reasons(item)
    ([('2 x value: not a number', "line 3 ('D2'): 'abc'")], None)
    """
    if not isinstance(item, Mapping):
        raise InvalidInputError(
            f"item must be a mapping (an entry of the report's imports); got "
            f"{type(item).__name__} {item!r:.60}"
        )
    try:
        return _import_reasons(item)
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as error:
        raise InvalidInputError(
            f"item is not an entry of the report's imports ({type(error).__name__}: "
            f"{error}); give one of Import.to_dict()"
        ) from None


def _import_reasons(item: Mapping[str, Any]) -> tuple[list[tuple[str, str]], str | None]:
    groups = item.get("groups") or [
        {"column": None, "problem": reason, "rows": n, "examples": ""}
        for reason, n in (item.get("reasons") or {}).items()
    ]
    ranked = sorted(groups, key=lambda group: -int(group["rows"]))
    shown = [
        (
            f"{int(group['rows']):,} x "
            + (
                group["problem"]
                if group["column"] is None
                else f"{group['column']}: {group['problem']}"
            ),
            _cut(str(group.get("examples") or "")),
        )
        for group in ranked[:IMPORT_GROUPS]
    ]
    more = len(ranked) - len(shown)
    if more <= 0:
        return shown, None
    rows = sum(int(group["rows"]) for group in ranked[IMPORT_GROUPS:])
    return shown, (
        f"and {counted(more, 'more kind')} of problem ({rows:,} rows; all in the JSON report)"
    )


def _import_warnings(item: Mapping[str, Any]) -> list[str]:
    """The record's warnings, at most :data:`IMPORT_GROUPS`, then how many more."""
    listed = [str(text) for text in item.get("warnings") or []]
    shown = [_cut(text, 2 * EXAMPLE_CHARS) for text in listed[:IMPORT_GROUPS]]
    more = len(listed) - len(shown)
    if more > 0:
        shown.append(f"and {counted(more, 'more warning')} (in the JSON report)")
    return shown


def _reasons_cell(item: Mapping[str, Any]) -> str:
    """The reasons of one import record in one table cell (Markdown, HTML)."""
    shown, more = import_reasons(item)
    parts = [f"{reason} (e.g. {examples})" if examples else reason for reason, examples in shown]
    parts += [more] if more else []
    parts += [f"warning: {text}" for text in _import_warnings(item)]
    return "; ".join(parts) or "-"


def _problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(severity heading, message) of each problem of the report's JSON data.

    Errors come first; ``data`` without the ``problems`` key (an older report) has
    none.
    """
    listed = data.get("problems") or []
    ordered = sorted(listed, key=lambda p: p.get("severity") != "error")
    return [
        ("Error" if p.get("severity") == "error" else "Warning", str(p["message"])) for p in ordered
    ]


def _caveats(section: dict[str, Any]) -> dict[str, str]:
    """Metric key → the caveat shown beside its figure (a window the data covers partly)."""
    return {str(k): str(v) for k, v in (section.get("caveats") or {}).items()}
