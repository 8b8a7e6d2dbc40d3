"""Tests of salescore.models.bgnbd: published CDNOW results, Hardie's stress cases,
properties of the predictions, recovery from simulated data, and validation."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore import (
    ConvergenceError,
    IndexMismatchError,
    InvalidInputError,
    SalescoreWarning,
)
from salescore.models import _fitting
from salescore.models.bgnbd import BetaGeoModel, fit_bgnbd
from salescore.models.data import load_cdnow_summary, load_cdnow_transactions
from salescore.models.rfm import compress, rfm_summary

from . import strategies as sst

FloatArray = np.ndarray[Any, np.dtype[np.float64]]

#: Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way", the CDNOW fit.
CDNOW = BetaGeoModel(r=0.243, alpha=4.414, a=0.793, b=2.426)
#: Hardie's note on numerical error in the BG/NBD likelihood.
HARDIE = BetaGeoModel(r=0.25, alpha=4.0, a=0.8, b=2.5)


def _agrees(value: float, published: float, decimals: int) -> bool:
    """``value`` rounds to the published figure: within half a unit of its last digit."""
    return abs(value - published) <= 0.5 * 10.0**-decimals + 1e-12


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return load_cdnow_summary()


@pytest.fixture(scope="module")
def cdnow_fit(cdnow: pd.DataFrame) -> BetaGeoModel:
    return fit_bgnbd(cdnow["frequency"], cdnow["recency"], cdnow["T"])


# ------------------------------------------------------------ golden: CDNOW


def test_cdnow_parameters_match_the_published_fit(cdnow_fit: BetaGeoModel) -> None:
    # Fader, Hardie & Lee (2005), the CDNOW fit: r = 0.243, α = 4.414, a = 0.793,
    # b = 2.426 on the 2,357 CDNOW customers (39-week calibration period).
    assert _agrees(cdnow_fit.r, 0.243, 3)
    assert _agrees(cdnow_fit.alpha, 4.414, 3)
    assert _agrees(cdnow_fit.a, 0.793, 3)
    assert _agrees(cdnow_fit.b, 2.426, 3)
    assert cdnow_fit.n_customers == 2357
    assert cdnow_fit.method in {"SLSQP", "L-BFGS-B", "Nelder-Mead"}
    assert cdnow_fit.iterations > 0


def test_cdnow_log_likelihood_matches_the_published_value(cdnow_fit: BetaGeoModel) -> None:
    # Same source: ln L = −9582.4 at the maximum (published to one decimal).
    assert _agrees(cdnow_fit.log_likelihood, -9582.4, 1)
    # The record's log-likelihood is the sum of the per-customer ones.
    cdnow = load_cdnow_summary()
    total = cdnow_fit.customer_log_likelihood(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert float(total.sum()) == pytest.approx(cdnow_fit.log_likelihood, rel=1e-12)


def test_cdnow_customer_expects_1_226_purchases_in_39_weeks(cdnow_fit: BetaGeoModel) -> None:
    # Fader, Hardie & Lee (2005), worked example: x = 2, t_x = 30.43, T = 38.86 expects
    # 1.226 purchases in the next 39 weeks, with the published parameters.
    assert _agrees(CDNOW.conditional_expected_purchases(39, 2, 30.43, 38.86), 1.226, 3)
    assert _agrees(cdnow_fit.conditional_expected_purchases(39, 2, 30.43, 38.86), 1.226, 3)


def test_conditional_expectation_matches_the_untransformed_formula() -> None:
    # The hypergeometric function is evaluated after Euler's transformation; for a
    # moderate x the textbook form (FHL 2005) is accurate and must agree.
    from scipy import special

    r, alpha, a, b = CDNOW.r, CDNOW.alpha, CDNOW.a, CDNOW.b
    for x, t_x, age, t in [(2, 30.43, 38.86, 39.0), (0, 0.0, 20.0, 10.0), (7, 12.0, 30.0, 52.0)]:
        z = t / (alpha + age + t)
        bracket = 1 - ((alpha + age) / (alpha + age + t)) ** (r + x) * special.hyp2f1(
            r + x, b + x, a + b + x - 1, z
        )
        alive = 1 / (1 + (x > 0) * a / (b + x - 1) * ((alpha + age) / (alpha + t_x)) ** (r + x))
        textbook = (a + b + x - 1) / (a - 1) * bracket * alive
        assert CDNOW.conditional_expected_purchases(t, x, t_x, age) == pytest.approx(
            textbook, rel=1e-10
        )


# ------------------------------------------------------------ golden: Hardie's stress


def test_hardie_log_likelihoods() -> None:
    # Hardie's note on numerical error: r = 0.25, α = 4, a = 0.8, b = 2.5, T = 40.
    assert _agrees(HARDIE.customer_log_likelihood(200, 38, 40), 100.7957, 4)
    assert _agrees(HARDIE.customer_log_likelihood(0, 0, 40), -0.59947, 5)
    # Hand check of the second: x = 0 leaves r ln(α / (α + T)) = 0.25 ln(4 / 44).
    assert HARDIE.customer_log_likelihood(0, 0, 40) == pytest.approx(0.25 * math.log(4 / 44))


def test_huge_frequencies_stay_finite_without_floating_point_errors() -> None:
    x = np.array([1000.0, 1000.0, 1000.0, 5000.0])
    t_x = np.array([38.0, 1.0, 0.0, 40.0])
    age = np.full(4, 40.0)
    with np.errstate(all="raise"):
        alive = HARDIE.probability_alive(x, t_x, age)
        expected = HARDIE.conditional_expected_purchases(39.0, x, t_x, age)
        log_likelihood = HARDIE.customer_log_likelihood(x, t_x, age)
    assert np.isfinite(alive).all()
    assert ((alive >= 0) & (alive <= 1)).all()
    assert alive[2] == 0.0  # 1,000 purchases all at time 0, then 40 silent weeks
    assert np.isfinite(expected).all()
    assert (expected >= 0).all()
    assert np.isfinite(log_likelihood).all()
    # A heavy buyer seen at the end of observation is alive and the heaviest buyer
    # to come; one whose 1,000 purchases stopped two weeks ago is likely gone.
    assert alive[3] > 0.999
    assert expected[3] == expected.max()
    assert alive[0] < 1e-6


# ------------------------------------------------------------ hand calculations


def test_new_customer_quantities_at_time_zero() -> None:
    assert CDNOW.expected_purchases(0) == 0.0
    assert CDNOW.purchase_probability(0, 0) == 1.0
    assert CDNOW.purchase_probability(3, 0) == 0.0
    assert CDNOW.probability_alive(0, 0, 38.86) == 1.0


def test_single_purchase_probability_by_hand() -> None:
    # P(X(t) = 0) = B(a, b)/B(a, b) · (α/(α+t))^r = (α/(α+t))^r: with no purchase
    # nobody can have dropped out, so only the gamma–Poisson zero remains.
    t = 10.0
    assert CDNOW.purchase_probability(0, t) == pytest.approx(
        (CDNOW.alpha / (CDNOW.alpha + t)) ** CDNOW.r, rel=1e-12
    )


# ------------------------------------------------------------ properties

parameters = st.tuples(
    st.floats(0.05, 5.0),  # r
    st.floats(0.5, 50.0),  # alpha
    st.floats(0.05, 5.0),  # a
    st.floats(0.05, 10.0),  # b
).map(lambda p: BetaGeoModel(r=p[0], alpha=p[1], a=p[2], b=p[3]))


@st.composite
def histories(draw: st.DrawFn) -> tuple[float, float, float]:
    age = draw(st.floats(0.0, 200.0))
    t_x = draw(st.floats(0.0, 1.0)) * age
    x = float(draw(st.integers(0, 2000)))
    return x, (t_x if x > 0 else 0.0), age


@settings(max_examples=500)
@given(model=parameters, history=histories())
def test_probability_alive_is_a_probability(
    model: BetaGeoModel, history: tuple[float, float, float]
) -> None:
    with np.errstate(all="raise"):
        alive = model.probability_alive(*history)
    assert 0.0 <= alive <= 1.0


@settings(max_examples=500)
@given(model=parameters, history=histories())
def test_probability_alive_rises_with_recency(
    model: BetaGeoModel, history: tuple[float, float, float]
) -> None:
    x, t_x, age = history
    later = model.probability_alive(x, age if x > 0 else 0.0, age)  # recency is 0 for x = 0
    assert model.probability_alive(x, t_x, age) <= later + 1e-12


@settings(max_examples=300)
@given(
    model=parameters,
    t=st.lists(st.floats(0.0, 500.0), min_size=2, max_size=10),
    history=histories(),
)
def test_expected_purchases_do_not_decrease_in_time(
    model: BetaGeoModel, t: list[float], history: tuple[float, float, float]
) -> None:
    times = np.sort(np.asarray(t))
    new = model.expected_purchases(times)
    assert (new >= 0).all()
    assert (np.diff(new) >= -1e-9 * np.maximum(new[1:], 1.0)).all()
    held = model.conditional_expected_purchases(times, *history)
    assert (held >= 0).all()
    assert (np.diff(held) >= -1e-9 * np.maximum(held[1:], 1.0)).all()


@settings(max_examples=100)
@given(
    model=parameters.filter(lambda m: m.alpha >= 1.0),
    t=st.floats(0.0, 60.0),
)
def test_purchase_distribution_sums_to_one_with_the_expected_mean(
    model: BetaGeoModel, t: float
) -> None:
    # Σ_n P(X(t) = n) = 1 and Σ_n n P(X(t) = n) = E[X(t)]: the two closed forms of the
    # paper (equations 7 and 8) agree. With α >= 1 and t <= 60 the tail past 4,000 is
    # below e^-60 of the mass.
    n = np.arange(4000.0)
    pmf = model.purchase_probability(n, t)
    assert ((pmf >= 0) & (pmf <= 1)).all()
    assert pmf.sum() == pytest.approx(1.0, abs=1e-9)
    assert (n * pmf).sum() == pytest.approx(model.expected_purchases(t), rel=1e-6, abs=1e-9)


@settings(max_examples=300)
@given(model=parameters, t=st.floats(0.0, 100.0))
def test_a_new_customer_is_a_customer_with_no_history(model: BetaGeoModel, t: float) -> None:
    assert model.conditional_expected_purchases(t, 0, 0, 0) == pytest.approx(
        model.expected_purchases(t), rel=1e-12, abs=1e-15
    )


@settings(max_examples=200)
@given(
    a=st.floats(1.0 - 1e-3, 1.0 + 1e-3),
    t=st.floats(0.0, 100.0),
    history=histories(),
)
def test_expectation_is_continuous_through_a_equals_one(
    a: float, t: float, history: tuple[float, float, float]
) -> None:
    # At a = 1 the formula is 0/0; the limit is taken. Nearby values must agree.
    model = BetaGeoModel(r=0.5, alpha=5.0, a=a, b=2.0)
    below = attrs.evolve(model, a=1.0 - 2e-3)
    above = attrs.evolve(model, a=1.0 + 2e-3)
    value = model.conditional_expected_purchases(t, *history)
    low = below.conditional_expected_purchases(t, *history)
    high = above.conditional_expected_purchases(t, *history)
    assert math.isfinite(value)
    assert min(low, high) - 1e-6 * (1 + value) <= value <= max(low, high) + 1e-6 * (1 + value)


@settings(max_examples=100)
@given(a=st.floats(0.05, 0.95), t=st.floats(0.0, 100.0))
def test_expectation_is_continuous_through_a_plus_b_equals_one(a: float, t: float) -> None:
    # Without repeat purchases the formula is also 0/0 where a + b = 1.
    model = BetaGeoModel(r=0.5, alpha=5.0, a=a, b=1.0 - a)
    value = model.expected_purchases(t)
    low = attrs.evolve(model, b=1.0 - a - 2e-3).expected_purchases(t)
    high = attrs.evolve(model, b=1.0 - a + 2e-3).expected_purchases(t)
    assert math.isfinite(value)
    assert min(low, high) - 1e-6 * (1 + value) <= value <= max(low, high) + 1e-6 * (1 + value)
    pmf_mean = float(np.arange(4000.0) @ model.purchase_probability(np.arange(4000.0), t))
    assert value == pytest.approx(pmf_mean, rel=1e-6, abs=1e-9)


@settings(max_examples=200)
@given(
    model=parameters,
    data=sst.same_length(
        st.integers(0, 50).map(float), st.floats(0.0, 1.0), st.floats(0.0, 100.0), max_size=12
    ),
    t=st.floats(0.0, 100.0),
)
def test_vectorised_methods_equal_a_loop(
    model: BetaGeoModel, data: tuple[list[float], ...], t: float
) -> None:
    x, share, age = (np.asarray(column) for column in data)
    t_x = np.where(x > 0, share * age, 0.0)
    labels = pd.Index([f"c{i}" for i in range(x.size)][::-1])
    checks: list[tuple[Callable[..., Any], tuple[FloatArray, ...]]] = [
        (model.probability_alive, (x, t_x, age)),
        (model.customer_log_likelihood, (x, t_x, age)),
        (model.conditional_expected_purchases, (np.full(x.size, t), x, t_x, age)),
        (model.purchase_probability, (x, np.full(x.size, t))),
    ]
    for method, arguments in checks:
        loop = [method(*(float(column[i]) for column in arguments)) for i in range(x.size)]
        assert all(type(value) is float for value in loop)
        vector = method(*arguments)
        np.testing.assert_allclose(vector, loop, rtol=1e-12, atol=1e-300)
        series = method(*(pd.Series(column, index=labels) for column in arguments))
        assert series.index.equals(labels)
        np.testing.assert_allclose(series.to_numpy(), loop, rtol=1e-12, atol=1e-300)


def test_nan_in_gives_nan_out() -> None:
    nan = math.nan
    assert math.isnan(CDNOW.probability_alive(nan, 1.0, 2.0))
    assert math.isnan(CDNOW.probability_alive(2, nan, 2.0))
    assert math.isnan(CDNOW.probability_alive(2, 1.0, nan))
    assert math.isnan(CDNOW.expected_purchases(nan))
    assert math.isnan(CDNOW.conditional_expected_purchases(nan, 2, 1.0, 2.0))
    assert math.isnan(CDNOW.conditional_expected_purchases(1.0, 2, 1.0, nan))
    assert math.isnan(CDNOW.customer_log_likelihood(nan, 0.0, 2.0))
    assert math.isnan(CDNOW.customer_log_likelihood(0, nan, 2.0))  # unused, still NaN
    assert math.isnan(CDNOW.probability_alive(0, nan, 2.0))
    assert math.isnan(CDNOW.purchase_probability(nan, 2.0))
    assert math.isnan(CDNOW.purchase_probability(1, nan))
    out = CDNOW.probability_alive([0, nan, 1], [0.0, 1.0, 1.0], [2.0, 2.0, 2.0])
    assert np.isnan(out).tolist() == [False, True, False]


def test_methods_do_not_mutate_inputs() -> None:
    x = np.array([0.0, 2.0, 5.0])
    t_x = np.array([0.0, 3.0, 8.0])
    age = pd.Series([10.0, 10.0, 10.0])
    copies = (x.copy(), t_x.copy(), age.copy())
    CDNOW.conditional_expected_purchases(4.0, x, t_x, age)
    CDNOW.probability_alive(x, t_x, age)
    np.testing.assert_array_equal(x, copies[0])
    np.testing.assert_array_equal(t_x, copies[1])
    pd.testing.assert_series_equal(age, copies[2])


# ------------------------------------------------------------ fitting


def _simulate(
    n: int, model: BetaGeoModel, age: FloatArray, rng: np.random.Generator
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Purchase histories drawn from the BG/NBD model itself.

    While alive a customer's purchases are a Poisson process, so given N purchases in
    (0, T] their times are N uniform points; the customer leaves after the G-th
    purchase, G geometric with the customer's p. The customer shows min(G, N)
    purchases, the last at the min(G, N)-th order statistic of the uniforms, which is
    T times a Beta(k, N − k + 1) draw.
    """
    rate = rng.gamma(model.r, 1.0 / model.alpha, n)
    p = rng.beta(model.a, model.b, n)
    leaves_after = rng.geometric(p)
    events = rng.poisson(rate * age)
    x = np.minimum(leaves_after, events)
    t_x = np.zeros(n)
    some = x > 0
    t_x[some] = age[some] * rng.beta(x[some], events[some] - x[some] + 1)
    return x.astype(np.float64), t_x, age


