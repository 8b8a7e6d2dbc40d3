"""Checks and helpers shared by the table functions over the canonical deals frame."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.errors import OutOfBoundsDatetime, OutOfBoundsTimedelta

from .._arrays import FloatArray
from .._tables import PERIOD as _PERIOD
from .._tables import TOTAL as _TOTAL
from .._tables import align_columns, float_column, row_ids, which
from .._tables import group_columns as _group_columns
from .._tables import group_sums as _group_sums
from .._tables import period_dtype as _period_dtype
from .._tables import periods as _periods
from .._tables import positional_keys as _keys
from ..errors import InvalidInputError, SchemaError
from ..money import ExchangeRates, convert
from . import _categories

# The grouping and period helpers now live in _tables; these names stay for the
# pipeline modules that import them from here.
__all__ = [
    "_PERIOD",
    "_TOTAL",
    "_group_columns",
    "_group_sums",
    "_keys",
    "_period_dtype",
    "_periods",
]


ObjectArray = npt.NDArray[np.object_]
BoolArray = npt.NDArray[np.bool_]

_PERCENT_HINT: Final = "values above 1 look like percentages: divide by 100"

_DAY: Final = pd.Timedelta(days=1)
#: The longest span a nanosecond timedelta holds, in days (about 292 years).
_LONGEST_DAYS: Final = pd.Timedelta.max / _DAY
#: How a span too long for nanoseconds is reported.
TOO_FAR: Final = (
    "more than 292 years apart, beyond what a nanosecond duration (the precision of "
    "datetime64[ns]) can measure"
)

_Stamps = pd.Series | pd.DatetimeIndex | pd.Timestamp


def _seconds(values: _Stamps, size: int) -> FloatArray:
    """Seconds since the epoch as floats, UTC, NaN for NaT: for comparing far dates."""
    index = pd.DatetimeIndex([values] if isinstance(values, pd.Timestamp) else values)
    if index.tz is not None:
        index = index.tz_convert("UTC").tz_localize(None)
    stamps = index.to_numpy()
    seconds = stamps.astype("datetime64[s]").astype(np.int64).astype(np.float64)
    seconds[np.isnat(stamps)] = np.nan
    return np.broadcast_to(seconds, (size,))


def elapsed_days(later: _Stamps, earlier: _Stamps) -> tuple[FloatArray, BoolArray | None]:
    """``(later - earlier) / 1 day`` as float64 (NaN for NaT), element by element.

    Returns the days and None; or, when pandas cannot subtract because some pairs lie
    more than 292 years apart (a nanosecond duration overflows, as between 1677-09-22
    and 2024), an empty array and the mask of those pairs, for the caller to name.
    """
    try:
        delta: Any = later - earlier
        days = np.asarray(
            pd.Series(delta / _DAY).to_numpy(dtype=np.float64, na_value=np.nan),
            dtype=np.float64,
        )
        return days, None
    except (OverflowError, OutOfBoundsDatetime, OutOfBoundsTimedelta):
        size = max(
            1 if isinstance(later, pd.Timestamp) else len(later),
            1 if isinstance(earlier, pd.Timestamp) else len(earlier),
        )
        span = (_seconds(later, size) - _seconds(earlier, size)) / 86_400.0
        far = np.abs(span) > _LONGEST_DAYS
        if not far.any():  # cannot tell which: name them all
            far = np.ones(size, dtype=bool)
        return np.empty(0), far


# ------------------------------------------------------------------ shared checks


def _deal_ids(deals: pd.DataFrame, deal_id: str | None) -> ObjectArray:
    """Each row's deal id as a Python object (the index label when ``deal_id`` is None)."""
    return row_ids(deals, deal_id)


def _floats(deals: pd.DataFrame, column: str) -> FloatArray:
    return np.asarray(float_column(deals, column), dtype=np.float64)


def _which(ids: ObjectArray, mask: BoolArray, shown: Sequence[object] | None = None) -> str:
    """How many deals are flagged, and the first few: ``2 deals: 'D3' (-5.0), 'D7' (inf)``."""
    return which(ids, mask, shown, noun="deal")


