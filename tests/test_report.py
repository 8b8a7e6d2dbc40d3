"""The report's sections: every number equals the library function it comes from."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import salescore as sc
from salescore.datasets import sample
from salescore.datasets.crm import SampleCRM
from salescore.errors import InvalidInputError
from salescore.pipeline import presets
from salescore.report import Assumptions, build_report, demo_inputs, load_inputs, render
from salescore.report._plain import plain, table
from salescore.report.build import PROBABILITY_PRESETS, Problem, Report
from salescore.report.data import Import, Inputs, ReasonGroup, ReportInputError
from salescore.report.render import EXAMPLE_CHARS, IMPORT_GROUPS, WIDTH, label
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
    # The categories cover the quarter: nothing won in it yet, and the open deals due.
    rollup = sc.forecast_rollup(due)
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


def test_json_is_plain_and_keyed(crm: SampleCRM, report: Report) -> None:
    text = render(report, "json")
    data = json.loads(text)  # allow_nan=False when written: no NaN anywhere
    assert set(data) == {
        "salescore_version", "as_of", "source", "currency", "quota", "problems", "imports",
        "sections", "skipped", "rates", "fiscal_calendar",
    }  # fmt: skip
    # The demo converts the SEK deals with the sample's rates and follows its fiscal year.
    assert data["rates"] == "the sample's rates"
    assert data["fiscal_calendar"] == (
        "Fiscal year from 1 April, named by the year it ends in (FY2026: 2025-04-01 to 2026-03-31)"
    )
    assert data["problems"] == []
    assert list(data["sections"]) == [
        "forecast", "accuracy", "funnel", "leads", "accounts", "retention", "value", "team",
    ]  # fmt: skip
    assert data["sections"]["forecast"]["metrics"]["quota"] == crm.quota  # the input, as given
    assert "NaN" not in text


def test_text_fits_a_100_column_terminal(report: Report) -> None:
    text = render(report, "text")
    assert max(len(line) for line in text.splitlines()) <= WIDTH
    for title in ("FORECAST", "FUNNEL", "LEADS", "ACCOUNTS", "RETENTION", "VALUE", "TEAM"):
        assert f"\n{title}\n" in text
    # Labels name the quarter: the fourth of the sample's fiscal year from April.
    assert "Probability of reaching the FY2026 Q4 quota" in text


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


def test_deals_are_converted_at_their_close_date_and_the_others_rejected(tmp_path: Path) -> None:
    deals = _write(
        tmp_path / "deals.csv",
        "deal_id,value,currency,probability,status,close_date,created\n"
        "D1,11000,SEK,0.5,open,2026-03-31,2025-11-01\n"  # 11,000 / 11.0 = 1,000 EUR
        "D2,10900,SEK,0.5,open,2026-04-01,2025-11-01\n"  # 10,900 / 10.9 = 1,000 EUR
        "D3,500,EUR,0.5,open,2026-02-01,2025-11-01\n"  # in EUR already
        "D4,5000,SEK,0.5,open,2025-12-31,2025-11-01\n"  # before the first SEK rate
        "D5,800,NOK,0.5,open,2026-02-01,2025-11-01\n"  # no NOK rate
        "D6,900,SEK,0.5,open,,2025-11-01\n"  # no close date: no rate
        "D7,2000,,1.0,won,2026-01-10,2025-10-01\n",  # no currency
    )
    rates = _write(
        tmp_path / "rates.csv",
        "currency,valid_from,rate\nSEK,2026-01-01,11.0\nSEK,2026-04-01,10.9\n",
    )
    inputs = load_inputs(
        {"deals": deals}, as_of=pd.Timestamp("2026-01-15"), currency="eur", rates=rates
    )
    assert (inputs.currency, inputs.rates_file) == ("EUR", "rates.csv")
    (record,) = inputs.imports
    assert (record.rows_in, record.accepted, record.rejected) == (7, 3, 4)
    assert record.reasons == {
        "close_date: before the first SEK rate in rates.csv (2026-01-01)": 1,
        "currency: no rate of it in rates.csv": 1,
        "close_date: missing, and the rate of SEK to EUR depends on it": 1,
        "currency: missing, and the amount cannot be converted to EUR": 1,
    }
    by_reason = {group.problem: group.examples for group in record.groups}
    assert by_reason["before the first SEK rate in rates.csv (2026-01-01)"] == (
        "line 5 ('D4'): '2025-12-31'"
    )
    assert by_reason["no rate of it in rates.csv"] == "line 6 ('D5'): 'NOK'"
    assert inputs.deals is not None
    assert inputs.deals["deal_id"].tolist() == ["D1", "D2", "D3"]
    assert inputs.deals["value"].tolist() == pytest.approx([1000.0, 1000.0, 500.0])
    assert set(inputs.deals["currency"]) == {"EUR"}
    built = build_report(inputs)
    assert built.to_dict()["rates"] == "rates.csv"
    assert built.sections["forecast"].metrics["open_value"] == pytest.approx(2500.0)
    assert any(problem.kind == "rows_rejected" for problem in built.problems)
    header = render(built, "text").splitlines()[2]
    assert header == (
        "Amounts in EUR, converted at the rate in force on each deal's close date (rates.csv)."
    )
    # Without the options the JSON has no "rates" key and the header no conversion.
    plain_report = build_report(load_inputs({"deals": deals}, as_of=pd.Timestamp("2026-01-15")))
    assert "rates" not in plain_report.to_dict()
    assert "converted" not in render(plain_report, "text").split("FORECAST")[0]


def test_currency_and_rates_are_refused_alone_or_wrong(tmp_path: Path) -> None:
    deals = _write(tmp_path / "deals.csv", "deal_id,value,status\nD1,5,open\n")
    rates = _write(tmp_path / "rates.csv", "currency,valid_from,rate\nSEK,2026-01-01,11.0\n")
    with pytest.raises(InvalidInputError, match="currency needs rates"):
        load_inputs({"deals": deals}, currency="EUR")
    with pytest.raises(InvalidInputError, match="rates needs currency"):
        load_inputs({"deals": deals}, rates=rates)
    with pytest.raises(InvalidInputError, match="currency must be an ISO 4217"):
        load_inputs({"deals": deals}, currency="euro", rates=rates)
    with pytest.raises(InvalidInputError, match="rates_base must be an ISO 4217"):
        load_inputs({"deals": deals}, currency="EUR", rates=rates, rates_base=3)  # type: ignore[arg-type]
    with pytest.raises(ReportInputError, match="rates file not found"):
        load_inputs({"deals": deals}, currency="EUR", rates=tmp_path / "none.csv")
    with pytest.raises(ReportInputError, match="no rate of USD"):
        load_inputs({"deals": deals}, currency="USD", rates=rates, rates_base="EUR")


def test_a_missing_required_column_is_an_input_error(tmp_path: Path) -> None:
    deals = _write(tmp_path / "deals.csv", "deal_id,amount\nD1,5\n")
    with pytest.raises(ReportInputError, match=r"lacks the required column.*value"):
        load_inputs({"deals": deals})
    with pytest.raises(ReportInputError, match="not found"):
        load_inputs({"deals": tmp_path / "none.csv"})


# ------------------------------------------------------------------------ problems


def _import(table: str, rows_in: int, accepted: int, reasons: dict[str, int]) -> Import:
    return Import(
        table=table,
        source="csv",
        file=f"{table}.csv",
        rows_in=rows_in,
        accepted=accepted,
        reasons=reasons,
    )


def test_problems_name_unusable_tables_and_rejections_over_a_tenth() -> None:
    imports = (
        _import("deals", 4, 0, {"value: not a number": 3, "close_date: not a date": 1}),
        _import("leads", 10, 8, {"created: not a date": 2}),  # 20 %: over the 10 % threshold
        _import("accounts", 10, 9, {"name: blank": 1}),  # 10 %: not over it
        _import("activities", 0, 0, {}),  # a file with a header and no rows
    )
    built = build_report(Inputs(as_of=pd.Timestamp("2026-01-01"), source="csv", imports=imports))
    kinds = [(p.kind, p.severity, p.table) for p in built.problems]
    assert kinds == [  # errors first
        ("no_rows", "error", "deals"),
        ("no_rows", "error", "activities"),
        ("rows_rejected", "warning", "leads"),
    ]
    assert [p.table for p in built.unusable] == ["deals", "activities"]
    assert built.problems[0].message == (
        "No usable row in deals (deals.csv): all 4 rows were rejected "
        "(3 x value: not a number; 1 x close_date: not a date)."
    )
    assert "the file holds no rows" in built.problems[1].message
    assert built.problems[2].message.startswith(
        "2 of the 10 rows of leads (leads.csv) were rejected (20.0 %: 2 x created: not a date)"
    )
    assert json.loads(render(built, "json"))["problems"][0]["kind"] == "no_rows"


def test_an_unusable_table_names_the_sections_that_read_it(crm: SampleCRM) -> None:
    rejected = _import("leads", 3, 0, {"created: not a date": 3})
    empty = Inputs(
        as_of=crm.as_of,
        source="csv",
        deals=crm.deals,
        leads=crm.leads.iloc[:0],
        imports=(rejected,),
    )
    (problem,) = build_report(empty).unusable
    assert problem.sections == ("leads",)
    assert problem.message.endswith(", so the Leads section cannot use it.")


@pytest.fixture(scope="module")
def troubled(report: Report) -> Report:
    """The demo's report with an error, a warning and a caveat added."""
    forecast = attrs.evolve(report.sections["forecast"], caveats={"open_value": "a test caveat"})
    return attrs.evolve(
        report,
        sections={**report.sections, "forecast": forecast},
        problems=[
            Problem(kind="rows_rejected", severity="warning", message="A test warning."),
            Problem(kind="no_rows", severity="error", message="A test error.", table="leads"),
        ],
    )