def test_parameters_are_recovered_from_simulated_customers() -> None:
    rng = np.random.default_rng(20050101)
    truth = CDNOW
    n = 50_000
    x, t_x, age = _simulate(n, truth, rng.uniform(27.0, 39.0, n), rng)
    fit = fit_bgnbd(x, t_x, age)
    # With 50,000 customers the standard errors are about 1.5 % (r, α) and 5 % (a, b)
    # of the values; the bounds are about three of them.
    assert fit.r == pytest.approx(truth.r, rel=0.05)
    assert fit.alpha == pytest.approx(truth.alpha, rel=0.05)
    assert fit.a == pytest.approx(truth.a, rel=0.15)
    assert fit.b == pytest.approx(truth.b, rel=0.15)
    assert fit.n_customers == n


def test_a_compressed_fit_equals_the_full_fit() -> None:
    rng = np.random.default_rng(7)
    n = 20_000
    # Whole weeks, as a weekly rfm_summary gives: many customers share a history.
    x, t_x, age = _simulate(n, CDNOW, rng.integers(1, 40, n).astype(np.float64), rng)
    t_x = np.floor(t_x)
    full = fit_bgnbd(x, t_x, age)
    rows = compress(x, t_x, age)
    assert len(rows) < n / 4
    assert rows["weight"].sum() == n
    compressed = fit_bgnbd(rows["frequency"], rows["recency"], rows["T"], weights=rows["weight"])
    for name in ("r", "alpha", "a", "b"):
        assert getattr(compressed, name) == pytest.approx(getattr(full, name), rel=1e-6), name
    assert compressed.log_likelihood == pytest.approx(full.log_likelihood, rel=1e-10)
    assert compressed.n_customers == full.n_customers


