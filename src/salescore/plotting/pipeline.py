"""Will we hit quota? Charts of the forecast distribution, the stage funnel and lost deals.

Each function takes a result of :mod:`salescore.pipeline` as it comes out (the
:class:`~salescore.ForecastDistribution` record, the frames of
:func:`~salescore.stage_funnel` and :func:`~salescore.loss_reasons`) and returns the
matplotlib Axes it drew on.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np
import pandas as pd

from .._arrays import FloatArray, option_choice, option_count, option_number
from .._tables import require_columns, require_numeric
from ..errors import InvalidInputError, SchemaError
from ..pipeline.forecast import ForecastDistribution
from ._mpl import axes_for, percent, period_noun, require_matplotlib, thousands

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["forecast_chart", "funnel_chart", "loss_reasons_chart"]

_QUANTILES: Final = ((0.1, "P10", ":"), (0.5, "P50", "--"), (0.9, "P90", ":"))
_MOST_TICKS: Final = 24  # period labels shown under a bar chart before they are thinned

#: The most bars :func:`forecast_chart` draws (``bins``).
MAX_BINS: Final = 10_000


# --------------------------------------------------------------------- forecast


def forecast_chart(
    distribution: ForecastDistribution,
    *,
    quota: float | None = None,
    kind: Literal["bars", "cdf"] = "bars",
    bins: int = 40,
    ax: Axes | None = None,
) -> Axes:
    r"""Chart of the forecast distribution: how much the pipeline may bring in.

    Draws the distribution of revenue from :func:`~salescore.forecast_distribution`
    as bars (probability of each revenue range) or as a step curve of the cumulative
    probability, with the P10, P50 and P90 revenues and the weighted forecast marked
    as vertical lines and, given a quota, the quota as a red line whose legend entry
    says how likely the pipeline is to reach it.

    Parameters
    ----------
    distribution : ForecastDistribution
        The record made by :func:`~salescore.forecast_distribution`.
    quota : float or None, keyword-only
        The revenue target, a finite amount >= 0 in the currency of the deals.
    kind : {"bars", "cdf"}, keyword-only, default "bars"
        ``"bars"``: the probability of each of ``bins`` equal revenue ranges between
        the smallest and the largest outcome. ``"cdf"``: the probability that the
        revenue does not exceed each amount, as a step curve.
    bins : int, keyword-only, default 40
        Number of bars for ``kind="bars"``, at least 1 and at most 10,000
        (``MAX_BINS``); a range of outcomes too narrow for that many distinct edges (a few
        multiples of 5e-324) gets fewer bars.
    ax : matplotlib Axes or None, keyword-only
        Where to draw; ``None`` makes a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on, with title, axis labels and a legend.

    Raises
    ------
    ImportError
        matplotlib is not installed (install the ``plot`` extra).
    InvalidInputError
        ``distribution`` is not a :class:`~salescore.ForecastDistribution`; a
        negative, infinite or NaN ``quota``; an unknown ``kind``; ``bins`` not a
        positive integer or above 10,000; ``ax`` not an Axes.

    See Also
    --------
    salescore.forecast_distribution : makes the record.

    Notes
    -----
    With outcomes :math:`s_j` of probabilities :math:`\pi_j` (summing to 1), the bar
    over the range :math:`[a_k, a_{k+1})` has height :math:`\sum_{a_k \le s_j <
    a_{k+1}} \pi_j` (the last range includes its right end), so the bars add up to
    1. The quota's legend entry is

    .. math::

        P(S \ge \text{quota}) = \sum_{s_j \ge \text{quota}} \pi_j,

    and the P10, P50 and P90 lines are :meth:`ForecastDistribution.quantile` at 0.1,
    0.5 and 0.9: the revenue reaches P10 with probability at least 90 %.

    References
    ----------
    .. [1] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition): do we have enough in the pipeline to reach the next quota?
       Each prospect adds value × confidence. See Sources in the documentation.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> import salescore
    >>> from salescore.plotting import forecast_chart
    >>> dist = salescore.forecast_distribution([27_600, 34_500], [0.12, 0.83])
    >>> ax = forecast_chart(dist, quota=30_000, ax=Figure().subplots())
    >>> ax.get_title()
    'Forecast: revenue from the open pipeline'
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['Weighted forecast 31,947', 'P10 0', 'P50 34,500', 'P90 34,500',
     'Quota 30,000: P(reach) = 83 %', 'Probability']

    The cumulative view of the same deals, and an empty pipeline (one certain
    outcome, 0):

    >>> ax = forecast_chart(dist, kind="cdf", ax=Figure().subplots())
    >>> ax.get_ylabel()
    'P(revenue ≤ amount)'
    >>> empty = salescore.forecast_distribution([], [])
    >>> len(forecast_chart(empty, ax=Figure().subplots()).patches)
    1
    """
    require_matplotlib()
    if not isinstance(distribution, ForecastDistribution):
        raise InvalidInputError(
            "distribution must be the ForecastDistribution made by "
            f"salescore.forecast_distribution; got {type(distribution).__name__}"
        )
    chosen = option_choice("kind", kind, ("bars", "cdf"))
    count = option_count("bins", bins, maximum=MAX_BINS)
    if count < 1:
        raise InvalidInputError(f"bins must be at least 1; got {count}")
    target = None if quota is None else option_number("quota", quota)
    if target is not None and not (math.isfinite(target) and target >= 0.0):
        raise InvalidInputError(f"quota must be a finite amount >= 0; got {quota!r}")
    # matplotlib's transforms underflow or overflow on amounts near the float limits
    # (1e308, 5e-324); harmless for the drawing, and no FloatingPointError may escape.
    with np.errstate(all="ignore"):
        axes = axes_for(ax, size=(7.0, 4.0))
        from matplotlib.ticker import StrMethodFormatter

        # The markers first, so that the legend lists them before the distribution.
        axes.axvline(
            distribution.mean,
            color="black",
            linestyle="-",
            linewidth=1.2,
            label=f"Weighted forecast {thousands(distribution.mean)}",
        )
        levels = np.array([level for level, _, _ in _QUANTILES])
        for value, (_, name, style) in zip(distribution.quantile(levels), _QUANTILES, strict=True):
            axes.axvline(
                float(value), color="dimgray", linestyle=style, label=f"{name} {thousands(value)}"
            )
        if target is not None:
            reach = float(distribution.probability_at_least(target))
            axes.axvline(
                target,
                color="tab:red",
                linewidth=2.0,
                label=f"Quota {thousands(target)}: P(reach) = {percent(reach)}",
            )

        outcomes = np.asarray(distribution.outcomes, dtype=np.float64)
        frame = distribution.to_frame()
        if chosen == "bars":
            edges = _edges(outcomes, count)
            with np.errstate(all="ignore"):
                heights, _ = np.histogram(outcomes, bins=edges, weights=frame["probability"])
            axes.bar(
                edges[:-1],
                heights,
                width=np.diff(edges),
                align="edge",
                color="tab:blue",
                alpha=0.75,
                label="Probability",
            )
            axes.set_ylabel("Probability")
        else:
            axes.step(
                np.concatenate([outcomes[:1], outcomes]),
                np.concatenate([[0.0], frame["cumulative"].to_numpy()]),
                where="post",
                color="tab:blue",
                label="P(revenue ≤ amount)",
            )
            axes.set_ylim(0.0, 1.05)
            axes.set_ylabel("P(revenue ≤ amount)")
        axes.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        axes.set_title("Forecast: revenue from the open pipeline")
        axes.set_xlabel("Revenue")
        axes.legend(fontsize="small")
    return axes


def _edges(outcomes: FloatArray, count: int) -> FloatArray:
    """Equal revenue ranges from the smallest to the largest outcome (one bar if equal)."""
    low, high = float(outcomes.min()), float(outcomes.max())
    if high > low:
        with np.errstate(all="ignore"):  # a range of a few 5e-324 has subnormal steps
            edges = np.unique(np.linspace(low, high, count + 1))
        if edges.size >= 2:  # a range that narrow holds fewer distinct edges than bars
            return edges
    half = max(abs(low) * 0.05, 0.5)
    return np.array([low - half, low + half])


# ------------------------------------------------------------------------ funnel


def funnel_chart(funnel: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    r"""Chart of the stage funnel: deals reaching each stage, and the share that advance.

    One horizontal bar per stage, first stage on top, as long as the number of
    deals that reached it; each bar is labelled with that number and, but for the
    last stage, the share of them that reached the next stage. The shortest step
    between two bars is where the pipeline leaks.

    Parameters
    ----------
    funnel : DataFrame
        The frame made by :func:`~salescore.stage_funnel`: indexed by stage in
        funnel order, with columns ``reached`` (counts) and ``conversion``
        (fractions, NaN for the last stage or a stage no deal reached).
    ax : matplotlib Axes or None, keyword-only
        Where to draw; ``None`` makes a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on: one bar per stage, title and axis labels.

    Raises
    ------
    ImportError
        matplotlib is not installed (install the ``plot`` extra).
    SchemaError
        ``funnel`` is not a DataFrame, lacks ``reached`` or ``conversion``, or they
        are not numeric.
    InvalidInputError
        A negative or missing count, or a conversion outside [0, 1]; ``ax`` not an
        Axes.

    See Also
    --------
    salescore.stage_funnel : makes the frame.

    Notes
    -----
    Bar :math:`k` has length :math:`\text{reached}_k` and the label
    :math:`\text{conversion}_k = \text{advanced}_k / \text{reached}_k`; as
    :func:`~salescore.stage_funnel` counts a deal that skipped a stage as having
    passed it, the bars never grow down the funnel.

    References
    ----------
    .. [1] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition): the conversion rate at each pipeline stage, to find where
       the pipeline leaks. See Sources in the documentation.

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> import salescore
    >>> from salescore.plotting import funnel_chart
    >>> history = pd.DataFrame({
    ...     "deal_id": ["A", "A", "A", "B", "B", "C"],
    ...     "stage": ["Lead", "Demo", "Won", "Lead", "Won", "Lead"],
    ...     "entered": pd.to_datetime(["2024-03-01", "2024-03-04", "2024-03-10",
    ...                                "2024-03-02", "2024-03-05", "2024-03-03"]),
    ...     "exited": pd.to_datetime(["2024-03-04", "2024-03-10", None,
    ...                               "2024-03-05", None, "2024-03-09"]),
    ... })
    >>> funnel = salescore.stage_funnel(history, stages=["Lead", "Demo", "Won"])
    >>> ax = funnel_chart(funnel, ax=Figure().subplots())
    >>> [float(bar.get_width()) for bar in ax.patches]
    [3.0, 2.0, 2.0]
    >>> [text.get_text() for text in ax.texts]
    ['3 · 67 % advance', '2 · 100 % advance', '2']

    A stage no deal reached gets an empty bar and no share:

    >>> ax = funnel_chart(salescore.stage_funnel(history, stages=["Lead", "Demo", "Won",
    ...                   "Paid"]), ax=Figure().subplots())
    >>> ax.texts[-1].get_text()
    '0'
    """
    require_matplotlib()
    require_columns("funnel", funnel, ["reached", "conversion"])
    require_numeric("funnel", funnel, ["reached", "conversion"])
    reached = funnel["reached"].to_numpy(dtype=np.float64, na_value=np.nan)
    conversion = funnel["conversion"].to_numpy(dtype=np.float64, na_value=np.nan)
    stages = [str(stage) for stage in funnel.index]
    bad = ~(np.isfinite(reached) & (reached >= 0))
    if bad.any():
        raise InvalidInputError(
            f"funnel: reached must be a count >= 0 for every stage; not so for "
            f"{_listed(stages, bad, reached)}"
        )
    outside = (conversion < 0) | (conversion > 1) | np.isinf(conversion)
    if outside.any():
        raise InvalidInputError(
            f"funnel: conversion must be a fraction in [0, 1] or NaN; not so for "
            f"{_listed(stages, outside, conversion)}"
        )
    # matplotlib's transforms underflow or overflow on amounts near the float limits
    # (1e308, 5e-324); harmless for the drawing, and no FloatingPointError may escape.
    with np.errstate(all="ignore"):
        axes = axes_for(ax, size=(7.0, 0.6 * len(stages) + 1.5))
        from matplotlib.ticker import StrMethodFormatter

        positions = np.arange(len(stages))
        axes.barh(positions, reached, height=0.7, color="tab:blue", alpha=0.8)
        top = float(reached.max()) if reached.size else 0.0
        for position, count, share in zip(positions, reached, conversion, strict=True):
            text = thousands(count)
            if not math.isnan(share):
                text += f" · {percent(share)} advance"
            axes.text(count + 0.01 * top, float(position), text, va="center", fontsize="small")
        axes.set_yticks(positions, labels=stages)
        axes.invert_yaxis()  # the first stage on top, as a funnel reads
        axes.set_xlim(0.0, max(top, 1.0) * 1.35)  # room for the labels beside the bars
        axes.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        axes.set_title("Stage funnel: deals reaching each stage")
        axes.set_xlabel("Deals that reached the stage")
        axes.set_ylabel("Stage")
    return axes


def _listed(labels: list[str], mask: np.ndarray[Any, np.dtype[np.bool_]], values: Any) -> str:
    positions = np.flatnonzero(mask)
    shown = ", ".join(f"{labels[p]!r} ({float(values[p])!r})" for p in positions[:5])
    more = ", …" if positions.size > 5 else ""
    noun = "stage" if positions.size == 1 else "stages"
    return f"{positions.size} {noun}: {shown}{more}"


# -------------------------------------------------------------------- losses


def loss_reasons_chart(
    table: pd.DataFrame,
    *,
    measure: Literal["count", "share"] = "count",
    ax: Axes | None = None,
) -> Axes:
    r"""Chart of lost deals by reason over time: one stacked bar per period.

    Each period's bar stacks the deals lost for each reason, most frequent reason at
    the bottom, so that a spike of one reason (deals lost to a competitor in one
    month) stands out against the others.

    Parameters
    ----------
    table : DataFrame
        The frame made by :func:`~salescore.loss_reasons`: indexed by period, with
        two-level columns ``("count", reason)`` and ``("share", reason)``.
    measure : {"count", "share"}, keyword-only, default "count"
        Stack the numbers of lost deals, or each reason's share of the period's
        losses (every bar then reaches 1; a period without losses has no bar).
    ax : matplotlib Axes or None, keyword-only
        Where to draw; ``None`` makes a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on: a bar segment for every period and reason with a known
        value (``len(ax.patches)``), title, axis labels and a legend of the reasons.

    Raises
    ------
    ImportError
        matplotlib is not installed (install the ``plot`` extra).
    SchemaError
        ``table`` is not a DataFrame, or not shaped as :func:`~salescore.loss_reasons`
        makes it.
    InvalidInputError
        A negative or infinite value, an unknown ``measure``, ``ax`` not an Axes.

    See Also
    --------
    salescore.loss_reasons : makes the table.

    Notes
    -----
    The bar of period :math:`t` stacks :math:`n_{t,r}` over the reasons :math:`r`, so
    its height is the period's number of lost deals :math:`\sum_r n_{t,r}`; with
    ``measure="share"`` the segments are
    :math:`n_{t,r} / \sum_{r'} n_{t,r'}` and add up to 1.

    References
    ----------
    .. [1] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition): count lost deals by reason over time, for example a spike of
       losses to a competitor in one month. See Sources in the documentation.

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> import salescore
    >>> from salescore.plotting import loss_reasons_chart
    >>> deals = pd.DataFrame({
    ...     "deal_id": ["D1", "D2", "D3", "D4", "D5"],
    ...     "status": ["lost", "lost", "lost", "lost", "lost"],
    ...     "lost_reason": ["competitor", "competitor", "price", "competitor", "price"],
    ...     "close_date": pd.to_datetime(["2016-08-03", "2016-08-19", "2016-08-30",
    ...                                   "2016-10-05", "2016-10-20"]),
    ... })
    >>> ax = loss_reasons_chart(salescore.loss_reasons(deals), ax=Figure().subplots())
    >>> len(ax.patches)  # 3 months × 2 reasons
    6
    >>> [label.get_text() for label in ax.get_xticklabels()]
    ['2016-08', '2016-09', '2016-10']

    Shares leave out September, which lost no deal:

    >>> ax = loss_reasons_chart(salescore.loss_reasons(deals), measure="share",
    ...                         ax=Figure().subplots())
    >>> len(ax.patches), ax.get_ylabel()
    (4, "Share of the month's lost deals")
    """
    require_matplotlib()
    chosen = option_choice("measure", measure, ("count", "share"))
    values = _measure_frame(table, chosen)
    numbers = values.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = np.isinf(numbers) | (numbers < 0)
    if bad.any():
        row, column = np.argwhere(bad)[0]
        raise InvalidInputError(
            f"table: {chosen} must be finite and >= 0; {int(bad.sum())} values are not, "
            f"the first in period {values.index[row]!s}, reason {values.columns[column]!r}"
        )
    # matplotlib's transforms underflow or overflow on amounts near the float limits
    # (1e308, 5e-324); harmless for the drawing, and no FloatingPointError may escape.
    with np.errstate(all="ignore"):
        axes = axes_for(ax, size=(8.0, 4.0))
        periods = np.arange(len(values.index))
        bottom = np.zeros(periods.size)
        for column, heights in zip(values.columns, numbers.T, strict=True):
            known = ~np.isnan(heights)
            axes.bar(
                periods[known], heights[known], bottom=bottom[known], width=0.8, label=str(column)
            )
            bottom = bottom + np.where(known, heights, 0.0)
        labels = [str(period) for period in values.index]
        step = max(1, math.ceil(len(labels) / _MOST_TICKS))
        axes.set_xticks(periods[::step], labels=labels[::step])
        if len(labels[::step]) > 12:
            for tick in axes.get_xticklabels():
                tick.set_rotation(45)
                tick.set_horizontalalignment("right")
        noun = period_noun(values.index)
        axes.set_title("Lost deals by reason")
        axes.set_xlabel(noun.capitalize())
        axes.set_ylabel("Lost deals" if chosen == "count" else f"Share of the {noun}'s lost deals")
        if len(values.columns):
            # Top of the legend = top of the stack; outside the axes, clear of the bars.
            handles, names = axes.get_legend_handles_labels()
            axes.legend(
                handles[::-1],
                names[::-1],
                title="Reason",
                fontsize="small",
                loc="upper left",
                bbox_to_anchor=(1.01, 1.0),
            )
    return axes


def _measure_frame(table: object, measure: str) -> pd.DataFrame:
    """``table[measure]`` of a loss_reasons table, checked; an empty table if no loss."""
    if not isinstance(table, pd.DataFrame):
        raise SchemaError(f"table must be a pandas DataFrame; got {type(table).__name__}")
    if table.columns.empty:
        return pd.DataFrame(index=table.index)
    columns = table.columns
    if not (isinstance(columns, pd.MultiIndex) and columns.nlevels == 2) or measure not in set(
        columns.get_level_values(0)
    ):
        raise SchemaError(
            f"table must be the frame made by salescore.loss_reasons, with two-level "
            f"columns ('count', reason) and ('share', reason); got columns {list(columns)!r:.120}"
        )
    values = table.xs(measure, axis=1, level=0)
    if not isinstance(values, pd.DataFrame):
        raise SchemaError(f"table[{measure!r}] must be a frame of reasons; got a Series")
    repeated = values.columns[values.columns.duplicated()].unique().tolist()
    if repeated:
        raise SchemaError(
            f"table[{measure!r}] must list each reason once; repeated: {repeated[:5]!r:.120}"
        )
    require_numeric("table", values, list(values.columns))
    return values
