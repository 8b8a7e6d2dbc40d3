"""Tests of salescore.leads.decay and .presets: study figures, hand calculations, properties."""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore import IndexMismatchError, InvalidInputError
from salescore.leads.decay import (
    DecayCurve,
    ExponentialDecay,
    PiecewiseDecay,
    PowerLawDecay,
    contact_probability,
)
from salescore.leads.presets import HBR2011_QUALIFY, MIT2007_CONTACT, MIT2007_QUALIFY

from . import strategies as sst

# ------------------------------------------------------------------ study figures


def test_mit2007_contact_odds_are_100_times_higher_at_5_than_30_minutes() -> None:
    # Oldroyd (2007): odds of contact 100× higher when called within 5 minutes than
    # at 30 minutes.
    assert MIT2007_CONTACT.multiplier(5) == 1.0
    assert MIT2007_CONTACT.multiplier(5) / MIT2007_CONTACT.multiplier(30) == pytest.approx(
        100.0, rel=1e-12
    )
    # Power law through that figure: k = ln 100 / ln 6 ≈ 2.570, so at 10 minutes
    # 2^-2.570 ≈ 0.168 (Nutshell: the chance falls markedly by 10 minutes).
    assert MIT2007_CONTACT.exponent == pytest.approx(2.570194417876938, rel=1e-12)
    assert MIT2007_CONTACT.multiplier(10) == pytest.approx(2 ** -(math.log(100) / math.log(6)))
    assert MIT2007_CONTACT.multiplier(10) < 1 / 5
    # Flat within the study's first bucket and after its last figure.
    assert MIT2007_CONTACT.multiplier([0, 2.5, 5]).tolist() == [1.0, 1.0, 1.0]
    np.testing.assert_allclose(MIT2007_CONTACT.multiplier([30, 60, 1440]), [0.01] * 3)


def test_mit2007_contact_agrees_with_seed_002_more_than_5_times_as_likely() -> None:
    # Nutshell's article (quoting LeadResponseManagement.org): more than 5× as likely to reach
    # the lead within 5 minutes as at 30. By hand, p(5) / p(30) = 100 − 99 b, which
    # exceeds 5 for b < 95/99 and equals 5 at b = 95/99.
    base = np.array([0.01, 0.1, 0.3, 0.5, 0.9, 0.95])
    early = contact_probability(5, base_rate=base, curve=MIT2007_CONTACT)
    late = contact_probability(30, base_rate=base, curve=MIT2007_CONTACT)
    np.testing.assert_allclose(early / late, 100 - 99 * base, rtol=1e-12)
    assert np.all(early / late > 5)
    edge = 95 / 99
    ratio = contact_probability(5, base_rate=edge, curve=MIT2007_CONTACT) / contact_probability(
        30, base_rate=edge, curve=MIT2007_CONTACT
    )
    assert ratio == pytest.approx(5.0, rel=1e-12)


def test_mit2007_qualify_reproduces_4x_and_21x() -> None:
    # Oldroyd (2007): odds of qualifying 4× higher at 5 than at 10 minutes, 21× than
    # at 30 minutes.
    curve = MIT2007_QUALIFY
    assert curve.multiplier(5) / curve.multiplier(10) == pytest.approx(4.0, rel=1e-12)
    assert curve.multiplier(5) / curve.multiplier(30) == pytest.approx(21.0, rel=1e-12)
    # Log-linear between knots: halfway from 10 to 30 minutes, the geometric mean of
    # 1/4 and 1/21, 1/sqrt(84).
    assert curve.multiplier(20) == pytest.approx(1 / math.sqrt(84), rel=1e-12)
    assert curve.multiplier(0) == 1.0
    assert curve.multiplier(600) == pytest.approx(1 / 21, rel=1e-12)


def test_hbr2011_qualify_reproduces_7x_and_60x() -> None:
    # Oldroyd, McElheran & Elkington (HBR, 2011): nearly 7× as likely within an hour
    # as an hour later, more than 60× as likely as after 24 hours or longer; read as
    # 60, 120 and 1,440 minutes.
    curve = HBR2011_QUALIFY
    assert curve.multiplier(60) == 1.0
    assert curve.multiplier(60) / curve.multiplier(120) == pytest.approx(7.0, rel=1e-12)
    assert curve.multiplier(60) / curve.multiplier(1440) == pytest.approx(60.0, rel=1e-12)
    assert curve.multiplier(48 * 60) == pytest.approx(1 / 60, rel=1e-12)
    assert curve.multiplier(10) == 1.0


