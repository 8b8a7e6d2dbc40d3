"""The dialect of a CSV file: how its text, columns, numbers and dates are written.

Detection is limited to what the file shows without doubt (a byte-order mark, the one
separator its header uses, a decimal comma next to no decimal point); anything else
is an option, or a refusal that names the option to pass.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from .._arrays import iso_to_utc, option_flag
from ..errors import InvalidInputError

__all__ = ["LOCALES", "SEPARATORS", "Dialect", "Locale"]

BoolArray = npt.NDArray[np.bool_]

#: The column separators the header is searched for, in the order they are tried.
SEPARATORS: Final = (",", ";", "\t", "|")
# Spaces that group thousands: the space, the no-break space (Excel, most European
# locales) and the narrow no-break space (French typography). None of them can be a
# decimal separator, so they are always read as grouping.
SPACES: Final = " \u00a0\u202f"
_MINUS: Final = "\u2212"  # the minus sign some spreadsheets write instead of '-'


def _field_text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidInputError(
            f"{attribute.name} must be a str; got {type(value).__name__} {value!r:.60}"
        )


def _flag(value: object) -> bool:
    return option_flag("dayfirst", value)


@attrs.frozen(kw_only=True)
class Locale:
    """The CSV conventions of one locale's spreadsheet exports.

    Parameters
    ----------
    name : str
        The preset's key in :data:`LOCALES`.
    sep, decimal, thousands : str
        Column separator, decimal separator and thousands separator (spaces of any
        kind always group thousands as well).
    dayfirst : bool
        Whether ``01/02/2026`` is the 1st of February.
    encoding : str
        The encoding used when the file is not valid UTF-8 (Excel on Windows).

    Raises
    ------
    InvalidInputError
        A field that :func:`salescore.io.read_table` would refuse as an option.
    """

    name: str = attrs.field(validator=_field_text)
    sep: str = attrs.field(validator=_field_text)
    decimal: str = attrs.field(validator=_field_text)
    thousands: str = attrs.field(validator=_field_text)
    dayfirst: bool = attrs.field(converter=_flag)
    encoding: str = attrs.field(default="cp1252", validator=_field_text)

    def __attrs_post_init__(self) -> None:
        # The checks of check_options (defined below, after the presets it reads).
        if len(self.sep) != 1 or self.sep in "\"'\n\r":
            raise InvalidInputError(f"sep must be one character; got {self.sep!r:.40}")
        if self.decimal not in (".", ","):
            raise InvalidInputError(f"decimal must be '.' or ','; got {self.decimal!r:.40}")
        if self.thousands not in ("", ".", ",", "'", *SPACES) or self.thousands == self.decimal:
            raise InvalidInputError(
                f"thousands must be '', '.', ',', \"'\" or a space other than the decimal "
                f"separator; got {self.thousands!r:.40}"
            )
        try:
            "".encode(self.encoding)
        except (LookupError, ValueError):
            raise InvalidInputError(
                f"encoding must be a text encoding Python knows; got {self.encoding!r:.40}"
            ) from None


def _locale(name: str, sep: str, decimal: str, thousands: str, dayfirst: bool) -> Locale:
    return Locale(name=name, sep=sep, decimal=decimal, thousands=thousands, dayfirst=dayfirst)


#: The locale presets: Excel's CSV conventions in each locale.
LOCALES: Final[Mapping[str, Locale]] = MappingProxyType(
    {
        "sv": _locale("sv", ";", ",", " ", True),  # Swedish: 1 234,50; 2025-12-31
        "no": _locale("no", ";", ",", " ", True),  # Norwegian: 1 234,50; 31.12.2025
        "da": _locale("da", ";", ",", ".", True),  # Danish: 1.234,50; 31-12-2025
        "fi": _locale("fi", ";", ",", " ", True),  # Finnish: 1 234,50; 31.12.2025
        "de": _locale("de", ";", ",", ".", True),  # German: 1.234,50; 31.12.2025
        "fr": _locale("fr", ";", ",", " ", True),  # French: 1 234,50; 31/12/2025
        "nl": _locale("nl", ";", ",", ".", True),  # Dutch: 1.234,50; 31-12-2025
        "en-gb": _locale("en-gb", ",", ".", ",", True),  # British: 1,234.50; 31/12/2025
        "en-us": _locale("en-us", ",", ".", ",", False),  # American: 1,234.50; 12/31/2025
    }
)


@attrs.frozen(kw_only=True)
class Dialect:
    """How one file was read: its encoding, separators and date order.

    Attributes
    ----------
    encoding : str
        The text encoding (``"utf-8-sig"`` for UTF-8 with a byte-order mark).
    sep : str
        The column separator.
    decimal : str
        The decimal separator, ``"."`` or ``","``.
    thousands : str
        The thousands separators accepted besides spaces (``""`` for none).
    dayfirst : bool or None
        Whether slashed dates are day first; None when not given (an ambiguous
        slashed date is then refused).
    """

    encoding: str
    sep: str
    decimal: str
    thousands: str
    dayfirst: bool | None


# ------------------------------------------------------------------ options


def check_options(
    *,
    sep: object,
    decimal: object,
    thousands: object,
    dayfirst: object,
    encoding: object,
    locale: object,
) -> Locale | None:
    """Refuse a bad option, naming it; return the locale preset (or None)."""
    if sep is not None and (not isinstance(sep, str) or len(sep) != 1 or sep in "\"'\n\r"):
        raise InvalidInputError(
            f"sep must be one character such as ',' or ';' (or None to detect it); got {sep!r:.40}"
        )
    if decimal is not None and (not isinstance(decimal, str) or decimal not in (".", ",")):
        raise InvalidInputError(f"decimal must be '.' or ',' (or None); got {decimal!r:.40}")
    if thousands is not None and (
        not isinstance(thousands, str) or thousands not in ("", ".", ",", "'", *SPACES)
    ):
        raise InvalidInputError(
            f"thousands must be '', '.', ',', \"'\" or a space (or None); got {thousands!r:.40}"
        )
    if decimal is not None and thousands is not None and decimal == thousands:
        raise InvalidInputError(f"decimal and thousands cannot both be {decimal!r}")
    if dayfirst is not None and not isinstance(dayfirst, bool):
        raise InvalidInputError(f"dayfirst must be True, False or None; got {dayfirst!r:.40}")
    if encoding is not None:
        try:
            if not isinstance(encoding, str):
                raise LookupError
            "".encode(encoding)  # a text encoding (rot13, hex: codecs, but not text)
        except (LookupError, ValueError):  # ValueError: a NUL or a lone surrogate in it
            raise InvalidInputError(
                f"encoding must be a text encoding Python knows, such as 'utf-8' or 'cp1252'; "
                f"got {encoding!r:.40}"
            ) from None
    if locale is None:
        return None
    key = locale.lower().replace("_", "-") if isinstance(locale, str) else ""
    if key not in LOCALES:
        raise InvalidInputError(f"locale must be one of {', '.join(LOCALES)}; got {locale!r:.40}")
    return LOCALES[key]


# ------------------------------------------------------------------ text


def decode(data: bytes, encoding: str | None, preset: Locale | None, where: str) -> tuple[str, str]:
    """The file's text and the encoding it was read with.

    A byte-order mark decides (UTF-8 or UTF-16); otherwise the file must be UTF-8,
    or in the given encoding, or in the locale's Windows encoding when it is not
    UTF-8.
    """
    if encoding is None:
        if data.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            encoding = "utf-16"
    tried = encoding or "utf-8"
    try:
        return data.decode(tried), tried
    except UnicodeDecodeError as error:
        if encoding is None and preset is not None:
            return decode(data, preset.encoding, None, where)
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start : error.start + 1].hex()
        hint = (
            "pass the file's encoding, e.g. encoding='cp1252' (--encoding cp1252) for "
            "Excel on Windows in Western Europe, or a locale such as locale='sv' (--locale sv)"
            if encoding is None
            else "pass the file's encoding (--encoding)"
        )
        raise InvalidInputError(
            f"cannot read {where}: line {line} is not {tried} text (byte 0x{byte}); {hint}"
        ) from None


_QUOTED: Final = re.compile(r'"[^"]*"')


def header_separators(text: str) -> list[str]:
    """The candidate separators that occur in the header, outside quotes."""
    first = _QUOTED.sub("", text.split("\n", 1)[0])
    return [candidate for candidate in SEPARATORS if candidate in first]


def detect_sep(text: str, preset: Locale | None, where: str) -> str:
    """The one separator the header uses; a header with several is refused."""
    found = header_separators(text)
    if len(found) == 1:
        return found[0]
    if not found:
        return preset.sep if preset is not None else ","
    if preset is not None and preset.sep in found:
        return preset.sep
    shown = " and ".join("tab" if s == "\t" else repr(s) for s in found)
    raise InvalidInputError(
        f"cannot read {where}: its header (line 1) holds both {shown}, so the column "
        f"separator is unclear; pass sep (--sep), e.g. sep=';'"
    )


def _grouping(thousands: str) -> str:
    return SPACES + thousands


def number_pattern(decimal: str, thousands: str) -> str:
    """A regular expression for one number written with these separators."""
    group = re.escape(_grouping(thousands))
    point = re.escape(decimal)
    exponent = r"(?:[eE][+-]?[0-9]+)?"
    whole = rf"(?:[0-9]{{1,3}}(?:[{group}][0-9]{{3}})+|[0-9]+)"
    return rf"[+-]?(?:{whole}(?:{point}[0-9]*)?|{point}[0-9]+){exponent}"


def distinct(values: pd.Series[Any]) -> tuple[npt.NDArray[np.intp], pd.Series[Any]]:
    """Each row's code, and the distinct non-missing values in order of appearance.

    Missing values have code -1. Columns repeat their values (dates, amounts,
    statuses), so text work is done once per distinct value and spread back.
    """
    codes, uniques = pd.factorize(values.to_numpy(dtype=object))
    return np.asarray(codes, dtype=np.intp), pd.Series(np.asarray(uniques, dtype=object))


def spread(
    per_value: npt.NDArray[Any] | pd.Series[Any], codes: npt.NDArray[np.intp], fill: object
) -> npt.NDArray[Any]:
    """Per-distinct-value results as per-row results; ``fill`` where the row is missing."""
    array = np.asarray(per_value)
    present = codes >= 0
    if array.size == 0:
        return np.full(len(codes), fill, dtype=array.dtype if fill is None else None)
    out = array[np.where(present, codes, 0)].copy()
    out[~present] = fill
    return out


def first_rows(codes: npt.NDArray[np.intp], n_values: int) -> npt.NDArray[np.intp]:
    """The first row of each distinct value."""
    first = np.full(n_values, -1, dtype=np.intp)
    rows = np.flatnonzero(codes >= 0)[::-1]
    first[codes[rows]] = rows
    return first


def _text(values: pd.Series[Any]) -> pd.Series[Any]:
    """Stripped text with the minus sign as '-' (object dtype, None stays None)."""
    return values.astype(object).str.strip().str.replace(_MINUS, "-", regex=False)


def decimal_evidence(values: pd.Series[Any], thousands: str | None) -> tuple[BoolArray, BoolArray]:
    """Which values show a decimal comma, and which a decimal point, beyond doubt.

    ``1 234,50`` and ``0,12`` show a comma; ``1234.5`` shows a point; ``1,234.50``
    shows a point (the last separator is the decimal one); ``1.500`` and ``1,500``
    show nothing (they may be thousands).
    """
    codes, uniques = distinct(values)
    comma, point = _decimal_evidence(uniques, thousands)
    return spread(comma, codes, False), spread(point, codes, False)


def _decimal_evidence(values: pd.Series[Any], thousands: str | None) -> tuple[BoolArray, BoolArray]:
    text = _text(values).str.removesuffix("%").str.strip().fillna("")
    for space in SPACES:
        text = text.str.replace(space, "", regex=False)
    if thousands:
        text = text.str.replace(thousands, "", regex=False)
    last_comma = text.str.rfind(",").to_numpy(dtype=np.int64)
    last_point = text.str.rfind(".").to_numpy(dtype=np.int64)
    number = text.str.fullmatch(r"[+-]?[0-9.,]*[0-9][0-9.,]*").to_numpy(dtype=bool)
    grouped_comma = text.str.fullmatch(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+").to_numpy(dtype=bool)
    grouped_point = text.str.fullmatch(r"[+-]?[0-9]{1,3}(?:\.[0-9]{3})+").to_numpy(dtype=bool)
    comma = number & (last_comma > last_point) & ~grouped_comma
    point = number & (last_point > last_comma) & ~grouped_point
    if thousands == ",":
        comma[:] = False
    if thousands == ".":
        point[:] = False
    return comma, point


def parse_numbers(
    values: pd.Series[Any], decimal: str, thousands: str
) -> tuple[npt.NDArray[np.float64], BoolArray, BoolArray]:
    """Numbers written with the dialect's separators; percent strings flagged.

    Returns the numbers (NaN where missing or unreadable; a percentage as written,
    ``12 %`` as 12.0), where a non-blank value is not such a number, and where it
    ends in ``%``.
    """
    codes, uniques = distinct(values)
    numbers, bad, percent = _parse_numbers(uniques, decimal, thousands)
    return (
        spread(numbers, codes, np.nan),
        spread(bad, codes, False),
        spread(percent, codes, False),
    )


def _parse_numbers(
    values: pd.Series[Any], decimal: str, thousands: str
) -> tuple[npt.NDArray[np.float64], BoolArray, BoolArray]:
    text = _text(values)
    present = text.notna().to_numpy(dtype=bool) & (text.fillna("") != "").to_numpy(dtype=bool)
    percent = present & text.fillna("").str.endswith("%").to_numpy(dtype=bool)
    core = text.fillna("").str.removesuffix("%").str.strip()
    fits = core.str.fullmatch(number_pattern(decimal, thousands)).to_numpy(dtype=bool) & present
    plain = core.where(fits, "")
    for mark in _grouping(thousands):
        plain = plain.str.replace(mark, "", regex=False)
    if decimal != ".":
        plain = plain.str.replace(decimal, ".", regex=False)
    numbers = (
        pd.to_numeric(plain.where(fits), errors="coerce")
        .to_numpy(dtype=np.float64, na_value=np.nan)
        .copy()
    )
    bad = present & ~fits
    infinite = fits & ~np.isfinite(numbers)
    numbers[infinite] = np.nan
    return numbers, bad | infinite, percent


# ------------------------------------------------------------------ dates

_TIME: Final = (
    r"(?:(?:[ T]|, ?)(?P<time>[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?)"
    r" ?(?P<zone>Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?"
)
_YEAR_FIRST: Final = re.compile(
    rf"(?P<y>[0-9]{{4}})[-/.](?P<a>[0-9]{{1,2}})[-/.](?P<b>[0-9]{{1,2}}){_TIME}"
)
_DOTTED: Final = re.compile(rf"(?P<a>[0-9]{{1,2}})\.(?P<b>[0-9]{{1,2}})\.(?P<y>[0-9]{{4}}){_TIME}")
_SLASHED: Final = re.compile(
    rf"(?P<a>[0-9]{{1,2}})[/-](?P<b>[0-9]{{1,2}})[/-](?P<y>[0-9]{{4}}){_TIME}"
)
#: A value in one of the date forms :func:`iso_dates` reads.
DATE_PATTERN: Final = "|".join(
    f"(?:{pattern.pattern})".replace("?P<", "?P<_" + str(i))
    for i, pattern in enumerate((_YEAR_FIRST, _DOTTED, _SLASHED))
)
# The moments datetime64[ns] holds.
FIRST: Final = pd.Timestamp("1677-09-22", tz="UTC")
LAST: Final = pd.Timestamp("2262-04-11", tz="UTC")


@attrs.frozen(kw_only=True)
class Dates:
    """Parsed dates of one column, with what went wrong where."""

    stamps: pd.Series[Any]  # naive datetime64[ns], UTC wall clock; NaT where not a date
    unknown: BoolArray  # present but in no known format
    invalid: BoolArray  # in a known format but no such day (31.02.2025)
    far: BoolArray  # a real date outside 1677-09-22 to 2262-04-11


class AmbiguousDatesError(Exception):
    """Slashed dates that could be day/month or month/day: (first example position, mixed)."""

    def __init__(self, position: int, mixed: int | None) -> None:
        super().__init__(position, mixed)
        self.position = position
        self.mixed = mixed


def _iso(parts: pd.DataFrame, day: str, month: str) -> pd.Series[Any]:
    """ISO 8601 text from the matched parts of a date."""
    text: pd.Series[Any] = (
        parts["y"] + "-" + parts[month].str.zfill(2) + "-" + parts[day].str.zfill(2)
    )
    time = parts["time"].fillna("").str.replace(",", ".", regex=False)
    time = time.where(time == "", "T" + time.str.zfill(5))
    zone = parts["zone"].fillna("")
    zone = zone.where(~zone.str.fullmatch(r"[+-][0-9]{2}"), zone + ":00")
    zone = zone.where((zone == "") | (time != ""), "")
    joined: pd.Series[Any] = text + time + zone
    return joined


def iso_dates(values: pd.Series[Any], dayfirst: bool | None) -> tuple[pd.Series[Any], BoolArray]:
    """Dates in ISO 8601, ``DD.MM.YYYY`` or slashed form rewritten as ISO 8601 text.

    Returns the ISO text (None where no known format matched) and where a non-blank
    value matched none. Dotted dates are day first unless ``dayfirst=False``.
    Slashed (or ``DD-MM-YYYY``) dates follow ``dayfirst``; without it the column must
    show its order (some first number above 12, or some second number above 12, not
    both), or :class:`AmbiguousDatesError` is raised (with row positions).
    """
    codes, iso, unknown = _distinct_iso_dates(values, dayfirst)
    return (
        pd.Series(spread(iso.to_numpy(dtype=object), codes, None), index=values.index),
        spread(unknown, codes, False),
    )


def _distinct_iso_dates(
    values: pd.Series[Any], dayfirst: bool | None
) -> tuple[npt.NDArray[np.intp], pd.Series[Any], BoolArray]:
    """:func:`_iso_dates` of the distinct values, with each row's code.

    An :class:`AmbiguousDatesError` names row positions, not positions among the
    distinct values.
    """
    codes, uniques = distinct(values)
    try:
        iso, unknown = _iso_dates(uniques, dayfirst)
    except AmbiguousDatesError as problem:
        first = first_rows(codes, len(uniques))
        mixed = None if problem.mixed is None else int(first[problem.mixed])
        raise AmbiguousDatesError(int(first[problem.position]), mixed) from None
    return codes, iso, unknown


def _iso_dates(values: pd.Series[Any], dayfirst: bool | None) -> tuple[pd.Series[Any], BoolArray]:
    text = _text(values).fillna("")
    n = len(text)
    present = (text != "").to_numpy(dtype=bool)
    iso = pd.Series(None, index=text.index, dtype=object)
    matched = np.zeros(n, dtype=bool)
    year_first = text.str.extract(f"^{_YEAR_FIRST.pattern}$")
    found = year_first["y"].notna().to_numpy(dtype=bool)
    if found.any():
        iso[found] = _iso(year_first[found], "b", "a")
        matched |= found
    dotted = text.str.extract(f"^{_DOTTED.pattern}$")
    found = dotted["y"].notna().to_numpy(dtype=bool) & ~matched
    if found.any():
        first = "a" if dayfirst is not False else "b"
        iso[found] = _iso(dotted[found], first, "b" if first == "a" else "a")
        matched |= found
    slashed = text.str.extract(f"^{_SLASHED.pattern}$")
    found = slashed["y"].notna().to_numpy(dtype=bool) & ~matched
    if found.any():
        order = dayfirst
        if order is None:
            first_number = slashed.loc[found, "a"].astype(int).to_numpy()
            second_number = slashed.loc[found, "b"].astype(int).to_numpy()
            positions = np.flatnonzero(found)
            day_first, month_first = first_number > 12, second_number > 12
            if day_first.any() and month_first.any():
                raise AmbiguousDatesError(
                    int(positions[np.argmax(day_first)]), int(positions[np.argmax(month_first)])
                )
            if not day_first.any() and not month_first.any():
                raise AmbiguousDatesError(int(positions[0]), None)
            order = bool(day_first.any())
        iso[found] = _iso(slashed[found], "a" if order else "b", "b" if order else "a")
        matched |= found
    return iso, present & ~matched


def parse_dates(values: pd.Series[Any], dayfirst: bool | None) -> Dates:
    """Dates and times (see :func:`iso_dates`) as naive UTC ``datetime64[ns]``.

    A time of day may follow the date (``2025-12-31 14:00``); an offset (``+01:00``,
    ``Z``) is converted to UTC, and a time without one is read as UTC.
    """
    codes, iso, unknown = _distinct_iso_dates(values, dayfirst)
    matched = iso.notna().to_numpy(dtype=bool)
    stamps = iso_to_utc(iso)
    inside = ((stamps >= FIRST) & (stamps <= LAST)).to_numpy(dtype=bool)
    parsed = stamps.notna().to_numpy(dtype=bool)
    year = pd.to_numeric(iso.str.slice(0, 4), errors="coerce").to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore"):
        beyond = (year < 1678) | (year > 2261)
    valid_far = matched & ~parsed & _real_day(iso) & beyond
    naive = stamps.where(pd.Series(inside, index=stamps.index)).dt.tz_localize(None)
    moments = naive.astype("datetime64[ns]").to_numpy(dtype="datetime64[ns]")
    return Dates(
        stamps=pd.Series(
            spread(moments, codes, np.datetime64("NaT", "ns")),
            index=values.index,
            dtype="datetime64[ns]",
        ),
        unknown=spread(unknown, codes, False),
        invalid=spread(matched & ~parsed & ~valid_far, codes, False),
        far=spread((parsed & ~inside) | valid_far, codes, False),
    )


def _real_day(iso: pd.Series[Any]) -> BoolArray:
    """Which ISO texts name a real calendar day (any year), for dates pandas cannot hold."""
    parts = iso.fillna("").str.extract(r"^(?P<y>[0-9]{4})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})")
    month = pd.to_numeric(parts["m"], errors="coerce").to_numpy(dtype=np.float64)
    day = pd.to_numeric(parts["d"], errors="coerce").to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.asarray((month >= 1) & (month <= 12) & (day >= 1) & (day <= 31), dtype=bool)