def _statuses(deals: pd.DataFrame, column: str, ids: ObjectArray) -> ObjectArray:
    """Canonical statuses through :func:`_categories.status`; anything else is an error."""
    raw = pd.Series(deals[column].to_numpy(dtype=object), dtype=object)
    lookup: dict[Any, str] = {}
    for value in pd.unique(raw[raw.notna()]):
        with contextlib.suppress(InvalidInputError):  # reported below, naming the deals
            lookup[value] = _categories.status(value)
    canonical = raw.map(lookup)
    bad = canonical.isna().to_numpy()
    if bad.any():
        raise InvalidInputError(
            f"{column} must be one of 'open', 'won', 'lost'; "
            f"not so for {_which(ids, bad, raw.tolist())}"
        )
    return canonical.to_numpy(dtype=object)


def _sums(parts: pd.DataFrame, keys: list[pd.Series[Any]]) -> tuple[pd.DataFrame, pd.Series[int]]:
    """Group sums (see :func:`~salescore._tables.group_sums`), refusing any beyond float range.

    The amounts are finite (checked before), so an infinite sum is a finite total too
    large for a float (two deals of 1e308): an error naming the groups, not ``inf``.
    """
    with np.errstate(all="ignore"):
        sums, sizes = _group_sums(parts, keys)
    infinite = np.isinf(sums.to_numpy(dtype=np.float64, na_value=np.nan))
    if infinite.any():
        rows, columns = np.nonzero(infinite)
        groups = list(dict.fromkeys(sums.index.take(rows).tolist()))
        shown = ", ".join(repr(group) for group in groups[:5]) + (", …" if len(groups) > 5 else "")
        figures = ", ".join(dict.fromkeys(str(sums.columns[int(c)]) for c in columns))
        raise InvalidInputError(
            f"{figures} of {len(groups)} group{'s' if len(groups) > 1 else ''} ({shown}) "
            "exceeds the largest float (1.798e+308); express the values in a larger unit "
            "(thousands, millions)"
        )
    return sums, sizes


def _check_amounts(column: str, values: FloatArray, ids: ObjectArray, used: BoolArray) -> None:
    bad = used & (np.isinf(values) | (values < 0.0))  # NaN passes: it propagates
    if bad.any():
        raise InvalidInputError(
            f"{column} must be a finite number >= 0; not so for {_which(ids, bad, values.tolist())}"
        )


def _check_probabilities(
    column: str, values: FloatArray, ids: ObjectArray, used: BoolArray
) -> None:
    with np.errstate(invalid="ignore"):
        bad = used & ~np.isnan(values) & ~((values >= 0.0) & (values <= 1.0))
    if bad.any():
        above = values[bad]
        hint = f"; {_PERCENT_HINT}" if np.any((above > 1.0) & (above <= 100.0)) else ""
        raise InvalidInputError(
            f"{column} must be a fraction in [0, 1]; "
            f"not so for {_which(ids, bad, values.tolist())}{hint}"
        )


def _check_one_currency(
    deals: pd.DataFrame, column: str, ids: ObjectArray, used: BoolArray
) -> None:
    """Money is one currency per call: name the currencies and some deals of each."""
    codes, currencies = pd.factorize(deals[column].to_numpy(dtype=object), use_na_sentinel=False)
    present = np.unique(codes[used])
    if present.size <= 1:
        return
    parts = []
    for code in present:
        label = currencies[code]
        name = "missing" if pd.isna(label) else repr(label)
        parts.append(f"{name} ({_which(ids, used & (codes == code))})")
    raise InvalidInputError(
        f"{column}: the deals are in more than one currency: {'; '.join(parts)}; "
        "convert the values to one currency first, or group by the currency column "
        f"(by=[..., {column!r}])"
    )


def _conversion(
    rates: ExchangeRates | None, to: str | None, currency: str | None
) -> tuple[ExchangeRates, str] | None:
    """``(rates, to)`` when the caller asks for the deals in one currency; None for neither.

    Both are needed, and a currency column to convert from; what ``rates`` and ``to``
    hold is checked by :func:`salescore.money.convert`.
    """
    if rates is None and to is None:
        return None
    if rates is None or to is None:
        given, missing = ("rates", "to") if to is None else ("to", "rates")
        shown: object = rates if to is None else to
        raise InvalidInputError(
            f"{missing} is missing: {given} is given ({type(shown).__name__} {shown!r:.60}), "
            "and converting the deals to one currency takes both rates (an ExchangeRates "
            "table) and to (the currency to convert to)"
        )
    if currency is None:
        raise InvalidInputError(
            "currency must name the deals' currency column when rates and to are given "
            "(each deal's value is converted from its currency); got None"
        )
    return rates, to


