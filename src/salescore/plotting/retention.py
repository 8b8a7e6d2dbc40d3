"""Are we keeping our customers? The cohort retention heatmap."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from .._arrays import FloatArray, option_flag
from .._tables import SHOWN, column_problems
from ..errors import InvalidInputError, SchemaError
from ._mpl import axes_for, percent, period_noun, require_matplotlib, thousands

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["cohort_heatmap"]

_ANNOTATE_UP_TO: Final = 400  # cells: more would not leave room to read the numbers
_MOST_TICKS: Final = 24
_PLAIN_UP_TO: Final = 1e15  # larger values are shown on the colour bar in powers of ten


def cohort_heatmap(
    table: pd.DataFrame,
    *,
    shares: bool | None = None,
    annotate: bool | None = None,
    ax: Axes | None = None,
) -> Axes:
    r"""Heatmap of a cohort retention table: one row per cohort, one column per age.

    Each cell is coloured by its value, darker for more retained; cohorts run down
    (the oldest on top) and ages across, so a row follows one cohort as it ages and
    a column compares cohorts at the same age. Cells that have not happened yet
    (NaN: beyond the end of observation, or a cohort without customers) are left
    blank, not drawn as 0.

    Parameters
    ----------
    table : DataFrame
        The frame made by :func:`~salescore.cohort_retention`: indexed by cohort,
        with one numeric column per age (0, 1, 2 …).
    shares : bool or None, keyword-only
        Whether the cells are shares (``normalize=True``, the default of
        :func:`~salescore.cohort_retention`), written as percentages on a colour
        scale from 0 to 1, or counts and amounts (``normalize=False``), written as
        numbers on a scale from 0 to the largest. ``None`` takes a table whose
        known age-0 values are all 1 for shares (state it for a table of counts in
        which every cohort has one customer).
    annotate : bool or None, keyword-only
        Write each cell's value in it; ``None`` does so when the table has at most
        400 cells.
    ax : matplotlib Axes or None, keyword-only
        Where to draw; ``None`` makes a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on: one mesh whose cells are the table's known values (its
        paths; NaN cells have none), a colour bar, title and axis labels.

    Raises
    ------
    ImportError
        matplotlib is not installed (install the ``plot`` extra).
    SchemaError
        ``table`` is not a DataFrame, has a MultiIndex header or a repeated column
        name, or has a column that is not numeric (complex included).
    InvalidInputError
        A negative or infinite value, ``shares`` or ``annotate`` not a bool or None,
        ``ax`` not an Axes.

    See Also
    --------
    salescore.cohort_retention : makes the table.
    salescore.retention_by_period : new, retained and lost customers per period.

    Notes
    -----
    A share, as :func:`~salescore.cohort_retention` makes it with
    ``normalize=True``, is

    .. math::

        \text{customers}_{c,k} = \frac{|A_{c,k}|}{|A_{c,0}|},

    the share of cohort :math:`c` buying at age :math:`k`. Shares are coloured on
    a fixed scale from 0 to 1 (revenue retention above 1 is drawn as 1 and written
    as it is); other tables from 0 to their largest value. Beyond 1e15 the colour
    bar counts in a power of ten named in its label, such as "Value (× 1e308)", and
    cells are written in scientific notation.

    References
    ----------
    .. [1] Closers, "Så sätter ni nya säljmål och utvärderar dem", knowledge-bank
       article on customer-focused sales goals (Swedish): measure how many customers
       come back and how many leave. See Sources in the documentation.
    .. [2] J. Hsu, "Diligence at Social Capital Part 4: Cohorts and (engagement)
       LTV", The Startup (Medium), 2015.

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> import salescore
    >>> from salescore.plotting import cohort_heatmap
    >>> log = pd.DataFrame({
    ...     "customer_id": ["ann", "bo", "ann", "cy", "bo", "cy"],
    ...     "date": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-02-11",
    ...                             "2024-02-14", "2024-03-02", "2024-03-09"]),
    ... })
    >>> table = salescore.cohort_retention(log)
    >>> ax = cohort_heatmap(table, ax=Figure().subplots())
    >>> len(ax.collections[0].get_paths())  # 5 known cells; 4 NaN cells are not drawn
    5
    >>> [text.get_text() for text in ax.texts]
    ['100 %', '50 %', '50 %', '100 %', '100 %']
    >>> ax.get_xlabel()
    'Months since the first purchase'

    Counts are written as numbers:

    >>> ax = cohort_heatmap(salescore.cohort_retention(log, normalize=False),
    ...                     ax=Figure().subplots())
    >>> [text.get_text() for text in ax.texts]
    ['2', '1', '1', '1', '1', '0']
    """
    require_matplotlib()
    shares = None if shares is None else _flag("shares", shares)
    annotate = None if annotate is None else _flag("annotate", annotate)
    _check_table(table)
    values = table.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = np.isinf(values) | (values < 0)
    if bad.any():
        row, column = np.argwhere(bad)[0]
        raise InvalidInputError(
            f"table must hold finite values >= 0 or NaN; {int(bad.sum())} are not, the "
            f"first {float(values[row, column])!r} in cohort {table.index[row]!s}, "
            f"column {table.columns[column]!r}"
        )
    rows, columns = values.shape
    if shares is None:
        first = values[:, 0] if columns else np.empty(0)
        known_first = first[~np.isnan(first)]
        shares = known_first.size > 0 and bool(np.all(known_first == 1.0))
    write = rows * columns <= _ANNOTATE_UP_TO if annotate is None else annotate
    # Values near the float limits are valid; their colours are computed without
    # warnings (an underflow to 0 is the right colour), and see _colour_scale.
    with np.errstate(all="ignore"):
        return _draw(table, values, ax, shares=shares, write=write)


def _draw(
    table: pd.DataFrame, values: FloatArray, ax: Axes | None, *, shares: bool, write: bool
) -> Axes:
    rows, columns = values.shape

    width = min(12.0, max(6.0, 0.45 * columns + 2.5))
    axes = axes_for(ax, size=(width, min(9.0, max(3.0, 0.35 * rows + 1.5))))
    import matplotlib as mpl
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    cmap = mpl.colormaps["YlGnBu"].with_extremes(bad=(0.0, 0.0, 0.0, 0.0))
    finite = values[np.isfinite(values)]
    top = 1.0 if shares or not finite.size else max(float(finite.max()), 1e-300)
    norm = Normalize(vmin=0.0, vmax=top)
    axes.pcolor(
        np.arange(columns + 1),
        np.arange(rows + 1),
        np.ma.masked_invalid(values),
        cmap=cmap,
        norm=norm,
        edgecolors="white",
        linewidth=0.5,
    )
    if write:
        for row, column in np.argwhere(np.isfinite(values)):
            value = float(values[row, column])
            text = percent(value) if shares else thousands(value)
            dark = norm(min(value, top)) > 0.55
            axes.text(
                column + 0.5,
                row + 0.5,
                text,
                ha="center",
                va="center",
                fontsize="x-small",
                color="white" if dark else "black",
            )
    col_step = max(1, math.ceil(columns / _MOST_TICKS))
    row_step = max(1, math.ceil(rows / _MOST_TICKS))
    axes.set_xticks(
        np.arange(columns)[::col_step] + 0.5,
        labels=[str(age) for age in table.columns[::col_step]],
    )
    axes.set_yticks(
        np.arange(rows)[::row_step] + 0.5,
        labels=[str(cohort) for cohort in table.index[::row_step]],
    )
    axes.set_xlim(0, max(columns, 1))
    axes.set_ylim(max(rows, 1), 0)  # the oldest cohort on top
    noun = period_noun(table.index)
    axes.set_title("Cohort retention")
    axes.set_xlabel(f"{noun.capitalize()}s since the first purchase")
    axes.set_ylabel(f"Cohort ({noun} of the first purchase)")
    # A scale of its own: matplotlib 3.8 warns when a colour bar reads a pcolor's cells.
    unit, label = _colour_scale(top)
    scale = ScalarMappable(norm=Normalize(vmin=0.0, vmax=top / unit), cmap=cmap)
    bar = axes.get_figure().colorbar(  # type: ignore[union-attr]
        scale, ax=axes, label="Share retained" if shares else label
    )
    if shares:
        from matplotlib.ticker import PercentFormatter

        bar.ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0))
    return axes


def _flag(name: str, value: object) -> bool:
    """A bool option that may also be None (checked by the caller)."""
    try:
        return option_flag(name, value)
    except InvalidInputError:
        raise InvalidInputError(
            f"{name} must be True, False or None; got {type(value).__name__} {value!r:.60}"
        ) from None


def _check_table(table: object) -> None:
    """A DataFrame with one row of distinct column names (the ages), every column numeric."""
    # Not a DataFrame, or a MultiIndex header: the central check's SchemaError.
    column_problems("table", table, ())
    assert isinstance(table, pd.DataFrame)
    repeated = table.columns[table.columns.duplicated()].unique()
    if repeated.size:
        raise SchemaError(
            "table: more than one column is named "
            f"{', '.join(repr(name) for name in repeated[:SHOWN])}; a cohort table has one "
            "column per age"
        )
    wrong = [
        f"{name!r} has dtype {dtype}"
        for name, dtype in zip(table.columns, table.dtypes, strict=True)
        if pd.api.types.is_bool_dtype(dtype)
        or pd.api.types.is_complex_dtype(dtype)
        or not pd.api.types.is_numeric_dtype(dtype)
    ]
    if wrong:
        raise SchemaError(f"table: columns must be numeric: {'; '.join(wrong[:SHOWN])}")


def _colour_scale(top: float) -> tuple[float, str]:
    """The unit of the colour bar's numbers, and its label.

    matplotlib's colour bar overflows when it pads a scale that ends near the float
    limit, so a table of values beyond 1e15 is read on a bar in units of a power of ten.
    """
    if top <= _PLAIN_UP_TO:
        return 1.0, "Value"
    exponent = math.floor(math.log10(top))
    return 10.0**exponent, f"Value (× 1e{exponent})"
