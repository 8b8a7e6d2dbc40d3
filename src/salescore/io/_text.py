"""A CSV file as text columns, and the dialect it shows: what every reader starts from.

:func:`~salescore.io.read_table` and :func:`~salescore.io.read_export` both read a file
here first: its bytes decoded (refusing a workbook, a directory or an empty file), its
separator detected or given, its rows as stripped text with each row's line in the
file. The decimal and thousands separators and the day order of slashed dates are then
settled from the options, the locale preset, or what the values show beyond doubt.
"""

from __future__ import annotations

import io
import warnings
from os import PathLike
from pathlib import Path
from typing import Final

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from ..errors import InvalidInputError, SchemaError
from . import _dialect
from ._dialect import Locale

__all__ = ["_Text", "_checked_options", "_dates", "_decimal", "_read_text"]

_SCALES: Final = ("fraction", "percent")
_BOM: Final = "\ufeff"  # left at the start when a file with a BOM is read as "utf-8"


@attrs.frozen(kw_only=True, eq=False)
class _Text:
    """A CSV file as text columns, with each row's line and the dialect's first half."""

    frame: pd.DataFrame
    lines: npt.NDArray[np.int64]
    encoding: str
    sep: str
    preset: Locale | None
    empty: tuple[int, ...]
    where: str


def _checked_options(
    sep: str | None,
    decimal: str | None,
    thousands: str | None,
    dayfirst: bool | None,
    encoding: str | None,
    locale: str | None,
    probability_scale: str,
) -> Locale | None:
    """Refuse a bad option, naming it; return the locale preset (or None)."""
    preset = _dialect.check_options(
        sep=sep,
        decimal=decimal,
        thousands=thousands,
        dayfirst=dayfirst,
        encoding=encoding,
        locale=locale,
    )
    if not isinstance(probability_scale, str) or probability_scale not in _SCALES:  # type: ignore[redundant-expr]
        raise InvalidInputError(
            f"probability_scale must be 'fraction' or 'percent'; got {probability_scale!r:.60}"
        )
    return preset


# The first bytes of a zipped workbook (.xlsx, .ods) and of an OLE one (.xls).
_WORKBOOKS: Final = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


def _read_text(
    path: str | PathLike[str],
    what: str,
    *,
    sep: str | None,
    encoding: str | None,
    preset: Locale | None,
) -> _Text:
    """The file's rows as stripped text (object dtype; blank is None), one per data line."""
    if not isinstance(path, (str, PathLike)):
        raise InvalidInputError(
            f"path must be a str or a path; got {type(path).__name__} {path!r:.60}"
        )
    file = Path(path)
    name = str(file) if str(file).isprintable() else repr(str(file))
    where = f"{what} file {name}"
    if file.is_dir():
        raise InvalidInputError(f"cannot read {where}: it is a directory, not a file")
    try:
        data = file.read_bytes()
    except ValueError:  # a NUL character in the path
        raise InvalidInputError(
            f"cannot read {where}: a path cannot hold a NUL character"
        ) from None
    if data.startswith(_WORKBOOKS):
        raise InvalidInputError(
            f"cannot read {where}: it is a spreadsheet workbook (such as .xlsx or .xls), "
            "not a CSV file; save the sheet as CSV (in Excel: Save As, CSV UTF-8) and give "
            "that file"
        )
    text, used = _dialect.decode(data, encoding, preset, where)
    if not text.strip():
        raise InvalidInputError(f"cannot read {where}: it is empty")
    chosen = sep if sep is not None else _dialect.detect_sep(text, preset, where)
    try:
        with warnings.catch_warnings():
            # pandas warns, and cuts the line, when a line has more fields than the
            # header: the cut fields would be lost, so it is an error here.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            raw = pd.read_csv(
                io.StringIO(text),
                sep=chosen,
                dtype=str,
                keep_default_na=False,
                na_values=[],
                skip_blank_lines=False,
                index_col=False,
            )
    except pd.errors.ParserWarning:
        shown = "tab" if chosen == "\t" else repr(chosen)
        found = [s for s in _dialect.header_separators(text) if s != chosen]
        hint = (
            f"; the header is separated by {found[0]!r}: pass sep={found[0]!r} (--sep {found[0]!r})"
            if found
            else f"; quote values that hold {shown}, or pass the file's separator (--sep)"
        )
        raise InvalidInputError(
            f"cannot read {where} as CSV: a line has more fields than the header, "
            f"separated by {shown}{hint}"
        ) from None
    except pd.errors.ParserError as error:
        reason = " ".join(str(error).split())
        hint = ""
        if "Expected" in reason and chosen == ",":
            hint = "; a decimal comma in a ','-separated file must be quoted, or pass sep (--sep)"
        raise InvalidInputError(f"cannot read {where} as CSV: {reason}{hint}") from None
    except pd.errors.EmptyDataError:
        raise InvalidInputError(f"cannot read {where}: it is empty") from None
    # pandas renames a repeated name ("value", "value.1"): the header as written decides.
    names = pd.read_csv(io.StringIO(text), sep=chosen, header=None, nrows=1, dtype=str)
    written = [str(name).strip().lstrip(_BOM) for name in names.iloc[0].fillna("")]
    repeated = sorted({name for name in written if written.count(name) > 1})
    if repeated:
        raise SchemaError(
            f"{where}: more than one column is named {', '.join(map(repr, repeated))} in its "
            "header (line 1); rename or remove the copies"
        )
    raw.columns = pd.Index([str(name).strip().lstrip(_BOM) for name in raw.columns], dtype=object)
    frame = raw.astype(object)
    newlines = np.zeros(len(frame), dtype=np.int64)
    blank = np.ones(len(frame), dtype=bool)
    for name in frame.columns:
        codes, uniques = _dialect.distinct(frame[name])
        stripped = uniques.str.strip()
        kept_text = stripped.where(stripped != "", None).to_numpy(dtype=object)
        newlines += _dialect.spread(uniques.str.count("\n").to_numpy(dtype=np.int64), codes, 0)
        values = _dialect.spread(kept_text, codes, None)
        blank &= pd.isna(values)
        frame[name] = pd.Series(values, index=frame.index, dtype=object)
    header = 1 + sum(str(name).count("\n") for name in raw.columns)
    steps = 1 + newlines
    lines = header + 1 + np.cumsum(steps) - steps
    empty = tuple(int(line) for line in lines[blank])
    kept = frame.loc[~blank].reset_index(drop=True)
    return _Text(
        frame=kept,
        lines=lines[~blank].astype(np.int64),
        encoding=used,
        sep=chosen,
        preset=preset,
        empty=empty,
        where=where,
    )