def test_presets_cannot_be_changed_in_place() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        MIT2007_CONTACT.exponent = 1.0  # type: ignore[misc]
    longer = attrs.evolve(MIT2007_CONTACT, ceiling=math.inf)
    # Without the ceiling, 60 minutes is a doubling past 30: 0.01 × 2^-2.570.
    assert longer.multiplier(60) == pytest.approx(0.01 * 2**-MIT2007_CONTACT.exponent)


# --------------------------------------------------------------- hand calculations


def test_exponential_by_hand() -> None:
    # Half-life 30, reference 10: m(40) = 2^-1, m(70) = 2^-2, m(0) = 2^(10/30).
    curve = ExponentialDecay(half_life=30, reference=10)
    assert curve.multiplier(10) == 1.0
    assert curve.multiplier(40) == 0.5
    assert curve.multiplier(70) == 0.25
    assert curve.multiplier(0) == pytest.approx(2 ** (1 / 3), rel=1e-15)
    assert ExponentialDecay(half_life=math.inf, reference=10).multiplier(1e4) == 1.0


def test_power_law_by_hand() -> None:
    # k = 2, reference 5, floor 1: m(10) = (10/5)^-2 = 1/4; m(0) = m(1) = (1/5)^-2 = 25.
    curve = PowerLawDecay(exponent=2, reference=5)
    np.testing.assert_allclose(
        curve.multiplier([0, 0.5, 1, 5, 10, 50]), [25, 25, 25, 1, 0.25, 0.01]
    )
    # A ceiling of 20 holds later times at (20/5)^-2 = 1/16.
    capped = PowerLawDecay(exponent=2, reference=5, ceiling=20)
    assert capped.multiplier(1000) == 1 / 16
    # A reference below the floor counts as the floor: (4/2)^-1 = 1/2.
    assert PowerLawDecay(exponent=1, reference=0, floor=2).multiplier(4) == 0.5


def test_piecewise_by_hand() -> None:
    # Knots (0, 1), (10, 1/4), (20, 1/16): log-linear, so m(5) = 1/2, m(15) = 1/8.
    curve = PiecewiseDecay(times=[0, 10, 20], multipliers=[1, 0.25, 0.0625])
    np.testing.assert_allclose(
        curve.multiplier([0, 5, 10, 15, 20, 100]), [1, 0.5, 0.25, 0.125, 0.0625, 0.0625]
    )
    # Multipliers on any scale are normalised at the reference: counts 80, 20, 5 with
    # reference 10 give 4, 1, 1/4.
    scaled = PiecewiseDecay(times=[0, 10, 20], multipliers=[80, 20, 5], reference=10)
    np.testing.assert_allclose(scaled.multiplier([0, 10, 20]), [4, 1, 0.25])
    assert scaled.multiplier(10) == 1.0
    # The default reference is the first knot; before it the curve is flat.
    late = PiecewiseDecay(times=[5, 10], multipliers=[3, 1.5])
    assert late.reference == 5.0
    np.testing.assert_allclose(late.multiplier([0, 10]), [1.0, 0.5], rtol=1e-15)


def test_contact_probability_by_hand() -> None:
    curve = PowerLawDecay(exponent=2, reference=5)
    # b = 0.5 (odds 1), m(10) = 1/4: odds 1/4, p = 0.25 / 1.25 = 0.2.
    assert contact_probability(10, base_rate=0.5, curve=curve) == pytest.approx(0.2, rel=1e-15)
    # b = 0.2 (odds 1/4), m(2.5) = 4: odds 1, p = 0.5.
    assert contact_probability(2.5, base_rate=0.2, curve=curve) == pytest.approx(0.5, rel=1e-15)
    # b = 0.9 (odds 9), m(50) = 1/100: odds 0.09, p = 0.09 / 1.09.
    assert contact_probability(50, base_rate=0.9, curve=curve) == pytest.approx(0.09 / 1.09)
    # At the reference the base rate itself, exactly; the end points stay put.
    assert contact_probability(5, base_rate=0.3, curve=curve) == 0.3
    assert contact_probability([0, 5, 1e4], base_rate=0.0, curve=curve).tolist() == [0.0] * 3
    assert contact_probability([0, 5, 1e4], base_rate=1.0, curve=curve).tolist() == [1.0] * 3


