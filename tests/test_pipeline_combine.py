"""Tests of salescore.combine_distributions: the revenue of independent books added up."""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import salescore
from salescore import ForecastDistribution, InvalidInputError, combine_distributions

from . import strategies as sst

LEVELS = np.linspace(0.005, 0.995, 199)

#: Two books of up to six deals each: their union has at most 12 uncertain deals, so
#: forecast_distribution of the union is exact and serves as the oracle.
BOOK = sst.same_length(sst.nonnegative_money(max_value=1e6), sst.probabilities(), max_size=6)
EMPTY = salescore.forecast_distribution([], [])


def _book(deals: tuple[list[float], ...], **options: Any) -> ForecastDistribution:
    values, chances = deals
    return salescore.forecast_distribution(values, chances, **options)


def _union(*books: tuple[list[float], ...], **options: Any) -> ForecastDistribution:
    values = np.concatenate([np.asarray(book[0], dtype=float) for book in books])
    chances = np.concatenate([np.asarray(book[1], dtype=float) for book in books])
    return salescore.forecast_distribution(values, chances, **options)


def _cdf(dist: ForecastDistribution, points: np.ndarray, slack: float) -> np.ndarray:
    """P(S <= x + slack) at each point, from the outcomes and probabilities."""
    below = np.searchsorted(dist.outcomes, points + slack, side="right")
    cumulative = np.concatenate([[0.0], np.cumsum(dist.probabilities)])
    return cumulative[below]


def _close(a: float, b: float, *, rel: float, scale: float) -> bool:
    # Relative, with an absolute allowance for terms that underflow near 1e-300.
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-140 * max(scale, 1.0))


def _same_moments(got: ForecastDistribution, want: ForecastDistribution) -> None:
    assert got.deals == want.deals
    assert _close(got.total, want.total, rel=1e-12, scale=want.total)
    assert _close(got.mean, want.mean, rel=1e-12, scale=want.total)
    assert _close(got.std, want.std, rel=1e-9, scale=want.total)


def _same_distribution(got: ForecastDistribution, want: ForecastDistribution) -> None:
    """Equal up to floating point: the same possible outcomes and cumulative probabilities.

    Sums of the same deals added in another order may differ in the last places (0.1 +
    0.2 against 0.3), and forecast_distribution keeps such neighbours apart while the
    combination merges them; both are compared at 1e-12 of the total.
    """
    slack = 1e-12 * max(want.total, 1e-300)
    points = np.union1d(got.outcomes, want.outcomes)
    np.testing.assert_allclose(_cdf(got, points, slack), _cdf(want, points, slack), atol=1e-12)
    for a, b in ((got, want), (want, got)):
        likely = a.outcomes[a.probabilities > 1e-12]
        nearest = np.abs(likely[:, None] - b.outcomes[None, :]).min(axis=1)
        assert (nearest <= slack).all()


def _within_bound(got: ForecastDistribution, truth: ForecastDistribution, error: float) -> None:
    """Quantiles and P(S >= t) of ``got`` within ``error`` of those of ``truth``."""
    margin = 2e-9 * max(truth.total, 1e-300)  # probability_at_least's own slack, twice
    assert np.all(np.abs(got.quantile(LEVELS) - truth.quantile(LEVELS)) <= error + margin)
    targets = np.unique(np.concatenate([truth.outcomes, truth.quantile(LEVELS)]))
    exact = truth.probability_at_least(targets)
    high = got.probability_at_least(np.maximum(targets - error - margin, 0.0))
    low = got.probability_at_least(targets + error + margin)
    assert np.all(low <= exact + 1e-9)
    assert np.all(exact <= high + 1e-9)


# ------------------------------------------------------------------ worked example


