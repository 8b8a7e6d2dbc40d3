"""Tests of salescore.leads.fit: hand calculations, recovery of simulated curves, failures."""

from __future__ import annotations

import math
import warnings
from fractions import Fraction
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from salescore import ConvergenceError, IndexMismatchError, InvalidInputError, SalescoreWarning
from salescore.leads.decay import ExponentialDecay, PowerLawDecay, contact_probability
from salescore.leads.fit import DecayFit, fit_decay

# Ten leads called at 5 minutes, 8 reached; ten at 30 minutes, 4 reached.
TIMES = [5.0] * 10 + [30.0] * 10
REACHED = [True] * 8 + [False] * 2 + [True] * 4 + [False] * 6


# --------------------------------------------------------------- hand calculations


def test_two_groups_power_law_by_hand() -> None:
    # With two distinct times the fit is saturated: each group's logit is its own
    # empirical logit. Odds at 5 minutes 8/2 = 4, at 30 minutes 4/6 = 2/3: ratio 6
    # over a sixfold wait, so the exponent is ln 6 / ln 6 = 1; base rate 0.8.
    fit = fit_decay(TIMES, REACHED, reference=5)
    assert isinstance(fit.curve, PowerLawDecay)
    assert fit.curve.exponent == pytest.approx(1.0, rel=1e-9)
    assert fit.curve.reference == 5.0
    assert fit.base_rate == pytest.approx(0.8, rel=1e-12)
    assert fit.intercept == pytest.approx(math.log(4), rel=1e-12)
    assert (fit.n, fit.successes, fit.boundary) == (20, 12, False)
    # Var(alpha) = 1 / (n1 p1 (1 − p1)) = 1 / (10 × 0.8 × 0.2) = 0.625;
    # Var(beta) = (1/1.6 + 1/(10 × 0.4 × 0.6)) / ln² 6 = (0.625 + 0.41667) / ln² 6.
    assert fit.intercept_se == pytest.approx(math.sqrt(0.625), rel=1e-9)
    assert fit.slope_se == pytest.approx(math.sqrt(0.625 + 1 / 2.4) / math.log(6), rel=1e-9)
    # Delta method: SE(p) = p (1 − p) SE(alpha) = 0.16 × sqrt(0.625).
    assert fit.base_rate_se == pytest.approx(0.16 * math.sqrt(0.625), rel=1e-9)
    assert math.isnan(fit.half_life_se)
    # Log-likelihood: 8 ln .8 + 2 ln .2 + 4 ln .4 + 6 ln .6; null: 12 ln .6 + 8 ln .4.
    ll = 8 * math.log(0.8) + 2 * math.log(0.2) + 4 * math.log(0.4) + 6 * math.log(0.6)
    assert fit.log_likelihood == pytest.approx(ll, rel=1e-12)
    assert fit.null_log_likelihood == pytest.approx(12 * math.log(0.6) + 8 * math.log(0.4))
    np.testing.assert_allclose(fit.probability([5, 30]), [0.8, 0.4], rtol=1e-9)


def test_two_groups_exponential_by_hand() -> None:
    # Same leads: the odds fall by 6 over 25 minutes, so beta = −ln 6 / 25 and the
    # half-life is 25 ln 2 / ln 6 ≈ 9.671 minutes.
    fit = fit_decay(TIMES, REACHED, kind="exponential", reference=5)
    assert isinstance(fit.curve, ExponentialDecay)
    assert fit.slope == pytest.approx(-math.log(6) / 25, rel=1e-9)
    assert fit.curve.half_life == pytest.approx(25 * math.log(2) / math.log(6), rel=1e-9)
    assert fit.base_rate == pytest.approx(0.8, rel=1e-12)
    # SE(beta) = sqrt(0.625 + 1/2.4) / 25; SE(h) = ln 2 SE(beta) / beta².
    se_beta = math.sqrt(0.625 + 1 / 2.4) / 25
    assert fit.slope_se == pytest.approx(se_beta, rel=1e-9)
    assert fit.half_life_se == pytest.approx(
        math.log(2) * se_beta / (math.log(6) / 25) ** 2, rel=1e-9
    )


def test_reference_only_relabels_the_base_rate() -> None:
    # Same data, reference 30: the exponent is unchanged, the base rate is 0.4.
    fit = fit_decay(TIMES, REACHED, reference=30)
    assert fit.curve.exponent == pytest.approx(1.0, rel=1e-9)  # type: ignore[union-attr]
    assert fit.base_rate == pytest.approx(0.4, rel=1e-12)
    assert fit.log_likelihood == pytest.approx(fit_decay(TIMES, REACHED).log_likelihood)


