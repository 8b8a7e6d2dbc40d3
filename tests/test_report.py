"""The report's sections: every number equals the library function it comes from."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import salescore as sc
from salescore.datasets import sample
from salescore.datasets.crm import SampleCRM
from salescore.report import Assumptions, build_report, demo_inputs, load_inputs, render
from salescore.report._plain import plain, table
from salescore.report.build import Report
from salescore.report.data import ReportInputError
from salescore.report.render import WIDTH
from salescore.report.sections import funnel_stages, quarter_end


@pytest.fixture(scope="module")
def crm() -> SampleCRM:
    return sample()


@pytest.fixture(scope="module")
def report() -> Report:
    return build_report(demo_inputs())


def _metrics(report: Report, key: str) -> dict[str, Any]:
    return report.sections[key].metrics


# ------------------------------------------------------------------------ forecast


def test_forecast_numbers_are_the_library_results(crm: SampleCRM, report: Report) -> None:
    m = _metrics(report, "forecast")
    total = sc.weighted_pipeline(crm.deals)
    assert m["open_deals"] == int(total["deals"].sum())
    assert m["weighted_value"] == pytest.approx(float(total["weighted_value"].sum()))
    deals = crm.deals
    due = deals[(deals["status"] == "open") & (deals["close_date"] < "2026-04-01")]
    dist = sc.forecast_distribution(due["value"], due["probability"])
    assert m["quarter_deals"] == len(due)
    assert m["quarter_weighted"] == pytest.approx(dist.mean)
    assert m["p10"] == pytest.approx(float(dist.quantile(0.1)))
    assert m["p50"] == pytest.approx(float(dist.quantile(0.5)))
    assert m["p90"] == pytest.approx(float(dist.quantile(0.9)))
    # Nothing is won yet in the quarter on 1 January, so the whole quota remains.
    assert m["quarter_won"] == 0.0
    assert m["probability_of_quota"] == pytest.approx(float(dist.probability_at_least(crm.quota)))
    assert m["coverage"] == pytest.approx(float(due["value"].sum()) / crm.quota)
    assert m["p10"] <= m["p50"] <= m["p90"]
    rollup = sc.forecast_rollup(deals)
    assert m["category_commit"] == pytest.approx(float(rollup["commit"].iloc[0]))
    won = int((deals["status"] == "won").sum())
    lost = int((deals["status"] == "lost").sum())
    assert m["win_rate"] == pytest.approx(won / (won + lost))


def test_quarter_end() -> None:
    assert quarter_end(pd.Timestamp("2026-01-01")) == pd.Timestamp("2026-04-01")
    assert quarter_end(pd.Timestamp("2025-12-31 18:00")) == pd.Timestamp("2026-01-01")


# ------------------------------------------------------------------------ funnel


def test_funnel_numbers_are_stage_funnel(crm: SampleCRM, report: Report) -> None:
    section = report.sections["funnel"]
    funnel = sc.stage_funnel(crm.stage_history, stages=crm.stages, other_stages="ignore")
    rows = {row["stage"]: row for row in section.tables["stages"]["rows"]}
    assert list(rows) == list(crm.stages)
    for stage, expected in funnel.iterrows():
        assert rows[stage]["reached"] == expected["reached"]
        assert rows[stage]["advanced"] == expected["advanced"]
    leaks = funnel["drop_share"].iloc[:-1]
    assert section.metrics["biggest_leak_stage"] == leaks.idxmax()
    losses = sc.loss_reasons(crm.deals)
    assert section.metrics["lost_deals"] == int(losses["count"].to_numpy().sum())
    # The sample's documented spike: August 2024, lost to a competitor.
    assert section.metrics["loss_spike_period"] == "2024-08"
    assert section.metrics["loss_spike_reason"] == "competitor"


def test_funnel_order_is_guessed_from_the_history(crm: SampleCRM) -> None:
    assert funnel_stages(crm.stage_history, crm.deals) == crm.stages


# ------------------------------------------------------------------------ leads


def test_leads_numbers_are_response_report(crm: SampleCRM, report: Report) -> None:
    m = _metrics(report, "leads")
    total = sc.response_report(crm.leads, by=None).iloc[0]
    assert m["leads"] == total["leads"]
    assert m["share_within_5_minutes"] == pytest.approx(total["share_within_sla"])
    assert m["median_response_minutes"] == pytest.approx(
        total["median_response"] / pd.Timedelta(minutes=1)
    )
    sources = sc.source_performance(crm.leads, value="value")
    rows = {r["source"]: r for r in report.sections["leads"].tables["sources"]["rows"]}
    for source, expected in sources.iterrows():
        assert rows[source]["conversions"] == expected["conversions"]
        assert rows[source]["revenue"] == pytest.approx(expected["revenue"])
    # The sample's leads are reached with odds falling as time^-0.8 (its docstring).
    assert m["decay_exponent"] == pytest.approx(0.8, abs=0.1)
    bands = report.sections["leads"].tables["response_bands"]["rows"]
    assert sum(row["leads"] for row in bands) == total["contacted"]
    assert bands[0]["reach_rate"] > bands[-1]["reach_rate"]


# ------------------------------------------------------------------------ accounts


def test_accounts_numbers_are_the_tier_plan(crm: SampleCRM, report: Report) -> None:
    m = _metrics(report, "accounts")
    plan = sc.tier_accounts(crm.accounts, today=crm.as_of)
    counts = plan["tier"].value_counts()
    for tier in "ABCD":
        assert m[f"tier_{tier}"] == counts[tier]
    assert m["overdue_contacts"] == len(sc.overdue_contacts(plan, today=crm.as_of))
    assert m["cold_a_accounts"] == len(sc.cold_accounts(plan, tiers=("A",)))
    assert m["declining_accounts"] == len(sc.declining_accounts(crm.accounts))
    tiers = report.sections["accounts"].tables["tiers"]["rows"]
    for row in tiers:  # the bands of a tier add up to its accounts (D has no temperature)
        if row["tier"] == "D":
            assert row["mean_temperature"] is None
            continue
        assert row["red"] + row["orange"] + row["yellow"] + row["blue"] == row["accounts"]


# ------------------------------------------------------------------------ retention


def test_retention_bridge_matches_the_accounts_revenue(crm: SampleCRM, report: Report) -> None:
    # The sample's annual_revenue (2025) and previous_revenue (2024) are the sums of the
    # invoices, so the bridge of the transactions' two years is the accounts' bridge.
    m = _metrics(report, "retention")
    accounts = crm.accounts
    bridge = sc.revenue_bridge(accounts["previous_revenue"], accounts["annual_revenue"])
    assert m["grr"] == pytest.approx(bridge.grr)
    assert m["nrr"] == pytest.approx(bridge.nrr)
    rows = {
        r["component"]: r["revenue"]
        for r in report.sections["retention"].tables["revenue_bridge"]["rows"]
    }
    assert rows["start"] + rows["new"] + rows["reactivated"] + rows["expansion"] + rows[
        "contraction"
    ] + rows["churned"] == pytest.approx(rows["end"])
    assert m["renewal_rate"] == pytest.approx(m["renewed"] / m["customers_last_year"])
    cohorts = sc.cohort_retention(crm.transactions, freq="Q")
    shown = report.sections["retention"].tables["cohorts"]["rows"]
    assert len(shown) == len(cohorts)
    assert shown[0]["q1"] == pytest.approx(cohorts.iloc[0, 1])


def test_retention_from_accounts_alone(crm: SampleCRM) -> None:
    inputs = demo_inputs()
    only_accounts = build_report(
        type(inputs)(as_of=inputs.as_of, source="csv", accounts=inputs.accounts)
    )
    m = only_accounts.sections["retention"].metrics
    bridge = sc.revenue_bridge(crm.accounts["previous_revenue"], crm.accounts["annual_revenue"])
    assert m["nrr"] == pytest.approx(bridge.nrr)
    assert "value" not in only_accounts.sections


# ------------------------------------------------------------------------ value and team


def test_value_numbers_follow_from_the_assumptions(report: Report) -> None:
    m = _metrics(report, "value")
    margin = m["revenue_per_customer"] * 0.3
    assert m["margin_per_customer"] == pytest.approx(margin)
    assert m["clv"] == pytest.approx(sc.clv(margin, m["annual_retention"], 0.1))
    assert m["cac"] == pytest.approx(8 * 90_000.0 / m["new_customers"])
    assert m["clv_cac"] == pytest.approx(m["clv"] / m["cac"])
    assert m["payback_months"] == pytest.approx(m["cac"] / (margin / 12))


def test_value_scales_with_the_margin() -> None:
    inputs = demo_inputs()
    low = build_report(inputs, assumptions=Assumptions(margin=0.2)).sections["value"].metrics
    high = build_report(inputs, assumptions=Assumptions(margin=0.4)).sections["value"].metrics
    assert high["clv"] == pytest.approx(2 * low["clv"])
    assert high["payback_months"] == pytest.approx(low["payback_months"] / 2)


def test_team_numbers_are_productivity_report(crm: SampleCRM, report: Report) -> None:
    m = _metrics(report, "team")
    productivity = sc.productivity_report(crm.deals, crm.headcount)
    year = productivity.loc["2025-01":"2025-12"]  # the 12 months before 1 January 2026
    assert m["revenue_12_months"] == pytest.approx(float(year["revenue"].sum()))
    assert m["productivity_per_month"] == pytest.approx(float(year["productivity"].mean()))
    rows = report.sections["team"].tables["activity_attainment"]["rows"]
    assert {r["owner"] for r in rows} == set(crm.activities["owner"])
    assert 0.0 < m["activity_call"] < 2.0


# ------------------------------------------------------------------------ rendering


def test_json_is_plain_and_keyed(report: Report) -> None:
    text = render(report, "json")
    data = json.loads(text)  # allow_nan=False when written: no NaN anywhere
    assert set(data) == {
        "salescore_version", "as_of", "source", "currency", "quota", "imports",
        "sections", "skipped",
    }  # fmt: skip
    assert list(data["sections"]) == [
        "forecast", "funnel", "leads", "accounts", "retention", "value", "team",
    ]  # fmt: skip
    assert data["sections"]["forecast"]["metrics"]["quota"] == 2_010_000.0
    assert "NaN" not in text


def test_text_fits_a_100_column_terminal(report: Report) -> None:
    text = render(report, "text")
    assert max(len(line) for line in text.splitlines()) <= WIDTH
    for title in ("FORECAST", "FUNNEL", "LEADS", "ACCOUNTS", "RETENTION", "VALUE", "TEAM"):
        assert f"\n{title}\n" in text
    assert "Probability of reaching quota" in text


def test_markdown_has_a_heading_per_section(report: Report) -> None:
    text = render(report, "markdown")
    assert text.startswith("# salescore report")
    assert text.count("\n## ") == len(report.sections) + 1  # and the import summary


@settings(max_examples=50)
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_plain_floats_are_json_numbers_or_null(value: float) -> None:
    result = plain(value)
    assert result is None if not math.isfinite(value) else result == value
    json.dumps(result, allow_nan=False)


def test_plain_values() -> None:
    assert plain(pd.Timedelta(minutes=90)) == 90.0
    assert plain(pd.NaT) is None
    assert plain(pd.Timestamp("2026-01-01")) == "2026-01-01"
    assert plain(pd.Period("2024-08", freq="M")) == "2024-08"
    assert plain(np.int64(3)) == 3
    assert isinstance(plain(np.int64(3)), int)
    assert plain(np.bool_(True)) is True


def test_table_keeps_the_index_and_counts_the_rest() -> None:
    frame = pd.DataFrame({"x": [1.0, np.nan, 3.0]}, index=pd.Index(["a", "b", "c"], name="k"))
    shown = table(frame, limit=2)
    assert shown == {
        "columns": ["k", "x"],
        "rows": [{"k": "a", "x": 1.0}, {"k": "b", "x": None}],
        "total_rows": 3,
    }


# ------------------------------------------------------------------------ files


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_canonical_csv_rows_that_do_not_fit_are_rejected_with_reasons(tmp_path: Path) -> None:
    deals = _write(
        tmp_path / "deals.csv",
        "deal_id,value,probability,status,close_date,created\n"
        "D1,1000,0.5,open,2026-02-01,2025-11-01\n"
        "D2,abc,0.5,open,2026-02-01,2025-11-01\n"  # not a number
        "D3,-5,0.5,open,2026-02-01,2025-11-01\n"  # negative
        "D4,2000,0.2,open,someday,2025-11-01\n"  # not a date
        "D5,3000,1.0,won,2026-01-10,2025-10-01\n",
    )
    inputs = load_inputs({"deals": deals}, as_of=pd.Timestamp("2026-01-15"))
    (record,) = inputs.imports
    assert (record.rows_in, record.accepted, record.rejected) == (5, 2, 3)
    assert sum(record.reasons.values()) == 3
    assert any("value: not a number" in reason for reason in record.reasons)
    assert any("close_date: not a date" in reason for reason in record.reasons)
    assert inputs.deals is not None
    assert inputs.deals["deal_id"].tolist() == ["D1", "D5"]
    assert inputs.deals["close_date"].dtype == "datetime64[ns]"
    built = build_report(inputs)
    assert built.sections["forecast"].metrics["quarter_won"] == 3000.0


def test_a_missing_required_column_is_an_input_error(tmp_path: Path) -> None:
    deals = _write(tmp_path / "deals.csv", "deal_id,amount\nD1,5\n")
    with pytest.raises(ReportInputError, match=r"lacks the required column.*value"):
        load_inputs({"deals": deals})
    with pytest.raises(ReportInputError, match="not found"):
        load_inputs({"deals": tmp_path / "none.csv"})
