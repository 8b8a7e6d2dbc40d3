"""What every parser of a CRM field shares: :class:`Parsed`, and what counts as missing.

A parser of :mod:`salescore.adapters._parse` returns a :class:`Parsed`, the canonical
values and a reason (or None) per row. The helpers here find the missing values (None,
NaN, NaT, pd.NA and blank strings), convert each distinct present value once, show a
value in a reason, and add the reason ``"<field>: missing"`` where a required field
is empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Final, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "BoolArray",
    "Parsed",
    "_absent",
    "_blank",
    "_finish",
    "_homogeneous",
    "_kind",
    "_listed",
    "_mapped",
    "_missing",
    "_shown",
    "reasons_where",
]

BoolArray = npt.NDArray[np.bool_]


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
