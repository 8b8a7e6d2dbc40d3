"""Tests of salescore.models.sbg: published fits, projections, properties, failures."""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore import ConvergenceError, IndexMismatchError, InvalidInputError, SalescoreWarning
from salescore.models.sbg import ShiftedBetaGeoModel, fit_sbg

heavy = settings(max_examples=min(settings().max_examples, 200))

# Fader & Hardie (2007), "How to project customer retention", J. Interactive Marketing
# 21(1): survivors per 1,000 customers of each cohort, years 0–12 (their Table 1).
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173]
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394]


def _churn(model: ShiftedBetaGeoModel, t: np.ndarray) -> np.ndarray:
    """P(T = t) = S(t − 1) (1 − r_t): lost at renewal t, from the public methods."""
    return model.survival(t - 1) * (1.0 - model.retention(t))


def _log_likelihood(model: ShiftedBetaGeoModel, survivors: Sequence[float]) -> float:
    """The sBG log-likelihood of survivor counts, from the model's public methods."""
    counts = np.asarray(survivors, dtype=np.float64)
    periods = counts.size - 1
    lost = counts[:-1] - counts[1:]
    churn = _churn(model, np.arange(1.0, periods + 1.0))
    return float(lost @ np.log(churn) + counts[-1] * math.log(model.survival(periods)))


# --------------------------------------------------------------- published figures


@pytest.mark.parametrize(
    ("survivors", "alpha", "beta"),
    [(REGULAR, 0.704, 1.182), (HIGH_END, 0.668, 3.806)],
    ids=["regular", "high-end"],
)
def test_published_fits_on_years_0_to_7(survivors: list[int], alpha: float, beta: float) -> None:
    # Fader & Hardie (2007), fitted on years 0–7: α = 0.704, β = 1.182 (Regular) and
    # α = 0.668, β = 3.806 (High End), published to three decimals.
    model = fit_sbg(survivors[:8])
    assert model.alpha == pytest.approx(alpha, rel=1e-3)
    assert model.beta == pytest.approx(beta, rel=1e-3)
    assert (model.cohort_size, model.periods) == (1000.0, 7)
    assert model.method not in ("", "geometric")
    assert model.log_likelihood == pytest.approx(_log_likelihood(model, survivors[:8]), rel=1e-12)


@pytest.mark.parametrize(
    ("survivors", "alpha", "beta"),
    [(REGULAR, 0.704, 1.182), (HIGH_END, 0.668, 3.806)],
    ids=["regular", "high-end"],
)
def test_projected_survivors_track_years_8_to_12(
    survivors: list[int], alpha: float, beta: float
) -> None:
    # Years 8–12 were held out of the fit; the published counts are data, not model
    # output, so they are matched within the projection error the paper shows
    # (its Figure 4): here at most 1.8 % (Regular) and 4.1 % (High End, year 12).
    model = fit_sbg(survivors[:8])
    projected = 1000.0 * model.survival(np.arange(8, 13))
    np.testing.assert_allclose(projected, survivors[8:], rtol=0.05)
    # The same projection from the published parameters, to the published digits.
    published = 1000.0 * ShiftedBetaGeoModel(alpha=alpha, beta=beta).survival(np.arange(8, 13))
    np.testing.assert_allclose(projected, published, rtol=2e-3)


def test_regular_projection_by_hand() -> None:
    # S(t) = Π_{i=1..t} (β + i − 1)/(α + β + i − 1) with α = 0.704, β = 1.182:
    # S(1) = 1.182/1.886 = 0.626723, S(2) = S(1) × 2.182/2.886 = 0.473839.
    model = ShiftedBetaGeoModel(alpha=0.704, beta=1.182)
    assert model.survival(1) == pytest.approx(1.182 / 1.886, rel=1e-12)
    assert model.survival(2) == pytest.approx(1.182 / 1.886 * 2.182 / 2.886, rel=1e-12)
    assert model.retention(2) == pytest.approx(2.182 / 2.886, rel=1e-12)
    # P(T = 1) = α/(α + β); P(T = 2) = S(1) α/(α + β + 1), Fader & Hardie's eq. 2.
    churn = _churn(model, np.array([1.0, 2.0]))
    np.testing.assert_allclose(churn, [0.704 / 1.886, 1.182 / 1.886 * 0.704 / 2.886], rtol=1e-12)


