"""Tests of the cohort tables: cohort_retention, retention_by_period, usage_summary."""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore import InvalidInputError, SchemaError
from salescore.retention import _log as cohorts_module
from salescore.retention.cohorts import cohort_retention, retention_by_period
from salescore.retention.usage import usage_summary

NAN = math.nan

# ------------------------------------------------------------ a worked log by hand


def _log() -> pd.DataFrame:
    """Six customers over January–April 2024; c2 buys twice in January."""
    rows = [
        ("c1", "2024-01-03", 100.0),
        ("c2", "2024-01-10", 200.0),
        ("c2", "2024-01-25", 20.0),
        ("c3", "2024-01-31", 50.0),
        ("c1", "2024-02-14", 50.0),
        ("c4", "2024-02-02", 80.0),
        ("c5", "2024-02-20", 120.0),
        ("c2", "2024-03-05", 40.0),
        ("c4", "2024-03-15", 60.0),
        ("c6", "2024-03-30", 90.0),
        ("c1", "2024-04-01", 30.0),
        ("c4", "2024-04-11", 20.0),
        ("c6", "2024-04-30", 10.0),
    ]
    customer, date, amount = zip(*rows, strict=True)
    return pd.DataFrame(
        {"customer_id": customer, "date": pd.to_datetime(list(date)), "amount": amount},
        index=pd.RangeIndex(100, 100 + len(rows)),
    )


# Months active (by hand, from _log):
#   c1: Jan Feb . Apr     cohort Jan      c4: . Feb Mar Apr   cohort Feb
#   c2: Jan . Mar .       cohort Jan      c5: . Feb . .       cohort Feb
#   c3: Jan . . .         cohort Jan      c6: . . Mar Apr     cohort Mar
# No one's first purchase is in April, so the April cohort is empty.


def test_cohort_customers_by_hand() -> None:
    table = cohort_retention(_log())
    assert isinstance(table.index, pd.PeriodIndex)
    assert table.index.name == "cohort"
    assert [str(p) for p in table.index] == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert table.columns.name == "age"
    np.testing.assert_array_equal(table.columns, [0, 1, 2, 3])
    # Jan cohort {c1, c2, c3}: age 1 (Feb) c1 → 1/3; age 2 (Mar) c2 → 1/3; age 3 (Apr) c1.
    # Feb cohort {c4, c5}: Mar c4 → 1/2; Apr c4 → 1/2; age 3 would be May: not observed.
    # Mar cohort {c6}: Apr c6 → 1. Apr cohort: no customers, 0/0.
    expected = [
        [1.0, 1 / 3, 1 / 3, 1 / 3],
        [1.0, 0.5, 0.5, NAN],
        [1.0, 1.0, NAN, NAN],
        [NAN, NAN, NAN, NAN],
    ]
    np.testing.assert_allclose(table.to_numpy(), expected, rtol=1e-15)
    assert (table.dtypes == np.float64).all()


def test_cohort_revenue_by_hand() -> None:
    table = cohort_retention(_log(), amount="amount", measure="revenue")
    # Jan cohort age 0: 100 + 200 + 20 + 50 = 370; then c1's 50 (Feb), c2's 40 (Mar),
    # c1's 30 (Apr). Feb cohort: 80 + 120 = 200, then c4's 60 and 20. Mar cohort: 90,
    # then c6's 10. The empty April cohort has no revenue: 0/0.
    expected = [
        [1.0, 50 / 370, 40 / 370, 30 / 370],
        [1.0, 60 / 200, 20 / 200, NAN],
        [1.0, 10 / 90, NAN, NAN],
        [NAN, NAN, NAN, NAN],
    ]
    np.testing.assert_allclose(table.to_numpy(), expected, rtol=1e-15)
    amounts = cohort_retention(_log(), amount="amount", measure="revenue", normalize=False)
    np.testing.assert_array_equal(
        amounts.to_numpy(),
        [
            [370.0, 50.0, 40.0, 30.0],
            [200.0, 60.0, 20.0, NAN],
            [90.0, 10.0, NAN, NAN],
            [0.0, NAN, NAN, NAN],
        ],
    )