def test_two_single_deal_books_worked_by_hand() -> None:
    # North: one deal of 100 won with 0.5; south: one deal of 200 won with 0.25.
    #   neither        0.5 · 0.75 = 0.375 -> 0
    #   north only     0.5 · 0.75 = 0.375 -> 100
    #   south only     0.5 · 0.25 = 0.125 -> 200
    #   both           0.5 · 0.25 = 0.125 -> 300
    # Mean 50 + 50 = 100; variance 100²·0.25 + 200²·0.1875 = 2500 + 7500, std 100.
    north = salescore.forecast_distribution([100.0], [0.5])
    south = salescore.forecast_distribution([200.0], [0.25])
    both = combine_distributions(north, south)
    np.testing.assert_array_equal(both.outcomes, [0.0, 100.0, 200.0, 300.0])
    np.testing.assert_allclose(both.probabilities, [0.375, 0.375, 0.125, 0.125], atol=1e-15)
    assert (both.mean, both.std, both.total, both.deals) == (100.0, 100.0, 300.0, 2)
    assert (both.method, both.value_error, both.probability_error) == ("exact", 0.0, 0.0)
    plus = north + south
    np.testing.assert_array_equal(plus.outcomes, both.outcomes)
    np.testing.assert_array_equal(plus.probabilities, both.probabilities)


def test_sums_equal_up_to_rounding_are_one_outcome() -> None:
    # 0.1 + 0.2 is 0.30000000000000004, the lone 0.3 is 0.3: one outcome of the sum.
    # Sums: 0, 0.1, 0.2, 0.3 (0.1 + 0.2, or 0.3), 0.4, 0.5, 0.6: seven outcomes.
    first = salescore.forecast_distribution([0.1, 0.2], [0.5, 0.5])
    second = salescore.forecast_distribution([0.3], [0.5])
    both = first + second
    assert both.outcomes.size == 7
    assert math.isclose(both.probability_at_least(0.3), 0.625)  # 1 − P(0) − P(0.1) − P(0.2)
    assert both.method == "exact"


# ------------------------------------------------------------------ oracle: exact


@settings(max_examples=80)  # about 10 ms an example: under 2 s in the ci profile
@given(BOOK, BOOK)
def test_exact_books_combine_into_the_distribution_of_all_deals(
    north: tuple[list[float], ...], south: tuple[list[float], ...]
) -> None:
    both = combine_distributions(_book(north), _book(south))
    union = _union(north, south)
    assert both.method == union.method == "exact"
    assert both.value_error == 0.0
    assert both.probability_error == 0.0
    _same_moments(both, union)
    _same_distribution(both, union)


@settings(max_examples=50)  # about 10 ms an example: under 2 s in the ci profile
@given(BOOK, BOOK, BOOK)
def test_three_books_and_sum_agree_with_all_deals(
    a: tuple[list[float], ...], b: tuple[list[float], ...], c: tuple[list[float], ...]
) -> None:
    books = [_book(a), _book(b), _book(c)]
    union = _union(a, b, c, method="exact")
    for total in (combine_distributions(*books), sum(books), books[0] + books[1] + books[2]):
        assert isinstance(total, ForecastDistribution)
        _same_moments(total, union)
        _same_distribution(total, union)


# ---------------------------------------------------------------- oracle: lattice


@settings(max_examples=80)  # about 10 ms an example: under 2 s in the ci profile
@given(BOOK, BOOK, st.sampled_from(["exact", "lattice"]))
def test_lattice_stays_within_the_carried_bound(
    north: tuple[list[float], ...],
    south: tuple[list[float], ...],
    method: Literal["exact", "lattice"],
) -> None:
    books = [_book(north, method=method, max_bins=64), _book(south, method=method, max_bins=64)]
    both = combine_distributions(*books, max_outcomes=64)
    union = _union(north, south)  # exact: the truth
    _same_moments(both, union)
    assert both.outcomes.size <= max(64, *(book.outcomes.size for book in books))
    if both.method == "exact":  # two exact books with at most 64 pairs of outcomes
        assert method == "exact"
        assert books[0].outcomes.size * books[1].outcomes.size <= 64
        _same_distribution(both, union)
    else:
        assert math.isnan(both.probability_error)
        assert both.value_error >= books[0].value_error + books[1].value_error
        _within_bound(both, union, both.value_error)


