"""rfm_summary on engine frames: the same summary as on pandas, refusals that name rows.

The reduction runs in the engine and only one row per customer comes back; the
summary must equal the pandas path's on the same data (counts exactly, floats to
1e-12 relative), and on the CDNOW sample it must rebuild the summary Fader and Hardie
published, as the pandas path does (tests/test_models_rfm.py).
"""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.engines import engine_name
from salescore.errors import InvalidInputError, SchemaError
from salescore.models.data import load_cdnow_summary, load_cdnow_transactions
from salescore.models.rfm import rfm_summary

from .harness import to_engine

CDNOW = {
    "amount": "amount",
    "freq": "D",
    "time_unit": "W",
    "calibration_end": "1997-09-30",
    "observation_end": "1998-06-30",
}


def _assert_equal(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    assert got.index.equals(want.index)
    assert got.index.name == want.index.name
    assert dict(got.dtypes) == dict(want.dtypes)
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, atol=0.0)


def _half_up(values: pd.Series[float]) -> pd.Series[float]:
    """Round to cents half up, as the published CDNOW summary is rounded."""
    return (values * 100.0 + 0.5 + 1e-9).apply(math.floor) / 100.0


def test_cdnow_on_every_engine_rebuilds_the_published_summary(engine: str) -> None:
    # The published summary (Fader & Hardie, shipped in salescore/models/_data):
    # days with a purchase after the first up to 1997-09-30, in weeks, rounded half up.
    transactions = load_cdnow_transactions()
    got = rfm_summary(to_engine(transactions, engine), **CDNOW)
    _assert_equal(got, rfm_summary(transactions, **CDNOW))
    published = load_cdnow_summary()
    assert got.index.equals(published.index)
    pd.testing.assert_series_equal(got["frequency"], published["frequency"])
    for column in ("recency", "T", "monetary_value"):
        pd.testing.assert_series_equal(_half_up(got[column]), published[column], rtol=0, atol=0)
    # The holdout: the distinct (customer, day) pairs after the calibration end.
    later = transactions[transactions["date"] > "1997-09-30"]
    assert got["frequency_holdout"].sum() == len(later.drop_duplicates(["customer_id", "date"]))


def _log() -> pd.DataFrame:
    """Times of day, ids as text, a missing amount in a repeat and in a first purchase."""
    rng = np.random.default_rng(20261204)
    rows = 600
    log = pd.DataFrame(
        {
            "customer": rng.choice([f"K{number:03d}" for number in range(60)], rows),
            "when": pd.Timestamp("2023-12-25")
            + pd.to_timedelta(rng.integers(0, 500 * 86_400, rows), unit="s"),
            "value": rng.gamma(2.0, 40.0, rows).round(2),
        }
    )
    first = log.sort_values("when").drop_duplicates("customer")
    log.loc[first.index[0], "value"] = np.nan  # only in a first purchase: ignored
    latest = log["when"].idxmax()  # long after that customer's first purchase
    log.loc[latest, "value"] = np.nan  # in a repeat: that customer's mean is NaN
    return log


OPTIONS: list[dict[str, Any]] = [
    {"freq": "D"},
    {"freq": "W", "amount": "value"},
    {"freq": "W-WED", "amount": "value", "time_unit": "D"},
    {"freq": "M", "amount": "value", "calibration_end": "2024-09-30"},
    {"freq": "Q-MAR", "amount": "value", "observation_end": "2025-06-30"},
    {"freq": "Y", "amount": "value", "time_unit": "7D"},
    {
        "freq": "D",
        "amount": "value",
        "time_unit": "W",
        "calibration_end": "2024-06-30 18:00",
        "observation_end": "2025-05-31",
    },
]


# Every option on the in-process engines; on the cluster engines, whose every query
# costs seconds, the two richest: holdout with days in weeks, and anchored weeks.
CASES = [
    *((engine, options) for engine in ("polars", "polars-lazy", "duckdb") for options in OPTIONS),
    *((engine, options) for engine in ("dask", "spark") for options in (OPTIONS[2], OPTIONS[-1])),
]


