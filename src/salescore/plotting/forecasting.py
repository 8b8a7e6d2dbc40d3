"""Can we trust our forecast? Past forecasts beside what was won, and a reliability diagram.

Each function takes a result of :mod:`salescore.forecasting` as it comes out (the
:class:`~salescore.Backtest` and :class:`~salescore.ProbabilityCalibration` records),
or several of them by name to compare (the CRM's probabilities and learned win rates),
and returns the matplotlib Axes it drew on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final, TypeVar

import numpy as np

from ..errors import InvalidInputError
from ..forecasting.backtest import Backtest
from ..forecasting.calibration import ProbabilityCalibration
from ._mpl import axes_for, require_matplotlib

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["backtest_chart", "reliability_chart"]

_COLOURS: Final = ("tab:blue", "tab:orange", "tab:green", "tab:purple", "tab:brown")
_MOST: Final = len(_COLOURS)  # records compared in one chart

_Record = TypeVar("_Record", Backtest, ProbabilityCalibration)


def _named(name: str, given: object, kind: type[_Record], maker: str) -> dict[str, _Record]:
    """One record, or a mapping of names to records, as a dict of name → record."""
    records = {"": given} if isinstance(given, kind) else given
    if not isinstance(records, Mapping) or not records:
        raise InvalidInputError(
            f"{name} must be a {kind.__name__} (made by {maker}) or a non-empty mapping of "
            f"names to them; got {type(given).__name__}"
        )
    if len(records) > _MOST:
        raise InvalidInputError(f"{name} may compare at most {_MOST} records; got {len(records)}")
    out: dict[str, _Record] = {}
    for key, record in records.items():
        if not isinstance(key, str) or not isinstance(record, kind):
            raise InvalidInputError(
                f"{name} must map names (str) to {kind.__name__} records; got {key!r:.40} → "
                f"{type(record).__name__}"
            )
        out[key] = record
    return out


def backtest_chart(backtest: Backtest | Mapping[str, Backtest], *, ax: Axes | None = None) -> Axes:
    """Chart of past forecasts, their P10–P90 range, and what was won, period by period.

    Parameters
    ----------
    backtest : Backtest or mapping of str to Backtest
        The record made by :func:`~salescore.backtest_forecast`, or several by name
        (``{"CRM": crm, "Learned": learned}``, at most 5) over the same periods.
    ax : matplotlib Axes or None, keyword-only
        Where to draw; ``None`` makes a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on: per record its forecast means as a line and its P10–P90
        range as a band; what the forecast's own deals won as black dots, and
        everything won in the period as grey crosses.

    Raises
    ------
    ImportError
        matplotlib is not installed (install the ``plot`` extra).
    InvalidInputError
        ``backtest`` is neither a :class:`~salescore.Backtest` nor a mapping of names
        to them, records of different periods are compared, or ``ax`` is not an Axes.

    See Also
    --------
    salescore.backtest_forecast : makes the record.

    Notes
    -----
    A forecast's P10–P90 band holds what its own deals brought in at least 80 % of the
    time when its probabilities are true, so a dot outside the band now and then is
    expected, a dot outside it in most periods is not. The crosses also hold the deals
    created or pulled in after the forecast was made, which no pipeline forecast holds.

    References
    ----------
    .. [1] Czado, Gneiting and Held on checking discrete forecasts against outcomes;
       see "Checking forecasts and probabilities" under Sources in the documentation.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> import salescore
    >>> from salescore.datasets import sample
    >>> from salescore.plotting import backtest_chart
    >>> crm = sample()
    >>> test = salescore.backtest_forecast(
    ...     crm.deal_changes, periods=["2025Q3", "2025Q4"], as_of=crm.as_of
    ... )
    >>> ax = backtest_chart({"CRM": test}, ax=Figure().subplots())
    >>> ax.get_title()
    'Past forecasts and what was won'
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['CRM: forecast', 'CRM: P10-P90', 'Won by the forecast deals', 'Won in all']
    """
    require_matplotlib()
    records = _named("backtest", backtest, Backtest, "salescore.backtest_forecast")
    first = next(iter(records.values())).periods
    for record in records.values():
        if not record.periods.index.equals(first.index):
            raise InvalidInputError(
                "backtest: the records compared must cover the same periods; got "
                f"{list(first.index)[:4]!r} and {list(record.periods.index)[:4]!r}"
            )
    labels = [str(label) for label in first.index]
    x = np.arange(len(labels), dtype=np.float64)
    with np.errstate(all="ignore"):
        axes = axes_for(ax, size=(9.0, 4.0))
        from matplotlib.ticker import StrMethodFormatter

        for (name, record), colour in zip(records.items(), _COLOURS, strict=False):
            periods = record.periods
            prefix = f"{name}: " if name else ""
            axes.plot(
                x,
                periods["forecast"].to_numpy(dtype=np.float64),
                color=colour,
                marker="o",
                label=f"{prefix}forecast",
            )
            axes.fill_between(
                x,
                periods["p10"].to_numpy(dtype=np.float64),
                periods["p90"].to_numpy(dtype=np.float64),
                color=colour,
                alpha=0.2,
                label=f"{prefix}P10-P90",
            )
        axes.scatter(
            x,
            first["actual_from_pipeline"].to_numpy(dtype=np.float64),
            color="black",
            zorder=3,
            label="Won by the forecast deals",
        )
        axes.scatter(
            x,
            first["actual"].to_numpy(dtype=np.float64),
            color="dimgray",
            marker="x",
            zorder=3,
            label="Won in all",
        )
        axes.set_xticks(x)
        axes.set_xticklabels(labels, rotation=30 if len(labels) > 6 else 0, fontsize="small")
        axes.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        axes.set_title("Past forecasts and what was won")
        axes.set_xlabel("Period (forecast on its snapshot)")
        axes.set_ylabel("Revenue")
        axes.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return axes


def reliability_chart(
    calibration: ProbabilityCalibration | Mapping[str, ProbabilityCalibration],
    *,
    ax: Axes | None = None,
) -> Axes:
    """Reliability diagram: the share of deals won against the probability they were given.

    Parameters
    ----------
    calibration : ProbabilityCalibration or mapping of str to ProbabilityCalibration
        The record made by :func:`~salescore.probability_calibration` (or by
        :meth:`Backtest.calibration <salescore.Backtest.calibration>`), or several by
        name, at most 5.
    ax : matplotlib Axes or None, keyword-only
        Where to draw; ``None`` makes a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on: the diagonal of true probabilities, and per record one
        point per band of probability at (mean probability, share won), its area
        proportional to the deals in the band; the legend gives each Brier score.

    Raises
    ------
    ImportError
        matplotlib is not installed (install the ``plot`` extra).
    InvalidInputError
        ``calibration`` is neither a :class:`~salescore.ProbabilityCalibration` nor a
        mapping of names to them, or ``ax`` is not an Axes.

    See Also
    --------
    salescore.probability_calibration : makes the record.

    Notes
    -----
    Points on the diagonal are bands of true probabilities: of the deals given about
    60 %, about 60 % were won. Points above it were too cautious, below it too hopeful.
    The squared distance of the points from the diagonal, weighted by their deals, is
    the reliability part of the Brier score.

    References
    ----------
    .. [1] Stephenson, Coelho and Jolliffe (2008) on the parts of the Brier score of
       binned probabilities; see "Checking forecasts and probabilities" under Sources
       in the documentation.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> import salescore
    >>> from salescore.plotting import reliability_chart
    >>> score = salescore.probability_calibration([0.2, 0.8, 0.7, 0.1], [False, True, True, False])
    >>> ax = reliability_chart({"CRM": score}, ax=Figure().subplots())

    The Brier score is (0.2² + 0.2² + 0.3² + 0.1²) / 4 = 0.18 / 4 = 0.045:

    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['True probabilities', 'CRM (Brier 0.045)']
    """
    require_matplotlib()
    records = _named(
        "calibration", calibration, ProbabilityCalibration, "salescore.probability_calibration"
    )
    with np.errstate(all="ignore"):
        axes = axes_for(ax, size=(5.0, 5.0))
        axes.plot(
            [0.0, 1.0], [0.0, 1.0], color="dimgray", linestyle=":", label="True probabilities"
        )
        for (name, record), colour in zip(records.items(), _COLOURS, strict=False):
            table = record.table
            counts = table["count"].to_numpy(dtype=np.float64)
            most = counts.max() if len(counts) else 1.0
            label = f"{name} (Brier {record.brier:.3f})" if name else f"Brier {record.brier:.3f}"
            axes.plot(
                table["mean_probability"].to_numpy(dtype=np.float64),
                table["observed_rate"].to_numpy(dtype=np.float64),
                color=colour,
                linewidth=1.0,
                label=label,
            )
            axes.scatter(
                table["mean_probability"].to_numpy(dtype=np.float64),
                table["observed_rate"].to_numpy(dtype=np.float64),
                s=20.0 + 180.0 * counts / most,
                color=colour,
                alpha=0.7,
            )
        axes.set_xlim(0.0, 1.0)
        axes.set_ylim(0.0, 1.0)
        axes.set_title("Were the probabilities true?")
        axes.set_xlabel("Probability given")
        axes.set_ylabel("Share won")
        axes.legend(fontsize="small")
    return axes