@pytest.mark.parametrize(
    ("fmt", "first_section"),
    [
        ("text", "\nFORECAST\n"),
        ("markdown", "\n## Forecast\n"),
        ("json", '"sections": {'),
        ("html", '<section id="forecast">'),
    ],
)
def test_problems_come_first_errors_before_warnings(
    troubled: Report, fmt: str, first_section: str
) -> None:
    text = render(troubled, fmt)
    error, warning = text.index("A test error."), text.index("A test warning.")
    if fmt != "json":  # JSON keeps the order of the list, which build_report sorts
        assert error < warning
    assert max(error, warning) < text.index(first_section)


def test_caveats_are_shown_beside_their_figure(troubled: Report) -> None:
    lines = render(troubled, "text").splitlines()
    periods = troubled.sections["forecast"].periods
    at = next(
        i for i, line in enumerate(lines) if line.startswith(f"  {label('open_value', periods)} ")
    )
    assert lines[at].endswith(" (!)")
    assert lines[at + 1] == "      (!) a test caveat"
    assert max(map(len, lines)) <= WIDTH
    markdown = render(troubled, "markdown")
    assert "| Metric | Value | Caveat |" in markdown
    assert "| a test caveat |" in markdown
    assert '<td class="caveat">a test caveat</td>' in render(troubled, "html")
    sections = json.loads(render(troubled, "json"))["sections"]
    assert sections["forecast"]["caveats"] == {"open_value": "a test caveat"}