def test_rounding_adds_at_most_half_a_step_per_book() -> None:
    # Two exact books of 12 deals: 4096 × 4096 sums are too many, so a lattice of at most
    # 1000 points over the two ranges, a step of about 1/1000 of their sum.
    rng = np.random.default_rng(3)
    values = [rng.uniform(100, 10_000, 12).round(2) for _ in range(2)]
    chances = [rng.uniform(0.1, 0.9, 12) for _ in range(2)]
    books = [salescore.forecast_distribution(v, p) for v, p in zip(values, chances, strict=True)]
    both = combine_distributions(*books, max_outcomes=1000)
    assert both.method == "lattice"
    assert both.outcomes.size <= 1000
    width = sum(float(book.outcomes[-1] - book.outcomes[0]) for book in books)
    assert 0.0 < both.value_error <= 2 * (width / (1000 - 4)) / 2
    union = salescore.forecast_distribution(np.concatenate(values), np.concatenate(chances))
    _same_moments(both, union)
    _within_bound(both, union, both.value_error + union.value_error)


@settings(max_examples=10)
@given(st.integers(0, 2**32 - 1), st.integers(60, 300), st.integers(60, 300))
def test_many_deals_force_the_lattice(seed: int, n_north: int, n_south: int) -> None:
    rng = np.random.default_rng(seed)
    values = [rng.uniform(100, 50_000, n).round(2) for n in (n_north, n_south)]
    chances = [rng.uniform(0.01, 0.99, n) for n in (n_north, n_south)]
    books = [salescore.forecast_distribution(v, p) for v, p in zip(values, chances, strict=True)]
    assert [book.method for book in books] == ["lattice", "lattice"]
    both = books[0] + books[1]
    union = salescore.forecast_distribution(np.concatenate(values), np.concatenate(chances))
    assert both.method == "lattice"
    _same_moments(both, union)
    # Each is within its own bound of the truth, so within the sum of both of each other.
    error = both.value_error + union.value_error
    assert np.all(np.abs(both.quantile(LEVELS) - union.quantile(LEVELS)) <= error)
    assert both.value_error <= 0.0011 * both.total  # the books' bounds plus a little rounding


# ------------------------------------------------------- algebra and identities


@settings(max_examples=60)  # about 10 ms an example: under 2 s in the ci profile
@given(BOOK, BOOK, BOOK, st.integers(64, 4096))
def test_mean_std_total_associative_and_commutative(
    a: tuple[list[float], ...],
    b: tuple[list[float], ...],
    c: tuple[list[float], ...],
    max_outcomes: int,
) -> None:
    x, y, z = _book(a), _book(b), _book(c)
    orders = [
        combine_distributions(combine_distributions(x, y, max_outcomes=max_outcomes), z),
        combine_distributions(x, combine_distributions(y, z, max_outcomes=max_outcomes)),
        combine_distributions(z, y, x, max_outcomes=max_outcomes),
        (z + x) + y,
    ]
    first = orders[0]
    for other in orders[1:]:
        assert other.deals == first.deals
        for name, rel in (("mean", 1e-12), ("total", 1e-12), ("std", 1e-9)):
            assert _close(getattr(other, name), getattr(first, name), rel=rel, scale=first.total)


@pytest.mark.parametrize("method", ["exact", "lattice"])
def test_a_book_without_deals_changes_nothing(method: Literal["exact", "lattice"]) -> None:
    rng = np.random.default_rng(11)
    n = 10 if method == "exact" else 80
    book = salescore.forecast_distribution(
        rng.uniform(100, 5_000, n).round(), rng.uniform(0.1, 0.9, n), method=method
    )
    for result in (book + EMPTY, EMPTY + book, combine_distributions(EMPTY, book, EMPTY)):
        for name in ("mean", "std", "total", "deals", "method", "value_error"):
            assert getattr(result, name) == getattr(book, name)
        np.testing.assert_array_equal(result.outcomes, book.outcomes)
        np.testing.assert_array_equal(result.probabilities, book.probabilities)
    assert sum([book]) is book
    assert combine_distributions(book) is book


