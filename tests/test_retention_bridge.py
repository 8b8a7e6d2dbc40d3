"""Tests of salescore.retention.bridge: a bridge by hand, GRR/NRR properties, validation."""

from __future__ import annotations

import math
import warnings
from fractions import Fraction
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore import IndexMismatchError, InvalidInputError
from salescore.retention.bridge import (
    RevenueBridge,
    gross_revenue_retention,
    net_revenue_retention,
    revenue_bridge,
)
from salescore.retention.metrics import quick_ratio

from . import strategies as sst

# ------------------------------------------------------------ six customers by hand

CUSTOMERS = pd.Index(["A", "B", "C", "D", "E", "F"], name="customer_id")
# ARR a year apart. A grows by 200, B is unchanged, C shrinks by 600, D leaves, E is
# new, F grows by 500.
START = pd.Series([1_000.0, 2_000.0, 1_500.0, 500.0, 0.0, 1_000.0], index=CUSTOMERS)
END = pd.Series([1_200.0, 2_000.0, 900.0, 0.0, 700.0, 1_500.0], index=CUSTOMERS)


def test_six_customer_bridge_by_hand() -> None:
    bridge = revenue_bridge(START, END)
    # start = 1,000 + 2,000 + 1,500 + 500 + 0 + 1,000 = 6,000
    # new = E's 700; expansion = A's 200 + F's 500 = 700; contraction = C's 600;
    # churned = D's 500; end = 1,200 + 2,000 + 900 + 0 + 700 + 1,500 = 6,300.
    assert bridge == RevenueBridge(
        start=6_000.0,
        new=700.0,
        reactivated=0.0,
        expansion=700.0,
        contraction=600.0,
        churned=500.0,
        end=6_300.0,
    )
    # 6,000 + 700 + 0 + 700 − 600 − 500 = 6,300.
    # NRR = (6,000 + 700 − 600 − 500) / 6,000 = 5,600 / 6,000 = 14/15.
    # GRR = (6,000 − 600 − 500) / 6,000 = 4,900 / 6,000 = 49/60.
    # Quick ratio = (700 + 700) / (500 + 600) = 1,400 / 1,100 = 14/11.
    assert bridge.nrr == pytest.approx(float(Fraction(14, 15)), rel=1e-15)
    assert bridge.grr == pytest.approx(float(Fraction(49, 60)), rel=1e-15)
    assert bridge.quick_ratio == pytest.approx(float(Fraction(14, 11)), rel=1e-15)
    # The ratio functions agree: NRR = (1,200 + 2,000 + 900 + 0 + 1,500) / 6,000
    # (E is new and left out); GRR = (1,000 + 2,000 + 900 + 0 + 1,000) / 6,000.
    assert net_revenue_retention(START, END) == pytest.approx(5_600 / 6_000, rel=1e-15)
    assert gross_revenue_retention(START, END) == pytest.approx(4_900 / 6_000, rel=1e-15)


def test_six_customer_bridge_with_a_returning_customer() -> None:
    # E bought two years ago: its 700 moves from new to reactivated, nothing else moves.
    returning = pd.Series([False, False, False, False, True, False], index=CUSTOMERS)
    bridge = revenue_bridge(START, END, reactivated=returning)
    assert (bridge.new, bridge.reactivated) == (0.0, 700.0)
    assert attrs.evolve(bridge, new=700.0, reactivated=0.0) == revenue_bridge(START, END)
    # Returning revenue is gained revenue: the quick ratio is unchanged, 1,400 / 1,100.
    assert bridge.quick_ratio == pytest.approx(14 / 11, rel=1e-15)
    # A flag on a customer who had revenue at the start changes nothing.
    assert revenue_bridge(START, END, reactivated=[True] * 6) == bridge


def test_bridge_as_a_waterfall() -> None:
    lines = revenue_bridge(START, END).to_series()
    assert lines.index.tolist() == [
        "start", "new", "reactivated", "expansion", "contraction", "churned", "end",
    ]  # fmt: skip
    assert lines.tolist() == [6_000.0, 700.0, 0.0, 700.0, -600.0, -500.0, 6_300.0]
    assert math.fsum(lines.iloc[:-1]) == lines["end"]


