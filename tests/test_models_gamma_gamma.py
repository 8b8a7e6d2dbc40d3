"""Tests of salescore.models.gamma_gamma: CDNOW fit, hand calculations, properties, failures."""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cache
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore import IndexMismatchError, InvalidInputError, SalescoreWarning
from salescore.models.data import load_cdnow_summary
from salescore.models.gamma_gamma import GammaGammaModel, fit_gamma_gamma
from salescore.models.rfm import compress

heavy = settings(max_examples=min(settings().max_examples, 200))

# Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves", JMR 42(4), and
# Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value": CDNOW's 946
# repeat buyers give p = 6.25, q = 3.74, v = 15.44.
PUBLISHED = GammaGammaModel(p=6.25, q=3.74, v=15.44)


@cache
def _cdnow() -> pd.DataFrame:
    return load_cdnow_summary()


@cache
def _cdnow_fit() -> GammaGammaModel:
    cdnow = _cdnow()
    return fit_gamma_gamma(cdnow["frequency"], cdnow["monetary_value"], repeat_buyers_only=True)


# --------------------------------------------------------------- published figures


def test_cdnow_parameters_match_the_published_fit() -> None:
    model = _cdnow_fit()
    # p and q agree to the two published decimals (within half a unit of the last).
    assert model.p == pytest.approx(6.25, abs=0.005)
    assert model.q == pytest.approx(3.74, abs=0.005)
    # The likelihood's maximum is at v = 15.448 (checked with an independent
    # Nelder–Mead search); the published 15.44 is within 1e−3 of it, and the
    # published point's log-likelihood is 0.0015 below the maximum.
    assert model.v == pytest.approx(15.44, rel=1e-3)
    repeat = _cdnow()[_cdnow()["frequency"] > 0]
    at_published = float(
        PUBLISHED.customer_log_likelihood(repeat["frequency"], repeat["monetary_value"]).sum()
    )
    # −4055.92 is that maximum as both searches found it (not a published figure).
    assert model.log_likelihood == pytest.approx(-4055.92, abs=0.01)
    assert 0.0 < model.log_likelihood - at_published < 0.002
    assert (model.n_customers, model.n_excluded) == (946, 1411)
    assert model.method != ""


def test_passing_repeat_buyers_only_gives_the_same_fit() -> None:
    cdnow = _cdnow()
    repeat = cdnow[cdnow["frequency"] > 0]
    model = fit_gamma_gamma(repeat["frequency"], repeat["monetary_value"])
    assert (model.p, model.q, model.v) == pytest.approx(
        (_cdnow_fit().p, _cdnow_fit().q, _cdnow_fit().v), rel=1e-9
    )
    assert (model.n_customers, model.n_excluded) == (946, 0)


def test_cdnow_spend_is_nearly_independent_of_frequency() -> None:
    # Fader, Hardie & Lee (2005) report a correlation of 0.11 between the number of
    # repeat purchases and their mean value, and take it as independence.
    repeat = _cdnow()[_cdnow()["frequency"] > 0]
    assert float(repeat["frequency"].corr(repeat["monetary_value"])) == pytest.approx(
        0.11, abs=0.005
    )


def test_conditional_expected_value_by_hand() -> None:
    # CDNOW customer 1 (x = 2, z̄ = 22.35): p (v + x z̄)/(p x + q − 1)
    # = 6.25 × (15.44 + 44.70)/(12.5 + 2.74) = 375.875/15.24 = 24.6637.
    assert PUBLISHED.conditional_expected_value(2, 22.35) == pytest.approx(
        375.875 / 15.24, rel=1e-12
    )
    # Without repeat purchases: the population mean p v/(q − 1) = 96.5/2.74.
    assert PUBLISHED.conditional_expected_value(0, 0.0) == pytest.approx(96.5 / 2.74, rel=1e-12)
    # Its monetary_value carries no weight.
    assert PUBLISHED.conditional_expected_value(0, 1e6) == PUBLISHED.conditional_expected_value(
        0, 0.0
    )


