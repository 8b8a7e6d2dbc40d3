"""Parsers of CRM fields: raw values in, canonical values and a reason per row out.

A parser never raises for a bad value: it returns :class:`Parsed`, the canonical
values (missing where unusable) and, per row, ``None`` or a reason naming the vendor's
field and the value, so that the adapter can reject that row and keep the others.
See :mod:`salescore.adapters._core` for how the adapters use them.
"""

from __future__ import annotations

import datetime
import decimal
import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, Literal, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from .._arrays import iso_to_utc, utc_naive
from ..errors import InvalidInputError
from ..pipeline._categories import forecast_category
from ..pipeline.records import _CURRENCIES, _WITHDRAWN_CURRENCIES

__all__ = [
    "DATE_FORMATS",
    "FAR_DATE",
    "Parsed",
    "parse_bool",
    "parse_choice",
    "parse_currency",
    "parse_date",
    "parse_forecast_category",
    "parse_id",
    "parse_money",
    "parse_probability",
    "parse_text",
    "parse_timestamp",
    "reasons_where",
    "weighted_share",
]

BoolArray = npt.NDArray[np.bool_]
# A plain decimal number: digits, at most one point, an optional exponent; no thousands
# separators, currency signs or spaces inside, which would make it ambiguous.
# ASCII digits only, so that Python's and pyarrow's regular expressions agree.
_PLAIN_NUMBER: Final = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_PLAIN_NUMBER_RE: Final = re.compile(_PLAIN_NUMBER)
_SPACED_NUMBER_RE: Final = re.compile(rf"\s*{_PLAIN_NUMBER}\s*")
# The moments a datetime64[ns] column holds.
_FIRST: Final = pd.Timestamp("1677-09-22", tz="UTC")
_LAST: Final = pd.Timestamp("2262-04-11", tz="UTC")
_PER_SECOND: Final = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}
_UNITS: Final[dict[str, Literal["s", "ms", "us", "ns"]]] = {
    "s": "s",
    "ms": "ms",
    "us": "us",
    "ns": "ns",
}
_TRUE: Final = frozenset({"true", "1"})
_FALSE: Final = frozenset({"false", "0"})


def _absent(items: npt.NDArray[Any]) -> BoolArray:
    """Where an object array holds None (no reason)."""
    return np.asarray(pd.isna(items), dtype=bool)


def _shown(value: object) -> str:
    """A value for a reason: its repr (NumPy scalars as Python ones), cut at 60 characters."""
    if isinstance(value, np.generic):
        value = value.item()
    return f"{value!r:.60}"


def _listed(items: Iterable[object], limit: int) -> str:
    shown = list(items)
    more = ", …" if len(shown) > limit else ""
    return ", ".join(repr(item) for item in shown[:limit]) + more


class Parsed(NamedTuple):
    """A parsed field: its canonical values, and a reason (or None) per row."""

    canonical: pd.Series[Any]
    reasons: pd.Series[Any]


def reasons_where(mask: object, reason: str, index: pd.Index[Any]) -> pd.Series[Any]:
    """A reason Series: ``reason`` where ``mask`` is true, else None."""
    flags = np.asarray(mask, dtype=bool)
    out = np.full(len(index), None, dtype=object)
    out[flags] = reason
    return pd.Series(out, index=index, dtype=object)


def _kind(series: pd.Series[Any]) -> str:
    """The pandas name of what an object column holds ("string", "floating", "mixed", ...)."""
    try:
        return str(pd.api.types.infer_dtype(series, skipna=True))
    except (TypeError, ValueError):  # pragma: no cover - defensive
        return "mixed"


# Kinds of object column without any string in them.
_NO_TEXT: Final = frozenset(
    {
        "empty",
        "floating",
        "integer",
        "mixed-integer-float",
        "boolean",
        "decimal",
        "complex",
        "datetime64",
        "datetime",
        "date",
        "timedelta64",
        "timedelta",
        "time",
        "period",
    }
)


