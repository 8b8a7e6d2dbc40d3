"""activity_report on engine frames.

The engine checks the activities as the pandas path does and reduces the reported ones
to one row per (seller, period, kind); the report must equal the pandas path's on the
same data, on a hand-counted example, on public activities (Airbyte's Pipedrive
sandbox) and on random activities. With targets given as a mapping, the sellers are
those the activities name: an engine's rows have no order of first appearance, so
there they are sorted, which one test shows; the equality tests use activities whose
sellers first appear in sorted order, or targets given per seller.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.errors import InvalidInputError, SchemaError
from salescore.fiscal import FiscalCalendar
from salescore.team import activity_report

from .harness import to_engine


def _assert_equal(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    assert got.index.equals(want.index)
    assert got.index.names == want.index.names
    assert dict(got.dtypes) == dict(want.dtypes)
    pd.testing.assert_frame_equal(got, want, check_exact=True)


SELLERS = ["Ann", "Bo", "Cy", "Dee", "Eve"]
KINDS = ["call", "visit", "email", "meeting", "demo"]


def _activities() -> pd.DataFrame:
    """600 activities of five sellers over 14 months, with a quiet stretch.

    Columns under non-canonical names; times of day; each seller's first activity in
    the order of their names (so that the pandas path lists them as an engine does);
    a custom kind "demo"; rows of kinds that are not reported have no date (allowed).
    """
    rng = np.random.default_rng(20261204)
    rows = 600
    when = pd.Timestamp("2023-11-27") + pd.to_timedelta(
        rng.integers(0, 420 * 86_400, rows), unit="s"
    )
    # Nothing from mid-May to mid-July 2024: whole weeks and June without activity.
    quiet = (when >= pd.Timestamp("2024-05-15")) & (when < pd.Timestamp("2024-07-15"))
    when = when.where(~quiet, when - pd.Timedelta(days=90))
    frame = pd.DataFrame(
        {
            "rep": rng.choice(SELLERS, rows),
            "type": rng.choice(KINDS, rows, p=[0.4, 0.2, 0.2, 0.1, 0.1]),
            "at": when,
        }
    )
    frame = frame.sort_values("at", ignore_index=True)
    head = pd.DataFrame(
        {
            "rep": SELLERS,
            "type": "call",
            "at": pd.Timestamp("2023-11-27 08:00") + pd.to_timedelta(range(5), unit="h"),
        }
    )
    frame = pd.concat([head, frame.sample(frac=1.0, random_state=7)], ignore_index=True)
    frame.loc[frame["type"] == "email", "at"] = frame["at"].where(frame.index % 4 != 0)
    return frame


COLUMNS: dict[str, Any] = {"by": "rep", "kind": "type", "date": "at"}
DEMO = {"call": 1, "demo": 1}  # "demo" is not canonical: known with a target
PER_SELLER = pd.DataFrame(
    {"call": [40.0, 30.0, 0.0, 25.0, 20.0, 35.0], "demo": [2.0, 1.0, 3.0, np.nan, 1.0, 2.0]},
    index=["Eve", "Cy", "Bo", "Ann", "Dee", "Zed"],  # Zed logs nothing, and still gets rows
)
OPTIONS: list[dict[str, Any]] = [
    {"targets": {"call": 10, "visit": 3, "demo": 1}, "kinds": ["visit", "call"]},
    {"targets": {"call": 10, "visit": 3, "demo": 1}, "freq": "M"},
    {"targets": PER_SELLER, "freq": "Q-MAR", "kinds": ["demo", "call"]},
    {"targets": {"call": 2, "demo": 0}, "freq": "D", "start": "2024-02-01", "end": "2024-03-31"},
    {"targets": {"visit": 1, "demo": 1}, "kinds": "visit", "freq": "W-WED", "start": "2024-08-10"},
    {"targets": PER_SELLER, "freq": "Y", "end": "2026-06-30"},
]
# Every option on the in-process engines; on the cluster engines, whose every query
# costs seconds, two.
CASES = [
    *((engine, index) for engine in ("polars", "polars-lazy", "duckdb") for index in range(6)),
    *((engine, index) for engine in ("dask", "spark") for index in (1, 2)),
]


@pytest.mark.parametrize(
    ("engine", "case"), CASES, indirect=["engine"], ids=[f"{e}-{i}" for e, i in CASES]
)
def test_equal_to_the_pandas_path(engine: str, case: int) -> None:
    activities = _activities()
    options = {**COLUMNS, **OPTIONS[case]}
    targets = options.pop("targets")
    want = activity_report(activities, targets, **options)
    got = activity_report(to_engine(activities, engine), targets, **options)
    _assert_equal(got, want)
    # The data holds what the case is about: activities counted, months without any.
    assert got["actual"].sum() > 0
    if options.get("freq") == "M":
        assert got.xs(pd.Period("2024-06", "M"), level="period")["actual"].sum() == 0


@pytest.mark.parametrize("engine", ["polars", "polars-lazy", "duckdb"], indirect=True)
def test_the_hand_counted_example(engine: str) -> None:
    # activity_report's docstring example, by hand. Week of 4 March: Ann calls on the
    # 4th and 5th (2 of 2: 1.0) and visits on the 6th (1 of 1); Bo calls on the 7th
    # (1 of 2: 0.5); his email has no target and is not counted. Week of 11 March: Ann
    # calls on the 12th (1 of 2: 0.5); Bo nothing (0, 0).
    activities = pd.DataFrame(
        {
            "owner": ["Ann", "Ann", "Ann", "Bo", "Bo", "Ann"],
            "kind": ["call", "call", "visit", "call", "email", "call"],
            "date": pd.to_datetime(
                ["2024-03-04", "2024-03-05", "2024-03-06", "2024-03-07", "2024-03-07", "2024-03-12"]
            ),
        }
    )
    report = activity_report(to_engine(activities, engine), {"call": 2, "visit": 1})
    assert report["actual"].tolist() == [2, 1, 1, 0, 1, 0, 0, 0]
    assert report["attainment"].tolist() == [1.0, 1.0, 0.5, 0.0, 0.5, 0.0, 0.0, 0.0]
    _assert_equal(report, activity_report(activities, {"call": 2, "visit": 1}))
    # Monthly calls against each seller's own target: Ann 3 of 8, Bo 1 of 4.
    monthly = pd.DataFrame({"call": [8, 4]}, index=["Ann", "Bo"])
    native = to_engine(activities, engine)
    assert activity_report(native, monthly, freq="M")["attainment"].tolist() == [0.375, 0.25]


# Provenance: the three records of stream "activities" in Airbyte's Pipedrive
# connector test data, airbytehq/airbyte,
# airbyte-integrations/connectors/source-pipedrive/integration_tests/expected_records.jsonl,
# version of commit 073465e5e310323e1a41580ab1653e1b999d3503 (connector licensed MIT; the
# file whose "deals" lines are tests/fixtures/real/airbyte_pipedrive_deals.jsonl). Read
# from Airbyte's Pipedrive sandbox; of each record the fields "id", "owner_name",
# "type" and "due_date", unchanged.
PIPEDRIVE_ACTIVITIES = [
    {"id": 1, "owner_name": "Team Airbyte", "type": "task", "due_date": "2021-07-06"},
    {"id": 3, "owner_name": "Team Airbyte", "type": "deadline", "due_date": "2021-07-28"},
    {"id": 7, "owner_name": "Team Airbyte", "type": "call", "due_date": "2023-02-22"},
]


@pytest.mark.parametrize("engine", ["polars", "polars-lazy", "duckdb"], indirect=True)
def test_public_activities(engine: str) -> None:
    activities = pd.DataFrame(PIPEDRIVE_ACTIVITIES).assign(
        due_date=lambda frame: pd.to_datetime(frame["due_date"])
    )
    # Pipedrive's "task" and "deadline" are not canonical kinds: known once they have
    # a target.
    targets = {"call": 4, "task": 2, "deadline": 1}
    options = {"by": "owner_name", "kind": "type", "date": "due_date", "freq": "M"}
    report = activity_report(to_engine(activities, engine), targets, **options)
    _assert_equal(report, activity_report(activities, targets, **options))
    # By hand: July 2021 to February 2023 is 20 months, × 3 kinds for one seller = 60
    # rows. July 2021: the task (1 of 2: 0.5) and the deadline (1 of 1: 1.0); February
    # 2023: the call (1 of 4: 0.25); every other row 0.
    assert len(report) == 60
    logged = report[report["actual"] > 0]
    assert logged.index.tolist() == [
        ("Team Airbyte", pd.Period("2021-07", "M"), "task"),
        ("Team Airbyte", pd.Period("2021-07", "M"), "deadline"),
        ("Team Airbyte", pd.Period("2023-02", "M"), "call"),
    ]
    assert logged["attainment"].tolist() == [0.5, 1.0, 0.25]
    # Without a target for "deadline" it is an unknown kind, refused naming the row.
    with pytest.raises(InvalidInputError, match=r"not so for 1 row \(for example .*'deadline'"):
        activity_report(to_engine(activities, engine), {"call": 4, "task": 2}, **options)


def test_sellers_follow_their_names_on_an_engine() -> None:
    pl = pytest.importorskip("polars")
    # Bo's activity comes first: pandas lists him first; an engine frame has no row
    # order, so there the sellers are sorted (Ann, Bo). Targets per seller fix the
    # order on both.
    activities = pd.DataFrame(
        {
            "owner": ["Bo", "Ann", "Bo"],
            "kind": ["call", "call", "visit"],
            "date": pd.to_datetime(["2024-03-04", "2024-03-05", "2024-03-06"]),
        }
    )
    want = activity_report(activities, {"call": 1})
    assert want.index.get_level_values("owner").tolist() == ["Bo", "Ann"]
    got = activity_report(pl.from_pandas(activities), {"call": 1})
    assert got.index.get_level_values("owner").tolist() == ["Ann", "Bo"]
    _assert_equal(got, want.loc[["Ann", "Bo"]])
    targets = pd.DataFrame({"call": [1, 2]}, index=["Bo", "Ann"])
    _assert_equal(
        activity_report(pl.from_pandas(activities), targets),
        activity_report(activities, targets),
    )


@pytest.mark.parametrize("engine", ["polars", "polars-lazy", "duckdb"], indirect=True)
def test_sellers_of_rows_not_counted_get_rows(engine: str) -> None:
    # Cy logs only an email (no target) and Dee only a call before start; Eve's
    # visit has no date and no seller writes the row after her: all still listed with
    # zeros, as in pandas. A row without a seller outside the report is allowed.
    activities = pd.DataFrame(
        {
            "owner": ["Ann", "Cy", "Dee", "Eve", None],
            "kind": ["call", "email", "call", "visit", "call"],
            "date": pd.to_datetime(["2024-03-04", "2024-03-04", "2024-01-04", "NaT", "2023-01-01"]),
        }
    )
    options: dict[str, Any] = {"start": "2024-03-01", "freq": "M"}
    got = activity_report(to_engine(activities, engine), {"call": 1}, **options)
    assert got.index.get_level_values("owner").tolist() == ["Ann", "Cy", "Dee", "Eve"]
    assert got["actual"].tolist() == [1, 0, 0, 0]
    _assert_equal(got, activity_report(activities, {"call": 1}, **options))


@pytest.mark.parametrize("engine", ["polars", "polars-lazy", "duckdb"], indirect=True)
@pytest.mark.parametrize(
    "options",
    [{}, {"start": "2024-06-01"}, {"end": "1960-01-01"}, {"start": "1960-01-01"}],
    ids=["no-activity", "start-after", "end-before", "start-before-1970"],
)
def test_empty_reports_as_in_pandas(engine: str, options: dict[str, Any]) -> None:
    # No row at all, or no reported row, or none in range (a start before 1970 has a
    # negative ordinal: the range then runs to pandas' ordinal -1, as in pandas).
    activities = pd.DataFrame(
        {
            "owner": ["Ann", "Bo"],
            "kind": ["email", "call"],
            "date": pd.to_datetime(["2024-03-04", "2024-03-05"]),
        }
    )
    for frame in (activities.iloc[:0], activities):
        for targets in ({"call": 1}, {"visit": 1}):
            want = activity_report(frame, targets, **options)
            got = activity_report(to_engine(frame, engine), targets, **options)
            _assert_equal(got, want)
    # The quirk in numbers: no visit at all, so the weeks from the one of 1 January
    # 1960 (ordinal -521) to pandas' ordinal -1 (15 to 21 December 1969): 521 weeks
    # for each of the two sellers.
    if options == {"start": "1960-01-01"}:
        got = activity_report(to_engine(activities, engine), {"visit": 1}, **options)
        assert len(got) == 2 * 521
        assert str(got.index.get_level_values("period")[-1]) == "1969-12-15/1969-12-21"


def test_categories_dates_zones_and_numbered_sellers() -> None:
    pl = pytest.importorskip("polars")
    activities = _activities()
    native = pl.from_pandas(activities).with_columns(
        pl.col("type").cast(pl.Categorical),
        pl.col("rep").cast(pl.Categorical),
        pl.col("at").cast(pl.Date),  # calendar dates: the day of each time
    )
    _assert_equal(
        activity_report(native, {"call": 3, "demo": 1}, **COLUMNS),
        activity_report(activities, {"call": 3, "demo": 1}, **COLUMNS),
    )
    # Aware times: split by the local calendar, as in pandas (Tokyo's days begin at
    # 15:00 UTC, so the days of many times differ from their UTC days).
    aware = activities.assign(at=activities["at"].dt.tz_localize("UTC").dt.tz_convert("Asia/Tokyo"))
    _assert_equal(
        activity_report(pl.from_pandas(aware), DEMO, freq="D", **COLUMNS),
        activity_report(aware, DEMO, freq="D", **COLUMNS),
    )
    # Sellers by number.
    numbered = activities.assign(
        rep=activities["rep"].map(dict(zip(SELLERS, range(5), strict=True)))
    )
    _assert_equal(
        activity_report(pl.from_pandas(numbered), DEMO, **COLUMNS),
        activity_report(numbered, DEMO, **COLUMNS),
    )


# ------------------------------------------------------------------ refusals


def test_refusals_name_the_columns_and_options() -> None:
    pl = pytest.importorskip("polars")
    native = pl.from_pandas(_activities())
    with pytest.raises(SchemaError, match=r"activities: missing columns 'owner', 'kind'.*'rep'"):
        activity_report(native, DEMO, date="at")
    with pytest.raises(SchemaError, match=r"'type' must hold datetimes or dates"):
        activity_report(native, DEMO, **{**COLUMNS, "date": "type"})
    with pytest.raises(InvalidInputError, match=r"freq='2W' cannot be computed in an engine"):
        activity_report(native, DEMO, **COLUMNS, freq="2W")
    with pytest.raises(InvalidInputError, match=r"freq='h' cannot be computed in an engine"):
        activity_report(native, DEMO, **COLUMNS, freq="h")
    fiscal = FiscalCalendar.from_start_month(4).freq("month")
    with pytest.raises(InvalidInputError, match=r"fiscal periods cannot be computed in an engine"):
        activity_report(native, DEMO, **COLUMNS, freq=fiscal)
    # Options are checked before the engine is asked, as in pandas.
    with pytest.raises(InvalidInputError, match=r"kinds: no target for 'visit'"):
        activity_report(native, DEMO, **COLUMNS, kinds="visit")
    with pytest.raises(InvalidInputError, match=r"more than the 100,000"):
        activity_report(native, DEMO, **COLUMNS, freq="D", end="2400-01-01")


def _broken() -> list[tuple[str, str, pd.DataFrame]]:
    """Activities each with one kind of problem: the message's text, how the engine
    names the rows, and the activities."""
    activities = _activities()
    first_call = int(np.flatnonzero(activities["type"] == "call")[0])  # Ann's, row 0
    unnamed = activities.copy()
    unnamed.loc[[3, 8], "type"] = None
    unknown = activities.copy()
    unknown.loc[[5, 9], "type"] = ["Call", "lunch"]
    undated = activities.copy()
    undated.loc[first_call, "at"] = pd.NaT
    anonymous = activities.copy()
    anonymous.loc[first_call, "rep"] = None
    return [
        ("type is missing for", r"2 rows \(for example rep='\w+', type=(None|nan)", unnamed),
        (
            "type must be one of 'call', 'visit', 'email', 'meeting', 'demo' (the canonical "
            "kinds and those with a target); not so for",
            # The rows in any order: an engine's rows have none.
            r"2 rows \(for example (?=.*rep='\w+', type='Call', at=Timestamp\()(?=.*type='lunch')",
            unknown,
        ),
        ("at is missing for", r"1 row \(for example rep='Ann', type='call', at=", undated),
        ("rep is missing for", r"1 row \(for example rep=(None|nan), type='call'", anonymous),
    ]


TARGETS = {"call": 2, "demo": 1}


@pytest.mark.parametrize("engine", ["polars", "polars-lazy", "duckdb"], indirect=True)
def test_refusals_name_the_rows(engine: str) -> None:
    for text, rows, activities in _broken():
        with pytest.raises(InvalidInputError, match=re.escape(text) + " " + rows):
            activity_report(to_engine(activities, engine), TARGETS, **COLUMNS)
    strangers = PER_SELLER.drop(index=["Cy"])
    with pytest.raises(
        InvalidInputError,
        match=r"targets has no row for the rep of \d+ rows \(for example rep='Cy', type=",
    ):
        activity_report(to_engine(_activities(), engine), strangers, **COLUMNS)


@pytest.mark.parametrize("engine", ["dask", "spark"], indirect=True)
def test_refusals_name_the_rows_on_a_cluster(engine: str) -> None:
    text, rows, activities = _broken()[1]
    with pytest.raises(InvalidInputError, match=re.escape(text) + " " + rows):
        activity_report(to_engine(activities, engine), TARGETS, **COLUMNS)


def test_the_pandas_path_refuses_the_same_rows() -> None:
    # The engine refusals above mirror these: the same checks and message texts; pandas
    # names the rows by their index labels.
    labels = [r"2 rows: 3, 8$", r"2 rows: 5 \('Call'\), 9 \('lunch'\)$", r"1 row: 0$", r"1 row: 0$"]
    for (text, _, activities), shown in zip(_broken(), labels, strict=True):
        with pytest.raises(InvalidInputError, match=re.escape(text) + " " + shown):
            activity_report(activities, TARGETS, **COLUMNS)
    strangers = PER_SELLER.drop(index=["Cy"])
    with pytest.raises(InvalidInputError, match=r"targets has no row for the rep of \d+ rows: "):
        activity_report(_activities(), strangers, **COLUMNS)


def test_what_an_engine_cannot_read_is_refused_as_in_pandas() -> None:
    pl = pytest.importorskip("polars")
    activities = _activities().head(20)
    # Kinds by number: no number reads as a kind, in pandas or in the engine.
    coded = activities.assign(type=np.arange(20) % 3)
    for frame in (coded, pl.from_pandas(coded)):
        with pytest.raises(InvalidInputError, match=r"type must be one of .* not so for 20 rows"):
            activity_report(frame, {"call": 1}, **COLUMNS)
    # ... and missing first.
    coded = activities.assign(type=pd.array([None] + [1] * 19, dtype="Int64"))
    for frame in (coded, pl.from_pandas(coded)):
        with pytest.raises(InvalidInputError, match=r"type is missing for 1 row"):
            activity_report(frame, {"call": 1}, **COLUMNS)


# ------------------------------------------------------------------ random activities


@settings(max_examples=min(settings().max_examples, 60), deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["Ann", "Bo", "Cy", None]),
            st.sampled_from(["call", "visit", "email", "demo"]),
            st.one_of(st.none(), st.integers(-400, 400)),  # day after 2024-01-01
        ),
        max_size=40,
    ),
    freq=st.sampled_from(["D", "W", "M", "Q"]),
    bounds=st.sampled_from([{}, {"start": "2024-02-01"}, {"end": "2024-06-30"}]),
    per_seller=st.booleans(),
)
def test_random_activities_equal_the_pandas_path(
    rows: list[tuple[str | None, str, int | None]],
    freq: str,
    bounds: dict[str, str],
    per_seller: bool,
) -> None:
    # Oracle: the pandas path (whose own tests count against the rows), with the
    # sellers sorted as on an engine; an error must be the same error.
    pl = pytest.importorskip("polars")
    days = pd.to_timedelta([np.nan if row[2] is None else row[2] for row in rows], "D")
    activities = pd.DataFrame(
        {
            "owner": pd.Series([row[0] for row in rows], dtype=object),
            "kind": pd.Series([row[1] for row in rows], dtype=object),
            "date": pd.DatetimeIndex(pd.Timestamp("2024-01-01") + days, dtype="datetime64[ns]"),
        }
    )
    targets: Any = (
        pd.DataFrame({"call": [3.0, 1.0]}, index=["Bo", "Ann"])
        if per_seller
        else {"call": 3, "demo": 0}
    )
    try:
        want = activity_report(activities, targets, freq=freq, **bounds)
    except InvalidInputError as error:
        text = str(error).split(" for ")[0]
        with pytest.raises(InvalidInputError) as caught:
            activity_report(pl.from_pandas(activities), targets, freq=freq, **bounds)
        assert str(caught.value).split(" for ")[0] == text
        return
    if not per_seller:
        owners = want.index.get_level_values("owner").unique()
        want = want.loc[sorted(owners)] if len(want) else want
    _assert_equal(activity_report(pl.from_pandas(activities), targets, freq=freq, **bounds), want)