def test_fit_on_cdnow_rows_with_weights_equals_the_fit_on_the_rows(
    cdnow: pd.DataFrame, cdnow_fit: BetaGeoModel
) -> None:
    rows = compress(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    compressed = fit_bgnbd(rows["frequency"], rows["recency"], rows["T"], weights=rows["weight"])
    assert compressed.r == pytest.approx(cdnow_fit.r, rel=1e-6)
    assert compressed.alpha == pytest.approx(cdnow_fit.alpha, rel=1e-6)
    assert compressed.a == pytest.approx(cdnow_fit.a, rel=1e-6)
    assert compressed.b == pytest.approx(cdnow_fit.b, rel=1e-6)


def test_doubled_rows_equal_weights_of_two(cdnow: pd.DataFrame) -> None:
    head = cdnow.iloc[:600]
    doubled = pd.concat([head, head])
    twice = fit_bgnbd(doubled["frequency"], doubled["recency"], doubled["T"])
    weighted = fit_bgnbd(head["frequency"], head["recency"], head["T"], weights=2)
    assert weighted.n_customers == 1200
    for name in ("r", "alpha", "a", "b", "log_likelihood"):
        assert getattr(weighted, name) == pytest.approx(getattr(twice, name), rel=1e-6), name


@settings(max_examples=5)
@given(scale=st.floats(0.1, 20.0))
def test_changing_the_time_unit_scales_alpha_only(scale: float) -> None:
    # Days instead of weeks multiply the times and α by 7; r, a, b do not change,
    # and the log-likelihood moves by the Jacobian, −Σ x ln(scale).
    cdnow = load_cdnow_summary()
    base = fit_bgnbd(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    scaled = fit_bgnbd(cdnow["frequency"], cdnow["recency"] * scale, cdnow["T"] * scale)
    assert scaled.alpha == pytest.approx(base.alpha * scale, rel=1e-5)
    for name in ("r", "a", "b"):
        assert getattr(scaled, name) == pytest.approx(getattr(base, name), rel=1e-5), name
    jacobian = -float(cdnow["frequency"].sum()) * math.log(scale)
    assert scaled.log_likelihood == pytest.approx(base.log_likelihood + jacobian, rel=1e-9)


def test_fit_accepts_series_and_refuses_misaligned_ones(cdnow: pd.DataFrame) -> None:
    shuffled = cdnow["T"].sample(frac=1.0, random_state=1)
    with pytest.raises(IndexMismatchError, match="frequency and T"):
        fit_bgnbd(cdnow["frequency"], cdnow["recency"], shuffled)
    with pytest.raises(IndexMismatchError, match="weights"):
        fit_bgnbd(
            cdnow["frequency"],
            cdnow["recency"],
            cdnow["T"],
            weights=pd.Series(1, index=cdnow.index[::-1]),
        )


def test_a_parameter_that_runs_to_a_bound_warns() -> None:
    # Nobody ever buys again: the purchase rate is driven to 0 and r to the bound.
    with pytest.warns(SalescoreWarning, match="ran to the bound"):
        model = fit_bgnbd([0, 0, 0, 0], [0.0, 0.0, 0.0, 0.0], [10.0, 20.0, 30.0, 40.0])
    assert model.r < 1e-6 or model.alpha > 1e6


def test_the_fit_raises_when_the_optimiser_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    from scipy import optimize

    def failing(*args: Any, **kwargs: Any) -> optimize.OptimizeResult:
        return optimize.OptimizeResult(
            x=np.zeros(4), fun=1.0, success=False, message="ABNORMAL", nit=3, nfev=9
        )

    monkeypatch.setattr(optimize, "minimize", failing)
    with pytest.raises(ConvergenceError, match=r"BG/NBD: the fit did not converge .*ABNORMAL"):
        fit_bgnbd([1, 2], [1.0, 2.0], [3.0, 4.0])


def test_a_likelihood_undefined_at_the_start_raises() -> None:
    with pytest.raises(ConvergenceError, match="not finite at the starting values"):
        _fitting.minimize_log(
            lambda x: math.nan, (1.0, 1.0), names=("p", "q"), model="test", gradient=False
        )


def test_minimize_log_finds_a_known_optimum() -> None:
    # −ln L of an exponential sample with rate λ, mean 1 / 4: maximum at λ = 4.
    def objective(log_rate: FloatArray) -> tuple[float, FloatArray]:
        rate = math.exp(float(log_rate[0]))
        return -(math.log(rate) - rate / 4.0), np.array([-(1.0 - rate / 4.0)])

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        optimum = _fitting.minimize_log(
            objective, (1.0,), names=("rate",), model="exponential", gradient=True
        )
    assert optimum.parameters[0] == pytest.approx(4.0, rel=1e-8)
    assert optimum.log_parameters[0] == pytest.approx(math.log(4.0), rel=1e-8)
    assert optimum.at_bound == ()


# ------------------------------------------------------------ validation


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (([1.5], [1.0], [2.0]), "frequency must be whole numbers"),
        (([-1], [1.0], [2.0]), "frequency must be a finite number >= 0"),
        (([1], [3.0], [2.0]), "recency must be <= T"),
        (([1], [-1.0], [2.0]), "recency must be a finite number >= 0"),
        (([1], [1.0], [math.inf]), "T must be a finite number >= 0"),
        (([1, math.nan], [1.0, 1.0], [2.0, 2.0]), "frequency is NaN for 1 of 2"),
        (([], [], []), "at least one customer"),
    ],
)
def test_fit_refuses_invalid_data(arguments: tuple[list[float], ...], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        fit_bgnbd(*arguments)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ([1, 0.5], "whole numbers"),
        ([1, -1], "weights must be a finite number >= 0"),
        ([0, 0], "all 0"),
        ([1, math.nan], "NaN"),
        ([1, 1, 1], "has 2 elements but weights has 3"),
    ],
)
def test_fit_refuses_invalid_weights(weights: list[float], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        fit_bgnbd([1, 2], [1.0, 2.0], [3.0, 4.0], weights=weights)


def test_methods_refuse_invalid_values() -> None:
    with pytest.raises(InvalidInputError, match=r"recency must be <= T .*got recency 5.0"):
        CDNOW.probability_alive(1, 5.0, 4.0)
    with pytest.raises(InvalidInputError, match="1 of 2"):
        CDNOW.probability_alive([1, 1], [1.0, 5.0], 4.0)
    with pytest.raises(InvalidInputError, match="t must be a finite number >= 0"):
        CDNOW.expected_purchases(-1.0)
    with pytest.raises(InvalidInputError, match="n must be a whole number"):
        CDNOW.purchase_probability(1.5, 3.0)
    with pytest.raises(IndexMismatchError):
        CDNOW.purchase_probability(pd.Series([1.0], index=["a"]), pd.Series([2.0], index=["b"]))


@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, math.inf, True, "1"])
def test_model_parameters_must_be_positive_numbers(bad: Any) -> None:
    with pytest.raises(InvalidInputError, match="alpha must be"):
        BetaGeoModel(r=1.0, alpha=bad, a=1.0, b=1.0)


