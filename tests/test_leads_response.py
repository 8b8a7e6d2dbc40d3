"""Tests of salescore.leads.response and .calendar: hand-worked calendars, properties, errors."""

from __future__ import annotations

import datetime
import warnings
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore import IndexMismatchError, InvalidInputError, SchemaError
from salescore.leads.calendar import WEEKDAYS, BusinessHours
from salescore.leads.response import response_report, response_times, sla_attainment

from . import strategies as sst

H = pd.Timedelta(hours=1)
MIN = pd.Timedelta(minutes=1)
OFFICE = BusinessHours()  # Monday to Friday, 09:00 to 17:00


def _business(created: str, first_contact: str, hours: BusinessHours = OFFICE) -> pd.Timedelta:
    result = response_times(created, first_contact, business_hours=hours)
    assert isinstance(result, pd.Timedelta)
    return result


# ------------------------------------------------------------ worked by hand


def test_a_weekend_counts_nothing() -> None:
    # Fri 8 Mar 2024 16:00 -> Mon 11 Mar 10:00. Elapsed: 8 h to Friday midnight + 48 h
    # of weekend + 10 h on Monday = 66 h. Business time with Mon–Fri 09–17: Friday
    # 16:00–17:00 = 1 h, Saturday and Sunday 0, Monday 09:00–10:00 = 1 h; 2 h in all.
    assert response_times("2024-03-08 16:00", "2024-03-11 10:00") == 66 * H
    assert _business("2024-03-08 16:00", "2024-03-11 10:00") == 2 * H


def test_a_holiday_counts_nothing() -> None:
    # Norway's Constitution Day (Fri 17 May 2024) and Whit Monday (20 May 2024).
    # Thu 16 May 15:30 -> Tue 21 May 11:15: Thursday 15:30–17:00 = 1 h 30, Friday
    # holiday, weekend, Monday holiday, Tuesday 09:00–11:15 = 2 h 15; 3 h 45 in all.
    hours = BusinessHours(holidays=["2024-05-17", "2024-05-20"])
    assert _business("2024-05-16 15:30", "2024-05-21 11:15", hours) == 3 * H + 45 * MIN
    # Without the holidays, Friday and Monday add 8 h each.
    assert _business("2024-05-16 15:30", "2024-05-21 11:15") == 19 * H + 45 * MIN


def test_several_weeks() -> None:
    # Wed 3 Jan 2024 14:00 -> Fri 26 Jan 10:30. Wednesday 14:00–17:00 = 3 h; whole
    # working days Thu 4 .. Thu 25 Jan: 2 (4–5 Jan) + 5 + 5 + 4 (22–25 Jan) = 16 days
    # of 8 h = 128 h; Friday 09:00–10:30 = 1 h 30. Total 132 h 30.
    assert _business("2024-01-03 14:00", "2024-01-26 10:30") == 132 * H + 30 * MIN
    # A four-day week, Monday to Thursday 08:00–16:00: Tue 2 Jan 2024 15:00 ->
    # Tue 9 Jan 08:30. Tuesday 15–16 = 1 h, Wed 3 and Thu 4 = 16 h, Fri–Sun closed,
    # Mon 8 = 8 h, Tuesday 08:00–08:30 = 30 min: 25 h 30.
    week = BusinessHours(weekdays="Mon Tue Wed Thu", opens="08:00", closes="16:00")
    assert _business("2024-01-02 15:00", "2024-01-09 08:30", week) == 25 * H + 30 * MIN


def test_outside_hours_until_opening() -> None:
    # Created Tue 20:00, answered Wed 08:59: both outside opening hours -> 0. Answered
    # Wed 09:05 instead: 5 business minutes though 13 h 05 passed.
    assert _business("2024-03-12 20:00", "2024-03-13 08:59") == pd.Timedelta(0)
    assert _business("2024-03-12 20:00", "2024-03-13 09:05") == 5 * MIN
    # Created on Saturday, answered on Saturday: nothing counts.
    assert _business("2024-03-09 10:00", "2024-03-09 18:00") == pd.Timedelta(0)


