"""Where should sellers spend their time? The temperature map of the account plan."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from .._arrays import option_flag
from .._tables import require_columns, require_numeric, row_ids, which
from ..errors import InvalidInputError
from ._mpl import axes_for, require_matplotlib

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["temperature_map"]

_NO_TIER: Final = "no tier"
_NO_TEMPERATURE: Final = "lightgrey"
_ROW_HEIGHT: Final = 0.8
_EDGES_UP_TO: Final = 60  # rows of at most this many accounts get a white line between cells


def temperature_map(
    plan: pd.DataFrame,
    *,
    colorbar: bool = True,
    ax: Axes | None = None,
) -> Axes:
    r"""Wilson Learning's temperature map: every account coloured blue → red, tier by tier.

    One row per tier, A on top; each row is split into one cell per account of the tier,
    hottest first, coloured from blue (near freezing: the account yields little of what
    its tier should) through white to red (it yields all of it, or more). Wilson
    Learning Russia's article on raising sales from existing customers asks that all of
    tier A be red; the map shows at a glance how much of each tier is not, and the share
    of the row that is blue is the share of the tier's accounts that need a new
    approach.

    Parameters
    ----------
    plan : DataFrame
        The frame made by :func:`~salescore.tier_accounts`, with columns ``tier``
        (the tier labels, categorical in the plan's order) and ``temperature``
        (revenue ÷ expected revenue, >= 0; NaN where there is none, as for tier D).
        An ``account_id`` column, when present, names accounts in error messages.
    colorbar : bool, keyword-only, default True
        Add a colour bar of the temperature scale beside the map.
    ax : matplotlib Axes or None, keyword-only
        Where to draw; ``None`` makes a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on: one coloured mesh per tier that has accounts (its label
        the tier), with title and axis labels. Accounts without a tier (unknown
        revenue) get a last row, "no tier", so that none is left out.

    Raises
    ------
    ImportError
        matplotlib is not installed (install the ``plot`` extra).
    SchemaError
        ``plan`` is not a DataFrame, has a MultiIndex header, lacks ``tier`` or
        ``temperature`` or has either twice, or the temperature is not numeric.
    InvalidInputError
        A negative or infinite temperature (naming the accounts), ``colorbar`` not a
        bool, ``ax`` not an Axes.

    See Also
    --------
    salescore.tier_accounts : makes the plan.
    salescore.cold_accounts : the list of the coldest high-tier accounts.

    Notes
    -----
    An account of revenue :math:`x` in a tier that should yield :math:`\ell\, b`
    (the tier's level times the benchmark) has temperature

    .. math::

        \theta = \frac{x}{\ell\, b},

    drawn with matplotlib's "coolwarm" colour map from :math:`\theta = 0` (blue) to
    :math:`\theta = 1` (red); temperatures above 1 are drawn as red as 1, and an
    account without a temperature is grey. Within a row cells are equally wide, so
    the x axis reads as the share of the tier's accounts.

    References
    ----------
    .. [1] Wilson Learning Russia (wl-r.ru), blog article on raising sales from existing
       customers (Russian): a category-A customer who yields little is marked blue in
       the CRM; all of category A should be red. See Sources in the documentation.

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> import salescore
    >>> from salescore.plotting import temperature_map
    >>> accounts = pd.DataFrame({
    ...     "account_id": ["a1", "a2", "a3", "a4"],
    ...     "size": ["large", "large", "large", "small"],
    ...     "annual_revenue": [120_000.0, 30_000.0, 0.0, 0.0],
    ... })
    >>> plan = salescore.tier_accounts(accounts, segments="size", last_contact=None)
    >>> ax = temperature_map(plan, ax=Figure().subplots())
    >>> [mesh.get_label() for mesh in ax.collections]
    ['A', 'D']
    >>> ax.collections[0].get_array().ravel().tolist()  # tier A, hottest first
    [1.0, 0.25, 0.0]
    >>> [label.get_text() for label in ax.get_yticklabels()]
    ['A (3)', 'B (0)', 'C (0)', 'D (1)']

    Tier D is expected to yield nothing, so it has no temperature and is grey:

    >>> ax.texts[0].get_text()
    'no temperature'
    """
    require_matplotlib()
    colorbar = option_flag("colorbar", colorbar)
    require_columns("plan", plan, ["tier", "temperature"])
    require_numeric("plan", plan, ["temperature"])
    heat = plan["temperature"].to_numpy(dtype=np.float64, na_value=np.nan)
    bad = np.isinf(heat) | (heat < 0)
    if bad.any():
        ids = row_ids(plan, "account_id" if "account_id" in plan.columns else None)
        raise InvalidInputError(
            "plan: temperature must be a finite number >= 0 or NaN; not so for "
            f"{which(ids, bad, heat.tolist(), noun='account')}"
        )
    rows = _rows(plan["tier"])
    axes = axes_for(ax, size=(8.0, 0.7 * len(rows) + 1.6))
    import matplotlib as mpl
    from matplotlib.colors import Normalize
    from matplotlib.ticker import PercentFormatter

    cmap = mpl.colormaps["coolwarm"].with_extremes(bad=_NO_TEMPERATURE)
    # clip: a temperature above 1 is as red as 1 (and 1e308 does not overflow the map).
    norm = Normalize(vmin=0.0, vmax=1.0, clip=True)
    tiers = plan["tier"].to_numpy(dtype=object)
    missing = pd.isna(plan["tier"]).to_numpy()
    labels = []
    for position, tier in enumerate(rows):
        members = missing if tier == _NO_TIER else ~missing & (tiers == tier)
        # Hottest first, unknown temperatures last; ties keep the plan's order.
        values = heat[members]
        values = values[np.argsort(-np.nan_to_num(values, nan=-np.inf), kind="stable")]
        labels.append(f"{tier} ({values.size:,})")
        if not values.size:
            continue
        edges = np.linspace(0.0, 1.0, values.size + 1)
        half = _ROW_HEIGHT / 2.0
        thin = values.size <= _EDGES_UP_TO
        axes.pcolormesh(
            edges,
            [position - half, position + half],
            np.ma.masked_invalid(values[np.newaxis, :]),
            cmap=cmap,
            norm=norm,
            edgecolors="white" if thin else "face",
            linewidth=0.5 if thin else 0.0,
            label=str(tier),
        )
        if np.isnan(values).all():
            axes.text(0.5, position, "no temperature", ha="center", va="center")
    axes.set_yticks(np.arange(len(rows)), labels=labels)
    axes.set_ylim(len(rows) - 0.5, -0.5)  # A on top
    axes.set_xlim(0.0, 1.0)
    axes.xaxis.set_major_formatter(PercentFormatter(xmax=1.0))
    axes.set_title("Temperature map: revenue against what each tier should yield")
    axes.set_xlabel("Share of the tier's accounts, hottest first")
    axes.set_ylabel("Tier")
    if colorbar:
        from matplotlib.cm import ScalarMappable

        scale = ScalarMappable(norm=norm, cmap=cmap)
        axes.get_figure().colorbar(  # type: ignore[union-attr]
            scale, ax=axes, extend="max", label="Temperature (1 = the tier's expected revenue)"
        )
    return axes


def _rows(tiers: pd.Series[Any]) -> list[Any]:
    """The tiers in the plan's order (categories as declared), and "no tier" if needed."""
    if isinstance(tiers.dtype, pd.CategoricalDtype):
        rows = list(tiers.cat.categories)
    else:
        rows = sorted({tier for tier in tiers if not pd.isna(tier)}, key=str)
    if tiers.isna().any():
        rows.append(_NO_TIER)
    return rows