def test_the_model_is_a_frozen_keyword_only_record() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        CDNOW.r = 1.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        BetaGeoModel(0.2, 4.0, 0.8, 2.4)  # type: ignore[call-arg]
    assert math.isnan(CDNOW.log_likelihood)
    assert attrs.evolve(CDNOW, b=3.0).b == 3.0


# ------------------------------------------------------------ records and hostile input


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("r", 10**400),
        ("r", Fraction(10**400, 3)),
        ("alpha", np.timedelta64(1, "h")),
        ("a", 1 + 2j),
        ("b", np.bool_(True)),
        ("log_likelihood", "-9582.4"),
        ("log_likelihood", -math.inf),
        ("log_likelihood", 10**400),
        ("n_customers", None),
        ("n_customers", 2357.5),
        ("n_customers", -1),
        ("n_customers", np.timedelta64(3, "D")),
        ("iterations", True),
        ("iterations", "12"),
        ("method", None),
        ("method", 3),
        ("n_customers", 10**400),
        ("iterations", 2**53 + 1),
    ],
    ids=lambda value: repr(value)[:24],
)
def test_an_invalid_record_cannot_be_built(field: str, bad: Any) -> None:
    # Every field is checked at construction, under its own name: n_customers=None
    # raised TypeError and r=10**400 OverflowError; np.timedelta64 (a NumPy integer)
    # and a str log-likelihood passed.
    fields: dict[str, Any] = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    with pytest.raises(InvalidInputError, match=field):
        BetaGeoModel(**{**fields, field: bad})


