"""Amounts in one currency: converting a frame's or an array's money at dated rates.

:func:`convert` gives a table whose amounts are in several currencies (a CRM keeps a
currency per deal) in one currency, each row at the rate in force on its date, as
Salesforce's advanced currency management converts an opportunity at the rate of its
close date; :func:`convert_amounts` does the same for arrays and Series, following the
container contract. Both refuse, by name, a row for which the rates table has no rate:
a conversion is never made at a wrong rate, and no row is dropped.
"""

from __future__ import annotations

from typing import Any, Final, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from .._arrays import FloatArray, Numeric, check_range, coerce, coerce_timestamps
from .._tables import float_column, which
from ..errors import IndexMismatchError, InvalidInputError
from ..schema import check_columns
from . import _read
from ._read import ObjectArray, Stamps
from .rates import ExchangeRates

__all__ = ["convert", "convert_amounts"]

_FLOAT_RANGE: Final = "is beyond float range (about 1.8e308) once converted"


class _Names(NamedTuple):
    """How messages name the amounts, the currencies and the dates, and what they are in."""

    where: str  # "frame: " or ""
    value: str
    currency: str
    date: str
    noun: str  # "row" or "element"


def _rates(value: object) -> ExchangeRates:
    if isinstance(value, ExchangeRates):
        return value
    raise InvalidInputError(
        "rates must be an ExchangeRates table (ExchangeRates.from_frame, "
        f"ExchangeRates.from_salesforce or read_rates); got {type(value).__name__} {value!r:.60}"
    )


def _engine(
    amounts: FloatArray,
    raw: ObjectArray,
    when: Stamps,
    *,
    to: str,
    rates: ExchangeRates,
    ids: ObjectArray,
    names: _Names,
) -> FloatArray:
    """The amounts in ``to``; every row that cannot be converted is refused by its id."""
    codes, reasons = _read.codes(raw)
    need = np.flatnonzero((reasons == _read.OK) & (codes != to))
    source, source_why = rates._lookup(codes[need], when[need])
    target, target_why = rates._lookup(np.full(need.size, to, dtype=object), when[need])
    problems = _problems(
        codes, reasons, need, source_why, target_why, when, raw, rates, to, ids, names
    )
    if problems:
        head = f"{names.where}cannot convert {names.value!r} to {to}"
        if len(problems) == 1:
            raise InvalidInputError(f"{head}: {problems[0]}")
        listed = "\n".join(f"- {problem}" for problem in problems)
        raise InvalidInputError(f"{head}; {len(problems)} problems:\n{listed}")
    out = amounts.copy()
    # amount / rate(from) is the amount in the base; * rate(to) takes it to the target.
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        out[need] = amounts[need] / source * target
    beyond = np.isinf(out) & ~np.isinf(amounts)
    if beyond.any():
        raise InvalidInputError(
            f"{names.where}{names.value!r} {_FLOAT_RANGE} to {to}; "
            + which(ids, beyond, amounts.tolist(), noun=names.noun)
        )
    return out


