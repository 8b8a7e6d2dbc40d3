"""Tests of salescore.models.clv: hand calculations, the CDNOW models, properties, failures."""

from __future__ import annotations

import itertools
import math
from typing import Any, Literal

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore import IndexMismatchError, InvalidInputError
from salescore.models.bgnbd import BetaGeoModel, fit_bgnbd
from salescore.models.clv import DAYS_PER_MONTH, MAX_MONTHS, model_clv
from salescore.models.data import load_cdnow_summary
from salescore.models.gamma_gamma import GammaGammaModel, fit_gamma_gamma

heavy = settings(max_examples=min(settings().max_examples, 300))

# The CDNOW parameters published by Fader, Hardie & Lee (2005): BG/NBD in weeks
# ("Counting Your Customers the Easy Way") and Gamma-Gamma in dollars ("RFM and CLV").
BGNBD = BetaGeoModel(r=0.243, alpha=4.414, a=0.793, b=2.426)
GAMMA_GAMMA = GammaGammaModel(p=6.25, q=3.74, v=15.44)
WEEKS_PER_MONTH = DAYS_PER_MONTH / 7.0  # 4.348125


@attrs.frozen
class SteadyBuyer:
    """A purchase model with a known answer: ``rate`` purchases per unit of time."""

    rate: float

    def conditional_expected_purchases(self, t: Any, frequency: Any, recency: Any, T: Any) -> Any:  # noqa: N803
        return self.rate * t + 0.0 * (frequency + recency + T)


class OwnMean:
    """A spend model with a known answer: each customer keeps spending their mean."""

    def conditional_expected_value(self, frequency: Any, monetary_value: Any) -> Any:
        return monetary_value + 0.0 * frequency


# --------------------------------------------------------------- by hand


def test_steady_buyer_by_hand() -> None:
    # 0.5 purchases a week of $20 at a 30 % margin: 0.5 × 4.348125 × 20 × 0.3 =
    # $13.044375 a month, discounted at 1 % a month over three months:
    # 13.044375 × (1/1.01 + 1/1.01² + 1/1.01³) = 13.044375 × 2.9409852...
    annuity = sum(1.01**-k for k in (1, 2, 3))
    expected = 0.5 * 4.348125 * 20.0 * 0.3 * annuity
    value = model_clv(
        SteadyBuyer(0.5), OwnMean(), 3, 10.0, 20.0, 20.0, months=3, discount_rate=0.01, margin=0.3
    )
    assert value == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("unit", "rate"), [("W", 0.5), ("D", 0.5 / 7.0), ("M", 0.5 * 4.348125)])
def test_time_units_give_one_month(unit: Literal["W", "D", "M"], rate: float) -> None:
    # The same buyer, 0.5 purchases a week, in weeks, days and months: one month
    # (365.2425 / 12 days) brings 2.1740625 purchases of $10.
    value = model_clv(
        SteadyBuyer(rate),
        OwnMean(),
        1,
        1.0,
        2.0,
        10.0,
        months=1,
        discount_rate=0.0,
        time_unit=unit,
    )
    assert value == pytest.approx(21.740625, rel=1e-12)


def test_one_month_without_discount_is_the_product_of_the_two_expectations() -> None:
    # CDNOW customer 1 (x = 2, t_x = 30.43, T = 38.86 weeks, z̄ = $22.35).
    purchases = BGNBD.conditional_expected_purchases(WEEKS_PER_MONTH, 2, 30.43, 38.86)
    spend = GAMMA_GAMMA.conditional_expected_value(2, 22.35)  # 24.6637, by hand in
    # test_models_gamma_gamma.py
    value = model_clv(BGNBD, GAMMA_GAMMA, 2, 30.43, 38.86, 22.35, months=1, discount_rate=0.0)
    assert value == pytest.approx(purchases * spend, rel=1e-12)


def test_without_discount_the_months_telescope() -> None:
    # Σ_k [E(k L) − E((k − 1) L)] = E(K L): nine months are 39.13 weeks, close to the
    # 39 weeks of Fader, Hardie & Lee's worked example (1.226 purchases).
    purchases = BGNBD.conditional_expected_purchases(9 * WEEKS_PER_MONTH, 2, 30.43, 38.86)
    assert purchases == pytest.approx(1.226, abs=0.01)
    spend = GAMMA_GAMMA.conditional_expected_value(2, 22.35)
    value = model_clv(
        BGNBD, GAMMA_GAMMA, 2, 30.43, 38.86, 22.35, months=9, discount_rate=0.0, margin=0.5
    )
    assert value == pytest.approx(purchases * spend * 0.5, rel=1e-12)