@pytest.mark.parametrize(
    ("engine", "options"),
    CASES,
    indirect=["engine"],
    ids=[f"{engine}-" + "-".join(map(str, options.values())) for engine, options in CASES],
)
def test_equal_to_the_pandas_path(engine: str, options: dict[str, Any]) -> None:
    log = _log()
    want = rfm_summary(log, customer="customer", date="when", **options)
    got = rfm_summary(to_engine(log, engine), customer="customer", date="when", **options)
    _assert_equal(got, want)
    if "amount" in options:  # the latest purchase, without its amount, is a repeat
        column = "monetary_value_holdout" if "calibration_end" in options else "monetary_value"
        assert got[column].isna().sum() == 1


@pytest.mark.parametrize("engine", ["polars", "duckdb", "spark"], indirect=True)
def test_a_first_purchase_that_dwarfs_the_repeats_loses_no_digit(engine: str) -> None:
    # DuckDB takes the repeat total as the calibration total less the first day's,
    # and sums again where that difference may have lost digits; the others sum the
    # repeat days directly. By hand, the mean of the repeat days' totals:
    #   A: 1e20 first, then 1.0 and 3.0      -> (1 + 3) / 2 = 2.0
    #   B: 5.0 first, then 0.0 and 0.0       -> 0.0
    #   C: 1e300 first, then 1e300 and 1e300 -> 1e300 (sums beyond float range: scaled)
    #   D: 10.0 first, then 20.0 and 40.0    -> 30.0
    days = pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]).as_unit("us")
    amounts = {
        "A": [1e20, 1.0, 3.0],
        "B": [5.0, 0.0, 0.0],
        "C": [1e300] * 3,
        "D": [10.0, 20.0, 40.0],
    }
    log = pd.DataFrame(
        [
            (name, day, amount)
            for name, values in amounts.items()
            for day, amount in zip(days, values, strict=True)
        ],
        columns=["customer", "when", "value"],
    )
    options: dict[str, Any] = {
        "customer": "customer",
        "date": "when",
        "amount": "value",
        "freq": "D",
    }
    got = rfm_summary(to_engine(log, engine), **options)
    assert got["monetary_value"].tolist() == [2.0, 0.0, 1e300, 30.0]
    _assert_equal(got, rfm_summary(log, **options))


def test_an_empty_log_gives_the_empty_summary(engine: str) -> None:
    log = _log().iloc[:0]
    options = {"customer": "customer", "date": "when", "amount": "value", "freq": "W"}
    got = rfm_summary(to_engine(log, engine), **options)
    want = rfm_summary(log, **options)
    assert got.empty
    assert list(got.columns) == list(want.columns)
    assert dict(got.dtypes) == dict(want.dtypes)


def test_an_aware_log_is_summarised_on_its_local_calendar() -> None:
    pl = pytest.importorskip("polars")
    log = _log()
    log["when"] = log["when"].dt.tz_localize("Europe/Stockholm", nonexistent="shift_forward")
    options = {"customer": "customer", "date": "when", "amount": "value", "freq": "D"}
    want = rfm_summary(log, observation_end="2025-06-01 01:00+02:00", **options)
    got = rfm_summary(pl.from_pandas(log), observation_end="2025-06-01 01:00+02:00", **options)
    _assert_equal(got, want)


# ------------------------------------------------------------------ refusals


def test_refusals_name_the_column(engine: str) -> None:
    log = _log().assign(label="text")
    native = to_engine(log, engine)
    with pytest.raises(SchemaError, match=r"missing column 'date'.*'when'"):
        rfm_summary(native, customer="customer")
    with pytest.raises(SchemaError, match=r"'customer' must hold datetimes or dates"):
        rfm_summary(native, customer="when", date="customer")
    with pytest.raises(SchemaError, match=r"columns must be numeric: 'customer'"):
        rfm_summary(native, customer="label", date="when", amount="customer")
    with pytest.raises(InvalidInputError, match=r"freq='2W' cannot be computed in an engine"):
        rfm_summary(native, customer="customer", date="when", freq="2W")


