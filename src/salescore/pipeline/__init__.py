"""What will we close? Weighted pipeline, forecast distribution, coverage, funnel, losses."""

from .forecast import (
    ForecastDistribution,
    forecast_distribution,
    weighted_forecast,
    weighted_value,
    wins_distribution,
)
from .metrics import (
    expected_revenue,
    leads_needed,
    pipeline_coverage,
    pipeline_velocity,
    required_coverage,
    sales_cycle,
    win_rate,
)

__all__ = [
    "ForecastDistribution",
    "expected_revenue",
    "forecast_distribution",
    "leads_needed",
    "pipeline_coverage",
    "pipeline_velocity",
    "required_coverage",
    "sales_cycle",
    "weighted_forecast",
    "weighted_value",
    "win_rate",
    "wins_distribution",
]
