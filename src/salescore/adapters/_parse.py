"""Parsers of CRM fields: raw values in, canonical values and a reason per row out.

A parser never raises for a bad value: it returns :class:`Parsed`, the canonical
values (missing where unusable) and, per row, ``None`` or a reason naming the vendor's
field and the value, so that the adapter can reject that row and keep the others.
See :mod:`salescore.adapters._core` for how the adapters use them.

This module parses flags, text, ids and vocabularies (choices, forecast categories,
currencies) and gathers every parser: numbers are parsed in ``_parse_numbers``, moments
and dates in ``_parse_dates``, on the shared helpers of ``_parse_base``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, Final

import numpy as np
import pandas as pd

from ..errors import InvalidInputError
from ..pipeline._categories import forecast_category
from ..schema.vocabularies import CURRENCIES, WITHDRAWN_CURRENCIES
from ._parse_base import (
    Parsed,
    _absent,
    _finish,
    _homogeneous,
    _listed,
    _mapped,
    _missing,
    _shown,
    reasons_where,
)
from ._parse_dates import DATE_FORMATS, FAR_DATE, parse_date, parse_timestamp
from ._parse_numbers import parse_money, parse_probability, weighted_share

__all__ = [
    "DATE_FORMATS",
    "FAR_DATE",
    "Parsed",
    "_absent",
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

_TRUE: Final = frozenset({"true", "1"})
_FALSE: Final = frozenset({"false", "0"})


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
    return code if code in CURRENCIES or code in WITHDRAWN_CURRENCIES else None


def parse_currency(series: pd.Series[Any], *, field: str, required: bool = False) -> Parsed:
    """ISO 4217 currency codes, upper-cased (``"eur"`` becomes ``"EUR"``)."""
    return _choices(
        series,
        field=field,
        required=required,
        lookup=_currency_code,
        expected="an ISO 4217 code such as 'EUR'",
    )