def _problems(
    codes: ObjectArray,
    reasons: npt.NDArray[np.int8],
    need: npt.NDArray[np.intp],
    source_why: npt.NDArray[np.int8],
    target_why: npt.NDArray[np.int8],
    when: Stamps,
    raw: ObjectArray,
    rates: ExchangeRates,
    to: str,
    ids: ObjectArray,
    names: _Names,
) -> list[str]:
    """Why rows cannot be converted, one line per reason (and currency), rows named."""
    size = codes.size
    # Each row is reported once: its own currency first, then the target's rate.
    why = reasons.copy()
    side = np.zeros(size, dtype=bool)  # True: the target's rate is missing
    why[need] = source_why
    target_only = (source_why == _read.OK) & (target_why != _read.OK)
    why[need[target_only]] = target_why[target_only]
    side[need[target_only]] = True
    out = []
    dates = _read.days(when, why == _read.BEFORE_FIRST)

    def rows(mask: npt.NDArray[np.bool_], shown: list[Any] | None = None) -> str:
        return which(ids, mask, shown, noun=names.noun)

    missing = why == _read.MISSING_CURRENCY
    if missing.any():
        out.append(f"{names.currency!r} is missing; " + rows(missing))
    unknown = why == _read.NOT_A_CODE
    if unknown.any():
        out.append(
            f"{names.currency!r} is not an ISO 4217 code such as 'EUR'; " + rows(unknown, list(raw))
        )
    undated = why == _read.MISSING_DATE
    if undated.any():
        out.append(
            f"{names.date!r} is missing (NaT), and the rate depends on the date; "
            + rows(undated, list(codes))
        )
    own = ~side & ((why == _read.NO_RATES) | (why == _read.BEFORE_FIRST))
    groups = [(item, own & (codes == item)) for item in dict.fromkeys(codes[own])]
    groups.append((to, side))
    for item, group in groups:
        lacking = group & (why == _read.NO_RATES)
        if lacking.any():
            out.append(f"{rates._no_rates(item)}; " + rows(lacking))
        early = group & (why == _read.BEFORE_FIRST)
        if early.any():
            out.append(
                f"no {item} rate is in force on {names.date!r}, before {rates._first(item)}; "
                + rows(early, dates)
            )
    return out