def test_contact_probability_where_the_multiplier_underflows() -> None:
    # 2^-(1e4 / 1) underflows to 0: probability 0, except a certain lead stays certain.
    curve = ExponentialDecay(half_life=1)
    assert curve.multiplier(1e4) == 0.0
    out = contact_probability(1e4, base_rate=np.array([0.0, 0.5, 1.0]), curve=curve)
    assert out.tolist() == [0.0, 0.0, 1.0]
    assert math.isnan(contact_probability(math.nan, base_rate=1.0, curve=curve))


# ---------------------------------------------------------------- containers


CURVES: list[DecayCurve] = [
    ExponentialDecay(half_life=20, reference=5),
    PowerLawDecay(exponent=1.5, reference=5),
    MIT2007_QUALIFY,
]


@pytest.mark.parametrize("curve", CURVES, ids=type)
def test_multiplier_container_kinds(curve: DecayCurve) -> None:
    assert type(curve.multiplier(7)) is float
    assert type(curve.multiplier(np.float32(7.0))) is float
    zero_d: Any = curve.multiplier(np.array(7.0))  # typed as an array, a float at run time
    assert type(zero_d) is float
    times = np.array([0.0, 5.0, math.nan, 60.0])
    before = times.copy()
    out = curve.multiplier(times)
    np.testing.assert_array_equal(times, before)
    assert out.dtype == np.float64
    assert not np.shares_memory(out, times)
    assert math.isnan(out[2])
    assert curve.multiplier([0, 5, 60]).tolist() == out[[0, 1, 3]].tolist()
    series = pd.Series([60.0, 5.0], index=["L9", "L2"], name="minutes")
    result = curve.multiplier(series)
    assert isinstance(result, pd.Series)
    assert result.index.equals(series.index)
    assert result["L2"] == 1.0
    assert curve.multiplier(pd.Series([5, None], dtype="Int64")).isna().tolist() == [False, True]
    assert curve.multiplier(np.empty(0)).shape == (0,)


@pytest.mark.parametrize("curve", CURVES, ids=type)
def test_multiplier_reads_durations(curve: DecayCurve) -> None:
    expected = curve.multiplier(90.0)
    for value in (
        pd.Timedelta("90min"),
        datetime.timedelta(hours=1, minutes=30),
        np.timedelta64(5400, "s"),
        np.timedelta64(90, "m"),
    ):
        result = curve.multiplier(value)
        assert type(result) is float
        assert result == pytest.approx(expected, rel=1e-15)
    array = np.array([90, 0, "NaT"], dtype="timedelta64[m]")
    np.testing.assert_allclose(curve.multiplier(array), [expected, curve.multiplier(0), math.nan])
    index = pd.to_timedelta(["90min", None])
    assert isinstance(curve.multiplier(index), np.ndarray)
    series = pd.Series(index, index=["a", "b"])
    on_index = curve.multiplier(series)
    assert on_index.index.equals(series.index)
    assert on_index["a"] == pytest.approx(expected)
    assert math.isnan(on_index["b"])
    mixed: Any = [pd.Timedelta("90min"), pd.NaT, datetime.timedelta(minutes=90)]
    listed = curve.multiplier(mixed)
    np.testing.assert_allclose(listed, [expected, math.nan, expected])
    assert math.isnan(curve.multiplier(pd.NaT))


