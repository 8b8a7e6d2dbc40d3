"""How often, how recently, how much? The per-customer summary the models are fitted to.

:func:`rfm_summary` turns a transactions log (``customer_id, date, amount``) into one
row per customer: repeat purchases, recency, age and the mean value of the repeat
purchases, optionally with a holdout period to check predictions against.
:func:`compress` collapses identical rows into one with a count, which the fits accept
as weights. Neither needs SciPy.
"""

from __future__ import annotations

import datetime
import math
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from .._arrays import FloatArray, Numeric, coerce
from .._tables import (
    float_column,
    option_column,
    require_columns,
    require_numeric,
    row_ids,
    which,
)
from .._tables import period_dtype as _period_dtype
from ..engines import Table, engine_name
from ..errors import InvalidInputError, SchemaError
from ._rfm_time import IntArray, _calibration_cut, _durations, _ordinal, _ordinals, _time_unit

__all__ = ["compress", "rfm_summary"]

#: Above this many (customer, period) cells the pair keys could overflow int64.
_MAX_KEY: Final = 1 << 62


# ------------------------------------------------------------------ the summary


def rfm_summary(
    transactions: Table,
    *,
    customer: str = "customer_id",
    date: str = "date",
    amount: str | None = None,
    observation_end: object = None,
    freq: str = "W",
    time_unit: str | datetime.timedelta | np.timedelta64 | None = None,
    calibration_end: object = None,
) -> pd.DataFrame:
    r"""Repeat purchases, recency, age and repeat value of each customer.

    The summary the BG/NBD and Gamma-Gamma models are fitted to. Purchases in the
    same period of ``freq`` count as one (their amounts are added): a customer who
    bought twice on one day made one purchase that day. Times are measured between
    the starts of periods, in whole periods of ``freq`` or, with ``time_unit``, as
    fractions of that duration: ``freq="D", time_unit="W"`` gives days / 7, the weeks
    of Fader and Hardie's CDNOW summary.

    Parameters
    ----------
    transactions : DataFrame or engine frame
        One row per transaction: a pandas DataFrame, or a frame of Polars (eager or
        lazy), DuckDB, Dask or PySpark, which is reduced in its engine (see
        :doc:`/guides/scale`); there ``freq`` must be one of D, W, M, Q or Y (with an
        anchor such as W-MON, but no multiple), and dates may also be dates.
    customer, date : str, keyword-only
        Columns of the customer id and the datetime of each transaction; neither
        may be missing.
    amount : str, keyword-only, optional
        Column of the value of each transaction, >= 0 (a missing value makes the
        customer's mean NaN if it falls in a repeat purchase). Without it there are
        no value columns.
    observation_end : date, keyword-only, optional
        End of observation: the end of the holdout period when ``calibration_end``
        is given. Defaults to the date of the last transaction. A transaction after
        it is an error (filter the log to the window first).
    freq : str, keyword-only, default "W"
        Pandas period alias of the periods purchases are collapsed into and, without
        ``time_unit``, measured in ("D", "W", "M", …). A fiscal calendar does not
        apply: ``freq`` is the BG/NBD model's unit of time, whose periods must be of
        equal length, not a bucket of a report.
    time_unit : str or timedelta, keyword-only, optional
        A duration ("D", "W", "7D", ``pandas.Timedelta``) to express times in, as
        fractions; by default whole periods of ``freq``.
    calibration_end : date, keyword-only, optional
        End of the calibration period. The summary columns then describe the
        transactions up to its period, and the holdout columns those after it up
        to ``observation_end``. A customer whose first purchase comes after it is
        not in the summary (they were not yet a customer).

    Returns
    -------
    DataFrame
        One row per customer, indexed by customer id (sorted when the ids can be)
        under the name of the ``customer`` column, with columns

        - ``frequency`` (int64): repeat purchases, the periods with a purchase after
          the first one;
        - ``recency`` (float64): time from the first to the last purchase (0 without
          repeats);
        - ``T`` (float64): time from the first purchase to the end of observation
          (or of calibration);
        - ``monetary_value`` (float64, with ``amount``): mean value of the repeat
          purchases, **0 for a customer without repeat purchases**; the first
          purchase is left out, as the Gamma-Gamma model expects;
        - with ``calibration_end``: ``frequency_holdout`` (int64) purchases in the
          holdout period, ``monetary_value_holdout`` (float64, with ``amount``) their
          mean value (0 without any), and ``duration_holdout`` (float64) its length.

    Raises
    ------
    SchemaError
        A missing column, dates that are not datetimes, or a non-numeric amount.
    InvalidInputError
        A missing date or customer id, a negative or infinite amount, a transaction
        after ``observation_end``, ``calibration_end`` not before
        ``observation_end``, a customer's mean amount per purchase beyond float
        range, or an invalid option (a column name that is not a str, a ``freq``
        that is not a positive span); rows are named by index label.

    See Also
    --------
    compress : identical rows collapsed, with counts.
    salescore.models.bgnbd.fit_bgnbd : the model fitted to this summary.

    Notes
    -----
    With :math:`p_1 < \dots < p_{x+1}` the periods in which a customer bought, up to
    the end period :math:`p_e`, and :math:`s(p)` the start of period :math:`p`:

    .. math::

        \text{frequency} = x, \quad
        \text{recency} = \frac{s(p_{x+1}) - s(p_1)}{u}, \quad
        T = \frac{s(p_e) - s(p_1)}{u}, \quad
        \text{monetary\_value} = \frac{1}{x}\sum_{k=2}^{x+1} v(p_k)

    where :math:`u` is the time unit and :math:`v(p)` the customer's total in period
    :math:`p`. The computation is vectorised: customers and periods become integer
    codes, the distinct (customer, period) pairs are found by hashing, and every
    column is a ``bincount``, minimum or maximum over them by customer.

    References
    ----------
    .. [1] P. S. Fader, B. G. S. Hardie and K. L. Lee, "'Counting Your Customers' the
       Easy Way: An Alternative to the Pareto/NBD Model", Marketing Science 24(2),
       275–284, 2005 (the CDNOW summary this function reproduces).

    Examples
    --------
    >>> import pandas as pd
    >>> from salescore.models.rfm import rfm_summary
    >>> log = pd.DataFrame({
    ...     "customer_id": ["a", "a", "a", "b"],
    ...     "date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-15", "2024-01-08"]),
    ...     "amount": [10.0, 5.0, 30.0, 20.0],
    ... })
    >>> rfm_summary(log, amount="amount", observation_end="2024-01-29", freq="D",
    ...             time_unit="W")
                 frequency  recency    T  monetary_value
    customer_id
    a                    1      2.0  4.0            30.0
    b                    0      0.0  3.0             0.0
    >>> rfm_summary(log, freq="W", calibration_end="2024-01-08")
                 frequency  recency    T  frequency_holdout  duration_holdout
    customer_id
    a                    0      0.0  1.0                  1               1.0
    b                    0      0.0  0.0                  0               1.0
    """
    customer = option_column("customer", customer)  # type: ignore[assignment]
    date = option_column("date", date)  # type: ignore[assignment]
    amount = option_column("amount", amount, optional=True)
    dtype = _period_dtype(freq)
    unit = _time_unit(time_unit)
    names = {"customer": customer, "date": date, **({} if amount is None else {"amount": amount})}
    if len(set(names.values())) < len(names):
        listed = ", ".join(f"{argument}={column!r}" for argument, column in names.items())
        raise InvalidInputError(f"{', '.join(names)} must name different columns; got {listed}")
    engine = engine_name(transactions)
    if engine is not None:
        from ._rfm_engine import engine_summary

        def empty(log: pd.DataFrame) -> pd.DataFrame:
            return rfm_summary(
                log,
                customer=customer,
                date=date,
                amount=amount,
                observation_end=observation_end,
                freq=freq,
                time_unit=time_unit,
                calibration_end=calibration_end,
            )

        return engine_summary(
            transactions,
            engine,
            customer=customer,
            date=date,
            amount=amount,
            observation_end=observation_end,
            freq=freq,
            dtype=dtype,
            unit=unit,
            calibration_end=calibration_end,
            empty=empty,
        )
    require_columns("transactions", transactions, names.values())
    dates = transactions[date]
    if not pd.api.types.is_datetime64_any_dtype(dates.dtype):
        raise SchemaError(
            f"transactions: column {date!r} must hold datetimes (datetime64); it has dtype "
            f"{dates.dtype} (convert it with pandas.to_datetime)"
        )
    if amount is not None:
        require_numeric("transactions", transactions, [amount])

    def rows(mask: npt.NDArray[np.bool_], shown: Any = None) -> str:
        return which(row_ids(transactions, None), mask, shown)  # only on the way to an error

    undated = dates.isna().to_numpy(dtype=bool)
    if undated.any():
        raise InvalidInputError(
            f"{date} is missing for {rows(undated)}; every transaction needs its date"
        )
    ids = transactions[customer]
    anonymous = ids.isna().to_numpy(dtype=bool)
    if anonymous.any():
        raise InvalidInputError(
            f"{customer} is missing for {rows(anonymous)}; every transaction needs its customer"
        )
    values: FloatArray | None = None
    if amount is not None:
        values = np.asarray(float_column(transactions, amount), dtype=np.float64)
        with np.errstate(invalid="ignore"):
            bad = (values < 0.0) | np.isinf(values)
        if bad.any():
            raise InvalidInputError(
                f"{amount} must be a finite amount >= 0; {rows(bad, values.tolist())} are not"
            )

    zone = getattr(dates.dtype, "tz", None)
    if zone is not None:
        dates = dates.dt.tz_localize(None)  # periods of the local calendar
    ordinals = _ordinals(pd.DatetimeIndex(dates), dtype)

    if observation_end is None:
        end = int(ordinals.max()) if ordinals.size else 0
    else:
        end = _ordinal("observation_end", observation_end, dtype, zone)
        late = ordinals > end
        if late.any():
            raise InvalidInputError(
                f"{rows(late, list(transactions[date]))} are dated after observation_end "
                f"{observation_end!r}; filter the transactions to the observation window first"
            )
    cut = _calibration_cut(calibration_end, end, freq, dtype, zone)

    # Customers and (customer, period) pairs as integer codes.
    try:
        codes, customers = pd.factorize(ids, sort=True)
    except TypeError:  # ids of mixed types that cannot be ordered
        codes, customers = pd.factorize(ids, sort=False)
    n = len(customers)
    low = int(ordinals.min()) if ordinals.size else 0
    span = end - low + 1
    if n * span >= _MAX_KEY:
        raise InvalidInputError(
            f"freq={freq!r} makes {span} periods for {n} customers, too many to count; "
            "choose a coarser freq"
        )
    key = codes.astype(np.int64) * span + (ordinals - low)
    # Distinct (customer, period) pairs by hashing, in no particular order: each
    # column below is a bincount or a grouped minimum or maximum over them.
    pair_of_row, pairs = pd.factorize(key, sort=False)
    pairs = np.asarray(pairs, dtype=np.int64)
    pair_customer = pairs // span
    pair_period = pairs % span + low
    calibration = pair_period <= cut
    bought = np.bincount(pair_customer[calibration], minlength=n)
    kept = bought > 0  # customers who bought by the end of calibration
    earliest = np.full(n, end + 1, dtype=np.int64)
    np.minimum.at(earliest, pair_customer, pair_period)
    latest = np.full(n, low - 1, dtype=np.int64)
    np.maximum.at(latest, pair_customer[calibration], pair_period[calibration])
    is_first = pair_period == earliest[pair_customer]
    first = earliest[kept]
    last = latest[kept]
    frequency = (bought[kept] - 1).astype(np.int64)
    columns: dict[str, Any] = {
        "frequency": frequency,
        "recency": _durations(first, last, dtype, unit),
        "T": _durations(first, np.full_like(first, cut), dtype, unit),
    }
    sums: _Sums | None = None
    if values is not None:
        sums = _Sums(values, pair_of_row, pairs.size, pair_customer, n, str(amount))
        repeats = calibration & ~is_first
        columns["monetary_value"] = sums.mean(repeats, kept, frequency, customers)
    if calibration_end is not None:
        holdout = ~calibration
        count = np.bincount(pair_customer[holdout], minlength=n)[kept].astype(np.int64)
        columns["frequency_holdout"] = count
        if sums is not None:
            columns["monetary_value_holdout"] = sums.mean(holdout, kept, count, customers)
        columns["duration_holdout"] = np.full(
            int(kept.sum()), _durations(np.array([cut]), np.array([end]), dtype, unit)[0]
        )
    index = pd.Index(customers[kept], name=customer)
    return pd.DataFrame(columns, index=index)