def test_expected_lifetime_by_hand() -> None:
    # E[T] = (α + β − 1)/(α − 1) = (3 + 6 − 1)/(3 − 1) = 4.
    assert ShiftedBetaGeoModel(alpha=3.0, beta=6.0).expected_lifetime() == 4.0
    with pytest.raises(InvalidInputError, match="alpha <= 1"):
        ShiftedBetaGeoModel(alpha=0.704, beta=1.182).expected_lifetime()


def test_residual_lifetime_by_hand() -> None:
    # α = 1, β = 1, d = 1: S(k) = 1/(k + 1), so DERL(d | 0) = Σ_{k≥1} 2^{−(k−1)}/(k + 1)
    # = 4 Σ_{j≥2} 2^{−j}/j = 4 (ln 2 − 1/2).
    model = ShiftedBetaGeoModel(alpha=1.0, beta=1.0)
    assert model.discounted_expected_residual_lifetime(1.0) == pytest.approx(
        4.0 * math.log(2.0) - 2.0, rel=1e-11
    )
    # d = 0 and α > 1: (β + n)/(α − 1) = (6 + 4)/2 = 5.
    assert ShiftedBetaGeoModel(alpha=3.0, beta=6.0).discounted_expected_residual_lifetime(
        0.0, 4
    ) == pytest.approx(5.0, rel=1e-15)


def _derl_by_summation(alpha: float, beta: float, d: float, renewals: int) -> float:
    """Σ_{k≥1} S'(k)/(1 + d)^{k−1} with S' the survival of Beta(α, β + n), summed."""
    b = beta + renewals
    k = np.arange(400_000, dtype=np.float64)
    log_survival = np.cumsum(np.log1p(-alpha / (alpha + b + k)))  # ln S'(k + 1)
    return float(np.exp(log_survival - k * math.log1p(d)).sum())


@pytest.mark.parametrize(
    ("alpha", "beta", "d", "renewals"),
    [
        (0.704, 1.182, 0.1, 0),
        (0.668, 3.806, 0.1, 4),
        (0.5, 2.0, 0.001, 0),
        (3.0, 2.0, 0.001, 10),
        (0.704, 1.182, 0.01, 100),
        (2.0, 1e5, 0.1, 0),  # where SciPy's hyp2f1 returns NaN
        (50.0, 60.0, 0.2, 3),  # where SciPy's hyp2f1 returns inf or NaN
        (5.0, 995.0, 0.1, 5),
    ],
)
def test_residual_lifetime_equals_the_summed_series(
    alpha: float, beta: float, d: float, renewals: int
) -> None:
    model = ShiftedBetaGeoModel(alpha=alpha, beta=beta)
    expected = _derl_by_summation(alpha, beta, d, renewals)
    assert model.discounted_expected_residual_lifetime(d, renewals) == pytest.approx(
        expected, rel=1e-9
    )


# --------------------------------------------------------------- properties


parameters = st.floats(0.05, 50.0)
periods = st.integers(0, 200)


@given(alpha=parameters, beta=parameters, t=st.lists(periods, min_size=1, max_size=20))
def test_survival_is_non_increasing_from_one(alpha: float, beta: float, t: list[int]) -> None:
    model = ShiftedBetaGeoModel(alpha=alpha, beta=beta)
    ordered = np.sort(np.asarray(t, dtype=np.float64))
    survival = model.survival(ordered)
    assert np.all(np.diff(survival) <= 0.0)
    assert np.all((survival > 0.0) & (survival <= 1.0))
    assert model.survival(0) == 1.0


@given(alpha=parameters, beta=parameters, t=st.integers(1, 500))
def test_retention_rises_with_time_and_is_the_survival_ratio(
    alpha: float, beta: float, t: int
) -> None:
    model = ShiftedBetaGeoModel(alpha=alpha, beta=beta)
    assert model.retention(t + 1) > model.retention(t)
    assert 0.0 < model.retention(t) < 1.0
    assert model.retention(t) == pytest.approx(model.survival(t) / model.survival(t - 1), rel=1e-9)


@given(alpha=parameters, beta=parameters, k=st.integers(1, 300))
def test_churn_probabilities_sum_to_the_share_lost(alpha: float, beta: float, k: int) -> None:
    # Σ_{t ≤ k} S(t − 1)(1 − r_t) telescopes to 1 − S(k) only if survival and retention
    # agree at every t.
    model = ShiftedBetaGeoModel(alpha=alpha, beta=beta)
    lost = _churn(model, np.arange(1.0, k + 1.0)).sum()
    assert lost == pytest.approx(1.0 - model.survival(k), rel=1e-9, abs=1e-12)