def test_contact_probability_container_kinds() -> None:
    curve = PowerLawDecay(exponent=1, reference=5)
    minutes = pd.Series([5.0, 10.0], index=["b", "a"])
    rates = pd.Series([0.4, 0.5], index=["b", "a"])
    out = contact_probability(minutes, base_rate=rates, curve=curve)
    assert out.index.equals(minutes.index)
    np.testing.assert_allclose(out.to_numpy(), [0.4, 1 / 3])
    durations = pd.Series(pd.to_timedelta(["5min", "10min"]), index=["b", "a"])
    pd.testing.assert_series_equal(
        contact_probability(durations, base_rate=rates, curve=curve), out
    )
    with pytest.raises(IndexMismatchError, match="response_time and base_rate"):
        contact_probability(minutes, base_rate=rates.sort_index(), curve=curve)
    array = contact_probability(np.array([5.0, 10.0]), base_rate=0.5, curve=curve)
    assert isinstance(array, np.ndarray)
    np.testing.assert_allclose(array, [0.5, 1 / 3])
    broadcast = contact_probability(10, base_rate=[0.0, 0.5, 1.0], curve=curve)
    np.testing.assert_allclose(broadcast, [0.0, 1 / 3, 1.0])


# ---------------------------------------------------------------- properties


@st.composite
def exponential_curves(draw: st.DrawFn) -> ExponentialDecay:
    half_life = draw(st.one_of(st.floats(0.1, 1e4), st.just(math.inf)))
    reference = draw(st.floats(0.0, min(1e3, 500 * half_life)))
    return ExponentialDecay(half_life=half_life, reference=reference)


@st.composite
def power_curves(draw: st.DrawFn) -> PowerLawDecay:
    floor = draw(st.floats(0.01, 60.0))
    ceiling = draw(st.one_of(st.just(math.inf), st.floats(floor, 1e4)))
    return PowerLawDecay(
        exponent=draw(st.floats(0.0, 5.0)),
        reference=draw(st.floats(0.0, 1e3)),
        floor=floor,
        ceiling=ceiling,
    )


@st.composite
def piecewise_curves(draw: st.DrawFn) -> PiecewiseDecay:
    times = draw(st.lists(st.floats(0.0, 1e4), min_size=2, max_size=6, unique=True))
    values = draw(st.lists(st.floats(1e-3, 1e3), min_size=len(times), max_size=len(times)))
    reference = draw(st.one_of(st.sampled_from(times), st.floats(0.0, 1e4)))
    return PiecewiseDecay(
        times=sorted(times), multipliers=sorted(values, reverse=True), reference=reference
    )


curves = st.one_of(exponential_curves(), power_curves(), piecewise_curves())
times = sst.hours()  # minutes from 0 to 10^4, about a week


@given(curve=curves, minutes=st.lists(times, min_size=1, max_size=20))
def test_multiplier_is_one_at_the_reference_and_never_rises(
    curve: DecayCurve, minutes: list[float]
) -> None:
    assert curve.multiplier(curve.reference) == 1.0
    ordered = np.sort(np.array([*minutes, curve.reference]))
    values = curve.multiplier(ordered)
    assert np.all(np.diff(values) <= 0.0)
    assert np.all(values >= 0.0)
    assert np.all(np.isfinite(values))
    # Before the reference at least 1, after it at most 1.
    assert np.all(values[ordered <= curve.reference] >= 1.0)
    assert np.all(values[ordered >= curve.reference] <= 1.0)


@given(curve=st.one_of(exponential_curves(), power_curves()))
def test_odds_vanish_far_out_unless_flat_or_held(curve: DecayCurve) -> None:
    far = curve.multiplier(1e300)
    if isinstance(curve, ExponentialDecay):
        # 1e300 minutes is more than 1e296 half-lives: 2^-(that) underflows to 0.
        assert far == (1.0 if curve.half_life == math.inf else 0.0)
    elif isinstance(curve, PowerLawDecay):
        if curve.exponent == 0.0:
            assert far == 1.0
        elif curve.ceiling < math.inf:
            assert far == curve.multiplier(curve.ceiling)
        elif curve.exponent >= 0.5:
            # (1e300 / at most 1e3)^-0.5 < 1e-148.
            assert far < 1e-100


