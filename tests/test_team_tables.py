"""Tests of salescore.team's tables: productivity_report and activity_report."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from typing import Any, cast

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore import InvalidInputError, SchemaError
from salescore.money import ExchangeRates
from salescore.team.activity import ACTIVITY_KINDS, activity_report
from salescore.team.productivity import productivity_report

from . import strategies as sst

# Each example builds frames; cap the properties so that the ci profile stays quick.
heavy = settings(max_examples=min(settings().max_examples, 300))


def _deals(**columns: Any) -> pd.DataFrame:
    """A canonical deals frame; columns not given get plain defaults."""
    size = len(next(iter(columns.values())))
    defaults: dict[str, Any] = {
        "deal_id": [f"D{i + 1}" for i in range(size)],
        "owner": ["Ann"] * size,
        "value": [1_000.0] * size,
        "currency": ["EUR"] * size,
        "status": ["won"] * size,
        "close_date": pd.to_datetime(["2024-01-15"] * size),
    }
    defaults.update(columns)
    return pd.DataFrame(defaults)


def _quarter() -> pd.DataFrame:
    """Seven deals over January to March 2024."""
    return _deals(
        value=[40_000.0, 20_000.0, 30_000.0, 5_000.0, 50_000.0, 90_000.0, 70_000.0],
        status=["won", "won", "lost", "open", "won", "won", "Won"],
        close_date=pd.to_datetime(
            [
                "2024-01-10",
                "2024-01-31 23:00",
                "2024-02-05",
                "2024-02-20",
                "2024-03-01",
                "2024-03-30",
                "2024-03-31",
            ],
            format="ISO8601",
        ),
    )


MONTHS = pd.period_range("2024-01", periods=3, freq="M", name="period")

# --------------------------------------------------------- productivity: by hand


def test_productivity_report_three_months_by_hand() -> None:
    # Won: January D1 40,000 + D2 20,000 = 60,000; February none (D3 lost, D4 open);
    # March D5 50,000 + D6 90,000 + D7 70,000 ('Won', any case) = 210,000.
    # Headcount 4, 4, 5: productivity 15,000, 0, 42,000.
    # Change: Feb (0 − 15,000) / 15,000 = −1; Mar from 0 → NaN (no relative change).
    headcount = pd.Series([4.0, 4.0, 5.0], index=MONTHS)
    table = productivity_report(_quarter(), headcount)
    expected = pd.DataFrame(
        {
            "won": np.array([2, 0, 3], dtype=np.int64),
            "revenue": [60_000.0, 0.0, 210_000.0],
            "headcount": [4.0, 4.0, 5.0],
            "productivity": [15_000.0, 0.0, 42_000.0],
            "change": [math.nan, -1.0, math.nan],
        },
        index=MONTHS,
    )
    pd.testing.assert_frame_equal(table, expected)


def test_productivity_report_change_month_over_month_by_hand() -> None:
    # 60,000 / 4 = 15,000 in January; 36,000 / 4 = 9,000 in February (−40 %);
    # 52,500 / 3.5 = 15,000 in March (+66.7 %: (15,000 − 9,000) / 9,000 = 2/3).
    deals = _deals(
        value=[60_000.0, 36_000.0, 52_500.0],
        close_date=pd.to_datetime(["2024-01-15", "2024-02-15", "2024-03-15"]),
    )
    headcount = pd.Series([4.0, 4.0, 3.5], index=MONTHS)
    table = productivity_report(deals, headcount)
    assert table["productivity"].tolist() == [15_000.0, 9_000.0, 15_000.0]
    np.testing.assert_allclose(table["change"], [math.nan, -0.4, 2 / 3], equal_nan=True)


def test_productivity_report_constant_headcount_and_quarters() -> None:
    # One number: the rows run from the first won month to the last, gaps included.
    table = productivity_report(_quarter(), 4)
    assert table.index.equals(MONTHS)
    assert table["headcount"].tolist() == [4.0, 4.0, 4.0]
    assert table["productivity"].tolist() == [15_000.0, 0.0, 52_500.0]
    # By quarter: 270,000 won in 2024Q1 over 4.5 sellers = 60,000.
    quarterly = productivity_report(_quarter(), 4.5, freq="Q")
    assert [str(p) for p in quarterly.index] == ["2024Q1"]
    assert quarterly["productivity"].tolist() == [60_000.0]


def test_productivity_report_headcount_on_timestamps() -> None:
    # Month-start timestamps stand for their months. A time-zone-aware close date is
    # read in its local calendar: D2's 31 Jan 23:00 UTC is 1 Feb 08:00 in Tokyo, so
    # January has D1's 40,000 and February D2's 20,000.
    starts = pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"])
    headcount = pd.Series([4.0, 4.0, 5.0], index=starts)
    deals = _quarter()
    deals["close_date"] = deals["close_date"].dt.tz_localize("UTC").dt.tz_convert("Asia/Tokyo")
    table = productivity_report(deals, headcount)
    assert table.index.equals(MONTHS)
    assert table["revenue"].tolist() == [40_000.0, 20_000.0, 210_000.0]


def test_productivity_report_headcount_series_sets_the_rows() -> None:
    # A headcount for December 2023 to April 2024 gives five rows; the months without
    # wins have revenue 0. Headcount 0 in April → productivity NaN, not inf.
    months = pd.period_range("2023-12", periods=5, freq="M")
    headcount = pd.Series([3.0, 4.0, 4.0, 5.0, 0.0], index=months)
    table = productivity_report(_quarter(), headcount)
    assert [str(p) for p in table.index] == ["2023-12", "2024-01", "2024-02", "2024-03", "2024-04"]
    assert table["revenue"].tolist() == [0.0, 60_000.0, 0.0, 210_000.0, 0.0]
    assert math.isnan(table["productivity"].iloc[-1])
    # The headcount Series may come in any order: it is matched by period.
    shuffled = productivity_report(_quarter(), headcount.iloc[::-1])
    pd.testing.assert_frame_equal(shuffled, table)


def test_productivity_report_missing_value_propagates() -> None:
    # NaN in → NaN out: a won deal without a value makes its month's revenue NaN.
    deals = _quarter()
    deals.loc[0, "value"] = math.nan
    table = productivity_report(deals, 4)
    assert math.isnan(table["revenue"].iloc[0])
    assert math.isnan(table["productivity"].iloc[0])
    assert table["won"].iloc[0] == 2
    assert table["revenue"].iloc[2] == 210_000.0


def test_productivity_report_without_wins_is_empty() -> None:
    deals = _quarter().assign(status="lost")
    table = productivity_report(deals, 4)
    assert table.empty
    assert list(table.columns) == ["won", "revenue", "headcount", "productivity", "change"]
    assert isinstance(table.index, pd.PeriodIndex)


def test_productivity_report_other_column_names_and_no_ids() -> None:
    deals = _quarter().rename(columns={"value": "Amount", "close_date": "CloseDate"})
    deals = deals.drop(columns=["deal_id", "currency"])
    table = productivity_report(
        deals, 4, value="Amount", close_date="CloseDate", currency=None, deal_id=None
    )
    assert table["revenue"].sum() == 270_000.0


# ------------------------------------------------------ productivity: properties

MonthRow = tuple[float, str, int, int]


@st.composite
def won_rows(draw: Callable[[st.SearchStrategy[Any]], Any]) -> list[MonthRow]:
    """Deals as (value, status, month, day) rows in 2024."""
    row = st.tuples(
        sst.nonnegative_money(max_value=1e6),
        st.sampled_from(["open", "won", "lost"]),
        st.integers(1, 12),
        st.integers(1, 28),
    )
    rows: list[MonthRow] = draw(st.lists(row, min_size=1, max_size=25))
    return rows


def _frame(rows: list[MonthRow]) -> pd.DataFrame:
    return _deals(
        value=[r[0] for r in rows],
        status=[r[1] for r in rows],
        close_date=pd.to_datetime([f"2024-{r[2]:02d}-{r[3]:02d}" for r in rows]),
    )


@heavy
@given(won_rows(), st.integers(1, 40).map(lambda halves: halves / 2))
def test_productivity_report_equals_a_plain_loop(rows: list[MonthRow], headcount: float) -> None:
    deals = _frame(rows)
    before = deals.copy()
    table = productivity_report(deals, headcount)
    pd.testing.assert_frame_equal(deals, before)  # the input is not modified
    won = [r for r in rows if r[1] == "won"]
    if not won:
        assert table.empty
        return
    months = range(min(r[2] for r in won), max(r[2] for r in won) + 1)
    assert [p.month for p in table.index] == list(months)  # every month, no gaps
    previous = math.nan
    for period, row in table.iterrows():
        assert isinstance(period, pd.Period)
        revenue = sum(r[0] for r in won if r[2] == period.month)
        assert row["won"] == sum(r[2] == period.month for r in won)
        assert row["revenue"] == pytest.approx(revenue, rel=1e-12, abs=1e-6)
        assert row["productivity"] == pytest.approx(revenue / headcount, rel=1e-12, abs=1e-6)
        if previous > 0:
            expected_change = (row["productivity"] - previous) / previous
            assert row["change"] == pytest.approx(expected_change, rel=1e-9, abs=1e-12)
        else:
            assert math.isnan(row["change"])
        previous = row["productivity"]
    # Sum of parts: the periods' revenues add up to the value of all won deals.
    assert table["revenue"].sum() == pytest.approx(sum(r[0] for r in won), rel=1e-9, abs=1e-6)
    assert table["won"].sum() == len(won)


@heavy
@given(won_rows(), st.integers(1, 40).map(lambda halves: halves / 2), st.integers(2, 10))
def test_productivity_report_scales_inversely_with_headcount(
    rows: list[MonthRow], headcount: float, factor: int
) -> None:
    deals = _frame(rows)
    base = productivity_report(deals, headcount)
    more = productivity_report(deals, headcount * factor)
    np.testing.assert_allclose(more["productivity"] * factor, base["productivity"], rtol=1e-12)
    # Scaling the headcount of every period leaves the relative change unchanged.
    np.testing.assert_allclose(more["change"], base["change"], rtol=1e-9, equal_nan=True)


# ------------------------------------------------------ productivity: validation


@pytest.mark.parametrize(
    ("change", "headcount", "message"),
    [
        (
            {"currency": ["EUR", "EUR", "EUR", "EUR", "USD", "EUR", "EUR"]},
            4,
            # D3 (lost) and D4 (open) are not counted, so the EUR wins are D1, D2, D6, D7.
            r"currency: the deals are in more than one currency: 'EUR' \(4 deals: 'D1', "
            r"'D2', 'D6', 'D7'\); 'USD' \(1 deal: 'D5'\)",
        ),
        ({"status": ["won"] * 6 + ["pending"]}, 4, r"status must be one of .*'D7' \('pending'\)"),
        (
            {"value": [40_000.0, -20_000.0, 30_000.0, 5_000.0, 50_000.0, 90_000.0, 70_000.0]},
            4,
            r"value must be a finite number >= 0; not so for 1 deal: 'D2' \(-20000.0\)",
        ),
        (
            {"close_date": pd.to_datetime(["2024-01-10"] + ["NaT"] * 6)},
            4,
            r"close_date is missing for won deals; 4 deals: 'D2', 'D5', 'D6', 'D7'",
        ),
        ({}, -1, "headcount must be a finite number >= 0; got -1.0"),
        ({}, [4, 4, 5], "headcount must be a number or a Series indexed by period; got an array"),
        ({}, "4", "headcount must be a number"),
        (
            {},
            pd.Series([4.0, 4.0], index=MONTHS[:2]),
            r"headcount has no entry for 1 period: '2024-03', in which deals were won "
            r"\(3 deals: 'D5', 'D6', 'D7'\)",
        ),
        (
            {},
            pd.Series([4.0, 5.0], index=MONTHS[[0, 2]]),
            r"headcount has no entry for 1 period: '2024-02' between its first and last",
        ),
        (
            {},
            pd.Series([4.0, 4.0, -5.0], index=MONTHS),
            r"headcount must be a finite number >= 0; not so for 1 period: '2024-03' \(-5.0\)",
        ),
        (
            {},
            pd.Series([4.0, 4.0], index=pd.to_datetime(["2024-01-01", "2024-01-31"])),
            r"more than one entry for a period: 2 index labels: '2024-01', '2024-01'",
        ),
        (
            {},
            pd.Series([4.0], index=pd.period_range("2024Q1", periods=1, freq="Q")),
            r"headcount is indexed by period\[Q-DEC\] but the table is by period\[M\]",
        ),
        ({}, pd.Series([4.0, 4.0, 5.0], index=["Jan", "Feb", "Mar"]), "got a Series with a Index"),
        ({}, pd.Series(["4", "4", "5"], index=MONTHS), "headcount must hold numbers"),
    ],
)
def test_productivity_report_rejects(change: dict[str, Any], headcount: Any, message: str) -> None:
    deals = _quarter().assign(**change)
    with pytest.raises(InvalidInputError, match=message):
        productivity_report(deals, headcount)


def test_productivity_report_rejects_options_and_schema() -> None:
    with pytest.raises(InvalidInputError, match="freq must be a pandas period alias"):
        productivity_report(_quarter(), 4, freq="fortnight")
    with pytest.raises(SchemaError, match="deals: missing column 'Amount'"):
        productivity_report(_quarter(), 4, value="Amount")
    with pytest.raises(SchemaError, match="'close_date' must hold datetimes"):
        productivity_report(_quarter().assign(close_date="2024-01-10"), 4)
    numeric = r"deals: column 'value' has dtype .*; it must be numeric"
    with pytest.raises(SchemaError, match=numeric):
        productivity_report(_quarter().assign(value="40000"), 4)
    created = pd.to_datetime(["2024-01-01"] * 6 + ["2024-04-01"])
    with pytest.raises(InvalidInputError, match=r"close_date is before the date in created .*'D7'"):
        productivity_report(_quarter().assign(created=created), 4)


# -------------------------------------------------------- activity report: by hand


def _activities() -> pd.DataFrame:
    """A week and a half of Ann's and Bo's activities (weeks start on Monday 4 March)."""
    return pd.DataFrame(
        {
            "owner": ["Ann", "Ann", "Ann", "Bo", "Bo", "Ann", "Ann"],
            "kind": ["call", "call", "visit", "call", "email", "call", "meeting"],
            "date": pd.to_datetime(
                [
                    "2024-03-04 09:00",
                    "2024-03-05 10:00",
                    "2024-03-06 14:00",
                    "2024-03-07 11:00",
                    "2024-03-07 12:00",
                    "2024-03-12 09:30",
                    "2024-03-13 15:00",
                ]
            ),
            "outcome": ["reached", "voicemail", "met", "reached", "sent", "reached", "held"],
        },
        index=pd.Index([f"A{i}" for i in range(1, 8)], name="activity_id"),
    )


W10 = pd.Period("2024-03-04", freq="W")
W11 = pd.Period("2024-03-11", freq="W")


def test_activity_report_by_hand() -> None:
    # Week 10: Ann 2 calls + 1 visit, Bo 1 call (his email has no target and is not
    # counted). Week 11: Ann 1 call (her meeting is not counted); Bo nothing.
    # Targets 2 calls and 1 visit a week: attainments 1, 1, 0.5, 0, 0.5, 0, 0, 0.
    report = activity_report(_activities(), {"call": 2, "visit": 1})
    index = pd.MultiIndex.from_product(
        [
            pd.Index(["Ann", "Bo"], dtype=object, name="owner"),
            pd.PeriodIndex([W10, W11], name="period"),
            pd.Index(["call", "visit"], dtype=object, name="kind"),
        ]
    )
    expected = pd.DataFrame(
        {
            "actual": np.array([2, 1, 1, 0, 1, 0, 0, 0], dtype=np.int64),
            "target": [2.0, 1.0] * 4,
            "attainment": [1.0, 1.0, 0.5, 0.0, 0.5, 0.0, 0.0, 0.0],
        },
        index=index,
    )
    pd.testing.assert_frame_equal(report, expected)


def test_activity_report_per_seller_targets_and_range() -> None:
    # Monthly targets per seller: Ann 8 calls, Bo 4 calls, Cy 6 calls. In March Ann
    # made 3 calls (3/8 = 0.375), Bo 1 (1/4 = 0.25), Cy none (0/6 = 0): Cy has no
    # activity at all and still gets a row. The range runs to May: zeros in April
    # and May.
    targets = pd.DataFrame({"call": [8, 4, 6]}, index=["Ann", "Bo", "Cy"])
    report = activity_report(_activities(), targets, freq="M", end="2024-05-31")
    assert len(report) == 3 * 3 * 1
    march = report.xs(pd.Period("2024-03", freq="M"), level="period")
    assert march["actual"].tolist() == [3, 1, 0]
    assert march["attainment"].tolist() == [0.375, 0.25, 0.0]
    assert report["actual"].sum() == 4
    later = report[report.index.get_level_values("period") > pd.Period("2024-03", freq="M")]
    assert later["actual"].tolist() == [0] * 6
    assert later["target"].tolist() == [8.0, 8.0, 4.0, 4.0, 6.0, 6.0]


def test_activity_report_kinds_start_and_series_targets() -> None:
    # Only calls, only week 11: Ann's one call on 12 March against 2 → 0.5.
    targets = pd.Series({"call": 2.0, "visit": 1.0})
    report = activity_report(_activities(), targets, kinds="call", start=W11)
    assert report.index.get_level_values("kind").unique().tolist() == ["call"]
    assert report["actual"].tolist() == [1, 0]
    assert report["attainment"].tolist() == [0.5, 0.0]
    # A custom kind with a target is known; a target of 0 gives NaN attainment.
    custom = _activities().assign(kind=["demo"] * 7)
    demos = activity_report(custom, {"demo": 0}, freq="M")
    assert demos["actual"].tolist() == [5, 2]  # Ann logged A1–A3, A6, A7; Bo A4, A5
    assert np.isnan(demos["attainment"]).all()


def test_activity_report_other_column_names_and_daily_periods() -> None:
    activities = _activities().rename(columns={"owner": "rep", "kind": "type", "date": "at"})
    report = activity_report(activities, {"call": 1}, by="rep", kind="type", date="at", freq="D")
    assert report.index.names == ["rep", "period", "type"]
    # 4 March to 12 March is 9 days; two sellers, one kind.
    assert len(report) == 2 * 9
    assert report["actual"].sum() == 4


def test_activity_report_with_no_reported_activity_is_empty() -> None:
    report = activity_report(_activities(), {"visit": 1}, start=W11)
    assert report.empty
    assert list(report.columns) == ["actual", "target", "attainment"]


# ------------------------------------------------------ activity report: properties

ActivityRow = tuple[str, str, int]
SELLERS = ["Ann", "Bo", "Cy"]


@st.composite
def activity_rows(draw: Callable[[st.SearchStrategy[Any]], Any]) -> list[ActivityRow]:
    """Activities as (seller, kind, day of 2024) rows."""
    row = st.tuples(st.sampled_from(SELLERS), st.sampled_from(ACTIVITY_KINDS), st.integers(0, 90))
    rows: list[ActivityRow] = draw(st.lists(row, min_size=1, max_size=40))
    return rows


def _activity_frame(rows: list[ActivityRow]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "owner": [r[0] for r in rows],
            "kind": [r[1] for r in rows],
            "date": pd.Timestamp("2024-01-01") + pd.to_timedelta([r[2] for r in rows], unit="D"),
        }
    )


@heavy
@given(activity_rows(), st.sampled_from(["D", "W", "M", "Q"]))
def test_activity_report_counts_every_activity_once(rows: list[ActivityRow], freq: str) -> None:
    activities = _activity_frame(rows)
    before = activities.copy()
    targets = dict.fromkeys(ACTIVITY_KINDS, 3.0)
    report = activity_report(activities, targets, freq=freq)
    pd.testing.assert_frame_equal(activities, before)
    # Sum of parts: every activity is in exactly one row.
    assert report["actual"].sum() == len(rows)
    # A row for every seller × period × kind, periods without gaps.
    owners = list(dict.fromkeys(r[0] for r in rows))
    periods = report.index.get_level_values("period").unique()
    ordinals = pd.PeriodIndex(periods).asi8
    assert np.array_equal(ordinals, np.arange(ordinals[0], ordinals[0] + len(ordinals)))
    assert len(report) == len(owners) * len(periods) * len(ACTIVITY_KINDS)
    # The counts equal a plain loop over the rows.
    counts = Counter(
        (
            owner,
            (pd.Timestamp("2024-01-01") + pd.Timedelta(days=day)).to_period(freq),
            kind,
        )
        for owner, kind, day in rows
    )
    for key, actual in report["actual"].items():
        assert actual == counts.get(cast("tuple[str, pd.Period, str]", key), 0)
    np.testing.assert_allclose(report["attainment"], report["actual"] / 3.0)


@heavy
@given(activity_rows(), st.lists(st.sampled_from(ACTIVITY_KINDS), min_size=1, unique=True))
def test_activity_report_kinds_partition_the_counts(
    rows: list[ActivityRow], kinds: list[str]
) -> None:
    activities = _activity_frame(rows)
    targets = dict.fromkeys(ACTIVITY_KINDS, 5.0)
    # Same range for both calls, so that the reports line up period by period.
    bounds = {"start": "2024-01-01", "end": "2024-03-31"}
    chosen = activity_report(activities, targets, kinds=kinds, freq="M", **bounds)
    everything = activity_report(activities, targets, freq="M", **bounds)
    assert chosen["actual"].sum() == sum(r[1] in kinds for r in rows)
    assert (chosen["attainment"] >= 0.0).all()
    # The chosen kinds' rows, in the order of kinds, are those of the full report.
    pd.testing.assert_series_equal(chosen["actual"], everything["actual"].loc[chosen.index])
    assert chosen.index.get_level_values("kind").unique().tolist() == kinds


# ------------------------------------------------------ activity report: validation


@pytest.mark.parametrize(
    ("change", "targets", "options", "message"),
    [
        (
            {"kind": ["call", "Call", "visit", "call", "email", "call", "demo"]},
            {"call": 2},
            {},
            r"kind must be one of 'call', 'visit', 'email', 'meeting' \(the canonical kinds "
            r"and those with a target\); not so for 2 rows: 'A2' \('Call'\), 'A7' \('demo'\)",
        ),
        (
            {"kind": ["call", None, "visit", "call", "email", "call", "meeting"]},
            {"call": 2},
            {},
            r"kind is missing for 1 row: 'A2'",
        ),
        (
            {"owner": ["Ann", None, "Ann", "Bo", "Bo", "Ann", "Ann"]},
            {"call": 2},
            {},
            r"owner is missing for 1 row: 'A2'",
        ),
        (
            {"date": pd.to_datetime(["2024-03-04", "NaT", "NaT", "2024-03-07"] + ["NaT"] * 3)},
            {"call": 2},
            {},
            r"date is missing for 2 rows: 'A2', 'A6'",
        ),
        ({}, {"call": 2}, {"kinds": ["call", "visit"]}, r"kinds: no target for 'visit'"),
        ({}, {"call": 2}, {"kinds": 3}, r"kinds must be None, a kind or a list of kinds"),
        ({}, {"call": -2}, {}, r"targets\['call'\] must be a finite number >= 0; got -2.0"),
        ({}, {"call": [2, 3]}, {}, r"targets\['call'\] must be one number"),
        ({}, {"call": "2"}, {}, r"targets\['call'\] must be a number"),
        ({}, {}, {}, "targets must give a target for at least one kind"),
        ({}, {3: 2}, {}, "targets must be keyed by activity kinds"),
        ({}, [("call", 2)], {}, "targets must be a mapping"),
        (
            {},
            pd.DataFrame({"call": [8]}, index=["Ann"]),
            {},
            r"targets has no row for the owner of 1 row: 'A4' \('Bo'\)",
        ),
        (
            {},
            pd.DataFrame({"call": [8, -1]}, index=["Ann", "Bo"]),
            {},
            r"targets: 'call' must be a finite number >= 0; not so for 1 seller: 'Bo' \(-1.0\)",
        ),
        (
            {},
            pd.DataFrame({"call": [8, 4]}, index=["Ann", "Ann"]),
            {},
            r"targets: more than one row for a seller: 2 rows: 'Ann', 'Ann'",
        ),
        ({}, {"call": 2}, {"start": "2024-03-20", "end": "2024-03-01"}, "is after end"),
        ({}, {"call": 2}, {"start": "next week"}, "start must be None, a date or a Period"),
        ({}, {"call": 2}, {"end": 5}, "end must be None, a date or a Period; got 5"),
        (
            {},
            {"call": 2},
            {"end": pd.Period("2024-03", freq="M")},
            r"end is a Period of another frequency than the table's period\[W-SUN\]",
        ),
        ({}, {"call": 2}, {"freq": "fortnight"}, "freq must be a pandas period alias"),
        ({}, {"call": 2}, {"by": "kind"}, "by and kind must name different columns"),
    ],
)
def test_activity_report_rejects(
    change: dict[str, Any], targets: Any, options: dict[str, Any], message: str
) -> None:
    activities = _activities().assign(**change)
    with pytest.raises(InvalidInputError, match=message):
        activity_report(activities, targets, **options)


def test_activity_report_schema_errors() -> None:
    with pytest.raises(SchemaError, match="activities: missing column 'rep'"):
        activity_report(_activities(), {"call": 2}, by="rep")
    with pytest.raises(SchemaError, match="'date' must hold datetimes"):
        activity_report(_activities().assign(date="2024-03-04"), {"call": 2})
    numeric = r"targets: column 'call' has dtype .*; it must be numeric"
    with pytest.raises(SchemaError, match=numeric):
        activity_report(_activities(), pd.DataFrame({"call": ["8"]}, index=["Ann"]))


# ------------------------------------------------ malformed input and extreme values


def test_activity_report_refuses_targets_on_multiindex_rows() -> None:
    targets = pd.DataFrame(
        {"call": [2.0, 3.0]}, index=pd.MultiIndex.from_tuples([("Ann", 1), ("Bo", 2)])
    )
    with pytest.raises(SchemaError, match="targets: the rows have 2 index levels"):
        activity_report(_activities(), targets)


@pytest.mark.parametrize("option", ["value", "status", "close_date", "created", "deal_id"])
@pytest.mark.parametrize("bad", [pd.NA, ["value"], 1])
def test_productivity_report_column_options_must_be_names(option: str, bad: Any) -> None:
    with pytest.raises(InvalidInputError, match=rf"^{option} must be a column name"):
        productivity_report(_quarter(), 4, **{option: bad})


def test_productivity_report_refuses_revenue_beyond_float_range() -> None:
    # Two deals of 1e308 won in January 2024: the month's revenue, 2e308, is beyond
    # float range.
    deals = _deals(value=[1e308, 1e308], close_date=pd.to_datetime(["2024-01-10", "2024-01-20"]))
    with pytest.raises(InvalidInputError, match=r"'2024-01'.*float range"):
        productivity_report(deals, 4)


def test_tables_refuse_more_periods_than_they_hold() -> None:
    # January to March 2024 in nanoseconds (about 7.8e15 periods): far beyond the 100,000
    # a table holds.
    with pytest.raises(InvalidInputError, match=r"periods of '1ns', more than the 100,000"):
        productivity_report(_quarter(), 4, freq="1ns")
    # Hours from 2024 to 2262 (a date every pandas holds): about 2.1 million.
    with pytest.raises(InvalidInputError, match=r"periods of 'h', more than the 100,000"):
        activity_report(_activities(), {"call": 2}, freq="h", end="2262-01-01")


def test_activity_report_range_given_as_text_is_read_as_iso_8601_only() -> None:
    # "March 5" has no year (pandas would guess year 1): refused, not guessed.
    with pytest.raises(InvalidInputError, match="start must be None, a date or a Period"):
        activity_report(_activities(), {"call": 2}, start="March 5")


# ------------------------------------- productivity: several currencies (issue 16)

# A Nordic company's books in euros: the krona was 11.5 to the euro from 1 January
# 2026 and 11.0 from 1 April 2026 (kronor per euro, each in force from its day on).
NORDIC = ExchangeRates(
    base="EUR",
    currencies=["SEK", "SEK"],
    valid_from=["2026-01-01", "2026-04-01"],
    rates=[11.5, 11.0],
)


def _nordic() -> pd.DataFrame:
    """Three wins in kronor and euros, a lost deal in NOK and an old open one in SEK."""
    return _deals(
        value=[115_000.0, 5_000.0, 220_000.0, 1_000.0, 99_999.0],
        currency=["SEK", "EUR", "SEK", "NOK", "SEK"],
        status=["won", "won", "won", "lost", "open"],
        close_date=pd.to_datetime(
            ["2026-03-31", "2026-03-15", "2026-04-10", "2019-06-30", "2020-01-01"]
        ),
    )


def test_productivity_report_converts_each_win_at_the_rate_of_its_close_date() -> None:
    deals = _nordic()
    before = deals.copy()
    table = productivity_report(deals, 2, rates=NORDIC, to="EUR")
    pd.testing.assert_frame_equal(deals, before)  # the input is not changed
    by_hand = deals.assign(
        # D1: 115,000 SEK on 31 March at 11.5 -> 10,000 EUR; D2: 5,000 EUR as it is;
        # D3: 220,000 SEK on 10 April at 11.0 -> 20,000 EUR. D4 (lost, NOK, which the
        # rates lack) and D5 (open, dated before the first krona rate) are not won:
        # they are not converted, and not refused.
        value=[10_000.0, 5_000.0, 20_000.0, 1_000.0, 99_999.0],
        currency="EUR",
    )
    pd.testing.assert_frame_equal(table, productivity_report(by_hand, 2))
    # March: 10,000 + 5,000 = 15,000 by 2 sellers -> 7,500; April: 20,000 -> 10,000,
    # a change of (10,000 - 7,500) / 7,500 = 1/3.
    assert table["revenue"].tolist() == [15_000.0, 20_000.0]
    assert table["productivity"].tolist() == [7_500.0, 10_000.0]
    assert table["change"].iloc[1] == pytest.approx(1 / 3, rel=1e-12)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, r"^currency: the deals are in more than one currency: 'SEK' \(2 deals: 'D1', "),
        ({"rates": NORDIC}, r"^to is missing: rates is given"),
        ({"to": "EUR"}, r"^rates is missing: to is given \(str 'EUR'\)"),
        ({"rates": NORDIC, "to": 978}, r"^to must be an ISO 4217 currency code.*int 978"),
        ({"rates": "rates.csv", "to": "EUR"}, r"^rates must be an ExchangeRates table"),
        ({"rates": NORDIC, "to": "EUR", "currency": None}, r"^currency must name the deals'"),
    ],
)
def test_productivity_report_rates_and_to_are_checked(
    options: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        productivity_report(_nordic(), 2, **options)


def test_productivity_report_refuses_a_win_without_a_rate_naming_it() -> None:
    # D3 is won on 31 December 2025, the day before the first krona rate.
    deals = _nordic()
    deals.loc[2, "close_date"] = pd.Timestamp("2025-12-31")
    with pytest.raises(
        InvalidInputError,
        match=r"^deals: cannot convert 'value' to EUR: no SEK rate is in force on "
        r"'close_date', before 2026-01-01; 1 row: 'D3' \('2025-12-31'\)$",
    ):
        productivity_report(deals, 2, rates=NORDIC, to="EUR")


@heavy
@given(won_rows(), st.sampled_from(["EUR", "SEK"]))
def test_productivity_report_in_the_target_currency_is_not_changed_by_rates(
    rows: list[MonthRow], to: str
) -> None:
    # Identity: the deals (dated 2024, before any rate of NORDIC) need no rate.
    deals = _frame(rows).assign(currency=to)
    pd.testing.assert_frame_equal(
        productivity_report(deals, 3, rates=NORDIC, to=to), productivity_report(deals, 3)
    )
