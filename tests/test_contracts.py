"""The container contract, checked for every public formula function.

Each function in ``REGISTRY`` is called with scalars, ndarrays, Series and mixtures
of them, drawn by Hypothesis, and must return the promised kind (``float``, float64
ndarray, Series on the input index), give the same numbers whatever the container,
and leave its inputs untouched. A public function that is neither registered here
nor listed in ``NOT_FORMULAS`` fails the suite, so a new function cannot skip this.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import salescore
from salescore.leads.decay import ExponentialDecay
from salescore.leads.presets import MIT2007_CONTACT, MIT2007_QUALIFY
from salescore.models import BetaGeoModel, GammaGammaModel, ShiftedBetaGeoModel, model_clv

from . import strategies as sst

# Published parameters (Fader, Hardie & Lee 2005 for CDNOW; Fader & Hardie 2007 for the
# Regular cohort), so that the models' methods are checked like formula functions.
CDNOW_BGNBD = BetaGeoModel(r=0.243, alpha=4.414, a=0.793, b=2.426)
CDNOW_GAMMA_GAMMA = GammaGammaModel(p=6.25, q=3.74, v=15.44)
REGULAR_SBG = ShiftedBetaGeoModel(alpha=0.704, beta=1.182)


@attrs.frozen(kw_only=True)
class Contract:
    """How to call one formula function: a strategy per data argument, fixed options."""

    function: Callable[..., Any]
    arguments: Mapping[str, st.SearchStrategy[float]]
    options: Mapping[str, Any] = attrs.field(factory=dict)
    reduction: bool = False


def _contracts() -> dict[str, Contract]:
    c = salescore
    return {
        "clv": Contract(
            function=c.clv,
            arguments={
                "margin": sst.money(),
                "retention": sst.retentions(),
                "discount_rate": sst.discount_rates(),
            },
        ),
        "clv[periods]": Contract(
            function=c.clv,
            arguments={
                "margin": sst.money(),
                "retention": sst.probabilities(),
                "discount_rate": sst.discount_rates(),
            },
            options={"periods": 24, "timing": "begin"},
        ),
        "sales_productivity": Contract(
            function=c.sales_productivity,
            arguments={
                "revenue": sst.nonnegative_money(),
                "headcount": st.integers(0, 400).map(lambda halves: halves / 2),
            },
        ),
        "sales_roi": Contract(
            function=c.sales_roi,
            arguments={
                "revenue": sst.nonnegative_money(),
                "investment": sst.nonnegative_money(),
                "margin": sst.probabilities(),
            },
        ),
        "activity_attainment": Contract(
            function=c.activity_attainment,
            arguments={"actual": sst.counts().map(float), "target": sst.counts().map(float)},
        ),
        "activities_per_win": Contract(
            function=c.activities_per_win,
            arguments={"activities": sst.counts().map(float), "wins": sst.counts().map(float)},
        ),
        "contact_probability": Contract(
            function=c.contact_probability,
            arguments={"response_time": sst.hours(), "base_rate": sst.probabilities()},
            options={"curve": MIT2007_QUALIFY},
        ),
        "contact_probability[power]": Contract(
            function=c.contact_probability,
            arguments={"response_time": sst.hours(), "base_rate": sst.probabilities()},
            options={"curve": MIT2007_CONTACT},
        ),
        "contact_probability[exponential]": Contract(
            function=c.contact_probability,
            arguments={"response_time": sst.hours(), "base_rate": sst.probabilities()},
            options={"curve": ExponentialDecay(half_life=30)},
        ),
        "retention_rate": Contract(
            function=c.retention_rate,
            arguments={
                "start": st.integers(100, 200).map(float),
                "end": st.integers(50, 100).map(float),
                "new": st.integers(0, 50).map(float),
            },
        ),
        "churn_rate": Contract(
            function=c.churn_rate,
            arguments={
                "start": st.integers(50, 10**6).map(float),
                "lost": st.integers(0, 50).map(float),
            },
        ),
        "renewal_rate": Contract(
            function=c.renewal_rate,
            arguments={
                "renewed": sst.nonnegative_money(max_value=1e6),
                "due": sst.nonnegative_money().map(lambda amount: amount + 1e6),
            },
        ),
        "quick_ratio": Contract(
            function=c.quick_ratio,
            arguments={
                "new": sst.nonnegative_money(),
                "expansion": sst.nonnegative_money(),
                "churned": sst.nonnegative_money(),
                "contraction": sst.nonnegative_money(),
                "reactivation": sst.nonnegative_money(),
            },
        ),
        "referral_rate": Contract(
            function=c.referral_rate,
            arguments={
                "referrers": st.integers(0, 50).map(float),
                "customers": st.integers(50, 10**6).map(float),
            },
        ),
        "referral_ask_rate": Contract(
            function=c.referral_ask_rate,
            arguments={
                "asks": st.integers(0, 50).map(float),
                "contacts": st.integers(50, 10**6).map(float),
            },
        ),
        # Methods of the models (dotted names: not top-level functions).
        "BetaGeoModel.probability_alive": Contract(
            function=CDNOW_BGNBD.probability_alive,
            arguments={
                # >= 1: a recency > 0 needs a repeat purchase (it is refused with none)
                "frequency": st.integers(1, 500).map(float),
                "recency": st.floats(0.0, 50.0),
                "T": st.floats(50.0, 100.0),
            },
        ),
        "BetaGeoModel.conditional_expected_purchases": Contract(
            function=CDNOW_BGNBD.conditional_expected_purchases,
            arguments={
                "t": sst.hours(max_value=520.0),
                "frequency": st.integers(1, 500).map(float),  # recency > 0 needs one
                "recency": st.floats(0.0, 50.0),
                "T": st.floats(50.0, 100.0),
            },
        ),
        "GammaGammaModel.conditional_expected_value": Contract(
            function=CDNOW_GAMMA_GAMMA.conditional_expected_value,
            arguments={
                "frequency": st.integers(0, 200).map(float),
                "monetary_value": sst.nonnegative_money(max_value=1e5),
            },
        ),
        "ShiftedBetaGeoModel.survival": Contract(
            function=REGULAR_SBG.survival, arguments={"t": st.integers(0, 500).map(float)}
        ),
        "models.model_clv": Contract(
            function=functools.partial(model_clv, CDNOW_BGNBD, CDNOW_GAMMA_GAMMA),
            arguments={
                # recency's range lies below T's, so that recency <= T always holds
                "frequency": st.integers(1, 50).map(float),  # recency > 0 needs one
                "recency": st.floats(0.0, 10.0),
                "T": st.floats(10.0, 100.0),
                "monetary_value": sst.nonnegative_money(max_value=1e4),
            },
            options={"months": 12, "discount_rate": 0.01, "margin": 0.3},
        ),
        "expected_lifetime": Contract(
            function=c.expected_lifetime, arguments={"retention": sst.retentions()}
        ),
        "customer_value": Contract(
            function=c.customer_value,
            arguments={"margin": sst.money(), "lifetime": sst.hours()},
        ),
        "acquisition_cost": Contract(
            function=c.acquisition_cost,
            arguments={
                "spend": sst.nonnegative_money(),
                "new_customers": st.integers(0, 50).map(float),
            },
        ),
        "time_cost": Contract(
            function=c.time_cost,
            arguments={"hours": sst.hours(), "hourly_cost": sst.nonnegative_money(max_value=1e4)},
        ),
        "sale_profit": Contract(
            function=c.sale_profit,
            arguments={
                "value": sst.money(),
                "hours": sst.hours(),
                "hourly_cost": sst.nonnegative_money(max_value=1e4),
            },
        ),
        "clv_cac_ratio": Contract(
            function=c.clv_cac_ratio,
            arguments={"clv": sst.money(), "cac": sst.nonnegative_money()},
        ),
        "weighted_value": Contract(
            function=c.weighted_value,
            arguments={"value": sst.nonnegative_money(), "probability": sst.probabilities()},
        ),
        "weighted_forecast": Contract(
            function=c.weighted_forecast,
            arguments={"value": sst.nonnegative_money(), "probability": sst.probabilities()},
            reduction=True,
        ),
        "pipeline_coverage": Contract(
            function=c.pipeline_coverage,
            arguments={
                "pipeline": sst.nonnegative_money(),
                "quota": sst.nonnegative_money(),
                "closed": sst.nonnegative_money(),
            },
        ),
        "required_coverage": Contract(
            function=c.required_coverage, arguments={"win_rate": sst.probabilities()}
        ),
        "win_rate": Contract(
            function=c.win_rate,
            arguments={"won": sst.counts().map(float), "lost": sst.counts().map(float)},
        ),
        "pipeline_velocity": Contract(
            function=c.pipeline_velocity,
            arguments={
                "opportunities": sst.counts().map(float),
                "win_rate": sst.probabilities(),
                "average_value": sst.nonnegative_money(),
                # A cycle of 1e-300 days gives a velocity beyond float range: refused.
                "cycle_days": sst.hours().filter(lambda days: days == 0.0 or days >= 1e-6),
            },
        ),
        "leads_needed": Contract(
            function=c.leads_needed,
            arguments={
                "quota": sst.nonnegative_money(),
                # A rate of 1e-300 needs more leads than a float holds: refused.
                "conversion_rate": sst.probabilities().filter(lambda r: r == 0.0 or r >= 1e-6),
                "average_value": sst.nonnegative_money(),
            },
        ),
        "expected_revenue": Contract(
            function=c.expected_revenue,
            arguments={
                "leads": sst.counts().map(float),
                "conversion_rate": sst.probabilities(),
                "average_value": sst.nonnegative_money(),
            },
        ),
        "temperature": Contract(
            function=c.temperature,
            arguments={"realized": sst.nonnegative_money(), "expected": sst.nonnegative_money()},
        ),
        "revenue_change": Contract(
            function=c.revenue_change,
            arguments={"current": sst.nonnegative_money(), "previous": sst.nonnegative_money()},
        ),
        "cac_payback": Contract(
            function=c.cac_payback,
            arguments={"cac": sst.nonnegative_money(), "margin": sst.money()},
        ),
    }


REGISTRY = _contracts()

#: Public callables that are not formula functions, and why.
NOT_FORMULAS = {
    "combine_distributions": "takes ForecastDistribution records; test_pipeline_combine.py",
    "book_distribution": "table function on open deals, returns a record; test_books.py",
    "pipeline_as_of": "table function on a change log; test_forecasting_changes.py",
    "pipeline_waterfall": "table function on a change log, returns a record; "
    "test_forecasting_changes.py",
    "close_date_slippage": "table function on a change log, returns a record; "
    "test_forecasting_slippage.py",
    "stage_win_rates": "table function on stage history and deals; test_forecasting_win_rates.py",
    "probability_calibration": "returns a ProbabilityCalibration record; "
    "test_forecasting_calibration.py",
    "forecast_accuracy": "takes two Series paired by label, returns a record; "
    "test_forecasting_accuracy.py",
    "backtest_forecast": "table function on a change log, returns a record; "
    "test_forecasting_backtest.py",
    "profitability_by_source": "table function: takes a DataFrame, tested in test_value.py",
    "forecast_distribution": "returns a ForecastDistribution record; test_pipeline_forecast.py",
    "wins_distribution": "returns a pmf one longer than its input; test_pipeline_forecast.py",
    "sales_cycle": "takes timestamps, not numbers; test_pipeline_metrics.py",
    "deals_to_frame": "converts Deal records to a table; test_pipeline_records.py",
    "frame_to_deals": "converts a table to Deal records; test_pipeline_records.py",
    "stage_funnel": "table function on stage history; test_pipeline_stages.py",
    "time_in_stage": "table function on stage history; test_pipeline_stages.py",
    "weighted_pipeline": "table function on deals; test_pipeline_tables.py",
    "forecast_rollup": "table function on deals; test_pipeline_tables.py",
    "fill_probabilities": "table function on deals; test_pipeline_tables.py",
    "loss_reasons": "table function on deals; test_pipeline_tables.py",
    "classify_tiers": "returns tier labels, not numbers; test_tiers.py",
    "temperature_band": "returns band names, not numbers; test_tiers.py",
    "pareto_classes": "returns class labels, not numbers; test_tiers.py",
    "segment_potential": "groups accounts by segment columns; test_tiers.py",
    "next_contact": "takes and returns timestamps; test_tiers.py",
    "days_overdue": "takes timestamps and tier labels; test_tiers.py",
    "tier_accounts": "table function on accounts; test_tiers_tables.py",
    "validate": "checks a frame against a canonical table; test_schema.py",
    "row_problems": "a reason per row of a canonical table; test_schema.py",
    "from_records": "CRM records to a canonical table; test_adapters_generic.py",
    "to_records": "a canonical table to JSON-ready dicts; test_adapters_generic.py",
    "read_table": "a CSV file to a canonical table; test_io.py",
    "read_export": "a CRM's CSV export as text for its adapter; test_io.py",
    "read_rates": "a CSV file of exchange rates to an ExchangeRates record; test_money.py",
    "convert": "table function on deals: converts a column of amounts; test_money.py",
    "convert_amounts": "takes currency codes and dates beside the amounts; its container "
    "contract is tested in test_money.py",
    "gross_revenue_retention": "ratio of sums, empty -> NaN; test_retention_bridge.py",
    "net_revenue_retention": "ratio of sums, empty -> NaN; test_retention_bridge.py",
    "revenue_bridge": "returns a RevenueBridge record; test_retention_bridge.py",
    "upsell_share": "ratio of sums with a boolean mask; test_retention_metrics.py",
    "net_promoter_score": "survey score over integer answers; test_retention_surveys.py",
    "csat": "survey share over integer answers; test_retention_surveys.py",
    "referral_report": "table function on new customers; test_retention_referrals.py",
    "cohort_retention": "table function on transactions; test_retention_cohorts.py",
    "retention_by_period": "table function on transactions; test_retention_cohorts.py",
    "usage_summary": "table function on an events log; test_retention_cohorts.py",
    "fit_decay": "fits a DecayFit record to leads' times and outcomes; test_leads_fit.py",
    "response_times": "takes timestamps, returns timedeltas; test_leads_response.py",
    "sla_attainment": (
        "a share that counts a NaN/NaT response time as a miss, not a sum; test_leads_response.py"
    ),
    "response_report": "table function on leads; test_leads_response.py",
    "source_performance": "table function on leads; test_leads_sources.py",
    "channel_effectiveness": "returns a record of rates; test_leads_sources.py",
    "email_engagement": "returns a record of rates; test_leads_sources.py",
    "productivity_report": "table function on deals; test_team_tables.py",
    "activity_report": "table function on activities; test_team_tables.py",
    "activity_yield": "returns a DataFrame of activity bands; test_team_yield.py",
    "overdue_contacts": "table function on accounts; test_tiers_tables.py",
    "cold_accounts": "table function on accounts; test_tiers_tables.py",
    "declining_accounts": "table function on accounts; test_tiers_tables.py",
}


def test_every_public_function_is_registered() -> None:
    public = {name for name in salescore.__all__ if inspect.isfunction(getattr(salescore, name))}
    registered = {key.split("[")[0] for key in REGISTRY if "." not in key}
    assert public - set(NOT_FORMULAS) == registered, (
        "register new formula functions in tests/test_contracts.py, or list them in "
        "NOT_FORMULAS with the reason"
    )
    assert set(NOT_FORMULAS) <= public


CASES = sorted(REGISTRY)
ELEMENTWISE = [case for case in CASES if not REGISTRY[case].reduction]
REDUCTIONS = [case for case in CASES if REGISTRY[case].reduction]


def _draw_columns(data: st.DataObject, contract: Contract, size: int) -> dict[str, list[float]]:
    return {
        name: data.draw(st.lists(element, min_size=size, max_size=size), label=name)
        for name, element in contract.arguments.items()
    }


def _call(contract: Contract, arguments: dict[str, Any]) -> Any:
    # By keyword, so that keyword-only data arguments (such as closed=) are covered.
    return contract.function(**arguments, **contract.options)


def _snapshot(value: Any) -> Any:
    return value.copy() if isinstance(value, (np.ndarray, pd.Series)) else value


def _assert_unchanged(before: dict[str, Any], after: dict[str, Any]) -> None:
    for name, original in before.items():
        current = after[name]
        if isinstance(original, pd.Series):
            pd.testing.assert_series_equal(current, original)
        elif isinstance(original, np.ndarray):
            np.testing.assert_array_equal(current, original)
        else:
            assert current == original or (current != current and original != original), name


@pytest.mark.parametrize("case", ELEMENTWISE)
@given(data=st.data())
def test_kinds_and_numbers_agree(case: str, data: st.DataObject) -> None:
    contract = REGISTRY[case]
    size = data.draw(st.integers(1, 12), label="size")
    columns = _draw_columns(data, contract, size)

    # One scalar call per element is the reference.
    expected = np.array(
        [_call(contract, {k: v[i] for k, v in columns.items()}) for i in range(size)]
    )
    for i in range(size):
        assert type(_call(contract, {k: v[i] for k, v in columns.items()})) is float

    arrays = {k: sst.as_kind(v, "ndarray") for k, v in columns.items()}
    before = {k: _snapshot(v) for k, v in arrays.items()}
    result = _call(contract, arrays)
    _assert_unchanged(before, arrays)
    assert isinstance(result, np.ndarray)
    assert result.dtype == np.float64
    assert result.shape == (size,)
    assert not any(np.shares_memory(result, a) for a in arrays.values())
    np.testing.assert_allclose(result, expected, rtol=1e-12, atol=1e-9, equal_nan=True)

    labels = [f"row{size - i}" for i in range(size)]  # not positional
    index = pd.Index(labels)
    # A separate but equal Index object per argument, as separate columns would have.
    series = {k: sst.as_kind(v, "series", index=pd.Index(labels)) for k, v in columns.items()}
    before = {k: _snapshot(v) for k, v in series.items()}
    result_series = _call(contract, series)
    _assert_unchanged(before, series)
    assert isinstance(result_series, pd.Series)
    assert result_series.dtype == np.float64
    assert result_series.index.equals(index)
    np.testing.assert_allclose(
        result_series.to_numpy(), expected, rtol=1e-12, atol=1e-9, equal_nan=True
    )


@pytest.mark.parametrize("case", ELEMENTWISE)
@given(data=st.data())
def test_mixed_kinds_broadcast_scalars(case: str, data: st.DataObject) -> None:
    contract = REGISTRY[case]
    size = data.draw(st.integers(1, 8), label="size")
    columns = _draw_columns(data, contract, size)
    names = list(columns)
    # One argument varies, the others are held at their first value.
    varying = data.draw(st.sampled_from(names), label="varying")
    kind: sst.Kind = data.draw(st.sampled_from(["ndarray", "series"]), label="kind")
    held = {k: (v if k == varying else [v[0]] * size) for k, v in columns.items()}
    expected = np.array([_call(contract, {k: v[i] for k, v in held.items()}) for i in range(size)])
    arguments: dict[str, Any] = {
        k: (sst.as_kind(v, kind) if k == varying else v[0]) for k, v in held.items()
    }
    result = _call(contract, arguments)
    if kind == "series":
        assert isinstance(result, pd.Series)
        assert result.index.equals(arguments[varying].index)
        values = result.to_numpy()
    else:
        assert isinstance(result, np.ndarray)
        values = result
    np.testing.assert_allclose(values, expected, rtol=1e-12, atol=1e-9, equal_nan=True)


def _draw_example(data: st.DataObject, contract: Contract) -> dict[str, float]:
    return {k: data.draw(strategy, label=k) for k, strategy in contract.arguments.items()}


@pytest.mark.parametrize("case", ELEMENTWISE)
@given(data=st.data())
def test_numpy_scalars_and_zero_d_arrays_give_float(case: str, data: st.DataObject) -> None:
    contract = REGISTRY[case]
    example = _draw_example(data, contract)
    reference = _call(contract, example)
    as_numpy = {k: np.float64(v) for k, v in example.items()}
    as_zero_d = {k: np.array(v) for k, v in example.items()}
    for arguments in (as_numpy, as_zero_d):
        result = _call(contract, arguments)
        assert type(result) is float
        np.testing.assert_equal(result, reference)


MULTI_ARGUMENT = [case for case in CASES if len(REGISTRY[case].arguments) > 1]


@pytest.mark.parametrize("case", MULTI_ARGUMENT)
@given(data=st.data())
def test_series_with_different_indexes_are_refused(case: str, data: st.DataObject) -> None:
    contract = REGISTRY[case]
    example = _draw_example(data, contract)
    first, second, *_ = example
    arguments: dict[str, Any] = dict(example)
    arguments[first] = pd.Series([example[first]] * 2, index=["a", "b"])
    arguments[second] = pd.Series([example[second]] * 2, index=["b", "a"])
    with pytest.raises(salescore.IndexMismatchError, match=f"{first} and {second}"):
        _call(contract, arguments)


@pytest.mark.parametrize("case", CASES)
@given(data=st.data())
def test_nan_in_gives_nan_out(case: str, data: st.DataObject) -> None:
    contract = REGISTRY[case]
    example = _draw_example(data, contract)
    for name in example:
        arguments: dict[str, Any] = dict(example)
        arguments[name] = float("nan")
        assert np.isnan(_call(contract, arguments)), name
        arguments[name] = np.array([float("nan")])
        assert np.isnan(_call(contract, arguments)).all(), name


@pytest.mark.parametrize("case", ELEMENTWISE)
def test_empty_arrays_give_empty_results(case: str) -> None:
    contract = REGISTRY[case]
    arguments = {k: np.empty(0) for k in contract.arguments}
    result = _call(contract, arguments)
    assert isinstance(result, np.ndarray)
    assert result.shape == (0,)


def _variants(values: list[float]) -> dict[str, Any]:
    doubled = np.repeat(np.asarray(values, dtype=np.float64), 2)
    read_only = np.asarray(values, dtype=np.float64)
    read_only.flags.writeable = False
    return {
        "list": list(values),
        "tuple": tuple(values),
        "strided view": doubled[::2],
        "read-only array": read_only,
        "Float64 Series": pd.Series(values, dtype="Float64"),
        "big-endian array": np.asarray(values, dtype=">f8"),
    }


@pytest.mark.parametrize("case", ELEMENTWISE)
@given(data=st.data())
def test_other_array_likes_agree(case: str, data: st.DataObject) -> None:
    contract = REGISTRY[case]
    size = data.draw(st.integers(1, 8), label="size")
    columns = _draw_columns(data, contract, size)
    expected = _call(contract, {k: np.asarray(v, dtype=np.float64) for k, v in columns.items()})
    variant = data.draw(st.sampled_from(sorted(_variants([0.0]))), label="variant")
    arguments = {k: _variants(v)[variant] for k, v in columns.items()}
    before = {k: _snapshot(v) for k, v in arguments.items()}
    result = _call(contract, arguments)
    _assert_unchanged(before, arguments)
    values = result.to_numpy() if isinstance(result, pd.Series) else result
    assert isinstance(values, np.ndarray)
    assert values.dtype == np.float64
    np.testing.assert_allclose(values, expected, rtol=1e-12, atol=1e-9, equal_nan=True)


@pytest.mark.parametrize("case", ELEMENTWISE)
@given(data=st.data())
def test_integer_inputs_agree_with_float_inputs(case: str, data: st.DataObject) -> None:
    contract = REGISTRY[case]
    example = _draw_example(data, contract)
    integral = {k: float(round(v)) for k, v in example.items()}
    assume(_valid(contract, integral))
    expected = _call(contract, integral)
    as_int = {k: int(v) for k, v in integral.items()}
    as_int_array = {k: np.array([int(v)], dtype=np.int64) for k, v in integral.items()}
    as_int_series = {k: pd.Series([int(v)], dtype="Int64") for k, v in integral.items()}
    np.testing.assert_equal(_call(contract, as_int), expected)
    np.testing.assert_equal(_call(contract, as_int_array), [expected])
    np.testing.assert_equal(_call(contract, as_int_series).to_numpy(), [expected])


def _valid(contract: Contract, arguments: dict[str, float]) -> bool:
    try:
        _call(contract, arguments)
    except salescore.InvalidInputError:
        return False
    return True


# ------------------------------------------------------------------ reductions


@pytest.mark.parametrize("case", REDUCTIONS)
@given(data=st.data())
def test_reductions_return_float_for_every_kind(case: str, data: st.DataObject) -> None:
    contract = REGISTRY[case]
    size = data.draw(st.integers(1, 12), label="size")
    columns = _draw_columns(data, contract, size)
    per_element = [_call(contract, {k: v[i] for k, v in columns.items()}) for i in range(size)]
    labels = [f"row{size - i}" for i in range(size)]
    kinds: dict[str, dict[str, Any]] = {
        "ndarray": {k: sst.as_kind(v, "ndarray") for k, v in columns.items()},
        "series": {k: sst.as_kind(v, "series", index=pd.Index(labels)) for k, v in columns.items()},
        **{
            variant: {k: _variants(v)[variant] for k, v in columns.items()}
            for variant in sorted(_variants([0.0]))
        },
    }
    for name, arguments in kinds.items():
        before = {k: _snapshot(v) for k, v in arguments.items()}
        result = _call(contract, arguments)
        _assert_unchanged(before, arguments)
        assert type(result) is float, name
        # The reductions registered here are sums: the total is the sum of the parts.
        assert result == pytest.approx(sum(per_element), rel=1e-9, abs=1e-6), name


@pytest.mark.parametrize("case", REDUCTIONS)
def test_reductions_of_nothing_are_zero(case: str) -> None:
    contract = REGISTRY[case]
    result = _call(contract, {k: np.empty(0) for k in contract.arguments})
    assert type(result) is float
    assert result == 0.0
