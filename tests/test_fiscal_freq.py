"""Tests of fiscal periods in the table functions: ``freq=FiscalCalendar(...).freq(kind)``.

Hand-worked examples write each expected row out with the reasoning that places each
date; properties check the fiscal bucketing against pandas' own periods, which it must
reproduce where the two agree: a calendar starting in January gives the calendar
months (Period 2026-05 is "FY2026 M05"), and a fiscal year starting in April gives
pandas' quarters anchored at March (``Period(date, "Q-MAR")``: quarter 1 of qyear 2027
is "FY2027 Q1"). Totals over the periods must equal the totals without periods.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, cast

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import salescore
from salescore import loss_reasons, source_performance, weighted_pipeline
from salescore.errors import InvalidInputError
from salescore.fiscal import FiscalCalendar, FiscalFrequency
from salescore.retention.cohorts import cohort_retention, retention_by_period
from salescore.retention.usage import usage_summary
from salescore.team import activity_report, productivity_report

APRIL = FiscalCalendar.from_start_month(4)
JANUARY_MONTHS = FiscalCalendar.from_start_month(1).freq("month")
# A retail 4-4-5 calendar: years end on the Saturday nearest the end of January and are
# named by the calendar year they start in (FY2025 runs 2025-02-02 … 2026-01-31).
RETAIL = FiscalCalendar.weeks("4-4-5", end_month=1, weekday="Sat", rule="nearest", naming="start")

# Property tests run two tables per example: a few dozen examples keep each test short.
FEW = settings(max_examples=30)

days = st.integers(min_value=0, max_value=900)  # from 2024-01-01 to mid-2026
FIRST_DAY = pd.Timestamp("2024-01-01")


def stamps(offsets: list[int]) -> pd.Series[Any]:
    return pd.Series(FIRST_DAY + pd.to_timedelta(offsets, unit="D"))


def month_label(period: pd.Period) -> str:
    return f"FY{period.year} M{period.month:02d}"


def quarter_label(period: pd.Period) -> str:
    return f"FY{period.qyear} Q{period.quarter}"


def relabel(table: pd.DataFrame, label: Any = month_label) -> pd.DataFrame:
    """``table`` with its pandas Periods (in any index level) replaced by fiscal labels."""

    def one(level: pd.Index[Any]) -> pd.Index[Any]:
        if isinstance(level, pd.PeriodIndex):
            # Labels are texts, of pandas' dtype for texts (str from pandas 3).
            labels: pd.Index[Any] = pd.Index([label(p) for p in level], name=level.name)
            return labels
        return level

    index = table.index
    if isinstance(index, pd.MultiIndex):
        levels = [one(level) for level in index.levels]
        return table.set_axis(index.set_levels(levels), axis=0)  # type: ignore[arg-type]
    return table.set_axis(one(index), axis=0)


# ------------------------------------------------------------------ the record


def test_freq_builds_the_record() -> None:
    quarters = APRIL.freq("quarter")
    assert quarters == FiscalFrequency(APRIL, "quarter")
    assert quarters.calendar is APRIL
    assert quarters.kind == "quarter"
    assert salescore.FiscalFrequency is FiscalFrequency


@pytest.mark.parametrize("kind", ["week", "Quarter", None, 3])
def test_an_unknown_kind_is_refused(kind: Any) -> None:
    with pytest.raises(InvalidInputError, match=r"kind must be one of 'year', 'quarter', 'month'"):
        APRIL.freq(kind)


@pytest.mark.parametrize("calendar", [None, "4-4-5", 4])
def test_a_calendar_must_be_a_fiscal_calendar(calendar: Any) -> None:
    with pytest.raises(InvalidInputError, match="calendar must be a FiscalCalendar"):
        FiscalFrequency(calendar, "quarter")


def test_an_unknown_freq_names_both_kinds_of_period() -> None:
    deals = pd.DataFrame({"status": ["lost"], "lost_reason": ["price"]})
    with pytest.raises(InvalidInputError, match=r"pandas period alias.*freq\('quarter'\)"):
        loss_reasons(deals, freq="fortnight")


# ------------------------------------------------------------------ hand-worked


def test_loss_reasons_by_april_quarters() -> None:
    # An April fiscal year named by its end: 2026-03-31 is the last day of FY2026 Q4
    # (January-March 2026), 2026-04-01 the first of FY2027 Q1 (April-June 2026),
    # 2026-06-30 its last, and 2026-07-01 the first of FY2027 Q2.
    deals = pd.DataFrame(
        {
            "deal_id": ["D1", "D2", "D3", "D4"],
            "status": "lost",
            "lost_reason": ["price", "competitor", "price", "price"],
            "close_date": pd.to_datetime(["2026-03-31", "2026-04-01", "2026-06-30", "2026-07-01"]),
        }
    )
    table = loss_reasons(deals, freq=APRIL.freq("quarter"))
    periods = pd.Index(["FY2026 Q4", "FY2027 Q1", "FY2027 Q2"], name="period")
    reasons = pd.Index(["price", "competitor"], dtype=object, name="reason")  # 3 losses, then 1
    expected_counts = pd.DataFrame([[1, 0], [1, 1], [1, 0]], index=periods, columns=reasons)
    pd.testing.assert_frame_equal(cast("pd.DataFrame", table["count"]), expected_counts)
    expected_shares = pd.DataFrame(
        [[1.0, 0.0], [0.5, 0.5], [1.0, 0.0]], index=periods, columns=reasons
    )
    pd.testing.assert_frame_equal(cast("pd.DataFrame", table["share"]), expected_shares)


def test_productivity_by_april_quarters_fills_the_quarters_without_wins() -> None:
    # Wins on 2026-03-31 (FY2026 Q4), 2026-04-01 (FY2027 Q1) and 2026-10-15 (FY2027 Q3,
    # October-December); FY2027 Q2 (July-September) has none and still gets a row.
    deals = pd.DataFrame(
        {
            "deal_id": ["W1", "W2", "W3"],
            "value": [10_000.0, 30_000.0, 20_000.0],
            "currency": "EUR",
            "status": "won",
            "close_date": pd.to_datetime(["2026-03-31", "2026-04-01", "2026-10-15"]),
        }
    )
    table = productivity_report(deals, 2, freq=APRIL.freq("quarter"))
    assert table.index.tolist() == ["FY2026 Q4", "FY2027 Q1", "FY2027 Q2", "FY2027 Q3"]
    assert table.index.name == "period"
    assert table["won"].tolist() == [1, 1, 0, 1]
    assert table["revenue"].tolist() == [10_000.0, 30_000.0, 0.0, 20_000.0]
    assert table["productivity"].tolist() == [5_000.0, 15_000.0, 0.0, 10_000.0]
    # Q1 over Q4: 15,000 / 5,000 - 1 = 2; Q2 over Q1: -1; Q3 after a quarter of 0: NaN.
    assert table["change"].tolist()[1:3] == [2.0, -1.0]
    assert np.isnan(table["change"].iloc[3])

    # A headcount per fiscal quarter, indexed by the labels (or by dates in them).
    staff = pd.Series([2.0, 3.0, 3.0, 4.0], index=table.index.tolist())
    by_label = productivity_report(deals, staff, freq=APRIL.freq("quarter"))
    assert by_label["productivity"].tolist() == [5_000.0, 10_000.0, 0.0, 5_000.0]
    dated = staff.set_axis(pd.to_datetime(["2026-01-01", "2026-04-01", "2026-07-01", "2026-10-01"]))
    pd.testing.assert_frame_equal(
        productivity_report(deals, dated, freq=APRIL.freq("quarter")), by_label
    )
    with pytest.raises(
        InvalidInputError, match=r"headcount has no entry for 1 period: 'FY2027 Q2'"
    ):
        productivity_report(deals, staff.drop("FY2027 Q2"), freq=APRIL.freq("quarter"))
    with pytest.raises(InvalidInputError, match="labels of the calendar's fiscal quarters"):
        productivity_report(deals, staff.set_axis(["a", "b", "c", "d"]), freq=APRIL.freq("quarter"))
    periods = staff.set_axis(pd.period_range("2026-01", periods=4, freq="Q"))
    with pytest.raises(InvalidInputError, match="headcount must be indexed by fiscal quarters"):
        productivity_report(deals, periods, freq=APRIL.freq("quarter"))


def test_activity_report_by_the_periods_of_a_445_calendar() -> None:
    # The retail 4-4-5 year FY2025 starts on Sunday 2025-02-02: its first period (4
    # weeks) runs to Saturday 2025-03-01, the second (4 weeks) from 2025-03-02 to
    # 2025-03-29, the third (5 weeks) from 2025-03-30 to 2025-05-03; 2025-05-04 opens
    # the fourth (quarter 2).
    assert RETAIL.bounds("2025-03-01", kind="month") == (
        pd.Timestamp("2025-02-02"),
        pd.Timestamp("2025-03-01"),
    )
    assert RETAIL.bounds("2025-04-15", kind="month") == (
        pd.Timestamp("2025-03-30"),
        pd.Timestamp("2025-05-03"),
    )
    activities = pd.DataFrame(
        {
            "owner": "Ann",
            "kind": "call",
            "date": pd.to_datetime(
                ["2025-02-02", "2025-03-01", "2025-03-02", "2025-05-03", "2025-05-04"]
            ),
        }
    )
    report = activity_report(activities, {"call": 2}, freq=RETAIL.freq("month"))
    periods = report.index.get_level_values("period").tolist()
    assert periods == ["FY2025 P01", "FY2025 P02", "FY2025 P03", "FY2025 P04"]
    assert report["actual"].tolist() == [2, 1, 1, 1]
    assert report["attainment"].tolist() == [1.0, 0.5, 0.5, 0.5]

    # Bounds as labels or dates; a pandas Period is not a fiscal period.
    bounded = activity_report(
        activities, {"call": 2}, freq=RETAIL.freq("month"), start="FY2025 P02", end="2025-04-01"
    )
    assert bounded.index.get_level_values("period").tolist() == ["FY2025 P02", "FY2025 P03"]
    assert bounded["actual"].tolist() == [1, 1]
    with pytest.raises(InvalidInputError, match="start is a pandas Period"):
        activity_report(
            activities, {"call": 2}, freq=RETAIL.freq("month"), start=pd.Period("2025-03", "M")
        )
    with pytest.raises(InvalidInputError, match="end must hold labels"):
        activity_report(activities, {"call": 2}, freq=RETAIL.freq("month"), end="FY2025 M02")


def test_weighted_pipeline_and_sources_put_fiscal_periods_in_time_order() -> None:
    # Quarters of the April calendar, named by their start: the open deal closing in
    # February 2027 is in FY2026 Q4, the May 2026 one in FY2026 Q1, and FY2026 Q4 sorts
    # after FY2026 Q1 although it comes first in the table.
    deals = pd.DataFrame(
        {
            "deal_id": ["D1", "D2", "D3"],
            "owner": ["Ann", "Ann", "Bo"],
            "value": [100.0, 200.0, 50.0],
            "probability": [0.5, 0.25, 1.0],
            "currency": "EUR",
            "status": "open",
            "close_date": pd.to_datetime(["2027-02-10", "2026-05-20", "2026-06-30"]),
        }
    )
    start = FiscalCalendar.from_start_month(4, naming="start").freq("quarter")
    table = weighted_pipeline(deals, freq=start)
    assert table.index.tolist() == ["FY2026 Q1", "FY2026 Q4"]
    assert table["deals"].tolist() == [2, 1]
    assert table["weighted_value"].tolist() == [100.0, 50.0]

    leads = pd.DataFrame(
        {
            "lead_id": ["L1", "L2", "L3"],
            "source": "web",
            "converted": [True, False, True],
            "created": pd.to_datetime(["2027-03-31", "2026-04-01", "2027-04-01"]),
        }
    )
    performance = source_performance(leads, freq=start)
    assert performance.index.tolist() == [
        ("web", "FY2026 Q1"),
        ("web", "FY2026 Q4"),
        ("web", "FY2027 Q1"),
    ]
    assert performance["conversions"].tolist() == [0, 1, 1]


def test_retention_by_fiscal_year_reported_to_a_label() -> None:
    # April years named by their end: ann buys in FY2026 (2025-05) and FY2027
    # (2026-04-01); bo only in FY2026 (2026-03-31). Reported to FY2028, when no one bought.
    log = pd.DataFrame(
        {
            "customer_id": ["ann", "bo", "ann"],
            "date": pd.to_datetime(["2025-05-10", "2026-03-31", "2026-04-01"]),
        }
    )
    table = retention_by_period(log, freq=APRIL.freq("year"), end="FY2028")
    assert table.index.tolist() == ["FY2026", "FY2027", "FY2028"]
    assert table["active"].tolist() == [2, 1, 0]
    assert table["retained"].tolist() == [0, 1, 0]
    assert table["lost"].tolist() == [0, 1, 1]
    cohorts = cohort_retention(log, freq=APRIL.freq("year"), normalize=False)
    assert cohorts.index.tolist() == ["FY2026", "FY2027"]
    assert cohorts.index.name == "cohort"
    assert cohorts[0].tolist() == [2.0, 0.0]
    assert cohorts[1].tolist()[0] == 1.0
    with pytest.raises(InvalidInputError, match="dated after it"):
        retention_by_period(log, freq=APRIL.freq("year"), end="FY2026")
    with pytest.raises(InvalidInputError, match="end is a pandas Period"):
        usage_summary(log, freq=APRIL.freq("year"), end=pd.Period("2026", "Y"))


def test_explicit_periods_refuse_a_date_outside_their_years() -> None:
    rows = pd.concat(
        [
            APRIL.periods("2026-04-01", "2027-03-31", kind=kind).assign(kind=kind)
            for kind in ("year", "quarter", "month")
        ],
        ignore_index=True,
    )
    explicit = FiscalCalendar.from_periods(rows).freq("quarter")
    deals = pd.DataFrame(
        {
            "deal_id": ["D1", "D2"],
            "status": "lost",
            "lost_reason": "price",
            "close_date": pd.to_datetime(["2026-05-01", "2027-05-01"]),
        }
    )
    with pytest.raises(InvalidInputError, match=r"close_date must fall within .* 'D2'"):
        loss_reasons(deals, freq=explicit)
    table = loss_reasons(deals.iloc[:1], freq=explicit)
    assert table.index.tolist() == ["FY2027 Q1"]


def test_no_rows_give_an_empty_table_of_labels() -> None:
    deals = pd.DataFrame(
        {"status": ["won"], "lost_reason": [None], "close_date": pd.to_datetime(["2026-01-01"])}
    )
    assert loss_reasons(deals, freq=APRIL.freq("month"), deal_id=None).empty


# ------------------------------------------------------------------ missing dates


def test_missing_dates_are_refused_as_with_pandas_periods() -> None:
    lost = pd.DataFrame(
        {
            "deal_id": ["D1", "D2"],
            "status": "lost",
            "lost_reason": "price",
            "close_date": pd.to_datetime(["2026-05-01", "NaT"]),
        }
    )
    log = pd.DataFrame(
        {"customer_id": ["ann", "bo"], "date": pd.to_datetime(["2026-05-01", "NaT"])}
    )
    activities = pd.DataFrame(
        {"owner": "Ann", "kind": "call", "date": pd.to_datetime(["2026-05-01", "NaT"])}
    )
    calls: list[Callable[[Any], object]] = [
        lambda freq: loss_reasons(lost, freq=freq),
        lambda freq: weighted_pipeline(
            lost.assign(status="open", value=1.0, probability=0.5, currency="EUR"), freq=freq
        ),
        lambda freq: productivity_report(lost.assign(status="won", value=1.0), 1, freq=freq),
        lambda freq: retention_by_period(log, freq=freq),
        lambda freq: activity_report(activities, {"call": 1}, freq=freq),
    ]
    for call in calls:
        with pytest.raises(InvalidInputError) as pandas_error:
            call("Q")
        with pytest.raises(InvalidInputError) as fiscal_error:
            call(APRIL.freq("quarter"))
        assert str(fiscal_error.value) == str(pandas_error.value)


def test_a_won_deal_without_a_date_is_left_out_of_loss_reasons() -> None:
    # Only lost deals need a close date (as with pandas periods).
    deals = pd.DataFrame(
        {
            "status": ["lost", "won"],
            "lost_reason": ["price", None],
            "close_date": pd.to_datetime(["2026-05-01", "NaT"]),
        }
    )
    table = loss_reasons(deals, freq=APRIL.freq("quarter"), deal_id=None)
    assert table.index.tolist() == ["FY2027 Q1"]


# ------------------------------------------------------------------ properties


@st.composite
def deal_tables(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(min_value=0, max_value=12))
    return pd.DataFrame(
        {
            "deal_id": [f"D{k}" for k in range(n)],
            "owner": draw(st.lists(st.sampled_from(["Ann", "Bo"]), min_size=n, max_size=n)),
            "status": draw(
                st.lists(st.sampled_from(["open", "won", "lost"]), min_size=n, max_size=n)
            ),
            "lost_reason": draw(
                st.lists(st.sampled_from(["price", "timing", None]), min_size=n, max_size=n)
            ),
            "value": draw(st.lists(st.integers(0, 10_000).map(float), min_size=n, max_size=n)),
            "probability": draw(
                st.lists(st.sampled_from([0.0, 0.25, 1.0]), min_size=n, max_size=n)
            ),
            "currency": "EUR",
            "close_date": stamps(draw(st.lists(days, min_size=n, max_size=n))),
        }
    )


@FEW
@given(deal_tables())
def test_loss_reasons_match_calendar_months(deals: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        loss_reasons(deals, freq=JANUARY_MONTHS), relabel(loss_reasons(deals, freq="M"))
    )
    # The periods' counts add up to the lost deals.
    lost = int((deals["status"] == "lost").sum())
    by_quarter = loss_reasons(deals, freq=APRIL.freq("quarter"))
    assert (int(by_quarter["count"].to_numpy().sum()) if lost else by_quarter.size) == lost


@FEW
@given(deal_tables())
def test_weighted_pipeline_matches_calendar_months(deals: pd.DataFrame) -> None:
    fiscal = weighted_pipeline(deals, by="owner", freq=JANUARY_MONTHS)
    pd.testing.assert_frame_equal(fiscal, relabel(weighted_pipeline(deals, by="owner", freq="M")))
    # The periods add up to the pipeline without periods.
    whole = weighted_pipeline(deals, by="owner")
    per_owner = fiscal.groupby(level="owner", sort=False).sum()
    assert per_owner["deals"].sum() == whole["deals"].sum()
    np.testing.assert_allclose(per_owner["value"].sum(), whole["value"].sum())


@FEW
@given(deal_tables())
def test_april_quarters_match_pandas_quarters_anchored_at_march(deals: pd.DataFrame) -> None:
    quarters = APRIL.freq("quarter")
    pd.testing.assert_frame_equal(
        loss_reasons(deals, freq=quarters),
        relabel(loss_reasons(deals, freq="Q-MAR"), quarter_label),
    )
    pd.testing.assert_frame_equal(
        productivity_report(deals, 3, freq=quarters),
        relabel(productivity_report(deals, 3, freq="Q-MAR"), quarter_label),
    )


@FEW
@given(deal_tables())
def test_productivity_matches_calendar_months(deals: pd.DataFrame) -> None:
    fiscal = productivity_report(deals, 2, freq=JANUARY_MONTHS)
    pd.testing.assert_frame_equal(fiscal, relabel(productivity_report(deals, 2, freq="M")))
    won = deals["status"] == "won"
    assert fiscal["won"].sum() == won.sum()
    np.testing.assert_allclose(fiscal["revenue"].sum(), deals.loc[won, "value"].sum())


@FEW
@given(st.lists(st.tuples(st.sampled_from(["Ann", "Bo"]), days), max_size=12))
def test_activity_report_matches_calendar_months(rows: list[tuple[str, int]]) -> None:
    activities = pd.DataFrame(
        {
            "owner": pd.Series([owner for owner, _ in rows], dtype=object),
            "kind": "call",
            "date": stamps([day for _, day in rows]),
        }
    )
    fiscal = activity_report(activities, {"call": 3}, freq=JANUARY_MONTHS)
    pd.testing.assert_frame_equal(
        fiscal, relabel(activity_report(activities, {"call": 3}, freq="M"))
    )
    assert fiscal["actual"].sum() == len(rows)


@FEW
@given(st.lists(st.tuples(st.sampled_from(["web", "fair"]), st.booleans(), days), max_size=12))
def test_source_performance_matches_calendar_months(rows: list[tuple[str, bool, int]]) -> None:
    leads = pd.DataFrame(
        {
            "lead_id": [f"L{k}" for k in range(len(rows))],
            "source": pd.Series([source for source, _, _ in rows], dtype=object),
            "converted": pd.Series([flag for _, flag, _ in rows], dtype=bool),
            "created": stamps([day for _, _, day in rows]),
        }
    )
    fiscal = source_performance(leads, freq=JANUARY_MONTHS)
    pd.testing.assert_frame_equal(fiscal, relabel(source_performance(leads, freq="M")))
    whole = source_performance(leads)
    totals = fiscal.groupby(level="source", sort=False)[["leads", "conversions"]].sum()
    pd.testing.assert_frame_equal(totals.loc[whole.index], whole[["leads", "conversions"]])


@FEW
@given(st.lists(st.tuples(st.sampled_from(["ann", "bo", "cy"]), days), max_size=12))
def test_retention_tables_match_calendar_months(rows: list[tuple[str, int]]) -> None:
    log = pd.DataFrame(
        {
            "customer_id": pd.Series([customer for customer, _ in rows], dtype=object),
            "date": stamps([day for _, day in rows]),
        }
    )
    for table in (cohort_retention, retention_by_period, usage_summary):
        pd.testing.assert_frame_equal(
            table(log, freq=JANUARY_MONTHS), relabel(table(log, freq="M"))
        )
    usage = usage_summary(log, freq=APRIL.freq("quarter"))
    assert usage["events"].sum() == len(rows)
    if rows:  # December 2026 is the ninth month of FY2027
        end = dt.date(2026, 12, 31)
        by_month = retention_by_period(log, freq=APRIL.freq("month"), end=end)
        assert by_month.index[-1] == "FY2027 M09"