@heavy
@given(
    alpha=parameters,
    beta=parameters,
    d=st.floats(1e-3, 2.0),
    renewals=st.integers(0, 1000),
)
def test_residual_lifetime_recursion(alpha: float, beta: float, d: float, renewals: int) -> None:
    # Renew now with probability r_{n+1}, pay now, and stand one period later:
    # DERL(d | n) = r_{n+1} (1 + DERL(d | n + 1) / (1 + d)).
    model = ShiftedBetaGeoModel(alpha=alpha, beta=beta)
    now = model.discounted_expected_residual_lifetime(d, renewals)
    later = model.discounted_expected_residual_lifetime(d, renewals + 1)
    retention = model.retention(renewals + 1)
    assert now == pytest.approx(retention * (1.0 + later / (1.0 + d)), rel=1e-9)


@heavy
@given(
    alpha=parameters,
    beta=parameters,
    rates=st.lists(st.integers(1, 5000), min_size=2, max_size=6, unique=True),
    renewals=st.lists(st.integers(0, 500), min_size=2, max_size=6, unique=True),
)
def test_residual_lifetime_falls_with_discount_and_rises_with_renewals(
    alpha: float, beta: float, rates: list[int], renewals: list[int]
) -> None:
    model = ShiftedBetaGeoModel(alpha=alpha, beta=beta)
    by_rate = model.discounted_expected_residual_lifetime(np.sort(rates) / 1000.0, 3)
    assert np.all(np.diff(by_rate) < 0.0)
    by_renewals = model.discounted_expected_residual_lifetime(0.05, np.sort(renewals))
    assert np.all(np.diff(by_renewals) > 0.0)
    assert np.all(by_renewals > 0.0)


@given(alpha=st.floats(2.5, 50.0), beta=parameters, renewals=st.integers(0, 100))
def test_residual_lifetime_is_continuous_at_no_discount(
    alpha: float, beta: float, renewals: int
) -> None:
    model = ShiftedBetaGeoModel(alpha=alpha, beta=beta)
    limit = model.discounted_expected_residual_lifetime(0.0, renewals)
    assert limit == pytest.approx((beta + renewals) / (alpha - 1.0), rel=1e-12)
    near = model.discounted_expected_residual_lifetime(1e-9, renewals)
    assert near == pytest.approx(limit, rel=1e-6)


def test_residual_lifetime_approaches_its_limit_as_the_square_root_of_the_rate() -> None:
    # α = 1.5, β = 1: θ has density 1.5 θ^0.5, and near d = 0 the deficit is led by
    # ∫ 1.5 θ^0.5 (1/θ − 1/(θ + d)) dθ = 1.5 d ∫ θ^−0.5/(θ + d) dθ = 1.5 π √d.
    model = ShiftedBetaGeoModel(alpha=1.5, beta=1.0)
    limit = model.discounted_expected_residual_lifetime(0.0)
    assert limit == 2.0  # β / (α − 1)
    for d in (1e-12, 1e-9, 1e-7):
        deficit = limit - model.discounted_expected_residual_lifetime(d)
        assert deficit == pytest.approx(1.5 * math.pi * math.sqrt(d), rel=1e-3)


@heavy
@given(
    alpha=parameters,
    beta=parameters,
    rows=st.lists(st.tuples(st.floats(0.001, 3.0), st.integers(0, 300)), min_size=1, max_size=8),
)
def test_vectorised_residual_lifetime_equals_a_loop(
    alpha: float, beta: float, rows: list[tuple[float, int]]
) -> None:
    model = ShiftedBetaGeoModel(alpha=alpha, beta=beta)
    rates = np.array([r for r, _ in rows])
    renewals = np.array([n for _, n in rows], dtype=np.float64)
    vectorised = model.discounted_expected_residual_lifetime(rates, renewals)
    looped = [model.discounted_expected_residual_lifetime(r, n) for r, n in rows]
    np.testing.assert_allclose(vectorised, looped, rtol=1e-12)


