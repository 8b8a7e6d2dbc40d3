"""Hostile input, thrown at every public callable of salescore.

``REGISTRY`` gives, for every public function, record constructor, and public method
and property of a public record, a valid baseline call and the documented range of its
result. The engine in ``tests/hostile_support.py`` classifies each parameter from its
baseline and replaces it with hostile values of its kind (NaN, ±inf, 1e308, 5e-324,
10**400, Fractions, Decimals, complex, bools, text, None, pd.NA, timedeltas, 0-d, 2-D,
empty and ragged arrays, nullable, object and categorical dtypes, Series with duplicate
or unaligned indexes, frames with missing, extra, duplicated, mistyped or MultiIndex
columns and unhashable cells, far and tz-aware dates, option values out of range):
first one parameter at a time over a fixed pool (the sweep), then combinations drawn
by Hypothesis (pool values mixed with freely generated numbers, texts and dates). Every
call must raise only a ``SalescoreError``, let no warning but a ``SalescoreWarning``
escape (also under ``numpy.errstate(all="raise")``), return no ``inf`` unless the input
held one, stay within its documented range, leave its inputs unchanged, build no record
whose fields or properties fail, and return (a hang detector, not a timing test). A
boolean option given a non-bool, a column or text option given a non-string, a count
given a non-integer and a number given complex, text or a value beyond float range must
be refused with ``InvalidInputError``. Ratios and rankings must survive scaling their
amounts to the float limits, and a few results keep particular promises (``CHECKS``).

A public callable that is neither registered nor listed in ``EXEMPT`` fails the suite.
The CLI and the CRM adapters are fuzzed with garbage records and files in
``tests/test_hostile_cli.py``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import math
import pkgutil
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import salescore
import salescore.report.sections as sections
from salescore import schema
from salescore.datasets import SampleCRM, sample
from salescore.fiscal import FiscalCalendar, FiscalFrequency
from salescore.io import LOCALES
from salescore.leads.calendar import BusinessHours
from salescore.leads.decay import ExponentialDecay, PiecewiseDecay, PowerLawDecay
from salescore.leads.presets import MIT2007_QUALIFY
from salescore.models import (
    BetaGeoModel,
    GammaGammaModel,
    ShiftedBetaGeoModel,
    compress,
    fit_bgnbd,
    fit_gamma_gamma,
    fit_sbg,
    load_cdnow_summary,
    load_cdnow_transactions,
    model_clv,
    rfm_summary,
    score_customers,
)
from salescore.money import ExchangeRates, convert, convert_amounts, read_rates
from salescore.pipeline.forecast import ForecastDistribution
from salescore.plotting import (
    backtest_chart,
    cohort_heatmap,
    decay_chart,
    forecast_chart,
    funnel_chart,
    loss_reasons_chart,
    reliability_chart,
    temperature_map,
)
from salescore.report import (
    Assumptions,
    FileFormat,
    Import,
    Inputs,
    Problem,
    ReasonGroup,
    Report,
    build_report,
    demo_inputs,
    render,
)
from salescore.report.html import render_html
from salescore.report.render import cell, import_reasons, label, table_title

from . import hostile_support as hs
from .hostile_support import Entry, entry

try:  # the plotting helpers need a backend that draws nowhere
    import matplotlib

    matplotlib.use("Agg")
except ImportError:  # pragma: no cover - matplotlib is a test dependency
    pass

# ------------------------------------------------------------------ small data

_SAMPLE = sample()
AS_OF = pd.Timestamp("2026-01-01")


def _small(frame: pd.DataFrame, rows: int) -> pd.DataFrame:
    return frame.head(rows).reset_index(drop=True)


DEALS = pd.concat(
    [_SAMPLE.deals[_SAMPLE.deals["status"] == status].head(3) for status in ("won", "lost", "open")]
).reset_index(drop=True)
HISTORY = _SAMPLE.stage_history[_SAMPLE.stage_history["deal_id"].isin(DEALS["deal_id"])]
HISTORY = HISTORY.reset_index(drop=True)
# Six deals due in 2025 Q3 (three won, three lost) and two still open, with every change.
CHANGE_IDS = ["D00700", "D01832", "D02365", "D02357", "D02386", "D02490", "D04990", "D04999"]
CHANGES = _SAMPLE.deal_changes[_SAMPLE.deal_changes["deal_id"].isin(CHANGE_IDS)]
CHANGES = CHANGES.reset_index(drop=True)
WATERFALL = salescore.pipeline_waterfall(CHANGES, "2025-07-01", "2025-10-01", period="2025Q3")
SLIPPAGE = salescore.close_date_slippage(CHANGES)
CALIBRATION = salescore.probability_calibration(
    np.array([0.1, 0.4, 0.35, 0.8, 0.9, 0.2]), np.array([False, False, True, True, True, False])
)
BACKTEST = salescore.backtest_forecast(CHANGES, periods=["2025Q3"], as_of=AS_OF)
_QUARTERS = pd.period_range("2025Q1", periods=4, freq="Q")
ACCURACY = salescore.forecast_accuracy(
    pd.Series([100.0, 120.0, 90.0, 110.0], index=_QUARTERS),
    pd.Series([90.0, 130.0, 0.0, 100.0], index=_QUARTERS),
)
ACCOUNTS = _small(_SAMPLE.accounts, 8)
PLAN = salescore.tier_accounts(ACCOUNTS, today="2026-01-15")
PLAN_WITH_TIERS = ACCOUNTS.assign(tier=PLAN["tier"], temperature=PLAN["temperature"])
LEADS = _small(_SAMPLE.leads, 10)
ACTIVITIES = _small(_SAMPLE.activities, 20)
_CUSTOMERS = _SAMPLE.transactions["customer_id"].drop_duplicates().head(4)
TRANSACTIONS = _SAMPLE.transactions[_SAMPLE.transactions["customer_id"].isin(_CUSTOMERS)]
TRANSACTIONS = TRANSACTIONS.head(16).reset_index(drop=True)
REFERRALS = pd.DataFrame(
    {
        "customer_id": ["C1", "C2", "C3", "C4"],
        "source": ["referral", "web", "referral", "event"],
        "referred_by": ["C2", None, "C2", None],
    }
)
PROFITS = pd.DataFrame(
    {"source": ["web", "web", "event"], "value": [1000.0, 500.0, 800.0], "hours": [2.0, 1.0, 5.0]}
)
STAGES = ("Prospecting", "Qualification", "Proposal", "Negotiation", "Closed Won", "Closed Lost")
FUNNEL = salescore.stage_funnel(HISTORY, stages=STAGES, as_of=AS_OF)
LOSSES = salescore.loss_reasons(DEALS)
COHORTS = salescore.cohort_retention(TRANSACTIONS)

VALUES = np.array([1000.0, 2500.0, 400.0])
PROBABILITIES = np.array([0.5, 0.2, 0.9])
DIST = salescore.forecast_distribution(VALUES, PROBABILITIES)
TIMES = np.array([0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 24.0, 48.0] * 3)
OUTCOMES = np.array([1, 1, 1, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 0, 0]) == 1
DECAY_FIT = salescore.fit_decay(TIMES, OUTCOMES)
# Published parameters (Fader, Hardie & Lee 2005 for CDNOW; Fader & Hardie 2007 for the
# Regular cohort), as in test_contracts.py: valid models whose methods are fuzzed.
CDNOW_BGNBD = BetaGeoModel(r=0.243, alpha=4.414, a=0.793, b=2.426)
CDNOW_GAMMA_GAMMA = GammaGammaModel(p=6.25, q=3.74, v=15.44)
REGULAR_SBG = ShiftedBetaGeoModel(alpha=0.704, beta=1.182)
# alpha > 1, so that the expected lifetime is finite.
LOYAL_SBG = ShiftedBetaGeoModel(alpha=3.0, beta=1.182)
STAGE_PROBABILITIES = {stage: 0.1 * (k + 1) for k, stage in enumerate(STAGES[:4])} | {
    "Closed Won": 1.0,
    "Closed Lost": 0.0,
}
FREQUENCY = np.array([0.0, 2.0, 5.0, 1.0])
RECENCY = np.array([0.0, 20.0, 30.0, 5.0])
AGE = np.array([39.0, 38.0, 35.0, 30.0])
SPEND = np.array([0.0, 25.0, 40.0, 12.0])
IMPORTED = salescore.from_records(
    [
        {"deal_id": "D1", "value": 10.0, "status": "open"},
        {"deal_id": "D2", "value": "ten", "status": "open"},
    ]
)
REPORT = build_report(
    Inputs(
        as_of=AS_OF,
        source="test",
        deals=DEALS,
        stage_history=HISTORY,
        accounts=ACCOUNTS,
        leads=LEADS,
        transactions=TRANSACTIONS,
        activities=ACTIVITIES,
        quota=10_000.0,
    )
)
SMALL_REPORT = build_report(Inputs(as_of=AS_OF, source="test", deals=DEALS.head(3)))
SECTION = sections.accounts_section(ACCOUNTS, as_of=AS_OF)
REASON_GROUP = ReasonGroup(column="value", problem="not a number", rows=2, examples="line 2: 'x'")
IMPORT = Import(
    table="deals",
    source="csv",
    file="deals.csv",
    rows_in=5,
    accepted=3,
    reasons={REASON_GROUP.label: 2},
    groups=(REASON_GROUP,),
)
DEAL = salescore.Deal(deal_id="D1", value=1000.0, probability=0.4, stage="Proposal")
TABLE = schema.TABLES["deals"]
COLUMN = TABLE.columns[0]
HOURS = BusinessHours()
UNIT = salescore.UnitEconomics(
    margin=100.0, retention=0.8, discount_rate=0.1, acquisition_cost=50.0
)
BRIDGE = salescore.revenue_bridge([100.0, 50.0, 0.0], [120.0, 0.0, 30.0])
POLICY = salescore.TierPolicy()
CHANNELS = salescore.channel_effectiveness(100.0, 40.0, 10.0)
EMAILS = salescore.email_engagement(100.0, 40.0, 10.0)
LOCALE = next(iter(LOCALES.values()))
RATES = ExchangeRates(
    base="EUR",
    currencies=np.array(["SEK", "SEK", "USD"], dtype=object),
    valid_from=pd.to_datetime(["2026-01-01", "2026-04-01", "2026-01-01"]).to_numpy(),
    rates=np.array([11.5, 11.0, 1.1]),
)
MONEY = pd.DataFrame(
    {
        "value": [115_000.0, 110_000.0, 1_100.0, 500.0],
        "currency": ["SEK", "SEK", "USD", "EUR"],
        "close_date": pd.to_datetime(["2026-03-31", "2026-04-01", "2026-02-01", "2026-02-01"]),
    }
)
# Deals in euros and kronor, for the table functions that convert them (rates=, to=).
NORDIC_DEALS = DEALS.assign(currency=["EUR", "SEK"] * 4 + ["SEK"])
NORDIC_RATES = ExchangeRates(
    base="EUR", currencies=["SEK"], valid_from=["2020-01-01"], rates=[11.0]
)
_RATE_FIELDS = ("IsoCode", "ConversionRate", "StartDate", "NextStartDate")
RATE_RECORDS = [
    dict(zip(_RATE_FIELDS, ("AUD", 1.39, "0001-01-01", "2014-02-01"), strict=True)),
    dict(zip(_RATE_FIELDS, ("AUD", 1.42, "2014-02-01", None), strict=True)),
]
RATES_FILE = str(Path(__file__).parent / "fixtures" / "rates.csv")
APRIL = FiscalCalendar.from_start_month(4)
RETAIL = FiscalCalendar.weeks("4-4-5", end_month=1, weekday="Sat", rule="last")
FISCAL_ROWS = pd.concat(
    [
        APRIL.periods("2026-04-01", "2027-03-31", kind=kind).assign(kind=kind)
        for kind in ("year", "quarter", "month")
    ],
    ignore_index=True,
)
PERIOD_RECORDS = FISCAL_ROWS.rename(columns={"label": "Id", "start": "StartDate", "end": "EndDate"})
PERIOD_RECORDS = PERIOD_RECORDS.assign(
    Type=FISCAL_ROWS["kind"].str.title(), FiscalYearSettingsId="F1"
)


@attrs.frozen
class Read:
    """Reading one property of a record, as a callable without arguments."""

    record: Any
    name: str

    def __call__(self) -> Any:
        return getattr(self.record, self.name)


def _fields_of(record: Any) -> dict[str, Any]:
    """The constructor arguments that rebuild a record."""
    return {f.alias: getattr(record, f.name) for f in attrs.fields(type(record)) if f.init}


# ------------------------------------------------------------------ registry

P01 = (0.0, 1.0)


def _entries() -> list[tuple[str | None, Entry]]:
    c = salescore
    out: list[tuple[str | None, Entry]] = [
        # value.py
        (None, entry(c.clv, 100.0, 0.8, 0.1).kind(periods="count")),
        ("value.lifetime.clv[periods]", entry(c.clv, 100.0, 0.8, 0.1, periods=12, timing="begin")),
        (None, entry(c.expected_lifetime, 0.8).within(0, math.inf)),
        (None, entry(c.customer_value, 100.0, 5.0)),
        (None, entry(c.acquisition_cost, 12_000.0, 40.0).within(0, math.inf)),
        (None, entry(c.time_cost, 10.0, 50.0).within(0, math.inf)),
        (None, entry(c.sale_profit, 1000.0, 10.0, 50.0)),
        (None, entry(c.clv_cac_ratio, 1000.0, 200.0)),
        (None, entry(c.cac_payback, 300.0, 50.0).allowing_inf()),
        (None, entry(c.profitability_by_source, PROFITS, hourly_cost=50.0)),
        (None, entry(c.UnitEconomics, margin=100.0, retention=0.8, acquisition_cost=50.0)),
        ("value.records.UnitEconomics.clv", entry(Read(UNIT, "clv"))),
        ("value.records.UnitEconomics.clv_cac_ratio", entry(Read(UNIT, "clv_cac_ratio"))),
        ("value.records.UnitEconomics.expected_lifetime", entry(Read(UNIT, "expected_lifetime"))),
        ("value.records.UnitEconomics.payback", entry(Read(UNIT, "payback"))),
        # pipeline
        (None, entry(c.weighted_value, VALUES, PROBABILITIES)),
        (None, entry(c.weighted_forecast, VALUES, PROBABILITIES)),
        (None, entry(c.forecast_distribution, VALUES, PROBABILITIES)),
        (
            "pipeline.forecast.forecast_distribution[monte_carlo]",
            entry(
                c.forecast_distribution,
                VALUES,
                PROBABILITIES,
                method="monte_carlo",
                samples=500,
                seed=1,
            ),
        ),
        (
            "pipeline.forecast.forecast_distribution[exact]",
            entry(c.forecast_distribution, VALUES, PROBABILITIES, method="exact"),
        ),
        (
            "pipeline.forecast.forecast_distribution[lattice]",
            entry(c.forecast_distribution, VALUES, PROBABILITIES, method="lattice", max_bins=64),
        ),
        (
            "pipeline.cycle.sales_cycle[per deal]",
            entry(c.sales_cycle, DEALS["created"], DEALS["close_date"], statistic=None),
        ),
        (
            "tiers.classify.classify_tiers[quantile]",
            entry(
                c.classify_tiers,
                np.array([1000.0, 500.0, 0.0, 100.0]),
                benchmark="quantile",
                quantile=0.9,
            ),
        ),
        (
            "team.yields.activity_yield[edges]",
            entry(
                c.activity_yield,
                np.array([1.0, 5.0, 9.0, 3.0, 7.0]),
                np.array([10.0, 50.0, 80.0, 0.0, 60.0]),
                bins=[0.0, 4.0, 10.0],
            ),
        ),
        (
            "plotting.pipeline.forecast_chart[cdf]",
            entry(forecast_chart, DIST, quota=2000.0, kind="cdf"),
        ),
        (
            "plotting.pipeline.loss_reasons_chart[share]",
            entry(loss_reasons_chart, LOSSES, measure="share"),
        ),
        (
            "retention.cohorts.cohort_retention[customers]",
            entry(c.cohort_retention, TRANSACTIONS, freq="Q", normalize=False),
        ),
        (None, entry(c.wins_distribution, PROBABILITIES).within(*P01)),
        (None, entry(ForecastDistribution, **_fields_of(DIST))),
        (None, entry(c.combine_distributions, DIST, DIST)),
        (None, entry(c.book_distribution, DEALS[DEALS["status"] == "open"])),
        (None, entry(c.pipeline_as_of, CHANGES, "2025-08-01")),
        (
            None,
            entry(c.pipeline_waterfall, CHANGES, "2025-07-01", "2025-10-01", period="2025Q3"),
        ),
        (None, entry(c.PipelineWaterfall, **_fields_of(WATERFALL))),
        (None, entry(WATERFALL.table)),
        (None, entry(c.close_date_slippage, CHANGES)),
        (None, entry(c.CloseDateSlippage, **_fields_of(SLIPPAGE))),
        (None, entry(c.stage_win_rates, HISTORY, DEALS)),
        (
            None,
            entry(
                c.probability_calibration,
                np.array([0.1, 0.4, 0.35, 0.8, 0.9, 0.2]),
                np.array([False, False, True, True, True, False]),
                bins=4,
            )
            # log_loss is inf when a deal given 0 was won or one given 1 was lost.
            .allowing_inf(),
        ),
        (None, entry(c.ProbabilityCalibration, **_fields_of(CALIBRATION))),
        (
            None,
            entry(
                c.forecast_accuracy,
                pd.Series([100.0, 120.0, 90.0, 110.0], index=_QUARTERS),
                pd.Series([90.0, 130.0, 0.0, 100.0], index=_QUARTERS),
            ),
        ),
        (None, entry(c.ForecastAccuracy, **_fields_of(ACCURACY))),
        (None, entry(c.backtest_forecast, CHANGES, periods=["2025Q3"], as_of=AS_OF)),
        (
            "forecasting.backtest.backtest_forecast[preset]",
            entry(
                c.backtest_forecast,
                CHANGES,
                periods=["2025Q3"],
                probabilities={"Prospecting": 0.1, "Proposal": 0.5, "Negotiation": 0.8},
                as_of=AS_OF,
            ),
        ),
        ("forecasting.backtest.Backtest.summary", entry(Read(BACKTEST, "summary"))),
        ("forecasting.backtest.Backtest.open_deals", entry(Read(BACKTEST, "open_deals"))),
        (None, entry(c.Backtest, **_fields_of(BACKTEST))),
        (None, entry(BACKTEST.calibration, bins=4)),
        (None, entry(BACKTEST.pit_cdf, np.array([0.0, 0.5, 1.0])).within(*P01)),
        (None, entry(BACKTEST.pit_histogram, 5)),
        (
            "pipeline.distribution.combine_distributions[lattice]",
            entry(c.combine_distributions, DIST, DIST, max_outcomes=64),
        ),
        (None, entry(DIST.interval, 0.8).kind(level="number")),
        (None, entry(DIST.probability_at_least, 1000.0).within(*P01)),
        (None, entry(DIST.quantile, 0.5)),
        (None, entry(DIST.to_frame)),
        (None, entry(c.pipeline_coverage, 30_000.0, 10_000.0, closed=2000.0).kind(closed="data")),
        (None, entry(c.required_coverage, 0.25)),
        (None, entry(c.win_rate, 10.0, 30.0).within(*P01)),
        (None, entry(c.pipeline_velocity, 20.0, 0.25, 5000.0, 45.0)),
        (None, entry(c.leads_needed, 100_000.0, 0.05, 2000.0)),
        (None, entry(c.expected_revenue, 500.0, 0.05, 2000.0)),
        (None, entry(c.sales_cycle, DEALS["created"], DEALS["close_date"])),
        (
            None,
            entry(c.Deal, deal_id="D1", value=1000.0, probability=0.4, created=AS_OF).accepting(
                # documented: "deal_id : str or int"
                deal_id=("3",)
            ),
        ),
        ("pipeline.deal.Deal.weighted_value", entry(Read(DEAL, "weighted_value"))),
        (None, entry(c.Deal.from_mapping, {"deal_id": "D1", "value": 5.0}, strict=True)),
        (None, entry(c.deals_to_frame, [DEAL])),
        (None, entry(c.frame_to_deals, DEALS)),
        (None, entry(c.stage_funnel, HISTORY, stages=STAGES, as_of=AS_OF).kind(stages="object")),
        (None, entry(c.time_in_stage, HISTORY, as_of=AS_OF)),
        (None, entry(c.weighted_pipeline, DEALS, by="owner", freq="M")),
        (None, entry(c.forecast_rollup, DEALS, by="owner")),
        (
            "pipeline.tables.weighted_pipeline[rates]",
            entry(
                c.weighted_pipeline,
                NORDIC_DEALS,
                by="owner",
                freq="M",
                rates=NORDIC_RATES,
                to="EUR",
            ),
        ),
        (
            "pipeline.tables.forecast_rollup[rates]",
            entry(c.forecast_rollup, NORDIC_DEALS, by="owner", rates=NORDIC_RATES, to="EUR"),
        ),
        (None, entry(c.loss_reasons, DEALS)),
        (
            None,
            entry(c.fill_probabilities, DEALS, STAGE_PROBABILITIES, overwrite=True),
        ),
        # leads
        (
            None,
            entry(c.contact_probability, 5.0, base_rate=0.4, curve=MIT2007_QUALIFY)
            .kind(base_rate="data")
            .within(*P01),
        ),
        (None, entry(ExponentialDecay, half_life=30.0, reference=0.0)),
        (None, entry(ExponentialDecay(half_life=30.0).multiplier, np.array([0.0, 10.0, 60.0]))),
        (None, entry(PowerLawDecay, exponent=0.5, reference=1.0, floor=1.0)),
        (None, entry(PowerLawDecay(exponent=0.5).multiplier, np.array([0.0, 10.0, 60.0]))),
        (None, entry(PiecewiseDecay, times=(0.0, 5.0, 30.0), multipliers=(1.0, 0.5, 0.1))),
        (
            None,
            entry(
                PiecewiseDecay(times=(0.0, 5.0, 30.0), multipliers=(1.0, 0.5, 0.1)).multiplier, 12.0
            ),
        ),
        (None, entry(c.fit_decay, TIMES, OUTCOMES).kind(outcome="data")),
        (None, entry(c.DecayFit, **_fields_of(DECAY_FIT))),
        (None, entry(DECAY_FIT.probability, np.array([0.5, 5.0])).within(*P01)),
        ("leads.fit.DecayFit.base_rate_se", entry(Read(DECAY_FIT, "base_rate_se"))),
        ("leads.fit.DecayFit.half_life_se", entry(Read(DECAY_FIT, "half_life_se"))),
        ("leads.fit.DecayFit.intercept_se", entry(Read(DECAY_FIT, "intercept_se"))),
        ("leads.fit.DecayFit.slope_se", entry(Read(DECAY_FIT, "slope_se"))),
        (
            None,
            entry(c.response_times, LEADS["created"], LEADS["first_contact"], business_hours=HOURS),
        ),
        (
            None,
            entry(c.sla_attainment, np.array([1.0, 10.0, 3.0]), within=5.0)
            .within(*P01)
            .kind(within="number"),
        ),
        (None, entry(c.response_report, LEADS)),
        (None, entry(c.source_performance, LEADS, value="value", freq="M")),
        (None, entry(c.channel_effectiveness, 100.0, 40.0, 10.0)),
        (None, entry(c.email_engagement, 100.0, 40.0, 10.0)),
        (
            None,
            entry(
                c.ChannelEffectiveness,
                contact_rate=0.4,
                conversion_rate=0.25,
                yield_per_attempt=0.1,
            ),
        ),
        (None, entry(CHANNELS.to_frame)),
        (None, entry(c.EmailEngagement, open_rate=0.4, click_rate=0.1, click_to_open_rate=0.25)),
        (None, entry(EMAILS.to_frame)),
        (None, entry(BusinessHours, weekdays=("Mon", "Tue"), holidays=("2026-01-01",))),
        (None, entry(BusinessHours.around_the_clock)),
        ("leads.calendar.BusinessHours.daily_hours", entry(Read(HOURS, "daily_hours"))),
        ("leads.calendar.BusinessHours.weekmask", entry(Read(HOURS, "weekmask"))),
        # team
        (None, entry(c.sales_productivity, 100_000.0, 4.0)),
        (None, entry(c.sales_roi, 100_000.0, 40_000.0, margin=0.3).kind(margin="data")),
        (None, entry(c.activity_attainment, 40.0, 50.0).within(0, math.inf)),
        (None, entry(c.activities_per_win, 40.0, 4.0).within(0, math.inf)),
        (None, entry(c.productivity_report, DEALS, 4.0).kind(headcount="data")),
        (
            "team.productivity.productivity_report[rates]",
            entry(c.productivity_report, NORDIC_DEALS, 4.0, rates=NORDIC_RATES, to="EUR").kind(
                headcount="data"
            ),
        ),
        (None, entry(c.activity_report, ACTIVITIES, {"call": 5.0, "email": 5.0}, freq="W")),
        (
            None,
            entry(
                c.activity_yield,
                np.array([1.0, 5.0, 9.0, 3.0, 7.0]),
                np.array([10.0, 50.0, 80.0, 0.0, 60.0]),
                bins=2,
            ),
        ),
        # retention
        (None, entry(c.retention_rate, 100.0, 90.0, 10.0).within(*P01)),
        (None, entry(c.churn_rate, 100.0, 10.0).within(*P01)),
        (None, entry(c.renewal_rate, 80.0, 100.0).within(0, math.inf)),
        (
            None,
            entry(c.quick_ratio, 50.0, 20.0, 10.0, 5.0, reactivation=2.0)
            .kind(reactivation="data")
            .within(0, math.inf),
        ),
        (None, entry(c.upsell_share, np.array([10.0, 20.0]), np.array([True, False])).within(*P01)),
        (
            None,
            entry(
                c.gross_revenue_retention, np.array([100.0, 50.0]), np.array([80.0, 60.0])
            ).within(*P01),
        ),
        (
            None,
            entry(c.net_revenue_retention, np.array([100.0, 50.0]), np.array([80.0, 60.0])).within(
                0, math.inf
            ),
        ),
        (None, entry(c.revenue_bridge, np.array([100.0, 50.0, 0.0]), np.array([120.0, 0.0, 30.0]))),
        (
            None,
            entry(
                c.RevenueBridge,
                start=150.0,
                new=30.0,
                reactivated=0.0,
                expansion=20.0,
                contraction=0.0,
                churned=50.0,
                end=150.0,
            ),
        ),
        ("retention.bridge.RevenueBridge.grr", entry(Read(BRIDGE, "grr"))),
        ("retention.bridge.RevenueBridge.nrr", entry(Read(BRIDGE, "nrr"))),
        ("retention.bridge.RevenueBridge.quick_ratio", entry(Read(BRIDGE, "quick_ratio"))),
        (None, entry(BRIDGE.to_series)),
        (None, entry(c.referral_rate, 5.0, 100.0).within(*P01)),
        (None, entry(c.referral_ask_rate, 20.0, 100.0).within(*P01)),
        (None, entry(c.referral_report, REFERRALS)),
        (None, entry(c.net_promoter_score, np.array([10, 9, 7, 0])).within(-100, 100)),
        (None, entry(c.csat, np.array([5, 4, 3, 1]), scale=5).within(*P01)),
        (None, entry(c.cohort_retention, TRANSACTIONS, amount="amount", measure="revenue")),
        (None, entry(c.retention_by_period, TRANSACTIONS)),
        (None, entry(c.usage_summary, TRANSACTIONS, end="2024-06-30")),
        # tiers
        (None, entry(c.classify_tiers, np.array([1000.0, 500.0, 0.0, 100.0]))),
        (None, entry(c.pareto_classes, np.array([1000.0, 500.0, 0.0, 100.0]))),
        (
            None,
            entry(
                c.segment_potential,
                pd.Series([10.0, 20.0, 5.0]),
                pd.Series(["a", "a", "b"]),
                min_peers=1,
            ).kind(revenue="data"),
        ),
        (None, entry(c.temperature, 80.0, 100.0).within(0, math.inf)),
        (None, entry(c.temperature_band, np.array([0.9, 0.3]))),
        (None, entry(c.revenue_change, 80.0, 100.0)),
        (
            None,
            entry(
                c.next_contact,
                pd.Series(pd.to_datetime(["2025-12-01", "2025-11-01"])),
                pd.Series(["A", "C"]),
            ),
        ),
        (
            None,
            entry(
                c.days_overdue,
                pd.Series(pd.to_datetime(["2025-12-01", "2025-11-01"])),
                pd.Series(["A", "C"]),
                today="2026-01-15",
            ),
        ),
        (None, entry(c.TierPolicy)),
        (None, entry(POLICY.cadence, "A")),
        (None, entry(POLICY.channel, "A")),
        (None, entry(POLICY.level, "A").within(*P01)),
        (None, entry(c.tier_accounts, ACCOUNTS, today="2026-01-15", min_peers=1)),
        (None, entry(c.overdue_contacts, PLAN_WITH_TIERS, today="2026-01-15")),
        (None, entry(c.cold_accounts, PLAN_WITH_TIERS)),
        (None, entry(c.declining_accounts, ACCOUNTS)),
        # schema
        (None, entry(c.validate, DEALS, "deals", strict=False)),
        (None, entry(c.row_problems, DEALS, "deals")),
        (
            None,
            entry(
                schema.check_columns, DEALS, "deals", {"value": "value"}, kinds={"value": "number"}
            ),
        ),
        (None, entry(schema.Column, name="x", kind="number", minimum=0.0)),
        ("schema.tables.Column.dtype", entry(Read(COLUMN, "dtype"))),
        (None, entry(schema.Table, name="t", columns=(COLUMN,))),
        (None, entry(TABLE.empty)),
        ("schema.tables.Table.key", entry(Read(TABLE, "key"))),
        ("schema.tables.Table.names", entry(Read(TABLE, "names"))),
        ("schema.tables.Table.required", entry(Read(TABLE, "required"))),
        # fiscal
        (None, entry(FiscalCalendar, start_month=4, naming="start")),
        (
            "fiscal.calendar.FiscalCalendar[weeks]",
            entry(
                FiscalCalendar,
                start_month=2,
                naming="end",
                pattern="4-4-5",
                weekday="Sat",
                rule="nearest",
            ),
        ),
        (None, entry(FiscalCalendar.from_start_month, 4, naming="start")),
        (
            None,
            entry(
                FiscalCalendar.weeks, "4-5-4", end_month=1, weekday="Sat", rule="last", naming="end"
            ),
        ),
        (None, entry(FiscalCalendar.from_periods, FISCAL_ROWS, naming="start", id="label")),
        (None, entry(FiscalCalendar.from_salesforce, PERIOD_RECORDS, naming="end")),
        (None, entry(APRIL.periods, AS_OF, pd.Timestamp("2026-06-30"), kind="quarter")),
        (None, entry(APRIL.period_of, DEALS["close_date"], kind="quarter")),
        (
            "fiscal.calendar.FiscalCalendar.period_of[weeks]",
            entry(RETAIL.period_of, DEALS["close_date"], kind="month"),
        ),
        (
            "fiscal.calendar.FiscalCalendar.period_of[periods]",
            entry(
                FiscalCalendar.from_periods(FISCAL_ROWS).period_of,
                pd.Series(pd.to_datetime(["2026-04-01", "2026-12-24", "2027-03-31"])),
                kind="month",
            ),
        ),
        (
            "fiscal.calendar.FiscalCalendar[periods]",
            entry(
                FiscalCalendar,
                start_month=None,
                explicit=FiscalCalendar.from_periods(FISCAL_ROWS).explicit,
            ),
        ),
        (None, entry(APRIL.bounds, AS_OF, kind="quarter")),
        ("fiscal.calendar.FiscalCalendar.end_month", entry(Read(RETAIL, "end_month"))),
        (None, entry(APRIL.freq, "quarter")),
        (None, entry(FiscalFrequency, RETAIL, "month")),
        (
            "pipeline.losses.loss_reasons[fiscal]",
            entry(c.loss_reasons, DEALS, freq=APRIL.freq("quarter")),
        ),
        (
            "pipeline.tables.weighted_pipeline[fiscal]",
            entry(c.weighted_pipeline, DEALS, by="owner", freq=RETAIL.freq("month")),
        ),
        (
            "leads.sources.source_performance[fiscal]",
            entry(c.source_performance, LEADS, value="value", freq=APRIL.freq("month")),
        ),
        (
            "team.productivity.productivity_report[fiscal]",
            entry(c.productivity_report, DEALS, 4.0, freq=APRIL.freq("quarter")).kind(
                headcount="data"
            ),
        ),
        (
            "team.activity.activity_report[fiscal]",
            entry(c.activity_report, ACTIVITIES, {"call": 5.0}, freq=RETAIL.freq("month")),
        ),
        (
            "retention.cohorts.cohort_retention[fiscal]",
            entry(c.cohort_retention, TRANSACTIONS, freq=APRIL.freq("quarter")),
        ),
        (
            "retention.cohorts.retention_by_period[fiscal]",
            entry(c.retention_by_period, TRANSACTIONS, freq=APRIL.freq("year")),
        ),
        (
            "retention.usage.usage_summary[fiscal]",
            entry(c.usage_summary, TRANSACTIONS, freq=RETAIL.freq("quarter"), end="FY2025 Q3"),
        ),
        # money
        (None, entry(ExchangeRates, **_fields_of(RATES))),
        (None, entry(ExchangeRates.from_frame, RATES.to_frame(), base="EUR")),
        (None, entry(ExchangeRates.from_salesforce, RATE_RECORDS, base="USD")),
        (None, entry(RATES.rate, "SEK", MONEY["close_date"]).within(0, math.inf)),
        (None, entry(RATES.to_frame)),
        (None, entry(read_rates, RATES_FILE, base="EUR")),
        (None, entry(convert, MONEY, to="USD", rates=RATES)),
        (
            None,
            entry(
                convert_amounts,
                MONEY["value"],
                MONEY["currency"].to_numpy(dtype=object),
                MONEY["close_date"],
                to="EUR",
                rates=RATES,
            ),
        ),
        # adapters' records
        (
            None,
            entry(
                c.ImportResult,
                table="deals",
                source="t",
                frame=IMPORTED.frame,
                rejected=IMPORTED.rejected,
                rows_in=2,
            ),
        ),
        ("adapters._result.ImportResult.accepted", entry(Read(IMPORTED, "accepted"))),
        ("adapters._result.ImportResult.n_rejected", entry(Read(IMPORTED, "n_rejected"))),
        (None, entry(IMPORTED.reason_groups, examples=3)),
        (None, entry(IMPORTED.reasons)),
        (None, entry(IMPORTED.summary, lines=12)),
        (None, entry(type(LOCALE), **attrs.asdict(LOCALE))),
        # models
        (
            None,
            entry(
                BetaGeoModel,
                r=0.243,
                alpha=4.414,
                a=0.793,
                b=2.426,
                n_customers=10,
                iterations=3,
                log_likelihood=-1.0,
                method="x",
            ),
        ),
        (
            None,
            entry(CDNOW_BGNBD.conditional_expected_purchases, 10.0, FREQUENCY, RECENCY, AGE).within(
                0, math.inf
            ),
        ),
        (
            None,
            entry(CDNOW_BGNBD.customer_log_likelihood, FREQUENCY, RECENCY, AGE).within(
                -math.inf, 0
            ),
        ),
        (None, entry(CDNOW_BGNBD.expected_purchases, 10.0).within(0, math.inf)),
        (None, entry(CDNOW_BGNBD.probability_alive, FREQUENCY, RECENCY, AGE).within(*P01)),
        (None, entry(CDNOW_BGNBD.purchase_probability, 2.0, 10.0).within(*P01)),
        (None, entry(fit_bgnbd, FREQUENCY, RECENCY, AGE)),
        (
            None,
            entry(
                GammaGammaModel,
                p=6.25,
                q=3.74,
                v=15.44,
                n_customers=10,
                n_excluded=1,
                iterations=3,
                log_likelihood=-1.0,
                method="x",
            ),
        ),
        (None, entry(CDNOW_GAMMA_GAMMA.conditional_expected_value, FREQUENCY[1:], SPEND[1:])),
        (None, entry(CDNOW_GAMMA_GAMMA.customer_log_likelihood, FREQUENCY[1:], SPEND[1:])),
        (None, entry(fit_gamma_gamma, FREQUENCY, SPEND, repeat_buyers_only=True)),
        (
            None,
            entry(
                ShiftedBetaGeoModel,
                alpha=0.704,
                beta=1.182,
                cohort_size=100.0,
                periods=4,
                iterations=3,
                log_likelihood=-1.0,
                method="x",
            ),
        ),
        (
            None,
            entry(REGULAR_SBG.discounted_expected_residual_lifetime, 0.1, 1.0).within(0, math.inf),
        ),
        (None, entry(LOYAL_SBG.expected_lifetime)),
        (None, entry(REGULAR_SBG.retention, 3.0).within(*P01)),
        (None, entry(REGULAR_SBG.survival, 3.0).within(*P01)),
        (None, entry(fit_sbg, np.array([1000.0, 631.0, 468.0, 382.0, 326.0]))),
        (
            None,
            entry(
                model_clv,
                CDNOW_BGNBD,
                CDNOW_GAMMA_GAMMA,
                FREQUENCY,
                RECENCY,
                AGE,
                SPEND,
                months=12,
                discount_rate=0.01,
            ).kind(bgnbd="object", gamma_gamma="object"),
        ),
        (None, entry(compress, FREQUENCY, RECENCY, AGE, SPEND)),
        (
            None,
            entry(
                score_customers,
                pd.DataFrame(
                    {"frequency": FREQUENCY, "recency": RECENCY, "T": AGE, "monetary_value": SPEND}
                ),
                CDNOW_BGNBD,
                t=39.0,
                gamma_gamma=CDNOW_GAMMA_GAMMA,
                months=12,
                discount_rate=0.01,
            ).kind(bgnbd="object", gamma_gamma="object"),
        ),
        (None, entry(rfm_summary, TRANSACTIONS, amount="amount", observation_end="2024-12-31")),
        (None, entry(load_cdnow_summary)),
        (None, entry(load_cdnow_transactions)),
        # datasets
        (None, entry(sample, seed=3).limited(6)),
        (
            None,
            entry(
                SampleCRM,
                **{
                    **_fields_of(_SAMPLE),
                    "deals": DEALS,
                    "stage_history": HISTORY,
                    "accounts": ACCOUNTS,
                    "leads": LEADS,
                    "activities": ACTIVITIES,
                    "transactions": TRANSACTIONS,
                },
            ).kind(seed="count"),
        ),
        # plotting
        (
            None,
            entry(
                decay_chart,
                {"fit": DECAY_FIT, "qualify": MIT2007_QUALIFY},
                times=np.array([1.0, 10.0]),
            ),
        ),
        (None, entry(forecast_chart, DIST, quota=2000.0, bins=10)),
        (None, entry(backtest_chart, {"CRM": BACKTEST})),
        (None, entry(reliability_chart, {"CRM": CALIBRATION})),
        (None, entry(funnel_chart, FUNNEL)),
        (None, entry(loss_reasons_chart, LOSSES)),
        (None, entry(cohort_heatmap, COHORTS, shares=True, annotate=False)),
        (None, entry(temperature_map, PLAN)),
        # report
        (None, entry(Assumptions, margin=0.3, seller_cost=90_000.0, discount_rate=0.1)),
        (None, entry(FileFormat, sep=";", decimal=",", dayfirst=True)),
        (None, entry(FileFormat(sep=";").options)),
        (None, entry(ReasonGroup, column="value", problem="not a number", rows=2, examples="x")),
        ("report.inputs.ReasonGroup.label", entry(Read(REASON_GROUP, "label"))),
        (None, entry(REASON_GROUP.to_dict)),
        (
            None,
            entry(
                Import,
                table="deals",
                source="csv",
                file="deals.csv",
                rows_in=5,
                accepted=3,
                reasons={"value: not a number": 2},
            ),
        ),
        ("report.inputs.Import.rejected", entry(Read(IMPORT, "rejected"))),
        (None, entry(IMPORT.to_dict)),
        (None, entry(Inputs, as_of=AS_OF, source="t", deals=DEALS, quota=1000.0, headcount=2.0)),
        (None, entry(Problem, kind="no_rows", severity="error", message="m", table="deals")),
        (None, entry(Problem(kind="no_rows", severity="error", message="m").to_dict)),
        (None, entry(Report, **_fields_of(REPORT))),
        (None, entry(REPORT.to_dict)),
        ("report.build.Report.unusable", entry(Read(REPORT, "unusable"))),
        (None, entry(build_report, Inputs(as_of=AS_OF, source="t", deals=DEALS, quota=1000.0))),
        (
            None,
            entry(demo_inputs, as_of=AS_OF, quota=1e6)
            .kind(as_of="time", quota="number")
            .limited(8),
        ),
        (None, entry(render, REPORT, "text")),
        (None, entry(render_html, SMALL_REPORT, SMALL_REPORT.to_dict())),
        (None, entry(cell, "deals", "value", 1000.0).taking_anything("value")),
        ("report.render.render[locale]", entry(render, SMALL_REPORT, "text", locale="sv_SE")),
        (
            "report.html.render_html[locale]",
            entry(render_html, SMALL_REPORT, SMALL_REPORT.to_dict(), locale="de_DE"),
        ),
        (
            "report._layout.cell[locale]",
            entry(cell, "deals", "value", 1000.0, locale="sv_SE", currency="SEK").taking_anything(
                "value"
            ),
        ),
        (None, entry(import_reasons, IMPORT.to_dict())),
        (None, entry(label, "win_rate")),
        (None, entry(table_title, "pipeline")),
        (None, entry(sections.Section, key="k", title="t", metrics={"a": 1.0})),
        (None, entry(SECTION.flag, "note", "a")),
        (None, entry(SECTION.to_dict)),
        (None, entry(sections.accounts_section, ACCOUNTS, as_of=AS_OF)),
        (None, entry(sections.accuracy_section, CHANGES, as_of=AS_OF)),
        (
            None,
            entry(sections.forecast_section, DEALS, as_of=AS_OF, quota=10_000.0).kind(
                quota="number"
            ),
        ),
        (None, entry(sections.funnel_section, HISTORY, DEALS, as_of=AS_OF, stages=list(STAGES))),
        (None, entry(sections.funnel.funnel_stages, HISTORY, DEALS)),
        (None, entry(sections.leads_section, LEADS, as_of=AS_OF)),
        (None, entry(sections.retention_section, TRANSACTIONS, ACCOUNTS, as_of=AS_OF)),
        (
            None,
            entry(
                sections.team_section,
                DEALS,
                ACTIVITIES,
                as_of=AS_OF,
                headcount=4.0,
                targets={"call": 5.0},
            ).kind(headcount="number"),
        ),
        (
            None,
            entry(
                sections.value_section,
                TRANSACTIONS,
                as_of=AS_OF,
                sellers=4.0,
                margin=0.3,
                seller_cost=90_000.0,
                discount_rate=0.1,
            ),
        ),
        (None, entry(sections.days_text, AS_OF, pd.Timestamp("2026-03-01"))),
        (None, entry(sections.months_text, pd.period_range("2025-01", periods=3, freq="M"))),
        (None, entry(sections.quarter_end, AS_OF)),
        (None, entry(sections.probability_presets)),
    ]
    return out


def qualified(function: Callable[..., Any]) -> str:
    """The registry key of a callable: its module (without ``salescore.``) and qualname."""
    owner = getattr(function, "__self__", None)
    if owner is not None and not isinstance(owner, ModuleType):
        cls = owner if inspect.isclass(owner) else type(owner)
        return f"{qualified(cls)}.{function.__name__}"
    module = function.__module__.removeprefix("salescore.")
    return f"{module}.{function.__qualname__}"


#: Amounts that, scaled together by any positive factor, leave the result unchanged.
SCALE_FREE_PARAMETERS: dict[str, tuple[str, ...]] = {
    "pipeline.metrics.win_rate": ("won", "lost"),
    "retention.metrics.upsell_share": ("revenue",),
    "retention.bridge.gross_revenue_retention": ("start_revenue", "end_revenue"),
    "retention.bridge.net_revenue_retention": ("start_revenue", "end_revenue"),
    "tiers.classify.pareto_classes": ("revenue",),
    "tiers.classify.classify_tiers": ("revenue",),
    "retention.metrics.churn_rate": ("start", "lost"),
    "retention.metrics.retention_rate": ("start", "end", "new"),
    "retention.metrics.renewal_rate": ("renewed", "due"),
    "retention.referrals.referral_rate": ("referrers", "customers"),
    "retention.referrals.referral_ask_rate": ("asks", "contacts"),
    "tiers.temperature.temperature": ("realized", "expected"),
    "tiers.temperature.revenue_change": ("current", "previous"),
    "value.acquisition.clv_cac_ratio": ("clv", "cac"),
    "team.metrics.activity_attainment": ("actual", "target"),
    "team.metrics.activities_per_win": ("activities", "wins"),
    "value.acquisition.acquisition_cost": ("spend", "new_customers"),
    "pipeline.metrics.pipeline_coverage": ("pipeline", "quota", "closed"),
    "team.metrics.sales_roi": ("revenue", "investment"),
    "retention.metrics.quick_ratio": ("new", "expansion", "churned", "contraction", "reactivation"),
    "value.acquisition.cac_payback": ("cac", "margin"),
}


def _registry() -> dict[str, Entry]:
    registry: dict[str, Entry] = {}
    for key, item in _entries():
        name = key or qualified(item.function)
        assert name not in registry, f"registered twice: {name}"
        registry[name] = item.scale_free(*SCALE_FREE_PARAMETERS.get(name, ()))
    assert set(SCALE_FREE_PARAMETERS) <= set(registry)
    return registry


REGISTRY = _registry()


# ------------------------------------------------------------------ enumeration


def public_modules() -> Iterator[ModuleType]:
    """salescore and every public (non-underscore) subpackage and module."""
    yield salescore
    for info in pkgutil.walk_packages(salescore.__path__, "salescore."):
        if not any(part.startswith("_") for part in info.name.split(".")[1:]):
            yield importlib.import_module(info.name)


def record_members(cls: type) -> Iterator[str]:
    """Public methods, class methods and properties of a record class."""
    for name in dir(cls):
        if name.startswith("_"):
            continue
        member = inspect.getattr_static(cls, name)
        if isinstance(member, (property, classmethod, staticmethod)) or inspect.isfunction(member):
            yield name


def public_callables() -> dict[str, Any]:
    """Every public callable, by its registry key."""
    found: dict[str, Any] = {}
    for module in public_modules():
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if not callable(obj) or isinstance(obj, ModuleType):
                continue
            key = qualified(obj)
            found[key] = obj
            if inspect.isclass(obj) and attrs.has(obj):
                for member in record_members(obj):
                    found[f"{key}.{member}"] = getattr(obj, member, None)
    return found


#: Public callables the suite does not call, and why.
EXEMPT: dict[str, str] = {
    "engines.engine_name": "takes any object and reads only its class's module name",
    **{
        f"errors.{name}": "an exception class: raised, never called with data"
        for name in (
            "SalescoreError",
            "InvalidInputError",
            "IndexMismatchError",
            "SchemaError",
            "ConvergenceError",
            "SalescoreWarning",
        )
    },
    "report.data.ReportInputError": "an exception class: raised, never called with data",
    "models.clv.PurchaseModel": "a typing Protocol, not instantiated",
    "models.clv.SpendModel": "a typing Protocol, not instantiated",
    "cli.main": "the command line: fuzzed with arguments and files in test_hostile_cli.py",
    "server.app.create_app": (
        "the HTTP API: each endpoint is fuzzed with hostile bodies over HTTP in "
        "tests/server/test_hostile_requests.py"
    ),
    "server.app.ServerSettings": (
        "the server's settings: refusals tested in tests/server/test_guards.py"
    ),
    "server.app.serve": "runs until interrupted: started as a process in tests/server",
    "io._read.read_table": "reads a file: fuzzed with garbage files in test_hostile_cli.py",
    "io._export.read_export": "reads a file: fuzzed with garbage files in test_hostile_cli.py",
    "report.data.load_inputs": "reads a folder of files: fuzzed in test_hostile_cli.py",
    **{
        f"adapters.{name}": "a CRM adapter: fuzzed with garbage records in test_hostile_cli.py"
        for name in (
            "generic.from_records",
            "generic.to_records",
            "hubspot.deals",
            "hubspot.stage_history",
            "odoo.deals",
            "pipedrive.deals",
            "salesforce._leads.leads",
            "salesforce._opportunities.opportunities",
            "salesforce._history.opportunity_history",
            "webhook.deal_metrics",
        )
    },
    **{
        f"adapters.{name}": (
            "a CRM adapter: fuzzed with garbage records in test_adapters_changes.py"
        )
        for name in ("_hubspot_changes.deal_changes", "salesforce._changes.opportunity_changes")
    },
}


def test_every_public_callable_is_registered_or_exempt() -> None:
    public = set(public_callables())
    registered = {key.split("[")[0] for key in REGISTRY}
    assert not registered & set(EXEMPT), "a callable is both registered and exempt"
    missing = sorted(public - registered - set(EXEMPT))
    assert not missing, (
        f"register these callables in tests/test_hostile_inputs.py (or exempt them with a "
        f"reason): {missing}"
    )
    stale = sorted((registered | set(EXEMPT)) - public)
    assert not stale, f"registered or exempt but not public: {stale}"
    assert len(public) > 150


KEYS = sorted(REGISTRY)
_BASE_HAS_INF = {key: hs.baseline_has_inf(REGISTRY[key]) for key in KEYS}


def _refusals(key: str, changes: dict[str, hs.Hostile]) -> list[str]:
    out = []
    for name, hostile in changes.items():
        kind, _ = hs.pool(REGISTRY[key], name)
        parameter, _ = hs.parameters(REGISTRY[key])[name]
        item = REGISTRY[key]
        if name in item.lenient or hostile.label in item.accepted.get(name, ()):
            continue
        if hs.must_refuse(hostile, kind, parameter):
            out.append(name)
    return out


def _distribution_holds(result: Any, arguments: Mapping[str, Any]) -> list[str]:
    # The documented shape of a ForecastDistribution: distinct increasing outcomes up to
    # the total (the largest possible outcome), probabilities that sum to 1.
    outcomes = np.asarray(result.outcomes, dtype=np.float64)
    weights = np.asarray(result.probabilities, dtype=np.float64)
    problems = []
    if outcomes.size > 1 and not (np.diff(outcomes) > 0).all():
        problems.append(f"outcomes not strictly increasing: {hs.describe(outcomes)}")
    if outcomes.size and outcomes[-1] > result.total * (1 + 1e-12) + 1e-300:
        problems.append(f"an outcome {outcomes[-1]!r} beyond total {result.total!r}")
    if weights.size and (weights.min() < 0 or abs(weights.sum() - 1) > 1e-9):
        problems.append(f"probabilities not a distribution: {hs.describe(weights)}")
    return problems


def _buyers_are_not_d(result: Any, arguments: Mapping[str, Any]) -> list[str]:
    # D means "never bought": an account with revenue above zero is never D.
    try:
        revenue = np.asarray(arguments["revenue"], dtype=np.float64)
    except (TypeError, ValueError):
        return []
    labels = np.asarray(result, dtype=object)
    if revenue.shape != labels.shape:
        return []
    wrong = (revenue > 0) & np.isfinite(revenue) & (labels == "D")
    return (
        [f"a buyer classed D (never bought): {hs.describe(revenue[wrong])}"] if wrong.any() else []
    )


def _labels_in(*allowed: str) -> Callable[[Any, Mapping[str, Any]], list[str]]:
    def check(result: Any, arguments: Mapping[str, Any]) -> list[str]:
        values = [result] if result is None or isinstance(result, str) else list(result)
        odd = {v for v in values if not (v is None or v is pd.NA or v != v) and v not in allowed}
        return [f"labels outside {allowed}: {sorted(map(repr, odd))[:5]}"] if odd else []

    return check


#: Promises of particular results, checked after every successful call.
CHECKS: dict[str, Callable[[Any, Mapping[str, Any]], list[str]]] = {
    "pipeline.forecast.forecast_distribution": _distribution_holds,
    "pipeline.forecast.forecast_distribution[monte_carlo]": _distribution_holds,
    "pipeline.forecast.forecast_distribution[exact]": _distribution_holds,
    "pipeline.forecast.forecast_distribution[lattice]": _distribution_holds,
    "pipeline.distribution.ForecastDistribution": _distribution_holds,
    "tiers.classify.classify_tiers": _buyers_are_not_d,
    "tiers.classify.classify_tiers[quantile]": _buyers_are_not_d,
    "tiers.classify.pareto_classes": _labels_in("A", "B", "C"),
    "tiers.temperature.temperature_band": _labels_in(*POLICY.band_names),
}


def _run(key: str, changes: dict[str, hs.Hostile], *, check_all: bool = True) -> list[str]:
    return hs.run(
        key,
        REGISTRY[key],
        changes,
        _refusals(key, changes),
        base_has_inf=_BASE_HAS_INF[key],
        check_all=check_all,
        check=CHECKS.get(key),
    )


@pytest.mark.parametrize("key", KEYS)
def test_baseline_call_is_valid(key: str) -> None:
    # The baseline must succeed (a refusal here would make every hostile call vacuous)
    # and keep every promise, its own arguments unchanged included.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hs.invoke(REGISTRY[key], {})
    problems = _run(key, {})
    assert not problems, "\n".join(problems)


def sweep(key: str) -> Iterator[tuple[str, hs.Hostile]]:
    """The sweep's cases for one callable: each parameter with each hostile value."""
    yield from hs.sweep_cases(key, REGISTRY[key])