def _at(text: _Text, position: int, key: str | None) -> str:
    """Where a row is, for a message: its line and its id."""
    where = f"line {int(text.lines[position])}"
    if key is not None and key in text.frame.columns:
        value = text.frame[key].iloc[position]
        if value is not None:
            where += f", {key} {value}"
    return where


def _decimal(
    text: _Text,
    columns: list[str],
    decimal: str | None,
    thousands: str | None,
    key: str | None,
) -> tuple[str, str]:
    """The decimal and thousands separators: given, the locale's, or shown by the numbers.

    Once the decimal separator is known (given, the locale's, or shown by a value
    such as ``0,12``), the other of ``.`` and ``,`` can only group thousands; when it
    is not (whole numbers only), neither groups thousands unless given.
    """
    preset = text.preset
    if thousands is None and preset is not None and decimal in (None, preset.decimal):
        thousands = preset.thousands
    if decimal is None and preset is not None:
        decimal = preset.decimal
    known = decimal is not None
    if decimal is None:
        decimal, known = _shown_decimal(text, columns, thousands, key)
    if thousands is None:
        thousands = ("," if decimal == "." else ".") if known else ""
    return decimal, "" if thousands == decimal else thousands


def _shown_decimal(
    text: _Text, columns: list[str], thousands: str | None, key: str | None
) -> tuple[str, bool]:
    """The decimal separator the numbers show, and whether they show one at all."""
    comma_at: tuple[int, str] | None = None
    point_at: tuple[int, str] | None = None
    for name in columns:
        comma, point = _dialect.decimal_evidence(text.frame[name], thousands or None)
        if comma.any() and comma_at is None:
            comma_at = (int(np.argmax(comma)), name)
        if point.any() and point_at is None:
            point_at = (int(np.argmax(point)), name)
    if comma_at is not None and point_at is not None:
        shown = [
            f"{text.frame[name].iloc[row]!r} ({_at(text, row, key)}, {name})"
            for row, name in (comma_at, point_at)
        ]
        raise InvalidInputError(
            f"cannot read {text.where}: its numbers use both decimal separators, "
            f"{shown[0]} and {shown[1]}; pass decimal=',' or decimal='.' (--decimal)"
        )
    if comma_at is not None:
        return ",", True
    if point_at is not None:
        return ".", True
    # Whole numbers only: Excel writes ';' exactly where the decimal is a comma.
    return ("," if text.sep == ";" else "."), False


def _dates(
    text: _Text,
    name: str,
    dayfirst: bool | None,
    key: str | None,
) -> _dialect.Dates:
    try:
        return _dialect.parse_dates(text.frame[name], dayfirst)
    except _dialect.AmbiguousDatesError as problem:
        values = text.frame[name]
        first = f"{values.iloc[problem.position]!r} ({_at(text, problem.position, key)})"
        if problem.mixed is None:
            raise InvalidInputError(
                f"cannot read {text.where}: the dates of {name} such as {first} can be read "
                "day/month/year or month/day/year; pass dayfirst=True (--dayfirst) or "
                "dayfirst=False (--monthfirst)"
            ) from None
        other = f"{values.iloc[problem.mixed]!r} ({_at(text, problem.mixed, key)})"
        raise InvalidInputError(
            f"cannot read {text.where}: the dates of {name} are written both day first, "
            f"{first}, and month first, {other}; fix the file, or pass dayfirst "
            "(--dayfirst or --monthfirst) to read one order"
        ) from None
