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

import numbers
from typing import Any, Final, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import schema
from .._arrays import FloatArray, option_flag, safe_divide
from .._tables import PERIOD as _PERIOD
from .._tables import float_column, option_column, row_ids, which
from .._tables import period_dtype as _period_dtype
from .._tables import periods as _periods
from ..errors import InvalidInputError

__all__ = ["cohort_retention", "retention_by_period"]

IntArray = npt.NDArray[np.int64]

_MEASURES: Final = ("customers", "revenue")
#: The kinds of the columns of an events log, which is not a canonical table.
_EVENT_KINDS: Final = {"customer_id": "id", "date": "timestamp"}
#: The widest cohort table built (periods × periods cells): a coarser freq is needed.
_MAX_COHORT_PERIODS: Final = 10_000
#: The most periods any table here spans (a freq too fine for the dates, such as "1ns",
#: would otherwise allocate one row per nanosecond).
MAX_PERIODS: Final = 100_000
#: (customer, period) pairs are found in a customers × periods table when it has at most
#: _DENSE_CELLS_PER_ROW cells per row of the log plus _DENSE_FLOOR, and takes at most
#: _DENSE_MAX_CELLS bytes; otherwise by sorting the rows.
_DENSE_CELLS_PER_ROW: Final = 8
_DENSE_FLOOR: Final = 1 << 20
_DENSE_MAX_CELLS: Final = 1 << 28


# ------------------------------------------------------------- reading the log


class _Log(NamedTuple):
    """A transactions or events log reduced to integer codes, one entry per row."""

    customers: IntArray  # the customer's number, 0 … n_customers − 1
    n_customers: int
    periods: IntArray  # the period, 0 for the first period of the table
    span: int  # how many periods the table covers
    first: int  # ordinal of the first period
    dtype: pd.PeriodDtype
    amounts: FloatArray | None


def _column_names(**names: object) -> None:
    for argument, column in names.items():
        option_column(argument, column)
    if len(set(names.values())) < len(names):
        listed = ", ".join(f"{argument}={column!r}" for argument, column in names.items())
        raise InvalidInputError(f"{', '.join(names)} must name different columns; got {listed}")


def _end_ordinal(end: object, dtype: pd.PeriodDtype) -> int | None:
    """The ordinal of the period ``end`` stands for (a Period or a date), or None."""
    if end is None:
        return None
    if isinstance(end, pd.Period):
        if end.freq != dtype.freq:
            raise InvalidInputError(
                f"end is a Period of another frequency than the table's {dtype}; got {end!r}"
            )
        return int(end.ordinal)
    stamp: Any = pd.NaT
    # A number would be read as nanoseconds since 1970: refuse it rather than guess.
    if not isinstance(end, (bool, numbers.Number, np.number)):
        try:
            # Texts are read as ISO 8601 only, as everywhere: "5/3/2024" is not guessed.
            stamp = (
                pd.to_datetime(end, format="ISO8601") if isinstance(end, str) else pd.Timestamp(end)  # type: ignore[arg-type]
            )
        except (TypeError, ValueError, OverflowError):
            stamp = pd.NaT
    if pd.isna(stamp):
        raise InvalidInputError(f"end must be None, a date or a Period; got {end!r:.60}")
    try:
        stamps = pd.Series(pd.DatetimeIndex([stamp]).as_unit("ns"))
    except (ValueError, OverflowError):  # beyond the nanosecond range (pandas 2.2)
        raise InvalidInputError(
            f"end must be a date pandas can hold (1677-09-22 to 2262-04-11); got {end!r:.60}"
        ) from None
    return int(pd.PeriodIndex(_periods(stamps, dtype)).asi8[0])


