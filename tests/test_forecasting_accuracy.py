"""forecast_accuracy: errors per period, WAPE, bias and MAPE, per group.

Hand examples (every number worked out in the comments), the strict input rules
(labels paired by label, never by position; nothing dropped), and properties: the
bounds of the ratios, their invariance when forecasts and actuals are scaled by the
same factor, group sums adding up to the total, and a plain-loop oracle.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.errors import IndexMismatchError, InvalidInputError
from salescore.forecasting.accuracy import ForecastAccuracy, forecast_accuracy

from .strategies import nonnegative_money

MONTHS = pd.period_range("2026-01", periods=4, freq="M", name="month")

# ------------------------------------------------------------------ hand-worked


def test_hand_example_wape_bias_and_mape_skipping_a_zero_actual() -> None:
    # month     forecast  actual  error  |error|  error/actual
    # 2026-01        50      40     10      10       0.25
    # 2026-02        40      50    -10      10      -0.2
    # 2026-03        10       0     10      10       NaN (nothing won: skipped by MAPE)
    # 2026-04        70      70      0       0       0
    # WAPE = (10 + 10 + 10 + 0) / (40 + 50 + 0 + 70) = 30 / 160 = 0.1875
    # bias = (10 - 10 + 10 + 0) / 160 = 10 / 160 = 0.0625 (over-forecast)
    # MAPE = (0.25 + 0.2 + 0) / 3 = 0.15 over 3 periods, 1 skipped
    forecast = pd.Series([50.0, 40.0, 10.0, 70.0], index=MONTHS)
    actual = pd.Series([40.0, 50.0, 0.0, 70.0], index=MONTHS)
    result = forecast_accuracy(forecast, actual)
    assert isinstance(result, ForecastAccuracy)
    expected_periods = pd.DataFrame(
        {
            "forecast": [50.0, 40.0, 10.0, 70.0],
            "actual": [40.0, 50.0, 0.0, 70.0],
            "error": [10.0, -10.0, 10.0, 0.0],
            "absolute_error": [10.0, 10.0, 10.0, 0.0],
            "percentage_error": [0.25, -0.2, math.nan, 0.0],
        },
        index=MONTHS,
    )
    pd.testing.assert_frame_equal(result.periods, expected_periods)
    summary = result.summary
    assert list(summary.index) == ["all"]
    row = summary.loc["all"]
    assert row["wape"] == pytest.approx(0.1875, abs=1e-15)
    assert row["bias"] == pytest.approx(0.0625, abs=1e-15)
    assert row["mape"] == pytest.approx(0.15, abs=1e-15)
    assert (row["periods"], row["mape_periods"], row["mape_skipped"]) == (4, 3, 1)
    assert (row["forecast"], row["actual"], row["error"], row["absolute_error"]) == (
        170.0,
        160.0,
        10.0,
        30.0,
    )
    assert summary["periods"].dtype == np.int64


def test_hand_example_per_group() -> None:
    # north: forecast 50, 60 vs actual 40, 60 -> |e| 10 + 0, e +10; actual 100
    #        WAPE 0.1, bias 0.1, MAPE (10/40 + 0) / 2 = 0.125
    # south: forecast 40, 40 vs actual 50, 30 -> |e| 10 + 10, e 0; actual 80
    #        WAPE 20/80 = 0.25, bias 0, MAPE (0.2 + 1/3) / 2 = 0.2666…
    index = pd.MultiIndex.from_product(
        [["north", "south"], ["2026Q1", "2026Q2"]], names=["region", "quarter"]
    )
    forecast = pd.Series([50.0, 60.0, 40.0, 40.0], index=index)
    actual = pd.Series([40.0, 60.0, 50.0, 30.0], index=index)
    summary = forecast_accuracy(forecast, actual, by="region").summary
    assert list(summary.index) == ["north", "south"]
    assert summary.index.name == "region"
    assert summary["wape"].tolist() == pytest.approx([0.1, 0.25], abs=1e-15)
    assert summary["bias"].tolist() == pytest.approx([0.1, 0.0], abs=1e-15)
    assert summary["mape"].tolist() == pytest.approx([0.125, (0.2 + 1 / 3) / 2], abs=1e-15)


def test_nothing_won_gives_nan_ratios_and_counts_the_skipped_periods() -> None:
    forecast = pd.Series([10.0, 0.0], index=MONTHS[:2])
    actual = pd.Series([0.0, 0.0], index=MONTHS[:2])
    row = forecast_accuracy(forecast, actual).summary.loc["all"]
    assert np.isnan(row["wape"])
    assert np.isnan(row["bias"])
    assert np.isnan(row["mape"])
    assert (row["mape_periods"], row["mape_skipped"]) == (0, 2)


def test_actual_in_another_order_is_paired_by_label() -> None:
    forecast = pd.Series([50.0, 40.0, 10.0, 70.0], index=MONTHS)
    actual = pd.Series([40.0, 50.0, 0.0, 70.0], index=MONTHS)
    shuffled = actual.iloc[[2, 0, 3, 1]]
    a = forecast_accuracy(forecast, actual)
    b = forecast_accuracy(forecast, shuffled)
    pd.testing.assert_frame_equal(a.periods, b.periods)
    pd.testing.assert_frame_equal(a.summary, b.summary)


def test_integer_and_nullable_amounts_are_read() -> None:
    forecast = pd.Series([5, 4], index=["a", "b"], dtype="Int64")
    actual = pd.Series([4, 4], index=["a", "b"])
    row = forecast_accuracy(forecast, actual).summary.loc["all"]
    assert row["wape"] == 1 / 8


def test_empty_series() -> None:
    empty = pd.Series([], dtype=np.float64, index=MONTHS[:0])
    result = forecast_accuracy(empty, empty)
    assert result.periods.empty
    row = result.summary.loc["all"]
    assert np.isnan(row["wape"])
    assert row["periods"] == 0


def test_several_group_levels() -> None:
    index = pd.MultiIndex.from_product(
        [["n", "s"], ["x", "y"], ["q1", "q2"]], names=["region", "team", "quarter"]
    )
    values = np.arange(8.0)
    summary = forecast_accuracy(
        pd.Series(values, index=index), pd.Series(values + 1, index=index), by=["region", "team"]
    ).summary
    assert list(summary.index.names) == ["region", "team"]
    assert len(summary) == 4
    # n/x: forecast 0, 1 vs actual 1, 2 -> WAPE 2/3, bias -2/3
    assert summary.loc[("n", "x"), "wape"] == pytest.approx(2 / 3)
    assert summary.loc[("n", "x"), "bias"] == pytest.approx(-2 / 3)


# ------------------------------------------------------------------ refusals


def _series(values: list[float], index: Any = None) -> pd.Series[Any]:
    labels: Any = MONTHS[: len(values)] if index is None else index
    return pd.Series(values, index=labels, dtype=np.float64)


@pytest.mark.parametrize(
    ("forecast", "actual", "match"),
    [
        (_series([1.0, 2.0]), _series([1.0, math.nan]), r"actual must be a finite.*2026-02"),
        (_series([1.0, -2.0]), _series([1.0, 1.0]), r"forecast must be a finite.*-2.0"),
        (_series([1.0, math.inf]), _series([1.0, 1.0]), "forecast must be a finite"),
        (_series([1.0, 2.0]), pd.Series([True, False], index=MONTHS[:2]), "must hold numbers"),
        (_series([1.0, 2.0]), pd.Series(["1", "2"], index=MONTHS[:2]), "must hold numbers"),
        (_series([1.0]).to_frame(), _series([1.0]), "pass one column"),
        ([1.0, 2.0], _series([1.0, 2.0]), "must be a pandas Series"),
        (
            _series([1.0, 2.0], index=["a", "a"]),
            _series([1.0, 2.0], index=["a", "a"]),
            r"each period once.*'a'",
        ),
        (
            _series([1.0, 2.0], index=["a", None]),
            _series([1.0, 2.0], index=["a", None]),
            "name every period",
        ),
    ],
)
def test_bad_inputs_are_refused_naming_the_periods(
    forecast: object, actual: object, match: str
) -> None:
    with pytest.raises(InvalidInputError, match=match):
        forecast_accuracy(forecast, actual)  # type: ignore[arg-type]


def test_different_periods_are_refused_with_the_missing_ones_named() -> None:
    forecast = _series([1.0, 2.0, 3.0])
    actual = pd.Series([1.0, 2.0, 3.0], index=MONTHS[1:4])
    with pytest.raises(IndexMismatchError, match=r"actual lacks 1 period.*2026-01.*forecast lacks"):
        forecast_accuracy(forecast, actual)
    # Same length, different labels: never paired by position.
    with pytest.raises(IndexMismatchError, match="never pairs periods by position"):
        forecast_accuracy(_series([1.0, 2.0], index=["a", "b"]), _series([1.0, 2.0], index=[0, 1]))


def test_bad_by_is_refused() -> None:
    index = pd.MultiIndex.from_product([["n", "s"], ["q1", "q2"]], names=["region", "quarter"])
    f = pd.Series([1.0, 2.0, 3.0, 4.0], index=index)
    with pytest.raises(InvalidInputError, match="by names no level"):
        forecast_accuracy(f, f, by="area")
    with pytest.raises(InvalidInputError, match="at least one level"):
        forecast_accuracy(f, f, by=["region", "quarter"])
    with pytest.raises(InvalidInputError, match="distinct"):
        forecast_accuracy(f, f, by=["region", "region"])
    with pytest.raises(InvalidInputError, match="level name"):
        forecast_accuracy(f, f, by=0)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="needs a MultiIndex"):
        forecast_accuracy(_series([1.0]), _series([1.0]), by="month")
    with pytest.raises(IndexMismatchError, match="name their index levels alike"):
        forecast_accuracy(f, f.rename_axis(["area", "quarter"]), by="region")
    missing = pd.MultiIndex.from_arrays([["n", None], ["q1", "q1"]], names=["region", "q"])
    unnamed = pd.Series([1.0, 2.0], index=missing)
    with pytest.raises(InvalidInputError, match="name every period"):
        forecast_accuracy(unnamed, unnamed)


def test_inputs_are_not_changed() -> None:
    forecast = _series([50.0, 40.0, 10.0, 70.0])
    actual = _series([40.0, 50.0, 0.0, 70.0]).iloc[::-1]
    before = (forecast.copy(), actual.copy())
    forecast_accuracy(forecast, actual)
    pd.testing.assert_series_equal(forecast, before[0])
    pd.testing.assert_series_equal(actual, before[1])


# ------------------------------------------------------------------ properties


@st.composite
def _book(draw: st.DrawFn) -> tuple[pd.Series, pd.Series]:
    groups = draw(st.integers(1, 3))
    periods = draw(st.integers(1, 8))
    index = pd.MultiIndex.from_product(
        [[f"g{g}" for g in range(groups)], range(periods)], names=["group", "period"]
    )
    amount = st.one_of(st.just(0.0), nonnegative_money(max_value=1e7))
    forecast = draw(st.lists(amount, min_size=len(index), max_size=len(index)))
    actual = draw(st.lists(amount, min_size=len(index), max_size=len(index)))
    return pd.Series(forecast, index=index), pd.Series(actual, index=index)


def _close(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-9, abs=1e-12)


@settings(max_examples=min(settings().max_examples, 200))
@given(_book(), st.floats(1e-3, 1e3))
def test_ratios_do_not_change_when_both_are_scaled(
    book: tuple[pd.Series, pd.Series], factor: float
) -> None:
    forecast, actual = book
    a = forecast_accuracy(forecast, actual, by="group").summary
    b = forecast_accuracy(forecast * factor, actual * factor, by="group").summary
    for column in ("wape", "bias", "mape"):
        for x, y in zip(a[column], b[column], strict=True):
            assert _close(x, y), column
    for column in ("periods", "mape_periods", "mape_skipped"):
        assert a[column].tolist() == b[column].tolist()


@settings(max_examples=min(settings().max_examples, 200))
@given(_book())
def test_bounds_and_group_sums(book: tuple[pd.Series, pd.Series]) -> None:
    forecast, actual = book
    result = forecast_accuracy(forecast, actual, by="group")
    whole = forecast_accuracy(forecast, actual).summary.loc["all"]
    summary = result.summary
    known = summary["actual"] > 0
    assert (summary.loc[known, "wape"] >= summary.loc[known, "bias"].abs() - 1e-12).all()
    assert (summary.loc[known, "bias"] >= -1.0 - 1e-12).all()
    assert (summary["mape"].dropna() >= 0).all()
    assert summary.loc[~known, "wape"].isna().all()
    assert (summary["periods"] == summary["mape_periods"] + summary["mape_skipped"]).all()
    for column in ("forecast", "actual", "absolute_error"):
        assert whole[column] == pytest.approx(summary[column].sum(), rel=1e-12, abs=1e-6)
    assert whole["periods"] == len(forecast)
    periods = result.periods
    assert (periods["error"] == periods["forecast"] - periods["actual"]).all()
    assert (periods["absolute_error"] == periods["error"].abs()).all()


@settings(max_examples=min(settings().max_examples, 200))
@given(_book())
def test_vectorised_summary_equals_a_plain_loop(book: tuple[pd.Series, pd.Series]) -> None:
    forecast, actual = book
    summary = forecast_accuracy(forecast, actual, by="group").summary
    for group in summary.index:
        f = forecast.xs(group, level="group").tolist()
        a = actual.xs(group, level="group").tolist()
        errors = [x - y for x, y in zip(f, a, strict=True)]
        total = sum(a)
        wape = sum(abs(e) for e in errors) / total if total else math.nan
        bias = sum(errors) / total if total else math.nan
        ape = [abs(e) / y for e, y in zip(errors, a, strict=True) if y != 0]
        mape = sum(ape) / len(ape) if ape else math.nan
        row = summary.loc[group]
        assert _close(row["wape"], wape)
        assert _close(row["bias"], bias)
        assert _close(row["mape"], mape)
        assert row["mape_periods"] == len(ape)
        assert row["mape_skipped"] == len(a) - len(ape)
