"""Tests of salescore.tiers: a worked book by hand, properties, contract, validation."""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from salescore import IndexMismatchError, InvalidInputError
from salescore.tiers import (
    TIERS,
    TierPolicy,
    classify_tiers,
    days_overdue,
    next_contact,
    pareto_classes,
    revenue_change,
    segment_potential,
    temperature,
    temperature_band,
)

from . import strategies as sst

# ------------------------------------------------------------ a worked book by hand

IDS = [f"a{i}" for i in range(1, 11)]
TODAY = pd.Timestamp("2026-06-30")


def _book() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "size": ["large"] * 5 + ["small"] * 5,
            "region": ["north"] * 3 + ["south"] * 2 + ["north"] * 2 + ["south"] * 2 + ["north"],
            "revenue": [120e3, 60e3, 0.0, 90e3, 30e3, 40e3, 10e3, 0.0, 0.0, 0.0],
            "last_contact": np.array(
                [
                    "2026-06-10",
                    "2026-05-01",
                    "2026-03-01",
                    "2026-04-01",
                    "2026-01-15",
                    "2026-06-01",
                    "2025-12-31",
                    "2026-01-01",
                    "NaT",
                    "2026-02-28",
                ],
                dtype="datetime64[ns]",
            ),
        },
        index=pd.Index(IDS, name="account_id"),
    )


def test_book_tiers_by_realised_revenue() -> None:
    book = _book()
    # Benchmark = max = 120k. Shares: a1 1.0 → A; a2 0.5 → B; a4 0.75 → B;
    # a5 0.25, a6 0.333, a7 0.083 → C; a3, a8, a9, a10 have 0 → D.
    tiers = classify_tiers(book["revenue"])
    assert tiers.tolist() == ["A", "B", "D", "B", "C", "C", "C", "D", "D", "D"]
    assert tiers.index.equals(book.index)
    assert list(tiers.cat.categories) == list(TIERS)
    assert tiers.cat.ordered


def test_book_potential_tiers_temperatures_and_overdue_days() -> None:
    book = _book()
    potential = segment_potential(book["revenue"], book[["size", "region"]])
    # large/north buyers a1 120k, a2 60k → max 120k for a1, a2 and lookalike a3;
    # large/south buyers a4 90k, a5 30k → 90k; small/north buyers a6 40k, a7 10k → 40k
    # for a6, a7, a10; small/south has no buyer → NaN (no potential) for a8, a9.
    expected_potential = [120e3] * 3 + [90e3] * 2 + [40e3] * 2 + [math.nan] * 2 + [40e3]
    pd.testing.assert_series_equal(
        potential, pd.Series(expected_potential, index=book.index, name="potential")
    )
    # Tier by potential, no potential = D. Benchmark 120k: 1.0 → A; 0.75 → B;
    # 0.333 → C; 0 → D.
    tiers = classify_tiers(potential.fillna(0.0))
    assert tiers.tolist() == ["A", "A", "A", "B", "B", "C", "C", "D", "D", "C"]
    # Expected revenue = benchmark × level: A 120k, B 72k, C 36k, D 0.
    policy = TierPolicy()
    expected = tiers.map(lambda t: 120e3 * policy.level(t)).astype(float)
    assert expected.tolist() == [120e3] * 3 + [72e3] * 2 + [36e3] * 2 + [0.0] * 2 + [36e3]
    ratio = temperature(book["revenue"], expected)
    # a1 120/120 = 1; a2 60/120 = 0.5; a3 0; a4 90/72 = 1.25; a5 30/72 = 0.41667;
    # a6 40/36 = 1.1111; a7 10/36 = 0.27778; a8, a9 0/0 = NaN; a10 0/36 = 0.
    np.testing.assert_allclose(
        ratio.to_numpy(),
        [1.0, 0.5, 0.0, 1.25, 30 / 72, 40 / 36, 10 / 36, math.nan, math.nan, 0.0],
    )
    bands = temperature_band(ratio)
    assert _listed(bands) == [
        "red", "orange", "blue", "red", "yellow", "red", "yellow", None, None, "blue",
    ]  # fmt: skip
    overdue = days_overdue(book["last_contact"], tiers, today=TODAY)
    # a1 A 10 Jun + 30 = 10 Jul → −10;  a2 A 1 May + 30 = 31 May → 30;
    # a3 A 1 Mar + 30 = 31 Mar → 30 + 31 + 30 = 91;  a4 B 1 Apr + 90 = 30 Jun → 0;
    # a5 B 15 Jan + 90 = 15 Apr → 15 + 31 + 30 = 76;  a6 C 1 Jun + 90 = 30 Aug → −61;
    # a7 C 31 Dec + 90 = 31 Mar → 91;  a8 D 1 Jan + 180 = 30 Jun → 0;
    # a9 never contacted → NaN;  a10 C 28 Feb + 90 = 29 May → 2 + 30 = 32.
    pd.testing.assert_series_equal(
        overdue,
        pd.Series(
            [-10.0, 30.0, 91.0, 0.0, 76.0, -61.0, 91.0, 0.0, math.nan, 32.0],
            index=book.index,
            name="days_overdue",
        ),
    )
    due = next_contact(book["last_contact"], tiers)
    assert due["a5"] == pd.Timestamp("2026-04-15")
    assert pd.isna(due["a9"])


