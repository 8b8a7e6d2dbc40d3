"""Tests of salescore.pipeline.forecast: seed figures, exact distributions, properties."""

from __future__ import annotations

import math
from itertools import product
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import salescore
from salescore import InvalidInputError

from . import strategies as sst

# ----------------------------------------------------------------- golden figures


def test_seed_002_weighted_figures_exactly() -> None:
    # Nutshell's example: a prospect worth $27,600 at 12 % adds $3,312; $34,500 at 83 %
    # adds $28,635.
    assert salescore.weighted_value(27_600, 0.12) == 3_312.0
    assert salescore.weighted_value(34_500, 0.83) == 28_635.0
    assert salescore.weighted_forecast([27_600, 34_500], [0.12, 0.83]) == 3_312.0 + 28_635.0


def _three_deals() -> tuple[list[float], list[float]]:
    return [100.0, 200.0, 400.0], [0.5, 0.2, 0.1]


def test_three_deal_distribution_enumerated_by_hand() -> None:
    # Values 100, 200, 400 won with 0.5, 0.2, 0.1: every subset has its own sum.
    #   none          0.5·0.8·0.9 = 0.36     {100}          0.5·0.8·0.9 = 0.36
    #   {200}         0.5·0.2·0.9 = 0.09     {100,200}=300  0.5·0.2·0.9 = 0.09
    #   {400}         0.5·0.8·0.1 = 0.04     {100,400}=500  0.5·0.8·0.1 = 0.04
    #   {200,400}=600 0.5·0.2·0.1 = 0.01     all=700        0.5·0.2·0.1 = 0.01
    # Mean 50 + 40 + 40 = 130; variance 100²·0.25 + 200²·0.16 + 400²·0.09 = 23,300.
    values, probabilities = _three_deals()
    dist = salescore.forecast_distribution(values, probabilities)
    assert dist.method == "exact"
    assert dist.outcomes.tolist() == [0.0, 100.0, 200.0, 300.0, 400.0, 500.0, 600.0, 700.0]
    np.testing.assert_allclose(
        dist.probabilities, [0.36, 0.36, 0.09, 0.09, 0.04, 0.04, 0.01, 0.01], rtol=1e-12
    )
    assert dist.mean == pytest.approx(130.0, rel=1e-12)
    assert dist.std == pytest.approx(math.sqrt(23_300.0), rel=1e-12)
    assert dist.total == 700.0
    assert dist.deals == 3
    assert dist.value_error == 0.0
    # P(S >= 300) = 0.09 + 0.04 + 0.04 + 0.01 + 0.01 = 0.19; median: F(0) = 0.36 < 0.5
    # <= F(100) = 0.72, so 100; the 0.95 quantile: F(400) = 0.94 < 0.95 <= F(500).
    assert dist.probability_at_least(300) == pytest.approx(0.19, rel=1e-12)
    assert dist.quantile(0.5) == 100.0
    assert dist.quantile(0.95) == 500.0
    # interval(0.7) = (Q(0.15), Q(0.85)): F(0) = 0.36 >= 0.15; F(200) = 0.81 < 0.85 <= F(300).
    assert dist.interval(0.7) == (0.0, 300.0)


def test_seed_002_distribution() -> None:
    # 27,600 at 12 % and 34,500 at 83 %: P(none) = 0.88·0.17 = 0.1496,
    # P(only 27,600) = 0.12·0.17 = 0.0204, P(only 34,500) = 0.88·0.83 = 0.7304,
    # P(both) = 0.12·0.83 = 0.0996.
    dist = salescore.forecast_distribution([27_600, 34_500], [0.12, 0.83])
    np.testing.assert_allclose(dist.probabilities, [0.1496, 0.0204, 0.7304, 0.0996], rtol=1e-12)
    assert dist.outcomes.tolist() == [0.0, 27_600.0, 34_500.0, 62_100.0]
    assert dist.mean == salescore.weighted_forecast([27_600, 34_500], [0.12, 0.83])


