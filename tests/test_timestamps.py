"""The timestamp convention: naive means UTC, and aware beside naive is read in UTC.

Every function below used to refuse a mix of time-zone-aware and naive timestamps
("must both be time-zone aware or both naive"), although that is what every adapter
gave: ``created`` aware in UTC, ``close_date`` naive. Each test gives the mix and the
same data written naive in UTC, and expects the same result; the figures are small
enough to check by hand, as the comments do.
"""

from __future__ import annotations

import datetime

import pandas as pd
import pytest

import salescore
from salescore._arrays import align_zones, utc_naive
from salescore.adapters import salesforce
from salescore.models import rfm_summary
from salescore.schema import TIMESTAMPS, validate

OSLO = "Europe/Oslo"


def _deals() -> pd.DataFrame:
    """Four deals as an adapter gives them: ``created`` aware (Oslo), ``close_date`` naive.

    D4 was created at 00:30 on 1 April in Oslo (UTC+2 in summer time), which is 22:30
    UTC on 31 March: in UTC it closed (31 March) on the day it was created.
    """
    created = pd.to_datetime(
        ["2024-01-10 09:00", "2024-02-01 10:00", "2024-01-20 08:00", "2024-04-01 00:30"]
    ).tz_localize(OSLO)
    return pd.DataFrame(
        {
            "deal_id": ["D1", "D2", "D3", "D4"],
            "owner": ["ana", "bo", "ana", "bo"],
            "value": [10_000.0, 20_000.0, 5_000.0, 8_000.0],
            "probability": [0.25, 0.5, 0.0, 1.0],
            "currency": ["EUR"] * 4,
            "created": created,
            "close_date": pd.to_datetime(["2024-03-15", "2024-04-30", "2024-02-20", "2024-03-31"]),
            "status": ["open", "open", "lost", "won"],
            "lost_reason": [None, None, "price", None],
        }
    )


def _naive_utc(deals: pd.DataFrame) -> pd.DataFrame:
    """The same deals with ``created`` written as naive UTC, by hand."""
    created = pd.to_datetime(
        # Oslo is UTC+1 in winter and UTC+2 from 31 March 2024.
        ["2024-01-10 08:00", "2024-02-01 09:00", "2024-01-20 07:00", "2024-03-31 22:30"]
    )
    return deals.assign(created=created)


def test_the_convention_is_written_in_the_schema() -> None:
    assert "naive" in TIMESTAMPS
    assert "UTC" in TIMESTAMPS
    assert salescore.schema.TABLES["deals"]["created"].dtype == "datetime64[ns]"


def test_utc_naive_and_align_zones() -> None:
    oslo = pd.Timestamp("2024-04-01 00:30", tz=OSLO)
    assert utc_naive(oslo) == pd.Timestamp("2024-03-31 22:30")
    naive = pd.Timestamp("2024-03-31")
    assert utc_naive(naive) is naive
    # Aware beside naive: the aware one goes to UTC; None is passed through.
    assert align_zones(oslo, naive, None) == (pd.Timestamp("2024-03-31 22:30"), naive, None)
    # All aware (or all naive): unchanged, each keeps its zone.
    utc = oslo.tz_convert("UTC")
    first, second = align_zones(oslo, utc)
    assert first is oslo
    assert second is utc
    column = pd.Series([oslo])
    assert align_zones(column, naive)[0].tolist() == [pd.Timestamp("2024-03-31 22:30")]


def test_weighted_pipeline_by_period() -> None:
    mixed = salescore.weighted_pipeline(_deals(), freq="M")
    pd.testing.assert_frame_equal(
        mixed, salescore.weighted_pipeline(_naive_utc(_deals()), freq="M")
    )
    # Open deals: D1 closes in March (10,000 × 0.25), D2 in April (20,000 × 0.5).
    assert mixed["weighted_value"].tolist() == [2_500.0, 10_000.0]
    assert [str(period) for period in mixed.index] == ["2024-03", "2024-04"]


