"""Tests of salescore.leads.sources: seed figures, worked tables, properties, validation."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore import IndexMismatchError, InvalidInputError, SchemaError
from salescore.leads.sources import (
    ChannelEffectiveness,
    EmailEngagement,
    channel_effectiveness,
    email_engagement,
    source_performance,
)

from . import strategies as sst

# ----------------------------------------------------------------- golden figures


def test_seed_002_phone_yields_more_per_attempt_than_email() -> None:
    # Nutshell's article on sales metrics: email reaches 40 % and 2 % of those convert;
    # phone reaches 10 % and nearly all (taken as 100 %) buy. With 1,000 attempts each:
    # email 400 contacts, 8 sales; phone 100 contacts, 100 sales. Yield
    # 0.4 × 0.02 = 0.8 % vs 0.1 × 1 = 10 %.
    channels = pd.Index(["email", "phone"], name="channel")
    result = channel_effectiveness(
        pd.Series([1_000, 1_000], index=channels),
        pd.Series([400, 100], index=channels),
        pd.Series([8, 100], index=channels),
    )
    assert result.contact_rate.tolist() == [0.4, 0.1]
    assert result.conversion_rate.tolist() == [0.02, 1.0]
    assert result.yield_per_attempt.tolist() == [0.008, 0.1]
    assert result.yield_per_attempt.idxmax() == "phone"
    # Email reaches four times as many people, yet the phone wins 12.5 times as many.
    assert result.contact_rate["email"] / result.contact_rate["phone"] == pytest.approx(4.0)
    ratio = result.yield_per_attempt["phone"] / result.yield_per_attempt["email"]
    assert ratio == pytest.approx(12.5)
    frame = result.to_frame()
    assert list(frame.columns) == ["contact_rate", "conversion_rate", "yield_per_attempt"]
    assert frame.index.equals(channels)
    assert frame.loc["email", "yield_per_attempt"] == 0.008


def test_email_engagement_by_hand() -> None:
    # By hand: 2,000 sent, 500 opened, 50 clicked → open 500/2000 = 0.25,
    # click 50/2000 = 0.025, click-to-open 50/500 = 0.1.
    result = email_engagement(2_000, 500, 50)
    assert (result.open_rate, result.click_rate, result.click_to_open_rate) == (0.25, 0.025, 0.1)
    # A second campaign: 1,000 sent, 100 opened (10 %: work on the subject line),
    # 30 clicked (3 % of sent, 30 % of opens: the content works for those who read it).
    both = email_engagement([2_000, 1_000], [500, 100], [50, 30])
    np.testing.assert_allclose(both.open_rate, [0.25, 0.1], rtol=1e-15)
    np.testing.assert_allclose(both.click_rate, [0.025, 0.03], rtol=1e-15)
    np.testing.assert_allclose(both.click_to_open_rate, [0.1, 0.3], rtol=1e-15)


def test_degenerate_counts_give_nan_without_warnings() -> None:
    # filterwarnings = error turns any RuntimeWarning of 0/0 into a failure.
    nothing = channel_effectiveness(0, 0, 0)
    assert all(math.isnan(rate) for rate in attrs.astuple(nothing))
    unreached = channel_effectiveness([50], [0], [0])
    assert unreached.contact_rate.tolist() == [0.0]
    assert math.isnan(unreached.conversion_rate[0])
    assert unreached.yield_per_attempt.tolist() == [0.0]  # defined: no one was won
    unopened = email_engagement(400, 0, 0)
    assert (unopened.open_rate, unopened.click_rate) == (0.0, 0.0)
    assert math.isnan(unopened.click_to_open_rate)


def test_nan_counts_propagate_to_the_rates_they_enter() -> None:
    result = channel_effectiveness(np.array([100.0, 100.0]), np.array([np.nan, 10.0]), 5.0)
    assert np.isnan(result.contact_rate[0])
    assert np.isnan(result.conversion_rate[0])
    assert result.yield_per_attempt[0] == 0.05  # 5 / 100 does not involve contacts
    assert result.contact_rate[1] == 0.1
    engagement = email_engagement(float("nan"), 10, 1)
    assert math.isnan(engagement.open_rate)
    assert math.isnan(engagement.click_rate)
    assert engagement.click_to_open_rate == 0.1


def _eight_leads() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lead_id": [f"L{i}" for i in range(1, 9)],
            "source": [
                "Google ads",
                "Facebook",
                "Google ads",
                "Referral",
                "Facebook",
                "Google ads",
                "Facebook",
                "Facebook",
            ],
            "owner": ["Ann", "Bo", "Ann", "Bo", "Ann", "Bo", "Ann", "Bo"],
            "created": pd.to_datetime(
                [
                    "2024-01-03",
                    "2024-01-07",
                    "2024-01-15",
                    "2024-01-22",
                    "2024-02-02",
                    "2024-02-10",
                    "2024-02-18",
                    "2024-02-27",
                ]
            ),
            "converted": [True, False, False, True, True, True, False, False],
            # L2 did not convert: its unknown amount must not reach Facebook's revenue.
            "value": [1_200.0, np.nan, 0.0, 3_000.0, 400.0, 900.0, 0.0, 0.0],
        }
    )


def test_source_performance_by_hand() -> None:
    table = source_performance(_eight_leads(), value="value")
    # By hand, sources in order of first appearance:
    # Google ads: L1, L3, L6 → 3 leads, 2 won (L1, L6), 1,200 + 900 = 2,100, 700 per lead;
    # Facebook: L2, L5, L7, L8 → 4 leads, 1 won (L5), 400, 100 per lead;
    # Referral: L4 → 1 lead, 1 won, 3,000.
    assert table.index.name == "source"
    assert table.index.tolist() == ["Google ads", "Facebook", "Referral"]
    assert table["leads"].tolist() == [3, 4, 1]
    assert table["conversions"].tolist() == [2, 1, 1]
    np.testing.assert_allclose(table["conversion_rate"], [2 / 3, 0.25, 1.0], rtol=1e-15)
    assert table["revenue"].tolist() == [2_100.0, 400.0, 3_000.0]
    assert table["revenue_per_lead"].tolist() == [700.0, 100.0, 3_000.0]
    assert table["leads"].dtype == np.int64
    assert table["conversions"].dtype == np.int64
    # Totals: 8 leads, 4 won, 5,500.
    assert table[["leads", "conversions"]].sum().tolist() == [8, 4]
    assert table["revenue"].sum() == 5_500.0


def test_source_performance_by_month_by_hand() -> None:
    table = source_performance(_eight_leads(), value="value", freq="M")
    # January: Google ads L1 (won, 1,200), L3 → 2 leads, 1 won; Facebook L2 → 1, 0;
    # Referral L4 → 1, 1, 3,000. February: Facebook L5 (won, 400), L7, L8 → 3, 1;
    # Google ads L6 → 1, 1, 900. Periods in time order, sources by first appearance.
    assert table.index.names == ["source", "period"]
    assert [(s, str(p)) for s, p in table.index] == [
        ("Google ads", "2024-01"),
        ("Facebook", "2024-01"),
        ("Referral", "2024-01"),
        ("Facebook", "2024-02"),
        ("Google ads", "2024-02"),
    ]
    assert table["leads"].tolist() == [2, 1, 1, 3, 1]
    assert table["conversions"].tolist() == [1, 0, 1, 1, 1]
    np.testing.assert_allclose(table["conversion_rate"], [0.5, 0.0, 1.0, 1 / 3, 1.0])
    assert table["revenue"].tolist() == [1_200.0, 0.0, 3_000.0, 400.0, 900.0]
    np.testing.assert_allclose(table["revenue_per_lead"], [600.0, 0.0, 3_000.0, 400 / 3, 900.0])
    assert isinstance(table.index.get_level_values("period"), pd.PeriodIndex)


def test_source_performance_other_names_and_flag_dtypes() -> None:
    leads = _eight_leads().rename(
        columns={"source": "LeadSource", "converted": "IsConverted", "lead_id": "Id"}
    )
    expected = [2, 1, 1]
    for flags in (
        leads["IsConverted"].astype(int),
        leads["IsConverted"].astype(float),
        leads["IsConverted"].astype("boolean"),
        leads["IsConverted"].astype("Int64"),
        leads["IsConverted"].astype(object).where(leads.index != 0, 1),  # True and 1 mixed
        pd.Categorical(leads["IsConverted"]),
    ):
        table = source_performance(
            leads.assign(IsConverted=flags),
            source="LeadSource",
            converted="IsConverted",
            lead_id="Id",
        )
        assert table.index.name == "LeadSource"
        assert table["conversions"].tolist() == expected
        assert table["conversions"].dtype == np.int64


def test_source_performance_keeps_missing_sources_and_propagates_revenue_nan() -> None:
    leads = _eight_leads()
    leads.loc[3, "source"] = None  # the referral lead L4 has no source
    leads.loc[5, "value"] = np.nan  # a converted Google ads lead with an unknown amount
    table = source_performance(leads, value="value")
    assert table["leads"].sum() == 8
    missing = table[table.index.isna()]
    assert missing["leads"].tolist() == [1]
    assert missing["revenue"].tolist() == [3_000.0]
    assert table[["revenue", "revenue_per_lead"]].loc["Google ads"].isna().all()
    assert table.loc["Google ads", "conversions"] == 2  # still counted
    assert table.loc["Facebook", "revenue"] == 400.0  # other groups unaffected


def test_source_performance_local_calendar_categories_and_repeated_index() -> None:
    leads = pd.DataFrame(
        {
            "source": pd.Categorical(["web", "fair", "web"], categories=["web", "fair", "ads"]),
            "converted": [True, False, False],
            "created": pd.to_datetime(
                ["2024-01-31 23:30", "2024-02-01 00:00", "2024-02-01 10:00"]
            ).tz_localize("Europe/Oslo"),
        },
        index=pd.Index([7, 7, 8]),
    )
    before = leads.copy()
    table = source_performance(leads, freq="M", lead_id=None)
    # The unused category "ads" gets no row; 23:30 on 31 January is January locally.
    assert [(s, str(p)) for s, p in table.index] == [
        ("web", "2024-01"),
        ("fair", "2024-02"),
        ("web", "2024-02"),
    ]
    assert table["conversions"].tolist() == [1, 0, 0]
    pd.testing.assert_frame_equal(leads, before)


def test_source_performance_on_an_empty_frame() -> None:
    empty = _eight_leads().iloc[:0]
    table = source_performance(empty, value="value")
    assert table.empty
    assert list(table.columns) == [
        "leads",
        "conversions",
        "conversion_rate",
        "revenue",
        "revenue_per_lead",
    ]
    assert table["leads"].dtype == np.int64
    by_month = source_performance(empty, freq="Q")
    assert by_month.empty
    assert by_month.index.names == ["source", "period"]


# --------------------------------------------------------------------- properties

# Each example draws a few dozen dependent counts, and the machines running the ci
# profile are slow: cap the examples (the dev profile's 50 are below the caps).
capped = settings(max_examples=min(settings().max_examples, 300))
heavy = settings(max_examples=min(settings().max_examples, 150))


def nested_counts(max_value: int = 10**6) -> st.SearchStrategy[tuple[int, int, int]]:
    """Three counts ``top >= middle >= bottom >= 0``, with the bounds drawn often."""

    def middle(top: int) -> st.SearchStrategy[tuple[int, int, int]]:
        return st.one_of(st.just(top), st.just(0), st.integers(0, top)).flatmap(
            lambda mid: st.one_of(st.just(mid), st.just(0), st.integers(0, mid)).map(
                lambda low: (top, mid, low)
            )
        )

    return sst.counts(max_value=max_value).flatmap(middle)


rows_of_counts = st.lists(nested_counts(), min_size=1, max_size=20)

FUNCTIONS: dict[str, Callable[..., Any]] = {
    "channel_effectiveness": channel_effectiveness,
    "email_engagement": email_engagement,
}


def _columns(rows: list[tuple[int, int, int]]) -> list[list[float]]:
    return [[float(value) for value in column] for column in zip(*rows, strict=True)]


def _rates(record: Any) -> list[Any]:
    return [getattr(record, field.name) for field in attrs.fields(type(record))]


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@capped
@given(rows=rows_of_counts)
def test_rates_are_fractions(name: str, rows: list[tuple[int, int, int]]) -> None:
    for rate in _rates(FUNCTIONS[name](*(np.array(c) for c in _columns(rows)))):
        known = rate[~np.isnan(rate)]
        assert ((known >= 0.0) & (known <= 1.0)).all()


@capped
@given(rows=rows_of_counts)
def test_yield_is_contact_rate_times_conversion_rate(rows: list[tuple[int, int, int]]) -> None:
    attempts, contacts, conversions = (np.array(c) for c in _columns(rows))
    result = channel_effectiveness(attempts, contacts, conversions)
    reached = contacts > 0
    np.testing.assert_allclose(
        result.yield_per_attempt[reached],
        result.contact_rate[reached] * result.conversion_rate[reached],
        rtol=1e-14,
    )
    # Without contacts there are no conversions: a yield of 0 where anything was tried.
    assert (result.yield_per_attempt[~reached & (attempts > 0)] == 0.0).all()
    assert np.isnan(result.yield_per_attempt[attempts == 0]).all()


@capped
@given(rows=rows_of_counts)
def test_click_rate_is_open_rate_times_click_to_open(rows: list[tuple[int, int, int]]) -> None:
    sent, opened, clicked = (np.array(c) for c in _columns(rows))
    result = email_engagement(sent, opened, clicked)
    some = opened > 0
    np.testing.assert_allclose(
        result.click_rate[some], result.open_rate[some] * result.click_to_open_rate[some]
    )
    np.testing.assert_array_equal(np.isnan(result.click_to_open_rate), ~some)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@capped
@given(rows=st.lists(nested_counts(10**5), min_size=1, max_size=10), k=st.integers(1, 1_000))
def test_scaling_every_count_changes_no_rate(
    name: str, rows: list[tuple[int, int, int]], k: int
) -> None:
    # Whole numbers below 2**53 multiply exactly, and (k·x)/(k·y) rounds the same real
    # number as x/y: the rates are equal to the last bit.
    function = FUNCTIONS[name]
    columns = _columns(rows)
    scaled = function(*(np.array(c) * k for c in columns))
    plain = function(*(np.array(c) for c in columns))
    for a, b in zip(_rates(scaled), _rates(plain), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@capped
@given(rows=rows_of_counts)
def test_vectorised_equals_a_plain_loop(name: str, rows: list[tuple[int, int, int]]) -> None:
    function = FUNCTIONS[name]
    vector = _rates(function(*(np.array(c) for c in _columns(rows))))

    def ratio(x: int, y: int) -> float:
        return x / y if y else math.nan

    if name == "channel_effectiveness":
        loop = [[ratio(c, a), ratio(k, c), ratio(k, a)] for a, c, k in rows]
    else:
        loop = [[ratio(o, s), ratio(k, s), ratio(k, o)] for s, o, k in rows]
    np.testing.assert_allclose(np.column_stack(vector), np.array(loop), rtol=1e-15)
    # One scalar call per row gives the same numbers, as Python floats.
    for position, row in enumerate(rows):
        single = _rates(function(*row))
        assert all(type(rate) is float for rate in single)
        np.testing.assert_allclose(single, loop[position], rtol=1e-15)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@pytest.mark.parametrize("kind", sst.KINDS)
@heavy
@given(rows=rows_of_counts)
def test_container_kinds(name: str, kind: sst.Kind, rows: list[tuple[int, int, int]]) -> None:
    columns = _columns(rows)
    index = pd.Index([f"c{len(rows) - i}" for i in range(len(rows))], name="channel")
    arguments = [sst.as_kind(column, kind, index=index) for column in columns]
    before = [a.copy() if isinstance(a, (np.ndarray, pd.Series)) else a for a in arguments]
    record = FUNCTIONS[name](*arguments)
    reference = _rates(FUNCTIONS[name](*(np.array(c) for c in columns)))
    frame = record.to_frame()
    for rate, want in zip(_rates(record), reference, strict=True):
        if kind == "scalar":
            assert type(rate) is float
            np.testing.assert_equal(rate, want[0])
        elif kind == "ndarray":
            assert isinstance(rate, np.ndarray)
            assert rate.dtype == np.float64
            assert not any(np.shares_memory(rate, a) for a in arguments)
            np.testing.assert_array_equal(rate, want)
        else:
            assert isinstance(rate, pd.Series)
            assert rate.dtype == np.float64
            assert rate.index.equals(index)
            np.testing.assert_array_equal(rate.to_numpy(), want)
    for original, now in zip(before, arguments, strict=True):
        if isinstance(original, pd.Series):
            pd.testing.assert_series_equal(now, original)
        elif isinstance(original, np.ndarray):
            np.testing.assert_array_equal(now, original)
    expected_index = (
        index if kind == "series" else pd.RangeIndex(1 if kind == "scalar" else len(rows))
    )
    assert frame.index.equals(expected_index)
    assert (frame.dtypes == np.float64).all()
    assert list(frame.columns) == [field.name for field in attrs.fields(type(record))]


SOURCES = ["Google ads", "Facebook", "Referral", None]
MONTHS = pd.to_datetime(["2024-01-10", "2024-02-10", "2024-03-10"])
Lead = tuple[Any, int, bool, float]


def _leads(rows: list[Lead]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lead_id": [f"L{i}" for i in range(len(rows))],
            "source": pd.Series([row[0] for row in rows], dtype=object),
            "created": MONTHS[[row[1] for row in rows]],
            "converted": [row[2] for row in rows],
            "value": [row[3] for row in rows],
        }
    )


lead_rows = st.lists(
    st.tuples(
        st.sampled_from(SOURCES),
        st.integers(0, 2),
        st.booleans(),
        sst.nonnegative_money(max_value=1e6),
    ),
    max_size=30,
)


@heavy
@given(rows=lead_rows, by_month=st.booleans())
def test_source_performance_equals_a_plain_loop(rows: list[Lead], by_month: bool) -> None:
    table = source_performance(_leads(rows), value="value", freq="M" if by_month else None)
    expected: dict[tuple[Any, ...], list[float]] = {}
    for source, month, converted, value in rows:
        key = (source, str(MONTHS[month].to_period("M"))) if by_month else (source,)
        figures = expected.setdefault(key, [0, 0, 0.0])
        figures[0] += 1
        figures[1] += int(converted)
        figures[2] += value if converted else 0.0
    got: dict[tuple[Any, ...], list[float]] = {}
    for label, row in table.iterrows():
        parts = label if isinstance(label, tuple) else (label,)
        found = tuple(None if part is None or part != part else str(part) for part in parts)
        got[found] = [row["leads"], row["conversions"], row["revenue"]]
        assert row["conversion_rate"] == pytest.approx(row["conversions"] / row["leads"])
        assert 0.0 <= row["conversion_rate"] <= 1.0
        assert row["revenue_per_lead"] == pytest.approx(row["revenue"] / row["leads"])
    assert got.keys() == expected.keys()
    for key, (leads, conversions, revenue) in expected.items():
        assert got[key][:2] == [leads, conversions]
        assert got[key][2] == pytest.approx(revenue, rel=1e-12, abs=1e-6)
    if by_month:
        periods = table.index.get_level_values("period")
        assert periods.is_monotonic_increasing


@heavy
@given(rows=lead_rows)
def test_source_performance_parts_add_up_to_the_whole(rows: list[Lead]) -> None:
    leads = _leads(rows)
    before = leads.copy()
    by_source = source_performance(leads, value="value")
    by_month = source_performance(leads, value="value", freq="M")
    pd.testing.assert_frame_equal(leads, before)
    won = sum(value for _, _, converted, value in rows if converted)
    for table in (by_source, by_month):
        assert table["leads"].sum() == len(rows)
        assert table["conversions"].sum() == sum(row[2] for row in rows)
        assert table["revenue"].sum() == pytest.approx(won, rel=1e-12, abs=1e-6)
    # Each source's months add up to the source.
    monthly = by_month.groupby(level="source", sort=False, dropna=False)[
        ["leads", "conversions"]
    ].sum()
    for source in by_source.index:
        mask = monthly.index.isna() if pd.isna(source) else monthly.index == source
        assert (
            monthly[mask].iloc[0].tolist()
            == by_source.loc[[source], ["leads", "conversions"]].iloc[0].tolist()
        )


# --------------------------------------------------------------------- validation


def _bad(value: object) -> Any:
    """A value of the wrong type, passed on purpose."""
    return value


BAD_COUNTS = [
    (
        lambda: channel_effectiveness(100, 120, 1),
        r"contacts must be at most attempts; got contacts 120.0 > attempts 100.0",
    ),
    (
        lambda: channel_effectiveness(100, 10, 11),
        r"conversions must be at most contacts; got conversions 11.0 > contacts 10.0",
    ),
    (
        lambda: channel_effectiveness([100, 100, 100], [10, 120, 130], 0),
        r"contacts must be at most attempts; 2 of 3 values are not \(0-based positions, "
        r"contacts > attempts: \[1\] 120.0 > 100.0, \[2\] 130.0 > 100.0\)",
    ),
    (
        lambda: channel_effectiveness(-1, 0, 0),
        r"attempts must be a whole number >= 0; got -1.0",
    ),
    (
        lambda: channel_effectiveness(10.5, 0, 0),
        r"attempts must be a whole number >= 0; got 10.5",
    ),
    (
        lambda: channel_effectiveness(np.array([10.0, 2.5, 3.0]), 0, 0),
        r"attempts must be a whole number >= 0; 1 of 3 values are not "
        r"\(0-based positions: \[1\] 2.5\)",
    ),
    (
        lambda: channel_effectiveness(math.inf, 0, 0),
        r"attempts must be a whole number >= 0; got inf",
    ),
    (
        lambda: channel_effectiveness(_bad(True), 0, 0),
        r"attempts must be a number; got the boolean True",
    ),
    (
        lambda: email_engagement(100, 101, 0),
        r"opened must be at most sent; got opened 101.0 > sent 100.0",
    ),
    (
        lambda: email_engagement(100, 10, 20),
        r"clicked must be at most opened; got clicked 20.0 > opened 10.0",
    ),
    (
        lambda: email_engagement(100, -10, 0),
        r"opened must be a whole number >= 0; got -10.0",
    ),
    (
        lambda: email_engagement(pd.Series([100, 100]), pd.Series([10, 10]), pd.Series([1, 0.5])),
        r"clicked must be a whole number >= 0; 1 of 2 values are not .*\[1\] 0.5",
    ),
    (
        lambda: email_engagement(_bad("100"), 10, 1),
        r"sent must be a number, .*got str",
    ),
]


@pytest.mark.parametrize(
    ("call", "message"), BAD_COUNTS, ids=[f"{i:02d}" for i in range(len(BAD_COUNTS))]
)
def test_bad_counts_are_named(call: Callable[[], object], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        call()


def test_series_on_different_indexes_are_refused() -> None:
    a = pd.Series([100, 100], index=["email", "phone"])
    b = pd.Series([40, 10], index=["phone", "email"])
    with pytest.raises(IndexMismatchError, match="attempts and contacts"):
        channel_effectiveness(a, b, 0)
    with pytest.raises(IndexMismatchError, match="sent and opened"):
        email_engagement(a, b, 0)


def test_records_are_frozen_validated_and_keyword_only() -> None:
    record = channel_effectiveness(1_000, 400, 8)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        record.contact_rate = 0.5  # type: ignore[misc]
    assert attrs.evolve(record, contact_rate=0.5).contact_rate == 0.5
    with pytest.raises(InvalidInputError, match=r"contact_rate must be a fraction in \[0, 1\]"):
        attrs.evolve(record, contact_rate=40.0)
    with pytest.raises(IndexMismatchError, match="open_rate and click_rate"):
        EmailEngagement(
            open_rate=pd.Series([0.1], index=["a"]),
            click_rate=pd.Series([0.1], index=["b"]),
            click_to_open_rate=pd.Series([1.0], index=["a"]),
        )
    with pytest.raises(TypeError):
        ChannelEffectiveness(0.1, 0.2, 0.02)  # type: ignore[call-arg]


def _source_table(**columns: Any) -> pd.DataFrame:
    """The eight leads with some columns replaced."""
    return _eight_leads().assign(**columns)


BAD_TABLES: list[tuple[Callable[[], object], type[Exception], str]] = [
    (
        lambda: source_performance(_eight_leads().drop(columns=["converted", "lead_id"])),
        SchemaError,
        r"leads: missing columns 'converted', 'lead_id'",
    ),
    (
        lambda: source_performance(_source_table(value=["x"] * 8), value="value"),
        SchemaError,
        r"'value' has dtype",
    ),
    (
        lambda: source_performance(_source_table(created=["2024-01-01"] * 8), freq="M"),
        SchemaError,
        r"leads: column 'created' must hold datetimes",
    ),
    (
        lambda: source_performance(
            _source_table(converted=["yes", False, True, 2, False, 0.5, True, False])
        ),
        InvalidInputError,
        r"converted must be True or False \(or 1 or 0\); not so for 3 leads: "
        r"'L1' \('yes'\), 'L4' \(2\), 'L6' \(0.5\)",
    ),
    (
        lambda: source_performance(
            _source_table(converted=[True, None, True, np.nan, True, False, False, False])
        ),
        InvalidInputError,
        r"converted is missing for 2 leads: 'L2', 'L4'; record False for leads not \(yet\) "
        r"converted",
    ),
    (
        lambda: source_performance(_source_table(lead_id=["L1", "L2", "L1"] + ["L9"] * 5)),
        InvalidInputError,
        r"lead_id must name each lead once .*; repeated for 7 leads: 'L1', 'L1', 'L9'",
    ),
    (
        lambda: source_performance(
            _source_table(value=[-5.0, -1.0, 0.0, math.inf, 1.0, 1.0, 1.0, 1.0]), value="value"
        ),
        InvalidInputError,
        # L2 did not convert: its value is not read, so not checked.
        r"value must be a finite number >= 0 on converted leads; not so for 2 leads: "
        r"'L1' \(-5.0\), 'L4' \(inf\)$",
    ),
    (
        lambda: source_performance(
            _source_table(created=_eight_leads()["created"].where(lambda d: d.dt.day != 3)),
            freq="M",
        ),
        InvalidInputError,
        r"created is missing for 1 lead: 'L1' \(a table by period",
    ),
    (
        lambda: source_performance(_eight_leads(), freq="ME"),
        InvalidInputError,
        r"freq must be a pandas period alias .*; got 'ME'",
    ),
    (
        lambda: source_performance(_eight_leads(), freq=_bad(3)),
        InvalidInputError,
        r"freq must be a pandas period alias",
    ),
    (
        lambda: source_performance(
            _eight_leads().rename(columns={"source": "period"}), source="period", freq="M"
        ),
        InvalidInputError,
        r"source must not be a column named 'period' when freq is given",
    ),
    (
        lambda: source_performance(_bad([1, 2])),
        SchemaError,
        r"leads must be a pandas DataFrame; got list",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "message"), BAD_TABLES, ids=[f"{i:02d}" for i in range(len(BAD_TABLES))]
)
def test_bad_tables_are_named(
    call: Callable[[], object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        call()


def test_table_errors_name_the_first_five_leads_and_how_many() -> None:
    with pytest.raises(InvalidInputError) as caught:
        source_performance(_source_table(converted=["no"] * 8))
    text = str(caught.value)
    assert "8 leads: 'L1' ('no'), 'L2' ('no'), 'L3' ('no'), 'L4' ('no'), 'L5' ('no'), …" in text
    assert "'L6'" not in text


def test_table_errors_name_leads_by_index_without_a_lead_id_column() -> None:
    leads = _eight_leads().drop(columns="lead_id").set_axis([f"crm-{i}" for i in range(8)])
    leads["converted"] = leads["converted"].astype(object).where(leads.index != "crm-6", None)
    with pytest.raises(InvalidInputError, match=r"converted is missing for 1 lead: 'crm-6'"):
        source_performance(leads, lead_id=None)


@pytest.mark.parametrize(
    ("option", "bad"),
    [
        ("source", None),
        ("source", pd.NA),
        ("converted", ["converted"]),
        ("created", 1),
        ("value", pd.NA),
        ("lead_id", ["lead_id"]),
    ],
)
def test_column_options_must_be_names(option: str, bad: Any) -> None:
    with pytest.raises(InvalidInputError, match=rf"^{option} must be a column name"):
        source_performance(_eight_leads(), **{option: bad})


def test_revenue_beyond_float_range_is_refused() -> None:
    # Eight converted leads of 1e308 each: a source's revenue (3 or 4 of them) is beyond
    # float range.
    leads = _eight_leads().assign(converted=True, value=1e308)
    with pytest.raises(InvalidInputError, match="float range"):
        source_performance(leads, value="value")


def test_rate_records_hold_floats_in_their_containers() -> None:
    # pd.NA is an unknown rate (NaN), a list a float64 array and a 0-d array a float,
    # as the formula functions return them; the record then reads back as a frame.
    fields: dict[str, Any] = {
        "contact_rate": pd.NA,
        "conversion_rate": [0.5, 0.25],
        "yield_per_attempt": np.array(0.5),
    }
    record: ChannelEffectiveness[Any] = ChannelEffectiveness(**fields)
    assert math.isnan(record.contact_rate)
    assert isinstance(record.conversion_rate, np.ndarray)
    assert record.yield_per_attempt == 0.5
    np.testing.assert_array_equal(
        record.to_frame().to_numpy(), [[np.nan, 0.5, 0.5], [np.nan, 0.25, 0.5]]
    )
    unknown: dict[str, Any] = dict.fromkeys(
        ("open_rate", "click_rate", "click_to_open_rate"), pd.NA
    )
    engagement: EmailEngagement[Any] = EmailEngagement(**unknown)
    assert engagement.to_frame().isna().all(axis=None)
