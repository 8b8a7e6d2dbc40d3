"""What a rates table and a conversion are given, read and checked: codes, dates, rows.

The private half of :mod:`salescore.money`. It reads currency codes (one, or a column of
them), dates on the UTC clock as nanoseconds, the fields of an
:class:`~salescore.money.ExchangeRates`, and checks the rows of a rates table all at
once, so that a table is fixed in one go, with the rows named as the caller knows them
(frame labels, file lines, record positions). Nothing here converts money:
:mod:`.rates` holds the table and :mod:`.conversion` the conversion; :mod:`._sources`
reads rates files and Salesforce records.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from .._arrays import FloatArray, coerce, coerce_timestamps, utc_naive
from .._tables import SHOWN, option_column, which
from ..errors import InvalidInputError
from ..schema.vocabularies import CURRENCIES, WITHDRAWN_CURRENCIES

__all__ = [
    "BEFORE_FIRST",
    "KNOWN",
    "MISSING_CURRENCY",
    "MISSING_DATE",
    "NAT",
    "NOT_A_CODE",
    "NO_RATES",
    "OK",
    "ObjectArray",
    "Stamps",
    "check_rows",
    "code",
    "codes",
    "column",
    "currencies_field",
    "day",
    "days",
    "nanoseconds",
    "rates_field",
    "valid_from_field",
]

ObjectArray = npt.NDArray[np.object_]
#: Timestamps as int64 nanoseconds since 1970 on the UTC clock, NaT as :data:`NAT`.
Stamps = npt.NDArray[np.int64]

#: The ISO 4217 codes a rates table and a conversion accept: those in use and those
#: withdrawn since 1999, which old deals in a CRM may still carry.
KNOWN: Final = CURRENCIES | WITHDRAWN_CURRENCIES

#: NaT as an int64 count of nanoseconds.
NAT: Final = np.iinfo(np.int64).min
_DAY: Final = 86_400 * 10**9

# Why a row has no rate: the codes the lookup and the row checks give.
OK: Final = 0
MISSING_CURRENCY: Final = 1  # the currency is missing
NOT_A_CODE: Final = 2  # the currency is not an ISO 4217 code
NO_RATES: Final = 3  # the table has no rate of the currency
MISSING_DATE: Final = 4  # the date is missing and the rate depends on it
BEFORE_FIRST: Final = 5  # the date is before the currency's first valid_from


def code(name: str, value: object) -> str:
    """One ISO 4217 code given as an option (``base``, ``to``): upper-cased, or refused."""
    if isinstance(value, str) and value.upper() in KNOWN:
        return str(value.upper())
    raise InvalidInputError(
        f"{name} must be an ISO 4217 currency code, three letters such as 'EUR' or "
        f"'SEK'; got {type(value).__name__} {value!r:.60}"
    )


def codes(values: ObjectArray) -> tuple[ObjectArray, npt.NDArray[np.int8]]:
    """A column of currency codes, upper-cased, and why each row has none (or OK).

    Missing values (None, NaN, ``pd.NA``) give :data:`MISSING_CURRENCY`; anything that
    is not the text of a known ISO 4217 code gives :data:`NOT_A_CODE`. Each distinct
    value is looked at once, so that a long column costs one pass.
    """
    try:
        keys, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # an unhashable value (a list) among them
        raise InvalidInputError(
            "currency codes must be text such as 'EUR'; got a list, dict or set among them"
        ) from None
    read = [
        item.upper() if isinstance(item, str) and item.upper() in KNOWN else None
        for item in uniques
    ]
    table = np.array([*read, None], dtype=object)  # the last entry: a missing value
    out: ObjectArray = table[keys]
    reasons = np.full(keys.shape, OK, dtype=np.int8)
    unknown = np.array([item is None for item in read] + [False], dtype=bool)
    reasons[unknown[keys]] = NOT_A_CODE
    reasons[keys == -1] = MISSING_CURRENCY
    return out, reasons


def nanoseconds(name: str, stamps: pd.DatetimeIndex) -> Stamps:
    """Timestamps as int64 nanoseconds on the UTC clock (aware ones converted to UTC).

    The timestamps are compared with the dates of a rates table, which are naive and
    mean UTC: by the timestamp convention an aware timestamp beside them is converted
    to UTC and its zone dropped. A date that ``datetime64[ns]`` cannot hold is refused.
    """
    try:
        naive = utc_naive(stamps).as_unit("ns")
    except (ValueError, OverflowError):
        raise InvalidInputError(
            f"{name} holds a date outside the range of datetime64[ns] (1677-09-22 to 2262-04-11)"
        ) from None
    values: Stamps = naive.asi8.copy()
    return values


def day(stamp: int) -> str:
    """An int64 timestamp as an ISO date (or date and time) for a message."""
    if stamp == NAT:
        return "NaT"
    moment = pd.Timestamp(stamp)
    return str(moment.date()) if stamp % _DAY == 0 else moment.isoformat()


def days(stamps: Stamps, mask: npt.NDArray[np.bool_]) -> list[str | None]:
    """The dates :func:`~salescore._tables.which` shows for the rows of ``mask``, by position.

    Only the first rows a message names are formatted, so that a refusal of a long
    table costs no pass of Python over every row.
    """
    out: list[str | None] = [None] * stamps.size
    for position in np.flatnonzero(mask)[:SHOWN]:
        out[position] = day(int(stamps[position]))
    return out


def column(option: str, value: object) -> str:
    """A keyword option naming a column (:func:`~salescore._tables.option_column`)."""
    return cast(str, option_column(option, value))


def check_rows(
    base: str,
    raw: ObjectArray,
    starts: Stamps,
    rates: npt.NDArray[np.float64],
    *,
    ids: ObjectArray,
    noun: str,
    columns: tuple[str, str, str],
    where: str,
) -> ObjectArray:
    """Check the rows of a rates table; return the codes upper-cased.

    Every problem is listed in one :class:`InvalidInputError`, each with the rows it
    concerns by ``ids`` (frame labels, file lines, positions): a code that is missing
    or not ISO 4217, a missing valid_from or one with a time of day, a rate that is not
    a finite number > 0, a (currency, valid_from) pair given twice, and a rate of
    ``base`` other than 1. ``columns`` names the three parts in the messages, ``where``
    starts them (``"frame: "``).
    """
    read, reasons = codes(raw)
    currency, valid_from, rate = columns
    problems = []
    bad = reasons != OK
    if bad.any():
        problems.append(
            f"{currency!r} must hold ISO 4217 currency codes such as 'EUR'; "
            + which(ids, bad, list(raw), noun=noun)
        )
    missing = starts == NAT
    if missing.any():
        problems.append(f"{valid_from!r} must hold a date; " + which(ids, missing, noun=noun))
    timed = ~missing & (starts % _DAY != 0)
    if timed.any():
        shown = days(starts, timed)
        problems.append(
            f"{valid_from!r} must hold dates without a time of day (a rate is in force "
            "from the start of its day, on the UTC calendar); "
            + which(ids, timed, shown, noun=noun)
        )
    with np.errstate(invalid="ignore"):
        wrong = ~(np.isfinite(rates) & (rates > 0.0))
    if wrong.any():
        problems.append(
            f"{rate!r} must be a finite number > 0 (units of the currency per 1 {base}); "
            + which(ids, wrong, rates.tolist(), noun=noun)
        )
    usable = ~bad & ~missing
    keys = pd.DataFrame({"code": read[usable], "start": starts[usable]})
    repeated = np.zeros(len(raw), dtype=bool)
    repeated[usable] = keys.duplicated(keep=False).to_numpy(dtype=bool)
    if repeated.any():
        pairs = [f"{item} {day(int(stamp))}" for item, stamp in zip(read, starts, strict=True)]
        problems.append(
            f"each ({currency}, {valid_from}) pair must appear once; "
            + which(ids, repeated, pairs, noun=noun)
        )
    not_one = (read == base) & ~wrong & (rates != 1.0)
    if not_one.any():
        problems.append(
            f"the rate of the base currency {base} must be 1 (rates are units of a "
            f"currency per 1 {base}); " + which(ids, not_one, rates.tolist(), noun=noun)
        )
    if len(problems) == 1:
        raise InvalidInputError(f"{where}{problems[0]}")
    if problems:
        listed = "\n".join(f"- {problem}" for problem in problems)
        raise InvalidInputError(f"{where}{len(problems)} problems:\n{listed}")
    return read


# ------------------------------------------------------------------ record fields


def _flat(name: str, value: object, what: str) -> None:
    """Refuse a value that is not a one-dimensional sequence (one element per rate)."""
    if isinstance(value, (str, bytes, Mapping, set, frozenset)) or not isinstance(
        value, (list, tuple, np.ndarray, pd.Series, pd.Index)
    ):
        raise InvalidInputError(
            f"{name} must be a one-dimensional sequence of {what}, one per rate; got "
            f"{type(value).__name__} {value!r:.60}"
        )
    try:
        dimensions = np.ndim(value)
    except ValueError:  # a ragged sequence
        dimensions = -1
    if dimensions != 1:
        raise InvalidInputError(
            f"{name} must be one-dimensional, one {what[:-1]} per rate; got "
            f"{type(value).__name__} {value!r:.60}"
        )


def currencies_field(value: object) -> ObjectArray:
    """The currencies as a read-only object array, text upper-cased (checked with the rest)."""
    _flat("currencies", value, "codes")
    if isinstance(value, (pd.Series, pd.Index)):
        array = value.to_numpy(dtype=object)
    else:
        try:
            array = np.array(value, dtype=object)
        except ValueError:  # a ragged sequence
            raise InvalidInputError(
                f"currencies must be a flat sequence of codes; got {value!r:.60}"
            ) from None
    if array.ndim != 1:
        raise InvalidInputError(f"currencies must be one-dimensional; got shape {array.shape}")
    out = np.array(
        [item.upper() if isinstance(item, str) else item for item in array], dtype=object
    ).reshape(array.shape)
    out.flags.writeable = False
    return out


def valid_from_field(value: object) -> npt.NDArray[np.datetime64]:
    """The dates as a read-only naive datetime64[ns] array (checked with the rest)."""
    _flat("valid_from", value, "dates")
    stamps, _ = coerce_timestamps("valid_from", value)
    out = nanoseconds("valid_from", stamps).view("datetime64[ns]")
    out.flags.writeable = False
    return out


def rates_field(value: object) -> FloatArray:
    """The rates as a read-only float64 array (checked with the rest)."""
    _flat("rates", value, "numbers")
    (array,), _ = coerce(rates=value)
    out = np.array(array, dtype=np.float64).reshape(-1)
    out.flags.writeable = False
    return out