def test_record_examples_and_ratio_edges() -> None:
    # start 1,000; + 200 new + 150 expansion − 50 contraction − 100 churned = 1,200.
    bridge = RevenueBridge(
        start=1_000, new=200, reactivated=0, expansion=150, contraction=50, churned=100, end=1_200
    )
    assert (bridge.nrr, bridge.grr) == (1.0, 0.85)
    assert bridge.quick_ratio == quick_ratio(200, 150, 100, 50)
    # Nobody at the start: the retention ratios are undefined, not 0 or 1.
    only_new = revenue_bridge([0.0, 0.0], [50.0, 70.0])
    assert (only_new.start, only_new.new, only_new.end) == (0.0, 120.0, 120.0)
    assert math.isnan(only_new.nrr)
    assert math.isnan(only_new.grr)
    assert math.isnan(only_new.quick_ratio)
    # Everyone left: both ratios are 0.
    gone = revenue_bridge([10.0, 20.0], [0.0, 0.0])
    assert (gone.nrr, gone.grr, gone.churned) == (0.0, 0.0, 30.0)


def test_customer_without_start_revenue_counts_as_new_not_in_nrr() -> None:
    # One existing customer steady at 100, one new customer at 900: NRR stays 1 and
    # the 900 shows up as new revenue in the bridge.
    assert net_revenue_retention([100.0, 0.0], [100.0, 900.0]) == 1.0
    assert gross_revenue_retention([100.0, 0.0], [100.0, 900.0]) == 1.0
    assert revenue_bridge([100.0, 0.0], [100.0, 900.0]).new == 900.0


