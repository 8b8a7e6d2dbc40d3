"""Tests of salescore.team.yields: revenue by activity band and marginal revenue."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore import IndexMismatchError, InvalidInputError
from salescore.team.yields import activity_yield

from . import strategies as sst

heavy = settings(max_examples=min(settings().max_examples, 300))

CONTACTS = [2, 4, 6, 8, 12, 18, 25, 35]
REVENUE = [2_000.0, 4_000.0, 10_000.0, 12_000.0, 14_000.0, 16_000.0, 14_000.0, 16_000.0]

# --------------------------------------------------------------------- by hand


def test_activity_yield_explicit_edges_by_hand() -> None:
    # Bands [0, 5), [5, 10), [10, 20), [20, 40] hold two accounts each:
    # mean contacts 3, 7, 15, 30; mean revenue 3,000, 11,000, 15,000, 15,000.
    # Marginal revenue per extra contact: (11,000 − 3,000) / (7 − 3) = 2,000;
    # (15,000 − 11,000) / (15 − 7) = 500; (15,000 − 15,000) / (30 − 15) = 0 — beyond
    # about 15 contacts more contacts brought no more revenue (the question of Nutshell's article).
    table = activity_yield(CONTACTS, REVENUE, bins=[0, 5, 10, 20, 40])
    expected = pd.DataFrame(
        {
            "low": [0.0, 5.0, 10.0, 20.0],
            "high": [5.0, 10.0, 20.0, 40.0],
            "accounts": np.array([2, 2, 2, 2], dtype=np.int64),
            "mean_activity": [3.0, 7.0, 15.0, 30.0],
            "mean_revenue": [3_000.0, 11_000.0, 15_000.0, 15_000.0],
            "marginal_revenue": [math.nan, 2_000.0, 500.0, 0.0],
        },
        index=pd.Index([1, 2, 3, 4], name="band"),
    )
    pd.testing.assert_frame_equal(table, expected)


def test_activity_yield_quartiles_by_hand() -> None:
    # Quartiles of 2, 4, 6, 8, 12, 18, 25, 35 (linear interpolation at positions
    # 0, 1.75, 3.5, 5.25, 7): 2, 4 + 0.75·2 = 5.5, 8 + 0.5·4 = 10, 18 + 0.25·7 = 19.75,
    # 35 — the same pairs of accounts as the explicit edges above.
    table = activity_yield(CONTACTS, REVENUE)
    assert table["low"].tolist() == [2.0, 5.5, 10.0, 19.75]
    assert table["high"].tolist() == [5.5, 10.0, 19.75, 35.0]
    assert table["accounts"].tolist() == [2, 2, 2, 2]
    np.testing.assert_array_equal(table["marginal_revenue"], [math.nan, 2_000.0, 500.0, 0.0])


def test_activity_yield_ties_merge_bands() -> None:
    # Six accounts never contacted and two contacted 4 and 10 times: the quartiles are
    # 0, 0, 0, 1, 10 (0.75 · 7 = 5.25 → 0 + 0.25·4 = 1), so the bands are [0, 1) and
    # [1, 10]: means 0 and 7; revenue means 100 and (500 + 1,100) / 2 = 800; marginal
    # (800 − 100) / 7 = 100 per contact.
    activity = [0, 0, 0, 0, 0, 0, 4, 10]
    revenue = [100.0] * 6 + [500.0, 1_100.0]
    table = activity_yield(activity, revenue)
    assert table["low"].tolist() == [0.0, 1.0]
    assert table["accounts"].tolist() == [6, 2]
    assert table["mean_revenue"].tolist() == [100.0, 800.0]
    assert table["marginal_revenue"].iloc[1] == pytest.approx(100.0)


def test_activity_yield_degenerate_cases() -> None:
    # Every account with the same count: one band [3, 3].
    one = activity_yield([3, 3], [100.0, 300.0])
    assert one["accounts"].tolist() == [2]
    assert one["mean_revenue"].tolist() == [200.0]
    assert (one["low"] == one["high"]).all()
    # An empty band between two others has NaN means, and the marginals beside it are
    # NaN: no account to compare with.
    gap = activity_yield([1, 2, 11, 12], [10.0, 20.0, 110.0, 120.0], bins=[0, 5, 10, math.inf])
    assert gap["accounts"].tolist() == [2, 0, 2]
    assert math.isnan(gap["mean_revenue"].iloc[1])
    assert np.isnan(gap["marginal_revenue"]).all()
    # No account: no quantile bands; explicit bands with 0 accounts.
    assert activity_yield([], []).empty
    empty = activity_yield([], [], bins=[0, 10, 20])
    assert empty["accounts"].tolist() == [0, 0]
    # NaN revenue propagates to its band only.
    missing = activity_yield(CONTACTS, [math.nan, *REVENUE[1:]], bins=[0, 5, 10, 20, 40])
    assert math.isnan(missing["mean_revenue"].iloc[0])
    assert math.isnan(missing["marginal_revenue"].iloc[1])
    assert missing["marginal_revenue"].iloc[2] == 500.0
    # Scalars are a single account; a revenue Series keeps its labels for messages.
    assert activity_yield(4, 100.0)["accounts"].tolist() == [1]


def test_activity_yield_does_not_modify_its_inputs() -> None:
    activity = pd.Series(CONTACTS, index=[f"acc{i}" for i in range(8)], dtype="Int64")
    revenue = pd.Series(REVENUE, index=activity.index)
    before = (activity.copy(), revenue.copy())
    activity_yield(activity, revenue, bins=[0, 5, 10, 20, 40])
    pd.testing.assert_series_equal(activity, before[0])
    pd.testing.assert_series_equal(revenue, before[1])


# ------------------------------------------------------------------ properties

counts = st.integers(0, 200).map(float)


@heavy
@given(st.lists(counts, min_size=1, max_size=60), st.integers(1, 8), st.data())
def test_bands_partition_the_accounts(activity: list[float], bins: int, data: Any) -> None:
    revenue = data.draw(
        st.lists(
            sst.nonnegative_money(max_value=1e6), min_size=len(activity), max_size=len(activity)
        )
    )
    table = activity_yield(activity, revenue, bins=bins)
    # Sum of parts: every account is in exactly one band.
    assert table["accounts"].sum() == len(activity)
    assert len(table) <= bins
    assert (table["low"] < table["high"]).all() or len(table) == 1
    # Bounds: a band's mean activity lies within its edges, and bands are ordered.
    slack = 1e-9 * max(activity)
    assert (table["mean_activity"] >= table["low"] - slack).all()
    assert (table["mean_activity"] <= table["high"] + slack).all()
    assert (np.diff(table["mean_activity"]) > 0).all()
    # Oracle: the band means and marginals equal a plain loop over the accounts.
    low, high = table["low"].tolist(), table["high"].tolist()
    means = []
    for j in range(len(table)):
        last = j == len(table) - 1
        members = [
            (a, r)
            for a, r in zip(activity, revenue, strict=True)
            if low[j] <= a and (a < high[j] or (last and a <= high[j]))
        ]
        assert len(members) == table["accounts"].iloc[j]
        mean_a = sum(a for a, _ in members) / len(members)
        mean_r = sum(r for _, r in members) / len(members)
        assert table["mean_activity"].iloc[j] == pytest.approx(mean_a, rel=1e-12)
        assert table["mean_revenue"].iloc[j] == pytest.approx(mean_r, rel=1e-9, abs=1e-6)
        means.append((mean_a, mean_r))
    for j in range(1, len(means)):
        (a0, r0), (a1, r1) = means[j - 1], means[j]
        expected = (r1 - r0) / (a1 - a0)
        assert table["marginal_revenue"].iloc[j] == pytest.approx(expected, rel=1e-6, abs=1e-6)


@heavy
@given(
    st.lists(counts, min_size=2, max_size=60).filter(lambda a: len(set(a)) > 1),
    st.floats(0.0, 1e4, allow_subnormal=False),
    st.floats(0.0, 1e3, allow_subnormal=False),
    st.integers(2, 6),
)
def test_linear_revenue_gives_its_slope_as_marginal(
    activity: list[float], base: float, slope: float, bins: int
) -> None:
    # Revenue = base + slope × contacts: every marginal revenue is the slope, and
    # scaling revenue scales the marginals (scale invariance of the bands).
    revenue = [base + slope * a for a in activity]
    table = activity_yield(activity, revenue, bins=bins)
    marginal = table["marginal_revenue"].iloc[1:]
    np.testing.assert_allclose(marginal, slope, rtol=1e-6, atol=1e-6)
    doubled = activity_yield(activity, [2 * r for r in revenue], bins=bins)
    np.testing.assert_allclose(doubled["marginal_revenue"].iloc[1:], 2 * marginal, rtol=1e-9)


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    ("activity", "revenue", "options", "message"),
    [
        (
            [1.0, math.nan],
            [1.0, 2.0],
            {},
            r"activity must be a finite number >= 0 \(it decides the band\); not so for "
            r"1 account: 1 \(nan\)",
        ),
        ([1.0, -2.0], [1.0, 2.0], {}, r"activity must be .*; not so for 1 account: 1 \(-2.0\)"),
        (
            pd.Series([1.0, 2.0], index=["acme", "globex"]),
            pd.Series([1.0, -5.0], index=["acme", "globex"]),
            {},
            r"revenue must be a finite number >= 0; not so for 1 account: 'globex' \(-5.0\)",
        ),
        ([1.0], [math.inf], {}, r"revenue must be a finite number >= 0"),
        ([1.0], [1.0], {"bins": 0}, "bins must be at least 1; got 0"),
        ([1.0], [1.0], {"bins": True}, "bins must be a number .* edges; got True"),
        ([1.0], [1.0], {"bins": "quartiles"}, "bins must be a number of bands or a sequence"),
        ([1.0], [1.0], {"bins": [5.0]}, "bins must give at least two edges"),
        ([1.0], [1.0], {"bins": [0, 5, 5]}, "bins edges must increase strictly"),
        ([1.0], [1.0], {"bins": [0, math.nan]}, "bins edges must increase strictly"),
        ([1.0], [1.0], {"bins": ["a", "b"]}, "bins must hold numbers"),
        (
            [1.0, 12.0, 30.0],
            [1.0, 2.0, 3.0],
            {"bins": [0, 10, 20]},
            r"activity must lie within the edges \[0.0, 20.0\] of bins; not so for 1 "
            r"account: 2 \(30.0\)",
        ),
        ([1.0, 2.0], [1.0], {}, "activity has 2 elements but revenue has 1"),
        (["a"], [1.0], {}, "activity must hold numbers"),
    ],
)
def test_activity_yield_rejects(
    activity: Any, revenue: Any, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        activity_yield(activity, revenue, **options)


def test_activity_yield_refuses_misaligned_series() -> None:
    activity = pd.Series([1.0, 2.0], index=["acme", "globex"])
    revenue = pd.Series([10.0, 20.0], index=["globex", "acme"])
    with pytest.raises(IndexMismatchError, match="activity and revenue"):
        activity_yield(activity, revenue)


# ------------------------------------------------ extreme and malformed input


@pytest.mark.parametrize(
    ("bins", "message"),
    [
        (2**70, "bins must be at most 10,000"),
        (np.timedelta64(4), "bins must be a non-negative integer"),
    ],
)
def test_bins_must_be_a_bounded_count(bins: Any, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        activity_yield([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], bins=bins)


def test_band_means_near_the_float_limit() -> None:
    # Bands [0, 10) and [10, inf]: band 1 holds activities 1 and 2 with revenue 0 and 2,
    # band 2 holds two accounts of 1e308 contacts and 1e308 revenue. By hand: mean
    # activity 1.5 and 1e308, mean revenue 1 and (1e308 + 1e308) / 2 = 1e308, whose sum
    # overflows unless scaled; marginal (1e308 − 1) / (1e308 − 1.5) = 1 in floats.
    table = activity_yield(
        [1e308, 1e308, 1.0, 2.0], [1e308, 1e308, 0.0, 2.0], bins=[0.0, 10.0, math.inf]
    )
    assert table["mean_activity"].tolist() == [1.5, 1e308]
    assert table["mean_revenue"].tolist() == [1.0, 1e308]
    assert table["marginal_revenue"].tolist()[1] == 1.0


def test_subnormal_activity_under_errstate_raise() -> None:
    # Activities u, 2u, 3u, 4u with u = 4.9e-324 (the smallest subnormal). By hand, the
    # quartiles sit at positions 0, 0.75, 1.5, 2.25 and 3, and interpolation rounds to
    # whole multiples of u (an underflow, not an error): u, 2u, 2u, 3u, 4u. The repeated
    # edge merges, leaving bands [u, 2u), [2u, 3u), [3u, 4u] with 1, 1 and 2 accounts.
    # Without revenue, each extra contact brings 0.
    with np.errstate(all="raise"):
        table = activity_yield([5e-324, 1e-323, 1.5e-323, 2e-323], [0.0, 0.0, 0.0, 0.0])
    assert table["accounts"].tolist() == [1, 1, 2]
    np.testing.assert_array_equal(table["marginal_revenue"], [np.nan, 0.0, 0.0])


def _long_double_edges() -> Any:
    edges = np.array([0.0, 10.0, 20.0], dtype=np.longdouble)
    edges[2] = np.longdouble("1e400")  # finite on x86, beyond float64 (inf elsewhere)
    return edges


@pytest.mark.parametrize(
    ("bins", "message"),
    [
        ([0, 10, 10**400], "bins must"),
        (np.array([0.0, 10.0 + 1j]), "bins must hold real numbers"),
        ([0.0, math.inf, math.inf], "bins edges must increase strictly"),
        (_long_double_edges(), "bins must"),
    ],
    ids=["huge-int", "complex", "two-infinite-edges", "long-double"],
)
def test_edges_must_be_real_numbers_within_float_range(bins: Any, message: str) -> None:
    with np.errstate(all="raise"), pytest.raises(InvalidInputError, match=message):
        activity_yield([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], bins=bins)