def test_loss_reasons_by_period() -> None:
    mixed = salescore.loss_reasons(_deals(), freq="M")
    pd.testing.assert_frame_equal(mixed, salescore.loss_reasons(_naive_utc(_deals()), freq="M"))
    # One lost deal, D3, closed in February for "price".
    assert mixed.loc["2024-02", ("count", "price")] == 1


def test_productivity_report() -> None:
    mixed = salescore.productivity_report(_deals(), 2.0, freq="M")
    naive = salescore.productivity_report(_naive_utc(_deals()), 2.0, freq="M")
    pd.testing.assert_frame_equal(mixed, naive)
    # One won deal, D4 (8,000, closed 31 March), shared by 2 sellers: 4,000 each.
    assert mixed.loc["2024-03", "productivity"] == 4_000.0


def test_a_close_the_day_of_creation_in_utc_is_not_refused() -> None:
    # D4 closed on 31 March, the UTC day of its creation (1 April in Oslo): not
    # "before the date it was created", whichever way the time is written.
    for deals in (_deals(), _naive_utc(_deals())):
        table = salescore.productivity_report(deals, 1.0, freq="M")
        assert table.loc["2024-03", "revenue"] == 8_000.0


def test_sales_cycle() -> None:
    deals, naive = _deals(), _naive_utc(_deals())
    mixed = salescore.sales_cycle(deals["created"], deals["close_date"], statistic=None)
    expected = salescore.sales_cycle(naive["created"], naive["close_date"], statistic=None)
    pd.testing.assert_series_equal(mixed, expected)
    # Close dates are calendar dates: whole days from each creation's UTC date.
    # D1 10 Jan → 15 Mar: 21 + 29 + 15 = 65; D2 1 Feb → 30 Apr: 28 + 31 + 30 = 89;
    # D3 20 Jan → 20 Feb: 31; D4, created 31 Mar 22:30 UTC, closed 31 Mar: 0.
    assert mixed.tolist() == [65.0, 89.0, 31.0, 0.0]


def _salesforce_same_day() -> list[dict[str, object]]:
    """Opportunities as the Salesforce REST API returns them, created at 09:30 UTC.

    The field shapes are those of the adapter's own tests: ``CreatedDate`` a datetime
    with its offset, ``CloseDate`` a date. 006S1 (won), 006S2 (lost) and 006S3 (open)
    close on 4 March 2025, the day they were created; 006S4 (won) the day after.
    """
    base = {
        "Amount": 1_000.0,
        "CurrencyIsoCode": "EUR",
        "OwnerId": "005A",
        "CreatedDate": "2025-03-04T09:30:00.000+0000",
        "CloseDate": "2025-03-04",
    }
    won = {"StageName": "Closed Won", "IsClosed": True, "IsWon": True, "Probability": 100.0}
    lost = {"StageName": "Closed Lost", "IsClosed": True, "IsWon": False, "Probability": 0.0}
    still_open = {
        "StageName": "Prospecting",
        "IsClosed": False,
        "IsWon": False,
        "Probability": 10.0,
    }
    return [
        {**base, **won, "Id": "006S1"},
        {**base, **lost, "Id": "006S2", "Loss_Reason__c": "Price"},
        {**base, **still_open, "Id": "006S3"},
        {**base, **won, "Id": "006S4", "Amount": 3_000.0, "CloseDate": "2025-03-05"},
    ]