def test_a_section_left_out_is_a_problem_shown_first(crm: SampleCRM) -> None:
    inputs = demo_inputs()
    # Deals without a status column: the forecast cannot tell open deals from closed.
    deals = crm.deals.drop(columns=["status"])
    built = build_report(attrs.evolve(inputs, deals=deals, stage_history=None))
    left_out = [p for p in built.problems if p.kind == "section_left_out"]
    assert left_out, built.problems
    assert all(p.sections[0] in built.skipped for p in left_out)
    assert left_out[0].message.startswith(f"The {left_out[0].sections[0].capitalize()} section")
    text = render(built, "text")
    assert text.index(left_out[0].message[:40]) < text.index("\nIMPORT\n")


def test_probability_presets_are_the_stage_presets() -> None:
    tables = [table for _, table in PROBABILITY_PRESETS.values()]
    assert sorted(map(id, tables)) == sorted(id(getattr(presets, n)) for n in presets.__all__)
    with pytest.raises(InvalidInputError, match="probabilities must be one of"):
        Assumptions(probabilities="pipedrive")


def test_probabilities_preset_fills_open_deals_only_and_names_unknown_stages() -> None:
    deals = pd.DataFrame(
        {
            "deal_id": ["D1", "D2", "D3", "D4"],
            "value": [10_000.0, 5_000.0, 2_000.0, 1_000.0],
            "stage": ["Prospecting", "Negotiation/Review", "Won", "Negotiation/Review"],
            "probability": [np.nan, np.nan, np.nan, 0.5],
            "status": ["open", "open", "won", "open"],
            "close_date": pd.to_datetime(["2026-02-01", "2026-03-01", "2026-01-05", "2026-02-01"]),
        }
    )
    inputs = Inputs(as_of=pd.Timestamp("2026-01-15"), source="csv", deals=deals)
    built = build_report(inputs, assumptions=Assumptions(probabilities="salesforce"))
    forecast = built.sections["forecast"]
    # Salesforce's defaults: Prospecting 10 %, Negotiation/Review 90 %; D4 keeps its 0.5,
    # and the won deal's stage "Won" (no Salesforce stage) is not looked up:
    # 10,000 x 0.1 + 5,000 x 0.9 + 1,000 x 0.5 = 1,000 + 4,500 + 500 = 6,000.
    assert forecast.metrics["weighted_value"] == pytest.approx(6_000.0)
    assert forecast.notes[0].startswith(
        "2 open deals without a probability took their stage's from the Salesforce default"
    )
    stages = pd.Series(["Prospecting", "Proposal", "Won", None], dtype=object)
    unknown = deals.assign(stage=stages)
    unknown.loc[3, "probability"] = np.nan
    with pytest.raises(InvalidInputError, match=r"'Proposal' \(1 deal: 'D2'\); '\(no stage\)'"):
        build_report(
            attrs.evolve(inputs, deals=unknown),
            assumptions=Assumptions(probabilities="salesforce"),
        )