def test_cohort_counts_observed_to_an_explicit_end() -> None:
    table = cohort_retention(_log(), normalize=False, end=pd.Period("2024-06", "M"))
    # Observed to June: the cohorts of May and June exist (empty), and the Jan cohort is
    # seen to age 5 (June); nobody bought in May or June, so those cells are 0, not NaN.
    expected = [
        [3.0, 1.0, 1.0, 1.0, 0.0, 0.0],
        [2.0, 1.0, 1.0, 0.0, 0.0, NAN],
        [1.0, 1.0, 0.0, 0.0, NAN, NAN],
        [0.0, 0.0, 0.0, NAN, NAN, NAN],
        [0.0, 0.0, NAN, NAN, NAN, NAN],
        [0.0, NAN, NAN, NAN, NAN, NAN],
    ]
    np.testing.assert_array_equal(table.to_numpy(), expected)
    same = cohort_retention(_log(), normalize=False, end="2024-06-30")
    pd.testing.assert_frame_equal(table, same)


def test_retention_by_period_by_hand() -> None:
    table = retention_by_period(_log())
    # Active: Jan {c1 c2 c3}, Feb {c1 c4 c5}, Mar {c2 c4 c6}, Apr {c1 c4 c6}.
    # Feb: start 3; retained c1; lost c2, c3; new c4, c5.
    # Mar: start 3; retained c4; lost c1, c5; new c6; reactivated c2 (Jan, not Feb).
    # Apr: start 3; retained c4, c6; lost c2; reactivated c1 (Jan/Feb, not Mar).
    assert [str(p) for p in table.index] == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert table.index.name == "period"
    counts = table[["start", "retained", "lost", "new", "reactivated", "active"]]
    assert (counts.dtypes == np.int64).all()
    assert counts.to_numpy().tolist() == [
        [0, 0, 0, 3, 0, 3],
        [3, 1, 2, 2, 0, 3],
        [3, 1, 2, 1, 1, 3],
        [3, 2, 1, 0, 1, 3],
    ]
    np.testing.assert_allclose(table["retention_rate"], [NAN, 1 / 3, 1 / 3, 2 / 3])
    np.testing.assert_allclose(table["churn_rate"], [NAN, 2 / 3, 2 / 3, 1 / 3])


def test_retention_by_period_to_an_explicit_end() -> None:
    table = retention_by_period(_log(), end="2024-06")
    # May: April's three buyers are lost; June starts from May's nobody: 0/0.
    may, june = table.iloc[4], table.iloc[5]
    assert [may["start"], may["lost"], may["active"]] == [3, 3, 0]
    assert june["start"] == 0
    assert math.isnan(june["churn_rate"])


def _logins() -> pd.DataFrame:
    """Logins: a 3, b 1 in Jan; a 2, c 1, d 5 in Feb; b 4, d 1 in Mar."""
    rows = [("a", "2024-01-02")] * 3 + [("b", "2024-01-20")]
    rows += [("a", "2024-02-03"), ("a", "2024-02-10"), ("c", "2024-02-11")]
    rows += [("d", f"2024-02-{day:02d}") for day in range(12, 17)]
    rows += [("b", f"2024-03-0{day}") for day in range(1, 5)] + [("d", "2024-03-31")]
    customer, date = zip(*rows, strict=True)
    return pd.DataFrame({"customer_id": customer, "date": pd.to_datetime(list(date))})