def test_a_valid_record_keeps_its_fields() -> None:
    model = BetaGeoModel(
        r=Fraction(243, 1000),
        alpha=np.float32(4.5),
        a=np.int64(1),
        b=2,
        log_likelihood=-9582.4,
        n_customers=np.int64(2357),
        iterations=12,
        method="SLSQP",
    )
    assert (model.r, model.alpha, model.a, model.b) == (0.243, 4.5, 1.0, 2.0)
    assert type(model.n_customers) is int
    assert model.n_customers == 2357
    assert model.log_likelihood == -9582.4


def test_log_likelihood_without_repeat_purchases_agrees_across_paths() -> None:
    # Without repeat purchases L = (α / (α + T))^r (Fader, Hardie & Lee 2005, the
    # likelihood with x = 0): at T = 0 it is exactly 1, so ln L = 0. The array path
    # gave 9.86e-305 = exp(-700) there, its clip of the absent second term.
    assert CDNOW.customer_log_likelihood(0, 0, 0) == 0.0
    assert CDNOW.customer_log_likelihood([0.0], [0.0], [0.0]).tolist() == [0.0]
    ages = np.array([0.0, 1.0, 38.86, 1e6])
    vector = CDNOW.customer_log_likelihood(np.zeros(4), np.zeros(4), ages)
    loop = [CDNOW.customer_log_likelihood(0.0, 0.0, float(age)) for age in ages]
    assert vector.tolist() == loop
    np.testing.assert_allclose(
        vector, CDNOW.r * np.log(CDNOW.alpha / (CDNOW.alpha + ages)), rtol=1e-13, atol=0
    )


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(CDNOW.customer_log_likelihood, id="log-likelihood"),
        pytest.param(CDNOW.probability_alive, id="alive"),
        pytest.param(
            lambda x, t_x, age: CDNOW.conditional_expected_purchases(10.0, x, t_x, age),
            id="conditional",
        ),
        pytest.param(fit_bgnbd, id="fit"),
    ],
)
def test_recency_without_repeat_purchases_is_refused(call: Callable[..., Any]) -> None:
    # In BG/NBD data recency is the time of the last repeat purchase, so it is 0 for
    # a customer without one; lifetimes 0.11.3 refuses such rows in
    # lifetimes.utils._check_inputs ("There exist non-zero recency values when
    # frequency is zero"). They were accepted silently.
    x = np.array([2.0, 0.0, 1.0, 0.0])
    t_x = np.array([5.0, 3.0, 1.0, 0.0])
    age = np.full(4, 10.0)
    with pytest.raises(InvalidInputError, match=r"recency must be 0 .* 1 of 4 .*positions: 1\)"):
        call(x, t_x, age)
    with pytest.raises(
        InvalidInputError, match=r"recency must be 0 .*(got frequency 0 and recency 3\.0|1 of 1)"
    ):
        call(0.0, 3.0, 10.0)