def _missing(series: pd.Series[Any]) -> BoolArray:
    """None, NaN, NaT, pd.NA and blank strings (HubSpot sends "" for an unset value)."""
    missing = series.isna().to_numpy(dtype=bool).copy()
    if series.dtype == object or isinstance(series.dtype, pd.StringDtype):
        kind = _kind(series)
        if kind == "string":
            present = np.flatnonzero(~missing)
            missing[present] = _blank(series.to_numpy(dtype=object)[present])
        elif kind not in _NO_TEXT:
            text = series.to_numpy(dtype=object)
            missing |= np.fromiter(
                (isinstance(value, str) and not value.strip() for value in text),
                dtype=bool,
                count=len(text),
            )
    return missing


def _blank(strings: npt.NDArray[Any]) -> BoolArray:
    """Which of an object array of str are empty or whitespace only."""
    spaces = np.fromiter(map(str.isspace, strings), dtype=bool, count=len(strings))
    blank: BoolArray = spaces | np.asarray(strings == "", dtype=bool)
    return blank


def _homogeneous(series: pd.Series[Any], kind: str) -> bool:
    """Whether the non-missing values of an object column are all of one kind."""
    return _kind(series) == kind


def _mapped(
    raw: npt.NDArray[Any], missing: BoolArray, convert: Callable[[Any], Any]
) -> tuple[npt.NDArray[Any], BoolArray]:
    """``convert`` applied to the present values, once per distinct value.

    Returns the converted values (None where missing or failed) and where ``convert``
    gave None for a present value.
    """
    n = len(raw)
    values = np.full(n, None, dtype=object)
    present = np.flatnonzero(~missing)
    subset = raw[present]
    try:
        codes, uniques = pd.factorize(subset)
    except TypeError:  # unhashable values (lists, dicts): one at a time
        converted = np.empty(len(subset), dtype=object)
        converted[:] = [convert(value) for value in subset]
    else:
        table = np.empty(len(uniques), dtype=object)
        table[:] = [convert(value) for value in uniques]
        converted = table[codes]
    values[present] = converted
    failed = np.zeros(n, dtype=bool)
    failed[present] = pd.isna(converted)
    return values, failed


def _finish(
    values: pd.Series[Any],
    reasons: list[str | None] | npt.NDArray[Any],
    missing: BoolArray,
    *,
    field_name: str,
    required: bool,
) -> Parsed:
    out = np.asarray(reasons, dtype=object).copy()
    if required:
        out[missing & _absent(out)] = f"{field_name}: missing"
    return Parsed(values, pd.Series(out, index=values.index, dtype=object))


