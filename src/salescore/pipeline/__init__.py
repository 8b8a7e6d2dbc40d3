"""What will we close? Weighted pipeline, forecast distribution, coverage, funnel, losses."""

from . import presets
from .books import book_distribution
from .cycle import pipeline_velocity, sales_cycle
from .distribution import ForecastDistribution, combine_distributions
from .forecast import (
    forecast_distribution,
    weighted_forecast,
    weighted_value,
    wins_distribution,
)
from .losses import loss_reasons
from .metrics import (
    expected_revenue,
    leads_needed,
    pipeline_coverage,
    required_coverage,
    win_rate,
)
from .probabilities import fill_probabilities
from .records import Deal, deals_to_frame, frame_to_deals
from .stages import stage_funnel, time_in_stage
from .tables import forecast_rollup, weighted_pipeline

__all__ = [
    "Deal",
    "ForecastDistribution",
    "book_distribution",
    "combine_distributions",
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
