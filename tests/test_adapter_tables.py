"""Every adapter's frame, straight into every table function that reads its table.

Each adapter in ``ADAPTERS`` imports a few records in its CRM's shape (the shapes of
the vendor adapter tests and docstrings), and its ``.frame`` goes, untouched, into
each function of ``TABLE_FUNCTIONS`` that reads that table, with ``freq=`` where the
function offers it. Each frame is tried as the adapter gives it and with its instants
made time-zone aware in UTC (the adapters' earlier output), so that the tables accept
either, as the timestamp convention says. A public function that takes a DataFrame
and is neither registered here nor listed in ``OTHER_FRAMES`` fails the suite.

The figures checked by hand are computed from the records themselves in plain Python.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import pytest

import salescore
import salescore.models
from salescore.adapters import ImportResult, from_records, hubspot, odoo, pipedrive, salesforce
from salescore.schema import TABLES

# ------------------------------------------------------------------ records

SALESFORCE_OPPORTUNITIES: list[dict[str, Any]] = [
    {"Id": "006A1", "Amount": 27600.0, "Probability": 12.0, "StageName": "Prospecting",
     "IsClosed": False, "IsWon": False, "CloseDate": "2024-06-28",
     "CreatedDate": "2024-03-04T09:30:00.000+0000", "OwnerId": "005A", "LeadSource": "Web",
     "CurrencyIsoCode": "EUR", "ForecastCategory": "Pipeline"},
    {"Id": "006A2", "Amount": 34500.0, "Probability": 83.0, "StageName": "Negotiation/Review",
     "IsClosed": False, "IsWon": False, "CloseDate": "2024-05-31",
     "CreatedDate": "2024-01-10T08:15:00.000+0000", "OwnerId": "005B", "LeadSource": "Web",
     "CurrencyIsoCode": "EUR", "ForecastCategory": "BestCase"},
    {"Id": "006A3", "Amount": 12000.0, "Probability": 100.0, "StageName": "Closed Won",
     "IsClosed": True, "IsWon": True, "CloseDate": "2024-02-20",
     "CreatedDate": "2024-01-05T10:00:00.000+0000", "OwnerId": "005A",
     "LeadSource": "Phone Inquiry", "CurrencyIsoCode": "EUR", "ForecastCategory": "Closed"},
    {"Id": "006A4", "Amount": 5000.0, "Probability": 0.0, "StageName": "Closed Lost",
     "IsClosed": True, "IsWon": False, "CloseDate": "2024-03-15",
     "CreatedDate": "2024-02-01T12:00:00.000+0000", "OwnerId": "005B", "LeadSource": "Web",
     "CurrencyIsoCode": "EUR", "ForecastCategory": "Omitted", "Loss_Reason__c": "Price"},
]  # fmt: skip
SALESFORCE_HISTORY: list[dict[str, Any]] = [
    {"OpportunityId": "006A1", "StageName": "Prospecting",
     "CreatedDate": "2024-03-04T09:30:00.000+0000"},
    {"OpportunityId": "006A1", "StageName": "Qualification",
     "CreatedDate": "2024-03-08T12:00:00.000+0000"},
    {"OpportunityId": "006A2", "StageName": "Prospecting",
     "CreatedDate": "2024-01-10T08:15:00.000+0000"},
    {"OpportunityId": "006A2", "StageName": "Negotiation/Review",
     "CreatedDate": "2024-02-10T08:15:00.000+0000"},
]  # fmt: skip
SALESFORCE_LEADS: list[dict[str, Any]] = [
    {"Id": "00Q1", "CreatedDate": "2024-03-04T09:30:00.000+0000", "LeadSource": "Web",
     "IsConverted": False, "OwnerId": "005A"},
    {"Id": "00Q2", "CreatedDate": "2024-03-04T10:00:00.000+0000",
     "LeadSource": "Phone Inquiry", "IsConverted": True, "OwnerId": "005A"},
]  # fmt: skip
SALESFORCE_TASKS: list[dict[str, Any]] = [
    {"WhoId": "00Q1", "CreatedDate": "2024-03-04T09:34:00.000+0000", "TaskSubtype": "Call"},
    {"WhoId": "00Q2", "CreatedDate": "2024-03-04T10:20:00.000+0000", "TaskSubtype": "Email"},
]
SALESFORCE_CHANGES: list[dict[str, Any]] = [
    {"Id": "008A1", "OpportunityId": "006A1", "StageName": "Prospecting", "Amount": 25000.0,
     "Probability": 10.0, "CloseDate": "2024-06-28", "ForecastCategory": "Pipeline",
     "CreatedDate": "2024-03-04T09:30:00.000+0000", "IsDeleted": False},
    {"Id": "008A2", "OpportunityId": "006A1", "StageName": "Prospecting", "Amount": 27600.0,
     "Probability": 12.0, "CloseDate": "2024-06-28", "ForecastCategory": "Pipeline",
     "CreatedDate": "2024-03-08T12:00:00.000+0000", "IsDeleted": False},
    {"Id": "008A3", "OpportunityId": "006A3", "StageName": "Closed Won", "Amount": 12000.0,
     "Probability": 100.0, "CloseDate": "2024-02-20", "ForecastCategory": "Closed",
     "CreatedDate": "2024-02-20T15:00:00.000+0000", "IsDeleted": False},
]  # fmt: skip
HUBSPOT_DEALS: list[dict[str, Any]] = [
    {"id": "1001", "properties": {
        "amount": "27600", "dealstage": "appointmentscheduled",
        "hs_deal_stage_probability": "0.12", "hs_is_closed": "false",
        "hs_is_closed_won": "false", "deal_currency_code": "EUR", "hubspot_owner_id": "101",
        "createdate": "2024-03-04T09:30:00.000Z", "closedate": "2024-06-28T00:00:00.000Z"}},
    {"id": "1002", "properties": {
        "amount": "34500.00", "dealstage": "closedwon", "hs_deal_stage_probability": "1",
        "hs_is_closed": "true", "hs_is_closed_won": "true", "deal_currency_code": "EUR",
        "hubspot_owner_id": "101", "createdate": "2024-01-10T08:15:00.000Z",
        "closedate": "2024-02-20T15:00:00.000Z"}},
    {"id": "1003", "properties": {
        "amount": "5000", "dealstage": "closedlost", "hs_deal_stage_probability": "0",
        "hs_is_closed": "true", "hs_is_closed_won": "false", "deal_currency_code": "EUR",
        "hubspot_owner_id": "102", "closed_lost_reason": "Price",
        "createdate": "2024-02-01T12:00:00.000Z", "closedate": "2024-03-15T12:00:00.000Z"}},
    {"id": "1004", "properties": {
        "amount": "12000", "dealstage": "contractsent", "hs_deal_stage_probability": "0.9",
        "hs_is_closed": "false", "hs_is_closed_won": "false", "deal_currency_code": "EUR",
        "hubspot_owner_id": "102", "createdate": "2024-02-01T10:00:00.000Z",
        "closedate": "2024-05-31T00:00:00.000Z"}},
]  # fmt: skip
HUBSPOT_HISTORY: list[dict[str, Any]] = [
    {"id": "1001", "properties": {
        "hs_v2_date_entered_appointmentscheduled": "2024-03-04T09:30:00.000Z",
        "hs_v2_date_exited_appointmentscheduled": "2024-03-10T09:30:00.000Z",
        "hs_v2_date_entered_qualifiedtobuy": "2024-03-10T09:30:00.000Z",
        "hs_v2_date_exited_qualifiedtobuy": None}},
    {"id": "1004", "properties": {
        "hs_v2_date_entered_appointmentscheduled": "2024-02-01T10:00:00.000Z",
        "hs_v2_date_exited_appointmentscheduled": "2024-02-04T22:00:00.000Z",
        "hs_v2_date_entered_contractsent": "2024-02-04T22:00:00.000Z",
        "hs_v2_date_exited_contractsent": None}},
]  # fmt: skip
HUBSPOT_CHANGES: list[dict[str, Any]] = [
    {"id": "1001", "archived": False, "propertiesWithHistory": {
        "dealstage": [
            {"value": "qualifiedtobuy", "timestamp": "2024-03-10T09:30:00.000Z"},
            {"value": "appointmentscheduled", "timestamp": "2024-03-04T09:30:00.000Z"}],
        "amount": [{"value": "27600", "timestamp": "2024-03-04T09:30:00.000Z"}],
        "closedate": [{"value": "2024-06-28T00:00:00.000Z",
                       "timestamp": "2024-03-04T09:30:00.000Z"}],
        "deal_currency_code": [{"value": "EUR", "timestamp": "2024-03-04T09:30:00.000Z"}]}},
    {"id": "1002", "archived": False, "propertiesWithHistory": {
        "dealstage": [
            {"value": "closedwon", "timestamp": "2024-02-20T15:00:00.000Z"},
            {"value": "contractsent", "timestamp": "2024-01-10T08:15:00.000Z"}],
        "amount": [{"value": "34500.00", "timestamp": "2024-01-10T08:15:00.000Z"}],
        "closedate": [{"value": "2024-02-20T15:00:00.000Z",
                       "timestamp": "2024-02-20T15:00:00.000Z"},
                      {"value": "2024-03-31T00:00:00.000Z",
                       "timestamp": "2024-01-10T08:15:00.000Z"}],
        "deal_currency_code": [{"value": "EUR", "timestamp": "2024-01-10T08:15:00.000Z"}]}},
]  # fmt: skip
PIPEDRIVE_DEALS: list[dict[str, Any]] = [
    {"id": 101, "value": 27600, "currency": "EUR", "probability": 12, "status": "open",
     "stage_id": 2, "add_time": "2024-03-04 09:30:00", "expected_close_date": "2024-06-28",
     "user_id": {"id": 9001, "name": "Kari Nordmann", "value": 9001}},
    {"id": 102, "value": 34500, "currency": "EUR", "probability": None, "status": "won",
     "stage_id": 5, "add_time": "2024-01-10 08:15:00", "won_time": "2024-02-20 15:00:00",
     "user_id": {"id": 9001, "name": "Kari Nordmann", "value": 9001}},
    {"id": 103, "value": 5000, "currency": "EUR", "probability": 10, "status": "lost",
     "stage_id": 1, "add_time": "2024-02-01 12:00:00", "lost_time": "2024-03-15 10:00:00",
     "lost_reason": "Price", "user_id": {"id": 9002, "name": "Ola", "value": 9002}},
]  # fmt: skip
PIPEDRIVE_STAGES: list[dict[str, Any]] = [
    {"id": 1, "name": "Lead In", "deal_probability": 10},
    {"id": 2, "name": "Contact Made", "deal_probability": 20},
    {"id": 5, "name": "Negotiations Started", "deal_probability": 83},
]
ODOO_DEALS: list[dict[str, Any]] = [
    {"id": 41, "active": True, "stage_id": [2, "Qualified"], "probability": 12.0,
     "expected_revenue": 27600.0, "company_currency": [1, "EUR"],
     "create_date": "2024-03-04 09:30:00", "date_deadline": "2024-06-28",
     "user_id": [2, "Mitchell Admin"]},
    {"id": 43, "active": True, "stage_id": [4, "Won"], "probability": 100.0,
     "expected_revenue": 34500.0, "company_currency": [1, "EUR"],
     "create_date": "2024-01-10 08:15:00", "date_closed": "2024-02-20 15:00:00",
     "date_deadline": False, "user_id": [2, "Mitchell Admin"]},
    {"id": 44, "active": False, "stage_id": [2, "Qualified"], "probability": 0.0,
     "expected_revenue": 5000.0, "company_currency": [1, "EUR"],
     "lost_reason_id": [1, "Too expensive"], "create_date": "2024-02-01 12:00:00",
     "date_closed": "2024-03-15 10:00:00", "date_deadline": False, "user_id": False},
]  # fmt: skip
ODOO_STAGES: list[dict[str, Any]] = [
    {"id": 2, "name": "Qualified", "is_won": False},
    {"id": 4, "name": "Won", "is_won": True},
]
GENERIC: dict[str, tuple[list[dict[str, Any]], dict[str, str]]] = {
    "deals": (
        [
            {"Id": "P-1", "Worth": "27600", "Chance": 12, "Stage": "Proposal",
             "Status": "open", "Opened": "2024-03-04T10:30:00+01:00", "Due": "2024-06-28",
             "Currency": "EUR", "Why": None},
            {"Id": "P-2", "Worth": 34500.0, "Chance": "100", "Stage": "Won", "Status": "won",
             "Opened": "2024-01-10T08:15:00Z", "Due": "2024-02-20", "Currency": "EUR",
             "Why": None},
            {"Id": "P-3", "Worth": 5000, "Chance": 0, "Stage": "Lost", "Status": "lost",
             "Opened": "2024-02-01T12:00:00Z", "Due": "2024-03-15", "Currency": "EUR",
             "Why": "Price"},
        ],
        {"deal_id": "Id", "value": "Worth", "probability": "Chance", "stage": "Stage",
         "status": "Status", "created": "Opened", "close_date": "Due", "currency": "Currency",
         "lost_reason": "Why"},
    ),
    "stage_history": (
        [
            {"deal_id": "P-1", "stage": "Qualify", "entered": "2024-03-04T09:30:00Z",
             "exited": "2024-03-06T21:30:00Z"},
            {"deal_id": "P-1", "stage": "Proposal", "entered": "2024-03-06T21:30:00Z",
             "exited": None},
        ],
        {},
    ),
    "accounts": (
        [
            {"account_id": "a1", "name": "Acme", "annual_revenue": "120000",
             "last_contact": "2026-05-01", "tier": "A"},
            {"account_id": "a2", "name": "Globex", "annual_revenue": 30000,
             "last_contact": "2026-03-01T10:00:00+02:00", "tier": "B"},
            {"account_id": "a3", "name": "Initech", "annual_revenue": 0,
             "last_contact": None, "tier": "D"},
        ],
        {},
    ),
    "deal_changes": (
        [
            {"deal_id": "D1", "changed_at": "2024-03-04T09:30:00Z", "stage": "Proposal",
             "value": "27600", "probability": "12", "close_date": "2024-06-28",
             "status": "open", "owner": "ana", "currency": "EUR", "source": "web"},
            {"deal_id": "D1", "changed_at": "2024-05-02T10:00:00+02:00", "stage": "Proposal",
             "value": 27600, "probability": 30, "close_date": "2024-07-31",
             "status": "open", "owner": "ana", "currency": "EUR", "source": "web"},
            {"deal_id": "D2", "changed_at": "2024-02-01T12:00:00Z", "stage": "Won",
             "value": 5000, "probability": 100, "close_date": "2024-02-01", "status": "won",
             "owner": "bo", "currency": "EUR", "source": None},
        ],
        {},
    ),
    "transactions": (
        [
            {"customer_id": "c1", "date": "2024-01-05", "amount": 100},
            {"customer_id": "c1", "date": "2024-02-05", "amount": 50},
            {"customer_id": "c2", "date": "2024-01-20T15:00:00Z", "amount": 80},
        ],
        {},
    ),
    "leads": (
        [
            {"lead_id": "L1", "created": "2024-01-05T10:00:00Z", "source": "web",
             "first_contact": "2024-01-05T10:03:00Z", "converted": True, "owner": "ana"},
            {"lead_id": "L2", "created": "2024-01-05T11:00:00+01:00", "source": "web",
             "first_contact": "2024-01-05T10:30:00Z", "converted": False, "owner": "ana"},
        ],
        {},
    ),
    "activities": (
        [
            {"owner": "ana", "date": "2024-01-05T10:00:00Z", "kind": "call", "outcome": "reached"},
            {"owner": "ana", "date": "2024-01-09T10:00:00Z", "kind": "call", "outcome": None},
            {"owner": "bo", "date": "2024-02-01T09:00:00Z", "kind": "visit", "outcome": None},
        ],
        {},
    ),
}  # fmt: skip


def _generic(table: str) -> Callable[[], ImportResult]:
    records, mapping = GENERIC[table]
    return lambda: from_records(records, mapping or None, table=table, probability_scale="percent")


#: Each adapter (by module and function) and the canonical table it makes.
ADAPTERS: dict[str, tuple[str, Callable[[], ImportResult]]] = {
    "salesforce.opportunities": (
        "deals",
        lambda: salesforce.opportunities(
            SALESFORCE_OPPORTUNITIES, fields={"lost_reason": "Loss_Reason__c"}
        ),
    ),
    "salesforce.opportunity_history": (
        "stage_history",
        lambda: salesforce.opportunity_history(SALESFORCE_HISTORY),
    ),
    "salesforce.leads": ("leads", lambda: salesforce.leads(SALESFORCE_LEADS, SALESFORCE_TASKS)),
    "salesforce.opportunity_changes": (
        "deal_changes",
        lambda: salesforce.opportunity_changes(SALESFORCE_CHANGES),
    ),
    "hubspot.deals": ("deals", lambda: hubspot.deals(HUBSPOT_DEALS)),
    "hubspot.deal_changes": ("deal_changes", lambda: hubspot.deal_changes(HUBSPOT_CHANGES)),
    "hubspot.stage_history": ("stage_history", lambda: hubspot.stage_history(HUBSPOT_HISTORY)),
    "pipedrive.deals": ("deals", lambda: pipedrive.deals(PIPEDRIVE_DEALS, stages=PIPEDRIVE_STAGES)),
    "odoo.deals": ("deals", lambda: odoo.deals(ODOO_DEALS, stages=ODOO_STAGES)),
    **{f"generic.from_records[{table}]": (table, _generic(table)) for table in GENERIC},
}

# ------------------------------------------------------------------ table functions

AS_OF = pd.Timestamp("2026-06-30")  # after every record: open visits are measured to it
TODAY = pd.Timestamp("2026-06-30")


def _stages(history: pd.DataFrame) -> list[Any]:
    return list(dict.fromkeys(history["stage"].tolist()))


def _probabilities(deals: pd.DataFrame) -> dict[str, float]:
    return dict.fromkeys(deals["stage"].dropna().unique().tolist(), 0.5)


def _categorised(deals: pd.DataFrame) -> pd.DataFrame:
    """Deals whose missing forecast category is "pipeline".

    Pipedrive, Odoo and most records carry no forecast category, and the rollup
    refuses an open deal without one; putting them in the pipeline is the caller's
    decision, made here in the open.
    """
    return deals.assign(forecast_category=deals["forecast_category"].fillna("pipeline"))


def _closed(history: pd.DataFrame) -> pd.DataFrame:
    """A deals table for the history's deals, each closed: won if its id sorts first.

    A stage history carries no outcome; stage_win_rates needs one per deal, so this
    one is made up in the open, for the test of the frame's shape only.
    """
    ids = sorted(history["deal_id"].unique().tolist(), key=str)
    status = ["won"] + ["lost"] * (len(ids) - 1)
    return pd.DataFrame(
        {"deal_id": ids, "status": status, "stage": [f"Closed {s}" for s in status]}
    )


TIERS = ("A", "B", "C", "D")
BANDS = ("red", "orange", "yellow", "blue")  # every band, so that the list is not empty


def _plan(accounts: pd.DataFrame) -> pd.DataFrame:
    """The account plan, without the accounts of unknown temperature (no revenue yet).

    cold_accounts warns about those and leaves them out; here they are left out first.
    """
    plan = salescore.tier_accounts(accounts.drop(columns="tier"), segments=(), today=TODAY)
    return plan[plan["temperature"].notna()]


#: Each call of a table function, keyed "function" or "function[variant]": the
#: canonical table it reads and the call on a frame of that table.
TABLE_FUNCTIONS: dict[str, tuple[str, Callable[[pd.DataFrame], object]]] = {
    # deals
    "weighted_pipeline": ("deals", lambda f: salescore.weighted_pipeline(f)),
    "weighted_pipeline[freq]": ("deals", lambda f: salescore.weighted_pipeline(f, freq="M")),
    "forecast_rollup": ("deals", lambda f: salescore.forecast_rollup(_categorised(f))),
    "loss_reasons": ("deals", lambda f: salescore.loss_reasons(f, freq="M")),
    "book_distribution": (
        "deals",
        lambda f: salescore.book_distribution(f[f["status"] == "open"], skipna=True).to_frame(),
    ),
    "productivity_report": ("deals", lambda f: salescore.productivity_report(f, 2.0, freq="M")),
    "fill_probabilities": (
        "deals",
        lambda f: salescore.fill_probabilities(f, _probabilities(f), overwrite=True)[0],
    ),
    "frame_to_deals": ("deals", lambda f: salescore.frame_to_deals(f)),
    "sales_cycle": (
        "deals",
        lambda f: salescore.sales_cycle(f["created"], f["close_date"], statistic=None),
    ),
    # stage history
    "stage_funnel": (
        "stage_history",
        lambda f: salescore.stage_funnel(f, stages=_stages(f), as_of=AS_OF),
    ),
    "time_in_stage": ("stage_history", lambda f: salescore.time_in_stage(f, as_of=AS_OF)),
    "stage_win_rates": (
        "stage_history",
        lambda f: salescore.stage_win_rates(f, _closed(f)),
    ),
    # deal changes
    "pipeline_as_of": ("deal_changes", lambda f: salescore.pipeline_as_of(f, AS_OF)),
    "pipeline_waterfall": (
        "deal_changes",
        lambda f: salescore.pipeline_waterfall(f, "2024-01-01", AS_OF).table(),
    ),
    "pipeline_waterfall[period]": (
        "deal_changes",
        lambda f: salescore.pipeline_waterfall(f, "2024-01-01", AS_OF, period="2024").table(),
    ),
    "close_date_slippage": ("deal_changes", lambda f: salescore.close_date_slippage(f).deals),
    "backtest_forecast": (
        "deal_changes",
        lambda f: salescore.backtest_forecast(f, periods=["2024Q2"], as_of=AS_OF).periods,
    ),
    # leads
    "response_report": ("leads", lambda f: salescore.response_report(f)),
    "response_times": (
        "leads",
        lambda f: salescore.response_times(f["created"], f["first_contact"]),
    ),
    "source_performance": ("leads", lambda f: salescore.source_performance(f)),
    "source_performance[freq]": ("leads", lambda f: salescore.source_performance(f, freq="M")),
    # activities
    "activity_report": (
        "activities",
        lambda f: salescore.activity_report(f, {"call": 1.0, "visit": 1.0}, freq="M"),
    ),
    # accounts
    "tier_accounts": (
        "accounts",
        lambda f: salescore.tier_accounts(f.drop(columns="tier"), segments=(), today=TODAY),
    ),
    "overdue_contacts": ("accounts", lambda f: salescore.overdue_contacts(f, today=TODAY)),
    "cold_accounts": (
        "accounts",
        lambda f: salescore.cold_accounts(_plan(f), tiers=TIERS, bands=BANDS),
    ),
    "days_overdue": (
        "accounts",
        lambda f: salescore.days_overdue(f["last_contact"], f["tier"], today=TODAY),
    ),
    # transactions
    "cohort_retention": ("transactions", lambda f: salescore.cohort_retention(f, freq="M")),
    "retention_by_period": (
        "transactions",
        lambda f: salescore.retention_by_period(f, freq="M"),
    ),
    "usage_summary": ("transactions", lambda f: salescore.usage_summary(f, freq="M")),
    "rfm_summary": (
        "transactions",
        lambda f: salescore.models.rfm_summary(f, amount="amount", freq="D"),
    ),
    # every table
    **{
        f"{name}[{table}]": (table, _whole)
        for table in TABLES
        for name, _whole in (
            ("validate", lambda f, t=table: salescore.validate(f, t)),
            ("row_problems", lambda f, t=table: salescore.row_problems(f, t)),
            ("to_records", lambda f, t=table: salescore.to_records(f, table=t)),
        )
    },
}

#: Public functions that take a DataFrame which is not one canonical table, and why.
OTHER_FRAMES: Mapping[str, str] = {
    "profitability_by_source": "reads a table of won customers with selling hours",
    "referral_report": "reads a table of new customers with their referrers",
    "declining_accounts": "reads two revenue columns; the accounts table has one",
    "compress": "reads rfm_summary's result, which rfm_summary[transactions] makes",
    "convert": (
        "converts one column of any table and needs an ExchangeRates of its currencies; "
        "tested on deals tables in test_money.py and, through rates=, in "
        "test_pipeline_tables.py"
    ),
}


def _takes_a_frame(function: object) -> bool:
    try:
        parameters = list(inspect.signature(function).parameters.values())  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return bool(parameters) and "DataFrame" in str(parameters[0].annotation)


def test_every_table_function_is_registered() -> None:
    public = {
        name: getattr(module, name)
        for module in (salescore, salescore.models)
        for name in module.__all__
        if inspect.isfunction(getattr(module, name))
    }
    frames = {name for name, function in public.items() if _takes_a_frame(function)}
    registered = {key.split("[")[0] for key in TABLE_FUNCTIONS}
    assert frames - set(OTHER_FRAMES) <= registered, (
        "register the new table function in tests/test_adapter_tables.py, or list it in "
        "OTHER_FRAMES with the reason"
    )
    assert set(OTHER_FRAMES) <= set(public)


def test_every_adapter_is_registered() -> None:
    modules = {"salesforce": salesforce, "hubspot": hubspot, "pipedrive": pipedrive, "odoo": odoo}
    adapters = {
        f"{name}.{function}"
        for name, module in modules.items()
        for function in module.__all__
        if inspect.isfunction(getattr(module, function))
    }
    assert adapters <= set(ADAPTERS)
    made = {table for table, _ in ADAPTERS.values()}
    assert made == set(TABLES)  # from_records makes every table


# ------------------------------------------------------------------ the crossing


def _aware(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """The frame with its instants (``timestamp`` columns) aware in UTC, if naive."""
    out = frame.copy()
    for column in TABLES[table]:
        if column.kind == "timestamp" and column.name in out:
            stamps = out[column.name]
            if not isinstance(stamps.dtype, pd.DatetimeTZDtype):
                out[column.name] = stamps.dt.tz_localize("UTC")
    return out


def _frame(adapter: str, zones: str) -> pd.DataFrame:
    table, make = ADAPTERS[adapter]
    result = make()
    assert result.accepted == result.rows_in, result.rejected["reason"].tolist()
    frame = result.frame
    return _aware(frame, table) if zones == "aware" else frame


CROSSING = [
    (adapter, function)
    for adapter, (table, _) in ADAPTERS.items()
    for function, (reads, _) in TABLE_FUNCTIONS.items()
    if reads == table
]


@pytest.mark.parametrize("zones", ["as given", "aware"])
@pytest.mark.parametrize(("adapter", "function"), CROSSING, ids=[f"{a}-{f}" for a, f in CROSSING])
def test_every_adapter_frame_goes_into_every_table_function(
    adapter: str, function: str, zones: str
) -> None:
    frame = _frame(adapter, zones)
    result = TABLE_FUNCTIONS[function][1](frame)
    if function.startswith("validate"):
        assert result is None  # the adapter's frame fits its table
    elif isinstance(result, (pd.DataFrame, pd.Series, list, np.ndarray)):
        assert len(result) > 0
    else:
        pytest.fail(f"{function} returned {type(result).__name__}")


# ------------------------------------------------------------------ figures by hand


def _open_weighted(records: list[dict[str, Any]]) -> float:
    """Σ value × probability of the open deals, read from the records in plain Python."""
    total = 0.0
    for record in records:
        fields = record.get("properties", record)
        if "IsClosed" in fields:  # Salesforce: Amount, Probability in percent
            if not fields["IsClosed"]:
                total += fields["Amount"] * fields["Probability"] / 100
        elif "hs_is_closed" in fields:  # HubSpot: strings, probability a fraction
            if fields["hs_is_closed"] == "false":
                total += float(fields["amount"]) * float(fields["hs_deal_stage_probability"])
        elif "add_time" in fields:  # Pipedrive: value, probability in percent
            if fields["status"] == "open":
                total += fields["value"] * fields["probability"] / 100
        elif "expected_revenue" in fields:  # Odoo: open = active and not in a won stage
            if fields["active"] and fields["stage_id"][1] != "Won":
                total += fields["expected_revenue"] * fields["probability"] / 100
        elif fields["Status"] == "open":  # generic
            total += float(fields["Worth"]) * float(fields["Chance"]) / 100
    return total


DEAL_RECORDS = {
    "salesforce.opportunities": SALESFORCE_OPPORTUNITIES,
    "hubspot.deals": HUBSPOT_DEALS,
    "pipedrive.deals": PIPEDRIVE_DEALS,
    "odoo.deals": ODOO_DEALS,
    "generic.from_records[deals]": GENERIC["deals"][0],
}


@pytest.mark.parametrize("zones", ["as given", "aware"])
@pytest.mark.parametrize("adapter", sorted(DEAL_RECORDS))
def test_weighted_pipeline_is_the_records_sum(adapter: str, zones: str) -> None:
    frame = _frame(adapter, zones)
    expected = _open_weighted(DEAL_RECORDS[adapter])
    # 27,600 × 12 % = 3,312 in every CRM; Salesforce adds 34,500 × 83 % = 28,635,
    # HubSpot 12,000 × 90 % = 10,800.
    assert expected == {
        "salesforce.opportunities": 31_947.0,
        "hubspot.deals": 14_112.0,
    }.get(adapter, 3_312.0)
    total = salescore.weighted_pipeline(frame)["weighted_value"].sum()
    by_month = salescore.weighted_pipeline(frame, freq="M")["weighted_value"].sum()
    assert total == pytest.approx(expected, rel=1e-12)
    assert by_month == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("zones", ["as given", "aware"])
@pytest.mark.parametrize("adapter", sorted(DEAL_RECORDS))
def test_won_and_lost_by_month(adapter: str, zones: str) -> None:
    frame = _frame(adapter, zones)
    # Every CRM's records hold one won deal, closed 20 February 2024 (Salesforce's
    # 12,000; the others' 34,500), and one lost deal, closed 15 March 2024.
    won = 12_000.0 if adapter == "salesforce.opportunities" else 34_500.0
    report = salescore.productivity_report(frame, 1.0, freq="M")
    assert report.loc["2024-02", "revenue"] == won
    losses = salescore.loss_reasons(frame, freq="M")
    assert losses["count"].loc["2024-03"].sum() == 1


@pytest.mark.parametrize("zones", ["as given", "aware"])
def test_time_in_stage_of_the_histories(zones: str) -> None:
    salesforce_days = salescore.time_in_stage(
        _frame("salesforce.opportunity_history", zones), as_of=AS_OF
    )
    # 006A1 in Prospecting from 4 March 09:30 to 8 March 12:00: 4 days and 2.5 hours;
    # 006A2 from 10 January to 10 February 08:15: 31 days.
    assert salesforce_days.loc[("006A1", "Prospecting"), "days"] == 4 + 2.5 / 24
    assert salesforce_days.loc[("006A2", "Prospecting"), "days"] == 31.0
    hubspot_days = salescore.time_in_stage(_frame("hubspot.stage_history", zones), as_of=AS_OF)
    # 1001: 4 to 10 March 09:30, 6 days; 1004: 1 February 10:00 to 4 February 22:00, 3.5.
    assert hubspot_days.loc[("1001", "appointmentscheduled"), "days"] == 6.0
    assert hubspot_days.loc[("1004", "appointmentscheduled"), "days"] == 3.5
    generic = salescore.time_in_stage(
        _frame("generic.from_records[stage_history]", zones), as_of=AS_OF
    )
    assert generic.loc[("P-1", "Qualify"), "days"] == 2.5  # 4 March 09:30 to 6 March 21:30


@pytest.mark.parametrize("zones", ["as given", "aware"])
def test_response_times_of_the_leads(zones: str) -> None:
    report = salescore.response_report(_frame("salesforce.leads", zones))
    # Tasks 4 and 20 minutes after the leads: median 12 minutes, one within 5 minutes.
    assert report["median_response"].iloc[0] == pd.Timedelta(minutes=12)
    assert report["share_within_sla"].iloc[0] == 0.5
    generic = salescore.response_report(_frame("generic.from_records[leads]", zones))
    # L1 3 minutes; L2 created 11:00+01:00 = 10:00 UTC, contacted 10:30 UTC: 30 minutes.
    assert generic.loc["ana", "median_response"] == pd.Timedelta(minutes=16, seconds=30)


@pytest.mark.parametrize("zones", ["as given", "aware"])
def test_accounts_transactions_and_activities(zones: str) -> None:
    accounts = _frame("generic.from_records[accounts]", zones)
    days = salescore.days_overdue(accounts["last_contact"], accounts["tier"], today=TODAY)
    # a1 (tier A, every 30 days) last contacted 1 May 2026: due 31 May, 30 days before
    # 30 June. a2 (tier B, 90 days) on 1 March 08:00 UTC: due 30 May 08:00, 30 days
    # and 16 hours before 30 June.
    assert days.tolist()[:2] == [30.0, 30 + 16 / 24]
    transactions = _frame("generic.from_records[transactions]", zones)
    summary = salescore.models.rfm_summary(transactions, amount="amount", freq="D")
    # c1 bought 5 January and 5 February: one repeat, 31 days apart.
    assert summary.loc["c1", "frequency"] == 1.0
    assert summary.loc["c1", "recency"] == 31.0
    retention = salescore.retention_by_period(transactions, freq="M")
    assert len(retention) == 2  # January and February 2024
    activities = _frame("generic.from_records[activities]", zones)
    report = salescore.activity_report(activities, {"call": 1.0, "visit": 1.0}, freq="M")
    assert report.to_numpy(dtype=object).size > 0