def _read_log(
    frame: pd.DataFrame,
    *,
    table: str,
    customer: str,
    date: str,
    amount: str | None,
    freq: object,
    end: object,
    known: pd.Index[Any] | None = None,
) -> _Log:
    """Validate the log and number its customers and periods.

    ``known``, when given, lists every customer id (each once); a row naming another
    customer is an error. Otherwise customers are numbered in order of appearance.
    """
    dtype = _period_dtype(freq)
    names: dict[str, object] = {"customer": customer, "date": date}
    if amount is not None:
        names["amount"] = amount
    _column_names(**names)
    read = {"customer_id": customer, "date": date, "amount": amount}
    # A log of other events (logins, orders) is read like the transactions table.
    kinds = None if table == "transactions" else _EVENT_KINDS
    schema.check_columns(frame, table, read, kinds=kinds)
    last = _end_ordinal(end, dtype)

    def rows(mask: npt.NDArray[np.bool_], shown: list[Any] | None = None) -> str:
        return which(row_ids(frame, None), mask, shown)  # only on the way to an error

    undated = frame[date].isna().to_numpy(dtype=bool)
    if undated.any():
        raise InvalidInputError(
            f"{date} is missing for {rows(undated)}; every row needs the date it "
            "happened (drop or date those rows first)"
        )
    anonymous = frame[customer].isna().to_numpy(dtype=bool)
    if anonymous.any():
        raise InvalidInputError(
            f"{customer} is missing for {rows(anonymous)}; every row needs the "
            "customer it belongs to"
        )
    amounts: FloatArray | None = None
    if amount is not None:
        values = np.asarray(float_column(frame, amount), dtype=np.float64)
        with np.errstate(invalid="ignore"):
            bad = np.isinf(values) | (values < 0.0)  # NaN passes: it propagates
        if bad.any():
            raise InvalidInputError(
                f"{amount} must be a finite number >= 0; not so for "
                f"{rows(bad, values.tolist())} (book refunds against the sale "
                "they reverse before counting)"
            )
        amounts = values

    ordinals = np.asarray(pd.PeriodIndex(_periods(frame[date], dtype)).asi8, dtype=np.int64)
    if ordinals.size == 0:
        first, span = 0, 0
    else:
        first = int(ordinals.min())
        if last is None:
            last = int(ordinals.max())
        late = ordinals > last
        if late.any():
            raise InvalidInputError(
                f"end is {end!r:.40} but {rows(late, frame[date].tolist())} "
                "are dated after it; the end of observation must not come before the last "
                "transaction"
            )
        span = last - first + 1
        if span > MAX_PERIODS:
            raise InvalidInputError(
                f"the log spans {span:,} periods of {freq!r:.20}, more than the {MAX_PERIODS:,} "
                "a table holds; choose a coarser freq or an earlier end"
            )

    if known is None:
        codes, uniques = pd.factorize(frame[customer])
        n_customers = len(uniques)
    else:
        codes = known.get_indexer(pd.Index(frame[customer].to_numpy()))
        n_customers = len(known)
        strangers = codes < 0
        if strangers.any():
            raise InvalidInputError(
                f"customers does not list the {customer} of "
                f"{rows(strangers, frame[customer].tolist())}"
            )
    return _Log(
        customers=np.asarray(codes, dtype=np.int64),
        n_customers=n_customers,
        periods=ordinals - first,
        span=span,
        first=first,
        dtype=dtype,
        amounts=amounts,
    )


def _dense(log: _Log, bytes_per_cell: int) -> bool:
    """Whether a customers × periods table is small enough to find the pairs in."""
    cells = log.n_customers * log.span
    return (
        cells <= _DENSE_CELLS_PER_ROW * log.periods.size + _DENSE_FLOOR
        and cells * bytes_per_cell <= _DENSE_MAX_CELLS
    )


def _split(log: _Log, keys: IntArray) -> tuple[IntArray, IntArray]:
    keys = keys.astype(np.int64, copy=False)
    customers = keys // max(log.span, 1)
    return customers, keys - customers * log.span


def _pairs(log: _Log) -> tuple[IntArray, IntArray]:
    """Every (customer, period) pair in the log: customers and periods, in that order."""
    if _dense(log, 1):
        # Flags in a customers × periods table come out in order without a sort.
        seen = np.zeros((log.n_customers, log.span), dtype=bool)
        seen[log.customers, log.periods] = True
        customers, periods = np.nonzero(seen)
        return customers.astype(np.int64, copy=False), periods.astype(np.int64, copy=False)
    ordered = np.sort(log.customers * log.span + log.periods)
    return _split(log, ordered[np.flatnonzero(np.diff(ordered, prepend=-1))])


def _counted_pairs(log: _Log) -> tuple[IntArray, IntArray, IntArray]:
    """As :func:`_pairs`, with the number of rows of each pair."""
    keys = log.customers * log.span + log.periods
    if _dense(log, 8):
        counts = np.bincount(keys, minlength=log.n_customers * log.span)
        table = counts.reshape(log.n_customers, log.span)
        customers, periods = np.nonzero(table)
        return (
            customers.astype(np.int64, copy=False),
            periods.astype(np.int64, copy=False),
            table[customers, periods].astype(np.int64, copy=False),
        )
    ordered = np.sort(keys)
    starts = np.flatnonzero(np.diff(ordered, prepend=-1))
    customers, periods = _split(log, ordered[starts])
    return customers, periods, np.diff(starts, append=ordered.size).astype(np.int64)