def test_nan_policy_of_the_ratios_and_the_bridge() -> None:
    start = [100.0, 200.0, math.nan]
    end = [120.0, 100.0, 50.0]
    assert math.isnan(net_revenue_retention(start, end))
    assert math.isnan(gross_revenue_retention(start, end))
    # skipna leaves the unknown customer out: (120 + 100) / 300; (100 + 100) / 300.
    assert net_revenue_retention(start, end, skipna=True) == pytest.approx(220 / 300)
    assert gross_revenue_retention(start, end, skipna=True) == pytest.approx(200 / 300)
    with pytest.raises(InvalidInputError, match=r"NaN for 1 of 3 customers.*\[2\] \(nan, 50.0\)"):
        revenue_bridge(start, end)
    assert revenue_bridge(start, end, skipna=True) == revenue_bridge(start[:2], end[:2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert math.isnan(net_revenue_retention([], []))
        assert math.isnan(gross_revenue_retention(0.0, 0.0))
        assert revenue_bridge([], []) == RevenueBridge(
            start=0, new=0, reactivated=0, expansion=0, contraction=0, churned=0, end=0
        )


def test_ratios_of_every_container_agree() -> None:
    expected = net_revenue_retention(START.tolist(), END.tolist())
    pairs: list[tuple[Any, Any]] = [
        (START, END),
        (START.to_numpy(), END.to_numpy()),
        (tuple(START), tuple(END)),
        (START.astype("Float64"), END.astype("Float64")),
        (START.astype("int64"), END.astype("int64")),
    ]
    for start, end in pairs:
        result = net_revenue_retention(start, end)
        assert type(result) is float
        assert result == expected
    # One customer given as scalars: the ratio of its own revenue.
    assert net_revenue_retention(np.float64(200.0), 300) == 1.5
    assert gross_revenue_retention(200, np.int64(300)) == 1.0


def test_inputs_are_not_modified() -> None:
    start, end = START.copy(), END.to_numpy().copy()
    mask = np.array([False] * 4 + [True, False])
    revenue_bridge(start, end, reactivated=mask)
    net_revenue_retention(start, end)
    pd.testing.assert_series_equal(start, START)
    np.testing.assert_array_equal(end, END.to_numpy())
    assert mask.tolist() == [False] * 4 + [True, False]


# ----------------------------------------------------------------- properties

heavy = settings(max_examples=min(settings().max_examples, 300))
FloatPair = tuple[Any, Any]


@st.composite
def books(draw: Any, *, max_value: float = 1e7) -> tuple[FloatPair, list[bool]]:
    """Revenue per customer at two dates, with zeros drawn often, and a reactivation flag."""
    amounts = st.one_of(st.just(0.0), sst.nonnegative_money(max_value=max_value))
    start, end = draw(sst.same_length(amounts, amounts, min_size=0, max_size=25))
    flags = draw(st.lists(st.booleans(), min_size=len(start), max_size=len(start)))
    return (np.asarray(start, dtype=np.float64), np.asarray(end, dtype=np.float64)), flags


@heavy
@given(books())
def test_bridge_always_balances(book: tuple[FloatPair, list[bool]]) -> None:
    (start, end), flags = book
    bridge = revenue_bridge(start, end, reactivated=flags)
    lines = [bridge.start, bridge.new, bridge.reactivated, bridge.expansion]
    lost = [bridge.contraction, bridge.churned]
    # Checked with math.fsum (exact sum of the lines) to a relative 1e-12 of the
    # gross flows: each line is itself a rounded sum of up to 25 amounts.
    gross = math.fsum([*lines, *lost, bridge.end])
    imbalance = math.fsum([*lines, *(-x for x in lost), -bridge.end])
    assert abs(imbalance) <= 1e-12 * gross
    assert bridge.start == pytest.approx(math.fsum(start), rel=1e-12, abs=1e-9)
    assert bridge.end == pytest.approx(math.fsum(end), rel=1e-12, abs=1e-9)
    assert all(x >= 0.0 for x in [*lines, *lost])
    # The series view balances the same way.
    series = bridge.to_series().to_numpy()
    assert abs(math.fsum(series[:-1]) - series[-1]) <= 1e-12 * gross


@heavy
@given(books())
def test_bridge_matches_a_python_loop(book: tuple[FloatPair, list[bool]]) -> None:
    (start, end), flags = book
    lines: dict[str, list[float]] = {
        "new": [], "reactivated": [], "expansion": [], "contraction": [], "churned": [],
    }  # fmt: skip
    for s, e, back in zip(start.tolist(), end.tolist(), flags, strict=True):
        if s == 0.0 and e > 0.0:
            lines["reactivated" if back else "new"].append(e)
        elif s > 0.0 and e == 0.0:
            lines["churned"].append(s)
        elif e > s > 0.0:
            lines["expansion"].append(e - s)
        elif 0.0 < e < s:
            lines["contraction"].append(s - e)
    bridge = revenue_bridge(start, end, reactivated=flags)
    for name, parts in lines.items():
        assert getattr(bridge, name) == pytest.approx(math.fsum(parts), rel=1e-12, abs=1e-9), name


@heavy
@given(books())
def test_grr_and_nrr_bounds_and_agreement(book: tuple[FloatPair, list[bool]]) -> None:
    (start, end), _ = book
    grr = gross_revenue_retention(start, end)
    nrr = net_revenue_retention(start, end)
    if not (start > 0).any():
        assert math.isnan(grr)
        assert math.isnan(nrr)
        return
    assert 0.0 <= grr <= 1.0
    assert grr <= nrr
    # A plain Python loop over the customers who were there at the start.
    existing = [(s, e) for s, e in zip(start.tolist(), end.tolist(), strict=True) if s > 0]
    denominator = math.fsum(s for s, _ in existing)
    assert grr == pytest.approx(math.fsum(min(s, e) for s, e in existing) / denominator, rel=1e-12)
    assert nrr == pytest.approx(math.fsum(e for _, e in existing) / denominator, rel=1e-12)
    # The bridge's ratios are the same numbers.
    bridge = revenue_bridge(start, end)
    assert bridge.nrr == pytest.approx(nrr, rel=1e-9, abs=1e-12)
    assert bridge.grr == pytest.approx(grr, rel=1e-9, abs=1e-12)


@heavy
@given(books(max_value=1e6), st.floats(1e-3, 1e3))
def test_grr_and_nrr_are_invariant_to_scaling(book: tuple[FloatPair, list[bool]], k: float) -> None:
    (start, end), _ = book
    for ratio in (gross_revenue_retention, net_revenue_retention):
        before, after = ratio(start, end), ratio(start * k, end * k)
        if math.isnan(before):
            assert math.isnan(after)
        else:
            assert after == pytest.approx(before, rel=1e-12)


@heavy
@given(books(), st.data())
def test_order_of_customers_does_not_matter(
    book: tuple[FloatPair, list[bool]], data: st.DataObject
) -> None:
    (start, end), flags = book
    order = data.draw(st.permutations(range(start.size)), label="order")
    bridge = revenue_bridge(start, end, reactivated=flags)
    shuffled = revenue_bridge(start[order], end[order], reactivated=[flags[i] for i in order])
    for name in ("start", "new", "reactivated", "expansion", "contraction", "churned", "end"):
        assert getattr(shuffled, name) == pytest.approx(getattr(bridge, name), rel=1e-12, abs=1e-9)


@heavy
@given(books(), st.sampled_from(["ndarray", "series", "list"]))
def test_skipna_equals_leaving_the_customers_out(
    book: tuple[FloatPair, list[bool]], kind: str
) -> None:
    (start, end), _ = book
    holes = start.copy()
    holes[::3] = math.nan
    keep = ~np.isnan(holes)
    arguments: tuple[Any, Any] = (holes, end)
    if kind == "series":
        index = pd.Index([f"c{i}" for i in range(start.size)])
        arguments = (pd.Series(holes, index=index), pd.Series(end, index=index))
    elif kind == "list":
        arguments = (holes.tolist(), end.tolist())
    for ratio in (gross_revenue_retention, net_revenue_retention):
        result = ratio(*arguments, skipna=True)
        expected = ratio(start[keep], end[keep])
        assert type(result) is float
        assert result == expected or (math.isnan(result) and math.isnan(expected))
        if not keep.all():
            assert math.isnan(ratio(*arguments))


# ----------------------------------------------------------------- validation


@pytest.mark.parametrize("ratio", [gross_revenue_retention, net_revenue_retention])
def test_ratios_refuse_bad_input(ratio: Any) -> None:
    with pytest.raises(InvalidInputError, match=r"start_revenue must be a finite.*\[1\] -5.0"):
        ratio([100.0, -5.0], [10.0, 10.0])
    with pytest.raises(InvalidInputError, match=r"end_revenue must be a finite.*\[0\] inf"):
        ratio([100.0], [math.inf])
    with pytest.raises(InvalidInputError, match="2 elements but end_revenue has 3"):
        ratio([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(IndexMismatchError, match="start_revenue and end_revenue"):
        ratio(START, END.sort_index(ascending=False))
    with pytest.raises(InvalidInputError, match="skipna must be True or False"):
        ratio([1.0], [1.0], skipna="yes")


@pytest.mark.parametrize(
    ("arguments", "options", "error", "message"),
    [
        (([1.0, math.nan], [1.0, 2.0]), {}, InvalidInputError, "pass skipna=True"),
        (([1.0, -2.0], [1.0, 2.0]), {}, InvalidInputError, r"start_revenue.*\[1\] -2.0"),
        (([0.0, 1.0], [1.0, 2.0]), {"reactivated": [1, 2]}, InvalidInputError, r"\[1\] 2"),
        (([0.0, 1.0], [1.0, 2.0]), {"reactivated": [0.0, 1.0]}, InvalidInputError, "float64"),
        (
            ([0.0, 1.0], [1.0, 2.0]),
            {"reactivated": [True, False, True]},
            InvalidInputError,
            "2 elements but reactivated has 3",
        ),
        (
            (START, END),
            {"reactivated": pd.Series([True] * 6, index=list("FEDCBA"))},
            IndexMismatchError,
            "end_revenue and reactivated",
        ),
        (([1.0], [1.0]), {"skipna": None}, InvalidInputError, "skipna must be True or False"),
    ],
)
def test_bridge_refuses_bad_input(
    arguments: tuple[Any, Any], options: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        revenue_bridge(*arguments, **options)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"end": 1_300.0}, "does not add up.*= 1200.0, but end = 1300.0"),
        ({"churned": -100.0}, "churned must be a finite number >= 0; got -100.0"),
        ({"start": math.nan}, "start must be a finite number >= 0; got nan"),
        ({"new": math.inf}, "new must be a finite number >= 0"),
        ({"expansion": "150"}, "expansion must be a number; got str"),
        ({"reactivated": True}, "reactivated must be a number; got bool"),
    ],
)
def test_record_refuses_invalid_fields(fields: dict[str, Any], message: str) -> None:
    valid = {
        "start": 1_000.0,
        "new": 200.0,
        "reactivated": 0.0,
        "expansion": 150.0,
        "contraction": 50.0,
        "churned": 100.0,
        "end": 1_200.0,
    }
    with pytest.raises(InvalidInputError, match=message):
        RevenueBridge(**{**valid, **fields})


def test_record_is_frozen_and_keyword_only() -> None:
    bridge = revenue_bridge(START, END)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        bridge.start = 0.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        RevenueBridge(1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0)  # type: ignore[call-arg]
    with pytest.raises(InvalidInputError, match="does not add up"):
        attrs.evolve(bridge, new=0.0)


# ------------------------------------------------ extreme magnitudes and odd numbers


def test_revenue_retention_near_the_float_limit() -> None:
    # By hand: NRR = (1e308 + 1e308) / (1e308 + 1e308) = 1 and GRR = 1 too; the sums,
    # 2e308, overflow unless the amounts are scaled first.
    assert net_revenue_retention([1e308] * 2, [1e308] * 2) == 1.0
    assert gross_revenue_retention([1e308] * 2, [1e308] * 2) == 1.0
    # NRR = (1e308 + 5e307) / 2e308 = 0.75; GRR = min(...) sums the same here.
    with np.errstate(all="raise"):
        assert net_revenue_retention([1e308, 1e308], [1e308, 5e307]) == 0.75
        assert gross_revenue_retention([1e308, 1e308], [1e308, 5e307]) == 0.75


def test_revenue_retention_beyond_float_range_is_refused() -> None:
    # 1 / 4.9e-324 ≈ 2e323: the true NRR is beyond float range, so it is refused, not inf.
    with pytest.raises(InvalidInputError, match=r"net revenue retention.*float range"):
        net_revenue_retention([5e-324], [1.0])


def test_revenue_bridge_refuses_totals_beyond_float_range() -> None:
    # start = 1e308 + 1e308 = 2e308 cannot be held in a float.
    with pytest.raises(InvalidInputError, match="start, end revenue is beyond float range"):
        revenue_bridge([1e308, 1e308], [1e308, 1e308])


LINES_FOR_TEST = ("start", "new", "reactivated", "expansion", "contraction", "churned", "end")


@pytest.mark.parametrize("value", [10**400, Fraction(10**400, 3), np.timedelta64(1, "h"), 1j])
def test_bridge_record_refuses_unreadable_numbers(value: object) -> None:
    fields: dict[str, Any] = dict.fromkeys(LINES_FOR_TEST, 0.0)
    with pytest.raises(InvalidInputError, match=r"^start must be"):
        RevenueBridge(**{**fields, "start": value})


def test_bridge_record_near_the_float_limit() -> None:
    # By hand: 1.5e308 + 1e308 − 1e308 = 1.5e308 = end, so the lines add up, although
    # start + expansion (2.5e308) overflows; NRR = 1.5e308 / 1.5e308 = 1, GRR =
    # (1.5e308 − 1e308) / 1.5e308 = 1/3.
    bridge = RevenueBridge(
        start=1.5e308, new=0, reactivated=0, expansion=1e308, contraction=0, churned=1e308,
        end=1.5e308,
    )  # fmt: skip
    assert bridge.nrr == 1.0
    assert bridge.grr == pytest.approx(1 / 3, rel=1e-15)
    # start + new = 2e308, not the end of 0: the overflow must not hide that.
    with pytest.raises(InvalidInputError, match="does not add up"):
        RevenueBridge(
            start=1e308, new=1e308, reactivated=0, expansion=0, contraction=0, churned=0, end=0
        )


def test_bridge_with_ratios_beyond_float_range_cannot_be_made() -> None:
    # start 4.9e-324 + expansion 1 = end 1 adds up, but NRR = 1 / 4.9e-324 ≈ 2e323 is
    # beyond float range: refused when the record is made, not when nrr is read.
    with pytest.raises(InvalidInputError, match=r"net revenue retention.*float range"):
        RevenueBridge(
            start=5e-324, new=0, reactivated=0, expansion=1.0, contraction=0, churned=0, end=1.0
        )
    with pytest.raises(InvalidInputError, match=r"net revenue retention.*float range"):
        revenue_bridge([5e-324], [1.0])