def test_a_model_in_days_gives_the_same_value_as_one_in_weeks() -> None:
    # A rate per week λ ~ Gamma(r, α) is λ/7 per day ~ Gamma(r, 7α): the same model.
    in_days = attrs.evolve(BGNBD, alpha=7.0 * BGNBD.alpha)
    frequency = np.array([0.0, 2.0, 7.0])
    recency = np.array([0.0, 30.43, 35.0])
    age = np.array([38.86, 38.86, 38.0])
    spend = np.array([0.0, 22.35, 41.5])
    options: dict[str, Any] = {"months": 18, "discount_rate": 0.01}
    weeks = model_clv(BGNBD, GAMMA_GAMMA, frequency, recency, age, spend, **options)
    days = model_clv(
        in_days, GAMMA_GAMMA, frequency, 7 * recency, 7 * age, spend, time_unit="D", **options
    )
    np.testing.assert_allclose(days, weeks, rtol=1e-10)


def test_no_horizon_is_worth_nothing() -> None:
    assert model_clv(BGNBD, GAMMA_GAMMA, 2, 30.43, 38.86, 22.35, months=0, discount_rate=0.1) == 0.0
    assert math.isnan(
        model_clv(BGNBD, GAMMA_GAMMA, 2, 30.43, 38.86, math.nan, months=0, discount_rate=0.1)
    )


# --------------------------------------------------------------- the CDNOW base