@pytest.mark.parametrize("key", KEYS)
def test_sweep_one_parameter_at_a_time(key: str) -> None:
    problems: list[str] = []
    for name, hostile in sweep(key):
        problems.extend(_run(key, {name: hostile}, check_all=False))
    assert not problems, f"{len(problems)} broken promises:\n" + "\n".join(problems)


SCALE_FREE = [key for key in KEYS if REGISTRY[key].invariant]


def _scaled_copy(value: Any, factor: float) -> Any:
    values = np.asarray(value, dtype=np.float64) * factor
    if isinstance(value, pd.Series):
        return pd.Series(values, index=value.index)
    return values if np.ndim(value) else float(values)


def _magnitude(item: Entry) -> float:
    base = hs.parameters(item)
    return max(
        float(np.max(np.abs(np.asarray(base[n][1], dtype=np.float64)))) for n in item.invariant
    )


def _scaling(factor: float) -> Callable[[Any], Any]:
    return lambda value: _scaled_copy(value, factor)


def _scaling_cases() -> list[Any]:
    return [
        pytest.param(key, target, id=f"{key}-{target:g}")
        for key in SCALE_FREE
        for target in (1e308, 1e-300, 1e-310)
    ]


@pytest.mark.parametrize(("key", "target"), _scaling_cases())
def test_ratios_survive_the_float_limits(key: str, target: float) -> None:
    # Scaling every amount by one factor leaves a ratio or a ranking unchanged, so the
    # result at the float limits must equal the baseline's, or the call must refuse.
    item = REGISTRY[key]
    factor = target / _magnitude(item)
    base = hs.parameters(item)
    expected, _ = hs.invoke(item, {})
    label = f"all of {', '.join(item.invariant)} scaled to {target:g}"
    changes = {name: hs.Hostile(label, _scaling(factor)) for name in item.invariant}
    problems = _run(key, changes)
    assert not problems, "\n".join(problems)
    try:
        with np.errstate(all="ignore"):
            result, _ = hs.invoke(
                item, {n: _scaled_copy(base[n][1], factor) for n in item.invariant}
            )
    except salescore.InvalidInputError:
        return
    if isinstance(expected, np.ndarray) and expected.dtype == object:
        assert hs.same(result, expected), f"{key} ({label}): {result!r} != {expected!r}"
    else:
        np.testing.assert_allclose(
            result, expected, rtol=1e-9, equal_nan=True, err_msg=f"{key} ({label})"
        )