def convert(
    frame: pd.DataFrame,
    *,
    to: str,
    rates: ExchangeRates,
    value: str = "value",
    currency: str = "currency",
    date: str = "close_date",
) -> pd.DataFrame:
    r"""A table's amounts in one currency, each row at the rate in force on its date.

    A CRM keeps a currency per deal; before amounts of several currencies are added
    up, each is converted at the rate of its own date (a deal's close date, a
    transaction's date), as Salesforce's advanced currency management converts an
    opportunity at the rate in force on its close date.

    Parameters
    ----------
    frame : DataFrame
        One row per amount: the amount, its currency and its date. Other columns are
        kept as they are.
    to : str, keyword-only
        The currency to convert to, an ISO 4217 code: the corporate currency of
        ``rates`` or one of its currencies (through a cross rate).
    rates : ExchangeRates, keyword-only
        The dated rates (:class:`~salescore.money.ExchangeRates`).
    value, currency, date : str, keyword-only
        The names of the amount column (numeric), the currency column (ISO 4217
        codes, any case) and the date column (datetime64: naive, meaning UTC, or
        time-zone aware, converted to UTC).

    Returns
    -------
    DataFrame
        A new frame, the same rows, index and columns in the same order, with
        ``value`` converted to ``to`` (float64) and ``currency`` set to ``to``. The
        input is not changed.

    Raises
    ------
    SchemaError
        ``frame`` is not a DataFrame, lacks a column, or a column has a dtype that
        cannot be read (amounts that are not numbers, dates that are text).
    InvalidInputError
        ``to`` is not an ISO 4217 code, ``rates`` is not an ``ExchangeRates``, a column
        option is not a string or two name one column; an amount is infinite, or is
        beyond float range once converted; or rows have no rate: a missing currency or
        one that is not an ISO 4217 code, a missing date where the currency is not
        ``to``, a currency (or ``to``) without rates, or a date before the first rate of
        the currency (or of ``to``). One error lists every reason, each with how many
        rows and the first few row labels.

    See Also
    --------
    convert_amounts : the same for arrays and Series.
    ExchangeRates.rate : the rate in force on a date.

    Notes
    -----
    With :math:`r_c(d)` the rate in force for currency :math:`c` on date :math:`d`
    (units of :math:`c` per one unit of the corporate currency; 1 for the corporate
    currency itself), an amount :math:`a` in currency :math:`c` on date :math:`d` is

    .. math::

        a_{\mathrm{to}} = \frac{a}{r_c(d)} \, r_{\mathrm{to}}(d),

    the amount in the corporate currency taken on to ``to``. A row already in ``to``
    is kept as it is and needs neither a rate nor a date. A NaN amount stays NaN, but
    its row still needs a rate (its currency and date are checked like any other), so
    that a table converts, or fails, the same whatever amounts are unknown. The date
    is compared with the rates' ``valid_from`` on the UTC calendar: a rate that
    starts on 1 April applies from 2026-04-01 00:00 UTC.

    References
    ----------
    Salesforce, *Object Reference: DatedConversionRate*,
    https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_datedconversionrate.htm

    Examples
    --------
    >>> import pandas as pd
    >>> from salescore.money import ExchangeRates, convert
    >>> rates = ExchangeRates(base="EUR", currencies=["SEK", "SEK"],
    ...                       valid_from=["2026-01-01", "2026-04-01"], rates=[11.5, 11.0])
    >>> deals = pd.DataFrame({
    ...     "deal_id": ["D1", "D2", "D3"],
    ...     "value": [115_000.0, 110_000.0, 8_000.0],
    ...     "currency": ["SEK", "SEK", "EUR"],
    ...     "close_date": pd.to_datetime(["2026-03-31", "2026-04-01", "2026-05-20"]),
    ... })
    >>> convert(deals, to="EUR", rates=rates)
      deal_id    value currency close_date
    0      D1  10000.0      EUR 2026-03-31
    1      D2  10000.0      EUR 2026-04-01
    2      D3   8000.0      EUR 2026-05-20
    >>> convert(deals.assign(close_date=pd.to_datetime(["2025-12-31", None, None])),
    ...         to="EUR", rates=rates)
    Traceback (most recent call last):
    ...
    salescore.errors.InvalidInputError: frame: cannot convert 'value' to EUR; 2 problems:
    - 'close_date' is missing (NaT), and the rate depends on the date; 1 row: 1 ('SEK')
    - no SEK rate is in force on 'close_date', before 2026-01-01; 1 row: 0 ('2025-12-31')
    """
    target = _read.code("to", to)
    table = _rates(rates)
    names = _Names(
        "frame: ",
        _read.column("value", value),
        _read.column("currency", currency),
        _read.column("date", date),
        "row",
    )
    columns = {"value": names.value, "currency": names.currency, "date": names.date}
    if len(set(columns.values())) < len(columns):
        raise InvalidInputError(
            f"value, currency and date must name three different columns; got {columns}"
        )
    check_columns(
        frame,
        "frame",
        columns,
        kinds={"value": "number", "currency": "currency", "date": "date"},
    )
    ids = frame.index.to_numpy(dtype=object)
    amounts = np.array(float_column(frame, names.value), dtype=np.float64)
    infinite = np.isinf(amounts)
    if infinite.any():
        raise InvalidInputError(
            f"frame: column {names.value!r} must hold finite amounts; "
            + which(ids, infinite, amounts.tolist(), noun="row")
        )
    raw = frame[names.currency].to_numpy(dtype=object)
    when = _read.nanoseconds(names.date, pd.DatetimeIndex(frame[names.date]))
    converted = _engine(amounts, raw, when, to=target, rates=table, ids=ids, names=names)
    out = frame.copy()
    out[names.value] = pd.Series(converted, index=frame.index, dtype=np.float64)
    out[names.currency] = pd.Series(target, index=frame.index, dtype=object)
    return out


def _codes_argument(value: object) -> tuple[ObjectArray, bool, pd.Index[Any] | None]:
    """``currencies`` as an object array, whether it was one code, and its Series index."""
    if isinstance(value, str):
        return np.array([value], dtype=object), True, None
    if isinstance(value, pd.Series):
        return value.to_numpy(dtype=object), False, value.index
    if isinstance(value, (list, tuple, np.ndarray)) and not isinstance(value, np.ma.MaskedArray):
        try:
            array = np.array(value, dtype=object)
        except ValueError:
            array = None
        if array is not None and array.ndim == 1:
            return array, False, None
    raise InvalidInputError(
        "currencies must be an ISO 4217 code, or a one-dimensional array, list or Series "
        f"of them; got {type(value).__name__} {value!r:.60}"
    )


