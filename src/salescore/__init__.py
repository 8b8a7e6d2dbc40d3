"""salescore: typed, vectorised sales metrics with their formulas and sources.

Every public name is re-exported here; see the API reference for each module.
"""

from ._version import __version__
from .errors import (
    ConvergenceError,
    IndexMismatchError,
    InvalidInputError,
    SalescoreError,
    SalescoreWarning,
    SchemaError,
)
from .pipeline import (
    ForecastDistribution,
    expected_revenue,
    forecast_distribution,
    leads_needed,
    pipeline_coverage,
    pipeline_velocity,
    required_coverage,
    sales_cycle,
    weighted_forecast,
    weighted_value,
    win_rate,
    wins_distribution,
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
    "ConvergenceError",
    "ForecastDistribution",
    "IndexMismatchError",
    "InvalidInputError",
    "SalescoreError",
    "SalescoreWarning",
    "SchemaError",
    "UnitEconomics",
    "__version__",
    "acquisition_cost",
    "cac_payback",
    "clv",
    "clv_cac_ratio",
    "customer_value",
    "expected_lifetime",
    "expected_revenue",
    "forecast_distribution",
    "leads_needed",
    "pipeline_coverage",
    "pipeline_velocity",
    "profitability_by_source",
    "required_coverage",
    "sale_profit",
    "sales_cycle",
    "time_cost",
    "weighted_forecast",
    "weighted_value",
    "win_rate",
    "wins_distribution",
]
