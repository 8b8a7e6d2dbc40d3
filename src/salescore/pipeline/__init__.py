"""What will we close? Weighted pipeline, forecast distribution, coverage, funnel, losses."""

from . import presets
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
from .probabilities import fill_probabilities
from .records import Deal, deals_to_frame, frame_to_deals
from .stages import stage_funnel, time_in_stage
from .tables import forecast_rollup, loss_reasons, weighted_pipeline

__all__ = [
    "Deal",
    "ForecastDistribution",
    "deals_to_frame",
    "expected_revenue",
    "fill_probabilities",
    "forecast_distribution",
    "forecast_rollup",
    "frame_to_deals",
    "leads_needed",
    "loss_reasons",
    "pipeline_coverage",
    "pipeline_velocity",
    "presets",
    "required_coverage",
    "sales_cycle",
    "stage_funnel",
    "time_in_stage",
    "weighted_forecast",
    "weighted_pipeline",
    "weighted_value",
    "win_rate",
    "wins_distribution",
]
