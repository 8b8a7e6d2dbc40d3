"""Usage: how often do customers use what they bought?

A table function over a log of dated customer events (logins, orders, tickets — any
frame with a customer and a date column, such as the canonical transactions table
``customer_id, date, amount``). Every column name is a keyword argument whose default
is the canonical name; rows are validated as by
:func:`~salescore.retention.cohorts.cohort_retention`.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np
import pandas as pd

from .._arrays import FloatArray, safe_divide
from ..engines import Table, engine_name
from ..errors import InvalidInputError
from ..fiscal import FiscalFrequency
from ..fiscal._freq import period_index
from ._log import IntArray, _counted_pairs, _first_periods, _period_index, _read_log

__all__ = ["usage_summary"]


def _known_customers(customers: object) -> pd.Index[Any] | None:
    """The distinct ids of ``customers``, or None; a missing id is an error."""
    if customers is None:
        return None
    if isinstance(customers, (str, bytes)) or not isinstance(
        customers, (list, tuple, set, frozenset, np.ndarray, pd.Index, pd.Series)
    ):
        raise InvalidInputError(
            "customers must be None or the ids of every customer (a list, set, array, "
            f"Index or Series); got {type(customers).__name__} {customers!r:.60}"
        )
    values: Any = customers
    if isinstance(customers, (set, frozenset)):
        values = list(customers)
    elif isinstance(customers, pd.Series):
        values = customers.to_numpy()
    if np.ndim(values) != 1:
        raise InvalidInputError(
            f"customers must be one-dimensional; got an array of shape {np.shape(values)}"
        )
    index = pd.Index(values)
    missing = np.asarray(index.isna(), dtype=bool)
    if missing.any():
        positions = np.flatnonzero(missing)
        ids = "id" if positions.size == 1 else "ids"
        raise InvalidInputError(
            f"customers holds {positions.size} missing {ids} (0-based positions "
            f"{positions[:5].tolist()}); list every customer by its id"
        )
    distinct: pd.Index[Any] = index.unique()
    return distinct


def _group_medians(groups: IntArray, values: IntArray, sizes: IntArray) -> FloatArray:
    """Median of ``values`` within each group 0 … len(sizes) − 1 (NaN for an empty one)."""
    ordered = values[np.lexsort((values, groups))].astype(np.float64)
    offsets = np.cumsum(sizes) - sizes
    filled = sizes > 0
    low = offsets[filled] + (sizes[filled] - 1) // 2
    high = offsets[filled] + sizes[filled] // 2
    medians = np.full(sizes.shape, np.nan)
    medians[filled] = (ordered[low] + ordered[high]) / 2.0
    return medians


def usage_summary(
    events: Table,
    *,
    customer: str = "customer_id",
    date: str = "date",
    freq: str | FiscalFrequency = "M",
    customers: Collection[Any] | pd.Index[Any] | pd.Series[Any] | None = None,
    end: object = None,
) -> pd.DataFrame:
    r"""Usage per period: share of customers active, events per active customer.

    The Swedish article "Så sätter ni nya säljmål och utvärderar dem" asks sellers to
    follow how often customers use the product, not only what they pay. For each period
    this counts the customers with at least one event (*active*), sets them against the
    customer base, and describes how much the active ones use it: the mean and the
    median number of events per active customer. The median is robust to the few heavy
    users that pull the mean up.

    Parameters
    ----------
    events : DataFrame or engine frame
        One row per event (a login, an order, a support ticket …), with the
        customer and the date: a pandas DataFrame, or a frame of Polars (eager or
        lazy), DuckDB, Dask or PySpark, which is reduced in its engine to one row per
        period (see :doc:`/guides/scale`); there ``freq`` must be one of D, W, M, Q
        or Y (with an anchor such as Q-MAR, but no multiple), not fiscal periods.
    customer, date : str, keyword-only
        Column names: the customer (any hashable ids) and the date of the event
        (datetime64; a time-zone-aware column is split by its local calendar).
    freq : str or FiscalFrequency, keyword-only, default "M"
        A pandas period alias ("D", "W", "M", "Q" …) for the periods, or
        fiscal periods (:class:`~salescore.fiscal.FiscalFrequency`, such as
        ``FiscalCalendar.from_start_month(4).freq("quarter")``), labelled
        ``"FY2027 Q1"``.
    customers : list, set, array, Index, Series or None, keyword-only, default None
        The ids of every customer, active or not — the denominator of
        ``share_active`` in every period (repeated ids count once). An event of a
        customer it does not list is an error. ``None`` takes, for each period,
        every customer seen in the log up to the end of that period, so a customer
        counts from their first event on and stays in the base afterwards.
    end : date, Period, str or None, keyword-only, default None
        The last period reported (with fiscal periods, a date or a fiscal label such
        as ``"FY2027 Q1"``); ``None`` takes the period of the last event. An
        event dated after ``end`` is an error.

    Returns
    -------
    DataFrame
        Indexed by ``period`` (a PeriodIndex, or fiscal labels: every period from the first event to
        ``end``), with int64 columns ``customers`` (the base), ``active`` and
        ``events``, and float64 columns ``share_active`` (active ÷ customers; NaN
        for a base of 0), ``mean_per_active`` and ``median_per_active`` (events per
        active customer; NaN in a period without events).

    Raises
    ------
    SchemaError
        A named column is missing or ``date`` does not hold datetimes.
    InvalidInputError
        A row without a date or a customer, or of a customer ``customers`` does not
        list; an event after ``end``; a missing id in ``customers``; an unknown
        ``freq``, or one so fine that the table would span more than 100,000
        periods. Messages name the rows (index labels) concerned.

    See Also
    --------
    retention_by_period : which customers stay active from one period to the next.

    Notes
    -----
    With :math:`n_{i,t}` the number of events of customer :math:`i` in period
    :math:`t`, :math:`A_t = \{i : n_{i,t} > 0\}` and :math:`B_t` the base:

    .. math::

        \text{share active}_t = \frac{|A_t|}{|B_t|}, \qquad
        \text{mean}_t = \frac{\sum_i n_{i,t}}{|A_t|}, \qquad
        \text{median}_t = \operatorname{median}_{i \in A_t} n_{i,t},

    and the number of events per customer of the whole base is
    :math:`\text{share active}_t \times \text{mean}_t`.

    References
    ----------
    .. [1] Closers, "Så sätter ni nya säljmål och utvärderar dem", knowledge-bank
       article on customer-focused sales goals (Swedish): usage — how often the customer
       uses the product — as a goal to measure instead of a quota. See Sources in the
       documentation.

    Examples
    --------
    >>> import pandas as pd
    >>> from salescore.retention.usage import usage_summary
    >>> logins = pd.DataFrame({
    ...     "customer_id": ["ann", "ann", "ann", "bo", "ann", "ann", "cy", "bo", "bo", "bo", "bo"],
    ...     "date": pd.to_datetime(["2024-01-02", "2024-01-09", "2024-01-20", "2024-01-25",
    ...                             "2024-02-01", "2024-02-15", "2024-02-20", "2024-03-01",
    ...                             "2024-03-02", "2024-03-03", "2024-03-04"]),
    ... })
    >>> usage = usage_summary(logins)
    >>> usage[["customers", "active", "events", "share_active"]]
             customers  active  events  share_active
    period
    2024-01          2       2       4      1.000000
    2024-02          3       2       3      0.666667
    2024-03          3       1       4      0.333333
    >>> usage["median_per_active"].tolist()
    [2.0, 1.5, 4.0]

    Against a customer list, dee (who never logged in) counts too:

    >>> usage_summary(logins, customers=["ann", "bo", "cy", "dee"])["share_active"].tolist()
    [0.5, 0.5, 0.25]
    """
    known = _known_customers(customers)
    engine = engine_name(events)
    if engine is not None:
        from ._engine import read_engine_log, usage_counts

        read = read_engine_log(
            events,
            engine,
            table="events",
            customer=customer,
            date=date,
            amount=None,
            freq=freq,
            end=end,
            known=known,
        )
        if isinstance(read, pd.DataFrame):  # no rows: the empty table of a pandas log
            return usage_summary(
                read, customer=customer, date=date, freq=freq, customers=customers, end=end
            )
        usage = usage_counts(read)
        return _usage_table(
            base=np.cumsum(usage.new) if known is None else np.full(read.span, len(known)),
            active=usage.active,
            events=usage.events,
            medians=usage.medians,
            index=period_index(read.dtype, read.first, read.span),
        )
    log = _read_log(
        events,
        table="events",
        customer=customer,
        date=date,
        amount=None,
        freq=freq,
        end=end,
        known=known,
    )
    span = log.span
    owners, periods, tallies = _counted_pairs(log)
    active = np.bincount(periods, minlength=span).astype(np.int64)
    total = np.bincount(log.periods, minlength=span).astype(np.int64)
    if known is None:
        starts, _ = _first_periods(owners, periods)
        base = np.cumsum(np.bincount(periods[starts], minlength=span)).astype(np.int64)
    else:
        base = np.full(span, len(known), dtype=np.int64)
    return _usage_table(
        base=base,
        active=active,
        events=total,
        medians=_group_medians(periods, tallies, active),
        index=_period_index(log),
    )


def _usage_table(
    *,
    base: IntArray,
    active: IntArray,
    events: IntArray,
    medians: FloatArray,
    index: pd.Index[Any],
) -> pd.DataFrame:
    """The table of :func:`usage_summary` from its counts per period."""
    active_float = active.astype(np.float64)
    return pd.DataFrame(
        {
            "customers": base.astype(np.int64, copy=False),
            "active": active,
            "events": events,
            "share_active": safe_divide(active_float, base.astype(np.float64)),
            "mean_per_active": safe_divide(events.astype(np.float64), active_float),
            "median_per_active": medians,
        },
        index=index,
    )