def test_time_zones_read_the_local_clock() -> None:
    # Oslo moves its clocks forward on Sun 31 Mar 2024 at 02:00. Fri 29 Mar 16:00 ->
    # Mon 1 Apr 10:00 local: elapsed 66 h on the clock, 65 h really; business 2 h.
    created = pd.Timestamp("2024-03-29 16:00", tz="Europe/Oslo")
    answered = pd.Timestamp("2024-04-01 10:00", tz="Europe/Oslo")
    assert response_times(created, answered) == 65 * H
    assert response_times(created, answered, business_hours=OFFICE) == 2 * H
    # The same answer stamped in UTC (08:00Z) is read on Oslo's clock.
    in_utc = answered.tz_convert("UTC")
    assert response_times(created, in_utc, business_hours=OFFICE) == 2 * H
    # Round the clock, 01:30 -> 03:30 on that night is one real hour, and 01:30 ->
    # 03:30 on 27 Oct 2024, when the clocks go back, three.
    always = BusinessHours.around_the_clock()
    spring = pd.to_datetime(["2024-03-31 01:30", "2024-03-31 03:30"]).tz_localize("Europe/Oslo")
    autumn = pd.to_datetime(["2024-10-27 01:30", "2024-10-27 03:30"]).tz_localize("Europe/Oslo")
    assert response_times(spring[0], spring[1], business_hours=always) == 1 * H
    assert response_times(autumn[0], autumn[1], business_hours=always) == 3 * H


def test_kinds_of_input_and_output() -> None:
    created = ["2024-03-08 16:00", "2024-03-11 09:00", "2024-03-11 09:00"]
    answered = np.array(["2024-03-11 10:00", "2024-03-11 09:04", "NaT"], dtype="datetime64[ns]")
    result = response_times(created, answered, business_hours=OFFICE)
    assert isinstance(result, np.ndarray)
    assert result.dtype == np.dtype("m8[ns]")
    np.testing.assert_array_equal(
        result, np.array([2 * 3600, 4 * 60, "NaT"], dtype="m8[s]").astype("m8[ns]")
    )
    index = pd.Index(["L3", "L1", "L2"])
    series = response_times(pd.Series(pd.to_datetime(created), index=index), answered)
    assert isinstance(series, pd.Series)
    assert series.index.equals(index)
    assert series.name == "response_time"
    assert series.dtype == np.dtype("m8[ns]")
    assert series.iloc[0] == 66 * H
    assert series.isna().tolist() == [False, False, True]
    # One creation time broadcasts against many contacts; scalars of every kind.
    broadcast = response_times(datetime.datetime(2024, 3, 11, 9), answered[1:])
    assert broadcast[0] == np.timedelta64(4, "m")
    assert response_times(np.datetime64("2024-03-11T09:00"), "2024-03-11 09:04") == 4 * MIN
    never: Any = response_times(pd.Timestamp("2024-03-11 09:00"), "NaT")  # typed as Timedelta
    assert never is pd.NaT
    assert response_times([], []).shape == (0,)


def test_report_by_hand() -> None:
    day = "2024-03-11 "
    # L4 is never contacted ("" -> NaT below).
    leads = pd.DataFrame(
        {
            "lead_id": ["L1", "L2", "L3", "L4", "L5", "L6", "L7"],
            "owner": ["Ann", "Ann", "Ann", "Bo", "Bo", None, "Bo"],
            "created": pd.to_datetime(
                [day + t for t in ("09:00", "09:10", "10:00", "11:00", "11:30", "12:00", "13:00")]
            ),
            "first_contact": pd.to_datetime(
                [
                    day + t if t else "NaT"
                    for t in ("09:02", "09:20", "10:04", "", "11:35", "13:00", "13:06")
                ]
            ),
        }
    )
    report = response_report(leads)
    # Ann: 2, 10 and 4 min -> sorted 2, 4, 10. Median 4 min; p90 at position
    # 0.9 × 2 = 1.8: 4 + 0.8 × (10 − 4) = 8.8 min = 8 min 48 s. Within 5 min: 2 of 3.
    # Bo: never, 5 and 6 min. Median of 5 and 6 = 5 min 30 s; p90 at 0.9 × 1:
    # 5 + 0.9 × 1 = 5.9 min = 5 min 54 s. Within 5 min: only L5 (exactly 5) -> 1 of 3,
    # and the never-contacted L4 counts as a miss. Never contacted 1 of 3.
    # The lead without an owner: 60 min, its own group.
    assert report.index.tolist()[:2] == ["Ann", "Bo"]
    assert pd.isna(report.index[2])
    assert report.index.name == "owner"
    assert report["leads"].tolist() == [3, 3, 1]
    assert report["contacted"].tolist() == [3, 2, 1]
    assert report["median_response"].tolist() == [4 * MIN, 5.5 * MIN, 60 * MIN]
    assert report["p90_response"].tolist() == [8.8 * MIN, 5.9 * MIN, 60 * MIN]
    assert report["share_within_sla"].tolist() == pytest.approx([2 / 3, 1 / 3, 0.0])
    assert report["share_never_contacted"].tolist() == pytest.approx([0.0, 1 / 3, 0.0])
    assert report["leads"].dtype == np.int64
    assert report["contacted"].dtype == np.int64
    assert report["median_response"].dtype == np.dtype("m8[ns]")
    # Ungrouped, with a 10-minute target: 6 of 7 contacted; within 10 min: 2, 10, 4, 5, 6.
    total = response_report(leads, by=None, within=10)
    assert total.index.tolist() == ["total"]
    assert total.loc["total", "leads"] == 7
    assert total.loc["total", "contacted"] == 6
    assert total.loc["total", "share_within_sla"] == pytest.approx(5 / 7)
    # Sorted 2, 4, 5, 6, 10, 60: median (5 + 6) / 2 = 5.5 min.
    assert total.loc["total", "median_response"] == 5.5 * MIN