def test_wins_distribution_poisson_binomial_by_hand() -> None:
    # Probabilities 0.1, 0.2, 0.2: P(0) = 0.9·0.8·0.8 = 0.576;
    # P(1) = 0.1·0.64 + 2·0.9·0.2·0.8 = 0.064 + 0.288 = 0.352;
    # P(2) = 2·0.1·0.2·0.8 + 0.9·0.04 = 0.032 + 0.036 = 0.068; P(3) = 0.1·0.04 = 0.004.
    np.testing.assert_allclose(
        salescore.wins_distribution([0.1, 0.2, 0.2]), [0.576, 0.352, 0.068, 0.004], rtol=1e-12
    )


@given(st.integers(1, 300), st.floats(0.0, 1.0, allow_subnormal=False))
def test_wins_distribution_is_binomial_for_equal_probabilities(n: int, p: float) -> None:
    pmf = salescore.wins_distribution(np.full(n, p))
    binomial = [math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]
    np.testing.assert_allclose(pmf, binomial, rtol=1e-7, atol=1e-13)


def test_certain_deals_only_shift_the_distribution() -> None:
    dist = salescore.forecast_distribution([500.0, 100.0, 0.0, 70.0], [1.0, 0.5, 0.3, 0.0])
    assert dist.outcomes.tolist() == [500.0, 600.0]
    assert dist.probabilities.tolist() == [0.5, 0.5]
    empty = salescore.forecast_distribution([], [])
    assert empty.outcomes.tolist() == [0.0]
    assert empty.mean == 0.0
    assert empty.quantile(0.5) == 0.0


# --------------------------------------------------------------------- properties

deal_lists = sst.same_length(
    sst.nonnegative_money(max_value=1e7), sst.probabilities(), min_size=0, max_size=12
)


@given(deal_lists)
def test_mean_and_variance_are_exact(columns: tuple[list[float], ...]) -> None:
    values, probabilities = columns
    dist = salescore.forecast_distribution(values, probabilities)
    assert dist.mean == salescore.weighted_forecast(values, probabilities)
    variance = sum(v * v * p * (1 - p) for v, p in zip(values, probabilities, strict=True))
    assert dist.std**2 == pytest.approx(variance, rel=1e-9, abs=1e-6)
    # And the stored outcomes agree with the analytic moments.
    mean_from_pmf = float(np.dot(dist.outcomes, dist.probabilities))
    assert mean_from_pmf == pytest.approx(dist.mean, rel=1e-9, abs=1e-6)


def _enumerated(values: list[float], probabilities: list[float]) -> dict[float, float]:
    """All 2**n outcomes, summed by revenue: the definition, as a plain loop."""
    outcomes: dict[float, float] = {}
    for won in product([False, True], repeat=len(values)):
        revenue = sum(v for v, w in zip(values, won, strict=True) if w)
        chance = math.prod(p if w else 1 - p for p, w in zip(probabilities, won, strict=True))
        outcomes[revenue] = outcomes.get(revenue, 0.0) + chance
    return outcomes


@given(sst.same_length(sst.nonnegative_money(max_value=1e6), sst.probabilities(), max_size=8))
def test_probability_at_least_equals_the_enumeration(columns: tuple[list[float], ...]) -> None:
    values, probabilities = columns
    dist = salescore.forecast_distribution(values, probabilities)
    outcomes = _enumerated(values, probabilities)
    targets = [*sorted(outcomes), max(outcomes) + 1.0]
    expected = [sum(p for x, p in outcomes.items() if x >= t - 1e-6) for t in targets]
    np.testing.assert_allclose(dist.probability_at_least(targets), expected, atol=1e-12)
    # Vectorised equals one call per target.
    assert [dist.probability_at_least(t) for t in targets] == pytest.approx(expected, abs=1e-12)


