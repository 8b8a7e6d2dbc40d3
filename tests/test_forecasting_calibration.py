"""probability_calibration: the Brier score, its decomposition, log loss and reliability table.

A small table is worked out by hand (the comment shows every term); the properties are
the bounds of each term, the exact identity of Stephenson, Coelho & Jolliffe (2008),
a plain-loop oracle, invariance under reordering the deals, and a simulated forecast
that is calibrated by construction.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.errors import IndexMismatchError, InvalidInputError
from salescore.forecasting.calibration import ProbabilityCalibration, probability_calibration

from .strategies import probabilities

# ------------------------------------------------------------------ hand-worked


def test_hand_worked_table_with_the_two_extra_terms() -> None:
    # Four deals, two bins [0, 0.5) and [0.5, 1]:
    #   p = 0.1, 0.3, 0.6, 0.9   won = 0, 1, 1, 1   base rate 3/4
    # Brier: (0.1² + 0.7² + 0.4² + 0.1²) / 4 = (0.01 + 0.49 + 0.16 + 0.01) / 4 = 0.1675
    # bin 0: deals 0.1, 0.3 -> mean p 0.2, won 1 of 2 -> 0.5
    # bin 1: deals 0.6, 0.9 -> mean p 0.75, won 2 of 2 -> 1.0
    # REL = (2 (0.2 - 0.5)² + 2 (0.75 - 1)²) / 4 = (0.18 + 0.125) / 4 = 0.07625
    # RES = (2 (0.5 - 0.75)² + 2 (1 - 0.75)²) / 4 = (0.125 + 0.125) / 4 = 0.0625
    # UNC = 0.75 × 0.25 = 0.1875
    # WBV = ((-0.1)² + 0.1² + (-0.15)² + 0.15²) / 4 = 0.065 / 4 = 0.01625
    # WBC = 2/4 × ((0 - 0.5)(0.1 - 0.2) + (1 - 0.5)(0.3 - 0.2) + 0 + 0) = 0.5 × 0.1 = 0.05
    # REL - RES + UNC + WBV - WBC = 0.07625 - 0.0625 + 0.1875 + 0.01625 - 0.05 = 0.1675
    # Log loss: -(ln 0.9 + ln 0.3 + ln 0.6 + ln 0.9) / 4
    result = probability_calibration([0.1, 0.3, 0.6, 0.9], [0, 1, 1, 1], bins=2)
    assert isinstance(result, ProbabilityCalibration)
    assert result.brier == pytest.approx(0.1675, abs=1e-15)
    assert result.reliability == pytest.approx(0.07625, abs=1e-15)
    assert result.resolution == pytest.approx(0.0625, abs=1e-15)
    assert result.uncertainty == pytest.approx(0.1875, abs=1e-15)
    assert result.within_bin_variance == pytest.approx(0.01625, abs=1e-15)
    assert result.within_bin_covariance == pytest.approx(0.05, abs=1e-15)
    expected_log_loss = -(math.log(0.9) + math.log(0.3) + math.log(0.6) + math.log(0.9)) / 4
    assert result.log_loss == pytest.approx(expected_log_loss, rel=1e-15)
    assert result.n == 4
    assert result.base_rate == 0.75
    expected = pd.DataFrame(
        {
            "bin": np.array([0, 1], dtype=np.int64),
            "lower": [0.0, 0.5],
            "upper": [0.5, 1.0],
            "count": np.array([2, 2], dtype=np.int64),
            "mean_probability": [0.2, 0.75],
            "observed_rate": [0.5, 1.0],
        }
    )
    pd.testing.assert_frame_equal(result.table, expected)


def test_one_probability_per_bin_is_murphys_decomposition() -> None:
    # Five deals at 0.2 (one won) and five at 0.8 (four won): each bin's probability is
    # its observed rate, so REL = 0; RES = (0.2 - 0.5)² = 0.09; UNC = 0.25;
    # Brier = (0.8² + 4 × 0.2²) × 2 / 10 = (0.64 + 0.16) / 5 = 0.16 = 0 - 0.09 + 0.25.
    won = [1, 0, 0, 0, 0, 1, 1, 1, 1, 0]
    result = probability_calibration([0.2] * 5 + [0.8] * 5, won)
    assert result.brier == pytest.approx(0.16, abs=1e-15)
    assert result.reliability == pytest.approx(0.0, abs=1e-15)
    assert result.resolution == pytest.approx(0.09, abs=1e-15)
    assert result.within_bin_variance == pytest.approx(0.0, abs=1e-15)
    assert result.within_bin_covariance == pytest.approx(0.0, abs=1e-15)
    assert list(result.table["bin"]) == [2, 8]


def test_log_loss_is_infinite_for_a_certainty_proved_wrong_and_zero_for_one_kept() -> None:
    assert probability_calibration([0.0, 1.0], [False, True]).log_loss == 0.0
    assert probability_calibration([0.0, 0.5], [True, False]).log_loss == math.inf
    assert probability_calibration([1.0, 0.5], [False, False]).log_loss == math.inf


def test_edges_put_a_probability_on_an_edge_in_the_bin_above_and_1_in_the_last() -> None:
    table = probability_calibration([0.3, 0.7, 1.0, 0.0], [1, 0, 1, 0], bins=10).table
    assert list(table["bin"]) == [0, 3, 7, 9]
    table = probability_calibration([0.5, 0.25], [1, 0], bins=[0, 0.25, 0.5, 1.0]).table
    assert list(table["bin"]) == [1, 2]
    assert list(table["lower"]) == [0.25, 0.5]


def test_series_are_paired_by_label() -> None:
    probability = pd.Series([0.9, 0.2, 0.6], index=["D1", "D2", "D3"])
    won = pd.Series([False, True, True], index=["D2", "D1", "D3"])
    by_label = probability_calibration(probability, won)
    by_hand = probability_calibration([0.9, 0.2, 0.6], [True, False, True])
    assert by_label.brier == by_hand.brier
    pd.testing.assert_frame_equal(by_label.table, by_hand.table)


def test_accepted_outcome_kinds_agree() -> None:
    p = [0.1, 0.5, 0.9]
    want = probability_calibration(p, [True, False, True]).brier
    for won in (
        [1, 0, 1],
        np.array([1.0, 0.0, 1.0]),
        pd.Series([True, False, True], dtype="boolean"),
        pd.Series([1, 0, 1], dtype="Int64"),
        pd.Series([True, False, True], dtype=object),
    ):
        assert probability_calibration(p, won).brier == want


def test_no_deals_gives_nan_and_an_empty_table() -> None:
    result = probability_calibration([], [])
    assert result.n == 0
    assert math.isnan(result.brier)
    assert math.isnan(result.log_loss)
    assert result.table.empty
    assert list(result.table.columns) == [
        "bin",
        "lower",
        "upper",
        "count",
        "mean_probability",
        "observed_rate",
    ]


# ------------------------------------------------------------------ refusals


@pytest.mark.parametrize(
    ("probability", "won", "match"),
    [
        ([0.1, float("nan")], [1, 0], r"probability must be known.*positions: \[1\]"),
        (
            pd.Series([0.1, float("nan")], index=["D1", "D2"]),
            pd.Series([1, 0], index=["D1", "D2"]),
            r"probability must be known.*labels: 'D2'",
        ),
        ([10.0, 60.0], [1, 0], "look like percentages"),
        ([0.1, 0.2], [1, float("nan")], r"won must be known.*positions: \[1\]"),
        (
            pd.Series([0.1, 0.2], index=["D1", "D2"]),
            pd.Series([None, True], index=["D1", "D2"]),
            r"won must be known.*labels: 'D1'",
        ),
        (
            pd.Series([0.1, 0.2], index=["D1", "D2"]),
            pd.Series([pd.NA, True], index=["D1", "D2"], dtype="boolean"),
            r"won must be known.*labels: 'D1'",
        ),
        ([0.1, 0.2], [1, 2], "won must hold True/False or 0/1"),
        ([0.1, 0.2], [1.0, 0.5], "won must hold True/False or 0/1"),
        ([0.1, 0.2], ["won", "lost"], "won must hold True/False or 0/1"),
        ([0.1, 0.2], [1, 0, 1], "probability has 2 elements but won has 3"),
        (0.5, [1], "probability must be a 1-D array or Series"),
        ([0.5], True, "won must be a 1-D array or Series"),
        ([[0.5]], [1], "one-dimensional"),
    ],
)
def test_bad_inputs_are_refused_with_the_deals_named(
    probability: object, won: object, match: str
) -> None:
    with pytest.raises(InvalidInputError, match=match):
        probability_calibration(probability, won)


def test_series_with_other_labels_are_refused_with_the_labels_named() -> None:
    probability = pd.Series([0.1, 0.2], index=["D1", "D2"])
    won = pd.Series([1, 0], index=["D1", "D3"])
    with pytest.raises(IndexMismatchError, match=r"won lacks 1 label\(s\) \('D2'\).*'D3'"):
        probability_calibration(probability, won)
    with pytest.raises(IndexMismatchError, match="a label twice"):
        probability_calibration(
            pd.Series([0.1, 0.2], index=["D1", "D1"]), pd.Series([1, 0], index=["D2", "D1"])
        )


@pytest.mark.parametrize(
    "bins",
    [0, -3, True, 2.5, "10", [0.0, 1.0, 0.5], [0.1, 1.0], [0.0, 0.9], [0.0], [0.0, 0.5, 0.5, 1.0]],
)
def test_bad_bins_are_refused(bins: object) -> None:
    with pytest.raises(InvalidInputError, match="bins"):
        probability_calibration([0.5], [1], bins=bins)  # type: ignore[arg-type]


def test_inputs_are_not_changed() -> None:
    probability = pd.Series([0.1, 0.4, 0.8], index=["a", "b", "c"])
    won = pd.Series([0, 1, 1], index=["c", "a", "b"])
    before = (probability.copy(), won.copy())
    probability_calibration(probability, won)
    pd.testing.assert_series_equal(probability, before[0])
    pd.testing.assert_series_equal(won, before[1])


# ------------------------------------------------------------------ properties


@st.composite
def _deals(draw: st.DrawFn) -> tuple[list[float], list[bool], int | list[float]]:
    size = draw(st.integers(1, 40))
    # Probabilities from a few values (so bins hold equal ones) and from anywhere.
    values = st.one_of(st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0]), probabilities())
    p = draw(st.lists(values, min_size=size, max_size=size))
    won = draw(st.lists(st.booleans(), min_size=size, max_size=size))
    inner = draw(st.lists(st.floats(0.0, 1.0, exclude_min=True, exclude_max=True), max_size=6))
    bins: int | list[float] = draw(
        st.one_of(st.integers(1, 20), st.just([0.0, *sorted(set(inner)), 1.0]))
    )
    return p, won, bins


def _loop_oracle(p: list[float], won: list[bool], edges: list[float]) -> dict[str, float]:
    """Every term by plain Python loops over the deals and the bins."""
    n = len(p)
    o = [1.0 if w else 0.0 for w in won]
    k = len(edges) - 1
    members: list[list[int]] = [[] for _ in range(k)]
    for i, f in enumerate(p):
        b = k - 1
        for j in range(k):
            if edges[j] <= f < edges[j + 1]:
                b = j
                break
        members[b].append(i)
    base = sum(o) / n
    out = {"brier": sum((f - x) ** 2 for f, x in zip(p, o, strict=True)) / n}
    rel = res = wbv = wbc = 0.0
    for group in members:
        if not group:
            continue
        fbar = sum(p[i] for i in group) / len(group)
        obar = sum(o[i] for i in group) / len(group)
        rel += len(group) * (fbar - obar) ** 2
        res += len(group) * (obar - base) ** 2
        wbv += sum((p[i] - fbar) ** 2 for i in group)
        wbc += sum((o[i] - obar) * (p[i] - fbar) for i in group)
    out.update(
        reliability=rel / n,
        resolution=res / n,
        within_bin_variance=wbv / n,
        within_bin_covariance=2.0 * wbc / n,
        uncertainty=base * (1.0 - base),
    )
    return out


@settings(max_examples=min(settings().max_examples, 300))
@given(_deals())
def test_bounds_and_the_exact_identity(
    case: tuple[list[float], list[bool], int | list[float]],
) -> None:
    p, won, bins = case
    r = probability_calibration(p, won, bins=bins)
    assert 0.0 <= r.brier <= 1.0
    assert r.reliability >= 0.0
    assert r.resolution >= 0.0
    assert r.within_bin_variance >= 0.0
    assert 0.0 <= r.uncertainty <= 0.25
    assert r.uncertainty == r.base_rate * (1.0 - r.base_rate)
    identity = (
        r.reliability
        - r.resolution
        + r.uncertainty
        + r.within_bin_variance
        - r.within_bin_covariance
    )
    assert abs(identity - r.brier) <= 1e-12
    assert r.log_loss >= 0.0
    assert int(r.table["count"].sum()) == r.n == len(p)
    assert ((r.table["observed_rate"] >= 0) & (r.table["observed_rate"] <= 1)).all()
    # Each bin's mean probability lies within its edges (up to the rounding of a mean).
    assert (r.table["mean_probability"] >= r.table["lower"] - 1e-15).all()
    assert (r.table["mean_probability"] <= r.table["upper"] + 1e-15).all()


@settings(max_examples=min(settings().max_examples, 300))
@given(_deals())
def test_vectorised_terms_equal_a_plain_loop(
    case: tuple[list[float], list[bool], int | list[float]],
) -> None:
    p, won, bins = case
    edges = [j / bins for j in range(bins + 1)] if isinstance(bins, int) else bins
    r = probability_calibration(p, won, bins=bins)
    for name, value in _loop_oracle(p, won, edges).items():
        assert getattr(r, name) == pytest.approx(value, abs=1e-12), name
    given_to_outcome = [f if w else 1.0 - f for f, w in zip(p, won, strict=True)]
    if min(given_to_outcome) == 0.0:
        assert r.log_loss == math.inf
    else:
        want = -sum(math.log(g) for g in given_to_outcome) / len(p)
        assert r.log_loss == pytest.approx(want, rel=1e-12, abs=1e-15)


@settings(max_examples=min(settings().max_examples, 300))
@given(_deals(), st.randoms(use_true_random=False))
def test_reordering_the_deals_changes_nothing_but_rounding(
    case: tuple[list[float], list[bool], int | list[float]], random: object
) -> None:
    p, won, bins = case
    order = list(range(len(p)))
    random.shuffle(order)  # type: ignore[attr-defined]
    a = probability_calibration(p, won, bins=bins)
    b = probability_calibration([p[i] for i in order], [won[i] for i in order], bins=bins)
    for name in ("brier", "reliability", "resolution", "within_bin_variance", "log_loss"):
        assert getattr(a, name) == pytest.approx(getattr(b, name), abs=1e-12)
    pd.testing.assert_frame_equal(a.table, b.table, atol=1e-12)


def test_a_calibrated_simulated_forecast_has_small_reliability() -> None:
    # Outcomes drawn with exactly the announced probability: each bin's observed rate
    # differs from its mean probability by sampling noise only, of variance about
    # p(1-p)/n_k, so REL is about bins × 0.2 / n = 1e-4 here; a forecast that squares
    # the true probabilities (too pessimistic) is far off.
    rng = np.random.default_rng(20_261_204)
    p = rng.uniform(0.0, 1.0, 20_000)
    won = rng.uniform(0.0, 1.0, p.size) < p
    calibrated = probability_calibration(p, won)
    assert calibrated.reliability < 1e-3
    pessimistic = probability_calibration(p**2, won)
    assert pessimistic.reliability > 0.02
    assert pessimistic.brier > calibrated.brier