def test_report_in_business_hours() -> None:
    # Created Fri 16:58, answered Mon 09:02: 64 h 4 min elapsed, 4 business minutes.
    leads = pd.DataFrame(
        {
            "lead_id": ["L1"],
            "source": ["web"],
            "created": pd.to_datetime(["2024-03-08 16:58"]),
            "first_contact": pd.to_datetime(["2024-03-11 09:02"]),
        }
    )
    elapsed = response_report(leads, by="source")
    business = response_report(leads, by="source", business_hours=OFFICE)
    assert elapsed.loc["web", "share_within_sla"] == 0.0
    assert business.loc["web", "share_within_sla"] == 1.0
    assert business.loc["web", "median_response"] == 4 * MIN


def test_report_of_an_empty_table() -> None:
    leads = pd.DataFrame(
        {
            "lead_id": pd.Series([], dtype=object),
            "owner": pd.Series([], dtype=object),
            "created": pd.Series([], dtype="datetime64[ns]"),
            "first_contact": pd.Series([], dtype="datetime64[ns]"),
        }
    )
    grouped = response_report(leads)
    assert grouped.empty
    assert grouped.index.name == "owner"
    total = response_report(leads, by=None)
    assert total["leads"].tolist() == [0]
    assert total["share_never_contacted"].isna().all()


def test_sla_attainment_by_hand() -> None:
    # Nutshell's 5-minute target: 3, 5 (on target, a hit), 7 min and one lead never
    # contacted -> 2 of 4.
    times = [3 * MIN, 5 * MIN, 7 * MIN, pd.NaT]
    assert sla_attainment(times, within=pd.Timedelta(minutes=5)) == 0.5
    assert sla_attainment([3.0, 5.0, 7.0, float("nan")], within=5) == 0.5
    assert sla_attainment(pd.Series(times), within=5) == 0.5
    assert sla_attainment(pd.to_timedelta(["3min", "5min"]), within=4.0) == 0.5
    assert (
        sla_attainment(np.array([180, 420], dtype="m8[s]"), within=datetime.timedelta(0, 300))
        == 0.5
    )
    assert sla_attainment(pd.Series([3.0, None], dtype="Float64"), within=5) == 0.5
    assert sla_attainment(pd.Index([3.0, 7.0]), within=5) == 0.5
    assert sla_attainment(4 * MIN, within=5) == 1.0
    assert sla_attainment(np.nan, within=5) == 0.0  # one lead, never contacted
    assert sla_attainment(pd.NaT, within=5) == 0.0
    assert np.isnan(sla_attainment([], within=5))
    # Exactly on the target, to the nanosecond, with timedeltas on both sides.
    on = pd.Timedelta(minutes=5)
    assert sla_attainment([on, on + pd.Timedelta(1, unit="ns")], within=on) == 0.5


# ------------------------------------------------------------------ calendar