def test_log_likelihood_by_hand() -> None:
    # x = 1, z̄ = 10, p = q = v = 1: Γ(2)/(Γ(1)Γ(1)) × 1 × 10^0 × 1 / 11^2 = 1/121.
    model = GammaGammaModel(p=1.0, q=1.0, v=1.0)
    assert model.customer_log_likelihood(1, 10.0) == pytest.approx(-math.log(121.0), rel=1e-12)
    assert model.customer_log_likelihood(0, 0.0) == 0.0


def test_fitted_log_likelihood_is_the_sum_over_customers_and_a_maximum() -> None:
    model = _cdnow_fit()
    repeat = _cdnow()[_cdnow()["frequency"] > 0]
    x, z = repeat["frequency"], repeat["monetary_value"]
    total = float(model.customer_log_likelihood(x, z).sum())
    assert model.log_likelihood == pytest.approx(total, rel=1e-12)
    for name in ("p", "q", "v"):
        for factor in (0.99, 1.01):
            moved = attrs.evolve(model, **{name: getattr(model, name) * factor})
            assert float(moved.customer_log_likelihood(x, z).sum()) < total


# --------------------------------------------------------------- the fit


def _simulate(seed: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Customers with 1–10 repeat purchases from p = 6, q = 4, v = 15."""
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 11, size=size)
    nu = rng.gamma(4.0, 1.0 / 15.0, size=size)
    # The sum of x Gamma(p, ν) purchase values is Gamma(p x, ν).
    z = rng.gamma(6.0 * x, 1.0 / nu) / x
    return x, z


def test_parameters_are_recovered_from_simulated_customers() -> None:
    # 20,000 customers; over seeds 0–5 p ranged 5.5–6.6, q 3.95–4.12 and the
    # population mean p v/(q − 1) stayed within 1 % of 30 (p and v trade off).
    x, z = _simulate(seed=0, size=20_000)
    model = fit_gamma_gamma(x, z)
    assert model.p == pytest.approx(6.0, rel=0.15)
    assert model.q == pytest.approx(4.0, rel=0.05)
    assert model.v == pytest.approx(15.0, rel=0.15)
    assert model.conditional_expected_value(0, 0.0) == pytest.approx(30.0, rel=0.02)


def test_weights_equal_repeated_rows() -> None:
    rng = np.random.default_rng(42)
    x, z = _simulate(seed=1, size=300)
    repeats = rng.integers(1, 6, size=x.size)
    expanded = fit_gamma_gamma(np.repeat(x, repeats), np.repeat(z, repeats))
    weighted = fit_gamma_gamma(x, z, weights=repeats)
    assert (weighted.p, weighted.q, weighted.v) == pytest.approx(
        (expanded.p, expanded.q, expanded.v), rel=1e-6
    )
    assert weighted.log_likelihood == pytest.approx(expanded.log_likelihood, rel=1e-9)
    assert weighted.n_customers == expanded.n_customers == int(repeats.sum())


def test_scalars_broadcast_against_arrays_and_weights() -> None:
    _, z = _simulate(seed=3, size=200)
    weights = np.arange(200) % 3 + 1
    broadcast = fit_gamma_gamma(4, z, weights=weights)
    expanded = fit_gamma_gamma(np.full(200, 4), z, weights=weights)
    assert (broadcast.p, broadcast.q, broadcast.v) == (expanded.p, expanded.q, expanded.v)
    # One distinct customer, twice weighted: the spread is not identified (a warning),
    # but the rows are counted from the weights.
    with pytest.warns(SalescoreWarning, match="bound"):
        assert fit_gamma_gamma(2, 25.0, weights=[3, 4]).n_customers == 7


def test_compressed_cdnow_gives_the_same_fit() -> None:
    cdnow = _cdnow()
    rows = compress(
        cdnow["frequency"], cdnow["recency"], cdnow["T"], monetary_value=cdnow["monetary_value"]
    )
    assert rows["weight"].sum() == len(cdnow)
    assert len(rows) < len(cdnow)
    model = fit_gamma_gamma(
        rows["frequency"], rows["monetary_value"], weights=rows["weight"], repeat_buyers_only=True
    )
    reference = _cdnow_fit()
    assert (model.p, model.q, model.v) == pytest.approx(
        (reference.p, reference.q, reference.v), rel=1e-6
    )
    assert (model.n_customers, model.n_excluded) == (946, 1411)


def test_heavy_tailed_spend_warns_that_the_mean_is_infinite() -> None:
    # q = 0.8 < 1: the gamma distribution of ν puts so much weight near 0 that the
    # population's mean spend p v/(q − 1) does not exist.
    rng = np.random.default_rng(5)
    x = rng.integers(1, 6, size=5_000)
    nu = rng.gamma(0.8, 1.0 / 15.0, size=x.size)
    z = rng.gamma(6.0 * x, 1.0 / nu) / x
    with pytest.warns(SalescoreWarning, match="no finite mean"):
        model = fit_gamma_gamma(x, z)
    assert model.q < 1.0
    with pytest.raises(InvalidInputError, match="infinite"):
        model.conditional_expected_value(0, 0.0)
    assert math.isfinite(model.conditional_expected_value(3, 20.0))


def test_identical_spend_warns_at_the_bound() -> None:
    # Every purchase worth 10: no spread within or between customers.
    with pytest.warns(SalescoreWarning, match="bound"):
        fit_gamma_gamma([1, 2, 3, 4], [10.0, 10.0, 10.0, 10.0])


@pytest.mark.parametrize(
    ("frequency", "monetary_value", "options", "match"),
    [
        ([0, 2, 0, 3], [0.0, 20.0, 0.0, 30.0], {}, r"frequency is 0 for 2 of 4 .*positions: 0, 2"),
        ([1, 2], [10.0, math.nan], {}, r"monetary_value is NaN for 1 of 2"),
        ([1, math.nan], [10.0, 20.0], {}, r"frequency is NaN"),
        ([1, 2.5], [10.0, 20.0], {}, "whole numbers of purchases"),
        ([1, -1], [10.0, 20.0], {}, "frequency must be a finite number >= 0"),
        ([1, 2], [10.0, -5.0], {}, "monetary_value must be a finite number >= 0"),
        ([1, 2], [10.0, 0.0], {}, r"monetary_value must be > 0 .*positions: 1"),
        ([0, 0], [0.0, 0.0], {"repeat_buyers_only": True}, "at least one repeat buyer"),
        ([1, 2], [10.0, 20.0], {"repeat_buyers_only": 1}, "True or False"),
        ([1, 2], [10.0, 20.0], {"weights": [1, 0.5]}, "whole numbers"),
        ([1, 2], [10.0, 20.0], {"weights": [1, 2, 3]}, "elements"),
    ],
)
def test_invalid_data_are_refused(
    frequency: list[float], monetary_value: list[float], options: dict[str, object], match: str
) -> None:
    with pytest.raises(InvalidInputError, match=match):
        fit_gamma_gamma(frequency, monetary_value, **options)  # type: ignore[arg-type]


def test_series_with_different_indexes_are_refused() -> None:
    frequency = pd.Series([1, 2], index=["a", "b"])
    monetary_value = pd.Series([10.0, 20.0], index=["b", "a"])
    with pytest.raises(IndexMismatchError, match="frequency and monetary_value"):
        fit_gamma_gamma(frequency, monetary_value)


# --------------------------------------------------------------- properties


frequencies = st.integers(0, 200)
values = st.floats(0.01, 1e5)
models = st.builds(
    GammaGammaModel, p=st.floats(0.1, 50.0), q=st.floats(1.01, 50.0), v=st.floats(0.1, 1e4)
)


@given(model=models, x=frequencies, z=values)
def test_expected_value_lies_between_the_population_and_the_customer(
    model: GammaGammaModel, x: int, z: float
) -> None:
    population = model.p * model.v / (model.q - 1.0)
    expected = model.conditional_expected_value(x, z)
    assert min(population, z) * (1 - 1e-12) <= expected <= max(population, z) * (1 + 1e-12)


@given(model=models, x=st.integers(0, 100), z=values)
def test_more_purchases_pull_the_expectation_towards_the_customer(
    model: GammaGammaModel, x: int, z: float
) -> None:
    population = model.p * model.v / (model.q - 1.0)
    gap_now = abs(model.conditional_expected_value(x, z) - z)
    gap_later = abs(model.conditional_expected_value(x + 1, z) - z)
    assert gap_later <= gap_now * (1 + 1e-12) + 1e-12 * population


@given(model=models, x=frequencies, z=values, factor=st.floats(0.01, 100.0))
def test_expected_value_scales_with_the_currency(
    model: GammaGammaModel, x: int, z: float, factor: float
) -> None:
    # Dollars to cents: v (a scale in currency) and z̄ scale, p and q do not.
    rescaled = attrs.evolve(model, v=model.v * factor)
    assert rescaled.conditional_expected_value(x, z * factor) == pytest.approx(
        model.conditional_expected_value(x, z) * factor, rel=1e-12
    )


@heavy
@given(
    model=models,
    rows=st.lists(st.tuples(frequencies, values), min_size=1, max_size=10),
)
def test_vectorised_methods_equal_a_loop(
    model: GammaGammaModel, rows: list[tuple[int, float]]
) -> None:
    x = np.array([row[0] for row in rows], dtype=np.float64)
    z = np.array([row[1] for row in rows])
    expected = [model.conditional_expected_value(a, b) for a, b in rows]
    np.testing.assert_allclose(model.conditional_expected_value(x, z), expected, rtol=1e-13)
    likelihood = [model.customer_log_likelihood(a, b) for a, b in rows]
    np.testing.assert_allclose(model.customer_log_likelihood(x, z), likelihood, rtol=1e-13)


def test_methods_follow_the_container_contract() -> None:
    index = pd.Index(["c3", "c1", "c2"])
    x = pd.Series([0, 2, 5], index=index)
    z = pd.Series([0.0, 22.35, 40.0], index=index)
    for method in (PUBLISHED.conditional_expected_value, PUBLISHED.customer_log_likelihood):
        result = method(x, z)
        assert isinstance(result, pd.Series)
        assert result.index.equals(index)
        assert result.dtype == np.float64
        assert type(method(np.int64(2), np.float64(22.35))) is float
        assert isinstance(method([2, 3], 20.0), np.ndarray)
        assert math.isnan(method(math.nan, 20.0))
        assert math.isnan(method(2, math.nan))
        assert math.isnan(method(0, math.nan))  # NaN in, NaN out, weight or not
        with pytest.raises(IndexMismatchError):
            method(x, z.set_axis(["c1", "c2", "c3"]))
    assert isinstance(PUBLISHED.conditional_expected_value(np.empty(0), np.empty(0)), np.ndarray)


def test_record_is_frozen_and_validated() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        PUBLISHED.p = 1.0  # type: ignore[misc]
    for bad in (0.0, -1.0, math.inf, math.nan, "1", True):
        with pytest.raises(InvalidInputError, match="q must be"):
            GammaGammaModel(p=1.0, q=bad, v=1.0)
    assert math.isnan(PUBLISHED.log_likelihood)
    assert PUBLISHED.n_customers == 0


@pytest.mark.parametrize(
    ("arguments", "match"),
    [
        ((1.5, 10.0), "whole number of purchases; got 1.5"),
        ((-1, 10.0), "frequency must be a finite number >= 0"),
        ((1, -10.0), "monetary_value must be a finite number >= 0"),
        ((1, math.inf), "monetary_value"),
    ],
)
def test_invalid_method_arguments_are_refused(arguments: tuple[float, float], match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        PUBLISHED.conditional_expected_value(*arguments)
    with pytest.raises(InvalidInputError, match=match):
        PUBLISHED.customer_log_likelihood(*arguments)


def test_a_mean_spend_of_zero_has_no_likelihood() -> None:
    with pytest.raises(InvalidInputError, match="> 0 for a customer with repeat purchases"):
        PUBLISHED.customer_log_likelihood(2, 0.0)
    assert PUBLISHED.conditional_expected_value(2, 0.0) == pytest.approx(
        6.25 * 15.44 / (12.5 + 2.74)
    )


# ------------------------------------------------------------ records and hostile input


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("p", 10**400),
        ("q", np.timedelta64(1, "h")),
        ("v", 1 + 2j),
        ("v", Fraction(10**400, 7)),
        ("log_likelihood", "-4000"),
        ("log_likelihood", math.inf),
        ("n_customers", None),
        ("n_excluded", 1.5),
        ("iterations", False),
        ("method", None),
        ("n_customers", 10**400),
        ("n_excluded", 10**400),
        ("iterations", 10**400),
    ],
    ids=lambda value: repr(value)[:24],
)
def test_an_invalid_record_cannot_be_built(field: str, bad: Any) -> None:
    # n_customers=None raised TypeError, p=10**400 OverflowError; a timedelta64 (a
    # NumPy integer) and a str log-likelihood were accepted.
    fields: dict[str, Any] = {"p": 6.25, "q": 3.74, "v": 15.44}
    with pytest.raises(InvalidInputError, match=field):
        GammaGammaModel(**{**fields, field: bad})


def test_expected_value_near_the_float_limit_is_finite() -> None:
    # Fader, Hardie & Lee (2005), equation 5, as a weighted mean: with x = 2,
    # p x + q − 1 = 12.5 + 2.74 = 15.24, so E = 6.25 · 15.44 / 15.24 + (12.5 / 15.24) z̄.
    # p (v + x z̄) overflowed to inf at z̄ = 1e308, with a RuntimeWarning.
    with np.errstate(all="raise"):
        value = PUBLISHED.conditional_expected_value(2, 1e308)
    assert value == pytest.approx(6.25 * 15.44 / 15.24 + 12.5 / 15.24 * 1e308, rel=1e-14)


def test_frequencies_beyond_two_to_the_53_are_refused() -> None:
    # ln Γ(p x) overflowed at x = 1e308 (FloatingPointError under errstate "raise").
    with np.errstate(all="raise"), pytest.raises(InvalidInputError, match=r"at most 2\*\*53"):
        PUBLISHED.customer_log_likelihood([1.0, 1e308], [10.0, 10.0])
    with pytest.raises(InvalidInputError, match=r"at most 2\*\*53"):
        PUBLISHED.conditional_expected_value(1e308, 10.0)


def test_fit_refuses_weights_beyond_two_to_the_53_customers() -> None:
    # The sum of the weights overflowed (FloatingPointError under errstate "raise").
    with np.errstate(all="raise"), pytest.raises(InvalidInputError, match="weights must add up"):
        fit_gamma_gamma([1, 2], [10.0, 20.0], weights=[1e308, 1e308])


@pytest.mark.parametrize("bad", ["False", "no", 1, None, pd.NA])
def test_repeat_buyers_only_must_be_a_bool(bad: Any) -> None:
    with pytest.raises(InvalidInputError, match="repeat_buyers_only must be True or False"):
        fit_gamma_gamma([1, 2], [10.0, 20.0], repeat_buyers_only=bad)


def test_a_population_without_finite_mean_spend_is_refused_at_extreme_parameters() -> None:
    # p = 1e308 made p x + q − 1 overflow (FloatingPointError under errstate "raise");
    # for x = 0 the mean p v / (q − 1) does not exist since q < 1.
    model = GammaGammaModel(p=1e308, q=5e-324, v=5e-324)
    with np.errstate(all="raise"), pytest.raises(InvalidInputError, match="p \\* frequency"):
        model.conditional_expected_value([0.0, 1.0, 5.0], [0.0, 10.0, 20.0])