#: Hypothesis examples per callable: a few under the dev profile, more under ci.
COMBINATIONS = max(3, settings().max_examples // 25)
COMBINABLE = [key for key in KEYS if len(hs.parameters(REGISTRY[key])) >= 2]


@pytest.mark.parametrize("key", COMBINABLE)
@settings(
    derandomize=True,
    max_examples=COMBINATIONS,
    suppress_health_check=[HealthCheck.too_slow],
    # Each failure message names the callable and the values: shrinking adds nothing.
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
)
@given(data=st.data())
def test_hostile_values_in_combination(key: str, data: st.DataObject) -> None:
    cases = list(sweep(key))
    names = sorted({name for name, _ in cases})
    chosen = data.draw(
        st.lists(st.sampled_from(names), min_size=2, max_size=min(3, len(names)), unique=True),
        label="parameters",
    )
    changes = {}
    for name in chosen:
        pooled = st.sampled_from([h for n, h in cases if n == name])
        drawn = _drawn(hs.pool(REGISTRY[key], name)[0])
        changes[name] = data.draw(pooled if drawn is None else st.one_of(pooled, drawn), label=name)
    problems = _run(key, changes)
    assert not problems, "\n".join(problems)


def _has_inf(value: Any) -> bool:
    try:
        with np.errstate(all="ignore"):
            return bool(np.isinf(np.asarray(value, dtype=np.float64)).any())
    except (TypeError, ValueError, OverflowError, ArithmeticError):
        return False


def _as_hostile(value: Any) -> hs.Hostile:
    return hs.Hostile(f"drawn {hs.describe(value)}", lambda _base: value, infinite=_has_inf(value))


_NUMBERS = st.one_of(
    st.floats(),
    st.integers(-(10**30), 10**30),
    st.fractions(),
    st.decimals(allow_nan=True, allow_infinity=True),
)
_TIMES = st.one_of(
    st.datetimes(timezones=st.sampled_from([None, dt.UTC])),
    st.datetimes().map(lambda moment: moment.isoformat()),
    st.datetimes().map(lambda moment: np.datetime64(moment, "us")),
)


def _drawn(kind: str) -> st.SearchStrategy[hs.Hostile] | None:
    """Values Hypothesis generates freely for a kind of parameter (besides the pools)."""
    strategies: dict[str, st.SearchStrategy[Any]] = {
        "data": st.one_of(
            _NUMBERS,
            st.lists(st.floats(), max_size=6).map(lambda v: np.array(v, dtype=np.float64)),
            st.lists(st.floats(), min_size=1, max_size=6).map(
                lambda v: pd.Series(v, index=[f"k{i}" for i in range(len(v))])
            ),
        ),
        "number": _NUMBERS,
        "count": st.one_of(st.integers(-3, 1000), st.sampled_from([2**31, 2**63, 2**70])),
        "text": st.text(max_size=8),
        "time": st.one_of(_TIMES, st.lists(_TIMES, min_size=1, max_size=4)),
    }
    strategy = strategies.get(kind)
    return None if strategy is None else strategy.map(_as_hostile)


# ------------------------------------------------------------------ the engine itself


def _sleeps(value: float) -> float:
    import time

    time.sleep(value)
    return value


def _leaks(value: float) -> float:
    table: dict[float, float] = {}
    return table[value]


def _warns(value: float) -> float:
    return float(np.log(np.float64(value)))


def _overflows(value: float) -> float:
    return float(np.float64(value) * 10.0)


def _mutates(values: np.ndarray) -> float:
    values[0] = 0.0
    return 1.0


def _truthy(value: float, *, skipna: bool = False) -> float:
    return value if skipna else -value


@pytest.mark.parametrize(
    ("function", "changes", "expected"),
    [
        (_sleeps, {"value": hs.Hostile("1", lambda _: 1.0)}, "hang"),
        (_leaks, {"value": hs.Hostile("1", lambda _: 1.0)}, "raised KeyError"),
        (_warns, {"value": hs.Hostile("-1", lambda _: -1.0)}, "raised FloatingPointError"),
        (_overflows, {"value": hs.Hostile("1e308", lambda _: 1e308)}, "raised FloatingPointError"),
        (_mutates, {"values": hs.Hostile("ones", lambda _: np.ones(2))}, "mutated its argument"),
        (_truthy, {"skipna": hs.FLAGS[0]}, "accepted skipna='False'"),
    ],
)
def test_the_engine_reports_each_broken_promise(
    function: Callable[..., Any], changes: dict[str, hs.Hostile], expected: str
) -> None:
    item = entry(function, np.ones(2) if function is _mutates else 2.0)
    refusals = [name for name in changes if name == "skipna"]
    # A short guard for the sleeper only: under load a quick call may take 0.2 s too.
    seconds = 0.2 if function is _sleeps else 20.0
    problems = hs.run("example", item, changes, refusals, seconds=seconds)
    assert any(expected in problem for problem in problems), problems


def test_the_engine_reports_escaped_warnings_and_inf() -> None:
    def warns(value: float) -> float:
        import warnings

        warnings.warn("careful", UserWarning, stacklevel=1)
        return math.inf

    problems = hs.run("example", entry(warns, 1.0), {"value": hs.Hostile("2", lambda _: 2.0)})
    assert any("warning UserWarning: careful" in problem for problem in problems), problems
    assert any("inf (or an int beyond float range) in result" in p for p in problems), problems


def count_calls() -> tuple[int, int]:
    """Calls per run: the sweep's (baselines included), and the most Hypothesis makes."""
    swept = sum(1 + len(list(sweep(key))) for key in KEYS)
    return swept, COMBINATIONS * len(COMBINABLE)


def test_the_suite_covers_every_callable_with_many_calls() -> None:
    swept, combined = count_calls()
    print(f"{len(REGISTRY)} entries, {swept} swept calls, up to {combined} combinations")
    assert len(REGISTRY) >= 150
    assert swept >= 10 * len(REGISTRY)
