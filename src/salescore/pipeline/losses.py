"""Why are deals lost? Lost deals per period and reason.

A table function over the canonical deals frame: :func:`~salescore.loss_reasons`
counts the lost deals of each period by the reason they were lost, and gives each
reason's share of the period, so that a trend a single total hides (a competitor
winning more deals one month) shows. It follows the conventions of the other pipeline
tables: column names are keyword arguments with the canonical defaults, no lost deal
is dropped silently, and bad values raise :class:`~salescore.InvalidInputError`
naming the deals concerned.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from .. import schema
from .._tables import option_column
from ..engines import Table, engine_name
from ..errors import InvalidInputError
from ..fiscal import FiscalFrequency
from ..fiscal._freq import (
    Frequency,
    IntArray,
    ObjectArray,
    period_index,
    period_kind,
    period_names,
    period_ordinals,
)
from ._deals import _check_chronology, _check_dated, _deal_ids, _statuses

__all__ = ["loss_reasons"]

#: The most periods (rows) :func:`loss_reasons` makes: every period from the first loss
#: to the last gets a row, so seconds over years would not fit in memory.
MAX_PERIODS: Final = 1_000_000


def loss_reasons(
    deals: Table,
    *,
    freq: str | FiscalFrequency = "M",
    lost_reason: str = "lost_reason",
    status: str = "status",
    close_date: str = "close_date",
    created: str | None = "created",
    deal_id: str | None = "deal_id",
    no_reason: str = "(no reason)",
) -> pd.DataFrame:
    r"""Lost deals per period and reason: counts and each reason's share of the period.

    Why are we losing? Counting lost deals by reason month by month shows trends a
    single total hides — the example of Nutshell's article on the sales metrics a sales
    manager should track (Norwegian edition) is a spike of deals lost to a competitor
    in one month, back down six months later after the offer was adjusted. Each period
    from the first loss to the last gets a row, including periods without losses.

    Parameters
    ----------
    deals : DataFrame or engine frame
        Canonical deals table, one row per deal; only lost deals are counted. A pandas
        DataFrame, or a frame of Polars (eager or lazy), DuckDB, Dask or PySpark, which
        is reduced in its engine to one row per period and reason (see
        :doc:`/guides/scale`); there ``freq`` must be one of D, W, M, Q or Y (with an
        anchor such as Q-MAR, but no multiple), not fiscal periods.
    freq : str or FiscalFrequency, keyword-only, default "M"
        A pandas period alias ("W", "M", "Q", "Y" …) for the periods of the close
        dates, or fiscal periods (:class:`~salescore.fiscal.FiscalFrequency`, such as
        ``FiscalCalendar.from_start_month(4).freq("quarter")``), labelled
        ``"FY2027 Q1"``.
    lost_reason, status, close_date : str, keyword-only
        Column names: the reason a deal was lost (any labels; on an engine frame,
        text or categories, unless no lost deal has a reason), the status ('open',
        'won' or 'lost', in any case and with surrounding whitespace) and the close
        date (datetime64, or an engine's datetimes or dates; a time-zone-aware column
        is split by its local calendar).
    created : str or None, keyword-only, default "created"
        Column with each deal's creation time; when the table has it, a lost deal
        whose close date is before the date it was created is an error. ``None``
        skips the check. An aware ``created`` beside a naive ``close_date`` (or the
        reverse) is read in UTC (:data:`salescore.schema.TIMESTAMPS`); on an engine
        frame two aware columns must share one zone.
    deal_id : str or None, keyword-only, default "deal_id"
        Column naming each deal in error messages; ``None`` uses the index.
    no_reason : str, keyword-only, default "(no reason)"
        The label under which lost deals without a reason (missing or blank) are
        counted; they are never dropped.

    Returns
    -------
    DataFrame
        Indexed by ``period`` (a PeriodIndex, or the fiscal labels (str) with a
        ``FiscalFrequency``: every period from the first loss to the last), with
        two-level columns: ``("count", reason)`` holding the number of deals lost for
        each reason (int64) and ``("share", reason)`` its share of the period's losses
        (float64; NaN in a period without losses). Reasons are ordered by their total
        count, most frequent first, reasons of equal count in the order they first
        appear in the table; on an engine frame, whose rows have no order, reasons of
        equal count are in the order of their labels instead (sorted as Python sorts
        strings). ``table["count"]`` and ``table["share"]`` give one frame each. No
        lost deal gives an empty table without columns (check ``table.empty`` before
        selecting ``"count"``).

    Raises
    ------
    SchemaError
        A named column is missing, or ``close_date`` (or ``created``, when the table
        has it) does not hold datetimes; on an engine frame, ``lost_reason`` is neither
        text nor categories while a lost deal has a reason.
    InvalidInputError
        An unknown status, a lost deal without a close date or closed before the date
        it was created, an unknown ``freq`` (or one not positive, or pandas'
        deprecated ``"B"``), losses spread over more than 1,000,000
        periods of ``freq`` (``MAX_PERIODS``), or a column option that is not a str
        (``None`` only for ``created`` and ``deal_id``); the message names the deals
        concerned. On an engine frame: fiscal periods, a ``freq`` other than D, W, M, Q
        or Y, and an aware ``close_date`` and ``created`` in different time zones.

    See Also
    --------
    forecast_rollup : what the open pipeline may still bring in.

    Notes
    -----
    With :math:`n_{t,r}` the number of deals lost in period :math:`t` for reason
    :math:`r`:

    .. math::

        \text{share}_{t,r} = \frac{n_{t,r}}{\sum_{r'} n_{t,r'}},

    NaN when period :math:`t` has no losses; the counts add up to the number of lost
    deals.

    References
    ----------
    .. [1] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition), after Nutshell's Losses report: a spike in deals lost to a
       competitor in August 2016, much lower again by February 2017. See Sources in
       the documentation.

    Examples
    --------
    >>> import pandas as pd
    >>> import salescore
    >>> deals = pd.DataFrame({
    ...     "deal_id": ["D1", "D2", "D3", "D4", "D5", "D6", "D7"],
    ...     "status": ["lost", "lost", "lost", "lost", "won", "lost", "lost"],
    ...     "lost_reason": ["competitor", "competitor", "price", "competitor", None, None, "price"],
    ...     "close_date": pd.to_datetime([
    ...         "2016-08-03", "2016-08-19", "2016-08-30", "2016-08-31",
    ...         "2016-09-12", "2016-10-05", "2016-10-20",
    ...     ]),
    ... })
    >>> table = salescore.loss_reasons(deals)
    >>> table["count"]
    reason   competitor  price  (no reason)
    period
    2016-08           3      1            0
    2016-09           0      0            0
    2016-10           0      1            1
    >>> float(table.loc["2016-08", ("share", "competitor")])
    0.75

    By the quarters of a fiscal year starting in July (FY2017 runs from July 2016, its
    second quarter from October):

    >>> from salescore.fiscal import FiscalCalendar
    >>> july = FiscalCalendar.from_start_month(7).freq("quarter")
    >>> salescore.loss_reasons(deals, freq=july)["count"]
    reason     competitor  price  (no reason)
    period
    FY2017 Q1           3      1            0
    FY2017 Q2           0      1            1
    """
    for option, column in {"lost_reason": lost_reason, "status": status}.items():
        option_column(option, column)
    option_column("close_date", close_date)
    for option, name in {"created": created, "deal_id": deal_id}.items():
        option_column(option, name, optional=True)
    kind = period_kind(freq)
    if not isinstance(no_reason, str):
        raise InvalidInputError(f"no_reason must be a str; got {no_reason!r:.60}")
    engine = engine_name(deals)
    if engine is not None:
        from ._engine import lost_counts

        found = lost_counts(
            deals,
            engine,
            freq=freq,
            lost_reason=lost_reason,
            status=status,
            close_date=close_date,
            created=created,
            deal_id=deal_id,
            no_reason=no_reason,
        )
        return _loss_table(kind, freq, found.ordinals, found.codes, found.labels, found.deals)
    read = {"status": status, "lost_reason": lost_reason, "close_date": close_date}
    schema.check_columns(deals, "deals", read | {"deal_id": deal_id})

    ids = _deal_ids(deals, deal_id)
    lost = _statuses(deals, status, ids) == "lost"
    _check_dated(deals, close_date, ids, lost, "lost deals")
    deals = _check_chronology(deals, created, close_date, ids, lost)
    reasons = pd.Series(deals[lost_reason].to_numpy(dtype=object)[lost], dtype=object)
    blank = {
        reason
        for reason in pd.unique(reasons[reasons.notna()])
        if isinstance(reason, str) and not reason.strip()
    }
    reasons = reasons.where(reasons.notna() & ~reasons.isin(blank), no_reason)
    ordinals = period_ordinals(kind, deals.loc[lost, close_date], name=close_date, ids=ids[lost])
    codes, labels = pd.factorize(reasons)
    return _loss_table(kind, freq, ordinals, codes, labels.to_numpy(dtype=object))


def _loss_table(
    kind: Frequency,
    freq: object,
    ordinals: IntArray,
    codes: IntArray,
    labels: ObjectArray,
    deals: IntArray | int = 1,
) -> pd.DataFrame:
    """The table of :func:`loss_reasons` from its lost deals, or their counts.

    Each entry is ``deals`` lost deals (one for the rows of a pandas frame) of the
    period with pandas' ordinal ``ordinals`` and of the reason ``labels[codes]``;
    reasons of equal count keep the order of ``labels``.
    """
    first = int(ordinals.min()) if ordinals.size else 0
    span = int(ordinals.max()) - first + 1 if ordinals.size else 0
    if span > MAX_PERIODS:
        ends = period_names(kind, np.array([first, first + span - 1], dtype=np.int64))
        raise InvalidInputError(
            f"loss_reasons: the lost deals span {span:,} periods of freq={freq!r} "
            f"(from {ends[0]} to {ends[1]}); a table has at most "
            f"{MAX_PERIODS:,} rows: choose a longer freq"
        )
    counts = np.zeros((span, labels.size), dtype=np.int64)
    np.add.at(counts, (ordinals - first, codes), deals)
    order = np.argsort(-counts.sum(axis=0), kind="stable")  # ties: in the order of labels
    counts = counts[:, order]
    totals = counts.sum(axis=1, keepdims=True)
    shares = np.full(counts.shape, np.nan)
    np.divide(counts, totals, out=shares, where=totals > 0)

    index = period_index(kind, first, span)
    reason_index = pd.Index(labels[order], dtype=object, name="reason")
    return pd.concat(
        {
            "count": pd.DataFrame(counts, index=index, columns=reason_index),
            "share": pd.DataFrame(shares, index=index, columns=reason_index),
        },
        axis=1,
    )