def _hundred_deals(tmp_path: Path) -> Path:
    """97 closed deals that load and the only 3 open deals, whose values do not."""
    lines = ["deal_id,value,probability,status,close_date,created"]
    for k in range(1, 98):
        status, probability = ("won", "1.0") if k % 2 else ("lost", "0.0")
        lines.append(f"D{k},1000,{probability},{status},2025-{k % 12 + 1:02d}-15,2025-01-01")
    lines += [f"D{k},abc,0.5,open,2026-02-01,2025-11-01" for k in (98, 99, 100)]
    return _write(tmp_path / "deals.csv", "\n".join(lines) + "\n")


def test_a_small_rejection_that_empties_the_forecast_is_a_problem_at_the_top(
    tmp_path: Path,
) -> None:
    inputs = load_inputs({"deals": _hundred_deals(tmp_path)}, as_of=pd.Timestamp("2026-01-15"))
    (record,) = inputs.imports
    # 3 of 100 rows rejected: 3 %, under the 10 % share, yet they were every open deal.
    assert (record.rows_in, record.accepted) == (100, 97)
    built = build_report(inputs)
    assert built.sections["forecast"].metrics["open_deals"] == 0
    (problem,) = [p for p in built.problems if p.kind == "section_empty"]
    assert (problem.severity, problem.table, problem.sections) == (
        "warning",
        "deals",
        ("forecast",),
    )
    assert problem.message.startswith("The Forecast section is empty (no open deal")
    assert "3 of the 100 rows of deals (deals.csv) were rejected" in problem.message
    (reason,) = record.reasons
    assert f"3 x {reason}" in problem.message  # the rejected rows' main reason
    assert not built.unusable
    text = render(built, "text")
    assert text.index("WARNING: The Forecast section is empty") < text.index("\nFORECAST\n")


def _rejected(table: str) -> Import:
    return _import(table, 10, 9, {"amount: not a plain number": 1})