def test_refusals_name_the_rows(engine: str) -> None:
    log = _log()
    log.loc[7, "value"] = -12.5
    log.loc[9, "customer"] = None
    native = to_engine(log, engine)
    options = {"customer": "customer", "date": "when", "amount": "value"}
    with pytest.raises(
        InvalidInputError,
        match=r"customer is missing for 1 row \(for example customer=(None|nan|<NA>)",
    ):
        rfm_summary(native, **options)
    native = to_engine(log.drop(index=9), engine)
    with pytest.raises(
        InvalidInputError, match=r"value must be a finite amount >= 0; 1 row .*value=-12\.5"
    ):
        rfm_summary(native, **options)
    native = to_engine(log.drop(index=[7, 9]), engine)
    late = int((log.drop(index=[7, 9])["when"] >= "2025-01-01").sum())
    with pytest.raises(InvalidInputError, match=rf"{late} rows .* are dated after observation_end"):
        rfm_summary(native, observation_end="2024-12-31", freq="D", **options)


def test_a_missing_date_is_refused_with_its_row() -> None:
    pl = pytest.importorskip("polars")
    log = _log()
    log.loc[3, "when"] = pd.NaT
    with pytest.raises(
        InvalidInputError, match=r"when is missing for 1 row \(for example customer="
    ):
        rfm_summary(pl.from_pandas(log), customer="customer", date="when")


def test_engine_name_without_narwhals(monkeypatch: pytest.MonkeyPatch) -> None:
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame({"a": [1]})
    assert engine_name(frame) == "polars"
    assert engine_name(pd.DataFrame({"a": [1]})) is None
    monkeypatch.setitem(sys.modules, "narwhals", None)
    with pytest.raises(InvalidInputError, match=r"install salescore\[polars\]"):
        engine_name(frame)


# ------------------------------------------------------------------ periods


FREQS = ["D", "W", "W-MON", "W-THU", "W-SAT", "M", "Q", "Q-MAR", "Q-NOV", "Y", "Y-MAR", "Y-JUN"]


@settings(max_examples=min(settings().max_examples, 100))
@given(
    stamps=st.lists(
        st.datetimes(min_value=pd.Timestamp("1678-01-01"), max_value=pd.Timestamp("2262-01-01")),
        min_size=1,
        max_size=40,
    ),
    freq=st.sampled_from(FREQS),
    native=st.sampled_from(["polars", "duckdb"]),
)
def test_period_numbers_are_pandas_ordinals(stamps: list[Any], freq: str, native: str) -> None:
    # Oracle: pandas' own Period of each date, one by one. DuckDB counts days by
    # subtracting dates, the other engines from the year, month and day.
    nw = pytest.importorskip("narwhals")
    pytest.importorskip(native)
    from salescore.engines._periods import to_ordinal, with_period

    dtype = pd.PeriodDtype(freq)
    dates = pd.Series(pd.DatetimeIndex(stamps).as_unit("us"), name="d")
    frame = nw.from_native(to_engine(dates.to_frame(), native)).lazy()
    numbers = with_period(frame, "d", None, dtype, freq, "p").select("p").collect(backend="pandas")
    got = [int(number) + to_ordinal(dtype, freq) for number in numbers["p"].to_list()]
    assert got == [pd.Period(stamp, freq=freq).ordinal for stamp in stamps]


@pytest.mark.parametrize("options", [OPTIONS[1], OPTIONS[-1]], ids=["weeks", "holdout"])
def test_a_polars_log_read_in_chunks_gives_the_same_summary(
    monkeypatch: pytest.MonkeyPatch, options: dict[str, Any]
) -> None:
    # A Polars log longer than POLARS_CHUNK_ROWS is reduced one hash bucket of
    # customers at a time: 600 rows in chunks of at most 100 make 6 buckets, each
    # customer's rows in one of them, so the summary is the one of a single pass.
    pl = pytest.importorskip("polars")
    from salescore.engines import _frames

    monkeypatch.setattr(_frames, "POLARS_CHUNK_ROWS", 100)
    buckets: list[int] = []
    concat = pd.concat

    def counted(pieces: Any, **kwargs: Any) -> Any:
        buckets.append(len(pieces))
        return concat(pieces, **kwargs)

    monkeypatch.setattr(pd, "concat", counted)  # the one _frames calls
    log = _log()
    got = rfm_summary(pl.from_pandas(log).lazy(), customer="customer", date="when", **options)
    want = rfm_summary(log, customer="customer", date="when", **options)
    assert buckets == [6]  # the customers of 6 buckets, none of them empty
    _assert_equal(got, want)
