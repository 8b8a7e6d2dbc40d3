"""Charts of salescore's results, for a sales manager's dashboard.

Each function takes a result of the library as it comes out (the
:class:`~salescore.ForecastDistribution` record, the frames of
:func:`~salescore.stage_funnel`, :func:`~salescore.tier_accounts`,
:func:`~salescore.cohort_retention` and :func:`~salescore.loss_reasons`, decay
curves), draws it with matplotlib and returns the Axes, titled and labelled. Pass
``ax=`` to draw into a figure of your own; without it each call makes a new figure
(through :func:`matplotlib.pyplot.subplots`, so that notebooks show it). Nothing is
shown or saved, and no global setting is changed.

matplotlib is an optional dependency, installed by the ``plot`` extra
(``pip install '.[plot]'``). It is imported when a chart is drawn, not when
this module is, so ``import salescore`` works without it.
"""

from .forecasting import backtest_chart, reliability_chart
from .leads import decay_chart
from .pipeline import forecast_chart, funnel_chart, loss_reasons_chart
from .retention import cohort_heatmap
from .tiers import temperature_map

__all__ = [
    "backtest_chart",
    "cohort_heatmap",
    "decay_chart",
    "forecast_chart",
    "funnel_chart",
    "loss_reasons_chart",
    "reliability_chart",
    "temperature_map",
]
