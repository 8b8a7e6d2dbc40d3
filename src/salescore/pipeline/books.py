"""The distribution of a book of open deals given as a table, pandas or engine.

:func:`book_distribution` reads the values and probabilities of a table of open deals
and returns their :class:`~salescore.ForecastDistribution`. A pandas DataFrame, a
Polars frame or a DuckDB relation is read in one piece, as :func:`forecast_distribution`
reads two arrays; a Dask or Spark frame is reduced where it lives, one distribution per
partition, and the partitions' distributions come back to be convolved by
:func:`~salescore.combine_distributions`, with their error bounds carried.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd

from .. import schema
from .._arrays import option_count, option_flag
from .._tables import SHOWN, counted, float_column, option_column
from ..engines import Table, engine_name
from ..errors import InvalidInputError
from ._book_checks import check_book
from ._combine import MAX_OUTCOMES
from .distribution import ForecastDistribution, combine_distributions
from .forecast import Method, forecast_distribution

__all__ = ["book_distribution"]

_PER_PARTITION: Final = ("dask", "pyspark")  # engines whose books are reduced per partition


def book_distribution(
    deals: Table,
    *,
    value: str = "value",
    probability: str = "probability",
    deal_id: str | None = "deal_id",
    method: Method = "auto",
    tolerance: float = 0.001,
    max_bins: int = 1 << 22,
    samples: int = 100_000,
    seed: int | None = None,
    skipna: bool = False,
    max_outcomes: int = 1 << 20,
) -> ForecastDistribution:
    r"""The distribution of revenue of a table of open deals, each closing independently.

    :func:`forecast_distribution` for a table: the same record from the ``value`` and
    ``probability`` columns of a pandas DataFrame or of an engine's frame (Polars,
    DuckDB, Dask, PySpark). Give it the open deals only, for example
    ``deals[deals["status"] == "open"]`` or the engine's filter: every row counts as a
    deal that may still be won.

    Parameters
    ----------
    deals : DataFrame or engine frame
        The open deals, one row each.
    value : str, keyword-only, default "value"
        Column with the deal values, finite amounts >= 0 in one currency.
    probability : str, keyword-only, default "probability"
        Column with each deal's probability of closing, a fraction in [0, 1].
    deal_id : str or None, keyword-only, default "deal_id"
        Column naming the deals in error messages, when the table has it.
    method, tolerance, max_bins, samples, seed, skipna
        As for :func:`forecast_distribution`. On Dask and Spark they apply to each
        partition's book, and ``"monte_carlo"`` is refused there (sampled books do not
        combine; see :func:`combine_distributions`).
    max_outcomes : int, keyword-only, default 1,048,576
        On Dask and Spark: as for :func:`combine_distributions`, which convolves the
        partitions' books. Elsewhere it is not used.

    Returns
    -------
    ForecastDistribution
        On a pandas DataFrame, a Polars frame and a DuckDB relation, the record
        :func:`forecast_distribution` gives for the two columns. On Dask and Spark, the
        convolution of one record per partition: its mean, standard deviation, total
        and number of deals are those of the whole book (to floating-point rounding),
        and its outcomes are the whole book's when every partition was enumerated
        exactly and the convolution kept every outcome (``method == "exact"``).
        Otherwise it is a lattice whose ``value_error`` bounds how far each quantile
        may be from the true one: the partitions' own bounds (each at most
        ``tolerance`` × the partition's uncertain value) plus the convolution's
        rounding.

    Raises
    ------
    SchemaError
        A column missing or not numeric; a frame of no known kind.
    InvalidInputError
        A negative or infinite value, or a probability outside [0, 1] (rows named by
        ``deal_id`` with their values); a missing value or probability without
        ``skipna=True``; ``method="monte_carlo"`` on Dask or Spark; the options
        :func:`forecast_distribution` and :func:`combine_distributions` refuse.

    See Also
    --------
    forecast_distribution : the same from two arrays.
    combine_distributions : the distribution of independent books' total.

    Notes
    -----
    The revenue of a book is :math:`S = \sum_i v_i B_i` with independent
    :math:`B_i \sim \mathrm{Bernoulli}(p_i)`. Partitions :math:`P_1, \dots, P_m` of
    the deals split it into independent sums :math:`S = \sum_j S_{P_j}`, whose
    distribution is the convolution of theirs. So a worker needs only its own rows to
    compute :math:`S_{P_j}`'s distribution, and what comes back is one short record per
    partition instead of the deals.

    Examples
    --------
    The two prospects of Nutshell's article on the sales metrics a sales manager
    should track (Norwegian edition), in a table: 27,600 at 12 % and 34,500 at 83 %.

    >>> import pandas as pd
    >>> import salescore
    >>> book = pd.DataFrame({
    ...     "deal_id": ["D1", "D2"], "value": [27_600.0, 34_500.0],
    ...     "probability": [0.12, 0.83],
    ... })
    >>> dist = salescore.book_distribution(book)
    >>> dist.mean, round(dist.probability_at_least(60_000), 4)
    (31947.0, 0.0996)
    """
    for name, column in (("value", value), ("probability", probability)):
        option_column(name, column)
    option_column("deal_id", deal_id, optional=True)
    flag = option_flag("skipna", skipna)
    points = option_count("max_outcomes", max_outcomes, maximum=MAX_OUTCOMES)
    if points < 64:
        raise InvalidInputError(f"max_outcomes must be at least 64; got {points}")
    options: dict[str, Any] = {
        "method": method,
        "tolerance": tolerance,
        "max_bins": max_bins,
        "samples": samples,
        "seed": seed,
        "skipna": flag,
    }
    engine = engine_name(deals)
    if engine is None:
        v, p = _pandas_columns(deals, value, probability, deal_id, skipna=flag)
        return forecast_distribution(v, p, **options)
    from ._books_engine import engine_books

    if engine in _PER_PARTITION and method == "monte_carlo":
        raise InvalidInputError(
            f"method='monte_carlo' is refused on a {engine} frame: each partition's book "
            "would be sampled on its own, and sampled books do not combine; use "
            "method='lattice', or collect the two columns and call forecast_distribution"
        )
    books = engine_books(
        deals,
        engine,
        value=value,
        probability=probability,
        deal_id=deal_id,
        per_partition=engine in _PER_PARTITION,
        options=options,
    )
    if len(books) == 1:  # Polars, DuckDB: the whole book, perhaps sampled
        return books[0]
    return combine_distributions(*books, max_outcomes=max_outcomes)


def _pandas_columns(
    deals: object, value: str, probability: str, deal_id: str | None, *, skipna: bool
) -> tuple[pd.Series[float], pd.Series[float]]:
    """The two columns of a pandas table, checked row by row with the engines' messages."""
    if not isinstance(deals, pd.DataFrame):
        raise InvalidInputError(
            "deals must be a pandas DataFrame or a frame of Polars, DuckDB, Dask or PySpark; "
            f"got {type(deals).__name__} {deals!r:.60}"
        )
    shown = deal_id if deal_id is not None and deal_id in deals.columns else None
    schema.check_columns(deals, "deals", {"value": value, "probability": probability})
    v, p = float_column(deals, value), float_column(deals, probability)
    names = {**({} if shown is None else {"id": shown}), "v": value, "p": probability}
    parts = {"id": deals[shown] if shown is not None else None, "v": v, "p": p}

    def rows(mask: np.ndarray[Any, np.dtype[np.bool_]]) -> str:
        positions = np.flatnonzero(mask)[:SHOWN]
        examples = "; ".join(
            ", ".join(
                f"{names[key]}={_plain(parts[key].iloc[position])!r}"  # type: ignore[union-attr]
                for key in names
            )
            for position in positions
        )
        return f"{counted(int(mask.sum()), 'row')} (for example {examples})"

    values, chances = v.to_numpy(), p.to_numpy()
    with np.errstate(invalid="ignore"):
        bad_value = (values < 0.0) | np.isinf(values)
        bad_chance = (chances < 0.0) | (chances > 1.0)
    unknown = np.isnan(values) | np.isnan(chances)
    check_book(
        value,
        probability,
        bad_value=int(bad_value.sum()),
        bad_chance=int(bad_chance.sum()),
        percent_like=int(((chances > 1.0) & (chances <= 100.0)).sum()),
        unknown=0 if skipna else int(unknown.sum()),
        rows=lambda which: rows({"value": bad_value, "chance": bad_chance}.get(which, unknown)),
    )
    return v, p


def _plain(item: object) -> object:
    """A NumPy scalar as the Python value it holds, for messages."""
    return item.item() if isinstance(item, np.generic) else item