def test_calendar_spellings() -> None:
    assert BusinessHours(weekdays="1111100") == OFFICE
    assert BusinessHours(weekdays=["friday", "MON", "tue", "Wed", "thu"]) == OFFICE
    assert BusinessHours(weekdays=[True] * 5 + [False] * 2) == OFFICE
    assert BusinessHours(weekdays=[1, 1, 1, 1, 1, 0, 0]) == OFFICE
    assert BusinessHours(weekdays=np.array([1, 1, 1, 1, 1, 0, 0])) == OFFICE
    assert BusinessHours(opens=datetime.time(9), closes="17:00:00") == OFFICE
    hours = BusinessHours(closes="24:00", holidays=[pd.Timestamp("2024-12-26"), "2024-12-25"])
    assert hours.closes is None
    assert hours.holidays == (datetime.date(2024, 12, 25), datetime.date(2024, 12, 26))
    assert hours.daily_hours == 15 * H
    assert BusinessHours(closes=None) == hours.__class__(closes="24:00")
    assert attrs.evolve(OFFICE, opens="08:30").daily_hours == 8.5 * H
    assert BusinessHours.around_the_clock().weekmask == "1111111"
    assert WEEKDAYS[0] == "Mon"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"weekdays": "0000000"}, "at least one working day"),
        ({"weekdays": []}, "at least one working day"),
        ({"weekdays": "Mon Funday"}, "weekday names.*'Funday'"),
        ({"weekdays": [True, False]}, "7 of them"),
        ({"weekdays": 31}, "weekmask"),
        ({"opens": "9am"}, "opens must be a datetime.time or a time of day 'HH:MM'"),
        ({"opens": "24:00"}, "opens must be earlier than 24:00"),
        ({"closes": "17:75"}, "closes must be"),
        ({"opens": "17:00", "closes": "09:00"}, r"opens \(17:00:00\) must be earlier"),
        ({"opens": "09:00", "closes": "09:00"}, "must be earlier"),
        ({"opens": datetime.time(9, tzinfo=datetime.UTC)}, "without a time zone"),
        ({"holidays": "2024-12-25"}, "sequence of dates"),
        ({"holidays": ["2024-12-25 12:00"]}, "without a time of day"),
        ({"holidays": [20241225]}, "not numbers"),
        ({"holidays": [None]}, "missing value"),
        ({"holidays": ["Christmas"]}, "holidays must hold dates"),
    ],
)
def test_calendar_validation(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        BusinessHours(**fields)


# ---------------------------------------------------------------- validation


def test_first_contact_before_creation_names_positions_and_labels() -> None:
    created = pd.Series(pd.to_datetime(["2024-03-11 09:00"] * 3), index=["a", "b", "c"])
    answered = pd.Series(pd.to_datetime(["2024-03-11 09:05", "2024-03-11 08:00", "NaT"]))
    answered.index = created.index
    with pytest.raises(InvalidInputError, match=r"before created for 1 of 3 leads .*1\).*'b'"):
        response_times(created, answered)
    with pytest.raises(InvalidInputError, match=r"positions: 0\)$"):
        response_times("2024-03-11 09:00", ["2024-03-11 08:59"])


@pytest.mark.parametrize(
    ("created", "answered", "error", "message"),
    [
        (["2024-03-11"] * 2, ["2024-03-12"] * 3, InvalidInputError, "equal lengths"),
        ([1.0, 2.0], ["2024-03-12"] * 2, InvalidInputError, "not numbers"),
        (
            pd.Series(pd.to_datetime(["2024-03-11"]), index=["a"]),
            pd.Series(pd.to_datetime(["2024-03-12"]), index=["b"]),
            IndexMismatchError,
            "created and first_contact are Series with different indexes",
        ),
        ("1700-01-01", "2200-01-01", InvalidInputError, "more than 292 years"),
    ],
)
def test_response_times_validation(
    created: Any, answered: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        response_times(created, answered)


def test_aware_beside_naive_is_read_in_utc() -> None:
    # The timestamp convention (this mix used to be refused): the aware side is
    # converted to UTC. 10:00 in Oslo (UTC+1 in March) is 09:00 UTC, 1 hour after
    # a naive (UTC) 08:00; opening hours are then read on the UTC clock.
    oslo = pd.Timestamp("2024-03-11 10:00", tz="Europe/Oslo")
    assert response_times("2024-03-11 08:00", oslo) == pd.Timedelta(hours=1)
    assert response_times(oslo, "2024-03-11 09:30") == pd.Timedelta(minutes=30)
    hours = BusinessHours()  # 09:00-17:00: 08:00-09:00 UTC lies before opening
    assert response_times("2024-03-11 08:00", oslo, business_hours=hours) == pd.Timedelta(0)
    leads = pd.DataFrame(
        {
            "lead_id": ["L1", "L2"],
            "owner": ["Ann", "Ann"],
            "created": pd.to_datetime(["2024-03-11 10:00", "2024-03-11 11:00"]).tz_localize(
                "Europe/Oslo"
            ),
            "first_contact": pd.to_datetime(["2024-03-11 09:04", "2024-03-11 10:10"]),
        }
    )
    table = response_report(leads)
    # 4 and 10 minutes after the UTC creation times 09:00 and 10:00.
    assert table.loc["Ann", "median_response"] == pd.Timedelta(minutes=7)
    assert table.loc["Ann", "share_within_sla"] == 0.5
    naive = leads.assign(created=pd.to_datetime(["2024-03-11 09:00", "2024-03-11 10:00"]))
    pd.testing.assert_frame_equal(table, response_report(naive))


def test_business_hours_must_be_a_calendar() -> None:
    with pytest.raises(InvalidInputError, match="business_hours must be a BusinessHours"):
        response_times("2024-03-11", "2024-03-12", business_hours="9-17")  # type: ignore[call-overload]


@pytest.mark.parametrize(
    ("times", "within", "message"),
    [
        ([1.0, -2.0], 5, r"finite and >= 0 .*never contacted.*\[1\] -2.0 min"),
        ([-MIN], 5, r"\[0\] -1.0 min"),
        ([float("inf")], 5, "finite and >= 0"),
        (["5 minutes"], 5, "durations or numbers of minutes; got string"),
        (pd.Series(pd.to_datetime(["2024-03-11"])), 5, "not timestamps"),
        ([True, False], 5, "got boolean"),
        ([MIN, 2.0], 5, "got mixed"),
        ([1.0], float("nan"), "finite number of minutes"),
        ([1.0], -1, "finite number of minutes >= 0"),
        ([1.0], -MIN, "duration >= 0"),
        ([1.0], pd.NaT, "Timedelta or a number of minutes"),
        ([1.0], "5min", "Timedelta or a number of minutes"),
        ([1.0], True, "Timedelta or a number of minutes"),
    ],
)
def test_sla_attainment_validation(times: Any, within: Any, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        sla_attainment(times, within=within)


def _leads() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lead_id": ["L1", "L2", "L3"],
            "owner": ["Ann", "Bo", "Ann"],
            "created": pd.to_datetime(["2024-03-11 09:00"] * 3),
            "first_contact": pd.to_datetime(["2024-03-11 09:01", "2024-03-11 08:00", "NaT"]),
        }
    )


def test_report_names_leads_contacted_before_creation() -> None:
    with pytest.raises(
        InvalidInputError, match=r"first_contact is before created for 1 lead: 'L2'"
    ):
        response_report(_leads())
    # Without a lead_id column, the index labels name them.
    frame = _leads().set_index("lead_id")
    with pytest.raises(InvalidInputError, match="1 lead: 'L2'"):
        response_report(frame, lead_id=None)


def test_report_validation() -> None:
    leads = _leads().assign(first_contact=pd.to_datetime(["2024-03-11 09:01"] * 3))
    with pytest.raises(SchemaError, match="missing column 'owner'"):
        response_report(leads.drop(columns="owner"))
    with pytest.raises(SchemaError, match="missing column 'received'"):
        response_report(leads, created="received")
    with pytest.raises(SchemaError, match="'first_contact' must hold datetimes"):
        response_report(leads.assign(first_contact="2024-03-11 09:01"))
    with pytest.raises(InvalidInputError, match="created is missing for 1 lead: 'L2'"):
        response_report(leads.assign(created=pd.to_datetime(["2024-03-11", "NaT", "2024-03-11"])))
    with pytest.raises(InvalidInputError, match="by must be None, a column name"):
        response_report(leads, by=3)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="within must be"):
        response_report(leads, within=-5)
    with pytest.raises(InvalidInputError, match="business_hours must be"):
        response_report(leads, business_hours=(9, 17))  # type: ignore[arg-type]


