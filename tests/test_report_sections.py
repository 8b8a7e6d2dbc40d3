"""The report's sections on small hand-built canonical frames, figures checked by hand.

Each test builds the few rows it needs, calls a section function directly, and checks
the figures against a hand calculation written in the comments: the windows are
anchored on the report date, a window the data cover in part is flagged beside the
figure, the forecast's categories cover the forecast quarter, figures that need no
probability survive without one, and open deals without a close date or past it are
counted and shown.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from salescore.errors import InvalidInputError, SchemaError
from salescore.report import build_report, render
from salescore.report._layout import _METRICS
from salescore.report.data import Inputs
from salescore.report.render import WIDTH, label, table_title
from salescore.report.sections import (
    Section,
    _own_words,
    accounts_section,
    days_text,
    forecast_section,
    funnel_section,
    funnel_stages,
    leads_section,
    months_text,
    probability_presets,
    quarter_end,
    retention_section,
    team_section,
    value_section,
)

NEW_YEAR = pd.Timestamp("2026-01-01")


def _deals(rows: list[tuple[Any, ...]], *, probability: bool = True) -> pd.DataFrame:
    """Deals from (id, status, value, close_date, forecast_category, probability) rows."""
    frame = pd.DataFrame(
        rows,
        columns=["deal_id", "status", "value", "close_date", "forecast_category", "probability"],
    )
    frame["close_date"] = pd.to_datetime(frame["close_date"])
    frame["value"] = frame["value"].astype(float)
    frame["probability"] = frame["probability"].astype(float)
    frame["created"] = pd.Timestamp("2025-06-01")
    frame["owner"] = "Ann"
    frame["currency"] = "EUR"
    return frame if probability else frame.drop(columns="probability")


def _tx(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


# ------------------------------------------------------------------------ windows (2)


def test_team_window_is_the_12_months_before_the_report_month() -> None:
    # Three wins in five months (Aug-Dec 2025), two sellers; report on 1 January 2026.
    deals = _deals(
        [
            ("D1", "won", 3_000, "2025-08-05", None, 1.0),
            ("D2", "won", 6_000, "2025-10-10", None, 1.0),
            ("D3", "won", 3_000, "2025-12-20", None, 1.0),
        ]
    ).assign(created=pd.Timestamp("2025-08-01"))
    section = team_section(deals, None, as_of=NEW_YEAR, headcount=2.0, targets={})
    m = section.metrics
    # Won in Jan-Dec 2025: 3,000 + 6,000 + 3,000 = 12,000.
    assert m["revenue_12_months"] == 12_000.0
    # Per seller a month over the 12 months, empty months as 0: 12,000 / 2 / 12 = 500
    # (not the mean of the five months Aug-Dec, 1,200).
    assert m["productivity_per_month"] == pytest.approx(500.0)
    assert len(section.tables["productivity"]["rows"]) == 12
    assert section.periods["months"] == "Jan–Dec 2025"
    # The deals begin on 1 August 2025: 1 Aug-31 Dec is 31+30+31+30+31 = 153 of 365 days.
    assert "153 of its 365 days" in section.caveats["revenue_12_months"]
    assert "153 of its 365 days" in section.caveats["productivity_per_month"]
    # No deal before August 2025: no change on 2024 is shown.
    assert "productivity_change" not in m


def test_deals_that_name_no_owner_count_one_seller_and_say_so() -> None:
    # One win of 3,000 in August 2025, the owner left empty: without --headcount the
    # team is taken as 1 seller (not 0, which would leave revenue per seller empty):
    # 3,000 / 1 / 12 = 250 a month.
    deals = _deals([("D1", "won", 3_000, "2025-08-05", None, 1.0)]).assign(owner=None)
    section = team_section(deals, None, as_of=NEW_YEAR, headcount=None, targets={})
    assert section.metrics["productivity_per_month"] == pytest.approx(250.0)
    assert any(note.startswith("Headcount taken as 1 seller") for note in section.notes)
    assert not any("owners of deals" in note for note in section.notes)


def test_months_without_a_headcount_are_flagged_beside_revenue_per_seller() -> None:
    deals = _deals(
        [
            ("D1", "won", 3_000, "2025-03-05", None, 1.0),
            ("D2", "won", 9_000, "2025-10-10", None, 1.0),
        ]
    ).assign(created=pd.Timestamp("2025-01-01"))
    # Two sellers a month, known for Jul-Dec 2025 only.
    headcount = pd.Series([2.0] * 6, index=pd.period_range("2025-07", "2025-12", freq="M"))
    section = team_section(deals, None, as_of=NEW_YEAR, headcount=headcount, targets={})
    # Per seller over the 6 months with a headcount: 9,000 / 2 / 6 = 750; March's 3,000
    # has no seller count and is in none of it, which the caveat says.
    assert section.metrics["productivity_per_month"] == pytest.approx(750.0)
    assert section.metrics["revenue_12_months"] == 12_000.0  # revenue needs no headcount
    assert section.caveats["productivity_per_month"] == (
        "Jan–Dec 2025: a headcount for 6 of its 12 months, so the mean is over those; "
        "the 3,000 won in the others is in none of it"
    )
    assert "revenue_12_months" not in section.caveats


def test_historical_data_show_nothing_in_the_report_year() -> None:
    # A 10,000,000 win and its customer's purchase, both in 2022; report on 1 Jan 2026.
    deals = _deals([("D1", "won", 10_000_000, "2022-03-10", None, 1.0)]).assign(
        created=pd.Timestamp("2022-01-10")
    )
    tx = _tx([("C1", "2022-03-15", 10_000_000.0)])
    team = team_section(deals, None, as_of=NEW_YEAR, headcount=1.0, targets={})
    value = value_section(
        tx, as_of=NEW_YEAR, sellers=1.0, margin=0.3, seller_cost=90_000.0, discount_rate=0.1
    )
    # Nothing was won and nobody bought in Jan-Dec 2025: both figures are 0, and each
    # says why.
    assert team.metrics["revenue_12_months"] == 0.0
    assert value.metrics["active_customers"] == 0
    assert "no deals in it (they end on 10 Mar 2022)" in team.caveats["revenue_12_months"]
    assert "no transactions in it" in value.caveats["active_customers"]


def test_a_part_month_is_not_averaged_as_a_full_one() -> None:
    # Report on 10 January 2026: 9 days of January are a part month.
    as_of = pd.Timestamp("2026-01-10")
    deals = _deals(
        [
            ("D1", "won", 1_200, "2025-06-15", None, 1.0),
            ("D2", "won", 9_000, "2026-01-05", None, 1.0),
        ]
    ).assign(created=pd.Timestamp("2024-06-01"))
    team = team_section(deals, None, as_of=as_of, headcount=1.0, targets={})
    # Jan-Dec 2025 hold D1 only: 1,200; the 9,000 of 5 January 2026 is in none of them.
    assert team.metrics["revenue_12_months"] == 1_200.0
    assert team.metrics["productivity_per_month"] == pytest.approx(100.0)  # 1,200 / 12
    assert any("9 days of January 2026" in note for note in team.notes)
    # Two customers buy on the 5th of every month of 2025; A also on 5 January 2026.
    months = pd.date_range("2025-01-01", periods=12, freq="MS") + pd.Timedelta(days=4)
    rows = [(c, str(d.date()), 100.0) for d in months for c in ("A", "B")]
    tx = _tx([*rows, ("A", "2026-01-05", 100.0)])
    retention = retention_section(tx, None, as_of=as_of)
    m = retention.metrics
    # Feb-Dec 2025 each keep both customers of the month before: retention 1, churn 0.
    # January 2025 has no month before with a customer and no rate, so the mean is over
    # 11 months. The part month January 2026 (1 of 2 customers so far, 0.5) is left out.
    assert m["monthly_retention"] == pytest.approx(1.0)
    assert m["monthly_churn"] == pytest.approx(0.0)
    assert "mean of 11 of the 12 months" in retention.caveats["monthly_retention"]
    # The transactions begin on 5 January 2025: 5 Jan-31 Dec is 361 of 365 days.
    assert "361 of its 365 days" in retention.caveats["monthly_retention"]


def test_a_window_the_data_cover_in_part_is_flagged_beside_its_figures() -> None:
    # The transactions begin on 23 December 2024: the prior window Jan-Dec 2024 holds 9
    # days (23-31 Dec) of 2024's 366.
    tx = _tx([("A", "2024-12-23", 100.0), ("A", "2025-05-01", 1_000.0), ("B", "2025-06-01", 500.0)])
    section = retention_section(tx, None, as_of=NEW_YEAR)
    m = section.metrics
    # Start 100 (A in 2024); end of the cohort 1,000: NRR = 1,000 / 100 = 10 (1000 %);
    # B is new. Gained 900 + 500 = 1,400, lost 0: the quick ratio has no denominator.
    assert m["nrr"] == pytest.approx(10.0)
    assert m["customers_last_year"] == 1
    for key in ("nrr", "grr", "quick_ratio", "renewal_rate", "customers_last_year"):
        assert "Jan–Dec 2024: the transactions begin on 23 Dec 2024" in section.caveats[key]
        assert "9 of its 366 days" in section.caveats[key]
    data = section.to_dict()
    assert data["caveats"]["nrr"] == section.caveats["nrr"]
    assert data["periods"] == {"months": "Jan–Dec 2025", "prior_months": "Jan–Dec 2024"}
    value = value_section(
        tx, as_of=NEW_YEAR, sellers=1.0, margin=0.3, seller_cost=90_000.0, discount_rate=0.1
    )
    assert "9 of its 366 days" in value.caveats["annual_retention"]
    assert "9 of its 366 days" in value.caveats["clv"]
    assert "active_customers" not in value.caveats  # 2025 is fully covered


def test_windows_and_their_labels_follow_the_report_date() -> None:
    months = pd.period_range("2025-02", "2026-01", freq="M")
    assert months_text(months) == "Feb 2025–Jan 2026"
    assert months_text(pd.period_range("2025-01", "2025-12", freq="M")) == "Jan–Dec 2025"
    assert days_text(pd.Timestamp("2025-10-02"), NEW_YEAR) == "2 Oct–31 Dec 2025"
    tx = _tx([("A", "2023-06-01", 10.0), ("A", "2025-06-01", 10.0)])
    section = retention_section(tx, None, as_of=pd.Timestamp("2026-02-10"))
    assert section.periods == {"months": "Feb 2025–Jan 2026", "prior_months": "Feb 2024–Jan 2025"}
    assert label("grr", section.periods) == (
        "Gross revenue retention, Feb 2024–Jan 2025 to Feb 2025–Jan 2026"
    )


# ------------------------------------------------------------------------ forecast (3, 7, 8)

# Report on 15 February 2026: the forecast quarter is Q1 2026 (1 Jan-31 Mar).
MID_Q1 = pd.Timestamp("2026-02-15")
QUARTER_DEALS = [
    ("W1", "won", 50_000, "2025-11-20", "closed", 1.0),  # won last quarter
    ("W2", "won", 20_000, "2026-01-20", "closed", 1.0),  # won this quarter
    ("O1", "open", 30_000, "2026-03-10", "commit", 0.5),
    ("O2", "open", 10_000, "2026-03-31", "best_case", 0.2),
    ("O3", "open", 5_000, "2026-02-20", "omitted", 0.1),
    ("O4", "open", 40_000, "2026-06-30", "pipeline", 0.3),  # due next quarter
    ("L1", "lost", 7_000, "2026-01-25", None, 0.0),
]


def test_forecast_categories_cover_the_forecast_quarter() -> None:
    section = forecast_section(_deals(QUARTER_DEALS), as_of=MID_Q1, quota=100_000.0)
    m = section.metrics
    # Q1 2026: won W2 20,000; open and due O1 + O2 + O3 = 45,000.
    assert m["quarter_won"] == 20_000.0
    assert (m["quarter_deals"], m["quarter_value"]) == (3, 45_000.0)
    # Closed is the quarter's won; commit adds O1; best case adds O2; open pipeline is
    # the quarter's open deals not omitted: 30,000 + 10,000 (all-time would give
    # 70,000, 100,000, 110,000 and 80,000).
    assert m["category_closed"] == m["quarter_won"] == 20_000.0
    assert m["category_commit"] == 50_000.0
    assert m["category_best_case"] == 60_000.0
    assert m["category_open_pipeline"] == 40_000.0
    assert m["open_value"] == 85_000.0  # O1-O4
    note = next(n for n in section.notes if n.startswith("The forecast categories cover"))
    assert "Q1 2026" in note
    assert "open value (45,000) less 5,000 in deals marked omitted" in note
    assert "1 deal due after Q1 2026 (40,000)" in note
    by_owner = section.tables["categories_by_owner"]["rows"]
    assert by_owner == [
        {"owner": "Ann", "closed": 20_000.0, "commit": 50_000.0, "best_case": 60_000.0,
         "open_pipeline": 40_000.0}
    ]  # fmt: skip


@pytest.mark.parametrize("missing", ["column", "one deal"])
def test_no_probability_keeps_every_figure_that_needs_none(missing: str) -> None:
    deals = _deals(QUARTER_DEALS, probability=missing != "column")
    if missing == "one deal":
        deals.loc[deals["deal_id"] == "O1", "probability"] = float("nan")
    section = forecast_section(deals, as_of=MID_Q1, quota=100_000.0)
    m = section.metrics
    assert (m["open_deals"], m["open_value"]) == (4, 85_000.0)
    assert (m["quarter_deals"], m["quarter_value"], m["quarter_won"]) == (3, 45_000.0, 20_000.0)
    # Closed before the report date: W1, W2 won, L1 lost: 2 / 3.
    assert m["win_rate"] == pytest.approx(2 / 3)
    # 45,000 open in the quarter against the 100,000 - 20,000 still to win.
    assert m["coverage"] == pytest.approx(45_000 / 80_000)
    assert m["category_closed"] == 20_000.0
    for key in ("weighted_value", "quarter_weighted", "p10", "p50", "p90", "probability_of_quota"):
        assert key not in m
    (note,) = [n for n in section.notes if n.startswith("Weighted figures")]
    assert "--probabilities PRESET" in note
    assert "salesforce" in note
    assert "hubspot" in note
    assert "skipna" not in json.dumps(section.to_dict())


def test_probability_presets_are_the_vendors_tables() -> None:
    assert probability_presets() == ("espocrm", "hubspot", "salesforce", "suitecrm")


def test_open_deals_without_or_past_their_close_date_are_counted_and_shown() -> None:
    deals = _deals(
        [
            ("O1", "open", 30_000, "2026-03-10", "commit", 0.5),
            ("O5", "open", 3_400_000, None, "pipeline", 0.3),  # no close date
            ("O6", "open", 8_000, "2026-01-31", "commit", 0.6),  # overdue this quarter
            ("O7", "open", 2_000, "2025-12-01", "pipeline", 0.2),  # overdue last quarter
        ]
    )
    section = forecast_section(deals, as_of=MID_Q1, quota=100_000.0)
    m = section.metrics
    assert (m["open_without_close_date"], m["open_without_close_date_value"]) == (1, 3_400_000.0)
    # Close date before 15 February 2026: O6 and O7, 8,000 + 2,000.
    assert (m["overdue_open_deals"], m["overdue_open_value"]) == (2, 10_000.0)
    # Overdue deals count as due in the quarter: O1 + O6 + O7 = 40,000; coverage
    # 40,000 / 100,000 = 0.4, flagged for the 3.4 M it leaves out.
    assert (m["quarter_deals"], m["quarter_value"]) == (3, 40_000.0)
    assert m["coverage"] == pytest.approx(0.4)
    for key in ("quarter_value", "coverage"):
        assert "includes 2 overdue deals (10,000)" in section.caveats[key]
        assert "leaves out 1 open deal without a close date (3,400,000)" in section.caveats[key]
    assert any("no close date" in n and "3,400,000" in n for n in section.notes)
    assert any("close date before the report date" in n and "10,000" in n for n in section.notes)


def test_a_library_hint_about_options_the_reader_lacks_is_cut() -> None:
    # Accounts without previous revenue: the bridge would ask for skipna=True.
    accounts = pd.DataFrame(
        {
            "account_id": ["A", "B", "C"],
            "previous_revenue": [100.0, float("nan"), 50.0],
            "annual_revenue": [120.0, 80.0, 0.0],
        }
    )
    section = retention_section(None, accounts, as_of=NEW_YEAR)
    # A and C: start 150, A expands by 20, C churns 50: NRR = (150 + 20 - 50) / 150 = 0.8.
    assert section.metrics["nrr"] == pytest.approx(0.8)
    assert any("1 account without both" in n for n in section.notes)

    @_own_words
    def failing() -> Section:
        raise InvalidInputError(
            "probability must be known for every deal; pass skipna=True to leave out the deals"
        )

    with pytest.raises(InvalidInputError) as caught:
        failing()
    assert str(caught.value) == "probability must be known for every deal"


# ------------------------------------------------------------------------ UTC timestamps


def test_sections_read_naive_utc_and_aware_timestamps_alike() -> None:
    deals = _deals(QUARTER_DEALS)
    aware = deals.assign(created=deals["created"].dt.tz_localize("UTC"))
    naive_forecast = forecast_section(deals, as_of=MID_Q1, quota=None).metrics
    assert forecast_section(aware, as_of=MID_Q1, quota=None).metrics == naive_forecast
    team = team_section(aware, None, as_of=MID_Q1, headcount=1.0, targets={})
    # Won in Feb 2025-Jan 2026: W1 50,000 and W2 20,000.
    assert team.metrics["revenue_12_months"] == 70_000.0
    created = pd.to_datetime(["2025-11-03 09:00", "2025-11-03 10:00"]).tz_localize("UTC")
    leads = pd.DataFrame(
        {
            "lead_id": ["L1", "L2"],
            "created": created,  # aware, as an older adapter gave
            "first_contact": pd.to_datetime(pd.Series(["2025-11-03 09:04", None])),  # naive UTC
        }
    )
    m = leads_section(leads).metrics
    # L1 answered in 4 minutes, L2 never: half of all leads within 5 minutes.
    assert m["share_within_5_minutes"] == pytest.approx(0.5)
    assert m["median_response_minutes"] == pytest.approx(4.0)


# ------------------------------------------------------------------------ labels (14)


def test_labels_name_their_period_and_unit() -> None:
    periods = {"months": "Jan–Dec 2025", "prior_months": "Jan–Dec 2024", "quarter": "Q1 2026"}
    assert label("share_within_5_minutes") == "Answered within 5 minutes (first contact, all leads)"
    assert label("revenue_12_months", periods) == "Won revenue, Jan–Dec 2025"
    assert label("monthly_retention", periods) == "Monthly customer retention, mean of Jan–Dec 2025"
    assert label("quarter_won", periods) == "Won in Q1 2026 before the report date"
    assert table_title("revenue_bridge", periods) == "Revenue bridge (Jan–Dec 2024 to Jan–Dec 2025)"
    # Without periods a label still reads as a sentence.
    assert label("revenue_12_months") == "Won revenue, the 12 months before the report month"


def test_every_metric_of_every_section_has_a_label() -> None:
    deals = _deals(QUARTER_DEALS).assign(lost_reason=None)
    history = pd.DataFrame(
        {
            "deal_id": ["O1", "O1", "W2"],
            "stage": ["qualify", "propose", "qualify"],
            "entered": pd.to_datetime(["2025-06-01", "2025-07-01", "2025-06-01"]),
            "exited": pd.to_datetime(pd.Series(["2025-07-01", None, "2025-08-01"])),
        }
    )
    leads = pd.DataFrame(
        {
            "lead_id": ["L1"],
            "created": pd.to_datetime(["2025-11-03 09:00"]),
            "first_contact": pd.to_datetime(["2025-11-03 09:04"]),
        }
    )
    accounts = pd.DataFrame(
        {
            "account_id": ["A", "B"],
            "name": ["Alfa", "Beta"],
            "size": ["large", "small"],
            "annual_revenue": [100.0, 10.0],
            "previous_revenue": [200.0, 10.0],
            "last_contact": pd.to_datetime(["2025-06-01", "2025-12-01"]),
        }
    )
    tx = _tx([("A", "2024-05-01", 100.0), ("A", "2025-05-01", 90.0)])
    activities = pd.DataFrame(
        {"owner": ["Ann"], "date": pd.to_datetime(["2026-02-02"]), "kind": ["call"]}
    )
    sections = [
        forecast_section(deals, as_of=MID_Q1, quota=100_000.0),
        funnel_section(history, deals, as_of=MID_Q1, stages=None),
        leads_section(leads),
        accounts_section(accounts, as_of=MID_Q1),
        retention_section(tx, None, as_of=MID_Q1),
        value_section(
            tx, as_of=MID_Q1, sellers=1.0, margin=0.3, seller_cost=90_000.0, discount_rate=0.1
        ),
        team_section(deals, activities, as_of=MID_Q1, headcount=1.0, targets={"call": 10.0}),
    ]
    keys = {key for section in sections for key in section.metrics}
    assert keys - set(_METRICS) == set()
    assert {"overdue_open_deals", "activity_call", "nrr", "leads"} <= keys
    for section in sections:
        for key in section.metrics:
            assert "{" not in label(key, section.periods), key


def test_the_rendered_report_shows_periods_and_caveats() -> None:
    tx = _tx([("A", "2024-12-23", 100.0), ("A", "2025-05-01", 1_000.0), ("B", "2025-06-01", 500.0)])
    report = build_report(Inputs(as_of=NEW_YEAR, source="csv", transactions=tx))
    text = render(report, "text")
    assert "Net revenue retention, Jan–Dec 2024 to Jan–Dec 2025" in text
    assert "9 of its 366 days have data" in text
    assert max(len(line) for line in text.splitlines()) <= WIDTH
    markdown = render(report, "markdown")
    assert "Net revenue retention, Jan–Dec 2024 to Jan–Dec 2025" in markdown
    assert "9 of its 366 days have data" in markdown
    data = json.loads(render(report, "json"))
    assert "9 of its 366 days" in data["sections"]["retention"]["caveats"]["nrr"]


def test_losses_and_leads_after_the_report_date_are_not_yet_known() -> None:
    # A report dated 1 Jan 2026 on an export taken later: the deal lost on 5 Jan and
    # the lead created on 3 Jan happened after the report's date.
    as_of = pd.Timestamp("2026-01-01")
    deals = pd.DataFrame(
        {
            "deal_id": ["D1", "D2", "D3"],
            "value": [100.0, 100.0, 100.0],
            "status": ["lost", "lost", "lost"],
            "close_date": pd.to_datetime(["2025-11-03", "2025-12-01", "2026-01-05"]),
            "lost_reason": ["price", "timing", "price"],
        }
    )
    funnel = funnel_section(None, deals, as_of=as_of, stages=None)
    assert funnel.metrics["lost_deals"] == 2  # D1 and D2
    assert any("1 lost deal closed on or after the report date" in n for n in funnel.notes)
    leads = pd.DataFrame(
        {
            "lead_id": ["L1", "L2"],
            "created": pd.to_datetime(["2025-12-30 09:00", "2026-01-03 09:00"]),
            "first_contact": pd.to_datetime(["2025-12-30 09:04", "2026-01-03 09:30"]),
        }
    )
    section = leads_section(leads, as_of=as_of)
    assert section.metrics["leads"] == 1  # L1
    assert section.metrics["median_response_minutes"] == pytest.approx(4.0)  # 09:00 → 09:04
    assert any("1 lead created on or after the report date" in n for n in section.notes)


# ------------------------------------------------------------------------ hostile input

_TX = _tx([("A", "2025-03-01", 100.0), ("B", "2025-06-01", 50.0)])
_VALUE = {"sellers": 1.0, "margin": 0.5, "seller_cost": 1000.0, "discount_rate": 0.1}


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        (None, "as_of must be a pandas Timestamp"),
        ("2026-01-01", "as_of must be a pandas Timestamp"),
        (float("nan"), "as_of must be a pandas Timestamp"),
        (pd.NaT, "as_of must be a pandas Timestamp"),
        (pd.Timestamp("1677-09-22 00:00:01"), "as_of must be a date within 1700-01-01"),
        (pd.Timestamp("2262-04-11"), "as_of must be a date within"),
    ],
)
def test_sections_refuse_a_report_date_that_is_not_one(as_of: Any, message: str) -> None:
    # They raised AttributeError ('str' object has no attribute 'to_period') and, for
    # a date near datetime64[ns]'s limits, OutOfBoundsDatetime.
    with pytest.raises(InvalidInputError, match=message):
        value_section(_TX, as_of=as_of, **_VALUE)
    with pytest.raises(InvalidInputError, match=message):
        forecast_section(
            _deals([("D1", "open", 10.0, "2026-02-01", None, 0.5)]), as_of=as_of, quota=None
        )


@pytest.mark.parametrize(
    ("setting", "value"),
    [("margin", "1"), ("margin", 10**400), ("margin", None), ("seller_cost", -1.0),
     ("seller_cost", float("inf")), ("discount_rate", pd.NA), ("sellers", "abc"),
     ("sellers", -1.0)],
)  # fmt: skip
def test_the_value_section_refuses_settings_of_the_wrong_kind_by_name(
    setting: str, value: Any
) -> None:
    with pytest.raises(InvalidInputError, match=setting):
        value_section(_TX, as_of=NEW_YEAR, **{**_VALUE, setting: value})


@pytest.mark.parametrize(
    ("setting", "value"),
    [("headcount", pd.NA), ("headcount", 10**400), ("headcount", "abc"),
     ("headcount", pd.Series([1.0, -2.0])), ("targets", None), ("targets", {"call": "5"})],
)  # fmt: skip
def test_the_team_section_refuses_settings_of_the_wrong_kind_by_name(
    setting: str, value: Any
) -> None:
    deals = _deals([("D1", "won", 10.0, "2025-07-01", None, 1.0)])
    settings = {"headcount": 1.0, "targets": {"call": 5.0}, setting: value}
    with pytest.raises(InvalidInputError, match=setting):
        team_section(deals, None, as_of=NEW_YEAR, **settings)


def test_forecast_and_funnel_refuse_a_quota_or_stages_of_the_wrong_kind() -> None:
    deals = _deals([("D1", "open", 10.0, "2026-02-01", None, 0.5)])
    with pytest.raises(InvalidInputError, match="quota"):
        forecast_section(deals, as_of=NEW_YEAR, quota=10**400)
    with pytest.raises(InvalidInputError, match="stages"):
        funnel_section(None, deals, as_of=NEW_YEAR, stages="Proposal")


@pytest.mark.parametrize(
    "transactions",
    [
        {"customer_id": ["A"]},
        pd.Series([1.0]),
        _TX.set_axis(pd.MultiIndex.from_tuples([("a", c) for c in _TX.columns]), axis=1),
        _TX.assign(customer_id=[["A"], ["B"]]),  # type: ignore[list-item]
        _TX.assign(date=["2025-03-01", "not a date"]),
        _TX.drop(columns="amount"),
    ],
    ids=["dict", "Series", "MultiIndex header", "list cell", "text dates", "no amount"],
)
def test_sections_refuse_a_table_that_does_not_fit_its_canonical_table(transactions: Any) -> None:
    # Each raised AttributeError, KeyError or TypeError from deep inside the section.
    with pytest.raises(SchemaError):
        value_section(transactions, as_of=NEW_YEAR, **_VALUE)
    with pytest.raises(SchemaError):
        retention_section(transactions, None, as_of=NEW_YEAR)


def test_section_records_and_text_helpers_refuse_arguments_of_the_wrong_kind() -> None:
    with pytest.raises(InvalidInputError, match="key must be a str"):
        Section(key=None, title="t")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="metrics must be a dict"):
        Section(key="k", title="t", metrics=None)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="notes must be a list of str"):
        Section(key="k", title="t", notes=[3])  # type: ignore[list-item]
    with pytest.raises(InvalidInputError, match="periods must map str to str"):
        Section(key="k", title="t", periods={"months": 3})  # type: ignore[dict-item]
    with pytest.raises(InvalidInputError, match="text must be a str or None"):
        Section(key="k", title="t").flag(pd.NA, "a")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="months must be a non-empty PeriodIndex"):
        months_text([])  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="start must be a Timestamp"):
        days_text("2026-01-01", NEW_YEAR)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="end must be"):
        days_text(NEW_YEAR, pd.Timestamp.min)
    with pytest.raises(InvalidInputError, match="as_of must be"):
        quarter_end(pd.NaT)  # type: ignore[arg-type]
    with pytest.raises(SchemaError, match="history"):
        funnel_stages({"deal_id": []})  # type: ignore[arg-type]


def test_a_date_column_in_seconds_beyond_2262_is_refused_naming_the_row() -> None:
    # datetime64[s] holds 9999-12-31 (a CRM's "no end date"); the sections raised
    # OutOfBoundsDatetime when they computed in nanoseconds.
    deals = _deals([("D1", "open", 10.0, "2026-02-01", None, 0.5)] * 2)
    deals["deal_id"] = ["D1", "D2"]
    deals["close_date"] = np.array(["9999-12-31", "2026-02-01"], dtype="datetime64[s]")
    runs: list[Callable[[], Section]] = [
        lambda: forecast_section(deals, as_of=NEW_YEAR, quota=None),
        lambda: team_section(deals, None, as_of=NEW_YEAR, headcount=None, targets={}),
    ]
    for run in runs:
        with pytest.raises(SchemaError, match=r"'close_date' holds dates outside .* 1 row: 0"):
            run()


def test_sums_beyond_the_largest_float_are_refused_not_shown_as_missing() -> None:
    # Under errstate(all="raise") the Accounts section raised FloatingPointError; without
    # it the overflowed sums were shown as missing ("-").
    from salescore.datasets import sample

    accounts = sample().accounts.assign(annual_revenue=1e308)
    with np.errstate(all="raise"), pytest.raises(InvalidInputError, match="largest float"):
        accounts_section(accounts, as_of=NEW_YEAR)
    with pytest.raises(InvalidInputError, match="larger unit"):
        accounts_section(sample().accounts.assign(previous_revenue=1e308), as_of=NEW_YEAR)


@pytest.mark.parametrize("run", ["forecast", "funnel", "team"])
def test_sections_that_read_the_status_refuse_deals_without_it(run: str) -> None:
    deals = _deals([("D1", "open", 10.0, "2026-02-01", None, 0.5)]).drop(columns="status")
    calls: dict[str, Callable[[], Section]] = {
        "forecast": lambda: forecast_section(deals, as_of=NEW_YEAR, quota=None),
        "funnel": lambda: funnel_section(None, deals, as_of=NEW_YEAR, stages=None),
        "team": lambda: team_section(deals, None, as_of=NEW_YEAR, headcount=None, targets={}),
    }
    with pytest.raises(SchemaError, match="needs the column 'status'"):
        calls[run]()


def test_loss_reasons_without_close_dates_leave_the_losses_out_and_say_so() -> None:
    # A KeyError: 'close_date' for deals without the (optional) column.
    deals = _deals([("D1", "lost", 10.0, "2025-06-01", None, 0.0)]).drop(columns="close_date")
    deals["lost_reason"] = "price"
    section = funnel_section(None, deals, as_of=NEW_YEAR, stages=None)
    assert "lost_deals" not in section.metrics
    assert any("1 lost deal without a close date" in note for note in section.notes)


@pytest.mark.parametrize(
    ("column", "values"),
    [("reached", ["False", "True"]), ("reached", [[True], [False]]),
     ("reached", pd.Categorical([True, False])), ("converted", pd.Categorical([True, False]))],
)  # fmt: skip
def test_the_leads_section_refuses_flags_that_are_not_true_or_false(
    column: str, values: Any
) -> None:
    leads = pd.DataFrame(
        {
            "lead_id": ["L1", "L2"],
            "created": pd.to_datetime(["2025-03-01 09:00", "2025-03-02 09:00"]),
            "first_contact": pd.to_datetime(pd.Series(["2025-03-01 09:03", None])),
            "converted": [True, False],
        }
    )
    leads[column] = values
    with pytest.raises(SchemaError, match=column):
        leads_section(leads, as_of=NEW_YEAR)


def test_a_section_record_refuses_a_metric_beyond_float_range() -> None:
    with pytest.raises(InvalidInputError, match=r"metrics\['a'\] must be a number within"):
        Section(key="k", title="t", metrics={"a": 10**400})
    with pytest.raises(InvalidInputError, match=r"metrics\['a'\] must be finite"):
        Section(key="k", title="t", metrics={"a": float("inf")})