def test_usage_summary_by_hand() -> None:
    table = usage_summary(_logins())
    # Base = customers seen so far: Jan {a b} 2, Feb {a b c d} 4, Mar 4.
    # Active: Jan a, b (2); Feb a, c, d (3); Mar b, d (2).
    # Events: Jan 3 + 1 = 4; Feb 2 + 1 + 5 = 8; Mar 4 + 1 = 5.
    # Per active customer: Jan {3, 1} mean 2, median 2; Feb {2, 1, 5} mean 8/3,
    # median 2; Mar {4, 1} mean 2.5, median 2.5.
    assert table[["customers", "active", "events"]].to_numpy().tolist() == [
        [2, 2, 4],
        [4, 3, 8],
        [4, 2, 5],
    ]
    np.testing.assert_allclose(table["share_active"], [1.0, 3 / 4, 2 / 4])
    np.testing.assert_allclose(table["mean_per_active"], [2.0, 8 / 3, 2.5])
    np.testing.assert_allclose(table["median_per_active"], [2.0, 2.0, 2.5])


def test_usage_summary_against_a_customer_list() -> None:
    # Six customers on the books, e and f never logged in: 2/6, 3/6, 2/6.
    listed = usage_summary(_logins(), customers=pd.Index(list("abcdef")), end="2024-04")
    np.testing.assert_allclose(listed["share_active"], [2 / 6, 3 / 6, 2 / 6, 0.0])
    assert listed["customers"].tolist() == [6] * 4
    # April: nobody active, no events per active customer.
    assert np.isnan(listed.loc["2024-04", ["mean_per_active", "median_per_active"]]).all()
    repeated = usage_summary(_logins(), customers=["a", "b", "a", "c", "d", "e", "f"])
    assert repeated["customers"].tolist() == [6] * 3
    as_set = usage_summary(_logins(), customers=set("abcdef"))
    as_series = usage_summary(_logins(), customers=pd.Series(list("abcdef"), index=[9] * 6))
    pd.testing.assert_frame_equal(as_set, repeated)
    pd.testing.assert_frame_equal(as_series, repeated)


# ------------------------------------------------------------- edge cases


def test_time_zone_aware_dates_use_the_local_calendar() -> None:
    # 00:30 on 1 February in Stockholm is 23:30 on 31 January in UTC: it is February.
    log = pd.DataFrame(
        {
            "customer_id": ["a", "a"],
            "date": pd.to_datetime(["2024-01-15 12:00", "2024-02-01 00:30"]).tz_localize(
                "Europe/Stockholm"
            ),
        }
    )
    table = retention_by_period(log)
    assert [str(p) for p in table.index] == ["2024-01", "2024-02"]
    assert table["retained"].tolist() == [0, 1]
    assert cohort_retention(log, end="2024-02-01").shape == (2, 2)


def test_a_missing_amount_reaches_its_cell_only() -> None:
    log = _log()
    log.loc[107, "amount"] = NAN  # c2's March purchase: Jan cohort, age 2
    table = cohort_retention(log, amount="amount", measure="revenue")
    january = table.to_numpy()[0]
    assert math.isnan(january[2])
    assert january[1] == pytest.approx(50 / 370)
    log.loc[105, "amount"] = NAN  # c4's February purchase: Feb cohort at age 0
    table = cohort_retention(log, amount="amount", measure="revenue")
    assert table.loc["2024-02"].isna().all()


def test_zero_first_revenue_gives_nan_not_inf() -> None:
    log = pd.DataFrame(
        {
            "customer_id": ["a", "a"],
            "date": pd.to_datetime(["2024-01-01", "2024-02-01"]),
            "amount": [0.0, 10.0],
        }
    )
    table = cohort_retention(log, amount="amount", measure="revenue")
    assert table.loc["2024-01"].isna().all()
    # A zero-amount purchase still makes the customer active.
    assert cohort_retention(log).to_numpy()[0].tolist() == [1.0, 1.0]