def test_book_pareto_classes() -> None:
    # Total 350k. Sorted: 120k (before 0 → A), 90k (120/350 = .343 → A),
    # 60k (210/350 = .6 → A), 40k (270/350 = .771 → A), 30k (310/350 = .886 → B),
    # 10k (340/350 = .971 → C), zeros (350/350 = 1 → C).
    classes = pareto_classes(_book()["revenue"])
    assert classes.tolist() == ["A", "A", "C", "A", "B", "A", "C", "C", "C", "C"]
    assert list(classes.cat.categories) == ["A", "B", "C"]


def test_revenue_change_by_hand() -> None:
    # (80 − 100) / 100 = −0.2; (0 − 50) / 50 = −1; previous 0 → NaN.
    assert revenue_change(80.0, 100.0) == pytest.approx(-0.2)
    out = revenue_change(np.array([0.0, 5.0]), np.array([50.0, 0.0]))
    np.testing.assert_array_equal(out, [-1.0, math.nan])


# ----------------------------------------------------------------- policy


def test_policy_defaults_follow_the_seed() -> None:
    policy = TierPolicy()
    assert [policy.cadence(t) for t in TIERS] == [30.0, 90.0, 90.0, 180.0]
    assert [policy.channel(t) for t in TIERS] == ["call or visit", "call", "call", "email"]
    assert [policy.level(t) for t in TIERS] == [1.0, 0.6, 0.3, 0.0]
    # Cut-offs midway between levels: (1 + 0.6) / 2, (0.6 + 0.3) / 2.
    assert policy.cutoffs == pytest.approx(((1.0 + 0.6) / 2, (0.6 + 0.3) / 2))
    assert attrs.evolve(policy, cadence_days=(7, 30, 60, 90)).cadence("D") == 90.0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"cutoffs": (0.45, 0.8)}, "strictly decreasing"),
        ({"cutoffs": (0.8, 0.8)}, "strictly decreasing"),
        ({"cutoffs": (1.2, 0.45)}, "must lie in"),
        ({"cutoffs": (0.8, 0.0)}, "must lie in"),
        ({"cutoffs": (0.8,)}, "must hold 2"),
        ({"cutoffs": (0.8, math.nan)}, "finite"),
        ({"cutoffs": "0.8"}, "sequence of numbers"),
        ({"cutoffs": (0.8, True)}, "must hold numbers"),
        ({"levels": (1.0, 0.3, 0.6)}, "strictly decreasing"),
        ({"cadence_days": (30, 0, 90, 180)}, "positive"),
        ({"cadence_days": (30, 90, 180)}, "positive"),
        ({"channels": ("call",)}, "4 entries"),
        ({"channels": ("call", "", "call", "email")}, "non-empty"),
        ({"band_thresholds": (0.25, 0.5, 0.8)}, "strictly decreasing"),
        ({"band_thresholds": (0.8, -0.5, -0.9)}, "must lie in"),
        ({"band_names": ("red", "blue")}, "one name more"),
        ({"band_names": ("red", "red", "red", "blue")}, "distinct"),
    ],
)
def test_policy_rejects(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        TierPolicy(**fields)


def test_policy_rejects_unknown_tier() -> None:
    with pytest.raises(InvalidInputError, match="tier must be one of"):
        TierPolicy().cadence("E")


# ----------------------------------------------------------------- classify_tiers


def test_classify_tiers_kinds_and_missing() -> None:
    assert classify_tiers(45.0, benchmark=100.0) == "B"
    assert classify_tiers(44.99, benchmark=100.0) == "C"
    assert classify_tiers(80.0, benchmark=100.0) == "A"  # a cut-off belongs to the tier above
    assert classify_tiers(0, benchmark=100.0) == "D"
    assert classify_tiers(7.0) == "A"  # a lone buyer is its own benchmark
    assert classify_tiers(math.nan, benchmark=100.0) is None
    labels = classify_tiers(np.array([150.0, math.nan, 0.0]), benchmark=100.0)
    assert labels.dtype == object
    assert labels.tolist() == ["A", None, "D"]
    series = classify_tiers(pd.Series([1.0, math.nan], index=["x", "y"]), skipna=True)
    assert series.tolist()[0] == "A"
    assert pd.isna(series["y"])


def test_classify_tiers_nan_makes_a_data_benchmark_unknown() -> None:
    # NaN policy: the max of data containing NaN is unknown, so every label is.
    labels = classify_tiers([100.0, math.nan, 0.0])
    assert labels.tolist() == [None, None, None]
    assert classify_tiers([100.0, math.nan, 0.0], skipna=True).tolist() == ["A", None, "D"]


def test_classify_tiers_quantile_benchmark() -> None:
    # Buyers 10, 20, …, 100 and an outlier of 1,000; the median buyer (60) is the
    # benchmark: 60/60 = 1 → A; 40/60 = .67 → B; 1,000 → A; the non-buyer → D.
    revenue = np.array([*range(10, 101, 10), 1000.0, 0.0], dtype=float)
    labels = classify_tiers(revenue, benchmark="quantile", quantile=0.5)
    assert labels[5] == "A"
    assert labels[3] == "B"
    assert labels[10] == "A"
    assert labels[11] == "D"


def test_classify_tiers_no_buyers_are_all_d() -> None:
    assert classify_tiers([0.0, 0.0]).tolist() == ["D", "D"]


def test_classify_tiers_series_sorts_a_first() -> None:
    tiers = classify_tiers(pd.Series([5.0, 100.0, 0.0, 60.0], index=list("wxyz")))
    assert tiers.sort_values().index.tolist() == ["x", "z", "w", "y"]
    assert (tiers <= "B").tolist() == [False, True, False, True]


@pytest.mark.parametrize(
    ("revenue", "options", "message"),
    [
        ([10.0, -1.0], {}, "revenue must be a finite number >= 0"),
        ([10.0, math.inf], {}, "revenue must be a finite number >= 0"),
        ([10.0], {"benchmark": 0.0}, "benchmark must be a finite number > 0"),
        ([10.0], {"benchmark": -5.0}, "benchmark must be a finite number > 0"),
        ([10.0], {"benchmark": "mean"}, "benchmark must be one of"),
        ([10.0], {"benchmark": "quantile"}, "needs quantile="),
        ([10.0], {"benchmark": "quantile", "quantile": 0.0}, "quantile must be in"),
        ([10.0], {"benchmark": "quantile", "quantile": 1.5}, "quantile must be in"),
        ([10.0], {"quantile": 0.9}, "only read with"),
        ([10.0], {"benchmark": 100.0, "quantile": 0.9}, "only read with"),
        ([10.0], {"policy": "strict"}, "policy must be a TierPolicy"),
        (["x"], {}, "revenue must hold numbers"),
    ],
)
def test_classify_tiers_rejects(revenue: Any, options: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        classify_tiers(revenue, **options)


# ----------------------------------------------------------------- potential


def test_segment_potential_statistics_and_min_peers() -> None:
    revenue = pd.Series([10.0, 20.0, 60.0, 0.0, 5.0], index=list("abcde"))
    segment = pd.Series(["x", "x", "x", "x", "y"], index=revenue.index)
    # Buyers in x: 10, 20, 60 → median 20, mean 30, 0.5-quantile 20; y: one buyer, 5.
    assert segment_potential(revenue, segment, statistic="median").tolist() == [20.0] * 4 + [5.0]
    assert segment_potential(revenue, segment, statistic="mean").tolist() == [30.0] * 4 + [5.0]
    assert segment_potential(revenue, segment, statistic=0.5).tolist() == [20.0] * 4 + [5.0]
    few = segment_potential(revenue, segment, min_peers=2)
    assert few.tolist()[:4] == [60.0] * 4
    assert math.isnan(few["e"])


def test_segment_potential_missing_values() -> None:
    revenue = pd.Series([10.0, math.nan, 30.0, 40.0], index=list("abcd"))
    segments = pd.DataFrame(
        {"size": ["s", "s", "l", None], "region": ["n", "n", "n", "n"]}, index=revenue.index
    )
    strict = segment_potential(revenue, segments)
    # a, b share a segment with an unknown revenue → NaN; d has a missing segment
    # value → no peers, NaN; c alone → 30.
    assert strict.isna().tolist() == [True, True, False, True]
    assert strict["c"] == 30.0
    lenient = segment_potential(revenue, segments, skipna=True)
    assert lenient.tolist()[:3] == [10.0, 10.0, 30.0]
    assert math.isnan(lenient["d"])


def test_segment_potential_categorical_segments_raise_no_warning() -> None:
    revenue = pd.Series([10.0, 0.0], index=["a", "b"])
    segments = pd.DataFrame(
        {"size": pd.Categorical(["s", "s"], categories=["s", "l"])}, index=revenue.index
    )
    assert segment_potential(revenue, segments).tolist() == [10.0, 10.0]


@pytest.mark.parametrize(
    ("revenue", "segments", "options", "error", "message"),
    [
        (np.array([1.0]), pd.Series(["x"]), {}, InvalidInputError, "must be a pandas Series"),
        (pd.Series([1.0]), ["x"], {}, InvalidInputError, "DataFrame or a Series"),
        (pd.Series([1.0]), pd.DataFrame(index=[0]), {}, InvalidInputError, "no columns"),
        (pd.Series([1.0]), pd.Series(["x"], index=[5]), {}, IndexMismatchError, "indexes"),
        (pd.Series([-1.0]), pd.Series(["x"]), {}, InvalidInputError, ">= 0"),
        (pd.Series([1.0]), pd.Series(["x"]), {"statistic": "min"}, InvalidInputError, "one of"),
        (pd.Series([1.0]), pd.Series(["x"]), {"statistic": 1.5}, InvalidInputError, "quantile"),
        (pd.Series([1.0]), pd.Series(["x"]), {"min_peers": 0}, InvalidInputError, "at least 1"),
        (pd.Series([1.0]), pd.Series(["x"]), {"min_peers": 1.5}, InvalidInputError, "integer"),
    ],
)
def test_segment_potential_rejects(
    revenue: Any, segments: Any, options: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        segment_potential(revenue, segments, **options)


# ----------------------------------------------------------------- temperature


def test_temperature_band_kinds_and_custom_policy() -> None:
    assert temperature_band(0.8) == "red"
    assert temperature_band(0.0) == "blue"
    assert temperature_band(math.nan) is None
    policy = TierPolicy(band_names=("hot", "cold"), band_thresholds=(1.0,))
    bands = temperature_band(pd.Series([2.0, 0.5], index=["x", "y"]), policy=policy)
    assert bands.tolist() == ["hot", "cold"]
    assert list(bands.cat.categories) == ["hot", "cold"]
    with pytest.raises(InvalidInputError, match="ratio must be a finite number >= 0"):
        temperature_band(-0.1)


@pytest.mark.parametrize(
    ("function", "arguments", "message"),
    [
        (temperature, (-1.0, 10.0), "realized"),
        (temperature, (1.0, -10.0), "expected"),
        (revenue_change, (-1.0, 10.0), "current"),
        (revenue_change, (1.0, math.inf), "previous"),
    ],
)
def test_ratios_reject_negative_amounts(function: Any, arguments: Any, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        function(*arguments)


def test_ratios_reject_series_on_different_indexes() -> None:
    a = pd.Series([1.0, 2.0], index=["x", "y"])
    b = pd.Series([1.0, 2.0], index=["y", "x"])
    with pytest.raises(IndexMismatchError):
        temperature(a, b)
    with pytest.raises(IndexMismatchError):
        revenue_change(a, b)


# ----------------------------------------------------------------- cadence


def test_next_contact_kinds() -> None:
    assert next_contact("2026-01-01", "D") == pd.Timestamp("2026-06-30")
    assert pd.isna(next_contact("2026-01-01", None))
    assert pd.isna(next_contact(pd.NaT, "A"))
    array = next_contact(np.array(["2026-01-01", "2026-02-01"], dtype="datetime64[ns]"), "A")
    assert isinstance(array, np.ndarray)
    assert array.dtype.kind == "M"
    assert array.tolist() == [
        np.datetime64("2026-01-31", "ns").item(),
        np.datetime64("2026-03-03", "ns").item(),
    ]
    # One last contact, several tiers: broadcast.
    spread = next_contact("2026-01-01", ["A", "B"])
    assert pd.DatetimeIndex(spread).strftime("%Y-%m-%d").tolist() == ["2026-01-31", "2026-04-01"]


def test_next_contact_keeps_time_zones() -> None:
    last = pd.Series(pd.to_datetime(["2026-03-01 09:00"]).tz_localize("Europe/Oslo"))
    due = next_contact(last, "A")
    assert str(due.dt.tz) == "Europe/Oslo"
    assert due.iloc[0] == pd.Timestamp("2026-03-31 09:00", tz="Europe/Oslo")


def test_days_overdue_kinds() -> None:
    assert days_overdue("2026-01-01", "A", today="2026-01-31") == 0.0
    assert days_overdue(pd.Timestamp("2026-01-01 12:00"), "A", today="2026-01-31") == -0.5
    out = days_overdue(["2026-01-01", "2026-01-02"], "A", today="2026-02-10")
    assert isinstance(out, np.ndarray)
    assert out.dtype == np.float64
    assert out.tolist() == [10.0, 9.0]


@pytest.mark.parametrize(
    ("last", "tier", "options", "error", "message"),
    [
        (["2026-01-01", "2026-01-01"], ["A", "E", "b"], {}, InvalidInputError, "unknown"),
        (["2026-01-01"], ["A", "X"], {}, InvalidInputError, "'X'"),
        (["2026-01-01", "2026-01-02"], ["A", "B", "C"], {}, InvalidInputError, "equal lengths"),
        ([1.0, 2.0], "A", {}, InvalidInputError, "not numbers"),
        (["soon"], "A", {}, InvalidInputError, "timestamps"),
        (np.zeros((2, 2)), "A", {}, InvalidInputError, "one-dimensional"),
        (
            pd.Series(["2026-01-01"], index=["x"]).astype("datetime64[ns]"),
            pd.Series(["A"], index=["y"]),
            {},
            IndexMismatchError,
            "different indexes",
        ),
        ("2026-01-01", "A", {"policy": None}, InvalidInputError, "TierPolicy"),
    ],
)
def test_next_contact_rejects(
    last: Any, tier: Any, options: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        next_contact(last, tier, **options)


def test_days_overdue_rejects_today_before_a_last_contact() -> None:
    last = pd.Series(pd.to_datetime(["2026-01-01", "2026-07-02", "2026-08-01"]), index=list("xyz"))
    with pytest.raises(InvalidInputError, match=r"2 of 3 .*positions: 1, 2.*'y', 'z'"):
        days_overdue(last, "A", today="2026-06-30")
    with pytest.raises(InvalidInputError, match="one timestamp"):
        days_overdue(last, "A", today=["2026-06-30"])
    with pytest.raises(InvalidInputError, match="missing"):
        days_overdue(last, "A", today=pd.NaT)
    # The timestamp convention (this mix used to be refused): an aware today beside
    # naive last contacts is read in UTC. Due 30 days after 1 Aug = 31 Aug; 1 Dec
    # 00:00 in Oslo (UTC+1) is 30 Nov 23:00 UTC: 91 days and 23 hours after 31 Aug.
    aware = pd.Timestamp("2026-12-01", tz="Europe/Oslo")
    assert days_overdue(last, "A", today=aware)["z"] == 91 + 23 / 24
    # Aware last contacts beside a naive today: 1 Aug 00:00 in Oslo (UTC+2) is due
    # 31 Aug 00:00 Oslo = 30 Aug 22:00 UTC; to 30 Nov 23:00 UTC is 92 days and 1 hour.
    in_oslo = last.dt.tz_localize("Europe/Oslo")
    assert days_overdue(in_oslo, "A", today="2026-11-30 23:00")["z"] == 92 + 1 / 24
    with pytest.raises(InvalidInputError, match="unknown"):
        days_overdue(last, "Z", today="2026-12-01")


# ----------------------------------------------------------------- pareto


def test_pareto_boundaries_and_ties() -> None:
    # 50 + 30 = 80 % exactly before the third account: it starts at the cut → B.
    assert pareto_classes([50.0, 30.0, 15.0, 5.0]).tolist() == ["A", "A", "B", "C"]
    # One account with 90 %: it crosses 80 % but starts at 0 → A.
    assert pareto_classes([90.0, 10.0]).tolist() == ["A", "B"]
    # Ties share the best class, whatever the input order.
    assert pareto_classes([40.0, 40.0, 20.0]).tolist() == ["A", "A", "B"]
    assert pareto_classes([20.0, 40.0, 40.0]).tolist() == ["B", "A", "A"]
    assert pareto_classes(0.0) is None
    assert pareto_classes([1.0, math.nan]).tolist() == [None, None]
    assert pareto_classes([1.0, math.nan], skipna=True).tolist() == ["A", None]


@pytest.mark.parametrize(
    ("cuts", "message"),
    [((0.95, 0.8), "increasing"), ((0.8, 1.2), "increasing"), ((0.8,), "two numbers")],
)
def test_pareto_rejects_cuts(cuts: Any, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        pareto_classes([1.0], cuts=cuts)


# ----------------------------------------------------------------- properties

# The heaviest properties build frames per example; cap them so that the ci profile
# stays quick (the dev profile's 50 examples are below the cap).
heavy = settings(max_examples=min(settings().max_examples, 250))

revenues = st.lists(sst.nonnegative_money(max_value=1e8), min_size=1, max_size=30)
RANK = {tier: position for position, tier in enumerate(TIERS)}


@given(revenues)
def test_more_revenue_never_gives_a_lower_tier(values: list[float]) -> None:
    labels = classify_tiers(values)
    ranks = [RANK[label] for label in labels]
    for i, x in enumerate(values):
        for j, y in enumerate(values):
            if x >= y:
                assert ranks[i] <= ranks[j]


@given(sst.nonnegative_money(max_value=1e8), sst.nonnegative_money(max_value=1e8))
def test_more_revenue_never_lowers_a_fixed_benchmark_tier(x: float, extra: float) -> None:
    more = classify_tiers(x + extra, benchmark=5e7)
    less = classify_tiers(x, benchmark=5e7)
    assert more is not None
    assert less is not None
    assert RANK[more] <= RANK[less]


@given(revenues, st.floats(1e-3, 1e3))
def test_scaling_revenue_changes_no_tier(values: list[float], k: float) -> None:
    top = max(values)
    cutoffs = TierPolicy().cutoffs
    # Keep away from the cut-offs, where the two roundings may land on either side.
    assume(all(abs(v / top - c) > 1e-9 for v in values for c in cutoffs) if top else True)
    scaled = [v * k for v in values]
    assume(all((v > 0) == (s > 0) for v, s in zip(values, scaled, strict=True)))
    assert classify_tiers(scaled).tolist() == classify_tiers(values).tolist()


@given(revenues)
def test_top_account_is_a_and_d_is_exactly_zero(values: list[float]) -> None:
    labels = classify_tiers(np.array(values))
    if max(values) > 0:
        assert labels[int(np.argmax(values))] == "A"
    assert [label == "D" for label in labels] == [v == 0.0 for v in values]


@st.composite
def books(draw: Any) -> tuple[pd.Series[float], pd.DataFrame]:
    size = draw(st.integers(1, 25))
    revenue = draw(
        st.lists(
            st.one_of(st.just(0.0), sst.nonnegative_money(max_value=1e7)),
            min_size=size,
            max_size=size,
        )
    )
    size_labels = draw(st.lists(st.sampled_from(["s", "m", "l"]), min_size=size, max_size=size))
    regions = draw(st.lists(st.sampled_from(["n", "e"]), min_size=size, max_size=size))
    index = pd.Index([f"c{size - i}" for i in range(size)])
    return (
        pd.Series(revenue, index=index),
        pd.DataFrame({"size": size_labels, "region": regions}, index=index),
    )


@heavy
@given(books(), st.sampled_from(["max", "median", "mean", 0.25]), st.integers(1, 3))
def test_segment_potential_matches_a_python_loop(
    book: tuple[pd.Series[float], pd.DataFrame], statistic: Any, min_peers: int
) -> None:
    revenue, segments = book
    got = segment_potential(revenue, segments, statistic=statistic, min_peers=min_peers)
    keys = list(zip(segments["size"], segments["region"], strict=True))
    for position, key in enumerate(keys):
        peers = [
            revenue.iloc[j] for j, other in enumerate(keys) if other == key and revenue.iloc[j] > 0
        ]
        if len(peers) < min_peers:
            assert math.isnan(got.iloc[position])
            continue
        if statistic == "max":
            want = max(peers)
        elif statistic == "median":
            want = float(np.median(peers))
        elif statistic == "mean":
            want = float(np.mean(peers))
        else:
            want = float(np.quantile(peers, statistic))
        assert got.iloc[position] == pytest.approx(want, rel=1e-12)


@heavy
@given(books(), sst.nonnegative_money(max_value=1e7))
def test_lookalike_of_an_a_account_gets_its_revenue_as_potential(
    book: tuple[pd.Series[float], pd.DataFrame], top: float
) -> None:
    revenue, segments = book
    assume(top > 0)
    # Make account 0 the book's best (an A) and add a non-buying lookalike of it.
    revenue = revenue.copy()
    revenue.iloc[0] = top + float(revenue.max())
    revenue["lookalike"] = 0.0
    segments = pd.concat([segments, segments.iloc[[0]].set_axis(["lookalike"])])
    assert classify_tiers(revenue).iloc[0] == "A"
    potential = segment_potential(revenue, segments, statistic="max")
    assert potential["lookalike"] >= revenue.iloc[0]
    assert classify_tiers(potential.fillna(0.0))["lookalike"] == "A"


@heavy
@given(
    st.lists(
        st.tuples(
            st.datetimes(
                min_value=pd.Timestamp("2000-01-01").to_pydatetime(),
                max_value=pd.Timestamp("2030-01-01").to_pydatetime(),
            ),
            st.sampled_from(TIERS),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_next_contact_minus_last_is_the_cadence(rows: list[tuple[Any, str]]) -> None:
    last = pd.Series(pd.to_datetime([r[0] for r in rows]))
    tiers = pd.Series([r[1] for r in rows])
    gap = (next_contact(last, tiers) - last) / pd.Timedelta(days=1)
    policy = TierPolicy()
    assert gap.tolist() == [policy.cadence(t) for t in tiers]
    # The vectorised days_overdue equals a loop of scalar calls.
    today = max(r[0] for r in rows)
    vector = days_overdue(last, tiers, today=today)
    loop = [days_overdue(r[0], r[1], today=today) for r in rows]
    assert vector.tolist() == loop


@given(sst.same_length(sst.nonnegative_money(), sst.nonnegative_money()))
def test_temperature_times_expected_is_realized(pair: tuple[list[float], ...]) -> None:
    realized, expected = (np.array(v) for v in pair)
    ratio = temperature(realized, expected)
    known = expected > 0
    np.testing.assert_allclose(ratio[known] * expected[known], realized[known], rtol=1e-12)
    assert np.isnan(ratio[~known]).all()


@given(revenues)
def test_vectorised_tiers_match_a_python_loop(values: list[float]) -> None:
    top = max(values)
    vector = classify_tiers(values).tolist()
    loop = [classify_tiers(v, benchmark=top) if top > 0 else "D" for v in values]
    assert vector == loop
    ratios = [v / top if top else 0.0 for v in values]
    assert temperature_band(ratios).tolist() == [temperature_band(r) for r in ratios]


@given(revenues)
def test_pareto_classes_a_reaches_the_cut(values: list[float]) -> None:
    total = sum(values)
    labels = pareto_classes(values)
    if total == 0:
        assert all(label is None for label in labels)
        return
    a_share = sum(v for v, label in zip(values, labels, strict=True) if label == "A") / total
    assert a_share >= 0.8 - 1e-12
    ranks = ["ABC".index(label) for label in labels]
    for i, x in enumerate(values):
        for j, y in enumerate(values):
            if x >= y:
                assert ranks[i] <= ranks[j]


# ----------------------------------------------------------------- container contract

CONTRACTS: dict[str, tuple[Callable[..., Any], Callable[[float, float], float]]] = {
    "temperature": (temperature, lambda r, e: r / e if e else math.nan),
    "revenue_change": (revenue_change, lambda c, p: (c - p) / p if p else math.nan),
}


@pytest.mark.parametrize("name", sorted(CONTRACTS))
@pytest.mark.parametrize("kind", sst.KINDS)
@given(pair=sst.same_length(sst.nonnegative_money(), sst.nonnegative_money()))
def test_container_contract(name: str, kind: sst.Kind, pair: tuple[list[float], ...]) -> None:
    function, oracle = CONTRACTS[name]
    first, second = (sst.as_kind(values, kind) for values in pair)
    if kind == "series":
        second = pd.Series(second.to_numpy(), index=first.index)
    before = [_copy(first), _copy(second)]
    out = function(first, second)
    want = [oracle(a, b) for a, b in zip(*pair, strict=True)]
    if kind == "scalar":
        assert type(out) is float
        np.testing.assert_allclose(out, want[0], rtol=1e-12)
    elif kind == "ndarray":
        assert isinstance(out, np.ndarray)
        assert out.dtype == np.float64
        np.testing.assert_allclose(out, want, rtol=1e-12)
    else:
        assert isinstance(out, pd.Series)
        assert out.dtype == np.float64
        assert out.index.equals(first.index)
        np.testing.assert_allclose(out.to_numpy(), want, rtol=1e-12)
    for original, now in zip(before, (first, second), strict=True):
        if isinstance(original, pd.Series):
            pd.testing.assert_series_equal(now, original)
        else:
            np.testing.assert_array_equal(now, original)


def _listed(labels: pd.Series[Any]) -> list[Any]:
    """A categorical Series as a list, missing labels as None."""
    return [None if pd.isna(label) else label for label in labels]


def _copy(value: Any) -> Any:
    return value.copy() if isinstance(value, (np.ndarray, pd.Series)) else value


def test_label_functions_keep_the_series_index_and_leave_inputs_alone() -> None:
    revenue = pd.Series([3.0, 0.0, 9.0], index=["z", "x", "y"])
    before = revenue.copy()
    for labels in (classify_tiers(revenue), pareto_classes(revenue), temperature_band(revenue)):
        assert labels.index.equals(revenue.index)
        assert isinstance(labels.dtype, pd.CategoricalDtype)
    pd.testing.assert_series_equal(revenue, before)


# ------------------------------------------------------------- hostile input (issue 14)

_NOT_BOOLS = ["False", "no", 0, 1, None, pd.NA, np.float64(1.0)]


@pytest.mark.parametrize("value", _NOT_BOOLS, ids=repr)
@pytest.mark.parametrize(
    "call",
    [
        lambda skipna: classify_tiers([100.0, math.nan], skipna=skipna),
        lambda skipna: pareto_classes([100.0, math.nan], skipna=skipna),
        lambda skipna: segment_potential(
            pd.Series([100.0, math.nan]), pd.Series(["x", "x"]), skipna=skipna
        ),
    ],
    ids=["classify_tiers", "pareto_classes", "segment_potential"],
)
def test_skipna_must_be_a_bool(call: Callable[[Any], object], value: Any) -> None:
    # "False" used to be read by its truth value, as True, and pd.NA raised TypeError.
    with pytest.raises(InvalidInputError, match="skipna must be True or False"):
        call(value)


def test_skipna_takes_numpy_bools() -> None:
    # Known revenues only: 100 is the benchmark, so 100 is A and NaN stays unknown.
    flag: Any = np.True_  # a NumPy bool, which the annotation does not name
    assert classify_tiers([100.0, math.nan], skipna=flag).tolist() == ["A", None]


def test_pareto_classes_near_the_float_limit_equal_those_of_smaller_amounts() -> None:
    # By hand, on amounts 1e8, 5e7, 3e7, 2e7 (total 2e8): the shares before each account
    # are 0, 1e8/2e8 = 0.5, 1.5e8/2e8 = 0.75 and 1.8e8/2e8 = 0.9, so A, A, A (below 0.8)
    # and B (0.8 <= 0.9 < 0.95). The same amounts times 1e300 total 2e308, beyond
    # float range: the running total used to overflow and make the last one C.
    expected = ["A", "A", "A", "B"]
    assert pareto_classes([1e8, 5e7, 3e7, 2e7]).tolist() == expected
    with np.errstate(all="raise"):
        assert pareto_classes([1e308, 5e307, 3e307, 2e307]).tolist() == expected
        # The case: shares 0, 0.5 and 0.95, so A, A, C, as for 1e8, 9e7, 1e7.
        huge = pareto_classes(pd.Series([1e308, 9e307, 1e307]))
    assert huge.tolist() == pareto_classes(pd.Series([1e8, 9e7, 1e7])).tolist()


def test_pareto_classes_of_subnormal_amounts() -> None:
    # 1e-323 is twice 5e-324 (both subnormal): shares before are 0 and 2/3, so A and A.
    # Beside 1e308, 5e-324 adds nothing: the share before it is 1e308 / 1e308 = 1, C.
    with np.errstate(all="raise"):
        assert pareto_classes([1e-323, 5e-324]).tolist() == ["A", "A"]
        assert pareto_classes([1e308, 5e-324]).tolist() == ["A", "C"]


def test_a_tiny_buyer_is_c_not_d() -> None:
    # 5e-324 against a benchmark of 1e308 is a share of 5e-632, which rounds to 0 in
    # floats, but the account bought: C (0 < share < 0.45). D is for revenue 0 alone.
    with np.errstate(all="raise"):
        assert classify_tiers([1e308, 5e-324, 0.0]).tolist() == ["A", "C", "D"]
        assert classify_tiers(5e-324, benchmark=1e308) == "C"
        # A quantile benchmark between subnormal revenues: the 0.5 quantile of 5e-324
        # and 1e-323 is 7.5e-324, which rounds to 5e-324 or 1e-323; 1e-323 is A
        # either way (share >= 1), and 0 is D.
        tiers = classify_tiers([5e-324, 1e-323, 0.0], benchmark="quantile", quantile=0.5)
        assert tiers.tolist()[1:] == ["A", "D"]


def test_segment_potential_near_the_float_limit() -> None:
    # Two buyers of 1e308 in one segment: their mean is 1e308 (the sum, 2e308, used to
    # overflow to inf); the non-buyer of the segment has that potential too.
    revenue = pd.Series([1e308, 1e308, 0.0], index=["a", "b", "c"])
    size = pd.Series(["large"] * 3, index=revenue.index)
    with np.errstate(all="raise"):
        statistics: list[Any] = ["mean", "max", "median", 0.5]
        for statistic in statistics:
            potential = segment_potential(revenue, size, statistic=statistic)
            assert potential.tolist() == [1e308] * 3
        # Subnormal buyers: the mean of 5e-324 and 1.5e-323 is 1e-323, exactly.
        tiny = pd.Series([5e-324, 1.5e-323, 0.0], index=["a", "b", "c"])
        assert segment_potential(tiny, size, statistic="mean").tolist() == [1e-323] * 3
        # A segment's statistic does not depend on another segment's scale: the small
        # segment's lone buyer of 5e-324 is its mean, beside a large one of 1e308
        # (whose mean with 5e-324 is 5e307 to float precision).
        both = pd.Series([1e308, 5e-324, 5e-324, 0.0])
        sizes = pd.Series(["large", "large", "small", "small"])
        expected = [5e307, 5e307, 5e-324, 5e-324]
        assert segment_potential(both, sizes, statistic="mean").tolist() == expected


def test_next_contact_refuses_malformed_containers() -> None:
    with pytest.raises(InvalidInputError, match="last_contact must be a timestamp or a one-"):
        next_contact([[1.0], [2.0, 3.0]], "A")
    # A dict, a set, a list of lists or of dicts used to raise "unhashable type".
    tiers: list[Any] = [{}, {"A"}, [["A"], ["B", "C"]], [{}], [1.0], b"A"]
    for tier in tiers:
        with pytest.raises(InvalidInputError, match="tier must"):
            next_contact("2026-01-15", tier)


def test_next_contact_reads_texts_as_iso_8601_only() -> None:
    # "1" and "2" are no dates; pandas used to guess a format and warn that it could not.
    with pytest.raises(InvalidInputError, match="last_contact must hold ISO 8601"):
        next_contact(["1", "2"], "A")
    with pytest.raises(InvalidInputError, match="last_contact must hold ISO 8601"):
        days_overdue(["1", "2"], "A", today="2026-01-01")
    with pytest.raises(InvalidInputError, match="today must hold ISO 8601"):
        days_overdue("2026-01-01", "A", today="1")


def test_dates_beyond_the_timestamp_range_are_refused_by_name() -> None:
    # pandas holds nanosecond timestamps up to 2262-04-11 and durations up to about 292
    # years: these used to raise OutOfBoundsDatetime or OverflowError.
    with pytest.raises(InvalidInputError, match="today must hold"):
        days_overdue("2026-01-15", "A", today="9999-12-31")
    # 2262-04-01 + 180 days (tier D) = 2262-09-28, past the last timestamp.
    with pytest.raises(InvalidInputError, match=r"last_contact: the next contact .* 1 of 2"):
        next_contact(["2262-04-01", "2026-01-01"], ["D", "A"])
    # In microseconds (pandas 3's default unit) 2262-09-28 is a timestamp, but not 180
    # days before "today" in nanoseconds; pandas 2.2 computes the next contact in
    # nanoseconds and names it instead. Either way the account is named.
    last = pd.Series(pd.to_datetime(["2262-04-01"]).as_unit("us"), index=["x"])
    either = r"(today \(2262-04-10.*too far|last_contact: the next contact).*labels \['x'\]"
    with pytest.raises(InvalidInputError, match=either):
        days_overdue(last, "D", today="2262-04-10")
    with pytest.raises(InvalidInputError, match=r"last_contact: .*labels \['x'\]"):
        days_overdue(last.dt.as_unit("ns"), "D", today="2262-04-10")
    # 1677-09-22 + 30 days to 2262-04-10 is about 584 years: too long a duration.
    with pytest.raises(InvalidInputError, match=r"today \(2262-04-10.* too far .*positions: \[0\]"):
        days_overdue(["1677-09-22", "2026-01-01"], "A", today="2262-04-10")


def test_tier_policy_refuses_numbers_it_cannot_hold() -> None:
    # 10**400 and huge fractions used to raise OverflowError; np.timedelta64 (a NumPy
    # integer) passed for the number 1.
    for levels in ((10**400, 0.6, 0.3), (Fraction(10**400, 3), 0.6, 0.3)):
        with pytest.raises(InvalidInputError, match="levels must be a number within float"):
            TierPolicy(levels=levels)
    with pytest.raises(InvalidInputError, match="cadence_days must hold numbers"):
        TierPolicy(cadence_days=(np.timedelta64(30, "D"), 90, 90, 180))
    # A cadence pandas cannot add to a timestamp (longer than 106,751 days).
    with pytest.raises(InvalidInputError, match="at most 106,751"):
        TierPolicy(cadence_days=(30, 90, 90, 1e300))


def test_ratios_beyond_the_float_range_are_refused_not_inf() -> None:
    # 1 / 5e-324 is about 2e323, beyond the largest float (1.8e308): these used to
    # return inf, which the documentation never promises.
    with pytest.raises(InvalidInputError, match="expected is so near 0 that the ratio"):
        temperature(1.0, 5e-324)
    with pytest.raises(InvalidInputError, match=r"previous is so near 0.*positions 1"):
        revenue_change([5.0, 5.0], [1.0, 5e-324])
    # Within range, even under errstate(all="raise"): 5e-324 / 1e308 rounds to 0 and
    # (5e-324 - 1e308) / 1e308 is -1 to float precision.
    with np.errstate(all="raise"):
        assert temperature(5e-324, 1e308) == 0.0
        assert revenue_change(5e-324, 1e308) == -1.0


def test_min_peers_has_a_documented_maximum() -> None:
    # 10**400 used to be accepted (and compared against every segment's count).
    revenue = pd.Series([100.0, 50.0])
    size = pd.Series(["large", "large"])
    with pytest.raises(InvalidInputError, match="min_peers must be at most"):
        segment_potential(revenue, size, min_peers=10**400)
    # 2**53 is allowed: no segment has that many buyers, so no potential.
    assert segment_potential(revenue, size, min_peers=2**53).isna().all()


def test_segment_potential_refuses_lists_and_dicts_as_segment_values() -> None:
    # A list or dict cannot be grouped on: this used to raise "unhashable type".
    revenue = pd.Series([100.0, 50.0, 0.0], index=["a", "b", "c"])
    segments: list[Any] = [
        pd.Series([["large"], ["large"], ["small"]], index=revenue.index),
        pd.DataFrame(
            {"size": ["large", "large", "small"], "tags": [{}, "x", {"y"}]}, index=revenue.index
        ),
    ]
    for frame in segments:
        with pytest.raises(InvalidInputError, match=r"must hold single values .*: 'a'"):
            segment_potential(revenue, frame)


def test_next_contact_of_untiered_accounts_under_errstate_raise() -> None:
    # Up to pandas 2.2, converting floats to durations rounds an uninitialised buffer at
    # the NaN entries, and that rounding overflows under errstate(all="raise") whenever
    # the buffer last held huge floats. NumPy's small buffers are poisoned with 1e308
    # first, so an untiered account (no cadence, so no next contact) would reach it.
    for size in range(1, 17):
        last = pd.Series(pd.Timestamp("2026-01-15"), index=range(size))
        untiered = pd.Series([None] * size, index=last.index, dtype=object)
        for _ in range(4):
            poison = [np.full(size, 1e308) for _ in range(4)]
            del poison
            with np.errstate(all="raise"):
                assert next_contact(last, untiered).isna().all()
    last = pd.Series(pd.to_datetime(["2026-01-15"] * 3), index=["x", "y", "z"])
    with np.errstate(all="raise"):
        following = next_contact(last, pd.Series(["A", None, None], index=last.index))
    # The default A cadence is 30 days (TierPolicy.cadence_days): 2026-01-15 + 30 days.
    assert following.tolist()[:1] == [pd.Timestamp("2026-02-14")]
    assert following.iloc[1:].isna().all()