def test_certain_deals_shift_the_other_book() -> None:
    book = salescore.forecast_distribution([100.0, 250.0], [0.3, 0.6])
    certain = salescore.forecast_distribution([1_000.0, 0.0], [1.0, 0.4])
    both = book + certain
    np.testing.assert_array_equal(both.outcomes, book.outcomes + 1_000.0)
    np.testing.assert_array_equal(both.probabilities, book.probabilities)
    assert both.deals == 4


def test_sum_of_a_list_of_books() -> None:
    books = [salescore.forecast_distribution([100.0 * k], [0.5]) for k in range(1, 5)]
    total = sum(books)
    assert isinstance(total, ForecastDistribution)
    assert total.mean == 500.0
    assert total.total == 1_000.0
    assert total.deals == 4
    # 100, 200, 300, 400 at 0.5: 16 subsets, sums 0..1000 by 100 (some sums twice).
    np.testing.assert_array_equal(total.outcomes, np.arange(0.0, 1_001.0, 100.0))
    # Symmetric about 500, which two subsets reach ({100, 400}, {200, 300}): 1/2 + 1/16.
    assert math.isclose(total.probability_at_least(500.0), 9 / 16)


def test_errors_of_the_books_are_carried() -> None:
    hand_made = ForecastDistribution(
        mean=50.0,
        std=50.0,
        total=100.0,
        deals=1,
        method="lattice",
        value_error=2.5,
        probability_error=math.nan,
        outcomes=[0.0, 100.0],
        probabilities=[0.5, 0.5],
    )
    both = hand_made + salescore.forecast_distribution([10.0], [0.5])
    assert both.method == "lattice"
    assert both.value_error >= 2.5
    assert math.isnan(both.probability_error)


def test_extreme_scales() -> None:
    tiny = salescore.forecast_distribution([5e-324, 1e-323], [0.5, 0.5])
    huge = salescore.forecast_distribution([1e300, 3e300], [0.5, 0.5])
    for books in ((tiny, tiny), (huge, huge), (tiny, huge)):
        for bound in (64, 1 << 20):
            result = combine_distributions(*books, max_outcomes=bound)
            assert np.isfinite(result.outcomes).all()
            assert result.outcomes[-1] <= result.total
            assert math.isfinite(result.value_error)


# ---------------------------------------------------------------------- refusals


def test_refusals() -> None:
    book = salescore.forecast_distribution([100.0], [0.5])
    with pytest.raises(InvalidInputError, match="at least one"):
        combine_distributions()
    with pytest.raises(InvalidInputError, match=r"distributions\[1\].*float 3\.0"):
        combine_distributions(book, 3.0)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"distributions\[0\].*list"):
        combine_distributions([book, book])  # type: ignore[arg-type]
    sampled = salescore.forecast_distribution([100.0], [0.5], method="monte_carlo", seed=1)
    with pytest.raises(InvalidInputError, match=r"distributions\[1\].*monte_carlo"):
        combine_distributions(book, sampled)
    for bad in (63, -1, 2**25, True, 64.5, "100"):
        with pytest.raises(InvalidInputError, match="max_outcomes"):
            combine_distributions(book, book, max_outcomes=bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        book + 3
    with pytest.raises(TypeError):
        1 + book
    with pytest.raises(TypeError):
        False + book


def test_total_beyond_the_largest_float_is_refused() -> None:
    big = ForecastDistribution(
        mean=5e307,
        std=5e307,
        total=1e308,
        deals=1,
        method="exact",
        value_error=0.0,
        probability_error=0.0,
        outcomes=[0.0, 1e308],
        probabilities=[0.5, 0.5],
    )
    with pytest.raises(InvalidInputError, match="largest float"):
        combine_distributions(big, big)