@pytest.mark.parametrize("zones", ["as given", "aware"])
def test_salesforce_deals_closed_on_the_day_they_were_created(zones: str) -> None:
    result = salesforce.opportunities(
        _salesforce_same_day(), fields={"lost_reason": "Loss_Reason__c"}
    )
    assert (result.accepted, result.n_rejected) == (4, 0)
    deals = result.frame
    if zones == "aware":  # the adapters' earlier output: created aware in UTC
        deals = deals.assign(created=deals["created"].dt.tz_localize("UTC"))
    closed = deals[deals["status"] != "open"]
    cycle = salescore.sales_cycle(closed["created"], closed["close_date"], statistic=None)
    # Created 4 March 2025 (09:30 UTC): 006S1 and 006S2 closed 4 March, 0 days;
    # 006S4 closed 5 March, 1 day.
    assert dict(zip(closed["deal_id"], cycle, strict=True)) == {
        "006S1": 0.0,
        "006S2": 0.0,
        "006S4": 1.0,
    }
    assert salescore.sales_cycle(closed["created"], closed["close_date"]) == 0.0
    # The table functions that read created with close_date accept the same-day deals.
    pipeline = salescore.weighted_pipeline(deals, freq="M")
    assert pipeline.loc["2025-03", "weighted_value"] == 100.0  # 1,000 × 10 %
    reasons = salescore.loss_reasons(deals, freq="M")
    assert reasons.loc["2025-03", ("count", "Price")] == 1
    productivity = salescore.productivity_report(deals, 1.0, freq="M")
    assert productivity.loc["2025-03", "revenue"] == 4_000.0  # 1,000 + 3,000
    validate(deals, "deals")
    assert [deal.close_date for deal in salescore.frame_to_deals(deals)] == [
        datetime.date(2025, 3, 4)
    ] * 3 + [datetime.date(2025, 3, 5)]


def test_frame_to_deals_and_deal() -> None:
    mixed = salescore.frame_to_deals(_deals().drop(columns="lost_reason"), strict=True)
    naive = salescore.frame_to_deals(_naive_utc(_deals()).drop(columns="lost_reason"))
    assert mixed == naive
    assert mixed[3].created == pd.Timestamp("2024-03-31 22:30")
    assert mixed[3].close_date == datetime.date(2024, 3, 31)
    # Back to a frame: naive UTC, as the convention says.
    frame = salescore.deals_to_frame(mixed)
    assert str(frame["created"].dtype) == "datetime64[ns]"
    validate(frame, "deals")


def _history(aware_entered: bool) -> pd.DataFrame:
    """Two deals' visits; exited naive. 09:00 in Oslo in March is 08:00 UTC."""
    entered = pd.to_datetime(["2024-03-01 09:00", "2024-03-05 09:00", "2024-03-02 09:00"])
    utc = entered - pd.Timedelta(hours=1)
    return pd.DataFrame(
        {
            "deal_id": ["D1", "D1", "D2"],
            "stage": ["Qualify", "Propose", "Qualify"],
            "entered": entered.tz_localize(OSLO) if aware_entered else utc,
            "exited": pd.to_datetime(["2024-03-05 08:00", "NaT", "2024-03-03 20:00"]),
        }
    )


def test_time_in_stage_and_stage_funnel() -> None:
    as_of = pd.Timestamp("2024-03-10 08:00")
    mixed = salescore.time_in_stage(_history(True), as_of=as_of)
    pd.testing.assert_frame_equal(mixed, salescore.time_in_stage(_history(False), as_of=as_of))
    # D1 in Qualify from 1 March 08:00 UTC to 5 March 08:00: 4 days; D2 from 2 March
    # 08:00 to 3 March 20:00: 1.5 days; D1 in Propose since 5 March 08:00: 5 days.
    assert mixed["days"].tolist() == [4.0, 0.0, 1.5]
    assert mixed.loc[("D1", "Propose"), "current_days"] == 5.0
    stages = ["Qualify", "Propose"]
    funnel = salescore.stage_funnel(_history(True), stages=stages, as_of=as_of)
    expected = salescore.stage_funnel(_history(False), stages=stages, as_of=as_of)
    pd.testing.assert_frame_equal(funnel, expected)
    # An aware as_of beside naive columns: 09:00 in Oslo is 08:00 UTC.
    aware_as_of = pd.Timestamp("2024-03-10 09:00", tz=OSLO)
    pd.testing.assert_frame_equal(
        salescore.time_in_stage(_history(False), as_of=aware_as_of), mixed
    )