def test_the_summaries_never_hold_recency_without_repeat_purchases(cdnow: pd.DataFrame) -> None:
    summary = rfm_summary(
        load_cdnow_transactions(), observation_end="1998-06-30", freq="D", time_unit="W"
    )
    for frame in (cdnow, summary):
        assert (frame.loc[frame["frequency"] == 0, "recency"] == 0.0).all()


def _definition(t: float, x: float, age: float, model: BetaGeoModel) -> float:
    """E[purchases in (T, T + t] | alive at T] by quadrature of the model's definition.

    Given λ and p a live customer makes 1/p − e^{−λ p t}/p purchases in t (Fader,
    Hardie & Lee 2005); alive at T after x repeat purchases, λ ~ Gamma(r + x, α + T)
    and p ~ Beta(a, b + x), and averaging over λ leaves
    E_p[(1 − ((α + T) / (α + T + p t))^{r + x}) / p]. No hypergeometric function, no
    0/0 at a = 1 or a + b = 1. The two pieces of [0, 1] are integrated with
    QUADPACK's algebraic end-point weights p^(a-1) and (1 - p)^(b+x-1).
    """
    integrate = pytest.importorskip("scipy.integrate")
    special = pytest.importorskip("scipy.special")
    a, b, r = model.a, model.b + x, model.r + x
    base = model.alpha + age

    def g(p: float) -> float:
        return -math.expm1(-r * math.log1p(p * t / base)) / p if p > 0 else r * t / base

    cut = min(base / t, 0.5)
    left, _ = integrate.quad(
        lambda p: g(p) * (1 - p) ** (b - 1), 0, cut, weight="alg", wvar=(a - 1, 0),
        limit=500, epsabs=0, epsrel=1e-13,
    )  # fmt: skip
    right, _ = integrate.quad(
        lambda p: g(p) * p ** (a - 1), cut, 1, weight="alg", wvar=(0, b - 1),
        limit=500, epsabs=0, epsrel=1e-13,
    )  # fmt: skip
    return float((left + right) * math.exp(-special.betaln(a, b)))