@given(deal_lists, st.lists(st.floats(0.0, 1.0), min_size=2, max_size=20))
def test_quantiles_are_monotone_and_bounded(
    columns: tuple[list[float], ...], levels: list[float]
) -> None:
    values, probabilities = columns
    dist = salescore.forecast_distribution(values, probabilities)
    quantiles = dist.quantile(np.sort(levels))
    assert np.all(np.diff(quantiles) >= 0.0)
    assert np.all(quantiles >= 0.0)
    assert np.all(quantiles <= sum(values) * (1 + 1e-12) + 1e-9)
    low, high = dist.interval(0.8)
    assert low <= high


@given(deal_lists, st.lists(sst.nonnegative_money(max_value=2e7), min_size=2, max_size=20))
def test_probability_at_least_is_non_increasing(
    columns: tuple[list[float], ...], targets: list[float]
) -> None:
    values, probabilities = columns
    dist = salescore.forecast_distribution(values, probabilities)
    chances = dist.probability_at_least(np.sort(targets))
    assert np.all(np.diff(chances) <= 1e-12)
    assert np.all((chances >= 0.0) & (chances <= 1.0))
    assert dist.probability_at_least(0.0) == pytest.approx(1.0, abs=1e-12)
    assert dist.probability_at_least(sum(values) * 1.001 + 1.0) == 0.0


@given(deal_lists)
def test_weighted_forecast_bounds_and_loop(columns: tuple[list[float], ...]) -> None:
    values, probabilities = columns
    forecast = salescore.weighted_forecast(values, probabilities)
    loop = sum(v * p for v, p in zip(values, probabilities, strict=True))
    assert forecast == pytest.approx(loop, rel=1e-12, abs=1e-6)
    assert 0.0 <= forecast <= sum(values) * (1 + 1e-12) + 1e-9


@given(deal_lists, deal_lists)
def test_weighted_forecast_is_additive_over_disjoint_deals(
    first: tuple[list[float], ...], second: tuple[list[float], ...]
) -> None:
    both = salescore.weighted_forecast(first[0] + second[0], first[1] + second[1])
    parts = salescore.weighted_forecast(*first) + salescore.weighted_forecast(*second)
    assert both == pytest.approx(parts, rel=1e-12, abs=1e-6)


@given(
    sst.same_length(sst.nonnegative_money(max_value=1e6), sst.probabilities(), max_size=8),
    st.data(),
)
def test_raising_a_probability_raises_forecast_and_chances(
    columns: tuple[list[float], ...], data: st.DataObject
) -> None:
    values, probabilities = columns
    i = data.draw(st.integers(0, len(values) - 1), label="deal")
    higher = list(probabilities)
    higher[i] = data.draw(st.floats(probabilities[i], 1.0), label="new probability")
    assert (
        salescore.weighted_forecast(values, probabilities)
        <= salescore.weighted_forecast(values, higher) * (1 + 1e-12) + 1e-9
    )
    # The whole distribution moves up (first-order stochastic dominance).
    before = salescore.forecast_distribution(values, probabilities)
    after = salescore.forecast_distribution(values, higher)
    targets = np.union1d(before.outcomes, after.outcomes)
    assert np.all(
        before.probability_at_least(targets) <= after.probability_at_least(targets) + 1e-12
    )


LEVELS = np.linspace(0.0137, 0.9863, 37)


@given(sst.same_length(sst.nonnegative_money(max_value=1e6), sst.probabilities(), max_size=12))
def test_lattice_quantiles_are_within_the_stated_bound(columns: tuple[list[float], ...]) -> None:
    values, probabilities = columns
    exact = salescore.forecast_distribution(values, probabilities, method="exact")
    lattice = salescore.forecast_distribution(values, probabilities, method="lattice")
    assert lattice.method == "lattice"
    assert lattice.value_error <= 0.001 * sum(values) + 1e-9
    slack = lattice.value_error + 1e-9 * max(1.0, sum(values))
    assert np.all(np.abs(lattice.quantile(LEVELS) - exact.quantile(LEVELS)) <= slack)
    assert lattice.mean == exact.mean