@given(curve=curves, minutes=st.lists(times, min_size=1, max_size=20))
def test_vectorised_equals_a_loop_over_scalars(curve: DecayCurve, minutes: list[float]) -> None:
    expected = [curve.multiplier(m) for m in minutes]
    assert all(type(value) is float for value in expected)
    np.testing.assert_array_equal(curve.multiplier(np.array(minutes)), expected)
    rates = np.linspace(0.0, 1.0, len(minutes))
    loop = [
        contact_probability(m, base_rate=float(b), curve=curve)
        for m, b in zip(minutes, rates, strict=True)
    ]
    np.testing.assert_array_equal(contact_probability(minutes, base_rate=rates, curve=curve), loop)


@given(curve=curves, milliseconds=st.lists(st.integers(0, 10**4 * 60_000), min_size=1, max_size=10))
def test_durations_equal_minutes(curve: DecayCurve, milliseconds: list[int]) -> None:
    minutes = np.array(milliseconds, dtype=np.float64) / 60_000.0
    expected = curve.multiplier(minutes)
    as_index = pd.to_timedelta(milliseconds, unit="ms")
    variants: list[Any] = [
        as_index,
        pd.Series(as_index),
        as_index.to_numpy(),
        np.array(milliseconds, dtype="timedelta64[ms]"),
        [datetime.timedelta(milliseconds=ms) for ms in milliseconds],
    ]
    for variant in variants:
        result = curve.multiplier(variant)
        values = result.to_numpy() if isinstance(result, pd.Series) else result
        np.testing.assert_allclose(values, expected, rtol=1e-12)
    scalar = curve.multiplier(pd.Timedelta(milliseconds=milliseconds[0]))
    assert scalar == pytest.approx(float(expected[0]), rel=1e-12)


@given(
    curve=curves,
    minutes=st.lists(times, min_size=2, max_size=2),
    rates=st.lists(sst.probabilities(), min_size=2, max_size=2),
)
def test_contact_probability_bounds_and_monotonicity(
    curve: DecayCurve, minutes: list[float], rates: list[float]
) -> None:
    early, late = sorted(minutes)
    low, high = sorted(rates)
    grid = contact_probability(
        np.array([early, late, early, late]),
        base_rate=np.array([low, low, high, high]),
        curve=curve,
    )
    assert np.all((grid >= 0.0) & (grid <= 1.0))
    # Non-increasing in time, exactly.
    assert grid[0] >= grid[1]
    assert grid[2] >= grid[3]
    # Non-decreasing in the base rate, up to rounding.
    assert grid[2] >= grid[0] * (1 - 1e-15)
    assert grid[3] >= grid[1] * (1 - 1e-15)
    # The base rate at the reference; 0 and 1 are kept everywhere.
    assert contact_probability(curve.reference, base_rate=low, curve=curve) == low
    assert contact_probability(late, base_rate=0.0, curve=curve) == 0.0
    assert contact_probability(late, base_rate=1.0, curve=curve) == 1.0


