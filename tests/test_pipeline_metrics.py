"""Tests of salescore.pipeline.metrics: coverage, win rate, velocity, cycle, leads."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import salescore
from salescore import IndexMismatchError, InvalidInputError

from . import strategies as sst


def test_by_hand() -> None:
    # 900k of open pipeline for the 300k still missing from a 400k quota: 3×.
    assert salescore.pipeline_coverage(900_000, 400_000, closed=100_000) == 3.0
    # A 25 % win rate needs 1 / 0.25 = 4× coverage.
    assert salescore.required_coverage(0.25) == 4.0
    # 12 won and 36 lost: 12 / 48 = 0.25.
    assert salescore.win_rate(12, 36) == 0.25
    # 40 opportunities × 0.25 × 12,000 / 60 days = 2,000 a day.
    assert salescore.pipeline_velocity(40, 0.25, 12_000, 60) == 2_000.0
    # 300,000 / (0.04 × 12,000) = 625 leads, and 625 leads bring 300,000 back.
    assert salescore.leads_needed(300_000, 0.04, 12_000) == pytest.approx(625.0, rel=1e-12)
    assert salescore.expected_revenue(625, 0.04, 12_000) == pytest.approx(300_000.0, rel=1e-12)


def test_degenerate_cases_give_nan() -> None:
    assert math.isnan(salescore.pipeline_coverage(900_000, 400_000, closed=400_000))  # quota met
    assert math.isnan(salescore.pipeline_coverage(900_000, 400_000, closed=500_000))
    assert math.isnan(salescore.required_coverage(0.0))
    assert math.isnan(salescore.win_rate(0, 0))
    assert math.isnan(salescore.pipeline_velocity(40, 0.25, 12_000, 0))
    assert math.isnan(salescore.leads_needed(1_000, 0.0, 12_000))


@given(sst.nonnegative_money(), sst.nonnegative_money(), sst.nonnegative_money())
def test_coverage_times_remaining_quota_is_pipeline(
    pipeline: float, quota: float, closed: float
) -> None:
    assume(quota - closed > 1.0)
    coverage = salescore.pipeline_coverage(pipeline, quota, closed=closed)
    assert coverage * (quota - closed) == pytest.approx(pipeline, rel=1e-9, abs=1e-6)


@given(sst.counts(), sst.counts())
def test_win_rate_is_a_fraction_and_complements_loss_rate(won: int, lost: int) -> None:
    assume(won + lost > 0)
    rate = salescore.win_rate(won, lost)
    assert 0.0 <= rate <= 1.0
    assert rate + salescore.win_rate(lost, won) == pytest.approx(1.0, rel=1e-12)


@given(
    sst.nonnegative_money(max_value=1e8),
    st.floats(1e-3, 1.0),
    sst.nonnegative_money(max_value=1e6).filter(lambda v: v >= 1.0),
)
def test_leads_needed_and_expected_revenue_invert(
    quota: float, conversion: float, average: float
) -> None:
    leads = salescore.leads_needed(quota, conversion, average)
    assert salescore.expected_revenue(leads, conversion, average) == pytest.approx(
        quota, rel=1e-9, abs=1e-6
    )


@given(
    sst.counts(),
    sst.probabilities(),
    sst.nonnegative_money(),
    st.floats(1.0, 1e3),
    st.floats(0.1, 10.0),
)
def test_velocity_scales_with_volume_and_against_cycle(
    n: int, rate: float, average: float, days: float, k: float
) -> None:
    base = salescore.pipeline_velocity(n, rate, average, days)
    assert salescore.pipeline_velocity(n * k, rate, average, days) == pytest.approx(
        base * k, rel=1e-9, abs=1e-9
    )
    assert salescore.pipeline_velocity(n, rate, average, days * k) == pytest.approx(
        base / k, rel=1e-9, abs=1e-9
    )


def test_sales_cycle_by_hand() -> None:
    created = ["2026-01-05", "2026-01-10", "2026-02-01"]
    closed = ["2026-02-04", "2026-01-20", "2026-03-03"]
    # 30, 10 and 30 days: median 30, mean 70 / 3.
    assert salescore.sales_cycle(created, closed) == 30.0
    assert salescore.sales_cycle(created, closed, statistic="mean") == pytest.approx(70 / 3)
    per_deal = salescore.sales_cycle(created, closed, statistic=None)
    np.testing.assert_array_equal(per_deal, [30.0, 10.0, 30.0])
    half_day = salescore.sales_cycle(
        pd.Series(pd.to_datetime(["2026-01-01 00:00"])),
        pd.Series(pd.to_datetime(["2026-01-01 12:00"])),
    )
    assert half_day == 0.5


def test_sales_cycle_keeps_series_index_and_nan_policy() -> None:
    index = pd.Index(["d1", "d2"])
    created = pd.Series(pd.to_datetime(["2026-01-01", "2026-01-01"]), index=index)
    closed = pd.Series([pd.Timestamp("2026-01-11"), pd.NaT], index=index)
    per_deal = salescore.sales_cycle(created, closed, statistic=None)
    assert isinstance(per_deal, pd.Series)
    assert per_deal.index.equals(index)
    assert per_deal["d1"] == 10.0
    assert math.isnan(per_deal["d2"])
    assert math.isnan(salescore.sales_cycle(created, closed))
    assert salescore.sales_cycle(created, closed, skipna=True) == 10.0
    with pytest.raises(IndexMismatchError):
        salescore.sales_cycle(created, closed.iloc[::-1])


def test_sales_cycle_reads_aware_beside_naive_in_utc() -> None:
    # The timestamp convention (this mix used to be refused): the aware creation time
    # is converted to UTC. 1 Jan 2026 00:00 in Oslo (UTC+1) is 31 Dec 2025 23:00 UTC,
    # a creation on 31 December (UTC); closed on 2 January: 2 days.
    created = pd.Series(pd.to_datetime(["2026-01-01"]).tz_localize("Europe/Oslo"))
    closed = pd.Series(pd.to_datetime(["2026-01-02"]))
    assert salescore.sales_cycle(created, closed) == 2.0
    naive = pd.Series(pd.to_datetime(["2025-12-31 23:00"]))
    assert salescore.sales_cycle(closed.dt.tz_localize("UTC"), closed) == 0.0
    assert salescore.sales_cycle(naive, closed) == salescore.sales_cycle(created, closed)


@pytest.mark.parametrize(
    ("created", "closed", "message"),
    [
        (["2026-02-01"], ["2026-01-01"], r"closed is before the date of created for 1 of 1 "),
        ([1, 2], [3, 4], r"created must hold timestamps, not numbers"),
        (["2026-01-01"], ["2026-01-02", "2026-01-03"], r"created has 1 elements but closed has 2"),
        ("2026-01-01", "2026-01-02", r"one-dimensional sequence of timestamps"),
    ],
    ids=["backwards", "numbers", "lengths", "string"],
)
def test_sales_cycle_refuses_bad_dates(created: object, closed: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        salescore.sales_cycle(created, closed)


def test_sales_cycle_names_backward_deals_by_label() -> None:
    created = pd.Series(pd.to_datetime(["2026-01-01", "2026-03-01"]), index=["ok", "bad"])
    closed = pd.Series(pd.to_datetime(["2026-01-05", "2026-02-01"]), index=["ok", "bad"])
    with pytest.raises(
        InvalidInputError,
        match=r"position 1 \(label 'bad'\): created 2026-03-01 00:00:00, closed 2026-02-01",
    ):
        salescore.sales_cycle(created, closed)


def test_sales_cycle_counts_calendar_close_dates_from_the_creation_date() -> None:
    # A CRM's creation instant (09:30 UTC on 4 March 2025) beside its close dates
    # (calendar dates: midnight). The cycle counts whole days from the creation date,
    # 4 March: closed on 4 March, 0 days; on 5 March, 1 day; on 14 March, 10 days.
    index = pd.Index(["same day", "next day", "D3"])
    created = pd.Series(pd.to_datetime(["2025-03-04 09:30"] * 3), index=index)
    closed = pd.Series(pd.to_datetime(["2025-03-04", "2025-03-05", "2025-03-14"]), index=index)
    per_deal = salescore.sales_cycle(created, closed, statistic=None)
    pd.testing.assert_series_equal(per_deal, pd.Series([0.0, 1.0, 10.0], index=index))
    assert salescore.sales_cycle(created, closed) == 1.0  # median of 0, 1, 10
    assert salescore.sales_cycle(created, closed, statistic="mean") == pytest.approx(11 / 3)
    # The same creation instant written aware in UTC (as adapters once gave it).
    aware = created.dt.tz_localize("UTC")
    pd.testing.assert_series_equal(salescore.sales_cycle(aware, closed, statistic=None), per_deal)
    # A missing close date (an open deal) does not make the others instants.
    still_open = closed.where(closed.index != "D3")
    assert salescore.sales_cycle(created, still_open, statistic=None).tolist()[:2] == [0.0, 1.0]


def test_sales_cycle_refuses_a_close_date_before_the_creation_date() -> None:
    # Closed on 3 March 2025, the day before its creation on 4 March: named by its
    # label and position, with both dates.
    created = pd.Series(
        pd.to_datetime(["2025-03-04 09:30", "2025-03-04 09:30"]), index=["ok", "D7"]
    )
    closed = pd.Series(pd.to_datetime(["2025-03-04", "2025-03-03"]), index=["ok", "D7"])
    with pytest.raises(
        InvalidInputError,
        match=r"closed is before the date of created for 1 of 2 deals: position 1 "
        r"\(label 'D7'\): created 2025-03-04 09:30:00, closed 2025-03-03$",
    ):
        salescore.sales_cycle(created, closed)
    with pytest.raises(InvalidInputError, match=r"position 1: created 2025-03-04 09:30:00"):
        salescore.sales_cycle(created.to_numpy(), closed.to_numpy())


def test_sales_cycle_between_instants_is_exact() -> None:
    # When a close is a moment (any non-missing close not at midnight), the cycle is
    # the exact time between the instants: 09:30 on 4 March to 00:00 on 5 March is
    # 14.5 hours, to 15:00 on 6 March 2 days and 5.5 hours.
    created = pd.to_datetime(["2025-03-04 09:30", "2025-03-04 09:30"])
    closed = pd.to_datetime(["2025-03-05 00:00", "2025-03-06 15:00"])
    per_deal = salescore.sales_cycle(created, closed, statistic=None)
    np.testing.assert_allclose(per_deal, [14.5 / 24, 2 + 5.5 / 24], rtol=1e-12)
    # A close instant earlier on the day of creation is before it.
    with pytest.raises(InvalidInputError, match=r"closed is before created for 1 of 1 deals"):
        salescore.sales_cycle(["2025-03-04 09:30"], ["2025-03-04 08:00"])


def test_sales_cycle_all_aware_in_one_zone_reads_that_zone_calendar() -> None:
    # Both aware in Oslo: the close date is a calendar date in Oslo (midnight there),
    # and 00:30 on 4 March in Oslo is on 4 March there: 0 days. The same creation
    # beside a naive (UTC) close date is 23:30 UTC on 3 March: 1 day.
    created = pd.Series(pd.to_datetime(["2025-03-04 00:30"]).tz_localize("Europe/Oslo"))
    closed = pd.Series(pd.to_datetime(["2025-03-04"]))
    assert salescore.sales_cycle(created, closed.dt.tz_localize("Europe/Oslo")) == 0.0
    assert salescore.sales_cycle(created, closed) == 1.0
    # Whole days on Oslo's calendar across the change to summer time (30 March 2025,
    # a day of 23 hours): 28 March to 1 April is 4 days.
    created = pd.Series(pd.to_datetime(["2025-03-28 10:00"]).tz_localize("Europe/Oslo"))
    closed = pd.Series(pd.to_datetime(["2025-04-01"]).tz_localize("Europe/Oslo"))
    assert salescore.sales_cycle(created, closed) == 4.0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: salescore.required_coverage(25), r"win_rate .*percentages"),
        (lambda: salescore.win_rate(-1, 3), r"won must be a finite number >= 0"),
        (lambda: salescore.pipeline_coverage(-1, 3), r"pipeline must be a finite number >= 0"),
        (lambda: salescore.pipeline_coverage(1, 3, closed=-2), r"closed must be"),
        (lambda: salescore.pipeline_velocity(1, 0.5, 3, -2), r"cycle_days must be"),
        (lambda: salescore.leads_needed(1, 4, 3), r"conversion_rate .*percentages"),
        (lambda: salescore.expected_revenue(-1, 0.5, 3), r"leads must be"),
        (
            lambda: salescore.sales_cycle(["2026-01-01"], ["2026-01-02"], statistic="mode"),  # type: ignore[arg-type]
            r"statistic must be one of 'median', 'mean'",
        ),
    ],
    ids=["coverage-pct", "won", "pipeline", "closed", "cycle", "conv-pct", "leads", "statistic"],
)
def test_bad_input_is_named(call: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        call()  # type: ignore[operator]


def test_sales_cycle_accepts_empty_input_and_dates_held_as_objects() -> None:
    import datetime

    assert math.isnan(salescore.sales_cycle([], []))
    assert salescore.sales_cycle([], [], statistic=None).shape == (0,)
    created = pd.Series([datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)], dtype=object)
    closed = pd.Series([datetime.date(2026, 1, 31), datetime.date(2026, 2, 11)], dtype=object)
    # 30 and 10 days: median 20.
    assert salescore.sales_cycle(created, closed) == 20.0


# ------------------------------------------------------------ hostile inputs (issue 14)


def test_win_rate_near_the_float_limit() -> None:
    # 1e308 won and 1e308 lost: W + L overflowed to inf and W / inf gave 0.0; the rate
    # is 1e308 / 2e308 = 0.5.
    assert salescore.win_rate(1e308, 1e308) == 0.5
    rates = salescore.win_rate(np.array([1e308, 1.5e308, 0.0]), np.array([1e308, 5e-324, 0.0]))
    # 1.5e308 won, 5e-324 lost: 1 - 3.3e-632, which is 1.0 in floats; nothing closed: NaN.
    assert rates[:2].tolist() == [0.5, 1.0]
    assert math.isnan(rates[2])


def test_win_rate_of_subnormal_counts_is_exact() -> None:
    # 5e-324 won and 1.5e-323 (three times as much) lost: 1 / (1 + 3) = 0.25.
    with np.errstate(all="raise"):
        assert salescore.win_rate(5e-324, 1.5e-323) == 0.25
        assert salescore.win_rate(np.array([5e-324]), np.array([1e308])).tolist() == [0.0]


def test_ratios_survive_intermediate_overflow_and_underflow() -> None:
    with np.errstate(all="raise"):
        # 1e308 opportunities × 1.0 × 10 ÷ 100 days = 1e307 per day; the product
        # 1e308 × 10 overflowed before the division.
        assert salescore.pipeline_velocity(1e308, 1.0, 10.0, 100.0) == pytest.approx(1e307)
        # 1e-300 ÷ (1e-200 × 1e-200) = 1e100; the denominator underflowed to 0 and
        # gave NaN ("a zero denominator").
        assert salescore.leads_needed(1e-300, 1e-200, 1e-200) == pytest.approx(1e100)
        # 1e308 pipeline over a remaining quota of 1e308: coverage 1.
        assert salescore.pipeline_coverage(1e308, 1e308, closed=0.0) == 1.0
        assert salescore.expected_revenue(np.array([1e308]), 0.5, 0.5).tolist() == [2.5e307]
    # The zero-denominator policy is unchanged.
    assert math.isnan(salescore.leads_needed(1.0, 0.0, 5.0))
    assert math.isnan(salescore.pipeline_velocity(1.0, 1.0, 1.0, 0.0))


@pytest.mark.parametrize("flag", ["False", "no", 0, 1, None, pd.NA])
def test_sales_cycle_skipna_must_be_a_bool(flag: object) -> None:
    # "False" and "no" were read by their truth value, as True.
    with pytest.raises(InvalidInputError, match="skipna must be True or False"):
        salescore.sales_cycle(["2024-01-01"], ["2024-01-05"], skipna=flag)  # type: ignore[arg-type]


def test_sales_cycle_of_dates_too_far_apart_is_an_error() -> None:
    created = pd.Series(
        pd.to_datetime(["2024-01-01 00:00:00", "1677-09-22 00:00:01"]).as_unit("ns")
    )
    closed = pd.Series(pd.to_datetime(["2024-01-31", "2024-01-01"]).as_unit("ns"))
    # 346 years between the second pair: beyond a nanosecond timedelta (292 years),
    # which raised pandas' OverflowError.
    with pytest.raises(InvalidInputError, match=r"more than 292 years apart.*position 1"):
        salescore.sales_cycle(created, closed)


@pytest.mark.parametrize(
    ("call", "what"),
    [
        (lambda: salescore.pipeline_velocity(4.0, 1.0, 1.0, 5e-324), "pipeline velocity"),
        (lambda: salescore.leads_needed([1.0, 2.0], 5e-324, 1.0), "leads needed"),
        (lambda: salescore.required_coverage(5e-324), "required coverage"),
        (lambda: salescore.expected_revenue(1e308, 1.0, 10.0), "expected revenue"),
        (lambda: salescore.pipeline_coverage(1e308, 1e-10), "pipeline coverage"),
    ],
)
def test_results_beyond_float_range_are_refused(call: Any, what: str) -> None:
    # 4 / 5e-324 = 8.1e323, 1 / 5e-324 = 2e323, 1e308 * 10 = 1e309, 1e308 / 1e-10 =
    # 1e318: finite inputs whose true result exceeds the largest float (1.8e308). They
    # came back as inf.
    with pytest.raises(InvalidInputError, match=f"{what} exceeds the largest float"):
        call()