def test_fitted_cdnow_models_value_every_customer() -> None:
    cdnow = load_cdnow_summary()
    bgnbd = fit_bgnbd(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    gamma_gamma = fit_gamma_gamma(
        cdnow["frequency"], cdnow["monetary_value"], repeat_buyers_only=True
    )
    value = model_clv(
        bgnbd,
        gamma_gamma,
        cdnow["frequency"],
        cdnow["recency"],
        cdnow["T"],
        cdnow["monetary_value"],
        months=12,
        discount_rate=0.01,
        margin=0.3,
    )
    assert isinstance(value, pd.Series)
    assert value.index.equals(cdnow.index)
    assert bool(np.isfinite(value).all())
    assert bool((value >= 0.0).all())
    # The fitted models agree with the published ones to their digits, and so do the
    # values: customer 1 is worth $10.89 with the published parameters (the example
    # of model_clv's docstring).
    assert value[1] == pytest.approx(10.89, rel=2e-3)
    # Heavy, recent buyers are worth most.
    top = cdnow.iloc[int(np.argmax(value.to_numpy()))]
    assert top["frequency"] >= 10
    assert top["recency"] >= 30.0


# --------------------------------------------------------------- properties


@st.composite
def customers(draw: st.DrawFn) -> tuple[float, float, float, float]:
    """A CDNOW-like history: repeat purchases, recency <= T (weeks) and mean spend."""
    age = draw(st.floats(0.0, 80.0))
    frequency = draw(st.integers(0, 40))
    recency = draw(st.floats(0.0, 1.0)) * age if frequency > 0 else 0.0
    spend = draw(st.floats(1.0, 500.0)) if frequency > 0 else 0.0
    return float(frequency), recency, age, spend


def _value(customer: tuple[float, float, float, float], **options: Any) -> float:
    return float(model_clv(BGNBD, GAMMA_GAMMA, *customer, **options))


@heavy
@given(customer=customers(), margins=st.lists(st.floats(0.0, 1.0), min_size=2, max_size=4))
def test_value_is_proportional_to_the_margin(
    customer: tuple[float, float, float, float], margins: list[float]
) -> None:
    full = _value(customer, months=12, discount_rate=0.01)
    values = [_value(customer, months=12, discount_rate=0.01, margin=m) for m in sorted(margins)]
    assert values == pytest.approx([full * m for m in sorted(margins)], rel=1e-12, abs=1e-300)
    assert all(a <= b for a, b in itertools.pairwise(values))


@heavy
@given(customer=customers(), rates=st.lists(st.integers(0, 500), min_size=2, max_size=4))
def test_value_falls_with_the_discount_rate(
    customer: tuple[float, float, float, float], rates: list[int]
) -> None:
    ordered = sorted(set(rates))
    values = [_value(customer, months=24, discount_rate=r / 1000.0) for r in ordered]
    assert all(b <= a for a, b in itertools.pairwise(values))
    if len(ordered) > 1 and values[0] > 0.0:
        assert values[-1] < values[0]


@heavy
@given(customer=customers(), horizons=st.lists(st.integers(0, 36), min_size=2, max_size=4))
def test_value_grows_with_the_horizon(
    customer: tuple[float, float, float, float], horizons: list[int]
) -> None:
    ordered = sorted(set(horizons))
    values = [_value(customer, months=k, discount_rate=0.01) for k in ordered]
    assert values[0] >= 0.0
    assert all(a <= b for a, b in itertools.pairwise(values))


@heavy
@given(rows=st.lists(customers(), min_size=1, max_size=8))
def test_vectorised_value_equals_a_loop(rows: list[tuple[float, float, float, float]]) -> None:
    columns = [np.array(column) for column in zip(*rows, strict=True)]
    vectorised = model_clv(BGNBD, GAMMA_GAMMA, *columns, months=6, discount_rate=0.02)
    looped = [_value(row, months=6, discount_rate=0.02) for row in rows]
    np.testing.assert_allclose(vectorised, looped, rtol=1e-12)


# --------------------------------------------------------------- the contract


def test_container_contract() -> None:
    index = pd.Index(["c9", "c1", "c5"])
    frequency = pd.Series([0, 2, 7], index=index)
    recency = pd.Series([0.0, 30.43, 35.0], index=index)
    age = pd.Series([38.86, 38.86, 38.0], index=index)
    spend = pd.Series([0.0, 22.35, 41.5], index=index)
    options: dict[str, Any] = {"months": 6, "discount_rate": 0.01}
    series = model_clv(BGNBD, GAMMA_GAMMA, frequency, recency, age, spend, **options)
    assert isinstance(series, pd.Series)
    assert series.index.equals(index)
    assert series.dtype == np.float64
    scalar = model_clv(BGNBD, GAMMA_GAMMA, np.int64(2), 30.43, np.float64(38.86), 22.35, **options)
    assert type(scalar) is float
    assert series["c1"] == pytest.approx(scalar, rel=1e-14)
    mixed = model_clv(BGNBD, GAMMA_GAMMA, [0, 2, 7], recency.to_numpy(), 38.86, spend, **options)
    assert isinstance(mixed, pd.Series)
    empty = model_clv(
        BGNBD, GAMMA_GAMMA, np.empty(0), np.empty(0), np.empty(0), np.empty(0), **options
    )
    assert isinstance(empty, np.ndarray)
    assert empty.shape == (0,)
    for position in range(4):
        arguments: list[Any] = [2.0, 30.43, 38.86, 22.35]
        arguments[position] = math.nan
        assert math.isnan(model_clv(BGNBD, GAMMA_GAMMA, *arguments, **options)), position
    with pytest.raises(IndexMismatchError, match="frequency and recency"):
        model_clv(
            BGNBD,
            GAMMA_GAMMA,
            frequency,
            recency.set_axis(["c1", "c5", "c9"]),
            age,
            spend,
            **options,
        )


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"months": -1}, "months must be a non-negative integer"),
        ({"months": 1.5}, "months must be a non-negative integer"),
        ({"months": True}, "months must be a non-negative integer"),
        ({"discount_rate": -0.01}, "discount_rate must be a finite number >= 0"),
        ({"discount_rate": math.inf}, "discount_rate must be a finite number >= 0"),
        ({"discount_rate": math.nan}, "discount_rate must be a number; got nan"),
        ({"margin": 1.5}, r"margin must be a fraction in \[0, 1\]"),
        ({"margin": -0.1}, r"margin must be a fraction in \[0, 1\]"),
        ({"time_unit": "Y"}, "time_unit must be one of"),
    ],
)
def test_invalid_options_are_refused(options: dict[str, Any], match: str) -> None:
    arguments: dict[str, Any] = {"months": 12, "discount_rate": 0.01, **options}
    with pytest.raises(InvalidInputError, match=match):
        model_clv(BGNBD, GAMMA_GAMMA, 2, 30.43, 38.86, 22.35, **arguments)