def test_lattice_on_a_large_pipeline_agrees_with_a_finer_lattice() -> None:
    rng = np.random.default_rng(2002)
    values = rng.lognormal(10.0, 1.0, 2_000).round(2)
    probabilities = rng.uniform(0.05, 0.95, 2_000)
    coarse = salescore.forecast_distribution(values, probabilities, tolerance=0.005)
    fine = salescore.forecast_distribution(values, probabilities, tolerance=0.0002)
    assert coarse.value_error <= 0.005 * values.sum()
    gap = np.abs(coarse.quantile(LEVELS) - fine.quantile(LEVELS))
    assert np.all(gap <= coarse.value_error + fine.value_error)
    np.testing.assert_allclose(coarse.probabilities.sum(), 1.0, rtol=1e-12)


def test_monte_carlo_is_repeatable_and_within_its_bound() -> None:
    values, probabilities = [27_600.0, 34_500.0, 12_000.0, 8_000.0], [0.12, 0.83, 0.5, 0.3]
    first = salescore.forecast_distribution(values, probabilities, method="monte_carlo", seed=7)
    again = salescore.forecast_distribution(values, probabilities, method="monte_carlo", seed=7)
    assert first.outcomes.tolist() == again.outcomes.tolist()
    assert first.probabilities.tolist() == again.probabilities.tolist()
    exact = salescore.forecast_distribution(values, probabilities)
    targets = exact.outcomes
    gap = np.abs(first.probability_at_least(targets) - exact.probability_at_least(targets))
    assert gap.max() <= 2 * first.probability_error  # P(S >= t) = 1 − F(t⁻): two CDF errors
    assert math.isnan(first.value_error)
    assert first.mean == exact.mean  # the mean is analytic whatever the method


def test_series_inputs_and_index_checks() -> None:
    values = pd.Series([27_600.0, 34_500.0], index=["acme", "globex"])
    probabilities = pd.Series([0.12, 0.83], index=["acme", "globex"])
    assert salescore.weighted_forecast(values, probabilities) == 31_947.0
    with pytest.raises(salescore.IndexMismatchError):
        salescore.weighted_forecast(values, probabilities.iloc[::-1])
    with pytest.raises(salescore.IndexMismatchError):
        salescore.forecast_distribution(values, probabilities.iloc[::-1])


def test_large_arrays_take_the_blockwise_path_with_the_same_answer() -> None:
    rng = np.random.default_rng(3)
    values = rng.uniform(0, 1e4, 200_003)
    probabilities = rng.uniform(0, 1, 200_003)
    assert salescore.weighted_forecast(values, probabilities) == pytest.approx(
        float(np.dot(values, probabilities)), rel=1e-12
    )
    probabilities[150_000] = np.nan
    assert math.isnan(salescore.weighted_forecast(values, probabilities))
    keep = ~np.isnan(probabilities)
    assert salescore.weighted_forecast(values, probabilities, skipna=True) == pytest.approx(
        float(np.dot(values[keep], probabilities[keep])), rel=1e-12
    )
    probabilities[199_999] = 1.5
    with pytest.raises(InvalidInputError, match=r"\[199999\] 1.5"):
        salescore.weighted_forecast(values, probabilities)


