"""Tests of salescore.fiscal: fiscal calendars of months, of 52/53 weeks and of explicit periods.

Hand-worked calendars are written out in full with the reasoning that gives each date;
pandas serves as an independent oracle: quarters anchored at a year-end month
(``Period(date, "Q-MAR").qyear``) for calendars of months, ``FY5253`` and
``FY5253Quarter`` for calendars of weeks.

The Salesforce ``Period`` fields read here (``Id``, ``Type`` = Year / Quarter / Month /
Week, ``StartDate``, ``EndDate`` = "the last date of the fiscal period",
``FiscalYearSettingsId`` = "the parent record for this period", ``Number``) are those of
the Period object in Salesforce's Object Reference for the Salesforce Platform
(developer.salesforce.com, "Period", and "FiscalYearSettings"); the two fiscal year
namings are Salesforce Help's "Fiscal Year is Based On: The Starting Month / The
Ending Month" (knowledge article 000385162, "How do I set Fiscal Year and start
month?").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pandas.tseries.offsets import FY5253
from pandas.tseries.offsets import FY5253Quarter as _FY5253Quarter

from salescore.errors import InvalidInputError, SchemaError
from salescore.fiscal import FiscalCalendar

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
KINDS = ("year", "quarter", "month")
# pandas-stubs lack FY5253Quarter's qtr_with_extra_week and year_has_extra_week.
FY5253Quarter: Any = _FY5253Quarter

dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31))
namings = st.sampled_from(("end", "start"))


@st.composite
def calendars(draw: st.DrawFn) -> FiscalCalendar:
    """A calendar of months from any start month, or any 52/53-week calendar."""
    if draw(st.booleans()):
        return FiscalCalendar.from_start_month(draw(st.integers(1, 12)), naming=draw(namings))
    return FiscalCalendar.weeks(
        draw(st.sampled_from(("4-4-5", "4-5-4", "5-4-4"))),
        end_month=draw(st.integers(1, 12)),
        weekday=draw(st.integers(0, 6)),
        rule=draw(st.sampled_from(("last", "nearest"))),
        naming=draw(namings),
    )


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


# ------------------------------------------------------------------ hand-worked


def test_april_first_quarter_under_both_namings() -> None:
    # The fiscal year starting on 1 April 2026 ends on 31 March 2027. Its first quarter
    # is April, May and June: 2026-04-01 to 2026-06-30. Named by its ending month it is
    # FY2027 (the US federal and Salesforce "The Ending Month" convention); named by
    # its starting month it is FY2026.
    for naming, year in (("end", 2027), ("start", 2026)):
        april = FiscalCalendar.from_start_month(4, naming=naming)
        assert april.bounds("2026-05-15", kind="quarter") == (ts("2026-04-01"), ts("2026-06-30"))
        assert april.period_of("2026-04-01", kind="quarter") == f"FY{year} Q1"
        assert april.period_of("2026-06-30", kind="quarter") == f"FY{year} Q1"
        assert april.period_of("2026-07-01", kind="quarter") == f"FY{year} Q2"
        assert april.period_of("2026-04-01", kind="month") == f"FY{year} M01"
        assert april.period_of("2027-03-31", kind="month") == f"FY{year} M12"
        assert april.period_of("2027-03-31", kind="year") == f"FY{year}"
        assert april.bounds("2026-04-01", kind="year") == (ts("2026-04-01"), ts("2027-03-31"))
        table = april.periods("2026-04-01", "2026-06-30", kind="quarter")
        # Column by column: pandas 2.2.0's to_dict("list") gives datetimes as integers.
        assert list(table.columns) == ["label", "start", "end"]
        assert table["label"].tolist() == [f"FY{year} Q1"]
        assert table["start"].tolist() == [ts("2026-04-01")]
        assert table["end"].tolist() == [ts("2026-06-30")]


def test_calendar_year_is_the_default() -> None:
    calendar = FiscalCalendar()
    assert calendar == FiscalCalendar.from_start_month(1)
    for naming in ("end", "start"):  # a year of January to December: both namings agree
        january = FiscalCalendar.from_start_month(1, naming=naming)
        assert january.period_of("2026-02-14", kind="quarter") == "FY2026 Q1"
    assert calendar.end_month == 12
    assert FiscalCalendar.from_start_month(7).end_month == 6


# A retail-style 4-4-5 calendar: each fiscal year ends on the last Saturday of January.
# 31 January 2026 is a Saturday, so one year ends then; 31 January 2027 is a Sunday,
# so the next ends on Saturday 30 January 2027. That year runs from Sunday 1 February
# 2026 to Saturday 30 January 2027: 364 days, 52 weeks, four quarters of 4 + 4 + 5
# weeks. Counting whole weeks from 1 February:
FY2027_445 = [
    ("P01", "2026-02-01", "2026-02-28"),  # 4 weeks
    ("P02", "2026-03-01", "2026-03-28"),  # 4 weeks
    ("P03", "2026-03-29", "2026-05-02"),  # 5 weeks
    ("P04", "2026-05-03", "2026-05-30"),
    ("P05", "2026-05-31", "2026-06-27"),
    ("P06", "2026-06-28", "2026-08-01"),
    ("P07", "2026-08-02", "2026-08-29"),
    ("P08", "2026-08-30", "2026-09-26"),
    ("P09", "2026-09-27", "2026-10-31"),
    ("P10", "2026-11-01", "2026-11-28"),
    ("P11", "2026-11-29", "2026-12-26"),
    ("P12", "2026-12-27", "2027-01-30"),  # 5 weeks, to the last Saturday of January
]


def test_445_year_written_out_by_hand() -> None:
    retail = FiscalCalendar.weeks("4-4-5", end_month=1, weekday="Sat", rule="last")
    table = retail.periods("2026-02-01", "2027-01-30", kind="month")
    assert table["label"].tolist() == [f"FY2027 {p}" for p, _, _ in FY2027_445]
    assert table["start"].tolist() == [ts(s) for _, s, _ in FY2027_445]
    assert table["end"].tolist() == [ts(e) for _, _, e in FY2027_445]
    quarters = retail.periods("2026-02-01", "2027-01-30", kind="quarter")
    assert quarters["end"].tolist() == [ts(e) for _, _, e in FY2027_445[2::3]]
    assert retail.bounds("2026-07-04", kind="year") == (ts("2026-02-01"), ts("2027-01-30"))
    # Named by its starting month (the US retail convention) the same year is FY2026.
    starting = FiscalCalendar.weeks("4-4-5", end_month=1, weekday=5, rule="last", naming="start")
    assert starting.period_of("2026-07-04", kind="quarter") == "FY2026 Q2"


def test_53_week_year_where_the_rule_puts_it() -> None:
    # Last Saturday of January: 25 January 2025 (the 31st was a Friday), then
    # 31 January 2026. The end moves from the earliest possible day to the latest, six
    # days later than a 52-week year would give: 365 + 6 = 371 days, 53 weeks. The
    # extra week goes to the last period (P12: six weeks, 21 December 2025 to
    # 31 January 2026), so the fourth quarter has 4 + 4 + 6 = 14 weeks (98 days, from
    # 26 October 2025).
    retail = FiscalCalendar.weeks("4-4-5", end_month=1, weekday="Sat", rule="last")
    assert retail.bounds("2025-06-01", kind="year") == (ts("2025-01-26"), ts("2026-01-31"))
    assert retail.bounds("2026-01-31", kind="month") == (ts("2025-12-21"), ts("2026-01-31"))
    assert retail.bounds("2026-01-31", kind="quarter") == (ts("2025-10-26"), ts("2026-01-31"))
    offset = FY5253(weekday=5, startingMonth=1, variation="last")
    assert offset.rollforward(ts("2025-06-01")) == ts("2026-01-31")
    quarter = FY5253Quarter(weekday=5, startingMonth=1, variation="last", qtr_with_extra_week=4)
    assert quarter.year_has_extra_week(ts("2026-01-31"))
    assert quarter.rollforward(ts("2025-12-01")) == ts("2026-01-31")
    # Nearest Saturday to 31 January (the US retail calendar): 28 January 2023 and
    # 3 February 2024, 371 days apart, so fiscal 2023 has 53 weeks.
    nrf = FiscalCalendar.weeks("4-5-4", end_month=1, weekday="Sat", rule="nearest", naming="start")
    assert nrf.bounds("2023-06-01", kind="year") == (ts("2023-01-29"), ts("2024-02-03"))
    assert nrf.period_of("2023-06-01", kind="year") == "FY2023"
    nearest = FY5253(weekday=5, startingMonth=1, variation="nearest")
    assert nearest.rollforward(ts("2023-06-01")) == ts("2024-02-03")


# ------------------------------------------------------------------ Salesforce Period rows


def _salesforce_rows() -> list[dict[str, Any]]:
    """The hand-worked 4-4-5 year as Salesforce Period records, with a few weeks."""
    year: dict[str, Any] = {
        "Id": "0260Y",
        "Type": "Year",
        "StartDate": "2026-02-01",
        "EndDate": "2027-01-30",
    }
    quarters = [
        {
            "Id": f"026Q{q + 1}",
            "Type": "Quarter",
            "StartDate": FY2027_445[3 * q][1],
            "EndDate": FY2027_445[3 * q + 2][2],
            "Number": q + 1,
        }
        for q in range(4)
    ]
    months = [
        {"Id": f"026M{k + 1:02d}", "Type": "Month", "StartDate": s, "EndDate": e, "Number": k + 1}
        for k, (_, s, e) in enumerate(FY2027_445)
    ]
    weeks: list[dict[str, Any]] = [
        {"Id": "026W01", "Type": "Week", "StartDate": "2026-02-01", "EndDate": "2026-02-07"}
    ]
    rows: list[dict[str, Any]] = [year, *quarters, *months, *weeks]
    for row in rows:
        row["FiscalYearSettingsId"] = "022FY2026"
        row["attributes"] = {"type": "Period"}
    return rows


def test_from_salesforce_reads_the_hand_worked_year() -> None:
    calendar = FiscalCalendar.from_salesforce(_salesforce_rows())
    retail = FiscalCalendar.weeks("4-4-5", end_month=1, weekday="Sat", rule="last")
    days = pd.Series(pd.date_range("2026-02-01", "2027-01-30", freq="D"))
    for kind in KINDS:
        pd.testing.assert_series_equal(
            calendar.period_of(days, kind=kind), retail.period_of(days, kind=kind)
        )
    assert calendar.bounds("2026-04-01", kind="month") == (ts("2026-03-29"), ts("2026-05-02"))
    with pytest.raises(
        InvalidInputError, match=r"within the fiscal years .*1 date: 1 \('2027-01-31'\)"
    ):
        calendar.period_of(["2026-05-01", "2027-01-31"], kind="month")
    frame = pd.DataFrame(_salesforce_rows()).drop(columns="attributes")
    assert FiscalCalendar.from_salesforce(frame) == calendar


def test_from_salesforce_names_rows_that_do_not_tile() -> None:
    overlap = _salesforce_rows()
    overlap[6]["EndDate"] = "2026-05-03"  # 026M02 runs into 026M03
    with pytest.raises(InvalidInputError, match=r"month rows '026M02' .* and '026M03' .* overlap"):
        FiscalCalendar.from_salesforce(overlap)
    gap = [row for row in _salesforce_rows() if row["Id"] != "026M05"]
    with pytest.raises(InvalidInputError, match=r"'026M04' .* and '026M06' .* leave a gap of 28"):
        FiscalCalendar.from_salesforce(gap)
    settings = _salesforce_rows()
    settings[3]["FiscalYearSettingsId"] = "022OTHER"
    with pytest.raises(InvalidInputError, match=r"FiscalYearSettingsId .*'026Q3'"):
        FiscalCalendar.from_salesforce(settings)
    odd = _salesforce_rows()
    odd[0]["Type"] = "Decade"
    with pytest.raises(InvalidInputError, match=r"Type must be .*'0260Y' \('Decade'\)"):
        FiscalCalendar.from_salesforce(odd)
    split = _salesforce_rows()
    split[1]["EndDate"], split[2]["StartDate"] = "2026-04-30", "2026-05-01"
    with pytest.raises(
        InvalidInputError, match=r"every quarter must begin where a month .*'026Q2'"
    ):
        FiscalCalendar.from_salesforce(split)
    missing = _salesforce_rows()
    missing[4]["StartDate"] = None
    with pytest.raises(InvalidInputError, match=r"'StartDate' must hold a date .*'026Q4'"):
        FiscalCalendar.from_salesforce(missing)
    with pytest.raises(SchemaError, match="EndDate"):
        FiscalCalendar.from_salesforce([{"Type": "Year", "StartDate": "2026-01-01"}])
    with pytest.raises(InvalidInputError, match="no quarter rows"):
        FiscalCalendar.from_salesforce([r for r in _salesforce_rows() if r["Type"] != "Quarter"])
    with pytest.raises(InvalidInputError, match="records must"):
        FiscalCalendar.from_salesforce("Period")


def test_from_periods_refuses_two_years_with_one_number() -> None:
    # Two half-year "fiscal years" in 2026 would both be FY2026.
    rows = pd.DataFrame(
        {
            "kind": ["year", "year", "quarter", "quarter", "month", "month"],
            "start": pd.to_datetime(["2026-01-01", "2026-07-01"] * 3),
            "end": pd.to_datetime(["2026-06-30", "2026-12-31"] * 3),
        }
    )
    with pytest.raises(InvalidInputError, match="both be numbered"):
        FiscalCalendar.from_periods(rows)
    with pytest.raises(
        InvalidInputError, match=r"must hold 'year', 'quarter' or 'month'; 1 row: 0"
    ):
        FiscalCalendar.from_periods(rows.replace({"kind": {"year": "Year"}}).iloc[[0, 2, 4]])


# ------------------------------------------------------------------ refusals and containers


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: FiscalCalendar.from_start_month(0), "month must be a month number .* got 0"),
        (lambda: FiscalCalendar.from_start_month(13), "got 13"),
        (lambda: FiscalCalendar.from_start_month(True), "got bool True"),
        (lambda: FiscalCalendar.from_start_month(4.0), "got float 4.0"),  # type: ignore[arg-type]
        (lambda: FiscalCalendar.from_start_month(4, naming="middle"), "naming must be one of"),
        (
            lambda: FiscalCalendar.weeks("4-4-4", end_month=1, weekday=5, rule="last"),
            "pattern must be one of '4-4-5', '4-5-4', '5-4-4'; got '4-4-4'",
        ),
        (lambda: FiscalCalendar.weeks(end_month=1, weekday=7, rule="last"), "weekday must be"),
        (lambda: FiscalCalendar.weeks(end_month=1, weekday="Sab", rule="last"), "got str 'Sab'"),
        (lambda: FiscalCalendar.weeks(end_month=1, weekday=5, rule="first"), "rule must be one of"),
        (
            lambda: FiscalCalendar.weeks(end_month=1, weekday=None, rule="last"),  # type: ignore[arg-type]
            "weekday must be a",
        ),
        (lambda: FiscalCalendar(pattern="4-4-5"), "needs weekday, rule"),
        (lambda: FiscalCalendar(rule="last"), "takes no rule"),
        (lambda: FiscalCalendar(start_month=None), "start_month must be"),
        (lambda: FiscalCalendar().period_of("2026-01-01", kind="week"), "kind must be one of"),
        (lambda: FiscalCalendar().period_of(20260101, kind="year"), "dates must be a timestamp"),
        (lambda: FiscalCalendar().bounds(pd.NaT, kind="year"), "date must be a date; got NaT"),
        (lambda: FiscalCalendar().bounds(["2026-01-01"], kind="year"), "date must be one date"),
        (
            lambda: FiscalCalendar().periods("2026-02-01", "2026-01-01", kind="month"),
            r"end \(2026-01-01\) must not be before start",
        ),
        (lambda: FiscalCalendar().periods(None, "2026-01-01", kind="month"), "start must"),
        (
            lambda: FiscalCalendar.from_start_month(4).periods(
                "2262-04-01", "2262-04-02", kind="year"
            ),
            "datetime64.* cannot hold",
        ),
    ],
)
def test_bad_input_is_refused_by_name(call: Any, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        call()


def test_container_contract_and_missing_dates() -> None:
    april = FiscalCalendar.from_start_month(4)
    closed = pd.Series(
        [pd.Timestamp("2026-03-31"), pd.NaT, pd.Timestamp("2026-04-01")],
        index=["b", "a", "c"],
        name="close_date",
    )
    before = closed.copy()
    labels = april.period_of(closed, kind="quarter")
    expected = pd.Series(
        ["FY2026 Q4", None, "FY2027 Q1"], index=closed.index, name="close_date", dtype=object
    )
    pd.testing.assert_series_equal(labels, expected)
    pd.testing.assert_series_equal(closed, before)
    array = april.period_of(closed.to_numpy(), kind="quarter")
    assert isinstance(array, np.ndarray)
    assert array.tolist() == expected.tolist()
    assert april.period_of(dt.date(2026, 4, 1), kind="year") == "FY2027"
    assert april.period_of(pd.NaT, kind="year") is None
    assert april.period_of([], kind="year").tolist() == []
    # An aware timestamp belongs to the period of its local date.
    late = pd.Timestamp("2026-04-01 00:30", tz="Europe/Oslo")
    assert april.period_of(late, kind="year") == "FY2027"
    assert april.bounds(late, kind="month") == (ts("2026-04-01"), ts("2026-04-30"))


# ------------------------------------------------------------------ properties


@given(calendars(), dates)
def test_every_date_falls_in_exactly_one_period(calendar: FiscalCalendar, day: dt.date) -> None:
    stamp = pd.Timestamp(day)
    for kind in KINDS:
        table = calendar.periods(stamp, stamp, kind=kind)
        assert len(table) == 1
        assert table["start"][0] <= stamp <= table["end"][0]
        assert calendar.period_of(stamp, kind=kind) == table["label"][0]
        assert calendar.bounds(stamp, kind=kind) == (table["start"][0], table["end"][0])


@given(calendars(), dates)
def test_periods_tile_the_year_and_nest(calendar: FiscalCalendar, day: dt.date) -> None:
    first, last = calendar.bounds(day, kind="year")
    one_day = pd.Timedelta(days=1)
    tables = {kind: calendar.periods(first, last, kind=kind) for kind in KINDS}
    assert [len(tables[kind]) for kind in KINDS] == [1, 4, 12]
    for table in tables.values():
        assert table["start"].iloc[0] == first
        assert table["end"].iloc[-1] == last
        assert (
            table["start"].iloc[1:].to_numpy() == (table["end"].iloc[:-1] + one_day).to_numpy()
        ).all()
        assert table["label"].is_unique
    year = tables["year"]["label"][0]
    months = tables["month"]
    for k in range(12):
        quarter = tables["quarter"].iloc[k // 3]
        assert quarter["start"] <= months["start"][k]
        assert months["end"][k] <= quarter["end"]
        assert months["label"][k].startswith(year + " ")
        assert quarter["label"] == f"{year} Q{k // 3 + 1}"
    lengths = (tables["year"]["end"] - tables["year"]["start"]).dt.days + 1
    assert lengths[0] in ((364, 371) if calendar.pattern else (365, 366))


@given(dates)
def test_january_start_matches_pandas_calendar_quarters(day: dt.date) -> None:
    period = pd.Period(day, freq="Q")
    label = FiscalCalendar.from_start_month(1).period_of(day, kind="quarter")
    assert label == f"FY{period.year} Q{period.quarter}"


@given(st.integers(1, 12), namings, st.lists(dates, max_size=20))
def test_start_month_matches_pandas_anchored_quarters(
    month: int, naming: str, days: list[dt.date]
) -> None:
    calendar = FiscalCalendar.from_start_month(month, naming=naming)
    freq = f"Q-{MONTHS[(month - 2) % 12]}"
    expected = []
    for day in days:
        period = pd.Period(day, freq=freq)
        year = period.qyear - (naming == "start" and month != 1)
        expected.append(f"FY{year} Q{period.quarter}")
        assert calendar.bounds(day, kind="quarter") == (
            period.start_time.normalize(),
            period.end_time.normalize(),
        )
    assert calendar.period_of(days, kind="quarter").tolist() == expected


@given(
    st.integers(1, 12),
    st.integers(0, 6),
    st.sampled_from(("last", "nearest")),
    st.sampled_from(("4-4-5", "4-5-4", "5-4-4")),
    dates,
)
def test_weeks_match_pandas_fy5253(
    end_month: int, weekday: int, rule: str, pattern: str, day: dt.date
) -> None:
    calendar = FiscalCalendar.weeks(pattern, end_month=end_month, weekday=weekday, rule=rule)
    stamp = pd.Timestamp(day)
    year = FY5253(weekday=weekday, startingMonth=end_month, variation=rule)
    quarter = FY5253Quarter(
        weekday=weekday, startingMonth=end_month, variation=rule, qtr_with_extra_week=4
    )
    first, last = calendar.bounds(stamp, kind="year")
    assert last == year.rollforward(stamp)
    assert first == year.rollback(stamp - pd.Timedelta(days=1)) + pd.Timedelta(days=1) or (
        year.is_on_offset(stamp - pd.Timedelta(days=1)) and first == stamp
    )
    assert calendar.bounds(stamp, kind="quarter")[1] == quarter.rollforward(stamp)
    assert (last - first).days + 1 == (371 if quarter.year_has_extra_week(last) else 364)


@given(
    calendars(),
    st.lists(st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)), min_size=1, max_size=30),
    st.sampled_from(KINDS),
)
def test_period_of_agrees_with_a_plain_loop(
    calendar: FiscalCalendar, days: list[dt.date], kind: str
) -> None:
    stamps = [pd.Timestamp(day) for day in days]
    table = calendar.periods(min(stamps), max(stamps), kind=kind)
    rows = list(zip(table["label"], table["start"], table["end"], strict=True))
    expected = []
    for stamp in stamps:
        for label, start, end in rows:
            if start <= stamp <= end:
                expected.append(label)
                break
    series = pd.Series(stamps, index=range(100, 100 + len(stamps)))
    assert calendar.period_of(series, kind=kind).tolist() == expected


@given(calendars(), dates)
def test_from_periods_round_trip(calendar: FiscalCalendar, day: dt.date) -> None:
    first, _ = calendar.bounds(day, kind="year")
    _, last = calendar.bounds(first + pd.DateOffset(years=1), kind="year")
    rows = pd.concat(
        [calendar.periods(first, last, kind=kind).assign(kind=kind) for kind in KINDS],
        ignore_index=True,
    )
    explicit = FiscalCalendar.from_periods(
        rows.sample(frac=1.0, random_state=0), naming=calendar.naming
    )
    days = pd.Series(pd.date_range(first, last, freq="13D"))
    for kind in KINDS:
        mine = explicit.period_of(days, kind=kind)
        theirs = calendar.period_of(days, kind=kind)
        if kind == "month" and calendar.pattern is None:
            theirs = theirs.str.replace(" M", " P")
        pd.testing.assert_series_equal(mine, theirs)


def test_bounds_outside_an_explicit_calendar_names_the_date_once() -> None:
    # An explicit calendar of one fiscal year, April 2026 to March 2027, read back from
    # the periods of the April calendar; 1 May 2027 lies after it.
    april = FiscalCalendar.from_start_month(4)
    parts = []
    for kind in ("year", "quarter", "month"):
        table = april.periods("2026-04-01", "2027-03-31", kind=kind)
        parts.append(table.assign(kind=kind))
    explicit = FiscalCalendar.from_periods(pd.concat(parts, ignore_index=True))
    with pytest.raises(InvalidInputError, match=r"; 1 date: 0 \('2027-05-01'\)$"):
        explicit.bounds("2027-05-01", kind="year")
