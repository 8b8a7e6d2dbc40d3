"""pipeline_as_of, pipeline_waterfall, close_date_slippage and backtest_forecast on engines.

The engine checks the change log as the pandas path does and finds the rows in force,
the deals taking part in the waterfall and each deal's moves of its close date where
the log lives; the results must equal the pandas path's on the same data (collected
from the engine, so that both read the same dtypes), on a waterfall counted by hand,
on random logs, and the engine must refuse what the pandas path refuses, with the same
words. An engine's rows have no order: where the pandas path names the deals of bad
rows in the order of their first row, the engine names them by id (the tests use
logs whose bad deals come in id order, or one bad deal).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.engines import engine_name
from salescore.errors import InvalidInputError, SchemaError
from salescore.forecasting.changes import pipeline_as_of, pipeline_waterfall
from salescore.forecasting.slippage import close_date_slippage

from .harness import to_engine, to_pandas

FAST = ("polars", "polars-lazy", "duckdb")
# Most cases run on the fast engines only; Dask and Spark in the few cases below.
on_fast = pytest.mark.parametrize("engine", FAST, indirect=True)


# The three public calls on an engine frame (each dispatches to the engine).
def _as_of(native: Any, when: object) -> pd.DataFrame:
    assert engine_name(native) is not None
    return pipeline_as_of(native, when)


def _waterfall(
    native: Any, start: str, end: str, *, period: object = None, by: str | list[str] | None = None
) -> Any:
    assert engine_name(native) is not None
    return pipeline_waterfall(native, start, end, period=period, by=by)


def _slippage(native: Any, as_of: object = None) -> Any:
    assert engine_name(native) is not None
    return close_date_slippage(native, as_of=as_of)


def _log(deals: int = 60, seed: int = 20261204) -> pd.DataFrame:
    """A change log of ``deals`` deals over 2025, rows shuffled.

    Each deal has 1 to 6 rows, whole-second moments 1 to 40 days apart; a change
    pushes the close date (chance 0.35), pulls it in (0.1) or changes the value
    (0.3); the last row may win or lose the deal, and one deal in ten is reopened
    after a loss. Owners include a missing one (a group of its own).
    """
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    owners = ["ana", "bo", None, "cy"]
    for number in range(deals):
        at = pd.Timestamp("2025-01-01") + pd.Timedelta(seconds=int(rng.integers(0, 200 * 86_400)))
        close = at.normalize() + pd.Timedelta(days=int(rng.integers(20, 120)))
        value = float(rng.integers(1, 80)) * 250.0
        owner = owners[int(rng.integers(0, len(owners)))]
        count = int(rng.integers(1, 7))
        for step in range(count):
            if step:
                at += pd.Timedelta(seconds=int(rng.integers(86_400, 40 * 86_400)))
                roll = rng.random()
                if roll < 0.35:
                    close += pd.Timedelta(days=int(rng.integers(5, 60)))
                elif roll < 0.45:
                    close -= pd.Timedelta(days=int(rng.integers(1, 20)))
                elif roll < 0.75:
                    value = float(rng.integers(1, 80)) * 250.0
            status = "open"
            if step == count - 1 and count > 1:
                status = ["open", "won", "lost"][int(rng.integers(0, 3))]
            if number % 10 == 3 and step == count - 2:
                status = "lost"  # reopened by the next row
            rows.append(
                {
                    "deal_id": f"D{number:03d}",
                    "changed_at": at,
                    "stage": f"S{min(step, 3)}",
                    "value": value,
                    "probability": round(min(0.1 + 0.2 * step, 1.0), 2),
                    "close_date": close.normalize(),
                    "status": status,
                    "owner": owner,
                }
            )
    frame = pd.DataFrame(rows)
    order = rng.permutation(len(frame))
    frame = frame.iloc[order].reset_index(drop=True)
    frame["changed_at"] = frame["changed_at"].astype("datetime64[us]")
    frame["close_date"] = frame["close_date"].astype("datetime64[us]")
    return frame


def _same_state(got: pd.DataFrame, want: pd.DataFrame) -> None:
    if want.empty:  # the pandas path's empty status has no text dtype to copy
        assert got.empty
        assert list(got.columns) == list(want.columns)
    else:
        pd.testing.assert_frame_equal(got, want)


def _same_waterfall(got: Any, want: Any) -> None:
    for part in ("value", "count", "deals"):
        pd.testing.assert_frame_equal(getattr(got, part), getattr(want, part))
    assert (got.start, got.end, got.period) == (want.start, want.end, want.period)


def _same_slippage(got: Any, want: Any) -> None:
    pd.testing.assert_frame_equal(got.deals, want.deals, check_exact=False, rtol=1e-12)
    pd.testing.assert_frame_equal(got.pushed_at_least, want.pushed_at_least)
    assert got.mean_pushes == pytest.approx(want.mean_pushes, rel=1e-12, nan_ok=True)
    assert got.share_pushed == pytest.approx(want.share_pushed, rel=1e-12, nan_ok=True)


# --- equality with the pandas path ------------------------------------------------------


@on_fast
def test_as_of_equals_the_pandas_path(engine: str) -> None:
    native = to_engine(_log(), engine)
    log = to_pandas(native)
    # Before the first change (no deal yet), between changes, after the last.
    for when in ("2025-01-01", "2025-03-15 12:30:00", "2025-06-30", "2026-06-30"):
        _same_state(_as_of(native, when), pipeline_as_of(log, when))


WATERFALLS: list[tuple[object, Any]] = [
    ("2025Q2", None),
    (None, "owner"),  # the whole open pipeline; a missing owner is a group
    (("2025-04-15", "2025-05-31"), ["owner", "stage"]),
    ("2025-05", "status"),
]


@on_fast
def test_waterfall_equals_the_pandas_path(engine: str) -> None:
    native = to_engine(_log(), engine)
    log = to_pandas(native)
    for period, by in WATERFALLS:
        want = pipeline_waterfall(log, "2025-04-01", "2025-06-30", period=period, by=by)
        got = _waterfall(native, "2025-04-01", "2025-06-30", period=period, by=by)
        _same_waterfall(got, want)


@on_fast
def test_slippage_equals_the_pandas_path(engine: str) -> None:
    native = to_engine(_log(), engine)
    log = to_pandas(native)
    for as_of in (None, "2025-04-01"):
        _same_slippage(_slippage(native, as_of), close_date_slippage(log, as_of=as_of))


@pytest.mark.parametrize("engine", ["dask", "spark"], indirect=True)
def test_dask_and_spark_equal_the_pandas_path(engine: str) -> None:
    # The pandas path on the log as the user holds it: Dask hands back its own
    # nullable strings, which the engine path gives as pandas' text.
    log = _log(30)
    native = to_engine(log, engine)
    pd.testing.assert_frame_equal(_as_of(native, "2025-05-01"), pipeline_as_of(log, "2025-05-01"))
    want = pipeline_waterfall(log, "2025-04-01", "2025-06-30", period="2025Q2", by="owner")
    _same_waterfall(
        _waterfall(native, "2025-04-01", "2025-06-30", period="2025Q2", by="owner"), want
    )


@pytest.mark.parametrize("engine", ["dask", "spark"], indirect=True)
def test_dask_and_spark_slippage_equals_the_pandas_path(engine: str) -> None:
    # Dask's windows take no order: its rows are shuffled by deal and the window runs
    # in pandas on each partition.
    log = _log(30)
    _same_slippage(_slippage(to_engine(log, engine)), close_date_slippage(log))


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
def test_aware_moments_equal_the_pandas_path(zone: str) -> None:
    # Aware change moments beside naive and aware `when`s, and aware close dates read
    # on their own calendar.
    pl = pytest.importorskip("polars")
    log = _log(40)
    log["changed_at"] = log["changed_at"].dt.tz_localize("UTC").dt.tz_convert(zone)
    log["close_date"] = log["close_date"].dt.tz_localize(zone)
    native = pl.from_pandas(log).lazy()
    for when in ("2025-05-01 03:00:00", pd.Timestamp("2025-05-01 03:00", tz="Asia/Tokyo")):
        pd.testing.assert_frame_equal(_as_of(native, when), pipeline_as_of(log, when))
    want = pipeline_waterfall(log, "2025-04-01", "2025-06-30", period="2025Q2", by="owner")
    _same_waterfall(
        _waterfall(native, "2025-04-01", "2025-06-30", period="2025Q2", by="owner"), want
    )
    _same_slippage(_slippage(native), close_date_slippage(log))


def test_date_close_dates_are_read_as_days() -> None:
    # Polars' Date: the days of the period compared as dates, the moves in whole days.
    pl = pytest.importorskip("polars")
    log = _log(40)
    native = pl.from_pandas(log).with_columns(pl.col("close_date").cast(pl.Date)).lazy()
    want = pipeline_waterfall(log, "2025-04-01", "2025-06-30", period="2025Q2")
    got = _waterfall(native, "2025-04-01", "2025-06-30", period="2025Q2")
    pd.testing.assert_frame_equal(got.value, want.value)
    pd.testing.assert_frame_equal(got.count, want.count)
    slips = _slippage(native)
    columns = ["pushes", "push_days", "pulls", "pull_days", "net_days"]
    pd.testing.assert_frame_equal(slips.deals[columns], close_date_slippage(log).deals[columns])


# --- a waterfall counted by hand ------------------------------------------------------


def _hand_log() -> pd.DataFrame:
    """Six deals followed through Q2 2026 (start 2026-04-01, end 2026-06-30)."""
    rows = [
        # deal, moment, value, close date, status
        ("A", "2026-03-01", 100.0, "2026-05-15", "open"),  # stays, value up
        ("A", "2026-05-01", 130.0, "2026-05-20", "open"),
        ("B", "2026-03-10", 200.0, "2026-06-10", "open"),  # pushed out to Q3
        ("B", "2026-06-01", 180.0, "2026-08-01", "open"),
        ("C", "2026-03-20", 50.0, "2026-04-30", "open"),  # won in the quarter
        ("C", "2026-04-25", 50.0, "2026-04-25", "won"),
        ("D", "2026-05-05", 70.0, "2026-06-20", "open"),  # new, then lost
        ("D", "2026-06-15", 70.0, "2026-06-15", "lost"),
        ("E", "2026-02-01", 40.0, "2026-09-30", "open"),  # pulled in from Q3
        ("E", "2026-04-20", 45.0, "2026-06-05", "open"),
        ("F", "2026-03-05", 300.0, "2026-07-15", "open"),  # Q3 throughout: no part
    ]
    return pd.DataFrame(
        {
            "deal_id": [row[0] for row in rows],
            "changed_at": pd.to_datetime([row[1] for row in rows]).astype("datetime64[us]"),
            "value": [row[2] for row in rows],
            "close_date": pd.to_datetime([row[3] for row in rows]).astype("datetime64[us]"),
            "status": [row[4] for row in rows],
        }
    )


@on_fast
def test_hand_counted_waterfall(engine: str) -> None:
    # At start (2026-04-01), open with Q2 close: A 100, B 200, C 50 -> start 350 (3).
    # D created 2026-05-05 with a Q2 close: new 70; lost on 2026-06-15: lost 70.
    # E's close moved from Q3 into Q2 at 45: pulled_in 45, in end.
    # A: 100 -> 130, stays: value_up 30. B: 200 -> 180 (value_down 20) and pushed out
    # at 180. C: won at 50. F: never in Q2.
    # end = A 130 + E 45 = 175 (2 deals).
    # Check: 350 + 70 + 45 - 180 + 30 - 20 - 50 - 70 = 175; 3 + 1 + 1 - 1 - 1 - 1 = 2.
    native = to_engine(_hand_log(), engine)
    flow = _waterfall(native, "2026-04-01", "2026-06-30", period="2026Q2")
    assert flow.value.loc["all"].tolist() == [
        350.0,
        70.0,
        45.0,
        180.0,
        30.0,
        20.0,
        50.0,
        70.0,
        175.0,
    ]
    assert flow.count.loc["all"].tolist() == [3, 1, 1, 1, 1, 1, 1, 1, 2]
    assert flow.deals["deal_id"].tolist() == ["A", "B", "C", "D", "E"]
    assert flow.deals["entered"].tolist() == [None, None, None, "new", "pulled_in"]
    assert flow.deals["left"].tolist() == [None, "pushed_out", "won", "lost", None]
    # As of 2026-04-01: A, B, C, E, F exist (D is created later); B's row of 03-10.
    state = _as_of(native, "2026-04-01")
    assert state["deal_id"].tolist() == ["A", "B", "C", "E", "F"]
    assert state["value"].tolist() == [100.0, 200.0, 50.0, 40.0, 300.0]
    # Slippage: A +5 days; B +52 days (06-10 -> 08-01); C -5; D -5; E -117; F none.
    slips = _slippage(native).deals.set_index("deal_id")
    assert slips["push_days"].tolist() == [5.0, 52.0, 0.0, 0.0, 0.0, 0.0]
    assert slips["pull_days"].tolist() == [0.0, 0.0, 5.0, 5.0, 117.0, 0.0]


# --- refusals, in the pandas path's words -----------------------------------------------


def _refusal(log: pd.DataFrame, engine: str = "polars-lazy") -> tuple[str, str]:
    """The messages of the pandas path and of the engine for the same bad log."""
    native = to_engine(log, engine)
    with pytest.raises((InvalidInputError, SchemaError)) as pandas_error:
        pipeline_as_of(to_pandas(native), "2026-01-01")
    with pytest.raises(type(pandas_error.value)) as engine_error:
        _as_of(native, "2026-01-01")
    return str(pandas_error.value), str(engine_error.value)


@pytest.mark.parametrize(
    ("column", "bad", "words"),
    [
        ("status", "pending ", "'status' must be one of 'open', 'won', 'lost'"),
        ("value", -5.0, "'value' must be a finite number >= 0"),
        ("value", np.inf, "'value' must be a finite number >= 0"),
        ("probability", 60.0, "divide by 100"),
        ("probability", -0.5, "'probability' must be a fraction in [0, 1]"),
        ("close_date", pd.NaT, "'close_date' is missing in 1 row"),
        ("status", None, "'status' is missing in 1 row"),
    ],
)
def test_bad_rows_are_refused_in_the_pandas_words(column: str, bad: Any, words: str) -> None:
    log = _hand_log()
    log["probability"] = 0.5
    if column == "status":
        log["status"] = log["status"].astype(object)
    log.loc[3, column] = bad  # deal B's second row
    for engine in ("polars-lazy", "duckdb"):
        pytest.importorskip(engine.removesuffix("-lazy"))
        expected, got = _refusal(log, engine)
        assert words in got
        assert got == expected


@on_fast
def test_two_rows_at_one_moment_are_refused_as_in_pandas(engine: str) -> None:
    log = _hand_log()
    twice = pd.concat([log, log.iloc[[2, 2, 6]]], ignore_index=True)  # B twice, D once
    expected, got = _refusal(twice, engine)
    assert "2 deals have two rows at the same 'changed_at' ('B' at 2026-03-10" in got
    assert got == expected


@on_fast
def test_bad_deals_are_named_by_id(engine: str) -> None:
    log = _log(20)
    log.loc[log["deal_id"] >= "D012", "value"] = -1.0
    expected, got = _refusal(log, engine)
    assert "8 deals: 'D012' (-1.0), 'D013' (-1.0), 'D014' (-1.0), 'D015' (-1.0), " in got
    assert "'D016' (-1.0), …" in got
    assert got.split(": ", 1)[0] == expected.split(": ", 1)[0]


def test_mixed_currencies_are_refused_as_in_pandas() -> None:
    # The deals taking part carry their currency back from the engine; the pandas
    # path's tail refuses the mix, naming the deals of each currency.
    pl = pytest.importorskip("polars")
    log = _log(40)
    log["currency"] = ["EUR" if row % 7 else "USD" for row in range(len(log))]
    with pytest.raises(InvalidInputError) as expected:
        pipeline_waterfall(log, "2025-04-01", "2025-06-30", period="2025Q2")
    with pytest.raises(InvalidInputError) as got:
        _waterfall(pl.from_pandas(log), "2025-04-01", "2025-06-30", period="2025Q2")
    assert "more than one currency" in str(got.value)
    assert str(got.value) == str(expected.value)


def test_missing_ids_and_columns_are_refused() -> None:
    pl = pytest.importorskip("polars")
    log = _hand_log()
    log.loc[4, "deal_id"] = None
    with pytest.raises(InvalidInputError, match=r"'deal_id' is missing in 1 row \(for example"):
        _as_of(pl.from_pandas(log), "2026-05-01")
    with pytest.raises(SchemaError, match="missing column 'status'"):
        _as_of(pl.from_pandas(_hand_log().drop(columns="status")), "2026-05-01")
    text = _hand_log().assign(changed_at=lambda frame: frame["changed_at"].astype(str))
    with pytest.raises(SchemaError, match="'changed_at' has dtype String; it must hold datetimes"):
        _as_of(pl.from_pandas(text), "2026-05-01")
    with pytest.raises(InvalidInputError, match="when must be a timestamp"):
        _as_of(pl.from_pandas(_hand_log()), 17)


def test_a_missing_moment_is_refused_before_the_row_checks() -> None:
    pl = pytest.importorskip("polars")
    log = _hand_log()
    log.loc[0, "changed_at"] = pd.NaT
    log.loc[1, "value"] = -1.0
    expected, got = _refusal(log)
    assert got == expected == ("deal_changes: 'changed_at' is missing in 1 row (1 deal: 'A')")
    assert pl is not None


# --- random logs -------------------------------------------------------------------------


@settings(max_examples=min(settings().max_examples, 40), deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(0, 4),  # deal
            st.integers(0, 120),  # day of the change in 2026
            st.sampled_from([0.0, 10.0, 25.5, 40.0]),  # value
            st.integers(0, 200),  # close day in 2026
            st.sampled_from(["open", "open", "won", "lost"]),
        ),
        min_size=1,
        max_size=25,
        unique_by=lambda row: (row[0], row[1]),
    ),
    start=st.integers(-5, 100),
    length=st.integers(1, 60),
)
def test_random_logs_equal_the_pandas_path(
    rows: list[tuple[int, int, float, int, str]], start: int, length: int
) -> None:
    # Oracle: the pandas path, whose own tests replay the rows by hand.
    pl = pytest.importorskip("polars")
    day = pd.Timestamp("2026-01-01")
    log = pd.DataFrame(
        {
            "deal_id": [f"D{row[0]}" for row in rows],
            "changed_at": [day + pd.Timedelta(days=row[1]) for row in rows],
            "value": [row[2] for row in rows],
            "close_date": [day + pd.Timedelta(days=row[3]) for row in rows],
            "status": [row[4] for row in rows],
        }
    ).astype({"changed_at": "datetime64[us]", "close_date": "datetime64[us]"})
    native = pl.from_pandas(log).lazy()
    first = day + pd.Timedelta(days=start)
    last = first + pd.Timedelta(days=length)
    _same_state(_as_of(native, first), pipeline_as_of(log, first))
    for period in ("2026Q1", None):
        want = pipeline_waterfall(log, first, last, period=period)
        _same_waterfall(_waterfall(native, str(first), str(last), period=period), want)
    _same_slippage(_slippage(native), close_date_slippage(log))


# --- the backtest -------------------------------------------------------------------------


def _backtest(log: Any, **options: Any) -> Any:
    """The backtest of ``log``, or the message of its refusal."""
    from salescore.forecasting.backtest import backtest_forecast

    try:
        return backtest_forecast(log, **options)
    except InvalidInputError as error:
        return str(error)


def _same_backtest(got: Any, want: Any) -> None:
    if isinstance(want, str):  # both refused, in the same words
        assert got == want
        return
    assert not isinstance(got, str), got
    pd.testing.assert_frame_equal(got.periods, want.periods)
    pd.testing.assert_frame_equal(got.deals, want.deals)
    if want.rates is None:
        assert got.rates is None
    else:  # stages first entered at one moment may come in another order
        order = [c for c in want.rates.columns if c not in _RATE_VALUES]
        pd.testing.assert_frame_equal(
            got.rates.sort_values(order, kind="stable", na_position="first").reset_index(drop=True),
            want.rates.sort_values(order, kind="stable", na_position="first").reset_index(
                drop=True
            ),
        )
    for field in ("probabilities", "lead", "as_of", "open_deals"):
        assert getattr(got, field) == getattr(want, field)
    for field in ("wape", "bias", "bias_pipeline", "coverage", "brier"):
        assert getattr(got, field) == pytest.approx(getattr(want, field), nan_ok=True)


_RATE_VALUES = ("reached", "won", "lost", "win_rate", "lower", "upper", "open")

BACKTESTS: dict[str, dict[str, Any]] = {
    "crm": {"periods": ["2025Q2", "2025Q3"]},
    "crm, lead and as_of": {"periods": ["2025-05", "2025Q3"], "lead": "10D", "as_of": "2026-01-01"},
    "preset": {
        "periods": ["2025Q3"],
        "probabilities": {"S0": 0.1, "S1": 0.3, "S2": 0.6, "S3": 0.8},
    },
    "learned": {"periods": ["2025Q3", "2025Q4"], "probabilities": "learned", "as_of": "2026-09-01"},
    "learned by owner": {
        "periods": ["2025Q4"],
        "probabilities": "learned",
        "by": "owner",
        "as_of": "2026-09-01",
    },
    "learned too early": {"periods": [("2025-01-15", "2025-06-30")], "probabilities": "learned"},
}


@on_fast
@pytest.mark.parametrize("case", list(BACKTESTS))
def test_the_backtest_equals_the_pandas_path(engine: str, case: str) -> None:
    # Oracle: the pandas path, whose own tests check the backtest by hand.
    native = to_engine(_log(120), engine)
    log = to_pandas(native)
    want = _backtest(log, **BACKTESTS[case])
    # Only the early period is refused: no deal had closed in its stages by then.
    assert isinstance(want, str) == (case == "learned too early"), want
    _same_backtest(_backtest(native, **BACKTESTS[case]), want)


@pytest.mark.parametrize("engine", ["dask", "spark"], indirect=True)
def test_dask_and_spark_backtests_equal_the_pandas_path(engine: str) -> None:
    # The log as the user holds it (Dask hands back its own nullable strings).
    log = _log(120)
    native = to_engine(log, engine)
    for case in ("crm", "learned by owner"):
        want = _backtest(log, **BACKTESTS[case])
        assert not isinstance(want, str), want
        _same_backtest(_backtest(native, **BACKTESTS[case]), want)


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
def test_aware_backtests_equal_the_pandas_path(zone: str) -> None:
    # Aware moments against the naive snapshots (naive is UTC) and an aware as_of;
    # the default as_of is the last moment in the log's own zone.
    pl = pytest.importorskip("polars")
    log = _log(120)
    log["changed_at"] = log["changed_at"].dt.tz_localize("UTC").dt.tz_convert(zone)
    native = pl.from_pandas(log).lazy()
    for options in (
        BACKTESTS["learned"],
        {"periods": ["2025Q2"], "as_of": pd.Timestamp("2025-12-01 09:00", tz="Asia/Tokyo")},
        {"periods": ["2025Q2"], "lead": "36h"},
    ):
        want = _backtest(log, **options)
        assert not isinstance(want, str), want
        _same_backtest(_backtest(native, **options), want)
    assert _backtest(native, periods=["2025Q2"]).as_of.tz is not None


@on_fast
def test_the_backtest_refuses_what_the_pandas_path_refuses(engine: str) -> None:
    log = _log(40)
    # A closed deal's open row without a stage, read for the learned rates: the
    # pandas path names the rows' deals, the engine each deal once (here one row).
    state = pipeline_as_of(log, "2025-10-01")
    deal = state["deal_id"][state["status"] != "open"].min()  # closed at Q4's snapshot
    nameless = log.copy()
    row = nameless.index[(nameless["deal_id"] == deal) & (nameless["stage"] == "S0")][0]
    nameless.loc[row, "stage"] = None
    options = {"periods": ["2025Q4"], "probabilities": "learned", "as_of": "2026-09-01"}
    want = _backtest(nameless, **options)
    assert isinstance(want, str)
    assert f"1 row: {deal!r}" in want
    got = _backtest(to_engine(nameless, engine), **options)
    assert got == want.replace(f"1 row: {deal!r}", f"1 deal: {deal!r}")
    # No rows; no probability column with "crm"; a bad row, in the pandas words.
    empty = to_engine(log.iloc[:0], engine)
    assert _backtest(empty, periods=["2025Q1"]) == _backtest(log.iloc[:0], periods=["2025Q1"])
    chanceless = log.drop(columns="probability")
    want = _backtest(chanceless, periods=["2025Q1"])
    assert isinstance(want, str)
    assert "missing column 'probability'" in want
    assert _backtest(to_engine(chanceless, engine), periods=["2025Q1"]) == want
    negative = log.assign(value=np.where(log["deal_id"] == "D005", -1.0, log["value"]))
    want = _backtest(negative, periods=["2025Q1"])
    assert isinstance(want, str)
    assert "'D005'" in want
    assert _backtest(to_engine(negative, engine), periods=["2025Q1"]) == want