def convert_amounts(
    amounts: Numeric,
    currencies: Any,
    dates: Any,
    *,
    to: str,
    rates: ExchangeRates,
) -> float | FloatArray | pd.Series[float]:
    r"""Amounts in one currency, each at the rate in force on its date.

    The formula-function form of :func:`convert`: the amounts, their currencies and
    their dates are given as scalars, arrays or Series.

    Parameters
    ----------
    amounts : float, array_like or Series
        The amounts, finite (NaN stays NaN).
    currencies : str, array_like or Series
        The currency of each amount (ISO 4217 codes, any case), or one code for all.
    dates : date, array_like or Series
        The date of each amount (datetime64, ``datetime.date``, ISO 8601 text; aware
        ones converted to UTC), or one date for all.
    to : str, keyword-only
        The currency to convert to.
    rates : ExchangeRates, keyword-only
        The dated rates.

    Returns
    -------
    float, ndarray or Series
        A ``float`` when all three are single values; otherwise a float64 ndarray, or
        a Series on the index of the Series arguments. Single values apply to every
        element of the others.

    Raises
    ------
    InvalidInputError
        As :func:`convert`, naming the elements (0-based positions, or Series labels);
        array arguments of different lengths.
    IndexMismatchError
        Two Series arguments with different indexes.

    See Also
    --------
    convert : the same for the columns of a table.

    Notes
    -----
    :math:`a_{\mathrm{to}} = a \, r_{\mathrm{to}}(d) / r_c(d)`, as in :func:`convert`.

    Examples
    --------
    >>> from salescore.money import ExchangeRates, convert_amounts
    >>> rates = ExchangeRates(base="EUR", currencies=["SEK", "USD"],
    ...                       valid_from=["2026-01-01", "2026-01-01"], rates=[11.5, 1.1])
    >>> convert_amounts(115_000.0, "SEK", "2026-02-01", to="EUR", rates=rates)
    10000.0
    >>> convert_amounts([115_000.0, 1_100.0], ["SEK", "USD"], "2026-02-01", to="USD", rates=rates)
    array([11000.,  1100.])
    """
    target = _read.code("to", to)
    table = _rates(rates)
    (values,), _ = coerce(amounts=amounts)
    check_range("amounts", values)
    raw, codes_single, codes_index = _codes_argument(currencies)
    dates_index = dates.index if isinstance(dates, pd.Series) else None
    stamps, dates_single = coerce_timestamps("dates", dates)
    when = _read.nanoseconds("dates", stamps)
    amounts_index = amounts.index if isinstance(amounts, pd.Series) else None
    sizes = {
        name: size
        for name, size, single in (
            ("amounts", np.size(values), isinstance(values, float)),
            ("currencies", raw.size, codes_single),
            ("dates", when.size, dates_single),
        )
        if not single
    }
    lengths = list(sizes.items())
    for name, length in lengths[1:]:
        if length != lengths[0][1]:
            raise InvalidInputError(
                f"{lengths[0][0]} has {lengths[0][1]} elements but {name} has {length}; "
                "array arguments must have equal lengths"
            )
    indexes = [
        (name, index)
        for name, index in (
            ("amounts", amounts_index),
            ("currencies", codes_index),
            ("dates", dates_index),
        )
        if index is not None
    ]
    for name, index in indexes[1:]:
        if not index.equals(indexes[0][1]):
            raise IndexMismatchError(
                f"{indexes[0][0]} and {name} are Series with different indexes; salescore "
                "never combines Series by position: align them first (for example with "
                "Series.reindex) so that each label means the same record in both"
            )
    size = next(iter(sizes.values()), 1)
    flat = np.broadcast_to(np.asarray(values, dtype=np.float64), (size,)).copy()
    raw = np.broadcast_to(raw, (size,)).copy() if codes_single else raw
    when = np.broadcast_to(when, (size,)).copy() if dates_single else when
    ids = indexes[0][1].to_numpy(dtype=object) if indexes else np.arange(size, dtype=object)
    names = _Names("", "amounts", "currencies", "dates", "element")
    converted = _engine(flat, raw, when, to=target, rates=table, ids=ids, names=names)
    if not sizes:
        return float(converted[0])
    if indexes:
        return pd.Series(converted, index=indexes[0][1], dtype=np.float64)
    return converted
