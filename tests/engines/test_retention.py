"""cohort_retention, retention_by_period and usage_summary on engine frames.

The engine reduces the log to one row per period (or per cohort and period); the table
must equal the pandas path's on the same data (counts exactly, revenue to 1e-12
relative), on a hand-counted example, on the public CDNOW log and on random logs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.errors import InvalidInputError, SchemaError
from salescore.fiscal import FiscalCalendar
from salescore.models.data import load_cdnow_transactions
from salescore.retention import cohort_retention, retention_by_period, usage_summary

from .harness import to_engine

Function = Callable[..., pd.DataFrame]


def _assert_equal(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    assert got.index.equals(want.index)
    assert got.index.name == want.index.name
    assert dict(got.dtypes) == dict(want.dtypes)
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, atol=0.0)


def _log() -> pd.DataFrame:
    """Text ids, times of day over 20 months, one missing amount, a quiet stretch."""
    rng = np.random.default_rng(20261204)
    rows = 800
    log = pd.DataFrame(
        {
            "customer": rng.choice([f"K{number:03d}" for number in range(90)], rows),
            "when": pd.Timestamp("2023-12-25")
            + pd.to_timedelta(rng.integers(0, 600 * 86_400, rows), unit="s"),
            "value": rng.gamma(2.0, 40.0, rows).round(2),
        }
    )
    # No one buys from mid-June to mid-August 2024: whole months without activity.
    quiet = (log["when"] >= "2024-06-15") & (log["when"] < "2024-08-15")
    log = log[~quiet].reset_index(drop=True)
    log.loc[11, "value"] = np.nan
    return log


COLUMNS: dict[str, Any] = {"customer": "customer", "date": "when"}
OPTIONS: list[tuple[Function, dict[str, Any]]] = [
    (cohort_retention, {}),
    (cohort_retention, {"amount": "value", "measure": "revenue"}),
    (cohort_retention, {"freq": "Q-MAR", "normalize": False, "end": "2025-12-31"}),
    (cohort_retention, {"freq": "W-WED", "amount": "value", "measure": "revenue"}),
    (retention_by_period, {}),
    (retention_by_period, {"freq": "W", "end": "2025-09-01"}),
    (retention_by_period, {"freq": "Y-JUN"}),
    (usage_summary, {}),
    (usage_summary, {"freq": "D"}),
    (usage_summary, {"freq": "Q", "customers": [f"K{number:03d}" for number in range(120)]}),
]
# Every option on the in-process engines; on the cluster engines, whose every query
# costs seconds, one of each function.
CASES = [
    *((engine, case) for engine in ("polars", "polars-lazy", "duckdb") for case in OPTIONS),
    *((engine, OPTIONS[index]) for engine in ("dask", "spark") for index in (1, 5, 9)),
]


@pytest.mark.parametrize(
    ("engine", "case"),
    CASES,
    indirect=["engine"],
    ids=[
        f"{engine}-{function.__name__}-" + "-".join(map(str, options.values()))[:40]
        for engine, (function, options) in CASES
    ],
)
def test_equal_to_the_pandas_path(engine: str, case: tuple[Function, dict[str, Any]]) -> None:
    function, options = case
    log = _log()
    want = function(log, **COLUMNS, **options)
    got = function(to_engine(log, engine), **COLUMNS, **options)
    _assert_equal(got, want)
    if options.get("measure") == "revenue":  # the missing amount makes its cell NaN
        known = function(log.fillna({"value": 0.0}), **COLUMNS, **options)
        assert got.isna().sum().sum() > known.isna().sum().sum()


EXAMPLE = pd.DataFrame(
    {
        "customer_id": ["ann", "bo", "ann", "cy", "bo", "cy"],
        "date": pd.to_datetime(
            ["2024-01-05", "2024-01-20", "2024-02-11", "2024-02-14", "2024-03-02", "2024-03-09"]
        ),
        "amount": [100.0, 50.0, 80.0, 40.0, 50.0, 60.0],
    }
)


def test_the_hand_counted_example_on_every_engine(engine: str) -> None:
    # By hand: ann and bo start in January, cy in February. ann buys again in February,
    # bo in March: the January cohort keeps 1 of 2 in each later month. January's
    # revenue 150; February's of that cohort 80 (ann), March's 50 (bo).
    native = to_engine(EXAMPLE, engine)
    cohorts = cohort_retention(native)
    assert list(cohorts.loc["2024-01"]) == [1.0, 0.5, 0.5]
    assert cohorts.loc["2024-02", 0] == 1.0
    assert cohorts.loc["2024-02", 1] == 1.0  # cy buys again in March
    shares = cohort_retention(native, amount="amount", measure="revenue")
    assert list(shares.loc["2024-01"]) == [1.0, 80.0 / 150.0, 50.0 / 150.0]
    # February: ann retained, bo lost, cy new; March: cy retained, ann lost, bo back.
    flows = retention_by_period(native)
    assert flows["retained"].tolist() == [0, 1, 1]
    assert flows["lost"].tolist() == [0, 1, 1]
    assert flows["new"].tolist() == [2, 1, 0]
    assert flows["reactivated"].tolist() == [0, 0, 1]
    # Events per active customer: January ann 1, bo 1; February ann 1, cy 1; March
    # bo 1, cy 1. The base grows 2, 3, 3.
    usage = usage_summary(native)
    assert usage["customers"].tolist() == [2, 3, 3]
    assert usage["median_per_active"].tolist() == [1.0, 1.0, 1.0]


def test_cdnow_on_every_engine(engine: str) -> None:
    # The public CDNOW sample (Fader & Hardie; shipped in salescore/models/_data): 2,357
    # customers, a tenth of a cohort who all made their first purchase in the first
    # quarter of 1997.
    log = load_cdnow_transactions()
    native = to_engine(log, engine)
    cohorts = cohort_retention(native, amount="amount", measure="revenue", freq="Q")
    _assert_equal(cohorts, cohort_retention(log, amount="amount", measure="revenue", freq="Q"))
    assert cohorts.index.astype(str).tolist()[:1] == ["1997Q1"]
    flows = retention_by_period(native)
    _assert_equal(flows, retention_by_period(log))
    assert int(flows["new"].sum()) == log["customer_id"].nunique() == 2_357
    assert int(flows.loc["1997-04":, "new"].sum()) == 0
    _assert_equal(usage_summary(native, freq="Q"), usage_summary(log, freq="Q"))


FUNCTIONS: list[Function] = [cohort_retention, retention_by_period, usage_summary]


@pytest.mark.parametrize("function", FUNCTIONS)
def test_an_empty_log_gives_the_empty_table(engine: str, function: Function) -> None:
    log = _log().iloc[:0]
    got = function(to_engine(log, engine), **COLUMNS)
    want = function(log, **COLUMNS)
    assert got.empty
    _assert_equal(got, want)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_an_aware_log_is_split_on_its_local_calendar(function: Function) -> None:
    pl = pytest.importorskip("polars")
    log = _log()
    # 2024-03-31 23:30 in Stockholm is still March there, and April in UTC.
    log["when"] = log["when"].dt.tz_localize("Europe/Stockholm", nonexistent="shift_forward")
    _assert_equal(function(pl.from_pandas(log), **COLUMNS), function(log, **COLUMNS))


# ------------------------------------------------------------------ refusals


def test_refusals_name_the_column(engine: str) -> None:
    native = to_engine(_log().assign(label="text"), engine)
    with pytest.raises(SchemaError, match=r"missing column 'date'.*'when'"):
        retention_by_period(native, customer="customer")
    with pytest.raises(SchemaError, match=r"'customer' must hold datetimes or dates"):
        usage_summary(native, customer="when", date="customer")
    with pytest.raises(SchemaError, match=r"columns must be numeric: 'label'"):
        cohort_retention(native, **COLUMNS, amount="label", measure="revenue")
    with pytest.raises(InvalidInputError, match=r"freq='2M' cannot be computed in an engine"):
        cohort_retention(native, **COLUMNS, freq="2M")
    fiscal = FiscalCalendar.from_start_month(4).freq("quarter")
    with pytest.raises(InvalidInputError, match=r"fiscal periods cannot be computed in an engine"):
        usage_summary(native, **COLUMNS, freq=fiscal)


def test_refusals_name_the_rows(engine: str) -> None:
    log = _log()
    log.loc[7, "value"] = -12.5
    log.loc[9, "customer"] = None
    options = {**COLUMNS, "amount": "value", "measure": "revenue"}
    with pytest.raises(
        InvalidInputError,
        match=r"customer is missing for 1 row \(for example customer=(None|nan|<NA>)",
    ):
        cohort_retention(to_engine(log, engine), **options)
    log = log.drop(index=9)
    with pytest.raises(
        InvalidInputError, match=r"value must be a finite number >= 0; not so for 1 row .*-12\.5"
    ):
        cohort_retention(to_engine(log, engine), **options)
    log = log.drop(index=7)
    late = int((log["when"] >= "2025-01-01").sum())
    with pytest.raises(InvalidInputError, match=rf"but {late} rows .* are dated after it"):
        retention_by_period(to_engine(log, engine), **COLUMNS, end="2024-12")
    with pytest.raises(
        InvalidInputError, match=r"customers does not list the customer of \d+ rows"
    ):
        usage_summary(to_engine(log, engine), **COLUMNS, customers=["K000", "K001"])


def test_a_missing_date_is_refused_with_its_row() -> None:
    pl = pytest.importorskip("polars")
    log = _log()
    log.loc[3, "when"] = pd.NaT
    with pytest.raises(InvalidInputError, match=r"when is missing for 1 row \(for example"):
        usage_summary(pl.from_pandas(log), **COLUMNS)


def test_too_many_periods_are_refused() -> None:
    pl = pytest.importorskip("polars")
    log = _log()
    log.loc[0, "when"] = pd.Timestamp("1900-01-01")
    # Days from 1900-01-01 to 2200-01-01 inclusive: 109,574, more than the 100,000 a table holds.
    with pytest.raises(InvalidInputError, match=r"spans 109,574 periods of 'D'"):
        retention_by_period(pl.from_pandas(log), **COLUMNS, freq="D", end="2200-01-01")
    with pytest.raises(InvalidInputError, match=r"spans 109,574 periods of 'D'"):
        retention_by_period(log, **COLUMNS, freq="D", end="2200-01-01")


# ------------------------------------------------------------------ random logs


@settings(max_examples=min(settings().max_examples, 60), deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(0, 7),  # customer
            st.integers(0, 400),  # day after 2024-01-01
            st.one_of(st.none(), st.floats(0.0, 1e6)),  # amount
        ),
        min_size=1,
        max_size=60,
    ),
    freq=st.sampled_from(["W", "M", "Q"]),
)
def test_random_logs_equal_the_pandas_path(
    rows: list[tuple[int, int, float | None]], freq: str
) -> None:
    # Oracle: the pandas path, whose own tests check it against loops over customers.
    pl = pytest.importorskip("polars")
    log = pd.DataFrame(
        {
            "customer_id": [f"c{customer}" for customer, _, _ in rows],
            "date": pd.Timestamp("2024-01-01") + pd.to_timedelta([day for _, day, _ in rows], "D"),
            "amount": [np.nan if amount is None else amount for _, _, amount in rows],
        }
    )
    native = pl.from_pandas(log)
    cases: list[tuple[Function, dict[str, Any]]] = [
        (cohort_retention, {"amount": "amount", "measure": "revenue"}),
        (cohort_retention, {"normalize": False}),
        (retention_by_period, {}),
        (usage_summary, {}),
    ]
    for function, options in cases:
        _assert_equal(function(native, freq=freq, **options), function(log, freq=freq, **options))


@pytest.mark.parametrize("index", [1, 5, 8], ids=["cohorts", "flows", "usage"])
def test_a_polars_log_read_in_chunks_gives_the_same_table(
    monkeypatch: pytest.MonkeyPatch, index: int
) -> None:
    # A Polars log longer than POLARS_CHUNK_ROWS is reduced one hash bucket of
    # customers at a time, and the buckets' counts and sums are added up: with chunks
    # of at most 50 rows the log is read in several buckets, and the table is the one
    # of a single pass.
    pl = pytest.importorskip("polars")
    from salescore.engines import _frames

    function, options = OPTIONS[index]
    log = _log()
    monkeypatch.setattr(_frames, "POLARS_CHUNK_ROWS", 50)
    buckets: list[int] = []
    concat = pd.concat

    def counted(pieces: Any, **kwargs: Any) -> Any:
        buckets.append(len(pieces))
        return concat(pieces, **kwargs)

    monkeypatch.setattr(pd, "concat", counted)  # the one _frames calls
    got = function(pl.from_pandas(log).lazy(), **COLUMNS, **options)
    assert len(buckets) >= 1  # the chunks' partial tables were put together:
    assert buckets[0] > 1  # those of several buckets
    _assert_equal(got, function(log, **COLUMNS, **options))