def test_empty_log() -> None:
    empty = _log().iloc[:0]
    table = cohort_retention(empty)
    assert table.shape == (0, 0)
    assert isinstance(table.index, pd.PeriodIndex)
    assert retention_by_period(empty).shape == (0, 8)
    assert usage_summary(empty, freq="W").shape == (0, 6)


def test_other_names_other_index_and_no_mutation() -> None:
    log = _log().rename(columns={"customer_id": "who", "date": "when", "amount": "paid"})
    log.index = ["x"] * len(log)  # repeated labels must not matter
    before = log.copy()
    table = cohort_retention(log, customer="who", date="when", amount="paid", measure="revenue")
    pd.testing.assert_frame_equal(log, before)
    expected = cohort_retention(_log(), amount="amount", measure="revenue")
    pd.testing.assert_frame_equal(table, expected)
    counts = retention_by_period(log, customer="who", date="when", freq="Q")
    assert counts["active"].tolist() == [6, 3]  # Q1 all six; Q2 c1, c4, c6


def test_sorting_path_agrees_with_the_dense_path(monkeypatch: pytest.MonkeyPatch) -> None:
    dense = (cohort_retention(_log()), retention_by_period(_log()), usage_summary(_logins()))
    monkeypatch.setattr(cohorts_module, "_DENSE_MAX_CELLS", 0)
    pd.testing.assert_frame_equal(cohort_retention(_log()), dense[0])
    pd.testing.assert_frame_equal(retention_by_period(_log()), dense[1])
    pd.testing.assert_frame_equal(usage_summary(_logins()), dense[2])


# -------------------------------------------------------------- validation


def _with(cells: dict[tuple[int, str], Any]) -> pd.DataFrame:
    """The worked log with some cells changed."""
    log = _log()
    for (row, column), value in cells.items():
        log.loc[row, column] = value
    return log