@pytest.mark.parametrize(
    ("a", "b", "x", "t_x", "age"),
    [
        (1.0, 2.5, 0.0, 0.0, 0.0),  # a = 1
        (1.0 + 3e-5, 0.3, 2.0, 30.0, 38.0),
        (1.0 - 5e-5, 2.5, 0.0, 0.0, 50.0),
        (0.5, 0.5 + 2e-5, 0.0, 0.0, 0.0),  # a + b = 1 without repeat purchases
        (0.2, 0.8, 0.0, 0.0, 0.0),
    ],
)
@pytest.mark.parametrize("t", [0.01, 1.0, 39.0, 1e5])
def test_expectation_near_the_singular_sets_matches_the_integral(
    a: float, b: float, x: float, t_x: float, age: float, t: float
) -> None:
    # The docstrings promise the removable 0/0 near a = 1 and a + b = 1 is resolved
    # to about 1e-8 relative; the mean of two points 2e-4 either side was off by
    # 1.5e-6 at t = 1e5 (and by 3e-5 at t = 0.01).
    model = BetaGeoModel(r=0.25, alpha=0.5, a=a, b=b)
    alive = model.probability_alive(x, t_x, age)
    value = model.conditional_expected_purchases(t, x, t_x, age) / alive
    assert value == pytest.approx(_definition(t, x, age, model), rel=1e-8)