@settings(max_examples=200)
@given(curve=curves, minute=times, rate=sst.probabilities())
def test_contact_probability_round_trips_through_the_odds(
    curve: DecayCurve, minute: float, rate: float
) -> None:
    # odds(p) / odds(b) = m(t) wherever both odds are finite and non-zero.
    p = contact_probability(minute, base_rate=rate, curve=curve)
    m = curve.multiplier(minute)
    if 0.0 < rate < 1.0 and m > 1e-300 and 0.0 < p < 1.0:
        ratio = (p / (1 - p)) / (rate / (1 - rate))
        # 1 − p and 1 − b are exact to about 1e-16 absolute, so the odds are exact to
        # about 1e-16 / min(p, 1 − p) relative.
        rel = 1e-12 + 1e-15 / min(p, 1 - p) + 1e-15 / min(rate, 1 - rate)
        assert ratio == pytest.approx(m, rel=rel)


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("kind", "fields", "message"),
    [
        (ExponentialDecay, {"half_life": 0}, "half_life must be a finite number of minutes > 0"),
        (
            ExponentialDecay,
            {"half_life": -5},
            "half_life must be a finite number of minutes > 0",
        ),
        (ExponentialDecay, {"half_life": math.nan}, "half_life must be a finite number"),
        (ExponentialDecay, {"half_life": "30"}, "half_life must be a number of minutes or a"),
        (ExponentialDecay, {"half_life": True}, "half_life must be a number of minutes or a"),
        (ExponentialDecay, {"half_life": pd.NaT}, "half_life must be a duration"),
        (
            ExponentialDecay,
            {"half_life": 30, "reference": -1},
            "reference must be a finite number of minutes >= 0",
        ),
        (ExponentialDecay, {"half_life": 1, "reference": 1e6}, "would overflow"),
        (PowerLawDecay, {"exponent": -1}, "exponent must be a finite number >= 0"),
        (PowerLawDecay, {"exponent": math.inf}, "exponent must be a finite number >= 0"),
        (PowerLawDecay, {"exponent": "2"}, "exponent must be a number"),
        (
            PowerLawDecay,
            {"exponent": 1, "floor": 0},
            "floor must be a finite number of minutes > 0",
        ),
        (PowerLawDecay, {"exponent": 1, "floor": math.inf}, "floor must be a finite number"),
        (PowerLawDecay, {"exponent": 1, "floor": 5, "ceiling": 2}, "ceiling must be >= floor"),
        (
            PowerLawDecay,
            {"exponent": 500, "reference": 1e6, "floor": 1e-3},
            "would overflow",
        ),
        (PiecewiseDecay, {"times": [5], "multipliers": [1]}, "at least two knots"),
        (PiecewiseDecay, {"times": [5, 5], "multipliers": [1, 1]}, "strictly increasing"),
        (PiecewiseDecay, {"times": [10, 5], "multipliers": [1, 1]}, "strictly increasing"),
        (PiecewiseDecay, {"times": [5, 10], "multipliers": [1, 2]}, "non-increasing"),
        (PiecewiseDecay, {"times": [5, 10], "multipliers": [1, 0]}, "finite numbers > 0"),
        (PiecewiseDecay, {"times": [5, 10], "multipliers": [1, True]}, "must hold numbers"),
        (PiecewiseDecay, {"times": [5, 10], "multipliers": [1]}, "equal lengths"),
        (PiecewiseDecay, {"times": "5, 10", "multipliers": [1, 1]}, "times must be a sequence"),
        (PiecewiseDecay, {"times": [5, 10], "multipliers": 1}, "multipliers must be a sequence"),
        (
            PiecewiseDecay,
            {"times": [-1, 5], "multipliers": [1, 1]},
            "times must be a finite number of minutes >= 0",
        ),
        (PiecewiseDecay, {"times": [0, 5], "multipliers": [1e300, 1e-300]}, "would overflow"),
        (
            PiecewiseDecay,
            {"times": [0, 5], "multipliers": [2, 1], "reference": -3},
            "reference must be a finite number of minutes >= 0",
        ),
    ],
)
def test_invalid_curves_cannot_exist(
    kind: Callable[..., object], fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        kind(**fields)


def test_durations_are_accepted_for_fields() -> None:
    curve = ExponentialDecay(half_life=pd.Timedelta("1h"), reference=np.timedelta64(5, "m"))
    assert (curve.half_life, curve.reference) == (60.0, 5.0)
    knots = PiecewiseDecay(times=[datetime.timedelta(0), pd.Timedelta("2h")], multipliers=[2, 1])
    assert knots.times == (0.0, 120.0)
    assert PowerLawDecay(exponent=1, floor=datetime.timedelta(seconds=30)).floor == 0.5
    assert curve == ExponentialDecay(half_life=60, reference=5)
    assert hash(curve) == hash(ExponentialDecay(half_life=60, reference=5))
    with pytest.raises(InvalidInputError, match="reference must be a finite number of minutes"):
        attrs.evolve(curve, reference=pd.Timedelta("-1min"))


@pytest.mark.parametrize(
    ("response_time", "message"),
    [
        (-1.0, "response_time must be a finite number of minutes >= 0"),
        (math.inf, "response_time must be a finite number of minutes >= 0"),
        ([1.0, -2.0, -3.0], r"2 of 3 values are not \(0-based positions: \[1\] -2.0, \[2\] -3.0"),
        (pd.Timedelta("-5min"), "response_time must be a finite number of minutes >= 0"),
        ("5", "response_time must be a number"),
        ([True, False], "response_time must hold numbers"),
        (pd.Timestamp("2026-01-01"), "not timestamps; subtract"),
        (np.array(["2026-01-01"], dtype="datetime64[D]"), "not timestamps"),
        (pd.Series(pd.to_datetime(["2026-01-01"])), "not timestamps"),
        (np.timedelta64(5), "without a unit"),
        (np.array([1], dtype="timedelta64[M]"), "in months"),
        ([pd.Timedelta("1min"), 5.0], "mixes durations and other values"),
        (np.ones((2, 2)), "one-dimensional"),
    ],
)
def test_multiplier_rejects(response_time: Any, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        MIT2007_QUALIFY.multiplier(response_time)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"base_rate": 1.5}, r"base_rate must be a fraction in \[0, 1\]"),
        ({"base_rate": 40.0}, "look like percentages"),
        ({"base_rate": [0.5, -0.1]}, r"base_rate must be a fraction in \[0, 1\]"),
        ({"base_rate": 0.5, "curve": "fast"}, "curve must be an ExponentialDecay"),
        ({"base_rate": [0.1, 0.2, 0.3]}, "response_time has 2 elements but base_rate has 3"),
    ],
)
def test_contact_probability_rejects(options: dict[str, Any], message: str) -> None:
    arguments = {"curve": MIT2007_CONTACT, **options}
    with pytest.raises(InvalidInputError, match=message):
        contact_probability([5.0, 10.0], **arguments)