@pytest.mark.parametrize(
    ("section", "table", "inputs"),
    [
        # Won deals only in 2023: none closed in Jan-Dec 2025, the Team section's 12 months.
        (
            "team",
            "deals",
            {
                "deals": pd.DataFrame(
                    {
                        "deal_id": ["D1"],
                        "status": ["won"],
                        "value": [5.0],
                        "close_date": pd.to_datetime(["2023-05-01"]),
                    }
                )
            },
        ),
        # Transactions only in 2022: none in Jan 2024-Dec 2025 nor in Jan-Dec 2025.
        (
            "value",
            "transactions",
            {
                "transactions": pd.DataFrame(
                    {
                        "customer_id": ["A"],
                        "date": pd.to_datetime(["2022-03-01"]),
                        "amount": [10.0],
                    }
                )
            },
        ),
        (
            "retention",
            "transactions",
            {
                "transactions": pd.DataFrame(
                    {
                        "customer_id": ["A"],
                        "date": pd.to_datetime(["2022-03-01"]),
                        "amount": [10.0],
                    }
                )
            },
        ),
        # Open and won deals with a lost_reason column, but no lost deal: no loss reasons.
        (
            "funnel",
            "deals",
            {
                "deals": pd.DataFrame(
                    {
                        "deal_id": ["D1", "D2"],
                        "status": ["won", "open"],
                        "value": [5.0, 7.0],
                        "close_date": pd.to_datetime(["2025-05-01", "2026-02-01"]),
                        "lost_reason": [None, None],
                    }
                )
            },
        ),
    ],
)
def test_each_section_emptied_by_a_table_with_rejections_is_named(
    section: str, table: str, inputs: dict[str, Any]
) -> None:
    bare = Inputs(as_of=pd.Timestamp("2026-01-01"), source="csv", imports=(_rejected(table),))
    built = build_report(attrs.evolve(bare, **inputs))
    emptied = [(p.table, p.sections) for p in built.problems if p.kind == "section_empty"]
    assert (table, (section,)) in emptied
    assert section not in built.skipped


def test_an_empty_section_without_rejections_or_a_full_one_is_no_problem() -> None:
    deals = pd.DataFrame(
        {
            "deal_id": ["D1", "D2"],
            "status": ["won", "open"],
            "value": [5.0, 7.0],
            "probability": [1.0, 0.5],
            "close_date": pd.to_datetime(["2025-05-01", "2026-02-01"]),
        }
    )
    as_of = pd.Timestamp("2026-01-01")
    closed = deals.iloc[:1]  # no open deal, but nothing was rejected
    quiet = build_report(
        Inputs(as_of=as_of, source="csv", deals=closed, imports=(_import("deals", 1, 1, {}),))
    )
    assert quiet.problems == []
    # One row rejected, but the Forecast (an open deal) and the Team (a win in 2025) are full.
    full = build_report(
        Inputs(as_of=as_of, source="csv", deals=deals, imports=(_rejected("deals"),))
    )
    assert full.problems == []


# ------------------------------------------------------------------------ sellers


def _value_with_headcount(headcount: pd.Series[float]) -> Report:
    tx = pd.DataFrame(
        {
            "customer_id": ["A", "B"],
            "date": pd.to_datetime(["2024-06-01", "2025-06-01"]),
            "amount": [100.0, 100.0],
        }
    )
    return build_report(
        Inputs(as_of=pd.Timestamp("2026-01-01"), source="csv", transactions=tx, headcount=headcount)
    )


def test_sellers_are_the_headcount_of_the_value_sections_12_months() -> None:
    months = pd.period_range("2024-01", "2026-06", freq="M")
    # 2 sellers a month in 2024, 4 in 2025 and 100 planned for 2026.
    counts = [2.0] * 12 + [4.0] * 12 + [100.0] * 6
    built = _value_with_headcount(pd.Series(counts, index=months))
    # The year is Jan-Dec 2025 (the 12 months before January 2026): 4 sellers, so the
    # sales cost is 4 x 90,000 = 360,000. The last 12 entries (Jul 2025-Jun 2026) would
    # give (6 x 4 + 6 x 100) / 12 = 52 sellers.
    assert built.sections["value"].metrics["sales_cost"] == 360_000.0


def test_months_without_a_headcount_are_unknown_and_said_so() -> None:
    half = pd.Series([3.0] * 6, index=pd.period_range("2025-07", "2025-12", freq="M"))
    value = _value_with_headcount(half).sections["value"]
    # Known for Jul-Dec 2025 only: the mean of those 6 months is 3, 3 x 90,000 = 270,000.
    assert value.metrics["sales_cost"] == 270_000.0
    assert any("known for 6 of the 12 months" in note for note in value.notes)
    assert "6 of the 12 months" in value.caveats["cac"]
    old = pd.Series([3.0] * 12, index=pd.period_range("2023-01", "2023-12", freq="M"))
    value = _value_with_headcount(old).sections["value"]
    assert math.isnan(value.metrics["sales_cost"])
    assert math.isnan(value.metrics["cac"])
    assert any(note.startswith("No headcount for any month") for note in value.notes)


