"""Reading a transactions (or events) log into customer and period codes.

The shared engine of :mod:`salescore.retention.cohorts` and
:mod:`salescore.retention.usage`. :func:`_read_log` validates the log (columns, dates,
customers, amounts, the end of observation) and numbers its customers and periods
once; :func:`_pairs` and :func:`_counted_pairs` find every (customer, period) pair in a
customers × periods table, or by sorting when that table would be mostly empty; the
rest turns the codes back into cohorts and a PeriodIndex (or the labels of fiscal
periods). Never a Python loop over customers.
"""

from __future__ import annotations

import numbers
from typing import Any, Final, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import schema
from .._arrays import FloatArray
from .._tables import PERIOD as _PERIOD
from .._tables import float_column, option_column, row_ids, which
from ..errors import InvalidInputError
from ..fiscal import FiscalFrequency
from ..fiscal._freq import Frequency, fiscal_bound, period_index, period_kind, period_ordinals

__all__ = [
    "MAX_PERIODS",
    "IntArray",
    "_counted_pairs",
    "_first_periods",
    "_pairs",
    "_period_index",
    "_read_log",
]

IntArray = npt.NDArray[np.int64]

#: The kinds of the columns of an events log, which is not a canonical table.
_EVENT_KINDS: Final = {"customer_id": "id", "date": "timestamp"}
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
    dtype: Frequency  # a pandas period dtype or fiscal periods
    amounts: FloatArray | None


def _column_names(**names: object) -> None:
    for argument, column in names.items():
        option_column(argument, column)
    if len(set(names.values())) < len(names):
        listed = ", ".join(f"{argument}={column!r}" for argument, column in names.items())
        raise InvalidInputError(f"{', '.join(names)} must name different columns; got {listed}")


def _end_ordinal(end: object, dtype: Frequency) -> int | None:
    """The ordinal of the period ``end`` stands for (a Period, fiscal label or date), or None."""
    if end is None:
        return None
    if isinstance(dtype, FiscalFrequency):
        label = fiscal_bound(dtype, "end", end)
        if label is not None:
            return label
    elif isinstance(end, pd.Period):
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
    return int(period_ordinals(dtype, stamps, name="end")[0])


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
    dtype = period_kind(freq)
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

    fiscal = isinstance(dtype, FiscalFrequency)  # explicit periods name rows outside them
    ids = row_ids(frame, None) if fiscal else None
    ordinals = period_ordinals(dtype, frame[date], name=date, ids=ids)
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


def _period_index(log: _Log, name: str = _PERIOD) -> pd.Index[Any]:
    """Every period of the table: a PeriodIndex, or the labels of fiscal periods."""
    return period_index(log.dtype, log.first, log.span, name)