@pytest.mark.parametrize(
    ("history", "match"),
    [
        ((2, 40.0, 38.86, 22.35), "recency must be <= T"),
        ((2.5, 30.0, 38.86, 22.35), "frequency must be a whole number"),
        ((2, 30.0, 38.86, -1.0), "monetary_value must be a finite number >= 0"),
        ((2, -1.0, 38.86, 22.35), "recency must be a finite number >= 0"),
        # recency is the time of the last repeat purchase: 0 without one (lifetimes
        # 0.11.3 refuses this row in lifetimes.utils._check_inputs); it was accepted.
        ((0, 5.0, 38.86, 0.0), "recency must be 0 for a customer without repeat purchases"),
    ],
)
def test_invalid_histories_are_refused(history: tuple[float, ...], match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        model_clv(BGNBD, GAMMA_GAMMA, *history, months=12, discount_rate=0.01)
    # Also when the horizon is empty: the data are checked all the same.
    with pytest.raises(InvalidInputError, match=match):
        model_clv(BGNBD, GAMMA_GAMMA, *history, months=0, discount_rate=0.01)


# --------------------------------------------------------------- hostile input


class CountedBuyer:
    """A steady buyer that fails once asked more than ``MAX_MONTHS + 1`` times."""

    def __init__(self, rate: float) -> None:
        self.buyer = SteadyBuyer(rate)
        self.calls = 0

    def conditional_expected_purchases(self, t: Any, frequency: Any, recency: Any, T: Any) -> Any:  # noqa: N803
        self.calls += 1
        if self.calls > MAX_MONTHS + 1:
            raise AssertionError("model_clv kept summing past the longest horizon")
        return self.buyer.conditional_expected_purchases(t, frequency, recency, T)


def test_a_horizon_beyond_the_maximum_is_refused_before_any_work() -> None:
    # months=2**70 summed month by month for ever (the counting model stops it here).
    buyer = CountedBuyer(0.5)
    with pytest.raises(
        InvalidInputError, match=r"months must be at most 1,200; got 1180591620717411303424"
    ):
        model_clv(buyer, OwnMean(), 3, 10.0, 20.0, 20.0, months=2**70, discount_rate=0.01)
    assert buyer.calls == 0
    assert MAX_MONTHS == 1200  # a hundred years, as the docstring says


def test_the_longest_horizon_at_a_steep_discount_by_hand() -> None:
    # 0.5 purchases a week of $20 at 100 % a month for 1,200 months: each month is
    # worth 0.5 × 4.348125 × 20 = 43.48125, discounted by 2^−k, and
    # Σ_{k=1}^{1200} 2^−k = 1 − 2^−1200, which is 1 in floating point. Factors below
    # 1e-308 underflowed (FloatingPointError under errstate "raise").
    with np.errstate(all="raise"):
        value = model_clv(
            SteadyBuyer(0.5), OwnMean(), [3.0], [10.0], [20.0], [20.0],
            months=MAX_MONTHS, discount_rate=1.0,
        )  # fmt: skip
    assert value.tolist() == pytest.approx([43.48125], rel=1e-12)


@pytest.mark.parametrize(
    ("models", "argument"),
    [
        ((math.nan, GAMMA_GAMMA), "bgnbd"),
        ((GAMMA_GAMMA, GAMMA_GAMMA), "bgnbd"),
        ((BGNBD, None), "gamma_gamma"),
        ((BGNBD, "GammaGammaModel"), "gamma_gamma"),
    ],
)
def test_model_arguments_that_are_not_models_are_refused(
    models: tuple[Any, Any], argument: str
) -> None:
    # model_clv(float("nan"), gamma_gamma, ...) raised AttributeError.
    with pytest.raises(InvalidInputError, match=f"^{argument} must be a model with a"):
        model_clv(*models, 2, 30.43, 38.86, 22.35, months=12, discount_rate=0.01)


def test_a_value_beyond_float_range_is_refused() -> None:
    # $1e308 a purchase over a year of purchases is beyond float range: it was inf.
    with np.errstate(all="raise"), pytest.raises(InvalidInputError, match="beyond floating-point"):
        model_clv(
            SteadyBuyer(1.0), OwnMean(), [3.0, 2.0], [10.0, 1.0], [20.0, 20.0], [1e308, 1.0],
            months=12, discount_rate=0.0,
        )  # fmt: skip