# ------------------------------------------------------- recovery of simulated data


def _simulate(
    curve: PowerLawDecay | ExponentialDecay, base_rate: float, n: int, seed: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    rng = np.random.default_rng(seed)
    minutes = rng.exponential(60.0, size=n)  # response times with a mean of an hour
    probability = contact_probability(minutes, base_rate=base_rate, curve=curve)
    return minutes, rng.random(n) < probability


@pytest.mark.parametrize("seed", [20070, 20111, 2024])
def test_recovers_a_power_law_within_four_standard_errors(seed: int) -> None:
    truth = PowerLawDecay(exponent=0.8, reference=5)
    minutes, reached = _simulate(truth, 0.4, 5000, seed)
    fit = fit_decay(minutes, reached, reference=5)
    assert isinstance(fit.curve, PowerLawDecay)
    # Asymptotically normal MLE: a 4 SE band misses with probability 6e-5 per check.
    assert abs(fit.curve.exponent - 0.8) < 4 * fit.slope_se
    assert abs(fit.base_rate - 0.4) < 4 * fit.base_rate_se
    # And the standard errors are informative at this sample size.
    assert fit.slope_se < 0.05
    assert fit.base_rate_se < 0.03
    assert fit.log_likelihood > fit.null_log_likelihood
    assert fit.iterations < 20


@pytest.mark.parametrize("seed", [20070, 20111, 2024])
def test_recovers_an_exponential_within_four_standard_errors(seed: int) -> None:
    truth = ExponentialDecay(half_life=45)
    minutes, reached = _simulate(truth, 0.6, 5000, seed)
    fit = fit_decay(pd.to_timedelta(minutes, unit="min"), reached, kind="exponential")
    assert isinstance(fit.curve, ExponentialDecay)
    assert abs(fit.curve.half_life - 45) < 4 * fit.half_life_se
    assert abs(fit.slope + math.log(2) / 45) < 4 * fit.slope_se
    assert abs(fit.base_rate - 0.6) < 4 * fit.base_rate_se
    assert fit.half_life_se < 5


def test_probability_stays_exact_when_the_base_rate_rounds_to_one() -> None:
    # 8 of 10 reached at 1,000 minutes, 2 of 10 at 1,020: beta = −2 ln 4 / 20 and,
    # extrapolated to the reference 0, alpha = ln 4 + 1,000 × 0.1386 ≈ 140, whose
    # logistic is 1.0 in floating point. The fit still gives 0.8 and 0.2.
    minutes = [1000.0] * 10 + [1020.0] * 10
    reached = [1] * 8 + [0] * 2 + [1] * 2 + [0] * 8
    fit = fit_decay(minutes, reached, kind="exponential")
    assert fit.base_rate == 1.0
    assert fit.intercept == pytest.approx(math.log(4) + 1000 * math.log(4) / 10, rel=1e-9)
    assert fit.curve.half_life == pytest.approx(5.0, rel=1e-9)  # type: ignore[union-attr]
    np.testing.assert_allclose(fit.probability([1000, 1020]), [0.8, 0.2], rtol=1e-6)


def test_timedeltas_series_and_lists_fit_the_same() -> None:
    minutes, reached = _simulate(PowerLawDecay(exponent=1.0, reference=5), 0.5, 400, 7)
    expected = fit_decay(minutes, reached, reference=5)
    index = pd.Index([f"L{i}" for i in range(minutes.size)])
    durations = pd.Series(pd.to_timedelta(minutes, unit="min"), index=index)
    fits = [
        fit_decay(durations, pd.Series(reached, index=index), reference=pd.Timedelta("5min")),
        fit_decay(minutes.tolist(), reached.astype(int).tolist(), reference=5),
        fit_decay(pd.Series(minutes), pd.Series(reached, dtype="boolean"), reference=5),
    ]
    for fit in fits:
        assert fit.curve.exponent == pytest.approx(expected.curve.exponent, rel=1e-9)  # type: ignore[union-attr]
        assert fit.base_rate == pytest.approx(expected.base_rate, rel=1e-9)


def test_skipna_leaves_out_only_the_missing_leads() -> None:
    minutes = pd.Series([5.0, math.nan, 30.0, *TIMES])
    reached = pd.Series([True, True, None, *REACHED], dtype="boolean")
    with pytest.raises(
        InvalidInputError, match=r"missing for 2 of 23 leads \(0-based positions: 1, 2\)"
    ):
        fit_decay(minutes, reached)
    fit = fit_decay(minutes, reached, skipna=True, reference=5)
    # Left: (5, True) and the 20 hand-calculation leads.
    clean = fit_decay([5.0, *TIMES], [True, *REACHED], reference=5)
    assert fit.n == 21
    assert fit.base_rate == pytest.approx(clean.base_rate, rel=1e-12)
    assert fit.slope == pytest.approx(clean.slope, rel=1e-9)


def test_inputs_are_not_modified() -> None:
    minutes = np.array(TIMES)
    reached = np.array(REACHED)
    before = (minutes.copy(), reached.copy())
    fit_decay(minutes, reached)
    np.testing.assert_array_equal(minutes, before[0])
    np.testing.assert_array_equal(reached, before[1])


def test_result_is_a_frozen_record() -> None:
    fit = fit_decay(TIMES, REACHED)
    assert isinstance(fit, DecayFit)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        fit.base_rate = 0.5  # type: ignore[misc]
    assert fit.probability(pd.Series([5.0], index=["x"])).index.tolist() == ["x"]


# ----------------------------------------------------------------- the boundary


def test_outcomes_rising_with_time_give_a_flat_curve_and_a_warning() -> None:
    # Reached more often when called later (2 of 10 at 5 minutes, 8 of 10 at 30):
    # the unconstrained slope is positive, so the constrained fit is flat at the
    # overall rate, 10/20 = 0.5.
    later_is_better = [True] * 2 + [False] * 8 + [True] * 8 + [False] * 2
    with pytest.warns(SalescoreWarning, match="flat"):
        fit = fit_decay(TIMES, later_is_better)
    assert fit.boundary
    assert fit.slope == 0.0
    assert fit.curve.exponent == 0.0  # type: ignore[union-attr]
    assert fit.base_rate == pytest.approx(0.5)
    assert fit.log_likelihood == pytest.approx(fit.null_log_likelihood, rel=1e-12)
    with pytest.warns(SalescoreWarning, match="flat"):
        flat = fit_decay(TIMES, later_is_better, kind="exponential")
    assert flat.curve.half_life == math.inf  # type: ignore[union-attr]
    assert flat.half_life_se == math.inf
    assert flat.probability(1e4) == pytest.approx(0.5)


def test_successes_all_later_than_failures_give_a_flat_curve() -> None:
    # Separated upwards: the unconstrained slope is +inf, the constrained one 0.
    with pytest.warns(SalescoreWarning, match="flat"):
        fit = fit_decay([1, 2, 3, 40, 50], [0, 0, 1, 1, 1])
    assert fit.boundary
    assert fit.iterations == 0
    assert fit.base_rate == pytest.approx(0.6)


# ------------------------------------------------------------------- failures


@pytest.mark.parametrize(
    ("minutes", "reached", "message"),
    [
        ([5, 10, 30], [True, True, True], "every one of the 3 outcomes is a success"),
        ([5, 10, 30], [0, 0, 0], "every one of the 3 outcomes is a failure"),
        ([7, 7, 7, 7], [1, 0, 1, 0], "same response time"),
        # Under the default floor of 1 minute, 0 and 0.5 minutes are the same time.
        ([0, 0.5, 0, 0.5], [1, 0, 1, 0], "same response time"),
        ([1, 2, 3, 40, 50], [1, 1, 1, 0, 0], "perfectly separated by response time"),
        # Quasi-complete: success and failure share only the boundary time.
        ([1, 2, 3, 3, 40], [1, 1, 1, 0, 0], "every success came at or before 3 minutes"),
    ],
)
def test_no_finite_fit_raises_convergence_error(
    minutes: list[float], reached: list[Any], message: str
) -> None:
    with pytest.raises(ConvergenceError, match=message):
        fit_decay(minutes, reached)


def test_too_few_iterations_raise_convergence_error() -> None:
    with pytest.raises(ConvergenceError, match="did not converge within 1 iterations"):
        fit_decay(TIMES, REACHED, max_iterations=1)


def test_convergence_error_is_a_runtime_error() -> None:
    with pytest.raises(RuntimeError):
        fit_decay([1, 2], [1, 1])


@pytest.mark.parametrize(
    ("minutes", "reached", "options", "message"),
    [
        (TIMES, [0, 2] * 10, {}, r"outcome must hold True/False or 1/0; 10 of 20 values"),
        ([1, 2, 3], [0, 1, -1], {}, r"0-based positions: \[2\] -1.0"),
        ([1, 2, 3], [0, 1, 0.5], {}, r"\[2\] 0.5"),
        ([1, 2, 3], ["y", "n", "y"], {}, "outcome must hold True/False or 1/0; got an array"),
        ([1, 2], pd.Series(["y", "n"]), {}, "got a Series of dtype"),
        ([1, 2], True, {}, "outcome must be an array or Series"),
        ([1, 2], np.ones((2, 1)), {}, "one-dimensional"),
        (5.0, [True], {}, "one time per lead"),
        ([1, 2, 3], [True, False], {}, "response_time has 3 elements but outcome has 2"),
        ([1, -2], [True, False], {}, "response_time must be a finite number of minutes >= 0"),
        ([1, math.inf], [True, False], {}, "response_time must be a finite number of minutes"),
        (["1", "2"], [True, False], {}, "response_time must hold numbers"),
        ([1.0], [True], {}, "at least 2 leads"),
        ([1, math.nan], [True, False], {}, "pass skipna=True"),
        (TIMES, REACHED, {"kind": "linear"}, "kind must be one of 'power', 'exponential'"),
        (TIMES, REACHED, {"kind": "exponential", "floor": 2}, "floor is only read with"),
        (TIMES, REACHED, {"floor": 0}, "floor must be a finite number of minutes > 0"),
        (TIMES, REACHED, {"reference": -1}, "reference must be a finite number of minutes"),
        (TIMES, REACHED, {"skipna": "yes"}, "skipna must be True or False"),
        (TIMES, REACHED, {"max_iterations": 0}, "max_iterations must be at least 1"),
        (TIMES, REACHED, {"max_iterations": 2.5}, "max_iterations must be a non-negative"),
        (TIMES, REACHED, {"tolerance": 0}, "tolerance must be a finite number > 0"),
    ],
)
def test_fit_decay_rejects(
    minutes: Any, reached: Any, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        fit_decay(minutes, reached, **options)


def test_series_on_different_indexes_are_refused() -> None:
    minutes = pd.Series(TIMES, index=range(20))
    reached = pd.Series(REACHED, index=range(19, -1, -1))
    with pytest.raises(IndexMismatchError, match="response_time and outcome"):
        fit_decay(minutes, reached)


# ----------------------------------------------------------------- properties


@st.composite
def lead_samples(draw: st.DrawFn) -> tuple[list[float], list[bool]]:
    size = draw(st.integers(6, 40))
    minutes = draw(
        st.lists(st.floats(0.0, 1e3, allow_subnormal=False), min_size=size, max_size=size)
    )
    reached = draw(st.lists(st.booleans(), min_size=size, max_size=size))
    return minutes, reached


def _fit_or_skip(minutes: Any, reached: Any, **options: Any) -> DecayFit:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SalescoreWarning)
            return fit_decay(minutes, reached, **options)
    except ConvergenceError:
        assume(False)
        raise  # pragma: no cover - assume(False) does not return


@given(sample=lead_samples(), kind=st.sampled_from(["power", "exponential"]))
def test_fitted_probabilities_add_up_to_the_successes(
    sample: tuple[list[float], list[bool]], kind: str
) -> None:
    # The score equation of the intercept: at the maximum, sum of p_i = sum of y_i.
    minutes, reached = sample
    fit = _fit_or_skip(minutes, reached, kind=kind)
    assert fit.slope <= 0.0
    assert fit.log_likelihood >= fit.null_log_likelihood - 1e-9
    assert float(np.sum(fit.probability(minutes))) == pytest.approx(sum(reached), abs=1e-7)


@given(sample=lead_samples(), seed=st.integers(0, 2**32 - 1))
def test_order_of_the_leads_does_not_matter(
    sample: tuple[list[float], list[bool]], seed: int
) -> None:
    minutes, reached = sample
    fit = _fit_or_skip(minutes, reached)
    order = np.random.default_rng(seed).permutation(len(minutes))
    shuffled = _fit_or_skip(np.array(minutes)[order], np.array(reached)[order])
    assert shuffled.slope == pytest.approx(fit.slope, rel=1e-7, abs=1e-9)
    assert shuffled.base_rate == pytest.approx(fit.base_rate, rel=1e-7, abs=1e-12)


@given(sample=lead_samples(), factor=st.sampled_from([1 / 60, 0.5, 2.0, 60.0]))
def test_changing_the_time_unit_scales_the_half_life(
    sample: tuple[list[float], list[bool]], factor: float
) -> None:
    # Times × c: an exponential's half-life × c, a power law's exponent unchanged
    # (with the reference and floor scaled too), the base rate unchanged.
    minutes, reached = sample
    fit = _fit_or_skip(minutes, reached, kind="exponential")
    scaled = _fit_or_skip([m * factor for m in minutes], reached, kind="exponential")
    assert scaled.curve.half_life == pytest.approx(fit.curve.half_life * factor, rel=1e-6)  # type: ignore[union-attr]
    assert scaled.base_rate == pytest.approx(fit.base_rate, rel=1e-7, abs=1e-12)
    power = _fit_or_skip(minutes, reached, reference=5, floor=1)
    power_scaled = _fit_or_skip(
        [m * factor for m in minutes], reached, reference=5 * factor, floor=factor
    )
    assert power_scaled.slope == pytest.approx(power.slope, rel=1e-6, abs=1e-9)
    assert power_scaled.base_rate == pytest.approx(power.base_rate, rel=1e-7, abs=1e-12)


# ------------------------------------------------ records and options


def _study_fit() -> DecayFit:
    # Ten leads at 5 minutes, 8 reached; ten at 30 minutes, 4 reached (exponent 1).
    return fit_decay([5] * 10 + [30] * 10, [1] * 8 + [0] * 2 + [1] * 4 + [0] * 6, reference=5)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("base_rate", 2.0, "base_rate must be a fraction in"),
        ("base_rate", "0.8", "base_rate must be a number"),
        ("intercept", 10**400, "intercept must be a number within float range"),
        ("slope", np.timedelta64(1, "h"), "slope must be a number"),
        ("slope", 0.5, "slope must be <= 0"),
        ("covariance", ((-1.0, 0.0), (0.0, 1.0)), "covariance must hold finite numbers"),
        ("covariance", (1.0, 2.0), "covariance must be a 2 × 2 matrix"),
        ("covariance", ((1.0, Fraction(10**400, 3)), (0.0, 1.0)), "float range"),
        ("log_likelihood", math.nan, "log_likelihood must be a finite number"),
        ("n", "20", "n must be a non-negative integer"),
        ("successes", 21, "successes must be at most n"),
        ("iterations", -1, "iterations must be a non-negative integer"),
        ("iterations", 10**400, "iterations must be at most 10,000"),
        ("n", 10**400, "n must be at most 9,007,199,254,740,992"),
        ("boundary", "False", "boundary must be True or False"),
        ("curve", None, "curve must be a PowerLawDecay or ExponentialDecay"),
    ],
)
def test_an_invalid_fit_record_cannot_be_made(field: str, value: Any, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        attrs.evolve(_study_fit(), **{field: value})


def test_max_iterations_has_an_upper_bound() -> None:
    with pytest.raises(InvalidInputError, match="max_iterations must be at most 10,000"):
        fit_decay([5, 30, 5, 30], [1, 0, 0, 1], max_iterations=2**70)


@pytest.mark.parametrize(
    ("times", "outcome", "message"),
    [
        ([[5.0], [10.0, 30.0]], [1, 0], "response_time must be a flat sequence"),
        ([5.0, 30.0, 60.0], [[1], [0, 1], 1], "outcome must be a flat sequence"),
        ([5.0, 30.0], pd.Series([1 + 0j, 0j]), "outcome must hold True/False"),
    ],
)
def test_malformed_data_is_refused(times: Any, outcome: Any, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        fit_decay(times, outcome)


def test_outcomes_beyond_float64_and_masked_arrays_are_refused() -> None:
    # A long double of 1e400 is finite on x86 but inf in float64: not an outcome.
    huge = np.array([1, 0, 1], dtype=np.longdouble)
    huge[2] = np.longdouble("1e400")
    with np.errstate(all="raise"), pytest.raises(InvalidInputError, match=r"\[2\] inf"):
        fit_decay([5.0, 10.0, 30.0], huge)
    masked = np.ma.masked_array([1, 0, 1], mask=[False, True, False])
    with pytest.raises(InvalidInputError, match="outcome is a masked array"):
        fit_decay([5.0, 10.0, 30.0], masked)