def test_purchases_beyond_two_to_the_53_are_refused() -> None:
    # Above 2**53 every float is even: "a whole number of purchases" means nothing
    # there, and ln Γ(r + x) overflowed into NaN with a RuntimeWarning at 1e308.
    with pytest.raises(InvalidInputError, match=r"frequency must be at most 2\*\*53"):
        CDNOW.customer_log_likelihood(1e308, 0.0, 0.0)
    with pytest.raises(InvalidInputError, match=r"n must be at most 2\*\*53 .*1 of 2"):
        CDNOW.purchase_probability([0.0, 1e308], 39.0)
    assert math.isfinite(CDNOW.customer_log_likelihood(2.0**53, 1.0, 1.0))


TINY = BetaGeoModel(r=5e-324, alpha=1e308, a=5e-324, b=1e308)
HUGE = BetaGeoModel(r=1e308, alpha=5e-324, a=1e308, b=5e-324)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(
            lambda: CDNOW.customer_log_likelihood([1.0, 2.0**53], [5e-324, 1e308], 1e308),
            id="log-likelihood",
        ),
        pytest.param(
            lambda: CDNOW.probability_alive([1.0, 2.0**53], [5e-324, 1e308], [1e308, 1e308]),
            id="alive",
        ),
        pytest.param(
            lambda: CDNOW.conditional_expected_purchases(5e-324, [0.0, 3.0], [0.0, 1e-300], 1e308),
            id="conditional",
        ),
        pytest.param(lambda: CDNOW.expected_purchases([5e-324, 1e-300, 1e300]), id="expected"),
        pytest.param(lambda: CDNOW.purchase_probability([0.0, 2.0**53], [5e-324, 1e300]), id="pmf"),
        pytest.param(lambda: TINY.probability_alive([1.0, 3.0], [0.5, 1.0], 4.0), id="tiny-alive"),
        pytest.param(
            lambda: TINY.conditional_expected_purchases(3.0, [1.0, 3.0], [0.5, 1.0], 4.0),
            id="tiny-conditional",
        ),
        pytest.param(
            lambda: HUGE.conditional_expected_purchases(3.0, [1.0, 3.0], [0.5, 1.0], 4.0),
            id="huge-conditional",
        ),
    ],
)
def test_extreme_valid_input_gives_finite_results(call: Callable[[], Any]) -> None:
    # Under errstate(all="raise") subnormal and near-limit input raised
    # FloatingPointError (underflow in exp, overflow in multiply); without it a
    # RuntimeWarning escaped.
    with np.errstate(all="raise"):
        out = call()
    assert np.isfinite(out).all()


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(
            lambda: CDNOW.conditional_expected_purchases(1e308, [0.0, 3.0], [0.0, 1.0], 1e308),
            id="horizon-beyond-float-range",
        ),
        pytest.param(
            lambda: HUGE.customer_log_likelihood([1.0, 3.0], [0.5, 1.0], [1.0, 4.0]),
            id="log-likelihood-beyond-float-range",
        ),
    ],
)
def test_results_beyond_float_range_are_refused(call: Callable[[], Any]) -> None:
    # T + t = 2e308 overflows, and so does ln Γ(r + x) − ln Γ(r) with r = 1e308:
    # the answer was inf or NaN with a RuntimeWarning.
    with np.errstate(all="raise"), pytest.raises(InvalidInputError, match="cannot be evaluated"):
        call()


def test_fit_broadcasts_scalar_histories_against_weights() -> None:
    # Three identical customers given once with weights=[1, 2] (and three rows of
    # them) are the same data: the fit raised ValueError (broadcast shapes) when
    # every history was a scalar and only the weights an array.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SalescoreWarning)
        by_weight = fit_bgnbd(2.0, 5.0, 10.0, weights=[1, 2])
        by_row = fit_bgnbd([2.0, 2.0, 2.0], [5.0, 5.0, 5.0], [10.0, 10.0, 10.0])
    assert by_weight.n_customers == by_row.n_customers == 3
    assert by_weight.log_likelihood == pytest.approx(by_row.log_likelihood, rel=1e-9)


def test_fit_with_ages_at_the_float_limit_raises_no_floating_point_error() -> None:
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("ignore", SalescoreWarning)
        model = fit_bgnbd([2.0, 0.0, 1.0], [30.0, 0.0, 3.0], [38.0, 1e308, 1e308])
    assert math.isfinite(model.log_likelihood)


def test_weights_beyond_two_to_the_53_customers_are_refused() -> None:
    with pytest.raises(InvalidInputError, match=r"weights must add up to at most 2\*\*53"):
        fit_bgnbd([1, 2], [1.0, 2.0], [3.0, 4.0], weights=[1e308, 1e308])
