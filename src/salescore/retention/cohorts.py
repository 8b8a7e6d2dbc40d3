"""Cohorts and growth accounting: do the customers we win keep buying?

Table functions over the canonical transactions frame (``customer_id, date,
amount``). Every column name is a keyword argument whose default is the canonical
name. A customer is *active* in a period when the log holds at least one of their
transactions dated in it (a zero amount counts); periods follow the local calendar of
the dates. No row is dropped: a missing date or customer id, a negative amount or a
transaction after the end of observation raises
:class:`~salescore.InvalidInputError` naming the rows (index labels) concerned, the
first few and how many. The counting is vectorised: customers are numbered once, the
(customer, period) pairs are flagged in a customers × periods table (or sorted, when
that table would be mostly empty), and every count is a ``bincount`` — never a Python
loop over customers.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from .._arrays import FloatArray, option_flag, safe_divide
from ..engines import Table, engine_name
from ..errors import InvalidInputError
from ..fiscal import FiscalFrequency
from ..fiscal._freq import period_index

# MAX_PERIODS is re-exported: salescore.retention.cohorts.MAX_PERIODS (its home is ._log).
from ._log import MAX_PERIODS as MAX_PERIODS
from ._log import IntArray, _first_periods, _Log, _pairs, _period_index, _read_log

__all__ = ["cohort_retention", "retention_by_period"]

_MEASURES: Final = ("customers", "revenue")
#: The widest cohort table built (periods × periods cells): a coarser freq is needed.
_MAX_COHORT_PERIODS: Final = 10_000


# ------------------------------------------------------------------------ cohorts


def cohort_retention(
    transactions: Table,
    *,
    customer: str = "customer_id",
    date: str = "date",
    amount: str | None = None,
    freq: str | FiscalFrequency = "M",
    measure: str = "customers",
    normalize: bool = True,
    end: object = None,
) -> pd.DataFrame:
    r"""Cohort retention table: how much of each cohort still buys, period after period.

    Customers are grouped into cohorts by the period of their first purchase; each row
    follows one cohort as it ages. With ``measure="customers"`` a cell is the share
    of the cohort's customers who bought in that period of its life; with
    ``measure="revenue"`` it is the cohort's revenue in that period relative to its
    revenue in its first period, so a cohort whose remaining customers buy more can
    exceed 1 (net revenue retention of the cohort). Reading down a column compares
    cohorts at the same age: are the customers we win now staying longer than those
    we won a year ago?

    Parameters
    ----------
    transactions : DataFrame or engine frame
        Canonical transactions table, one row per purchase: a pandas DataFrame, or
        a frame of Polars (eager or lazy), DuckDB, Dask or PySpark, which is reduced
        in its engine to one row per period (see :doc:`/guides/scale`); there
        ``freq`` must be one of D, W, M, Q or Y (with an anchor such as Q-MAR, but
        no multiple), not fiscal periods.
    customer, date : str, keyword-only
        Column names: the customer (any hashable ids) and the date of the purchase
        (datetime64; a time-zone-aware column is split by its local calendar).
    amount : str or None, keyword-only, default None
        Column with the amount of each purchase (numeric, >= 0; canonically
        ``"amount"``). Required with ``measure="revenue"`` and refused otherwise, so
        that the measure is always stated.
    freq : str or FiscalFrequency, keyword-only, default "M"
        A pandas period alias ("W", "M", "Q", "Y" …) for cohorts and ages, or
        fiscal periods (:class:`~salescore.fiscal.FiscalFrequency`, such as
        ``FiscalCalendar.from_start_month(4).freq("quarter")``), labelled
        ``"FY2027 Q1"``; ages then count fiscal periods.
    measure : {"customers", "revenue"}, keyword-only, default "customers"
        What is retained: active customers, or revenue.
    normalize : bool, keyword-only, default True
        Divide each row by its age-0 value. ``False`` gives the counts of active
        customers (age 0 is then the cohort's size) or the revenue amounts.
    end : date, Period, str or None, keyword-only, default None
        The last period observed (with fiscal periods, a date or a fiscal label such
        as ``"FY2027 Q1"``); ``None`` takes the period of the last transaction.
        The last period counts as observed in full: a log exported mid-month sees the
        month's buyers so far. A transaction dated after ``end`` is an error.

    Returns
    -------
    DataFrame
        Indexed by ``cohort`` (a PeriodIndex, or fiscal labels: every period from the first
        transaction to ``end``, including periods in which no customer was won),
        with columns ``age`` 0, 1, 2, … (periods since the cohort's first period)
        as float64. A cell beyond the end of observation (cohort + age > ``end``)
        is NaN, not 0: it has not happened yet. With ``normalize``, a cohort
        without customers, or whose age-0 revenue is 0, has NaN shares. A missing
        amount makes its cohort's cell NaN (the whole row if it falls at age 0).

    Raises
    ------
    SchemaError
        A named column is missing, ``date`` does not hold datetimes or ``amount``
        is not numeric.
    InvalidInputError
        A row without a date or a customer, a negative or infinite amount, a
        transaction after ``end``; an unknown ``measure`` or ``freq``, ``amount``
        missing for or given without ``measure="revenue"``, more than 10,000
        periods, a cell's revenue beyond float range (about 1.8e308). Messages name
        the rows (index labels) concerned.

    See Also
    --------
    retention_by_period : new, retained, reactivated and lost customers per period.

    Notes
    -----
    With :math:`A_{c,k}` the set of customers of cohort :math:`c` who bought in period
    :math:`c + k`, and :math:`R_{c,k}` their revenue in that period:

    .. math::

        \text{customers}_{c,k} = \frac{|A_{c,k}|}{|A_{c,0}|}, \qquad
        \text{revenue}_{c,k} = \frac{R_{c,k}}{R_{c,0}}, \qquad
        c + k \le \text{end},

    so :math:`0 \le \text{customers}_{c,k} \le 1` and
    :math:`\text{customers}_{c,0} = 1`; the age-0 counts add up to the number of
    distinct customers.

    References
    ----------
    .. [1] Closers, "Så sätter ni nya säljmål och utvärderar dem", knowledge-bank
       article on customer-focused sales goals (Swedish): measure how many customers
       come back and how many leave, rather than quotas. See Sources in the
       documentation.
    .. [2] J. Hsu, "Diligence at Social Capital Part 4: Cohorts and (engagement)
       LTV", The Startup (Medium), 2015: retention by cohort and age, read as a
       heatmap.

    Examples
    --------
    >>> import pandas as pd
    >>> from salescore.retention.cohorts import cohort_retention
    >>> log = pd.DataFrame({
    ...     "customer_id": ["ann", "bo", "ann", "cy", "bo", "cy"],
    ...     "date": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-02-11",
    ...                             "2024-02-14", "2024-03-02", "2024-03-09"]),
    ...     "amount": [100.0, 50.0, 80.0, 40.0, 50.0, 60.0],
    ... })
    >>> cohort_retention(log)
    age        0    1    2
    cohort
    2024-01  1.0  0.5  0.5
    2024-02  1.0  1.0  NaN
    2024-03  NaN  NaN  NaN
    >>> cohort_retention(log, amount="amount", measure="revenue").loc["2024-01"].tolist()
    [1.0, 0.5333..., 0.3333...]

    The cohort sizes are the age-0 counts; March won no one, and later ages of a
    cohort are not observed yet:

    >>> cohort_retention(log, normalize=False)[0].tolist()
    [2.0, 1.0, 0.0]
    """
    _measure(measure, amount)
    normalize = option_flag("normalize", normalize)
    engine = engine_name(transactions)
    if engine is not None:
        from ._engine import cohort_cells, read_engine_log

        read = read_engine_log(
            transactions,
            engine,
            table="transactions",
            customer=customer,
            date=date,
            amount=amount,
            freq=freq,
            end=end,
        )
        if isinstance(read, pd.DataFrame):  # no rows: the empty table of a pandas log
            return cohort_retention(
                read,
                customer=customer,
                date=date,
                amount=amount,
                freq=freq,
                measure=measure,
                normalize=normalize,
                end=end,
            )
        span = _cohort_span(read.span, freq)
        matrix = cohort_cells(read, revenue=amount is not None)
        index = period_index(read.dtype, read.first, span, "cohort")
    else:
        log = _read_log(
            transactions,
            table="transactions",
            customer=customer,
            date=date,
            amount=amount,
            freq=freq,
            end=end,
        )
        span = _cohort_span(log.span, freq)
        matrix = _cohort_matrix(log)
        index = _period_index(log, "cohort")
    if np.isinf(matrix).any():  # finite amounts: a cell's sum overflowed
        raise InvalidInputError(
            "the revenue of a cohort in a period is beyond float range (about 1.8e308); "
            "rescale the amounts, for example to thousands"
        )
    table = matrix
    if normalize:
        table = np.asarray(safe_divide(table, table[:, :1]), dtype=np.float64)
    age = np.arange(span)
    table[age[:, np.newaxis] + age[np.newaxis, :] >= span] = np.nan  # not observed yet
    return pd.DataFrame(table, index=index, columns=pd.RangeIndex(span, name="age"))


def _cohort_span(span: int, freq: object) -> int:
    """``span``, when a cohort table of that many periods is small enough to build."""
    if span > _MAX_COHORT_PERIODS:
        raise InvalidInputError(
            f"the log spans {span:,} periods of {freq!r}, too many for a cohort table "
            f"(at most {_MAX_COHORT_PERIODS:,} × {_MAX_COHORT_PERIODS:,}); choose a "
            "coarser freq or an earlier end"
        )
    return span


def _cohort_matrix(log: _Log) -> FloatArray:
    """The span × span cells of a pandas log: customers, or revenue (NaN if missing)."""
    span = log.span
    customers, periods = _pairs(log)
    starts, cohorts = _first_periods(customers, periods)
    cells = span * span
    if log.amounts is None:  # measure="customers": _measure refused an amount column
        cell = cohorts * span + (periods - cohorts)
        matrix: FloatArray = np.bincount(cell, minlength=cells).astype(np.float64)
    else:
        first = np.empty(log.n_customers, dtype=np.int64)
        first[customers[starts]] = periods[starts]
        row_cohorts = first[log.customers]
        cell = row_cohorts * span + (log.periods - row_cohorts)
        # bincount adds the weights in float64, so a NaN amount reaches its cell.
        matrix = np.bincount(cell, weights=log.amounts, minlength=cells).astype(np.float64)
    return matrix.reshape(span, span)


def _measure(measure: object, amount: str | None) -> None:
    if not isinstance(measure, str) or measure not in _MEASURES:
        listed = ", ".join(repr(choice) for choice in _MEASURES)
        raise InvalidInputError(f"measure must be one of {listed}; got {measure!r:.60}")
    if measure == "revenue" and amount is None:
        raise InvalidInputError(
            "measure='revenue' needs the column of amounts: pass amount='amount' "
            "(or the name your table uses)"
        )
    if measure == "customers" and amount is not None:
        raise InvalidInputError(
            f"amount={amount!r} is read only with measure='revenue'; measure='customers' "
            "counts every transaction whatever its amount"
        )


# ------------------------------------------------------------- growth accounting


def retention_by_period(
    transactions: Table,
    *,
    customer: str = "customer_id",
    date: str = "date",
    freq: str | FiscalFrequency = "M",
    end: object = None,
) -> pd.DataFrame:
    r"""Customers retained, lost, won and won back, period by period.

    A customer is *active* in a period when they bought in it. Each period's active
    customers are split by where they come from — *retained* (active in the previous
    period too), *new* (first purchase ever) or *reactivated* (bought before, but not
    in the previous period) — and the previous period's active customers, the
    *start* of this one, by where they go: *retained* or *lost* (no purchase this
    period; a lost customer who buys again later counts as reactivated then). The
    retention rate is the share of the start retained, the churn rate the share
    lost. Choose ``freq`` to match how often customers buy: monthly periods make
    quarterly buyers look lost two months out of three.

    Parameters
    ----------
    transactions : DataFrame or engine frame
        Canonical transactions table, one row per purchase (or any log of dated
        customer activity): a pandas DataFrame, or a frame of Polars (eager or lazy),
        DuckDB, Dask or PySpark, which is reduced in its engine to one row per period
        (see :doc:`/guides/scale`); there ``freq`` must be one of D, W, M, Q or Y
        (with an anchor such as Q-MAR, but no multiple), not fiscal periods.
    customer, date : str, keyword-only
        Column names: the customer (any hashable ids) and the date of the purchase
        (datetime64; a time-zone-aware column is split by its local calendar).
    freq : str or FiscalFrequency, keyword-only, default "M"
        A pandas period alias ("W", "M", "Q", "Y" …) for the periods, or
        fiscal periods (:class:`~salescore.fiscal.FiscalFrequency`, such as
        ``FiscalCalendar.from_start_month(4).freq("quarter")``), labelled
        ``"FY2027 Q1"``.
    end : date, Period, str or None, keyword-only, default None
        The last period reported (with fiscal periods, a date or a fiscal label such
        as ``"FY2027 Q1"``); ``None`` takes the period of the last
        transaction. Periods after the last transaction show every customer of the
        period before as lost. A transaction dated after ``end`` is an error.

    Returns
    -------
    DataFrame
        Indexed by ``period`` (a PeriodIndex, or fiscal labels: every period from the first
        transaction to ``end``), with int64 columns ``start``, ``retained``,
        ``lost``, ``new``, ``reactivated`` and ``active``, and float64 columns
        ``retention_rate`` and ``churn_rate`` (NaN where ``start`` is 0). The log's
        first period has no previous period: its start is 0 and every customer
        active in it is new.

    Raises
    ------
    SchemaError
        A named column is missing or ``date`` does not hold datetimes.
    InvalidInputError
        A row without a date or a customer, a transaction after ``end``, an
        unknown ``freq``, more than 100,000 periods (a freq too fine for the dates).
        Messages name the rows (index labels) concerned.

    See Also
    --------
    cohort_retention : retention of each cohort by age.

    Notes
    -----
    With :math:`A_t` the set of customers active in period :math:`t` and
    :math:`E_t = \bigcup_{s < t} A_s` those who bought before it:

    .. math::

        \text{start}_t = |A_{t-1}|, \quad
        \text{retained}_t = |A_t \cap A_{t-1}|, \quad
        \text{lost}_t = |A_{t-1} \setminus A_t|,

        \text{new}_t = |A_t \setminus E_t|, \quad
        \text{reactivated}_t = |(A_t \cap E_t) \setminus A_{t-1}|,

    so :math:`\text{start}_t = \text{retained}_t + \text{lost}_t` and
    :math:`|A_t| = \text{retained}_t + \text{new}_t + \text{reactivated}_t`;
    :math:`\text{retention rate}_t + \text{churn rate}_t = 1` wherever
    :math:`\text{start}_t > 0`.

    References
    ----------
    .. [1] Closers, "Så sätter ni nya säljmål och utvärderar dem", knowledge-bank
       article on customer-focused sales goals (Swedish): the renewal rate — how many
       customers come back, how many leave. See Sources in the documentation.
    .. [2] J. Hsu, "Diligence at Social Capital Part 1: Accounting for User
       Growth", The Startup (Medium), 2015: active users as new + retained +
       resurrected, and churned users, period by period.

    Examples
    --------
    >>> import pandas as pd
    >>> from salescore.retention.cohorts import retention_by_period
    >>> log = pd.DataFrame({
    ...     "customer_id": ["ann", "bo", "ann", "cy", "bo", "cy"],
    ...     "date": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-02-11",
    ...                             "2024-02-14", "2024-03-02", "2024-03-09"]),
    ... })
    >>> table = retention_by_period(log)
    >>> table[["start", "retained", "lost", "new", "reactivated", "active"]]
             start  retained  lost  new  reactivated  active
    period
    2024-01      0         0     0    2            0       2
    2024-02      2         1     1    1            0       2
    2024-03      2         1     1    0            1       2
    >>> table["retention_rate"].tolist()
    [nan, 0.5, 0.5]

    Reported to the end of April, when no one bought:

    >>> retention_by_period(log, end="2024-04-30")[["start", "lost", "active"]].tail(1)
             start  lost  active
    period
    2024-04      2     2       0
    """
    engine = engine_name(transactions)
    if engine is not None:
        from ._engine import period_flows, read_engine_log

        read = read_engine_log(
            transactions,
            engine,
            table="transactions",
            customer=customer,
            date=date,
            amount=None,
            freq=freq,
            end=end,
        )
        if isinstance(read, pd.DataFrame):  # no rows: the empty table of a pandas log
            return retention_by_period(read, customer=customer, date=date, freq=freq, end=end)
        flows = period_flows(read)
        # The identities of the Notes: active = retained + new + reactivated, and the
        # start (the period before's active) = retained + lost.
        start = np.zeros(read.span, dtype=np.int64)
        start[1:] = flows.active[:-1]
        return _growth_table(
            start=start,
            retained=flows.retained,
            lost=start - flows.retained,
            new=flows.new,
            reactivated=flows.active - flows.new - flows.retained,
            active=flows.active,
            index=period_index(read.dtype, read.first, read.span),
        )
    log = _read_log(
        transactions,
        table="transactions",
        customer=customer,
        date=date,
        amount=None,
        freq=freq,
        end=end,
    )
    span = log.span
    customers, periods = _pairs(log)
    same = np.zeros(periods.size, dtype=bool)  # the pair before is the same customer's
    same[1:] = customers[1:] == customers[:-1]
    previous = np.empty_like(periods)
    previous[:1] = -1
    previous[1:] = periods[:-1]
    following = np.empty_like(periods)
    following[-1:] = -1
    following[:-1] = periods[1:]
    continues = np.zeros(periods.size, dtype=bool)  # the next pair is the same customer's
    continues[:-1] = same[1:]

    def count(mask: npt.NDArray[np.bool_], shift: int = 0) -> IntArray:
        return np.bincount(periods[mask] + shift, minlength=span).astype(np.int64)

    active = count(np.ones(periods.size, dtype=bool))
    retained = count(same & (previous == periods - 1))
    reactivated = count(same & (previous < periods - 1))
    new = count(~same)
    gone = ~(continues & (following == periods + 1)) & (periods + 1 < span)
    lost = count(gone, shift=1)
    start = np.zeros(span, dtype=np.int64)
    start[1:] = active[:-1]
    return _growth_table(
        start=start,
        retained=retained,
        lost=lost,
        new=new,
        reactivated=reactivated,
        active=active,
        index=_period_index(log),
    )


def _growth_table(
    *,
    start: IntArray,
    retained: IntArray,
    lost: IntArray,
    new: IntArray,
    reactivated: IntArray,
    active: IntArray,
    index: pd.Index[Any],
) -> pd.DataFrame:
    """The table of :func:`retention_by_period` from its counts per period."""
    as_float = start.astype(np.float64)
    return pd.DataFrame(
        {
            "start": start,
            "retained": retained,
            "lost": lost,
            "new": new,
            "reactivated": reactivated,
            "active": active,
            "retention_rate": safe_divide(retained.astype(np.float64), as_float),
            "churn_rate": safe_divide(lost.astype(np.float64), as_float),
        },
        index=index,
    )