class _Sums:
    """Sums of amounts by (customer, period) pair and by customer, kept within range.

    Amounts near the float limit (two of 1e308 in one period) add up to inf. Where a
    mean overflows on the way, it is taken again of the amounts times a power of
    two (exact) that keeps the sums finite; the other means are left as they were,
    so that small amounts beside huge ones keep their digits.
    """

    def __init__(
        self,
        values: FloatArray,
        pair_of_row: npt.NDArray[Any],
        n_pairs: int,
        pair_customer: IntArray,
        n: int,
        amount: str,
    ) -> None:
        known = values[~np.isnan(values)]
        largest = float(known.max()) if known.size else 0.0
        self.scale = math.ldexp(1.0, -math.frexp(largest)[1]) if largest > 1.0 else 1.0
        with np.errstate(over="ignore", under="ignore"):
            self.pairs = np.bincount(pair_of_row, weights=values, minlength=n_pairs)
            self.scaled = np.bincount(pair_of_row, weights=values * self.scale, minlength=n_pairs)
        self.pair_customer = pair_customer
        self.n = n
        self.amount = amount

    def mean(
        self, chosen: npt.NDArray[np.bool_], kept: npt.NDArray[np.bool_], count: Any, ids: Any
    ) -> FloatArray:
        """Mean amount per chosen pair, by customer; 0 where the count is 0."""
        where = self.pair_customer[chosen]
        with np.errstate(over="ignore", invalid="ignore"):
            total = np.bincount(where, weights=self.pairs[chosen], minlength=self.n)[kept]
            out = _mean(total, count)
            overflow = np.isinf(out) | (np.isnan(out) & ~np.isnan(total))
            if overflow.any():
                scaled = np.bincount(where, weights=self.scaled[chosen], minlength=self.n)[kept]
                out = np.where(overflow, _mean(scaled, count) / self.scale, out)
        huge = np.isinf(out)
        if huge.any():
            shown = ", ".join(repr(label) for label in list(ids[kept][huge])[:5])
            raise InvalidInputError(
                f"the mean {self.amount} per purchase is beyond float range for "
                f"{int(huge.sum())} customer(s) ({shown}); express the amounts in a larger unit"
            )
        return out


