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
from .records import Deal, deals_to_frame, frame_to_deals
from .stages import stage_funnel, time_in_stage

__all__ = [
    "Deal",
    "ForecastDistribution",
    "deals_to_frame",
    "expected_revenue",
    "forecast_distribution",
    "frame_to_deals",
    "leads_needed",
    "pipeline_coverage",
    "pipeline_velocity",
    "required_coverage",
    "sales_cycle",
    "stage_funnel",
    "time_in_stage",
    "weighted_forecast",
    "weighted_value",
    "win_rate",
    "wins_distribution",
]