def test_survival_stays_exact_for_nearly_homogeneous_cohorts() -> None:
    # α + β = 10^8: the churn probabilities are all 0.3 to within 5e−5, so
    # S(t) ≈ 0.7^t; ln B differences would lose about seven digits here.
    model = ShiftedBetaGeoModel(alpha=3e7, beta=7e7)
    t = np.arange(13)
    np.testing.assert_allclose(model.survival(t), 0.7**t, rtol=1e-6)
    exact = np.cumprod(np.concatenate([[1.0], (7e7 + t[:-1]) / (1e8 + t[:-1])]))
    np.testing.assert_allclose(model.survival(t), exact, rtol=1e-13)


# --------------------------------------------------------------- the fit


@pytest.mark.parametrize("seed", [2007, 2010])
def test_parameters_are_recovered_from_a_simulated_cohort(seed: int) -> None:
    # 100,000 customers with churn probabilities drawn from Beta(0.7, 1.2) and
    # geometric lifetimes, observed for 8 periods. Over seeds 0–4 the estimates
    # stayed within 1 % (α) and 2 % (β) of the truth.
    rng = np.random.default_rng(seed)
    theta = rng.beta(0.7, 1.2, size=100_000)
    lifetime = rng.geometric(theta)
    survivors = [int((lifetime > t).sum()) for t in range(9)]
    model = fit_sbg(survivors)
    assert model.alpha == pytest.approx(0.7, rel=0.03)
    assert model.beta == pytest.approx(1.2, rel=0.05)


@pytest.mark.parametrize("scale", [1e-3, 0.37, 7.0, 1e6])
def test_counts_per_thousand_or_shares_give_the_same_fit(scale: float) -> None:
    # The survivors are themselves the weights: scaling them scales the likelihood
    # and leaves the maximum where it is.
    reference = fit_sbg(REGULAR)
    scaled = fit_sbg([count * scale for count in REGULAR])
    assert scaled.alpha == pytest.approx(reference.alpha, rel=1e-6)
    assert scaled.beta == pytest.approx(reference.beta, rel=1e-6)
    assert scaled.log_likelihood == pytest.approx(reference.log_likelihood * scale, rel=1e-9)
    assert scaled.cohort_size == pytest.approx(1000.0 * scale)


def test_fit_maximises_the_likelihood() -> None:
    model = fit_sbg(REGULAR[:8])
    best = _log_likelihood(model, REGULAR[:8])
    for factor_a, factor_b in [(1.01, 1.0), (0.99, 1.0), (1.0, 1.01), (1.0, 0.99), (1.01, 1.01)]:
        other = ShiftedBetaGeoModel(alpha=model.alpha * factor_a, beta=model.beta * factor_b)
        assert _log_likelihood(other, REGULAR[:8]) < best


@st.composite
def cohorts(draw: st.DrawFn) -> list[float]:
    """Non-increasing survivor counts from 1,000, with at least three values."""
    size = draw(st.integers(3, 12))
    losses = draw(st.lists(st.integers(0, 300), min_size=size - 1, max_size=size - 1))
    counts = [1000]
    for loss in losses:
        counts.append(max(counts[-1] - loss, 0))
    return [float(c) for c in counts]


@heavy
@given(survivors=cohorts())
def test_fit_beats_one_churn_rate_for_everyone_or_says_why(survivors: list[float]) -> None:
    if survivors[-1] == survivors[0] or survivors[1] == 0.0:
        # Nobody churned, or everybody at once: nothing to estimate.
        with pytest.raises(ConvergenceError):
            fit_sbg(survivors)
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = fit_sbg(survivors)
    counts = np.asarray(survivors)
    lost = counts[0] - counts[-1]
    exposure = counts[:-1].sum()
    churn = lost / exposure
    pooled = lost * math.log(churn) + (exposure - lost) * math.log1p(-churn)
    assert model.log_likelihood >= pooled - 1e-6 * abs(pooled)
    # In the geometric limit the record holds the limit's log-likelihood, which the
    # stored alpha + beta = 1e8 reproduces to about 1e−8.
    assert model.log_likelihood == pytest.approx(_log_likelihood(model, survivors), rel=1e-7)
    if model.method == "geometric":
        assert any(issubclass(w.category, SalescoreWarning) for w in caught)
        assert model.alpha / (model.alpha + model.beta) == pytest.approx(churn, rel=1e-12)


