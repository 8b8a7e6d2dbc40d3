"""matplotlib, imported only when a chart is drawn, and what the charts share.

Nothing here imports matplotlib at module level: ``import salescore.plotting`` works
without it, and the first chart call says how to install it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Final

import pandas as pd

from ..errors import InvalidInputError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "HINT",
    "axes_for",
    "percent",
    "period_noun",
    "require_matplotlib",
    "thousands",
]

HINT: Final = (
    "salescore.plotting needs matplotlib, which the 'plot' extra installs: "
    "pip install '.[plot]' in a clone of salescore"
)

_SEPARATED_UP_TO: Final = 1e15

_PERIOD_NOUNS: Final = {
    "Y": "year",
    "A": "year",
    "Q": "quarter",
    "M": "month",
    "W": "week",
    "D": "day",
    "B": "business day",
    "H": "hour",
}


def require_matplotlib() -> None:
    """Import matplotlib, or raise ImportError saying how to install it."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as error:
        raise ImportError(HINT) from error


def axes_for(ax: object, *, size: tuple[float, float]) -> Axes:
    """The Axes to draw on: ``ax`` itself, or a new figure's when ``ax`` is None.

    A new figure goes through :func:`matplotlib.pyplot.subplots`, so that notebooks
    show it; it uses the constrained layout, which leaves room for labels and colour
    bars. A figure the caller passed in keeps its own layout.
    """
    try:
        from matplotlib.axes import Axes
    except ImportError as error:
        raise ImportError(HINT) from error
    if ax is None:
        import matplotlib.pyplot as plt

        _, created = plt.subplots(figsize=size, layout="constrained")
        return created
    if not isinstance(ax, Axes):
        raise InvalidInputError(
            f"ax must be a matplotlib Axes or None; got {type(ax).__name__} {ax!r:.60}"
        )
    return ax


def thousands(value: float) -> str:
    """A money amount or count with thousands separators: ``31,947``.

    From 1e15 on (and for inf or NaN) in scientific notation, ``1e+308``, rather than
    a number of hundreds of digits.
    """
    if math.isfinite(value) and abs(value) < _SEPARATED_UP_TO:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def percent(share: float) -> str:
    """A share as a rounded percentage that never rounds a possibility away: ``< 1 %``."""
    if math.isnan(share):
        return "n/a"
    if 0.0 < share < 0.005:
        return "< 1 %"
    if 0.995 < share < 1.0:
        return "> 99 %"
    return f"{100.0 * share:.0f} %"


def period_noun(index: pd.Index) -> str:
    """What one step of a PeriodIndex is called ("month", "quarter" …); "period" otherwise."""
    if isinstance(index, pd.PeriodIndex):
        code = index.freqstr[:1].upper()
        return _PERIOD_NOUNS.get(code, "period")
    return "period"