def test_report_by_a_categorical_column() -> None:
    # An unused category gets no row; leads without a label form their own group.
    leads = _leads().assign(
        first_contact=pd.to_datetime(["2024-03-11 09:01"] * 3),
        owner=pd.Categorical(["Bo", None, "Bo"], categories=["Ann", "Bo"]),
    )
    report = response_report(leads)
    assert report.index[0] == "Bo"
    assert pd.isna(report.index[1])
    assert report["leads"].tolist() == [2, 1]


def test_report_keeps_the_input_and_its_order() -> None:
    leads = _leads().assign(first_contact=pd.to_datetime(["2024-03-11 09:01"] * 3))
    leads.index = [7, 7, 3]  # repeated labels must not be aligned on
    before = leads.copy()
    report = response_report(leads, by=["owner"])
    pd.testing.assert_frame_equal(leads, before)
    assert report.index.tolist() == ["Ann", "Bo"]
    assert report["leads"].tolist() == [2, 1]


# ----------------------------------------------------------------- properties

# The costlier properties (Python loops over days, frames, several calls per example)
# are capped so that the ci profile stays quick; the dev profile's 50 are below the cap.
heavy = settings(max_examples=min(settings().max_examples, 300))

BASE = pd.Timestamp("2000-01-01")
LAST = pd.Timestamp("2040-12-31")
SPAN_MINUTES = int((LAST - BASE) / MIN)


def minutes_from(base: pd.Timestamp, low: int, high: int) -> st.SearchStrategy[pd.Timestamp]:
    """Timestamps at minute resolution, ``low`` to ``high`` minutes after ``base``."""
    return st.integers(low, high).map(lambda m: base + m * MIN)


stamps = minutes_from(BASE, 0, SPAN_MINUTES)


def clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@st.composite
def calendars(draw: Any, near: pd.Timestamp | None = None) -> BusinessHours:
    """Any working week and opening hours; holidays within 90 days of ``near``."""
    flags = draw(st.lists(st.booleans(), min_size=7, max_size=7).filter(any))
    opens = draw(st.integers(0, 24 * 60 - 1))
    closes = draw(st.integers(opens + 1, 24 * 60))
    start = (near or BASE).date()
    offsets = st.integers(0, 90).map(lambda d: start + datetime.timedelta(days=d))
    holidays = draw(st.lists(offsets, max_size=6))
    return BusinessHours(
        weekdays=flags, opens=clock(opens), closes=clock(closes), holidays=holidays
    )