def test_homogeneous_cohort_gives_the_geometric_limit_with_a_warning() -> None:
    # Half the customers leave at every renewal: one churn probability of 0.5 fits
    # exactly, and any spread would make retention rise.
    with pytest.warns(SalescoreWarning, match="no heterogeneity"):
        model = fit_sbg([1000, 500, 250, 125, 62.5])
    assert model.method == "geometric"
    assert model.alpha == pytest.approx(model.beta)
    assert model.alpha + model.beta == pytest.approx(1e8)
    # ln L = 937.5 ln 0.5 + 937.5 ln 0.5 (1,875 renewals at risk, 937.5 lost).
    assert model.log_likelihood == pytest.approx(1875 * math.log(0.5), rel=1e-7)
    np.testing.assert_allclose(model.retention([1, 5, 50]), 0.5, rtol=1e-6)


@pytest.mark.parametrize(
    ("survivors", "match"),
    [([100, 100, 100], "no customer of the cohort churned"), ([100, 0, 0], "first renewal")],
)
def test_cohorts_with_nothing_to_estimate_are_refused(survivors: list[int], match: str) -> None:
    with pytest.raises(ConvergenceError, match=match):
        fit_sbg(survivors)


def test_extreme_heterogeneity_warns_at_the_bound() -> None:
    # 99 of 100 leave at once and the last one never does: the churn probabilities
    # are 0 or 1, and β runs to the bound of the search.
    with pytest.warns(SalescoreWarning, match="bound"):
        fit_sbg([100, 1, 1, 1])


def test_series_input_and_its_index_are_accepted() -> None:
    series = pd.Series(REGULAR[:8], index=[f"year {t}" for t in range(8)])
    assert fit_sbg(series).alpha == pytest.approx(fit_sbg(REGULAR[:8]).alpha, rel=1e-12)


@pytest.mark.parametrize(
    ("survivors", "match"),
    [
        (1000, "at least three counts"),
        ([1000, 600], "at least three counts"),
        ([1000, math.nan, 400], "NaN at 1 of 3"),
        ([1000, -1, -2], "survivors must be a finite number >= 0"),
        ([1000, math.inf, 400], "finite"),
        ([1000, 631, 640, 500], r"rise at 1 of 4 \(0-based positions: 2\)"),
        ([0, 0, 0], "start with a count > 0"),
        (["1000", "600", "300"], "numbers"),
    ],
)
def test_invalid_survivors_are_refused(survivors: object, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        fit_sbg(survivors)  # type: ignore[arg-type]


# --------------------------------------------------------------- the record


def test_record_is_frozen_and_validated() -> None:
    model = ShiftedBetaGeoModel(alpha=1, beta=2)
    assert (model.alpha, model.beta) == (1.0, 2.0)
    assert math.isnan(model.log_likelihood)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        model.alpha = 2.0  # type: ignore[misc]
    assert attrs.evolve(model, beta=3.0).beta == 3.0
    for bad in (0.0, -1.0, math.inf, math.nan, "1", True):
        with pytest.raises(InvalidInputError, match="alpha must be"):
            ShiftedBetaGeoModel(alpha=bad, beta=1.0)


def test_methods_follow_the_container_contract() -> None:
    model = ShiftedBetaGeoModel(alpha=0.704, beta=1.182)
    index = pd.Index(["c", "a", "b"])
    t = pd.Series([1, 3, 2], index=index)
    for method in (model.survival, model.retention):
        result = method(t)
        assert isinstance(result, pd.Series)
        assert result.index.equals(index)
        assert result.dtype == np.float64
        np.testing.assert_array_equal(result.to_numpy(), [method(1), method(3), method(2)])
        assert type(method(np.int64(2))) is float
        assert isinstance(method([1, 2]), np.ndarray)
        assert math.isnan(method(math.nan))
        assert np.isnan(method(np.array([1.0, math.nan])))[1]
    derl = model.discounted_expected_residual_lifetime(pd.Series([0.1, 0.2], index=["x", "y"]), 2)
    assert isinstance(derl, pd.Series)
    assert list(derl.index) == ["x", "y"]
    assert math.isnan(model.discounted_expected_residual_lifetime(0.1, math.nan))
    with pytest.raises(IndexMismatchError, match="discount_rate and renewals"):
        model.discounted_expected_residual_lifetime(
            pd.Series([0.1, 0.2], index=["x", "y"]), pd.Series([1, 2], index=["y", "x"])
        )


@pytest.mark.parametrize(
    ("method", "arguments", "match"),
    [
        ("survival", (-1,), "t must be a whole number >= 0"),
        ("survival", (1.5,), "whole number of periods; got 1.5"),
        ("survival", ([1, 2.5, 3.5],), r"2 of 3 \(0-based positions: 1, 2\)"),
        ("survival", (math.inf,), "whole number"),
        ("retention", (0,), "t must be a whole number >= 1"),
        ("discounted_expected_residual_lifetime", (-0.1,), "discount_rate"),
        ("discounted_expected_residual_lifetime", (0.1, 1.5), "renewals"),
        ("discounted_expected_residual_lifetime", (0.0,), "alpha <= 1"),
        (
            "discounted_expected_residual_lifetime",
            ([0.1, 0.0],),
            r"discount_rate > 0 \(1 of 2 \(0-based positions: 1\)\)",
        ),
    ],
)
def test_invalid_method_arguments_are_refused(
    method: str, arguments: tuple[object, ...], match: str
) -> None:
    model = ShiftedBetaGeoModel(alpha=0.704, beta=1.182)
    with pytest.raises(InvalidInputError, match=match):
        getattr(model, method)(*arguments)


# ------------------------------------------------------------ records and hostile input


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("alpha", 10**400),
        ("beta", np.timedelta64(1, "h")),
        ("beta", "1.182"),
        ("log_likelihood", -math.inf),
        ("cohort_size", -1.0),
        ("cohort_size", math.inf),
        ("cohort_size", 1 + 0j),
        ("periods", None),
        ("periods", 7.5),
        ("iterations", np.bool_(True)),
        ("method", 0),
        ("periods", 10**400),
    ],
    ids=lambda value: repr(value)[:24],
)
def test_an_invalid_record_cannot_be_built(field: str, bad: object) -> None:
    # periods=None raised TypeError, alpha=10**400 OverflowError; a timedelta64 (a
    # NumPy integer), a negative cohort and a str log-likelihood were accepted.
    fields: dict[str, object] = {"alpha": 0.704, "beta": 1.182}
    with pytest.raises(InvalidInputError, match=field):
        ShiftedBetaGeoModel(**{**fields, field: bad})