def _in_one_currency(
    deals: pd.DataFrame,
    values: FloatArray,
    ids: ObjectArray,
    used: BoolArray,
    conversion: tuple[ExchangeRates, str],
    columns: tuple[str, str, str],
) -> tuple[pd.DataFrame, FloatArray]:
    """The deals' values in one currency, each deal of ``used`` at its close date's rate.

    ``conversion`` is ``(rates, to)`` from :func:`_conversion`; ``columns`` names the
    value, currency and close date columns (options ``value``, ``currency``,
    ``close_date``), already checked to be in ``deals`` with readable dtypes. Only the
    deals a table sums (``used``) are converted, and so need a rate; the others keep
    their values, which no figure reads. Returns ``deals`` with every currency reading
    ``to`` (a shallow copy: the caller's frame is not changed) and ``values`` converted
    where used. A deal without a rate is refused by :func:`salescore.money.convert`,
    whose message names the deals by id (``deal_id``, or the index).
    """
    rates, to = conversion
    value, currency, close_date = columns
    if len(set(columns)) < len(columns):
        raise InvalidInputError(
            "value, currency and close_date must name three different columns when rates "
            f"and to are given; got value={value!r}, currency={currency!r}, "
            f"close_date={close_date!r}"
        )
    positions = np.flatnonzero(used)
    part = deals[list(columns)].iloc[positions]
    part = part.set_axis(pd.Index(ids[positions], dtype=object), axis=0)
    try:
        converted = convert(
            part, to=to, rates=rates, value=value, currency=currency, date=close_date
        )
    except InvalidInputError as error:
        message = str(error)
        if not message.startswith("frame: "):
            raise
        raise type(error)(f"deals: {message.removeprefix('frame: ')}") from None
    target = to.upper()  # convert refuses a to that is not an ISO 4217 code
    out = values.copy()
    out[positions] = converted[value].to_numpy(dtype=np.float64)
    deals = deals.copy(deep=False)
    deals[currency] = np.full(len(deals), target, dtype=object)
    return deals, out


def _require_datetimes(deals: pd.DataFrame, column: str) -> None:
    dtype = deals[column].dtype
    if not pd.api.types.is_datetime64_any_dtype(dtype):
        raise SchemaError(
            f"deals: column {column!r} must hold datetimes (datetime64); it has dtype {dtype} "
            "(convert it with pandas.to_datetime)"
        )


def _check_dated(
    deals: pd.DataFrame, column: str, ids: ObjectArray, used: BoolArray, what: str
) -> None:
    undated = used & deals[column].isna().to_numpy()
    if undated.any():
        raise InvalidInputError(
            f"{column} is missing for {what}; {_which(ids, undated)} "
            "(a table by period needs each of their dates)"
        )


def _check_chronology(
    deals: pd.DataFrame, created: str | None, close_date: str, ids: ObjectArray, used: BoolArray
) -> pd.DataFrame:
    """Refuse deals that close (by date) before the date they were created.

    Checked only when the frame has the ``created`` column; NaT on either side passes.
    Returns ``deals`` with both columns on one clock (an aware column beside a naive
    one is read in UTC, see :func:`~salescore._tables.align_columns`), which the
    caller then reads its periods from.
    """
    if created is None or created not in deals.columns or close_date not in deals.columns:
        return deals
    _require_datetimes(deals, created)
    _require_datetimes(deals, close_date)
    deals = align_columns(deals, [created, close_date])
    backwards = (deals[close_date].dt.normalize() < deals[created].dt.normalize()).to_numpy(
        dtype=bool
    )
    backwards = backwards & used
    if backwards.any():
        raise InvalidInputError(
            f"{close_date} is before the date in {created} for {_which(ids, backwards)}"
        )
    return deals