# --------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: salescore.weighted_value(27_600, 12),
            r"probability must be a fraction in \[0, 1\]; got 12.0; values above 1 look like "
            r"percentages: divide by 100",
        ),
        (
            lambda: salescore.weighted_forecast([1.0, 2.0], [0.5, 12.0]),
            r"1 of 2 values .*\[1\] 12.0.*percentages",
        ),
        (lambda: salescore.weighted_value(-5, 0.5), r"value must be a finite number >= 0"),
        (lambda: salescore.weighted_value(5, 250), r"got 250.0$"),  # not a percentage
        (
            lambda: salescore.forecast_distribution([1.0, 2.0], [0.5, math.nan]),
            r"pass skipna=True",
        ),
        (
            lambda: salescore.forecast_distribution([1.0] * 21, [0.5] * 21, method="exact"),
            r"21 uncertain deals are too many",
        ),
        (
            lambda: salescore.forecast_distribution([1.0], [0.5], tolerance=0.0),
            r"tolerance must be in \(0, 1\)",
        ),
        (
            lambda: salescore.forecast_distribution([1.0], [0.5], method="normal"),  # type: ignore[arg-type]
            r"method must be one of 'auto', 'exact', 'lattice', 'monte_carlo'; got 'normal'",
        ),
        (
            lambda: salescore.forecast_distribution([1.0], [0.5]).quantile(1.5),
            r"q must be a probability level in \[0, 1\]; got 1.5",
        ),
        (
            lambda: salescore.forecast_distribution([1.0], [0.5]).interval(1.0),
            r"level must be in \(0, 1\)",
        ),
        (lambda: salescore.wins_distribution([0.5, math.nan]), r"pass skipna=True"),
        (
            lambda: salescore.forecast_distribution([1.0], [0.5], max_bins=0),
            r"max_bins must be at least 64; got 0",
        ),
    ],
    ids=[
        "percent",
        "percent-array",
        "negative",
        "not-percent",
        "nan",
        "exact-too-big",
        "tolerance",
        "method",
        "quantile",
        "interval",
        "wins-nan",
        "max-bins",
    ],
)
def test_bad_input_is_named(call: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        call()  # type: ignore[operator]


def test_skipna_leaves_out_unknown_deals() -> None:
    dist = salescore.forecast_distribution([100.0, 50.0], [0.5, math.nan], skipna=True)
    assert dist.deals == 1
    assert dist.outcomes.tolist() == [0.0, 100.0]
    np.testing.assert_allclose(
        salescore.wins_distribution([0.5, math.nan], skipna=True), [0.5, 0.5]
    )


def test_levels_equal_to_a_cumulative_probability_reach_that_outcome() -> None:
    # 10,000 at 0.5 and 20,000 at 0.8: F(0) = 0.5 · 0.2 = 0.1 exactly, so Q(0.1) = 0;
    # one deal of 50,000 at 0.8: F(0) = 0.2, so Q(0.2) = 0.
    assert salescore.forecast_distribution([10_000, 20_000], [0.5, 0.8]).quantile(0.1) == 0.0
    assert salescore.forecast_distribution([50_000], [0.8]).quantile(0.2) == 0.0


def test_nan_levels_and_targets_give_nan() -> None:
    dist = salescore.forecast_distribution([100.0, 100.0], [0.5, 0.5])
    assert math.isnan(dist.quantile(math.nan))
    np.testing.assert_array_equal(dist.quantile([0.5, math.nan]), [100.0, math.nan])
    assert math.isnan(dist.probability_at_least(math.nan))


@given(
    sst.same_length(
        sst.nonnegative_money(max_value=1e6), sst.probabilities(), min_size=17, max_size=20
    )
)
def test_auto_switches_to_a_lattice_within_its_bound(columns: tuple[list[float], ...]) -> None:
    values, probabilities = columns
    exact = salescore.forecast_distribution(values, probabilities, method="exact")
    auto = salescore.forecast_distribution(values, probabilities)
    slack = auto.value_error + 1e-9 * max(1.0, sum(values))
    assert np.all(np.abs(auto.quantile(LEVELS) - exact.quantile(LEVELS)) <= slack)
    if auto.method == "lattice":
        assert math.isnan(auto.probability_error)
        # The true P(S >= t) lies in the band the value error allows.
        targets = exact.outcomes
        true = exact.probability_at_least(targets)
        assert np.all(true <= auto.probability_at_least(targets - auto.value_error) + 1e-9)
        assert np.all(true >= auto.probability_at_least(targets + auto.value_error) - 1e-9)


def test_huge_and_tiny_values_keep_the_variance_in_range() -> None:
    big = salescore.forecast_distribution([1e300] * 3, [0.5] * 3)
    assert big.std == pytest.approx(math.sqrt(3 * 0.25) * 1e300, rel=1e-12)
    tiny = salescore.forecast_distribution([1e-300] * 3, [0.5] * 3)
    assert tiny.std == pytest.approx(math.sqrt(3 * 0.25) * 1e-300, rel=1e-12)


def test_the_threaded_check_of_long_arrays() -> None:
    n = 2_200_000  # over two threads' worth of elements
    rng = np.random.default_rng(11)
    values = rng.uniform(0, 1e3, n)
    probabilities = rng.uniform(0, 1, n)
    expected = float(np.dot(values, probabilities))
    assert salescore.weighted_forecast(values, probabilities) == pytest.approx(expected, rel=1e-12)
    for position, bad in [(n // 2, math.inf), (n // 2 + 1, -1.0), (n - 1, math.nan)]:
        broken = values.copy()
        broken[position] = bad
        if math.isnan(bad):
            assert math.isnan(salescore.weighted_forecast(broken, probabilities))
        else:
            with pytest.raises(InvalidInputError, match=f"\\[{position}\\]"):
                salescore.weighted_forecast(broken, probabilities)
    with pytest.raises(InvalidInputError, match=r"value must be a finite number >= 0"):
        salescore.weighted_forecast(np.where(np.arange(n) == 10, math.inf, values), probabilities)


def _forecast_in_child(n: int) -> float:
    return salescore.weighted_forecast(np.ones(n), np.full(n, 0.5))


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # Python 3.12+ warns on fork
def test_a_forked_process_can_still_check_long_arrays() -> None:
    import multiprocessing

    n = 2_200_000
    assert _forecast_in_child(n) == n / 2  # the parent starts its threads
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        assert pool.apply_async(_forecast_in_child, (n,)).get(timeout=120) == n / 2


# ------------------------------------------------------------ hostile inputs (issue 14)


@pytest.mark.parametrize("flag", ["False", "no", 0, 1, None, pd.NA, np.float64(1.0)])
@pytest.mark.parametrize(
    "call",
    [
        lambda flag: salescore.weighted_forecast([1.0, math.nan], [0.5, 0.5], skipna=flag),
        lambda flag: salescore.forecast_distribution([1.0, math.nan], [0.5, 0.5], skipna=flag),
        lambda flag: salescore.wins_distribution([0.5, math.nan], skipna=flag),
    ],
    ids=["weighted_forecast", "forecast_distribution", "wins_distribution"],
)
def test_skipna_must_be_a_bool(call: Any, flag: object) -> None:
    # "False" and "no" used to be read by their truth value, as True; pd.NA raised TypeError.
    with pytest.raises(InvalidInputError, match="skipna must be True or False"):
        call(flag)


def test_skipna_accepts_numpy_bools() -> None:
    flag: Any = np.True_
    assert salescore.weighted_forecast([2.0, math.nan], [0.5, 0.5], skipna=flag) == 1.0


def test_outcomes_made_equal_by_the_certain_deals_are_one_outcome() -> None:
    # 1e-9 + 1e15 rounds to 1e15 (the spacing of floats near 1e15 is 0.125), so the
    # two outcomes "uncertain deal lost" and "won" are the same revenue: one outcome,
    # probability 0.5 + 0.5.
    dist = salescore.forecast_distribution([1e-09, 1e15], [0.5, 1.0])
    assert dist.outcomes.tolist() == [1e15]
    assert dist.probabilities.tolist() == [1.0]
    assert dist.quantile(0.5) == 1e15


@pytest.mark.parametrize("method", ["exact", "lattice", "monte_carlo"])
def test_outcomes_are_distinct_and_never_exceed_the_total(method: Any) -> None:
    rng = np.random.default_rng(3)
    values = np.concatenate([rng.uniform(0.0, 1.0, 12) * 10.0 ** rng.integers(-12, 12, 12), [1e15]])
    probabilities = np.concatenate([rng.uniform(0.05, 0.95, 12), [1.0]])
    dist = salescore.forecast_distribution(values, probabilities, method=method, seed=1)
    assert np.all(np.diff(dist.outcomes) > 0.0)
    assert dist.outcomes[-1] <= dist.total
    assert math.isclose(float(dist.probabilities.sum()), 1.0, rel_tol=1e-12)


def test_lattice_outcomes_never_exceed_the_total() -> None:
    # Deals of 1.0, 0.8 and 0.8 (total 2.6) on the smallest grid, 64 bins (tolerance
    # 0.5 asks for no more): the step is 2.6 / 64 = 0.040625, 1.0 rounds to k = 25
    # (24.6) and 0.8 to k = 20 (19.7), so the grid's "all won" point is
    # 65 * 0.040625 = 2.640625, above the total 2.6. The largest outcome is 2.6.
    dist = salescore.forecast_distribution(
        [1.0, 0.8, 0.8], [0.5, 0.5, 0.5], method="lattice", tolerance=0.5
    )
    assert dist.outcomes[-1] == dist.total == 2.6
    assert np.all(np.diff(dist.outcomes) > 0.0)


@pytest.mark.parametrize(
    ("values", "probabilities"),
    [
        ([5e-324] * 30, [0.5] * 30),  # ZeroDivisionError before: the grid step underflowed
        ([5e-324, 1.0] * 15, [0.5] * 30),
        ([1e-300] * 29 + [1e300], [0.5] * 30),
        ([1e307] * 17, [0.5] * 17),
        ([1e306] * 30, [0.5] * 30),
        ([5e-324] * 3, [0.5] * 3),
    ],
)
def test_tiny_and_huge_amounts_are_handled(values: list[float], probabilities: list[float]) -> None:
    with np.errstate(all="raise"):
        dist = salescore.forecast_distribution(values, probabilities)
    assert np.all(np.diff(dist.outcomes) > 0.0)
    assert dist.outcomes[0] >= 0.0
    assert dist.outcomes[-1] <= dist.total
    assert math.isclose(float(dist.probabilities.sum()), 1.0, rel_tol=1e-9)
    # The largest deal alone decides the top outcome's scale: all won is the total.
    assert dist.quantile(1.0) <= dist.total


def test_thirty_subnormal_deals_give_a_binomial_count_of_them() -> None:
    # 30 deals of 5e-324 (the smallest float) at 0.5: revenue = k * 5e-324 with k
    # Binomial(30, 1/2), whose median is 15, so P50 = 15 * 5e-324 = 7.4e-323.
    dist = salescore.forecast_distribution([5e-324] * 30, [0.5] * 30)
    assert dist.quantile(0.5) == 15 * 5e-324
    assert dist.total == 30 * 5e-324


def test_a_total_beyond_float_range_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="total value of the deals exceeds the largest"):
        salescore.forecast_distribution([1e308] * 3, [0.5] * 3)
    with pytest.raises(InvalidInputError, match="weighted forecast exceeds the largest float"):
        salescore.weighted_forecast([1e308] * 3, [1.0] * 3)


def test_a_tiny_tolerance_uses_the_largest_grid() -> None:
    # tolerance=5e-324 made n / (8 tolerance) infinite: OverflowError in math.ceil.
    dist = salescore.forecast_distribution([1.0] * 30, [0.5] * 30, tolerance=5e-324, max_bins=64)
    assert dist.method == "lattice"
    # Whole deals of 1 on a grid of 30/64: each rounds to k = 2 (2 * 30/64 = 0.9375),
    # an error of 0.0625 per deal, 30 * 0.0625 = 1.875 at most.
    assert dist.value_error == pytest.approx(1.875)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_bins": 2**70}, "max_bins must be at most"),
        ({"samples": 2**70, "method": "monte_carlo"}, "samples must be at most"),
        ({"seed": -1, "method": "monte_carlo"}, "seed must be a non-negative integer"),
        ({"seed": 1.5, "method": "monte_carlo"}, "seed must be a non-negative integer"),
        ({"seed": 10**400, "method": "monte_carlo"}, "seed must be at most"),
        ({"tolerance": np.timedelta64(1, "h")}, "tolerance must be a number"),
    ],
)
def test_options_out_of_range_are_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        salescore.forecast_distribution([1.0, 2.0], [0.5, 0.5], **options)