def test_residual_lifetime_at_extreme_discount_rates() -> None:
    model = ShiftedBetaGeoModel(alpha=0.704, beta=1.182)
    with np.errstate(all="raise"):
        subnormal = model.discounted_expected_residual_lifetime(5e-324)
        tiny = model.discounted_expected_residual_lifetime(1e-300)
        huge = model.discounted_expected_residual_lifetime(1e308)
        loyal = model.discounted_expected_residual_lifetime(0.1, 1e15)
    # DERL decreases in d; at d = 5e-324 (1 − θ)/(θ + d) reached 1/d > 1e308 and the
    # sum gave inf (FloatingPointError under errstate "raise").
    assert math.isfinite(subnormal)
    assert subnormal > tiny
    # As d → ∞, (1 + d) E[(1 − θ)/(θ + d)] → E[1 − θ] = β / (α + β) (Fader & Hardie
    # 2010, equation 6, in the limit); it raised an underflow FloatingPointError.
    assert huge == pytest.approx(1.182 / (0.704 + 1.182), rel=1e-9)
    # After 10^15 renewals θ is about 0, so every payment comes: Σ_k 1.1^−k = 11.
    assert loyal == pytest.approx(11.0, rel=1e-9)


def test_fit_on_counts_near_the_float_limit_equals_the_fit_on_shares() -> None:
    # Fader & Hardie (2007): counts or per-1,000 figures give the same parameters.
    # Counts near 1e308 overflowed the sums (FloatingPointError under errstate "raise").
    shares = [1.0, 0.631, 0.468, 0.382, 0.326, 0.289, 0.262, 0.241]
    with np.errstate(all="raise"):
        huge = fit_sbg([1e300 * s for s in shares])
    small = fit_sbg(shares)
    assert huge.alpha == pytest.approx(small.alpha, rel=1e-6)
    assert huge.beta == pytest.approx(small.beta, rel=1e-6)
    assert huge.log_likelihood == pytest.approx(small.log_likelihood * 1e300, rel=1e-6)
    with pytest.raises(InvalidInputError, match="exceed float range"):
        fit_sbg([1.7e308 * s for s in shares])


