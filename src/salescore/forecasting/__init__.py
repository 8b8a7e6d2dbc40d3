"""Can we trust our forecast? Pipeline history, forecast accuracy and learned win rates.

The functions here read the canonical ``deal_changes`` table (one row per change of a
deal, holding the deal's state after it; see :data:`salescore.schema.TABLES`), closed
deals and past forecasts, and tell a manager how the pipeline moved, how far past
forecasts were from what was won, and whether the probabilities behind the forecast
are true for this team:

- :func:`pipeline_as_of` rebuilds the deals table as it stood at a moment;
- :func:`pipeline_waterfall` shows how a period's pipeline moved between two dates;
- :func:`close_date_slippage` counts how often and how far close dates moved;
- :func:`stage_win_rates` learns P(win | reached stage) from the team's closed deals;
- :func:`probability_calibration` scores probabilities against outcomes (Brier score);
- :func:`forecast_accuracy` compares past forecasts with what was won;
- :func:`backtest_forecast` replays past periods from the change log, without look-ahead.
"""

from __future__ import annotations

from .accuracy import ForecastAccuracy, forecast_accuracy
from .backtest import Backtest, backtest_forecast
from .calibration import ProbabilityCalibration, probability_calibration
from .changes import PipelineWaterfall, pipeline_as_of, pipeline_waterfall
from .slippage import CloseDateSlippage, close_date_slippage
from .win_rates import stage_win_rates

__all__ = [
    "Backtest",
    "CloseDateSlippage",
    "ForecastAccuracy",
    "PipelineWaterfall",
    "ProbabilityCalibration",
    "backtest_forecast",
    "close_date_slippage",
    "forecast_accuracy",
    "pipeline_as_of",
    "pipeline_waterfall",
    "probability_calibration",
    "stage_win_rates",
]
