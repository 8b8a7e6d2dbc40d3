"""Sales productivity per period from the deals: won revenue per seller.

A table function over the canonical deals frame (``deal_id, value, currency,
close_date, status …``). Every column name is a keyword argument whose default is the
canonical name. Every period in the table's range gets a row, including periods
without wins; no deal is dropped silently, and bad values raise
:class:`~salescore.InvalidInputError` naming the deals or periods concerned (the first
few and how many).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import schema
from .._arrays import FloatArray, check_nonnegative, coerce, safe_divide
from .._tables import option_column, which
from ..engines import Table, engine_name
from ..errors import InvalidInputError
from ..fiscal import FiscalFrequency
from ..fiscal._freq import Frequency, bucket, label_ordinals, period_kind, period_ordinals
from ..money import ExchangeRates
from ..pipeline._deals import (
    _check_amounts,
    _check_chronology,
    _check_dated,
    _check_one_currency,
    _conversion,
    _deal_ids,
    _floats,
    _in_one_currency,
    _periods,
    _statuses,
    _which,
)
from ._periods import IntArray, ObjectArray, check_span, labels, period_index, period_labels
from .metrics import sales_productivity

__all__ = ["productivity_report"]


def _pandas_periods(index: pd.Index[Any], dtype: pd.PeriodDtype) -> tuple[IntArray, ObjectArray]:
    """Ordinals and labels of a headcount index of pandas periods or of timestamps."""
    if isinstance(index, pd.PeriodIndex):
        if index.dtype != dtype:
            raise InvalidInputError(
                f"headcount is indexed by {index.dtype} but the table is by {dtype}; give "
                "the headcount per period of freq"
            )
        periods = index
    elif isinstance(index, pd.DatetimeIndex):
        periods = pd.PeriodIndex(_periods(pd.Series(index), dtype))  # local calendar
    else:
        raise InvalidInputError(
            "headcount must be a number or a Series indexed by period (a PeriodIndex or "
            f"a DatetimeIndex); got a Series with a {type(index).__name__}"
        )
    names = labels(periods)
    if periods.hasnans:
        raise InvalidInputError(
            "headcount has a missing period in its index "
            f"({which(names, np.asarray(periods.isna(), dtype=bool))})"
        )
    return np.asarray(periods.asi8, dtype=np.int64), names


def _fiscal_periods(index: pd.Index[Any], freq: FiscalFrequency) -> tuple[IntArray, ObjectArray]:
    """Ordinals and labels of a headcount index of fiscal labels or of timestamps."""
    if isinstance(index, pd.DatetimeIndex):
        if index.hasnans:
            names = np.array([str(stamp) for stamp in index], dtype=object)
            raise InvalidInputError(
                "headcount has a missing period in its index "
                f"({which(names, np.asarray(index.isna(), dtype=bool))})"
            )
        return bucket(freq, index, name="headcount's index")
    if isinstance(index, pd.PeriodIndex) or not (
        index.dtype == object or pd.api.types.is_string_dtype(index.dtype)
    ):
        raise InvalidInputError(
            f"headcount must be indexed by fiscal {freq.kind}s, as labels (such as "
            "'FY2027 Q1') or a DatetimeIndex, since freq is fiscal; got a Series with a "
            f"{type(index).__name__} of {index.dtype}"
        )
    values = index.to_numpy(dtype=object)
    missing = np.asarray(pd.isna(values), dtype=bool)
    if missing.any():
        raise InvalidInputError(
            f"headcount has a missing period in its index ({which(values, missing)})"
        )
    return label_ordinals(freq, values, name="headcount's index"), values


def _headcount_series(headcount: pd.Series[Any], dtype: Frequency) -> tuple[IntArray, FloatArray]:
    """Period ordinals (sorted) and headcounts of a Series indexed by period."""
    index = headcount.index
    if isinstance(dtype, FiscalFrequency):
        raw, names = _fiscal_periods(index, dtype)
    else:
        raw, names = _pandas_periods(index, dtype)
    repeated = pd.Index(raw).duplicated(keep=False)
    if repeated.any():
        raise InvalidInputError(
            f"headcount has more than one entry for a period: "
            f"{which(names, repeated, noun='index label')}"
        )
    (raw_values,), _ = coerce(headcount=headcount)
    values = np.asarray(raw_values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        bad = np.isinf(values) | (values < 0.0)
    if bad.any():
        raise InvalidInputError(
            "headcount must be a finite number >= 0; not so for "
            f"{which(names, bad, values.tolist(), noun='period')}"
        )
    ordinals = np.asarray(raw, dtype=np.int64)
    order = np.argsort(ordinals, kind="stable")
    ordinals, values = ordinals[order], values[order]
    if ordinals.size:
        check_span(int(ordinals[-1] - ordinals[0]) + 1, str(dtype))
        expected = np.arange(ordinals[0], ordinals[-1] + 1)
        absent = np.setdiff1d(expected, ordinals)
        if absent.size:
            gaps = period_labels(absent, dtype)
            raise InvalidInputError(
                "headcount has no entry for "
                f"{which(gaps, np.ones(absent.size, dtype=bool), noun='period')} "
                "between its first and last; give every period (NaN where the headcount "
                "is not known)"
            )
    return ordinals, values


def productivity_report(
    deals: Table,
    headcount: float | pd.Series[Any],
    *,
    freq: str | FiscalFrequency = "M",
    value: str = "value",
    status: str = "status",
    close_date: str = "close_date",
    created: str | None = "created",
    currency: str | None = "currency",
    deal_id: str | None = "deal_id",
    rates: ExchangeRates | None = None,
    to: str | None = None,
) -> pd.DataFrame:
    r"""Won revenue per seller, period by period, with the change from the period before.

    The sales productivity of Nutshell's article on the sales metrics a sales manager
    should track, compared month over month (or week, quarter, year): the value of the
    deals won in each period, by close date, divided by the number of sellers in that
    period. Every period in range gets a row; a period without wins has revenue 0.

    Parameters
    ----------
    deals : DataFrame or engine frame
        Canonical deals table, one row per deal; only won deals count. A Polars
        (eager or lazy), DuckDB, Dask or PySpark frame is checked and reduced in its
        engine to one row per period with wins (see :doc:`/guides/scale`); the
        report is the pandas path's, except that an engine adds a period's values in
        an order of its own, so that revenue and productivity may differ from
        pandas' in the last bits of a float.
    headcount : float or Series
        Sellers in full-time equivalents, >= 0: one number for every period, or a
        Series of numbers indexed by period — a PeriodIndex of frequency ``freq``
        (with fiscal periods, an Index of their labels such as ``"FY2027 Q1"``), or a
        DatetimeIndex whose timestamps each fall in a different period. A Series
        must give every period from its first to its last (NaN where the headcount
        is not known) and cover every period with a won deal; its periods are the
        rows of the table. With one number, the rows run from the first period with
        a win to the last.
    freq : str or FiscalFrequency, keyword-only, default "M"
        A pandas period alias ("W", "M", "Q", "Y" …) for the periods of the close
        dates, or fiscal periods (:class:`~salescore.fiscal.FiscalFrequency`, such as
        ``FiscalCalendar.from_start_month(4).freq("quarter")``), labelled
        ``"FY2027 Q1"``. The periods of a 4-4-5 calendar differ in length (4 or 5
        weeks): productivity is per period, as it is per month of 28 to 31 days.
    value, status, close_date : str, keyword-only
        Column names: amount (numeric, >= 0), status ('open', 'won' or 'lost', any
        case) and close date (datetime64, or an engine's datetimes or dates; a
        time-zone-aware column is split by its local calendar).
    created : str or None, keyword-only, default "created"
        Column with each deal's creation time; when the table has it, a won deal
        closed before the date it was created is an error. ``None`` skips the check.
        An aware ``created`` beside a naive ``close_date`` (or the reverse) is read in
        UTC (:data:`salescore.schema.TIMESTAMPS`).
    currency : str or None, keyword-only, default "currency"
        Column with each deal's currency (ISO 4217 codes); the won deals must share
        one unless ``rates`` and ``to`` are given. ``None`` when there is none to
        check (and no conversion).
    deal_id : str or None, keyword-only, default "deal_id"
        Column naming each deal in error messages; ``None`` uses the index.
    rates : ExchangeRates or None, keyword-only, default None
        Dated exchange rates (:class:`salescore.money.ExchangeRates`). Given with
        ``to``, each won deal's value is converted to ``to`` at the rate in force on
        its close date before anything is checked or summed, so that wins in several
        currencies add up. Without them, wins in several currencies are refused.
    to : str or None, keyword-only, default None
        The currency of the revenue, an ISO 4217 code (the corporate currency of
        ``rates``, or another of its currencies); given with ``rates`` or not at all.

    Returns
    -------
    DataFrame
        Indexed by ``period`` (a PeriodIndex, or the fiscal labels (str) with a
        ``FiscalFrequency``; in time order, without gaps), with
        columns ``won`` (int64, the number of deals won), ``revenue`` (their total
        value), ``headcount``, ``productivity`` (revenue ÷ headcount; NaN where the
        headcount is 0) and ``change`` (the relative change of productivity from the
        period before; NaN for the first period and after a period with productivity
        0 or NaN), all float64 but ``won``. A won deal with a missing value makes its
        period's revenue NaN. With ``rates`` and ``to``, revenue and productivity are
        in ``to``.

    Raises
    ------
    SchemaError
        A named column is missing, ``value`` is not numeric, or ``close_date`` (or
        ``created``, when the table has it) does not hold datetimes.
    InvalidInputError
        An unknown status; on a won deal, a negative or infinite value, no close
        date, or a close date before its creation date; won deals in more than one
        currency without ``rates`` and ``to``; one of ``rates`` and ``to`` without the
        other, ``to`` not an ISO 4217 code, ``rates`` not an ``ExchangeRates``, or
        ``currency`` None beside them; a won deal without a rate on its close date,
        as :func:`salescore.money.convert` refuses it; a negative or infinite
        headcount; a headcount Series with another index, periods of another
        frequency, a period given twice or a gap, or without an entry for a period
        with a won deal; an unknown ``freq``.
        A column option that is not a column name; a period's won revenue beyond
        float range (about 1.8e308); more than 100,000 periods (a freq too fine for
        the dates). Each message names the deals or periods concerned (on an engine
        frame, the first few rows with their ``deal_id``). On an engine frame:
        ``rates`` and ``to`` (convert the values to one currency in the engine
        first), fiscal periods, a ``freq`` other than D, W, M, Q or Y, and an aware
        ``close_date`` and ``created`` in different time zones.

    See Also
    --------
    sales_productivity : the same ratio for numbers you already have.
    sales_roi : revenue set against what the sales team costs.
    salescore.money.convert : a table's amounts in one currency.

    Notes
    -----
    With :math:`W_t` the deals won in period :math:`t`, :math:`v_i` their values and
    :math:`n_t` the headcount:

    .. math::

        R_t = \sum_{i \in W_t} v_i, \qquad P_t = \frac{R_t}{n_t}, \qquad
        \Delta_t = \frac{P_t - P_{t-1}}{P_{t-1}} .

    The revenues add up to the value of all won deals. With ``rates`` and ``to``,
    :math:`v_i` is deal :math:`i`'s value in ``to`` at the rate in force on its close
    date (:func:`salescore.money.convert`), as Salesforce converts an opportunity at
    the dated rate of its close date.

    References
    ----------
    .. [1] Nutshell, article on the sales metrics a sales manager should track
       (Norwegian edition): sales productivity is total revenue divided by the number of
       sales staff, compared month over month, by quarter and by year. See Sources in
       the documentation.

    Examples
    --------
    >>> import pandas as pd
    >>> from salescore.team import productivity_report
    >>> deals = pd.DataFrame({
    ...     "deal_id": ["D1", "D2", "D3", "D4", "D5"],
    ...     "value": [40_000.0, 20_000.0, 30_000.0, 50_000.0, 90_000.0],
    ...     "currency": "EUR",
    ...     "status": ["won", "won", "lost", "won", "won"],
    ...     "close_date": pd.to_datetime(
    ...         ["2024-01-10", "2024-01-25", "2024-02-05", "2024-03-12", "2024-03-30"]
    ...     ),
    ... })
    >>> productivity_report(deals, 4)
             won   revenue  headcount  productivity  change
    period
    2024-01    2   60000.0        4.0       15000.0     NaN
    2024-02    0       0.0        4.0           0.0    -1.0
    2024-03    2  140000.0        4.0       35000.0     NaN

    February's productivity fell to nothing, a change of −1; March's change is NaN,
    since no relative change follows a month of 0.

    With a fifth seller from March:

    >>> sellers = pd.Series([4, 4, 5], index=pd.period_range("2024-01", periods=3, freq="M"))
    >>> productivity_report(deals, sellers)["productivity"].tolist()
    [15000.0, 0.0, 28000.0]

    A win in a month the headcount does not cover is refused:

    >>> productivity_report(deals, sellers.iloc[:2])
    Traceback (most recent call last):
    ...
    salescore.errors.InvalidInputError: headcount has no entry for 1 period: '2024-03', in
    which deals were won (2 deals: 'D4', 'D5'); give the headcount of every period with a win

    By the quarters of a fiscal year starting in April, a win on 31 March and one on
    1 April fall in different fiscal years:

    >>> from salescore.fiscal import FiscalCalendar
    >>> quarters = FiscalCalendar.from_start_month(4).freq("quarter")
    >>> wins = pd.DataFrame({
    ...     "deal_id": ["W1", "W2"], "value": [10_000.0, 30_000.0], "currency": "EUR",
    ...     "status": "won",
    ...     "close_date": pd.to_datetime(["2026-03-31", "2026-04-01"]),
    ... })
    >>> productivity_report(wins, 2, freq=quarters)[["won", "revenue", "productivity"]]
               won  revenue  productivity
    period
    FY2026 Q4    1  10000.0        5000.0
    FY2027 Q1    1  30000.0       15000.0
    """
    period_dtype = period_kind(freq)
    for name, column in (("value", value), ("status", status), ("close_date", close_date)):
        option_column(name, column)
    for name, optional in (("created", created), ("currency", currency), ("deal_id", deal_id)):
        option_column(name, optional, optional=True)
    read: dict[str, str | None] = {"status": status, "value": value, "close_date": close_date}
    read |= {"currency": currency, "deal_id": deal_id}
    conversion = _conversion(rates, to, currency)
    engine = engine_name(deals)
    if engine is not None:
        return _engine_report(deals, engine, headcount, freq, conversion is not None, read, created)
    schema.check_columns(deals, "deals", read)

    ids = _deal_ids(deals, deal_id)
    won = _statuses(deals, status, ids) == "won"
    values = _floats(deals, value)
    _check_amounts(value, values, ids, won)
    if conversion is not None and currency is not None:
        columns = (value, currency, close_date)
        deals, values = _in_one_currency(deals, values, ids, won, conversion, columns)
    if currency is not None:
        _check_one_currency(deals, currency, ids, won)
    _check_dated(deals, close_date, ids, won, "won deals")
    deals = _check_chronology(deals, created, close_date, ids, won)
    won_ordinals = period_ordinals(
        period_dtype, deals.loc[won, close_date], name=close_date, ids=ids[won]
    )

    def refuse(known: npt.NDArray[np.bool_]) -> None:
        _refuse_uncovered(won_ordinals, known, ids[won], period_dtype)

    first, span, per_period = _periods_of(won_ordinals, headcount, freq, refuse)
    offsets = won_ordinals - first
    wins = np.bincount(offsets, minlength=span).astype(np.int64)
    revenue = np.bincount(offsets, weights=values[won], minlength=span).astype(np.float64)
    return _report(first, span, wins, revenue, per_period, period_dtype)


def _periods_of(
    won_ordinals: IntArray,
    headcount: float | pd.Series[Any],
    freq: str | FiscalFrequency,
    refuse: Callable[[npt.NDArray[np.bool_]], None],
) -> tuple[int, int, FloatArray | float]:
    """The first period and number of periods of the report, and the headcount of each.

    ``won_ordinals`` are the periods of the won deals (each deal's, or each period's
    with wins); ``refuse`` names the deals of periods the headcount does not cover.
    """
    period_dtype = period_kind(freq)
    if isinstance(headcount, pd.Series):
        ordinals, sellers = _headcount_series(headcount, period_dtype)
        known = np.isin(won_ordinals, ordinals)
        if not known.all():
            refuse(known)
        first = int(ordinals[0]) if ordinals.size else 0
        return first, ordinals.size, sellers
    (constant,), _ = coerce(headcount=headcount)
    if not isinstance(constant, float):
        raise InvalidInputError(
            "headcount must be a number or a Series indexed by period; got an array, "
            "whose values do not say which period they belong to"
        )
    check_nonnegative("headcount", constant)
    first = int(won_ordinals.min()) if won_ordinals.size else 0
    span = int(won_ordinals.max()) - first + 1 if won_ordinals.size else 0
    check_span(span, freq)
    return first, span, constant


def _report(
    first: int,
    span: int,
    wins: IntArray,
    revenue: FloatArray,
    per_period: FloatArray | float,
    period_dtype: Frequency,
) -> pd.DataFrame:
    """The report from the wins and revenue of each period from ``first`` on."""
    beyond = np.isinf(revenue)  # the values are finite: a period's sum overflowed
    if beyond.any():
        listed = which(period_labels(np.flatnonzero(beyond) + first, period_dtype), beyond[beyond])
        raise InvalidInputError(
            f"the won revenue of {listed} is beyond float range (about 1.8e308); "
            "rescale the values, for example to thousands"
        )
    staff = np.broadcast_to(np.asarray(per_period, dtype=np.float64), (span,)).copy()
    productivity = np.asarray(sales_productivity(revenue, staff), dtype=np.float64)
    change = np.full(span, np.nan)
    if span > 1:
        previous = productivity[:-1]
        change[1:] = safe_divide(productivity[1:] - previous, previous)
    index = period_index(first, span, period_dtype)
    return pd.DataFrame(
        {
            "won": wins,
            "revenue": revenue,
            "headcount": staff,
            "productivity": productivity,
            "change": change,
        },
        index=index,
    )


def _engine_report(
    deals: Table,
    engine: str,
    headcount: float | pd.Series[Any],
    freq: str | FiscalFrequency,
    converting: bool,
    read: dict[str, str | None],
    created: str | None,
) -> pd.DataFrame:
    """The report of an engine's deals, summed per period in the engine."""
    if converting:
        raise InvalidInputError(
            "rates and to: on an engine frame each deal cannot be converted at the rate "
            "of its close date; convert the values to one currency in the engine first "
            "(and pass neither), or summarise a pandas DataFrame"
        )
    from ._productivity_engine import uncovered_rows, won_sums

    found = won_sums(
        deals,
        engine,
        freq=freq,
        value=str(read["value"]),
        status=str(read["status"]),
        close_date=str(read["close_date"]),
        created=created,
        currency=read["currency"],
        deal_id=read["deal_id"],
    )
    period_dtype = period_kind(freq)

    def refuse(known: npt.NDArray[np.bool_]) -> None:
        missing = found.ordinals[~known]
        listed = which(
            period_labels(missing, period_dtype), np.ones(missing.size, dtype=bool), noun="period"
        )
        where = uncovered_rows(found, missing, int(found.wins[~known].sum()))
        raise InvalidInputError(
            f"headcount has no entry for {listed}, in which deals were won "
            f"({where}); give the headcount of every period with a win"
        )

    first, span, per_period = _periods_of(found.ordinals, headcount, freq, refuse)
    wins = np.zeros(span, dtype=np.int64)
    revenue = np.zeros(span, dtype=np.float64)
    wins[found.ordinals - first] = found.wins
    revenue[found.ordinals - first] = found.revenue
    return _report(first, span, wins, revenue, per_period, period_dtype)


def _refuse_uncovered(
    won_ordinals: IntArray,
    known: npt.NDArray[np.bool_],
    won_ids: ObjectArray,
    dtype: Frequency,
) -> None:
    missing = np.unique(won_ordinals[~known])
    listed = which(period_labels(missing, dtype), np.ones(missing.size, dtype=bool), noun="period")
    raise InvalidInputError(
        f"headcount has no entry for {listed}, in which deals were won "
        f"({_which(won_ids, ~known)}); give the headcount of every period with a win"
    )