def test_survival_and_retention_with_parameters_near_zero_by_hand() -> None:
    # S(1) = r_1 = β / (α + β) (Fader & Hardie 2007, equations 3 and 4). With
    # α = 1e-300 and β = 5e-324 that is 4.94e-324 / 1e-300 = 4.94e-24, and
    # S(2) = S(1) (β + 1) / (α + β + 1) = S(1): log1p(−α / (α + β)) = log1p(−1) made it
    # 0 (FloatingPointError under errstate "raise"). With α = β = 5e-324, r_1 = 1/2:
    # α + β + t − 1 rounded to 0 at t = 1 and gave NaN.
    beta = 5e-324
    with np.errstate(all="raise"):
        survival = ShiftedBetaGeoModel(alpha=1e-300, beta=beta).survival([0, 1, 2])
        retention = ShiftedBetaGeoModel(alpha=beta, beta=beta).retention([1, 2])
    expected = beta / (1e-300 + beta)
    np.testing.assert_allclose(survival, [1.0, expected, expected], rtol=1e-12)
    assert retention.tolist() == [0.5, 1.0]


def test_lifetimes_beyond_float_range_are_refused() -> None:
    # (α + β − 1) / (α − 1) = 1e308 / 1e-5 was inf; the residual lifetime with
    # β = 1e308 raised OverflowError (math.ceil of an infinite node count).
    with pytest.raises(InvalidInputError, match="beyond floating-point range"):
        ShiftedBetaGeoModel(alpha=1 + 1e-5, beta=1e308).expected_lifetime()
    with pytest.raises(InvalidInputError, match="cannot be evaluated in floating point"):
        ShiftedBetaGeoModel(alpha=3.0, beta=1e308).discounted_expected_residual_lifetime(0.1)


def _euler_integral(alpha: float, beta: float, d: float) -> float:
    """(1 + d) E[(1 − θ) / (θ + d)], θ ~ Beta(α, β), by QUADPACK (Fader & Hardie 2010).

    The integral form of their equation 6 (see the method's Notes), integrated with
    the algebraic end-point weights θ^(α−1) and (1 − θ)^β, on pieces that end at
    d, 10 d, 100 d, … so that the bend at θ ≈ d is resolved: independent of the
    trapezoid rule the method uses.
    """
    integrate = pytest.importorskip("scipy.integrate")
    special = pytest.importorskip("scipy.special")
    cuts = [0.0, d]
    while cuts[-1] * 10.0 < 0.5:
        cuts.append(cuts[-1] * 10.0)
    cuts.append(0.5)
    total = 0.0
    for low, high in itertools.pairwise(cuts):
        if low == 0.0:
            piece, _ = integrate.quad(
                lambda th: (1 - th) ** beta / (th + d), 0.0, high, weight="alg",
                wvar=(alpha - 1.0, 0.0), epsabs=0, epsrel=1e-13, limit=200,
            )  # fmt: skip
        else:
            piece, _ = integrate.quad(
                lambda th: th ** (alpha - 1.0) * (1 - th) ** beta / (th + d), low, high,
                epsabs=0, epsrel=1e-13, limit=200,
            )  # fmt: skip
        total += piece
    piece, _ = integrate.quad(
        lambda th: th ** (alpha - 1.0) / (th + d), 0.5, 1.0, weight="alg",
        wvar=(0.0, beta), epsabs=0, epsrel=1e-13, limit=200,
    )  # fmt: skip
    return float((1.0 + d) * (total + piece) / math.exp(special.betaln(alpha, beta)))


@pytest.mark.parametrize("d", [1e-2, 1e-8, 1e-12, 1e-20, 1e-100])
@pytest.mark.parametrize(("alpha", "beta"), [(0.704, 1.182), (0.05, 20.0)])
def test_residual_lifetime_at_small_discount_rates_matches_the_integral(
    alpha: float, beta: float, d: float
) -> None:
    # The trapezoid nodes were about |ln d| · 0.05 apart where the integrand bends
    # (θ ≈ d): the result was off by 2e-9 at d = 1e-8, 3e-5 at 1e-12 and a factor
    # of 25 at 1e-100, with no error.
    model = ShiftedBetaGeoModel(alpha=alpha, beta=beta)
    value = model.discounted_expected_residual_lifetime(d)
    assert value == pytest.approx(_euler_integral(alpha, beta, d), rel=1e-10)