@pytest.mark.parametrize(
    ("log", "options", "error", "message"),
    [
        (_log().drop(columns="date"), {}, SchemaError, r"transactions: missing column 'date'"),
        (_log().assign(date="2024-01-01"), {}, SchemaError, r"'date' must hold datetimes"),
        (
            _log().assign(amount="10"),
            {"amount": "amount", "measure": "revenue"},
            SchemaError,
            r"transactions: column 'amount' has dtype (object|str); it must be numeric",
        ),
        (_log().to_numpy(), {}, SchemaError, "must be a pandas DataFrame"),
        (_with({(103, "date"): pd.NaT}), {}, InvalidInputError, r"date is missing for 1 row: 103"),
        (
            _with({(101, "customer_id"): None, (104, "customer_id"): None}),
            {},
            InvalidInputError,
            r"customer_id is missing for 2 rows: 101, 104",
        ),
        (
            _with({(102, "amount"): -20.0}),
            {"amount": "amount", "measure": "revenue"},
            InvalidInputError,
            r"amount must be a finite number >= 0; not so for 1 row: 102 \(-20.0\)",
        ),
        (
            _with({(102, "amount"): math.inf}),
            {"amount": "amount", "measure": "revenue"},
            InvalidInputError,
            r"1 row: 102 \(inf\)",
        ),
        (_log(), {"measure": "orders"}, InvalidInputError, r"measure must be one of"),
        (_log(), {"measure": "revenue"}, InvalidInputError, r"needs the column of amounts"),
        (_log(), {"amount": "amount"}, InvalidInputError, r"read only with measure='revenue'"),
        (_log(), {"freq": "fortnight"}, InvalidInputError, r"freq must be a pandas period"),
        (_log(), {"normalize": "yes"}, InvalidInputError, r"normalize must be True or False"),
        (_log(), {"end": "2024-03-31"}, InvalidInputError, r"3 rows: 110 .*, 111 .*, 112 .*"),
        (_log(), {"end": pd.Period("2024Q4", "Q")}, InvalidInputError, "another frequency"),
        (_log(), {"end": "someday"}, InvalidInputError, r"end must be None, a date or a Period"),
        (_log(), {"end": 20240430}, InvalidInputError, r"end must be None, a date or a Period"),
        (_log(), {"customer": "date"}, InvalidInputError, r"must name different columns"),
        (_log(), {"date": 3}, InvalidInputError, r"date must be a column name"),
        (_log(), {"freq": "D", "end": "2060-01-01"}, InvalidInputError, r"too many for a cohort"),
    ],
)
def test_cohort_retention_rejects(
    log: Any, options: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        cohort_retention(log, **options)


def test_rejections_of_the_other_tables() -> None:
    undated = _with({(105, "date"): pd.NaT})
    with pytest.raises(InvalidInputError, match=r"date is missing for 1 row: 105"):
        retention_by_period(undated)
    with pytest.raises(InvalidInputError, match=r"date is missing for 1 row: 105"):
        usage_summary(undated)
    with pytest.raises(SchemaError, match=r"events: missing column 'customer_id'"):
        usage_summary(_logins().rename(columns={"customer_id": "user"}))
    stranger = r"does not list the customer_id of 6 rows: 7 \('d'\)"
    with pytest.raises(InvalidInputError, match=stranger):
        usage_summary(_logins(), customers=["a", "b", "c"])
    with pytest.raises(InvalidInputError, match=r"holds 1 missing id \(0-based positions \[1\]"):
        usage_summary(_logins(), customers=["a", None])
    with pytest.raises(InvalidInputError, match=r"customers must be None or the ids"):
        usage_summary(_logins(), customers="abcd")
    with pytest.raises(InvalidInputError, match=r"customers must be one-dimensional"):
        usage_summary(_logins(), customers=np.array([["a", "b"]]))
    with pytest.raises(InvalidInputError, match=r"end is '2024-03' but 3 rows: 110"):
        retention_by_period(_log(), end="2024-03")


# ---------------------------------------------------------------- properties

# Each example builds frames and runs the tables; cap them so that the ci profile
# stays quick (the dev profile's 50 examples are below the cap).
heavy = settings(max_examples=min(settings().max_examples, 200))

FREQS = ("M", "W", "Q")


@st.composite
def logs(draw: Any, *, max_rows: int = 40) -> pd.DataFrame:
    """Small transaction logs: up to 8 customers over a year, amounts in whole units."""
    size = draw(st.integers(1, max_rows))
    row = st.tuples(st.integers(0, 7), st.integers(0, 11), st.integers(0, 27), st.integers(0, 500))
    rows = draw(st.lists(row, min_size=size, max_size=size))
    customer, month, day, amount = (list(column) for column in zip(*rows, strict=True))
    dates = (np.datetime64("2024-01", "M") + np.array(month)).astype("datetime64[D]") + day
    return pd.DataFrame(
        {
            "customer_id": [f"c{n}" for n in customer],
            "date": pd.to_datetime(dates),
            "amount": np.array(amount, dtype=np.float64),
        }
    )


def _ordinals(log: pd.DataFrame, freq: str) -> list[int]:
    return [pd.Period(stamp, freq=freq).ordinal for stamp in log["date"]]


def _cohort_oracle(log: pd.DataFrame, freq: str) -> tuple[int, int, Counter[Any], Counter[Any]]:
    """Counts of active customers and revenue by (cohort, age), with plain Python."""
    periods = _ordinals(log, freq)
    first: dict[str, int] = {}
    for who, period in zip(log["customer_id"], periods, strict=True):
        first[who] = min(first.get(who, period), period)
    active: Counter[Any] = Counter()
    revenue: Counter[Any] = Counter()
    for who, period in set(zip(log["customer_id"], periods, strict=True)):
        active[first[who], period - first[who]] += 1
    for who, period, amount in zip(log["customer_id"], periods, log["amount"], strict=True):
        revenue[first[who], period - first[who]] += amount
    return min(periods), max(periods), active, revenue


@heavy
@given(logs(), st.sampled_from(FREQS))
def test_cohort_table_matches_a_python_loop(log: pd.DataFrame, freq: str) -> None:
    low, high, active, revenue = _cohort_oracle(log, freq)
    counts = cohort_retention(log, freq=freq, normalize=False).to_numpy()
    amounts = cohort_retention(
        log, freq=freq, amount="amount", measure="revenue", normalize=False
    ).to_numpy()
    span = high - low + 1
    assert counts.shape == (span, span)
    for c in range(span):
        for a in range(span):
            if c + a >= span:
                assert math.isnan(counts[c, a])
                assert math.isnan(amounts[c, a])
            else:
                assert counts[c, a] == active[low + c, a]
                assert amounts[c, a] == revenue[low + c, a]  # whole units: exact sums


@heavy
@given(logs(), st.sampled_from(FREQS))
def test_cohort_shares_are_fractions_and_sizes_add_up(log: pd.DataFrame, freq: str) -> None:
    shares = cohort_retention(log, freq=freq).to_numpy()
    sizes = cohort_retention(log, freq=freq, normalize=False)[0]
    assert sizes.sum() == log["customer_id"].nunique()
    observed = ~np.isnan(shares)
    assert ((shares[observed] >= 0.0) & (shares[observed] <= 1.0)).all()
    won = sizes.to_numpy() > 0
    assert (shares[won, 0] == 1.0).all()
    assert np.isnan(shares[~won]).all()


def _retention_oracle(log: pd.DataFrame, freq: str) -> list[list[int]]:
    periods = _ordinals(log, freq)
    by_period: defaultdict[int, set[str]] = defaultdict(set)
    for who, period in zip(log["customer_id"], periods, strict=True):
        by_period[period].add(who)
    rows = []
    seen: set[str] = set()
    for t in range(min(periods), max(periods) + 1):
        now, before = by_period[t], by_period[t - 1]
        rows.append(
            [
                len(before) if t > min(periods) else 0,
                len(now & before),
                len(before - now) if t > min(periods) else 0,
                len(now - seen),
                len((now & seen) - before),
                len(now),
            ]
        )
        seen |= now
    return rows


@heavy
@given(logs(), st.sampled_from(FREQS))
def test_retention_by_period_matches_a_python_loop(log: pd.DataFrame, freq: str) -> None:
    table = retention_by_period(log, freq=freq)
    columns = ["start", "retained", "lost", "new", "reactivated", "active"]
    assert table[columns].to_numpy().tolist() == _retention_oracle(log, freq)


@heavy
@given(logs(), st.sampled_from(FREQS))
def test_retention_identities(log: pd.DataFrame, freq: str) -> None:
    t = retention_by_period(log, freq=freq)
    assert (t["start"] == t["retained"] + t["lost"]).all()
    assert (t["active"] == t["retained"] + t["new"] + t["reactivated"]).all()
    assert t["new"].sum() == log["customer_id"].nunique()
    assert (t["start"].iloc[1:].to_numpy() == t["active"].iloc[:-1].to_numpy()).all()
    started = t["start"] > 0
    np.testing.assert_allclose(t.loc[started, "retention_rate"] + t.loc[started, "churn_rate"], 1)
    assert t.loc[~started, ["retention_rate", "churn_rate"]].isna().all().all()


@heavy
@given(logs(), st.sampled_from(FREQS))
def test_usage_summary_matches_a_python_loop(log: pd.DataFrame, freq: str) -> None:
    table = usage_summary(log, freq=freq)
    periods = _ordinals(log, freq)
    per_customer: defaultdict[int, Counter[str]] = defaultdict(Counter)
    for who, period in zip(log["customer_id"], periods, strict=True):
        per_customer[period][who] += 1
    seen: set[str] = set()
    for position, t in enumerate(range(min(periods), max(periods) + 1)):
        events = list(per_customer[t].values())
        seen |= set(per_customer[t])
        row = table.iloc[position]
        assert row["customers"] == len(seen)
        assert row["active"] == len(events)
        assert row["events"] == sum(events)
        assert row["share_active"] == pytest.approx(len(events) / len(seen))
        if events:
            assert row["mean_per_active"] == pytest.approx(statistics.mean(events))
            assert row["median_per_active"] == statistics.median(events)
        else:
            assert math.isnan(row["mean_per_active"])
            assert math.isnan(row["median_per_active"])


@heavy
@given(logs(), st.sampled_from(FREQS), st.randoms(use_true_random=False))
def test_shuffling_the_rows_changes_nothing(log: pd.DataFrame, freq: str, rng: Any) -> None:
    order = list(range(len(log)))
    rng.shuffle(order)
    shuffled = log.iloc[order]
    options: dict[str, Any] = {"freq": freq, "amount": "amount", "measure": "revenue"}
    pd.testing.assert_frame_equal(
        cohort_retention(shuffled, **options), cohort_retention(log, **options)
    )
    pd.testing.assert_frame_equal(
        cohort_retention(shuffled, freq=freq), cohort_retention(log, freq=freq)
    )
    pd.testing.assert_frame_equal(
        retention_by_period(shuffled, freq=freq), retention_by_period(log, freq=freq)
    )
    pd.testing.assert_frame_equal(usage_summary(shuffled, freq=freq), usage_summary(log, freq=freq))


@heavy
@given(logs(max_rows=20))
def test_sorting_path_matches_the_dense_path(log: pd.DataFrame) -> None:
    dense = (cohort_retention(log), retention_by_period(log), usage_summary(log))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cohorts_module, "_DENSE_MAX_CELLS", 0)
        pd.testing.assert_frame_equal(cohort_retention(log), dense[0])
        pd.testing.assert_frame_equal(retention_by_period(log), dense[1])
        pd.testing.assert_frame_equal(usage_summary(log), dense[2])


