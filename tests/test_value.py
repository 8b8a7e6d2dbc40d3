"""Tests of salescore.value: golden figures, properties, validation."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Literal

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import salescore
from salescore import InvalidInputError, SchemaError

from . import strategies as sst

# ----------------------------------------------------------------- golden figures


def test_clv_chartmogul_ltv() -> None:
    # ChartMogul's LTV = ARPA / churn: $100 ARPA with 5 % monthly churn → $2,000,
    # the first month's payment counted at once ("begin" timing).
    assert salescore.clv(100, 0.95, timing="begin") == pytest.approx(2000.0, rel=1e-12)


def test_clv_gupta_lehmann_infinite_horizon() -> None:
    # Gupta & Lehmann (2003): CLV = m r / (1 + i − r). By hand, m = 100, r = 0.8,
    # i = 0.12: 80 / 0.32 = 250.
    assert salescore.clv(100, 0.8, 0.12) == pytest.approx(250.0, rel=1e-12)


def test_clv_finite_horizon_by_hand() -> None:
    # m = 100, r = 0.9, d = 0.1, so q = 9/11, three periods:
    # end:   100 (9/11 + 81/121 + 729/1331) = 270,900 / 1,331 ≈ 203.531
    # begin: 100 (1 + 9/11 + 81/121)        =  30,100 / 121   ≈ 248.760
    end = Fraction(100) * (Fraction(9, 11) + Fraction(81, 121) + Fraction(729, 1331))
    begin = Fraction(100) * (1 + Fraction(9, 11) + Fraction(81, 121))
    assert end == Fraction(270_900, 1_331)
    assert begin == Fraction(30_100, 121)
    assert salescore.clv(100, 0.9, 0.1, periods=3) == pytest.approx(float(end), rel=1e-13)
    assert salescore.clv(100, 0.9, 0.1, periods=3, timing="begin") == pytest.approx(
        float(begin), rel=1e-13
    )


def test_clv_edge_cases_by_hand() -> None:
    # No retention: only the payment at acquisition ("begin") or nothing ("end").
    assert salescore.clv(100, 0.0) == 0.0
    assert salescore.clv(100, 0.0, timing="begin") == 100.0
    assert salescore.clv(100, 0.0, periods=5, timing="begin") == 100.0
    # r = 1, d = 0 over T periods: T margins.
    assert salescore.clv(100, 1.0, periods=7) == 700.0
    # r = 1 with discounting converges: m / d ("end"), m (1 + d) / d ("begin").
    assert salescore.clv(100, 1.0, 0.25) == pytest.approx(400.0)
    assert salescore.clv(100, 1.0, 0.25, timing="begin") == pytest.approx(500.0)
    # Zero periods: nothing is received.
    assert salescore.clv(100, 0.9, periods=0) == 0.0
    assert salescore.clv(-100, 0.9, periods=0, timing="begin") == 0.0


def test_expected_lifetime_by_hand() -> None:
    # 5 % churn a month → 1 / 0.05 = 20 months; 50 % → 2.
    assert salescore.expected_lifetime(0.95) == pytest.approx(20.0)
    assert salescore.expected_lifetime(0.5) == 2.0
    assert salescore.expected_lifetime(0.0) == 1.0


def test_time_salary_value_by_hand() -> None:
    # 40 h at 600 SEK/h = 24,000 SEK of selling time; a customer with a 30,000 SEK
    # yearly margin who stays 4 years is worth 120,000 SEK; profit 96,000 SEK.
    assert salescore.time_cost(40, 600) == 24_000.0
    assert salescore.customer_value(30_000, 4) == 120_000.0
    assert salescore.sale_profit(120_000, 40, 600) == 96_000.0


def test_ratios_by_hand() -> None:
    # 12,000 spend for 8 customers → 1,500 each; 1,500 / 125 a month → 12 months;
    # a 6,000 CLV is 4× a 1,500 CAC.
    assert salescore.acquisition_cost(12_000, 8) == 1_500.0
    assert salescore.cac_payback(1_500, 125) == 12.0
    assert salescore.clv_cac_ratio(6_000, 1_500) == 4.0


def test_zero_denominators_give_nan_without_warning() -> None:
    assert math.isnan(salescore.acquisition_cost(1_000, 0))
    assert math.isnan(salescore.clv_cac_ratio(1_000, 0))
    assert math.isnan(salescore.cac_payback(1_000, 0))
    assert math.isnan(salescore.cac_payback(1_000, -5))  # never paid back
    out = salescore.acquisition_cost(np.array([1_000.0, 0.0]), np.array([0.0, 0.0]))
    assert np.isnan(out).all()


# --------------------------------------------------------------------- properties


def _clv_loop(m: float, r: float, d: float, periods: int, begin: bool) -> float:
    """The definition, summed term by term."""
    start, stop = (0, periods) if begin else (1, periods + 1)
    return sum(m * r**t / (1 + d) ** t for t in range(start, stop))


@given(
    sst.money(max_value=1e6),
    sst.probabilities(),
    sst.discount_rates(),
    st.integers(0, 240),
    st.booleans(),
)
def test_clv_closed_form_equals_the_sum(
    m: float, r: float, d: float, periods: int, begin: bool
) -> None:
    timing: Literal["end", "begin"] = "begin" if begin else "end"
    expected = _clv_loop(m, r, d, periods, begin)
    assert salescore.clv(m, r, d, periods=periods, timing=timing) == pytest.approx(
        expected, rel=1e-9, abs=1e-9
    )


@given(
    sst.same_length(sst.money(max_value=1e6), sst.probabilities(), sst.discount_rates()),
    st.integers(0, 120),
    st.booleans(),
)
def test_clv_vectorised_equals_a_plain_loop(
    columns: tuple[list[float], ...], periods: int, begin: bool
) -> None:
    margins, retentions, rates = columns
    timing: Literal["end", "begin"] = "begin" if begin else "end"
    result = salescore.clv(
        np.array(margins), np.array(retentions), np.array(rates), periods=periods, timing=timing
    )
    expected = [
        _clv_loop(m, r, d, periods, begin)
        for m, r, d in zip(margins, retentions, rates, strict=True)
    ]
    np.testing.assert_allclose(result, expected, rtol=1e-9, atol=1e-9)


horizons = st.one_of(st.none(), st.integers(0, 240))
timings = st.sampled_from(["end", "begin"])


@given(
    sst.nonnegative_money(),
    sst.retentions(),
    sst.retentions(),
    sst.discount_rates(),
    horizons,
    timings,
)
def test_clv_increases_with_retention(
    m: float, r1: float, r2: float, d: float, periods: int | None, timing: Any
) -> None:
    low, high = sorted((r1, r2))
    before = salescore.clv(m, low, d, periods=periods, timing=timing)
    after = salescore.clv(m, high, d, periods=periods, timing=timing)
    assert before <= after * (1 + 1e-12)


@given(
    sst.nonnegative_money(),
    sst.retentions(),
    sst.discount_rates(),
    sst.discount_rates(),
    horizons,
    timings,
)
def test_clv_decreases_with_discount_rate(
    m: float, r: float, d1: float, d2: float, periods: int | None, timing: Any
) -> None:
    low, high = sorted((d1, d2))
    cheaper = salescore.clv(m, r, high, periods=periods, timing=timing)
    dearer = salescore.clv(m, r, low, periods=periods, timing=timing)
    assert cheaper <= dearer * (1 + 1e-12)


@given(sst.money(), sst.money(), sst.retentions(), sst.discount_rates(), horizons, timings)
def test_clv_increases_with_margin(
    m1: float, m2: float, r: float, d: float, periods: int | None, timing: Any
) -> None:
    low, high = sorted((m1, m2))
    before = salescore.clv(low, r, d, periods=periods, timing=timing)
    assert before <= salescore.clv(high, r, d, periods=periods, timing=timing)


@given(
    sst.money(max_value=1e6),
    st.floats(-1e3, 1e3, allow_subnormal=False),
    sst.retentions(),
    sst.discount_rates(),
    st.one_of(st.none(), st.integers(0, 100)),
)
def test_clv_is_linear_in_margin(
    m: float, k: float, r: float, d: float, periods: int | None
) -> None:
    scaled = salescore.clv(k * m, r, d, periods=periods)
    assert scaled == pytest.approx(k * salescore.clv(m, r, d, periods=periods), rel=1e-9, abs=1e-6)


@given(
    sst.nonnegative_money(max_value=1e6),
    sst.retentions(),
    sst.discount_rates(),
    st.integers(0, 500),
)
def test_finite_horizon_never_exceeds_infinite_and_tail_is_geometric(
    m: float, r: float, d: float, periods: int
) -> None:
    infinite = salescore.clv(m, r, d)
    finite = salescore.clv(m, r, d, periods=periods)
    longer = salescore.clv(m, r, d, periods=periods + 1)
    assert finite <= infinite * (1 + 1e-12)
    assert finite <= longer * (1 + 1e-12)
    # What the horizon leaves out is the infinite value discounted by q^T.
    q = r / (1 + d)
    assert infinite - finite == pytest.approx(infinite * q**periods, rel=1e-7, abs=1e-6)


def test_finite_horizon_converges_to_infinite() -> None:
    gaps = [
        abs(salescore.clv(100, 0.95, 0.01, periods=t) - salescore.clv(100, 0.95, 0.01))
        for t in (10, 100, 1_000, 10_000)
    ]
    assert gaps == sorted(gaps, reverse=True)
    assert gaps[-1] < 1e-9


@given(
    sst.money(max_value=1e6),
    st.floats(1e-6, 1.0),
    sst.discount_rates(),
    st.one_of(st.none(), st.integers(0, 100)),
)
def test_begin_is_end_times_one_plus_d_over_r(
    m: float, r: float, d: float, periods: int | None
) -> None:
    assume(periods is not None or r < 1.0 or d > 0.0)
    end = salescore.clv(m, r, d, periods=periods)
    begin = salescore.clv(m, r, d, periods=periods, timing="begin")
    assert begin == pytest.approx(end * (1 + d) / r, rel=1e-9, abs=1e-6)


@given(sst.money(max_value=1e6), sst.retentions())
def test_value_over_expected_lifetime_is_undiscounted_begin_clv(m: float, r: float) -> None:
    value = salescore.customer_value(m, salescore.expected_lifetime(r))
    assert value == pytest.approx(salescore.clv(m, r, timing="begin"), rel=1e-12, abs=1e-9)


@given(sst.retentions())
def test_expected_lifetime_is_at_least_one_and_increasing(r: float) -> None:
    lifetime = salescore.expected_lifetime(r)
    assert lifetime >= 1.0
    assert salescore.expected_lifetime(min(r + 1e-3, 0.999)) >= lifetime


@given(sst.money(), sst.hours(), sst.nonnegative_money(max_value=1e4))
def test_sale_profit_is_value_less_time_cost(v: float, h: float, c: float) -> None:
    assert salescore.sale_profit(v, h, c) == pytest.approx(
        v - salescore.time_cost(h, c), rel=1e-12, abs=1e-6
    )
    assert salescore.time_cost(h, c) >= 0.0


@given(sst.nonnegative_money(), st.integers(1, 10_000))
def test_cac_times_customers_is_spend(spend: float, n: int) -> None:
    assert salescore.acquisition_cost(spend, n) * n == pytest.approx(spend, rel=1e-12)


@given(sst.money(), st.floats(1e-2, 1e9))
def test_ratio_and_payback_invert(value: float, cost: float) -> None:
    assert salescore.clv_cac_ratio(value, cost) * cost == pytest.approx(value, rel=1e-12, abs=1e-9)
    if value > 0:
        assert salescore.cac_payback(cost, value) * value == pytest.approx(cost, rel=1e-12)


# --------------------------------------------------------------------- validation


def _bad(value: object) -> Any:
    """A value of the wrong type, passed on purpose."""
    return value


BAD_INPUT = [
    (lambda: salescore.clv(100, 1.5), r"retention must be a fraction in \[0, 1\]; got 1.5"),
    (lambda: salescore.clv(100, -0.1), r"retention .* got -0.1"),
    (
        lambda: salescore.clv(100, 0.9, -0.05),
        r"discount_rate must be a finite number >= 0; got -0.05",
    ),
    (
        lambda: salescore.clv(100, 0.9, periods=_bad(2.5)),
        r"periods must be a non-negative integer; got float 2.5",
    ),
    (
        lambda: salescore.clv(100, 0.9, periods=-1),
        r"periods must be a non-negative integer; got -1",
    ),
    (lambda: salescore.clv(100, 0.9, periods=_bad(True)), r"periods .* got True"),
    (
        lambda: salescore.clv(100, 0.9, timing=_bad("middle")),
        r"timing must be one of 'end', 'begin'; got 'middle'",
    ),
    (lambda: salescore.clv(100, 1.0), r"diverges where retention == 1 and discount_rate == 0"),
    (lambda: salescore.clv(_bad(True), 0.9), r"margin must be a number; got the boolean True"),
    (lambda: salescore.clv(_bad("100"), 0.9), r"margin must be a number, .*got str"),
    (lambda: salescore.expected_lifetime(1.0), r"retention must be a fraction in \[0, 1\)"),
    (lambda: salescore.customer_value(100, -1), r"lifetime must be a finite number >= 0; got -1.0"),
    (lambda: salescore.acquisition_cost(-1, 3), r"spend must be a finite number >= 0; got -1.0"),
    (
        lambda: salescore.acquisition_cost(1, -3),
        r"new_customers must be a finite number >= 0; got -3.0",
    ),
    (lambda: salescore.time_cost(-2, 50), r"hours must be a finite number >= 0"),
    (lambda: salescore.time_cost(2, -50), r"hourly_cost must be a finite number >= 0"),
    (lambda: salescore.sale_profit(100, -2, 50), r"hours must be a finite number >= 0"),
    (lambda: salescore.clv_cac_ratio(100, -5), r"cac must be a finite number >= 0; got -5.0"),
    (lambda: salescore.cac_payback(-5, 100), r"cac must be a finite number >= 0; got -5.0"),
    (lambda: salescore.clv(math.inf, 0.9), r"margin must be finite; got inf"),
    (
        lambda: salescore.clv(100, 0.9, math.inf),
        r"discount_rate must be a finite number >= 0; got inf",
    ),
    (lambda: salescore.clv(100, 0.9, periods=2**60), r"periods must be at most 2\*\*53"),
    (lambda: salescore.clv(10**400, 0.9), r"margin must be a number within float range"),
    (lambda: salescore.customer_value(-math.inf, 2), r"margin must be finite; got -inf"),
    (lambda: salescore.sale_profit(math.inf, 1, 1), r"value must be finite; got inf"),
    (lambda: salescore.clv_cac_ratio(math.inf, 1), r"clv must be finite; got inf"),
    (lambda: salescore.cac_payback(1, math.inf), r"margin must be finite; got inf"),
    (
        lambda: salescore.time_cost(_bad(np.timedelta64(2, "h")), 50),
        r"hours must be a plain number; got timedelta64",
    ),
]


@pytest.mark.parametrize(
    ("call", "message"),
    BAD_INPUT,
    ids=[f"{i:02d}-{message.split()[0]}" for i, (_, message) in enumerate(BAD_INPUT)],
)
def test_bad_input_is_named(call: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        call()  # type: ignore[operator]


def test_array_errors_count_and_locate_bad_values() -> None:
    retention = np.array([0.5, 1.2, 0.7, -0.1, np.nan])
    with pytest.raises(InvalidInputError) as caught:
        salescore.clv(100.0, retention)
    text = str(caught.value)
    assert "retention must be a fraction in [0, 1]" in text
    assert "2 of 5 values" in text
    assert "[1] 1.2" in text
    assert "[3] -0.1" in text


def test_divergence_in_arrays_names_positions() -> None:
    with pytest.raises(InvalidInputError, match=r"1 of 3 elements; 0-based positions: 2"):
        salescore.clv(np.array([1.0, 2.0, 3.0]), np.array([0.5, 0.9, 1.0]))
    # With a horizon, or a discount, the same input is fine.
    assert salescore.clv(np.array([1.0]), np.array([1.0]), periods=4)[0] == 4.0
    assert np.isfinite(salescore.clv(np.array([1.0]), np.array([1.0]), 0.1)).all()


def test_nan_retention_is_not_mistaken_for_divergence() -> None:
    result = salescore.clv(np.array([1.0, 1.0]), np.array([np.nan, 0.5]))
    assert np.isnan(result[0])
    assert result[1] == 1.0


# ------------------------------------------------------------------ UnitEconomics


def test_unit_economics_by_hand() -> None:
    unit = salescore.UnitEconomics(
        margin=100.0, retention=0.95, discount_rate=0.01, acquisition_cost=800.0
    )
    # By hand: CLV = 100 · 0.95 / (1.01 − 0.95) = 95 / 0.06 = 1,583.33…;
    # lifetime 1 / 0.05 = 20; CLV:CAC = 1,583.33 / 800 = 1.979…; payback 800 / 100 = 8.
    assert unit.clv == pytest.approx(95 / 0.06, rel=1e-12)
    assert unit.expected_lifetime == pytest.approx(20.0, rel=1e-12)
    assert unit.clv_cac_ratio == pytest.approx(95 / 0.06 / 800, rel=1e-12)
    assert unit.payback == 8.0
    assert unit.timing == "end"
    begin = attrs.evolve(unit, timing="begin")
    # "begin" = "end" · (1 + d) / r = 1,583.33 · 1.01 / 0.95 = 101 / 0.06.
    assert begin.clv == pytest.approx(101 / 0.06, rel=1e-12)


def test_unit_economics_without_cost_has_nan_ratios_and_equals_itself() -> None:
    unit = salescore.UnitEconomics(margin=100, retention=0.9)
    assert isinstance(unit.margin, float)
    assert unit.acquisition_cost is None
    assert math.isnan(unit.clv_cac_ratio)
    assert math.isnan(unit.payback)
    assert unit == attrs.evolve(unit)
    assert len({unit, attrs.evolve(unit)}) == 1


def test_unit_economics_normalises_numbers() -> None:
    unit = salescore.UnitEconomics(
        margin=np.int64(100), retention=Fraction(9, 10), timing=np.str_("begin")
    )
    assert type(unit.margin) is float
    assert unit.retention == 0.9
    assert type(unit.timing) is str


def test_unit_economics_is_frozen_and_evolves() -> None:
    unit = salescore.UnitEconomics(margin=100.0, retention=0.9, timing="begin")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        unit.margin = 5.0  # type: ignore[misc]
    changed = attrs.evolve(unit, retention=0.95)
    assert changed.clv == pytest.approx(2000.0)
    assert unit.clv == pytest.approx(1000.0)
    with pytest.raises(InvalidInputError, match="retention"):
        attrs.evolve(unit, retention=1.0)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"margin": math.nan, "retention": 0.9}, r"margin must be finite; got nan"),
        ({"margin": math.inf, "retention": 0.9}, r"margin must be finite; got inf"),
        ({"margin": 1.0, "retention": math.nan}, r"retention must be in \[0, 1\); got nan"),
        ({"margin": "100", "retention": 0.9}, r"margin must be a number; got str"),
        ({"margin": 100.0, "retention": True}, r"retention must be a number; got bool"),
        ({"margin": 100.0, "retention": 1.0}, r"retention must be in \[0, 1\); got 1.0"),
        (
            {"margin": 100.0, "retention": 0.9, "discount_rate": -0.1},
            r"discount_rate must be a finite number >= 0; got -0.1",
        ),
        (
            {"margin": 100.0, "retention": 0.9, "acquisition_cost": math.inf},
            r"acquisition_cost must be a finite number >= 0; got inf",
        ),
        (
            {"margin": 100.0, "retention": 0.9, "acquisition_cost": -1.0},
            r"acquisition_cost must be a finite number >= 0; got -1.0",
        ),
        ({"margin": 100.0, "retention": 0.9, "timing": "later"}, r"timing must be one of"),
    ],
)
def test_unit_economics_refuses_invalid_fields(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        salescore.UnitEconomics(**fields)


def test_unit_economics_is_keyword_only() -> None:
    with pytest.raises(TypeError):
        salescore.UnitEconomics(100.0, 0.9)  # type: ignore[call-arg]


# ---------------------------------------------------------- profitability_by_source


def _last_customers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": ["cold", "referral", "existing", "cold", "referral"],
            "value": [9_000.0, 8_000.0, 6_000.0, 7_000.0, 9_000.0],
            "hours": [60.0, 10.0, 4.0, 40.0, 6.0],
        },
        index=pd.Index([101, 102, 103, 104, 105], name="customer_id"),
    )


def test_profitability_by_source_by_hand() -> None:
    table = salescore.profitability_by_source(_last_customers(), hourly_cost=50.0)
    # By hand at 50/h: referral (8000 − 500 + 9000 − 300) / 2 = 8,100;
    # existing 6000 − 200 = 5,800; cold (9000 − 3000 + 7000 − 2000) / 2 = 5,500.
    assert list(table.index) == ["referral", "existing", "cold"]
    assert table.index.name == "source"
    assert table["customers"].tolist() == [2, 1, 2]
    assert table["mean_profit"].tolist() == [8_100.0, 5_800.0, 5_500.0]
    assert table["total_profit"].tolist() == [16_200.0, 5_800.0, 11_000.0]
    assert table["mean_time_cost"].tolist() == [400.0, 200.0, 2_500.0]
    assert table["total_value"].tolist() == [17_000.0, 6_000.0, 16_000.0]
    assert table["mean_hours"].tolist() == [8.0, 4.0, 50.0]


def test_profitability_by_source_takes_a_cost_column_and_other_names() -> None:
    customers = _last_customers().rename(columns={"source": "LeadSource", "value": "Amount"})
    customers["rate"] = [50.0, 50.0, 50.0, 100.0, 50.0]
    table = salescore.profitability_by_source(
        customers, source="LeadSource", value="Amount", hourly_cost="rate"
    )
    # cold: (9000 − 60·50 + 7000 − 40·100) / 2 = 4,500.
    assert table.loc["cold", "mean_profit"] == 4_500.0
    assert table.index.name == "LeadSource"


def test_profitability_by_source_keeps_every_row_and_propagates_nan() -> None:
    customers = _last_customers()
    customers.loc[104, "hours"] = np.nan
    customers.loc[105, "source"] = None
    table = salescore.profitability_by_source(customers, hourly_cost=50.0)
    assert table["customers"].sum() == len(customers)
    assert table["mean_profit"].isna()["cold"]
    assert table["customers"][table.index.isna()].tolist() == [1]


def test_profitability_by_source_schema_errors_list_everything() -> None:
    with pytest.raises(SchemaError, match=r"missing columns 'value', 'hours'"):
        salescore.profitability_by_source(pd.DataFrame({"source": ["a"]}), hourly_cost=1.0)
    bad = _last_customers().assign(hours=["a", "b", "c", "d", "e"])
    with pytest.raises(SchemaError, match=r"'hours' has dtype"):
        salescore.profitability_by_source(bad, hourly_cost=1.0)
    with pytest.raises(SchemaError, match=r"missing column 'rate'"):
        salescore.profitability_by_source(_last_customers(), hourly_cost="rate")
    with pytest.raises(InvalidInputError, match="hourly_cost must be a finite number >= 0"):
        salescore.profitability_by_source(_last_customers(), hourly_cost=-5.0)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["cold", "referral", "existing"]), sst.money(max_value=1e6), sst.hours()
        ),
        min_size=1,
        max_size=30,
    ),
    st.floats(0.0, 1e3, allow_subnormal=False),
)
def test_profitability_by_source_equals_a_plain_loop(
    rows: list[tuple[str, float, float]], rate: float
) -> None:
    customers = pd.DataFrame(rows, columns=["source", "value", "hours"])
    table = salescore.profitability_by_source(customers, hourly_cost=rate)
    assert table["customers"].sum() == len(rows)
    assert table["mean_profit"].is_monotonic_decreasing
    for name in table.index:
        mine = [(v, h) for s, v, h in rows if s == name]
        profits = [v - h * rate for v, h in mine]
        assert table.loc[name, "customers"] == len(mine)
        assert table.loc[name, "total_profit"] == pytest.approx(sum(profits), rel=1e-9, abs=1e-6)
        assert table.loc[name, "mean_value"] == pytest.approx(
            sum(v for v, _ in mine) / len(mine), rel=1e-9, abs=1e-6
        )
    # Sum of parts: the sources' totals add up to the whole book.
    assert table["total_profit"].sum() == pytest.approx(
        sum(v - h * rate for _, v, h in rows), rel=1e-9, abs=1e-3
    )


def test_profitability_by_source_output_dtypes_do_not_follow_input_dtypes() -> None:
    customers = pd.DataFrame(
        {
            "source": pd.Categorical(
                ["cold", "referral"], categories=["cold", "referral", "partner"]
            ),
            "value": pd.array([9_000, None], dtype="Int64"),
            "hours": np.array([60, 10], dtype=np.int64),
        }
    )
    table = salescore.profitability_by_source(customers, hourly_cost=50)
    # The unused category "partner" has no customers and gets no row.
    assert sorted(table.index.astype(str)) == ["cold", "referral"]
    assert table["customers"].dtype == np.int64
    for column in table.columns.drop("customers"):
        assert table[column].dtype == np.float64, column
    assert table.loc["cold", "mean_profit"] == 6_000.0  # 9000 − 60 · 50
    assert table["mean_profit"].isna()["referral"]  # the missing value propagates


def test_profitability_by_source_on_an_empty_frame() -> None:
    empty = pd.DataFrame({"source": pd.Series([], dtype=object), "value": [], "hours": []})
    table = salescore.profitability_by_source(empty, hourly_cost=50.0)
    assert table.empty
    assert "mean_profit" in table.columns


def test_profitability_by_source_refuses_ambiguous_input() -> None:
    doubled = pd.concat([_last_customers(), _last_customers()[["hours"]]], axis=1)
    with pytest.raises(SchemaError, match="more than one column is named 'hours'"):
        salescore.profitability_by_source(doubled, hourly_cost=50.0)
    with pytest.raises(InvalidInputError, match="hourly_cost must be a number; got list"):
        salescore.profitability_by_source(_last_customers(), hourly_cost=_bad([50.0] * 5))


# ------------------------------------------------ extreme magnitudes and odd numbers


@pytest.mark.parametrize(
    ("call", "name"),
    [
        # 12,000 / 4.9e-324 ≈ 2.4e327, beyond the largest float (about 1.8e308).
        (lambda: salescore.acquisition_cost(12_000, 5e-324), "cost per customer"),
        (lambda: salescore.acquisition_cost([12_000.0, 1.0], [5e-324, 1.0]), "cost per customer"),
        # 2,000 / 4.9e-324 ≈ 4e326 and 1,500 / 4.9e-324 ≈ 3e326.
        (lambda: salescore.clv_cac_ratio(2_000, 5e-324), "clv / cac"),
        (lambda: salescore.cac_payback(1_500, 5e-324), "cac / margin"),
        # 1e308 × 3.5 = 3.5e308 and 1e308 × 55 = 5.5e309.
        (lambda: salescore.customer_value(1e308, 3.5), "margin × lifetime"),
        (lambda: salescore.time_cost(1e308, 55), "hours × hourly_cost"),
        (lambda: salescore.sale_profit(7_000, [40.0, 1e308], 55), "hours × hourly_cost"),
        # 1e308 · 0.9 / (1.01 − 0.9) ≈ 8.2e308.
        (lambda: salescore.clv(1e308, 0.9, 0.01), "lifetime value"),
        (lambda: salescore.clv(np.array([1e308, 1.0]), 0.9, 0.01), "lifetime value"),
    ],
    ids=[
        "cac",
        "cac-array",
        "clv-cac-ratio",
        "payback",
        "customer-value",
        "time-cost",
        "sale-profit",
        "clv",
        "clv-array",
    ],
)
def test_results_beyond_float_range_are_refused(call: Any, name: str) -> None:
    with pytest.raises(InvalidInputError, match=rf"{name}.*float range"):
        call()


def test_subnormal_inputs_pass_under_errstate_raise() -> None:
    # By hand: the smallest subnormal (4.9e-324) divided by 8 or times 0.25 rounds to 0,
    # and 5e-324 × 10 = 4.9e-323 is exact; a caller's errstate(all="raise") must not
    # turn the underflow into a FloatingPointError.
    with np.errstate(all="raise"):
        np.testing.assert_array_equal(salescore.acquisition_cost([5e-324, 8.0], 8), [0.0, 1.0])
        np.testing.assert_array_equal(salescore.time_cost([5e-324, 1.0], 0.25), [0.0, 0.25])
        np.testing.assert_array_equal(salescore.customer_value([5e-324], [10.0]), [5e-323])
        # m r / (1 + d − r) with m = 8 · 4.9e-324 (exact), r = 0.5, d = 0: m · 0.5 / 0.5 = m,
        # on the array path as on the scalar one.
        tiny = 8 * 5e-324
        assert salescore.clv(np.array([tiny]), 0.5)[0] == tiny
        assert salescore.clv(tiny, 0.5) == tiny
        # A zero margin is worth 0 even where 1 + d − r is subnormal (0 · r / gap, not
        # 0 × inf): r = 1, d = 4.9e-324.
        assert salescore.clv(np.array([0.0]), 1.0, 5e-324)[0] == 0.0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("margin", 10**400),
        ("margin", Fraction(10**400, 3)),
        ("retention", np.timedelta64(1, "h")),
        ("discount_rate", 1 + 0j),
        ("acquisition_cost", "500"),
    ],
)
def test_unit_economics_refuses_unreadable_numbers(field: str, value: object) -> None:
    fields: dict[str, Any] = {"margin": 100.0, "retention": 0.9, field: value}
    with pytest.raises(InvalidInputError, match=field):
        salescore.UnitEconomics(**fields)


@pytest.mark.parametrize("option", ["source", "value", "hours"])
@pytest.mark.parametrize("bad", [None, pd.NA, ["value"]])
def test_profitability_by_source_refuses_column_options_that_are_not_names(
    option: str, bad: Any
) -> None:
    customers = pd.DataFrame({"source": ["cold"], "value": [1.0], "hours": [1.0]})
    with pytest.raises(InvalidInputError, match=rf"^{option} must be a column name"):
        salescore.profitability_by_source(customers, hourly_cost=50.0, **{option: bad})


def test_profitability_by_source_refuses_totals_beyond_float_range() -> None:
    # Two customers of one source worth 1e308 each: the total, 2e308, is beyond float range.
    customers = pd.DataFrame({"source": ["cold", "cold"], "value": [1e308, 1e308], "hours": 0.0})
    with pytest.raises(InvalidInputError, match="float range"):
        salescore.profitability_by_source(customers, hourly_cost=50.0)


@pytest.mark.parametrize(
    "fields",
    [
        # CLV = 1e308 · 0.9 / (1 − 0.9) = 9e308, beyond float range.
        {"margin": 1e308, "retention": 0.9},
        # CLV:CAC = (100 · 0.9 / 0.1) / 4.9e-324 = 900 / 4.9e-324 ≈ 1.8e326.
        {"margin": 100.0, "retention": 0.9, "acquisition_cost": 5e-324},
        # payback = 500 / 4.9e-324 ≈ 1e326.
        {"margin": 5e-324, "retention": 0.9, "acquisition_cost": 500.0},
    ],
)
def test_unit_economics_with_figures_beyond_float_range_cannot_be_made(
    fields: dict[str, Any],
) -> None:
    with pytest.raises(InvalidInputError, match="float range"):
        salescore.UnitEconomics(**fields)
