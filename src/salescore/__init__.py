"""salescore: typed, vectorised sales metrics with their formulas and sources.

Every public name is re-exported here; see the API reference for each module.
"""

import importlib
from types import ModuleType
from typing import TYPE_CHECKING

from ._version import __version__
from .adapters import ImportResult, from_records, to_records
from .errors import (
    ConvergenceError,
    IndexMismatchError,
    InvalidInputError,
    SalescoreError,
    SalescoreWarning,
    SchemaError,
)
from .fiscal import FiscalCalendar, FiscalFrequency
from .forecasting import (
    Backtest,
    CloseDateSlippage,
    ForecastAccuracy,
    PipelineWaterfall,
    ProbabilityCalibration,
    backtest_forecast,
    close_date_slippage,
    forecast_accuracy,
    pipeline_as_of,
    pipeline_waterfall,
    probability_calibration,
    stage_win_rates,
)
from .io import read_export, read_table
from .leads import (
    BusinessHours,
    ChannelEffectiveness,
    DecayFit,
    EmailEngagement,
    ExponentialDecay,
    PiecewiseDecay,
    PowerLawDecay,
    channel_effectiveness,
    contact_probability,
    email_engagement,
    fit_decay,
    response_report,
    response_times,
    sla_attainment,
    source_performance,
)
from .money import ExchangeRates, convert, convert_amounts, read_rates
from .pipeline import (
    Deal,
    ForecastDistribution,
    book_distribution,
    combine_distributions,
    deals_to_frame,
    expected_revenue,
    fill_probabilities,
    forecast_distribution,
    forecast_rollup,
    frame_to_deals,
    leads_needed,
    loss_reasons,
    pipeline_coverage,
    pipeline_velocity,
    required_coverage,
    sales_cycle,
    stage_funnel,
    time_in_stage,
    weighted_forecast,
    weighted_pipeline,
    weighted_value,
    win_rate,
    wins_distribution,
)
from .retention import (
    RevenueBridge,
    churn_rate,
    cohort_retention,
    csat,
    gross_revenue_retention,
    net_promoter_score,
    net_revenue_retention,
    quick_ratio,
    referral_ask_rate,
    referral_rate,
    referral_report,
    renewal_rate,
    retention_by_period,
    retention_rate,
    revenue_bridge,
    upsell_share,
    usage_summary,
)
from .schema import row_problems, validate
from .team import (
    ACTIVITY_KINDS,
    activities_per_win,
    activity_attainment,
    activity_report,
    activity_yield,
    productivity_report,
    sales_productivity,
    sales_roi,
)
from .tiers import (
    TIERS,
    TierPolicy,
    classify_tiers,
    cold_accounts,
    days_overdue,
    declining_accounts,
    next_contact,
    overdue_contacts,
    pareto_classes,
    revenue_change,
    segment_potential,
    temperature,
    temperature_band,
    tier_accounts,
)
from .value import (
    UnitEconomics,
    acquisition_cost,
    cac_payback,
    clv,
    clv_cac_ratio,
    customer_value,
    expected_lifetime,
    profitability_by_source,
    sale_profit,
    time_cost,
)

__all__ = [
    "ACTIVITY_KINDS",
    "TIERS",
    "Backtest",
    "BusinessHours",
    "ChannelEffectiveness",
    "CloseDateSlippage",
    "ConvergenceError",
    "Deal",
    "DecayFit",
    "EmailEngagement",
    "ExchangeRates",
    "ExponentialDecay",
    "FiscalCalendar",
    "FiscalFrequency",
    "ForecastAccuracy",
    "ForecastDistribution",
    "ImportResult",
    "IndexMismatchError",
    "InvalidInputError",
    "PiecewiseDecay",
    "PipelineWaterfall",
    "PowerLawDecay",
    "ProbabilityCalibration",
    "RevenueBridge",
    "SalescoreError",
    "SalescoreWarning",
    "SchemaError",
    "TierPolicy",
    "UnitEconomics",
    "__version__",
    "acquisition_cost",
    "activities_per_win",
    "activity_attainment",
    "activity_report",
    "activity_yield",
    "backtest_forecast",
    "book_distribution",
    "cac_payback",
    "channel_effectiveness",
    "churn_rate",
    "classify_tiers",
    "close_date_slippage",
    "clv",
    "clv_cac_ratio",
    "cohort_retention",
    "cold_accounts",
    "combine_distributions",
    "contact_probability",
    "convert",
    "convert_amounts",
    "csat",
    "customer_value",
    "days_overdue",
    "deals_to_frame",
    "declining_accounts",
    "email_engagement",
    "expected_lifetime",
    "expected_revenue",
    "fill_probabilities",
    "fit_decay",
    "forecast_accuracy",
    "forecast_distribution",
    "forecast_rollup",
    "frame_to_deals",
    "from_records",
    "gross_revenue_retention",
    "leads_needed",
    "loss_reasons",
    "net_promoter_score",
    "net_revenue_retention",
    "next_contact",
    "overdue_contacts",
    "pareto_classes",
    "pipeline_as_of",
    "pipeline_coverage",
    "pipeline_velocity",
    "pipeline_waterfall",
    "probability_calibration",
    "productivity_report",
    "profitability_by_source",
    "quick_ratio",
    "read_export",
    "read_rates",
    "read_table",
    "referral_ask_rate",
    "referral_rate",
    "referral_report",
    "renewal_rate",
    "required_coverage",
    "response_report",
    "response_times",
    "retention_by_period",
    "retention_rate",
    "revenue_bridge",
    "revenue_change",
    "row_problems",
    "sale_profit",
    "sales_cycle",
    "sales_productivity",
    "sales_roi",
    "segment_potential",
    "sla_attainment",
    "source_performance",
    "stage_funnel",
    "stage_win_rates",
    "temperature",
    "temperature_band",
    "tier_accounts",
    "time_cost",
    "time_in_stage",
    "to_records",
    "upsell_share",
    "usage_summary",
    "validate",
    "weighted_forecast",
    "weighted_pipeline",
    "weighted_value",
    "win_rate",
    "wins_distribution",
]

if TYPE_CHECKING:  # what __getattr__ loads at run time, for type checkers
    from . import cli as cli
    from . import datasets as datasets
    from . import models as models
    from . import plotting as plotting
    from . import report as report
    from . import server as server

# The public submodules. Those the names above come from are imported with the package;
# the others (SciPy's models, matplotlib's plotting, the report, the command line, the
# sample data and the HTTP server) only when first touched, so that ``import salescore``
# stays fast and needs no optional dependency (PEP 562).
_SUBMODULES = frozenset(
    {
        "adapters",
        "cli",
        "datasets",
        "engines",
        "errors",
        "fiscal",
        "forecasting",
        "io",
        "leads",
        "models",
        "money",
        "pipeline",
        "plotting",
        "report",
        "retention",
        "schema",
        "server",
        "team",
        "tiers",
        "value",
    }
)


def __getattr__(name: str) -> ModuleType:
    """Import the submodule ``salescore.<name>`` on first access (``salescore.datasets``)."""
    if name in _SUBMODULES:
        # import_module also binds the submodule in this namespace, so this runs once per name.
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    """The names of the namespace and every public submodule, loaded or not."""
    return sorted({*globals(), *_SUBMODULES})