# ------------------------------------------------------------------------ import summary


def _import_block(text: str, start: str, end: str | None = None) -> list[str]:
    block = text[text.index(start) :]
    return (block if end is None else block[: block.index(end)]).splitlines()


def test_the_import_summary_shows_examples_and_stays_short_for_2000_rejected_rows(
    tmp_path: Path,
) -> None:
    lines = ["deal_id,value,probability,status,close_date,created"]
    lines += [f"G{k},1000,0.5,open,2026-02-01,2025-11-01" for k in range(10)]
    for k in range(2_000):  # every row has its own bad value, in one of five columns
        bad = ["1000", "0.5", "open", "2026-02-01", "2025-11-01"]
        bad[k % 5] = f"bad{k}"
        lines.append(f"R{k}," + ",".join(bad))
    deals = _write(tmp_path / "deals.csv", "\n".join(lines) + "\n")
    inputs = load_inputs({"deals": deals}, as_of=pd.Timestamp("2026-01-15"))
    (record,) = inputs.imports
    assert record.rejected == 2_000
    built = build_report(inputs)
    text = render(built, "text")
    block = _import_block(text, "\nIMPORT\n")
    # A heading, its rule, the table's line, then per group (at most IMPORT_GROUPS) a
    # line and at most two of examples, the line on the rest and the warnings: 2,000
    # distinct values do not make 2,000 lines.
    assert len(block) <= 3 + 3 * IMPORT_GROUPS + 1 + IMPORT_GROUPS + 1
    assert max(map(len, block)) <= WIDTH
    first = record.groups[0]
    assert f"{first.rows:,} x {first.label}" in text
    assert "e.g. line " in text  # the examples name the file's lines ...
    assert "('R" in text  # ... the deals' ids ...
    assert "'bad" in text  # ... and their values
    markdown = _import_block(render(built, "markdown"), "\n## Import\n")
    # A blank line, the heading, a blank line, the table's header, its rule, one row.
    assert len(markdown) == 6
    assert "(e.g. line " in markdown[-1]
    html = render(built, "html")
    imports_html = html[html.index('<section id="imports">') :]
    assert "(e.g. line " in imports_html
    assert len(imports_html) < 2 * IMPORT_GROUPS * (EXAMPLE_CHARS + 200)


def test_the_import_summary_shows_a_few_groups_then_how_many_more() -> None:
    # 40 kinds of problem, 40 + k rows each: the 5 largest shown, the other 35 counted.
    groups = tuple(
        ReasonGroup(
            column=f"col{k}", problem="not a number", rows=40 + k, examples=f"line {k + 2}: 'x'"
        )
        for k in range(40)
    )
    record = Import(
        table="deals",
        source="csv",
        file="deals.csv",
        rows_in=5_000,
        accepted=3_000,
        reasons={group.label: group.rows for group in groups},
        groups=groups,
    )
    built = build_report(Inputs(as_of=pd.Timestamp("2026-01-01"), source="csv", imports=(record,)))
    block = _import_block(render(built, "text"), "\nIMPORT\n")
    shown = [line.strip() for line in block if " x col" in line]
    assert shown == [f"{40 + k} x col{k}: not a number" for k in (39, 38, 37, 36, 35)]
    # The other 35 groups hold 40 + 0 ... 40 + 34 rows: 35 x 40 + (0 + ... + 34) = 1,995.
    assert "and 35 more kinds of problem (1,995 rows; all in the JSON report)" in " ".join(block)
    assert "and 35 more kinds of problem" in render(built, "markdown")
    assert "and 35 more kinds of problem" in render(built, "html")
    assert len(json.loads(render(built, "json"))["imports"][0]["groups"]) == 40


# ------------------------------------------------------------------ hostile input


def test_render_and_build_report_refuse_objects_of_the_wrong_kind_by_name(report: Report) -> None:
    # They raised AttributeError ('float' object has no attribute 'to_dict' / 'as_of')
    # and TypeError (unhashable type: 'list').
    with pytest.raises(InvalidInputError, match="report must be a Report"):
        render(math.nan, "text")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="inputs must be an Inputs"):
        build_report(math.nan)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="fmt must be one of"):
        render(report, [])  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="assumptions must be an Assumptions"):
        build_report(demo_inputs(), assumptions={"margin": 0.3})  # type: ignore[arg-type]


