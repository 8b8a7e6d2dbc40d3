"""Tests of salescore.team.metrics: hand calculations, properties, containers, validation."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from salescore import IndexMismatchError, InvalidInputError
from salescore.team.metrics import (
    activities_per_win,
    activity_attainment,
    sales_productivity,
    sales_roi,
)

from . import strategies as sst

# Headcounts in full-time equivalents: whole sellers, and halves for part-timers.
headcounts = st.integers(0, 400).map(lambda halves: halves / 2)
positive_headcounts = st.integers(1, 400).map(lambda halves: halves / 2)
activity_counts = st.integers(0, 10_000).map(float)

# The container checks build Series per example and repeat what tests/test_contracts.py
# checks at length; cap them so that the ci profile stays quick.
capped = settings(max_examples=min(settings().max_examples, 100))

# ------------------------------------------------------------------ hand calculations


def test_sales_productivity_by_hand() -> None:
    # 1,200,000 of revenue over 8 sellers = 150,000 each; 1,350,000 over 7.5 full-time
    # equivalents (seven sellers and a half-timer) = 180,000 each.
    assert sales_productivity(1_200_000, 8) == 150_000.0
    assert sales_productivity(1_350_000, 7.5) == 180_000.0
    # No sellers: productivity is undefined, not infinite.
    assert math.isnan(sales_productivity(10_000, 0))
    assert math.isnan(sales_productivity(0, 0))
    assert sales_productivity(0, 3) == 0.0


def test_sales_roi_by_hand() -> None:
    # Revenue 600,000 at a 50 % gross margin = 300,000 of profit; the team costs
    # 200,000 (compensation + training + systems), so (300,000 − 200,000) / 200,000 = 0.5.
    assert sales_roi(600_000, 200_000, margin=0.5) == 0.5
    # Break-even: 400,000 × 0.5 = 200,000 = the investment → 0.
    assert sales_roi(400_000, 200_000, margin=0.5) == 0.0
    # Default margin 1: revenue against cost, (250,000 − 200,000) / 200,000 = 0.25.
    assert sales_roi(250_000, 200_000) == 0.25
    # Nothing sold: the whole investment is lost, −1.
    assert sales_roi(0, 200_000, margin=0.3) == -1.0
    # Investment 160,000 = 120,000 salaries + 15,000 training + 25,000 CRM; revenue
    # 800,000 at 30 % margin = 240,000; (240,000 − 160,000) / 160,000 = 0.5.
    assert sales_roi(800_000, 120_000 + 15_000 + 25_000, margin=0.3) == pytest.approx(0.5)
    assert math.isnan(sales_roi(50_000, 0))


def test_activity_attainment_by_hand() -> None:
    # 42 calls against 50 = 0.84; 6 visits against 5 = 1.2; no target → NaN.
    assert activity_attainment(42, 50) == pytest.approx(0.84)
    assert activity_attainment(6, 5) == pytest.approx(1.2)
    assert activity_attainment(0, 50) == 0.0
    assert math.isnan(activity_attainment(3, 0))


def test_activities_per_win_by_hand() -> None:
    # 600 meetings for 40 wins = 15 per win; 90 for 9 = 10.
    assert activities_per_win(600, 40) == 15.0
    assert activities_per_win(90, 9) == 10.0
    assert math.isnan(activities_per_win(45, 0))


def test_activities_per_win_seed_002_one_in_fifty() -> None:
    # Nutshell's article: only 1 sale in 50 closes at the first meeting. 100 first meetings that
    # lead to 10 wins with follow-up are 10 first meetings per win; stopping after the
    # first meeting keeps 10 / 50 = 0.2 wins, 100 / 0.2 = 500 first meetings per win,
    # fifty times as many.
    with_follow_up = activities_per_win(100, 10)
    first_meeting_only = activities_per_win(100, 10 / 50)
    assert with_follow_up == 10.0
    assert first_meeting_only == pytest.approx(500.0)
    assert first_meeting_only / with_follow_up == pytest.approx(50.0)


def test_zero_denominators_give_nan_without_warning() -> None:
    # filterwarnings = error: a RuntimeWarning from 0/0 would fail this test.
    zeros = np.zeros(3)
    assert np.isnan(sales_productivity(np.array([0.0, 5.0, 7.0]), zeros)).all()
    assert np.isnan(sales_roi(np.array([0.0, 5.0, 7.0]), zeros)).all()
    assert np.isnan(activity_attainment(np.array([0.0, 5.0, 7.0]), zeros)).all()
    assert np.isnan(activities_per_win(np.array([0.0, 5.0, 7.0]), zeros)).all()


# ------------------------------------------------------------------------ properties


@given(sst.nonnegative_money(), positive_headcounts, st.floats(0.001, 1000.0))
def test_productivity_scales_linearly_with_revenue(
    revenue: float, headcount: float, factor: float
) -> None:
    scaled = sales_productivity(revenue * factor, headcount)
    assert scaled == pytest.approx(factor * sales_productivity(revenue, headcount), rel=1e-12)


@given(sst.nonnegative_money(), positive_headcounts, st.integers(1, 50))
def test_productivity_scales_inversely_with_headcount(
    revenue: float, headcount: float, factor: int
) -> None:
    scaled = sales_productivity(revenue, headcount * factor)
    assert scaled == pytest.approx(sales_productivity(revenue, headcount) / factor, rel=1e-12)
    # Round trip: productivity × headcount gives the revenue back.
    assert scaled * headcount * factor == pytest.approx(revenue, rel=1e-12, abs=1e-9)


@given(
    sst.nonnegative_money(),
    sst.nonnegative_money(),
    sst.nonnegative_money(max_value=1e6).filter(lambda x: x > 0),
    sst.probabilities(),
)
def test_roi_is_monotone_in_revenue(low: float, high: float, investment: float, m: float) -> None:
    low, high = sorted((low, high))
    assert sales_roi(low, investment, margin=m) <= sales_roi(high, investment, margin=m)


@given(
    sst.nonnegative_money(),
    sst.nonnegative_money(max_value=1e6).filter(lambda x: x > 0),
    sst.probabilities(),
    sst.probabilities(),
)
def test_roi_is_monotone_in_margin(revenue: float, investment: float, m1: float, m2: float) -> None:
    low, high = sorted((m1, m2))
    assert sales_roi(revenue, investment, margin=low) <= sales_roi(revenue, investment, margin=high)


@given(sst.nonnegative_money(), sst.probabilities())
def test_roi_is_zero_exactly_at_break_even(revenue: float, m: float) -> None:
    investment = revenue * m  # the profit exactly pays for the team
    assume(investment > 0.0)
    assert sales_roi(revenue, investment, margin=m) == 0.0


@given(
    sst.nonnegative_money(),
    sst.nonnegative_money().filter(lambda x: x > 0),
    sst.probabilities(),
)
def test_roi_is_bounded_below_and_round_trips(revenue: float, investment: float, m: float) -> None:
    roi = sales_roi(revenue, investment, margin=m)
    assert roi >= -1.0  # at worst the whole investment is lost
    # (1 + ROI) × investment is the gross profit.
    assert (1.0 + roi) * investment == pytest.approx(revenue * m, rel=1e-9, abs=1e-6)


@given(activity_counts, activity_counts)
def test_attainment_is_nonnegative_and_one_on_target(actual: float, target: float) -> None:
    result = activity_attainment(actual, target)
    if target == 0.0:
        assert math.isnan(result)
    else:
        assert 0.0 <= result < math.inf
        assert (result >= 1.0) == (actual >= target)
        assert activity_attainment(target, target) == 1.0


@given(activity_counts, activity_counts.filter(lambda x: x > 0))
def test_activities_per_win_round_trips(activities: float, wins: float) -> None:
    per_win = activities_per_win(activities, wins)
    assert per_win >= 0.0
    assert per_win * wins == pytest.approx(activities, rel=1e-12, abs=1e-9)


FORMULAS: dict[str, tuple[Callable[..., Any], Callable[..., float], list[Any]]] = {
    # name: (function, the formula for one element, strategies of its arguments)
    "sales_productivity": (
        sales_productivity,
        lambda r, n: r / n if n else math.nan,
        [sst.nonnegative_money(), headcounts],
    ),
    "sales_roi": (
        lambda r, i, m: sales_roi(r, i, margin=m),
        lambda r, i, m: (r * m - i) / i if i else math.nan,
        [sst.nonnegative_money(), sst.nonnegative_money(), sst.probabilities()],
    ),
    "activity_attainment": (
        activity_attainment,
        lambda a, t: a / t if t else math.nan,
        [activity_counts, activity_counts],
    ),
    "activities_per_win": (
        activities_per_win,
        lambda a, w: a / w if w else math.nan,
        [activity_counts, st.integers(0, 100).map(float)],
    ),
}


@pytest.mark.parametrize("name", sorted(FORMULAS))
@settings(max_examples=min(settings().max_examples, 300))
@given(data=st.data())
def test_vectorised_equals_a_plain_loop(name: str, data: st.DataObject) -> None:
    function, formula, strategies = FORMULAS[name]
    columns = data.draw(sst.same_length(*strategies))
    result = function(*(np.asarray(column) for column in columns))
    expected = [formula(*row) for row in zip(*columns, strict=True)]
    np.testing.assert_allclose(result, expected, rtol=1e-12, atol=1e-12, equal_nan=True)


@pytest.mark.parametrize("name", sorted(FORMULAS))
@pytest.mark.parametrize("kind", sst.KINDS)
@capped
@given(data=st.data())
def test_container_kinds(name: str, kind: sst.Kind, data: st.DataObject) -> None:
    function, formula, strategies = FORMULAS[name]
    columns = data.draw(sst.same_length(*strategies))
    arguments = [sst.as_kind(column, kind) for column in columns]
    before = [a.copy() if isinstance(a, (np.ndarray, pd.Series)) else a for a in arguments]
    result = function(*arguments)
    for original, argument in zip(before, arguments, strict=True):
        if isinstance(original, pd.Series):
            pd.testing.assert_series_equal(argument, original)
        elif isinstance(original, np.ndarray):
            np.testing.assert_array_equal(argument, original)
    if kind == "scalar":
        assert type(result) is float
        np.testing.assert_equal(result, formula(*(column[0] for column in columns)))
    elif kind == "ndarray":
        assert isinstance(result, np.ndarray)
        assert result.dtype == np.float64
        assert result.shape == (len(columns[0]),)
    else:
        assert isinstance(result, pd.Series)
        assert result.dtype == np.float64
        assert result.index.equals(arguments[0].index)


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_nan_in_gives_nan_out(name: str) -> None:
    function, _, strategies = FORMULAS[name]
    for position in range(len(strategies)):
        arguments = [1.0] * len(strategies)
        arguments[position] = math.nan
        assert math.isnan(function(*arguments)), position
        arrays: list[Any] = [np.array([1.0, 0.5])] * len(strategies)
        arrays[position] = np.array([math.nan, 0.5])
        out = function(*arrays)
        assert math.isnan(out[0])
        assert not math.isnan(out[1])


def test_roi_margin_broadcasts_per_team() -> None:
    # Three teams with their own margins: (1e5·0.2 − 1e4) / 1e4 = 1; (1e5·0.5 − 1e4) / 1e4
    # = 4; (1e5·0.1 − 1e4) / 1e4 = 0.
    teams = pd.Index(["north", "south", "east"])
    margin = pd.Series([0.2, 0.5, 0.1], index=teams)
    result = sales_roi(pd.Series(1e5, index=teams), 1e4, margin=margin)
    pd.testing.assert_series_equal(result, pd.Series([1.0, 4.0, 0.0], index=teams))


# ------------------------------------------------------------------------ validation

TEXT: Any = "12"  # a number typed as text, as a CSV import may leave it


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: sales_productivity(-1.0, 3), "revenue must be a finite number >= 0; got -1.0"),
        (lambda: sales_productivity(100.0, -2), "headcount must be a finite number >= 0"),
        (lambda: sales_productivity(math.inf, 2), "revenue must be a finite number >= 0; got inf"),
        (
            lambda: sales_productivity([1.0, 2.0], [1.0, -1.0]),
            r"headcount must be a finite number >= 0; 1 of 2 values are not \(0-based "
            r"positions: \[1\] -1.0\)",
        ),
        (lambda: sales_roi(-5.0, 10.0), "revenue must be a finite number >= 0"),
        (lambda: sales_roi(5.0, -10.0), "investment must be a finite number >= 0"),
        (lambda: sales_roi(5.0, 10.0, margin=1.5), r"margin must be a fraction in \[0, 1\]"),
        (lambda: sales_roi(5.0, 10.0, margin=30), "look like percentages"),
        (lambda: sales_roi(5.0, 10.0, margin=-0.1), r"margin must be .*; got -0.1"),
        (lambda: activity_attainment(-1, 5), "actual must be a finite number >= 0"),
        (lambda: activity_attainment(1, -5), "target must be a finite number >= 0"),
        (lambda: activities_per_win(-3, 1), "activities must be a finite number >= 0"),
        (lambda: activities_per_win(3, -1), "wins must be a finite number >= 0"),
        (lambda: activities_per_win(TEXT, 1), "activities must be a number"),
        (lambda: activity_attainment(True, 1), "actual must be a number; got the boolean"),
        (lambda: sales_productivity([1.0, 2.0], [1.0]), "revenue has 2 elements but headcount"),
    ],
)
def test_invalid_input_is_refused(call: Callable[[], Any], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        call()


def test_series_with_different_indexes_are_refused() -> None:
    revenue = pd.Series([100.0, 200.0], index=["north", "south"])
    headcount = pd.Series([2.0, 4.0], index=["south", "north"])
    with pytest.raises(IndexMismatchError, match="revenue and headcount"):
        sales_productivity(revenue, headcount)
    with pytest.raises(IndexMismatchError, match="revenue and investment"):
        sales_roi(revenue, headcount)
    with pytest.raises(IndexMismatchError, match="investment and margin"):
        sales_roi(100.0, revenue, margin=headcount / 10)


# ------------------------------------------------ extreme magnitudes


@pytest.mark.parametrize(
    ("call", "name"),
    [
        # 1,000 / 4.9e-324 ≈ 2e326, 10 / 4.9e-324 ≈ 2e324: beyond the largest float.
        (lambda: sales_productivity(1_000, 5e-324), "revenue per seller"),
        (lambda: sales_roi(1_000, 5e-324), "return on sales investment"),
        (lambda: activity_attainment(10, 5e-324), "attainment"),
        (lambda: activities_per_win([10.0, 1.0], [5e-324, 1.0]), "activities per win"),
    ],
    ids=["productivity", "roi", "attainment", "activities-per-win"],
)
def test_ratios_beyond_float_range_are_refused(call: Callable[[], object], name: str) -> None:
    with pytest.raises(InvalidInputError, match=rf"{name}.*float range"):
        call()


def test_subnormal_counts_under_errstate_raise() -> None:
    # By hand: 4.9e-324 / 2 rounds to 0 (ties to even); 4 / 2 = 2.
    with np.errstate(all="raise"):
        np.testing.assert_array_equal(sales_productivity([5e-324, 4.0], 2.0), [0.0, 2.0])
        np.testing.assert_array_equal(activities_per_win([5e-324, 4.0], 2.0), [0.0, 2.0])
