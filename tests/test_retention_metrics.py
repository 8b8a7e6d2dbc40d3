"""Tests of salescore.retention.metrics: rates by hand, properties, containers, validation."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from salescore import IndexMismatchError, InvalidInputError
from salescore.retention.metrics import (
    churn_rate,
    quick_ratio,
    renewal_rate,
    retention_rate,
    upsell_share,
)

from . import strategies as sst

# ----------------------------------------------------------------- golden figures


def test_retention_churn_and_renewal_by_hand() -> None:
    # 200 customers on 1 January, 210 on 31 December of which 30 were won during the
    # year: (210 − 30) / 200 = 180 / 200 = 0.9 kept.
    assert retention_rate(200, 210, 30) == 0.9
    # The 20 who left: 20 / 200 = 0.1 churn, and 1 − 0.1 = 0.9 retention.
    assert churn_rate(200, 20) == 0.1
    # 45 of the 50 contracts due for renewal were renewed: 45 / 50 = 0.9.
    assert renewal_rate(45, 50) == 0.9
    # By value: 180,000 of 240,000 due renewed = 0.75.
    assert renewal_rate(180_000.0, 240_000.0) == 0.75


def test_quick_ratio_by_hand() -> None:
    # (20,000 new + 8,000 expansion) / (5,000 churned + 3,000 contraction) = 28 / 8 = 3.5.
    assert quick_ratio(20_000, 8_000, 5_000, 3_000) == 3.5
    # With 4,000 from returning customers: 32,000 / 8,000 = 4.
    assert quick_ratio(20_000, 8_000, 5_000, 3_000, reactivation=4_000) == 4.0
    # Nothing lost: NaN under the NaN policy (some tools write inf).
    assert math.isnan(quick_ratio(1_000, 0, 0, 0))


def test_upsell_share_seed_002() -> None:
    # Nutshell's article: in B2B up to 90 % of customer revenue comes after the first sale. A
    # customer's first order of 10,000 and repeat orders of 30,000 and 60,000:
    # 90,000 / 100,000 = 0.9.
    assert upsell_share([10_000, 30_000, 60_000], [False, True, True]) == 0.9


def test_upsell_share_of_deals_by_hand() -> None:
    # Eight deals, three to existing customers: pass 1 as the revenue → 3 / 8.
    existing = [True, False, False, True, False, True, False, False]
    assert upsell_share(1, existing) == 0.375
    assert upsell_share(np.ones(8), np.array(existing, dtype=np.int64)) == 0.375


def test_upsell_share_of_only_existing_customers_is_exactly_one() -> None:
    # Found by Hypothesis: summing only the existing customers' sales adds them in
    # another order than the total does, and the share came out 1 + 2⁻⁵².
    revenue = [0.0, 5_728_641.0, 10_000_000.0, 1_048_575.62, 0.0, 0.0, 0.0, 0.0]
    assert upsell_share(revenue, [v > 0 for v in revenue]) == 1.0


# ----------------------------------------------------------------- containers


def test_rates_keep_the_container() -> None:
    index = pd.Index(["north", "south"], name="region")
    start = pd.Series([200, 50], index=index)
    result = retention_rate(start, pd.Series([180, 40], index=index), 0)
    assert isinstance(result, pd.Series)
    assert result.index.equals(index)
    assert result.dtype == np.float64
    assert result.tolist() == [0.9, 0.8]
    array = churn_rate(np.array([200, 0]), [20, 0])
    assert isinstance(array, np.ndarray)
    assert array.dtype == np.float64
    np.testing.assert_array_equal(array, [0.1, math.nan])
    assert type(renewal_rate(np.int64(3), np.float32(4))) is float
    assert type(upsell_share(pd.Series([1.0, 3.0]), pd.Series([True, False]))) is float


def test_zero_denominators_give_nan_without_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert math.isnan(retention_rate(0, 0, 0))
        assert math.isnan(churn_rate(0, 0))
        assert math.isnan(renewal_rate(0, 0))
        assert np.isnan(quick_ratio([0.0], [0.0], [0.0], [0.0])).all()
        assert math.isnan(upsell_share([0.0, 0.0], [True, False]))
        assert math.isnan(upsell_share([], []))


def test_nan_propagates_element_wise() -> None:
    out = retention_rate([100, math.nan, 100], [90, 90, math.nan], [0, 0, 0])
    np.testing.assert_array_equal(out, [0.9, math.nan, math.nan])
    assert math.isnan(quick_ratio(1.0, math.nan, 1.0, 1.0))
    assert math.isnan(upsell_share([1.0, math.nan], [True, False]))
    assert upsell_share([1.0, math.nan, 3.0], [True, False, False], skipna=True) == 0.25


def test_inputs_are_not_modified() -> None:
    start = np.array([100.0, 50.0])
    end = pd.Series([90.0, 60.0])
    existing = np.array([True, False])
    retention_rate(start, end, 10.0)
    upsell_share(end, existing)
    np.testing.assert_array_equal(start, [100.0, 50.0])
    assert end.tolist() == [90.0, 60.0]
    assert existing.tolist() == [True, False]


# ----------------------------------------------------------------- properties


@st.composite
def books(draw: Any) -> tuple[list[float], list[float], list[float]]:
    """Customer counts consistent per period: new <= end and end − new <= start."""
    size = draw(st.integers(1, 15))
    start, end, new = [], [], []
    for _ in range(size):
        s = draw(st.integers(0, 10_000))
        kept = draw(st.integers(0, s))
        n = draw(st.integers(0, 10_000))
        start.append(float(s))
        end.append(float(kept + n))
        new.append(float(n))
    return start, end, new


@given(books())
def test_retention_is_a_fraction_and_matches_a_loop(book: tuple[list[float], ...]) -> None:
    start, end, new = book
    vector = retention_rate(start, end, new)
    loop = [retention_rate(s, e, n) for s, e, n in zip(start, end, new, strict=True)]
    np.testing.assert_array_equal(vector, loop)
    known = ~np.isnan(vector)
    assert ((vector[known] >= 0.0) & (vector[known] <= 1.0)).all()
    assert np.isnan(vector[~known]).all()
    assert (np.asarray(start)[~known] == 0.0).all()


@given(st.lists(st.tuples(sst.counts(max_value=10_000), st.floats(0.0, 1.0)), min_size=1))
def test_without_new_customers_retention_is_one_minus_churn(
    rows: list[tuple[int, float]],
) -> None:
    start = np.array([float(s) for s, _ in rows])
    end = np.floor(start * np.array([f for _, f in rows]))
    lost = start - end
    retained = retention_rate(start, end, 0.0)
    churned = churn_rate(start, lost)
    has_customers = start > 0
    np.testing.assert_allclose(retained[has_customers], 1.0 - churned[has_customers], atol=1e-15)
    assert np.isnan(retained[~has_customers]).all()
    assert np.isnan(churned[~has_customers]).all()


@given(sst.same_length(sst.nonnegative_money(), sst.probabilities()))
def test_renewal_rate_times_due_is_renewed(pair: tuple[list[float], ...]) -> None:
    due, share = (np.asarray(v) for v in pair)
    renewed = np.minimum(due * share, due)
    rate = renewal_rate(renewed, due)
    positive = due > 0
    assert ((rate[positive] >= 0.0) & (rate[positive] <= 1.0)).all()
    np.testing.assert_allclose(rate[positive] * due[positive], renewed[positive], rtol=1e-12)


@given(
    sst.same_length(
        sst.nonnegative_money(),
        sst.nonnegative_money(),
        sst.nonnegative_money(),
        sst.nonnegative_money(),
        sst.nonnegative_money(),
    ),
    st.floats(1e-3, 1e3),
)
def test_quick_ratio_is_scale_invariant_and_matches_a_loop(
    flows: tuple[list[float], ...], k: float
) -> None:
    new, expansion, churned, contraction, back = (np.asarray(v) for v in flows)
    ratio = quick_ratio(new, expansion, churned, contraction, reactivation=back)
    loop = [
        quick_ratio(n, x, c, d, reactivation=r)
        for n, x, c, d, r in zip(new, expansion, churned, contraction, back, strict=True)
    ]
    np.testing.assert_array_equal(ratio, loop)
    scaled = quick_ratio(
        new * k, expansion * k, churned * k, contraction * k, reactivation=back * k
    )
    lost = churned + contraction
    # Scaling keeps a zero denominator zero, except where k · x underflows (not here).
    np.testing.assert_allclose(scaled[lost > 0], ratio[lost > 0], rtol=1e-12)
    assert np.isnan(ratio[lost == 0]).all()
    # Above 1 exactly when more revenue came in than went out.
    gained = new + expansion + back
    growing = (gained > lost) & (lost > 0)
    assert (ratio[growing] > 1.0).all()


@given(
    st.lists(st.tuples(sst.nonnegative_money(max_value=1e7), st.booleans()), min_size=1),
    st.floats(1e-3, 1e3),
)
def test_upsell_share_bounds_complement_and_loop(sales: list[tuple[float, bool]], k: float) -> None:
    revenue = np.array([r for r, _ in sales])
    existing = np.array([e for _, e in sales])
    share = upsell_share(revenue, existing)
    total = math.fsum(revenue)
    if total == 0.0:
        assert math.isnan(share)
        return
    assert 0.0 <= share <= 1.0
    # Existing and new customers' shares are the parts of one total.
    assert share + upsell_share(revenue, ~existing) == pytest.approx(1.0, rel=1e-12)
    # A plain Python loop over the sales.
    expected = math.fsum(r for r, e in sales if e) / total
    assert share == pytest.approx(expected, rel=1e-12, abs=1e-15)
    # The currency unit does not matter.
    assert upsell_share(revenue * k, existing) == pytest.approx(share, rel=1e-12, abs=1e-15)


@given(st.lists(st.booleans(), min_size=1, max_size=30), st.sampled_from(sst.KINDS))
def test_upsell_share_of_deals_is_the_mean_of_the_flags(flags: list[bool], kind: sst.Kind) -> None:
    existing: Any = flags[0] if kind == "scalar" else flags
    if kind == "ndarray":
        existing = np.array(flags)
    elif kind == "series":
        existing = pd.Series(flags)
    expected = float(np.mean([flags[0]] if kind == "scalar" else flags))
    assert upsell_share(1.0, existing) == pytest.approx(expected, rel=1e-12)


# ----------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: retention_rate(100, 90, 95), InvalidInputError, "new must be at most end"),
        (
            lambda: retention_rate([100, 100], [90, 130], [5, 10]),
            InvalidInputError,
            r"end - new must be at most start.*1 of 2 .*\[1\] 120.0 > 100.0",
        ),
        (lambda: retention_rate(-1, 0, 0), InvalidInputError, "start must be a finite number"),
        (lambda: retention_rate(10, math.inf, 0), InvalidInputError, "end must be"),
        (
            lambda: churn_rate([10, 10, 5], [11, 1, 6]),
            InvalidInputError,
            r"lost must be at most start.*2 of 3.*\[0\] 11.0 > 10.0, \[2\] 6.0 > 5.0",
        ),
        (lambda: churn_rate(10, -1), InvalidInputError, "lost must be a finite number >= 0"),
        (lambda: renewal_rate(51, 50), InvalidInputError, "renewed 51.0 > due 50.0"),
        (lambda: renewal_rate(True, 50), InvalidInputError, "boolean"),
        (
            lambda: quick_ratio(1, 1, 1, 1, reactivation=-5),
            InvalidInputError,
            "reactivation must be a finite number >= 0",
        ),
        (
            lambda: quick_ratio(pd.Series([1.0], index=["a"]), pd.Series([1.0], index=["b"]), 0, 1),
            IndexMismatchError,
            "new and expansion",
        ),
        (
            lambda: upsell_share([1.0, 2.0], [1, 2]),
            InvalidInputError,
            r"existing must hold True/False or 0/1.*\[1\] 2",
        ),
        (
            lambda: upsell_share([1.0, 2.0], [1.0, 0.0]),  # type: ignore[list-item]
            InvalidInputError,
            "existing must hold True/False or 0/1; got an array of dtype float64",
        ),
        (
            lambda: upsell_share([1.0, 2.0], pd.Series([True, None], dtype="boolean")),
            InvalidInputError,
            r"existing must be known.*\[1\] <NA>",
        ),
        (
            lambda: upsell_share([1.0, 2.0], pd.Series(["yes", "no"])),
            InvalidInputError,
            "existing must hold True/False or 0/1; got a Series of dtype",
        ),
        (lambda: upsell_share([1.0, 2.0], "yes"), InvalidInputError, "got str"),  # type: ignore[arg-type]
        (lambda: upsell_share([1.0, 2.0], 2), InvalidInputError, "got 2"),
        (
            lambda: upsell_share([1.0, 2.0], np.ones((2, 2), dtype=bool)),
            InvalidInputError,
            "one-dimensional",
        ),
        (
            lambda: upsell_share([1.0, 2.0, 3.0], [True, False]),
            InvalidInputError,
            "revenue has 3 elements but existing has 2",
        ),
        (
            lambda: upsell_share(
                pd.Series([1.0, 2.0], index=["a", "b"]), pd.Series([True, False], index=["b", "a"])
            ),
            IndexMismatchError,
            "revenue and existing are Series with different indexes",
        ),
        (
            lambda: upsell_share([1.0], np.ma.MaskedArray([True], mask=[True])),
            InvalidInputError,
            "existing is a masked array",
        ),
        (lambda: upsell_share([-1.0], [True]), InvalidInputError, "revenue must be a finite"),
        (lambda: upsell_share([1.0], [True], skipna=1), InvalidInputError, "skipna must be"),  # type: ignore[arg-type]
    ],
)
def test_invalid_input_is_refused(call: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        call()


def test_options_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        quick_ratio(1, 1, 1, 1, 1)  # type: ignore[call-overload]
    with pytest.raises(TypeError):
        upsell_share([1.0], [True], True)  # type: ignore[call-arg]


# ------------------------------------------------ extreme magnitudes and malformed input


def test_upsell_share_near_the_float_limit() -> None:
    # By hand: 1e308 / (1e308 + 1e308) = 1/2; the sum 2e308 overflows unless the amounts
    # are scaled first. The same share as for [1, 1].
    assert upsell_share([1e308, 1e308], [True, False]) == 0.5
    # 1e308 / (1e308 + 5e307 + 5e307) = 1/2 again, now with a Series.
    revenue = pd.Series([1e308, 5e307, 5e307], index=["a", "b", "c"])
    existing = pd.Series([True, False, False], index=["a", "b", "c"])
    with np.errstate(all="raise"):
        assert upsell_share(revenue, existing) == 0.5


def test_upsell_share_refuses_a_ragged_mask() -> None:
    with pytest.raises(InvalidInputError, match="existing must be a flat sequence"):
        upsell_share([1.0, 2.0], [[1], [0, 1]])  # type: ignore[list-item]


def test_quick_ratio_near_the_float_limit() -> None:
    # By hand: (1e308 + 1e308 + 0) / (1e308 + 1e308) = 1; both sums overflow unscaled.
    assert quick_ratio(1e308, 1e308, 1e308, 1e308) == 1.0
    # (1e308 + 5e307) / (5e307 + 2.5e307) = 1.5e308 / 7.5e307 = 2.
    np.testing.assert_array_equal(
        quick_ratio([1e308, 20.0], [5e307, 8.0], [5e307, 5.0], [2.5e307, 3.0]), [2.0, 3.5]
    )
    # 1 / 4.9e-324 ≈ 2e323 is beyond float range: refused, not inf.
    with pytest.raises(InvalidInputError, match=r"quick ratio.*float range"):
        quick_ratio(1.0, 0.0, 5e-324, 0.0)


def test_rates_of_subnormal_counts_under_errstate_raise() -> None:
    # By hand: 4.9e-324 / 200 rounds to 0; errstate(all="raise") must not make it an error.
    with np.errstate(all="raise"):
        np.testing.assert_array_equal(churn_rate(200, [5e-324, 0.0]), [0.0, 0.0])
        np.testing.assert_array_equal(renewal_rate([5e-324, 45.0], 50), [0.0, 0.9])