def test_cohort_revenue_beyond_float_range_is_refused() -> None:
    # Two January transactions of 1e308 by one customer: the cell's sum, 2e308, is
    # beyond float range.
    log = pd.DataFrame(
        {
            "customer_id": ["c1", "c1"],
            "date": pd.to_datetime(["2024-01-03", "2024-01-04"]),
            "amount": [1e308, 1e308],
        }
    )
    with pytest.raises(InvalidInputError, match="float range"):
        cohort_retention(log, amount="amount", measure="revenue")


@pytest.mark.parametrize("option", ["customer", "date"])
@pytest.mark.parametrize("bad", [None, pd.NA, ["date"]])
def test_column_options_must_be_names(option: str, bad: Any) -> None:
    for table in (cohort_retention, retention_by_period, usage_summary):
        with pytest.raises(InvalidInputError, match=rf"^{option} must be a column name"):
            table(_log(), **{option: bad})


@pytest.mark.parametrize(
    ("options", "spans"),
    [
        # 1 January to 30 April 2024 in nanoseconds: about 1.03e16 periods.
        ({"freq": "1ns"}, "periods of '1ns'"),
        # Hours from January 2024 to 2262 (a date every pandas holds): about 2.1 million.
        ({"freq": "h", "end": "2262-01-01"}, "periods of 'h'"),
    ],
)
def test_tables_refuse_more_periods_than_they_hold(options: dict[str, Any], spans: str) -> None:
    for table in (cohort_retention, retention_by_period, usage_summary):
        with pytest.raises(InvalidInputError, match=rf"spans .* {spans}, more than the 100,000"):
            table(_log(), **options)


def test_end_given_as_text_is_read_as_iso_8601_only() -> None:
    # "5/3/2024" is 5 March or 3 May depending on the country: refused, not guessed.
    with pytest.raises(InvalidInputError, match="end must be None, a date or a Period"):
        retention_by_period(_log(), end="5/3/2024")