def _number_of(value: object) -> float | None:
    """A Python number, Decimal or plain numeric string as a float; None if it is not."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, float, decimal.Decimal, np.integer, np.floating)):
        try:
            return float(value)
        except (OverflowError, ValueError):
            return math.inf
    if isinstance(value, str) and _PLAIN_NUMBER_RE.fullmatch(value.strip()):
        try:
            return float(value)
        except OverflowError:  # pragma: no cover - float() gives inf instead
            return math.inf
    return None


def _numbers(
    series: pd.Series[Any], field_name: str
) -> tuple[npt.NDArray[np.float64], list[str | None], BoolArray]:
    """Strictly parsed numbers (NaN where missing or bad), reasons, and missing rows."""
    n = len(series)
    reasons: list[str | None] = [None] * n
    dtype = series.dtype
    kind = "" if pd.api.types.is_bool_dtype(dtype) else _kind(series)
    if kind in ("floating", "integer", "mixed-integer-float", "empty"):
        try:
            values = series.to_numpy(dtype=np.float64, na_value=np.nan).copy()
        except (OverflowError, TypeError, ValueError):  # an int beyond float range
            kind = "mixed"
        else:
            missing = np.isnan(values)
    if kind == "string":
        # Each distinct string is checked once: amounts repeat, probabilities a lot.
        raw = series.to_numpy(dtype=object)
        missing = pd.isna(raw)
        present = np.flatnonzero(~missing)
        codes, uniques = pd.factorize(raw[present])
        distinct = np.asarray(uniques, dtype=object)
        blank = _blank(distinct)
        plain = np.fromiter(
            map(bool, map(_SPACED_NUMBER_RE.fullmatch, distinct)), dtype=bool, count=len(distinct)
        )
        numbers = np.full(len(distinct), np.nan)
        numbers[plain] = distinct[plain].astype(np.float64)
        values = np.full(n, np.nan)
        values[present] = numbers[codes]
        missing[present] = blank[codes]
        for position in present[~plain[codes] & ~blank[codes]]:
            reasons[position] = f"{field_name}: not a plain number: {_shown(raw[position])}"
    elif kind not in ("floating", "integer", "mixed-integer-float", "empty"):
        missing = _missing(series)
        values = np.full(n, np.nan)
        raw = series.to_numpy(dtype=object)
        for position in np.flatnonzero(~missing):
            value = raw[position]
            number = _number_of(value)
            if number is None:
                what = "not a plain number" if isinstance(value, str) else "not a number"
                reasons[position] = f"{field_name}: {what}: {_shown(value)}"
            else:
                values[position] = number
    infinite = ~missing & np.isinf(values)
    for position in np.flatnonzero(infinite):
        reasons[position] = f"{field_name}: not a finite number: {_shown(series.iloc[position])}"
        values[position] = np.nan
    return values, reasons, missing


def parse_money(
    series: pd.Series[Any], *, field: str, required: bool = False, negative: bool = False
) -> Parsed:
    """Amounts as float64: numbers, or strings of a plain decimal number (``"1234.50"``).

    Thousands separators, currency signs and text are reasons, never guessed; so are
    negative amounts unless ``negative=True``. Missing values (None, NaN, ``""``) are
    NaN, and a reason only when ``required``.
    """
    values, reasons, missing = _numbers(series, field)
    if not negative:
        below = values < 0.0
        for position in np.flatnonzero(below):
            reasons[position] = f"{field}: negative amount: {_shown(series.iloc[position])}"
        values[below] = np.nan
    return _finish(
        pd.Series(values, index=series.index), reasons, missing, field_name=field, required=required
    )


def parse_probability(
    series: pd.Series[Any], *, field: str, scale: str, required: bool = False
) -> Parsed:
    """Probabilities as fractions in [0, 1], read on the vendor's documented scale.

    ``scale="percent"`` (Salesforce's 10 = 10 %) divides by 100 and accepts 0 to 100;
    ``scale="fraction"`` accepts 0 to 1. A value outside the scale's range is a
    reason, never re-interpreted on the other scale.
    """
    if not isinstance(scale, str) or scale not in ("fraction", "percent"):  # type: ignore[redundant-expr]
        raise InvalidInputError(
            f"probability_scale must be 'fraction' or 'percent'; got {scale!r:.60}"
        )
    values, reasons, missing = _numbers(series, field)
    top = 100.0 if scale == "percent" else 1.0
    outside = ~np.isnan(values) & ~((values >= 0.0) & (values <= top))
    for position in np.flatnonzero(outside):
        reasons[position] = (
            f"{field}: outside 0 to {top:g} ({scale}): {_shown(series.iloc[position])}"
        )
    values[outside] = np.nan
    if scale == "percent":
        values = values / 100.0
    return _finish(
        pd.Series(values, index=series.index), reasons, missing, field_name=field, required=required
    )


def weighted_share(
    weighted: Parsed, total: npt.NDArray[np.float64], *, field: str, whole: str
) -> Parsed:
    """The probability a CRM used, read back from its weighted amount: weighted / total.

    A CRM that stores an amount weighted by the probability it used (Pipedrive's
    ``weighted_value``, Odoo's ``prorated_revenue``) gives that probability back as
    the ratio to the amount. It is read only where ``total`` is positive; a weighted
    amount (the field ``field``) above ``total`` (``whole``) by more than a cent of
    rounding is a reason, and the ratio is capped at 1. The reasons of ``weighted``
    (an unreadable amount) are kept.
    """
    amounts = weighted.canonical.to_numpy(dtype=np.float64)
    usable = (total > 0) & ~np.isnan(amounts)
    ratio = np.full(len(amounts), np.nan)
    ratio[usable] = amounts[usable] / total[usable]
    reasons = weighted.reasons.to_numpy(dtype=object).copy()
    over = usable & (ratio > 1.0 + 0.005 / np.where(usable, total, 1.0))
    for position in np.flatnonzero(over):
        reasons[position] = (
            f"{field}: more than {whole}, so no probability: {float(amounts[position])!r}"
        )
    ratio[over] = np.nan
    index = weighted.canonical.index
    return Parsed(
        pd.Series(np.minimum(ratio, 1.0), index=index),
        pd.Series(reasons, index=index, dtype=object),
    )


#: What a reason says of a date that does not parse, and an example of what does.
DATE_FORMATS: Final = (
    "not in a recognised date format (use ISO 8601, such as 2025-12-31 or 2025-12-31T14:00:00Z)"
)
#: What a reason says of a well-formed date that a datetime64[ns] column cannot hold.
FAR_DATE: Final = "outside the dates salescore can hold (1677-09-22 to 2262-04-11)"


def _moment_of(value: object, epoch_unit: str | None) -> tuple[pd.Timestamp | None, str]:
    """One non-string value as a naive UTC Timestamp, or None and what is wrong with it."""
    try:
        if isinstance(value, (datetime.datetime, np.datetime64)):
            stamp = pd.Timestamp(value)
        elif isinstance(value, datetime.date):
            stamp = pd.Timestamp(value.year, value.month, value.day)
        elif (
            epoch_unit is not None
            and isinstance(value, (int, float, np.integer, np.floating))
            and not isinstance(value, (bool, np.bool_))
            and math.isfinite(value)
        ):
            stamp = pd.Timestamp(int(value), unit=epoch_unit)
        else:
            return None, f"not a date ({type(value).__name__})"
    except (ValueError, OverflowError):  # OutOfBoundsDatetime is a ValueError
        return None, FAR_DATE
    stamp = utc_naive(stamp)
    if not _FIRST.tz_localize(None) <= stamp <= _LAST.tz_localize(None):
        return None, FAR_DATE
    return stamp, ""


def _utc_naive(stamps: pd.Series[Any]) -> npt.NDArray[np.datetime64]:
    """Moments as naive UTC datetime64[ns]; NaT outside the range that dtype holds."""
    stamps = utc_naive(stamps)
    inside = (stamps >= _FIRST.tz_localize(None)) & (stamps <= _LAST.tz_localize(None))
    naive: npt.NDArray[np.datetime64] = (
        stamps.where(inside).astype("datetime64[ns]").to_numpy(dtype="datetime64[ns]")
    )
    return naive


def _well_formed(text: str) -> bool:
    """Whether an ISO 8601 string names a real moment (so only its range is wrong)."""
    try:
        datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        return False
    return True


def parse_timestamp(
    series: pd.Series[Any],
    *,
    field: str,
    required: bool = False,
    epoch_unit: str | None = None,
) -> Parsed:
    """Moments as naive ``datetime64[ns]`` holding UTC wall-clock time.

    Accepted: ISO 8601 strings (``"2024-03-04T09:30:00.000+0000"``, ``"...Z"``, a date
    alone; a string without an offset is read as UTC, as Pipedrive and Odoo document),
    ``datetime``/``date``/``Timestamp``/``datetime64`` values (naive ones read as UTC),
    datetime64 columns, and with ``epoch_unit`` (``"ms"``, ``"s"``) numbers since
    1970-01-01 UTC. An aware moment is converted to UTC and its zone dropped: the
    canonical tables hold naive UTC timestamps.

    A value in another format is a reason saying it is not in a recognised date format
    (``"31.12.2025"``); a well-formed moment outside 1677-09-22 to 2262-04-11, such
    as a CRM's "no end date" ``9999-12-31``, is a reason naming that range.
    """
    if epoch_unit is not None and (
        not isinstance(epoch_unit, str) or epoch_unit not in ("s", "ms", "us", "ns")  # type: ignore[redundant-expr]
    ):
        raise InvalidInputError(f"epoch_unit must be 's', 'ms', 'us' or 'ns'; got {epoch_unit!r}")
    n = len(series)
    out = np.full(n, np.datetime64("NaT", "ns"))
    problems = np.full(n, None, dtype=object)
    dtype = series.dtype
    numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    if pd.api.types.is_datetime64_any_dtype(dtype):
        missing = series.isna().to_numpy(dtype=bool)
        out[:] = _utc_naive(series)
        problems[~missing & np.isnat(out)] = FAR_DATE
    elif numeric and epoch_unit is not None:
        numbers = series.to_numpy(dtype=np.float64, na_value=np.nan)
        missing = np.isnan(numbers)
        # About 292 years either side of 1970: beyond, datetime64[ns] cannot hold it.
        usable = ~missing & (np.abs(np.nan_to_num(numbers)) < 9.2e9 * _PER_SECOND[epoch_unit])
        whole = np.where(usable, numbers, 0.0).astype(np.int64)
        stamps = pd.Series(pd.to_datetime(whole, unit=_UNITS[epoch_unit], utc=True)).where(usable)
        out[:] = _utc_naive(stamps)
        problems[~missing & np.isnat(out)] = FAR_DATE
    else:
        missing = _missing(series)
        raw = series.to_numpy(dtype=object)
        if _kind(series) == "string":
            is_text = ~missing
        else:
            is_text = ~missing & np.fromiter(
                (isinstance(value, str) for value in raw), dtype=bool, count=n
            )
        if is_text.any():
            text = pd.Series(raw[is_text], dtype=object)
            converted = iso_to_utc(text)
            out[is_text] = _utc_naive(converted)
            failed = np.flatnonzero(is_text)[np.isnat(out[is_text])]
            if failed.size:
                codes, uniques = pd.factorize(raw[failed])
                kinds = np.asarray(
                    [FAR_DATE if _well_formed(str(text)) else DATE_FORMATS for text in uniques],
                    dtype=object,
                )
                problems[failed] = kinds[codes]
        for position in np.flatnonzero(~missing & ~is_text):
            stamp, problem = _moment_of(raw[position], epoch_unit)
            if stamp is None:
                problems[position] = problem
            else:
                out[position] = stamp.as_unit("ns").to_datetime64()
    reasons: list[str | None] = [None] * n
    for position in np.flatnonzero(~pd.isna(problems)):
        reasons[position] = f"{field}: {problems[position]}: {_shown(series.iloc[position])}"
    stamps = pd.Series(out, index=series.index, dtype="datetime64[ns]")
    return _finish(stamps, reasons, missing, field_name=field, required=required)


def parse_date(series: pd.Series[Any], *, field: str, required: bool = False) -> Parsed:
    """Calendar dates as naive ``datetime64[ns]`` at midnight.

    Read as by :func:`parse_timestamp`; a moment with a time of day or an offset
    gives its date in UTC (HubSpot's ``closedate`` is such a moment).
    """
    stamps, reasons = parse_timestamp(series, field=field, required=required)
    days = stamps.dt.normalize()
    return Parsed(days, reasons)


def _flag_of(value: object) -> bool | None:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        key = value.strip().lower()
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
    return None


def parse_bool(series: pd.Series[Any], *, field: str, required: bool = False) -> Parsed:
    """Flags as ``True``/``False`` (object dtype, ``None`` where missing).

    Accepted: booleans, the integers 1 and 0, and the strings ``"true"``, ``"false"``,
    ``"1"``, ``"0"`` in any case (HubSpot sends ``"true"``/``"false"``).
    """
    n = len(series)
    reasons: list[str | None] = [None] * n
    if pd.api.types.is_bool_dtype(series.dtype) and not series.isna().any():
        flags = series.to_numpy(dtype=bool)
        out = pd.Series(flags.astype(object), index=series.index, dtype=object)
        return _finish(out, reasons, np.zeros(n, dtype=bool), field_name=field, required=required)
    missing = _missing(series)
    raw = series.to_numpy(dtype=object)
    values, failed = _mapped(raw, missing, _flag_of)
    for position in np.flatnonzero(failed):
        reasons[position] = f"{field}: not true or false: {_shown(raw[position])}"
    out = pd.Series(values, index=series.index, dtype=object)
    return _finish(out, reasons, missing, field_name=field, required=required)


def parse_text(
    series: pd.Series[Any], *, field: str, required: bool = False, numbers: bool = False
) -> Parsed:
    """Text as ``str`` (object dtype, ``None`` where missing or blank).

    With ``numbers=True`` an integer (such as an owner's numeric user id) becomes its
    decimal string; otherwise anything but a string is a reason.
    """
    n = len(series)
    missing = _missing(series)
    raw = series.to_numpy(dtype=object)
    values = np.full(n, None, dtype=object)
    reasons: list[str | None] = [None] * n
    if _homogeneous(series, "string"):
        values[~missing] = raw[~missing]
    else:
        for position in np.flatnonzero(~missing):
            value = raw[position]
            if isinstance(value, str):
                values[position] = str(value)
            elif numbers and _integer(value) is not None:
                values[position] = str(_integer(value))
            else:
                reasons[position] = f"{field}: not text ({type(value).__name__}): {_shown(value)}"
    out = pd.Series(values, index=series.index, dtype=object)
    return _finish(out, reasons, missing, field_name=field, required=required)


def _integer(value: object) -> int | None:
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and math.isfinite(value) and value == int(value):
        return int(value)  # an integer column read with missing values is float64
    return None


def parse_id(series: pd.Series[Any], *, field: str, required: bool = True) -> Parsed:
    """Identifiers: a non-blank ``str`` kept as given, or an ``int``.

    A float holding an integer (an id column with gaps, read by pandas) becomes an
    ``int``. A missing id is a reason unless ``required=False``.
    """
    n = len(series)
    missing = _missing(series)
    raw = series.to_numpy(dtype=object)
    values = np.full(n, None, dtype=object)
    reasons: list[str | None] = [None] * n
    if _homogeneous(series, "string"):
        values[~missing] = raw[~missing]
    else:
        for position in np.flatnonzero(~missing):
            value = raw[position]
            number = _integer(value)
            if isinstance(value, str):
                values[position] = str(value)
            elif number is not None:
                values[position] = number
            else:
                reasons[position] = (
                    f"{field}: not an id (text or an integer; got {type(value).__name__}): "
                    f"{_shown(value)}"
                )
    out = pd.Series(values, index=series.index, dtype=object)
    return _finish(out, reasons, missing, field_name=field, required=required)


def _choices(
    series: pd.Series[Any],
    *,
    field: str,
    required: bool,
    lookup: Callable[[str], str | None],
    expected: str,
) -> Parsed:
    """Map each text value through ``lookup``; None from it is a reason."""
    n = len(series)
    missing = _missing(series)
    raw = series.to_numpy(dtype=object)

    def convert(value: object) -> str | None:
        return lookup(value) if isinstance(value, str) else None

    values, failed = _mapped(raw, missing, convert)
    reasons: list[str | None] = [None] * n
    for position in np.flatnonzero(failed):
        reasons[position] = f"{field}: unknown value (expected {expected}): {_shown(raw[position])}"
    out = pd.Series(values, index=series.index, dtype=object)
    return _finish(out, reasons, missing, field_name=field, required=required)


def parse_choice(
    series: pd.Series[Any],
    *,
    field: str,
    choices: Mapping[str, str],
    required: bool = False,
) -> Parsed:
    """Vendor codes mapped to canonical values, compared case-insensitively.

    ``choices`` maps each vendor spelling to its canonical value; any other value is a
    reason naming the expected spellings.
    """
    folded = {str(key).strip().lower(): value for key, value in choices.items()}
    return _choices(
        series,
        field=field,
        required=required,
        lookup=lambda value: folded.get(value.strip().lower()),
        expected=_listed(choices, 8),
    )


def _category(value: str) -> str | None:
    try:
        return forecast_category(value)
    except InvalidInputError:
        return None


def parse_forecast_category(
    series: pd.Series[Any], *, field: str, required: bool = False
) -> Parsed:
    """Forecast categories in any spelling :mod:`salescore.pipeline` knows.

    Salesforce's ``ForecastCategory`` (``BestCase``, ``Forecast``, ...) and
    ``ForecastCategoryName`` (``Best Case``, ``Commit``, ...), HubSpot's
    ``BEST_CASE``, ... become the canonical ``best_case``, ``commit``, ...
    """
    return _choices(
        series,
        field=field,
        required=required,
        lookup=_category,
        expected="a forecast category such as Pipeline, BestCase, Commit, Closed, Omitted",
    )


def _currency_code(value: str) -> str | None:
    code = value.strip().upper()
    return code if code in _CURRENCIES or code in _WITHDRAWN_CURRENCIES else None


def parse_currency(series: pd.Series[Any], *, field: str, required: bool = False) -> Parsed:
    """ISO 4217 currency codes, upper-cased (``"eur"`` becomes ``"EUR"``)."""
    return _choices(
        series,
        field=field,
        required=required,
        lookup=_currency_code,
        expected="an ISO 4217 code such as 'EUR'",
    )