@pytest.mark.parametrize("level", [np.timedelta64(1, "h"), 10**400, "0.5", None, True])
def test_interval_level_must_be_a_number(level: object) -> None:
    dist = salescore.forecast_distribution([1.0, 2.0], [0.5, 0.5])
    with pytest.raises(InvalidInputError, match="level must be a number"):
        dist.interval(level)  # type: ignore[arg-type]


def test_probability_at_least_is_exact_for_tiny_totals() -> None:
    # Three deals of 5e-324 at 0.5: P(S >= 5e-324) = 1 - P(all lost) = 1 - 0.125.
    # The slack used to be 1e-9 in absolute terms for totals below 1, which made
    # every outcome "reach" 5e-324.
    dist = salescore.forecast_distribution([5e-324] * 3, [0.5] * 3)
    assert dist.probability_at_least(5e-324) == 0.875


def test_extreme_weighted_values_raise_no_floating_point_error() -> None:
    with np.errstate(all="raise"):
        out = salescore.weighted_value(np.array([1e308, 5e-324]), np.array([5e-324, 0.5]))
        # 1e308 * 5e-324 = 4.94e-16 (a normal float); 5e-324 * 0.5 rounds to 0 (ties to even).
        assert out.tolist() == [1e308 * 5e-324, 0.0]
        assert salescore.weighted_forecast([5e-324] * 4, [0.5] * 4) >= 0.0
        assert salescore.wins_distribution([5e-324, 0.5]).sum() == pytest.approx(1.0)