def _mean(total: npt.NDArray[Any], count: npt.NDArray[Any]) -> FloatArray:
    """Total / count, 0 where the count is 0 (no purchase to average)."""
    out = np.zeros(total.shape)
    np.divide(total, count, out=out, where=count > 0)
    return out


# ------------------------------------------------------------------ compression


def _positions(mask: npt.NDArray[np.bool_]) -> str:
    positions = np.flatnonzero(mask)
    shown = ", ".join(str(p) for p in positions[:5])
    more = ", …" if positions.size > 5 else ""
    return f"{positions.size} of {mask.size} (0-based positions: {shown}{more})"


def compress(
    frequency: Numeric,
    recency: Numeric,
    T: Numeric,  # noqa: N803
    monetary_value: Numeric | None = None,
) -> pd.DataFrame:
    """Identical customer rows collapsed into one, with how many customers share it.

    Fits accept the result's ``weight`` column as ``weights=`` and give the same
    parameters as on the full data, in a fraction of the time when many customers
    share a history (all the customers who never came back, for instance).

    Parameters
    ----------
    frequency, recency, T : array_like or Series
        The columns of :func:`rfm_summary` (any finite numbers or NaN; the fit
        validates them).
    monetary_value : array_like or Series, optional
        Also compared when given.

    Returns
    -------
    DataFrame
        The distinct rows in ascending order, with float64 columns ``frequency``,
        ``recency``, ``T`` (and ``monetary_value``) and an int64 column ``weight``
        summing to the number of input rows, on a fresh RangeIndex. Rows holding NaN
        are kept (NaN equals NaN here), so that nothing is lost.

    Raises
    ------
    InvalidInputError
        A non-numeric argument, an infinite value (or one beyond float range), or
        arguments of different lengths.
    IndexMismatchError
        Two Series arguments with different indexes.

    See Also
    --------
    rfm_summary : the per-customer summary.
    salescore.models.bgnbd.fit_bgnbd : takes ``weights=``.

    Examples
    --------
    >>> from salescore.models.rfm import compress
    >>> compress([0, 2, 0, 2], [0.0, 5.0, 0.0, 5.0], [10.0, 10.0, 10.0, 10.0])
       frequency  recency     T  weight
    0        0.0      0.0  10.0       2
    1        2.0      5.0  10.0       2
    """
    arguments: dict[str, Any] = {"frequency": frequency, "recency": recency, "T": T}
    if monetary_value is not None:
        arguments["monetary_value"] = monetary_value
    values, _ = coerce(**arguments)
    for name, value in zip(arguments, values, strict=True):
        infinite = np.asarray(np.isinf(value))
        if infinite.any():
            where = "" if infinite.ndim == 0 else f" at {_positions(infinite)}"
            raise InvalidInputError(
                f"{name} must hold finite numbers (or NaN); it is infinite or beyond "
                f"float range{where}"
            )
    length = max((np.size(v) for v in values if isinstance(v, np.ndarray)), default=1)
    frame = pd.DataFrame(
        {
            name: np.broadcast_to(np.asarray(value, dtype=np.float64), (length,))
            for name, value in zip(arguments, values, strict=True)
        }
    )
    counts = frame.groupby(list(arguments), sort=True, dropna=False).size()
    out = counts.index.to_frame(index=False).astype(np.float64)
    out["weight"] = counts.to_numpy(dtype=np.int64)
    return out
