"""Tests of salescore.retention.surveys: NPS and CSAT by hand, properties, validation."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from salescore import InvalidInputError
from salescore.retention.surveys import csat, net_promoter_score

# ----------------------------------------------------------------- golden figures

# A survey of 20 customers after delivery, counted by hand:
#   10: 4 answers, 9: 3   → 7 promoters
#    8: 3 answers, 7: 2   → 5 passives
#    6: 3, 5: 2, 3: 2, 0: 1 → 8 detractors
SURVEY = [10, 9, 8, 10, 6, 7, 9, 5, 10, 8, 3, 6, 9, 0, 10, 6, 8, 7, 5, 3]


def test_nps_of_a_hand_counted_survey() -> None:
    assert len(SURVEY) == 20
    assert sum(s >= 9 for s in SURVEY) == 7
    assert sum(s <= 6 for s in SURVEY) == 8
    # 100 × (7 − 8) / 20 = −5.
    assert net_promoter_score(SURVEY) == -5.0
    # 35 % promoters − 40 % detractors, the same −5 in any container.
    assert net_promoter_score(np.array(SURVEY, dtype=np.int16)) == -5.0
    assert net_promoter_score(pd.Series(SURVEY, dtype="Int64")) == -5.0
    assert net_promoter_score(np.array(SURVEY, dtype=np.float64)) == -5.0


def test_nps_extremes_and_the_passive_band() -> None:
    # All promoters: +100; all detractors: −100; only passives (7, 8): 0.
    assert net_promoter_score([9, 10, 10]) == 100.0
    assert net_promoter_score([0, 6, 3]) == -100.0
    assert net_promoter_score([7, 8]) == 0.0
    # The band edges: 6 is a detractor, 7 a passive, 8 a passive, 9 a promoter.
    assert net_promoter_score(6) == -100.0
    assert net_promoter_score(7) == 0.0
    assert net_promoter_score(np.int64(9)) == 100.0


def test_csat_by_hand() -> None:
    # 1–5 scale, eight answers: 5, 4, 4, 3, 2, 5, 1, 4 → 4s and 5s: 5 of 8 = 0.625.
    assert csat([5, 4, 4, 3, 2, 5, 1, 4]) == 0.625
    # 1–10 scale: the top two points are 9 and 10 → 9, 10 of 9, 10, 8, 7 = 0.5.
    assert csat([9, 10, 8, 7], scale=10) == 0.5
    # 1–3 scale: 2 and 3 count → 2 of 3.
    assert csat([1, 2, 3], scale=3) == pytest.approx(2 / 3, rel=1e-15)
    assert csat(pd.Series([4, 4, 4, 2])) == 0.75


def test_missing_answers_and_empty_surveys() -> None:
    answers = pd.Series([10, 9, None, 5], dtype="Int64")
    assert math.isnan(net_promoter_score(answers))
    # Two promoters, one detractor of three answers: 100 × (2 − 1) / 3.
    assert net_promoter_score(answers, skipna=True) == pytest.approx(100 / 3, rel=1e-15)
    assert math.isnan(csat([5.0, math.nan]))
    assert csat([5.0, math.nan, 1.0], skipna=True) == 0.5
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert math.isnan(net_promoter_score([]))
        assert math.isnan(csat(np.array([], dtype=np.int64)))
        assert math.isnan(net_promoter_score([math.nan], skipna=True))
        assert math.isnan(csat(math.nan))


def test_results_are_python_floats_and_inputs_untouched() -> None:
    scores = np.array([9, 3, 7])
    series = pd.Series([4.0, 5.0], index=["x", "y"])
    assert type(net_promoter_score(scores)) is float
    assert type(csat(series)) is float
    assert type(csat(np.float32(5.0))) is float
    assert scores.tolist() == [9, 3, 7]
    assert series.tolist() == [4.0, 5.0]


# ----------------------------------------------------------------- properties

nps_answers = st.lists(st.integers(0, 10), max_size=60)


@given(nps_answers)
def test_nps_is_bounded_and_matches_a_loop(scores: list[int]) -> None:
    score = net_promoter_score(scores)
    if not scores:
        assert math.isnan(score)
        return
    assert -100.0 <= score <= 100.0
    promoters = sum(1 for s in scores if s in (9, 10))
    detractors = sum(1 for s in scores if s <= 6)
    assert score == pytest.approx(100 * (promoters - detractors) / len(scores), rel=1e-15)
    # Promoters add up with passives and detractors to every answer.
    passives = sum(1 for s in scores if s in (7, 8))
    assert promoters + passives + detractors == len(scores)


@given(nps_answers, st.data())
def test_nps_ignores_order_and_counts_proportions(scores: list[int], data: st.DataObject) -> None:
    shuffled = data.draw(st.permutations(scores), label="shuffled")
    assert net_promoter_score(shuffled) == net_promoter_score(scores) or not scores
    # Every answer given twice: the same shares, the same score.
    if scores:
        assert net_promoter_score(scores * 2) == pytest.approx(
            net_promoter_score(scores), rel=1e-15, abs=1e-12
        )


@given(nps_answers, st.integers(0, 10))
def test_one_more_promoter_never_lowers_nps(scores: list[int], extra: int) -> None:
    assert net_promoter_score([*scores, 10]) >= net_promoter_score([*scores, extra]) - 1e-12


@given(st.integers(3, 12).flatmap(lambda k: st.tuples(st.just(k), st.lists(st.integers(1, k)))))
def test_csat_is_a_share_and_matches_a_loop(case: tuple[int, list[int]]) -> None:
    scale, scores = case
    share = csat(scores, scale=scale)
    if not scores:
        assert math.isnan(share)
        return
    assert 0.0 <= share <= 1.0
    assert share == pytest.approx(sum(s >= scale - 1 for s in scores) / len(scores), rel=1e-15)
    assert csat(np.asarray(scores, dtype=np.float64), scale=scale) == share


@given(st.lists(st.one_of(st.integers(0, 10).map(float), st.just(math.nan)), min_size=1))
def test_skipna_equals_dropping_the_missing_answers(scores: list[float]) -> None:
    known = [s for s in scores if not math.isnan(s)]
    result = net_promoter_score(scores, skipna=True)
    expected = net_promoter_score(known)
    assert result == expected or (math.isnan(result) and math.isnan(expected))
    if len(known) < len(scores):
        assert math.isnan(net_promoter_score(scores))


# ----------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: net_promoter_score([9, 7.5, 8, 2.25]),
            r"whole number from 0 to 10; 2 of 4 .*\[1\] 7.5, \[3\] 2.25",
        ),
        (lambda: net_promoter_score([9, 11]), r"whole number from 0 to 10.*\[1\] 11.0"),
        (lambda: net_promoter_score([-1]), r"whole number from 0 to 10.*\[0\] -1.0"),
        (lambda: net_promoter_score([math.inf]), "whole number from 0 to 10"),
        (lambda: net_promoter_score(["9"]), "scores must hold numbers"),  # type: ignore[list-item]
        (lambda: net_promoter_score([True, False]), "boolean"),
        (lambda: net_promoter_score([9], skipna="no"), "skipna must be True or False"),  # type: ignore[arg-type]
        (lambda: csat([0, 5]), r"whole number from 1 to 5.*\[0\] 0.0"),
        (lambda: csat([6, 5]), r"whole number from 1 to 5.*\[0\] 6.0"),
        (lambda: csat([4.5]), r"whole number from 1 to 5; 1 of 1 .*\[0\] 4.5"),
        (lambda: csat([5], scale=2), "scale must be at least 3"),
        (lambda: csat([5], scale=5.0), "scale must be a non-negative integer"),  # type: ignore[arg-type]
        (lambda: csat([5], scale=True), "scale must be a non-negative integer; got True"),
        (lambda: csat(np.ones((2, 2))), "one-dimensional"),
    ],
)
def test_invalid_answers_are_refused(call: Any, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        call()


def test_options_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        csat([5], 10)  # type: ignore[call-arg]


def test_csat_scale_has_an_upper_bound() -> None:
    # A 1–2**70 "scale" is a typo, not a survey: refused at once, naming the bound.
    with pytest.raises(InvalidInputError, match="scale must be at most 1,000"):
        csat([1, 2, 3], scale=2**70)
    with pytest.raises(InvalidInputError, match="scale must be a non-negative integer"):
        csat([1, 2, 3], scale=np.timedelta64(5))  # type: ignore[arg-type]
    # The bound itself is accepted: 1 of 2 answers (1,000) is in the top two points.
    assert csat([1, 1_000], scale=1_000) == 0.5


@pytest.mark.parametrize("bad", ["False", "no", 0, 1, None, pd.NA])
def test_skipna_must_be_a_bool(bad: object) -> None:
    with pytest.raises(InvalidInputError, match="skipna must be True or False"):
        net_promoter_score([9, 10], skipna=bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="skipna must be True or False"):
        csat([4, 5], skipna=bad)  # type: ignore[arg-type]