def _wall(day: datetime.date, minute_of_day: datetime.time | None, zone: Any) -> datetime.datetime:
    if minute_of_day is None:  # 24:00 is the next day's midnight
        return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), zone)
    return datetime.datetime.combine(day, minute_of_day, zone)


def slow_business_time(
    start: pd.Timestamp, end: pd.Timestamp, hours: BusinessHours
) -> datetime.timedelta:
    """The definition, one day at a time: overlap of [start, end] with each open period."""
    zone = None if start.tz is None else ZoneInfo(str(start.tz))
    a, b = start.to_pydatetime(), end.to_pydatetime()
    if zone is not None:
        a, b = a.astimezone(datetime.UTC), b.astimezone(datetime.UTC)
    total = datetime.timedelta(0)
    day = start.date()
    while day <= end.date():
        if hours.weekmask[day.weekday()] == "1" and day not in hours.holidays:
            opening = _wall(day, hours.opens, zone)
            closing = _wall(day, hours.closes, zone)
            if zone is not None:
                opening, closing = (t.astimezone(datetime.UTC) for t in (opening, closing))
            overlap = min(closing, b) - max(opening, a)
            total += max(overlap, datetime.timedelta(0))
        day += datetime.timedelta(days=1)
    return total


@st.composite
def pairs(draw: Any, max_days: int = 60) -> tuple[list[pd.Timestamp], list[pd.Timestamp]]:
    """Creation and contact times, each contact up to ``max_days`` after its creation."""
    created = draw(st.lists(stamps, min_size=1, max_size=8))
    answered = [draw(minutes_from(c, 0, max_days * 24 * 60)) for c in created]
    return created, answered


@heavy
@given(data=st.data())
def test_vectorised_equals_a_day_by_day_loop(data: st.DataObject) -> None:
    created, answered = data.draw(pairs())
    hours = data.draw(calendars(near=min(created)))
    result = response_times(created, answered, business_hours=hours)
    expected = [slow_business_time(c, a, hours) for c, a in zip(created, answered, strict=True)]
    assert [pd.Timedelta(r) for r in result] == [pd.Timedelta(e) for e in expected]


ZONES = ["Europe/Oslo", "America/New_York", "Australia/Sydney", "UTC"]


@heavy
@given(data=st.data())
def test_vectorised_equals_a_loop_in_time_zones(data: st.DataObject) -> None:
    zone = data.draw(st.sampled_from(ZONES))
    created, answered = data.draw(pairs(max_days=40))
    # Opening hours away from the small hours, where the clocks change (a skipped
    # opening time is settled differently by pandas and by Python's datetime).
    flags = data.draw(st.lists(st.booleans(), min_size=7, max_size=7).filter(any))
    opens = data.draw(st.integers(4 * 60, 12 * 60))
    closes = data.draw(st.one_of(st.integers(opens + 1, 23 * 60), st.just(24 * 60)))
    hours = BusinessHours(weekdays=flags, opens=clock(opens), closes=clock(closes))
    start = pd.DatetimeIndex(created).tz_localize("UTC").tz_convert(zone)
    end = pd.DatetimeIndex(answered).tz_localize("UTC").tz_convert(zone)
    result = response_times(pd.Series(start), pd.Series(end), business_hours=hours)
    expected = [slow_business_time(c, a, hours) for c, a in zip(start, end, strict=True)]
    assert result.tolist() == [pd.Timedelta(e) for e in expected]


def located(stamps_: list[pd.Timestamp], zone: str | None) -> pd.DatetimeIndex:
    """Naive timestamps, or the same instants (read as UTC) on a zone's clock."""
    index = pd.DatetimeIndex(stamps_, dtype="datetime64[ns]")
    return index if zone is None else index.tz_localize("UTC").tz_convert(zone)


def ordered(count: int) -> st.SearchStrategy[list[list[pd.Timestamp]]]:
    """Up to 10 rows of ``count`` timestamps in time order."""
    row = st.lists(stamps, min_size=count, max_size=count).map(sorted)
    return st.lists(row, min_size=1, max_size=10)


zones = st.sampled_from([None, *ZONES])


@heavy
@given(ordered(2), zones, calendars())
def test_business_time_is_at_most_elapsed(
    rows: list[list[pd.Timestamp]], zone: str | None, hours: BusinessHours
) -> None:
    start, end = (located(list(column), zone) for column in zip(*rows, strict=True))
    business = response_times(start, end, business_hours=hours)
    assert (business >= np.timedelta64(0)).all()
    assert (business <= response_times(start, end)).all()
    if zone is None:
        # Each calendar day holds at most one working day's opening hours.
        days = (end.normalize() - start.normalize()).days.to_numpy() + 1
        assert (business <= days * hours.daily_hours.to_timedelta64()).all()


