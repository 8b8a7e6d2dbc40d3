"""productivity_report on engine frames.

The engine checks the deals as the pandas path does and reduces the won ones to one
row per period (their number, the sum of their known values, how many have none); the
report must equal the pandas path's on the same data, on a hand-counted example, on
public opportunities (Maven Analytics) and on random deals. An engine adds a period's
values in an order of its own, so revenue can differ from pandas' in the last bits of
a float (compared to 1e-12); values that floats add exactly (whole numbers here) give
the same report to the bit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.errors import InvalidInputError, SchemaError
from salescore.fiscal import FiscalCalendar
from salescore.money import ExchangeRates
from salescore.team import productivity_report

from .harness import maven_deals, to_engine

CHEAP = ("polars", "polars-lazy", "duckdb")


def _assert_equal(got: pd.DataFrame, want: pd.DataFrame, *, exact: bool = False) -> None:
    assert list(got.columns) == list(want.columns)
    assert got.index.equals(want.index)
    assert got.index.name == want.index.name
    assert dict(got.dtypes) == dict(want.dtypes)
    if exact:
        pd.testing.assert_frame_equal(got, want, check_exact=True)
    else:
        pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, atol=0.0)


def _deals(rows: int = 400, seed: int = 20261204) -> pd.DataFrame:
    """Deals over 15 months under non-canonical names, with a quiet stretch.

    Statuses in mixed case with spaces; times of day; values with cents; a created
    date a few days before each close; some won deals without a value (NaN).
    """
    rng = np.random.default_rng(seed)
    close = pd.Timestamp("2023-11-27") + pd.to_timedelta(
        rng.integers(0, 420 * 86_400, rows), unit="s"
    )
    quiet = (close >= pd.Timestamp("2024-05-01")) & (close < pd.Timestamp("2024-07-01"))
    close = close.where(~quiet, close - pd.Timedelta(days=120))
    frame = pd.DataFrame(
        {
            "id": [f"D{i:04d}" for i in range(rows)],
            "amount": np.round(rng.uniform(100.0, 50_000.0, rows), 2),
            "cur": "EUR",
            "stage": rng.choice(["won", " Won", "WON ", "lost", "open"], rows),
            "closed": close,
            "opened": close - pd.to_timedelta(rng.integers(0, 30, rows), unit="D"),
        }
    )
    frame.loc[rng.choice(rows, min(rows, 3), replace=False), "amount"] = np.nan
    return frame


COLUMNS: dict[str, Any] = {
    "value": "amount",
    "status": "stage",
    "close_date": "closed",
    "created": "opened",
    "currency": "cur",
    "deal_id": "id",
}
SELLERS = pd.Series(
    np.arange(15, dtype=np.float64) % 5 + 2.0,
    index=pd.period_range("2023-11", periods=15, freq="M"),
)
OPTIONS: list[dict[str, Any]] = [
    {"headcount": 4},
    {"headcount": 3, "freq": "W"},
    {"headcount": SELLERS},
    {"headcount": 2.5, "freq": "Q-MAR"},
]
CASES = [
    *((engine, index) for engine in CHEAP for index in range(len(OPTIONS))),
    *((engine, index) for engine in ("dask", "spark") for index in (0, 2)),
]


@pytest.mark.parametrize(
    ("engine", "case"),
    CASES,
    indirect=["engine"],
    ids=[f"{engine}-{case}" for engine, case in CASES],
)
def test_equal_to_the_pandas_path(engine: str, case: int) -> None:
    deals = _deals()
    options = {**COLUMNS, **OPTIONS[case]}
    headcount = options.pop("headcount")
    got = productivity_report(to_engine(deals, engine), headcount, **options)
    want = productivity_report(deals, headcount, **options)
    _assert_equal(got, want)
    assert got["revenue"].isna().any()  # a won deal without a value makes NaN
    if case != 3:  # the quiet months (weeks) are rows too
        assert (got["won"] == 0).any()


# By hand: D1 (40,000) and D2 (20,000) won in January 2024, D3 lost in February,
# D4 ("Won ", 50,000) and D5 (90,000) won in March. January 60,000 / 4 = 15,000;
# February 0 / 4 = 0, a change of (0 - 15,000) / 15,000 = -1; March 140,000 / 5 =
# 28,000 with a fifth seller, no change after a month of 0 (NaN).
EXAMPLE = pd.DataFrame(
    {
        "deal_id": ["D1", "D2", "D3", "D4", "D5"],
        "value": [40_000.0, 20_000.0, 30_000.0, 50_000.0, 90_000.0],
        "currency": "EUR",
        "status": ["won", "won", "lost", "Won ", "won"],
        "close_date": pd.to_datetime(
            ["2024-01-10", "2024-01-25", "2024-02-05", "2024-03-12", "2024-03-30"]
        ),
    }
)
EXAMPLE_SELLERS = pd.Series([4, 4, 5], index=pd.period_range("2024-01", periods=3, freq="M"))


def test_the_hand_counted_example_on_every_engine(engine: str) -> None:
    table = productivity_report(to_engine(EXAMPLE, engine), EXAMPLE_SELLERS)
    _assert_equal(table, productivity_report(EXAMPLE, EXAMPLE_SELLERS), exact=True)
    assert table["won"].tolist() == [2, 0, 2]
    assert table["revenue"].tolist() == [60_000.0, 0.0, 140_000.0]
    assert table["productivity"].tolist() == [15_000.0, 0.0, 28_000.0]
    assert table["change"].iloc[1] == -1.0
    assert table["change"].iloc[[0, 2]].isna().all()


def _maven() -> pd.DataFrame:
    # Maven Analytics' public opportunities (provenance in harness.maven_deals).
    return maven_deals()[["deal_id", "status", "value", "created", "close_date"]]


@pytest.mark.parametrize("engine", CHEAP, indirect=True)
def test_public_opportunities(engine: str) -> None:
    deals = _maven()
    native = to_engine(deals, engine)
    monthly = productivity_report(native, 7, currency=None)
    _assert_equal(monthly, productivity_report(deals, 7, currency=None), exact=True)
    # By hand from the CSV: 23 Won rows, all closed in March 2017, whose close_value
    # add up to 32,326 (awk -F, '$5=="Won"{s+=$8} END{print s}'); 32,326 / 7 sellers.
    assert monthly["won"].tolist() == [23]
    assert monthly["revenue"].tolist() == [32_326.0]
    assert monthly["productivity"].iloc[0] == 32_326.0 / 7
    weekly = productivity_report(native, 7, freq="W", currency=None)
    _assert_equal(weekly, productivity_report(deals, 7, freq="W", currency=None), exact=True)
    # Weeks Monday to Sunday: 03-01 to 03-05 (7 wins), 03-06 to 03-12 (12), 03-13 to
    # 03-19 (2: 03-14, 03-18), 03-20 to 03-26 (2: 03-23, 03-26).
    assert weekly["won"].tolist() == [7, 12, 2, 2]


@pytest.mark.parametrize("rows", [0, 1])
@pytest.mark.parametrize("engine", ["polars", "duckdb"], indirect=True)
def test_no_won_deal_gives_the_empty_table(engine: str, rows: int) -> None:
    deals = EXAMPLE.iloc[2 : 2 + rows] if rows else EXAMPLE.iloc[:0]
    got = productivity_report(to_engine(deals, engine), 4)
    _assert_equal(got, productivity_report(deals, 4), exact=True)
    assert len(got) == 0


@pytest.mark.parametrize("engine", CHEAP, indirect=True)
def test_integer_values_and_aware_dates(engine: str) -> None:
    deals = EXAMPLE.assign(
        value=EXAMPLE["value"].astype("int64"),
        close_date=EXAMPLE["close_date"].dt.tz_localize("Europe/Oslo"),
        created=pd.Timestamp("2024-01-01"),  # naive beside aware: both read in UTC
    )
    deals.loc[0, "close_date"] = pd.Timestamp("2024-02-01 00:30", tz="Europe/Oslo")
    got = productivity_report(to_engine(deals, engine), 4)
    _assert_equal(got, productivity_report(deals, 4), exact=True)
    # 00:30 in Oslo on 1 February is 23:30 UTC on 31 January: January, as in pandas.
    assert got["won"].tolist() == [2, 0, 2]


@pytest.mark.parametrize("engine", ["polars-lazy", "duckdb"], indirect=True)
def test_refusals_name_the_options(engine: str) -> None:
    native = to_engine(EXAMPLE, engine)
    rates = ExchangeRates.from_frame(
        pd.DataFrame(
            {"currency": ["USD"], "valid_from": pd.to_datetime(["2024-01-01"]), "rate": [1.1]}
        ),
        base="EUR",
    )
    with pytest.raises(InvalidInputError, match=r"rates and to: on an engine frame .* convert"):
        productivity_report(native, 4, rates=rates, to="EUR")
    with pytest.raises(InvalidInputError, match=r"freq='2M' cannot be computed in an engine"):
        productivity_report(native, 4, freq="2M")
    quarters = FiscalCalendar.from_start_month(4).freq("quarter")
    with pytest.raises(InvalidInputError, match=r"fiscal periods cannot be computed in an engine"):
        productivity_report(native, 4, freq=quarters)
    with pytest.raises(SchemaError, match=r"missing column 'amount'"):
        productivity_report(native, 4, value="amount")
    with pytest.raises(SchemaError, match=r"columns must be numeric: 'status'"):
        productivity_report(native, 4, value="status")


@pytest.mark.parametrize("engine", CHEAP, indirect=True)
def test_refusals_name_the_rows(engine: str) -> None:
    def refused(deals: pd.DataFrame, pattern: str, headcount: Any = 4) -> None:
        with pytest.raises(InvalidInputError, match=pattern):
            productivity_report(to_engine(deals, engine), headcount)
        with pytest.raises(InvalidInputError, match=pattern):  # the same check in pandas
            productivity_report(deals, headcount)

    bad = EXAMPLE.assign(status=["won", "pending", "lost", "won", "won"])
    refused(bad, r"status must be one of 'open', 'won', 'lost'; not so for 1 .*'D2'")
    negative = EXAMPLE.assign(value=[40_000.0, -5.0, 30_000.0, np.inf, 90_000.0])
    refused(negative, r"value must be a finite number >= 0; not so for 2 .*'D2'.*'D4'")
    currencies = EXAMPLE.assign(
        currency=pd.Series(["EUR", "USD", "EUR", "EUR", None], dtype=object)
    )
    refused(currencies, r"currency: the deals are in more than one currency: 'EUR' .*'D1'")
    undated = EXAMPLE.assign(close_date=EXAMPLE["close_date"].where(EXAMPLE.index != 4))
    refused(undated, r"close_date is missing for won deals; 1 .*'D5'")
    backwards = EXAMPLE.assign(created=pd.Timestamp("2024-02-01"))
    refused(backwards, r"close_date is before the date in created for 2 .*'D1'.*'D2'")
    refused(
        EXAMPLE,
        r"headcount has no entry for 1 period: '2024-03', in which deals were won \(2 .*'D4'",
        EXAMPLE_SELLERS.iloc[:2],
    )
    got = productivity_report(to_engine(backwards, engine), 4, created=None)
    _assert_equal(got, productivity_report(backwards, 4, created=None), exact=True)


def test_an_overflowing_period_is_named() -> None:
    deals = EXAMPLE.assign(value=[1e308, 1e308, 0.0, 1.0, 1.0])
    for frame in (to_engine(deals, "polars"), deals):  # the pandas path's message
        with pytest.raises(InvalidInputError, match=r"won revenue of 1 row: '2024-01' is beyond"):
            productivity_report(frame, 4)


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    rows=st.integers(0, 60),
    freq=st.sampled_from(["D", "W", "M", "Q", "Y"]),
    headcount=st.just(0.0) | st.floats(0.5, 20.0),  # a tiny one overflows on both paths
)
def test_random_deals_on_polars(seed: int, rows: int, freq: str, headcount: float) -> None:
    deals = _deals(rows, seed)
    deals["amount"] = deals["amount"].round()  # whole numbers: sums exact in any order
    got = productivity_report(to_engine(deals, "polars"), headcount, freq=freq, **COLUMNS)
    _assert_equal(got, productivity_report(deals, headcount, freq=freq, **COLUMNS), exact=True)