# ------------------------------------------------ extreme and malformed input


@pytest.mark.parametrize(
    ("kind", "fields", "message"),
    [
        # np.timedelta64 is a NumPy integer: its count of hours must not pass for a number.
        (PowerLawDecay, {"exponent": np.timedelta64(1, "h")}, "exponent must be a number"),
        (PowerLawDecay, {"exponent": 10**400}, "exponent must be a number within float range"),
        (PowerLawDecay, {"exponent": 1j}, "exponent must be a number"),
        (
            PiecewiseDecay,
            {"times": [5, 10], "multipliers": [10**400, 1]},
            "multipliers must be a number within float range",
        ),
        (
            PiecewiseDecay,
            {"times": [5, 10], "multipliers": [Fraction(10**400, 3), 1]},
            "multipliers must be a number within float range",
        ),
        (PiecewiseDecay, {"times": np.array(5.0), "multipliers": [1, 1]}, "times must be"),
        (PiecewiseDecay, {"times": [5, 10], "multipliers": np.array(1.0)}, "multipliers must be"),
        (PiecewiseDecay, {"times": [[5], [10, 20]], "multipliers": [1, 1]}, "times must be"),
        (PiecewiseDecay, {"times": [5, 10], "multipliers": [[1], [1, 2]]}, "multipliers must"),
        (
            ExponentialDecay,
            {"half_life": Fraction(10**400, 3)},
            "half_life must be a number within float range",
        ),
    ],
)
def test_unreadable_fields_cannot_make_a_curve(
    kind: Callable[..., object], fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        kind(**fields)


def test_multipliers_at_extreme_times_under_errstate_raise() -> None:
    # By hand, exponent 2 with a floor of 4.9e-324: at 1e308 minutes the ratio
    # 1e308 / 4.9e-324 ≈ 2e631 overflows, and its power −2 (≈ 2.5e-1263) is 0 in floats.
    # Exponential, half-life 4.9e-324: 2**(−1e308 / 4.9e-324) is 0 as well.
    with np.errstate(all="raise"):
        power = PowerLawDecay(exponent=2, floor=5e-324)
        np.testing.assert_array_equal(power.multiplier([1e308, 5e-324]), [0.0, 1.0])
        assert ExponentialDecay(half_life=5e-324).multiplier([1e308])[0] == 0.0


def test_contact_probability_of_a_subnormal_base_rate_under_errstate_raise() -> None:
    # By hand: m(10) = (10 / 5)**−2 = 1/4, so p = b / (b + (1 − b) / m) with b = 4.9e-324
    # is 4.9e-324 / 4 ≈ 1.2e-324, which rounds to 0; at the reference p = b.
    curve = PowerLawDecay(exponent=2, reference=5)
    with np.errstate(all="raise"):
        np.testing.assert_array_equal(
            contact_probability([10.0, 5.0], base_rate=5e-324, curve=curve), [0.0, 5e-324]
        )