AS_OF = pd.Timestamp("2026-01-01")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Assumptions(margin="0.3"), "margin must be a number"),
        (lambda: Assumptions(margin=1.5), "margin must be a fraction"),
        (lambda: Assumptions(seller_cost=10**400), "seller_cost must be a number within"),
        (lambda: Assumptions(discount_rate=math.inf), "discount_rate must be a finite"),
        (lambda: Assumptions(probabilities=pd.NA), "probabilities must be one of"),  # type: ignore[arg-type]
        (lambda: Inputs(as_of=math.nan, source="csv"), "as_of must be a pandas Timestamp"),
        (lambda: Inputs(as_of=pd.Timestamp("9999-12-31"), source="csv"), "as_of must be a date"),
        (lambda: Inputs(as_of=AS_OF, source=None), "source must be a str"),  # type: ignore[arg-type]
        (lambda: Inputs(as_of=AS_OF, source="csv", deals={}), "deals must be a DataFrame"),  # type: ignore[arg-type]
        (lambda: Inputs(as_of=AS_OF, source="csv", quota=10**400), "quota must be a number"),
        (lambda: Inputs(as_of=AS_OF, source="csv", headcount=pd.NA), "headcount must be a num"),
        (lambda: Inputs(as_of=AS_OF, source="csv", headcount=-1.0), "headcount must be a"),
        (lambda: Inputs(as_of=AS_OF, source="csv", targets={"call": "5"}), "targets"),
        (lambda: Inputs(as_of=AS_OF, source="csv", stages="abc"), "stages must be a tuple"),
        (lambda: Inputs(as_of=AS_OF, source="csv", imports=("x",)), "imports must hold Import"),
        (
            lambda: Import(table="deals", source="csv", file="f", rows_in="2", accepted=1),  # type: ignore[arg-type]
            "rows_in must be a non-negative integer",
        ),
        (
            lambda: Import(table="deals", source="csv", file="f", rows_in=1, accepted=2),
            "accepted .2. cannot exceed rows_in",
        ),
        (
            lambda: Import(table="deals", source="csv", file="f", rows_in=10**400, accepted=0),
            "rows_in must be at most",
        ),
        (lambda: ReasonGroup(column=3, problem="p", rows=1), "column must be a str"),  # type: ignore[arg-type]
        (lambda: ReasonGroup(column=None, problem="p", rows=-1), "rows must be a non-negative"),
        (lambda: Problem(kind="bogus", severity="error", message="m"), "kind must be one of"),
        (lambda: Problem(kind="no_rows", severity="error", message="m", sections=None), "sections"),
    ],
)
def test_report_records_cannot_be_made_with_a_field_of_the_wrong_kind(
    make: Any, message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        make()


def test_a_report_record_cannot_be_made_with_a_field_of_the_wrong_kind(report: Report) -> None:
    fields = {f.name: getattr(report, f.name) for f in attrs.fields(Report)}
    for name, value in [("as_of", "2026-01-01"), ("sections", None), ("problems", "x"),
                        ("skipped", "x"), ("quota", 10**400), ("source", None)]:  # fmt: skip
        with pytest.raises(InvalidInputError, match=name):
            Report(**{**fields, name: value})


def test_render_helpers_refuse_arguments_of_the_wrong_kind(report: Report) -> None:
    from salescore.report.html import render_html
    from salescore.report.render import cell, import_reasons, table_title

    with pytest.raises(InvalidInputError, match="key must be a str"):
        label(None)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="periods must be a mapping"):
        table_title("pipeline", "x")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="column must be a str"):
        cell("deals", ["value"], 1.0)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="value must be a number"):
        cell("deals", "value", complex(1, 1))
    with pytest.raises(InvalidInputError, match="value must be a number within float range"):
        cell("deals", "value", 10**400)
    with pytest.raises(InvalidInputError, match="item must be a mapping"):
        import_reasons(None)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="item is not an entry"):
        import_reasons({"groups": [{"rows": "many"}]})
    with pytest.raises(InvalidInputError, match="report must be a Report"):
        render_html(None, {})  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="data must be the report's to_dict"):
        render_html(report, {})