def test_response_times_and_report() -> None:
    leads = pd.DataFrame(
        {
            "lead_id": ["L1", "L2"],
            "owner": ["ana", "ana"],
            # 10:00 and 11:00 in Oslo (UTC+1 on 11 March) are 09:00 and 10:00 UTC.
            "created": pd.to_datetime(["2024-03-11 10:00", "2024-03-11 11:00"]).tz_localize(OSLO),
            "first_contact": pd.to_datetime(["2024-03-11 09:03", "2024-03-11 10:20"]),
        }
    )
    naive = leads.assign(created=pd.to_datetime(["2024-03-11 09:00", "2024-03-11 10:00"]))
    times = salescore.response_times(leads["created"], leads["first_contact"])
    assert times.tolist() == [pd.Timedelta(minutes=3), pd.Timedelta(minutes=20)]
    pd.testing.assert_frame_equal(
        salescore.response_report(leads), salescore.response_report(naive)
    )
    # One of the two within 5 minutes.
    assert salescore.response_report(leads).loc["ana", "share_within_sla"] == 0.5


def test_days_overdue_and_the_account_tables() -> None:
    accounts = pd.DataFrame(
        {
            "account_id": ["a1", "a2"],
            "tier": ["A", "B"],
            "annual_revenue": [100.0, 50.0],
            "size": ["large", "large"],
            "last_contact": pd.to_datetime(["2026-01-01", "2026-03-01"]),
        }
    )
    # today 1 June 00:00 in Oslo (UTC+2) is 31 May 22:00 UTC. a1 (tier A, every 30
    # days) was due 31 January: 120 days and 22 hours before.
    today = pd.Timestamp("2026-06-01", tz=OSLO)
    naive_today = pd.Timestamp("2026-05-31 22:00")
    days = salescore.days_overdue(accounts["last_contact"], accounts["tier"], today=today)
    assert days.iloc[0] == 120 + 22 / 24
    overdue = salescore.overdue_contacts(accounts, today=today)
    pd.testing.assert_frame_equal(overdue, salescore.overdue_contacts(accounts, today=naive_today))
    plan = salescore.tier_accounts(accounts.drop(columns="tier"), segments="size", today=today)
    expected = salescore.tier_accounts(
        accounts.drop(columns="tier"), segments="size", today=naive_today
    )
    pd.testing.assert_frame_equal(plan, expected)


def test_rfm_summary_observation_end() -> None:
    log = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b"],
            "date": pd.to_datetime(["2024-01-03", "2024-01-20", "2024-01-10"]),
        }
    )
    # 1 Feb 00:30 in Oslo is 31 Jan 23:30 UTC: the same day as the naive end.
    aware_end = pd.Timestamp("2024-02-01 00:30", tz=OSLO)
    summary = rfm_summary(log, freq="D", observation_end=aware_end)
    pd.testing.assert_frame_equal(summary, rfm_summary(log, freq="D", observation_end="2024-01-31"))
    # a bought on day 3 and day 20: one repeat, 17 days apart, 28 days old at 31 Jan.
    assert summary.loc["a", "frequency"] == 1.0
    assert summary.loc["a", "recency"] == 17.0
    assert summary.loc["a", "T"] == 28.0


def test_all_aware_in_one_zone_keeps_its_calendar() -> None:
    # 31 March 23:30 in Oslo is still March in Oslo but 21:30 UTC; with every column
    # aware in Oslo the periods are Oslo's months, as before.
    deals = pd.DataFrame(
        {
            "deal_id": ["D1"],
            "value": [100.0],
            "probability": [0.5],
            "currency": ["EUR"],
            "status": ["open"],
            "created": pd.to_datetime(["2024-04-01 00:30"]).tz_localize(OSLO),
            "close_date": pd.to_datetime(["2024-04-01"]).tz_localize(OSLO),
        }
    )
    table = salescore.weighted_pipeline(deals, freq="M")
    assert [str(period) for period in table.index] == ["2024-04"]


@pytest.mark.parametrize("zone", ["UTC", OSLO, "America/New_York"])
def test_any_zone_beside_naive_is_its_utc_time(zone: str) -> None:
    moment = pd.Timestamp("2024-06-28 12:00", tz="UTC").tz_convert(zone)
    created = pd.Series([moment])
    closed = pd.Series(pd.to_datetime(["2024-06-30"]))
    # Created on 28 June (12:00 UTC), closed on 30 June: 2 days, in whatever zone the
    # creation was written.
    assert salescore.sales_cycle(created, closed) == 2.0
