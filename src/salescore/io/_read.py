"""Reading CSV files in any spreadsheet's dialect into canonical tables.

The file's text columns and its dialect come from ``_text``; here each column is parsed
by its kind in the canonical schema, rows that do not fit are rejected with their line
and a reason, and the accepted rows become the canonical table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from os import PathLike
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import schema
from .._arrays import option_flag
from ..adapters._core import REASON, ImportResult
from ..errors import InvalidInputError, SchemaError
from ..pipeline._categories import FORECAST_CATEGORIES, forecast_category
from . import _dialect
from ._dialect import Dialect
from ._text import _checked_options, _dates, _decimal, _read_text, _Text

# _export imports the readers of ``_text`` from here too.
__all__ = ["LINE", "read_table"]

#: The column of a rejected row that holds its line in the file (the header is line 1).
LINE: Final = "line"
_SHOWN: Final = 3
_TRUE: Final = frozenset(
    {"true", "1", "yes", "y", "t", "ja", "sant", "wahr", "tosi", "kyllä", "sann", "vrai", "oui"}
)
_FALSE: Final = frozenset(
    {"false", "0", "no", "n", "f", "nej", "nein", "falskt", "falsch", "epätosi", "ei", "usann",
     "falsk", "faux", "non", "nee"}
)  # fmt: skip
_FORMATS: Final = "YYYY-MM-DD, DD.MM.YYYY or DD/MM/YYYY, optionally with a time"
_FAR: Final = "outside the dates salescore can hold (1677-09-22 to 2262-04-11)"


def _first_lines(lines: Sequence[int] | npt.NDArray[np.int64]) -> str:
    """The first few line numbers, for a message: ``"4, 9, 12, …"``."""
    return ", ".join(map(str, lines[:_SHOWN])) + (", …" if len(lines) > _SHOWN else "")


def _number_hint(bad: pd.Series[Any], dialect: Dialect) -> str | None:
    """What to pass so that values such as ``bad`` read as numbers, if anything would."""
    comma, point = _dialect.decimal_evidence(bad, None)
    other = "." if dialect.decimal == "," else ","
    if (point.any() and dialect.decimal == ",") or (comma.any() and dialect.decimal == "."):
        return (
            f"read with decimal {dialect.decimal!r}, pass decimal='{other}' (--decimal '{other}')"
        )
    grouped = bad.astype(str).str.contains(rf"[0-9]\{other}[0-9]{{3}}").any()
    if grouped and dialect.thousands != other:
        return (
            f"read with thousands {dialect.thousands or 'as spaces'!r}, "
            f"pass thousands='{other}' (--thousands '{other}')"
        )
    return None


def _reason_series(index: pd.Index[Any]) -> pd.Series[Any]:
    return pd.Series(None, index=index, dtype=object)


def _add(
    reasons: pd.Series[Any],
    mask: npt.NDArray[np.bool_],
    problem: str,
    values: pd.Series[Any] | None = None,
) -> None:
    """Append ``"problem: 'value'"`` (or the problem alone) to the rows in ``mask``."""
    rows = np.flatnonzero(mask)
    if rows.size == 0:
        return
    if values is None:
        added = pd.Series(problem, index=reasons.index[rows], dtype=object)
    else:
        added = values.iloc[rows].map(lambda value: f"{problem}: {value!r:.60}").astype(object)
    current = reasons.iloc[rows]
    joined = added.where(current.isna(), current.astype(str) + "; " + added)
    reasons.iloc[rows] = joined.to_numpy(dtype=object)


def _choice(values: pd.Series[Any], column: schema.Column) -> pd.Series[Any]:
    """Canonical spellings of a vocabulary, compared case-insensitively; others as given."""
    codes, uniques = _dialect.distinct(values)
    if column.name == "forecast_category" and column.allowed == FORECAST_CATEGORIES:

        def convert(value: object) -> object:
            try:
                return forecast_category(value)
            except InvalidInputError:
                return value

        mapped = uniques.map(convert)
    else:
        folded = {value.lower(): value for value in column.allowed or ()}
        mapped = uniques.map(lambda value: folded.get(str(value).lower(), value))
    spread = _dialect.spread(mapped.to_numpy(dtype=object), codes, None)
    return pd.Series(spread, index=values.index, dtype=object)


def _parse(
    text: _Text,
    table: schema.Table,
    kinds: Mapping[str, str],
    dialect: Dialect,
    probability_scale: str,
) -> tuple[pd.DataFrame, pd.Series[Any], list[str], list[pd.DataFrame]]:
    """The typed columns, why rows cannot be read, warnings, and the emptied values.

    The emptied values are one frame per column, ``column`` and ``reason`` by line.
    """
    raw = text.frame
    key = table.key or next((c.name for c in table if c.kind == "id"), None)
    frame = pd.DataFrame(index=raw.index)
    reasons = _reason_series(raw.index)
    warnings: list[str] = []
    soft: list[pd.DataFrame] = []
    for name in raw.columns:
        column = table[name] if name in table.names else None
        kind = kinds.get(name, column.kind if column is not None else "text")
        values = raw[name]
        present = values.notna().to_numpy(dtype=bool)
        if kind in ("number", "fraction"):
            numbers, bad, percent = _dialect.parse_numbers(
                values, dialect.decimal, dialect.thousands
            )
            if bad.any():
                hint = _number_hint(values[bad], dialect)
                what = "not a number" if hint is None else f"not a number ({hint})"
                _add(reasons, bad, f"{name}: {what}", values)
            if kind == "number":
                if percent.any():
                    _add(reasons, percent & ~bad, f"{name}: a percentage, not an amount", values)
                    numbers[percent] = np.nan
            else:
                scaled = percent | (probability_scale == "percent")
                numbers = np.where(scaled, numbers / 100.0, numbers)
                above = ~scaled & ~bad & (np.nan_to_num(numbers) > 1.0)
                if above.any():
                    what = (
                        "above 1 without a % sign (write 12 % or 0.12, or pass "
                        "probability_scale='percent' (--probability-scale percent))"
                    )
                    _add(reasons, above, f"{name}: {what}", values)
            frame[name] = pd.Series(numbers, index=raw.index, dtype=np.float64)
        elif kind in ("date", "timestamp"):
            dates = _dates(text, name, dialect.dayfirst, key)
            _add(reasons, dates.unknown, f"{name}: not a date in {_FORMATS}", values)
            _add(reasons, dates.invalid, f"{name}: no such calendar day", values)
            stamps = dates.stamps.dt.normalize() if kind == "date" else dates.stamps
            nullable = column is None or column.nullable
            if dates.far.any() and nullable:
                lines = text.lines[dates.far]
                listed = _first_lines(lines)
                warnings.append(
                    f"{name}: {len(lines)} date(s) outside 1677-09-22 to 2262-04-11, such as "
                    f"{values[dates.far].iloc[0]!r} (a CRM's 'no date'), read as no date "
                    f"(line {listed})"
                )
                prefix = f"{name}: {_FAR}, read as no date"
                far = values[dates.far].map(lambda value, p=prefix: f"{p}: {value!r:.60}")
                soft.append(
                    pd.DataFrame(
                        {"column": name, "reason": far.to_numpy(dtype=object)},
                        index=pd.Index(lines, name=LINE),
                    )
                )
            elif dates.far.any():
                _add(reasons, dates.far, f"{name}: {_FAR}", values)
            frame[name] = stamps.astype("datetime64[ns]")
        elif kind == "flag":
            codes, uniques = _dialect.distinct(values)
            lowered = uniques.str.lower()
            truth = _dialect.spread(lowered.isin(list(_TRUE)).to_numpy(dtype=bool), codes, False)
            false = _dialect.spread(lowered.isin(list(_FALSE)).to_numpy(dtype=bool), codes, False)
            bad = present & ~truth & ~false
            _add(reasons, bad, f"{name}: not true or false", values)
            if column is not None and not column.nullable:
                _add(reasons, ~present, f"{name}: missing")
            flags = pd.Series(truth, index=raw.index, dtype=bool)
            if column is None or column.nullable:
                # A blank flag is unknown, never read as false.
                flags = flags.astype("boolean").mask(~present)
            frame[name] = flags
        elif kind == "choice" and column is not None:
            frame[name] = _choice(values, column)
        elif kind == "currency":
            frame[name] = values.str.upper().astype(object)
        else:
            frame[name] = values.astype(object)
    return frame, reasons, warnings, soft


def _missing_columns(text: _Text, table: schema.Table) -> None:
    missing = [name for name in table.required if name not in text.frame.columns]
    if not missing:
        return
    has = ", ".join(repr(str(name)) for name in text.frame.columns) or "none"
    others = [s for s in _dialect.SEPARATORS if s != text.sep]
    header = " ".join(map(str, text.frame.columns))
    hint = ""
    found = [s for s in others if s in header]
    if found and len(text.frame.columns) <= 2:
        shown = "tab" if found[0] == "\t" else repr(found[0])
        hint = f"; the header is separated by {shown}: pass sep={found[0]!r} (--sep {shown})"
    else:
        near = {str(name).lower(): str(name) for name in text.frame.columns}
        renames = [f"{near[name]!r} → {name!r}" for name in missing if name in near]
        if renames:
            hint = f"; column names are case-sensitive: rename {', '.join(renames)}"
    raise SchemaError(
        f"{text.where} lacks the required column(s) {', '.join(missing)} in its header "
        f"(line 1); it has {has}{hint}"
    )


def read_table(
    path: str | PathLike[str],
    table: str = "deals",
    *,
    sep: str | None = None,
    decimal: str | None = None,
    thousands: str | None = None,
    dayfirst: bool | None = None,
    encoding: str | None = None,
    locale: str | None = None,
    probability_scale: str = "fraction",
    kinds: Mapping[str, str] | None = None,
) -> ImportResult:
    r"""Read a CSV file in the canonical columns into a canonical table, row by row.

    The file may come from any spreadsheet: separated by ``,`` ``;`` tab or ``|``,
    with a decimal comma, thousands grouped by spaces or dots, in UTF-8 (with or
    without a byte-order mark), UTF-16 or a Windows encoding, with percentages
    (``12 %``), capitalised vocabulary (``Open``, ``WON``) and dates such as
    ``31.12.2025`` or ``2025-12-31 14:00``. What the file shows beyond doubt is
    detected; anything else is an option, and an ambiguity is refused with a message
    that names the option to pass. A row that does not fit the canonical schema is
    rejected with its line and a reason, never dropped or guessed.

    Parameters
    ----------
    path : str or path-like
        The CSV file. Its header (line 1) holds the canonical column names of
        ``table`` (see :data:`salescore.schema.TABLES`); other columns are kept as text
        unless ``kinds`` says otherwise.
    table : str, default "deals"
        The canonical table: ``"deals"``, ``"stage_history"``, ``"accounts"``,
        ``"transactions"``, ``"leads"`` or ``"activities"``.
    sep : str, keyword-only, optional
        The column separator. Detected when the header holds exactly one of ``,``
        ``;`` tab ``|`` outside quotes.
    decimal : {".", ","}, keyword-only, optional
        The decimal separator. Detected from the number columns: a value such as
        ``1 234,50`` or ``0,12`` shows a comma, ``1234.5`` or ``1,234.50`` a point;
        a file showing both is refused; whole numbers alone follow the separator
        (``,`` with ``;``, as Excel writes it, ``.`` otherwise).
    thousands : {"", ".", ",", "'", " "}, keyword-only, optional
        The thousands separator besides spaces (the space, U+00A0 and U+202F always
        group thousands). None: the locale's; else, once the decimal separator is
        given or shown by the numbers, the other of ``.`` and ``,``; else none, so
        that ``1.500`` alone is refused rather than read as 1.5 or 1500.
    dayfirst : bool, keyword-only, optional
        Whether ``02/01/2026`` is the 2nd of January (True) or the 1st of February
        (False). Needed only when a column of slashed dates does not show its order.
    encoding : str, keyword-only, optional
        A text encoding Python knows, such as ``"cp1252"``. None: the byte-order mark's, else
        UTF-8, else the locale's Windows encoding.
    locale : str, keyword-only, optional
        A preset of :data:`LOCALES` (``"sv"``, ``"no"``, ``"da"``, ``"fi"``, ``"de"``,
        ``"fr"``, ``"nl"``, ``"en-gb"``, ``"en-us"``) that sets ``sep`` (when the
        header does not show it), ``decimal``, ``thousands``, ``dayfirst`` and the
        fallback encoding; options given explicitly win.
    probability_scale : {"fraction", "percent"}, keyword-only, default "fraction"
        How bare numbers in the probability column are written: 0.12 or 12 for 12 %.
        Values with a ``%`` sign are percentages either way.
    kinds : mapping of str to str, keyword-only, optional
        The kind (one of :data:`salescore.schema.KINDS`) of a column outside the
        canonical table, such as ``{"previous_revenue": "number"}``.

    Returns
    -------
    ImportResult
        ``frame``: the accepted rows, the canonical columns of the file in their
        canonical dtypes (numbers float64, probabilities fractions, dates and times
        naive ``datetime64[ns]`` in UTC, vocabularies in canonical spelling) and any
        other columns. ``rejected``: the rejected rows as text, with a ``reason``.
        Both are indexed by the row's line in the file (index name ``"line"``; the
        header is line 1, and a quoted line break moves the lines after it), so
        ``reason_groups()`` and ``summary()`` name lines. ``emptied``: the far dates
        read as no date, by line. ``warnings``: empty lines skipped, far dates read as
        no date, mixed currencies.

    Raises
    ------
    FileNotFoundError
        No such file (another :class:`OSError` if it cannot be read).
    SchemaError
        The header lacks a required column of ``table`` (the message says when the
        file seems to be separated by another character, or names differ in case).
    InvalidInputError
        An option is invalid; ``path`` is no path, a directory, or holds a NUL
        character; the file is not text in its encoding (the line is
        named); it is empty or not CSV; its header holds several separators; its
        numbers use both decimal separators; or a column of slashed dates can be read
        either day or month first.

    See Also
    --------
    read_export : a CRM's export in any dialect, for its adapter.
    salescore.schema.validate : check a frame that is already canonical.

    Notes
    -----
    Rules for rows: a number that does not fit the dialect, a percentage in an
    amount column, a probability above 1 without a ``%`` sign (unless
    ``probability_scale="percent"``), a date in no known format or no such day, and
    everything :func:`salescore.schema.row_problems` finds (a missing id or value, a
    negative amount, an unknown status, a repeated id, a close date before the
    creation date) reject the row. Dates are ``YYYY-MM-DD`` (also with ``/`` or
    ``.``), ``DD.MM.YYYY`` (dots are day first, the convention of every locale
    that writes them, unless ``dayfirst=False``), or ``DD/MM/YYYY`` / ``MM/DD/YYYY``
    (and with ``-``) by ``dayfirst`` or by the column's own evidence (a first
    number above 12 means day first, a second number above 12 month first); any
    may carry a time (``14:00``) and an offset (``+01:00``, ``Z``). Times without an
    offset are read as UTC; with one they are converted to UTC and the zone is
    dropped, so every date column is naive ``datetime64[ns]`` meaning UTC; a
    calendar-date column keeps the date. A date outside 1677-09-22 to 2262-04-11
    (CRMs write ``9999-12-31`` for "no end date") is no date in a column that may
    be empty, counted in a warning, and rejects the row otherwise. Flags read
    true/false, 1/0, yes/no and Excel's words in the presets' languages (``SANT``,
    ``FALSKT``, ``WAHR``, ...). Statuses, forecast categories, tiers and activity
    kinds match in any case; currency codes are upper-cased.

    Examples
    --------
    A Swedish Excel export: ``;``, a decimal comma, a no-break space grouping
    thousands, a percentage, a dotted date and capitalised statuses:

    >>> import tempfile
    >>> from pathlib import Path
    >>> from salescore.io import read_table
    >>> text = ("deal_id;value;probability;close_date;status\n"
    ...         "D-17;27\u00a0600,00;12 %;31.12.2025;Open\n"
    ...         "D-18;34\u00a0500;83 %;15.01.2026;Open\n"
    ...         "D-19;1,5 miljoner;50 %;15.01.2026;Open\n")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "affarer.csv"
    ...     _ = path.write_bytes(text.encode("utf-8-sig"))
    ...     result = read_table(path)
    >>> result.frame[["deal_id", "value", "probability", "close_date", "status"]]
         deal_id    value  probability close_date status
    line
    2       D-17  27600.0         0.12 2025-12-31   open
    3       D-18  34500.0         0.83 2026-01-15   open
    >>> float((result.frame["value"] * result.frame["probability"]).sum())
    31947.0
    >>> result.rejected[["deal_id", "reason"]]
         deal_id                               reason
    line
    4       D-19  value: not a number: '1,5 miljoner'
    >>> print(result.summary())
    deals from csv: 3 rows in, 2 accepted, 1 rejected
      1 × value: not a number (e.g. line 4 ('D-19'): '1,5 miljoner')
    """
    if dayfirst is not None:
        dayfirst = option_flag("dayfirst", dayfirst)
    preset = _checked_options(
        sep, decimal, thousands, dayfirst, encoding, locale, probability_scale
    )
    if not isinstance(table, str) or table not in tuple(schema.TABLES):  # type: ignore[redundant-expr]
        raise InvalidInputError(
            f"table must be one of {', '.join(schema.TABLES)}; got {table!r:.60}"
        )
    if kinds is not None and not isinstance(kinds, Mapping):
        raise InvalidInputError(
            f"kinds must be a mapping of column name to kind, or None; got "
            f"{type(kinds).__name__} {kinds!r:.60}"
        )
    extra = dict(kinds or {})
    wrong = {
        name: kind
        for name, kind in extra.items()
        if not isinstance(name, str) or not isinstance(kind, str) or kind not in schema.KINDS  # type: ignore[redundant-expr]
    }
    if wrong:
        raise InvalidInputError(f"kinds must be among {', '.join(schema.KINDS)}; got {wrong!r:.80}")
    spec = schema.TABLES[table]
    text = _read_text(path, table.replace("_", " "), sep=sep, encoding=encoding, preset=preset)
    _missing_columns(text, spec)
    key = spec.key or next((c.name for c in spec if c.kind == "id"), None)

    def kind_of(name: str) -> str:
        return extra.get(name, spec[name].kind if name in spec else "text")

    numeric = [name for name in text.frame.columns if kind_of(name) in ("number", "fraction")]
    point, group = _decimal(text, numeric, decimal, thousands, key)
    if dayfirst is None and preset is not None:
        dayfirst = preset.dayfirst
    dialect = Dialect(
        encoding=text.encoding, sep=text.sep, decimal=point, thousands=group, dayfirst=dayfirst
    )
    frame, reasons, warnings, soft = _parse(text, spec, extra, dialect, probability_scale)
    clean = reasons.isna().to_numpy(dtype=bool)
    if clean.any():
        canonical = [name for name in frame.columns if name in spec]
        problems = schema.row_problems(frame.loc[clean, canonical], spec)
        reasons[clean] = problems.to_numpy(dtype=object)
    accepted = reasons.isna().to_numpy(dtype=bool)
    lines = pd.Index(text.lines, name=LINE)
    rejected = text.frame.loc[~accepted].copy()
    rejected[REASON if REASON not in rejected.columns else f"_{REASON}"] = reasons[~accepted]
    rejected.index = lines[~accepted]
    kept = frame.loc[accepted]
    kept.index = lines[accepted]
    if "currency" in kept.columns and table == "deals":
        counts = kept["currency"].fillna("(none)").value_counts(sort=True)
        if len(counts) > 1:
            listed = ", ".join(f"{code}: {count}" for code, count in counts.items())
            warnings.append(
                f"the deals are in {len(counts)} currencies ({listed} rows); values are kept "
                "with their codes and never summed across currencies: convert them or group "
                "by currency"
            )
    if text.empty:
        listed = _first_lines(text.empty)
        warnings.insert(0, f"{len(text.empty)} empty line(s) skipped (line {listed})")
    emptied = pd.DataFrame(
        {"column": pd.Series(dtype=object), "reason": pd.Series(dtype=object)},
        index=pd.Index([], dtype=np.int64, name=LINE),
    )
    if soft:
        emptied = pd.concat(soft).loc[lambda f: f.index.isin(kept.index)].sort_index(kind="stable")
    return ImportResult(
        table=table,
        source="csv",
        frame=kept,
        rejected=rejected,
        warnings=tuple(warnings),
        rows_in=len(text.frame),
        emptied=emptied,
        id_field=key if key in rejected.columns else None,
        row_name=LINE,
    )