_DIST = salescore.forecast_distribution([27_600, 34_500], [0.12, 0.83])
_FIELDS = {
    "mean": _DIST.mean,
    "std": _DIST.std,
    "total": _DIST.total,
    "deals": _DIST.deals,
    "method": _DIST.method,
    "value_error": _DIST.value_error,
    "probability_error": _DIST.probability_error,
    "outcomes": _DIST.outcomes,
    "probabilities": _DIST.probabilities,
}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mean", None, "mean must be a number"),
        ("mean", math.inf, "mean must be a finite amount"),
        ("total", 10**400, "total must be a number within float range"),
        ("std", np.timedelta64(1, "h"), "std must be a number"),
        ("deals", -1, "deals must be a non-negative integer"),
        ("deals", 10**400, "deals must be at most"),
        ("method", "simulation", "method must be one of"),
        ("value_error", -1.0, "value_error must be a finite bound"),
        ("outcomes", np.array(5.0), "outcomes must be a one-dimensional array"),
        ("outcomes", [], "outcomes must hold at least one outcome"),
        ("outcomes", [0.0, 27_600.0, 27_600.0, 62_100.0], "outcomes must be distinct"),
        ("outcomes", [0.0, 27_600.0, 34_500.0, 70_000.0], "outcomes must not exceed total"),
        ("probabilities", [0.5, 0.5], "one element per outcome"),
        ("probabilities", [0.5, 0.5, 0.5, 0.5], "probabilities must sum to 1"),
        ("probabilities", [1.0, math.nan, 0.0, 0.0], "probabilities must not hold NaN"),
        ("probabilities", [[0.25, 0.25], [0.25, 0.25]], "one-dimensional"),
    ],
)
def test_an_invalid_distribution_record_cannot_be_made(
    field: str, value: object, message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        salescore.ForecastDistribution(**{**_FIELDS, field: value})


def test_a_distribution_record_copies_its_arrays_read_only() -> None:
    outcomes = [0.0, 27_600.0, 34_500.0, 62_100.0]
    dist = salescore.ForecastDistribution(**{**_FIELDS, "outcomes": outcomes})
    assert dist.outcomes.flags.writeable is False
    assert dist.quantile(0.5) == 34_500.0  # as forecast_distribution's own record