@given(st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 64 * 60), st.integers(0, 64 * 60))))
def test_a_closed_weekend_counts_nothing(draws: list[tuple[int, int, int]]) -> None:
    # Friday 17:00 to Monday 09:00 is one closed period of 64 hours.
    friday = pd.Timestamp("2000-01-07 17:00")
    closing = [friday + pd.Timedelta(weeks=week) for week, _, _ in draws]
    start = [c + min(x, y) * MIN for c, (_, x, y) in zip(closing, draws, strict=True)]
    end = [c + max(x, y) * MIN for c, (_, x, y) in zip(closing, draws, strict=True)]
    result = response_times(start, end, business_hours=OFFICE)
    assert (result == np.timedelta64(0)).all()


@heavy
@given(ordered(3), zones, calendars())
def test_business_time_adds_up(
    rows: list[list[pd.Timestamp]], zone: str | None, hours: BusinessHours
) -> None:
    a, b, c = (located(list(column), zone) for column in zip(*rows, strict=True))
    whole = response_times(a, c, business_hours=hours)
    parts = response_times(a, b, business_hours=hours) + response_times(b, c, business_hours=hours)
    np.testing.assert_array_equal(whole, parts)


@heavy
@given(ordered(2), zones)
def test_around_the_clock_is_elapsed_time(rows: list[list[pd.Timestamp]], zone: str | None) -> None:
    # In zones whose clocks change too: the time that really passed, not the clock's.
    start, end = (pd.Series(located(list(c), zone)) for c in zip(*rows, strict=True))
    always = BusinessHours.around_the_clock()
    pd.testing.assert_series_equal(
        response_times(start, end, business_hours=always), response_times(start, end)
    )
    assert (response_times(start, end) == end - start).all()


@heavy
@given(pairs(), calendars(), st.sampled_from(sst.KINDS))
def test_kinds_agree_and_inputs_are_kept(
    pair: tuple[list[pd.Timestamp], list[pd.Timestamp]], hours: BusinessHours, kind: sst.Kind
) -> None:
    created, answered = pair
    reference = [
        response_times(c, a, business_hours=hours) for c, a in zip(created, answered, strict=True)
    ]
    if kind == "scalar":
        assert all(isinstance(r, pd.Timedelta) for r in reference)
        return
    start: Any = pd.DatetimeIndex(created).to_numpy()
    end: Any = pd.DatetimeIndex(answered).to_numpy()
    if kind == "series":
        index = pd.Index([f"L{len(created) - i}" for i in range(len(created))])
        start, end = pd.Series(start, index=index), pd.Series(end, index=index.copy())
    kept = (start.copy(), end.copy())
    result: Any = response_times(start, end, business_hours=hours)
    np.testing.assert_array_equal(start, kept[0])
    np.testing.assert_array_equal(end, kept[1])
    if kind == "series":
        assert result.index.equals(start.index)
    assert [pd.Timedelta(r) for r in result] == reference


durations = st.one_of(st.just(float("nan")), st.floats(0, 600, allow_subnormal=False))


@given(st.lists(durations, max_size=30), st.floats(0, 600), st.floats(0, 600))
def test_sla_is_a_share_that_grows_with_the_target(
    minutes: list[float], w1: float, w2: float
) -> None:
    low, high = sorted((w1, w2))
    a = sla_attainment(minutes, within=low)
    b = sla_attainment(minutes, within=high)
    if not minutes:
        assert np.isnan(a)
        assert np.isnan(b)
        return
    assert 0.0 <= a <= b <= 1.0
    # A never-contacted lead is a miss, never dropped from the count.
    never = sum(np.isnan(m) for m in minutes)
    assert b <= 1 - never / len(minutes) + 1e-12
    # The plain loop over leads.
    assert a == sum(m <= low for m in minutes if not np.isnan(m)) / len(minutes)


@given(st.lists(st.one_of(st.none(), st.integers(0, 10**6)), min_size=1, max_size=30))
def test_sla_in_timedeltas_equals_sla_in_minutes(seconds: list[int | None]) -> None:
    deltas = pd.to_timedelta([np.nan if s is None else s for s in seconds], unit="s")
    minutes = [np.nan if s is None else s / 60 for s in seconds]
    for target in (0, 1, 5, 60):
        expected = sla_attainment(minutes, within=target)
        assert sla_attainment(deltas, within=target) == expected
        assert sla_attainment(pd.Series(deltas), within=pd.Timedelta(minutes=target)) == expected


