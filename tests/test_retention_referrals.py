"""Tests of salescore.retention.referrals: Slotte's figures, the report, validation."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore import IndexMismatchError, InvalidInputError, SchemaError
from salescore.retention.referrals import referral_ask_rate, referral_rate, referral_report

from . import strategies as sst

# ----------------------------------------------------------------- seed figures


def test_seed_000_referral_figures() -> None:
    # Slotte's article: 87 % of customers are willing to recommend their seller, only 7 % of
    # those do: 7 referrers per 100 willing customers.
    assert referral_rate(7, 100) == 0.07
    # Over 1,000 customers: 870 willing, 7 % of them ≈ 61 refer; 61 / 1,000 = 0.061
    # of all customers (0.87 × 0.07 = 0.0609 before rounding to whole customers).
    assert referral_rate(61, 1_000) == 0.061
    assert referral_rate(0.07 * 870, 1_000) == pytest.approx(0.87 * 0.07, rel=1e-12)
    # Slotte's article: only 8 % of sellers ask for a referral: 8 of 100 sellers.
    assert referral_ask_rate(8, 100) == 0.08
    # The article's advice, asking at every customer contact, is a rate of 1.
    assert referral_ask_rate(40, 40) == 1.0


def test_rates_containers_and_zero_denominators() -> None:
    sellers = pd.Index(["Ann", "Bo", "Cy"], name="owner")
    asks = pd.Series([12, 3, 0], index=sellers)
    rate = referral_ask_rate(asks, pd.Series([40, 30, 0], index=sellers))
    assert isinstance(rate, pd.Series)
    assert rate.index.equals(sellers)
    # 12 / 40 = 0.3, 3 / 30 = 0.1, 0 / 0 → NaN.
    np.testing.assert_array_equal(rate.to_numpy(), [0.3, 0.1, math.nan])
    array = referral_rate(np.array([1, 2]), 4)
    assert isinstance(array, np.ndarray)
    assert array.tolist() == [0.25, 0.5]
    assert type(referral_rate(np.int32(1), np.float64(4))) is float
    assert math.isnan(referral_rate(math.nan, 4))


# ----------------------------------------------------------------- the report


def _cell(table: pd.DataFrame, row: str, column: str) -> float:
    return float(table[column].to_dict()[row])


def _new_customers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8"],
            "owner": ["Ann", "Ann", "Ann", "Bo", "Bo", "Bo", "Cy", None],
            "source": [
                "referral", "cold call", "web", " Referral ", "event", "web", None, "REFERRAL",
            ],
            "referred_by": [None, "C0", None, None, "   ", "", "C1", math.nan],
            "revenue": [9_000.0, 6_000.0, 5_000.0, 8_000.0, 0.0, 2_000.0, 4_000.0, 1_000.0],
        }
    )  # fmt: skip


def test_report_by_hand() -> None:
    # By referral: C1 (source), C2 (referred_by, whatever its source), C4 (source,
    # ignoring case and spaces), C7 (referred_by), C8 (source). Not: C3, C5 (blank
    # referred_by), C6 (empty referred_by). 5 of 8 customers.
    # Revenue: 9,000 + 6,000 + 8,000 + 4,000 + 1,000 = 28,000 of 35,000 = 0.8.
    table = referral_report(_new_customers(), revenue="revenue")
    assert table.index.tolist() == ["total"]
    row = table.loc["total"]
    assert (row["customers"], row["referred"]) == (8, 5)
    assert row["referred_share"] == 5 / 8
    assert (row["revenue"], row["referred_revenue"]) == (35_000.0, 28_000.0)
    assert row["referred_revenue_share"] == 0.8
    assert table.dtypes.to_dict() == {
        "customers": np.dtype("int64"),
        "referred": np.dtype("int64"),
        "referred_share": np.dtype("float64"),
        "revenue": np.dtype("float64"),
        "referred_revenue": np.dtype("float64"),
        "referred_revenue_share": np.dtype("float64"),
    }


def test_report_by_owner_keeps_every_customer() -> None:
    # Ann: C1, C2 referred of 3; 15,000 of 20,000. Bo: C4 of 3; 8,000 of 10,000.
    # Cy: C7 of 1; 4,000 of 4,000. No owner (C8): 1 of 1; 1,000 of 1,000.
    table = referral_report(_new_customers(), revenue="revenue", by="owner")
    assert table.index.name == "owner"
    assert table.index[:3].tolist() == ["Ann", "Bo", "Cy"]
    assert pd.isna(table.index[3])
    assert table["customers"].tolist() == [3, 3, 1, 1]
    assert table["referred"].tolist() == [2, 1, 1, 1]
    assert table["referred_revenue"].tolist() == [15_000.0, 8_000.0, 4_000.0, 1_000.0]
    assert table["referred_revenue_share"].tolist() == [0.75, 0.8, 1.0, 1.0]
    # The groups add up to the whole table.
    total = referral_report(_new_customers(), revenue="revenue")
    assert table["customers"].sum() == _cell(total, "total", "customers")
    assert table["referred_revenue"].sum() == _cell(total, "total", "referred_revenue")


def test_report_with_one_column_or_other_labels() -> None:
    customers = _new_customers()
    # Source only: C1, C4, C8 → 3 of 8.
    by_source = referral_report(customers, referred_by=None)
    assert _cell(by_source, "total", "referred") == 3
    # referred_by only, on a table without a source column: C2, C7 → 2.
    by_name = referral_report(customers.drop(columns="source"), source=None)
    assert _cell(by_name, "total", "referred") == 2
    # Other labels mean a referral: "event" and "web" (C3, C5, C6) plus C2, C7 → 5.
    custom = referral_report(customers, referral_sources=["event", "Web"])
    assert _cell(custom, "total", "referred") == 5
    assert _cell(referral_report(customers, referral_sources="event"), "total", "referred") == 3
    # Other column names, the index as ids.
    renamed = customers.rename(columns={"source": "Lead Source", "referred_by": "Referrer"})
    table = referral_report(
        renamed.set_index("customer_id"),
        source="Lead Source",
        referred_by="Referrer",
        customer_id=None,
    )
    assert _cell(table, "total", "referred") == 5


def test_report_nan_policy_and_empty_tables() -> None:
    customers = _new_customers()
    customers.loc[2, "revenue"] = math.nan  # C3, not referred
    table = referral_report(customers, revenue="revenue", by="owner")
    # Ann's revenue is unknown, so is her share; her referred revenue is still known.
    assert math.isnan(_cell(table, "Ann", "revenue"))
    assert _cell(table, "Ann", "referred_revenue") == 15_000.0
    assert math.isnan(_cell(table, "Ann", "referred_revenue_share"))
    assert _cell(table, "Bo", "referred_revenue_share") == 0.8
    customers.loc[0, "revenue"] = math.nan  # C1, referred
    assert math.isnan(
        _cell(referral_report(customers, revenue="revenue"), "total", "referred_revenue")
    )
    # No customers: counts 0, shares NaN; grouped, no rows.
    empty = _new_customers().iloc[:0]
    total = referral_report(empty, revenue="revenue")
    assert _cell(total, "total", "customers") == 0
    assert math.isnan(_cell(total, "total", "referred_share"))
    assert math.isnan(_cell(total, "total", "referred_revenue_share"))
    assert referral_report(empty, by="owner").empty
    # Revenue of 0 in a group: the share is undefined.
    zero = _new_customers().assign(revenue=0.0)
    assert math.isnan(
        _cell(referral_report(zero, revenue="revenue"), "total", "referred_revenue_share")
    )


def test_report_does_not_modify_its_input() -> None:
    customers = _new_customers()
    before = customers.copy()
    referral_report(customers, revenue="revenue", by="owner")
    pd.testing.assert_frame_equal(customers, before)


# ----------------------------------------------------------------- properties


@given(sst.same_length(sst.counts(max_value=10_000).map(float), sst.probabilities()))
def test_rates_are_fractions_and_match_a_loop(pair: tuple[list[float], ...]) -> None:
    customers, share = (np.asarray(v) for v in pair)
    referrers = np.floor(customers * share)
    for rate in (referral_rate, referral_ask_rate):
        vector = rate(referrers, customers)
        loop = [rate(r, c) for r, c in zip(referrers, customers, strict=True)]
        np.testing.assert_array_equal(vector, loop)
        known = customers > 0
        assert ((vector[known] >= 0) & (vector[known] <= 1)).all()
        assert np.isnan(vector[~known]).all()


@st.composite
def tables(draw: Any) -> pd.DataFrame:
    size = draw(st.integers(0, 20))

    def column(elements: st.SearchStrategy[Any]) -> list[Any]:
        values: list[Any] = draw(st.lists(elements, min_size=size, max_size=size))
        return values

    return pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(size)],
            "owner": column(st.sampled_from(["Ann", "Bo", None])),
            "source": column(st.sampled_from(["referral", "Referral", "web", "cold", None])),
            "referred_by": column(st.sampled_from([None, "", "C99", "Dana"])),
            "revenue": column(st.one_of(sst.nonnegative_money(max_value=1e6), st.just(math.nan))),
        }
    )


@settings(max_examples=min(settings().max_examples, 200))
@given(tables())
def test_report_matches_a_python_loop(customers: pd.DataFrame) -> None:
    table = referral_report(customers, revenue="revenue", by="owner")
    groups: dict[Any, list[tuple[bool, float]]] = {}
    for row in customers.to_dict("records"):
        source, referrer = row["source"], row["referred_by"]
        by_source = isinstance(source, str) and source.strip().lower() == "referral"
        named = isinstance(referrer, str) and referrer.strip() != ""
        key = "(none)" if pd.isna(row["owner"]) else row["owner"]
        groups.setdefault(key, []).append((by_source or named, float(row["revenue"])))
    assert len(table) == len(groups)
    for label, (count, referred, revenue, part) in zip(
        ["(none)" if pd.isna(k) else k for k in table.index],
        table[["customers", "referred", "revenue", "referred_revenue"]].itertuples(index=False),
        strict=True,
    ):
        rows = groups[label]
        assert count == len(rows)
        assert referred == sum(flag for flag, _ in rows)
        values = [value for _, value in rows]
        if any(math.isnan(v) for v in values):
            assert math.isnan(revenue)
        else:
            assert revenue == pytest.approx(math.fsum(values), rel=1e-12)
        referred_values = [value for flag, value in rows if flag]
        if any(math.isnan(v) for v in referred_values):
            assert math.isnan(part)
        else:
            assert part == pytest.approx(math.fsum(referred_values), rel=1e-12, abs=1e-9)
    shares = table[["referred_share", "referred_revenue_share"]].to_numpy()
    known = ~np.isnan(shares)
    assert ((shares[known] >= 0.0) & (shares[known] <= 1.0)).all()


# ----------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: referral_rate(8, 7), InvalidInputError, "referrers 8.0 > customers 7.0"),
        (
            lambda: referral_rate([1, 9], [3, 8]),
            InvalidInputError,
            r"referrers must be at most customers.*1 of 2.*\[1\] 9.0 > 8.0",
        ),
        (lambda: referral_rate(-1, 7), InvalidInputError, "referrers must be a finite number"),
        (lambda: referral_ask_rate(5, 4), InvalidInputError, "asks 5.0 > contacts 4.0"),
        (lambda: referral_ask_rate(1, math.inf), InvalidInputError, "contacts must be a finite"),
        (
            lambda: referral_ask_rate(
                pd.Series([1.0], index=["Ann"]), pd.Series([2.0], index=["Bo"])
            ),
            IndexMismatchError,
            "asks and contacts",
        ),
    ],
)
def test_rates_refuse_bad_input(call: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize(
    ("change", "options", "error", "message"),
    [
        (lambda t: t.drop(columns="referred_by"), {}, SchemaError, "missing column 'referred_by'"),
        (lambda t: t, {"by": "region"}, SchemaError, "missing column 'region'"),
        (lambda t: t.drop(columns="customer_id"), {}, SchemaError, "'customer_id'"),
        (
            lambda t: t.assign(revenue=t["revenue"].astype(str)),
            {"revenue": "revenue"},
            SchemaError,
            r"customers: column 'revenue' has dtype (object|str); it must be numeric",
        ),
        (
            lambda t: t.assign(revenue=[-1.0, 0, 0, 0, 0, 0, math.inf, 0]),
            {"revenue": "revenue"},
            InvalidInputError,
            r"revenue must be a finite number >= 0; not so for 2 customers: 'C1' \(-1.0\), "
            r"'C7' \(inf\)",
        ),
        (
            lambda t: t.assign(customer_id=["C1", "C2", "C1"] + [f"D{i}" for i in range(5)]),
            {},
            InvalidInputError,
            "customer_id must name each customer once.*2 rows: 'C1', 'C1'",
        ),
        (lambda t: t, {"source": None, "referred_by": None}, InvalidInputError, "give source"),
        (lambda t: t, {"referral_sources": []}, InvalidInputError, "referral_sources must be"),
        (lambda t: t, {"referral_sources": [" "]}, InvalidInputError, "referral_sources must be"),
        (lambda t: t, {"by": 3}, InvalidInputError, "by must be None"),
        (lambda t: t["source"], {}, SchemaError, "must be a pandas DataFrame"),
    ],
)
def test_report_refuses_bad_tables(
    change: Any, options: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        referral_report(change(_new_customers()), **options)


@pytest.mark.parametrize("option", ["source", "referred_by", "revenue", "customer_id"])
@pytest.mark.parametrize("bad", [pd.NA, ["source"], 1])
def test_report_column_options_must_be_names(option: str, bad: Any) -> None:
    with pytest.raises(InvalidInputError, match=rf"^{option} must be a column name"):
        referral_report(_new_customers(), **{option: bad})


def test_report_revenue_beyond_float_range_is_refused() -> None:
    # Eight customers of 1e308 each: the total, 8e308, is beyond float range.
    customers = _new_customers().assign(revenue=1e308)
    with pytest.raises(InvalidInputError, match="float range"):
        referral_report(customers, revenue="revenue")
