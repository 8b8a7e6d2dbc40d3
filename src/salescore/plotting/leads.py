"""How fast must we answer a lead? Response-time decay curves against the team's rates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from .._arrays import FloatArray, check_probability, coerce, safe_divide
from ..errors import InvalidInputError
from ..leads._durations import as_minutes
from ..leads.decay import ExponentialDecay, PiecewiseDecay, PowerLawDecay
from ..leads.fit import DecayFit
from ._mpl import axes_for, require_matplotlib

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..leads.decay import DecayCurve

__all__ = ["decay_chart"]

_CURVES: Final = (ExponentialDecay, PowerLawDecay, PiecewiseDecay)
_DEFAULT_SPAN: Final = (1.0, 1440.0)  # one minute to one day
_POINTS: Final = 256
# The response times a log axis can show: matplotlib's autoscaling overflows near the
# float limits. Far beyond any lead's response time either way.
_SHORTEST: Final = 1e-100
_LONGEST: Final = 1e100
# Tick marks a sales manager reads without converting minutes.
_TICKS: Final = (
    (1.0, "1 min"),
    (5.0, "5 min"),
    (10.0, "10 min"),
    (30.0, "30 min"),
    (60.0, "1 h"),
    (240.0, "4 h"),
    (1440.0, "1 day"),
    (10080.0, "1 week"),
)


def decay_chart(
    curves: Mapping[str, DecayCurve | DecayFit],
    *,
    observed: pd.Series[Any] | None = None,
    times: Any = None,
    ax: Axes | None = None,
) -> Axes:
    r"""Chart of response-time decay curves, with the team's own rates as points.

    Each curve's multiplier (the odds of reaching or qualifying a lead relative to
    the odds at the curve's reference time) is drawn against the response time on a
    logarithmic axis, one line per curve. Given the team's conversion rates by
    response-time band, they are drawn as points on the same scale, so a manager can
    see whether the team's leads cool as fast as the published studies say.

    Parameters
    ----------
    curves : mapping of str to decay curve or DecayFit
        Legend label → curve: an :class:`~salescore.ExponentialDecay`,
        :class:`~salescore.PowerLawDecay` or :class:`~salescore.PiecewiseDecay`
        (the presets of :mod:`salescore.leads.presets` among them), or the
        :class:`~salescore.DecayFit` of :func:`~salescore.fit_decay`, whose curve is
        drawn. May be empty when ``observed`` is given.
    observed : Series or None, keyword-only
        The team's conversion (or contact) rate in each response-time band: index
        the upper bound of each band in minutes (numbers > 0, or timedeltas), values
        the rates as fractions in [0, 1]. Band bounds run from 1e-100 to 1e100
        minutes (the range a log axis can show). They are drawn as odds relative to the
        odds of the fastest band, the scale of the curves; NaN rates, and every
        point when the fastest band's rate is 0, 1 or NaN, are not drawn. An empty
        Series draws no points.
    times : array_like or None, keyword-only
        Response times at which to draw the curves, in minutes from 1e-100 to 1e100
        or as timedeltas; ``None`` spans one minute to one day, widened to the bands of
        ``observed``.
    ax : matplotlib Axes or None, keyword-only
        Where to draw; ``None`` makes a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on: one line per curve, then the observed points as one more
        line of markers; title, axis labels and a legend.

    Raises
    ------
    ImportError
        matplotlib is not installed (install the ``plot`` extra).
    InvalidInputError
        ``curves`` not a mapping of curves, or empty without ``observed``; an
        ``observed`` that is not a Series, with bands that are not minutes from
        1e-100 to 1e100 or rates outside [0, 1]; ``times`` not minutes in that
        range; ``ax`` not an Axes.

    See Also
    --------
    salescore.fit_decay : a curve fitted to the team's leads.
    salescore.contact_probability : probabilities from a curve and a base rate.

    Notes
    -----
    A curve is drawn as its multiplier :math:`m(t)`, the odds at time :math:`t`
    over the odds at its reference time. The observed rate :math:`p_b` of band
    :math:`b` is drawn at the band's upper bound as

    .. math::

        \frac{p_b / (1 - p_b)}{p_1 / (1 - p_1)},

    its odds relative to those of the fastest band :math:`1`. When the fastest
    band ends at the curves' reference time (5 minutes for the MIT presets), points
    and curves share the same scale.

    References
    ----------
    .. [1] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition): a seller who tries within 5 minutes is more than 5 times as
       likely to reach the lead. See Sources in the documentation.
    .. [2] J. B. Oldroyd, "The Lead Response Management Study", MIT and
       InsideSales.com, 2007.

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> from salescore.leads.presets import MIT2007_CONTACT, MIT2007_QUALIFY
    >>> from salescore.plotting import decay_chart
    >>> observed = pd.Series([0.5, 0.2, 0.1], index=[5, 30, 240])
    >>> ax = decay_chart({"Contact (MIT)": MIT2007_CONTACT, "Qualify (MIT)": MIT2007_QUALIFY},
    ...                  observed=observed, ax=Figure().subplots())
    >>> [line.get_label() for line in ax.lines]
    ['Contact (MIT)', 'Qualify (MIT)', 'Observed (odds relative to the first band)']
    >>> ax.lines[2].get_ydata().round(4).tolist()  # odds 1, 0.25 and 0.1111 over 1
    [1.0, 0.25, 0.1111]

    Without observations, one curve over the default span of a day:

    >>> ax = decay_chart({"MIT contact": MIT2007_CONTACT}, ax=Figure().subplots())
    >>> ax.get_xscale(), float(ax.lines[0].get_xdata()[-1])
    ('log', 1440.0)
    """
    require_matplotlib()
    drawn = _curves(curves)
    points = None if observed is None else _observed(observed)
    if points is not None and points[0].size == 0:
        points = None  # no bands: nothing to draw
    if not drawn and points is None:
        raise InvalidInputError("decay_chart needs at least one curve or observed rates")
    minutes = _times(times, points)
    axes = axes_for(ax, size=(7.0, 4.0))
    from matplotlib.ticker import NullFormatter

    for name, curve in drawn:
        # Far along a curve its multiplier over- or underflows (inf or 0): drawn as such.
        with np.errstate(all="ignore"):
            multiplier = curve.multiplier(minutes)
        axes.plot(minutes, multiplier, linewidth=2.0, label=name)
    if points is not None:
        bands, relative = points
        axes.plot(
            bands,
            relative,
            linestyle="none",
            marker="o",
            markersize=7,
            color="black",
            label="Observed (odds relative to the first band)",
        )
    axes.set_xscale("log")
    low, high = float(minutes.min()), float(minutes.max())
    if points is not None:
        low, high = min(low, float(points[0].min())), max(high, float(points[0].max()))
    shown = [(at, text) for at, text in _TICKS if low <= at <= high]
    if shown:
        axes.set_xticks([at for at, _ in shown], labels=[text for _, text in shown])
        axes.xaxis.set_minor_formatter(NullFormatter())
    axes.set_ylim(bottom=0.0)
    axes.set_title("Lead response: how the odds fall as leads wait")
    axes.set_xlabel("Response time (log scale)")
    axes.set_ylabel("Odds relative to the reference time")
    axes.legend(fontsize="small")
    return axes


def _curves(curves: object) -> list[tuple[str, DecayCurve]]:
    if not isinstance(curves, Mapping):
        raise InvalidInputError(
            "curves must be a mapping of legend labels to decay curves, for example "
            f"{{'MIT contact': MIT2007_CONTACT}}; got {type(curves).__name__}"
        )
    out: list[tuple[str, DecayCurve]] = []
    for name, curve in curves.items():
        chosen = curve.curve if isinstance(curve, DecayFit) else curve
        if not isinstance(chosen, _CURVES):
            raise InvalidInputError(
                f"curves[{name!r}] must be an ExponentialDecay, PowerLawDecay, "
                f"PiecewiseDecay or DecayFit; got {type(curve).__name__}"
            )
        out.append((str(name), chosen))
    return out


def _observed(observed: object) -> tuple[FloatArray, FloatArray]:
    """Band bounds in minutes, increasing, and the odds relative to the first band."""
    if not isinstance(observed, pd.Series):
        raise InvalidInputError(
            "observed must be a Series of rates indexed by each band's upper bound in "
            f"minutes; got {type(observed).__name__}"
        )
    index = observed.index
    if isinstance(index, pd.TimedeltaIndex):
        bounds = np.asarray(as_minutes("observed.index", index), dtype=np.float64)
    else:
        try:
            if pd.api.types.is_bool_dtype(index.dtype) or pd.api.types.is_complex_dtype(
                index.dtype
            ):
                raise TypeError(index.dtype)  # numbers, but no minutes
            bounds = np.asarray(index, dtype=np.float64)
        except (TypeError, ValueError, OverflowError):
            raise InvalidInputError(
                "observed must be indexed by the upper bound of each band in minutes "
                f"(numbers or timedeltas); got an index of dtype {index.dtype}"
            ) from None
    if not np.all((bounds >= _SHORTEST) & (bounds <= _LONGEST)):
        raise InvalidInputError(
            f"observed.index must hold band bounds from {_SHORTEST:g} to {_LONGEST:g} "
            f"minutes (a log axis has no 0, nor room near the float limits); got "
            f"{bounds.tolist()!r:.80}"
        )
    dtype = observed.dtype
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        raise InvalidInputError(f"observed must hold rates (numbers); got dtype {observed.dtype}")
    rates = observed.to_numpy(dtype=np.float64, na_value=np.nan)
    check_probability("observed", rates)
    order = np.argsort(bounds, kind="stable")
    bounds, rates = bounds[order], rates[order]
    # Odds of rates near 0 and 1 over- or underflow; a ratio beyond float range is inf.
    with np.errstate(all="ignore"):
        odds = np.asarray(safe_divide(rates, 1.0 - rates), dtype=np.float64)
        relative = np.asarray(safe_divide(odds, odds[:1]), dtype=np.float64)
    return bounds, relative


def _times(times: object, points: tuple[FloatArray, FloatArray] | None) -> FloatArray:
    if times is None:
        low, high = _DEFAULT_SPAN
        if points is not None:
            low = min(low, float(points[0].min()) / 2.0)
            high = max(high, float(points[0].max()) * 2.0)
        return np.geomspace(low, high, _POINTS)
    # Durations become minutes; coerce refuses what is no real number (complex values,
    # booleans, text, ragged or 2-D arrays, integers beyond float range).
    (values,), _ = coerce(times=as_minutes("times", times))
    minutes = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if minutes.size == 0 or not np.all((minutes >= _SHORTEST) & (minutes <= _LONGEST)):
        raise InvalidInputError(
            f"times must be minutes from {_SHORTEST:g} to {_LONGEST:g} (a log axis has no "
            f"0, nor room near the float limits); got {minutes.tolist()!r:.80}"
        )
    return np.sort(minutes)
