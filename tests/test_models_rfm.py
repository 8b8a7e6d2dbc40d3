"""Tests of salescore.models.rfm and .data: the CDNOW summary rebuilt from its
transactions, a plain-Python oracle, compression round trips, and validation."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore import IndexMismatchError, InvalidInputError, SchemaError
from salescore.models.data import load_cdnow_summary, load_cdnow_transactions
from salescore.models.rfm import compress, rfm_summary

FloatArray = np.ndarray[Any, np.dtype[np.float64]]


def _half_up(values: pd.Series[float]) -> pd.Series[float]:
    """Round to cents half up, as the published CDNOW summary is rounded."""
    return (values * 100.0 + 0.5 + 1e-9).apply(math.floor) / 100.0


# ------------------------------------------------------------ golden: CDNOW


@pytest.fixture(scope="module")
def cdnow_rebuilt() -> pd.DataFrame:
    return rfm_summary(
        load_cdnow_transactions(),
        amount="amount",
        freq="D",
        time_unit="W",
        calibration_end="1997-09-30",
        observation_end="1998-06-30",
    )


def test_the_shipped_files_hold_what_the_readme_says() -> None:
    transactions = load_cdnow_transactions()
    summary = load_cdnow_summary()
    assert len(transactions) == 6919
    assert transactions["customer_id"].nunique() == 2357
    assert transactions["date"].min() == pd.Timestamp("1997-01-01")
    assert transactions["date"].max() == pd.Timestamp("1998-06-30")
    assert list(transactions.columns) == ["customer_id", "date", "quantity", "amount"]
    assert len(summary) == 2357
    assert list(summary.columns) == ["frequency", "recency", "T", "monetary_value"]
    assert summary.index.name == "customer_id"


def test_rfm_summary_rebuilds_the_published_cdnow_summary(cdnow_rebuilt: pd.DataFrame) -> None:
    # The published summary (Fader & Hardie; shipped in _data/) counts days with a
    # purchase after the first up to 1997-09-30, measures in weeks = days / 7 and
    # rounds to two decimals (half up). Built from the transaction file, every
    # customer's figures must be the published ones.
    published = load_cdnow_summary()
    rebuilt = cdnow_rebuilt
    assert rebuilt.index.equals(published.index)
    assert rebuilt.index.name == "customer_id"
    pd.testing.assert_series_equal(rebuilt["frequency"], published["frequency"])
    for column in ("recency", "T", "monetary_value"):
        pd.testing.assert_series_equal(_half_up(rebuilt[column]), published[column], rtol=0, atol=0)


def test_rfm_summary_cdnow_holdout(cdnow_rebuilt: pd.DataFrame) -> None:
    # Holdout: 1997-10-01 to 1998-06-30, 273 days = 39 weeks. Its purchases are the
    # distinct (customer, day) pairs after the calibration end, counted directly.
    transactions = load_cdnow_transactions()
    later = transactions[transactions["date"] > "1997-09-30"]
    days = later.drop_duplicates(["customer_id", "date"])
    assert (cdnow_rebuilt["duration_holdout"] == 39.0).all()
    assert cdnow_rebuilt["frequency_holdout"].sum() == len(days)
    # Customer 1 (sample id 1) bought on 1997-12-12 for 26.48 in the holdout period.
    assert cdnow_rebuilt.loc[1, "frequency_holdout"] == 1
    assert cdnow_rebuilt.loc[1, "monetary_value_holdout"] == pytest.approx(26.48)
    assert list(cdnow_rebuilt.columns) == [
        "frequency",
        "recency",
        "T",
        "monetary_value",
        "frequency_holdout",
        "monetary_value_holdout",
        "duration_holdout",
    ]
    assert cdnow_rebuilt["frequency"].dtype == np.int64
    assert cdnow_rebuilt["frequency_holdout"].dtype == np.int64


# ------------------------------------------------------------ worked example by hand


def _log() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "b", "c", "c"],
            "date": pd.to_datetime(
                [
                    "2024-01-01 09:00",
                    "2024-01-01 17:00",
                    "2024-01-15 00:00",
                    "2024-01-08 00:00",
                    "2024-01-03 00:00",
                    "2024-02-05 00:00",
                ]
            ),
            "amount": [10.0, 5.0, 30.0, 20.0, 7.0, 9.0],
        },
        index=pd.Index([f"t{i}" for i in range(1, 7)]),
    )


def test_rfm_summary_by_hand_in_days_and_weeks() -> None:
    # a: days 1 Jan (10 + 5, one purchase), 15 Jan (30) → 1 repeat, recency 14 days,
    # T = 29 Feb − 1 Jan = 59 days, mean repeat value 30. b: one purchase on 8 Jan,
    # T = 52 days. c: 3 Jan and 5 Feb (33 days), T = 57 days, repeat value 9.
    summary = rfm_summary(_log(), amount="amount", observation_end="2024-02-29", freq="D")
    assert summary.index.tolist() == ["a", "b", "c"]
    assert summary["frequency"].tolist() == [1, 0, 1]
    assert summary["recency"].tolist() == [14.0, 0.0, 33.0]
    assert summary["T"].tolist() == [59.0, 52.0, 57.0]
    assert summary["monetary_value"].tolist() == [30.0, 0.0, 9.0]
    in_weeks = rfm_summary(
        _log(), amount="amount", observation_end="2024-02-29", freq="D", time_unit="W"
    )
    np.testing.assert_allclose(in_weeks["recency"], [2.0, 0.0, 33 / 7])
    np.testing.assert_allclose(in_weeks["T"], [59 / 7, 52 / 7, 57 / 7])
    # Whole ISO weeks (Monday starts): a buys in the weeks of 1 and 15 Jan.
    weekly = rfm_summary(_log(), observation_end="2024-02-29", freq="W")
    assert weekly["frequency"].tolist() == [1, 0, 1]
    assert weekly["recency"].tolist() == [2.0, 0.0, 5.0]
    assert weekly["T"].tolist() == [8.0, 7.0, 8.0]
    assert "monetary_value" not in weekly.columns


def test_rfm_summary_calibration_and_holdout_by_hand() -> None:
    # Calibration to 10 Jan: a has one purchase day (1 Jan), b one (8 Jan), c one
    # (3 Jan). Holdout to 29 Feb: a buys on 15 Jan (30), c on 5 Feb (9).
    summary = rfm_summary(
        _log(),
        amount="amount",
        freq="D",
        calibration_end="2024-01-10",
        observation_end="2024-02-29",
    )
    assert summary["frequency"].tolist() == [0, 0, 0]
    assert summary["T"].tolist() == [9.0, 2.0, 7.0]
    assert summary["frequency_holdout"].tolist() == [1, 0, 1]
    assert summary["monetary_value_holdout"].tolist() == [30.0, 0.0, 9.0]
    assert summary["duration_holdout"].tolist() == [50.0, 50.0, 50.0]


def test_customers_first_seen_after_calibration_are_left_out() -> None:
    summary = rfm_summary(
        _log(), freq="D", calibration_end="2024-01-05", observation_end="2024-02-29"
    )
    assert summary.index.tolist() == ["a", "c"]  # b first bought on 8 Jan


def test_observation_end_defaults_to_the_last_transaction() -> None:
    summary = rfm_summary(_log(), freq="D")
    assert summary.loc["c", "T"] == 33.0  # 3 Jan to 5 Feb, the last date in the log


def test_missing_amount_makes_only_that_customers_mean_nan() -> None:
    log = _log()
    log.loc["t3", "amount"] = math.nan  # a's repeat purchase
    log.loc["t4", "amount"] = math.nan  # b's first purchase: not a repeat
    summary = rfm_summary(log, amount="amount", freq="D", observation_end="2024-02-29")
    assert np.isnan(summary["monetary_value"].to_numpy()).tolist() == [True, False, False]
    assert summary.loc["b", "monetary_value"] == 0.0
    assert summary.loc["c", "monetary_value"] == 9.0


def test_time_zone_aware_dates_use_the_local_calendar() -> None:
    log = _log()
    log["date"] = log["date"].dt.tz_localize("America/New_York")
    local = rfm_summary(log, freq="D", observation_end="2024-02-29")
    naive = rfm_summary(_log(), freq="D", observation_end="2024-02-29")
    pd.testing.assert_frame_equal(local, naive)
    zoned_end = pd.Timestamp("2024-02-29 12:00", tz="America/New_York")
    pd.testing.assert_frame_equal(rfm_summary(log, freq="D", observation_end=zoned_end), naive)


def test_other_column_names_and_ids_of_mixed_types() -> None:
    log = _log().rename(columns={"customer_id": "who", "date": "when", "amount": "paid"})
    log["who"] = pd.Series(["a", "a", "a", 2, 3.5, 3.5], index=log.index, dtype=object)
    summary = rfm_summary(log, customer="who", date="when", amount="paid", freq="D")
    assert summary.index.name == "who"
    assert sorted(map(str, summary.index)) == ["2", "3.5", "a"]
    assert summary["frequency"].to_dict() == {"a": 1, 2: 0, 3.5: 1}


def test_empty_log_gives_an_empty_summary() -> None:
    empty = _log().iloc[:0]
    summary = rfm_summary(empty, amount="amount", freq="D")
    assert len(summary) == 0
    assert list(summary.columns) == ["frequency", "recency", "T", "monetary_value"]


def test_input_is_not_mutated() -> None:
    log = _log()
    before = log.copy()
    rfm_summary(log, amount="amount", freq="W", calibration_end="2024-01-10")
    pd.testing.assert_frame_equal(log, before)


# ------------------------------------------------------------ oracle


def _oracle(
    log: pd.DataFrame, freq: str, unit: str | None, end: pd.Timestamp, cut: pd.Timestamp | None
) -> pd.DataFrame:
    """rfm_summary written as a plain loop over customers."""
    last_period = pd.Period(end, freq=freq)
    cut_period = pd.Period(cut, freq=freq) if cut is not None else last_period

    def duration(start: pd.Period, stop: pd.Period) -> float:
        if unit is None:
            return float((stop - start).n)
        return float((stop.start_time - start.start_time) / pd.Timedelta(f"1{unit}"))

    rows = {}
    for customer in sorted(set(log["customer_id"])):
        mine = log[log["customer_id"] == customer]
        totals: dict[pd.Period, float] = {}
        for when, amount in zip(mine["date"], mine["amount"], strict=True):
            period = pd.Period(when, freq=freq)
            totals[period] = totals.get(period, 0.0) + amount
        calibration = sorted(p for p in totals if p <= cut_period)
        if not calibration:
            continue
        holdout = sorted(p for p in totals if p > cut_period)
        repeats = [totals[p] for p in calibration[1:]]
        row = {
            "frequency": len(calibration) - 1,
            "recency": duration(calibration[0], calibration[-1]),
            "T": duration(calibration[0], cut_period),
            "monetary_value": sum(repeats) / len(repeats) if repeats else 0.0,
        }
        if cut is not None:
            row["frequency_holdout"] = len(holdout)
            row["monetary_value_holdout"] = (
                sum(totals[p] for p in holdout) / len(holdout) if holdout else 0.0
            )
            row["duration_holdout"] = duration(cut_period, last_period)
        rows[customer] = row
    return pd.DataFrame.from_dict(rows, orient="index")


@st.composite
def logs(draw: st.DrawFn) -> pd.DataFrame:
    size = draw(st.integers(1, 30))
    customers = draw(
        st.lists(st.sampled_from(["c1", "c2", "c3", "c4"]), min_size=size, max_size=size)
    )
    hours = draw(st.lists(st.integers(0, 24 * 150), min_size=size, max_size=size))
    cents = draw(st.lists(st.integers(0, 100_000), min_size=size, max_size=size))
    return pd.DataFrame(
        {
            "customer_id": customers,
            "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(hours, unit="h"),
            "amount": [c / 100 for c in cents],
        }
    )


@settings(max_examples=200)
@given(
    log=logs(),
    freq=st.sampled_from(["D", "W", "M"]),
    unit=st.sampled_from([None, "D", "W"]),
    extra_days=st.integers(0, 60),
    cut_day=st.none() | st.integers(0, 150),
)
def test_rfm_summary_equals_a_plain_loop(
    log: pd.DataFrame, freq: str, unit: str | None, extra_days: int, cut_day: int | None
) -> None:
    end = log["date"].max() + pd.Timedelta(days=extra_days)
    cut = None if cut_day is None else pd.Timestamp("2024-01-01") + pd.Timedelta(days=cut_day)
    if cut is not None and pd.Period(cut, freq=freq) >= pd.Period(end, freq=freq):
        with pytest.raises(InvalidInputError, match="calibration_end"):
            rfm_summary(
                log,
                amount="amount",
                freq=freq,
                time_unit=unit,
                observation_end=end,
                calibration_end=cut,
            )
        return
    summary = rfm_summary(
        log, amount="amount", freq=freq, time_unit=unit, observation_end=end, calibration_end=cut
    )
    expected = _oracle(log, freq, unit, end, cut)
    assert summary.index.tolist() == expected.index.tolist()
    if len(expected):
        for column in expected.columns:
            np.testing.assert_allclose(
                summary[column].to_numpy(dtype=float),
                expected[column].to_numpy(dtype=float),
                rtol=1e-12,
                err_msg=column,
            )
    # Properties that follow from the definitions.
    assert (summary["recency"] >= 0).all()
    assert (summary["recency"] <= summary["T"]).all()
    assert (summary["frequency"] >= 0).all()
    rows_per_customer = log.groupby("customer_id").size()
    assert (summary["frequency"] <= rows_per_customer.reindex(summary.index) - 1).all()


# ------------------------------------------------------------ validation


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda log: log.drop(columns="date"), SchemaError, "missing column 'date'"),
        (lambda log: log.assign(date="2024-01-01"), SchemaError, "must hold datetimes"),
        (lambda log: log.assign(amount="x"), SchemaError, "must be numeric"),
        (
            lambda log: log.assign(date=log["date"].where(log.index != "t2")),
            InvalidInputError,
            "date is missing for 1 row: 't2'",
        ),
        (
            lambda log: log.assign(customer_id=log["customer_id"].where(log.index != "t5")),
            InvalidInputError,
            "customer_id is missing for 1 row: 't5'",
        ),
        (
            lambda log: log.assign(amount=[10.0, -5.0, 30.0, 20.0, 7.0, math.inf]),
            InvalidInputError,
            r"amount must be a finite amount >= 0; 2 rows: 't2' \(-5.0\), 't6' \(inf\)",
        ),
    ],
)
def test_rfm_summary_refuses_bad_tables(change: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        rfm_summary(change(_log()), amount="amount", freq="D")


def test_rfm_summary_refuses_transactions_after_the_end() -> None:
    with pytest.raises(InvalidInputError, match=r"1 row: 't6' .* after observation_end"):
        rfm_summary(_log(), freq="D", observation_end="2024-02-01")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"freq": "fortnight"}, "freq must be a pandas period alias"),
        ({"time_unit": "soon"}, "time_unit must be None"),
        ({"time_unit": pd.Timedelta(0)}, "time_unit must be None"),
        ({"observation_end": 20240229}, "observation_end must be a date"),
        ({"calibration_end": "not a date"}, "calibration_end must be a date"),
        ({"calibration_end": "2024-03-01"}, "calibration_end .* earlier period"),
        ({"customer": "date"}, "must name different columns"),
        ({"customer": 3}, "customer must be a column name"),
        # Column-name options that are not strings, and spans pandas accepts as a
        # dtype but cannot make periods of (ValueError) or hold (OutOfBoundsTimedelta).
        ({"customer": None}, r"customer must be a column name \(str\); got NoneType"),
        ({"customer": pd.NA}, r"customer must be a column name \(str\); got NAType"),
        ({"date": ["date"]}, r"date must be a column name \(str\); got list"),
        ({"amount": pd.NA}, r"amount must be a column name \(str\) or None; got NAType"),
        (
            {"freq": "-1D"},
            "freq must be a pandas period alias .*got '-1D' .a period must span a positive",
        ),
        ({"freq": "0D"}, "freq must be a pandas period alias .*got '0D'"),
        (
            {"freq": "B"},
            "freq must be a pandas period .*got 'B' .pandas: PeriodDtype\\[B\\] is deprecated",
        ),
        ({"time_unit": np.timedelta64(2**62, "D")}, "time_unit must be None"),
        ({"time_unit": "1e400D"}, "time_unit must be None"),
    ],
)
def test_rfm_summary_refuses_bad_options(options: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        rfm_summary(_log(), **{"freq": "D", "observation_end": "2024-02-29", **options})


def test_a_zoned_end_with_naive_dates_is_read_in_utc() -> None:
    # The timestamp convention (this used to be refused): naive dates mean UTC, and
    # an aware end beside them is converted to UTC. 1 Mar 00:30 in Oslo (UTC+1) is
    # 29 Feb 23:30 UTC, in the same day as the naive end 2024-02-29.
    naive = rfm_summary(_log(), freq="D", observation_end="2024-02-29")
    zoned = pd.Timestamp("2024-03-01 00:30", tz="Europe/Oslo")
    pd.testing.assert_frame_equal(rfm_summary(_log(), freq="D", observation_end=zoned), naive)


# ------------------------------------------------------------ compress


@settings(max_examples=300)
@given(
    rows=st.lists(
        st.tuples(st.integers(0, 3), st.sampled_from([0.0, 1.5, 2.0]), st.sampled_from([2.0, 4.0])),
        min_size=1,
        max_size=40,
    ),
    with_value=st.booleans(),
)
def test_compress_round_trips(rows: list[tuple[int, float, float]], with_value: bool) -> None:
    x, t_x, age = (np.asarray(column, dtype=float) for column in zip(*rows, strict=True))
    value = x * 10.0 if with_value else None
    out = compress(x, t_x, age, value)
    assert out["weight"].dtype == np.int64
    assert int(out["weight"].sum()) == len(rows)
    assert (out["weight"] >= 1).all()
    columns = ["frequency", "recency", "T"] + (["monetary_value"] if with_value else [])
    assert list(out.columns) == [*columns, "weight"]
    assert not out.duplicated(columns).any()
    # Expanding by the weights gives the original rows back, in sorted order.
    expanded = out.loc[out.index.repeat(out["weight"]), columns].to_numpy()
    original = np.column_stack([x, t_x, age] + ([value] if value is not None else []))
    original = original[np.lexsort(original.T[::-1])]
    np.testing.assert_array_equal(expanded, original)


def test_compress_keeps_rows_with_nan_and_checks_alignment() -> None:
    out = compress([1.0, math.nan, math.nan], [1.0, 2.0, 2.0], [3.0, 3.0, 3.0])
    assert out["weight"].tolist() == [1, 2]
    assert math.isnan(out["frequency"].iloc[1])
    with pytest.raises(InvalidInputError, match="has 2 elements but T has 3"):
        compress([1, 2], [1.0, 2.0], [3.0, 3.0, 3.0])
    with pytest.raises(IndexMismatchError, match="frequency and recency"):
        compress(pd.Series([1, 2], index=["a", "b"]), pd.Series([1.0, 2.0], index=["b", "a"]), 3.0)


def test_compress_of_the_cdnow_summary() -> None:
    cdnow = load_cdnow_summary()
    out = compress(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert int(out["weight"].sum()) == 2357
    # The 1,411 customers without repeat purchases share one row per first-purchase day.
    zero = out[out["frequency"] == 0]
    assert int(zero["weight"].sum()) == int((cdnow["frequency"] == 0).sum())
    assert len(zero) == cdnow.loc[cdnow["frequency"] == 0, "T"].nunique()


def test_rfm_summary_with_extreme_amounts_by_hand() -> None:
    # a: $1e308 on three days, so two repeat purchases of 1e308 each: their mean is
    # 1e308, though their total (2e308) is beyond float range; it was inf. b: two
    # subnormal amounts, mean 5e-324, kept beside the huge ones. c: one day of
    # 1e308 + 5e307 = 1.5e308 after a first purchase.
    log = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "b", "b", "c", "c", "c"],
            "date": pd.to_datetime(
                [
                    "2024-01-01", "2024-01-08", "2024-01-15", "2024-01-01", "2024-01-15",
                    "2024-01-01", "2024-01-08", "2024-01-08",
                ]
            ),
            "amount": [1e308, 1e308, 1e308, 5e-324, 5e-324, 1.0, 1e308, 5e307],
        }
    )  # fmt: skip
    with np.errstate(all="raise"):
        summary = rfm_summary(log, amount="amount", freq="D", time_unit="W")
    assert summary["frequency"].tolist() == [2, 1, 1]
    assert summary["monetary_value"].tolist() == [1e308, 5e-324, 1.5e308]
    assert summary["recency"].tolist() == [2.0, 2.0, 1.0]


def test_a_mean_amount_beyond_float_range_is_refused() -> None:
    # One day of 1e308 + 1.5e308 is a purchase of 2.5e308: no float holds it.
    log = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a"],
            "date": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-08"]),
            "amount": [1.0, 1e308, 1.5e308],
        }
    )
    with pytest.raises(InvalidInputError, match=r"beyond float range for 1 customer\(s\) \('a'\)"):
        rfm_summary(log, amount="amount", freq="D")


def test_compress_refuses_infinite_values() -> None:
    # An infinite row (or a number beyond float range, read as inf) was kept as a
    # history of its own; the fits would refuse it later without naming compress.
    with pytest.raises(InvalidInputError, match=r"frequency must hold finite numbers .*1 of 2"):
        compress([1.0, math.inf], [0.0, 1.0], [2.0, 2.0])
    with pytest.raises(InvalidInputError, match="monetary_value must hold finite"):
        compress(1.0, 0.5, 2.0, -math.inf)
