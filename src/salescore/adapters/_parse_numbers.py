"""Parsers of numbers in CRM fields: amounts, probabilities, and weighted amounts' shares.

Numbers are read strictly: a number, or a string of a plain decimal number
(``"1234.50"``). Thousands separators, currency signs and text are reasons, never
guessed; a probability is read on the vendor's documented scale (a fraction, or
Salesforce's percent), never re-interpreted on the other.
"""

from __future__ import annotations

import decimal
import math
import re
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..errors import InvalidInputError
from ._parse_base import BoolArray, Parsed, _blank, _finish, _kind, _missing, _shown

__all__ = ["parse_money", "parse_probability", "weighted_share"]

# A plain decimal number: digits, at most one point, an optional exponent; no thousands
# separators, currency signs or spaces inside, which would make it ambiguous.
# ASCII digits only, so that Python's and pyarrow's regular expressions agree.
_PLAIN_NUMBER: Final = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_PLAIN_NUMBER_RE: Final = re.compile(_PLAIN_NUMBER)
_SPACED_NUMBER_RE: Final = re.compile(rf"\s*{_PLAIN_NUMBER}\s*")


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
            return float(value.strip())
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
        # Stripped first: the pattern's \s takes every Unicode space (\x1f, \u2003),
        # NumPy's conversion only the ASCII ones.
        stripped = np.array([text.strip() for text in distinct[plain]], dtype=object)
        numbers[plain] = stripped.astype(np.float64)
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