@st.composite
def lead_tables(draw: Any) -> pd.DataFrame:
    size = draw(st.integers(0, 25))
    created = draw(st.lists(stamps, min_size=size, max_size=size))
    waits = draw(
        st.lists(st.one_of(st.none(), st.integers(0, 3 * 24 * 60)), min_size=size, max_size=size)
    )
    owners = draw(
        st.lists(st.sampled_from(["Ann", "Bo", "Cy", None]), min_size=size, max_size=size)
    )
    return pd.DataFrame(
        {
            "lead_id": [f"L{i}" for i in range(size)],
            "owner": pd.Series(owners, dtype=object),
            "created": pd.Series(created, dtype="datetime64[ns]"),
            "first_contact": pd.Series(
                [pd.NaT if w is None else c + w * MIN for c, w in zip(created, waits, strict=True)],
                dtype="datetime64[ns]",
            ),
        }
    )


@heavy
@given(lead_tables(), st.one_of(st.none(), calendars()), st.integers(0, 120))
def test_report_matches_a_loop_over_groups(
    leads: pd.DataFrame, hours: BusinessHours | None, target: int
) -> None:
    report = response_report(leads, business_hours=hours, within=target)
    times = response_times(leads["created"], leads["first_contact"], business_hours=hours)
    assert report["leads"].sum() == len(leads)
    assert report["contacted"].sum() == leads["first_contact"].notna().sum()
    owners = leads["owner"].fillna("(none)")
    labels = ["(none)" if label is None or label != label else label for label in report.index]
    assert labels == list(dict.fromkeys(owners))  # order of first appearance
    rows: list[Any] = list(report.itertuples())
    for label, row in zip(labels, rows, strict=True):
        mine = times[(owners == label).to_numpy()]
        reached = mine.dropna()
        assert row.leads == len(mine)
        assert row.contacted == len(reached)
        assert row.share_within_sla == pytest.approx((reached <= target * MIN).sum() / len(mine))
        assert row.share_never_contacted == pytest.approx(1 - len(reached) / len(mine))
        if len(reached) == 0:
            assert pd.isna(row.median_response)
            assert pd.isna(row.p90_response)
            continue
        ns = reached.to_numpy().astype(np.int64)
        for got, q in ((row.median_response, 50), (row.p90_response, 90)):
            assert abs(got.value - np.percentile(ns, q)) <= 1  # rounded to the nanosecond
        assert row.median_response <= row.p90_response


# ------------------------------------------------ extreme and malformed input


@pytest.mark.parametrize(
    ("times", "within", "message"),
    [
        ([1, 10**400, 3], 5, "response_time must hold numbers of minutes within float range"),
        ([1, 2, 3], 10**400, "within must be a number within float range"),
        ([1, 2, 3], Fraction(10**400, 3), "within must be a number within float range"),
    ],
)
def test_sla_attainment_refuses_numbers_beyond_float_range(
    times: Any, within: Any, message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        sla_attainment(times, within=within)


@pytest.mark.parametrize(
    "fields",
    [
        {"weekdays": np.array("1111100")},
        {"weekdays": [np.timedelta64(1)] * 7},
        {"holidays": np.array("2024-12-25")},
    ],
)
def test_business_hours_refuses_zero_dimensional_arrays_and_durations(
    fields: dict[str, Any],
) -> None:
    with pytest.raises(InvalidInputError, match=r"weekdays|holidays"):
        BusinessHours(**fields)


def test_response_times_read_texts_as_iso_8601_without_a_warning() -> None:
    # "1" is not an ISO 8601 timestamp: refused, without pandas' format-guessing warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InvalidInputError, match="created must hold ISO 8601 timestamps"):
            response_times(["1", "2"], ["3", "4"])


@pytest.mark.parametrize("option", ["created", "first_contact", "lead_id"])
@pytest.mark.parametrize("bad", [pd.NA, ["created"], 1])
def test_report_column_options_must_be_names(option: str, bad: Any) -> None:
    with pytest.raises(InvalidInputError, match=rf"^{option} must be a column name"):
        response_report(_leads(), **{option: bad})
    missing: dict[str, Any] = {option: None}
    if option != "lead_id":  # None means "no such column" only for lead_id
        with pytest.raises(InvalidInputError, match=rf"^{option} must be a column name"):
            response_report(_leads(), **missing)


def test_holidays_given_as_text_are_read_as_iso_8601_only() -> None:
    # "5/3/2024" is 5 March or 3 May depending on the country: refused, not guessed.
    with pytest.raises(InvalidInputError, match=r"holidays must hold dates; .*not ISO8601"):
        BusinessHours(holidays=["5/3/2024"])
    assert BusinessHours(holidays=["2024-12-25"]).holidays == (datetime.date(2024, 12, 25),)