def _first_periods(customers: IntArray, periods: IntArray) -> tuple[IntArray, IntArray]:
    """Where each customer's pairs start, and each pair's cohort (first period)."""
    starts = np.flatnonzero(np.diff(customers, prepend=-1))
    lengths = np.diff(starts, append=customers.size)
    return starts, np.repeat(periods[starts], lengths)


def _period_index(log: _Log, name: str = _PERIOD) -> pd.PeriodIndex:
    if log.span == 0:
        return pd.PeriodIndex([], dtype=log.dtype, name=name)
    freq: Any = log.dtype.freq  # the stubs do not list offsets, which Period accepts
    start = pd.Period(ordinal=log.first, freq=freq)
    return pd.period_range(start=start, periods=log.span, name=name)


# ------------------------------------------------------------------------ cohorts


def cohort_retention(
    transactions: pd.DataFrame,
    *,
    customer: str = "customer_id",
    date: str = "date",
    amount: str | None = None,
    freq: str = "M",
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
    transactions : DataFrame
        Canonical transactions table, one row per purchase.
    customer, date : str, keyword-only
        Column names: the customer (any hashable ids) and the date of the purchase
        (datetime64; a time-zone-aware column is split by its local calendar).
    amount : str or None, keyword-only, default None
        Column with the amount of each purchase (numeric, >= 0; canonically
        ``"amount"``). Required with ``measure="revenue"`` and refused otherwise, so
        that the measure is always stated.
    freq : str, keyword-only, default "M"
        A pandas period alias ("W", "M", "Q", "Y" …) for cohorts and ages.
    measure : {"customers", "revenue"}, keyword-only, default "customers"
        What is retained: active customers, or revenue.
    normalize : bool, keyword-only, default True
        Divide each row by its age-0 value. ``False`` gives the counts of active
        customers (age 0 is then the cohort's size) or the revenue amounts.
    end : date, Period or None, keyword-only, default None
        The last period observed; ``None`` takes the period of the last transaction.
        The last period counts as observed in full: a log exported mid-month sees the
        month's buyers so far. A transaction dated after ``end`` is an error.

    Returns
    -------
    DataFrame
        Indexed by ``cohort`` (a PeriodIndex: every period from the first
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
    .. [1] Seed article 001 of salescore's reference (Swedish): measure how many
       customers come back and how many leave, rather than quotas.
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
    log = _read_log(
        transactions,
        table="transactions",
        customer=customer,
        date=date,
        amount=amount,
        freq=freq,
        end=end,
    )
    span = log.span
    if span > _MAX_COHORT_PERIODS:
        raise InvalidInputError(
            f"the log spans {span:,} periods of {freq!r}, too many for a cohort table "
            f"(at most {_MAX_COHORT_PERIODS:,} × {_MAX_COHORT_PERIODS:,}); choose a "
            "coarser freq or an earlier end"
        )
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
        if np.isinf(matrix).any():  # finite amounts: a cell's sum overflowed
            raise InvalidInputError(
                "the revenue of a cohort in a period is beyond float range (about 1.8e308); "
                "rescale the amounts, for example to thousands"
            )
    table = matrix.reshape(span, span)
    if normalize:
        table = np.asarray(safe_divide(table, table[:, :1]), dtype=np.float64)
    age = np.arange(span)
    table[age[:, np.newaxis] + age[np.newaxis, :] >= span] = np.nan  # not observed yet
    return pd.DataFrame(
        table,
        index=_period_index(log, "cohort"),
        columns=pd.RangeIndex(span, name="age"),
    )


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
    transactions: pd.DataFrame,
    *,
    customer: str = "customer_id",
    date: str = "date",
    freq: str = "M",
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
    transactions : DataFrame
        Canonical transactions table, one row per purchase (or any log of dated
        customer activity).
    customer, date : str, keyword-only
        Column names: the customer (any hashable ids) and the date of the purchase
        (datetime64; a time-zone-aware column is split by its local calendar).
    freq : str, keyword-only, default "M"
        A pandas period alias ("W", "M", "Q", "Y" …) for the periods.
    end : date, Period or None, keyword-only, default None
        The last period reported; ``None`` takes the period of the last
        transaction. Periods after the last transaction show every customer of the
        period before as lost. A transaction dated after ``end`` is an error.

    Returns
    -------
    DataFrame
        Indexed by ``period`` (a PeriodIndex: every period from the first
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
    .. [1] Seed article 001 of salescore's reference (Swedish): the renewal rate —
       how many customers come back, how many leave.
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
        index=_period_index(log),
    )
